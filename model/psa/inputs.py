"""Uncertain inputs and their draws: what a probabilistic sensitivity analysis (PSA) varies.

An input is uncertain when its number carries `uncertainty:` (see `model.numbers`). Each has a
*name*, its draw identity: by default `<scenario>:<path>`, or the `name:` written in the file, so
that one assumption shared by compared programmes (the Grenverket pair's employment extent, say)
takes the same value in both programmes in every draw. Every name has its own random stream from
the PSA seed, so adding an input or a draw changes no other value. Joint groups draw whole rows
(e.g. a calibrated set), correlation groups draw through a Gaussian copula.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from model.errors import InputError, Problem
from model.numbers import joint_rows_cut, walk_inputs
from model.scenario import Scenario
from model.sweep.paths import apply_values, parse_path
from model.uncertainty import ParamDist

if TYPE_CHECKING:  # pandas and scipy.stats load when drawing, not when a file is read
    import pandas as pd

U_EDGE = 1e-12


@dataclass(frozen=True)
class Uncertain:
    """One uncertain number of one scenario."""

    scenario: str
    name: str
    path: str
    value: float
    dist: ParamDist
    integer: bool
    source: str

    @property
    def parts(self) -> list[str]:
        return parse_path(self.path)


def uncertain_inputs(raw: dict[str, Any], sc: Scenario) -> list[Uncertain]:
    """Every number of a raw scenario mapping that carries `uncertainty:`, in file order; a
    number the schema holds as a whole number (a count of people) is drawn as one."""
    from model.numbers import uncertainty_of
    from model.sweep.paths import get_value

    out = []
    validated = None
    for path, leaf in walk_inputs(joint_rows_cut(raw, 0)):
        if isinstance(leaf, dict) and "uncertainty" in leaf:
            if validated is None:
                validated = sc.model_dump(mode="python", by_alias=True)
            try:
                held = get_value(validated, parse_path(path))
            except (KeyError, ValueError):
                held = leaf["value"]
            spec = leaf["uncertainty"]
            out.append(Uncertain(
                scenario=sc.name, name=str(spec.get("name") or f"{sc.name}:{path}"), path=path,
                value=float(leaf["value"]), dist=uncertainty_of(leaf),
                integer=isinstance(held, int) and not isinstance(held, bool),
                source=str(spec.get("source", ""))))
    return out


def _uniforms(seed: int, key: str, n: int) -> np.ndarray:
    """n uniforms in (0, 1) from this key's own stream (the same prefix whatever n is)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(
        [seed, zlib.crc32(f"psa:{key}".encode())])))
    return np.clip(rng.random(n), U_EDGE, 1 - U_EDGE)


@dataclass
class Plan:
    """What is drawn for a set of scenarios: inputs by name, joint groups, correlations."""

    inputs: dict[str, Uncertain]                 # one per name (the first declaring it)
    by_scenario: dict[str, list[Uncertain]]
    joint: dict[str, dict[str, Any]]             # group name -> {rows, by scenario: paths}
    correlations: list[tuple[list[str], np.ndarray]]

    @property
    def empty(self) -> bool:
        return not self.inputs and not self.joint


