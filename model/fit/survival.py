"""The survival fits of the stay: Kaplan-Meier, Aalen-Johansen per destination, four parametric
shapes compared by AIC, and the destination shares of the vertical model. All estimators are
lifelines' (the gamma is a lifelines parametric model over its regularised incomplete gamma).

Representation in the scenario (docs/fit.md): the scenario's stay is a planned duration ended
early by constant exit hazards, with routing at its end. Records show one time and one
destination per person, and constant hazards cannot carry a time-varying shape, so the fit
writes the stay as a duration of the AIC-chosen shape and the destinations as routing with the
shares of exits: the vertical model of competing risks (Nicolaie, van Houwelingen & Putter 2010)
with destination independent of the time of exit. With an exponential stay this is exactly
"hazards alone" (hazard to k = share_k / mean), which the report also gives.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_MONTHS = 0.5 / 30.4375  # an exit on the day of entry counts as half a day (parametric fits need t > 0)
FAMILIES = ("exponential", "weibull", "gamma", "lognormal")
EXPRESSIBLE = ("exponential", "gamma", "lognormal")  # the scenario schema's duration shapes


@dataclass
class ShapeFit:
    """One parametric shape of the stay fitted by maximum likelihood with right censoring."""

    family: str
    aic: float
    loglik: float
    n_params: int
    mean: float
    cv: float
    median: float
    params: dict[str, float]

    @property
    def expressible(self) -> bool:
        return self.family in EXPRESSIBLE

    def survival(self, t: np.ndarray) -> np.ndarray:
        """S(t) of the fitted shape."""
        from scipy import stats
        t = np.asarray(t, float)
        p = self.params
        if self.family == "exponential":
            return np.exp(-t / p["lambda_"])
        if self.family == "weibull":
            return np.exp(-(t / p["lambda_"]) ** p["rho_"])
        if self.family == "gamma":
            return stats.gamma.sf(t, p["k_"], scale=p["theta_"])
        return stats.lognorm.sf(t, p["sigma_"], scale=math.exp(p["mu_"]))


def _gamma_fitter() -> type:
    """A lifelines model of the two-parameter gamma (shape k, scale theta): lifelines ships the
    generalised gamma, not the gamma the scenario schema holds, so it is declared here through
    lifelines' own parametric machinery (maximum likelihood, censoring, AIC)."""
    import autograd.numpy as anp
    from autograd_gamma import gammaincc
    from lifelines.fitters import KnownModelParametricUnivariateFitter

    class GammaFitter(KnownModelParametricUnivariateFitter):
        _fitted_parameter_names = ["k_", "theta_"]  # noqa: RUF012 (lifelines' own convention)
        _bounds = [(1e-3, 1e3), (1e-4, 1e4)]  # noqa: RUF012

        def _cumulative_hazard(self, params, times):  # type: ignore[no-untyped-def]
            k, theta = params
            return -anp.log(anp.clip(gammaincc(k, times / theta), 1e-300, 1.0))

    return GammaFitter


def fit_shape(family: str, t: np.ndarray, observed: np.ndarray,
              start: ShapeFit | None = None) -> ShapeFit:
    """Fit one shape to stays `t` (months) with `observed` False for those still enrolled; `start`
    (a fit of the same shape) is the optimiser's starting point (the bootstrap's refits)."""
    import lifelines

    t = np.maximum(np.asarray(t, float), MIN_MONTHS)
    e = np.asarray(observed, bool)
    mean_t = float(t.sum() / max(e.sum(), 1))  # the exponential MLE, a starting point for all
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if family == "exponential":
            f = lifelines.ExponentialFitter().fit(t, e)
            lam = float(f.lambda_)
            mean, cv, med = lam, 1.0, lam * math.log(2)
            params = {"lambda_": lam}
        elif family == "weibull":
            init = [start.params["lambda_"], start.params["rho_"]] if start else [mean_t, 1.0]
            f = lifelines.WeibullFitter().fit(t, e, initial_point=np.array(init))
            lam, rho = float(f.lambda_), float(f.rho_)
            m1 = lam * math.gamma(1 + 1 / rho)
            m2 = lam ** 2 * math.gamma(1 + 2 / rho)
            mean, cv, med = m1, math.sqrt(max(m2 - m1 ** 2, 0.0)) / m1, lam * math.log(2) ** (1 / rho)
            params = {"lambda_": lam, "rho_": rho}
        elif family == "gamma":
            init = ([start.params["k_"], start.params["theta_"]] if start else [1.0, mean_t])
            f = _gamma_fitter()().fit(t, e, initial_point=np.array(init))
            k, theta = float(f.k_), float(f.theta_)
            from scipy import stats
            mean, cv, med = k * theta, 1 / math.sqrt(k), float(stats.gamma.median(k, scale=theta))
            params = {"k_": k, "theta_": theta}
        elif family == "lognormal":
            f = lifelines.LogNormalFitter().fit(t, e)
            mu, sigma = float(f.mu_), float(f.sigma_)
            mean, cv, med = math.exp(mu + sigma ** 2 / 2), math.sqrt(math.expm1(sigma ** 2)), math.exp(mu)
            params = {"mu_": mu, "sigma_": sigma}
        else:
            raise ValueError(f"unknown family {family}")
    return ShapeFit(family, float(f.AIC_), float(f.log_likelihood_), len(params), mean, cv, med,
                    params)


