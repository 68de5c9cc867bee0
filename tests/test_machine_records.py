"""`compare --format json` as a script reads it (issue 21, item 13): every record has its kind and
label, a metric that names its horizon, and whole numbers (seed, replications, draws) as integers.
Before, the records over parameter draws had `kind: null`, `label: null`, bare `npv`/`revenue`
and `seed: 20140227.0`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from cli import app
from model.report.text import VIEW_METRICS

THREE = Path(__file__).resolve().parent / "decision"
KINDS = {"programme", "difference", "comparison", "verdict", "actor", "probability", "voi", "decision"}


def test_compare_json_records_have_kind_label_horizon_and_integers() -> None:
    res = CliRunner().invoke(app, ["compare", str(THREE), "--draws", "60", "--reps", "2", "--quiet",
                                   "--format", "json", "--lang", "en"])
    assert res.exit_code == 0, res.output
    records = json.loads(res.stdout)
    assert {r["basis"] for r in records} == {"runs", "draws"}
    for r in records:
        assert r["kind"] in KINDS, r
        assert isinstance(r["label"], str) and r["label"], r
        base, _, view = r["metric"].partition(":")
        assert not (base in VIEW_METRICS and not view), r  # 'npv:5y', never a bare 'npv'
        for key in ("seed", "replications", "draws", "n"):
            assert r.get(key) is None or type(r[key]) is int, (key, r)
    draws = [r for r in records if r["basis"] == "draws"]
    assert {"programme", "probability", "voi", "decision"} <= {r["kind"] for r in draws}
    assert all(type(r["seed"]) is int for r in draws if r["kind"] in ("programme", "probability"))
    beats = next(r for r in draws if r["metric"].startswith("beats:"))
    assert beats["metric"] == "beats:npv:5y" and "5 years" in beats["label"]
    # one row per figure: the bare headline metric no longer repeats its horizon's row
    for basis in ("runs", "draws"):
        for name in ("kurs", "coach", "dyr"):
            npv = [r for r in records if (r["kind"], r["basis"], r["programme"], r["metric"])
                   == ("programme", basis, name, "npv:5y")]
            assert len(npv) == 1, (basis, name, npv)


def test_threshold_label_names_its_horizon() -> None:
    """'Nettonuvärde, 5 år når 0 kr vid …': a bare `npv` is over the scenario's horizon, and the
    label says which (it said 'Nettonuvärde' alone)."""
    from model.analysis import threshold

    se = Path(__file__).resolve().parents[1] / "scenarios/grenverket/supported_employment.yaml"
    found = threshold(se, "valuation.value_per_year", 100_000, 600_000, method="exact")
    assert found.horizon_years == 5
    assert found.text("sv").startswith(f"{found.scenario}: Nettonuvärde, 5 år når ")
    assert "Net present value, 5 years reaches" in found.text("en")


def test_sweep_analysis_labels_name_their_horizon() -> None:
    from model.report.analysis_text import analysis_text

    data = {"metric": "npv", "unit": "kr", "sweep": "s", "design": "oneway", "points": 3,
            "replications": 1, "seed": 1, "version": "x", "folder": "f", "scenarios": [],
            "notes": [], "parameters": [], "horizon_years": 5.0,
            "overall": [{"scenario": "a", "metric": "npv", "unit": "kr", "mean": 1.0, "lo": 0.0,
                         "hi": 2.0}], "pairs": [], "tornado": {}}
    text = analysis_text(data, "sv")
    assert "Nettonuvärde, 5 år" in text
