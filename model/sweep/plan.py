"""The plan of a sweep: the sweep file read and checked against its base scenarios, with its points.

`load_sweep` reads the file and every base scenario, resolves each parameter's path in the bases
it applies to, builds the design's points and validates every point's scenarios before anything
runs.
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from model.errors import InputError, Problem
from model.limits import BASE_BYTES, SweepSize, estimate, spaced
from model.load import load_scenario
from model.numbers import MAX_DESIGN_POINTS
from model.scenario import (
    Scenario,
    line_of,
    load_yaml,
    parse_scenario,
    pydantic_problems,
)
from model.scenario.habits import explain_decimal_commas
from model.scenario.load import located
from model.sweep.designs import design_points, design_size
from model.sweep.paths import apply_values, get_value, is_share, parse_path
from model.sweep.spec import Parameter, SweepFile, is_sweep
from model.unit_costs import valuation_problems


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
    size: SweepSize | None = None  # set by check_points: the runs' expected time and memory
    groups: dict[str, list[str]] = field(default_factory=dict)  # psa: joint group -> columns
    expected_replications: int = 0  # psa: simulated cohorts per draw where no expected path

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


# the design key that --points sets, by design kind (grid and one-way have no number of points)
POINTS_KEY = {"lhs": "points", "random": "points", "sobol": "n", "morris": "n", "psa": "draws"}


def override(raw: dict[str, Any], points: int | None, replications: int | None,
             file: str, method: str | None = None) -> list[str]:
    """Apply `--points` and `--reps` to a raw sweep mapping in place; what was changed, as text
    (it goes into the sweep's recorded text, so that --resume sees a changed sweep)."""
    done = []
    if points is not None:
        design = raw.get("design")
        kind = design.get("kind") if isinstance(design, dict) else None
        if kind not in POINTS_KEY:
            raise InputError([Problem(file, "design.kind", f"--points sets the number of draws of "
                                      f"an lhs, random or psa design, or n of a sobol or morris "
                                      f"design; "
                                      f"a {kind} design has none", kind)])
        design[POINTS_KEY[kind]] = points
        done.append(f"design.{POINTS_KEY[kind]} = {points} (--points)")
    if replications is not None:
        raw["replications"] = replications
        done.append(f"replications = {replications} (--reps)")
    if method is not None:
        raw["method"] = method
        done.append(f"method = {method} (--method)")
    return done


def base_file(sweep: Path, rel: str) -> tuple[Path, str]:
    """A base scenario's path, resolved against the sweep file's folder, and the words for an error
    naming where it was looked for (with the path to write if it exists from the working folder)."""
    f = Path(rel) if Path(rel).is_absolute() else Path(os.path.normpath(sweep.parent / rel))
    why = f"scenario file not found at {f}"
    if not Path(rel).is_absolute():
        why += f" (paths in a sweep file are relative to its folder, {sweep.parent or '.'})"
        if Path(rel).is_file():
            why += (f"; {rel} exists from the working folder: write it as "
                    f"{os.path.relpath(Path(rel).resolve(), sweep.parent.resolve())}")
    return f, why


def load_sweep(path: str | Path, points: int | None = None,
               replications: int | None = None, method: str | None = None) -> SweepPlan:
    """Read and validate a sweep file and its base scenarios; build the design's points.

    `points` and `replications` override the file's number of draws (or Sobol/Morris n) and its
    replications, as `insats sweep --points --reps` do; `method` ("des" or "expected") the file's
    method (`--method`). The expected-value path gives one row per point and scenario, so its
    sweep has one replication.
    """
    path = Path(path)
    raw, node = load_yaml(path)
    name = str(path)
    changed = override(raw, points, replications, name, method)
    try:
        spec = SweepFile.model_validate(raw)
    except ValidationError as exc:
        raise InputError(explain_decimal_commas(pydantic_problems(exc, name, node, root=SweepFile),
                                                node, name)) from None
    if spec.method == "expected":
        spec = spec.model_copy(update={"replications": 1})
    text = path.read_text(encoding="utf-8")
    if changed:
        text += "\n# overridden on the command line: " + "; ".join(changed) + "\n"

    def bad(where: str, message: str, value: object = None) -> Problem:
        return Problem(name, where, message, value, line_of(node, where))

    bases: list[Base] = []
    problems: list[Problem] = []
    for i, rel in enumerate(spec.scenarios):
        f, why = base_file(path, rel)
        if not f.is_file():
            problems.append(bad(f"scenarios[{i}]", why, rel))
            continue
        if os.path.samefile(f, path):
            problems.append(bad(f"scenarios[{i}]", "names this sweep file itself; list the "
                                "scenario files the sweep varies", rel))
            continue
        sraw, snode = load_yaml(f)
        if is_sweep(sraw):
            problems.append(bad(f"scenarios[{i}]", f"{f} is a sweep file, not a scenario; list the "
                                "scenario files the sweep varies", rel))
            continue
        sc = parse_scenario(copy.deepcopy(sraw), file=str(f), node=snode)
        sc._source = f
        problems += located(valuation_problems(sc, str(f)), snode, str(f))
        ref = sc.reference_path()
        if ref is not None and not ref.is_file():
            problems.append(Problem(str(f), "counterfactual.reference",
                                    f"reference scenario not found at {ref}"))
        bases.append(Base(sc.name, f, sraw, sc))
    if spec.method == "expected":
        from model.evaluate import why_not_expected

        for b in bases:
            reason = why_not_expected(b.scenario)
            if reason is not None:
                problems.append(bad("method", f"the expected-value path cannot price {b.name}: "
                                    f"{reason}; use method: des (the simulation)", spec.method))
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

    if spec.design.kind == "psa":
        return _psa_plan(spec, path, text, bases, node)
    n = design_size(spec, params)
    if n > MAX_DESIGN_POINTS:
        raise InputError([bad("design", f"this design has {spaced(n)} points; at most "
                              f"{spaced(MAX_DESIGN_POINTS)} are allowed (fewer levels, points or "
                              "parameters)", n)])
    points, problem = design_points(spec, params)
    # about 200 parts of a simulated sweep; an expected-value point takes milliseconds, so its
    # parts are larger (fewer parts to write and summarise; the rows do not depend on it)
    parts = 40 if spec.method == "expected" else 200
    part_points = spec.points_per_part or max(1, math.ceil(len(points) / parts))
    plan = SweepPlan(spec, path, text, bases, params, points, problem, part_points)
    check_points(plan, node)
    return plan


def _psa_plan(spec: SweepFile, path: Path, text: str, bases: list[Base], node: Any) -> SweepPlan:
    """The plan of a psa design: the draws of the bases' own uncertainty (`model.sweep.psa`)."""
    from model.sweep.designs import unit_problem
    from model.sweep.psa import psa_points

    if not any(b.scenario.has_uncertainty() for b in bases):
        raise InputError([Problem(str(path), "design.kind", "a psa design draws the scenarios' "
                                  "uncertainty declarations, and none of the scenarios declares "
                                  "any (give a number `uncertainty:`, or use a random design with "
                                  "parameters)", "psa", line_of(node, "design"))])
    params, points, groups = psa_points(int(spec.design.draws), spec.seed, bases)
    # each draw is an expected result (milliseconds on the expected-value path): larger parts,
    # as for method: expected
    part_points = spec.points_per_part or max(1, math.ceil(len(points) / 40))
    plan = SweepPlan(spec, path, text, bases, params, points,
                     unit_problem([p.label for p in params]), part_points, groups=groups,
                     expected_replications=max(b.scenario.uncertainty.replications_per_draw
                                               for b in bases))
    check_points(plan, node)
    return plan


def point_scenario(base: Base, params: list[ParamInfo], values: dict[str, float]
                   ) -> tuple[dict[str, Any], list[str]]:
    """The raw mapping of one base scenario at one point (only the parameters that apply)."""
    todo = [(p.parts, values[p.label]) for p in params if base.name in p.applies_to]
    return apply_values(base.raw, todo)


def check_points(plan: SweepPlan, node: Any = None) -> None:
    """Validate every point's scenarios before anything runs; report the first problems."""
    problems: list[Problem] = []
    bad_points = 0
    size = SweepSize()
    for b in plan.bases:
        ref = b.scenario.reference_path()
        if ref is not None:  # each worker keeps the reference's run once it has made it
            ref_size = estimate(load_scenario(ref), plan.spec.replications)
            size.reference_memory = max(size.reference_memory, ref_size.memory - BASE_BYTES)
    for row in plan.points[plan.labels].itertuples(index=False):
        values = dict(zip(plan.labels, map(float, row), strict=True))
        for b in plan.bases:
            try:
                raw, _ = point_scenario(b, plan.params, values)
                sc = parse_scenario(raw, file=str(b.file))
                size.add(estimate(sc, plan.spec.replications), _fmt_values(values))
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
    plan.size = size


def _fmt_values(values: dict[str, float]) -> str:
    return ", ".join(f"{k}={v:.6g}" for k, v in values.items())
