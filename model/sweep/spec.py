"""The sweep file: base scenarios, parameters (a path with a range and/or a distribution), design.

Every key is checked when the file is read, so a sweep fails before anything runs.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, model_validator

from model.numbers import MAX_DESIGN_POINTS, MAX_LEVELS, Count, Flag, PosCount, Replications
from model.scenario import Strict
from model.sweep.paths import parse_path
from model.uncertainty import PARAM_DIST_KEYS, PARAM_DISTS, ParamDist, Uniform, param_dist

KEY_COLUMNS = ("point_id", "scenario", "rep")
UNIT_EPS = 1e-12

DistName = Literal[tuple(PARAM_DISTS)]  # beta, gamma, lognormal, uniform, triangular, normal
# a number of a parameter: ±inf or nan is refused with its path before any distribution is built
Finite = Annotated[float, Field(allow_inf_nan=False)]
RANGE_KEYS = ("low", "high")  # a parameter's range; also the keys of some distributions


def is_sweep(raw: Any) -> bool:
    """True when a raw YAML mapping is a sweep file (a `design` with `parameters` or `scenarios`),
    not a scenario: `validate` checks it as one, and a sweep cannot name one as its scenario."""
    return isinstance(raw, dict) and "design" in raw and ("parameters" in raw or "scenarios" in raw)


class Parameter(Strict):
    """One input to vary: a path into the base scenarios, a range and/or a distribution.

    Range designs (grid, one-way, Morris) use [low, high] (for a distribution without them: its
    2.5th and 97.5th percentiles); probabilistic designs (random, LHS, Sobol) draw from the
    distribution (a range without one is uniform on [low, high]) through its inverse CDF. The
    distribution's keys are flat here; `model.uncertainty` checks them and builds it.
    """

    path: str
    name: str | None = None
    scenarios: list[str] | None = None
    low: Finite | None = None
    high: Finite | None = None
    base: Finite | None = None
    levels: int | None = Field(default=None, ge=2, le=MAX_LEVELS)
    values: list[Finite] | None = Field(default=None, min_length=1, max_length=MAX_LEVELS)
    integer: Flag = False
    dist: DistName | None = None
    mean: Finite | None = None
    sd: Finite | None = Field(default=None, gt=0)
    cv: Finite | None = Field(default=None, gt=0)
    alpha: Finite | None = Field(default=None, gt=0)
    beta: Finite | None = Field(default=None, gt=0)
    mode: Finite | None = None

    @model_validator(mode="after")
    def _check(self) -> Parameter:
        parse_path(self.path)
        label = self.label
        if ":" in label or label in KEY_COLUMNS:
            raise ValueError(f"the name '{label}' cannot be a column name (no ':', not one of "
                             f"{', '.join(KEY_COLUMNS)})")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.dist is None:
            given = [k for k in SHAPE_KEYS if getattr(self, k) is not None]
            if given:
                raise ValueError(f"{', '.join(given)} describe a distribution: add dist "
                                 f"({', '.join(PARAM_DISTS)})")
            if (self.low is None or self.high is None) and self.values is None:
                raise ValueError("give low and high (a range), values (grid levels), or a dist")
            return self
        try:
            self.frozen()  # the distribution checks its own keys and bounds, scipy builds it
        except ArithmeticError:  # e.g. sd 1e308 or cv 1e-300: its shape parameters overflow
            raise ValueError(f"{self.dist} with these values has shape parameters that cannot be "
                             "computed (too large or too small); give values of a realistic "
                             "size") from None
        return self

    @property
    def label(self) -> str:
        """The column name of this input in the results (`name`, else the path)."""
        return self.name or self.path

    def dist_keys(self) -> dict[str, Any]:
        """The flat keys of this input's distribution: `dist`, its shape keys, and low and high
        where the distribution takes them (elsewhere they are only the range)."""
        taken = PARAM_DISTS[self.dist].keys_taken()
        shape = [*SHAPE_KEYS, *(k for k in RANGE_KEYS if k in taken)]
        return {"dist": self.dist} | {k: getattr(self, k) for k in shape
                                      if getattr(self, k) is not None}

    def distribution(self) -> ParamDist:
        """This input's distribution (a bare range is uniform on it); ValueError if ill-defined."""
        if self.dist is None:
            return Uniform(low=self.low, high=self.high)
        return param_dist(self.dist_keys())

    def frozen(self) -> Any:
        """The scipy.stats distribution of this input (a bare range is uniform on it)."""
        return self.distribution().frozen()

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


