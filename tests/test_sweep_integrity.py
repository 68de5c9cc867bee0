"""Sweep folders under concurrent use and damage (issue 12): a lock for the whole run, parts that
carry their identity, resume that recomputes what is bad, analyses that refuse a mixed folder,
a manifest that is input like any other, and workers that do not outlive the sweep.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import CLI_AS_FROM_A_TERMINAL
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "base_scenario.yaml"
runner = CliRunner()


def sweep_file(folder: Path, seed: int = 5, points: int = 6, reps: int = 2,
               name: str = "psa") -> Path:
    """A PSA of the test scenario: `points` draws, one point per part."""
    if not (folder / "base.yaml").exists():
        shutil.copy(BASE, folder / "base.yaml")
    path = folder / f"{name}-{seed}.yaml"
    path.write_text(yaml.safe_dump({
        "name": name, "scenarios": ["base.yaml"],
        "parameters": [{"path": "valuation.value_per_year", "low": 400_000, "high": 600_000},
                       {"path": "counterfactual.monthly_hazard", "low": 0.0, "high": 0.03}],
        "design": {"kind": "random", "points": points}, "replications": reps, "seed": seed,
        "points_per_part": 1}), encoding="utf-8")
    return path


def sweep(*args: str | Path) -> object:
    return runner.invoke(app, ["sweep", *map(str, args), "--quiet", "--lang", "en"])


def analyse(out: Path) -> object:
    return runner.invoke(app, ["analyse", str(out), "--metric", "npv:1y", "--lang", "en"])


def rows(out: Path) -> pd.DataFrame:
    df = pd.read_parquet(out / "parts")
    return df.sort_values(["point_id", "scenario", "rep"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def done(tmp_path_factory) -> dict[str, Path]:
    """Two finished sweeps of the same file but for the seed (5 and 6), and the sweep files."""
    d = tmp_path_factory.mktemp("integrity")
    out = {}
    for seed in (5, 6):
        f = sweep_file(d, seed)
        result = sweep(f, "--out", d / f"out{seed}", "--workers", "1")
        assert result.exit_code == 0, result.output
        out[f"file{seed}"], out[f"out{seed}"] = f, d / f"out{seed}"
    return out


def copy_of(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    (dst / ".lock").unlink(missing_ok=True)
    return dst


# ---------------------------------------------------------------- item 6: one writer at a time


def test_a_locked_folder_is_refused(tmp_path: Path) -> None:
    """While another process holds the folder's lock, a sweep into it is refused, exit 2."""
    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out / ".lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = sweep(sweep_file(tmp_path), "--out", out, "--workers", "1")
    finally:
        os.close(fd)
    assert result.exit_code == 2, result.output
    assert "another insats sweep" in result.stderr and "is writing to this folder" in result.stderr
    assert not (out / "parts").exists()


