"""Pricing over many parameter draws at once: `figures` with a leading axis over draws (issue 22).

The same stages as `model.economics.figures` (parts, counts, views, QALYs, break-even, payback)
and the same cost rules as `model.economics.costs`, on `model.expected.batch.Effects` and cost
lines whose arrays carry one row per draw (or one row shared by all). The numbers a draw may
change here (`Pricing`): employment extent, the value of a person-year, deadweight,
displacement, the confidence haircut, and the kronor of each intervention's and each
per-participant-month cost line. The per-draw `figures` stays the reference
(tests/test_vector.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from model.economics.costs import (
    LINKED_GOOD,
    LINKED_OTHER,
    UNLINKED,
    Activity,
    budget_lines,
    capacity_months,
    capacity_staff_lines,
    fixed_lines,
    lump_sum_lines,
    staff_lines,
)
from model.economics.effect import GOOD, OTHER, Rules, discount
from model.economics.figures import TAX_FINANCED, view_key, views
from model.economics.valuation import values
from model.expected.batch import BLine, Effects
from model.scenario import FUNDERS, Scenario


@dataclass
class Pricing:
    """Per-draw numbers that enter pricing only (each (B,), or absent: as in the scenario)."""

    size: int
    extent: np.ndarray | None = None
    value_per_year: np.ndarray | None = None
    deadweight: np.ndarray | None = None
    displacement: np.ndarray | None = None
    haircut: np.ndarray | None = None
    # (intervention index, cost line index, field) and (per-participant-month line index, field)
    iv_costs: dict[tuple[int, int, str], np.ndarray] = field(default_factory=dict)
    pm_costs: dict[tuple[int, str], np.ndarray] = field(default_factory=dict)

    def get(self, name: str, base: float) -> np.ndarray:
        x = getattr(self, name)
        return np.full(self.size, float(base)) if x is None else np.asarray(x, float)


@dataclass
class BBaseline:
    """A reference programme's effects and lines (one row) and its scale per draw (B,)."""

    effect: Effects
    lines: list[BLine]
    scale: np.ndarray


def cost_lines_b(sc: Scenario, act: Activity, pr: Pricing) -> list[BLine]:
    """`costs.cost_lines` over draws: `act` arrays carry a leading axis over draws."""
    n_cal, b = act.n_cal, pr.size
    zero_act = Activity(n_cal, act.period, np.zeros((2, n_cal)), {}, {})
    lines: list[BLine] = []
    for rule in (budget_lines, fixed_lines, staff_lines, capacity_staff_lines, lump_sum_lines):
        lines += [BLine(x.funder, x.label, x.allowance, x.amount[None]) for x in rule(sc, zero_act)]
    for k, line in enumerate(sc.costs.per_participant_month):
        ppm = pr.pm_costs.get((k, "per_participant_month"), np.full(b, line.per_participant_month))
        amount = np.zeros((b, 3, n_cal))
        amount[:, :2] = ppm[:, None, None] * act.in_programme
        lines.append(BLine(line.funder, line.label or "per participant-month", line.allowance,
                           amount))
    caps = capacity_months(sc, n_cal, act.period)
    for i, iv in enumerate(sc.interventions):
        service, starts = act.service[iv.name], act.starts[iv.name]
        for k, line in enumerate(iv.costs):
            ppm = pr.iv_costs.get((i, k, "per_participant_month"),
                                  np.full(b, line.per_participant_month))
            ps = pr.iv_costs.get((i, k, "per_start"), np.full(b, line.per_start))
            amount = np.zeros((b, 3, n_cal))
            amount[:, :2] = ppm[:, None, None] * service + ps[:, None, None] * starts
            if line.per_place_month:
                amount[:, UNLINKED] += line.per_place_month * caps.get(iv.name, np.zeros(n_cal))
            lines.append(BLine(line.funder, line.label or iv.name, line.allowance, amount))
    uplift = 1.0 + sc.valuation.optimism_bias
    for line in lines:
        line.amount = line.amount * uplift
    return lines


