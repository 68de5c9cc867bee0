"""Duration distributions (months), declared in scenario files and shared by the engine and exact mode.

Each distribution is a strict pydantic model that can draw samples (numpy, for the engine: one
at a time with `sample`, or `samples(rng, n)`, the same n values in the same order), give its
Laplace transform (exact mode) and describe itself as point masses (`atoms`) plus a continuous
part (`continuous`: cdf, pdf, ppf, support and std) for the expected-value path, so the three
can never disagree about what "gamma with mean 6 and CV 0.5" means. The exponential, uniform and
gamma parts are `ClosedForm`s, scipy.stats' own formulas without importing it (it takes about
60 MiB that simulating never needs, and longer to import than exact mode takes to run: issue 11,
start-up); lognormal and triangular are frozen scipy.stats distributions, imported for them only.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from model.numbers import CV, Month, NonNegNum, PosMonths
from model.unions import union_tags


def _stats() -> Any:
    """scipy.stats, imported on first use."""
    from scipy import stats

    return stats


@dataclass(frozen=True)
class ClosedForm:
    """A continuous distribution as exact mode reads it, computed as scipy.stats computes its
    frozen distributions (standardise by loc and scale, then the family's standard functions,
    0 and 1 outside the support) but without importing scipy.stats."""

    loc: float
    scale: float
    lower: float                                 # support of the standard form
    upper: float
    variance: float                              # of the standard form
    unit_cdf: Callable[[np.ndarray], np.ndarray]
    unit_pdf: Callable[[np.ndarray], np.ndarray]
    unit_ppf: Callable[[np.ndarray], np.ndarray]

    def support(self) -> tuple[float, float]:
        return self.lower * self.scale + self.loc, self.upper * self.scale + self.loc

    def std(self) -> float:
        return math.sqrt(self.variance * self.scale * self.scale)

    def _apply(self, x: Any, f: Callable[[np.ndarray], np.ndarray], inside: np.ndarray,
               fill: np.ndarray) -> Any:
        out = np.array(fill, dtype=float)
        out[inside] = f(x[inside])
        return out if out.ndim else float(out)

    def cdf(self, x: Any) -> Any:
        z = (np.asarray(x, dtype=float) - self.loc) / self.scale
        return self._apply(z, self.unit_cdf, (z > self.lower) & (z < self.upper),
                           np.where(z >= self.upper, 1.0, 0.0))

    def pdf(self, x: Any) -> Any:
        z = (np.asarray(x, dtype=float) - self.loc) / self.scale
        return self._apply(z, lambda v: self.unit_pdf(v) / self.scale,
                           (z >= self.lower) & (z <= self.upper), np.zeros_like(z))

    def ppf(self, q: Any) -> Any:
        q = np.asarray(q, dtype=float)
        ends = np.where(q == 0, self.lower * self.scale + self.loc,
                        np.where(q == 1, self.upper * self.scale + self.loc, np.nan))
        return self._apply(q, lambda v: self.unit_ppf(v) * self.scale + self.loc,
                           (q > 0) & (q < 1), ends)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Fixed(_Strict):
    """Every participant stays exactly `months`."""

    dist: Literal["fixed"]
    months: Month

    def mean(self) -> float:
        return float(self.months)

    def sample(self, rng: np.random.Generator) -> float:
        return float(self.months)

    def samples(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, float(self.months))

    def laplace(self, h: float) -> float:
        return math.exp(-h * self.months)

    def atoms(self) -> list[tuple[float, float]]:
        return [(float(self.months), 1.0)]

    def continuous(self) -> None:
        return None


class Exponential(_Strict):
    """Memoryless stay with the given mean."""

    dist: Literal["exponential"]
    mean_months: PosMonths = Field(alias="mean")

    def mean(self) -> float:
        return float(self.mean_months)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.exponential(self.mean_months))

    def samples(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.exponential(self.mean_months, n)

    def laplace(self, h: float) -> float:
        return 1.0 / (1.0 + h * self.mean_months)

    def atoms(self) -> list[tuple[float, float]]:
        return []

    def continuous(self) -> ClosedForm:
        return ClosedForm(0.0, float(self.mean_months), 0.0, math.inf, 1.0,
                          lambda z: -np.expm1(-z), lambda z: np.exp(-z), lambda q: -np.log1p(-q))


class Gamma(_Strict):
    """Gamma by mean and coefficient of variation (shape = 1/CV², scale = mean·CV²)."""

    dist: Literal["gamma"]
    mean_months: PosMonths = Field(alias="mean")
    cv: CV

    def mean(self) -> float:
        return float(self.mean_months)

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.gamma(1.0 / self.cv**2, self.mean_months * self.cv**2))

    def samples(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.gamma(1.0 / self.cv**2, self.mean_months * self.cv**2, n)

    def laplace(self, h: float) -> float:
        return (1.0 + h * self.mean_months * self.cv**2) ** (-1.0 / self.cv**2)

    def atoms(self) -> list[tuple[float, float]]:
        return []

    def continuous(self) -> ClosedForm:
        from scipy.special import gammainc, gammaincinv, gammaln, xlogy  # not all of scipy.stats

        a = 1.0 / self.cv**2
        return ClosedForm(0.0, self.mean_months * self.cv**2, 0.0, math.inf, a,
                          lambda z: gammainc(a, z), lambda z: np.exp(xlogy(a - 1.0, z) - z - gammaln(a)),
                          lambda q: gammaincinv(a, q))


class LogNormal(_Strict):
    """Lognormal by mean and CV (σ² = ln(1+CV²), μ = ln(mean) − σ²/2)."""

    dist: Literal["lognormal"]
    mean_months: PosMonths = Field(alias="mean")
    cv: CV

    def _params(self) -> tuple[float, float]:
        s2 = math.log1p(self.cv**2)
        return math.log(self.mean_months) - s2 / 2, math.sqrt(s2)

    def mean(self) -> float:
        return float(self.mean_months)

    def sample(self, rng: np.random.Generator) -> float:
        mu, sigma = self._params()
        return float(rng.lognormal(mu, sigma))

    def samples(self, rng: np.random.Generator, n: int) -> np.ndarray:
        mu, sigma = self._params()
        return rng.lognormal(mu, sigma, n)

    def laplace(self, h: float) -> float:
        return float(self.continuous().expect(lambda x: np.exp(-h * x)))

    def atoms(self) -> list[tuple[float, float]]:
        return []

    def continuous(self) -> Any:
        stats = _stats()
        mu, sigma = self._params()
        return stats.lognorm(s=sigma, scale=math.exp(mu))


class Triangular(_Strict):
    """Triangular between `low` and `high` with its peak at `mode`."""

    dist: Literal["triangular"]
    low: Month
    mode: Month
    high: Month

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not (self.low <= self.mode <= self.high) or self.low == self.high:
            raise ValueError("need low <= mode <= high and low < high")
        return self

    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.triangular(self.low, self.mode, self.high))

    def samples(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.triangular(self.low, self.mode, self.high, n)

    def laplace(self, h: float) -> float:
        return float(self.continuous().expect(lambda x: np.exp(-h * x)))

    def atoms(self) -> list[tuple[float, float]]:
        return []

    def continuous(self) -> Any:
        stats = _stats()
        width = self.high - self.low
        return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)


class Uniform(_Strict):
    """Uniform between `low` and `high`."""

    dist: Literal["uniform"]
    low: Month
    high: Month

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if not self.low < self.high:
            raise ValueError("need low < high")
        return self

    def mean(self) -> float:
        return (self.low + self.high) / 2.0

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def samples(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.uniform(self.low, self.high, n)

    def laplace(self, h: float) -> float:
        if h == 0:
            return 1.0
        return (math.exp(-h * self.low) - math.exp(-h * self.high)) / (h * (self.high - self.low))

    def atoms(self) -> list[tuple[float, float]]:
        return []

    def continuous(self) -> ClosedForm:
        return ClosedForm(float(self.low), float(self.high - self.low), 0.0, 1.0, 1.0 / 12,
                          lambda z: z, lambda z: np.ones_like(z), lambda q: q)


class Empirical(_Strict):
    """Observed stays (months), optionally weighted; a participant draws one of them."""

    dist: Literal["empirical"]
    values: list[Month] = Field(min_length=1)
    weights: list[NonNegNum] | None = None

    @field_validator("weights")
    @classmethod
    def _positive_total(cls, w: list[float] | None) -> list[float] | None:
        if w is not None and not 0 < sum(w) < math.inf:
            raise ValueError("weights must have a positive, finite sum")
        return w

    @model_validator(mode="after")
    def _lengths(self) -> Empirical:
        if self.weights is not None and len(self.weights) != len(self.values):
            raise ValueError(
                f"weights has {len(self.weights)} entries but values has {len(self.values)}"
            )
        return self

    def _p(self) -> np.ndarray:
        if self.weights is None:
            return np.full(len(self.values), 1.0 / len(self.values))
        w = np.asarray(self.weights, dtype=float)
        return w / w.sum()

    def mean(self) -> float:
        return float(np.dot(self._p(), self.values))

    def sample(self, rng: np.random.Generator) -> float:
        return float(self.values[int(rng.choice(len(self.values), p=self._p()))])

    def samples(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.asarray(self.values, dtype=float)[rng.choice(len(self.values), p=self._p(),
                                                                size=n)]

    def laplace(self, h: float) -> float:
        return float(np.dot(self._p(), np.exp(-h * np.asarray(self.values))))

    def atoms(self) -> list[tuple[float, float]]:
        merged: dict[float, float] = {}
        for v, p in zip(self.values, self._p(), strict=True):
            merged[float(v)] = merged.get(float(v), 0.0) + float(p)
        return sorted(merged.items())

    def continuous(self) -> None:
        return None


AnyDuration = Fixed | Exponential | Gamma | LogNormal | Triangular | Uniform | Empirical
Duration = Annotated[AnyDuration, Field(discriminator="dist")]


DIST_NAMES: tuple[str, ...] = tuple(union_tags(Duration))


def expected_stay(duration: AnyDuration, hazard: float) -> tuple[float, float]:
    """Return (P(complete), E[months in the intervention]) when exits compete at rate `hazard`.

    With D the planned duration and T ~ Exp(hazard) the time to an early exit,
    P(complete) = E[exp(-hazard·D)] (the Laplace transform) and E[min(D, T)] = (1 - that)/hazard.
    """
    if hazard <= 0:
        return 1.0, duration.mean()
    lt = duration.laplace(hazard)
    return lt, (1.0 - lt) / hazard
