"""Calibration: which parameter values agree with what a report says, with their uncertainty.

A targets file lists reported figures and the scenarios they belong to. Each target's likelihood
width follows from its wording (`reported: "knappt 10 miljoner"`, the rule in
`model.psa.wording`) or from a stated sd (a share of n people: √(p(1 − p)/n)). The free
parameters are the scenarios' uncertain inputs, their *declared* distributions the priors (a
joint group that an earlier calibration wrote is set aside, never used as the prior), and any
listed under `free:`.

The posterior is sampled by ensemble MCMC (emcee, `model.psa.mcmc`) in several independent runs
and judged by ArviZ (R-hat ≤ 1.01, bulk ESS ≥ 400 for every free parameter). The likelihood is
one batch function over an (n, k) array of parameter sets (`target_values`, the seam where a
vectorised expected-value path can replace today's loop over the per-draw path). The kept draws,
thinned, become the joint group the PSA draws whole rows from.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, PrivateAttr, ValidationError, ValidationInfo, field_validator, model_validator

from model.errors import InputError, Problem
from model.load import load_scenario
from model.numbers import Count, PosCount
from model.psa.inputs import Plan, drawn_raw, plan
from model.psa.mcmc import Prior, converged, diagnostics
from model.scenario import Scenario, Strict, duplicate_keys, load_yaml, parse_scenario
from model.scenario.problems import pydantic_problems
from model.sweep import parse_path
from model.uncertainty import param_dist


class Target(Strict):
    """A reported figure the model should reproduce: its words (`reported`, the width follows
    from them) or a value with its sd."""

    scenario: str
    metric: str
    reported: str | None = None
    value: float | None = None
    sd: float | None = Field(default=None, gt=0)
    source: str = ""

    @model_validator(mode="before")
    @classmethod
    def _one_way(cls, data: Any) -> Any:
        from model.psa.wording import value_and_sd

        if not isinstance(data, dict):
            return data
        given = [k for k in ("value", "sd") if data.get(k) is not None]
        if data.get("reported") is not None:
            if given:
                raise ValueError("give either reported (the source's words; value and sd follow "
                                 "from them) or value and sd, not both")
            if not isinstance(data["reported"], str):
                raise ValueError("reported must be text, the figure as the source words it")
            value, sd = value_and_sd(data["reported"])
            return {**data, "value": value, "sd": sd}
        if len(given) < 2:
            raise ValueError("give reported (e.g. 'knappt 10 miljoner') or both value and sd")
        return data


class Free(Strict):
    """A parameter to calibrate that the scenario does not already declare uncertain."""

    scenario: str
    path: str
    prior: dict[str, Any]
    name: str | None = None
    source: str = ""


class Method(Strict):
    """Ensemble MCMC settings: `runs` independent runs of `walkers` walkers for `steps` steps;
    the first `burn` steps of each are discarded and every `thin`-th step after them kept."""

    kind: Literal["emcee"] = "emcee"
    walkers: PosCount = Field(default=32, le=10_000)
    steps: PosCount = Field(default=1500, le=1_000_000)
    burn: Count = 500
    thin: PosCount = 10
    runs: int = Field(default=2, ge=2, le=64)
    seed: Count = 1
    start_pool: PosCount = Field(default=1000, le=1_000_000)
    """Prior draws from which each run picks its starting walkers (in proportion to likelihood);
    at least one per walker is drawn whatever this says."""
    replications: PosCount = Field(default=20, le=10_000)
    """Simulated replications per evaluation, for a scenario the expected-value path cannot price."""
    simulation_seed: Count = 1
    """Seed of those simulated cohorts, the same at every parameter set and in every run (common
    random numbers): the likelihood is one function, which runs from any `seed` explore alike.
    Apart from `seed`, so that a second sampler seed tests the sampler, not the cohorts."""

    @field_validator("burn")
    @classmethod
    def _burn(cls, burn: int, info: ValidationInfo) -> int:
        steps = info.data.get("steps", 1500)  # steps is validated before burn (field order)
        if burn >= steps:
            raise ValueError(f"burn ({burn}) must be below steps ({steps})")
        return burn


class TargetsFile(Strict):
    name: str = Field(pattern=r"^[\w\-]+$")
    description: str = ""
    scenarios: list[str] = Field(min_length=1)
    targets: list[Target] = Field(min_length=1)
    free: list[Free] = Field(default_factory=list)
    method: Method = Method()
    _file: str = PrivateAttr(default="")

    @property
    def file(self) -> str:
        """The targets file this spec was read from (problems name it, never the spec's `name`)."""
        return self._file or "<targets>"


def load_targets(path: str | Path) -> tuple[TargetsFile, list[Scenario]]:
    path = Path(path)
    raw, node = load_yaml(path)
    dupes = duplicate_keys(node, str(path))
    if dupes:  # PyYAML keeps the last of two keys: refuse rather than silently drop one
        raise InputError(dupes)
    try:
        spec = TargetsFile.model_validate(raw)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, str(path), node, root=TargetsFile)) from None
    spec._file = str(path)
    scs = []
    problems = []
    for i, rel in enumerate(spec.scenarios):
        f = Path(rel) if Path(rel).is_absolute() else path.parent / rel
        if not f.is_file():
            problems.append(Problem(str(path), f"scenarios[{i}]", f"scenario file not found at {f}",
                                    rel))
            continue
        scs.append(load_scenario(f, set_aside=spec.name))
    names = {sc.name for sc in scs}
    for i, t in enumerate([*spec.targets, *spec.free]):
        if t.scenario not in names and not problems:
            where = f"targets[{i}]" if i < len(spec.targets) else f"free[{i - len(spec.targets)}]"
            problems.append(Problem(str(path), f"{where}.scenario", f"no scenario named "
                                    f"'{t.scenario}'; scenarios: {', '.join(sorted(names))}",
                                    t.scenario))
    for i, fr in enumerate(spec.free):
        try:
            parse_path(fr.path)
            param_dist(fr.prior)
        except ValueError as exc:
            problems.append(Problem(str(path), f"free[{i}]", str(exc)))
    if not problems:
        from model.psa.spec_checks import spec_problems

        problems = spec_problems(spec, scs, str(path), node)
    if problems:
        raise InputError(problems)
    return spec, scs