def _fit(a: np.ndarray, n: int) -> np.ndarray:
    """Cut or zero-pad the last axis to n."""
    out = np.zeros((*a.shape[:-1], n))
    k = min(n, a.shape[-1])
    out[..., :k] = a[..., :k]
    return out


def _real(lines: list[BLine], tax: float = 1.0) -> list[BLine]:
    out = [x for x in lines if not x.allowance]
    if tax == 1.0:
        return out
    return [BLine(x.funder, x.label, x.allowance,
                  x.amount * (tax if x.funder in TAX_FINANCED else 1.0)) for x in out]


@dataclass
class BParts:
    rules: Rules
    adjust: np.ndarray
    extent: np.ndarray
    kr_per_month: np.ndarray
    cost_month: np.ndarray      # (B, n_cal)
    cost_disc: np.ndarray       # (n_cal,)
    linked_pv: np.ndarray       # (B, 2)
    fixed_pv: np.ndarray        # (B,)

    @property
    def fte(self) -> np.ndarray:
        return self.extent * self.adjust


def parts_b(sc: Scenario, eff: Effects, lines: list[BLine], pr: Pricing, base: BBaseline | None
            ) -> BParts:
    """`figures.parts` over draws."""
    rules = Rules.of(sc)
    b = pr.size
    n_cal = lines[0].amount.shape[-1] if lines else eff.calendar["gain"].shape[-1]
    tax = sc.valuation.tax_factor
    ref_lines = _real(base.lines, tax) if base is not None else []
    n_cal = max([n_cal, *(x.amount.shape[-1] for x in ref_lines)])
    cost_disc = discount(np.arange(n_cal) + 0.5, rules.rate)
    by_kind = sum((_fit(x.amount, n_cal) for x in _real(lines, tax)), np.zeros((b, 3, n_cal)))
    cost_month = by_kind.sum(axis=1)
    fixed_pv = by_kind[:, UNLINKED] @ cost_disc
    if base is not None:
        ref = sum((_fit(x.total, n_cal) for x in ref_lines), np.zeros((1, n_cal)))
        ref = ref * base.scale[:, None]
        cost_month = cost_month - ref
        fixed_pv = fixed_pv - ref @ cost_disc
    cf, val = sc.counterfactual, sc.valuation
    adjust = ((1 - pr.get("deadweight", cf.deadweight)) * (1 - pr.get("displacement", cf.displacement))
              * (1 - pr.get("haircut", val.confidence_haircut)))
    linked = np.stack([by_kind[:, LINKED_GOOD] @ cost_disc, by_kind[:, LINKED_OTHER] @ cost_disc],
                      axis=1)
    vals = values(sc)
    extent = pr.get("extent", sc.employment.extent)
    per_fte = pr.get("value_per_year", vals.per_fte) if not val.by_parts else np.full(b, vals.per_fte)
    kr = (per_fte * extent + vals.per_head) * adjust / 12.0
    return BParts(rules, adjust, extent, kr, cost_month, cost_disc, linked, fixed_pv)


def _gain(eff: Effects, base: BBaseline | None, pv: bool) -> tuple[np.ndarray, np.ndarray]:
    curves = eff.curves_pv if pv else eff.curves
    if base is None:
        return curves["gain"], np.zeros((1, curves["gain"].shape[-1]))
    ref = base.effect.curves_pv if pv else base.effect.curves
    return curves["with_work"], base.scale[:, None] * ref["with_work"].sum(axis=1)


