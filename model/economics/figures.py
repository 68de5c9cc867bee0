"""From an Effect and cost lines to the decision figures: views, counts, break-even, payback.

One function per stage (hesim's shape): `view_figures` prices the gain in each view, `counts`
gives the head counts, `breakeven` the share of good outcomes at which the NPV is 0, `payback`
the month from which cumulative benefit stays above cumulative cost. `figures` runs them all on
one replication (or one expected run) and returns a flat mapping of metrics.

Against a reference programme (`counterfactual.reference`), every decision figure is
incremental: the gain is the programme's employment minus the reference's, and the cost is the
programme's minus the reference's, the reference scaled to the programme's number of
participants. A programme against itself gives exactly 0 for all of them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from model.economics.costs import LINKED_GOOD, LINKED_OTHER, UNLINKED, Line
from model.economics.effect import GOOD, OTHER, Effect, Rules, discount
from model.economics.valuation import Values, values
from model.scenario import FUNDERS, Scenario


def view_key(years: float) -> str:
    """Column suffix for a horizon view: 1.0 -> '1y', 2.5 -> '2.5y'."""
    return f"{years:g}y"


def headline(sc: Scenario) -> str:
    """The decision's figure: the NPV over the scenario's headline horizon (`npv:5y`)."""
    return f"npv:{view_key(sc.valuation.horizon_years)}"


def views(sc: Scenario) -> list[float]:
    """The views priced: every `views_years` and the headline horizon, in years, ascending."""
    return sorted(set(sc.valuation.views_years) | {sc.valuation.horizon_years})


@dataclass
class Baseline:
    """A reference programme's effect and cost lines, scaled to the programme's participants."""

    effect: Effect
    lines: list[Line]
    scale: float


@dataclass
class Parts:
    """What the stages share: multipliers, the cost split and what the reference takes off."""

    rules: Rules
    values: Values                     # what a person-year in work is worth, to whom
    adjust: float                      # (1 − deadweight) x (1 − displacement) x (1 − haircut)
    extent: float                      # employment extent (share of full time)
    cost_month: np.ndarray             # real cost by calendar month (incremental)
    cost_disc: np.ndarray              # discount factors at calendar month midpoints
    linked_pv: np.ndarray              # (2,) real cost PV linked to good / other participants
    fixed_pv: float                    # real cost PV not linked to participants, less the reference's

    @property
    def fte(self) -> float:
        """Full-time-equivalent months of work per head-count month gained (after adjustments)."""
        return self.extent * self.adjust

    @property
    def kr_per_month(self) -> float:
        """Societal value of one head-count month in work gained (after adjustments)."""
        return self.values.per_head_year(self.extent) * self.adjust / 12.0


# funders paying from taxes: ASEK's tax factor applies to their costs (not to individuals' or
# others' own money)
TAX_FINANCED = ("esf", "kommun", "arbetsformedlingen", "forsakringskassan", "region",
                "samordningsforbund", "staten")


def _real(lines: list[Line], tax_factor: float = 1.0) -> list[Line]:
    """The real (societal) cost lines, tax-financed ones times ASEK's tax factor when set."""
    out = [line for line in lines if not line.allowance]
    if tax_factor == 1.0:
        return out
    return [Line(x.funder, x.label, x.allowance,
                 x.amount * (tax_factor if x.funder in TAX_FINANCED else 1.0)) for x in out]