def test_the_sweep_command_reads_its_analysis_under_its_own_lock(tmp_path: Path,
                                                               monkeypatch) -> None:
    """`insats sweep` reads the analysis it prints before it lets go of the folder's lock: read
    after, a second sweep started meanwhile took the lock for the moment it needed to refuse
    itself, and the first, its results complete, exited 2 as well (seen once in CI). Checked
    without timing: while the analysis is read, the lock file is there and another lock on it
    is refused."""
    import model.analysis

    real = model.analysis.analysis_data
    held = []

    def checked(out: Path, *args: object, **kwargs: object) -> object:
        fd = os.open(Path(out) / ".lock", os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(fd)
        held.append(out)
        return real(out, *args, **kwargs)

    monkeypatch.setattr(model.analysis, "analysis_data", checked)
    out = tmp_path / "out"
    result = sweep(sweep_file(tmp_path, points=2), "--out", out, "--workers", "1")
    assert result.exit_code == 0, result.output
    assert held == [out] and not (out / ".lock").exists()
    assert "npv" in result.stdout


def test_two_sweeps_at_once_never_mix(tmp_path: Path, done: dict[str, Path]) -> None:
    """Two sweeps of different seeds started together into one folder: one runs, the other is
    refused (exit 2), and the analysis is exactly that of the one that ran."""
    out = tmp_path / "shared"
    procs = {seed: subprocess.Popen(
        [sys.executable, "-c", "from cli import main; main()", "sweep", str(done[f"file{seed}"]),
         "--out", str(out), "--workers", "1", "--quiet", "--lang", "en"], cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True) for seed in (5, 6)}
    # read each one's pipes while it runs (a child blocks once a pipe's buffer is full)
    ends = {seed: p.communicate(timeout=300) for seed, p in procs.items()}
    codes = {seed: p.returncode for seed, p in procs.items()}
    errs = {seed: ends[seed][1] for seed in procs}
    assert sorted(codes.values()) == [0, 2], (codes, errs)
    winner = next(s for s, c in codes.items() if c == 0)
    loser = 11 - winner
    assert "Traceback" not in errs[loser]
    assert "another insats sweep" in errs[loser] or "already holds a sweep" in errs[loser]
    pd.testing.assert_frame_equal(rows(out), rows(done[f"out{winner}"]))
    mixed, clean = analyse(out), analyse(done[f"out{winner}"])
    assert mixed.exit_code == 0, mixed.output
    assert mixed.stdout.replace(str(out), "DIR") == clean.stdout.replace(
        str(done[f"out{winner}"]), "DIR")


def test_analyse_refuses_a_foreign_part(tmp_path: Path, done: dict[str, Path]) -> None:
    """A part of another seed's sweep in the folder: analyse names it and stops (exit 2)."""
    out = copy_of(done["out5"], tmp_path / "mixed")
    shutil.copy(done["out6"] / "parts" / "part-000003.parquet", out / "parts")
    result = analyse(out)
    assert result.exit_code == 2, result.output
    assert "part-000003.parquet: belongs to another sweep" in result.stderr
    assert "seed 6" in result.stderr and "--resume" in result.stderr


def test_analyse_refuses_missing_and_stray_parts(tmp_path: Path, done: dict[str, Path]) -> None:
    out = copy_of(done["out5"], tmp_path / "holes")
    (out / "parts" / "part-000001.parquet").unlink()
    shutil.copy(out / "parts" / "part-000002.parquet", out / "parts" / "part-000042.parquet")
    result = analyse(out)
    assert result.exit_code == 2, result.output
    assert "part-000001.parquet: is missing" in result.stderr
    assert "part-000042.parquet: is not a part of this sweep" in result.stderr


# ---------------------------------------------------------------- item 8: resume repairs


def test_resume_recomputes_foreign_and_truncated_parts(tmp_path: Path,
                                                       done: dict[str, Path]) -> None:
    """An interrupted sweep whose folder holds a part of another seed and a truncated part:
    --resume recomputes both, says so, and ends equal to an uninterrupted run."""
    out = copy_of(done["out5"], tmp_path / "broken")
    mf = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    (out / "sweep.json").write_text(json.dumps({**mf, "status": "running"}), encoding="utf-8")
    shutil.copy(done["out6"] / "parts" / "part-000002.parquet", out / "parts")
    cut = out / "parts" / "part-000004.parquet"
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])
    (out / "parts" / "part-000005.parquet").unlink()
    result = sweep(done["file5"], "--out", out, "--workers", "1", "--resume")
    assert result.exit_code == 0, result.output
    assert "resumed: part-000002.parquet belongs to another sweep" in result.stdout
    assert "resumed: part-000004.parquet cannot be read" in result.stdout
    assert "3 parts computed" in result.stdout and "3 already done" in result.stdout
    pd.testing.assert_frame_equal(rows(out), rows(done["out5"]))
    assert analyse(out).exit_code == 0


# ---------------------------------------------------------------- item 11: the manifest is input


