"""The employment curves of the expected-value path over many draws (`model.expected.batch`).

`expected._rows` per draw: from the exit masses and times of every draw's lattice, the chance to
be in work (with and without the programme) month by month, and the sums the pricing needs (jobs
at exit and a year on, months in the programme), in chunks of CHUNK draws or, when the draws
separate, in one pass. The per-draw path stays the reference (tests/test_vector.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from model.economics.effect import CURVES, Rules, after_start, chain, chain_month
from model.expected import DT

if TYPE_CHECKING:
    from model.expected.batch_lattice import BPaths

CHUNK = 64   # draws whose employment curves are evaluated at once (memory stays small)


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
