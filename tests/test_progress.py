"""Batch-friendly progress: in a log (stderr not a terminal) a plain line at most every 10 s.

A fake clock drives `Heartbeat`, so the tests know exactly when lines are due.
"""

from __future__ import annotations

import io
import re

import pytest

from model import progress as pg


class Clock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _heartbeat(total: int | None = 40, unit: str = "points") -> tuple[pg.Heartbeat, Clock, io.StringIO]:
    clock, out = Clock(), io.StringIO()
    return pg.Heartbeat(total, "sweep psa", unit, out, clock, every=10.0), clock, out


@pytest.mark.parametrize(("seconds", "text"), [(0, "0 s"), (44.2, "44 s"), (65, "1 m 05 s"),
                                               (3599, "59 m 59 s"), (3599.5, "1 h 00 m"),
                                               (7380, "2 h 03 m")])
def test_duration_text(seconds: float, text: str) -> None:
    assert pg.duration_text(seconds) == text


def test_line_with_the_estimate_of_what_is_left() -> None:
    """24 of 40 points in 97.5 s: 16 left at 97.5/24 s each = 65 s."""
    hb, clock, out = _heartbeat()
    clock.t = 97.5
    hb.advance(24)
    assert out.getvalue() == "sweep psa: points 24/40, 1 m 38 s elapsed, 1 m 05 s left\n"


def test_at_most_one_line_every_ten_seconds() -> None:
    """A step every half second for 100 s: lines at 10, 20, ... s, never closer than 10 s."""
    hb, clock, out = _heartbeat(total=200)
    times = []
    for k in range(1, 201):
        clock.t = 0.5 * k
        before = out.getvalue().count("\n")
        hb.advance()
        if out.getvalue().count("\n") > before:
            times.append(clock.t)
    assert times == [10.0 * k for k in range(1, 11)]
    hb.close()
    assert out.getvalue().splitlines()[-1] == "sweep psa: points 200/200, 1 m 40 s elapsed, done"


def test_a_long_step_still_shows_a_heartbeat() -> None:
    """Nothing finishes for 25 s: beat() (the timer thread's call) prints at 10 s and at 20 s."""
    hb, clock, out = _heartbeat()
    for t in range(1, 26):
        clock.t = float(t)
        hb.beat()
    assert out.getvalue().splitlines() == ["sweep psa: points 0/40, 10 s elapsed",
                                           "sweep psa: points 0/40, 20 s elapsed"]


def test_a_short_job_prints_nothing() -> None:
    hb, clock, out = _heartbeat()
    for k in range(40):
        clock.t = 0.2 * k
        hb.advance()
    hb.close()
    assert out.getvalue() == ""


def test_work_of_unknown_length_counts_steps() -> None:
    hb, clock, out = _heartbeat(total=None, unit="model runs")
    clock.t = 12.0
    hb.advance(3)
    assert out.getvalue() == "sweep psa: 3 model runs, 12 s elapsed\n"


def test_progress_in_a_log_uses_plain_lines(monkeypatch) -> None:
    """stderr that is not a terminal gets heartbeat lines, not a bar (here every 0 s)."""
    log = io.StringIO()
    monkeypatch.setattr("sys.stderr", log)
    monkeypatch.setattr(pg, "HEARTBEAT_SECONDS", 0.0)
    with pg.progress(3, "Simulerar", unit="körningar") as tick:
        for _ in range(3):
            tick(1)
    lines = log.getvalue().splitlines()
    assert lines and all(re.fullmatch(r"Simulerar: körningar \d/3, \d+ s elapsed(, .*)?", x)
                         for x in lines)
    assert len(lines) == 3 and lines[-1] == "Simulerar: körningar 3/3, 0 s elapsed, done"
    log.truncate(0)
    with pg.progress(3, "tyst", quiet=True) as tick:
        tick(3)
    assert log.getvalue() == ""
