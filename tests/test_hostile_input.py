"""Hostile and unusual input (issue 12): files that are not files, files that are too big, input
parsed once, unreadable files, sizes that only multiply out, strictness and printed text.

The malformed scenarios themselves are in bad_scenarios/ (checked by test_validation.py); these
tests need a file made at test time, a command other than `validate`, or a look at the output.
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "base_scenario.yaml"
runner = CliRunner()


def insats(*args: str | Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`insats ARGS` in a fresh process (so a hang is a timeout, not a stuck test run)."""
    return subprocess.run([sys.executable, "-c", "from cli import main; main()", *map(str, args)],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)


def clean_exit(proc: subprocess.CompletedProcess[str], code: int) -> str:
    """The process ended with `code` through insats's own exit, no traceback; returns stderr."""
    out = proc.stdout + proc.stderr
    assert proc.returncode == code, out
    assert "Traceback" not in out
    return proc.stderr


def scenario(tmp: Path, file: str = "s.yaml", **changes: object) -> Path:
    raw = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    raw.update(changes)
    path = tmp / file
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


# ---------------------------------------------------------------- item 3: not a file, too big


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """A named pipe given as a scenario is refused at once (it used to block for ever)."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    err = clean_exit(insats("validate", fifo, timeout=30), 2)
    assert f"{fifo}: is not a regular file" in err


def test_endless_device_is_refused() -> None:
    """/dev/zero never ends: refused before a byte is read (it used to read gigabytes)."""
    err = clean_exit(insats("run", "/dev/zero", "--lang", "en", timeout=30), 2)
    assert "/dev/zero: is not a regular file" in err


def test_file_above_the_size_cap_is_refused(tmp_path: Path) -> None:
    """A file larger than 64 MB is refused unread (a sparse file: no disk is used)."""
    from model.scenario.load import MAX_FILE_BYTES

    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)
    err = clean_exit(insats("validate", big, timeout=30), 2)
    assert f"{big}: is larger than 64 MB" in err


# ---------------------------------------------------------------- item 4: parse once, fast


def _validate_counting_parses(monkeypatch, path: Path) -> tuple[object, list[str]]:
    """`insats validate path` in this process, and one entry per parse of YAML text (compose,
    or constructing from text) over every loader PyYAML offers, whatever loader insats uses."""
    calls: list[str] = []
    for cls in {yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)}:
        real = cls.get_single_node

        def counting(self, _real=real):
            calls.append("x")
            return _real(self)

        monkeypatch.setattr(cls, "get_single_node", counting)
    from model.scenario import load as load_module

    load_module._CACHE.clear()
    return runner.invoke(app, ["validate", str(path)]), calls


def test_each_file_is_parsed_once_per_command(tmp_path: Path, monkeypatch) -> None:
    """`validate` on a scenario, a scenario with a reference and a sweep parses each file once.

    The count is of parses of the YAML text (compose, or constructing from text), over every
    loader PyYAML offers, so it holds whatever loader insats uses; main parsed each file 2-4 times.
    """
    a = scenario(tmp_path, "a.yaml")
    scenario(tmp_path, "b.yaml", name="b", counterfactual={"reference": "a.yaml",
                                                             "monthly_hazard": 0.01})
    (tmp_path / "sweep.yaml").write_text(
        "name: w\nscenarios: [a.yaml]\nparameters:\n  - {path: valuation.value_per_year, "
        "low: 1, high: 2}\ndesign: {kind: oneway}\n", encoding="utf-8")
    result, calls = _validate_counting_parses(monkeypatch, tmp_path)
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok") == 3
    assert len(calls) == 3, f"{len(calls)} parses of 3 files"
    assert a.exists()


def test_a_large_file_of_comments_validates_parsed_once_by_libyaml(tmp_path: Path,
                                                                   monkeypatch) -> None:
    """A 20 MB valid scenario (mostly comments) validates, parsed once, by libyaml's C parser
    where PyYAML has it (the PyPI wheels do).

    Main took 117 s for 50 MB because the pure-Python loader parsed it four times; parsing once
    with libyaml takes about 1 s here. What made it slow is checked (the parser and the number of
    parses), not the time, which is the machine's (speed is measured in benchmarks/, never in a
    test). The command itself runs too, with a hang guard of 120 s.
    """
    from model.scenario.load import StrictLoader

    line = "# " + "x" * 78 + "\n"
    big = tmp_path / "big.yaml"
    big.write_text(BASE.read_text(encoding="utf-8") + line * (20 * 1024 * 1024 // len(line)),
                   encoding="utf-8")
    if yaml.__with_libyaml__:
        assert issubclass(StrictLoader, yaml.CSafeLoader)
    result, calls = _validate_counting_parses(monkeypatch, big)
    assert result.exit_code == 0, result.output
    assert calls == ["x"]
    clean_exit(insats("validate", big, timeout=120), 0)


# ---------------------------------------------------------------- item 5: unreadable input


@pytest.fixture
def unreadable(monkeypatch):
    """Make files unreadable: mode 000 and, as root (whom modes do not stop), every open fails."""
    blocked: set[str] = set()
    real_os_open, real_open = os.open, builtins.open

    def os_open(path, *args, **kwargs):
        if os.path.abspath(os.fsdecode(path)) in blocked:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
        return real_os_open(path, *args, **kwargs)

    def py_open(file, *args, **kwargs):
        if isinstance(file, str | bytes | os.PathLike) and \
                os.path.abspath(os.fsdecode(file)) in blocked:
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(file))
        return real_open(file, *args, **kwargs)

    if os.geteuid() == 0:
        monkeypatch.setattr(os, "open", os_open)
        monkeypatch.setattr(builtins, "open", py_open)
        monkeypatch.setattr(io, "open", py_open)

    def block(path: Path) -> Path:
        path.chmod(0)
        blocked.add(os.path.abspath(path))
        return path

    return block


@pytest.mark.parametrize("command", ["validate", "compare", "report"])
def test_unreadable_file_in_a_folder(tmp_path: Path, unreadable, command: str) -> None:
    """A folder holding an unreadable scenario: a one-line problem naming it, exit 2."""
    folder = tmp_path / "in"
    folder.mkdir()
    scenario(folder, "a.yaml")
    bad = unreadable(scenario(folder, "b.yaml", name="b"))
    args = {"validate": [], "compare": ["--quiet"],
            "report": ["--out", str(tmp_path / "r.html"), "--quiet"]}[command]
    lang = [] if command == "validate" else ["--lang", "en"]
    result = runner.invoke(app, [command, str(folder), *args, *lang])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{bad}: cannot open: Permission denied" in result.stderr
    assert "Traceback" not in result.output


def test_lone_surrogate_in_a_file_name_is_printed(tmp_path: Path) -> None:
    """A valid scenario whose file name is not UTF-8 (a lone surrogate in Python) validates and
    its name prints with U+FFFD; printing it raised UnicodeEncodeError."""
    name = os.fsencode(tmp_path) + b"/caf\xe9.yaml"
    fd = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, BASE.read_bytes())
    os.close(fd)
    proc = subprocess.run([sys.executable, "-c", "from cli import main; main()", "validate", name],
                          cwd=ROOT, capture_output=True, timeout=60, check=False)
    out = proc.stdout.decode("utf-8") + proc.stderr.decode("utf-8")
    assert proc.returncode == 0, out
    assert "Traceback" not in out
    assert "caf\ufffd.yaml: ok" in out


# ---------------------------------------------------------------- item 2: sizes and options


def test_reps_beyond_the_bound_are_refused() -> None:
    """--reps 1000000000 is refused at once (all replications would be held in memory)."""
    proc = insats("run", BASE, "--reps", "1000000000", "--quiet", timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "less than or equal to 100000" in " ".join(proc.stderr.replace("│", " ").split())


def test_max_memory_refuses_and_raises_the_limit(tmp_path: Path) -> None:
    """A run above --max-memory is refused with the estimate (exit 2); the default lets it run."""
    low = runner.invoke(app, ["run", str(BASE), "--reps", "5", "--quiet", "--max-memory", "1M",
                                "--lang", "en"])
    assert low.exit_code == 2, low.output
    assert "would need about" in low.stderr and "the limit is 1 MB" in low.stderr
    assert "--max-memory" in low.stderr
    ok = runner.invoke(app, ["run", str(BASE), "--reps", "5", "--quiet", "--format", "json"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["run", str(BASE), "--max-memory", "lots", "--lang", "en"])
    assert bad.exit_code == 2 and "--max-memory: not a memory size" in bad.stderr


def test_a_long_run_is_announced(monkeypatch) -> None:
    """When the estimate is above the long-run threshold, a note says so before the run starts."""
    import model.limits as limits

    monkeypatch.setattr(limits, "LONG_RUN_SECONDS", 0.0)
    result = runner.invoke(app, ["run", str(BASE), "--reps", "2", "--quiet", "--format", "json",
                                 "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert result.stderr.startswith("insats: note: this run will take about ")
    assert "Ctrl-C stops it" in result.stderr


def test_estimate_matches_the_simulation() -> None:
    """The size estimate's participants and visits per replication are those the engine makes.

    Seed 20140227, 200 replications of the test scenario (100 people, a visit to a then to b with
    probability 0.5 less early exits): the expected visits come from exact mode, so the simulated
    mean must agree within 4 standard errors of that mean (the project's tolerance for engine
    against exact checks); people are exact.
    """
    import numpy as np

    from model.limits import estimate
    from model.load import load_scenario
    from model.simulation import simulate

    sc = load_scenario(BASE)
    size = estimate(sc, 200)
    run = simulate(sc, replications=200, seed=20140227)
    per_rep = run.visits.groupby("rep").size().to_numpy(dtype=float)
    assert size.people == 100 and (run.participants.groupby("rep").size() == 100).all()
    se = per_rep.std(ddof=1) / np.sqrt(len(per_rep))
    assert abs(per_rep.mean() - size.visits) < 4 * se


def test_memory_size_parsing() -> None:
    """--max-memory takes sizes as people write them; anything else is a ValueError."""
    from model.limits import parse_memory

    assert parse_memory("16G") == 16 * 1024**3
    assert parse_memory("512m") == 512 * 1024**2
    assert parse_memory("1.5GB") == 1.5 * 1024**3
    for bad in ("", "-1G", "0", "16X", "G"):
        with pytest.raises(ValueError):
            parse_memory(bad)


# ---------------------------------------------------------------- item 13: printed text


def test_terminal_escapes_are_not_printed(tmp_path: Path) -> None:
    """A label with escape sequences (clear screen, window title, a hidden link) prints without
    them, in `validate`, in a run's tables and in CSV output."""
    path = tmp_path / "esc.yaml"
    text = BASE.read_text(encoding="utf-8").replace(
        "name: test", 'name: test\nlabel: "Insats\\e[2J\\e]0;pwned\\a\\e]8;;http://x\\e\\\\ ok\\x9b1m"')
    path.write_text(text, encoding="utf-8")
    for args in (["validate", str(path)], ["run", str(path), "--reps", "2", "--quiet"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "\x9b" not in result.output
        assert "Insats ok" in result.output


def test_printable_keeps_text_and_drops_controls() -> None:
    """Only controls go: letters, Swedish included, newlines and tabs stay."""
    from model.terminal import printable

    assert printable("Återgång\ttill arbete\n") == "Återgång\ttill arbete\n"
    assert printable("a\x1b[31mb\x1b[0m\x00c\x7f\r") == "abc"
    assert printable("x\ud800y") == "x\ufffdy"


# ---------------------------------------------------------------- item 1: values never shown whole


def test_problem_values_are_shown_short() -> None:
    """A problem whose value is an alias-bomb-like structure (9^12 strings when expanded, shared
    in memory) renders at once and short; rendering it with repr() never finished."""
    code = (
        "from model.errors import Problem\n"
        "x = ['lol'] * 9\n"
        "for _ in range(11):\n"
        "    x = [x] * 9\n"
        "text = Problem('f.yaml', 'label', 'expected text', x).render()\n"
        "assert len(text) < 200, len(text)\n"
        "print(text)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          timeout=30, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("f.yaml: label: expected text (got [[[")


def test_pure_python_loader_refuses_what_libyaml_refuses() -> None:
    """Where PyYAML has no libyaml, the tree check still refuses a lone surrogate and deep
    nesting (libyaml rejects both while parsing)."""
    from model.errors import InputError
    from model.scenario.load import MAX_DEPTH, check_tree

    surrogate = yaml.compose('label: "\\ud800"', Loader=yaml.SafeLoader)
    with pytest.raises(InputError, match="lone surrogate"):
        check_tree(surrogate, "f.yaml")
    deep = yaml.compose("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),
                        Loader=yaml.SafeLoader)
    with pytest.raises(InputError, match="nested too deeply"):
        check_tree(deep, "f.yaml")
    check_tree(yaml.compose("a: " + "[" * 10 + "]" * 10, Loader=yaml.SafeLoader), "f.yaml")


def test_values_option_that_is_not_numbers() -> None:
    """`analyse --values abc` is a problem with the option named, not a ValueError traceback."""
    result = runner.invoke(app, ["analyse", "/nonexistent", "--values", "2e5,abc", "--lang", "en"])
    assert result.exit_code == 2, result.output
    assert "--values: expected numbers separated by commas" in result.stderr


def test_scheduler_that_is_not_an_address(tmp_path: Path) -> None:
    """`--scheduler garbage` is a problem naming the option, not a ValueError traceback."""
    proc = insats("sweep", ROOT / "scenarios/sweeps/framgangen_tornado.yaml", "--out",
                  tmp_path / "o", "--scheduler", "garbage", "--quiet", "--lang", "en", timeout=120)
    err = clean_exit(proc, 2)
    assert "--scheduler: cannot reach the Dask scheduler" in err
    assert not (tmp_path / "o" / "sweep.json").exists()  # nothing written: a rerun needs no --resume


@pytest.mark.parametrize("command", ["compare", "run"])
def test_refusals_with_workers_started_before_reading_exit_cleanly(tmp_path: Path,
                                                                   command: str) -> None:
    """With --workers 2 the pool starts before the files are read (`answer_workers`): a file that
    cannot be read, or a run above --max-memory, still exits 2 with its one message, no traceback
    and no worker left waiting (a fresh process, so a hang would be a timeout)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.read_text(encoding="utf-8").replace("name: test", "name: [test"),
                   encoding="utf-8")
    files = [BASE, bad] if command == "compare" else [bad]
    err = clean_exit(insats(command, *files, "--workers", "2", "--quiet", "--lang", "en"), 2)
    assert "bad.yaml" in err and "YAML syntax error" in err, err
    other = tmp_path / "other.yaml"
    other.write_text(BASE.read_text(encoding="utf-8").replace("name: test", "name: other"),
                     encoding="utf-8")
    files = [BASE, other] if command == "compare" else [BASE]
    err = clean_exit(insats(command, *files, "--workers", "2", "--reps", "4", "--quiet",
                            "--max-memory", "1M", "--lang", "en"), 2)
    assert "would need about" in err and "the limit is 1 MB" in err, err