def _with_free(spec: TargetsFile, scs: list[Scenario]) -> list[tuple[dict[str, Any], Scenario]]:
    """The scenarios' raw mappings with each free parameter given its prior as `uncertainty`, and
    without the joint group this calibration wrote before (its rows are a result, not a prior)."""
    from model.scenario.parse import without_joint_group
    from model.sweep.paths import _container

    out = []
    for sc in scs:
        raw = copy.deepcopy(sc.raw)
        without_joint_group(raw, spec.name)
        for fr in spec.free:
            if fr.scenario != sc.name:
                continue
            parts = parse_path(fr.path)
            node = _container(raw, parts)
            old = node.get(parts[-1])
            value = old.get("value") if isinstance(old, dict) else old
            node[parts[-1]] = {"value": value, "source": fr.source or
                               (old.get("source", "") if isinstance(old, dict) else ""),
                               "uncertainty": {**fr.prior, **({"name": fr.name} if fr.name
                                                              else {})}}
        out.append((raw, sc))
    return out


@dataclass
class CalibrationProblem:
    """What is calibrated: the scenarios (declared priors only), the free inputs and the targets."""

    spec: TargetsFile
    parsed: list[tuple[dict[str, Any], Scenario]]
    plan: Plan
    prior: Prior
    integer: np.ndarray
    noise: np.ndarray = field(default_factory=lambda: np.zeros(0))
    memos: dict[str, Any] = field(default_factory=dict)
    """Per scenario: what the batch path derives from it alone (`model.expected.memo`), kept
    between batches, and whether the expected-value path applies to it."""

    @property
    def names(self) -> list[str]:
        return self.prior.names

    @property
    def simulated(self) -> bool:
        """Whether some scenario of the targets is simulated (the expected-value path does not
        apply), so that the likelihood depends on the simulated cohorts."""
        from model.evaluate import why_not_expected

        return any(why_not_expected(sc) is not None for _, sc in self.parsed)


