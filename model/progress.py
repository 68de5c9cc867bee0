"""Progress bars with an ETA on stderr (rich, which Typer already brings); silent with --quiet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Tick = Callable[[int], None]


def _noop(n: int = 1) -> None:
    return None


def _plain(description: str) -> str:
    """A label from a scenario as plain text: no terminal escapes, no rich markup ([red] ...)."""
    from rich.markup import escape

    from model.terminal import printable

    return escape(printable(description))


@contextmanager
def progress(total: int, description: str, quiet: bool = False) -> Iterator[Tick]:
    """Yield a function that advances the bar by n steps; does nothing when quiet."""
    if quiet or total <= 0:
        yield _noop
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
def activity(description: str, unit: str, quiet: bool = False) -> Iterator[Tick]:
    """A spinner with a running count and elapsed time, for work of unknown length (searches)."""
    if quiet:
        yield _noop
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                   TextColumn("{task.completed:.0f} " + unit), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    with bar:
        task = bar.add_task(_plain(description), total=None)
        yield lambda n=1: bar.advance(task, n)
