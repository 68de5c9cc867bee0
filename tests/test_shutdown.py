"""The console command ends without Python's teardown (`model.shutdown.leave`), and loses nothing
by it: the exit status, every line of output, the atexit handlers and another thread's work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parents[1]


def _main(argv: list[str], before: str = "", timeout: float = 120) -> subprocess.CompletedProcess:
    """`cli.main()` (what the console script `insats` calls) in a fresh interpreter, with some
    code run first in that process."""
    code = (f"import sys\n{before}\nsys.argv = ['insats', *{argv!r}]\n"
            "from cli import main\nmain()\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout buffered
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_the_exit_status_is_the_commands() -> None:
    ok = _main(["schema"])
    bad = _main(["validate", "no/such/file.yaml"])
    assert ok.returncode == 0 and ok.stdout.strip()
    assert bad.returncode == 2
    assert "file not found" in bad.stderr


def _status(call: str, code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    text = f"import sys\nfrom model.shutdown import leave\nprint('out')\n{call}({code})\n"
    return subprocess.run([sys.executable, "-c", text], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env=env)


@pytest.mark.parametrize("code", ["None", "0", "1", "2", "130", "143", "True", "False", "-1",
                                  "256", "'insats: a message'", "1.5"])
def test_the_exit_status_is_sys_exits(code: str) -> None:
    """`leave(code)` ends with the status and output `sys.exit(code)` gives, for every kind of
    code: numbers, None, booleans, a message (printed) and other objects (printed as text)."""
    fast, ordinary = _status("leave", code), _status("sys.exit", code)
    assert (fast.returncode, fast.stdout, fast.stderr) == \
        (ordinary.returncode, ordinary.stdout, ordinary.stderr)


def test_the_teardown_is_skipped() -> None:
    """The fast exit is taken: a `__del__` that only the teardown runs does not run (it does with
    `sys.exit`, so the test can tell the two apart)."""
    before = ("import os\nclass Held:\n"
              "    def __del__(self, write=os.write):\n        write(1, b'torn down\\n')\n"
              "kept = Held()")
    fast = _main(["schema"], before=before)
    code = (f"{before}\nimport sys\nsys.exit(0)\n")
    ordinary = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
    assert fast.returncode == 0 and "torn down" not in fast.stdout
    assert "torn down" in ordinary.stdout


def test_every_line_of_a_long_output_arrives_through_a_pipe() -> None:
    """stdout is a pipe (block-buffered): what is still in Python's buffer when the command ends
    must be flushed before the process ends (the app flushes its own lines; a line printed
    without a flush stays in the buffer until then)."""
    unflushed = _main(["validate", "no/such/file.yaml"], before="print('still in the buffer')")
    assert unflushed.stdout == "still in the buffer\n"
    got = _main(["schema"])
    want = CliRunner().invoke(app, ["schema"]).output  # the same schema, printed in this process
    assert len(want) > 8192  # longer than one buffer
    assert got.stdout == want


def test_atexit_handlers_still_run_once() -> None:
    got = _main(["validate", "no/such/file.yaml"],
                before="import atexit\natexit.register(lambda: print('handler ran', flush=True))")
    assert got.returncode == 2
    assert got.stdout.count("handler ran") == 1


def test_a_running_thread_is_waited_for(tmp_path: Path) -> None:
    """A non-daemon thread still working when the command ends: the process leaves as Python
    does, after the thread has finished (its file is written)."""
    mark = tmp_path / "done.txt"
    before = ("import threading\n"  # the thread writes only after the main thread has finished
              "def work():\n    threading.main_thread().join()\n"
              f"    open({str(mark)!r}, 'w').write('done')\n"
              "threading.Thread(target=work).start()")
    got = _main(["schema"], before=before)
    assert got.returncode == 0
    assert mark.read_text() == "done"
