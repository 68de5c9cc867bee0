"""Calibration: which parameter values agree with what a report says, with their uncertainty.

A targets file lists reported figures, each with its standard deviation (how exactly the report
gives it: a share from n people has sd √(p(1 − p)/n); a figure rounded to 0.1 MSEK has about
0.1/√12), and the scenarios they belong to. The free parameters are the scenarios' uncertain
inputs (their declared distributions are the priors) and any listed under `free:`.

The method is sampling-importance-resampling (SIR; Rubin 1988, as used for model calibration by
e.g. Menzies et al. 2017): draw parameter sets, weight each by prior × likelihood of the targets
(normal, with the model's own Monte Carlo variance added when it is simulated) / the density it
was drawn from, and resample M sets in proportion to the weights. Half the N draws come from the
priors; the rest come in ten adaptive rounds, each from a normal centred on the draw with the
largest weight so far with the covariance of its nearest neighbours (incremental mixture
importance sampling, IMIS: Raftery & Bao 2010), the mixture of all proposals and the prior in the
weights, so that tight targets still leave many effective draws. With joint or correlated priors
only the prior stage is used. The resampled sets are a sample from the posterior: written back
as a joint group, they make a PSA draw only parameter values consistent with the report. The
effective sample size of the weights says whether N was enough.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field, ValidationError

from model.errors import InputError, Problem
from model.numbers import PosCount
from model.psa.inputs import _uniforms, drawn_raw, plan
from model.scenario import Scenario, Strict, load_scenario, load_yaml, parse_scenario
from model.scenario.problems import pydantic_problems
from model.sweep import parse_path
from model.uncertainty import param_dist


class Target(Strict):
    """A reported figure the model should reproduce."""

    scenario: str
    metric: str
    value: float
    sd: float = Field(gt=0)
    source: str = ""


class Free(Strict):
    """A parameter to calibrate that the scenario does not already declare uncertain."""

    scenario: str
    path: str
    prior: dict[str, Any]
    name: str | None = None
    source: str = ""


class Method(Strict):
    kind: Literal["sir"] = "sir"
    draws: PosCount = Field(default=4000, le=200_000)
    keep: PosCount = Field(default=400, le=200_000)
    seed: int = 1
    replications: PosCount = Field(default=20, le=10_000)


class TargetsFile(Strict):
    name: str = Field(pattern=r"^[\w\-]+$")
    description: str = ""
    scenarios: list[str] = Field(min_length=1)
    targets: list[Target] = Field(min_length=1)
    free: list[Free] = Field(default_factory=list)
    method: Method = Method()


@dataclass
class Calibration:
    """The prior draws, their fit, and the resampled (posterior) parameter sets."""

    spec: TargetsFile
    scenarios: list[Scenario]
    draws: pd.DataFrame          # parameter values per prior draw (one column per parameter)
    model: pd.DataFrame          # model value of each target per prior draw
    loglik: np.ndarray
    posterior: pd.DataFrame      # resampled parameter sets
    columns: dict[str, list[tuple[str, str]]]   # scenario -> [(column, path)]
    how: str
    weights: np.ndarray          # normalised importance weights of the draws

    @property
    def ess(self) -> float:
        """Effective sample size of the importance weights: (Σw)² / Σw²."""
        return float(1.0 / (self.weights**2).sum())

    @property
    def best(self) -> int:
        return int(np.argmax(self.loglik))

    def fit_table(self) -> pd.DataFrame:
        """Each target against the best-fitting draw and the posterior's spread."""
        rows = []
        idx = self.posterior["prior_draw"].to_numpy()
        for i, t in enumerate(self.spec.targets):
            col = self.model.iloc[:, i].to_numpy()
            post = col[idx]
            rows.append({"scenario": t.scenario, "metric": t.metric, "target": t.value,
                         "sd": t.sd, "best": col[self.best],
                         "gap_sd": (col[self.best] - t.value) / t.sd,
                         "posterior_mean": float(np.mean(post)),
                         "posterior_lo": float(np.percentile(post, 2.5)),
                         "posterior_hi": float(np.percentile(post, 97.5)), "source": t.source})
        return pd.DataFrame(rows)


