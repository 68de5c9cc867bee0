"""Leaving the `insats` process without Python's teardown.

Once a command is done and its output written, Python would free every object and module one by
one before the process ends: 0.1–0.25 s after numpy, pandas and scipy are loaded (0.12 s of
`make run`'s job, measured). The operating system reclaims a process's memory at once, so the
console command ends with `os._exit` instead, after doing what the teardown would do that anyone
can see: the `atexit` handlers run (multiprocessing, logging, temporary folders), and stdout and
stderr are flushed. Where that is not safe (another non-daemon thread still runs, a stream cannot
be flushed, an exit code that is not a number), it leaves through `sys.exit` as before.

What the fast exit skips, on purpose: finalizers not registered with atexit (`__del__`, a
`weakref.finalize(..., atexit=False)`), the `finally` blocks of suspended generators, and C++
static destructors (whose join of a pyarrow thread could abort the process at exit,
apache/arrow#34314). Every file insats writes is written whole and closed before the command
returns (`model.io`), so none of these holds output.
"""

from __future__ import annotations

import atexit
import os
import sys
import threading


def _others_running() -> bool:
    """Whether a thread the interpreter would wait for at exit is still alive."""
    main = threading.main_thread()
    return any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate())


def leave(code: object = None) -> None:
    """End the process with exit status `code` as `sys.exit(code)` does, skipping the freeing of
    objects when nothing else would be lost by it (see the module's docstring)."""
    if not (code is None or isinstance(code, int)) or _others_running():
        sys.exit(code)
    atexit._run_exitfuncs()  # runs each handler once, then forgets them
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a closed pipe or stream: Python's own exit reports it
        sys.exit(code)
    except KeyboardInterrupt:  # Ctrl-C in the last moment: the status of an interrupted run
        os._exit(130)
    os._exit(int(code or 0) & 0xFF)