def parts(sc: Scenario, eff: Effect, lines: list[Line], base: Baseline | None) -> Parts:
    rules = Rules.of(sc)
    n_cal = len(lines[0].total) if lines else len(eff.calendar["gain"][0])
    tax = sc.valuation.tax_factor
    ref_lines = _real(base.lines, tax) if base is not None else []
    # a reference priced over more months keeps all its costs: both go on the longer calendar
    n_cal = max([n_cal, *(len(line.total) for line in ref_lines)])
    cost_disc = discount(np.arange(n_cal) + 0.5, rules.rate)
    real = _real(lines, tax)
    by_kind = sum((np.stack([_fit(row, n_cal) for row in line.amount]) for line in real),
                  np.zeros((3, n_cal)))
    cost_month = by_kind.sum(axis=0)
    fixed_pv = float(by_kind[UNLINKED] @ cost_disc)
    if base is not None:
        # summed as the programme's own lines are (by kind, then over kinds), so that a programme
        # against itself nets to exactly 0, not to rounding noise
        ref = sum((np.stack([_fit(row, n_cal) for row in line.amount]) for line in ref_lines),
                  np.zeros((3, n_cal))).sum(axis=0) * base.scale
        cost_month = cost_month - ref
        fixed_pv -= float(ref @ cost_disc)
    cf, val = sc.counterfactual, sc.valuation
    adjust = (1 - cf.deadweight) * (1 - cf.displacement) * (1 - val.confidence_haircut)
    linked = np.array([float(by_kind[LINKED_GOOD] @ cost_disc),
                       float(by_kind[LINKED_OTHER] @ cost_disc)])
    return Parts(rules, values(sc), adjust, sc.employment.extent, cost_month, cost_disc, linked,
                 fixed_pv)


def _fit(a: np.ndarray, n: int) -> np.ndarray:
    """`a` cut or zero-padded to length n (a reference run may be priced over other months)."""
    out = np.zeros(n)
    k = min(n, len(a))
    out[:k] = a[:k]
    return out


def _gain(eff: Effect, base: Baseline | None, pv: bool) -> tuple[np.ndarray, np.ndarray]:
    """(gain by group, gain taken off by the reference) by month since arrival."""
    curves = eff.curves_pv if pv else eff.curves
    if base is None:
        return curves["gain"], np.zeros(curves["gain"].shape[1])
    ref = base.effect.curves_pv if pv else base.effect.curves
    return curves["with_work"], base.scale * ref["with_work"].sum(axis=0)


def view_heads(sc: Scenario, eff: Effect, p: Parts, base: Baseline | None
               ) -> dict[float, tuple[float, float]]:
    """Per view (years): head-count months in work gained within it, undiscounted and PV (before
    the extent and the adjustments). The societal and the per-actor views both price these."""
    u = p.rules.u
    disc_u = discount(u, p.rules.rate)
    gain, ref = _gain(eff, base, pv=False)
    gain_pv, ref_pv = _gain(eff, base, pv=True)
    out = {}
    for years in views(sc):
        w = (u < years * 12.0).astype(float)
        out[years] = (float(w @ (gain.sum(axis=0) - ref)),
                      float((w * disc_u) @ (gain_pv.sum(axis=0) - ref_pv)))
    return out


def view_figures(sc: Scenario, eff: Effect, p: Parts, base: Baseline | None
                 ) -> dict[str, float]:
    """Shortened unemployment, societal revenue (undiscounted and PV), NPV and BCR per view."""
    cost_pv = float(p.cost_month @ p.cost_disc)
    m: dict[str, float] = {}
    for years, (head, head_pv) in view_heads(sc, eff, p, base).items():
        k = view_key(years)
        m[f"person_years:{k}"] = head * p.fte / 12.0
        m[f"revenue:{k}"] = head * p.kr_per_month
        m[f"person_years_pv:{k}"] = head_pv * p.fte / 12.0
        m[f"revenue_pv:{k}"] = head_pv * p.kr_per_month
        m[f"npv:{k}"] = m[f"revenue_pv:{k}"] - cost_pv
        m[f"bcr:{k}"] = m[f"revenue_pv:{k}"] / cost_pv if cost_pv > 1e-9 else math.nan
    return m