def load_targets(path: str | Path) -> tuple[TargetsFile, list[Scenario]]:
    path = Path(path)
    raw, node = load_yaml(path)
    try:
        spec = TargetsFile.model_validate(raw)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, str(path), node, root=TargetsFile)) from None
    scs = []
    problems = []
    for i, rel in enumerate(spec.scenarios):
        f = Path(rel) if Path(rel).is_absolute() else path.parent / rel
        if not f.is_file():
            problems.append(Problem(str(path), f"scenarios[{i}]", f"scenario file not found at {f}",
                                    rel))
            continue
        scs.append(load_scenario(f))
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
    if problems:
        raise InputError(problems)
    return spec, scs


def _with_free(spec: TargetsFile, scs: list[Scenario]) -> list[tuple[dict[str, Any], Scenario]]:
    """The scenarios' raw mappings with each free parameter given its prior as `uncertainty`."""
    import copy

    out = []
    for sc in scs:
        raw = copy.deepcopy(sc.raw)
        for fr in spec.free:
            if fr.scenario != sc.name:
                continue
            from model.sweep.paths import _container

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


def calibrate(spec: TargetsFile, scs: list[Scenario], workers: int = 1,
              on_draw: Any = None) -> Calibration:
    """Sampling-importance-resampling of the scenarios' uncertain inputs against the targets."""
    from model.psa.run import run_psa

    pairs = _with_free(spec, scs)
    parsed = []
    for raw, sc in pairs:
        s = parse_scenario(raw, file=str(sc.source_file))
        s._source = sc.source_file
        parsed.append((raw, s))
    p = plan(parsed)
    if p.empty:
        raise InputError([Problem(spec.name, "free", "nothing to calibrate: no uncertain inputs "
                                  "in the scenarios and no free parameters")])
    m = spec.method
    rounds = ROUNDS if not (p.joint or p.correlations) else 0
    first = m.draws if rounds == 0 else m.draws // 2
    res = run_psa(parsed, draws=first, seed=m.seed, workers=workers,
                  replications=m.replications, on_draw=on_draw)
    noise = _model_noise(spec, parsed, res.methods, m.replications, m.seed)
    table, model = res.draws, _targets(spec, res)
    loglik = _loglik(spec, model, noise)
    mixture = [(first, "prior", None, None)]
    names = list(p.inputs)
    rng = np.random.default_rng(np.random.SeedSequence([m.seed, 7]))
    scale = np.array([p.inputs[n].dist.moments()[1] or 1.0 for n in names])
    for r in range(rounds):
        # incremental mixture importance sampling (IMIS, Raftery & Bao 2010): a normal around the
        # draw with the largest weight so far, its covariance from its nearest neighbours
        w = _weights(table, loglik, mixture, p, names)
        x = table[names].to_numpy(float)
        centre = x[int(np.argmax(w))]
        dist = (((x - centre) / scale) ** 2).sum(axis=1)
        k = (m.draws - first) // rounds if r < rounds - 1 else m.draws - len(table)
        near = np.argsort(dist)[:max(k, 2 * len(names) + 2)]
        wn = (w[near] + 1.0 / len(w)) / 2.0
        cov = np.atleast_2d(np.cov(x[near].T, aweights=wn))
        cov += np.diag((1e-6 * scale) ** 2)
        new = rng.multivariate_normal(centre, cov, size=k)
        for j, name in enumerate(names):
            if p.inputs[name].integer:
                new[:, j] = np.round(new[:, j])
        block = pd.DataFrame(new, columns=names)
        block.insert(0, "draw", np.arange(len(table), len(table) + k))
        more = run_psa(parsed, table=block, seed=m.seed, workers=workers,
                       replications=m.replications, on_draw=on_draw)
        mixture.append((k, "normal", centre, cov))
        table = pd.concat([table, block], ignore_index=True)
        model = pd.concat([model, _targets(spec, more)], ignore_index=True)
        loglik = _loglik(spec, model, noise)
    w = _weights(table, loglik, mixture, p, names)
    idx = _systematic(w, m.keep, m.seed)
    columns = {sc.name: [(u.name, u.path) for u in p.by_scenario.get(sc.name, [])]
               for _, sc in parsed}
    posterior = table.iloc[idx].reset_index(drop=True).rename(columns={"draw": "prior_draw"})
    how = ", ".join(sorted(set(res.methods.values()) - {"invalid"}))
    return Calibration(spec, [s for _, s in parsed], table, model, loglik, posterior,
                       columns, how, w)


ROUNDS = 10


