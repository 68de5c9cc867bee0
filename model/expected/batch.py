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
(`model.psa.vector` decides).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from model.economics.costs import (
    Activity,
    calendar_months,
)
from model.economics.effect import CURVES, Rules, after_start, chain, chain_month, discount
from model.exact import Network
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
from model.expected.lattice import MAX_ROUNDS, NEGLIGIBLE, TINY, Kernel, _nodes, fast_length, kernel
from model.expected.memo import Memo, memo_or_new
from model.scenario import Scenario

CHUNK = 64   # draws whose employment curves are evaluated at once (memory stays small)


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
class BPaths:
    """`lattice.Paths` with a leading axis over draws (1 when the same for all)."""

    exits: np.ndarray          # (B, exits, 3, n)
    service: np.ndarray        # (B, interventions, 2, n)
    starts: np.ndarray         # (B, interventions, 2, n)
    beyond: np.ndarray         # (B, exits)


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


def _columns_used(x: np.ndarray) -> np.ndarray:
    """The positions along the last axis that hold a nonzero in some row."""
    return np.flatnonzero(x.reshape(-1, x.shape[-1]).any(axis=0))


DIRECT = 16
"""At most this many nonzero terms in one operand: `bconv` adds shifted copies of the other
instead of transforming both (a point mass at entry, a few group intakes)."""


def bconv(a: np.ndarray, b: np.ndarray, n: int | None = None, clean: bool = False,
          whole: bool = True) -> np.ndarray:
    """Full convolutions along the last axis (broadcast over the others), first n terms, through
    real FFTs; `clean` zeroes rounding noise below 1e-15 as `lattice._conv` does. Trailing zeros
    (in every row) are left out, their terms being exact zeros: a capped intake's arrivals stop
    long before their lattice ends. When one operand has at most `DIRECT` nonzero terms the sum
    is taken directly, as `lattice._conv` does for short series (no transform, no noise to
    clean). With `whole` False the result stops after its last term that can be nonzero (a
    caller that only sums it needs no more)."""
    full = a.shape[-1] + b.shape[-1] - 1
    want = full if n is None else min(n, full)
    pa, pb = _columns_used(a), _columns_used(b)
    la = int(pa[-1]) + 1 if len(pa) else 0
    lb = int(pb[-1]) + 1 if len(pb) else 0
    m = min(la + lb - 1, want) if la and lb else 0
    shape = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    if m == 0:
        out = np.zeros((*shape, 0))
    elif min(len(pa), len(pb)) <= DIRECT:
        few, pos, other = (a, pa, b[..., :lb]) if len(pa) <= len(pb) else (b, pb, a[..., :la])
        out = np.zeros((*shape, m))
        for j in pos[pos < m]:
            stop = min(m, j + other.shape[-1])
            out[..., j:stop] += few[..., j:j + 1] * other[..., :stop - j]
    else:
        size = fast_length(la + lb - 1)
        out = np.fft.irfft(np.fft.rfft(a[..., :la], size) * np.fft.rfft(b[..., :lb], size),
                           size)[..., :m]
        if clean:
            out = np.where(np.abs(out) < 1e-15, 0.0, out)
    if not whole or m == want:
        return out
    pad = np.zeros((*shape, want))
    pad[..., :m] = out
    return pad


# --- the lattice over draws ------------------------------------------------------------------

