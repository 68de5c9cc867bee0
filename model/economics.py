"""Pricing: shortened unemployment against programme cost, per actor, per replication.

A pure function of the simulated tables. For every participant the expected probability of
being in work is computed month by month since arrival, with and without the programme:

* without it (the counterfactual), a participant is unemployed at arrival and moves between
  unemployment and work as a two-state Markov chain: finding work at the counterfactual monthly
  hazard f, losing it at the retention hazard l, so P(work at u) = pi·(1 − exp(−(f+l)u)) with
  pi = f/(f+l);
* with it, the participant is out of work while in the programme (lock-in); after an exit to
  work (or studies, if valued) and an optional lag they start in work, P = pi + (1−pi)·exp(−(f+l)s);
  after any other exit they start unemployed and follow the counterfactual chain.

The difference, times the employment extent and the benefit adjustments (deadweight,
displacement, confidence haircut, drop-off, lag), summed over months in the horizon, is the
shortened unemployment in person-years; priced at the value per person-year it is the societal
revenue (samhällsintäkt). Using expected curves rather than simulated job spells removes a layer
of noise without changing the mean. Method and sources: docs/method.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from model.scenario import FUNDERS, FixedCost, Scenario, StaffCost
from model.simulation import RunResult

WORK_LIKE = ("work",)


@dataclass
class Priced:
    """Per-replication metrics, the actor ledger and the monthly cash flows of one programme."""

    scenario: Scenario
    metrics: pd.DataFrame
    ledger: pd.DataFrame
    flows: pd.DataFrame


def view_key(years: float) -> str:
    """Column suffix for a horizon view: 1.0 -> '1y', 2.5 -> '2.5y'."""
    return f"{years:g}y"


def _discount(months: np.ndarray, rate: float) -> np.ndarray:
    """Present-value factor for amounts at `months` from programme start (annual rate)."""
    return (1.0 + rate) ** (-np.asarray(months, dtype=float) / 12.0)


def present_value(amounts: np.ndarray, months: np.ndarray, rate: float) -> float:
    """Discounted sum of amounts falling at the given months."""
    return float(np.sum(np.asarray(amounts, dtype=float) * _discount(months, rate)))


def _overlap(starts: np.ndarray, ends: np.ndarray, n_months: int) -> np.ndarray:
    """Matrix (intervals x calendar months) of the months each [start, end) covers in month k."""
    k = np.arange(n_months, dtype=float)
    s = np.asarray(starts, dtype=float)[:, None]
    e = np.asarray(ends, dtype=float)[:, None]
    return np.clip(np.minimum(e, k + 1) - np.maximum(s, k), 0.0, None)


def _spread(starts: np.ndarray, ends: np.ndarray, weights: np.ndarray, n_months: int) -> np.ndarray:
    """Total weighted interval-months falling in each calendar month."""
    if len(starts) == 0:
        return np.zeros(n_months)
    return np.asarray(weights, dtype=float) @ _overlap(starts, ends, n_months)


def _at(months: np.ndarray, weights: np.ndarray, n_months: int) -> np.ndarray:
    out = np.zeros(n_months)
    idx = np.clip(np.floor(np.asarray(months, dtype=float)).astype(int), 0, n_months - 1)
    np.add.at(out, idx, np.asarray(weights, dtype=float))
    return out


def _grid_months(sc: Scenario) -> int:
    """Months since arrival on the benefit grid: long enough for the headline and every view."""
    val = sc.valuation
    return math.ceil(max([val.horizon_years, *val.views_years]) * 12)


def _calendar_months(sc: Scenario, end: float, last_arrival: float) -> int:
    """Calendar months to price: the run, every participant's benefit grid and every cost line."""
    c = sc.costs
    stops = [end, last_arrival + _grid_months(sc), 1.0]
    if c.project_months is not None:
        stops.append(float(c.project_months))
    stops += [x.end_month for x in [*c.fixed, *c.staff] if x.end_month is not None]
    stops += [ls.month + 1 for ls in c.lump_sums]
    return math.ceil(max(stops)) + 1


def counterfactual_hazards(sc: Scenario, people: pd.DataFrame) -> np.ndarray:
    """Each participant's monthly hazard of finding work without the programme."""
    cf = sc.counterfactual
    h = np.full(len(people), float(cf.monthly_hazard or 0.0))
    for gh in cf.by_group:
        mask = np.ones(len(people), dtype=bool)
        for attr, level in gh.when.items():
            mask &= (people[attr] == level).to_numpy()
        h[mask] = gh.monthly_hazard
    return h


