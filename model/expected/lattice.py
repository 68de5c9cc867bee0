"""Exit times on a lattice: each intervention's visit as point masses, and the network by convolution.

Time since a participant's arrival is cut into steps of `dt` months (lattice points k·dt). A visit
to an intervention with planned duration D and competing early exits at total rate h ends by
completion (at D, if the early exit comes later: density f_D(t)·e^{−ht}, plus e^{−ha}·P(D = a) at
each point mass a of D) or by an early exit (density h·(1 − F_D(t))·e^{−ht}). Each step's mass and
its first two moments are found by Gauss–Legendre quadrature (on finer pieces for a narrow
distribution) and kept at the nearest lattice point, so every lattice point carries a
probability and the mean and variance of its time (a point mass of D keeps its exact time and
no variance). A participant's path through the network is then a sum of convolutions of such
triples — times add, so their moments combine as sums of independent variables do — iterated
until no mass is left in the programme (loops included). The result, per
arrival: the probability of leaving to each exit state at each lattice point (with its mean
time), and the expected months in service and starts in each intervention by step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.exact import Network

GAUSS_X, GAUSS_W = np.polynomial.legendre.leggauss(4)
MAX_ROUNDS = 5_000
NEGLIGIBLE = 1e-12
TINY = 1e-12   # a probability of still being in service below this is rounding noise


@dataclass
class Kernel:
    """One visit that starts at time 0, on the lattice (arrays of length L).

    `complete` and `early` are (3, L): the probability that the visit ends at (about) point k,
    and that probability times the mean, and times the mean square, of the time it ends.
    """

    complete: np.ndarray   # ends by completion
    early: np.ndarray      # ends by an early exit
    service: np.ndarray    # expected months in service within step [k dt, (k+1) dt)


def _place(mass: np.ndarray, mean: np.ndarray, square: np.ndarray, dt: float, n: int
           ) -> np.ndarray:
    """Each mass at the lattice point nearest its mean, with its first two moments: (3, n)."""
    out = np.zeros((3, n))
    k = np.clip(np.round(mean / dt).astype(np.int64), 0, n - 1)
    np.add.at(out[0], k, mass)
    np.add.at(out[1], k, mass * mean)
    np.add.at(out[2], k, mass * square)
    return out


def _nodes(lo: np.ndarray, dt: float, sub: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes and weights over each step, the step cut into `sub` pieces."""
    width = dt / sub
    starts = lo[:, None] + np.arange(sub)[None, :] * width            # (n, sub)
    x = (starts[:, :, None] + (GAUSS_X[None, None, :] + 1.0) * width / 2.0).reshape(len(lo), -1)
    w = np.tile(GAUSS_W * width / 2.0, sub)[None, :]
    return x, w


def _pieces(cont: object, dt: float) -> int:
    """Pieces per step so that quadrature resolves the continuous part: 4 per sd at least."""
    if cont is None:
        return 1
    lo, hi = cont.support()
    scale = min(float(cont.std()), float(hi - lo) if np.isfinite(hi - lo) else np.inf)
    return int(np.clip(np.ceil(4 * dt / max(scale, 1e-9)), 1, 64))


