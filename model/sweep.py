"""Scenario sweeps: parameters, designs, executors, and results written part by part.

A sweep file (YAML, `SweepFile`) names one or more base scenarios, the parameters to vary (a path
into the raw scenario mapping, with a range and/or a distribution), a design (grid, Latin
hypercube, random draws for a PSA, one-way for a tornado, Sobol or Morris via SALib), the
replications per point and one seed. Every point and every base scenario is simulated on that
same seed (common random numbers), so differences between points and between programmes are not
replication noise.

Run, save, then analyse: `run_sweep` writes `parts/part-NNNNNN.parquet` (one row per point x base
scenario x replication: point id, scenario, the input values and every metric from `price`), each
part atomically, then `summary.parquet` (mean and 95 % interval per point) computed part by part,
and the manifest `sweep.json`. Parts are a fixed function of the design (points_per_part), so
`resume=True` skips the parts already on disk, and the results do not depend on the number of
workers or on the executor (local processes or Dask). `model.analysis` reads them back.

Parameter paths address the raw scenario mapping with dots; list items are addressed by their
`name` (or `label`, or index): `interventions.yrkesutbildning.routing.arbete`,
`valuation.value_per_year`, `counterfactual.monthly_hazard`, `costs.lump_sums[0].amount`. A number
written with its source (`{value: 0.3, source: ...}`) keeps its source. When a parameter sets one
share of a node whose shares must sum to 1 (routing, entry, population mix, referral sources, actor
shares), the other shares at that node are rescaled proportionally, and the sweep says so.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import os
import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError, model_validator
from scipy import stats

from model import __version__
from model.errors import InputError, Problem
from model.numbers import Count, PosCount, unwrap_sourced
from model.scenario import (
    Scenario,
    Strict,
    line_of,
    load_scenario,
    load_yaml,
    parse_scenario,
    pydantic_problems,
)

# keys whose children are shares that must sum to 1 (the last part of the parent's path)
SHARE_NODES = ("routing", "entry", "sex", "born", "age_band", "target_group", "referral_sources",
               "actor_shares")
KEY_COLUMNS = ("point_id", "scenario", "rep")
SHARE_TOL = 1e-9
UNIT_EPS = 1e-12
PARTS_DIR = "parts"
MANIFEST = "sweep.json"
SUMMARY = "summary.parquet"
POINTS = "points.parquet"


# ---------------------------------------------------------------- parameter paths


def parse_path(path: str) -> list[str]:
    """Split `interventions.a.routing.arbete` (or `interventions[a].routing.arbete`) into parts."""
    if not path or path != path.strip():
        raise ValueError("a parameter path must be non-empty, without surrounding spaces")
    parts = re.findall(r"[^.\[\]]+|\[[^\[\]]*\]", path)
    if "".join(parts).replace("[", "").replace("]", "") != path.replace(".", "").replace(
            "[", "").replace("]", "") or any(p in ("", "[]") for p in parts):
        raise ValueError(f"cannot read the path '{path}'; write it as a.b.c or a[name].c")
    if ".." in path or path.startswith(".") or path.endswith("."):
        raise ValueError(f"empty step in the path '{path}'")
    return [p[1:-1] if p.startswith("[") else p for p in parts]


def _item(items: list[Any], key: str) -> int | None:
    """The index of the list item called `key` (by name, then label, then a number)."""
    for attr in ("name", "label"):
        for i, it in enumerate(items):
            if isinstance(it, dict) and str(it.get(attr)) == key:
                return i
    if key.isdigit() and int(key) < len(items):
        return int(key)
    return None


def _names(items: list[Any]) -> str:
    names = [str(it.get("name", it.get("label", i))) if isinstance(it, dict) else str(i)
             for i, it in enumerate(items)]
    return ", ".join(names) or "(empty list)"


def _named_item(items: list[Any], key: str, here: str) -> Any:
    """The item called `key` of the list at `here`; KeyError lists the names there are."""
    idx = _item(items, key)
    if idx is None:
        raise KeyError(f"{here} has no item named '{key}'; names: {_names(items)}")
    return items[idx]


def get_value(mapping: Any, parts: Sequence[str]) -> Any:
    """The value at a path (a sourced number gives its value); KeyError says where it stops."""
    current = mapping
    for depth, part in enumerate(parts):
        here = ".".join(parts[:depth]) or "the scenario"
        if isinstance(current, dict):
            if part not in current:
                keys = ", ".join(map(str, current)) or "(nothing)"
                raise KeyError(f"{here} has no '{part}'; it has: {keys}")
            current = current[part]
        elif isinstance(current, list):
            current = _named_item(current, part, here)
        else:
            raise KeyError(f"{here} is a value ({current!r}), not a mapping or list")
        if isinstance(current, str) and parts[depth] == "entry" and depth + 1 < len(parts):
            current = {current: 1.0}
    return unwrap_sourced(current)


def _container(raw: dict[str, Any], parts: Sequence[str]) -> dict[str, Any]:
    """The mapping holding the last part of a path in `raw`, created where it is missing."""
    current: Any = raw
    for depth, part in enumerate(parts[:-1]):
        here = ".".join(parts[:depth]) or "the scenario"
        if isinstance(current, dict):
            nxt = current.get(part)
            if nxt is None:
                nxt = current[part] = {}
            elif isinstance(nxt, str) and part == "entry":
                nxt = current[part] = {nxt: 1.0}
            current = nxt
        elif isinstance(current, list):
            current = _named_item(current, part, here)
        else:
            raise KeyError(f"{here} is a value, not a mapping or list")
    if not isinstance(current, dict):
        raise KeyError(f"{'.'.join(parts[:-1])} is not a mapping")
    return current


def _put(node: dict[str, Any], key: str, value: float) -> None:
    """Set a number, keeping its source note if it was written as {value:, source:}."""
    old = node.get(key)
    if isinstance(old, dict) and "value" in old:
        node[key] = {**old, "value": value}
    else:
        node[key] = value


def is_share(parts: Sequence[str]) -> bool:
    """True when the path sets one share of a node whose shares must sum to 1."""
    return len(parts) >= 2 and parts[-2] in SHARE_NODES


def apply_values(raw: dict[str, Any], assignments: Sequence[tuple[Sequence[str], float]]
                 ) -> tuple[dict[str, Any], list[str]]:
    """A copy of `raw` with each path set; the other shares of a share node are rescaled.

    Paths setting shares of the same node are applied together: the shares not set are scaled by
    (1 - sum of the set shares) / (their old sum). Returns the new mapping and one note per
    rescaled node. Raises ValueError when the set shares exceed 1, or when the others are all 0.
    """
    out = copy.deepcopy(raw)
    groups: dict[tuple[str, ...], list[str]] = {}
    for parts, value in assignments:
        node = _container(out, parts)
        _put(node, parts[-1], float(value))
        if is_share(parts):
            groups.setdefault(tuple(parts[:-1]), []).append(parts[-1])
    notes = []
    for node_path, keys in groups.items():
        node = _container(out, [*node_path, keys[0]])
        shares = {k: float(unwrap_sourced(v)) for k, v in node.items()}
        where = ".".join(node_path)
        fixed = sum(shares[k] for k in set(keys))
        others = [k for k in shares if k not in keys]
        rest = 1.0 - fixed
        if rest < -SHARE_TOL:
            raise ValueError(f"the shares set at {where} ({', '.join(keys)}) sum to {fixed:.6g}, "
                             "above 1")
        if not others:
            continue
        old = sum(shares[k] for k in others)
        if old <= 0:
            if rest > SHARE_TOL:
                raise ValueError(f"cannot rescale the other shares at {where}: they are all 0")
            continue
        factor = max(rest, 0.0) / old
        for k in others:
            _put(node, k, shares[k] * factor)
        notes.append(f"{where}: {', '.join(others)} rescaled x{factor:.4g}")
    return out, notes


# ---------------------------------------------------------------- the sweep file

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


# ---------------------------------------------------------------- the plan


@dataclass
class Base:
    """One base scenario of a sweep: its file, raw mapping, validated form and hash."""

    name: str
    file: Path
    raw: dict[str, Any]
    scenario: Scenario

    @property
    def digest(self) -> str:
        return self.scenario.digest()


@dataclass
class ParamInfo:
    """A parameter resolved against the base scenarios."""

    spec: Parameter
    parts: list[str]
    applies_to: list[str]
    base: float
    share: bool
    note: str = ""

    @property
    def label(self) -> str:
        return self.spec.label


@dataclass
class SweepPlan:
    """A validated sweep: everything needed to run it, and the design's points."""

    spec: SweepFile
    file: Path
    text: str
    bases: list[Base]
    params: list[ParamInfo]
    points: pd.DataFrame
    problem: dict[str, Any]
    part_points: int

    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def n_parts(self) -> int:
        return math.ceil(self.n_points / self.part_points)

    @property
    def labels(self) -> list[str]:
        return [p.label for p in self.params]

    def notes(self) -> list[str]:
        return [p.note for p in self.params if p.note]


