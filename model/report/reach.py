"""Break-even figures that cannot be reached: words, never numbers.

A break-even work share above 100 %, or a number of exits to work (or extra jobs) above the
participants, cannot happen: the programme does not pay back within that view however many reach
work. Such a figure is shown as "ej nåbart inom 1 år" / "not reachable within 1 year" in every
output (terminal, exact mode, CSV/JSON as null with a reason, HTML, Excel), and an interval is
clipped to what is reachable and says so. This module is the one place that decides it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from model.report.text import in_lang, view_text

SHARE = "breakeven_work_share"
COUNTS = ("breakeven_work_exits", "breakeven_extra_jobs")
EPS = 1e-9


def is_breakeven(metric: str) -> bool:
    return metric.partition(":")[0] in (SHARE, *COUNTS)


def ceiling(metric: str, participants: float) -> float:
    """The most that can be reached: 100 % for a share, the participants for a count."""
    base = metric.partition(":")[0]
    if base == SHARE:
        return 1.0
    if base in COUNTS:
        return participants
    return math.inf


def unreachable(metric: str, value: float, participants: float) -> bool:
    """A break-even figure above what can be reached (a share above 1, a count above N)."""
    if value is None or not is_breakeven(metric) or math.isnan(value):
        return False
    return value > ceiling(metric, participants) * (1 + EPS) + EPS


def unreachable_text(metric: str, lang: str = "sv", horizon_years: float | None = None) -> str:
    """'ej nåbart inom 1 år' / 'not reachable within 1 year' (the metric's view)."""
    view = metric.partition(":")[2] or (f"{horizon_years:g}y" if horizon_years is not None else "")
    if not view:
        return in_lang(lang, "ej nåbart", "not reachable")
    return in_lang(lang, f"ej nåbart inom {view_text(view, 'sv')}",
                   f"not reachable within {view_text(view, 'en')}")


def clip_text(lang: str = "sv") -> str:
    return in_lang(lang, "övre gränsen klippt till det nåbara", "upper end clipped to what is reachable")


def clipped(metric: str, lo: float, hi: float, participants: float) -> tuple[float, float, bool]:
    """(lo, hi) clipped to what can be reached, and whether the upper end was clipped."""
    top = ceiling(metric, participants)
    if math.isnan(hi) or hi <= top * (1 + EPS) + EPS:
        return lo, hi, False
    return min(lo, top), top, True


def figure(metric: str, value: float, participants: float, show: Callable[[float], str],
           lang: str = "sv", horizon_years: float | None = None) -> str:
    """A figure as text: the words when it cannot be reached, else `show(value)`."""
    if unreachable(metric, value, participants):
        return unreachable_text(metric, lang, horizon_years)
    return show(value)


def interval(metric: str, lo: float, hi: float, participants: float,
             show: Callable[[float, float], str], lang: str = "sv",
             horizon_years: float | None = None) -> str:
    """An interval as text, clipped to what can be reached (and saying so); the words when even
    its lower end cannot be reached."""
    if unreachable(metric, lo, participants):
        return unreachable_text(metric, lang, horizon_years)
    lo, hi, cut = clipped(metric, lo, hi, participants)
    text = show(lo, hi)
    return f"{text} ({clip_text(lang)})" if cut else text


def record(metric: str, mean: float, lo: float, hi: float, participants: float, lang: str = "sv",
           horizon_years: float | None = None) -> tuple[float | None, float | None, float | None, str]:
    """(mean, lo, hi, reason) for a CSV/JSON row: None where unreachable, the interval clipped;
    the reason says which (empty when nothing was changed)."""
    if not is_breakeven(metric):
        return mean, lo, hi, ""
    reasons = []
    if unreachable(metric, mean, participants):
        mean = None
        reasons.append(unreachable_text(metric, lang, horizon_years))
    if unreachable(metric, lo, participants):
        lo = hi = None
        if not reasons:
            reasons.append(unreachable_text(metric, lang, horizon_years))
    else:
        lo, hi, cut = clipped(metric, lo, hi, participants)
        if cut:
            reasons.append(clip_text(lang))
    return mean, lo, hi, "; ".join(reasons)