def kernel(duration: object, hazard: float, n: int, dt: float) -> Kernel:
    """A visit with this duration distribution and total early-exit hazard, over n steps."""
    edges = np.arange(n + 1) * dt
    lo, hi = edges[:-1], edges[1:]
    atoms = duration.atoms()
    cont = duration.continuous()
    x, wq = _nodes(lo, dt, _pieces(cont, dt))
    w_cont = 1.0 - sum(p for _, p in atoms)
    cdf = np.zeros_like(x)
    pdf = np.zeros_like(x)
    if cont is not None:
        cdf = w_cont * cont.cdf(x)
        pdf = w_cont * cont.pdf(x)
    decay = np.exp(-hazard * x)
    # still in service: (1 − F(t)) e^{−ht}; the smooth part by quadrature, each point mass of D
    # (a step down of p at a) integrated exactly
    smooth = np.clip(1.0 - cdf, 0.0, None) * decay
    service = (smooth * wq).sum(axis=1)
    first = (smooth * x * wq).sum(axis=1)
    second = (smooth * x * x * wq).sum(axis=1)
    for a, p in atoms:
        i0, i1, i2 = _after(a, lo, hi, hazard)
        service -= p * i0
        first -= p * i1
        second -= p * i2
    service = np.clip(service, 0.0, None)
    complete = np.zeros((3, n))
    if cont is not None:
        # each step's probability from the CDF (exact), its decay and moments by quadrature
        dens = pdf * decay
        weight = (pdf * wq).sum(axis=1)
        decayed = (dens * wq).sum(axis=1)
        fade = np.where(weight > 0, decayed / np.where(weight > 0, weight, 1.0),
                        np.exp(-hazard * (lo + dt / 2)))
        m = w_cont * np.diff(cont.cdf(edges)) * fade
        ok = decayed > 0
        mu = np.where(ok, (dens * x * wq).sum(axis=1) / np.where(ok, decayed, 1.0), lo + dt / 2)
        sq = np.where(ok, (dens * x * x * wq).sum(axis=1) / np.where(ok, decayed, 1.0), mu**2)
        complete += _place(m, np.clip(mu, lo, hi), np.clip(sq, lo**2, hi**2), dt, n)
    for a, p in atoms:
        if a <= edges[-1]:
            complete += _place(np.array([p * np.exp(-hazard * a)]), np.array([a]),
                               np.array([a * a]), dt, n)
    early = np.zeros((3, n))
    if hazard > 0:
        m = hazard * service
        ok = m > 0
        mu = np.where(ok, hazard * first / np.where(ok, m, 1.0), lo + dt / 2)
        sq = np.where(ok, hazard * second / np.where(ok, m, 1.0), mu**2)
        early = _place(m, np.clip(mu, lo, hi), np.clip(sq, lo**2, hi**2), dt, n)
    # keep each ending's total exactly: P(complete) = E[e^{−hD}] (the Laplace transform)
    p_complete = duration.laplace(hazard) if hazard > 0 else 1.0
    for arr, total in ((complete, p_complete), (early, 1.0 - p_complete)):
        have = arr[0].sum()
        if have > 0:
            arr *= total / have
    return Kernel(complete, early, service)


