"""Leaving the `insats` process without Python's teardown.

Once a command is done and its output written, Python would free every object and module one by
one before the process ends: about 0,2 s after numpy, pandas and scipy are loaded, a tenth of
`make run`. The operating system reclaims a process's memory at once, so the console command
ends with `os._exit` instead, after doing what the teardown would do that anyone can see: the
`atexit` handlers run (multiprocessing, logging, temporary folders), and stdout and stderr are
flushed. Where that is not safe (another non-daemon thread still runs, a stream cannot be
flushed, a message rather than a code), it leaves through `sys.exit` as before.
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


def leave(code: int | str | None) -> None:
    """End the process with exit status `code` as `sys.exit(code)` does, skipping the freeing of
    objects when nothing else would be lost by it (see the module's docstring)."""
    if isinstance(code, str) or _others_running():
        sys.exit(code)
    atexit._run_exitfuncs()  # runs each handler once, then forgets them
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):  # a closed pipe or stream: Python's own exit reports it
        sys.exit(code)
    os._exit(code or 0)