def _targets(spec: TargetsFile, res: object) -> pd.DataFrame:
    """The model's value of each target at each draw (NaN where the draw was invalid)."""
    missing = [t.metric for t in spec.targets if t.metric not in res.metrics]
    if missing:
        raise InputError([Problem(spec.name, "targets", f"unknown metric '{missing[0]}'; e.g. "
                                  "revenue:1y, cost, share_work, share:<exit state>, "
                                  "mean_months_to:<exit state>, participants")])
    return pd.DataFrame({f"{t.scenario}:{t.metric}": res.of(t.scenario)[t.metric]
                         .to_numpy(dtype=float) for t in spec.targets})


def _loglik(spec: TargetsFile, model: pd.DataFrame, noise: list[float]) -> np.ndarray:
    ll = np.zeros(len(model))
    for i, t in enumerate(spec.targets):
        x = model.iloc[:, i].to_numpy(dtype=float)
        ll += -0.5 * (x - t.value) ** 2 / (t.sd**2 + noise[i])
    return np.where(np.isnan(ll), -np.inf, ll)


def _weights(table: pd.DataFrame, loglik: np.ndarray, mixture: list[tuple], p: object,
             names: list[str]) -> np.ndarray:
    """Normalised importance weights prior × likelihood / (mixture of the proposals used)."""
    from scipy import stats

    x = table[names].to_numpy(float)
    prior = np.ones(len(table))
    for j, name in enumerate(names):
        prior *= p.inputs[name].dist.frozen().pdf(x[:, j])
    total = sum(k for k, *_ in mixture)
    q = np.zeros(len(table))
    for k, kind, mu, cov in mixture:
        dens = prior if kind == "prior" else stats.multivariate_normal(mu, cov,
                                                                         allow_singular=True).pdf(x)
        q += k / total * np.atleast_1d(dens)
    lw = loglik + np.log(np.where(prior > 0, prior, 1e-300)) - np.log(np.maximum(q, 1e-300))
    lw = np.where((prior > 0) & np.isfinite(loglik), lw, -np.inf)
    if not np.isfinite(lw).any():
        raise InputError([Problem("calibration", "targets", "no parameter draw reproduces the "
                                  "targets at all (every likelihood is 0); check the targets' "
                                  "values and sd, and widen the priors")])
    w = np.exp(lw - lw.max())
    return w / w.sum()


def _model_noise(spec: TargetsFile, parsed: list[tuple[dict[str, Any], Scenario]],
                 methods: dict[str, str], reps: int, seed: int) -> list[float]:
    """Variance of a simulated mean of `reps` replications for each target (0 where the
    expected-value path priced it), estimated once at the scenario's base values."""
    from model.evaluate import simulated_metrics

    var: dict[str, dict[str, float]] = {}
    for _, sc in parsed:
        if methods.get(sc.name) == "simulated":
            var[sc.name] = simulated_metrics(sc, reps, seed)[1]
    return [var.get(t.scenario, {}).get(t.metric, 0.0) or 0.0 for t in spec.targets]


def _systematic(w: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k indices drawn in proportion to w by systematic resampling (low variance)."""
    u0 = _uniforms(seed, "sir", 1)[0]
    points = (u0 + np.arange(k)) / k
    return np.minimum(np.searchsorted(np.cumsum(w), points), len(w) - 1)


def written_back(cal: Calibration, out: Path) -> list[Path]:
    """Each scenario with a joint group of the posterior sets and its values at the best fit."""
    import yaml

    from model.io import write_text

    files = []
    best = cal.draws.iloc[cal.best]
    for sc in cal.scenarios:
        cols = cal.columns.get(sc.name, [])
        if not cols:
            continue
        raw = drawn_raw(sc.raw, [(parse_path(path), float(best[col])) for col, path in cols])
        group = {"name": cal.spec.name,
                 "source": (f"insats calibrate ({cal.spec.name}): sampling-importance-resampling "
                            f"with adaptive rounds, {len(cal.draws)} draws, {len(cal.posterior)} "
                            f"kept, effective sample size {cal.ess:.0f}; priced by {cal.how}"),
                 "paths": [path for _, path in cols],
                 "rows": [[_num(r[col]) for col, _ in cols] for _, r in cal.posterior.iterrows()]}
        unc = dict(raw.get("uncertainty") or {})
        unc["joint"] = [g for g in unc.get("joint", []) if g.get("name") != cal.spec.name] + [group]
        raw["uncertainty"] = unc
        target = out / f"{sc.source_file.stem if sc.source_file else sc.name}.yaml"
        text = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=100)
        files.append(write_text(target, text))
    return files


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(f"{x:.6g}")

