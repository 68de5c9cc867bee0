"""Programme costs by calendar month, one small rule per kind of cost line.

Costs are priced on an `Activity`: participant-months in the programme and in each intervention,
and service starts, by calendar month and by outcome group (row 0: participants whose exit
starts a job, row 1: the others), plus the length of the project period. A simulated run and
the expected-value path both produce one, so both are priced by the same rules (`COST_RULES`).

Each rule returns `Line`s: the funder, a label, whether the line is a participant allowance (a
transfer: it is in the budget and the actor ledger, not in the societal cost), and the amount per
calendar month split three ways: linked to good-outcome participants, to the others, and not
linked to any participant (fixed, staff, lump sums, places held). The break-even share
re-weights the first two.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.scenario import FixedCost, Intervention, Scenario, StaffCost

if TYPE_CHECKING:  # pandas loads when tables are built, not for exact mode or checks
    import pandas as pd

    from model.economics.rows import PeopleRows, VisitRows

LINKED_GOOD, LINKED_OTHER, UNLINKED = 0, 1, 2


@dataclass
class Activity:
    """What costs are priced on, by calendar month (arrays of length n_cal)."""

    n_cal: int
    period: float                              # project period in months (fixed and staff costs)
    in_programme: np.ndarray                   # (2, n_cal) participant-months, by outcome group
    service: dict[str, np.ndarray]             # intervention -> (2, n_cal) participant-months
    starts: dict[str, np.ndarray]              # intervention -> (2, n_cal) service starts


@dataclass
class Line:
    """One cost line: who pays, what it is, and kr per calendar month (3, n_cal)."""

    funder: str
    label: str
    allowance: bool
    amount: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.amount.sum(axis=0)


def covered(starts: np.ndarray, ends: np.ndarray, weights: np.ndarray, n_cal: int) -> np.ndarray:
    """Weighted interval-months of [start, end) falling in each calendar month [k, k+1).

    Uses the running total F(t) = Σ w·clip(t − s, 0, e − s) at whole months, so memory is
    O(intervals + months), not their product.
    """
    out = np.zeros(n_cal)
    if len(starts) == 0:
        return out
    s = np.asarray(starts, dtype=float)
    e = np.maximum(np.asarray(ends, dtype=float), s)
    w = np.asarray(weights, dtype=float)
    t = np.arange(n_cal + 1, dtype=float)

    def running(points: np.ndarray) -> np.ndarray:
        order = np.argsort(points, kind="stable")
        p, wp = points[order], w[order]
        cw = np.concatenate(([0.0], np.cumsum(wp)))  # not np.r_: a few µs a call, many calls
        cwp = np.concatenate(([0.0], np.cumsum(wp * p)))
        k = np.searchsorted(p, t, side="left")
        return cw[k] * t - cwp[k]

    total = running(s) - running(e)
    return np.diff(total)


def at_month(months: np.ndarray, weights: np.ndarray, n_cal: int) -> np.ndarray:
    """Weights summed by calendar month floor(month) (clipped to the priced months)."""
    idx = np.clip(np.floor(np.asarray(months, dtype=float)).astype(np.int64), 0, n_cal - 1)
    return np.bincount(idx, weights=np.asarray(weights, dtype=float), minlength=n_cal)[:n_cal]


def _unlinked(monthly: np.ndarray) -> np.ndarray:
    out = np.zeros((3, len(monthly)))
    out[UNLINKED] = monthly
    return out


def _linked(by_group: np.ndarray) -> np.ndarray:
    out = np.zeros((3, by_group.shape[1]))
    out[:2] = by_group
    return out


def _over_period(cost: FixedCost | StaffCost, monthly: float, act: Activity) -> np.ndarray:
    """`monthly` kr from start_month to end_month (default: the end of the project period)."""
    stop = act.period if cost.end_month is None else cost.end_month
    return monthly * covered(np.array([cost.start_month]), np.array([max(stop, cost.start_month)]),
                             np.array([1.0]), act.n_cal)


def fixed_lines(sc: Scenario, act: Activity) -> list[Line]:
    return [Line(fx.funder, fx.label or "fixed", False,
                 _unlinked(_over_period(fx, fx.per_month, act))) for fx in sc.costs.fixed]


def staff_lines(sc: Scenario, act: Activity) -> list[Line]:
    c = sc.costs
    return [Line(st.funder, st.label or "staff", False,
                 _unlinked(_over_period(st, st.fte * st.monthly_salary
                                        * (1.0 + c.employer_contribution), act)))
            for st in c.staff]


def capacity_staff_lines(sc: Scenario, act: Activity) -> list[Line]:
    """Staff given once: an intervention's staff FTE (with its changes) × monthly salary × (1 +
    employer contribution), over the project period: the same FTE that sets its places."""
    lines = []
    for iv in sc.interventions:
        cap = iv.capacity
        if cap is None or not cap.costed:
            continue
        fte = staff_fte_months(iv, act.n_cal, act.period)
        monthly = cap.monthly_salary * (1.0 + sc.costs.employer_contribution)
        lines.append(Line(cap.funder, cap.label or f"{iv.title}: staff", False,
                          _unlinked(monthly * fte)))
    return lines


def staff_fte_months(iv: Intervention, n_cal: int, period: float) -> np.ndarray:
    """FTE-months of an intervention's staff in each calendar month up to `period`."""
    changes = sorted((c for c in iv.capacity_changes if c.staff_fte is not None),
                     key=lambda c: c.month)
    times = [0.0] + [c.month for c in changes] + [period]
    fte = [iv.capacity.staff_fte] + [c.staff_fte for c in changes]
    starts = np.minimum(np.array(times[:-1]), period)
    ends = np.minimum(np.array(times[1:]), period)
    return covered(starts, np.maximum(ends, starts), np.array(fte, float), n_cal)


