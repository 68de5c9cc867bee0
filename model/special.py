"""Scalar distribution functions in pure Python, so that reading a scenario needs no scipy.

`insats validate` checks each uncertain input at its 0.1 % and 99.9 % quantiles
(`model.psa.inputs.extreme_problems`); importing scipy.stats for that took longer than the rest
of the command (issue 11, start-up). The normal quantile is `statistics.NormalDist`; the gamma and
beta ones invert the regularised incomplete gamma and beta functions (series and continued
fractions, Numerical Recipes §6.2 and §6.4) by bisection over the bit patterns of the doubles,
which ends on neighbouring floats whatever the scale. They agree with scipy.stats to about 1e-13
relative (tests/test_uncertainty.py compares them on a grid); PSA draws, which are vectors, still
use scipy.stats.

The Poisson functions exact mode needs (a capped intake, a capacity that might bind) are
scipy.stats' own formulas on scipy.special, which loads in a fraction of scipy.stats' time and
gives the same numbers to the bit.
"""

from __future__ import annotations

import math
import struct
import sys
from collections.abc import Callable
from statistics import NormalDist

import numpy as np

_EPS = 1e-16
_TINY = 1e-300
_MAX_TERMS = 100_000


def norm_ppf(q: float) -> float:
    """Standard normal quantile."""
    return NormalDist().inv_cdf(q)


def gamma_cdf(x: float, a: float) -> float:
    """Regularised lower incomplete gamma function P(a, x): the CDF of a gamma with shape a."""
    return _gamma_pq(x, a)[0]


def _gamma_pq(x: float, a: float) -> tuple[float, float]:
    """P(a, x) and Q(a, x) = 1 − P, the smaller of the two computed directly (no cancellation)."""
    if x <= 0:
        return 0.0, 1.0
    if math.isinf(x):
        return 1.0, 0.0
    lead = math.exp(a * math.log(x) - x - math.lgamma(a))
    if x < a + 1:  # series
        term = total = 1.0 / a
        n = a
        for _ in range(_MAX_TERMS):
            n += 1
            term *= x / n
            total += term
            if abs(term) < abs(total) * _EPS:
                break
        p = min(1.0, total * lead)
        return p, 1.0 - p
    # continued fraction for Q(a, x) (modified Lentz)
    b = x + 1 - a
    c = 1 / _TINY
    d = 1 / b
    h = d
    for i in range(1, _MAX_TERMS):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = _TINY if abs(d) < _TINY else d
        c = b + an / c
        c = _TINY if abs(c) < _TINY else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < _EPS:
            break
    q = min(1.0, lead * h)
    return 1.0 - q, q


def _beta_cf(x: float, a: float, b: float) -> float:
    """The continued fraction of the incomplete beta function (modified Lentz)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c = 1.0
    d = 1 - qab * x / qap
    d = 1 / (_TINY if abs(d) < _TINY else d)
    h = d
    for m in range(1, _MAX_TERMS):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (_TINY if abs(d) < _TINY else d)
            c = 1 + aa / c
            c = _TINY if abs(c) < _TINY else c
            h *= d * c
        if abs(d * c - 1) < _EPS:
            break
    return h


def beta_cdf(x: float, a: float, b: float) -> float:
    """Regularised incomplete beta function I_x(a, b): the CDF of a beta with shapes a and b."""
    return _beta_pq(x, a, b)[0]


def _beta_pq(x: float, a: float, b: float) -> tuple[float, float]:
    """I_x(a, b) and 1 − I_x(a, b), the smaller of the two computed directly."""
    if x <= 0:
        return 0.0, 1.0
    if x >= 1:
        return 1.0, 0.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    front = math.exp(log_front)
    if x < (a + 1) / (a + b + 2):
        p = front * _beta_cf(x, a, b) / a
        return p, 1.0 - p
    q = front * _beta_cf(1 - x, b, a) / b
    return 1.0 - q, q


def _bits(x: float) -> int:
    return struct.unpack("<q", struct.pack("<d", x))[0]


def _float(i: int) -> float:
    return struct.unpack("<d", struct.pack("<q", i))[0]


def invert(pq: Callable[[float], tuple[float, float]], q: float, lo: float, hi: float) -> float:
    """The x in [lo, hi] (both ≥ 0) where a CDF reaches q, `pq(x)` giving (CDF, 1 − CDF): bisection
    over the doubles' bit patterns (ordered like the numbers for x ≥ 0), so it ends on two
    neighbouring floats at any scale; of those, the one closer to q. Above the median the upper
    tail is compared with 1 − q, which keeps its precision there."""
    upper = q > 0.5
    target = 1.0 - q if upper else q

    def miss(x: float) -> float:
        p = pq(x)
        return target - p[1] if upper else p[0] - target  # increasing in x

    i, j = _bits(lo), _bits(hi)
    while j - i > 1:
        mid = (i + j) // 2
        if miss(_float(mid)) < 0:
            i = mid
        else:
            j = mid
    x_lo, x_hi = _float(i), _float(j)
    return x_lo if abs(miss(x_lo)) < abs(miss(x_hi)) else x_hi


def gamma_ppf(q: float, a: float) -> float:
    """Quantile of a gamma with shape a and scale 1."""
    return invert(lambda x: _gamma_pq(x, a), q, 0.0, math.inf)


def beta_ppf(q: float, a: float, b: float) -> float:
    """Quantile of a beta with shapes a and b (at least the smallest normal double, as scipy
    gives where the quantile underflows)."""
    return max(invert(lambda x: _beta_pq(x, a, b), q, 0.0, 1.0), sys.float_info.min)


def poisson_pmf(k: np.ndarray, mu: float) -> np.ndarray:
    """P(N = k) for N ~ Poisson(mu > 0), k whole numbers ≥ 0 (scipy.stats.poisson.pmf)."""
    from scipy.special import gammaln, xlogy

    k = np.asarray(k, dtype=float)
    return np.exp(xlogy(k, mu) - gammaln(k + 1) - mu)


def poisson_sf(k: float, mu: np.ndarray) -> np.ndarray:
    """P(N > k) for N ~ Poisson(mu ≥ 0) (scipy.stats.poisson.sf): 1 below the support."""
    from scipy.special import pdtrc

    mu = np.asarray(mu, dtype=float)
    if k < 0:
        return np.ones_like(mu)
    return pdtrc(math.floor(k), mu)


def poisson_ppf(q: float, mu: float) -> float:
    """The smallest k with P(N ≤ k) ≥ q, for 0 < q < 1 and mu > 0 (scipy.stats.poisson.ppf)."""
    from scipy.special import pdtr, pdtrik

    vals = math.ceil(float(pdtrik(q, mu)))
    below = max(vals - 1, 0)
    return float(below if pdtr(below, mu) >= q else vals)
