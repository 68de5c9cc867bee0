"""Cost rows, ratios and what compare may call best (issue 18, items 7 and 8): with a tax factor
every cost row that enters a ratio shows the same cost basis, labelled; a programme without costs
gets no "pays back" or "best", and programmes valued on different bases are flagged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from model.api import run_scenario
from model.load import load_scenario
from model.report.verdict import verdict

ROOT = Path(__file__).resolve().parents[1]


def _write(tmp: Path, name: str, **extra: Any) -> Path:
    raw: dict[str, Any] = {
        "name": name, "label": name.capitalize(),
        "simulation": {"replications": 6, "seed": 11},
        "intake": {"cohort": {"n": 40}}, "entry": "kurs",
        "interventions": [{"name": "kurs", "duration": {"dist": "fixed", "months": 3},
                           "routing": {"arbete": 0.5, "annat": 0.5},
                           "costs": [{"funder": "kommun", "per_participant_month": 8000}]}],
        "exit_states": {"arbete": {"category": "work"}, "annat": {"category": "other"}},
        "counterfactual": {"monthly_hazard": 0.02},
        "employment": {"retention": {"share_at_12_months": 0.7}},
    }
    for k, v in extra.items():
        if v is None:
            raw.pop(k, None)
        elif isinstance(v, dict) and isinstance(raw.get(k), dict):
            raw[k] = {**raw[k], **v}
        else:
            raw[k] = v
    f = tmp / f"{name}.yaml"
    f.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return f


def test_tax_factor_cost_rows_match_the_ratios_and_say_so(tmp_path: Path) -> None:
    """BCR = revenue PV / the cost PV row, and cost per extra job = the cost row / extra jobs,
    with the tax factor in both; the rows carry 'inkl. skattefaktor 1,30'. (The first version
    showed the cost rows without the factor: BCR 6.85 while the rows implied 8.90.)"""
    f = _write(tmp_path, "skatt", valuation={"tax_factor": 1.3})
    plain = _write(tmp_path, "utan")
    s = run_scenario(load_scenario(f)).priced.metrics.mean()
    s0 = run_scenario(load_scenario(plain)).priced.metrics.mean()
    assert s["cost_pv"] == pytest.approx(1.3 * s0["cost_pv"], rel=1e-9)  # all of it kommun's
    assert s["bcr"] == pytest.approx(s["revenue_pv"] / s["cost_pv"], rel=1e-9)
    res = CliRunner().invoke(app, ["run", str(f), "--quiet", "--no-uncertainty"])
    assert res.exit_code == 0, res.output
    rows = [line for line in res.stdout.splitlines()
            if line.startswith(("Kostnad, hela programmet", "Kostnad per extra arbete",
                                "Kostnad per deltagare"))]
    assert len(rows) == 4 and all("inkl. skattefaktor 1,30" in r for r in rows)


def test_programmes_without_costs_get_no_best_and_bases_are_flagged(tmp_path: Path) -> None:
    """Item 8: compare of programmes without costs names none best; with one costed and one
    without, no best either; mixed valuation bases are flagged in the verdict."""
    free_a = _write(tmp_path, "gratis_a")
    free_b = _write(tmp_path, "gratis_b")
    for f in (free_a, free_b):
        raw = yaml.safe_load(f.read_text(encoding="utf-8"))
        raw["interventions"][0].pop("costs")
        f.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    res = CliRunner().invoke(app, ["compare", str(free_a), str(free_b), "--quiet"])
    assert res.exit_code == 0, res.output
    assert "ger högst" not in res.stdout and "betalar sig" not in res.stdout
    assert "Gratis_a saknar kostnader: ange en kostnad" in " ".join(res.stdout.split())
    costed = _write(tmp_path, "kostar")
    results = [run_scenario(load_scenario(f)) for f in (free_a, costed)]
    v = verdict(results, None, "sv")
    assert v.programme == "" and "saknar kostnader: ange en kostnad" in v.text
    one = verdict([results[0]], None, "sv")
    assert "betalar sig" not in one.text and "ange en kostnad" in one.text
    # mixed valuation bases: one value per person-year against a unit-cost group
    uvas = _write(tmp_path, "uvas", valuation={"unit_costs": str(ROOT / "scenarios/unit_costs/uvas.yaml")})
    results = [run_scenario(load_scenario(f)) for f in (costed, uvas)]
    v = verdict(results, None, "sv")
    assert "värderas på olika grunder" in v.text and v.programme in ("kostar", "uvas")


def test_same_draws_give_the_same_cost_per_extra_job_and_breakeven_in_compare_and_analyse(
        tmp_path: Path) -> None:
    """Item 9: `analyse` of a psa sweep and `compare`'s PSA on the same draws print the same cost
    per extra job (the ratio of the means, not the mean of per-draw ratios: 32 912 kr against
    32 837 kr before) and the same break-even (re-priced: the share where the mean NPV is 0)."""
    from model.analysis import load_manifest, overall
    from model.economics import metric_units
    from model.psa import run_psa
    from model.psa.summary import summarise_draws
    from model.sweep import run_sweep

    files = sorted((ROOT / "scenarios/grenverket").glob("*.yaml"))
    draws, seed = 40, 31
    spec = tmp_path / "psa.yaml"
    spec.write_text(yaml.safe_dump({"name": "psa", "scenarios": [str(s) for s in files],
                                    "design": {"kind": "psa", "draws": draws}, "seed": seed}),
                    encoding="utf-8")
    out = tmp_path / "out"
    run_sweep(spec, out, workers=1, quiet=True)
    loaded = [load_scenario(f) for f in files]
    psa = run_psa([(sc.raw, sc) for sc in loaded], draws=draws, seed=seed)
    mf = load_manifest(out)
    swept = overall(out, mf, metrics=("cost_per_extra_job", "breakeven_work_share:5y"),
                    metric="npv:5y").set_index(["scenario", "metric"])
    for sc in loaded:
        per = psa.of(sc.name)
        mine = summarise_draws(per, metric_units(sc)).set_index("metric")
        want = per["net_cost"].mean() / per["extra_jobs_at_exit"].mean()
        assert mine.loc["cost_per_extra_job", "mean"] == pytest.approx(want, rel=1e-12)
        assert swept.loc[(sc.name, "cost_per_extra_job"), "mean"] == pytest.approx(want, rel=1e-12)
        # the break-even over draws: the share at which the mean NPV of all draws is 0
        share = mine.loc["breakeven_work_share:5y", "mean"]
        line = (per["breakeven_slope:5y"] * share - per["breakeven_need:5y"]).mean()
        assert abs(line) <= 1e-9 * per["cost_pv"].mean()
        assert swept.loc[(sc.name, "breakeven_work_share:5y"), "mean"] == pytest.approx(share,
                                                                                      rel=1e-12)