def budget_lines(sc: Scenario, act: Activity) -> list[Line]:
    """A funder's total budget spread evenly over the project period (`costs.budget`), or each
    project year's amount over that year's months in the period (`costs.budget_by_year`)."""
    c = sc.costs
    lines = []
    for funder, total in c.budget.items():
        monthly = total / act.period if act.period > 0 else 0.0
        lines.append(Line(funder, "budget", False, _unlinked(
            monthly * covered(np.array([0.0]), np.array([act.period]), np.array([1.0]), act.n_cal))))
    for funder, years in c.budget_by_year.items():
        stop = float(c.project_months) if c.project_months is not None else 12.0 * len(years)
        starts = np.array([12.0 * k for k in range(len(years))])
        ends = np.minimum(starts + 12.0, stop)
        per_month = np.array(years, float) / (ends - starts)
        lines.append(Line(funder, "budget", False,
                          _unlinked(covered(starts, ends, per_month, act.n_cal))))
    return lines


def lump_sum_lines(sc: Scenario, act: Activity) -> list[Line]:
    return [Line(ls.funder, ls.label or "lump sum", False,
                 _unlinked(at_month(np.array([ls.month]), np.array([ls.amount]), act.n_cal)))
            for ls in sc.costs.lump_sums]


def participant_month_lines(sc: Scenario, act: Activity) -> list[Line]:
    return [Line(line.funder, line.label or "per participant-month", line.allowance,
                 _linked(line.per_participant_month * act.in_programme))
            for line in sc.costs.per_participant_month]


def capacity_months(sc: Scenario, n_cal: int, period: float) -> dict[str, np.ndarray]:
    """Places held in each calendar month per intervention (for per-place costs)."""
    out = {}
    for iv in sc.interventions:
        if iv.capacity is None:
            continue
        changes = sorted(iv.capacity_changes, key=lambda c: c.month)
        times = [0.0] + [c.month for c in changes] + [period]
        slots = [iv.capacity.slots()] + [
            c.places if c.places is not None else iv.capacity.slots(c.staff_fte) for c in changes]
        starts = np.array(times[:-1])
        ends = np.minimum(np.array(times[1:]), period)
        out[iv.name] = covered(starts, np.maximum(ends, starts), np.array(slots, float), n_cal)
    return out


def intervention_lines(sc: Scenario, act: Activity) -> list[Line]:
    caps = capacity_months(sc, act.n_cal, act.period)
    zero = np.zeros((2, act.n_cal))
    lines = []
    for iv in sc.interventions:
        service, starts = act.service.get(iv.name, zero), act.starts.get(iv.name, zero)
        for line in iv.costs:
            amount = _linked(line.per_participant_month * service + line.per_start * starts)
            if line.per_place_month:
                amount[UNLINKED] += line.per_place_month * caps.get(iv.name, np.zeros(act.n_cal))
            lines.append(Line(line.funder, line.label or iv.name, line.allowance, amount))
    return lines


