"""The lattice over many parameter draws at once (`model.expected.lattice` with a leading axis
over draws, issue 22): each draw's network (`batch_network`), the kernels of its interventions'
stays, the paths through it (`batch_paths`: exits, service and starts by lattice step), and the
convolutions over draws they are built with (`bconv`). `model.expected.batch` turns the paths into
every draw's effects and activity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.exact import Network
from model.expected import DT, MAX_MONTHS
from model.expected.lattice import MAX_ROUNDS, NEGLIGIBLE, TINY, Kernel, _nodes, fast_length, kernel
from model.scenario import Scenario

if TYPE_CHECKING:
    from model.expected.batch import Varied


@dataclass
class BPaths:
    """`lattice.Paths` with a leading axis over draws (1 when the same for all)."""

    exits: np.ndarray          # (B, exits, 3, n)
    service: np.ndarray        # (B, interventions, 2, n)
    starts: np.ndarray         # (B, interventions, 2, n)
    beyond: np.ndarray         # (B, exits)


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


def stay_kernels(sc: Scenario, bn: BNetwork, v: Varied, n: int) -> list[tuple[np.ndarray, ...]]:
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


def paths_of_reference(ps: list[object], sc: Scenario) -> BPaths:
    """Reference `Paths` of one class and cell as a BPaths of one row."""
    p = ps  # type: ignore[assignment]
    exits = list(sc.exit_states)
    return BPaths(np.stack([p.exits[s] for s in exits])[None],          # type: ignore[attr-defined]
                  np.stack([p.service[k] for k in sc.names])[None],      # type: ignore[attr-defined]
                  np.stack([p.starts[k] for k in sc.names])[None],       # type: ignore[attr-defined]
                  np.array([[p.beyond[s] for s in exits]]))              # type: ignore[attr-defined]


def steps_needed(sc: Scenario, bn: BNetwork, v: Varied) -> int:
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


def expand_paths(p: BPaths, b: int) -> BPaths:
    """A BPaths of one row repeated for b draws (views, no copy)."""
    if p.exits.shape[0] == b:
        return p
    return BPaths(np.broadcast_to(p.exits, (b, *p.exits.shape[1:])),
                  np.broadcast_to(p.service, (b, *p.service.shape[1:])),
                  np.broadcast_to(p.starts, (b, *p.starts.shape[1:])),
                  np.broadcast_to(p.beyond, (b, *p.beyond.shape[1:])))
