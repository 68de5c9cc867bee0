"""Parameter distributions: what an uncertain input is believed to be, for PSA draws and ranges.

Each distribution is a small pydantic class that checks its own keys and bounds and gives
`frozen()`, the scipy.stats distribution that designs draw from through its inverse CDF, and
`ppf(q)`, one quantile without scipy (closed forms and `model.special`), for checks made when a
file is read (start-up: scipy.stats alone took longer to import than the rest of `validate`).
`PARAM_DISTS` maps each `dist` name to its class (read off the union, as `model.distributions`
does for durations) and `param_dist` builds one from flat keys, as a sweep parameter writes them:
`{dist: beta, mean: 0.62, sd: 0.038}`. A mean may come from outside (`param_dist(keys,
mean=0.62)`), so that a sourced number's value can be the mean of its uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from model.unions import union_tags


class ParamDist(BaseModel):
    """Base of the parameter distributions: strict keys, one of the key sets in KEY_SETS."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    KEY_SETS: ClassVar[tuple[tuple[str, ...], ...]] = ()

    @classmethod
    def name(cls) -> str:
        return cls.model_fields["dist"].default

    @classmethod
    def keys_taken(cls) -> set[str]:
        """Every key some key set of this distribution uses."""
        return {k for keys in cls.KEY_SETS for k in keys}

    @classmethod
    def takes(cls, keys: Iterable[str]) -> bool:
        """True when `keys` are exactly one of the sets that define this distribution."""
        given = set(keys)
        return any(set(ks) == given for ks in cls.KEY_SETS)

    @model_validator(mode="before")
    @classmethod
    def _one_key_set(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            given = [k for k, v in data.items() if k != "dist" and v is not None]
            if not cls.takes(given):
                want = " or ".join(", ".join(keys) for keys in cls.KEY_SETS)
                raise ValueError(f"dist {cls.name()} takes {want}; got "
                                 f"{', '.join(given) or 'nothing'}")
        return data

    def frozen(self) -> Any:
        """The scipy.stats frozen distribution."""
        raise NotImplementedError

    def moments(self) -> tuple[float, float]:
        """Mean and standard deviation, from the parameters in closed form."""
        raise NotImplementedError

    def ppf(self, q: float) -> float:
        """The q quantile (0 < q < 1), as `frozen().ppf(q)` computes it, without scipy."""
        raise NotImplementedError

    def ppf_vector(self, q: Any) -> Any:
        """The quantiles of an array of q (each 0 < q < 1) at once: what `frozen().ppf(q)` gives,
        element for element, from the same formula (scipy.special, not a scipy.stats object:
        the PSA draws thousands at a time, and scipy.stats takes a second to import)."""
        import numpy as np

        return np.asarray(self.frozen().ppf(q), dtype=float)


class Beta(ParamDist):
    """A share (0 to 1): by mean and standard deviation, or by its shapes alpha and beta."""

    KEY_SETS = (("mean", "sd"), ("alpha", "beta"))
    dist: Literal["beta"] = "beta"
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)
    alpha: float | None = Field(default=None, gt=0)
    beta: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _bounds(self) -> Beta:
        if self.mean is not None:
            if not 0 < self.mean < 1:
                raise ValueError(f"a beta mean must be between 0 and 1, not {self.mean:g}")
            if self.sd**2 >= self.mean * (1 - self.mean):
                raise ValueError(f"sd {self.sd:g} is too large for a beta with mean {self.mean:g} "
                                 f"(sd must be below {math.sqrt(self.mean * (1 - self.mean)):.4g})")
        return self

    def shapes(self) -> tuple[float, float]:
        """alpha and beta (from mean and sd by the method of moments)."""
        if self.alpha is not None:
            return self.alpha, self.beta
        k = self.mean * (1 - self.mean) / self.sd**2 - 1
        return self.mean * k, (1 - self.mean) * k

    def frozen(self) -> Any:
        from scipy import stats

        return stats.beta(*self.shapes())

    def ppf(self, q: float) -> float:
        from model.special import beta_ppf

        return beta_ppf(q, *self.shapes())

    def ppf_vector(self, q: Any) -> Any:
        from scipy.special import _ufuncs

        inverse = getattr(_ufuncs, "_beta_ppf", None)   # what scipy.stats.beta uses (1.17)
        if inverse is None:  # another scipy: its own frozen distribution
            return super().ppf_vector(q)
        return inverse(q, *self.shapes()) * 1.0 + 0.0   # scipy's `_ppf · scale + loc`

    def moments(self) -> tuple[float, float]:
        if self.mean is not None:
            return self.mean, self.sd
        a, b = self.alpha, self.beta
        return a / (a + b), math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1)))


