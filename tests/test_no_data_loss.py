"""No command deletes or overwrites a file it did not write, nor writes onto any of its inputs
(issue 20, items 1-3): the exact sequences that destroyed a user's files, and the rule behind them
(`model.io.check_not_input`, the run folder's manifest, the calibration folder check).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "base_scenario.yaml"
KNOWN = ROOT / "tests" / "calibration" / "known.yaml"
runner = CliRunner()


def invoke(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def refused(result: object, text: str) -> None:
    """Exit 2 through the CLI's own exit, `text` on stderr, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert text in result.stderr, result.stderr


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


# ---------------------------------------------------------------- item 1: run --out over a run


def test_run_into_a_run_folder_holding_the_scenario_keeps_it(tmp_path: Path) -> None:
    """`insats run R/scen.yaml --out R`, R holding an earlier run and the user's own files: exit 2
    naming the files insats did not write; nothing in R changes."""
    r = tmp_path / "R"
    assert invoke("run", BASE, "--reps", "2", "--quiet", "--out", r).exit_code == 0
    (r / "scen.yaml").write_bytes(BASE.read_bytes())
    (r / "notes.txt").write_text("my notes\n", encoding="utf-8")
    before = snapshot(r)
    result = invoke("run", r / "scen.yaml", "--reps", "2", "--quiet", "--out", r)
    refused(result, "notes.txt")
    assert "scen.yaml" in result.stderr
    assert snapshot(r) == before


def test_run_into_a_run_folder_with_a_foreign_file_is_refused(tmp_path: Path) -> None:
    """A file the user added to an earlier run's folder (not an input) is named, and kept."""
    r = tmp_path / "R"
    assert invoke("run", BASE, "--reps", "2", "--quiet", "--out", r).exit_code == 0
    (r / "sub").mkdir()
    (r / "sub" / "second.yaml").write_text("x: 1\n", encoding="utf-8")
    before = snapshot(r)
    refused(invoke("run", BASE, "--reps", "2", "--quiet", "--out", r), "sub/second.yaml")
    assert snapshot(r) == before


def test_rerun_into_its_own_folder_still_replaces_it(tmp_path: Path) -> None:
    """A folder holding only what insats wrote (its manifest lists every file) is replaced."""
    r = tmp_path / "R"
    assert invoke("run", BASE, "--reps", "2", "--seed", "1", "--quiet", "--out", r).exit_code == 0
    listed = json.loads((r / "run.json").read_text(encoding="utf-8"))["files"]
    assert sorted(listed) == sorted(p.name for p in r.iterdir())
    assert invoke("run", BASE, "--reps", "2", "--seed", "7", "--quiet", "--out", r).exit_code == 0
    assert json.loads((r / "run.json").read_text(encoding="utf-8"))["seed"] == 7


def test_run_out_onto_a_folder_holding_an_input_through_a_link(tmp_path: Path) -> None:
    """The scenario reached through a symbolic link to its folder is still an input."""
    r = tmp_path / "R"
    assert invoke("run", BASE, "--reps", "2", "--quiet", "--out", r).exit_code == 0
    (r / "scen.yaml").write_bytes(BASE.read_bytes())
    (tmp_path / "link").symlink_to(r)
    before = snapshot(r)
    refused(invoke("run", tmp_path / "link" / "scen.yaml", "--reps", "2", "--quiet",
                   "--out", r), "scen.yaml")
    assert snapshot(r) == before


# ---------------------------------------------------------------- item 2: a path through a new folder