def parsed_plan(spec: TargetsFile, scs: list[Scenario]
                ) -> tuple[list[tuple[dict[str, Any], Scenario]], Plan]:
    """The scenarios parsed with the free parameters' priors, and what would be drawn from them."""
    parsed = []
    for raw, sc in _with_free(spec, scs):
        s = parse_scenario(raw, file=str(sc.source_file))
        s._source = sc.source_file
        parsed.append((raw, s))
    return parsed, plan(parsed)


def problem(spec: TargetsFile, scs: list[Scenario]) -> CalibrationProblem:
    """The calibration problem: the scenarios with their declared priors, refused when a prior
    is not a set of independent declared distributions (`model.psa.spec_checks`)."""
    from model.psa.spec_checks import plan_refusals

    parsed, p = parsed_plan(spec, scs)
    found = plan_refusals(spec, p, spec.file, None)
    if found:
        raise InputError(found)
    names = list(p.inputs)
    prior = Prior(names, [p.inputs[n].dist for n in names])
    integer = np.array([p.inputs[n].integer for n in names])
    prob = CalibrationProblem(spec, parsed, p, prior, integer)
    prob.noise = _model_noise(prob)
    return prob


def _set_values(prob: CalibrationProblem, x: np.ndarray) -> list[list[tuple[list[str], float]]]:
    """For one parameter set: (path parts, value) per scenario, whole numbers rounded."""
    out = []
    for _, sc in prob.parsed:
        sets = []
        for u in prob.plan.by_scenario.get(sc.name, []):
            v = float(x[prob.names.index(u.name)])
            sets.append((u.parts, float(round(v)) if u.integer else v))
        out.append(sets)
    return out


def target_values(prob: CalibrationProblem, x: np.ndarray) -> np.ndarray:
    """The model's value of each target at each of the (n, k) parameter sets: an (n, targets)
    array, NaN where a set gives an invalid scenario.

    Each scenario the expected-value path applies to is priced at all sets in one pass
    (`model.psa.vector.price_scenario`, as the PSA prices its draws); the sets it leaves (values
    outside its checks, an input it does not vectorise) and scenarios it cannot price go through
    the per-draw path (`model.evaluate`, the simulated mean where that path does not apply)."""
    from model.evaluate import why_not_expected
    from model.expected.memo import Memo
    from model.psa.vector import price_scenario

    x = np.atleast_2d(x)
    n = len(x)
    batch: dict[str, dict[str, np.ndarray] | None] = {}
    pending = np.zeros(n, dtype=bool)
    for _, sc in prob.parsed:
        m = None
        memo = prob.memos.setdefault(sc.name, Memo())
        if memo.get("expected", lambda sc=sc: why_not_expected(sc) is None):
            cols = []
            for u in prob.plan.by_scenario.get(sc.name, []):
                v = x[:, prob.names.index(u.name)].astype(float)
                cols.append((u.parts, np.round(v) if u.integer else v))
            only = frozenset(t.metric for t in prob.spec.targets if t.scenario == sc.name)
            m, left, _ = price_scenario(sc, cols, n, memo, only)
            pending[left] = True
        if m is None:
            pending[:] = True
        batch[sc.name] = m
    out = np.full((n, len(prob.spec.targets)), np.nan)
    for j, t in enumerate(prob.spec.targets):
        m = batch[t.scenario]
        if m is not None:
            if t.metric not in m:
                raise _unknown_metric(prob, j, t.metric)
            out[:, j] = m[t.metric]
    rows = np.flatnonzero(pending)
    if len(rows):
        out[rows] = _per_set_values(prob, x[rows])
    return out