# the keys that describe a distribution and nothing else, in the order of Parameter's fields
SHAPE_KEYS = tuple(k for k in Parameter.model_fields if k in PARAM_DIST_KEYS and k not in RANGE_KEYS)


DesignKind = Literal["grid", "lhs", "random", "oneway", "sobol", "morris", "psa"]
DESIGN_KEYS: dict[str, set[str]] = {
    "grid": {"levels"},
    "lhs": {"points"},
    "random": {"points"},
    "oneway": set(),
    "sobol": {"n", "second_order"},
    "morris": {"n", "num_levels"},
    "psa": {"draws"},
}


class Design(Strict):
    """How points are chosen: grid, lhs, random (PSA), oneway (tornado), sobol, morris, or psa
    (the base scenarios' own uncertainty declarations, `model.sweep.psa`)."""

    kind: DesignKind
    points: PosCount | None = Field(default=None, le=MAX_DESIGN_POINTS)
    levels: int | None = Field(default=None, ge=2, le=MAX_LEVELS)
    n: PosCount | None = Field(default=None, le=MAX_DESIGN_POINTS)
    second_order: Flag | None = None
    num_levels: int | None = Field(default=None, ge=2, le=MAX_LEVELS)
    draws: PosCount | None = Field(default=None, le=MAX_DESIGN_POINTS)

    @model_validator(mode="after")
    def _keys(self) -> Design:
        allowed = DESIGN_KEYS[self.kind]
        extra = [k for k in ("points", "levels", "n", "second_order", "num_levels", "draws")
                 if getattr(self, k) is not None and k not in allowed]
        if extra:
            uses = ", ".join(sorted(allowed)) or "no other keys"
            raise ValueError(f"{', '.join(extra)} not used by a {self.kind} design (it uses {uses})")
        if self.kind in ("lhs", "random") and self.points is None:
            raise ValueError(f"a {self.kind} design needs points: the number of draws")
        if self.kind == "psa" and self.draws is None:
            raise ValueError("a psa design needs draws: the number of parameter draws")
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
    """A sweep: base scenarios (paths relative to this file), parameters, design, runs, seed.

    A psa design takes no parameters (the scenarios declare what is uncertain) and prices each
    draw as one expected result, so its replications are 1 (one row per point and scenario)."""

    name: str
    description: str = ""
    scenarios: list[str] = Field(min_length=1)
    parameters: list[Parameter] = Field(default_factory=list)
    design: Design
    replications: Replications = 10
    seed: Count = 20140227
    points_per_part: PosCount | None = None
    # des: simulate every point (rows per replication); expected: price each point's expected run
    # without simulating people (model.expected; one row per point and scenario, rep 0), for
    # results that are expectations (PSA, threshold-like one-way) of uncapacitated scenarios
    method: Literal["des", "expected"] = "des"

    @model_validator(mode="before")
    @classmethod
    def _one_row_per_draw(cls, data: Any) -> Any:
        """A psa design's replications default to 1 (one expected result per point)."""
        design = data.get("design") if isinstance(data, dict) else None
        if isinstance(design, dict) and design.get("kind") == "psa" and "replications" not in data:
            return {**data, "replications": 1}
        return data

    @model_validator(mode="after")
    def _unique(self) -> SweepFile:
        if self.design.kind == "psa":
            if self.parameters:
                raise ValueError("a psa design draws the scenarios' own uncertainty declarations: "
                                 "remove parameters (or use a random design to list them here)")
            if self.replications != 1:
                raise ValueError("a psa design prices each draw as an expected result (the "
                                 "expected-value path, else the mean of the scenarios' "
                                 "uncertainty.replications_per_draw simulated cohorts): leave "
                                 "out replications")
        elif not self.parameters:
            raise ValueError("parameters: give at least one (or use design kind psa to draw the "
                             "scenarios' own uncertainty declarations)")
        labels = [p.label for p in self.parameters]
        dupes = sorted({x for x in labels if labels.count(x) > 1})
        if dupes:
            raise ValueError(f"parameter names must be unique; repeated: {', '.join(dupes)}")
        return self