def _chain(u: np.ndarray, f: np.ndarray, loss: float, start_employed: np.ndarray) -> np.ndarray:
    """P(in work) u months after a start, two-state chain with find rate f and loss rate `loss`."""
    total = f[:, None] + loss
    with np.errstate(invalid="ignore", divide="ignore"):
        pi = np.where(total > 0, f[:, None] / total, 0.0)
    decay = np.exp(-total * np.clip(u, 0, None))
    employed = pi + (1 - pi) * decay
    unemployed = pi * (1 - decay)
    return np.where(start_employed[:, None], employed, unemployed)


def employment_curves(sc: Scenario, people: pd.DataFrame, end: float, n_months: int
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """P(in work) in each month since arrival, with and without the programme, plus the grid.

    These are head-count probabilities; the employment extent is applied when pricing.

    Returns (with, without, u) where u are the month midpoints 0.5, 1.5, ...; still-enrolled
    participants are treated as out of work until the end of the run and unemployed after it.
    """
    emp = sc.employment
    loss = emp.retention.hazard()
    u = np.arange(n_months) + 0.5
    f = counterfactual_hazards(sc, people)
    arrival = people["arrival_month"].to_numpy(dtype=float)
    exit_m = people["exit_month"].to_numpy(dtype=float)
    exit_m = np.where(np.isnan(exit_m), end, exit_m)
    stay = exit_m - arrival
    cats = people["exit_category"].fillna("").to_numpy()
    good = np.isin(cats, ("work", "studies") if emp.value_studies else ("work",))
    lag = np.where(good, emp.lag_months, 0.0)
    since_job_start = u[None, :] - (stay + lag)[:, None]
    after_exit = u[None, :] - stay[:, None]
    p_after = np.where(good[:, None],
                       np.where(since_job_start >= 0, _chain(since_job_start, f, loss, good), 0.0),
                       _chain(after_exit, f, loss, good))
    with_p = np.where(after_exit >= 0, p_after, 0.0)
    without_p = _chain(np.broadcast_to(u, (len(people), n_months)), f, loss,
                       np.zeros(len(people), dtype=bool))
    return with_p, without_p, u


def _capacity_months(sc: Scenario, n_months: int, period: float) -> dict[str, np.ndarray]:
    """Places held in each calendar month per intervention (for per-place costs)."""
    out = {}
    for iv in sc.interventions:
        if iv.capacity is None:
            continue
        changes = sorted(iv.capacity_changes, key=lambda c: c.month)
        times = [0.0] + [c.month for c in changes] + [period]
        slots = [iv.capacity.slots()] + [
            c.places if c.places is not None else iv.capacity.slots(c.staff_fte) for c in changes
        ]
        starts = np.array(times[:-1])
        ends = np.minimum(np.array(times[1:]), period)
        out[iv.name] = _spread(starts, np.maximum(ends, starts), np.array(slots, float), n_months)
    return out


def cost_flows(sc: Scenario, people: pd.DataFrame, visits: pd.DataFrame, end: float,
               n_months: int) -> pd.DataFrame:
    """Monthly cost per cost line (long table: month, funder, line, allowance, amount in kr)."""
    c = sc.costs
    period = float(c.project_months) if c.project_months is not None else end
    rows: list[tuple[str, str, bool, np.ndarray]] = []
    uplift = 1.0 + sc.valuation.optimism_bias

    def add(funder: str, line: str, allowance: bool, monthly: np.ndarray) -> None:
        rows.append((funder, line, allowance, monthly * uplift))

    def over_period(cost: FixedCost | StaffCost, line: str, monthly: float) -> None:
        """`monthly` kr from start_month to end_month (default: the end of the project period)."""
        stop = period if cost.end_month is None else cost.end_month
        add(cost.funder, cost.label or line, False,
            monthly * _spread(np.array([cost.start_month]),
                              np.array([max(stop, cost.start_month)]), np.array([1.0]), n_months))

    for fx in c.fixed:
        over_period(fx, "fixed", fx.per_month)
    for st in c.staff:
        over_period(st, "staff", st.fte * st.monthly_salary * (1.0 + c.employer_contribution))
    for ls in c.lump_sums:
        add(ls.funder, ls.label or "lump sum", False, _at(np.array([ls.month]),
                                                           np.array([ls.amount]), n_months))
    if c.per_participant_month:
        arr = people["arrival_month"].to_numpy(dtype=float)
        ex = people["exit_month"].fillna(end).to_numpy(dtype=float)
        months = _spread(arr, ex, np.ones(len(arr)), n_months)
        for line in c.per_participant_month:
            add(line.funder, line.label or "per participant-month", line.allowance,
                line.per_participant_month * months + 0.0)
    caps = _capacity_months(sc, n_months, period)
    for iv in sc.interventions:
        if not iv.costs:
            continue
        v = visits[(visits["intervention"] == iv.name) & visits["start_month"].notna()]
        s = v["start_month"].to_numpy(dtype=float)
        e = v["end_month"].fillna(end).to_numpy(dtype=float)
        service = _spread(s, e, np.ones(len(s)), n_months)
        starts = _at(s, np.ones(len(s)), n_months)
        for line in iv.costs:
            monthly = line.per_participant_month * service + line.per_start * starts
            if line.per_place_month:
                monthly = monthly + line.per_place_month * caps.get(iv.name, np.zeros(n_months))
            add(line.funder, line.label or iv.name, line.allowance, monthly)
    if not rows:
        return pd.DataFrame(columns=["month", "funder", "line", "allowance", "amount"])
    amounts = np.stack([m for *_, m in rows])
    line_idx, month = np.nonzero(amounts)
    return pd.DataFrame({
        "month": month,
        "funder": np.array([r[0] for r in rows], dtype=object)[line_idx],
        "line": np.array([r[1] for r in rows], dtype=object)[line_idx],
        "allowance": np.array([r[2] for r in rows], dtype=bool)[line_idx],
        "amount": amounts[line_idx, month],
    })


def _monthly(flows: pd.DataFrame, n_cal: int) -> np.ndarray:
    """Total cost in each calendar month."""
    out = np.zeros(n_cal)
    if len(flows):
        np.add.at(out, flows["month"].to_numpy(), flows["amount"].to_numpy())
    return out


@dataclass
class _RepCalc:
    metrics: dict[str, float]
    ledger: pd.DataFrame
    flows: pd.DataFrame
    # per view: (sum of b_o, sum of b_w - sum of b_o), to redo the break-even on the extra cost
    breakeven_parts: dict[str, tuple[float, float]] = field(default_factory=dict)


_EMPTY = pd.DataFrame()


def _price_rep(sc: Scenario, people: pd.DataFrame, visits: pd.DataFrame, end: float,
               reference: tuple[np.ndarray, float] | None, detail: bool = True) -> _RepCalc:
    val = sc.valuation
    horizon_m = _grid_months(sc)
    arrival = people["arrival_month"].to_numpy(dtype=float)
    last_arrival = float(arrival.max()) if len(arrival) else 0.0
    n_cal = _calendar_months(sc, end, last_arrival)
    with_p, without_p, u = employment_curves(sc, people, end, horizon_m)
    if reference is not None:
        ref_curve, _ = reference
        without_p = np.broadcast_to(ref_curve[:horizon_m], with_p.shape)
    mult = (1 - sc.counterfactual.deadweight) * (1 - sc.counterfactual.displacement) * (
        1 - val.confidence_haircut)
    adjust = mult * sc.employment.extent * (1 - val.drop_off_per_year) ** np.floor(u / 12.0)
    adjust = adjust * (u >= val.benefit_lag_months)
    # full-time-equivalent person-months of work gained, per participant and month
    effect = (with_p - without_p) * adjust[None, :]
    cal = arrival[:, None] + u[None, :]  # calendar month midpoints
    disc = _discount(cal, val.discount_rate)

    flows = cost_flows(sc, people, visits, end, n_cal)
    cost_month = _monthly(flows, n_cal)
    cost_disc = _discount(np.arange(n_cal) + 0.5, val.discount_rate)
    cost_total = float(cost_month.sum())
    cost_pv = float(cost_month @ cost_disc)

    n = len(people)
    cats = people["exit_category"].fillna("").to_numpy()
    m: dict[str, float] = {"participants": n, "cost": cost_total, "cost_pv": cost_pv,
                           "cost_per_participant": cost_total / n if n else math.nan}
    by_funder = flows.groupby("funder")["amount"].sum() if len(flows) else pd.Series(dtype=float)
    for f in FUNDERS:
        m[f"cost:{f}"] = float(by_funder.get(f, 0.0))
    m["esf_grant"] = m["cost:esf"]
    m["cofinancing"] = cost_total - m["cost:esf"]
    m["allowances"] = float(flows.loc[flows["allowance"], "amount"].sum()) if len(flows) else 0.0
    m["exits_work"] = float((cats == "work").sum())
    m["exits_studies"] = float((cats == "studies").sum())
    m["share_work"] = m["exits_work"] / n if n else math.nan
    # counterfactual jobs at the same moment as each participant's exit, and at 12 months
    stay = (people["exit_month"].fillna(end) - people["arrival_month"]).to_numpy(dtype=float)
    idx_exit = np.clip(np.floor(stay).astype(int), 0, horizon_m - 1)
    without_at_exit = without_p[np.arange(n), idx_exit] if n else np.array([])
    exited = people["status"].to_numpy() == "exited"
    m["jobs_without_at_exit"] = float(without_at_exit[exited].sum())
    m["extra_jobs_at_exit"] = m["exits_work"] - m["jobs_without_at_exit"]
    i12 = min(11, horizon_m - 1)
    m["extra_jobs_12m"] = float((with_p[:, i12] - without_p[:, i12]).sum())
    m["cost_per_extra_job"] = (cost_total / m["extra_jobs_at_exit"]
                               if m["extra_jobs_at_exit"] > 0 else math.nan)

    # what each participant's benefit would be if they had (or had not) exited to work
    emp = sc.employment
    f = counterfactual_hazards(sc, people)
    loss = emp.retention.hazard()
    since = u[None, :] - (stay + emp.lag_months)[:, None]
    after = u[None, :] - stay[:, None]
    as_work = np.where(since >= 0, _chain(since, f, loss, np.ones(n, bool)), 0.0)
    as_other = np.where(after >= 0, _chain(after, f, loss, np.zeros(n, bool)), 0.0)

    vpm = val.value_per_year / 12.0
    views = sorted(set(val.views_years) | {val.horizon_years})
    parts: dict[str, tuple[float, float]] = {}
    for years in views:
        k = view_key(years)
        in_view = (u < years * 12.0)[None, :]
        eff = effect * in_view
        m[f"person_years:{k}"] = float(eff.sum() / 12.0)
        m[f"revenue:{k}"] = float(eff.sum() * vpm)
        m[f"revenue_pv:{k}"] = float((eff * disc).sum() * vpm)
        # the whole programme cost is set against every view
        m[f"npv:{k}"] = m[f"revenue_pv:{k}"] - cost_pv
        m[f"bcr:{k}"] = m[f"revenue_pv:{k}"] / cost_pv if cost_pv > 0 else math.nan
        bw = ((as_work - without_p) * adjust[None, :] * in_view * disc).sum(axis=1) * vpm
        bo = ((as_other - without_p) * adjust[None, :] * in_view * disc).sum(axis=1) * vpm
        gain = float(bw.sum() - bo.sum())
        parts[k] = (float(bo.sum()), gain)
        share = (cost_pv - float(bo.sum())) / gain if gain > 0 else math.nan
        _set_breakeven(m, k, share, n)
    head = view_key(val.horizon_years)
    m["person_years"] = m[f"person_years:{head}"]
    m["revenue"] = m[f"revenue:{head}"]
    m["revenue_pv"] = m[f"revenue_pv:{head}"]
    m["npv"] = m[f"npv:{head}"]
    m["bcr"] = m[f"bcr:{head}"]
    m["pays_back"] = float(m["npv"] > 0)

    # payback and ledger: the headline horizon (the grid may be longer, for longer views)
    effect = effect * (u < val.horizon_years * 12.0)[None, :]
    # payback: from which calendar month cumulative discounted benefit stays at or above cost
    benefit_month = np.zeros(n_cal)
    np.add.at(benefit_month, np.clip(np.floor(cal).astype(int), 0, n_cal - 1),
              effect * disc * vpm)
    cum_b = np.cumsum(benefit_month)
    cum_c = np.cumsum(cost_month * cost_disc)
    m["payback_months"] = payback_month(cum_b, cum_c)

    if not detail:
        return _RepCalc(m, _EMPTY, _EMPTY, parts)
    ledger = _ledger(sc, flows, effect, cal, disc, n_cal)
    flow_df = pd.DataFrame({"month": np.arange(n_cal), "cost": cost_month,
                            "cost_pv": cost_month * cost_disc, "benefit_pv": benefit_month})
    return _RepCalc(m, ledger, flow_df, parts)


def payback_month(cum_benefit: np.ndarray, cum_cost: np.ndarray) -> float:
    """Months until cumulative benefit reaches cumulative cost and stays there (NaN if never).

    A month counts only once costs have started; an early crossing that later falls back
    below the cost (costs still accruing) is not a payback.
    """
    started = cum_cost > 0
    if not started.any():
        return math.nan
    behind = np.nonzero((cum_benefit < cum_cost) & started)[0]
    if len(behind) == 0:
        return float(np.argmax(started) + 1)
    last = int(behind[-1])
    return float(last + 2) if last + 1 < len(cum_cost) else math.nan


def _set_breakeven(m: dict[str, float], k: str, share: float, n: int) -> None:
    m[f"breakeven_work_share:{k}"] = share
    m[f"breakeven_work_exits:{k}"] = share * n if not math.isnan(share) else math.nan
    m[f"breakeven_extra_jobs:{k}"] = (share * n - m["jobs_without_at_exit"]
                                      if not math.isnan(share) else math.nan)


def _ledger(sc: Scenario, flows: pd.DataFrame, effect: np.ndarray, cal: np.ndarray,
            disc: np.ndarray, n_cal: int) -> pd.DataFrame:
    """Cost and benefit per actor per year (vem betalar, vem vinner), undiscounted and PV."""
    val = sc.valuation
    year_of = np.clip(np.floor(cal / 12.0).astype(int), 0, None)
    years = int(year_of.max()) + 1 if year_of.size else 1
    years = max(years, (n_cal + 11) // 12)
    py = np.zeros(years)
    py_pv = np.zeros(years)
    np.add.at(py, year_of, effect / 12.0)
    np.add.at(py_pv, year_of, effect * disc / 12.0)
    cost_year = np.zeros((len(FUNDERS), years))
    cost_year_pv = np.zeros((len(FUNDERS), years))
    if len(flows):
        fidx = flows["funder"].map({f: i for i, f in enumerate(FUNDERS)}).to_numpy()
        yidx = (flows["month"].to_numpy() // 12).astype(int)
        amt = flows["amount"].to_numpy()
        amt_pv = amt * _discount(flows["month"].to_numpy() + 0.5, val.discount_rate)
        np.add.at(cost_year, (fidx, yidx), amt)
        np.add.at(cost_year_pv, (fidx, yidx), amt_pv)
    share = np.array([val.actor_shares.get(a, 0.0) for a in FUNDERS])[:, None]
    net_transfer = np.array([
        sum(t.per_year for t in val.transfers if t.payee == a)
        - sum(t.per_year for t in val.transfers if t.payer == a) for a in FUNDERS])[:, None]
    df = pd.DataFrame({
        "actor": np.repeat(np.array(FUNDERS, dtype=object), years),
        "year": np.tile(np.arange(years), len(FUNDERS)),
        "cost": cost_year.ravel(), "cost_pv": cost_year_pv.ravel(),
        "benefit": (share * val.value_per_year * py[None, :]).ravel(),
        "benefit_pv": (share * val.value_per_year * py_pv[None, :]).ravel(),
        "transfers": (net_transfer * py[None, :]).ravel(),
        "transfers_pv": (net_transfer * py_pv[None, :]).ravel(),
    })
    df["net"] = df["benefit"] + df["transfers"] - df["cost"]
    df["net_pv"] = df["benefit_pv"] + df["transfers_pv"] - df["cost_pv"]
    return df


def reference_curve(sc: Scenario, run: RunResult, rep: int) -> tuple[np.ndarray, float]:
    """Mean P(in work) by month since arrival in a reference run, and its PV cost (kr)."""
    p = run.participants[run.participants["rep"] == rep]
    v = run.visits[run.visits["rep"] == rep]
    end = float(run.stations.loc[run.stations["rep"] == rep, "end_month"].max())
    with_p, _, _ = employment_curves(run.scenario, p, end, _grid_months(sc))
    arrival = p["arrival_month"].to_numpy(dtype=float)
    n_cal = _calendar_months(run.scenario, end, float(arrival.max()) if len(arrival) else 0.0)
    flows = cost_flows(run.scenario, p, v, end, n_cal)
    # aggregated by month exactly as the programme's own cost PV, so equal costs cancel exactly
    cost_pv = float(_monthly(flows, n_cal) @ _discount(np.arange(n_cal) + 0.5,
                                                       sc.valuation.discount_rate))
    return with_p.mean(axis=0), cost_pv


def price(run: RunResult, reference: RunResult | None = None, detail: bool = True) -> Priced:
    """Price every replication of a run; with a reference run, its employment is the counterfactual.

    With `detail=False` only the metrics are computed (no ledger or monthly flows): for sweeps.
    """
    sc = run.scenario
    metrics, ledgers, flows = [], [], []
    ends = run.stations.groupby("rep")["end_month"].max()
    p_by = dict(tuple(run.participants.groupby("rep")))
    v_by = dict(tuple(run.visits.groupby("rep")))
    for rep in range(run.replications):
        people = p_by.get(rep, run.participants.iloc[0:0])
        visits = v_by.get(rep, run.visits.iloc[0:0])
        ref = reference_curve(sc, reference, rep) if reference is not None else None
        calc = _price_rep(sc, people, visits, float(ends.get(rep, 0.0)), ref, detail)
        if ref is not None:
            _incremental(calc, ref[1])
        metrics.append({"rep": rep, **calc.metrics})
        ledgers.append(calc.ledger.assign(rep=rep))
        flows.append(calc.flows.assign(rep=rep))
    if not detail:
        return Priced(sc, pd.DataFrame(metrics), _EMPTY, _EMPTY)
    return Priced(sc, pd.DataFrame(metrics), pd.concat(ledgers, ignore_index=True),
                  pd.concat(flows, ignore_index=True))


def _incremental(calc: _RepCalc, ref_cost_pv: float) -> None:
    """Against a costed reference, NPV, BCR and break-even use the programme's extra cost."""
    if ref_cost_pv == 0:
        return
    m = calc.metrics
    extra = m["cost_pv"] - ref_cost_pv
    # an extra cost within rounding of 0 (equal costs) has no meaningful ratio
    positive = extra > 1e-9 * max(m["cost_pv"], ref_cost_pv)
    for key in [k for k in m if k.startswith("revenue_pv")]:
        suffix = key[len("revenue_pv"):]
        m[f"npv{suffix}"] = m[key] - extra
        m[f"bcr{suffix}"] = m[key] / extra if positive else math.nan
    for k, (bo_sum, gain) in calc.breakeven_parts.items():
        share = (extra - bo_sum) / gain if gain > 0 else math.nan
        _set_breakeven(m, k, share, int(m["participants"]))
    m["reference_cost_pv"] = ref_cost_pv
    m["pays_back"] = float(m["npv"] > 0)


METRIC_UNITS: dict[str, str] = {
    "participants": "participants",
    "cost": "kr",
    "cost_pv": "kr",
    "cost_per_participant": "kr",
    "esf_grant": "kr",
    "cofinancing": "kr",
    "allowances": "kr",
    "exits_work": "participants",
    "exits_studies": "participants",
    "share_work": "share",
    "extra_jobs_at_exit": "jobs",
    "extra_jobs_12m": "jobs",
    "cost_per_extra_job": "kr",
    "person_years": "person-years",
    "revenue": "kr",
    "revenue_pv": "kr",
    "npv": "kr",
    "bcr": "ratio",
    "payback_months": "months",
    "pays_back": "share",
}
# higher is better (+1), lower is better (-1), neither (0): used by compare
DIRECTION: dict[str, int] = {
    "cost": -1, "cost_pv": -1, "cost_per_participant": -1, "share_work": 1,
    "extra_jobs_at_exit": 1, "extra_jobs_12m": 1, "cost_per_extra_job": -1, "person_years": 1,
    "revenue": 1, "revenue_pv": 1, "npv": 1, "bcr": 1, "payback_months": -1, "pays_back": 1,
}


def metric_units(sc: Scenario) -> dict[str, str]:
    """Units of every metric column, including the per-view and per-funder ones."""
    units = dict(METRIC_UNITS)
    for f in FUNDERS:
        units[f"cost:{f}"] = "kr"
    for years in sorted(set(sc.valuation.views_years) | {sc.valuation.horizon_years}):
        k = view_key(years)
        units |= {f"person_years:{k}": "person-years", f"revenue:{k}": "kr",
                  f"revenue_pv:{k}": "kr", f"npv:{k}": "kr", f"bcr:{k}": "ratio",
                  f"breakeven_work_share:{k}": "share", f"breakeven_work_exits:{k}": "participants",
                  f"breakeven_extra_jobs:{k}": "jobs"}
    return units
