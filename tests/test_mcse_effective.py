"""Honest Monte Carlo errors (issue 19 item 6): a PSA that resamples the rows of a joint group
(a calibrated set) is worth Kish's effective number of draws, n_eff = (Σ c_i)² / Σ c_i² over the
counts c_i of each distinct row drawn, and every MCSE and every "N dragningar" says so.
On main the MCSE divided by the number of draws as if every draw were independent.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "base_scenario.yaml"
GREN = ROOT / "scenarios" / "grenverket"
SMALL = ["--draws", "60", "--reps", "8", "--quiet"]


def _scenario(folder: Path, uncertainty: dict) -> Path:
    raw = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    raw["uncertainty"] = uncertainty
    path = folder / "s.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def test_kish_by_hand() -> None:
    """Four draws hitting row 0 twice and rows 1 and 2 once: n_eff = 4² / (2² + 1 + 1) = 16/6."""
    from model.psa.effective import effective, kish

    assert kish(np.array([2, 1, 1])) == pytest.approx(16 / 6, rel=1e-12)
    e = effective(pd.DataFrame({"draw": range(4), "joint:g": [0, 0, 1, 2]}))
    assert (e.draws, e.distinct_rows) == (4, 3)
    assert e.effective_draws == pytest.approx(16 / 6, rel=1e-12)
    # every row once: nothing is lost
    assert effective(pd.DataFrame({"draw": range(5), "joint:g": range(5)})).effective_draws == 5


def test_mcse_of_resampled_rows_follows_kish(tmp_path: Path) -> None:
    """Eleven rows of the value per person-year (0 to 1 MSEK) resampled into 40 draws (seed 3):
    the MCSE of P(NPV > 0) and of the mean NPV divide by n_eff, not 40, so they are larger than
    the naive ones and equal to the formula (to rounding, 1e-12 relative)."""
    from model.answer import parameter_uncertainty
    from model.load import load_scenario
    from model.psa.effective import kish
    from model.report.psa_view import probabilities, summaries

    rows = [[float(v)] for v in range(0, 1_000_001, 100_000)]
    sc = load_scenario(_scenario(tmp_path, {"joint": [{"name": "g", "paths": ["valuation.value_per_year"],
                                                        "rows": rows}]}))
    psa = parameter_uncertainty([sc], draws=40, seed=3)
    n = 40
    n_eff = kish(psa.draws["joint:g"].value_counts().to_numpy())
    assert n_eff < n - 5  # a real loss, not rounding
    prob = probabilities(psa, [sc]).iloc[0]
    p = prob["p"]
    assert 0 < p < 1
    assert prob["mcse"] == pytest.approx(math.sqrt(p * (1 - p) / n_eff), rel=1e-12)
    assert prob["mcse"] > math.sqrt(p * (1 - p) / n) * 1.05
    assert prob["effective_draws"] == pytest.approx(n_eff, abs=0.05)
    assert prob["distinct_rows"] == psa.draws["joint:g"].nunique()
    npv = psa.of(sc.name)[prob["metric"]].to_numpy(float)
    row = summaries(psa, [sc])[sc.name].set_index("metric").loc[prob["metric"]]
    assert row["mcse"] == pytest.approx(npv.std(ddof=1) / math.sqrt(n_eff), rel=1e-12)
    assert row["mcse"] > npv.std(ddof=1) / math.sqrt(n) * 1.05


def test_without_a_joint_group_every_draw_counts(tmp_path: Path) -> None:
    """Independent draws from a declared distribution: n_eff = n and no distinct rows."""
    from model.answer import parameter_uncertainty
    from model.load import load_scenario
    from model.report.psa_view import probabilities, summaries

    path = _scenario(tmp_path, {})
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw.setdefault("valuation", {})["value_per_year"] = {"value": 500000, "source": "a", "uncertainty": {
        "dist": "uniform", "low": 0, "high": 1000000}}
    raw.pop("uncertainty")
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    sc = load_scenario(path)
    psa = parameter_uncertainty([sc], draws=40, seed=3)
    e = psa.effective
    assert (e.draws, e.distinct_rows, e.effective_draws) == (40, None, 40.0)
    prob = probabilities(psa, [sc]).iloc[0]
    assert prob["effective_draws"] == 40 and prob["distinct_rows"] is None
    npv = psa.of(sc.name)[prob["metric"]].to_numpy(float)
    row = summaries(psa, [sc])[sc.name].set_index("metric").loc[prob["metric"]]
    assert row["mcse"] == pytest.approx(npv.std(ddof=1) / math.sqrt(40), rel=1e-12)


def test_compare_says_the_effective_number() -> None:
    """`insats compare` of the Grenverket pair (60 draws of its calibrated rows) says how many
    distinct rows and how many effective draws, in Swedish and English, and its JSON records
    carry draws, distinct_rows and effective_draws."""
    from model.answer import parameter_uncertainty
    from model.load import load_scenario

    sv = CliRunner().invoke(app, ["compare", str(GREN), *SMALL])
    assert sv.exit_code == 0, sv.output
    assert "60 dragningar (" in sv.stdout and "olika kalibrerade rader, effektivt ≈" in sv.stdout
    en = CliRunner().invoke(app, ["compare", str(GREN), *SMALL, "--lang", "en"])
    assert en.exit_code == 0, en.output
    assert "60 draws (" in en.stdout and "distinct calibrated rows, effectively ≈" in en.stdout
    js = CliRunner().invoke(app, ["compare", str(GREN), *SMALL, "--format", "json", "--lang", "en"])
    assert js.exit_code == 0, js.output
    rows = [r for r in json.loads(js.stdout) if r.get("basis") == "draws" and r["kind"] != "note"]
    assert {"verdict", "probability", "programme", "voi"} <= {r["kind"] for r in rows}
    scs = [load_scenario(p) for p in sorted(GREN.glob("*.yaml"))]
    e = parameter_uncertainty(scs, draws=60).effective
    assert e.effective_draws < 60
    for r in rows:
        assert r["draws"] == 60 and r["distinct_rows"] == e.distinct_rows
        assert r["effective_draws"] == pytest.approx(e.effective_draws, abs=0.05)


def test_psa_sweep_counts_the_same_effective_draws(tmp_path: Path) -> None:
    """A PSA sweep of the same pair (60 points, the compare's seed) draws the same rows: `analyse`
    pairs carry and print the same distinct rows and effective number as `compare`."""
    from model.analysis import probability_better
    from model.answer import parameter_uncertainty
    from model.load import load_scenario

    text = (ROOT / "scenarios/sweeps/grenverket_psa.yaml").read_text(encoding="utf-8")
    spec = tmp_path / "psa.yaml"
    spec.write_text(text.replace("draws: 1000", "draws: 60").replace("../grenverket/", f"{GREN}/"),
                    encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["sweep", str(spec), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output
    scs = [load_scenario(p) for p in sorted(GREN.glob("*.yaml"))]
    e = parameter_uncertainty(scs, draws=60).effective
    pb = probability_better(out, scs[0].name, scs[1].name, "npv")
    assert (pb["distinct_rows"], pb["effective_draws"]) == (e.distinct_rows, pytest.approx(e.effective_draws))
    shown = CliRunner().invoke(app, ["analyse", str(out)])
    assert shown.exit_code == 0, shown.output
    said = f"{e.distinct_rows} olika kalibrerade rader, effektivt ≈ {round(e.effective_draws)}"
    assert said in shown.stdout
