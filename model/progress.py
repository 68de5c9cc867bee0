"""Progress on stderr, silent with --quiet: a bar with an ETA in a terminal (rich, which Typer
already brings), and in a log a plain line at most every 10 s (a heartbeat for batch jobs).

When stderr is not a terminal (a SLURM job, a pipe), a bar would be invisible or garbled, so
`progress` prints lines such as `sweep psa: points 12/40, 2 m 10 s elapsed, 1 m 05 s left`: one
when 10 s have passed since the last (also while one long step runs, from a small timer thread),
and a last one when done if any was printed. A job shorter than 10 s prints nothing.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

Tick = Callable[[int], None]
HEARTBEAT_SECONDS = 10.0  # the most often a plain progress line is printed
# the words of a progress line (Swedish, English): "10 s har gått, 7 s kvar" / "10 s elapsed, 7 s left"
LINE_WORDS = {"sv": ("har gått", "kvar", "klart"), "en": ("elapsed", "left", "done")}


def _noop(n: int = 1) -> None:
    return None


def duration_text(seconds: float) -> str:
    """A duration people read in a log: "45 s", "1 m 05 s", "2 h 03 m"."""
    s = max(0, math.floor(seconds + 0.5))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} m {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} m"


class Heartbeat:
    """Plain progress lines for logs, at most one every `every` seconds of `clock`.

    `advance(n)` counts finished steps and prints when due; `beat()` prints when due even if
    nothing finished (the timer thread calls it); `close()` prints the final line if any line was
    printed before. With `total` None the work has no known length (a search): the line counts
    steps and elapsed time, without an estimate of what is left.
    """

    def __init__(self, total: int | None, description: str, unit: str = "",
                 stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic,
                 every: float = HEARTBEAT_SECONDS, lang: str = "en") -> None:
        self.total, self.description, self.unit = total, description, unit
        self.words = LINE_WORDS.get(lang, LINE_WORDS["en"])
        self.stream = stream if stream is not None else sys.stderr
        self.clock, self.every = clock, every
        self.start = self.last = clock()
        self.done = 0
        self.printed = 0
        self.shown = -1  # the count in the last line printed
        self._lock = threading.Lock()

    def line(self) -> str:
        """The progress line as it stands now."""
        elapsed = self.clock() - self.start
        count = f"{self.done}/{self.total}" if self.total is not None else f"{self.done}"
        count = f"{self.unit} {count}" if self.unit and self.total is not None else (
            f"{count} {self.unit}".rstrip())
        elapsed_word, left_word, done_word = self.words
        text = f"{self.description}: {count}, {duration_text(elapsed)} {elapsed_word}"
        if self.total is not None and self.done >= self.total:
            return f"{text}, {done_word}"
        if self.total is not None and self.done > 0:
            left = elapsed / self.done * (self.total - self.done)
            text += f", {duration_text(left)} {left_word}"
        return text

    def _print(self) -> None:
        self.stream.write(self.line() + "\n")
        self.stream.flush()
        self.printed += 1
        self.last = self.clock()
        self.shown = self.done

    def beat(self) -> None:
        """Print the line if `every` seconds have passed since the last one (or the start)."""
        with self._lock:
            if self.clock() - self.last >= self.every:
                self._print()

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
        self.beat()

    def close(self) -> None:
        """The last line, when the job was long enough to print any (and it is not shown yet)."""
        with self._lock:
            if self.printed and self.shown != self.done:
                self._print()


def _plain(description: str) -> str:
    """A label from a scenario as plain text: no terminal escapes, no rich markup ([red] ...)."""
    from rich.markup import escape

    from model.terminal import printable

    return escape(printable(description))


@contextmanager
def heartbeat(total: int | None, description: str, unit: str = "", stream: TextIO | None = None,
              clock: Callable[[], float] = time.monotonic, every: float = HEARTBEAT_SECONDS,
              timer: bool = True, lang: str = "en") -> Iterator[Heartbeat]:
    """A `Heartbeat`, with a daemon thread calling `beat()` so that a long step still shows."""
    hb = Heartbeat(total, description, unit, stream, clock, every, lang)
    stop = threading.Event()
    thread = None
    if timer and every > 0:  # (every 0: each step prints, nothing to wait for)
        def run() -> None:
            while not stop.wait(min(1.0, every)):
                hb.beat()

        thread = threading.Thread(target=run, name="insats-heartbeat", daemon=True)
        thread.start()
    try:
        yield hb
    finally:
        stop.set()
        if thread is not None:
            thread.join()
        hb.close()


def _terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


@contextmanager
def progress(total: int, description: str, quiet: bool = False, unit: str = "",
             lang: str = "en") -> Iterator[Tick]:
    """Yield a function that advances by n steps: a bar in a terminal, heartbeat lines in a log
    (in `lang`), nothing when quiet. `unit` names the steps in the log lines ("points")."""
    if quiet or total <= 0:
        yield _noop
        return
    if not _terminal(sys.stderr):
        with heartbeat(total, description, unit, every=HEARTBEAT_SECONDS, lang=lang) as hb:
            yield hb.advance
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    with bar:
        task = bar.add_task(_plain(description), total=total)
        yield lambda n=1: bar.advance(task, n)


@contextmanager
def activity(description: str, unit: str, quiet: bool = False, lang: str = "en") -> Iterator[Tick]:
    """A spinner with a running count and elapsed time, for work of unknown length (searches);
    heartbeat lines in a log (in `lang`)."""
    if quiet:
        yield _noop
        return
    if not _terminal(sys.stderr):
        with heartbeat(None, description, unit, every=HEARTBEAT_SECONDS, lang=lang) as hb:
            yield hb.advance
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                   TextColumn("{task.completed:.0f} " + unit), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    with bar:
        task = bar.add_task(_plain(description), total=None)
        yield lambda n=1: bar.advance(task, n)
