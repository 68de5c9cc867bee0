"""The expected-value path over many parameter draws at once: one row per draw (issue 22).

`model.expected` prices one scenario; a PSA or a calibration prices the same scenario with some
inputs changed, thousands of times. Here the inputs that change are arrays with one row per
draw (`Varied`), and the lattice (`model.expected.lattice`), the employment curves and the cost
activity are computed for all draws together, with the same formulas as the per-draw path
(which stays the reference: tests/test_vector.py holds every figure to 1e-9 relative of it).

What is vectorised: a fixed planned duration (`dist: fixed`), the exit hazards and routing shares
of an intervention, the intake cap (arrivals once per distinct cap), the counterfactual hazard,
job retention, and everything that only enters pricing (`model.economics.vector`). A duration of
another family is the same in every draw (its kernel computed once); lattice inputs need a
scenario with one population cell. Whatever else a draw changes goes to the per-draw path
(`model.psa.vector` decides). The lattice over draws (networks, kernels, paths) is in
`model.expected.batch_lattice`, the employment curves over draws in `model.expected.batch_curves`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from model.economics.costs import (
    Activity,
    calendar_months,
)
from model.economics.effect import CURVES, Rules, discount
from model.expected import (
    BEYOND,
    DT,
    MAX_MONTHS,
    MAX_VISITS,
    _cells,
    _classes,
    arrivals,
)
from model.expected.arrivals import capped_arrivals
from model.expected.batch_curves import _rows_b, _to_months_b
from model.expected.batch_lattice import (
    BPaths,
    batch_network,
    batch_paths,
    bconv,
    expand_paths,
    paths_of_reference,
    stay_kernels,
    steps_needed,
)
from model.expected.memo import Memo, memo_or_new
from model.scenario import Scenario


@dataclass
class Varied:
    """The inputs that differ between draws, one row per draw (shape (B,)); absent: as in the
    scenario. Keys of the dicts are intervention indices (and an exit state or destination)."""

    size: int
    months: dict[int, np.ndarray] = field(default_factory=dict)            # fixed durations
    hazards: dict[tuple[int, str], np.ndarray] = field(default_factory=dict)
    routing: dict[int, dict[str, np.ndarray]] = field(default_factory=dict)  # whole node, rescaled
    cap: np.ndarray | None = None                                           # intake cap
    f: np.ndarray | None = None                                             # counterfactual hazard
    loss: np.ndarray | None = None                                          # job-loss hazard

    @property
    def lattice(self) -> bool:
        """True when a draw changes the lattice (durations, hazards, routing)."""
        return bool(self.months or self.hazards or self.routing)


@dataclass
class Effects:
    """`economics.effect.Effect` with a leading axis over draws on every array (B or 1)."""

    n: np.ndarray
    curves: dict[str, np.ndarray]
    curves_pv: dict[str, np.ndarray]
    calendar: dict[str, np.ndarray]
    swapped_pv: dict[str, np.ndarray]
    exits: dict[str, np.ndarray]
    categories: dict[str, str]
    jobs_without_at_exit: np.ndarray
    work_12: np.ndarray
    months_to: dict[str, np.ndarray]
    months_total: np.ndarray

    @property
    def participants(self) -> np.ndarray:
        return self.n.sum(axis=-1)

    def exits_in(self, category: str) -> np.ndarray:
        return sum((v for s, v in self.exits.items() if self.categories.get(s) == category),
                   np.zeros_like(self.months_total))


@dataclass
class BLine:
    """A cost line with its amount per draw: (B or 1, 3, n_cal)."""

    funder: str
    label: str
    allowance: bool
    amount: np.ndarray

    @property
    def total(self) -> np.ndarray:
        return self.amount.sum(axis=1)


def _arrivals_b(sc: Scenario, v: Varied, memo: Memo | None = None
                ) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """The classes of `expected._classes` with the intake's arrivals per draw (B or 1, L)."""
    memo = memo_or_new(memo)
    classes = memo.get("classes", lambda: _classes(sc, DT))
    if v.cap is None:
        return classes[0][1][None], classes
    caps, which = np.unique(v.cap, return_inverse=True)
    distinct = [int(c) for c in caps]
    missing = [c for c in distinct if ("arrivals", c) not in memo.values]
    together = capped_arrivals(sc, missing, DT) if len(missing) > 1 else None
    if together is not None:
        memo.values.update({("arrivals", c): a for c, a in zip(missing, together, strict=True)})
    rows = [memo.get(("arrivals", c), lambda c=c: _capped(sc, c)) for c in distinct]
    width = max(len(r) for r in rows)
    arr = np.zeros((len(rows), width))
    for k, r in enumerate(rows):
        arr[k, :len(r)] = r
    return arr[which.reshape(-1)], classes