def load_sweep(path: str | Path) -> SweepPlan:
    """Read and validate a sweep file and its base scenarios; build the design's points."""
    path = Path(path)
    raw, node = load_yaml(path)
    name = str(path)
    try:
        spec = SweepFile.model_validate(raw)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, name, node, root=SweepFile)) from None
    text = path.read_text(encoding="utf-8")

    def bad(where: str, message: str, value: object = None) -> Problem:
        return Problem(name, where, message, value, line_of(node, where))

    bases: list[Base] = []
    problems: list[Problem] = []
    for i, rel in enumerate(spec.scenarios):
        f = Path(rel) if Path(rel).is_absolute() else Path(os.path.normpath(path.parent / rel))
        if not f.is_file():
            problems.append(bad(f"scenarios[{i}]", f"scenario file not found at {f}", rel))
            continue
        sraw, snode = load_yaml(f)
        sc = parse_scenario(copy.deepcopy(sraw), file=str(f), node=snode)
        sc._source = f
        ref = sc.reference_path()
        if ref is not None and not ref.is_file():
            problems.append(Problem(str(f), "counterfactual.reference",
                                    f"reference scenario not found at {ref}"))
        bases.append(Base(sc.name, f, sraw, sc))
    if problems:
        raise InputError(problems)
    names = [b.name for b in bases]
    for n in sorted({n for n in names if names.count(n) > 1}):
        problems.append(bad("scenarios", f"two base scenarios are both named '{n}'", n))

    params: list[ParamInfo] = []
    for i, p in enumerate(spec.parameters):
        parts = parse_path(p.path)
        if p.scenarios is None:
            applies = list(bases)
        else:
            applies = []
            for j, want in enumerate(p.scenarios):
                hit = [b for b in bases if want in (b.name, b.file.stem)]
                if not hit:
                    problems.append(bad(f"parameters[{i}].scenarios[{j}]",
                                        f"no base scenario called '{want}'; the bases are: "
                                        f"{', '.join(names)}", want))
                applies += hit
        found: list[float] = []
        for b in applies:
            try:
                v = get_value(b.scenario.model_dump(mode="json", by_alias=True), parts)
            except KeyError as exc:
                problems.append(bad(f"parameters[{i}].path",
                                    f"not found in {b.name} ({b.file}): {exc.args[0]}", p.path))
                continue
            if isinstance(v, bool) or not isinstance(v, int | float):
                problems.append(bad(f"parameters[{i}].path",
                                    f"is not a number in {b.name} (it is {v!r})", p.path))
                continue
            found.append(float(v))
        base = p.base if p.base is not None else (found[0] if found else math.nan)
        share = is_share(parts)
        note = ""
        if share:
            note = (f"{p.label} is a share at {'.'.join(parts[:-1])}: the other shares there are "
                    "rescaled proportionally so that they still sum to 1")
        params.append(ParamInfo(p, parts, [b.name for b in applies], float(base), share, note))
    if problems:
        raise InputError(problems)

    points, problem = design_points(spec, params)
    part_points = spec.points_per_part or max(1, math.ceil(len(points) / 200))
    plan = SweepPlan(spec, path, text, bases, params, points, problem, part_points)
    check_points(plan, node)
    return plan