def plan(scenarios: list[tuple[dict[str, Any], Scenario]]) -> Plan:
    """Collect the uncertain inputs of the scenarios compared; a name shared by several scenarios
    must describe the same number (same value and distribution) in each."""
    inputs: dict[str, Uncertain] = {}
    by_scenario: dict[str, list[Uncertain]] = {}
    problems: list[Problem] = []
    joint: dict[str, dict[str, Any]] = {}
    correlations: list[tuple[list[str], np.ndarray]] = []
    wheres: list[tuple[str, str]] = []   # file and path of each correlation group
    for raw, sc in scenarios:
        # a number drawn in a joint group takes its row's value, not a draw of its own
        in_groups = {path for g in sc.uncertainty.joint for path in g.paths}
        found = [u for u in uncertain_inputs(raw, sc) if u.path not in in_groups]
        by_scenario[sc.name] = found
        file = str(sc.source_file or sc.name)
        for u in found:
            seen = inputs.get(u.name)
            if seen is None:
                inputs[u.name] = u
            elif (seen.value, seen.dist) != (u.value, u.dist):
                problems.append(Problem(file, u.path, f"uncertainty named '{u.name}' is also "
                                        f"given in {seen.scenario} ({seen.path}) with another value "
                                        "or distribution; a shared name must describe the same "
                                        "number"))
        for g in sc.uncertainty.joint:
            entry = joint.setdefault(g.name, {"rows": np.asarray(g.rows, float), "paths": {}})
            if len(entry["rows"]) != len(g.rows):
                problems.append(Problem(file, f"uncertainty.joint[{g.name}]",
                                        "a joint group shared by compared scenarios must have the "
                                        "same number of rows in each"))
            entry["paths"][sc.name] = (g.paths, np.asarray(g.rows, float))
        for ci, c in enumerate(sc.uncertainty.correlations):
            correlations.append((list(c.names), np.asarray(c.matrix, float)))
            wheres.append((file, f"uncertainty.correlations[{ci}]"))
    for (names, _), (file, where) in zip(correlations, wheres, strict=True):
        for j, n in enumerate(names):
            if n not in inputs:
                problems.append(Problem(file, f"{where}.names[{j}]", f"no uncertain input is "
                                        f"named '{n}'; names: {', '.join(inputs) or '(none)'}", n))
    if problems:
        raise InputError(problems)
    return Plan(inputs, by_scenario, joint, correlations)


def draw(p: Plan, n: int, seed: int) -> pd.DataFrame:
    """n draws: one column per uncertain input (its value) and per joint group (its row)."""
    import pandas as pd

    u = {name: _uniforms(seed, name, n) for name in p.inputs}
    for names, matrix in p.correlations:
        from scipy.special import ndtr, ndtri  # scipy.stats.norm's cdf and ppf

        chol = np.linalg.cholesky(matrix)
        z = ndtri(np.stack([u[k] for k in names]))
        corr = ndtr(chol @ z)
        for k, row in zip(names, corr, strict=True):
            u[k] = np.clip(row, U_EDGE, 1 - U_EDGE)
    cols: dict[str, np.ndarray] = {"draw": np.arange(n)}
    for name, inp in p.inputs.items():
        x = inp.dist.ppf_vector(u[name])
        cols[name] = np.round(x) if inp.integer else x
    for g, entry in p.joint.items():
        k = len(entry["rows"])
        cols[f"joint:{g}"] = np.minimum((_uniforms(seed, f"joint:{g}", n) * k).astype(int), k - 1)
    return pd.DataFrame(cols)


def assignments(p: Plan, scenario: str, row: pd.Series | dict[str, Any]
                ) -> list[tuple[list[str], float]]:
    """(path parts, value) to set in one scenario for one draw."""
    out = [(u.parts, float(row[u.name])) for u in p.by_scenario.get(scenario, [])]
    for g, entry in p.joint.items():
        if scenario in entry["paths"]:
            paths, rows = entry["paths"][scenario]
            r = rows[int(row[f"joint:{g}"])]
            out += [(parse_path(path), float(v)) for path, v in zip(paths, r, strict=True)]
    return out


def drawn_raw(raw: dict[str, Any], sets: list[tuple[list[str], float]]) -> dict[str, Any]:
    """The raw scenario with one draw's values set (shares at the same node rescaled)."""
    out, _ = apply_values(raw, sets)
    return out


def draws_needed(n_inputs: int, target: float = 0.005) -> int:
    """Draws for a probability's Monte Carlo SE below `target` at worst (p = 0.5)."""
    return max(100, math.ceil(0.25 / target**2)) if n_inputs else 0


EXTREMES = (0.001, 0.999)


