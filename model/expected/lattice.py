"""Exit times on a lattice: each intervention's visit as point masses, and the network by convolution.

Time since a participant's arrival is cut into steps of `dt` months (lattice points k·dt). A visit
to an intervention with planned duration D and competing early exits at total rate h ends by
completion (at D, if the early exit comes later: density f_D(t)·e^{−ht}, plus e^{−ha}·P(D = a) at
each point mass a of D) or by an early exit (density h·(1 − F_D(t))·e^{−ht}). Each step's mass is
found by 4-point Gauss–Legendre quadrature and put on the two lattice points around it so that
its mean is kept; point masses of D are placed exactly the same way. A participant's path through
the network is then a sum of convolutions, iterated until no mass is left in the programme
(loops included). The result, per arrival: the probability of leaving to each exit state at each
lattice point, and the expected months in service and starts in each intervention by step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve

from model.exact import Network

GAUSS_X, GAUSS_W = np.polynomial.legendre.leggauss(4)
MAX_ROUNDS = 5_000
NEGLIGIBLE = 1e-12


@dataclass
class Kernel:
    """One visit that starts at time 0, on the lattice (arrays of length L)."""

    complete: np.ndarray   # P(the visit ends by completion at point k)
    early: np.ndarray      # P(the visit ends by an early exit at point k)
    service: np.ndarray    # expected months in service within step [k dt, (k+1) dt)


def _place(mass: np.ndarray, mean: np.ndarray, lo: np.ndarray, dt: float, n: int) -> np.ndarray:
    """Put each mass on the lattice points around its mean (linear split keeps the mean)."""
    out = np.zeros(n + 1)
    pos = np.clip((mean - lo) / dt, 0.0, 1.0)
    k = np.round(lo / dt).astype(np.int64)
    np.add.at(out, k, mass * (1.0 - pos))
    np.add.at(out, np.minimum(k + 1, n), mass * pos)
    return out[:n]


def kernel(duration: object, hazard: float, n: int, dt: float) -> Kernel:
    """A visit with this duration distribution and total early-exit hazard, over n steps."""
    edges = np.arange(n + 1) * dt
    lo = edges[:-1]
    x = lo[:, None] + (GAUSS_X[None, :] + 1.0) * dt / 2.0        # (n, 4) quadrature nodes
    wq = GAUSS_W[None, :] * dt / 2.0
    atoms = duration.atoms()
    cont = duration.continuous()
    w_cont = 1.0 - sum(p for _, p in atoms)
    cdf = np.zeros_like(x)
    pdf = np.zeros_like(x)
    if cont is not None:
        cdf = w_cont * cont.cdf(x)
        pdf = w_cont * cont.pdf(x)
    for a, p in atoms:
        cdf = cdf + p * (x >= a)
    decay = np.exp(-hazard * x)
    survive = np.clip(1.0 - cdf, 0.0, None) * decay
    complete = np.zeros(n)
    if cont is not None:
        dens = pdf * decay
        m = (dens * wq).sum(axis=1)
        mu = np.where(m > 0, (dens * x * wq).sum(axis=1) / np.where(m > 0, m, 1.0), lo)
        complete += _place(m, mu, lo, dt, n)
    for a, p in atoms:
        k = min(int(np.floor(a / dt + 1e-9)), n - 1)
        if a <= edges[-1]:
            complete += _place(np.array([p * np.exp(-hazard * a)]), np.array([a]),
                               np.array([k * dt]), dt, n)
    early = np.zeros(n)
    if hazard > 0:
        dens = hazard * survive
        m = (dens * wq).sum(axis=1)
        mu = np.where(m > 0, (dens * x * wq).sum(axis=1) / np.where(m > 0, m, 1.0), lo)
        early = _place(m, mu, lo, dt, n)
    service = (survive * wq).sum(axis=1)
    return Kernel(complete, early, service)


def _conv(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    if len(a) * len(b) > 200_000:
        out = fftconvolve(a, b)[:n]
        return np.where(np.abs(out) < 1e-15, 0.0, out)
    return np.convolve(a, b)[:n]


@dataclass
class Paths:
    """Per arriving participant, on the lattice of time since arrival (length n).

    `exits[state]`: probability of leaving to that state at each point; `service[name]` and
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
    out = {s: np.zeros(n) for s in exits}
    pending = np.zeros((ni, n))
    pending[:, 0] = entry
    for _ in range(MAX_ROUNDS):
        if pending.sum() < NEGLIGIBLE:
            break
        inflow += pending
        nxt = np.zeros((ni, n))
        for i, name in enumerate(names):
            if pending[i].sum() < NEGLIGIBLE:
                continue
            kc = _conv(pending[i], kernels[name].complete, n)
            ke = _conv(pending[i], kernels[name].early, n)
            to = net.route[i][:, None] * kc[None, :] + net.hazard[i][:, None] * ke[None, :]
            nxt += to[:ni]
            for j, s in enumerate(exits):
                out[s] += to[ni + j]
        pending = nxt
    service, starts = {}, {}
    for i, name in enumerate(names):
        k = kernels[name]
        # the good share of those still in service after each step, from how visits end
        end_good = (k.complete * (net.route[i] @ rho) + k.early * (net.hazard[i] @ rho))
        end_all = k.complete + k.early
        rest_all = np.cumsum(end_all[::-1])[::-1]
        rest_good = np.cumsum(end_good[::-1])[::-1]
        left = max(1.0 - end_all.sum(), 0.0)
        frac = (rest_good + left * rho[i]) / np.maximum(rest_all + left, 1e-300)
        frac = np.r_[frac[1:], rho[i]]
        svc = _conv(inflow[i], k.service, n)
        svc_good = _conv(inflow[i], k.service * frac, n)
        service[name] = np.stack([svc_good, svc - svc_good])
        starts[name] = np.stack([inflow[i] * rho[i], inflow[i] * (1 - rho[i])])
    shares = entry @ net.absorption()
    beyond = {s: max(float(shares[j] - out[s].sum()), 0.0) for j, s in enumerate(exits)}
    return Paths(out, service, starts, beyond)
