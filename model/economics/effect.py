"""Employment with and without the programme, summed over participants by month since arrival.

Pricing is linear in participants, so everything it needs of a run fits in an `Effect`: sums over
participants of P(in work) with and without the programme, of the gain between them, and of
P(in the programme), on a grid of month midpoints u = 0.5, 1.5, ... since each participant's
arrival; the month in which a stay ends or a job starts counts for the part of it after that
moment (`after_start`), so figures are continuous in the length of a stay. Each sum is kept
twice: as is, and with every participant weighted by the discount factor of their arrival month
(the discount factor of month a + u is that of a times that of u), and split by outcome group:
row 0 holds participants whose exit starts a job ("good": work, and studies when
`employment.value_studies`), row 1 the rest (other exits and those still enrolled).
The split lets the break-even share re-weight the two groups without simulating again.

A simulated run (`effect_of_run`) and the expected-value path (`model.expected`) both produce an
`Effect`; `model.economics.figures` turns either into the same figures.

The two-state chain (unemployed <-> in work; finding work at f a month, losing it at l):
P(in work x months after starting unemployed) = pi (1 - e^{-(f+l)x}), after starting in work
pi + (1 - pi) e^{-(f+l)x}, pi = f/(f+l). Method: docs/method.md, sections 3 and 4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.scenario import Scenario

if TYPE_CHECKING:
    from model.economics.rows import PeopleRows

GOOD, OTHER = 0, 1
GROUPS = ("good", "other")
# arrays summed over participants, by group and month since arrival
CURVES = ("with_work", "without_work", "gain", "in_programme")
CHUNK_CELLS = 100_000  # participants x months evaluated at once (memory stays flat)


def chain(x: np.ndarray, f: np.ndarray | float, loss: float, employed: bool) -> np.ndarray:
    """P(in work) x months after a start in work (`employed`) or out of it; 0 where x < 0."""
    return _in_work(*_chain_terms(x, f, loss), employed)


def chain_both(x: np.ndarray, f: np.ndarray | float, loss: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """`chain` after a start in work and out of it, at the same x: the decay worked out once."""
    terms = _chain_terms(x, f, loss)
    return _in_work(*terms, True), _in_work(*terms, False)


def _chain_terms(x: np.ndarray, f: np.ndarray | float, loss: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x, the long-run share in work pi = f/(f+l), and the decay e^{-(f+l)x} (x clipped at 0)."""
    x = np.asarray(x, dtype=float)
    f = np.asarray(f, dtype=float)
    total = f + loss
    with np.errstate(invalid="ignore", divide="ignore"):
        pi = np.where(total > 0, f / np.where(total > 0, total, 1.0), 0.0)
    return x, pi, np.exp(-total * np.clip(x, 0.0, None))


def _in_work(x: np.ndarray, pi: np.ndarray, decay: np.ndarray, employed: bool) -> np.ndarray:
    p = pi + (1.0 - pi) * decay if employed else pi * (1.0 - decay)
    return np.where(x >= 0, p, 0.0)