def unit_problem(names: list[str]) -> dict[str, Any]:
    """SALib's problem for parameters `names`, each scaled to [0, 1] (the design's unit cube)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def _unit_sample(spec: SweepFile, d: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Design points in the unit cube for the sampled designs, and SALib's problem."""
    from scipy.stats import qmc

    design = spec.design
    problem = unit_problem([p.label for p in spec.parameters])
    if design.kind == "lhs":
        return qmc.LatinHypercube(d=d, seed=spec.seed).random(design.points), problem
    if design.kind == "random":
        return np.random.default_rng(spec.seed).random((design.points, d)), problem
    if design.kind == "sobol":
        from SALib.sample import sobol

        u = sobol.sample(problem, design.n, calc_second_order=bool(design.second_order),
                         seed=spec.seed)
        return u, problem
    from SALib.sample import morris

    u = morris.sample(problem, design.n, num_levels=design.num_levels or 4, seed=spec.seed)
    return u, problem


def design_points(spec: SweepFile, params: list[ParamInfo]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The design's points: point_id, one column per parameter (and u: / one-way columns)."""
    design = spec.design
    labels = [p.label for p in params]
    d = len(params)
    extra: dict[str, Any] = {}
    problem = unit_problem(labels)
    if design.kind == "grid":
        axes = []
        for p in params:
            if p.spec.values is not None:
                axes.append(p.spec.finish(np.array(p.spec.values, dtype=float)))
            else:
                n = p.spec.levels or design.levels or 3
                axes.append(p.spec.from_unit(np.linspace(0.0, 1.0, n), probabilistic=False))
        values = np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, d)
    elif design.kind == "oneway":
        base = np.array([p.base for p in params], dtype=float)
        rows, varied, side = [base], [""], ["base"]
        for j, p in enumerate(params):
            lo, hi = p.spec.finish(np.array(p.spec.span()))
            for s, v in (("low", lo), ("high", hi)):
                row = base.copy()
                row[j] = v
                rows.append(row)
                varied.append(p.label)
                side.append(s)
        values = np.vstack(rows)
        extra = {"varied": varied, "side": side}
    else:
        u, problem = _unit_sample(spec, d)
        values = np.column_stack([p.spec.from_unit(u[:, j], design.probabilistic)
                                  for j, p in enumerate(params)])
        extra = {f"u:{lab}": u[:, j] for j, lab in enumerate(labels)}
    df = pd.DataFrame(values, columns=labels)
    df.insert(0, "point_id", np.arange(len(df), dtype=np.int64))
    for k, v in extra.items():
        df[k] = v
    return df, problem