def fit_shapes(t: np.ndarray, observed: np.ndarray) -> tuple[list[ShapeFit], list[str]]:
    """The four shapes, best AIC first, and the families whose fit did not converge (left out)."""
    from lifelines.exceptions import ConvergenceError

    fits, failed = [], []
    for f in FAMILIES:
        try:
            fits.append(fit_shape(f, t, observed))
        except (ConvergenceError, ValueError, FloatingPointError):
            failed.append(f)
    return sorted(fits, key=lambda s: s.aic), failed


def chosen(fits: list[ShapeFit]) -> ShapeFit:
    """The shape the scenario uses: the lowest AIC among those the schema can write."""
    return min((f for f in fits if f.expressible), key=lambda s: s.aic)


def kaplan_meier(t: np.ndarray, observed: np.ndarray) -> pd.DataFrame:
    """KM survival of the stay with its 95 % band (Greenwood, log-log): time, est, lo, hi."""
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter().fit(np.asarray(t, float), np.asarray(observed, bool))
    ci = km.confidence_interval_survival_function_
    return pd.DataFrame({"time": km.survival_function_.index.to_numpy(float),
                         "est": km.survival_function_.iloc[:, 0].to_numpy(float),
                         "lo": ci.iloc[:, 0].to_numpy(float), "hi": ci.iloc[:, 1].to_numpy(float)})


def km_median(t: np.ndarray, observed: np.ndarray) -> tuple[float, float, float]:
    """The KM median stay with its 95 % interval (inf where the curve does not reach 0.5)."""
    from lifelines import KaplanMeierFitter
    from lifelines.utils import median_survival_times

    km = KaplanMeierFitter().fit(np.asarray(t, float), np.asarray(observed, bool))
    ci = median_survival_times(km.confidence_interval_)
    return float(km.median_survival_time_), float(ci.iloc[0, 0]), float(ci.iloc[0, 1])


def aalen_johansen(t: np.ndarray, codes: np.ndarray, k: int, seed: int = 0) -> pd.DataFrame:
    """Cumulative incidence of exit code `k` (0 = still enrolled) by Aalen-Johansen, with its 95 %
    band: time, est, lo, hi. lifelines breaks tied times by a small seeded jitter."""
    from lifelines import AalenJohansenFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        aj = AalenJohansenFitter(calculate_variance=True, seed=seed).fit(
            np.asarray(t, float), np.asarray(codes, int), event_of_interest=k)
    cd = aj.cumulative_density_
    ci = aj.confidence_interval_
    out = pd.DataFrame({"time": cd.index.to_numpy(float), "est": cd.iloc[:, 0].to_numpy(float),
                        "lo": ci.iloc[:, 0].to_numpy(float), "hi": ci.iloc[:, 1].to_numpy(float)})
    return out.fillna({"lo": 0.0}).ffill().fillna(0.0)


def at(curve: pd.DataFrame, month: float, col: str = "est") -> float:
    """A step curve's value at `month` (the last step at or before it)."""
    idx = np.searchsorted(curve["time"].to_numpy(), month, side="right") - 1
    if idx < 0:
        return 1.0 if col != "est" or curve["est"].iloc[0] > 0.5 else 0.0
    return float(curve[col].iloc[idx])


def shares(codes: np.ndarray, k: int) -> np.ndarray:
    """Shares of the exits going to each destination 1..k (the vertical model's routing)."""
    c = np.asarray(codes, int)
    counts = np.bincount(c[c > 0], minlength=k + 1)[1:].astype(float)
    total = counts.sum()
    return counts / total if total else np.full(k, 1.0 / k)


def timing_check(t: np.ndarray, codes: np.ndarray) -> float | None:
    """p-value of destination against early/late exit (split at the median exit time): small
    values say the destination shares change with time, which the routing cannot carry."""
    from scipy.stats import chi2_contingency

    c = np.asarray(codes, int)
    tt = np.asarray(t, float)[c > 0]
    c = c[c > 0]
    if len(np.unique(c)) < 2 or len(c) < 10:
        return None
    late = tt > np.median(tt)
    table = np.array([[np.sum((c == k) & ~late), np.sum((c == k) & late)] for k in np.unique(c)])
    table = table[table.sum(axis=1) > 0]
    if table.shape[0] < 2 or (table.sum(axis=0) == 0).any():
        return None
    return float(chi2_contingency(table)[1])


def representation(shape: ShapeFit, states: list[str], routing: dict[str, float],
                   timing_p: float | None) -> str:
    """Which form of the scenario schema the stay and its exits are written in, and why: the
    report and the fitted file both say it (docs/fit.md, section 2)."""
    why_time = ("the destination does not detectably change with the time of exit"
                + (f" (χ² early/late p = {timing_p:.2f})" if timing_p is not None else
                   " (too few exits to test it)"))
    if timing_p is not None and timing_p < 0.05:
        why_time = (f"the destination changes with the time of exit (χ² early/late p = "
                    f"{timing_p:.3f}), which neither form can carry; routing averages over time")
    if shape.family == "exponential":
        hz = ", ".join(f"{s} {routing[s] / shape.mean:.4f}" for s in states)
        return (f"Form: hazards alone, written as an exponential duration (mean {shape.mean:.2f} "
                f"months) with routing at its end, which is the same model: the exponential has the "
                f"lowest AIC, so the hazard of leaving is constant, and the hazard to each "
                f"destination is its share over the mean ({hz} a month); {why_time}.")
    return (f"Form: planned duration ({shape.family}, mean {shape.mean:.2f} months, CV "
            f"{shape.cv:.2f}) with routing at its end and no early-exit hazards: the {shape.family} "
            f"has the lowest AIC among the shapes a scenario holds, so the hazard of leaving changes "
            f"with time, which constant exit hazards cannot carry; {why_time}, so shares at the end "
            "(the vertical model of competing risks) lose nothing the records show.")
