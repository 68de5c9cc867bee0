"""The sweep file: base scenarios, parameters (a path with a range and/or a distribution), design.

Every key is checked when the file is read, so a sweep fails before anything runs.
"""

from __future__ import annotations

import math
from typing import Any, Literal

import numpy as np
from pydantic import Field, model_validator
from scipy import stats

from model.numbers import Count, PosCount
from model.scenario import Strict
from model.sweep.paths import parse_path

KEY_COLUMNS = ("point_id", "scenario", "rep")
UNIT_EPS = 1e-12

DistName = Literal["beta", "gamma", "lognormal", "uniform", "triangular", "normal"]
DIST_KEYS: dict[str, tuple[tuple[str, ...], ...]] = {
    # each dist: the alternative sets of keys that define it
    "beta": (("mean", "sd"), ("alpha", "beta")),
    "gamma": (("mean", "cv"),),
    "lognormal": (("mean", "cv"),),
    "uniform": (("low", "high"),),
    "triangular": (("low", "mode", "high"),),
    "normal": (("mean", "sd"),),
}
SHAPE_KEYS = ("mean", "sd", "cv", "alpha", "beta", "mode")


class Parameter(Strict):
    """One input to vary: a path into the base scenarios, a range and/or a distribution.

    Range designs (grid, one-way, Morris) use [low, high] (for a distribution without them: its
    2.5th and 97.5th percentiles); probabilistic designs (random, LHS, Sobol) draw from the
    distribution (a range without one is uniform on [low, high]) through its inverse CDF.
    """

    path: str
    name: str | None = None
    scenarios: list[str] | None = None
    low: float | None = None
    high: float | None = None
    base: float | None = None
    levels: int | None = Field(default=None, ge=2)
    values: list[float] | None = Field(default=None, min_length=1)
    integer: bool = False
    dist: DistName | None = None
    mean: float | None = None
    sd: float | None = Field(default=None, gt=0)
    cv: float | None = Field(default=None, gt=0)
    alpha: float | None = Field(default=None, gt=0)
    beta: float | None = Field(default=None, gt=0)
    mode: float | None = None

    @model_validator(mode="after")
    def _check(self) -> Parameter:
        parse_path(self.path)
        label = self.label
        if ":" in label or label in KEY_COLUMNS:
            raise ValueError(f"the name '{label}' cannot be a column name (no ':', not one of "
                             f"{', '.join(KEY_COLUMNS)})")
        given = [k for k in SHAPE_KEYS if getattr(self, k) is not None]
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.dist is None:
            if given:
                raise ValueError(f"{', '.join(given)} describe a distribution: add dist "
                                 f"({', '.join(DIST_KEYS)})")
            if (self.low is None or self.high is None) and self.values is None:
                raise ValueError("give low and high (a range), values (grid levels), or a dist")
            return self
        options = DIST_KEYS[self.dist]
        shape = list(given)
        if self.dist in ("uniform", "triangular"):
            shape += [k for k in ("low", "high") if getattr(self, k) is not None]
        match = [keys for keys in options if set(keys) == set(shape)]
        if not match:
            want = " or ".join(", ".join(keys) for keys in options)
            raise ValueError(f"dist {self.dist} takes {want}; got {', '.join(shape) or 'nothing'}")
        if self.dist == "beta" and self.mean is not None:
            if not 0 < self.mean < 1:
                raise ValueError(f"a beta mean must be between 0 and 1, not {self.mean:g}")
            if self.sd**2 >= self.mean * (1 - self.mean):
                raise ValueError(f"sd {self.sd:g} is too large for a beta with mean {self.mean:g} "
                                 f"(sd must be below {math.sqrt(self.mean * (1 - self.mean)):.4g})")
        if self.dist in ("gamma", "lognormal") and not self.mean > 0:
            raise ValueError(f"a {self.dist} mean must be above 0, not {self.mean:g}")
        if self.dist == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError("triangular needs low <= mode <= high")
        return self

    @property
    def label(self) -> str:
        """The column name of this input in the results (`name`, else the path)."""
        return self.name or self.path

    def frozen(self) -> Any:
        """The scipy.stats distribution of this input (a bare range is uniform on it)."""
        d = self.dist
        if d is None or d == "uniform":
            return stats.uniform(loc=self.low, scale=self.high - self.low)
        if d == "beta":
            if self.alpha is not None:
                return stats.beta(self.alpha, self.beta)
            k = self.mean * (1 - self.mean) / self.sd**2 - 1
            return stats.beta(self.mean * k, (1 - self.mean) * k)
        if d == "gamma":
            return stats.gamma(a=1 / self.cv**2, scale=self.mean * self.cv**2)
        if d == "lognormal":
            s2 = math.log(1 + self.cv**2)
            return stats.lognorm(s=math.sqrt(s2), scale=math.exp(math.log(self.mean) - s2 / 2))
        if d == "triangular":
            width = self.high - self.low
            return stats.triang(c=(self.mode - self.low) / width, loc=self.low, scale=width)
        return stats.norm(loc=self.mean, scale=self.sd)  # normal

    def span(self) -> tuple[float, float]:
        """[low, high] for range designs: given, else the 2.5th and 97.5th percentiles."""
        if self.low is not None and self.high is not None:
            return float(self.low), float(self.high)
        if self.values is not None:
            return float(min(self.values)), float(max(self.values))
        lo, hi = self.frozen().ppf([0.025, 0.975])
        return float(lo), float(hi)

    def from_unit(self, u: np.ndarray, probabilistic: bool) -> np.ndarray:
        """Map design points in [0, 1] to values: inverse CDF, or linearly onto [low, high]."""
        u = np.asarray(u, dtype=float)
        if probabilistic and (self.dist is not None or self.values is None):
            x = self.frozen().ppf(np.clip(u, UNIT_EPS, 1 - UNIT_EPS))
        else:
            lo, hi = self.span()
            x = lo + u * (hi - lo)
        return self.finish(x)

    def finish(self, x: np.ndarray) -> np.ndarray:
        return np.round(x) if self.integer else np.asarray(x, dtype=float)