def health_figures(sc: Scenario, eff: Effect, base: Baseline | None) -> dict[str, float]:
    """QALYs gained per view, undiscounted and PV, and their value when a kr per QALY is given.

    Per month, (U_programme − U_outside)·P(in the programme) + (U_work − U_outside)·(P(work with)
    − P(work without)), summed over participants / 12: the health-state utilities of
    `health`, beside the labour-market NPV, never added to it.
    """
    h = sc.health
    if h is None:
        return {}
    u = Rules.of(sc).u
    disc_u = discount(u, sc.valuation.discount_rate)
    out: dict[str, float] = {}
    for pv, curves in ((False, eff.curves), (True, eff.curves_pv)):
        prog = curves["in_programme"].sum(axis=0)
        work = curves["with_work"].sum(axis=0)
        if base is None:
            work = work - curves["without_work"].sum(axis=0)
        else:
            ref = base.effect.curves_pv if pv else base.effect.curves
            prog = prog - base.scale * ref["in_programme"].sum(axis=0)
            work = work - base.scale * ref["with_work"].sum(axis=0)
        month = ((h.utility_in_programme - h.utility_outside_work) * prog
                 + (h.utility_in_work - h.utility_outside_work) * work) / 12.0
        for years in views(sc):
            k = view_key(years)
            w = (u < years * 12.0) * (disc_u if pv else 1.0)
            out[f"qaly{'_pv' if pv else ''}:{k}"] = float(w @ month)
    if h.value_per_qaly is not None:
        for years in views(sc):
            k = view_key(years)
            out[f"qaly_value_pv:{k}"] = out[f"qaly_pv:{k}"] * h.value_per_qaly
    return out


def counts(eff: Effect, base: Baseline | None) -> dict[str, float]:
    """Participants, exits, and extra jobs at exit and at 12 months (head counts)."""
    n = eff.participants
    work = eff.exits_in("work")
    m = {"participants": n, "exits_work": work, "exits_studies": eff.exits_in("studies"),
         "share_work": work / n if n else math.nan, "still_in_programme": eff.still_in,
         "exits_good": float(eff.n[GOOD])}
    if base is None:
        m["jobs_without_at_exit"] = float(eff.jobs_without_at_exit.sum())
        with12, without12 = eff.work_12[0].sum(), eff.work_12[1].sum()
    else:
        m["jobs_without_at_exit"] = base.scale * base.effect.exits_in("work")
        with12, without12 = eff.work_12[0].sum(), base.scale * base.effect.work_12[0].sum()
    m["extra_jobs_at_exit"] = work - m["jobs_without_at_exit"]
    m["extra_jobs_12m"] = float(with12 - without12)
    for state, k in eff.exits.items():
        m[f"share:{state}"] = k / n if n else math.nan
        m[f"mean_months_to:{state}"] = eff.months_to[state] / k if k > 0 else math.nan
    m["mean_months_in_programme"] = eff.months_total / n if n else math.nan
    return m


def share_of(need: float, slope: float, own: float | None = None, npv: float | None = None
             ) -> float:
    """The share on the line NPV(s) = slope·s − need where the NPV is 0 (NaN when more good
    outcomes do not raise the NPV). Given the model's own share and its NPV, the share is found as
    own − NPV/slope (the same line): a programme whose NPV is exactly 0 (against itself) breaks
    even at exactly its own share, without rounding noise."""
    if not np.isfinite(slope) or slope <= 0:
        return math.nan
    if own is not None and npv is not None:
        return float(own - npv / slope)
    return need / slope