def point_scenario(base: Base, params: list[ParamInfo], values: dict[str, float]
                   ) -> tuple[dict[str, Any], list[str]]:
    """The raw mapping of one base scenario at one point (only the parameters that apply)."""
    todo = [(p.parts, values[p.label]) for p in params if base.name in p.applies_to]
    return apply_values(base.raw, todo)


def check_points(plan: SweepPlan, node: Any = None) -> None:
    """Validate every point's scenarios before anything runs; report the first problems."""
    problems: list[Problem] = []
    bad_points = 0
    for row in plan.points[plan.labels].itertuples(index=False):
        values = dict(zip(plan.labels, map(float, row), strict=True))
        for b in plan.bases:
            try:
                raw, _ = point_scenario(b, plan.params, values)
                parse_scenario(raw, file=str(b.file))
            except (ValueError, KeyError) as exc:
                msg = str(exc.args[0]) if exc.args else str(exc)
                problems.append(Problem(str(plan.file), "parameters", f"{b.name}: {msg}",
                                        _fmt_values(values)))
            except InputError as exc:
                for p in exc.problems[:3]:
                    problems.append(Problem(str(plan.file), "parameters",
                                            f"{b.name}: {p.path}: {p.message}",
                                            _fmt_values(values)))
            else:
                continue
            bad_points += 1
            break
        if bad_points >= 5:
            break
    if problems:
        problems.insert(0, Problem(str(plan.file), "parameters",
                                   "some points of the design give invalid scenarios (first ones "
                                   "below); narrow the ranges or distributions"))
        raise InputError(problems)


def _fmt_values(values: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.6g}" for k, v in values.items())


# ---------------------------------------------------------------- evaluating points

_REFERENCE_CACHE: dict[tuple[str, str, int, int], Any] = {}