DesignKind = Literal["grid", "lhs", "random", "oneway", "sobol", "morris"]
DESIGN_KEYS: dict[str, set[str]] = {
    "grid": {"levels"},
    "lhs": {"points"},
    "random": {"points"},
    "oneway": set(),
    "sobol": {"n", "second_order"},
    "morris": {"n", "num_levels"},
}


class Design(Strict):
    """How points are chosen: grid, lhs, random (PSA), oneway (tornado), sobol, morris."""

    kind: DesignKind
    points: PosCount | None = None
    levels: int | None = Field(default=None, ge=2)
    n: PosCount | None = None
    second_order: bool | None = None
    num_levels: int | None = Field(default=None, ge=2)

    @model_validator(mode="after")
    def _keys(self) -> Design:
        allowed = DESIGN_KEYS[self.kind]
        extra = [k for k in ("points", "levels", "n", "second_order", "num_levels")
                 if getattr(self, k) is not None and k not in allowed]
        if extra:
            uses = ", ".join(sorted(allowed)) or "no other keys"
            raise ValueError(f"{', '.join(extra)} not used by a {self.kind} design (it uses {uses})")
        if self.kind in ("lhs", "random") and self.points is None:
            raise ValueError(f"a {self.kind} design needs points: the number of draws")
        if self.kind in ("sobol", "morris") and self.n is None:
            what = "base sample size N (a power of 2)" if self.kind == "sobol" else "trajectories"
            raise ValueError(f"a {self.kind} design needs n: the {what}")
        if self.kind == "sobol" and self.n & (self.n - 1):
            raise ValueError(f"n must be a power of 2 for Sobol sequences (got {self.n}; "
                             f"try {1 << (self.n.bit_length())})")
        return self

    @property
    def probabilistic(self) -> bool:
        return self.kind in ("lhs", "random", "sobol")


class SweepFile(Strict):
    """A sweep: base scenarios (paths relative to this file), parameters, design, runs, seed."""

    name: str
    description: str = ""
    scenarios: list[str] = Field(min_length=1)
    parameters: list[Parameter] = Field(min_length=1)
    design: Design
    replications: PosCount = 10
    seed: Count = 20140227
    points_per_part: PosCount | None = None

    @model_validator(mode="after")
    def _unique(self) -> SweepFile:
        labels = [p.label for p in self.parameters]
        dupes = sorted({x for x in labels if labels.count(x) > 1})
        if dupes:
            raise ValueError(f"parameter names must be unique; repeated: {', '.join(dupes)}")
        return self
