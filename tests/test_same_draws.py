"""Same draws, same figure (issue 18, item 9): cost per extra job and break-even have one
definition (`model.results.summary_row`) in every view, and every break-even shown is where the
NPV, re-priced at that share, is 0.

Before this, the same draws gave compare's A − B column as the mean of per-draw differences of
ratios (−48 189 kr for cost per extra job where the columns beside it said 33 731 − 80 144 =
−46 413 kr), the ESF budget (report, workbook, page) the mean of each run's own break-even (the
mean NPV at Supported Employment's 1-year share was +66 000 kr, not 0), and a sweep with
replications the mean of its replications' own break-evens per point and cost per extra job as a
mean of ratios in tornado, Sobol and Morris.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from test_pricing_consistency import _reweighted_npv

from model.economics import metric_units
from model.load import load_scenario
from model.results import summary_row

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "scenarios/grenverket").glob("*.yaml"))
RATIO_AND_BREAKEVEN = ("cost_per_extra_job", "breakeven_work_share:1y", "breakeven_work_share:5y",
                       "breakeven_work_exits:5y", "breakeven_extra_jobs:5y")


@pytest.fixture(scope="module")
def same_draws(tmp_path_factory) -> tuple:
    """40 draws of the Grenverket pair, once as compare draws them (`run_psa`) and once as a psa
    sweep (`run_sweep`) on the same seed: the same draws (test_sweep_psa checks they are)."""
    from model.psa import run_psa
    from model.sweep import run_sweep

    tmp = tmp_path_factory.mktemp("same_draws")
    draws, seed = 40, 31
    spec = tmp / "psa.yaml"
    spec.write_text(yaml.safe_dump({"name": "psa", "scenarios": [str(s) for s in FILES],
                                    "design": {"kind": "psa", "draws": draws}, "seed": seed}),
                    encoding="utf-8")
    out = tmp / "out"
    run_sweep(spec, out, workers=1, quiet=True)
    scs = [load_scenario(f) for f in FILES]
    psa = run_psa([(sc.raw, sc) for sc in scs], draws=draws, seed=seed)
    return scs, psa, out


def test_compare_and_sweep_analyse_give_one_cost_per_extra_job_and_difference(same_draws) -> None:
    """Each programme's cost per extra job and break-even are the same in compare's table and in
    `analyse` (to 1e-9 relative), and compare's A − B column (terminal, HTML, page) is A's figure
    minus B's as shown, for `analyse`'s paired difference too."""
    from model import analysis
    from model.app.uncertainty import interval_table
    from model.psa.summary import difference, summarise_draws
    from model.report.psa_view import _cell

    scs, psa, out = same_draws
    mf = analysis.load_manifest(out)
    swept = analysis.overall(out, mf, metrics=RATIO_AND_BREAKEVEN, metric="npv:5y")
    swept = swept.set_index(["scenario", "metric"])
    shown = {sc.name: summarise_draws(psa.of(sc.name), metric_units(sc), psa.n_eff).set_index("metric")
             for sc in scs}
    a, b = (sc.name for sc in scs)
    for k in RATIO_AND_BREAKEVEN:
        for name in (a, b):
            want = shown[name].loc[k, "mean"]
            assert swept.loc[(name, k), "mean"] == pytest.approx(want, rel=1e-9), (name, k)
        per = psa.of(a)
        if k == "cost_per_extra_job":  # the ratio of the means, by hand
            assert shown[a].loc[k, "mean"] == pytest.approx(
                per["net_cost"].mean() / per["extra_jobs_at_exit"].mean(), rel=1e-12)
        d = difference(psa.of(a), psa.of(b), k, psa.n_eff)
        gap = shown[a].loc[k, "mean"] - shown[b].loc[k, "mean"]
        assert d["mean"] == pytest.approx(gap, rel=1e-9, abs=1e-12), k
        pb = analysis.probability_better(out, a, b, metric=k)
        assert pb["mean_diff"] == pytest.approx(gap, rel=1e-9, abs=1e-12), k
    # the page's table says the same: its A − B cell is the formatted difference of the columns
    page = interval_table(psa, scs, "sv").set_index("Mått")
    label = next(i for i in page.index if i.startswith("Kostnad per extra arbete"))
    unit = shown[a].loc["cost_per_extra_job", "unit"]
    gap = shown[a].loc["cost_per_extra_job", "mean"] - shown[b].loc["cost_per_extra_job", "mean"]
    cell = page.loc[label, f"{scs[0].title} − {scs[1].title}"].replace("\u00a0", " ")
    assert cell.startswith(_cell(gap, unit, "sv") + " ["), cell


def test_the_break_even_over_draws_reprices_to_zero(same_draws) -> None:
    """Compare's and analyse's break-even share: every draw re-priced at the shown share along
    its own line NPV(s) = slope·s − need (which is the re-pricing of that draw exactly:
    test_pricing_consistency) gives a mean NPV of 0 at that horizon (1e-9 of the cost)."""
    from model.psa.summary import summarise_draws

    scs, psa, _ = same_draws
    for sc in scs:
        per = psa.of(sc.name)
        shown = summarise_draws(per, metric_units(sc), psa.n_eff).set_index("metric")
        for k in ("1y", "5y"):
            s = shown.loc[f"breakeven_work_share:{k}", "mean"]
            npv = (per[f"breakeven_slope:{k}"] * s - per[f"breakeven_need:{k}"]).mean()
            assert abs(npv) <= 1e-9 * per["cost_pv"].mean(), (sc.name, k, s, npv)
            exits = shown.loc[f"breakeven_work_exits:{k}", "mean"]
            assert exits == pytest.approx(s * per["participants"].mean(), rel=1e-12)


def test_the_esf_budget_break_even_reprices_to_zero() -> None:
    """The ESF budget (report, workbook and the page's sentence: `esf_table`): every simulated
    run re-priced at the shown share (its participants re-weighted, `price(..., weights)`) gives
    a mean NPV of 0 within 1e-6 of the cost at each horizon; and the exits needed are that share
    of the participants. Before, the table showed the mean of each run's own break-even:
    Supported Employment's 1-year share was 45,2 %, where the runs' mean NPV is +66 000 kr."""
    from model.report.programme import load_programmes
    from model.report.sections.esf import esf_table

    reps = 8
    for p in load_programmes(ROOT / "scenarios/grenverket", replications=reps, seed=5,
                             uncertainty=False):
        run = p.result.run
        table = esf_table(p)
        for row in table.itertuples():
            npv, cost = zip(*(_reweighted_npv(run, row.needed_share, r, row.view) for r in range(reps)),
                            strict=True)
            assert abs(np.mean(npv)) <= 1e-6 * np.mean(cost), (p.name, row.view, np.mean(npv))
            assert row.needed == pytest.approx(row.needed_share * row.participants, rel=1e-12)
            # and it is the figure `run` and compare's table print for these runs
            summary = p.result.economics.set_index("metric")
            assert summary.loc[f"breakeven_work_share:{row.view}", "mean"] == pytest.approx(
                row.needed_share, rel=1e-12)


@pytest.fixture(scope="module")
def replicated_sweep(tmp_path_factory) -> Path:
    """A Latin-hypercube sweep of Supported Employment's job-finding rate, 4 points x 4
    simulated replications each."""
    from model.sweep import run_sweep

    tmp = tmp_path_factory.mktemp("replicated")
    se = ROOT / "scenarios/grenverket/supported_employment.yaml"
    spec = tmp / "lhs.yaml"
    spec.write_text(yaml.safe_dump({
        "name": "lhs", "scenarios": [str(se)], "seed": 7, "replications": 4,
        "parameters": [{"path": "valuation.value_per_year", "name": "vpy", "low": 300_000,
                        "high": 600_000}],
        "design": {"kind": "lhs", "points": 4}}), encoding="utf-8")
    out = tmp / "out"
    run_sweep(spec, out, workers=1, quiet=True)
    return out


def test_a_sweep_point_with_replications_has_the_one_definition(replicated_sweep) -> None:
    """Each point's figure over its replications (what tornado, Sobol, Morris and the overall
    interval read) is `summary_row`'s: cost per extra job as the ratio of the means, break-even
    where the mean NPV of the point's replications, each re-priced at that share, is 0."""
    from model import analysis

    out = replicated_sweep
    raw = analysis.read_results(out)
    name = analysis.scenario_names(analysis.load_manifest(out))[0]
    for metric in ("cost_per_extra_job", "breakeven_work_share:1y", "breakeven_extra_jobs:5y"):
        shown = analysis.point_means(out, metric, name)
        for pid, runs in raw.groupby("point_id"):
            want = summary_row(runs, metric)[0]
            assert shown.loc[pid] == pytest.approx(want, rel=1e-9), (metric, pid)
            if metric.startswith("breakeven_work_share"):
                k = metric.partition(":")[2]
                npv = (runs[f"breakeven_slope:{k}"] * shown.loc[pid] - runs[f"breakeven_need:{k}"])
                assert abs(npv.mean()) <= 1e-9 * runs["cost_pv"].mean(), (pid, npv.mean())
    # the overall interval is over these per-point figures
    ov = analysis.overall(out, analysis.load_manifest(out), metrics=("breakeven_work_share:1y",),
                          metric="npv:1y").set_index("metric")
    per = analysis.point_means(out, "breakeven_work_share:1y", name).to_numpy()
    lo, hi = np.percentile(per, [2.5, 97.5])
    assert ov.loc["breakeven_work_share:1y", "lo"] == pytest.approx(lo, rel=1e-12)
    assert ov.loc["breakeven_work_share:1y", "hi"] == pytest.approx(hi, rel=1e-12)


