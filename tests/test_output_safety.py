"""Outputs under stress (issue 12): bad --out targets, a full disk, interrupts, reruns, inputs that
must not be overwritten, formula injection in CSV, and how many worker processes start.

A failed write leaves the complete previous output or nothing, never a mixture or a temporary
file; the CLI says so in one line with a non-zero exit code and no traceback.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import queue
import re
import signal
import stat
import subprocess
import sys
import tempfile
import threading
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


def invoke(*args: str | Path) -> object:
    """`insats ARGS` in English (--lang en: these tests read the English messages)."""
    lang = [] if args[0] == "validate" else ["--lang", "en"]
    return runner.invoke(app, [*(str(a) for a in args), *lang])


def one_line_error(result: object, code: int, text: str) -> None:
    """Exit `code` through the CLI's own exit, `text` on stderr, one line, no traceback."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert text in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr  # header + one problem


def leftovers(folder: Path) -> list[str]:
    """Temporary files or folders insats left in `folder` (and one level down)."""
    found = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    for sub in folder.iterdir():
        if sub.is_dir() and not sub.is_symlink():
            found += [f"{sub.name}/{p.name}" for p in sub.iterdir() if p.name.endswith(".tmp")]
    return found


# ---------------------------------------------------------------- item 5: bad --out targets


def test_out_onto_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "results"
    target.write_text("keep me\n", encoding="utf-8")
    one_line_error(invoke("run", BASE, "--reps", "2", "--quiet", "--out", target), 2,
                   "exists and is not a folder")
    assert target.read_text(encoding="utf-8") == "keep me\n"


def test_out_onto_a_folder_of_other_files(tmp_path: Path) -> None:
    """Results replace their whole folder, so a folder holding other files is refused as is."""
    target = tmp_path / "documents"
    target.mkdir()
    (target / "thesis.docx").write_text("precious", encoding="utf-8")
    one_line_error(invoke("run", BASE, "--reps", "2", "--quiet", "--out", target), 2,
                   "holds other files")
    assert [p.name for p in target.iterdir()] == ["thesis.docx"]


@pytest.fixture
def read_only(monkeypatch):
    """Make a folder read-only: mode 555 and, as root (whom modes do not stop), no temp files."""
    def block(folder: Path) -> Path:
        folder.chmod(0o555)
        if os.geteuid() == 0:
            def denied(*args, **kwargs):
                raise PermissionError(errno.EACCES, "Permission denied", str(folder))

            monkeypatch.setattr(tempfile, "mkstemp", denied)
            monkeypatch.setattr(tempfile, "mkdtemp", denied)
        return folder

    return block


def test_out_into_a_read_only_folder(tmp_path: Path, read_only) -> None:
    (tmp_path / "ro").mkdir()
    folder = read_only(tmp_path / "ro")
    one_line_error(invoke("run", BASE, "--reps", "2", "--quiet", "--out", folder / "res"), 1,
                   "insats: cannot write")
    one_line_error(invoke("report", BASE, "--reps", "2", "--quiet", "--out", folder / "r.html"), 1,
                   "Permission denied")


