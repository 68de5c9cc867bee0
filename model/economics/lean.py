"""A few figures over draws without the rest (issue 22, target 5): a calibration's targets.

`model.economics.vector.figures_b` prices every figure of every draw; a calibration needs two or
three of them (a cost, a revenue) at tens of thousands of batches. `lean_figures_b` computes
only the metrics asked for, by the same operations in the same order as `figures_b` (so equal to
it bit for bit; tests/test_calibrate_speed.py), and says None when one of them is not among those
it knows: the caller then prices in full. `batch_unit(..., lean=True)` leaves out what these
metrics do not use.
"""

from __future__ import annotations

import numpy as np

from model.economics.figures import view_key, views
from model.economics.vector import BBaseline, BLine, Pricing, _gain, _real, parts_b
from model.expected.batch import Effects
from model.scenario import Scenario

PER_VIEW = ("revenue", "person_years", "revenue_pv", "person_years_pv")
PLAIN = ("cost", "participants")


def lean_metrics(sc: Scenario, only: frozenset[str]) -> bool:
    """True when every metric of `only` is one `lean_figures_b` computes for this scenario."""
    keys = {view_key(y) for y in views(sc)}
    for name in only:
        base, _, k = name.partition(":")
        if name in PLAIN or (base in PER_VIEW and (k in keys if k else True)):
            continue
        return False
    return True


def lean_figures_b(sc: Scenario, eff: Effects, lines: list[BLine], pr: Pricing,
                   base: BBaseline | None, only: frozenset[str]) -> dict[str, np.ndarray]:
    """The metrics of `only` (`lean_metrics` must hold) at every draw, each (B,)."""
    b = pr.size

    def full(x: np.ndarray | float) -> np.ndarray:
        return np.broadcast_to(np.asarray(x, float), (b,)).copy()

    m: dict[str, np.ndarray] = {}
    if "participants" in only:
        m["participants"] = full(eff.participants)
    if "cost" in only:
        m["cost"] = full(sum((x.total.sum(axis=1) for x in _real(lines)), np.zeros(1)))
    head_key = view_key(sc.valuation.horizon_years)
    wanted = {}
    for name in only:
        kind, _, k = name.partition(":")
        if kind in PER_VIEW:
            wanted.setdefault(k or head_key, set()).add((kind, name))
    if not wanted:
        return m
    p = parts_b(sc, eff, lines, pr, base)
    u = p.rules.u
    disc_u = None
    gain, ref = _gain(eff, base, pv=False)
    head_all = gain.sum(axis=1) - ref
    for years in views(sc):
        k = view_key(years)
        if k not in wanted:
            continue
        w = (u < years * 12.0).astype(float)
        head = head_all @ w
        for kind, name in sorted(wanted[k]):
            if kind == "revenue":
                m[name] = full(head * p.kr_per_month)
            elif kind == "person_years":
                m[name] = full(head * p.fte / 12.0)
            else:
                if disc_u is None:
                    from model.economics.effect import discount

                    disc_u = discount(u, p.rules.rate)
                gain_pv, ref_pv = _gain(eff, base, pv=True)
                head_pv = (gain_pv.sum(axis=1) - ref_pv) @ (w * disc_u)
                m[name] = full(head_pv * (p.kr_per_month if kind == "revenue_pv"
                                          else p.fte / 12.0))
    return m
