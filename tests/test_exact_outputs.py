"""`run --method exact` is a full citizen (issue 18, item 6): it honours --format csv|json and --out,
and prints the gross-effect/double-counting warnings and the per-actor table, as a simulated run
does. The figures are the expected-value path's (`model.evaluate.expected_metrics`)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from model.evaluate import expected_metrics
from model.load import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SE = ROOT / "scenarios/grenverket/supported_employment.yaml"
BASE = Path(__file__).parent / "base_scenario.yaml"   # no retention, no extent: a gross effect


def _run(*args: str) -> str:
    res = CliRunner().invoke(app, ["run", *args, "--method", "exact"])
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_exact_mode_writes_records(fmt: str) -> None:
    """Tidy records, as `run --format` writes them: the programme's figures equal the expected
    run's, the provenance says no seed, 0 replications, method expected; the actors follow."""
    out = _run(str(SE), "--format", fmt)
    df = pd.read_csv(StringIO(out)) if fmt == "csv" else pd.DataFrame(json.loads(out))
    m = expected_metrics(load_scenario(SE))
    prog = df[df["kind"] == "programme"].set_index("metric")
    for key in ("npv", "cost", "extra_jobs_at_exit", "revenue_pv:5y", "breakeven_work_share:5y"):
        assert float(prog.loc[key, "mean"]) == pytest.approx(m[key], rel=1e-9)  # JSON keeps 10 digits
    assert "pays_back" not in prog.index  # no shares of runs in one expected run
    assert set(prog["method"]) == {"expected"} and set(prog["replications"]) == {0}
    actors = df[df["kind"] == "actor"]
    net = actors[(actors["metric"] == "actor_net_pv") & (actors["view"] == "5y")]["mean"].sum()
    assert net == pytest.approx(m["npv:5y"], rel=1e-9)  # the actors' nets sum to the NPV


def test_exact_mode_writes_its_tables(tmp_path: Path) -> None:
    out = tmp_path / "exact"
    text = _run(str(SE), "--out", str(out))
    assert "Skrev 8 filer" in text
    meta = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert meta["method"] == "expected" and meta["replications"] == 0
    metrics = pd.read_csv(out / "metrics.csv")
    assert float(metrics["npv"].iloc[0]) == pytest.approx(expected_metrics(load_scenario(SE))["npv"])
    assert {"actor", "view", "net_pv"} <= set(pd.read_csv(out / "actors.csv").columns)


def test_exact_mode_prints_warnings_and_actor_table() -> None:
    text = _run(str(BASE), "--lang", "en")
    assert "Warning: Gross effect" in text
    assert "Actor" in text and "Put in" in text
