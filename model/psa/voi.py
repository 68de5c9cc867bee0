"""Value of information: what it would be worth, in kronor, to know more before deciding.

With net benefit NB_k (here the NPV of option k in a view, in kr; an option "do nothing" at 0 is
added when only one programme is appraised) in each PSA draw:

* EVPI = E[max_k NB_k] − max_k E[NB_k]: the expected loss from deciding under uncertainty, per
  decision (the cohort the scenario describes).
* EVPPI for a parameter or a group φ = E_φ[max_k E(NB_k | φ)] − max_k E[NB_k], with E(NB_k | φ)
  estimated by non-parametric regression of the draws' incremental net benefit on φ (Strong,
  Oakley & Brennan 2014, Med Decis Making 34:311–326): a penalised regression spline with its
  penalty chosen by generalised cross-validation for one parameter (a one-dimensional GAM),
  Gaussian-process regression for a group (their GP method: standardised inputs and output, an
  anisotropic squared-exponential kernel plus noise; the hyperparameters by maximum marginal
  likelihood on GP_FIT_POINTS = 200 distinct draws chosen at random, at most GP_MAX_ITER = 100
  L-BFGS-B iterations; then the posterior mean given all draws, up to GP_MAX_POINTS = 2 000
  distinct ones). A joint group is drawn as whole rows of a kept set, so draws recur: each
  distinct row enters once, its mean net benefit with the noise variance divided by its count
  and the draws' spread about it (the same hyperparameters and posterior mean as the draws one
  by one, on a smaller system). Only the options'
  net benefits relative to the first are regressed: the first option's own conditional mean is
  common to all options and cancels. About 0.3–0.6 s for a 9-column group on 1 000 draws
  (benchmarks/RESULTS.md), against 80–150 s for the GP fitted on all draws before.

Scaled to a population: divided by the decision's participants and multiplied by the stated
number of future participants the decision affects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

if TYPE_CHECKING:
    from model.psa.run import PSAResult
    from model.scenario import Scenario

GP_FIT_POINTS = 200
GP_MAX_ITER = 100
GP_MAX_POINTS = 2000
GP_JITTER = 1e-8
SPLINE_KNOTS = 12
SPLINE_ALPHAS = np.logspace(-8, 4, 25)


def _standardise(x: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit sd; a constant column (nothing to learn from) dropped."""
    sd = x.std(axis=0)
    keep = sd > 0
    return (x[:, keep] - x[:, keep].mean(axis=0)) / sd[keep]


def _gp_objective(theta: np.ndarray, d2: np.ndarray, z: np.ndarray,
                  counts: np.ndarray | None = None, within: float = 0.0) -> tuple[float, np.ndarray]:
    """Negative log marginal likelihood of a GP (anisotropic squared-exponential kernel plus
    noise) and its gradient in theta = log(amplitude, length scales…, noise); d2 holds the
    points' squared differences per input (n × n × d).

    A point may be the mean of `counts` draws sharing one x (noise variance / count) with
    `within` the draws' sum of squares about their means: then the value differs from that of
    the draws one by one by a constant, so the hyperparameters are those the draws give."""
    from scipy.linalg import cho_factor, cho_solve  # here: a report reading the kept VOI needs none

    n = len(z)
    c = np.ones(n) if counts is None else counts.astype(float)
    amp, ls, noise = math.exp(theta[0]), np.exp(theta[1:-1]), math.exp(theta[-1])
    kf = amp * np.exp(-0.5 * (d2 @ (1.0 / ls**2)))
    eff = noise + GP_JITTER                 # the jitter keeps k positive definite
    k = kf + np.diag(eff / c)
    try:
        chol = cho_factor(k, lower=True)
    except np.linalg.LinAlgError:
        return 1e25, np.zeros_like(theta)
    alpha = cho_solve(chol, z)
    extra = float((c - 1).sum())            # the draws' degrees of freedom about their means
    nlml = (0.5 * z @ alpha + np.log(np.diag(chol[0])).sum() + 0.5 * n * math.log(2 * math.pi)
            + 0.5 * within / eff + 0.5 * extra * math.log(eff))
    w = np.outer(alpha, alpha) - cho_solve(chol, np.eye(n))
    wk = w * kf
    grad = np.empty_like(theta)
    grad[0] = -0.5 * wk.sum()
    grad[1:-1] = -0.5 * np.einsum("ij,ijd->d", wk, d2) / ls**2
    grad[-1] = noise * (-0.5 * (np.diag(w) / c).sum() - 0.5 * within / eff**2 + 0.5 * extra / eff)
    return float(nlml), grad