MAX_CV = 100.0  # assumption: no stated uncertainty of a positive amount is wider; a guard against overflow


class _MeanCv(ParamDist):
    """A positive quantity by its mean and coefficient of variation (sd / mean), or its sd."""

    KEY_SETS = (("mean", "cv"), ("mean", "sd"))
    mean: float
    cv: float = Field(gt=0)

    @model_validator(mode="before")
    @classmethod
    def _sd_to_cv(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("sd") is not None and data.get("cv") is None:
            mean, sd = data.get("mean"), data["sd"]
            if not isinstance(sd, int | float) or sd <= 0:
                raise ValueError(f"sd must be above 0, not {sd!r}")
            if isinstance(mean, int | float) and mean > 0:
                data = {k: v for k, v in data.items() if k != "sd"} | {"cv": sd / mean}
        return data

    @model_validator(mode="after")
    def _positive(self) -> _MeanCv:
        if not self.mean > 0:
            raise ValueError(f"a {self.name()} mean must be above 0, not {self.mean:g}")
        if not self.cv <= MAX_CV:  # also catches inf and nan
            raise ValueError(f"sd {self.cv * self.mean:g} is {self.cv:g} times the mean; at most "
                             f"{MAX_CV:g} times is allowed (a wider {self.name()} puts almost all "
                             "its probability at 0)")
        return self

    def moments(self) -> tuple[float, float]:
        return self.mean, self.cv * self.mean


class Gamma(_MeanCv):
    """Gamma by mean and CV (shape 1/CV², scale mean·CV²): a hazard, a cost."""

    dist: Literal["gamma"] = "gamma"

    def frozen(self) -> Any:
        from scipy import stats

        return stats.gamma(a=1 / self.cv**2, scale=self.mean * self.cv**2)

    def ppf(self, q: float) -> float:
        from model.special import gamma_ppf

        return gamma_ppf(q, 1 / self.cv**2) * (self.mean * self.cv**2)

    def ppf_vector(self, q: Any) -> Any:
        from scipy.special import gammaincinv

        return gammaincinv(1 / self.cv**2, q) * (self.mean * self.cv**2) + 0.0


class LogNormal(_MeanCv):
    """Lognormal by mean and CV (σ² = ln(1+CV²), μ = ln(mean) − σ²/2): a skewed positive value."""

    dist: Literal["lognormal"] = "lognormal"

    def _s_scale(self) -> tuple[float, float]:
        s2 = math.log(1 + self.cv**2)
        return math.sqrt(s2), math.exp(math.log(self.mean) - s2 / 2)

    def frozen(self) -> Any:
        from scipy import stats

        s, scale = self._s_scale()
        return stats.lognorm(s=s, scale=scale)

    def ppf(self, q: float) -> float:
        from model.special import norm_ppf

        s, scale = self._s_scale()
        return math.exp(s * norm_ppf(q)) * scale

    def ppf_vector(self, q: Any) -> Any:
        import numpy as np
        from scipy.special import ndtri

        s, scale = self._s_scale()
        return np.exp(s * ndtri(q)) * scale + 0.0


def _ordered(low: float, high: float) -> None:
    if not low < high:
        raise ValueError(f"low ({low:g}) must be below high ({high:g})")


class Uniform(ParamDist):
    """Uniform between low and high: every value in the range equally likely."""

    KEY_SETS = (("low", "high"),)
    dist: Literal["uniform"] = "uniform"
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        _ordered(self.low, self.high)
        return self

    def frozen(self) -> Any:
        from scipy import stats

        return stats.uniform(loc=self.low, scale=self.high - self.low)

    def ppf(self, q: float) -> float:
        return q * (self.high - self.low) + self.low

    def ppf_vector(self, q: Any) -> Any:
        import numpy as np

        return np.asarray(q, dtype=float) * (self.high - self.low) + self.low

    def moments(self) -> tuple[float, float]:
        return (self.low + self.high) / 2, (self.high - self.low) / math.sqrt(12)


class Triangular(ParamDist):
    """Triangular between low and high, most likely at mode: a range with a best guess."""

    KEY_SETS = (("low", "mode", "high"),)
    dist: Literal["triangular"] = "triangular"
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        _ordered(self.low, self.high)
        if not self.low <= self.mode <= self.high:
            raise ValueError("triangular needs low <= mode <= high")
        return self

    def frozen(self) -> Any:
        width = self.high - self.low
        from scipy import stats

        return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)

    def ppf(self, q: float) -> float:
        width = self.high - self.low
        c = (self.mode - self.low) / width
        unit = math.sqrt(c * q) if q < c else 1 - math.sqrt((1 - c) * (1 - q))
        return unit * width + self.low

    def ppf_vector(self, q: Any) -> Any:
        import numpy as np

        width = self.high - self.low
        c = (self.mode - self.low) / width
        q = np.asarray(q, dtype=float)
        return np.where(q < c, np.sqrt(c * q), 1 - np.sqrt((1 - c) * (1 - q))) * width + self.low

    def moments(self) -> tuple[float, float]:
        a, c, b = self.low, self.mode, self.high
        return (a + b + c) / 3, math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18)


