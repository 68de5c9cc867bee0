"""Expected arrivals on the calendar lattice: cohorts, spreads, group intakes and streams, pauses, cap.

A stream is a Poisson process: in a step of dt months, k arrivals with probability
Poisson(λ·dt; k). Under `intake.max_participants` the number admitted so far is random, so its
distribution is carried step by step (capped at the cap) and the expected admissions per step
are the growth of its mean. Cohorts, group intakes and the evenly spaced arrivals of a spread
(deterministic) are admitted at their month, up to the cap. This gives E[arrivals] per lattice
point exactly (up to the step), which is all that linear figures need.
"""

from __future__ import annotations

import math

import numpy as np

from model.scenario import Scenario

EXACT_CAP_LIMIT = 200_000  # track the admitted count's distribution up to this cap


def _paused(sc: Scenario, t: float) -> bool:
    return any(p.start_month <= t < p.end_month for p in sc.intake.pauses)


def intake_end(sc: Scenario) -> float | None:
    """The last month at which anyone can arrive (None if arrivals never stop)."""
    i = sc.intake
    ends = [*i.spread_months()[-1:]]
    if i.cohort is not None:
        ends.append(i.cohort.month)
    for spec in (i.stream, i.groups):
        if spec is None:
            continue
        if spec.end_month is not None:
            ends.append(spec.end_month)
        elif i.max_participants is None:
            return None
        else:
            rate = (spec.rate_per_month if spec is i.stream
                    else spec.size / spec.every_months)
            # time by which the cap is reached with near certainty
            need = i.max_participants / rate
            ends.append(spec.start_month + need + 12 * math.sqrt(need) + 12 * spec_gap(spec))
    return max(ends) if ends else 0.0


def spec_gap(spec: object) -> float:
    return float(getattr(spec, "every_months", 0.0) or 0.0)


def arrivals(sc: Scenario, dt: float) -> np.ndarray:
    """Expected arrivals at each calendar lattice point k·dt (intake only, not initial_state)."""
    i = sc.intake
    end = intake_end(sc)
    if end is None:
        raise ValueError("arrivals never stop")
    n = math.ceil(end / dt) + 2
    cap = i.max_participants
    events: list[tuple[float, int, int]] = []   # (month, order, size) of fixed-time arrivals
    if i.cohort is not None:
        events.append((i.cohort.month, 0, i.cohort.n))
    events += [(t, 1, 1) for t in i.spread_months()]   # a spread: one arrival at each of its months
    if i.groups is not None:
        g = i.groups
        k = 0
        while True:
            t = g.start_month + k * g.every_months
            if (g.end_month is not None and t >= g.end_month) or t > end:
                break
            if not _paused(sc, t):
                events.append((t, 2, g.size))
            k += 1
    events.sort()
    out = np.zeros(n + 1)
    rate = _stream_rate(sc, n, dt, end)
    track = cap is not None and cap <= EXACT_CAP_LIMIT and _cap_can_bind(sc, rate, events, cap)

    def put(t: float, amount: float) -> None:
        k = t / dt
        lo = math.floor(k + 1e-9)
        frac = min(max(k - lo, 0.0), 1.0)
        out[lo] += amount * (1 - frac)
        out[min(lo + 1, n)] += amount * frac

    if not track:
        for t, _, size in events:
            put(t, size)
        out[:n] += rate / 2
        out[1:n + 1] += rate / 2
        total = out.sum()
        if cap is not None and total > cap:  # cannot bind in practice: this never happens
            out *= cap / total
        return out[:n]
    if not events:
        # a stream alone: admitted by step k is min(N_k, cap), N_k ~ Poisson(Λ_k), and
        # E[min(N, c)] = Λ·P(N ≤ c − 2) + c·P(N ≥ c)
        return _stream_alone(rate, np.array([cap]), n)[0]
    from model.special import poisson_pmf, poisson_ppf

    pmf = np.zeros(cap + 1)
    pmf[0] = 1.0
    levels = np.arange(cap + 1)
    ev = 0
    cache: dict[float, np.ndarray] = {}
    for k in range(n):
        while ev < len(events) and events[ev][0] < (k + 1) * dt - 1e-12:
            t, _, size = events[ev]
            before = pmf @ levels
            pmf = _shift(pmf, size)
            put(t, pmf @ levels - before)
            ev += 1
        if rate[k] > 0:
            before = pmf @ levels
            add = cache.get(rate[k])
            if add is None:
                kmax = int(poisson_ppf(1 - 1e-15, rate[k])) + 1
                add = cache[rate[k]] = poisson_pmf(np.arange(kmax + 1), rate[k])
            new = np.convolve(pmf, add)
            pmf = np.r_[new[:cap], new[cap:].sum()]
            gained = pmf @ levels - before
            out[k] += gained / 2
            out[k + 1] += gained / 2
    return out[:n]


