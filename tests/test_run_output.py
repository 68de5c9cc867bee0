"""`insats run --out`: the participant table and visit log are written whole, with provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from cli import app
from model import __version__
from model.io import atomic_write
from model.load import load_scenario
from model.simulation import simulate

BASE = Path(__file__).parent / "base_scenario.yaml"


def test_run_out_writes_tables_with_provenance(tmp_path: Path) -> None:
    """Every table exists as CSV and Parquet, equals the engine's output, and records the
    scenario hash, seed and version; no temporary files are left behind."""
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["run", str(BASE), "--reps", "3", "--seed", "11", "--out",
                                   str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    sc = load_scenario(BASE)
    for name in ("participants", "visits", "metrics", "ledger"):
        assert (out / f"{name}.csv").is_file() and (out / f"{name}.parquet").is_file()
    meta = pq.read_schema(out / "participants.parquet").metadata
    assert meta[b"insats.scenario_hash"].decode() == sc.digest()
    assert meta[b"insats.seed"].decode() == "11"
    assert meta[b"insats.version"].decode() == __version__
    run = json.loads((out / "run.json").read_text())
    assert run["scenario_hash"] == sc.digest() and run["replications"] == 3
    expected = simulate(sc, replications=3, seed=11).participants
    got = pd.read_parquet(out / "participants.parquet")
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected, check_dtype=False)
    assert len(pd.read_csv(out / "visits.csv")) == len(simulate(sc, replications=3, seed=11).visits)
    assert not list(out.glob(".*tmp"))


def test_same_files_with_one_or_two_workers(tmp_path: Path) -> None:
    """The written participant table is byte-identical whatever the number of worker processes."""
    for w in ("1", "2"):
        res = CliRunner().invoke(app, ["run", str(BASE), "--reps", "4", "--workers", w, "--out",
                                       str(tmp_path / w), "--quiet"])
        assert res.exit_code == 0, res.output
    for name in ("participants.csv", "visits.csv", "metrics.csv"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_interrupted_write_leaves_no_partial_file(tmp_path: Path) -> None:
    """A write that fails halfway leaves neither the target nor a temporary file."""
    target = tmp_path / "table.csv"

    def half(tmp: Path) -> None:
        tmp.write_text("rep,participant_id\n0,")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, half)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
    target.write_text("old\n")
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, half)
    assert target.read_text() == "old\n"


def test_out_file_that_is_a_folder_is_refused(tmp_path: Path) -> None:
    """Writing a report onto an existing folder gives the problem and exit code 2, no traceback."""
    folder = tmp_path / "report.html"
    folder.mkdir()
    res = CliRunner().invoke(app, ["report", str(BASE), "--out", str(folder), "--reps", "2",
                                   "--quiet", "--lang", "en"])
    assert res.exit_code == 2
    assert "is a folder" in res.output and "Traceback" not in res.output