def after_start(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The share of the month centred x months after a start that lies after it (0 to 1), and
    the midpoint of that part: a start inside a priced month counts for the part of the month
    after it, so figures move smoothly with a stay's length (a fixed 6.6-month stay is priced
    between 6.5 and 7, not as 7)."""
    x = np.asarray(x, dtype=float)
    return np.clip(x + 0.5, 0.0, 1.0), np.where(x < 0.5, (x + 0.5) / 2.0, x)


def chain_month(x: np.ndarray, f: np.ndarray | float, loss: float, employed: bool) -> np.ndarray:
    """`chain` over the month centred x months after the start: the midpoint rule on the part of
    the month after the start (`after_start`); equal to `chain(x)` once the whole month is after
    it (x ≥ 0.5), 0 before (x ≤ −0.5)."""
    share, mid = after_start(x)
    return share * chain(mid, f, loss, employed)


@dataclass(frozen=True)
class Rules:
    """What turns an exit into an employment curve: the scenario's employment and valuation terms."""

    good_categories: tuple[str, ...]
    job_lag: float           # employment.lag_months: the job starts this long after the exit
    loss: float              # monthly hazard of losing a job (employment.retention)
    benefit_lag: float       # valuation.benefit_lag_months, counted from the job's start
    drop_off: float          # valuation.drop_off_per_year, years counted from the job's start
    grid: int                # months since arrival priced (the longest view)
    head_months: float       # the headline horizon in months (payback, ledger)
    rate: float              # annual discount rate

    @classmethod
    def of(cls, sc: Scenario) -> Rules:
        emp, val = sc.employment, sc.valuation
        return cls(good_categories=("work", "studies") if emp.value_studies else ("work",),
                   job_lag=float(emp.lag_months), loss=emp.retention.hazard(),
                   benefit_lag=float(val.benefit_lag_months), drop_off=float(val.drop_off_per_year),
                   grid=grid_months(sc), head_months=float(val.horizon_years) * 12.0,
                   rate=float(val.discount_rate))

    @property
    def u(self) -> np.ndarray:
        """Month midpoints since arrival: 0.5, 1.5, ..."""
        return np.arange(self.grid) + 0.5

    def job_factor(self, since_job: np.ndarray) -> np.ndarray:
        """Share of a job's gain counted `since_job` months after it started: 0 within the benefit
        lag, then (1 - drop-off) per whole year since the job started (year 0 in full)."""
        x = np.asarray(since_job, dtype=float)
        if self.drop_off == 0.0:  # 1.0 ** y is 1.0: the same array without the powers
            return np.where(x >= self.benefit_lag, 1.0, 0.0)
        keep = (1.0 - self.drop_off) ** np.floor(np.clip(x, 0.0, None) / 12.0)
        return np.where(x >= self.benefit_lag, keep, 0.0)


def grid_months(sc: Scenario) -> int:
    """Months since arrival on the benefit grid: long enough for the headline and every view."""
    val = sc.valuation
    return math.ceil(max([val.horizon_years, *val.views_years]) * 12)


def discount(months: np.ndarray | float, rate: float) -> np.ndarray:
    """Present-value factor for amounts at `months` from programme start (annual rate)."""
    return (1.0 + rate) ** (-np.asarray(months, dtype=float) / 12.0)


def shared_after_exit(sc: Scenario, ref: Scenario) -> tuple[Scenario, Scenario]:
    """The programme and its reference scenario with one after-exit hiring rate on both sides.

    In reference mode the counterfactual's hazards are the job-finding rate after leaving either
    programme. An incremental comparison prices both sides with the same rate: the programme's
    (`monthly_hazard` and `by_group`) when it gives one, else the reference's own. Without this
    the programme's leavers found no job at all while the reference's found one at its rate,
    counting the reference's after-exit jobs against the programme (docs/method.md).
    """
    cf = sc.counterfactual
    src = cf if (cf.monthly_hazard is not None or cf.by_group) else ref.counterfactual
    rate = {"monthly_hazard": src.monthly_hazard, "by_group": list(src.by_group)}
    return (sc.model_copy(update={"counterfactual": cf.model_copy(update=rate)}),
            ref.model_copy(update={"counterfactual": ref.counterfactual.model_copy(update=rate)}))