def _capped(sc: Scenario, cap: int) -> np.ndarray:
    """The scenario's arrivals with the intake capped at `cap` participants."""
    intake = sc.intake.model_copy(update={"max_participants": cap})
    return arrivals(sc.model_copy(update={"intake": intake}), DT)


def batch_unit(sc: Scenario, v: Varied, memo: Memo | None = None, lean: bool = False
               ) -> tuple[Effects, Activity, dict[int, str]]:
    """Effects and activity of every draw's expected run (`expected.expected_unit` over draws);
    the caller has checked that the scenario itself may use the expected-value path. Also the
    draws the path cannot price, with the reason (a nearly endless loop). `lean` leaves the
    calendar curves, the months in the programme and the swapped groups at 0: what
    `model.economics.lean` prices does not use them."""
    memo = memo_or_new(memo)
    rules = memo.get("rules", lambda: Rules.of(sc))
    b = v.size
    f_base = float(sc.counterfactual.monthly_hazard or 0.0)
    f = v.f if v.f is not None else np.full(b, f_base)
    loss = v.loss if v.loss is not None else np.full(b, rules.loss)
    cells = memo.get("cells", lambda: _cells(sc))
    arr0, classes = _arrivals_b(sc, v, memo)
    failed: dict[int, str] = {}
    state_good = np.array([e.category in rules.good_categories for e in sc.exit_states.values()])
    good_names = {s for s, e in sc.exit_states.items() if e.category in rules.good_categories}
    if v.lattice:
        if len(cells) != 1:
            raise ValueError("a draw that changes the lattice needs one population cell")
        bn = batch_network(sc, cells[0].net, v)
        visits = np.einsum("i,bij->bj", bn.entry, bn.fundamental())
        for k in np.flatnonzero(~(visits.max(axis=1) <= MAX_VISITS)):
            failed[int(k)] = "a loop that is nearly endless"
        # with a tail (a stay that is not fixed, or a loop) each draw's own lattice length moves
        # its figures by up to BEYOND: those draws go one by one (tests/test_vector.py)
        tail = any(iv.duration.dist != "fixed" for iv in sc.interventions)
        for k in np.flatnonzero(tail | (visits.max(axis=1) > 1 + 1e-9)):
            failed.setdefault(int(k), "a stay with a tail or a loop: the lattice length differs "
                                      "by draw")
        n = steps_needed(sc, bn, v)
        while True:
            ks = stay_kernels(sc, bn, v, n)
            per = [[batch_paths(bn, ks, entry, good_names, n)] for entry, _ in classes]
            left = max(float(np.nan_to_num(ps[0].beyond.sum(axis=1), nan=0.0).max()) for ps in per)
            if left <= BEYOND or n * DT >= MAX_MONTHS:
                break
            n = min(2 * n, math.ceil(MAX_MONTHS / DT) + 1)
    else:
        from model.expected import _long_enough

        def reference() -> tuple[int, list[list[BPaths]]]:
            n, ref = _long_enough(sc, cells, classes)
            return n, [[paths_of_reference(p, sc) for p in ps] for ps in ref]

        n, per = memo.get("paths", reference)
    t_len = n
    u = rules.u
    g = rules.grid
    head = min(g, math.ceil(rules.head_months))
    in_head = (u < rules.head_months)[:head]
    disc_u = discount(u[:head], rules.rate)
    lens = [arr0.shape[1], *(len(a) for _, a in classes[1:])]
    last = max(lens) * DT
    n_cal = calendar_months(sc, last, last) + math.ceil(t_len * DT)
    exits_names = list(sc.exit_states)
    curves = {k: np.zeros((b, 2, g)) for k in CURVES}
    curves_pv = {k: np.zeros((b, 2, g)) for k in CURVES}
    swapped = {k: np.zeros((b, 2, g)) for k in ("gain", "with_work")}
    calendar = {k: np.zeros((b, 2, n_cal + head)) for k in ("gain", "with_work")}
    exits = {s: np.zeros(b) for s in exits_names}
    months_to = {s: np.zeros(b) for s in exits_names}
    months_total = np.zeros(b)
    n_by = np.zeros((b, 2))
    jobs_without = np.zeros((b, 2))
    work_12 = np.zeros((b, 2, 2))
    ni = len(sc.interventions)
    service = np.zeros((b, ni, 2, n_cal))
    starts = np.zeros((b, ni, 2, n_cal))
    for ci, ((_, arr_c), ps) in enumerate(zip(classes, per, strict=True)):
        arr = arr0 if ci == 0 else arr_c[None]
        count = arr.sum(axis=1)
        if not (count > 0).any():
            continue
        when = np.arange(arr.shape[1]) * DT
        dw = discount(when, rules.rate)
        d_arr = arr @ dw
        shift = np.floor(when + 0.5).astype(np.int64)
        starts_at = np.flatnonzero(np.r_[True, shift[1:] != shift[:-1]])
        a_shift = np.add.reduceat(arr, starts_at, axis=1)
        a_shift_pv = np.add.reduceat(arr * dw, starts_at, axis=1)
        for cell, p in zip(cells, ps, strict=True):
            fc = f if v.f is not None else np.full(b, cell.f)
            rows, extra = _rows_b(expand_paths(p, b), fc, loss, rules, state_good, lean)
            w = cell.share
            cw = (w * count)[:, None, None]
            dwc = (w * d_arr)[:, None, None]
            for name in CURVES:
                curves[name] += cw * rows[name]
                curves_pv[name] += dwc * rows[name]
            for name in swapped:
                swapped[name] += dwc * extra["swapped:" + name]
            la = a_shift.shape[1]
            for name in () if lean else calendar:
                one = rows[name].sum(axis=1)[:, :head] * in_head
                calendar[name][:, 0, :la + head - 1] += w * bconv(a_shift, one)
                calendar[name][:, 1, :la + head - 1] += w * bconv(a_shift_pv, one * disc_u)
            pe = expand_paths(p, b)
            c1 = w * count
            for j, s in enumerate(exits_names):
                exits[s] += c1 * (pe.exits[:, j, 0].sum(axis=1) + pe.beyond[:, j])
                months_to[s] += c1 * (pe.exits[:, j, 1].sum(axis=1) + pe.beyond[:, j] * t_len * DT)
            months_total += c1 * pe.service.sum(axis=(1, 2, 3)) * 1.0
            n_by += c1[:, None] * extra["n"]
            jobs_without += c1[:, None] * extra["jobs_without"]
            work_12 += c1[:, None, None] * extra["work_12"]
            service += w * _to_months_b(bconv(arr[:, None, None], pe.service, whole=False), n_cal)
            starts += w * _to_months_b(bconv(arr[:, None, None], pe.starts, whole=False), n_cal)
    eff = Effects(n=n_by, curves=curves, curves_pv=curves_pv,
                  calendar={k: x[:, :, :n_cal] for k, x in calendar.items()}, swapped_pv=swapped,
                  exits=exits, categories={k: e.category for k, e in sc.exit_states.items()},
                  jobs_without_at_exit=jobs_without, work_12=work_12, months_to=months_to,
                  months_total=months_total)
    period = float(sc.costs.project_months) if sc.costs.project_months is not None else 0.0
    act = Activity(n_cal, period, service.sum(axis=1),
                   {iv.name: service[:, i] for i, iv in enumerate(sc.interventions)},
                   {iv.name: starts[:, i] for i, iv in enumerate(sc.interventions)})
    return eff, act, failed