def _sq_exp(a: np.ndarray, b: np.ndarray, amp: float, ls: np.ndarray) -> np.ndarray:
    """The squared-exponential kernel between the rows of a and b."""
    a, b = a / ls, b / ls
    d2 = (a**2).sum(axis=1)[:, None] + (b**2).sum(axis=1)[None, :] - 2 * a @ b.T
    return amp * np.exp(-0.5 * np.maximum(d2, 0.0))


def _gp(x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """Fitted E(y | x) by Gaussian-process regression, as in Strong, Oakley & Brennan (2014):
    standardised inputs and output, an anisotropic squared-exponential kernel plus noise, its
    hyperparameters by maximum marginal likelihood (L-BFGS-B, at most GP_MAX_ITER iterations) on
    GP_FIT_POINTS distinct draws chosen at random (seeded), then the posterior mean given every
    draw (given GP_MAX_POINTS distinct draws chosen at random when there are more). Draws sharing
    a value of x (a joint group's rows recur) enter as their mean with the noise variance divided
    by their count and their spread about it, which gives the same hyperparameters and posterior
    mean as the draws one by one."""
    from scipy.optimize import minimize

    xs = _standardise(x)
    if xs.shape[1] == 0 or y.std() == 0:
        return np.full(len(y), y.mean())
    rows, inv, counts = np.unique(xs, axis=0, return_inverse=True, return_counts=True)
    inv = inv.ravel()
    mu, sd = y.mean(), y.std()
    z = (np.bincount(inv, weights=y) / counts - mu) / sd
    within = np.bincount(inv, weights=((y - mu) / sd - z[inv]) ** 2, minlength=len(rows))
    fit = np.arange(len(rows))
    if len(rows) > GP_FIT_POINTS:
        fit = np.sort(np.random.default_rng(seed).choice(len(rows), GP_FIT_POINTS, replace=False))
    d = rows.shape[1]
    d2 = (rows[fit, None, :] - rows[None, fit, :]) ** 2
    theta0 = np.log(np.r_[1.0, np.full(d, math.sqrt(d)), 0.1])
    bounds = [(math.log(1e-4), math.log(1e4))] + [(math.log(1e-2), math.log(1e2))] * d \
        + [(math.log(1e-8), math.log(10.0))]
    res = minimize(_gp_objective, theta0, args=(d2, z[fit], counts[fit], float(within[fit].sum())),
                   jac=True, method="L-BFGS-B",
                   bounds=bounds, options={"maxiter": GP_MAX_ITER})
    amp, ls, noise = math.exp(res.x[0]), np.exp(res.x[1:-1]), math.exp(res.x[-1])
    cond = np.arange(len(rows))
    if len(rows) > GP_MAX_POINTS:
        cond = np.sort(np.random.default_rng(seed + 1).choice(len(rows), GP_MAX_POINTS,
                                                              replace=False))
    k = _sq_exp(rows[cond], rows[cond], amp, ls) + np.diag((noise + GP_JITTER) / counts[cond])
    from scipy.linalg import cho_factor, cho_solve

    weights = cho_solve(cho_factor(k, lower=True), z[cond])
    mean = _sq_exp(rows, rows[cond], amp, ls) @ weights
    return (mean * sd + mu)[inv]


def evpi(nb: np.ndarray) -> float:
    """Expected value of perfect information from draws × options net benefits."""
    nb = np.asarray(nb, dtype=float)
    return float(nb.max(axis=1).mean() - nb.mean(axis=0).max())


def spline_basis(x: np.ndarray, n_knots: int = SPLINE_KNOTS) -> np.ndarray:
    """A cubic B-spline basis of x (draws × n_knots + 2) with knots at quantiles of x, the
    outer knots spaced as the first and last inner ones (scikit-learn's SplineTransformer with
    knots="quantile"; its basis at the data, which lies inside the knots, by scipy)."""
    from scipy.interpolate import BSpline

    base = np.percentile(x, 100 * np.linspace(0.0, 1.0, n_knots))
    lo, hi = base[1] - base[0], base[-1] - base[-2]
    knots = np.r_[np.linspace(base[0] - 3 * lo, base[0] - lo, 3), base,
                  np.linspace(base[-1] + hi, base[-1] + 3 * hi, 3)]
    return BSpline.design_matrix(x, knots, 3).toarray()


def ridge_loo(basis: np.ndarray, y: np.ndarray, alphas: np.ndarray = SPLINE_ALPHAS
              ) -> tuple[np.ndarray, float]:
    """Fitted values and penalty of a ridge regression of y on the basis (intercept not
    penalised), its penalty the one of `alphas` with the smallest mean squared leave-one-out
    error (the first on a tie): scikit-learn's RidgeCV (efficient leave-one-out), by one SVD of
    the centred basis, for which each leave-one-out residual is (y − ŷ) / (1 − h) with h the hat
    matrix's diagonal."""
    n = len(y)
    yc = y - y.mean()
    u, s, _ = np.linalg.svd(basis - basis.mean(axis=0), full_matrices=False)
    uy, u2, s2 = u.T @ yc, u**2, s**2
    best, fitted, chosen = math.inf, yc, math.nan
    for alpha in alphas:
        shrink = s2 / (s2 + alpha)
        fit = u @ (shrink * uy)
        score = float(np.mean(((yc - fit) / (1.0 - 1.0 / n - u2 @ shrink)) ** 2))
        if score < best:
            best, fitted, chosen = score, fit, float(alpha)
    return fitted + y.mean(), chosen


def _spline(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Fitted E(y | x) by a penalised regression spline: a cubic B-spline basis with knots at
    quantiles of x and a ridge penalty chosen by leave-one-out cross-validation: scikit-learn's
    SplineTransformer + RidgeCV written with scipy, because importing scikit-learn took a third
    of `make run`'s time budget. tests/test_voi.py checks the same basis and penalty as
    scikit-learn, the exact ridge fit to 1e-9 of sd(y) (least squares on the stacked system),
    and RidgeCV's own predictions to 1e-5 of sd(y) (RidgeCV is off the exact fit by up to about
    1e-6 at the smallest penalties)."""
    if len(np.unique(x)) < 5:
        _, inv, counts = np.unique(x, return_inverse=True, return_counts=True)
        return (np.bincount(inv, weights=y) / counts)[inv]
    return ridge_loo(spline_basis(x), y)[0]


def conditional_means(nb: np.ndarray, x: np.ndarray, seed: int = 1) -> np.ndarray:
    """E(NB_k | x) for each draw and option, up to one term common to all options: each option's
    net benefit relative to the first is regressed on x, and the first option's own conditional
    mean is held at its overall mean (it is added to every option alike, so it cancels from
    EVPPI; with two options only one regression is needed)."""
    nb = np.asarray(nb, dtype=float)
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    fit = _spline if x.shape[1] == 1 else (lambda a, b: _gp(a, b, seed))
    arg = x[:, 0] if x.shape[1] == 1 else x
    out = np.empty_like(nb)
    out[:, 0] = nb[:, 0].mean()
    # one BLAS thread: the matrices are small, and threads waiting for busy cores made the group
    # regression about ten times slower on a loaded machine (benchmarks/RESULTS.md)
    with threadpool_limits(1, user_api="blas"):
        for k in range(1, nb.shape[1]):
            out[:, k] = out[:, 0] + fit(arg, nb[:, k] - nb[:, 0])
    return out


def evppi(nb: np.ndarray, x: np.ndarray, seed: int = 1) -> float:
    """Expected value of partial perfect information about parameter(s) x (draws × k)."""
    g = conditional_means(nb, x, seed)
    value = float(g.max(axis=1).mean() - g.mean(axis=0).max())
    return max(value, 0.0)


@dataclass
class VOI:
    """EVPI and EVPPI per parameter and group, per decision and per future participant."""

    metric: str
    options: list[str]
    evpi: float
    participants: float
    table: pd.DataFrame      # parameter (or group), evppi, evppi per participant
    population: float = math.nan   # future participants the decision affects

    @property
    def evpi_per_participant(self) -> float:
        return self.evpi / self.participants if self.participants else math.nan

    def scaled(self, per_decision: float) -> float:
        """A value per decision scaled to the population: per participant × population."""
        return per_decision / self.participants * self.population if self.participants else math.nan


def net_benefit_matrix(per_draw: dict[str, pd.DataFrame], metric: str) -> tuple[np.ndarray,
                                                                                  list[str]]:
    """Draws × options of `metric`, in draw order; a single option gets 'do nothing' (0) beside it."""
    names = list(per_draw)
    cols = [per_draw[n].sort_values("draw")[metric].to_numpy(dtype=float) for n in names]
    nb = np.column_stack(cols)
    if len(names) == 1:
        nb = np.column_stack([nb, np.zeros(len(nb))])
        names = [*names, "do_nothing"]
    return nb, names


def value_of_information(per_draw: dict[str, pd.DataFrame], inputs: pd.DataFrame, metric: str,
                         groups: dict[str, list[str]] | None = None, seed: int = 1,
                         noiseless: bool = False) -> VOI:
    """EVPI and EVPPI of every input column and named group, for the decision on `metric`.

    `noiseless`: each draw's net benefits are a function of its inputs alone (every draw priced
    on the expected-value path, no simulated cohorts). Then a parameter or group that holds
    every input that varies has E(NB | φ) = NB, and its EVPPI is the EVPI exactly: no
    regression is fitted for it (a regression would only approximate that value)."""
    nb, names = net_benefit_matrix(per_draw, metric)
    inputs = inputs.sort_values("draw").reset_index(drop=True)
    participants = float(np.mean([df["participants"].mean() for df in per_draw.values()]))
    rows = []
    params = [c for c in inputs.columns if c != "draw" and inputs[c].nunique() > 1]
    # the same option best in every draw: E(NB | φ) keeps that order for every φ, so every
    # EVPPI is exactly 0 (and EVPI too); no regression needed
    settled = len(np.unique(nb.argmax(axis=1))) == 1
    total = 0.0 if settled else evpi(nb)

    def partial(cols: list[str]) -> float:
        if settled:
            return 0.0
        if noiseless and set(cols) == set(params):
            return total
        return evppi(nb, inputs[cols].to_numpy(dtype=float), seed)

    for c in params:
        rows.append({"parameter": c, "kind": "parameter", "evppi": partial([c])})
    for g, cols in (groups or {}).items():
        cols = [c for c in cols if c in params]
        if len(cols) >= 2:
            rows.append({"parameter": g, "kind": "group", "evppi": partial(cols)})
    table = pd.DataFrame(rows, columns=["parameter", "kind", "evppi"])
    table["evppi_per_participant"] = table["evppi"] / participants if participants else math.nan
    table = table.sort_values("evppi", ascending=False, kind="stable").reset_index(drop=True)
    return VOI(metric, names, total, participants, table)


def drawn_inputs(psa: PSAResult) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The values each draw gave the uncertain inputs (a joint group's row spelled out as one
    column per path; a path with the same values in every scenario once, else as
    `scenario:path`), and the named groups: joint groups and correlation groups."""
    d = psa.draws.sort_values("draw").reset_index(drop=True)
    cols: dict[str, np.ndarray] = {"draw": d["draw"].to_numpy()}
    groups: dict[str, list[str]] = {}
    for name in psa.plan.inputs:
        cols[name] = d[name].to_numpy(dtype=float)
    for g, entry in psa.plan.joint.items():
        idx = d[f"joint:{g}"].to_numpy(dtype=int)
        members: list[str] = []
        for scenario, (paths, rows) in entry["paths"].items():
            for j, path in enumerate(paths):
                x = rows[idx, j]
                if path in cols and np.array_equal(cols[path], x):
                    continue
                key = path if path not in cols else f"{scenario}:{path}"
                cols[key] = x
                members.append(key)
        groups[g] = members
    for k, (names, _) in enumerate(psa.plan.correlations):
        groups[f"correlation {k + 1}"] = list(names)
    return pd.DataFrame(cols), groups