def evaluate(sc: Scenario, replications: int, seed: int) -> pd.DataFrame:
    """simulate + price one scenario (and its reference, cached per process): metrics per rep."""
    from model.economics import price
    from model.simulation import simulate

    run = simulate(sc, replications=replications, seed=seed, workers=1)
    reference = None
    ref_path = sc.reference_path()
    if ref_path is not None:
        ref_sc = load_scenario(ref_path)
        key = (str(ref_path), ref_sc.digest(), replications, seed)
        if key not in _REFERENCE_CACHE:
            _REFERENCE_CACHE[key] = simulate(ref_sc, replications=replications, seed=seed)
        reference = _REFERENCE_CACHE[key]
    return price(run, reference).metrics


@dataclass(frozen=True)
class BaseSpec:
    """What a worker needs of one base scenario (plain data, cheap to send to another process)."""

    name: str
    file: str
    raw: dict[str, Any]
    params: tuple[tuple[str, tuple[str, ...]], ...]  # (label, path parts) of the applying ones


@dataclass(frozen=True)
class Task:
    """One part: a block of points, to be run for every base scenario."""

    part: int
    bases: tuple[BaseSpec, ...]
    labels: tuple[str, ...]
    points: tuple[tuple[int, tuple[float, ...]], ...]
    replications: int
    seed: int


def run_task(task: Task) -> pd.DataFrame:
    """Rows of one part: (point, base scenario, replication) with inputs and every metric."""
    frames = []
    for point_id, vals in task.points:
        values = dict(zip(task.labels, vals, strict=True))
        for b in task.bases:
            raw, _ = apply_values(b.raw, [(parts, values[lab]) for lab, parts in b.params])
            sc = parse_scenario(raw, file=b.file)
            sc._source = Path(b.file)
            metrics = evaluate(sc, task.replications, task.seed)
            keys = pd.DataFrame({"point_id": np.full(len(metrics), point_id, dtype=np.int64),
                                 "scenario": b.name})
            inputs = pd.DataFrame({lab: np.full(len(metrics), v, dtype=float)
                                   for lab, v in values.items()})
            frames.append(pd.concat([keys, metrics[["rep"]], inputs,
                                     metrics.drop(columns="rep")], axis=1))
    df = pd.concat(frames, ignore_index=True)
    df["rep"] = df["rep"].astype(np.int64)
    return df


def tasks(plan: SweepPlan, skip: set[int] = frozenset()) -> Iterator[Task]:
    """The parts of a sweep as tasks, in order, leaving out the parts in `skip`."""
    bases = tuple(
        BaseSpec(b.name, str(b.file), b.raw,
                 tuple((p.label, tuple(p.parts)) for p in plan.params if b.name in p.applies_to))
        for b in plan.bases)
    labels = tuple(plan.labels)
    vals = plan.points[list(labels)].to_numpy(dtype=float)
    ids = plan.points["point_id"].to_numpy()
    for part in range(plan.n_parts):
        if part in skip:
            continue
        lo, hi = part * plan.part_points, min((part + 1) * plan.part_points, plan.n_points)
        pts = tuple((int(ids[i]), tuple(float(x) for x in vals[i])) for i in range(lo, hi))
        yield Task(part, bases, labels, pts, plan.spec.replications, plan.spec.seed)


# ---------------------------------------------------------------- running and writing


def part_path(out: Path, part: int) -> Path:
    return out / PARTS_DIR / f"part-{part:06d}.parquet"


def done_parts(out: Path) -> set[int]:
    """Parts already written completely (atomic writes: a part on disk is whole)."""
    found = set()
    for f in (out / PARTS_DIR).glob("part-*.parquet"):
        m = re.fullmatch(r"part-(\d+)\.parquet", f.name)
        if m:
            found.add(int(m.group(1)))
    return found


def manifest(plan: SweepPlan, status: str, **extra: Any) -> dict[str, Any]:
    """The content of sweep.json: what was run, on what, with which code."""
    units = _units(plan)
    return {
        "name": plan.spec.name,
        "status": status,
        "version": __version__,
        "sweep_file": str(plan.file),
        "sweep_hash": hashlib.sha256(plan.text.encode()).hexdigest()[:16],
        "sweep_text": plan.text,
        "sweep": plan.spec.model_dump(mode="json"),
        "scenarios": [{"name": b.name, "file": str(b.file), "hash": b.digest,
                       "value_per_year": b.scenario.valuation.value_per_year} for b in plan.bases],
        "seed": plan.spec.seed,
        "replications": plan.spec.replications,
        "design": plan.spec.design.model_dump(mode="json", exclude_none=True),
        "n_points": plan.n_points,
        "points_per_part": plan.part_points,
        "n_parts": plan.n_parts,
        "parameters": [{"name": p.label, "path": p.spec.path, "applies_to": p.applies_to,
                        "base": p.base, "range": list(p.spec.span()), "dist": p.spec.dist,
                        "share": p.share} for p in plan.params],
        "problem": plan.problem,
        "notes": plan.notes(),
        "units": units,
        **extra,
    }


