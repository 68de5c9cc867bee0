"""Several programmes and the value of information in `compare` and `analyse`, per-draw pooling
in `analyse`, and the uncertainty answer in the main job's output (`make run`)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from model.answer import answer
from model.load import load_scenario
from model.psa.voi import evpi, net_benefit_matrix
from model.report.decision_view import decision_frames
from model.report.excel import _header
from model.report.voi_view import answer_voi

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
THREE = HERE / "decision"
# the workbook's Swedish headers back to the columns' code names (`model.report.excel._header`)
HEADER_KEYS = {_header(k, "sv"): k for k in ("metric", "population", "mcse", "draws")}


@pytest.fixture(scope="module")
def three():
    """The three small programmes (expected-value path), 300 draws, 2 simulated cohorts."""
    scs = [load_scenario(THREE / f"{n}.yaml") for n in ("kurs", "coach", "dyr")]
    return answer(scs, replications=2, draws=300)


def test_three_programmes_ranked_with_dominance(three) -> None:
    """'dyr' has a lower work share (0.45 against 0.60) at a higher cost (50 000 against 40 000
    kr per start) than 'coach', and the shared extent moves both alike: dominated. The ranking
    is by expected NPV (5 years), P(best) sums to 1 with MCSE √(p(1 − p)/n), and at a value of
    0 kr per person-year the cheapest ('kurs') is best in every draw and on the frontier."""
    f = decision_frames(three)
    dom = f["dominance"].set_index("programme")
    assert dom.at["dyr", "status"] == "dominated"
    assert dom.at["kurs", "status"] == "" and dom.at["coach", "status"] == ""
    rank = f["ranking"]
    means = {s: three.psa.of(s)["npv:5y"].mean() for s in ("kurs", "coach", "dyr")}
    assert list(rank["programme"]) == sorted(means, key=means.get, reverse=True)
    assert rank["p_best"].sum() == pytest.approx(1.0)
    p = rank["p_best"].to_numpy()
    assert rank["p_best_mcse"].to_numpy() == pytest.approx(np.sqrt(p * (1 - p) / 300))
    c = f["acceptability"]
    at0 = c[c["value_per_year"] == 0].set_index("programme")
    assert at0.at["kurs", "p_best"] == 1.0 and at0.at["kurs", "on_frontier"]


def test_voi_of_three_programmes(three) -> None:
    """EVPI is that of the draws' NPVs (positive here: 'kurs' and 'coach' each win some draws);
    every EVPPI lies in [0, EVPI]; 'dyr' never wins, so knowing its own share is worth almost
    nothing; scaling is per participant (200) × future participants (2 000 in the files)."""
    voi = answer_voi(three)
    nb, _ = net_benefit_matrix({s: three.psa.of(s) for s in ("kurs", "coach", "dyr")}, "npv:5y")
    assert voi.evpi == pytest.approx(evpi(nb)) and voi.evpi > 0
    t = voi.table.set_index("parameter")
    assert (t["evppi"] >= 0).all() and (t["evppi"] <= voi.evpi * 1.05).all()
    assert t.at["dyr:interventions[insats].routing.arbete", "evppi"] < 0.05 * voi.evpi
    assert voi.participants == 200 and voi.population == 2000
    assert voi.scaled(voi.evpi) == pytest.approx(voi.evpi * 10)


def test_voi_computed_beside_the_cohorts_is_the_one_computed_after(three, monkeypatch) -> None:
    """With two workers and `voi=True` the decision's value of information is computed in the
    worker that ran the draws (beside the cohorts) and kept on the PSA; it equals the one
    computed afterwards in this process from one worker's answer, figure for figure, and a
    later call returns it without computing it again (a copy: changing it does not change what
    is kept), and a copy of the PSA (`dataclasses.replace`) starts without it."""
    import dataclasses

    from model.psa import voi as voi_module

    scs = [load_scenario(THREE / f"{n}.yaml") for n in ("kurs", "coach", "dyr")]
    shared = answer(scs, replications=2, draws=300, workers=2, voi=True)
    # kept with it: each programme's summary over the draws (`summary_of`); the rows by programme
    # the worker chose for them (`of`) stay there (`PSAResult.__getstate__`)
    assert [k for k in shared.psa.memo if k[0] == "voi"] == [("voi", "npv:5y", shared.psa.seed)]
    assert {k[0] for k in shared.psa.memo} == {"voi", "summary"}
    later = answer_voi(three)
    monkeypatch.setattr(voi_module, "value_of_information", None)  # computing again would fail
    kept = answer_voi(shared)
    again = answer_voi(three)
    monkeypatch.undo()
    assert kept.evpi == later.evpi == again.evpi
    pd.testing.assert_frame_equal(kept.table, later.table)
    kept.table["evppi"] = -1.0
    kept.options.append("another")
    assert (answer_voi(shared).table["evppi"] >= 0).all()
    assert answer_voi(shared).options == later.options
    assert dataclasses.replace(shared.psa).memo == {}


def test_compare_three_prints_and_exports_the_choice() -> None:
    runner = CliRunner()
    args = ["compare", str(THREE), "--draws", "120", "--reps", "2", "--quiet"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    for text in ("Rangordning efter förväntat nettonuvärde, 5 år", "P(bäst)", "dominerat",
                 "Acceptanskurva (5 år, nuvärde)", "Informationsvärde", "EVPI är vad det"):
        assert text in res.output, text
    res = runner.invoke(app, [*args, "--format", "csv"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.output))
    dom = df[df["metric"] == "dominance"].set_index("programme")
    assert dom.at["dyr", "status"] == "dominated"
    best = df[df["metric"] == "p_best:npv:5y"]
    assert best["mean"].sum() == pytest.approx(1.0) and best["mcse"].notna().all()
    assert (df["metric"] == "evpi:npv:5y").sum() == 1
    assert set(df.loc[df["metric"] == "p_best_at_value", "value_per_year"]) == {
        0.0, 150_000.0, 300_000.0, 600_000.0, 900_000.0}


def test_main_job_prints_parameter_uncertainty() -> None:
    """What `make run` prints (the Makefile's run target is `insats compare
    scenarios/grenverket/`), with fewer draws and runs for speed: intervals over parameter draws,
    P(A beats B) with its MCSE, the number of draws, the value of information, and the cohort
    block named as such."""
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(BIN)/insats compare scenarios/grenverket/" in make
    res = CliRunner().invoke(app, ["compare", str(ROOT / "scenarios" / "grenverket"),
                                   "--draws", "60", "--reps", "3", "--quiet"])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "Parameterosäkerhet: 60 dragningar" in out
    assert "[95 %-intervall över dragningarna]" in out
    assert ("Sannolikhet att Anpassad yrkesutbildning har högre Nettonuvärde, 5 år än Supported "
            "Employment: ") in out
    beats = next(line for line in out.splitlines() if "har högre Nettonuvärde" in line)
    assert "(MCSE " in beats and "procentenheter" in beats
    assert "Informationsvärde" in out
    assert "Variation för en kohort om N deltagare" in out


PSA_SWEEP = """
name: choice_psa
scenarios: [{a}, {b}]
parameters:
  - {{name: hazard, path: counterfactual.monthly_hazard, dist: gamma, mean: 0.01, cv: 0.15}}
  - {{name: extent, path: employment.extent, dist: beta, mean: 0.6, sd: 0.05}}
design: {{kind: random, points: 24}}
replications: 3
seed: 3
"""


def test_analyse_psa_pools_per_point_means(tmp_path) -> None:
    """A random sweep of two of the small programmes, 3 replications per point, the inputs'
    spread small against one cohort's chance variation. The pooled A − B NPV is over per-point
    means: its interval is that of the means (not of point × replication rows), and its variance
    is the expected-value path's variance over the same points give or take at most the
    within-point variance / 3 (what independent noise would add to a mean of 3; with common
    random numbers the noise is largely shared by the points and cancels). Pooling the rows
    instead adds the whole within-point variance, which this bound rejects (here by a factor of
    about 2)."""
    from model.evaluate import expected_metrics
    from model.results import interval
    from model.scenario import parse_scenario
    from model.sweep import load_sweep
    from model.sweep.plan import point_scenario

    sweep = tmp_path / "psa.yaml"
    sweep.write_text(PSA_SWEEP.format(a=THREE / "kurs.yaml", b=THREE / "coach.yaml"),
                     encoding="utf-8")
    out = tmp_path / "psa"
    res = CliRunner().invoke(app, ["sweep", str(sweep), "--out", str(out), "--workers", "1",
                                   "--quiet", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)["analysis"]
    rows = pd.read_parquet(out / "parts")
    wide = rows.pivot_table(index=["point_id", "rep"], columns="scenario", values="npv")
    d_rows = wide["kurs"] - wide["coach"]
    d_means = d_rows.groupby("point_id").mean()
    pair = data["pairs"][0]
    _, lo, hi, _ = interval(d_means)
    assert pair["pairs"] == 24
    assert (pair["lo"], pair["hi"]) == (pytest.approx(lo), pytest.approx(hi))
    within = float(d_rows.groupby("point_id").var(ddof=1).mean())
    plan = load_sweep(sweep)
    exp = []
    for _, pt in plan.points.iterrows():
        values = {k: float(pt[k]) for k in plan.labels}
        npv = {}
        for b in plan.bases:
            raw, _ = point_scenario(b, plan.params, values)
            npv[b.name] = expected_metrics(parse_scenario(raw, file=str(b.file)))["npv"]
        exp.append(npv["kurs"] - npv["coach"])
    var_exp = float(np.var(exp, ddof=1))
    var_pooled = float(d_means.var(ddof=1))
    var_rows = float(d_rows.var(ddof=1))
    assert abs(var_pooled - var_exp) <= within / 3
    assert abs(var_rows - var_exp) > within / 3 and var_pooled < var_rows
    assert "voi" in data and data["voi"][0]["metric"] == "evpi:npv"


def test_report_and_workbook_carry_the_psa_answer(tmp_path) -> None:
    """With declared uncertainty the report has the uncertainty section (intervals over draws,
    P(NPV > 0) with MCSE, the EVPPI chart) and the workbook its two sheets; --no-uncertainty
    leaves them out."""
    runner = CliRunner()
    html = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(THREE), "--out", str(html), "--draws", "80",
                              "--reps", "2", "--quiet"])
    assert res.exit_code == 0, res.output
    text = html.read_text(encoding="utf-8")
    assert 'id="uncertainty"' in text and "Parameterosäkerhet: 80 dragningar" in text
    assert "(MCSE" in text and "EVPI är vad det" in text
    assert "Informationsvärde per parameter" in text and "data:image/png;base64" in text
    xlsx = tmp_path / "w.xlsx"
    res = runner.invoke(app, ["export", str(THREE), "--xlsx", str(xlsx), "--draws", "80",
                              "--reps", "2", "--quiet"])
    assert res.exit_code == 0, res.output
    sheets = pd.read_excel(xlsx, sheet_name=None)
    voi = sheets["Informationsvärde"].rename(columns=lambda c: HEADER_KEYS.get(c, c))
    assert voi.loc[0, "metric"] == "evpi:npv:5y" and voi.loc[0, "population"] == 2000
    psa = sheets["Parameterosäkerhet"].rename(columns=lambda c: HEADER_KEYS.get(c, c))
    beats = psa[psa["metric"] == "beats:npv:5y"]
    assert len(beats) == 2 and beats["mcse"].notna().all() and (beats["draws"] == 80).all()
    res = runner.invoke(app, ["export", str(THREE), "--xlsx", str(xlsx), "--reps", "2",
                              "--quiet", "--no-uncertainty"])
    assert res.exit_code == 0, res.output
    assert "Informationsvärde" not in pd.read_excel(xlsx, sheet_name=None)