def test_out_through_a_loop_of_links(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    one_line_error(invoke("run", BASE, "--reps", "2", "--quiet", "--out", loop / "res"), 1,
                   "Too many levels of symbolic links")
    one_line_error(invoke("report", BASE, "--reps", "2", "--quiet", "--out", loop), 1,
                   "Too many levels of symbolic links")


def test_full_disk_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    """ENOSPC while writing the participant table: one line, exit 1, no folder, no temp files."""
    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    out = tmp_path / "res"
    one_line_error(invoke("run", BASE, "--reps", "2", "--quiet", "--out", out), 1,
                   "No space left on device")
    assert not out.exists()
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- item 7: a run folder is whole


def _run_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("stop", ["interrupt", "sigterm", "error"])
def test_interrupted_rerun_keeps_the_previous_run(tmp_path: Path, monkeypatch, stop: str) -> None:
    """A rerun into D stopped after three of its files (Ctrl-C, SIGTERM or a failing write) leaves
    D exactly as the previous run wrote it, with no temporary files beside or inside it."""
    import model.api

    out = tmp_path / "D"
    first = invoke("run", BASE, "--reps", "2", "--seed", "1", "--quiet", "--out", out)
    assert first.exit_code == 0, first.output
    before = _run_files(out)
    real = model.api.write_table
    written: list[Path] = []

    def failing(path, df, meta=None):
        if len(written) == 3:
            if stop == "interrupt":
                raise KeyboardInterrupt
            if stop == "sigterm":
                os.kill(os.getpid(), signal.SIGTERM)
            raise OSError(errno.EIO, "Input/output error")
        written.append(Path(path))
        return real(path, df, meta)

    monkeypatch.setattr(model.api, "write_table", failing)
    result = invoke("run", BASE, "--reps", "2", "--seed", "99", "--quiet", "--out", out)
    code, text = {"interrupt": (130, "insats: interrupted"), "sigterm": (143, "insats: terminated"),
                  "error": (1, "Input/output error")}[stop]
    one_line_error(result, code, text)
    assert len(written) == 3
    assert _run_files(out) == before
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["seed"] == 1
    assert leftovers(tmp_path) == []


def test_stale_temporary_files_are_removed(tmp_path: Path) -> None:
    """Temporary files of a killed writer (a dead process id) go at the next write; a living
    writer's stay."""
    out = tmp_path / "D"
    assert invoke("run", BASE, "--reps", "2", "--quiet", "--out", out).exit_code == 0
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale_dir = tmp_path / f".D.{dead}.abc.tmp"
    stale_dir.mkdir()
    (stale_dir / "participants.csv").write_text("half", encoding="utf-8")
    stale_file = tmp_path / f".r.html.{dead}.xyz.tmp"
    stale_file.write_text("half", encoding="utf-8")
    living = tmp_path / ".D.1.keep.tmp"  # process 1 is always running
    living.mkdir()
    assert invoke("run", BASE, "--reps", "2", "--quiet", "--out", out).exit_code == 0
    assert invoke("report", BASE, "--reps", "2", "--quiet", "--out", tmp_path / "r.html"
                  ).exit_code == 0
    assert not stale_dir.exists() and not stale_file.exists()
    assert living.exists()


# ---------------------------------------------------------------- item 9: inputs and devices


def test_report_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    scenario = tmp_path / "a.yaml"
    scenario.write_bytes(BASE.read_bytes())
    one_line_error(invoke("report", scenario, "--quiet", "--reps", "2", "--out", scenario), 2,
                   "is an input of this command")
    assert scenario.read_bytes() == BASE.read_bytes()
    one_line_error(invoke("export", scenario, "--quiet", "--reps", "2", "--xlsx", scenario), 2,
                   "is an input of this command")


def test_report_refuses_special_files(tmp_path: Path) -> None:
    """A pipe (and, as root, a device node like /dev/null) is not replaced by a regular file."""
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    targets = [fifo]
    if os.geteuid() == 0:
        dev = tmp_path / "null.html"
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        targets.append(dev)
    for target in targets:
        kind = os.stat(target).st_mode
        one_line_error(invoke("report", BASE, "--quiet", "--reps", "2", "--out", target), 2,
                       "is a device, pipe or socket")
        assert stat.S_IFMT(os.stat(target).st_mode) == stat.S_IFMT(kind)


# ---------------------------------------------------------------- item 12: CSV formula injection

HOSTILE = {
    "name": "=HYPERLINK(\"http://x\",\"y\")",
    "population": {"sex": {"+1": 0.5, "-2": 0.5}},
    "intake": {"cohort": {"n": 20}, "referral_sources": {"@SUM(A1)": 1.0}},
    "exit_states": {"=cmd": {"category": "work"}, "annat": {"category": "other"}},
}


def _hostile(tmp: Path) -> Path:
    raw = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    raw.update(HOSTILE)
    for iv in raw["interventions"]:
        iv["routing"] = {("=cmd" if k == "arbete" else k): v for k, v in iv["routing"].items()}
        iv["exit_hazards"] = {("=cmd" if k == "arbete" else k): v
                              for k, v in iv.get("exit_hazards", {}).items()}
    raw["interventions"][1]["name"] = "-b"
    raw["interventions"][0]["routing"] = {("-b" if k == "b" else k): v
                                          for k, v in raw["interventions"][0]["routing"].items()}
    path = tmp / "hostile.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def _text_cells(rows: list[list[str]]) -> list[str]:
    out = []
    for row in rows:
        for cell in row:
            try:
                float(cell)
            except ValueError:
                out.append(cell)
    return out


def test_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    """Scenario text beginning with = + - @ reaches participants.csv, visits.csv and --format csv
    as text (a leading apostrophe); numbers, negative ones included, are left as numbers."""
    path = _hostile(tmp_path)
    out = tmp_path / "D"
    result = invoke("run", path, "--reps", "2", "--quiet", "--out", out)
    assert result.exit_code == 0, result.output
    printed = invoke("run", path, "--reps", "2", "--quiet", "--format", "csv")
    assert printed.exit_code == 0, printed.output
    tables = {f.name: list(csv.reader(f.open(encoding="utf-8"))) for f in out.glob("*.csv")}
    tables["stdout"] = list(csv.reader(printed.stdout.splitlines()))
    seen = set()
    for name, rows in tables.items():
        for cell in _text_cells(rows):
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
            seen.add(cell)
    for text in ("'=cmd", "'+1", "'-2", "'@SUM(A1)", "'-b"):
        assert text in seen, text
    assert f"'{HOSTILE['name']}" in seen


# ---------------------------------------------------------------- item 15: worker processes


def test_workers_are_capped_by_the_work_and_the_cores(tmp_path: Path, monkeypatch) -> None:
    """--workers 64 for 3 replications starts at most min(3, cores) processes."""
    from concurrent.futures import ProcessPoolExecutor

    started: list[int] = []
    real = ProcessPoolExecutor.__init__

    def record(self, max_workers=None, *args, **kwargs):
        started.append(max_workers)
        real(self, max_workers, *args, **kwargs)

    monkeypatch.setattr(ProcessPoolExecutor, "__init__", record)
    result = invoke("run", BASE, "--reps", "3", "--workers", "64", "--quiet", "--format", "json")
    assert result.exit_code == 0, result.output
    cores = len(os.sched_getaffinity(0))
    assert all(n <= min(3, cores) for n in started), started


# ---------------------------------------------------------------- item 5: Ctrl-C and SIGTERM


def _descendants(pid: int) -> set[int]:
    """Process ids below `pid` (from /proc), children first."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
    found, todo = set(), [pid]
    while todo:
        p = todo.pop()
        kids = {c for c, pp in parents.items() if pp == p}
        found |= kids
        todo += kids
    return found


def _start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CLI_AS_FROM_A_TERMINAL, *args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


# A run sized never to finish before the signal on any machine (20 000 replications, killed
# after the first progress line, at most a few hundred done by then): the outcome does not depend
# on the machine's speed. The memory check is raised because the run is never let finish.
LONG_RUN = ["run", "scenarios/library/ungdomsteamet.yaml", "--reps", "20000", "--workers", "2",
            "--max-memory", "10000G", "--format", "json", "--lang", "en"]
FIRST_LINE_SECONDS = 600  # a bound for a machine under any load, not a speed requirement


def _is_progress(line: str) -> bool:
    """A heartbeat line of `model.progress` ('Ungdomsteamet: körningar och dragningar 880/20000,
    10 s har gått, …'), told by its count whatever the language of the words around it."""
    return re.search(r" \d+/20000, ", line) is not None


def _after_first_progress_line(proc: subprocess.Popen[str]) -> tuple[queue.Queue[str | None],
                                                                     list[str]]:
    """Read stderr until the run prints its first progress line (the run is then under way, its
    workers started); return the reader's queue and the lines read so far."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + FIRST_LINE_SECONDS
    while time.monotonic() < deadline:
        line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        assert line is not None, f"the run stopped before its first progress line: {seen}"
        seen.append(line)
        if _is_progress(line):
            return lines, seen
    raise AssertionError("no progress line")


def _rest(lines: queue.Queue[str | None], proc: subprocess.Popen[str]) -> list[str]:
    """The stderr lines after the signal, progress lines left out (the bar's last line may come
    as the run unwinds)."""
    proc.stdout.read() if proc.stdout else None  # type: ignore[func-returns-value]
    proc.wait(timeout=FIRST_LINE_SECONDS)
    out = []
    while (line := lines.get(timeout=FIRST_LINE_SECONDS)) is not None:
        out.append(line)
    return [x for x in out if not _is_progress(x)]


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores for a worker pool")
def test_ctrl_c_stops_a_run_in_one_line() -> None:
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) during a run on two
    workers, sent after its first progress line: exit 130, one line, no traceback from the pool,
    no worker left."""
    proc = _start(LONG_RUN)
    try:
        lines, _ = _after_first_progress_line(proc)
        workers = _descendants(proc.pid)
        assert len(workers) >= 2, workers
        os.killpg(proc.pid, signal.SIGINT)
        rest = _rest(lines, proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, rest
    assert rest == ["insats: interrupted\n"], rest
    time.sleep(0.5)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()]


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores for a worker pool")
def test_sigterm_stops_a_run_in_one_line() -> None:
    """SIGTERM to the main process, after the run's first progress line: exit 143, one line."""
    proc = _start(LONG_RUN)
    try:
        lines, _ = _after_first_progress_line(proc)
        proc.send_signal(signal.SIGTERM)
        rest = _rest(lines, proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 143, rest
    assert rest == ["insats: terminated\n"], rest


def test_report_escapes_scenario_text(tmp_path: Path) -> None:
    """A label, an intervention label and an exit-state label holding markup reach the HTML
    report as text: no element of theirs exists in the page."""
    raw = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    raw["label"] = "<script>alert('label')</script>"
    raw["interventions"][0]["label"] = "<img src=x onerror=alert(1)>"
    raw["exit_states"]["arbete"]["label"] = "<b onmouseover=alert(2)>arbete</b>"
    path = tmp_path / "markup.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = tmp_path / "r.html"
    result = invoke("report", path, "--reps", "2", "--quiet", "--out", out)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    for markup in ("<script>alert('label')", "<img src=x onerror", "<b onmouseover"):
        assert markup not in page
    assert "&lt;script&gt;alert(" in page


def test_csv_safe_covers_every_text_type() -> None:
    """Object, pandas string and categorical columns and the header are neutralised; numbers,
    missing values and the table passed in are left as they are."""
    from model.io import csv_safe

    df = pd.DataFrame({"a": ["=x", "ok", None], "b": pd.Categorical(["+1", "y", "+1"]),
                       "c": pd.array(["@s", "t", None], dtype="string"), "n": [-1.0, 2.0, 3.0],
                       "=h": [1, 2, 3]})
    safe = csv_safe(df)
    assert list(safe.columns) == ["a", "b", "c", "n", "'=h"]
    assert safe["a"].tolist()[:2] == ["'=x", "ok"] and pd.isna(safe["a"].iloc[2])
    assert safe["b"].tolist() == ["'+1", "y", "'+1"]
    assert safe["c"].tolist()[:2] == ["'@s", "t"] and pd.isna(safe["c"].iloc[2])
    assert safe["n"].tolist() == [-1.0, 2.0, 3.0]
    assert df["a"].iloc[0] == "=x" and list(df.columns)[-1] == "=h"


def test_stopping_a_pool_drops_only_python_3_11s_cancelled_future_race(monkeypatch) -> None:
    """CPython 3.11's pool manager thread can raise InvalidStateError while marking a future
    failed that `Executor.map` cancelled when a signal stopped its caller (gh-107219); CI once
    printed that traceback after "insats: terminated". `stop_pool` installs a thread hook that
    drops exactly that exception from exactly that thread, passes every other one to the hook in
    place before it (pytest's, here), and is installed once however many pools stop."""
    import threading
    from concurrent.futures import InvalidStateError, process

    from model.executors import process_pool, stop_pool

    seen: list[type] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: seen.append(args.exc_type))
    for _ in range(2):
        pool = process_pool(1)
        pool.submit(abs, -1).result()
        stop_pool(pool)
    hook = threading.excepthook
    assert getattr(hook, "quiet_cancelled_race", False)
    assert not getattr(hook.previous, "quiet_cancelled_race", False)  # wrapped once
    manager = object.__new__(process._ExecutorManagerThread)
    other = threading.Thread(target=abs)
    for exc, thread in ((InvalidStateError, manager), (ValueError, manager),
                        (InvalidStateError, other)):
        hook(threading.ExceptHookArgs([exc, exc(), None, thread]))
    assert seen == [ValueError, InvalidStateError]
