"""The `psa` sweep design: draws of the base scenarios' own `uncertainty` declarations.

Instead of parameters listed in the sweep file, the draws come from the scenarios themselves,
by `model.psa.inputs` (the plan and draw of `compare`'s PSA: one random stream per input name,
joint groups drawn as whole rows, correlations through a copula), on the sweep's seed. Each
uncertain input becomes one column of the points; a joint group's row is spelled out as one
column per path (a path with the same values in every base that draws it is one column), and
those columns are recorded as the group. Each draw is priced as an expected result
(`model.evaluate`, method auto: the expected-value path where it applies, else the mean of the
scenarios' `uncertainty.replications_per_draw` simulated cohorts), so a point has one row per
base scenario, and the same seed gives the same per-draw figures as `compare`'s PSA.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.sweep.paths import is_share, parse_path
from model.sweep.spec import Parameter

if TYPE_CHECKING:
    from model.sweep.plan import Base, ParamInfo


def _value_at(bases: list[Base], scenario: str, path: str) -> float:
    """The value a base scenario itself gives at `path` (its validated form)."""
    from model.sweep.paths import get_value

    b = next(b for b in bases if b.name == scenario)
    return float(get_value(b.scenario.model_dump(mode="json", by_alias=True), parse_path(path)))


def psa_points(draws: int, seed: int, bases: list[Base]
               ) -> tuple[list[ParamInfo], pd.DataFrame, dict[str, list[str]]]:
    """The parameters (one per drawn column), the points (point_id = draw) and the joint groups
    (group name -> column labels) of a psa design."""
    from model.psa.inputs import draw, plan
    from model.sweep.plan import ParamInfo

    p = plan([(b.raw, b.scenario) for b in bases])
    table = draw(p, draws, seed)
    columns: dict[str, np.ndarray] = {}
    where: dict[str, tuple[str, list[str], float]] = {}   # label -> path, bases, base value
    taken: set[str] = set()

    def label_for(name: str, scenario: str, path: str) -> str:
        for cand in (name, path, f"{scenario}.{path}"):
            if ":" not in cand and cand not in taken:
                return cand
        raise ValueError(f"no column name for {scenario}: {path}")

    # the same order as `model.psa.inputs.assignments`: inputs, then joint rows
    for name, u in p.inputs.items():
        lab = label_for(name, u.scenario, u.path)
        taken.add(lab)
        users = [s for s, found in p.by_scenario.items() if any(v.name == name for v in found)]
        columns[lab] = table[name].to_numpy(dtype=float)
        where[lab] = (u.path, users, u.value)
    groups: dict[str, list[str]] = {}
    for g, entry in p.joint.items():
        idx = table[f"joint:{g}"].to_numpy(dtype=int)
        members: list[str] = []
        for scenario, (paths, rows) in entry["paths"].items():
            for j, path in enumerate(paths):
                x = rows[idx, j]
                same = next((lab for lab in members if where[lab][0] == path
                             and np.array_equal(columns[lab], x)), None)
                if same is not None:
                    where[same][1].append(scenario)
                    continue
                lab = label_for(path, scenario, path)
                taken.add(lab)
                columns[lab] = x
                where[lab] = (path, [scenario], _value_at(bases, scenario, path))
                members.append(lab)
        groups[g] = members
    params = []
    for lab, x in columns.items():
        path, users, base = where[lab]
        lo, hi = float(min(x.min(), base)), float(max(x.max(), base))
        spec = Parameter(path=path, name=lab, scenarios=users, low=lo,
                         high=hi if hi > lo else lo + max(abs(lo), 1.0) * 1e-9)
        parts = parse_path(path)
        params.append(ParamInfo(spec, parts, users, float(base), is_share(parts)))
    points = pd.DataFrame({"point_id": np.arange(draws, dtype=np.int64), **columns})
    return params, points, groups