def _unknown_metric(prob: CalibrationProblem, j: int, metric: str) -> InputError:
    return InputError([Problem(prob.spec.file, f"targets[{j}].metric", f"unknown metric "
                               f"'{metric}'; e.g. revenue:1y, cost, share_work, "
                               "share:<exit state>, mean_months_to:<exit state>, participants",
                               metric)])


def _per_set_values(prob: CalibrationProblem, x: np.ndarray) -> np.ndarray:
    """`target_values` one parameter set at a time on the per-draw path: the reference the
    vectorised pricing is tested against, and the path for what it cannot price."""
    from model.evaluate import evaluate

    m = prob.spec.method
    out = np.full((len(x), len(prob.spec.targets)), np.nan)
    for i, row in enumerate(np.atleast_2d(x)):
        figures: dict[str, dict[str, float]] = {}
        for (raw, sc), sets in zip(prob.parsed, _set_values(prob, row), strict=True):
            try:
                s = parse_scenario(drawn_raw(raw, sets), file=str(sc.source_file))
            except (InputError, ValueError, KeyError):
                break
            s._source = sc.source_file
            figures[sc.name], _ = evaluate(s, "auto", m.replications, m.simulation_seed)
        else:
            for j, t in enumerate(prob.spec.targets):
                v = figures[t.scenario].get(t.metric)
                if v is None:
                    raise _unknown_metric(prob, j, t.metric)
                out[i, j] = v
    return out


def loglik(prob: CalibrationProblem, x: np.ndarray) -> np.ndarray:
    """Normal log-likelihood of the targets at each parameter set (−inf where invalid)."""
    m = target_values(prob, x)
    value = np.array([t.value for t in prob.spec.targets])
    var = np.array([t.sd**2 for t in prob.spec.targets]) + prob.noise
    ll = -0.5 * (((m - value) ** 2) / var).sum(axis=1)
    return np.where(np.isnan(ll), -np.inf, ll)


def _model_noise(prob: CalibrationProblem) -> np.ndarray:
    """Variance of a simulated mean of `replications` replications for each target (0 where the
    expected-value path prices it), estimated once at the scenario's base values."""
    from model.evaluate import simulated_metrics, why_not_expected

    var: dict[str, dict[str, float]] = {}
    for _, sc in prob.parsed:
        if why_not_expected(sc) is not None:
            var[sc.name] = simulated_metrics(sc, prob.spec.method.replications,
                                             prob.spec.method.simulation_seed)[1]
    return np.array([var.get(t.scenario, {}).get(t.metric, 0.0) or 0.0 for t in prob.spec.targets])


def run_seeds(seed: int, runs: int) -> list[int]:
    """Each run's own seed, derived from the calibration's seed."""
    return [int(s) for s in np.random.SeedSequence([seed, 1919]).generate_state(runs)]


@dataclass
class Calibration:
    """The runs' chains, their diagnostics and the posterior rows to write."""

    prob: CalibrationProblem
    chains: np.ndarray          # (runs, steps, walkers, k), every step
    diag: pd.DataFrame          # per free input: prior sd, posterior mean/sd, R-hat, ESS, ...
    rows: np.ndarray            # kept, thinned draws (n, k), whole numbers rounded
    converged: bool
    fit: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def spec(self) -> TargetsFile:
        return self.prob.spec

    @property
    def names(self) -> list[str]:
        return self.prob.names

    @property
    def kept(self) -> np.ndarray:
        """The draws after burn-in as one chain per run, (runs, walkers × steps, k): each
        run's walkers laid end to end, so that R-hat compares the independent runs (and, split,
        the two halves of each run's walkers) and the ESS follows the autocorrelation along each
        walker."""
        m = self.spec.method
        x = self.chains[:, m.burn:]                        # (runs, steps, walkers, k)
        return np.moveaxis(x, 2, 1).reshape(x.shape[0], -1, x.shape[3])

    def medians(self) -> np.ndarray:
        med = np.median(self.rows, axis=0)
        return np.where(self.prob.integer, np.round(med), med)

    def correlations(self, top: int = 5) -> list[tuple[str, str, float]]:
        """The strongest posterior correlations between free inputs, strongest first."""
        r = np.corrcoef(self.rows.T)
        pairs = [(self.names[i], self.names[j], float(r[i, j]))
                 for i in range(len(self.names)) for j in range(i + 1, len(self.names))
                 if np.isfinite(r[i, j])]
        return sorted(pairs, key=lambda t: -abs(t[2]))[:top]


