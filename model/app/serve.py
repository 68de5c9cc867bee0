"""`insats app`: serve the page in a Streamlit child process that stops with its parent.

A service manager or a test stops `insats app` with SIGTERM; `subprocess.call` then left the
Streamlit child serving the port. Here the parent waits for the child, and on Ctrl-C or SIGTERM
(raised as KeyboardInterrupt by the CLI) it stops the child first (SIGTERM, then SIGKILL after a
bounded wait) and only then lets the interrupt go on.
"""

from __future__ import annotations

import subprocess

STOP_SECONDS = 10.0  # how long the child gets to stop after SIGTERM before it is killed


def stop(child: subprocess.Popen, wait: float = STOP_SECONDS) -> None:
    """Stop a child process: SIGTERM, and SIGKILL if it has not ended within `wait` seconds."""
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait(timeout=wait)


def serve(port: int) -> int:
    """Run the page on 127.0.0.1:`port` until it ends (its exit code) or the parent is stopped."""
    from model.app.compute import page_command

    child = subprocess.Popen(page_command(port))
    try:
        return child.wait()
    finally:
        stop(child)
