"""What a PSA says: each figure's mean and 95 % interval over parameter draws, and probabilities.

Every number here carries its Monte Carlo standard error (MCSE): the precision of the PSA itself
with this many draws (for a mean, sd / √n_eff; for a probability p, √(p(1 − p) / n_eff), where
n_eff is the effective number of draws, n unless a joint group's rows were resampled:
`model.psa.effective`). The interval is
the 2.5th to 97.5th percentile of the expected figure over draws: what we do not know about the
inputs, not the chance variation of one cohort (that is `model.results`'s interval over
simulated runs, shown separately).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.psa.effective import mcse_mean, mcse_probability
from model.results import RATIOS, interval, ratio_interval, summary_row

PSA_COLUMNS = ["metric", "unit", "mean", "lo", "hi", "median", "mcse", "n", "basis"]


def probability(x: np.ndarray | pd.Series, n_eff: float | None = None) -> tuple[float, float]:
    """Share of draws where `x` is true, and its Monte Carlo standard error (over n_eff draws)."""
    v = np.asarray(x, dtype=bool)
    if v.size == 0:
        return math.nan, math.nan
    p = float(v.mean())
    return p, mcse_probability(p, v.size, n_eff)


def summarise_draws(per_draw: pd.DataFrame, units: dict[str, str],
                    n_eff: float | None = None) -> pd.DataFrame:
    """One row per metric: mean, 95 % interval and median over draws, MCSE of the mean, n."""
    rows = []
    n = len(per_draw)
    for metric, unit in units.items():
        if metric not in per_draw:
            continue
        num_den = RATIOS.get(metric)
        if num_den is not None and all(c in per_draw for c in num_den):
            mean, lo, hi, med = ratio_interval(per_draw[num_den[0]], per_draw[num_den[1]])
            mcse = _ratio_mcse(per_draw[num_den[0]], per_draw[num_den[1]], n_eff)
        else:
            v = per_draw[metric].to_numpy(dtype=float)
            mean, lo, hi, med = summary_row(per_draw, metric)
            mcse = mcse_mean(v, n_eff)
        rows.append([metric, unit, mean, lo, hi, med, mcse, n, "draws"])
    return pd.DataFrame(rows, columns=PSA_COLUMNS)


def _ratio_mcse(num: pd.Series, den: pd.Series, n_eff: float | None = None) -> float:
    """Delta-method MCSE of mean(num) / mean(den)."""
    a, b = np.asarray(num, float), np.asarray(den, float)
    n = len(a)
    if n < 2 or b.mean() <= 0:
        return math.nan
    r = a.mean() / b.mean()
    resid = a - r * b
    return mcse_mean(resid, n_eff) / float(b.mean())


def paired(a: pd.DataFrame, b: pd.DataFrame, metric: str) -> pd.Series:
    """A − B of one metric, draw by draw."""
    j = a[["draw", metric]].merge(b[["draw", metric]], on="draw", suffixes=("_a", "_b"))
    return j[f"{metric}_a"] - j[f"{metric}_b"]


def difference(a: pd.DataFrame, b: pd.DataFrame, metric: str,
               n_eff: float | None = None) -> dict[str, float]:
    """Mean, 95 % interval and MCSE of A − B over draws, and P(A > B) with its MCSE."""
    d = paired(a, b, metric).to_numpy(dtype=float)
    mean, lo, hi, med = interval(d)
    p, p_se = probability(d > 0, n_eff)
    mcse = mcse_mean(d, n_eff)
    return {"mean": mean, "lo": lo, "hi": hi, "median": med, "mcse": mcse, "p": p, "p_mcse": p_se,
            "n": len(d)}