@dataclass
class Effect:
    """Sums over participants, by outcome group (rows) and month since arrival (columns).

    `curves[name]` and `curves_pv[name]` have shape (2, grid) for each name in CURVES: with_work
    and without_work are head-count probabilities of being in work, gain is with − without after
    the benefit lag and drop-off (before the extent and the scenario-wide multipliers), and
    in_programme is the probability of still being in the programme. `_pv` weights each
    participant by the discount factor of their arrival. `calendar[name]` (name: gain or
    with_work; shape (2, n_cal): undiscounted, discounted) are the same within the headline
    horizon, by calendar month of the programme. The `as_other`/`as_good` sums give each group's
    discounted gain had its outcome been the other one, with the same exit times: the break-even
    share needs them only when a group is empty.
    """

    n: np.ndarray                                   # (2,) participants per group
    curves: dict[str, np.ndarray]
    curves_pv: dict[str, np.ndarray]
    calendar: dict[str, np.ndarray]
    swapped_pv: dict[str, np.ndarray]               # gain, with_work: (2, grid), outcome swapped
    exits: dict[str, float]                         # participants who left, by exit state
    categories: dict[str, str]                      # exit state -> category
    still_in: float                                 # still in the programme at the end
    jobs_without_at_exit: np.ndarray                # (2,) Σ P(work without) at the exit time
    work_12: np.ndarray                             # (2, 2): [with, without] x group at 12 months
    months_to: dict[str, float]                     # Σ months from arrival to exit, by exit state
    months_total: float                             # Σ months in the programme (to exit or end)

    @property
    def participants(self) -> float:
        return float(self.n.sum())

    def exits_in(self, category: str) -> float:
        """Participants who left to an exit state of this category."""
        return sum(v for s, v in self.exits.items() if self.categories.get(s) == category)


@dataclass(frozen=True)
class _Shifts:
    """Rows grouped by their shift (calendar month of their first grid month), in stable order:
    worked out once for the several sums over the same participants."""

    order: np.ndarray
    starts: np.ndarray      # where each shift's rows begin, in sorted order
    shifts: np.ndarray      # each group's shift

    @classmethod
    def of(cls, shift: np.ndarray) -> _Shifts:
        order = np.argsort(shift, kind="stable")
        shift = shift[order]
        starts = np.flatnonzero(np.concatenate(([True], shift[1:] != shift[:-1])))
        return cls(order, starts, shift[starts])


