"""`compare --format json` as a script reads it (issue 21, item 13): every record has its kind and
label, a metric that names its horizon, and whole numbers (seed, replications, draws) as integers.
Before, the records over parameter draws had `kind: null`, `label: null`, bare `npv`/`revenue`
and `seed: 20140227.0`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from model.report.text import VIEW_METRICS

THREE = Path(__file__).resolve().parent / "decision"
SWEEPS = Path(__file__).resolve().parent / "report_sweeps"
KINDS = {"programme", "difference", "comparison", "verdict", "actor", "probability", "voi", "decision"}


@pytest.fixture(scope="module")
def compared() -> list[dict]:
    res = CliRunner().invoke(app, ["compare", str(THREE), "--draws", "60", "--reps", "2", "--quiet",
                                   "--format", "json", "--lang", "en"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_compare_json_records_have_kind_label_horizon_and_integers(compared) -> None:
    records = compared
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


@pytest.mark.parametrize(("sweep", "smaller", "kinds"), [
    ("oneway.yaml", [], {"parameter", "note", "programme", "probability", "difference", "tornado"}),
    ("psa.yaml", ["--points", "8"],
     {"parameter", "programme", "probability", "difference", "acceptability", "voi"})])
def test_analyse_json_has_the_record_shape_of_compare(compared, tmp_path, sweep: str, smaller: list,
                                                      kinds: set) -> None:
    """`analyse --format json` prints records of the same shape as `compare --format json` (the
    same keys; kind, label, a metric naming its horizon, integers as integers), not the nested
    dict it printed before; the figures are those of `analysis_data`, which the text shows."""
    from model.analysis import analysis_data

    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["sweep", str(SWEEPS / sweep), "--out", str(out), "--reps", "1",
                                   *smaller, "--quiet"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(app, ["analyse", str(out), "--format", "json", "--lang", "en"])
    assert res.exit_code == 0, res.output
    records = json.loads(res.stdout)
    assert isinstance(records, list) and records
    shape = set(compared[0])
    for r in records:
        assert set(r) == shape, set(r) ^ shape
        assert isinstance(r["kind"], str) and isinstance(r["label"], str) and r["label"], r
        parts = r["metric"].split(":")
        named = [p for p in parts if p in VIEW_METRICS]
        assert not named or parts[-1] == "5y", r  # 'npv:5y', 'beats:npv:5y', never a bare 'npv'
        for key in ("seed", "replications", "points", "n", "rank"):
            assert r.get(key) is None or type(r[key]) is int, (key, r)
    assert {r["kind"] for r in records} == kinds
    data = analysis_data(out)
    npv = {r["programme"]: r["mean"] for r in records if (r["kind"], r["metric"]) == ("programme", "npv:5y")}
    assert npv == {o["scenario"]: o["mean"] for o in data["overall"] if o["metric"] == "npv"}
    if "tornado" in data:
        swing = {(r["programme"], r["parameter"]): r["swing"] for r in records if r["kind"] == "tornado"}
        assert swing == {(s, t["parameter"]): t["swing"] for s, v in data["tornado"].items()
                         for t in v["rows"]}