def _after(a: float, lo: np.ndarray, hi: np.ndarray, h: float
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """∫, ∫ t and ∫ t² of 1[t ≥ a]·e^{−ht} over each step [lo, hi)."""
    s = np.clip(a, lo, hi)
    if h == 0:
        return hi - s, (hi**2 - s**2) / 2.0, (hi**3 - s**3) / 3.0
    es, eh = np.exp(-h * s), np.exp(-h * hi)

    def prim(t: np.ndarray, e: np.ndarray, k: int) -> np.ndarray:
        if k == 0:
            return -e / h
        if k == 1:
            return -e * (t / h + 1 / h**2)
        return -e * (t * t / h + 2 * t / h**2 + 2 / h**3)

    return tuple(prim(hi, eh, k) - prim(s, es, k) for k in range(3))  # type: ignore[return-value]


def fast_length(n: int) -> int:
    """The smallest 5-smooth number (2^i 3^j 5^k) ≥ n: a fast real FFT length, as
    scipy.fft.next_fast_len(n, real=True) gives it."""
    best = 1 << max(0, (n - 1).bit_length())
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p2 = p35 << max(0, (-(-n // p35) - 1).bit_length())  # p35 · the power of 2 ≥ n / p35
            best = min(best, p2)
            p35 *= 3
        p5 *= 5
    return best


def _conv(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """The first n terms of the full convolution; long series through the FFT as
    scipy.signal.fftconvolve computes it (real FFTs of the next fast length; numpy's FFT gives
    the same numbers as scipy's), without importing scipy.signal: that took a second of exact
    mode's start-up."""
    if len(a) * len(b) > 200_000:
        full = len(a) + len(b) - 1
        size = fast_length(full)
        out = np.fft.irfft(np.fft.rfft(a, size) * np.fft.rfft(b, size), size)[:full][:n]
        return np.where(np.abs(out) < 1e-15, 0.0, out)
    return np.convolve(a, b)[:n]


def _conv3(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Convolution of (mass, first moment, second moment): the times of steps add, so
    E[(X+Y)²] = E[X²] + 2 E[X] E[Y] + E[Y²] within each pair of points."""
    a0b0 = _conv(a[0], b[0], n)
    if not a[1].any() and not b[1].any():
        return np.stack([a0b0, np.zeros(n), np.zeros(n)])
    return np.stack([a0b0, _conv(a[1], b[0], n) + _conv(a[0], b[1], n),
                     _conv(a[2], b[0], n) + 2 * _conv(a[1], b[1], n) + _conv(a[0], b[2], n)])


@dataclass
class Paths:
    """Per arriving participant, on the lattice of time since arrival (length n).

    `exits[state]`: (3, n), the probability of leaving to that state at (about) each point, and
    that probability times the mean and the mean square of its time of leaving; `service[name]`
    and
    `starts[name]`: expected months in service per step and service starts per point, each
    (2, n): row 0 for participants whose path ends in a good outcome, row 1 the others.
    `beyond`: probability still in the programme at the end of the lattice, by exit state it
    will reach (from the absorbing chain).
    """

    exits: dict[str, np.ndarray]
    service: dict[str, np.ndarray]
    starts: dict[str, np.ndarray]
    beyond: dict[str, float]


def paths(net: Network, kernels: dict[str, Kernel], entry: np.ndarray, good: set[str],
          n: int) -> Paths:
    """Propagate one arrival (entry shares over interventions at time 0) through the network."""
    names, exits = net.names, net.exits
    ni = len(names)
    good_exit = np.array([s in good for s in exits], dtype=float)
    rho = np.concatenate([net.absorption() @ good_exit, good_exit])   # P(good | at each place)
    inflow = np.zeros((ni, n))
    out = {s: np.zeros((3, n)) for s in exits}
    pending = np.zeros((ni, 3, n))
    pending[:, 0, 0] = entry
    for _ in range(MAX_ROUNDS):
        if pending[:, 0].sum() < NEGLIGIBLE:
            break
        inflow += pending[:, 0]
        nxt = np.zeros((ni, 3, n))
        for i, name in enumerate(names):
            if pending[i, 0].sum() < NEGLIGIBLE:
                continue
            kc = _conv3(pending[i], kernels[name].complete, n)
            ke = _conv3(pending[i], kernels[name].early, n)
            to = (net.route[i][:, None, None] * kc[None] + net.hazard[i][:, None, None] * ke[None])
            nxt += to[:ni]
            for j, s in enumerate(exits):
                out[s] += to[ni + j]
        pending = nxt
    service, starts = {}, {}
    for i, name in enumerate(names):
        k = kernels[name]
        # the good share of those still in service after each step, from how visits end
        end_good = (k.complete[0] * (net.route[i] @ rho) + k.early[0] * (net.hazard[i] @ rho))
        end_all = k.complete[0] + k.early[0]
        rest_all = np.cumsum(end_all[::-1])[::-1]
        rest_good = np.cumsum(end_good[::-1])[::-1]
        left = max(1.0 - end_all.sum(), 0.0)
        # where (about) nobody is still in service, the share is the intervention's own good
        # share: 0/0 otherwise, decided by rounding noise in `left` (issue 22)
        denom = rest_all + left
        frac = np.where(denom > TINY, (rest_good + left * rho[i]) / np.maximum(denom, 1e-300),
                        rho[i])
        frac = np.r_[frac[1:], rho[i]]
        svc = _conv(inflow[i], k.service, n)
        svc_good = _conv(inflow[i], k.service * frac, n)
        service[name] = np.stack([svc_good, svc - svc_good])
        starts[name] = np.stack([inflow[i] * rho[i], inflow[i] * (1 - rho[i])])
    shares = entry @ net.absorption()
    beyond = {s: max(float(shares[j] - out[s][0].sum()), 0.0) for j, s in enumerate(exits)}
    total = sum(o[0].sum() for o in out.values()) + sum(beyond.values())
    if total > 0:  # one participant in, one out: remove the quadrature's last rounding
        for s in exits:
            out[s] = out[s] / total * entry.sum()
            beyond[s] = beyond[s] / total * entry.sum()
    return Paths(out, service, starts, beyond)
