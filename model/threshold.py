"""`insats threshold`: the value of one input at which the mean of a metric reaches a target.

A search on the model itself (not on saved sweep results, `model.analysis`). The reference is
Brent's method with one validated `Scenario` per evaluation, simulated (`method="des"`, common
random numbers) or on the expected-value path (`method="exact"`). With `exact`, where the input
can be vectorised (issue 22, target 4), the input is instead set to a whole grid of candidate
values and every candidate is priced in one pass of the vectorised expected-value path
(`model.psa.vector.price_scenario`): the grid finds the bracketing pair where the metric crosses
the target, and further batches inside that bracket narrow it until it is no wider than the
tolerance Brent's method is asked for. Candidates the vectorised path leaves (values outside its
checks) are priced one at a time on the per-value path, which also gives its errors.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from model.errors import InputError, Problem
from model.scenario import Scenario

POINTS = 16        # the second batch: evenly spaced candidates between the ends (with them)
REFINE = 8         # candidates of each further batch (`_candidates`); fewer, smaller batches
#                    measured fastest on the Grenverket pair (benchmarks/threshold_bench.py)
MAX_BATCHES = 60   # a bracket of any finite width reaches the tolerance well before this


@dataclass
class VectorFound:
    """What the vectorised search found: the crossing, the metric at the bracket's ends (minus
    the target), how many candidates it priced and in how many batches."""

    value: float
    f_low: float
    f_high: float
    evaluations: int
    batches: int


def why_not_vector(sc: Scenario, parts: list[str]) -> str | None:
    """Why the search over `parts` in `sc` cannot run on the vectorised path (None: it can).

    The expected-value path must apply (`why_not_expected`; when it does not, the per-value search
    refuses the scenario with the reason), and the input must be one the vectorised pricing sets
    (`model.psa.vector.handler`). Integer inputs (the intake cap) are searched one value at a time:
    the vectorised path prices only whole numbers, the per-value search sets the value as given."""
    from model.evaluate import why_not_expected
    from model.psa.vector import handler

    reason = why_not_expected(sc)
    if reason is not None:
        return f"the expected-value path cannot price this scenario: {reason}"
    h = handler(sc, parts)
    if h is None:
        return f"'{'.'.join(parts)}' is not vectorised"
    if h[0] == "cap":
        return f"'{'.'.join(parts)}' is a whole number"
    return None


class NotVectorised(Exception):
    """The vectorised path left every candidate of the first batch: search one at a time."""


def vector_values(sc: Scenario, parts: list[str], metric: str, xs: np.ndarray,
                  one: Callable[[float], float], first: bool = False) -> np.ndarray:
    """The metric's value at each candidate in `xs` (the input at `parts` set to it), priced in
    one pass; candidates the vectorised path leaves go through `one` (the per-value path). Raises
    what `one` raises for an unknown metric, and NotVectorised (with the reason) when the `first`
    batch is left whole (e.g. a stay whose lattice length differs by value) or the metric is one
    the vectorised path does not price."""
    from model.psa.vector import price_scenario

    m, pending, why = price_scenario(sc, [(parts, np.asarray(xs, dtype=float))], len(xs))
    if first and len(pending) == len(xs):
        raise NotVectorised(why)
    if m is not None and metric not in m:
        one(float(xs[0]))   # the per-value path's message for an unknown metric, else:
        raise NotVectorised(f"the vectorised path does not price '{metric}'")
    out = np.full(len(xs), np.nan) if m is None else np.array(m[metric], dtype=float)
    for i in pending:
        out[i] = one(float(xs[i]))
    return out


def _candidates(a: float, b: float, fa: float, fb: float, tol: float, points: int) -> np.ndarray:
    """The next batch inside the bracket (a, b): points spread at log-spaced distances on both
    sides of the secant's estimate (down to half the tolerance: a good estimate closes the
    bracket in one batch), and a quarter evenly spaced (a poor one still narrows it at least
    twofold, so the search ends whatever the function)."""
    x = a - fa * (b - a) / (fb - fa)
    even = np.linspace(a, b, max(points // 4, 2) + 1)[1:-1]
    side = (points - len(even)) // 2
    offsets = (b - a) * np.logspace(-1, np.log10(max(tol / 2, 1e-300) / (b - a)), side)
    out = np.concatenate((even, x - offsets, x + offsets))
    out = np.unique(out[(out > a) & (out < b)])
    return out


def search(values: Callable[[np.ndarray], np.ndarray], low: float, high: float, xtol: float,
           rtol: float, points: int = POINTS, refine: int = REFINE) -> VectorFound:
    """Where `values` (the metric minus the target, priced for a vector of candidates) crosses 0
    in [low, high], to within xtol + rtol·|x| as `scipy.optimize.brentq` (which the per-value
    search uses) guarantees. The value is NaN when the ends have the same sign (no crossing).

    A first batch prices the two ends (a scenario the vectorised path cannot price, or no
    crossing, is known at the cost of two candidates); a second, evenly spaced candidates between
    them, finds the bracketing pair; each further batch
    (`_candidates`) brackets the crossing more narrowly, until the bracket is within the
    tolerance and the secant's point inside it is returned. As `brentq`, a 0 at `low` returns
    `low`, then a 0 at `high` returns `high`. With several crossings inside the bracket, this
    returns the lowest the first batch sees (Brent's method may return another)."""
    f_lo, f_hi = (float(x) for x in values(np.array([low, high], dtype=float)))
    calls, batches = 2, 1
    if np.sign(f_lo) == np.sign(f_hi) and f_lo != 0:
        return VectorFound(math.nan, f_lo, f_hi, calls, batches)
    if f_lo == 0 or f_hi == 0:
        return VectorFound(low if f_lo == 0 else high, f_lo, f_hi, calls, batches)
    inner = np.linspace(low, high, points)[1:-1]
    xs = np.concatenate(([low], inner, [high]))
    fs = np.concatenate(([f_lo], values(inner), [f_hi]))
    calls, batches = calls + len(inner), batches + 1
    while True:
        zero = np.flatnonzero(fs == 0)
        if len(zero):
            x = float(xs[zero[0]])
            break
        i = int(np.flatnonzero(np.sign(fs[:-1]) != np.sign(fs[1:]))[0])
        a, b, fa, fb = float(xs[i]), float(xs[i + 1]), float(fs[i]), float(fs[i + 1])
        # the secant's point lies in [a, b]: within b − a of the crossing
        x = min(max(a - fa * (b - a) / (fb - fa), a), b)
        tol = xtol + rtol * min(abs(a), abs(b))
        if b - a <= tol or batches >= MAX_BATCHES:
            break
        inner = _candidates(a, b, fa, fb, tol, refine)
        if len(inner) == 0:
            break   # the bracket is as narrow as floating point allows
        xs = np.concatenate(([a], inner, [b]))
        fs = np.concatenate(([fa], values(inner), [fb]))
        calls += len(inner)
        batches += 1
    return VectorFound(x, f_lo, f_hi, calls, batches)


@dataclass
class Threshold:
    """The value of a parameter at which the mean of a metric reaches a target (NPV = 0)."""

    scenario: str
    path: str
    metric: str
    target: float
    value: float
    low: float
    high: float
    at_low: float
    at_high: float
    evaluations: int
    replications: int
    seed: int
    notes: list[str] = field(default_factory=list)
    unit: str = ""          # of the parameter (from the schema)
    metric_unit: str = ""   # of the metric
    horizon_years: float | None = None  # the scenario's headline horizon (a bare `npv` is over it)
    batches: int = 0        # exact: vector batches of candidates priced at once (0: one at a time)
    fallback: str = ""      # exact: why the candidates were priced one at a time (English)

    def text(self, lang: str = "en") -> str:
        """The answer with units and plain numbers (`model.report.analysis_text`)."""
        from model.report.analysis_text import threshold_text

        return threshold_text(self, lang)


def threshold(scenario_file: str | Path, path: str, low: float, high: float,
              metric: str = "npv", target: float = 0.0, replications: int | None = None,
              seed: int | None = None, xtol: float | None = None,
              on_run: Callable[[int], None] | None = None, method: str = "des",
              vectorised: bool = True, base: Scenario | None = None) -> Threshold:
    """Search the model (Brent's method) for the parameter value where mean(metric) = target.

    Every evaluation runs the same replications on the same seed (common random numbers). With
    a share as the parameter the mean metric is a step function (each participant's routing draw
    is fixed), and the search returns the step where it crosses the target. With
    `method="exact"` every evaluation is the expected-value path (no replications, no seed), and
    where the input can be vectorised the search prices a grid of candidates at once
    (`search` below; `vectorised=False` keeps the one-at-a-time search, its reference).
    `base` is the scenario as `load_scenario(scenario_file)` gives it, when the caller has it.
    """
    from model.evaluate import expected_metrics, why_not_expected
    from model.load import load_scenario
    from model.scenario import load_yaml, parse_scenario
    from model.sweep.paths import apply_values, get_value, is_share, parse_path

    file = Path(scenario_file)
    base = load_scenario(file) if base is None else base
    raws: list[dict] = []   # the file's mapping, read when a value is priced one at a time
    try:
        parts = parse_path(path)
        get_value(base.model_dump(mode="json", by_alias=True), parts)
    except (KeyError, ValueError) as exc:
        raise InputError([Problem(str(file), path, f"parameter path: {exc.args[0]}", path)]) from None
    infinite = [Problem(option, "", "expected a finite number", x)
                for option, x in (("--low", low), ("--high", high), ("--target", target))
                if not math.isfinite(x)]
    if infinite:
        raise InputError(infinite)
    if not low < high:
        raise InputError([Problem("--low/--high", "", f"low ({low:g}) must be below high ({high:g})")])
    reps = 0 if method == "exact" else replications or base.simulation.replications
    seed = base.simulation.seed if seed is None else seed
    calls = 0

    def f(x: float) -> float:
        nonlocal calls
        calls += 1
        if not raws:
            raws.append(load_yaml(file)[0])
        try:
            new, _ = apply_values(raws[0], [(parts, x)])
        except (ValueError, KeyError) as exc:
            raise InputError([Problem(str(file), path, str(exc.args[0]), x)]) from None
        sc = parse_scenario(new, file=str(file))
        sc._source = file
        if method == "exact":
            reason = why_not_expected(sc)
            if reason is not None:
                raise InputError([Problem(str(file), "", f"the expected-value path cannot price "
                                          f"this scenario: {reason}; use --method des")])
            metrics = {k: np.array([v]) for k, v in expected_metrics(sc, checked=True).items()}
        else:
            from model.sweep.run import evaluate

            metrics = evaluate(sc, reps, seed)
        if on_run is not None:
            on_run(1)
        if metric not in metrics:
            raise InputError([Problem(str(file), "", f"unknown metric '{metric}'", metric)])
        return float(metrics[metric].mean()) - target

    xtol = xtol or 1e-9 * max(abs(low), abs(high), 1.0)
    rtol, batches, fallback = 1e-10, 0, ""
    if method == "exact":
        fallback = why_not_vector(base, parts) if vectorised else "the reference search"
        if fallback is None:
            fallback = ""

            priced = 0   # batches so far

            def fs(xs: np.ndarray) -> np.ndarray:
                nonlocal priced
                before = calls
                out = vector_values(base, parts, metric, xs, f, first=priced == 0) - target
                priced += 1
                if on_run is not None:
                    on_run(len(xs) - (calls - before))
                return out

            try:
                found = search(fs, low, high, xtol, rtol)
                f_lo, f_hi = found.f_low, found.f_high
            except NotVectorised as exc:
                fallback = str(exc.args[0])
    if method != "exact" or fallback:
        f_lo, f_hi = f(low), f(high)
    if np.sign(f_lo) == np.sign(f_hi) and f_lo != 0:
        raise InputError([Problem(str(file), path, f"{metric} does not cross {target:g} between "
                                  f"{low:g} ({f_lo + target:,.6g}) and {high:g} "
                                  f"({f_hi + target:,.6g}); widen the bracket")])
    if method == "exact" and not fallback:
        value, calls, batches = found.value, found.evaluations, found.batches
    else:
        from scipy.optimize import brentq

        value = brentq(f, low, high, xtol=xtol, rtol=rtol)
    notes = []
    if is_share(parts):
        notes.append(f"the other shares at {'.'.join(parts[:-1])} are rescaled proportionally")
    from model.economics import metric_units
    from model.scenario.reference import unit_at

    return Threshold(base.name, path, metric, target, float(value), low, high, f_lo + target,
                     f_hi + target, calls, reps, seed, notes, unit_at(parts),
                     metric_units(base).get(metric, ""), base.valuation.horizon_years, batches,
                     fallback)