COST_RULES: tuple[Callable[[Scenario, Activity], list[Line]], ...] = (
    budget_lines, fixed_lines, staff_lines, capacity_staff_lines, lump_sum_lines,
    participant_month_lines, intervention_lines)


def period_problem(sc: Scenario) -> str | None:
    """Why some cost runs until the last participant leaves (no `costs.project_months`): the
    expected-value path, which follows no last participant, needs a fixed project period."""
    c = sc.costs
    if c.project_months is not None:
        return None
    if c.budget:
        return ("a budget is spread over the project period, which without costs.project_months "
                "runs until the last participant leaves; give the project period to use the "
                "expected-value path")
    if any(iv.capacity is not None and iv.capacity.costed for iv in sc.interventions):
        return ("an intervention's staff are costed until the last participant leaves (no "
                "costs.project_months); give the project period to use the expected-value path")
    return None


def cost_lines(sc: Scenario, act: Activity) -> list[Line]:
    """Every cost line of the scenario, with the optimism-bias uplift applied."""
    uplift = 1.0 + sc.valuation.optimism_bias
    lines = [line for rule in COST_RULES for line in rule(sc, act)]
    for line in lines:
        line.amount = line.amount * uplift
    return lines


def activity_of_run(sc: Scenario, people: PeopleRows, visits: VisitRows, end: float,
                    n_cal: int, weights: np.ndarray | None = None) -> Activity:
    """Participant-months and starts of one simulated replication, by outcome group (row 0:
    participants whose exit starts a job); `people` and `visits`: `people_rows` and
    `visit_rows` of the same scenario; `weights` re-weights participants."""
    c = sc.costs
    period = float(c.project_months) if c.project_months is not None else end
    n = len(people)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    good = people.good
    pid = people.participant_id
    size = int(pid.max()) + 1 if n else 0
    grp_of = np.ones(size, dtype=np.int64)
    grp_of[pid] = np.where(good, 0, 1)
    w_of = np.zeros(size)
    w_of[pid] = w
    arr = people.arrival
    ex = np.where(np.isnan(people.exit_month), end, people.exit_month)
    grp = np.where(good, 0, 1)
    in_prog = np.stack([covered(arr[grp == k], ex[grp == k], w[grp == k], n_cal) for k in (0, 1)])
    service, starts = {}, {}
    s_all = visits.start
    ok = ~np.isnan(s_all)
    s_all = s_all[ok]
    e_all = visits.end[ok]
    e_all = np.where(np.isnan(e_all), end, e_all)
    v_pid = visits.participant_id[ok]
    vg, vw = grp_of[v_pid], w_of[v_pid]
    for iv in sc.interventions:
        mask = visits.by_intervention[iv.name][ok]
        s, e, gm, wm = s_all[mask], e_all[mask], vg[mask], vw[mask]
        service[iv.name] = np.stack([covered(s[gm == k], e[gm == k], wm[gm == k], n_cal)
                                     for k in (0, 1)])
        starts[iv.name] = np.stack([at_month(s[gm == k], wm[gm == k], n_cal) for k in (0, 1)])
    return Activity(n_cal, period, in_prog, service, starts)


def calendar_months(sc: Scenario, end: float, last_arrival: float) -> int:
    """Calendar months to price: the run, every participant's benefit grid and every cost line."""
    from model.economics.effect import grid_months

    c = sc.costs
    stops = [end, last_arrival + grid_months(sc) + 1, 1.0]
    if c.project_months is not None:
        stops.append(float(c.project_months))
    stops += [x.end_month for x in [*c.fixed, *c.staff] if x.end_month is not None]
    stops += [ls.month + 1 for ls in c.lump_sums]
    stops += [12.0 * len(years) for years in c.budget_by_year.values()]
    return math.ceil(max(stops)) + 1


def lines_frame(lines: list[Line]) -> pd.DataFrame:
    """Long table of the cost lines: month, funder, line, allowance, amount (kr), nonzero only."""
    import pandas as pd

    if not lines:
        return pd.DataFrame(columns=["month", "funder", "line", "allowance", "amount"])
    amounts = np.stack([line.total for line in lines])
    idx, month = np.nonzero(amounts)
    return pd.DataFrame({
        "month": month,
        "funder": np.array([x.funder for x in lines], dtype=object)[idx],
        "line": np.array([x.label for x in lines], dtype=object)[idx],
        "allowance": np.array([x.allowance for x in lines], dtype=bool)[idx],
        "amount": amounts[idx, month],
    })

