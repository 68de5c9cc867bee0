"""Checks of a calibration targets file that need its scenarios: one home for `insats validate`
and `insats calibrate`, run when the file is loaded, before any sampling.

A target must be a finite figure the metric can take (a share in [0, 1], a count, a cost or a
time not below 0), of a metric the scenario's results have; a `free:` path must lead to a number
of the scenario (a missing intervention or a text field is refused); and there must be something
to calibrate. Each problem names the targets file, the field path and its line.
"""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING, Any

from model.errors import InputError, Problem
from model.scenario import Scenario, line_of, parse_scenario

if TYPE_CHECKING:
    from model.psa.calibrate import TargetsFile
    from model.psa.inputs import Plan

# metrics that cannot be negative (besides every share, count and time, found by their unit)
NOT_NEGATIVE = {"cost", "cost_pv", "cost_per_participant", "budget", "esf_grant", "cofinancing",
                "allowances", "mean_months_in_programme"}
# share-valued metrics that are not bounded by 1 (a break-even share can lie beyond it)
UNBOUNDED_SHARES = ("breakeven_",)


def known_metrics(sc: Scenario) -> dict[str, str]:
    """Every metric a calibration target can name for this scenario, with its unit."""
    from model.economics import metric_units

    units = dict(metric_units(sc))
    units |= {"exits_good": "participants", "mean_months_in_programme": "months",
              "jobs_without_at_share0": "jobs", "jobs_without_per_share": "jobs"}
    for state in sc.exit_states:
        units |= {f"share:{state}": "share", f"mean_months_to:{state}": "months"}
    for k in [k for k in units if k.startswith("npv")]:
        units["pays_back" + k[3:]] = "share"
        units |= {"breakeven_need" + k[3:]: "kr", "breakeven_slope" + k[3:]: "kr"}
    return units


def allowed_range(metric: str, unit: str) -> tuple[float, float] | None:
    """The values a metric can take ((low, high)), or None when any finite value can occur."""
    if unit == "share" and not metric.startswith(UNBOUNDED_SHARES):
        return 0.0, 1.0
    if unit in ("participants", "months") or metric in NOT_NEGATIVE or metric.startswith("budget:"):
        return 0.0, math.inf
    return None


def _p(file: str, node: Any, path: str, message: str, value: Any = None) -> Problem:
    return Problem(file, path, message, value, line_of(node, path))


def target_problems(spec: TargetsFile, scs: list[Scenario], file: str, node: Any) -> list[Problem]:
    """Each target: a finite value and sd, a metric the scenario has, a value it can take."""
    by_name = {sc.name: sc for sc in scs}
    found = []
    for i, t in enumerate(spec.targets):
        here = f"targets[{i}]"
        for key in ("value", "sd"):
            v = getattr(t, key)
            if v is not None and not math.isfinite(v):
                found.append(_p(file, node, f"{here}.{key}", f"{key} must be a finite number", v))
        sc = by_name.get(t.scenario)
        if sc is None:
            continue
        units = known_metrics(sc)
        if t.metric not in units:
            found.append(_p(file, node, f"{here}.metric", f"unknown metric '{t.metric}' for "
                            f"{t.scenario}; e.g. cost, share_work, "
                            f"{', '.join(f'share:{s}' for s in list(sc.exit_states)[:2])}, "
                            "mean_months_to:<exit state>, participants, revenue:<view>",
                            t.metric))
            continue
        bounds = allowed_range(t.metric, units[t.metric])
        if bounds is not None and t.value is not None and math.isfinite(t.value):
            low, high = bounds
            if not low <= t.value <= high:
                what = (f"between {low:g} and {high:g}" if math.isfinite(high)
                        else f"at least {low:g}")
                found.append(_p(file, node, f"{here}.{'value' if t.reported is None else 'reported'}",
                                f"{t.metric} ({units[t.metric]}) cannot be {t.value:g}; a target "
                                f"for it must be {what}", t.reported or t.value))
    return found


def _text_or_missing(raw: dict[str, Any], parts: list[str]) -> str | None:
    """Why a free path cannot take a number in `raw` (None when it can be set): a missing list
    item or a step through a value (KeyError from the path helpers), or a text field."""
    from model.sweep.paths import _container

    try:
        container = _container(copy.deepcopy(raw), parts)
    except KeyError as exc:
        return str(exc.args[0])
    old = container.get(parts[-1])
    value = old.get("value") if isinstance(old, dict) and "value" in old else old
    if isinstance(value, bool | str | list) or (
            isinstance(value, dict) and "value" not in value):
        return f"'{'.'.join(parts)}' holds {value!r}, not a number; a free parameter must be a number"
    return None


def free_problems(spec: TargetsFile, scs: list[Scenario], file: str, node: Any) -> list[Problem]:
    """Each free path leads to a number of its scenario, and the scenario with that number
    uncertain is still a valid scenario."""
    from model.psa.calibrate import _with_free
    from model.sweep.paths import parse_path

    by_name = {sc.name: sc for sc in scs}
    found = []
    for i, fr in enumerate(spec.free):
        sc = by_name.get(fr.scenario)
        try:
            parts = parse_path(fr.path)
        except ValueError:
            continue  # reported by load_targets
        if sc is None:
            continue
        why = _text_or_missing(sc.raw, parts)
        if why is None:
            one = spec.model_copy(update={"free": [fr]})
            raw = next(r for r, s in _with_free(one, [sc]))
            try:
                parse_scenario(raw, file=str(sc.source_file))
            except InputError as exc:
                why = "; ".join(f"{p.path}: {p.message}" for p in exc.problems[:3])
            except (ValueError, KeyError) as exc:
                why = str(exc)
        if why is not None:
            found.append(_p(file, node, f"free[{i}].path", f"cannot calibrate {fr.path} of "
                            f"{fr.scenario}: {why}", fr.path))
    return found


def plan_refusals(spec: TargetsFile, p: Plan, file: str, node: Any) -> list[Problem]:
    """What the draws planned from the scenarios and `free:` cannot be calibrated with: nothing
    uncertain, a joint or correlation group as prior, too few walkers for the free inputs."""
    if not p.inputs:
        return [_p(file, node, "free", "nothing to calibrate: the scenarios declare no uncertain "
                   "input and the file lists no free parameters; add a `free:` entry (scenario, "
                   "path, prior) or an `uncertainty:` to an input of a scenario")]
    if p.joint or p.correlations:
        what = ("joint groups " + ", ".join(p.joint)) if p.joint else "correlation groups"
        return [_p(file, node, "scenarios", f"the scenarios draw {what}; a calibration needs "
                   "each input's own declared distribution as its prior (remove the group, or "
                   "calibrate without it)")]
    k, walkers = len(p.inputs), spec.method.walkers
    if walkers < 2 * k:
        return [_p(file, node, "method.walkers", f"emcee needs at least twice as many walkers as "
                   f"free inputs ({2 * k} for {k})", walkers)]
    return []


def spec_problems(spec: TargetsFile, scs: list[Scenario], file: str, node: Any) -> list[Problem]:
    """Every problem of a targets file found before sampling (see the module docstring)."""
    from model.psa.calibrate import parsed_plan

    found = target_problems(spec, scs, file, node) + free_problems(spec, scs, file, node)
    if found:
        return found
    try:
        return plan_refusals(spec, parsed_plan(spec, scs)[1], file, node)
    except InputError as exc:  # a name shared by inputs that differ, say
        return exc.problems