def breakeven_line(sc: Scenario, eff: Effect, p: Parts, base: Baseline | None, years: float,
                   npv: float | None = None) -> tuple[float, float]:
    """Share of good outcomes at which the NPV of a view is 0, each outcome keeping its timing.

    NPV(s) = n [s·a_good + (1 − s)·a_other] + K, where a_g is the mean, over participants of
    group g, of their discounted gain less the cost linked to them, and K the rest (costs not
    linked to participants, the reference). At the model's own share this is its NPV exactly.
    A group with nobody in it is given the other group's exit times. NaN when more good
    outcomes do not raise the NPV (then no share reaches 0).

    Returned as the line NPV(s) = slope·s − need: (need, slope), so that several runs or draws
    re-priced at one common share give a mean NPV of 0 at mean(need) / mean(slope). Given the
    view's `npv`, need is written from the model's own share s as slope·s − NPV (the same line).
    """
    u = p.rules.u
    w = (u < years * 12.0) * discount(u, p.rules.rate) * p.kr_per_month
    gain_pv, ref_pv = _gain(eff, base, pv=True)
    benefit = gain_pv @ w                                  # (2,) by group
    swapped = eff.swapped_pv["with_work" if base is not None else "gain"] @ w
    n = eff.n
    mean = np.full(2, math.nan)
    for g in (GOOD, OTHER):
        if n[g] > 0:
            mean[g] = (benefit[g] - p.linked_pv[g]) / n[g]
    for g, h in ((GOOD, OTHER), (OTHER, GOOD)):
        if n[g] <= 0 and n[h] > 0:
            mean[g] = (swapped[h] - p.linked_pv[h]) / n[h]
    total = n.sum()
    k_const = -float(ref_pv @ w) - p.fixed_pv
    slope = total * (mean[GOOD] - mean[OTHER])
    if npv is not None and total > 0 and np.isfinite(slope):
        return float(slope * n[GOOD] / total - npv), float(slope)
    return float(-k_const - total * mean[OTHER]), float(slope)


def payback_month(cum_benefit: np.ndarray, cum_cost: np.ndarray) -> float:
    """Months until cumulative benefit reaches cumulative cost and stays there (NaN if never).

    A month counts only once money has moved (a cost or a benefit); an early crossing that later
    falls back below the cost (costs still accruing) is not a payback. A programme that costs
    nothing, or saves money against its reference, pays back from its first month with no loss.
    """
    started = (np.abs(cum_cost) > 1e-6) | (np.abs(cum_benefit) > 1e-6)  # kr; rounding noise is no money
    if not started.any():
        return math.nan
    behind = np.nonzero((cum_benefit < cum_cost) & started)[0]
    if len(behind) == 0:
        return float(np.argmax(started) + 1)
    last = int(behind[-1])
    return float(last + 2) if last + 1 < len(cum_cost) else math.nan


def gain_calendar(eff: Effect, p: Parts, base: Baseline | None) -> np.ndarray:
    """Head-count months of work gained within the headline horizon (after the adjustments), by
    calendar month: (2, n_cal), undiscounted and discounted."""
    if base is None:
        cal = eff.calendar["gain"]
    else:
        # the longer calendar of the two: a reference whose intake runs longer keeps its tail
        n = max(eff.calendar["with_work"].shape[1], base.effect.calendar["with_work"].shape[1])
        own = np.stack([_fit(r, n) for r in eff.calendar["with_work"]])
        ref = np.stack([_fit(r, n) for r in base.effect.calendar["with_work"]])
        cal = own - base.scale * ref
    return cal * p.adjust


