"""The console command ends without Python's teardown (`model.shutdown.leave`), and loses nothing
by it: the exit status, every line of output, the atexit handlers and another thread's work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    before = ("import threading, time\n"
              "def work():\n    time.sleep(1.0)\n"
              f"    open({str(mark)!r}, 'w').write('done')\n"
              "threading.Thread(target=work).start()")
    got = _main(["schema"], before=before)
    assert got.returncode == 0
    assert mark.read_text() == "done"


def test_a_message_as_exit_code_is_printed_as_python_does() -> None:
    code = ("import sys\nfrom model.shutdown import leave\nleave('insats: a message')\n")
    got = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert got.returncode == 1
    assert got.stderr.strip() == "insats: a message"
