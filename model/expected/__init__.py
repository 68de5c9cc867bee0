"""The expected-value path: every economic figure of a scenario without simulating people.

For a scenario whose capacity cannot bind, participants do not interact, so the expected result
is a sum over arrivals of what one participant's path gives. `model.expected.lattice` turns each
intervention into exit-time probabilities on a lattice of dt months and propagates one arrival
through the network; `model.expected.arrivals` gives the expected arrivals over calendar time.
From these, `expected_unit` builds the same `Effect` and cost `Activity` that a simulated
replication gives, so `model.economics` prices both with one code path. The figures are the
expectations of the simulation's figures (its mean over infinitely many replications) up to the
lattice step (tested against the simulation within 4 standard errors).

`why_not(sc)` says why a scenario needs the simulation instead (binding capacity, a run horizon
that cuts stays, costs that run until the last participant leaves).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.economics import Unit
from model.economics.costs import Activity, calendar_months, cost_lines, period_problem
from model.economics.effect import (
    CURVES,
    GOOD,
    OTHER,
    Effect,
    Rules,
    after_start,
    chain,
    chain_month,
    discount,
)
from model.exact import Network, network
from model.expected.arrivals import arrivals, intake_end
from model.expected.lattice import Paths, kernel, paths
from model.scenario import ATTRIBUTES, Scenario

DT = 1.0 / 16.0
MAX_MONTHS = 1200.0
MAX_VISITS = 1e4
WAIT_TOLERANCE = 1e-3   # expected participants who would find every place taken


@dataclass
class Cell:
    """A subgroup with its own routing, hazards or counterfactual, and its population share."""

    share: float
    net: Network
    f: float


def _cells(sc: Scenario) -> list[Cell]:
    pop = sc.population
    used = sorted({a for ov in pop.overrides for a in ov.when}
                  | {a for gh in sc.counterfactual.by_group for a in gh.when})
    out = []
    for person, w in pop.cells([a for a in ATTRIBUTES if a in used]):
        if w <= 0:
            continue
        attrs = tuple(person.get(a, pop.levels(a)[0]) for a in ATTRIBUTES)
        f = float(sc.counterfactual.monthly_hazard or 0.0)
        for gh in sc.counterfactual.by_group:
            if all(person.get(k) == v for k, v in gh.when.items()):
                f = float(gh.monthly_hazard)
        out.append(Cell(w, network(sc, attrs), f))
    return out


def why_not(sc: Scenario) -> str | None:
    """Why this scenario needs the simulation (None when the expected-value path applies)."""
    if sc.simulation.horizon_months is not None:
        return ("the run stops at simulation.horizon_months and cuts participants' stays; the "
                "expected-value path follows every participant to the end")
    if intake_end(sc) is None:
        return "arrivals never stop (an open stream or group intake without a cap)"
    c = sc.costs
    if c.project_months is None and any(x.end_month is None for x in [*c.fixed, *c.staff]):
        return ("fixed or staff costs run until the last participant leaves (no "
                "costs.project_months); give the project period to use the expected-value path")
    if c.project_months is None and any(line.per_place_month for iv in sc.interventions
                                        for line in iv.costs):
        return "per-place costs run until the last participant leaves (no costs.project_months)"
    if (reason := period_problem(sc)) is not None:
        return reason
    for cell in _cells(sc):
        visits = cell.net.entry @ cell.net.fundamental()
        if visits.max() > MAX_VISITS:
            return (f"a loop where participants visit an intervention {visits.max():.3g} times "
                    "on average: nearly endless")
    return capacity_problem(sc)


def _presence_bound(sc: Scenario) -> int:
    """The most participants the scenario can ever hold (intake cap or sizes, plus initial)."""
    i = sc.intake
    initial = sum(g.waiting + g.in_service for g in sc.initial_state)
    if i.max_participants is not None:
        return i.max_participants + initial
    if i.stream is not None:
        return math.inf  # type: ignore[return-value]
    total = i.cohort.n if i.cohort is not None else 0
    total += i.spread.n if i.spread is not None else 0
    if i.groups is not None:
        g = i.groups
        total += g.size * (math.floor((g.end_month - g.start_month) / g.every_months) + 1)
    return total + initial


def capacity_problem(sc: Scenario) -> str | None:
    """Why capacity may bind (None when it cannot, or would keep fewer than 0.001 people waiting).

    Without capacity the number in an intervention at time t is a sum of independent
    Bernoulli variables (one per participant), bounded here by a Poisson variable of the same
    mean; the expected number of arrivals into it who would find all places taken is the
    integral of arrivals times P(N ≥ places).
    """
    capped = [iv for iv in sc.interventions if iv.capacity is not None]
    if not capped:
        return None
    most = _presence_bound(sc)
    low = {iv.name: min([iv.capacity.slots(), *[
        ch.places if ch.places is not None else iv.capacity.slots(ch.staff_fte)
        for ch in iv.capacity_changes]]) for iv in capped}
    if all(low[n] >= most for n in low):
        return None
    from model.special import poisson_sf  # scipy loads only for a capacity that might bind

    ex = _expected_flows(sc)
    for iv in capped:
        mean = ex.presence[iv.name]
        inflow = ex.inflow[iv.name]
        tail = poisson_sf(low[iv.name] - 1, mean)
        waiting = float(inflow @ tail)
        if waiting > WAIT_TOLERANCE:
            return (f"capacity of '{iv.name}' ({low[iv.name]} places) may bind: about "
                    f"{waiting:.3g} arrivals would find every place taken")
    return None


@dataclass
class _Flows:
    presence: dict[str, np.ndarray]
    inflow: dict[str, np.ndarray]


def _classes(sc: Scenario, dt: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """(entry shares over interventions, expected arrivals per calendar lattice point) per class:
    the intake, and each initial-state group (already there at month 0)."""
    names = sc.names
    out = []
    arr = _arrivals(sc.intake.model_dump_json(), sc, dt)
    entry = np.array([sc.entry.get(n, 0.0) for n in names])
    out.append((entry, arr))
    for g in sc.initial_state:
        count = g.waiting + g.in_service
        if count:
            e = np.array([1.0 if n == g.intervention else 0.0 for n in names])
            out.append((e, np.r_[float(count), np.zeros(len(arr) - 1)]))
    return out


_ARRIVALS: dict[tuple[str, float], np.ndarray] = {}


def _arrivals(key: str, sc: Scenario, dt: float) -> np.ndarray:
    """Expected arrivals, computed once per intake (parameter draws rarely change the intake)."""
    found = _ARRIVALS.get((key, dt))
    if found is None:
        if len(_ARRIVALS) > 64:
            _ARRIVALS.clear()
        found = _ARRIVALS[(key, dt)] = arrivals(sc, dt)
    return found


def _lattice_steps(sc: Scenario, cells: list[Cell]) -> int:
    """Steps of time since arrival to follow: until all but about 1e-9 of participants have left
    (what is left is counted in the programme to the end of the benefit grid)."""
    need = 0.0
    for cell in cells:
        visits = cell.net.entry @ cell.net.fundamental()
        span = 0.0
        for iv, v in zip(sc.interventions, visits, strict=True):
            d = iv.duration
            atoms = [a for a, _ in d.atoms()]
            cont = d.continuous()
            top = max([*atoms, float(cont.ppf(1 - 1e-9)) if cont is not None else 0.0])
            span += max(1.0, math.ceil(v)) * top
        need = max(need, span + 1.0)
    return math.ceil(min(need, MAX_MONTHS) / DT) + 1


BEYOND = 1e-9  # participants still in the programme at the lattice's end, per arrival


def _long_enough(sc: Scenario, cells: list[Cell], classes: list[tuple[np.ndarray, np.ndarray]]
                 ) -> tuple[int, list[list[Paths]]]:
    """Paths on a lattice long enough that all but BEYOND of each arrival has left (doubling the
    length as needed, up to MAX_MONTHS; a loop's number of visits has a long tail)."""
    n = _lattice_steps(sc, cells)
    while True:
        per = _paths(sc, cells, n, classes)
        left = max(sum(p.beyond.values()) for ps in per for p in ps)
        if left <= BEYOND or n * DT >= MAX_MONTHS:
            return n, per
        n = min(2 * n, math.ceil(MAX_MONTHS / DT) + 1)


def _paths(sc: Scenario, cells: list[Cell], n: int,
           classes: list[tuple[np.ndarray, np.ndarray]]) -> list[list[Paths]]:
    """Per class, per cell: the lattice paths of one arrival."""
    rules = Rules.of(sc)
    good = {s for s, e in sc.exit_states.items() if e.category in rules.good_categories}
    out = []
    kernels = []
    for cell in cells:
        ks = {}
        for i, iv in enumerate(sc.interventions):
            ks[iv.name] = kernel(iv.duration, float(cell.net.hazard_total[i]), n, DT)
        kernels.append(ks)
    for entry, _ in classes:
        out.append([paths(c.net, k, entry, good, n) for c, k in zip(cells, kernels, strict=True)])
    return out


def _expected_flows(sc: Scenario) -> _Flows:
    cells = _cells(sc)
    classes = _classes(sc, DT)
    _, per = _long_enough(sc, cells, classes)
    presence, inflow = {}, {}
    for iv in sc.interventions:
        pres = 0.0
        flow = 0.0
        for (_, arr), ps in zip(classes, per, strict=True):
            svc = sum(c.share * p.service[iv.name].sum(axis=0) for c, p in zip(cells, ps,
                                                                              strict=True))
            st = sum(c.share * p.starts[iv.name].sum(axis=0) for c, p in zip(cells, ps,
                                                                             strict=True))
            pres = pres + np.convolve(arr, svc / DT)
            flow = flow + np.convolve(arr, st)
        presence[iv.name] = np.asarray(pres)
        inflow[iv.name] = np.asarray(flow)
    return _Flows(presence, inflow)


def expected_unit(sc: Scenario, checked: bool = False) -> Unit:
    """The Effect and cost lines of the expected run (raises ValueError if `why_not`; `checked`
    skips that check when the caller has made it)."""
    reason = None if checked else why_not(sc)
    if reason is not None:
        raise ValueError(reason)
    rules = Rules.of(sc)
    cells = _cells(sc)
    classes = _classes(sc, DT)
    n, per = _long_enough(sc, cells, classes)
    t = np.arange(n) * DT
    u = rules.u
    g = rules.grid
    head = min(g, math.ceil(rules.head_months))
    in_head = (u < rules.head_months)[:head]
    disc_u = discount(u[:head], rules.rate)
    last = max(len(arr) for _, arr in classes) * DT
    n_cal = calendar_months(sc, last, last) + math.ceil(n * DT)
    state_good = {s: e.category in rules.good_categories for s, e in sc.exit_states.items()}

    curves = {k: np.zeros((2, g)) for k in CURVES}
    curves_pv = {k: np.zeros((2, g)) for k in CURVES}
    swapped = {k: np.zeros((2, g)) for k in ("gain", "with_work")}
    calendar = {k: np.zeros((2, n_cal + head)) for k in ("gain", "with_work")}
    exits = dict.fromkeys(sc.exit_states, 0.0)
    months_to = dict.fromkeys(sc.exit_states, 0.0)
    months_total = 0.0
    n_by = np.zeros(2)
    jobs_without = np.zeros(2)
    work_12 = np.zeros((2, 2))
    service: dict[str, np.ndarray] = {iv.name: np.zeros((2, n_cal)) for iv in sc.interventions}
    starts: dict[str, np.ndarray] = {iv.name: np.zeros((2, n_cal)) for iv in sc.interventions}
    for (_, arr), ps in zip(classes, per, strict=True):
        count = float(arr.sum())
        if count <= 0:
            continue
        when = np.arange(len(arr)) * DT
        d_arr = float(arr @ discount(when, rules.rate))
        shift = np.floor(when + 0.5).astype(np.int64)
        a_shift = np.bincount(shift, weights=arr)
        a_shift_pv = np.bincount(shift, weights=arr * discount(when, rules.rate))
        for cell, p in zip(cells, ps, strict=True):
            rows, extra = _rows(p, cell, rules, state_good, t)
            w = cell.share
            for name in CURVES:
                curves[name] += w * count * rows[name]
                curves_pv[name] += w * d_arr * rows[name]
            for name in swapped:
                swapped[name] += w * d_arr * extra["swapped:" + name]
            for name in calendar:
                one = rows[name].sum(axis=0)[:head] * in_head
                calendar[name][0, :len(a_shift) + head - 1] += w * np.convolve(a_shift, one)
                calendar[name][1, :len(a_shift) + head - 1] += w * np.convolve(a_shift_pv,
                                                                               one * disc_u)
            for s in exits:
                exits[s] += w * count * (p.exits[s][0].sum() + p.beyond[s])
                months_to[s] += w * count * (p.exits[s][1].sum() + p.beyond[s] * n * DT)
            months_total += w * count * sum(sv.sum() for sv in p.service.values()) * 1.0
            n_by += w * count * extra["n"]
            jobs_without += w * count * extra["jobs_without"]
            work_12 += w * count * extra["work_12"]
            for iv in sc.interventions:
                for k in (GOOD, OTHER):
                    service[iv.name][k] += w * _to_months(np.convolve(arr, p.service[iv.name][k]),
                                                          n_cal)
                    starts[iv.name][k] += w * _to_months(np.convolve(arr, p.starts[iv.name][k]),
                                                         n_cal)
    eff = Effect(n=n_by, curves=curves, curves_pv=curves_pv,
                 calendar={k: v[:, :n_cal] for k, v in calendar.items()}, swapped_pv=swapped,
                 exits=exits, categories={k: v.category for k, v in sc.exit_states.items()},
                 still_in=0.0, jobs_without_at_exit=jobs_without, work_12=work_12,
                 months_to=months_to, months_total=months_total)
    period = float(sc.costs.project_months) if sc.costs.project_months is not None else 0.0
    in_prog = sum(service.values(), np.zeros((2, n_cal)))
    act = Activity(n_cal, period, in_prog, service, starts)
    return Unit(eff, cost_lines(sc, act))


def _to_months(series: np.ndarray, n_cal: int) -> np.ndarray:
    """Per-step amounts on the calendar lattice summed into calendar months."""
    per = round(1.0 / DT)
    m = np.zeros(n_cal * per)
    k = min(len(series), len(m))
    m[:k] = series[:k]
    if len(series) > len(m):
        m[-1] += series[len(m):].sum()
    return m.reshape(n_cal, per).sum(axis=1)


def _exit_times(p: Paths, state_good: dict[str, bool], t: np.ndarray, good: bool
                ) -> tuple[np.ndarray, np.ndarray]:
    """One outcome group's exit-time distribution as equal half-masses at mean ± sd of each
    lattice point: the same mean and variance, exact for a point mass, and it resolves a jump
    (the month a job starts) to second order."""
    m = sum((e for s, e in p.exits.items() if state_good[s] == good), np.zeros((3, len(t))))
    m = m[:, m[0] > 0]                      # only the points where someone leaves
    # rounding noise of the sums must not move a point mass off a whole month (u is 0.5, 1.5, ...)
    mean = np.round(m[1] / m[0], 9)
    var = m[2] / m[0] - mean**2
    sd = np.sqrt(np.where(var > 1e-12 * np.maximum(1.0, mean**2), var, 0.0))
    return np.r_[m[0], m[0]] / 2.0, np.r_[mean - sd, mean + sd]


def _rows(p: Paths, cell: Cell, rules: Rules, state_good: dict[str, bool], t: np.ndarray
          ) -> tuple[dict[str, np.ndarray], dict]:
    """Per arrival: the curves of Effect by group (2, grid), and the other per-arrival sums.

    Functions of the exit time are evaluated at each lattice point's exact mean exit time, so a
    fixed stay is priced exactly; the two groups' masses sit at different mean times.
    """
    f, loss = cell.f, rules.loss
    good_mass, t_good = _exit_times(p, state_good, t, True)
    other_mass, t_other = _exit_times(p, state_good, t, False)
    good_beyond = sum(b for s, b in p.beyond.items() if state_good[s])
    other_beyond = sum(b for s, b in p.beyond.items() if not state_good[s])
    u = rules.u
    without_u = chain(u, f, loss, False)

    def since(when: np.ndarray) -> np.ndarray:
        return u[:, None] - when[None, :]                   # (grid, n): months since exit

    def as_good(x: np.ndarray, mass: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(with, gain) for leavers to a job: in work from the job's start, gain after lag and
        drop-off counted from it."""
        xj = x - rules.job_lag
        factor = np.where(xj >= 0, rules.job_factor(xj), 1.0)
        emp = chain_month(xj, f, loss, True)
        return emp @ mass, (emp * factor) @ mass - without_u * (factor @ mass)

    def as_other(x: np.ndarray, mass: np.ndarray) -> np.ndarray:
        return chain_month(x, f, loss, False) @ mass

    xg, xo = since(t_good), since(t_other)
    pg, po = good_mass.sum() + good_beyond, other_mass.sum() + other_beyond
    with_good, gain_good = as_good(xg, good_mass)
    gain_good = gain_good - without_u * good_beyond
    with_other = as_other(xo, other_mass)
    gain_other = with_other - without_u * po
    rows = {
        "with_work": np.stack([with_good, with_other]),
        "without_work": np.stack([without_u * pg, without_u * po]),
        "gain": np.stack([gain_good, gain_other]),
        "in_programme": np.stack([pg - after_start(xg)[0] @ good_mass,
                                  po - after_start(xo)[0] @ other_mass]),
    }
    # each group priced as if its outcome were the other's: the break-even share needs it only
    # when one group is empty (then that group borrows the other's exit times)
    swapped = {k: np.zeros((2, len(u))) for k in ("gain", "with_work")}
    if pg == 0 or po == 0:
        g_as_o = as_other(xg, good_mass)
        o_as_g_with, o_as_g_gain = as_good(xo, other_mass)
        swapped["gain"] = np.stack([g_as_o - without_u * pg,
                                    o_as_g_gain - without_u * other_beyond])
        swapped["with_work"] = np.stack([g_as_o, o_as_g_with])
    w12 = np.stack([chain(12.0 - t_good - rules.job_lag, f, loss, True) @ good_mass,
                    chain(12.0 - t_other, f, loss, False) @ other_mass])
    without12 = float(chain(np.array(12.0), f, loss, False))
    extra = {
        "n": np.array([pg, po]),
        "jobs_without": np.array([chain(t_good, f, loss, False) @ good_mass,
                                  chain(t_other, f, loss, False) @ other_mass]),
        "work_12": np.stack([w12, np.array([without12 * pg, without12 * po])]),
        "swapped:gain": swapped["gain"], "swapped:with_work": swapped["with_work"],
    }
    return rows, extra