def _after_b(a: np.ndarray, lo: np.ndarray, hi: np.ndarray, h: np.ndarray
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`lattice._after` for a (B,) of atoms and hazards over the steps (B, n)."""
    a, h = a[:, None], h[:, None]
    s = np.clip(a, lo[None], hi[None])
    if not (h > 0).any():           # no draw leaves early: only the zero-hazard integrals
        return hi - s, (hi**2 - s**2) / 2.0, (hi**3 - s**3) / 3.0
    hs = np.where(h > 0, h, 1.0)
    es, eh = np.exp(-hs * s), np.exp(-hs * hi)

    def prim(t: np.ndarray, e: np.ndarray, k: int) -> np.ndarray:
        if k == 0:
            return -e / hs
        if k == 1:
            return -e * (t / hs + 1 / hs**2)
        return -e * (t * t / hs + 2 * t / hs**2 + 2 / hs**3)

    if (h > 0).all():
        return tuple(prim(hi, eh, k) - prim(s, es, k) for k in range(3))  # type: ignore[return-value]
    zero = (hi - s, (hi**2 - s**2) / 2.0, (hi**3 - s**3) / 3.0)
    return tuple(np.where(h > 0, prim(hi, eh, k) - prim(s, es, k), zero[k])  # type: ignore[return-value]
                 for k in range(3))


def _place_b(mass: np.ndarray, mean: np.ndarray, square: np.ndarray, n: int) -> np.ndarray:
    """`lattice._place` for rows of masses (B, m): (B, 3, n)."""
    b = mass.shape[0]
    out = np.zeros((3, b * n))
    k = np.clip(np.round(mean / DT).astype(np.int64), 0, n - 1)
    flat = (np.arange(b)[:, None] * n + k).ravel()
    for j, v in enumerate((mass, mass * mean, mass * square)):
        np.add.at(out[j], flat, v.ravel())
    return out.reshape(3, b, n).transpose(1, 0, 2).copy()


def _sum_short(p: np.ndarray) -> np.ndarray:
    """`p.sum(axis=-1)` for a last axis shorter than 8, in the order numpy's reduction adds such
    a row (first to last: the same bits), without its overhead per row (a few times faster)."""
    if p.shape[-1] >= 8 or p.shape[-1] == 0:
        return p.sum(axis=-1)
    out = p[..., 0] + 0.0
    for j in range(1, p.shape[-1]):
        out = out + p[..., j]
    return out


def fixed_kernels(months: np.ndarray, hazard: np.ndarray, n: int) -> tuple[np.ndarray, ...]:
    """`lattice.kernel` of a fixed duration for a (B,) of durations and total early-exit hazards:
    (complete (B, 3, n), early (B, 3, n), service (B, n))."""
    edges = np.arange(n + 1) * DT
    lo, hi = edges[:-1], edges[1:]
    x, wq = _nodes(lo, DT, 1)                                  # (n, 4), (1, 4)
    # the quadrature depends on the hazard alone: once per distinct hazard (one when no draw
    # changes it), with the survival 1 inside the stay (`lattice.kernel`'s smooth part)
    distinct, which = np.unique(hazard, return_inverse=True)
    decay = np.exp(-distinct[:, None, None] * x[None])         # (H, n, 4)
    service = _sum_short(decay * wq)[which]
    first = _sum_short(decay * x * wq)[which]
    second = _sum_short(decay * x * x * wq)[which]
    i0, i1, i2 = _after_b(months, lo, hi, hazard)
    service = np.clip(service - i0, 0.0, None)
    first, second = first - i1, second - i2
    inside = months <= edges[-1]
    complete = _place_b((np.exp(-hazard * months) * inside)[:, None], months[:, None],
                        (months * months)[:, None], n)
    pos = (hazard > 0)[:, None]
    if pos.any():
        m = hazard[:, None] * service
        ok = m > 0
        mid = lo + DT / 2
        safe = np.where(ok, m, 1.0)
        mu = np.where(ok, hazard[:, None] * first / safe, mid)
        sq = np.where(ok, hazard[:, None] * second / safe, mu**2)
        early = _place_b(np.where(pos, m, 0.0), np.clip(mu, lo, hi), np.clip(sq, lo**2, hi**2), n)
    else:                           # nobody leaves early in any draw: nothing to place
        early = np.zeros_like(complete)
    p_complete = np.where(hazard > 0, np.exp(-hazard * months), 1.0)
    for arr, total in ((complete, p_complete), (early, 1.0 - p_complete)):
        have = arr[:, 0].sum(axis=1)
        scale = np.where(have > 0, total / np.where(have > 0, have, 1.0), 1.0)
        arr *= scale[:, None, None]
    return complete, early, service


def _rows_of(shares: dict[str, float | np.ndarray], places: dict[str, int], size: int,
             width: int) -> np.ndarray:
    """A routing or hazard row per draw as `exact.network` builds it (cumulative, last set to 1,
    differenced): (B, width)."""
    names = list(shares)
    vals = np.stack([np.broadcast_to(np.asarray(shares[k], float), (size,)) for k in names], axis=1)
    cum = np.cumsum(vals, axis=1)
    cum[:, -1] = 1.0
    steps = np.diff(np.concatenate([np.zeros((size, 1)), cum], axis=1), axis=1)
    out = np.zeros((size, width))
    for j, k in enumerate(names):
        out[:, places[k]] += steps[:, j]
    return out


@dataclass
class BNetwork:
    """`exact.Network` per draw: route, hazard (B, ni, places), hazard_total, complete (B, ni)."""

    names: list[str]
    exits: list[str]
    route: np.ndarray
    hazard: np.ndarray
    hazard_total: np.ndarray
    complete: np.ndarray
    entry: np.ndarray

    def fundamental(self) -> np.ndarray:
        ni = len(self.names)
        c = self.complete[:, :, None]
        q = (c * self.route + (1 - c) * self.hazard)[:, :, :ni]
        return np.linalg.inv(np.eye(ni)[None] - q)

    def absorption(self) -> np.ndarray:
        ni = len(self.names)
        c = self.complete[:, :, None]
        r = (c * self.route + (1 - c) * self.hazard)[:, :, ni:]
        return self.fundamental() @ r


def batch_network(sc: Scenario, net: Network, v: Varied) -> BNetwork:
    """The one cell's network with the draws' durations, hazards and routing set."""
    b = v.size
    places = {p: i for i, p in enumerate([*net.names, *net.exits])}
    width = len(places)
    route = np.repeat(net.route[None], b, axis=0)
    hazard = np.repeat(net.hazard[None], b, axis=0)
    total = np.repeat(net.hazard_total[None], b, axis=0)
    complete = np.repeat(net.complete[None], b, axis=0)
    for i, iv in enumerate(sc.interventions):
        if i in v.routing:
            shares: dict[str, float | np.ndarray] = dict(iv.routing)
            shares.update(v.routing[i])
            route[:, i] = _rows_of(shares, places, b, width)
        drawn = {dest: arr for (j, dest), arr in v.hazards.items() if j == i}
        if drawn or i in v.months:
            rates: dict[str, float | np.ndarray] = {k: float(x) for k, x in iv.exit_hazards.items()}
            rates.update(drawn)
            vals = {k: np.broadcast_to(np.asarray(x, float), (b,)) for k, x in rates.items()}
            tot = sum((np.where(x > 0, x, 0.0) for x in vals.values()), np.zeros(b))
            total[:, i] = tot
            hazard[:, i] = 0.0
            pos = tot > 0
            if pos.any():
                # exact.network keeps the positive rates in order, cumulative over the total,
                # the last one set to 1
                names = list(vals)
                arr = np.stack([np.where(vals[k] > 0, vals[k], 0.0) for k in names], axis=1)
                cum = np.cumsum(arr, axis=1) / np.where(pos, tot, 1.0)[:, None]
                idx = np.arange(len(names))[None]
                last = np.where(arr > 0, idx, -1).max(axis=1)
                cum = np.where(idx >= last[:, None], 1.0, cum)
                steps = np.diff(np.concatenate([np.zeros((b, 1)), cum], axis=1), axis=1)
                for j, k in enumerate(names):
                    hazard[:, i, places[k]] += np.where(pos & (arr[:, j] > 0), steps[:, j], 0.0)
            months = v.months.get(i)
            if months is None:
                complete[:, i] = [iv.duration.laplace(float(h)) if h > 0 else 1.0 for h in tot]
            else:
                complete[:, i] = np.where(tot > 0, np.exp(-tot * months), 1.0)
    return BNetwork(net.names, net.exits, route, hazard, total, complete, net.entry)


def _kernels(sc: Scenario, bn: BNetwork, v: Varied, n: int) -> list[tuple[np.ndarray, ...]]:
    """Per intervention: (complete, early, service) with a leading axis over draws (or 1)."""
    out = []
    b = v.size
    for i, iv in enumerate(sc.interventions):
        months = v.months.get(i)
        h = bn.hazard_total[:, i]
        if months is None and iv.duration.dist == "fixed":
            months = np.full(b, float(iv.duration.months))
        if months is not None:
            out.append(fixed_kernels(np.asarray(months, float), h, n))
            continue
        found: dict[float, Kernel] = {}
        ks = []
        for x in h:
            k = found.get(float(x))
            if k is None:
                k = found[float(x)] = kernel(iv.duration, float(x), n, DT)
            ks.append(k)
        out.append((np.stack([k.complete for k in ks]), np.stack([k.early for k in ks]),
                    np.stack([k.service for k in ks])))
    return out


def batch_paths(bn: BNetwork, ks: list[tuple[np.ndarray, ...]], entry: np.ndarray,
                good: set[str], n: int) -> BPaths:
    """`lattice.paths` for every draw at once (same network shape, numbers per draw)."""
    ni, ne = len(bn.names), len(bn.exits)
    b = bn.route.shape[0]
    good_exit = np.array([s in good for s in bn.exits], dtype=float)
    rho = np.concatenate([bn.absorption() @ good_exit, np.broadcast_to(good_exit, (b, ne))], axis=1)
    size = fast_length(2 * n - 1)
    found: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    class _Lazy:
        """Kernels' transforms, made when a later round needs them."""

        def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
            if i not in found:
                found[i] = (np.fft.rfft(ks[i][0], size), np.fft.rfft(ks[i][1], size))
            return found[i]

    kf = _Lazy()
    route_to, hazard_to = bn.route.any(axis=0), bn.hazard.any(axis=0)   # (ni, places)
    inflow = np.zeros((b, ni, n))
    out = np.zeros((b, ne, 3, n))
    pending = np.zeros((b, ni, 3, n))
    pending[:, :, 0, 0] = entry
    active = np.ones(b, dtype=bool)

    def conv3(pf: np.ndarray, kk: np.ndarray) -> np.ndarray:
        prod = np.stack([pf[:, 0] * kk[:, 0],
                         pf[:, 1] * kk[:, 0] + pf[:, 0] * kk[:, 1],
                         pf[:, 2] * kk[:, 0] + 2 * pf[:, 1] * kk[:, 1] + pf[:, 0] * kk[:, 2]],
                        axis=1)
        res = np.fft.irfft(prod, size)[..., :n]
        return np.where(np.abs(res) < 1e-15, 0.0, res)

    for _ in range(MAX_ROUNDS):
        active &= pending[:, :, 0].sum(axis=(1, 2)) >= NEGLIGIBLE
        if not active.any():
            break
        pending[~active] = 0.0
        inflow += pending[:, :, 0]
        nxt = np.zeros((b, ni, 3, n))
        for i in range(ni):
            live = pending[:, i, 0].sum(axis=1) >= NEGLIGIBLE
            if not live.any():
                continue
            now = np.where(live[:, None, None], pending[:, i], 0.0)
            if not now[:, :, 1:].any() and not now[:, 1:].any():
                # a point mass at time 0 (the entry): the convolution is the kernel times it
                w0 = now[:, 0, 0][:, None, None]
                kc, ke = w0 * ks[i][0], w0 * ks[i][1]
            else:
                pf = np.fft.rfft(now, size)
                kc, ke = conv3(pf, kf[i][0]), conv3(pf, kf[i][1])
            # per place; a place no draw routes or exits to gets nothing, and a term that is
            # zero in every draw adds exact zeros (left out: the same sums)
            for j in range(route_to.shape[1]):
                r, h = bn.route[:, i, j], bn.hazard[:, i, j]
                if not route_to[i, j] and not hazard_to[i, j]:
                    continue
                if route_to[i, j] and hazard_to[i, j]:
                    to = r[:, None, None] * kc + h[:, None, None] * ke
                else:
                    to = r[:, None, None] * kc if route_to[i, j] else h[:, None, None] * ke
                if j < ni:
                    nxt[:, j] += to
                else:
                    out[:, j - ni] += to
        pending = nxt
    service = np.zeros((b, ni, 2, n))
    starts = np.zeros((b, ni, 2, n))
    for i in range(ni):
        kc0, ke0, ksvc = ks[i][0][:, 0], ks[i][1][:, 0], ks[i][2]
        r_i = rho[:, i][:, None]
        end_good = (kc0 * np.einsum("bp,bp->b", bn.route[:, i], rho)[:, None]
                    + ke0 * np.einsum("bp,bp->b", bn.hazard[:, i], rho)[:, None])
        end_all = kc0 + ke0
        rest_all = np.cumsum(end_all[:, ::-1], axis=1)[:, ::-1]
        rest_good = np.cumsum(end_good[:, ::-1], axis=1)[:, ::-1]
        left = np.maximum(1.0 - end_all.sum(axis=1), 0.0)[:, None]
        denom = rest_all + left
        frac = np.where(denom > TINY, (rest_good + left * r_i) / np.maximum(denom, 1e-300), r_i)
        frac = np.concatenate([frac[:, 1:], r_i], axis=1)
        if not inflow[:, i, 1:].any():   # entered at time 0 only: no convolution needed
            svc = inflow[:, i, :1] * ksvc
            svc_good = inflow[:, i, :1] * (ksvc * frac)
        else:
            svc = bconv(inflow[:, i], ksvc, n, clean=True)
            svc_good = bconv(inflow[:, i], ksvc * frac, n, clean=True)
        service[:, i] = np.stack([svc_good, svc - svc_good], axis=1)
        starts[:, i] = np.stack([inflow[:, i] * r_i, inflow[:, i] * (1 - r_i)], axis=1)
    shares = np.einsum("i,bie->be", entry, bn.absorption())
    beyond = np.maximum(shares - out[:, :, 0].sum(axis=2), 0.0)
    total = out[:, :, 0].sum(axis=(1, 2)) + beyond.sum(axis=1)
    scale = np.where(total > 0, entry.sum() / np.where(total > 0, total, 1.0), 1.0)
    return BPaths(out * scale[:, None, None, None], service, starts, beyond * scale[:, None])


def _from_paths(ps: list[object], sc: Scenario) -> BPaths:
    """Reference `Paths` of one class and cell as a BPaths of one row."""
    p = ps  # type: ignore[assignment]
    exits = list(sc.exit_states)
    return BPaths(np.stack([p.exits[s] for s in exits])[None],          # type: ignore[attr-defined]
                  np.stack([p.service[k] for k in sc.names])[None],      # type: ignore[attr-defined]
                  np.stack([p.starts[k] for k in sc.names])[None],       # type: ignore[attr-defined]
                  np.array([[p.beyond[s] for s in exits]]))              # type: ignore[attr-defined]


def _steps_needed(sc: Scenario, bn: BNetwork, v: Varied) -> int:
    """`expected._lattice_steps` over the draws: the longest any draw needs."""
    visits = np.einsum("i,bij->bj", bn.entry, bn.fundamental())
    span = np.zeros(v.size)
    for i, iv in enumerate(sc.interventions):
        if i in v.months:
            top = np.asarray(v.months[i], float)
        else:
            d = iv.duration
            atoms = [a for a, _ in d.atoms()]
            cont = d.continuous()
            top = np.full(v.size, max([*atoms, float(cont.ppf(1 - 1e-9)) if cont is not None
                                       else 0.0]))
        span += np.maximum(1.0, np.ceil(visits[:, i])) * top
    need = float((span + 1.0).max())
    return math.ceil(min(need, MAX_MONTHS) / DT) + 1


# --- employment curves over draws ------------------------------------------------------------

def _exit_points(exits: np.ndarray, good_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`expected._exit_times` per draw: masses and times (B, 2n), zero mass where nobody leaves."""
    m = exits[:, good_rows].sum(axis=1) if good_rows.any() else np.zeros_like(exits[:, 0])
    ok = m[:, 0] > 0
    safe = np.where(ok, m[:, 0], 1.0)
    mean = np.where(ok, np.round(m[:, 1] / safe, 9), 0.0)
    var = np.where(ok, m[:, 2] / safe - mean**2, 0.0)
    sd = np.sqrt(np.where(var > 1e-12 * np.maximum(1.0, mean**2), var, 0.0))
    mass = np.where(ok, m[:, 0], 0.0)
    return np.concatenate([mass, mass], axis=1) / 2.0, np.concatenate([mean - sd, mean + sd], axis=1)


def _rows_b(p: BPaths, f: np.ndarray, loss: np.ndarray, rules: Rules, good_rows: np.ndarray,
            lean: bool = False) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """`expected._rows` for every draw: curves (B, 2, grid) and the per-arrival sums; `lean`
    leaves the months in the programme, the swapped groups, the jobs a year on and the
    counterfactual jobs at exit at 0 (no revenue, cost or participant count needs them:
    `model.economics.lean`)."""
    good_mass, t_good = _exit_points(p.exits, good_rows)
    other_mass, t_other = _exit_points(p.exits, ~good_rows)
    good_beyond = p.beyond[:, good_rows].sum(axis=1)
    other_beyond = p.beyond[:, ~good_rows].sum(axis=1)
    b = len(f)
    u = rules.u
    g = len(u)
    rows = {k: np.zeros((b, 2, g)) for k in CURVES}
    swapped = {k: np.zeros((b, 2, g)) for k in ("gain", "with_work")}
    pg = good_mass.sum(axis=1) + good_beyond
    po = other_mass.sum(axis=1) + other_beyond
    tt_all = f + loss
    top = max([0.0, *(float(np.abs(x[m > 0]).max()) for x, m in ((t_good, good_mass),
                                                                 (t_other, other_mass))
                      if (m > 0).any())]) + abs(rules.job_lag)
    fast = rules.drop_off == 0 and float(tt_all.max(initial=0.0)) * max(top, float(u[-1])) < 500
    step = b if fast else CHUNK
    for lo in range(0, b, step):
        sl = slice(lo, min(b, lo + step))
        # only the lattice points where some draw of the chunk has someone leaving
        gm, om = good_mass[sl], other_mass[sl]
        gk = np.flatnonzero((gm > 0).any(axis=0))
        ok_ = np.flatnonzero((om > 0).any(axis=0))
        gm, tg, om, to = gm[:, gk], t_good[sl][:, gk], om[:, ok_], t_other[sl][:, ok_]
        if fast:
            gm, tg = _compact(gm, tg)
            om, to = _compact(om, to)
        fc, lc = f[sl][:, None, None], loss[sl][:, None, None]
        without_u = chain(u[None, :], f[sl][:, None], loss[sl][:, None], False)   # (c, g)
        if fast:
            xg, xo = _Side(tg), _Side(to)
        else:
            xg = u[None, :, None] - tg[:, None, :]
            xo = u[None, :, None] - to[:, None, :]

        def as_good(x: np.ndarray, mass: np.ndarray, fc=fc, lc=lc, without_u=without_u
                    ) -> tuple[np.ndarray, np.ndarray]:
            xj = x - rules.job_lag
            factor = np.where(xj >= 0, rules.job_factor(xj), 1.0)
            emp = chain_month(xj, fc, lc, True)
            fm = np.einsum("cgp,cp->cg", factor, mass)
            return (np.einsum("cgp,cp->cg", emp, mass),
                    np.einsum("cgp,cp->cg", emp * factor, mass) - without_u * fm)

        def as_other(x: np.ndarray, mass: np.ndarray, fc=fc, lc=lc) -> np.ndarray:
            return np.einsum("cgp,cp->cg", chain_month(x, fc, lc, False), mass)

        if fast:
            as_good, as_other = _separable(tt_all[sl], f[sl], u, rules, without_u)
        with_good, gain_good = as_good(xg, gm)
        gain_good = gain_good - without_u * good_beyond[sl][:, None]
        with_other = as_other(xo, om)
        gain_other = with_other - without_u * po[sl][:, None]
        rows["with_work"][sl] = np.stack([with_good, with_other], axis=1)
        rows["without_work"][sl] = np.stack([without_u * pg[sl][:, None],
                                             without_u * po[sl][:, None]], axis=1)
        rows["gain"][sl] = np.stack([gain_good, gain_other], axis=1)
        if lean:
            continue
        if fast:
            left = [_counted(u, x.t, lambda uk, t: uk - t > 0, [m], len(u))[0]
                    + _in_start_month(u, x.t, 0.0, lambda x: after_start(x)[0] - (x > 0), m)
                    for x, m in ((xg, gm), (xo, om))]
        else:
            left = [np.matmul(after_start(x)[0], m[:, :, None])[..., 0]
                    for x, m in ((xg, gm), (xo, om))]
        rows["in_programme"][sl] = np.stack([pg[sl][:, None] - left[0], po[sl][:, None] - left[1]],
                                            axis=1)
        empty = (pg[sl] == 0) | (po[sl] == 0)
        if empty.any():
            g_as_o = as_other(xg, gm)
            o_as_g_with, o_as_g_gain = as_good(xo, om)
            e = empty[:, None, None]
            swapped["gain"][sl] = np.where(e, np.stack([
                g_as_o - without_u * pg[sl][:, None],
                o_as_g_gain - without_u * other_beyond[sl][:, None]], axis=1), 0.0)
            swapped["with_work"][sl] = np.where(e, np.stack([g_as_o, o_as_g_with], axis=1), 0.0)
    if lean:
        zero = np.zeros((b, 2))
        return rows, {"n": np.stack([pg, po], axis=1), "jobs_without": zero,
                      "work_12": np.zeros((b, 2, 2)), "swapped:gain": swapped["gain"],
                      "swapped:with_work": swapped["with_work"]}
    f2, l2 = f[:, None], loss[:, None]
    w12 = np.stack([(chain(12.0 - t_good - rules.job_lag, f2, l2, True) * good_mass).sum(axis=1),
                    (chain(12.0 - t_other, f2, l2, False) * other_mass).sum(axis=1)], axis=1)
    without12 = chain(np.array(12.0), f, loss, False)
    extra = {
        "n": np.stack([pg, po], axis=1),
        "jobs_without": np.stack([(chain(t_good, f2, l2, False) * good_mass).sum(axis=1),
                                  (chain(t_other, f2, l2, False) * other_mass).sum(axis=1)], axis=1),
        "work_12": np.stack([w12, np.stack([without12 * pg, without12 * po], axis=1)], axis=1),
        "swapped:gain": swapped["gain"], "swapped:with_work": swapped["with_work"],
    }
    return rows, extra


def _compact(mass: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's points with mass first, in their order, cut to the most any row has: when every
    draw has its exits at a few points of its own (a drawn fixed stay), the sums over points are
    the same sums without the zeros (a zero adds nothing) over far fewer points."""
    has = mass != 0
    k = int(has.sum(axis=1).max(initial=0))
    if k == 0 or 4 * k > mass.shape[1]:
        return mass, t
    order = np.argsort(~has, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(mass, order, axis=1), np.take_along_axis(t, order, axis=1)


@dataclass
class _Side:
    """One outcome group's exit times (c, P), standing for its months-since-exit grid."""

    t: np.ndarray


def _counted(u: np.ndarray, t: np.ndarray, cond: object, weights: list[np.ndarray], g: int,
             after: float = 0.0) -> list[np.ndarray]:
    """Σ_p w[c, p]·cond(u_k, t[c, p]) for every month k (c, g), for each of `weights`, where cond
    is monotone in u (false, then true): the first month it holds is found per exit point from
    where it should turn, checked with cond itself (the per-draw path's own comparison), and the
    weights are summed from that month on (cond turns true about `after` months after t).
    O(points + months) instead of their product."""
    # about where cond turns true: the first month midpoint u_k = k + 1/2 at or after t + after
    # (what np.searchsorted(u, t + after) gives, without its search)
    est = np.nan_to_num(np.ceil((t + after) - u[0]), nan=g, posinf=g, neginf=0.0)
    k0 = np.clip(est, 0, g).astype(np.int64)
    # nearly everywhere cond is false in the month before k0 and true at k0 (or k0 is the first
    # month and cond holds there): then k0 is the first month, cond being monotone; the other
    # points search the months k0 − 2 … k0 + 2 around np.searchsorted's month
    inner = np.clip(k0, 1, g - 1)
    sure = (k0 < g) & cond(u[np.minimum(k0, g - 1)], t)  # type: ignore[operator]
    sure &= (k0 == 0) | ~cond(u[inner - 1], t)           # type: ignore[operator]
    k = np.where(sure, k0, g)
    rest = ~sure
    if rest.any():
        tr = t[rest]
        kr = np.searchsorted(u, tr + after)
        first = np.full(tr.shape, g, dtype=np.int64)
        for d in (2, 1, 0, -1, -2):                            # the exact first month near k0
            kk = np.clip(kr - d, 0, g - 1)
            hit = cond(u[kk], tr) & (kr - d >= 0) & (kr - d < g)   # type: ignore[operator]
            first = np.where(hit & (kk < first), kk, first)
        k[rest] = first
    c = t.shape[0]
    flat = (np.arange(c)[:, None] * (g + 1) + k).ravel()
    out = []
    for w in weights:
        acc = np.bincount(flat, weights=w.ravel(), minlength=c * (g + 1)).reshape(c, g + 1)
        out.append(np.cumsum(acc, axis=1)[:, :g])
    return out


def _in_start_month(u: np.ndarray, t: np.ndarray, shift: float, delta: object, mass: np.ndarray
                    ) -> np.ndarray:
    """Σ_p mass[c, p]·delta(x) in the one month k whose midpoint u_k lies within half a month of
    each start t + shift (x = (u_k − t) − shift, as the per-draw path computes it): what the
    month a start falls in adds to a sum counted from the month after it (c, g)."""
    c, g = t.shape[0], len(u)
    k = np.floor(t + shift).astype(np.int64)
    ok = (k >= 0) & (k < g)
    kk = np.clip(k, 0, g - 1)
    d = np.where(ok, delta((u[kk] - t) - shift) * mass, 0.0)   # type: ignore[operator]
    flat = (np.arange(c)[:, None] * g + kk).ravel()
    return np.bincount(flat, weights=d.ravel(), minlength=c * g).reshape(c, g)


def _separable(total: np.ndarray, f: np.ndarray, u: np.ndarray, rules: Rules,
               without_u: np.ndarray) -> tuple:
    """`as_good` and `as_other` of `_rows_b` without an exponential per (draw, month, exit
    point): with no drop-off the job factor is 0 or 1, and e^{−T(u − t)} = e^{−Tu}·e^{Tt}, so
    each sum over exit points is a sum from the month the per-draw path's own comparison first
    holds (`_counted`). Used when T·t stays far from overflow."""
    pi = np.where(total > 0, f / np.where(total > 0, total, 1.0), 0.0)[:, None]
    back = np.exp(-total[:, None] * u[None, :])                           # (c, g)
    g = len(u)
    lag, bl = rules.job_lag, rules.benefit_lag

    def sums(side: _Side, mass: np.ndarray, shift: float, cond: object, after: float
             ) -> tuple[np.ndarray, np.ndarray]:
        up = mass * np.exp(total[:, None] * (side.t + shift))
        s0, s1 = _counted(u, side.t, cond, [mass, up], g, after)
        return s0, s1 * back

    fd, ld = f[:, None], (total - f)[:, None]

    def start_month(side: _Side, mass: np.ndarray, shift: float, employed: bool, keep: float
                    ) -> np.ndarray:
        """What `chain_month` adds over `chain` in the month the start falls in, times the job
        factor there (1 before the start, then 0 within the benefit lag: `keep` from it)."""
        def delta(x: np.ndarray) -> np.ndarray:
            d = chain_month(x, fd, ld, employed) - chain(x, fd, ld, employed)
            return d * np.where(x >= 0, np.where(x >= keep, 1.0, 0.0), 1.0)
        return _in_start_month(u, side.t, shift, delta, mass)

    def as_good(side: _Side, mass: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s0, s1 = sums(side, mass, lag, lambda uk, t: (uk - t) - lag >= 0, lag)
        emp = pi * s0 + (1 - pi) * s1 + start_month(side, mass, lag, True, -np.inf)
        if bl <= 0:
            return emp, emp - without_u * mass.sum(axis=1)[:, None]
        b0, b1 = sums(side, mass, lag, lambda uk, t: ((uk - t) - lag >= 0) & ((uk - t) - lag >= bl),
                      lag + bl)
        fm = mass.sum(axis=1)[:, None] - s0 + b0
        return emp, (pi * b0 + (1 - pi) * b1 + start_month(side, mass, lag, True, bl)
                     - without_u * fm)

    def as_other(side: _Side, mass: np.ndarray) -> np.ndarray:
        s0, s1 = sums(side, mass, 0.0, lambda uk, t: uk - t >= 0, 0.0)
        return pi * (s0 - s1) + start_month(side, mass, 0.0, False, -np.inf)

    return as_good, as_other


def _to_months_b(series: np.ndarray, n_cal: int) -> np.ndarray:
    """`expected._to_months` along the last axis."""
    per = round(1.0 / DT)
    lead = series.shape[:-1]
    if series.shape[-1] > n_cal * per:
        m = series[..., :n_cal * per].copy()
        m[..., -1] += series[..., n_cal * per:].sum(axis=-1)
        return m.reshape(*lead, n_cal, per).sum(axis=-1)
    # the months the series reaches, summed; the later months are zeros
    full = series.shape[-1] // per
    out = np.zeros((*lead, n_cal))
    out[..., :full] = series[..., :full * per].reshape(*lead, full, per).sum(axis=-1)
    if full * per < series.shape[-1]:
        part = np.zeros((*lead, per))   # summed as a whole month with zeros (same rounding)
        part[..., :series.shape[-1] - full * per] = series[..., full * per:]
        out[..., full] = part.sum(axis=-1)
    return out


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
        n = _steps_needed(sc, bn, v)
        while True:
            ks = _kernels(sc, bn, v, n)
            per = [[batch_paths(bn, ks, entry, good_names, n)] for entry, _ in classes]
            left = max(float(np.nan_to_num(ps[0].beyond.sum(axis=1), nan=0.0).max()) for ps in per)
            if left <= BEYOND or n * DT >= MAX_MONTHS:
                break
            n = min(2 * n, math.ceil(MAX_MONTHS / DT) + 1)
    else:
        from model.expected import _long_enough

        def reference() -> tuple[int, list[list[BPaths]]]:
            n, ref = _long_enough(sc, cells, classes)
            return n, [[_from_paths(p, sc) for p in ps] for ps in ref]

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
            rows, extra = _rows_b(_expand(p, b), fc, loss, rules, state_good, lean)
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
            pe = _expand(p, b)
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


def _expand(p: BPaths, b: int) -> BPaths:
    """A BPaths of one row repeated for b draws (views, no copy)."""
    if p.exits.shape[0] == b:
        return p
    return BPaths(np.broadcast_to(p.exits, (b, *p.exits.shape[1:])),
                  np.broadcast_to(p.service, (b, *p.service.shape[1:])),
                  np.broadcast_to(p.starts, (b, *p.starts.shape[1:])),
                  np.broadcast_to(p.beyond, (b, *p.beyond.shape[1:])))