@pytest.mark.parametrize("command", ["report", "export"])
def test_output_through_a_folder_not_yet_made_is_not_the_input(tmp_path: Path, monkeypatch,
                                                               command: str) -> None:
    """`report a.yaml --out nosub/../a.yaml` (and `export --xlsx`), `nosub` not existing: the path
    is the scenario once `nosub` is made, so it is refused, and `nosub` is not left behind."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_bytes(BASE.read_bytes())
    option = "--out" if command == "report" else "--xlsx"
    result = invoke(command, "a.yaml", "--quiet", "--reps", "2", option, "nosub/../a.yaml",
                    "--lang", "en")
    refused(result, "is an input of this command")
    assert (tmp_path / "a.yaml").read_bytes() == BASE.read_bytes()
    assert not (tmp_path / "nosub").exists()


def test_writer_refuses_an_input_after_making_the_folders(tmp_path: Path) -> None:
    """The rule sits in the writer itself: a write whose path reaches an input file read by this
    command (here through two new folders and a hard link) is refused, whatever the spelling."""
    from model.errors import InputError
    from model.io import forget_inputs, note_input, write_text

    scen = tmp_path / "a.yaml"
    scen.write_text("keep\n", encoding="utf-8")
    hard = tmp_path / "hard.yaml"
    os.link(scen, hard)
    forget_inputs()
    note_input(scen)
    try:
        for spelling in (tmp_path / "x" / "y" / ".." / ".." / "a.yaml", hard):
            with pytest.raises(InputError, match="is an input of this command"):
                write_text(spelling, "overwritten\n")
        assert scen.read_text(encoding="utf-8") == "keep\n"
        assert not (tmp_path / "x").exists()
        write_text(tmp_path / "other.yaml", "fine\n")  # any other file is written as before
    finally:
        forget_inputs()


# ---------------------------------------------------------------- item 3: calibrate --out


def _targets(folder: Path) -> Path:
    """A small calibration of a scenario kept beside its targets file (the user's own folder)."""
    (folder / "known.yaml").write_bytes(KNOWN.read_bytes())
    spec = {"name": "small", "scenarios": ["known.yaml"],
            "targets": [{"scenario": "known", "metric": "share:arbete", "value": 0.4, "sd": 0.05}],
            "method": {"walkers": 4, "steps": 20, "burn": 0, "start_pool": 8, "seed": 3}}
    path = folder / "targets.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_calibrate_out_onto_the_scenarios_folder_is_refused(tmp_path: Path) -> None:
    """`insats calibrate targets.yaml --out DIR`, DIR the scenarios' own folder: exit 2 naming the
    scenario; the file keeps its comments and layout."""
    folder = tmp_path / "project"
    folder.mkdir()
    targets = _targets(folder)
    before = snapshot(folder)
    result = invoke("calibrate", targets, "--out", folder, "--quiet")
    refused(result, "known.yaml")
    assert snapshot(folder) == before


def test_calibrate_out_never_replaces_a_file_it_did_not_write(tmp_path: Path) -> None:
    """A folder holding a file of the name calibrate would write is refused, not overwritten."""
    project = tmp_path / "project"
    project.mkdir()
    targets = _targets(project)
    out = tmp_path / "cal"
    out.mkdir()
    (out / "known.yaml").write_text("# my own copy\n", encoding="utf-8")
    refused(invoke("calibrate", targets, "--out", out, "--quiet"), "known.yaml")
    assert (out / "known.yaml").read_text(encoding="utf-8") == "# my own copy\n"


def test_calibrate_out_into_a_new_folder_writes(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    targets = _targets(project)
    # --force: where the files go is the point here, not whether this short run converged
    result = invoke("calibrate", targets, "--out", tmp_path / "cal", "--quiet", "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cal" / "known.yaml").exists()


# ---------------------------------------------------------------- what a killed run or a sweep leaves


def test_a_killed_run_leaves_nothing_after_the_next_run(tmp_path: Path) -> None:
    """A `run --out` killed with SIGKILL while writing leaves its hidden staging folder; the next
    run into the same place removes it."""
    out = tmp_path / "D"
    code = ("import os, signal, model.api\n"
            "real = model.api.write_table\n"
            "def kill(*a, **k):\n"
            "    real(*a, **k)\n"
            "    os.kill(os.getpid(), signal.SIGKILL)\n"
            "model.api.write_table = kill\n"
            "from cli import app\n"
            f"app(['run', {str(BASE)!r}, '--reps', '2', '--quiet', '--out', {str(out)!r}])\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    staged = [p.name for p in tmp_path.iterdir() if p.name.startswith(".D.")]
    assert staged, "the killed run left no staging folder: the test did not kill it mid-write"
    assert invoke("run", BASE, "--reps", "2", "--quiet", "--out", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["D"]


def test_a_finished_sweep_leaves_no_lock(tmp_path: Path) -> None:
    spec = {"name": "tiny", "scenarios": [str(BASE)], "seed": 1, "replications": 1,
            "parameters": [{"path": "employment.extent", "low": 0.5, "high": 0.9}],
            "design": {"kind": "random", "points": 2}}
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "S"
    result = invoke("sweep", path, "--out", out, "--quiet")
    assert result.exit_code == 0, result.output
    assert (out / "sweep.json").exists()
    assert not (out / ".lock").exists()