def counts_b(eff: Effects, base: BBaseline | None) -> dict[str, np.ndarray]:
    """`figures.counts` over draws."""
    n = eff.participants
    pos = n > 0
    safe = np.where(pos, n, 1.0)
    work = eff.exits_in("work")
    m = {"participants": n, "exits_work": work, "exits_studies": eff.exits_in("studies"),
         "share_work": np.where(pos, work / safe, math.nan), "still_in_programme": np.zeros_like(n),
         "exits_good": eff.n[:, GOOD]}
    if base is None:
        m["jobs_without_at_exit"] = eff.jobs_without_at_exit.sum(axis=1)
        with12, without12 = eff.work_12[:, 0].sum(axis=1), eff.work_12[:, 1].sum(axis=1)
    else:
        m["jobs_without_at_exit"] = base.scale * base.effect.exits_in("work")
        with12 = eff.work_12[:, 0].sum(axis=1)
        without12 = base.scale * base.effect.work_12[:, 0].sum(axis=1)
    m["extra_jobs_at_exit"] = work - m["jobs_without_at_exit"]
    m["extra_jobs_12m"] = with12 - without12
    for state, k in eff.exits.items():
        m[f"share:{state}"] = np.where(pos, k / safe, math.nan)
        m[f"mean_months_to:{state}"] = np.where(k > 0, eff.months_to[state] / np.where(k > 0, k, 1.0),
                                                math.nan)
    m["mean_months_in_programme"] = np.where(pos, eff.months_total / safe, math.nan)
    return m