def calibrate(spec: TargetsFile, scs: list[Scenario], on_step: Any = None, workers: int = 1
              ) -> Calibration:
    """Ensemble MCMC of the free inputs against the targets, in `method.runs` independent runs
    (spread over `workers` processes, with the same chains as in one: `calibrate_runs`)."""
    from model.psa.calibrate_runs import run_all

    prob = problem(spec, scs)
    m = spec.method
    try:
        chains = run_all(prob, run_seeds(m.seed, m.runs), workers, on_step)
    except ValueError as exc:
        raise InputError([Problem(spec.file, "targets", f"{exc}: no parameter set reproduces "
                                  "the targets at all; check the targets and widen the priors")]
                         ) from None
    cal = Calibration(prob, chains, pd.DataFrame(), np.zeros((0, prob.prior.k)), False)
    diag = diagnostics(cal.kept, prob.names)
    post = cal.kept.reshape(-1, prob.prior.k)
    diag.insert(0, "prior_sd", prob.prior.sd())
    diag["contraction"] = diag["sd"] / diag["prior_sd"]
    diag["post_lo"] = np.percentile(post, 2.5, axis=0)
    diag["post_hi"] = np.percentile(post, 97.5, axis=0)
    cal.diag = diag
    cal.converged = converged(diag)
    # rows: every `thin`-th step after burn-in, step by step (runs, then walkers, within a step),
    # so that a shorter run with the same seed reproduces the first rows
    kept = chains[:, m.burn::m.thin]                       # (runs, kept steps, walkers, k)
    rows = np.moveaxis(kept, 0, 1).reshape(-1, prob.prior.k)
    cal.rows = np.where(prob.integer, np.round(rows), rows)
    cal.fit = fit_table(cal)
    return cal


def fit_table(cal: Calibration) -> pd.DataFrame:
    """Each target against the model at the posterior medians and the posterior predictive
    (the targets over the written rows)."""
    at_median = target_values(cal.prob, cal.medians()[None, :])[0]
    pred = target_values(cal.prob, cal.rows)
    rows = []
    for i, t in enumerate(cal.spec.targets):
        p = pred[:, i][np.isfinite(pred[:, i])]
        rows.append({"scenario": t.scenario, "metric": t.metric, "reported": t.reported or "",
                     "target": t.value, "sd": t.sd, "at_median": at_median[i],
                     "gap_sd": (at_median[i] - t.value) / t.sd,
                     "predictive_mean": float(np.mean(p)), "predictive_lo": float(np.percentile(p, 2.5)),
                     "predictive_hi": float(np.percentile(p, 97.5)), "source": t.source})
    return pd.DataFrame(rows)


RIDGE_CORR = 0.5       # |posterior correlation| from which two inputs are reported as a ridge
WEAK = 0.7             # posterior sd / prior sd from which an input is reported as barely informed


def unidentified(cal: Calibration) -> tuple[list[tuple[str, str, float]], list[tuple[str, float]]]:
    """What the targets cannot separate: pairs of inputs with |posterior correlation| ≥ 0.5 (the
    targets fix a combination of them, not each), and inputs whose posterior sd is still at least
    70 % of the prior sd (the targets barely inform them)."""
    ridge = [c for c in cal.correlations(top=len(cal.names) ** 2) if abs(c[2]) >= RIDGE_CORR]
    weak = [(n, float(c)) for n, c in cal.diag["contraction"].items() if c >= WEAK]
    return ridge, weak