def _stream_rate(sc: Scenario, n: int, dt: float, end: float) -> np.ndarray:
    """The stream's expected arrivals per month in each of n steps (zeros without a stream)."""
    i = sc.intake
    if i.stream is None:
        return np.zeros(n)
    s = i.stream
    stop = s.end_month if s.end_month is not None else end
    t0 = np.arange(n) * dt
    # share of each step inside [start, stop) and outside pauses
    inside = np.clip(np.minimum(t0 + dt, stop) - np.maximum(t0, s.start_month), 0, dt)
    for p in i.pauses:
        inside -= np.clip(np.minimum(t0 + dt, min(p.end_month, stop))
                          - np.maximum(t0, max(p.start_month, s.start_month)), 0, dt)
    return s.rate_per_month * np.clip(inside, 0, None)


def _stream_alone(rate: np.ndarray, caps: np.ndarray, n: int) -> np.ndarray:
    """Expected arrivals of a stream alone capped at each of `caps` (len(caps), n): admitted by
    step k is min(N_k, cap), N_k ~ Poisson(Λ_k), and E[min(N, c)] = Λ·P(N ≤ c − 2) + c·P(N ≥ c)."""
    from scipy.special import pdtr  # scipy loads only for a capped intake (start-up)

    c = caps[:, None]
    big = np.r_[0.0, np.cumsum(rate)][None]
    # P(N ≤ c − 2) of one cap is P(N ≤ c' − 1) of the next: each level once
    levels, at = np.unique(np.concatenate([np.maximum(caps - 2, 0), caps - 1]),
                           return_inverse=True)
    cdf = pdtr(levels[:, None], big)
    below = np.where(c >= 2, cdf[at[:len(caps)]], 0.0)
    admitted = big * below + c * (1.0 - cdf[at[len(caps):]])
    gained = np.diff(admitted, axis=1)
    out = np.zeros((len(caps), n + 1))
    out[:, :n] += gained / 2
    out[:, 1:n + 1] += gained / 2
    return out[:, :n]


def capped_arrivals(sc: Scenario, caps: list[int], dt: float) -> list[np.ndarray] | None:
    """`arrivals` of the scenario with the intake capped at each of `caps`, all at once, for a
    stream alone that ends (its lattice does not depend on the cap); None for other intakes."""
    i = sc.intake
    if (i.stream is None or i.stream.end_month is None or i.cohort is not None
            or i.groups is not None or i.spread_months()):
        return None
    from model.special import poisson_ppf

    end = i.stream.end_month
    n = math.ceil(end / dt) + 2
    rate = _stream_rate(sc, n, dt, end)
    mean = float(rate.sum())
    reach = poisson_ppf(1 - 1e-15, mean) if mean > 0 else 0   # `_cap_can_bind`
    track = np.array([c <= EXACT_CAP_LIMIT and not reach < c for c in caps], dtype=bool)
    plain = np.zeros(n + 1)
    plain[:n] += rate / 2
    plain[1:n + 1] += rate / 2
    total = plain.sum()
    rows = _stream_alone(rate, np.asarray(caps, dtype=np.int64)[track], n) if track.any() else []
    out, k = [], 0
    for c, t in zip(caps, track, strict=True):
        if t:
            out.append(rows[k])
            k += 1
        else:
            out.append((plain * (c / total) if total > c else plain.copy())[:n])
    return out


def _shift(pmf: np.ndarray, size: int) -> np.ndarray:
    cap = len(pmf) - 1
    out = np.zeros_like(pmf)
    if size >= cap:
        out[cap] = 1.0
        return out
    out[size:] = pmf[:cap + 1 - size]
    out[cap] += pmf[cap + 1 - size:].sum()
    return out


def _cap_can_bind(sc: Scenario, rate: np.ndarray, events: list[tuple[float, int, int]],
                  cap: int) -> bool:
    """False when the cap is out of reach (fewer than `cap` arrivals with probability ~1)."""
    from model.special import poisson_ppf

    fixed = sum(size for _, _, size in events)
    mean = float(rate.sum())
    return not fixed + (poisson_ppf(1 - 1e-15, mean) if mean > 0 else 0) < cap
