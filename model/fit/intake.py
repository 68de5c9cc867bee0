"""The intake seen in the records: group intakes (or one cohort) where entries cluster on a date,
a Poisson stream for the rest, and pauses (runs of calendar months without any entry that the
fitted intake makes unlikely by chance).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np

CLUSTER_MIN = 4          # assumption: a group intake has at least four entries on one date ...
CLUSTER_P = 0.05         # ... and more than a stream at the records' daily rate puts on any one
#                          date of the period with probability 5 %
PAUSE_P = 0.05           # a run of empty months is a pause when no entry in it has p < 5 %
#                          (Bonferroni-corrected over the runs of empty months in the period)


@dataclass
class IntakeFit:
    """What the records say about arrivals, in months from month 0."""

    cohort: tuple[int, float] | None = None              # (n, month)
    # size, every_months, start_month, end_month, n_groups
    groups: dict[str, float] | None = None
    stream: dict[str, float | None] | None = None        # rate_per_month, start_month, end_month, n
    pauses: list[tuple[int, int]] = field(default_factory=list)
    ongoing: bool = False                                # the stream still ran at the data date

    @property
    def open_months(self) -> float:
        """Months the stream was open (its period less its pauses)."""
        s = self.stream
        if not s:
            return 0.0
        start, end = float(s["start_month"] or 0.0), float(s["end_month"] or s["data_end"] or 0.0)
        paused = sum(max(0.0, min(b, end) - max(a, start)) for a, b in self.pauses)
        return max(end - start - paused, 1e-9)


def fit_intake(entries: list[date], months: np.ndarray, data_end: float) -> IntakeFit:
    """Fit the intake to the entry dates (`months`: the same in months from month 0)."""
    months = np.asarray(months, float)
    by_date = Counter(entries)
    threshold = cluster_threshold(entries)
    clusters = sorted(d for d, n in by_date.items() if n >= threshold)
    cluster_set = set(clusters)
    month_of = {d: float(m) for d, m in zip(entries, months, strict=True)}
    fit = IntakeFit()
    group_times: list[float] = []
    if len(clusters) == 1:
        fit.cohort = (by_date[clusters[0]], round(month_of[clusters[0]], 2))
    elif len(clusters) >= 2:
        gaps = np.diff([month_of[d] for d in clusters])
        if len(clusters) >= 3 and gaps[0] > 4 * float(np.median(gaps[1:])) + 2:
            # a first cluster long before the others is a start-up cohort, not a group intake
            fit.cohort = (by_date[clusters[0]], round(month_of[clusters[0]], 2))
            clusters = clusters[1:]
    if len(clusters) >= 2:
        times = np.array([month_of[d] for d in clusters])
        sizes = [by_date[d] for d in clusters]
        every = float(np.median(np.diff(times)))
        fit.groups = {"size": round(float(np.median(sizes))), "every_months": round(every, 3),
                      "start_month": round(float(times[0]), 2),
                      "end_month": round(float(times[-1]) + every / 2, 2), "n_groups": len(clusters)}
        k = np.arange(0, int((times[-1] - times[0]) / every + 0.5) + 1)
        group_times = list(times[0] + k * every)
    rest = np.sort(np.array([m for d, m in zip(entries, months, strict=True) if d not in cluster_set]))
    if len(rest) >= 2:
        start = float(math.floor(rest[0]))
        last = float(rest[-1])
        rate0 = len(rest) / max(last - start, 1.0)
        # still running at the data date unless the quiet time before it is unlikely by chance
        fit.ongoing = math.exp(-rate0 * (data_end - last)) >= PAUSE_P
        end = None if fit.ongoing else float(math.floor(last) + 1)
        fit.stream = {"rate_per_month": rate0, "start_month": start, "end_month": end,
                      "n": len(rest), "data_end": data_end}
    elif len(rest) == 1 and fit.cohort is None and fit.groups is None:
        fit.cohort = (1, round(float(rest[0]), 2))
    elif len(rest) == 1:
        fit.stream = None  # one arrival outside the groups: too few for a stream; noted in the report
    # pauses: twice, since the stream's rate depends on its open months and they on the pauses
    for _ in range(2):
        fit.pauses = _pauses(months, fit, group_times, data_end)
        if fit.stream:
            fit.stream["rate_per_month"] = fit.stream["n"] / fit.open_months
    return fit


def cluster_threshold(entries: list[date]) -> int:
    """Entries on one date from which it counts as a group intake: at least CLUSTER_MIN, and so
    many that a Poisson stream at the records' daily rate would reach it on some date of the
    period with probability below CLUSTER_P."""
    from scipy.stats import poisson

    days = max((max(entries) - min(entries)).days + 1, 1)
    lam = len(entries) / days
    c = CLUSTER_MIN
    while days * poisson.sf(c - 1, lam) >= CLUSTER_P:
        c += 1
    return c


def _pauses(months: np.ndarray, fit: IntakeFit, group_times: list[float],
            data_end: float) -> list[tuple[int, int]]:
    """Runs of whole months without entries inside the intake's period, each unlikely (p < 5 %)
    under the fitted stream and groups."""
    if not len(months):
        return []
    first = math.floor(months.min())
    last = math.floor(months.max())
    seen = set(np.floor(months).astype(int).tolist())
    runs: list[tuple[int, int]] = []
    m = first
    while m <= last:
        if m in seen:
            m += 1
            continue
        a = m
        while m <= last and m not in seen:
            m += 1
        runs.append((a, m))
    s = fit.stream
    out = []
    level = PAUSE_P / max(len(runs), 1)  # Bonferroni over the empty runs looked at
    for a, b in runs:
        expected = 0.0
        if s:
            lo = max(a, float(s["start_month"] or 0.0))
            hi = min(b, float(s["end_month"] if s["end_month"] is not None else data_end))
            expected += max(hi - lo, 0.0) * float(s["rate_per_month"] or 0.0)
        expected += sum(a <= t < b for t in group_times)
        if expected > 0 and math.exp(-expected) < level:
            out.append((a, b))
    return out


def rate_draws(fit: IntakeFit, rng: np.random.Generator, n: int) -> np.ndarray:
    """Draws of the stream's rate: a parametric bootstrap, Poisson(count) over the open months
    (a resample of persons keeps their number fixed and so says nothing about the rate)."""
    assert fit.stream is not None
    count = int(fit.stream["n"] or 0)
    return np.maximum(rng.poisson(count, n), 1) / fit.open_months
