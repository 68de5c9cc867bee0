"""How participants arrive (inflöde): a cohort, a stream, group intakes and an even spread.

They may be combined; pauses stop streams, groups and spreads for a while, and a cap bounds the
total. Months count from month 0, the start of the run.
"""

from __future__ import annotations

from pydantic import field_validator, model_validator

from model.numbers import Months, People, PerMonth, PosMonths, Prob
from model.scenario.base import Strict, shares_sum_to_one


class Cohort(Strict):
    """Everyone arrives at once (at `month`, default 0)."""

    n: People
    """How many arrive."""
    month: Months = 0.0
    """When they arrive. Default: 0, the start of the run."""


class Stream(Strict):
    """Poisson arrivals at `rate_per_month` between `start_month` and `end_month`."""

    rate_per_month: PerMonth
    """Mean arrivals a month (the number in a month is random: Poisson)."""
    start_month: Months = 0.0
    """First month of arrivals. Default: 0, the start of the run."""
    end_month: Months | None = None
    """No arrivals from this month on. Default: none, arrivals go on (give max_participants or
    simulation.horizon_months)."""


class Groups(Strict):
    """Group intakes (gruppintag): `size` people every `every_months` months."""

    size: People
    """People in each group."""
    every_months: PosMonths
    """Months between group intakes (0.5 = two a month)."""
    start_month: Months = 0.0
    """Month of the first group. Default: 0, the start of the run."""
    end_month: Months | None = None
    """No groups from this month on. Default: none (give max_participants or a horizon)."""


class Pause(Strict):
    """No stream, group or spread arrivals in [start_month, end_month)."""

    start_month: Months
    """First month of the pause."""
    end_month: Months
    """Arrivals resume at this month."""

    @model_validator(mode="after")
    def _order(self) -> Pause:
        if self.end_month <= self.start_month:
            raise ValueError("end_month must be after start_month")
        return self


class Spread(Strict):
    """Exactly `n` people spread evenly over `months` months from `start_month` (pauses skipped):
    a planner's "213 participants over 28 months", without the randomness of a stream."""

    n: People
    """How many arrive in all."""
    months: PosMonths
    """Over how many months (arrivals at the midpoints of n equal slices of the open months)."""
    start_month: Months = 0.0
    """Month the spread begins. Default: 0, the start of the run."""


class Intake(Strict):
    """How participants arrive; cohort, stream, groups and spread may be combined."""

    cohort: Cohort | None = None
    """Everyone at once."""
    stream: Stream | None = None
    """Random (Poisson) arrivals at a rate."""
    groups: Groups | None = None
    """Groups of a size at regular intervals."""
    spread: Spread | None = None
    """Exactly n people evenly over some months."""
    pauses: list[Pause] = []
    """Periods without stream, group or spread arrivals."""
    max_participants: People | None = None
    """A cap on the number who arrive; later arrivals are turned away. Default: no cap."""
    referral_sources: dict[str, Prob] = {"ej angiven": 1.0}
    """Who refers participants, with shares summing to 1 (a priority order may use them).
    Default: one unnamed source (assumption: scenarios name them where known)."""

    @field_validator("referral_sources")
    @classmethod
    def _referrals(cls, v: dict[str, float]) -> dict[str, float]:
        return shares_sum_to_one(v, "referral source shares")

    @model_validator(mode="after")
    def _some_arrivals(self) -> Intake:
        if all(x is None for x in (self.cohort, self.stream, self.groups, self.spread)):
            raise ValueError("intake needs at least one of: cohort, stream, groups, spread")
        if self.spread is not None and self._open_time() <= 0:
            raise ValueError("the pauses cover the whole spread: no month is left for arrivals")
        return self

    def is_unbounded(self) -> bool:
        """True when arrivals never stop (an open stream or group intake with no cap)."""
        open_ended = (self.stream is not None and self.stream.end_month is None) or (
            self.groups is not None and self.groups.end_month is None
        )
        return open_ended and self.max_participants is None

    def _open_windows(self) -> list[tuple[float, float]]:
        """The parts of the spread's window [start, start + months) outside every pause."""
        s = self.spread
        windows = [(s.start_month, s.start_month + s.months)]
        for p in sorted(self.pauses, key=lambda p: p.start_month):
            nxt = []
            for a, b in windows:
                if p.end_month <= a or p.start_month >= b:
                    nxt.append((a, b))
                    continue
                if p.start_month > a:
                    nxt.append((a, p.start_month))
                if p.end_month < b:
                    nxt.append((p.end_month, b))
            windows = nxt
        return windows

    def _open_time(self) -> float:
        return sum(b - a for a, b in self._open_windows())

    def spread_months(self) -> list[float]:
        """Arrival months of the spread: the midpoints of n equal slices of its open time."""
        if self.spread is None:
            return []
        windows = self._open_windows()
        step = self._open_time() / self.spread.n
        out, k = [], 0
        passed = 0.0  # open time before the current window
        for a, b in windows:
            while k < self.spread.n and (k + 0.5) * step < passed + (b - a):
                out.append(a + (k + 0.5) * step - passed)
                k += 1
            passed += b - a
        while k < self.spread.n:  # rounding at the very end: the last window's end
            out.append(windows[-1][1] - 0.5 * step)
            k += 1
        return out