def extreme_problems(raw: dict[str, Any], sc: Scenario, file: str) -> list[Problem]:
    """Uncertain inputs whose 0.1 % or 99.9 % quantile gives an invalid scenario (e.g. a normal
    distribution on a share reaching below 0): caught when the file is read, not mid-analysis."""
    from model.scenario import parse_scenario

    problems = []
    light = joint_rows_cut(raw, 1)  # see joint_rows_cut: the checks find the same problems
    for u in uncertain_inputs(raw, sc):
        for q in EXTREMES:
            x = u.dist.ppf(q)
            x = float(round(x)) if u.integer else x
            try:
                parse_scenario(drawn_raw(light, [(u.parts, x)]), file=file)
            except (InputError, ValueError, KeyError) as exc:
                why = (exc.problems[0].message if isinstance(exc, InputError) and exc.problems
                       else str(exc))
                problems.append(Problem(file, u.path, f"its uncertainty reaches {x:.6g} at the "
                                        f"{q:.1%} quantile, which is not allowed here ({why}); "
                                        "choose a distribution that stays within the allowed "
                                        "values (beta for shares, gamma or lognormal for positive "
                                        "amounts)", u.dist.name()))
                break
    return (problems + joint_problems(raw, sc, file) + joint_support_problems(raw, sc, file)
            + plan_problems(raw, sc, file) + cap_problems(raw, sc, file))


def plan_problems(raw: dict[str, Any], sc: Scenario, file: str) -> list[Problem]:
    """What a PSA of this scenario alone would refuse (`plan`): a correlation naming no uncertain
    input of it, one name given to two different numbers. Checked when the file is read, so that
    `validate` and `run` agree."""
    try:
        plan([(raw, sc)])
    except InputError as exc:
        return [Problem(file, p.path, p.message, p.value) for p in exc.problems]
    return []


def _why(exc: Exception) -> str:
    if isinstance(exc, InputError) and exc.problems:
        return exc.problems[0].message
    return str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)


def _row_holds(raw: dict[str, Any], paths: list[str], row: np.ndarray, file: str) -> bool:
    """A joint row set whole parses: a share tried alone breaks its mix's sum, set with the rest
    of its row it need not."""
    from model.scenario import parse_scenario

    try:
        parts = [parse_path(p) for p in paths]
        parse_scenario(drawn_raw(raw, list(zip(parts, map(float, row), strict=True))), file=file)
    except (InputError, ValueError, KeyError):
        return False
    return True


def joint_problems(raw: dict[str, Any], sc: Scenario, file: str) -> list[Problem]:
    """Joint groups checked when the file is read, against the bounds of the field each path sets:
    a path naming no number of the scenario (a missing intervention), and each column's smallest
    and largest value tried in the scenario (an extent of 5.0, a hazard of -0.2). Without this a
    PSA would leave such rows' draws out of a result still counting them."""
    from model.scenario import parse_scenario

    problems = []
    light = joint_rows_cut(raw, 1)  # see joint_rows_cut: the checks find the same problems
    for gi, g in enumerate(sc.uncertainty.joint):
        rows = np.asarray(g.rows, dtype=float)
        found = len(problems)
        for j, path in enumerate(g.paths):
            try:
                parts = parse_path(path)
                drawn_raw(raw, [(parts, float(rows[0, j]))])
            except (ValueError, KeyError) as exc:
                problems.append(Problem(file, f"uncertainty.joint[{gi}].paths[{j}]",
                                        f"names no number of this scenario ({_why(exc)})", path))
                continue
            column = rows[:, j]
            for i in dict.fromkeys((int(column.argmin()), int(column.argmax()))):
                x = float(column[i])
                try:
                    parse_scenario(drawn_raw(light, [(parts, x)]), file=file)
                except (InputError, ValueError, KeyError) as exc:
                    if len(g.paths) > 1 and _row_holds(light, g.paths, rows[i], file):
                        continue
                    problems.append(Problem(file, f"uncertainty.joint[{gi}].rows[{i}][{j}]",
                                            f"sets {path} to {x:.6g}, which is not allowed there "
                                            f"({_why(exc)})", x))
                    break
        if len(problems) == found and len(g.paths) > 1:  # whole rows: shares set together
            # only shares can fail to be set together (their node's sum): the other paths, whose
            # places were found above, are left out of the thousands of rows tried
            from model.sweep.paths import is_share

            cols = [j for j, path in enumerate(g.paths) if is_share(parse_path(path))]
            parts_all = [parse_path(g.paths[j]) for j in cols]
            for i, row in enumerate(rows[:, cols] if cols else []):
                try:
                    drawn_raw(raw, list(zip(parts_all, map(float, row), strict=True)))
                except (ValueError, KeyError) as exc:
                    problems.append(Problem(file, f"uncertainty.joint[{gi}].rows[{i}]",
                                            f"cannot be set together ({_why(exc)})",
                                            [float(v) for v in row]))
                    break
    return problems