def psa_voi(psa: PSAResult, metric: str, population: float, seed: int = 1) -> VOI:
    """EVPI and EVPPI of a PSA's decision on `metric`, per decision and for `population`
    future participants (`VOI.scaled`). Computed once per metric and seed and kept on the PSA
    (`PSAResult.memo`): the screen, the records and the report show the same figures."""
    found = psa.memo.get(("voi", metric, seed))
    if found is None:
        per_draw = {s: psa.of(s) for s in psa.metrics["scenario"].unique()}
        inputs, groups = drawn_inputs(psa)
        noiseless = bool(len(psa.metrics)) and bool((psa.metrics["method"] == "expected").all())
        found = psa.memo[("voi", metric, seed)] = value_of_information(per_draw, inputs, metric,
                                                                       groups, seed, noiseless)
    return replace(found, options=list(found.options), table=found.table.copy(),
                   population=population)


def decision_voi(psa: PSAResult, scenarios: list[Scenario], population: float | None = None
                 ) -> VOI:
    """The value of information of the decision among the scenarios (one: against doing
    nothing) on the first one's headline NPV, on the PSA's seed; the population is the first
    scenario's `uncertainty.future_participants` unless given. Kept on the PSA once computed."""
    from model.economics.figures import headline

    sc = scenarios[0]
    pop = population if population is not None else sc.uncertainty.future_participants
    return psa_voi(psa, headline(sc), float(pop), seed=psa.seed)
