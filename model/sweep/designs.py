"""Designs: how a sweep chooses its points (grid, lhs, random, oneway, sobol, morris; psa in
`model.sweep.psa`).

Each design is a function of the sweep file and its resolved parameters that gives the points'
values, any extra columns (the unit-cube draws `u:NAME`, or which input a one-way point varies)
and SALib's problem; `DESIGNS` maps a design's kind to its function. The sampled designs draw
in the unit cube and map each column through the parameter's inverse CDF (or onto its range).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from model.sweep.plan import ParamInfo
    from model.sweep.spec import SweepFile


@dataclass(frozen=True)
class Points:
    """A design's points: one row per point, one column per parameter; extra columns; SALib's problem."""

    values: np.ndarray
    extra: dict[str, Any]
    problem: dict[str, Any]


def unit_problem(names: list[str]) -> dict[str, Any]:
    """SALib's problem for parameters `names`, each scaled to [0, 1] (the design's unit cube)."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def grid(spec: SweepFile, params: list[ParamInfo]) -> Points:
    """Every combination of the parameters' levels: their values, or levels spread over the range."""
    axes = []
    for p in params:
        if p.spec.values is not None:
            axes.append(p.spec.finish(np.array(p.spec.values, dtype=float)))
        else:
            n = p.spec.levels or spec.design.levels or 3
            axes.append(p.spec.from_unit(np.linspace(0.0, 1.0, n), probabilistic=False))
    values = np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, len(params))
    return Points(values, {}, unit_problem([p.label for p in params]))


def oneway(spec: SweepFile, params: list[ParamInfo]) -> Points:
    """The base point, then each parameter at its low and its high with the others at base."""
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
    return Points(np.vstack(rows), {"varied": varied, "side": side},
                  unit_problem([p.label for p in params]))


def lhs(spec: SweepFile, params: list[ParamInfo]) -> Points:
    """A Latin hypercube: each parameter's draws fall one in each of `points` equal strata."""
    from scipy.stats import qmc

    u = qmc.LatinHypercube(d=len(params), seed=spec.seed).random(spec.design.points)
    return _from_unit(spec, params, u, _spec_problem(spec))


def random_draws(spec: SweepFile, params: list[ParamInfo]) -> Points:
    """Independent random draws (a probabilistic sensitivity analysis)."""
    u = np.random.default_rng(spec.seed).random((spec.design.points, len(params)))
    return _from_unit(spec, params, u, _spec_problem(spec))


def sobol(spec: SweepFile, params: list[ParamInfo]) -> Points:
    """Saltelli's sample for Sobol indices (SALib), `n` base points."""
    from SALib.sample import sobol as salib_sobol

    problem = _spec_problem(spec)
    u = salib_sobol.sample(problem, spec.design.n, calc_second_order=bool(spec.design.second_order),
                           seed=spec.seed)
    return _from_unit(spec, params, u, problem)


def morris(spec: SweepFile, params: list[ParamInfo]) -> Points:
    """Morris trajectories (SALib), `n` of them on a grid of `num_levels` (default 4)."""
    from SALib.sample import morris as salib_morris

    problem = _spec_problem(spec)
    u = salib_morris.sample(problem, spec.design.n, num_levels=spec.design.num_levels or 4,
                            seed=spec.seed)
    return _from_unit(spec, params, u, problem)


def _spec_problem(spec: SweepFile) -> dict[str, Any]:
    return unit_problem([p.label for p in spec.parameters])


def _from_unit(spec: SweepFile, params: list[ParamInfo], u: np.ndarray,
               problem: dict[str, Any]) -> Points:
    """Unit-cube draws mapped to values, keeping the draws as `u:NAME` columns."""
    values = np.column_stack([p.spec.from_unit(u[:, j], spec.design.probabilistic)
                              for j, p in enumerate(params)])
    return Points(values, {f"u:{p.label}": u[:, j] for j, p in enumerate(params)}, problem)


def psa(spec: SweepFile, params: list[ParamInfo]) -> Points:
    """A psa design's points are draws of the base scenarios' own uncertainty declarations, made
    with the bases in hand (`model.sweep.psa.psa_points`, called by `load_sweep`)."""
    raise TypeError("a psa design is drawn from its base scenarios: see model.sweep.psa")


DesignFunction = Callable[["SweepFile", list["ParamInfo"]], Points]
DESIGNS: dict[str, DesignFunction] = {
    "grid": grid,
    "lhs": lhs,
    "random": random_draws,
    "oneway": oneway,
    "sobol": sobol,
    "morris": morris,
    "psa": psa,
}


def design_size(spec: SweepFile, params: list[ParamInfo]) -> int:
    """How many points the design will have, computed before any is made (a grid multiplies)."""
    d, k = spec.design, len(params)
    if d.kind == "grid":
        return math.prod(len(p.spec.values) if p.spec.values is not None
                         else (p.spec.levels or d.levels or 3) for p in params)
    if d.kind in ("lhs", "random"):
        return int(d.points)
    if d.kind == "psa":
        return int(d.draws)
    if d.kind == "oneway":
        return 1 + 2 * k
    if d.kind == "sobol":
        return int(d.n) * (2 * k + 2 if d.second_order else k + 2)
    return int(d.n) * (k + 1)  # morris: n trajectories of k + 1 points


def design_points(spec: SweepFile, params: list[ParamInfo]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The design's points: point_id, one column per parameter (and u: / one-way columns)."""
    points = DESIGNS[spec.design.kind](spec, params)
    df = pd.DataFrame(points.values, columns=[p.label for p in params])
    df.insert(0, "point_id", np.arange(len(df), dtype=np.int64))
    for k, v in points.extra.items():
        df[k] = v
    return df, points.problem