@dataclass
class SweepResult:
    """What `run_sweep` did: the folder, points and parts run now and before, and the time."""

    out: Path
    plan: SweepPlan
    computed_parts: int
    skipped_parts: int
    seconds: float
    executor: str
    files: list[Path] = field(default_factory=list)

    def text(self) -> str:
        p = self.plan
        lines = [f"Sweep {p.spec.name}: {p.n_points} points x {len(p.bases)} scenario(s) x "
                 f"{p.spec.replications} replications, design {p.spec.design.kind}, seed "
                 f"{p.spec.seed}, insats {__version__}",
                 "  scenarios: " + ", ".join(f"{b.name} ({b.file}, hash {b.digest})"
                                             for b in p.bases),
                 f"  {self.computed_parts} part(s) computed on {self.executor}"
                 + (f", {self.skipped_parts} already done (resumed)" if self.skipped_parts else "")
                 + f", {self.seconds:.1f} s; results in {self.out}"]
        lines += [f"  note: {n}" for n in p.notes()]
        return "\n".join(lines)


def _check_resume(out: Path, plan: SweepPlan, resume: bool) -> set[int]:
    """The parts to skip; refuses to mix results of a different sweep, scenario or version."""
    mf = out / MANIFEST
    if not mf.exists():
        if done_parts(out):
            raise InputError([Problem(str(out), "", "holds result parts but no sweep.json; "
                                      "choose another --out")])
        return set()
    if not resume:
        raise InputError([Problem(str(out), "", "already holds a sweep; add --resume to continue "
                                  "it, or choose another --out")])
    old = json.loads(mf.read_text(encoding="utf-8"))
    new = manifest(plan, "running")
    problems = []
    for key, what in (("sweep_hash", "the sweep file"), ("version", "the insats version"),
                      ("points_per_part", "the parts' size")):
        if old.get(key) != new[key]:
            problems.append(Problem(str(out), MANIFEST, f"{what} changed since the interrupted run "
                                    f"({old.get(key)} -> {new[key]}); start in a new folder"))
    if [s["hash"] for s in old.get("scenarios", [])] != [s["hash"] for s in new["scenarios"]]:
        problems.append(Problem(str(out), MANIFEST, "a base scenario changed since the interrupted "
                                "run (its hash differs); start in a new folder"))
    if problems:
        raise InputError(problems)
    for tmp in (out / PARTS_DIR).glob(".part-*.tmp"):
        tmp.unlink()
    return done_parts(out)


def run_sweep(path: str | Path, out: str | Path, workers: int | None = None, resume: bool = False,
              scheduler: str | None = None, dask_local: int | None = None, quiet: bool = False,
              plan: SweepPlan | None = None) -> SweepResult:
    """Run a sweep into `out`: parts as they finish, then the summary and the manifest.

    Each part is summarised when it arrives (parts already on disk from an interrupted run are
    read back one at a time), so the summary never needs all rows at once.
    """
    from model.executors import make_executor
    from model.io import write_json
    from model.progress import progress

    plan = plan or load_sweep(path)
    out = Path(out)
    skip = _check_resume(out, plan, resume)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / MANIFEST, manifest(plan, "running"))
    write_points(out, plan)
    start = time.perf_counter()
    todo = list(tasks(plan, skip))
    done_points = plan.n_points - sum(len(t.points) for t in todo)
    units = _units(plan)
    summaries: dict[int, pd.DataFrame] = {}
    executor = make_executor(workers=workers, scheduler=scheduler, dask_local=dask_local)
    try:
        with progress(plan.n_points, f"sweep {plan.spec.name}", quiet) as tick:
            tick(done_points)
            for task, df in executor.map_unordered(run_task, todo):
                write_part(out, task.part, df, plan)
                summaries[task.part] = summarise_part(df, plan.labels, units)
                tick(len(task.points))
    finally:
        executor.close()
    seconds = time.perf_counter() - start
    for part in sorted(skip):
        summaries[part] = summarise_part(read_part(out, part), plan.labels, units)
    files = [write_summary(out, [summaries[k] for k in sorted(summaries)], plan.spec.name)]
    files.append(write_json(out / MANIFEST, manifest(
        plan, "complete", executor=executor.describe(), seconds_last_run=round(seconds, 3))))
    return SweepResult(out, plan, len(todo), len(skip), seconds, executor.describe(), files)