CAP_PATH = "intake.max_participants"
CAP_REACH = 0.99   # the cap must be reachable in at least 1 % of cohorts at the prior's top


def cap_problems(raw: dict[str, Any], sc: Scenario, file: str) -> list[Problem]:
    """A prior on `intake.max_participants` reaching above what the intake can deliver: a cap
    that does not bind does not change the number of participants, so such a prior (and a
    calibration of it) says nothing about that number. Arrivals whose count is random (a stream)
    are allowed their 99 % quantile; an intake that never stops is not checked."""
    from model.expected.arrivals import arrivals

    found = [u for u in uncertain_inputs(raw, sc) if u.path == CAP_PATH]
    if not found:
        return []
    uncapped = sc.intake.model_copy(update={"max_participants": None})
    if uncapped.is_unbounded():
        return []
    mean = float(arrivals(sc.model_copy(update={"intake": uncapped}), 1.0).sum())
    stream = 0.0   # the Poisson part; cohorts, groups and spreads bring fixed numbers
    if uncapped.stream is not None:
        alone = uncapped.model_copy(update={"cohort": None, "groups": None, "spread": None})
        stream = float(arrivals(sc.model_copy(update={"intake": alone}), 1.0).sum())
    u = found[0]
    top = float(u.dist.ppf(EXTREMES[1]))
    # a Poisson's quantile at CAP_REACH (≥ 1/2) is at least the floor of its mean, which its
    # median already reaches: below that, the quantile (and loading scipy.special) is not needed
    if top <= mean - stream + math.floor(stream):
        return []
    from model.special import poisson_ppf

    most = mean - stream + (poisson_ppf(CAP_REACH, stream) if stream > 0 else 0.0)
    if top <= most:
        return []
    return [Problem(file, u.path, f"its uncertainty reaches {top:.6g} participants at the "
                    f"{EXTREMES[1]:.1%} quantile, but the intake brings {mean:.6g} people on "
                    f"average (at most {most:.6g} in {CAP_REACH:.0%} of cohorts), so a cap above "
                    "that does not change the number of participants; bound the prior by what the "
                    "intake can deliver, or let the intake deliver more", u.dist.name())]


def support(dist: ParamDist) -> tuple[float, float]:
    """The interval a declared distribution puts all its mass on (±inf where unbounded)."""
    from model.uncertainty import Beta, Gamma, LogNormal, Triangular, Uniform

    if isinstance(dist, Uniform | Triangular):
        return float(dist.low), float(dist.high)
    if isinstance(dist, Beta):
        return 0.0, 1.0
    if isinstance(dist, Gamma | LogNormal):
        return 0.0, math.inf
    return -math.inf, math.inf


def joint_support_problems(raw: dict[str, Any], sc: Scenario, file: str) -> list[Problem]:
    """Joint rows with a value outside the declared prior's support of that input (a calibrated
    set must be a draw of the posterior under the prior the file declares; a row outside it was
    drawn under another prior). The first bad row of each input is named."""
    declared = {u.path: u for u in uncertain_inputs(raw, sc)}
    problems = []
    for gi, g in enumerate(sc.uncertainty.joint):
        for ci, path in enumerate(g.paths):
            u = declared.get(path)
            if u is None:
                continue
            lo, hi = support(u.dist)
            for ri, row in enumerate(g.rows):
                v = row[ci]
                if lo <= v <= hi and not (v == lo and math.isinf(hi) and lo == 0.0):
                    continue
                problems.append(Problem(file, f"uncertainty.joint[{gi}].rows[{ri}][{ci}]",
                                        f"the joint group '{g.name}' sets {path} to {v:g}, outside "
                                        f"the support of its declared prior ({u.dist.name()}: "
                                        f"{lo:g} to {hi:g}); re-run the calibration under the "
                                        "declared prior, or correct the prior", v))
                break
    return problems