def _breakeven_line(eff: Effects, p: BParts, base: BBaseline | None, years: float,
                    npv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`figures.breakeven_line` over draws: (need, slope) of NPV(s) = slope·s − need."""
    u = p.rules.u
    w = ((u < years * 12.0) * discount(u, p.rules.rate))[None] * p.kr_per_month[:, None]
    gain_pv, ref_pv = _gain(eff, base, pv=True)
    benefit = np.einsum("bkg,bg->bk", gain_pv, w)
    swapped = np.einsum("bkg,bg->bk", eff.swapped_pv["with_work" if base is not None else "gain"], w)
    n = eff.n
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, (benefit - p.linked_pv) / np.where(n > 0, n, 1.0), math.nan)
        for g, h in ((GOOD, OTHER), (OTHER, GOOD)):
            fill = (n[:, g] <= 0) & (n[:, h] > 0)
            mean[:, g] = np.where(fill, (swapped[:, h] - p.linked_pv[:, h])
                                  / np.where(n[:, h] > 0, n[:, h], 1.0), mean[:, g])
        total = n.sum(axis=1)
        k_const = -np.einsum("bg,bg->b", np.broadcast_to(ref_pv, w.shape), w) - p.fixed_pv
        slope = total * (mean[:, GOOD] - mean[:, OTHER])
        own = np.where(total > 0, n[:, GOOD] / np.where(total > 0, total, 1.0), math.nan)
        need = np.where((total > 0) & np.isfinite(slope), slope * own - npv,
                        -k_const - total * mean[:, OTHER])
    return need, slope


def _share_of(need: np.ndarray, slope: np.ndarray, n: np.ndarray, npv: np.ndarray) -> np.ndarray:
    """`figures.share_of` over draws (from the own share and NPV where anyone took part)."""
    total = n.sum(axis=1)
    ok = np.isfinite(slope) & (slope > 0)
    safe = np.where(ok, slope, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        own = n[:, GOOD] / np.where(total > 0, total, 1.0)
        share = np.where(total > 0, own - npv / safe, need / safe)
    return np.where(ok, share, math.nan)


def _payback(cum_benefit: np.ndarray, cum_cost: np.ndarray) -> np.ndarray:
    """`figures.payback_month` per row."""
    started = (np.abs(cum_cost) > 1e-6) | (np.abs(cum_benefit) > 1e-6)
    behind = (cum_benefit < cum_cost) & started
    n = cum_cost.shape[1]
    any_behind = behind.any(axis=1)
    last = n - 1 - np.argmax(behind[:, ::-1], axis=1)
    first = np.argmax(started, axis=1)
    out = np.where(any_behind, np.where(last + 1 < n, last + 2.0, math.nan), first + 1.0)
    return np.where(started.any(axis=1), out, math.nan)


def figures_b(sc: Scenario, eff: Effects, lines: list[BLine], pr: Pricing,
              base: BBaseline | None = None) -> dict[str, np.ndarray]:
    """`figures.figures` over draws: every metric as an array with one value per draw."""
    b = pr.size
    p = parts_b(sc, eff, lines, pr, base)
    m = counts_b(eff, base)
    n = m["participants"]
    pos = n > 0
    real = _real(lines)

    def full(x: np.ndarray | float) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, float), (b,)).copy()

    real_total = full(sum((x.total.sum(axis=1) for x in real), np.zeros(1)))
    m["cost"] = real_total
    m["cost_pv"] = full(sum((x.total @ p.cost_disc[:x.total.shape[1]] for x in real), np.zeros(1)))
    m["cost_per_participant"] = np.where(pos, real_total / np.where(pos, n, 1.0), math.nan)
    m["net_cost"] = p.cost_month.sum(axis=1)
    m["net_cost_pv"] = p.cost_month @ p.cost_disc
    if base is not None:
        m["reference_cost_pv"] = m["cost_pv"] - m["net_cost_pv"]
    m["budget"] = full(sum((x.total.sum(axis=1) for x in lines), np.zeros(1)))
    for f in FUNDERS:
        m[f"budget:{f}"] = full(sum((x.total.sum(axis=1) for x in lines if x.funder == f),
                                    np.zeros(1)))
    m["esf_grant"] = m["budget:esf"]
    m["cofinancing"] = m["budget"] - m["esf_grant"]
    m["allowances"] = full(sum((x.total.sum(axis=1) for x in lines if x.allowance), np.zeros(1)))
    extra = m["extra_jobs_at_exit"]
    m["cost_per_extra_job"] = np.where(extra > 0, m["net_cost"] / np.where(extra > 0, extra, 1.0),
                                       math.nan)
    cost_pv = m["net_cost_pv"]
    u = p.rules.u
    disc_u = discount(u, p.rules.rate)
    gain, ref = _gain(eff, base, pv=False)
    gain_pv, ref_pv = _gain(eff, base, pv=True)
    head_all = gain.sum(axis=1) - ref
    head_all_pv = gain_pv.sum(axis=1) - ref_pv
    for years in views(sc):
        k = view_key(years)
        w = (u < years * 12.0).astype(float)
        head = head_all @ w
        head_pv = head_all_pv @ (w * disc_u)
        m[f"person_years:{k}"] = head * p.fte / 12.0
        m[f"revenue:{k}"] = head * p.kr_per_month
        m[f"person_years_pv:{k}"] = head_pv * p.fte / 12.0
        m[f"revenue_pv:{k}"] = head_pv * p.kr_per_month
        m[f"npv:{k}"] = m[f"revenue_pv:{k}"] - cost_pv
        big = cost_pv > 1e-9
        m[f"bcr:{k}"] = np.where(big, m[f"revenue_pv:{k}"] / np.where(big, cost_pv, 1.0), math.nan)
    m |= _health_b(sc, eff, base)
    for years in views(sc):
        k = view_key(years)
        need, slope = _breakeven_line(eff, p, base, years, m[f"npv:{k}"])
        share = _share_of(need, slope, eff.n, m[f"npv:{k}"])
        m[f"breakeven_need:{k}"], m[f"breakeven_slope:{k}"] = need, slope
        m[f"breakeven_work_share:{k}"] = share
        m[f"breakeven_work_exits:{k}"] = share * n
        if base is not None:  # as figures.figures: written from the extra jobs
            studies = m["exits_studies"] if sc.employment.value_studies else 0.0
            with np.errstate(invalid="ignore", divide="ignore"):
                own = eff.n[:, GOOD] / np.where(n > 0, n, 1.0)
            m[f"breakeven_extra_jobs:{k}"] = np.where(
                n > 0, m["extra_jobs_at_exit"] + studies + (share - own) * n,
                share * n - _jobs_without_at_b(eff, base, share, m))
        else:
            m[f"breakeven_extra_jobs:{k}"] = share * n - _jobs_without_at_b(eff, base, share, m)
    m["jobs_without_at_share0"], m["jobs_without_per_share"] = _jobs_without_line_b(eff, base, m)
    head_key = view_key(sc.valuation.horizon_years)
    for name in ("person_years", "revenue", "revenue_pv", "npv", "bcr"):
        m[name] = m[f"{name}:{head_key}"]
    m["pays_back"] = (m["npv"] > 0).astype(float)
    cal = _gain_calendar(eff, p, base)
    factor = np.where(p.adjust != 0, p.kr_per_month / np.where(p.adjust != 0, p.adjust, 1.0), 0.0)
    cal = cal * factor[:, None, None]
    nn = max(cal.shape[-1], p.cost_month.shape[-1])
    m["payback_months"] = _payback(np.cumsum(_fit(cal[:, 1], nn), axis=1),
                                   np.cumsum(_fit(p.cost_month, nn) * _fit(p.cost_disc, nn), axis=1))
    return {k: full(v) for k, v in m.items()}


def _gain_calendar(eff: Effects, p: BParts, base: BBaseline | None) -> np.ndarray:
    if base is None:
        cal = eff.calendar["gain"]
    else:
        n = max(eff.calendar["with_work"].shape[-1], base.effect.calendar["with_work"].shape[-1])
        cal = (_fit(eff.calendar["with_work"], n)
               - base.scale[:, None, None] * _fit(base.effect.calendar["with_work"], n))
    return cal * p.adjust[:, None, None]


def _health_b(sc: Scenario, eff: Effects, base: BBaseline | None) -> dict[str, np.ndarray]:
    """`figures.health_figures` over draws."""
    h = sc.health
    if h is None:
        return {}
    u = Rules.of(sc).u
    disc_u = discount(u, sc.valuation.discount_rate)
    out: dict[str, np.ndarray] = {}
    for pv, curves in ((False, eff.curves), (True, eff.curves_pv)):
        prog = curves["in_programme"].sum(axis=1)
        work = curves["with_work"].sum(axis=1)
        if base is None:
            work = work - curves["without_work"].sum(axis=1)
        else:
            ref = base.effect.curves_pv if pv else base.effect.curves
            prog = prog - base.scale[:, None] * ref["in_programme"].sum(axis=1)
            work = work - base.scale[:, None] * ref["with_work"].sum(axis=1)
        month = ((h.utility_in_programme - h.utility_outside_work) * prog
                 + (h.utility_in_work - h.utility_outside_work) * work) / 12.0
        for years in views(sc):
            k = view_key(years)
            w = (u < years * 12.0) * (disc_u if pv else 1.0)
            out[f"qaly{'_pv' if pv else ''}:{k}"] = month @ w
    if h.value_per_qaly is not None:
        for years in views(sc):
            k = view_key(years)
            out[f"qaly_value_pv:{k}"] = out[f"qaly_pv:{k}"] * h.value_per_qaly
    return out


def _jobs_without_line_b(eff: Effects, base: BBaseline | None, m: dict[str, np.ndarray]
                         ) -> tuple[np.ndarray, np.ndarray]:
    """`figures.jobs_without_line` over draws: (at s = 0, per unit of s)."""
    if base is not None:
        at0 = np.asarray(m["jobs_without_at_exit"], dtype=float)
        return at0, np.zeros_like(at0)
    per = _per_person_without(eff)
    total = eff.n.sum(axis=1)
    return total * per[:, OTHER], total * (per[:, GOOD] - per[:, OTHER])


def _per_person_without(eff: Effects) -> np.ndarray:
    """Counterfactual jobs per participant of each group (a group nobody is in takes the mean)."""
    n = eff.n
    with np.errstate(invalid="ignore", divide="ignore"):
        per = np.where(n > 0, eff.jobs_without_at_exit / np.where(n > 0, n, 1.0), math.nan)
        finite = np.isfinite(per)
        fill = np.where(finite.any(axis=1),
                        np.nansum(np.where(finite, per, 0.0), axis=1) / np.maximum(finite.sum(axis=1), 1),
                        0.0)
    return np.where(np.isnan(per), fill[:, None], per)


def _jobs_without_at_b(eff: Effects, base: BBaseline | None, share: np.ndarray,
                       m: dict[str, np.ndarray]) -> np.ndarray:
    """`figures._jobs_without_at` over draws."""
    if base is not None:
        return m["jobs_without_at_exit"]
    n = eff.n
    per = _per_person_without(eff)
    out = n.sum(axis=1) * (share * per[:, GOOD] + (1 - share) * per[:, OTHER])
    return np.where(np.isnan(share), m["jobs_without_at_exit"], out)