def write_points(out: Path, plan: SweepPlan) -> Path:
    from model.io import write_table

    return write_table(out / POINTS, plan.points, {"sweep": plan.spec.name})


def write_part(out: Path, part: int, df: pd.DataFrame, plan: SweepPlan) -> Path:
    from model.io import write_table

    return write_table(part_path(out, part), df, {"sweep": plan.spec.name, "part": str(part),
                                                   "seed": str(plan.spec.seed),
                                                   "version": __version__})


def read_part(out: str | Path, part: int) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return pq.read_table(part_path(Path(out), part)).to_pandas()


def iter_parts(out: str | Path, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The result parts one at a time, in part order (never all rows at once)."""
    import pyarrow.parquet as pq

    for f in sorted((Path(out) / PARTS_DIR).glob("part-*.parquet")):
        yield pq.read_table(f, columns=columns).to_pandas()


SUMMARY_STATS = ("mean", "lo", "hi", "median")


def summarise_part(df: pd.DataFrame, labels: list[str], units: dict[str, str]) -> pd.DataFrame:
    """Mean, 2.5th/97.5th percentiles and median over replications, per point and scenario.

    The same figures as `model.results.interval` (NaN left out), computed on each (point,
    scenario) block of a part at once with numpy. Long format: one row per point, scenario and
    metric, with the point's input values.
    """
    import warnings

    metrics = [c for c in df.columns if c not in (*KEY_COLUMNS, *labels)
               and pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    df = df.sort_values(["point_id", "scenario", "rep"], kind="stable")
    keys = df[["point_id", "scenario"]].to_numpy()
    values = df[metrics].to_numpy(dtype=float)
    bounds = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1), True])
    rows: dict[str, list[Any]] = {k: [] for k in ("point_id", "scenario", *labels, "metric",
                                                  "unit", *SUMMARY_STATS)}
    unit_list = [units.get(m, "") for m in metrics]
    inputs = df[labels].to_numpy(dtype=float) if labels else np.zeros((len(df), 0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # all-NaN metrics give NaN
        for lo, hi in itertools.pairwise(bounds):
            block = values[lo:hi]
            lo_q, med, hi_q = np.nanpercentile(block, [2.5, 50, 97.5], axis=0)
            mean = np.nanmean(block, axis=0)
            n = len(metrics)
            rows["point_id"] += [int(keys[lo, 0])] * n
            rows["scenario"] += [keys[lo, 1]] * n
            for j, lab in enumerate(labels):
                rows[lab] += [float(inputs[lo, j])] * n
            rows["metric"] += metrics
            rows["unit"] += unit_list
            for k, v in zip(SUMMARY_STATS, (mean, lo_q, hi_q, med), strict=True):
                rows[k] += v.tolist()
    out = pd.DataFrame(rows)
    out["point_id"] = out["point_id"].astype(np.int64)
    return out


def write_summary(out: str | Path, frames: list[pd.DataFrame] | None = None,
                  name: str = "") -> Path:
    """summary.parquet from per-part summaries (by default: from the parts, one at a time)."""
    from model.io import write_table

    out = Path(out)
    mf = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    if frames is None:
        labels = [p["name"] for p in mf["parameters"]]
        frames = [summarise_part(df, labels, mf["units"]) for df in iter_parts(out)]
    summary = pd.concat(frames, ignore_index=True).sort_values(
        ["point_id", "scenario"], kind="stable").reset_index(drop=True)
    return write_table(out / SUMMARY, summary, {"sweep": mf["name"], "version": mf["version"]})


def _units(plan: SweepPlan) -> dict[str, str]:
    from model.economics import metric_units

    units: dict[str, str] = {}
    for b in plan.bases:
        units |= metric_units(b.scenario)
    return units