@pytest.mark.parametrize("field, value", [("seed", "<script>alert(1)</script>"),
                                          ("n_points", "<img src=x onerror=alert(1)>"),
                                          ("replications", [1, 2])])
def test_a_manifest_with_wrong_types_is_refused(tmp_path: Path, done: dict[str, Path],
                                               field: str, value: object) -> None:
    """A crafted sweep.json: analyse and report --sweep name the field (exit 2), write nothing."""
    out = copy_of(done["out5"], tmp_path / "crafted")
    mf = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    (out / "sweep.json").write_text(json.dumps({**mf, field: value}), encoding="utf-8")
    result = analyse(out)
    assert result.exit_code == 2, result.output
    assert f"sweep.json: {field}:" in result.stderr
    html = tmp_path / "r.html"
    rep = runner.invoke(app, ["report", str(BASE), "--sweep", str(out), "--out", str(html),
                              "--reps", "2", "--quiet"])
    assert rep.exit_code == 2, rep.output
    assert not html.exists()


def test_sweep_section_escapes_the_manifest(done: dict[str, Path]) -> None:
    """Even past validation, every manifest value the page shows is escaped."""
    from model.report.sweep_view import load_view, sweep_html

    view = load_view(done["out5"])
    for key in ("n_points", "replications", "seed", "version", "sweep_hash"):
        view.manifest[key] = f"<script>{key}</script>"
    page = sweep_html([view], "en")
    assert "<script>" not in page
    assert "&lt;script&gt;n_points&lt;/script&gt;" in page


# ---------------------------------------------------------------- items 10, 15 and Ctrl-C


def _descendants(pid: int) -> set[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(stat[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        kids = {c for c, p in parents.items() if p == parent}
        found |= kids
        todo += kids
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _long_sweep(tmp_path: Path) -> subprocess.Popen[str]:
    f = sweep_file(tmp_path, points=60, reps=20)
    return subprocess.Popen([sys.executable, "-c", CLI_AS_FROM_A_TERMINAL, "sweep", str(f),
                             "--out", str(tmp_path / "out"), "--workers", "2", "--quiet",
                             "--lang", "en"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _workers(proc: subprocess.Popen[str], tmp_path: Path) -> set[int]:
    """The sweep's processes below its main one, once two parts are written (work is going on)."""
    deadline = time.monotonic() + 120
    while len(list((tmp_path / "out" / "parts").glob("part-*.parquet"))) < 2:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no part was written"
        time.sleep(0.05)
    return _descendants(proc.pid)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores for two workers")
def test_workers_exit_when_the_sweep_is_killed(tmp_path: Path) -> None:
    """SIGKILL to the sweep's main process only: its workers notice and exit within 10 s."""
    proc = _long_sweep(tmp_path)
    workers = _workers(proc, tmp_path)
    assert len(workers) >= 2
    proc.kill()
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    try:
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)]
    finally:
        for w in workers:  # do not leave them behind if the test fails
            if _alive(w):
                os.kill(w, signal.SIGKILL)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores for two workers")
def test_ctrl_c_stops_a_sweep_in_one_line(tmp_path: Path) -> None:
    """Ctrl-C to the sweep's process group: exit 130, one line saying how to resume, no
    traceback from the workers, no worker left; the resume then completes the sweep."""
    proc = _long_sweep(tmp_path)
    workers = _workers(proc, tmp_path)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("insats: interrupted; the finished parts are in") and "--resume" in err
    time.sleep(0.5)
    assert not [w for w in workers if _alive(w)]


def test_sweep_workers_are_capped(tmp_path: Path) -> None:
    """--workers 64 for a sweep of 3 parts starts no more processes than parts and cores."""
    result = sweep(sweep_file(tmp_path, points=3), "--out", tmp_path / "o", "--workers", "64")
    assert result.exit_code == 0, result.output
    n = min(3, len(os.sched_getaffinity(0)))
    on = "1 local process" if n == 1 else f"{n} local processes"
    assert f"computed on {on}" in result.stdout
