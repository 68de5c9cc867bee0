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
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.psa.effective import mcse_mean, mcse_probability
from model.results import influence, interval, mean_difference, summary_row

if TYPE_CHECKING:
    from model.psa.run import PSAResult
    from model.scenario import Scenario

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
    """One row per metric: mean, 95 % interval and median over draws, MCSE of the mean, n.

    Each mean is `model.results.summary_row`'s (a ratio as the ratio of the means, a break-even
    re-priced at the share where the mean NPV is 0), and its MCSE that of the same mean
    (`model.results.influence`: the delta method for a ratio or a break-even)."""
    rows = []
    n = len(per_draw)
    for metric, unit in units.items():
        if metric not in per_draw:
            continue
        mean, lo, hi, med = summary_row(per_draw, metric)
        mcse = mcse_mean(influence(per_draw, metric), n_eff)
        rows.append([metric, unit, mean, lo, hi, med, mcse, n, "draws"])
    return pd.DataFrame(rows, columns=PSA_COLUMNS)


def summary_of(psa: PSAResult, sc: Scenario) -> pd.DataFrame:
    """`summarise_draws` of one scenario of a PSA (its metrics and units), computed once and kept
    on the PSA (`PSAResult.memo`): a screen reads it several times. A copy is returned."""
    from model.economics import metric_units

    units = metric_units(sc)
    key = ("summary", sc.name, tuple(units.items()))
    if key not in psa.memo:
        psa.memo[key] = summarise_draws(psa.of(sc.name), units, psa.n_eff)
    return psa.memo[key].copy()


def draw_difference(psa: PSAResult, a: str, b: str, metric: str) -> dict[str, float]:
    """`difference` of scenarios `a` and `b` of a PSA (A − B of one metric over the draws),
    computed once and kept on the PSA (`PSAResult.memo`): the table, the probabilities and the
    verdict of one screen each read the headline's. A copy is returned."""
    key = ("difference", a, b, metric)
    if key not in psa.memo:
        psa.memo[key] = difference(psa.of(a), psa.of(b), metric, psa.n_eff)
    return dict(psa.memo[key])


def prepare_summaries(psa: PSAResult, scenarios: list[Scenario]) -> None:
    """Each scenario's `summary_of`, computed now: in the worker that drew the PSA, beside the
    cohorts, rather than after them in the process that prints."""
    for sc in scenarios:
        summary_of(psa, sc)


def paired(a: pd.DataFrame, b: pd.DataFrame, metric: str) -> pd.Series:
    """A − B of one metric, draw by draw."""
    j = a[["draw", metric]].merge(b[["draw", metric]], on="draw", suffixes=("_a", "_b"))
    return j[f"{metric}_a"] - j[f"{metric}_b"]


def _same_draws(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """True when A and B hold the same draws, each once, in increasing order: then pairing them
    (a merge on the draw, keeping the draws both have, in draw order) changes nothing."""
    x, y = a["draw"].to_numpy(), b["draw"].to_numpy()
    return len(x) == len(y) and bool((x == y).all()) and bool((np.diff(x) > 0).all())


def difference(a: pd.DataFrame, b: pd.DataFrame, metric: str,
               n_eff: float | None = None) -> dict[str, float]:
    """Mean, 95 % interval and MCSE of A − B over draws, and P(A > B) with its MCSE.

    The mean is A's figure minus B's as each is shown (`model.results.mean_difference`: for cost
    per extra job the difference of the two ratios of means, for a break-even the difference of
    the two re-priced break-evens); the interval and P(A > B) are over the paired per-draw
    differences; the MCSE is that of the mean (the paired difference of the `influence` values)."""
    if _same_draws(a, b):  # the usual case (`PSAResult.of`): already paired, row by row
        d = a[metric].to_numpy(dtype=float) - b[metric].to_numpy(dtype=float)
    else:
        d = paired(a, b, metric).to_numpy(dtype=float)
        both = np.intersect1d(a["draw"].to_numpy(), b["draw"].to_numpy())
        a, b = (x[x["draw"].isin(both)].sort_values("draw", kind="stable") for x in (a, b))
    _, lo, hi, med = interval(d)
    p, p_se = probability(d > 0, n_eff)
    mean = mean_difference(a, b, metric)
    spread = influence(a, metric) - influence(b, metric)
    return {"mean": mean, "lo": lo, "hi": hi, "median": med, "mcse": mcse_mean(spread, n_eff),
            "p": p, "p_mcse": p_se, "n": len(d)}