def figures(sc: Scenario, eff: Effect, lines: list[Line], base: Baseline | None = None,
            p: Parts | None = None) -> dict[str, float]:
    """Every metric of one replication (or one expected run), as a flat mapping; `p`: its
    `parts`, when the caller has them."""
    p = parts(sc, eff, lines, base) if p is None else p
    m = counts(eff, base)
    n = m["participants"]
    # the same cost basis as the ratios (BCR, cost per extra job): with ASEK's tax factor set,
    # tax-financed costs are shown times the factor in every cost row (labelled so)
    real = _real(lines, sc.valuation.tax_factor)
    real_total = sum(float(line.total.sum()) for line in real)
    m["cost"] = real_total
    m["cost_pv"] = float(sum(float(line.total @ p.cost_disc[:len(line.total)]) for line in real))
    m["cost_per_participant"] = real_total / n if n else math.nan
    m["net_cost"] = float(p.cost_month.sum())
    m["net_cost_pv"] = float(p.cost_month @ p.cost_disc)
    if base is not None:
        m["reference_cost_pv"] = m["cost_pv"] - m["net_cost_pv"]
    m["budget"] = sum(float(line.total.sum()) for line in lines)
    for f in FUNDERS:
        m[f"budget:{f}"] = sum(float(line.total.sum()) for line in lines if line.funder == f)
    m["esf_grant"] = m["budget:esf"]
    m["cofinancing"] = m["budget"] - m["esf_grant"]
    m["allowances"] = sum(float(line.total.sum()) for line in lines if line.allowance)
    extra = m["extra_jobs_at_exit"]
    m["cost_per_extra_job"] = m["net_cost"] / extra if extra > 0 else math.nan
    m |= view_figures(sc, eff, p, base)
    m |= health_figures(sc, eff, base)
    jobs_line = jobs_without_line(eff, base, m)
    for years in views(sc):
        k = view_key(years)
        need, slope = breakeven_line(sc, eff, p, base, years, m[f"npv:{k}"])
        own = eff.n[GOOD] / n if n > 0 else None
        share = share_of(need, slope, own, m[f"npv:{k}"])
        m[f"breakeven_need:{k}"], m[f"breakeven_slope:{k}"] = need, slope
        m[f"breakeven_work_share:{k}"] = share
        m[f"breakeven_work_exits:{k}"] = share * n
        if base is not None and n > 0:  # the reference's jobs stay: only the programme's move
            # good exits less the reference's jobs (as share·n − jobs without), written from the
            # extra jobs so that a programme against itself gives exactly 0
            studies = m["exits_studies"] if sc.employment.value_studies else 0.0
            m[f"breakeven_extra_jobs:{k}"] = (m["extra_jobs_at_exit"] + studies
                                               + (share - eff.n[GOOD] / n) * n)
        else:
            m[f"breakeven_extra_jobs:{k}"] = share * n - _jobs_without_at(jobs_line, share, m)
    m["jobs_without_at_share0"], m["jobs_without_per_share"] = jobs_line
    head = view_key(sc.valuation.horizon_years)
    for name in ("person_years", "revenue", "revenue_pv", "npv", "bcr"):
        m[name] = m[f"{name}:{head}"]
    m["pays_back"] = float(m["npv"] > 0)
    cal = gain_calendar(eff, p, base) * (p.kr_per_month / p.adjust if p.adjust else 0.0)
    n = max(cal.shape[1], len(p.cost_month))
    m["payback_months"] = payback_month(np.cumsum(_fit(cal[1], n)),
                                        np.cumsum(_fit(p.cost_month, n) * _fit(p.cost_disc, n)))
    return m


def _jobs_without_at(line: tuple[float, float], share: float, m: dict[str, float]) -> float:
    """Counterfactual jobs at exit had the good share been `share` (each group keeping its own;
    `line`: `jobs_without_line`)."""
    if math.isnan(share):
        return m["jobs_without_at_exit"]
    at0, per_share = line
    return at0 + share * per_share


def jobs_without_line(eff: Effect, base: Baseline | None, m: dict[str, float]
                      ) -> tuple[float, float]:
    """Counterfactual jobs at exit as a line in the good share s: (at s = 0, per unit of s)."""
    if base is not None:
        return m["jobs_without_at_exit"], 0.0
    n = eff.n
    per = np.where(n > 0, eff.jobs_without_at_exit / np.where(n > 0, n, 1.0), math.nan)
    per = np.where(np.isnan(per), np.nanmean(per) if np.isfinite(per).any() else 0.0, per)
    return float(n.sum() * per[OTHER]), float(n.sum() * (per[GOOD] - per[OTHER]))