class Normal(ParamDist):
    """Normal by mean and standard deviation: a value that may be negative."""

    KEY_SETS = (("mean", "sd"),)
    dist: Literal["normal"] = "normal"
    mean: float
    sd: float = Field(gt=0)

    def frozen(self) -> Any:
        from scipy import stats

        return stats.norm(loc=self.mean, scale=self.sd)

    def ppf(self, q: float) -> float:
        from model.special import norm_ppf

        return norm_ppf(q) * self.sd + self.mean

    def ppf_vector(self, q: Any) -> Any:
        from scipy.special import ndtri

        return ndtri(q) * self.sd + self.mean

    def moments(self) -> tuple[float, float]:
        return self.mean, self.sd


ParamDistribution = Annotated[Beta | Gamma | LogNormal | Uniform | Triangular | Normal,
                              Field(discriminator="dist")]
PARAM_DISTS: dict[str, type[ParamDist]] = union_tags(ParamDistribution)
PARAM_DIST_KEYS: frozenset[str] = frozenset().union(*(c.keys_taken() for c in PARAM_DISTS.values()))


def param_dist(keys: Mapping[str, Any], mean: float | None = None) -> ParamDist:
    """The distribution named by `keys["dist"]`, from its other keys; ValueError says what is wrong.

    `mean` fills in a mean the keys leave out where the distribution needs one (e.g. the value
    of the number the distribution describes); keys that define the distribution without a mean
    (a beta's alpha and beta) leave it unused.
    """
    cls = PARAM_DISTS.get(keys.get("dist"))
    if cls is None:
        raise ValueError(f"unknown distribution {keys.get('dist')!r}; allowed: "
                         f"{', '.join(PARAM_DISTS)}")
    given = {k: v for k, v in keys.items() if k != "dist" and v is not None}
    if mean is not None and not cls.takes(given) and cls.takes([*given, "mean"]):
        given["mean"] = mean
    try:
        return cls.model_validate(given)
    except ValidationError as exc:
        raise ValueError(_message(exc)) from None


def _message(exc: ValidationError) -> str:
    """The first error, as plain text (a value error's own message; else the field and pydantic's)."""
    err = exc.errors(include_url=False)[0]
    if err["type"] == "value_error":
        return str(err["ctx"]["error"])
    where = ".".join(map(str, err["loc"]))
    return f"{where}: {err['msg']}" if where else err["msg"]