def test_mcse_of_a_ratio_and_a_break_even_is_that_of_the_figure_shown() -> None:
    """The MCSE beside a ratio of means or a re-priced break-even is the spread of that figure
    over independent PSAs: 2 000 synthetic PSAs of 200 draws (seed 20261206); the MCSE
    (`influence`, delta method), averaged over 200 further PSAs, against the standard deviation
    of the 2 000 figures, within 10 % (that sd is known to about 1.6 % and the averaged MCSE to
    about 0.4 %: 10 % is over 5 of their combined standard errors)."""
    from model.results import influence

    rng = np.random.default_rng(20261206)
    n, runs = 200, 2_000

    def one() -> pd.DataFrame:
        slope = rng.gamma(20.0, 5e5 / 20.0, n)
        need = 0.3 * slope + rng.normal(0.0, 6e4, n)
        extra = rng.gamma(10.0, 3.0, n)
        return pd.DataFrame({"breakeven_need:1y": need, "breakeven_slope:1y": slope,
                             "breakeven_work_share:1y": need / slope, "npv:1y": slope - need,
                             "net_cost": 1e6 + 1e5 * rng.standard_normal(n) + 2e4 * extra,
                             "extra_jobs_at_exit": extra, "cost_per_extra_job": math.nan})

    for metric in ("cost_per_extra_job", "breakeven_work_share:1y"):
        figures = [summary_row(one(), metric)[0] for _ in range(runs)]
        sd = float(np.std(figures, ddof=1))
        est = float(np.mean([np.std(influence(one(), metric), ddof=1) / math.sqrt(n)
                             for _ in range(200)]))
        assert est == pytest.approx(sd, rel=0.10), (metric, est, sd)