def effect_of_run(sc: Scenario, people: PeopleRows, end: float, n_cal: int,
                  weights: np.ndarray | None = None) -> Effect:
    """The Effect of one simulated replication: its participants, `people_rows` of the same
    scenario (their good exits and counterfactual hazards are the scenario's).

    Participants still in the programme at the end of the run are counted out of work until then
    and unemployed after it (they join the 'other' group). `weights` (default 1 each) re-weights
    participants, e.g. to re-price a run at another share of good outcomes.
    """
    rules = Rules.of(sc)
    u = rules.u
    g = rules.grid
    n = len(people)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    arrival, exit_m = people.arrival, people.exit_month
    exited = ~np.isnan(exit_m)
    # exit − arrival carries rounding noise (2.4999999999999996 for a fixed 2.5): a stay that ends
    # on a grid midpoint must count there the same way for every participant
    stay = np.round(np.where(exited, exit_m, end) - arrival, 9)
    good, f = people.good, people.hazard
    group = np.where(good, GOOD, OTHER)
    disc_a = discount(arrival, rules.rate)

    curves = {k: np.zeros((2, g)) for k in CURVES}
    curves_pv = {k: np.zeros((2, g)) for k in CURVES}
    swapped = {k: np.zeros((2, g)) for k in ("gain", "with_work")}
    head = min(g, math.ceil(rules.head_months))
    in_head = (u < rules.head_months)[:head]
    calendar = {k: np.zeros((2, n_cal + head)) for k in ("gain", "with_work")}
    shift = np.floor(arrival + 0.5).astype(np.int64)
    disc_u = discount(u[:head], rules.rate)
    step = max(1, CHUNK_CELLS // max(g, 1))
    for lo in range(0, n, step):
        sl = slice(lo, min(n, lo + step))
        st, gd, fh = stay[sl][:, None], good[sl][:, None], f[sl][:, None]
        since_exit = u[None, :] - st
        since_job = since_exit - rules.job_lag if rules.job_lag else since_exit  # x - 0.0 is x
        # chain_month after the exit (and after the job's start), keeping the month's share
        share, mid = after_start(since_exit)
        if rules.job_lag == 0.0:  # the job starts at the exit: one decay for both
            in_job, out_of_job = chain_both(mid, fh, rules.loss)
            as_good, as_other = share * in_job, share * out_of_job
        else:
            as_good = chain_month(since_job, fh, rules.loss, True)
            as_other = share * chain(mid, fh, rules.loss, False)
        # the same for everyone with one hazard: worked out once per hazard
        hazards, which = np.unique(f[sl], return_inverse=True)
        without = chain(np.broadcast_to(u, (len(hazards), g)), hazards[:, None], rules.loss,
                        False)[which]
        if rules.drop_off == 0.0 and rules.benefit_lag <= 0.0:  # a job counts in full at once
            gain_good = as_good - without  # the same as times a factor of 1.0
        else:
            factor = np.where(since_job >= 0, rules.job_factor(since_job), 1.0)
            gain_good = (as_good - without) * factor
        gain_other = as_other - without
        rows = {
            "with_work": np.where(gd, as_good, as_other),
            "without_work": without,
            "gain": np.where(gd, gain_good, gain_other),
            "in_programme": 1.0 - share,
        }
        # a group's rows had their outcome been the other one (the break-even's swapped sums)
        other_outcome = {GOOD: {"gain": gain_other, "with_work": as_other},
                         OTHER: {"gain": gain_good, "with_work": as_good}}
        ww, wd = w[sl], w[sl] * disc_a[sl]
        grp = group[sl]
        for k in (GOOD, OTHER):
            mask = grp == k
            if not mask.any():
                continue
            wk, dk = ww[mask], wd[mask]
            for name, arr in rows.items():
                mine = arr[mask]
                curves[name][k] += wk @ mine
                curves_pv[name][k] += dk @ mine
            for name, arr in other_outcome[k].items():
                swapped[name][k] += dk @ arr[mask]
        by = _Shifts.of(np.clip(shift[sl], 0, None))
        for name in calendar:
            part = rows[name][:, :head] * in_head[None, :]
            calendar[name][0] += _calendar_sum(by, part * ww[:, None], n_cal + head)
            calendar[name][1] += _calendar_sum(by, part * wd[:, None] * disc_u[None, :],
                                               n_cal + head)
    calendar = {k: v[:, :n_cal] for k, v in calendar.items()}

    exits: dict[str, float] = {}
    is_state = people.state
    for state in sc.exit_states:
        exits[state] = float(w[exited & is_state[state]].sum())
    without_exit = chain(stay, f, rules.loss, False)
    jobs_without = np.array([float((w * without_exit)[exited & (group == k)].sum())
                             for k in (GOOD, OTHER)])
    x12 = 12.0 - stay
    with12 = np.where(good, chain(x12 - rules.job_lag, f, rules.loss, True),
                      chain(x12, f, rules.loss, False))
    without12 = chain(np.full(n, 12.0), f, rules.loss, False)
    work_12 = np.array([[float((w * with12)[group == k].sum()) for k in (GOOD, OTHER)],
                        [float((w * without12)[group == k].sum()) for k in (GOOD, OTHER)]])
    n_by = np.array([float(w[group == k].sum()) for k in (GOOD, OTHER)])
    months_to = {state: float((w * stay)[exited & is_state[state]].sum())
                 for state in sc.exit_states}
    return Effect(n=n_by, curves=curves, curves_pv=curves_pv, calendar=calendar,
                  swapped_pv=swapped, exits=exits,
                  categories={k: v.category for k, v in sc.exit_states.items()},
                  still_in=float(w[~exited].sum()),
                  jobs_without_at_exit=jobs_without, work_12=work_12, months_to=months_to,
                  months_total=float(w @ stay))


def _calendar_sum(by: _Shifts, rows: np.ndarray, length: int) -> np.ndarray:
    """The rows summed by calendar month, each from its shift on (`by`: their shifts, clipped
    at 0)."""
    out = np.zeros(length)
    summed = np.add.reduceat(rows[by.order], by.starts, axis=0)
    width = rows.shape[1]
    for s, row in zip(by.shifts, summed, strict=True):
        out[s:s + width] += row
    return out