def test_analyse_shows_the_break_even_compare_shows(same_draws) -> None:
    """`insats analyse` of the psa sweep prints each programme's break-even share over the
    headline horizon (or the view asked for) as compare's table has it, and the JSON carries it."""
    from model import analysis
    from model.psa.summary import summarise_draws
    from model.report.text import metric_label, with_unit

    scs, psa, out = same_draws
    for view in ("5y", "1y"):
        data = analysis.analysis_data(out, metric="npv" if view == "5y" else f"npv:{view}")
        rows = {(r["scenario"], r["metric"]): r for r in data["overall"]}
        text = analysis.analysis_text(out, metric="npv" if view == "5y" else f"npv:{view}", lang="sv")
        for sc in scs:
            shown = summarise_draws(psa.of(sc.name), metric_units(sc), psa.n_eff).set_index("metric")
            want = shown.loc[f"breakeven_work_share:{view}", "mean"]
            assert rows[(sc.name, f"breakeven_work_share:{view}")]["mean"] == pytest.approx(want, rel=1e-9)
            line = next(x for x in text.splitlines() if x.startswith(sc.name)
                        and metric_label(f"breakeven_work_share:{view}", "sv") in x)
            assert with_unit(want, "share", "sv") in line, line


def test_analyse_says_a_break_even_beyond_reach_in_words() -> None:
    """A break-even share above 100 % in a sweep's overall table: no number, "ej nåbart inom 1
    år" in the text, null with a reason in the records; an interval reaching past 100 % clipped."""
    from model.analysis import reachable_rows
    from model.report.analysis_text import analysis_text

    rows = pd.DataFrame([
        {"scenario": "a", "metric": "breakeven_work_share:1y", "unit": "share", "mean": 1.7,
         "lo": 1.2, "hi": 2.5},
        {"scenario": "b", "metric": "breakeven_work_share:1y", "unit": "share", "mean": 0.8,
         "lo": 0.6, "hi": 1.3}])
    got = reachable_rows(rows)
    assert got.at[0, "mean"] is None and got.at[0, "lo"] is None and "not reachable" in got.at[0, "reason"]
    assert got.at[1, "mean"] == 0.8 and got.at[1, "hi"] == 1.0 and got.at[1, "reason"]
    data = {"metric": "npv:1y", "unit": "kr", "sweep": "s", "design": "psa", "points": 3,
            "replications": 1, "seed": 1, "version": "x", "folder": "f", "scenarios": [],
            "notes": [], "parameters": [], "horizon_years": 5.0,
            "overall": got.to_dict("records"), "pairs": []}
    text = analysis_text(data, "sv")
    line_a = next(x for x in text.splitlines() if x.startswith("a "))
    assert "ej nåbart inom 1 år" in line_a and "170" not in line_a and "%" not in line_a, line_a
    line_b = next(x for x in text.splitlines() if x.startswith("b "))
    assert "80,0 %" in line_b and "100,0 %" in line_b and "130" not in line_b, line_b
