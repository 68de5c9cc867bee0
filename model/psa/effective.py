"""How many independent draws a PSA is worth: its effective number of draws (issue 19 item 6).

A joint group (`uncertainty.joint`, e.g. a calibrated set) is drawn by resampling its R rows with
replacement, so n draws hold only the rows they hit, some several times. If row i is hit c_i times,
a mean over draws is Σ (c_i / n) x_i, a weighted mean of the distinct rows; with the rows
independent draws of the posterior (variance σ²) its variance is σ² Σ (c_i / n)² = σ² / n_eff,
where n_eff = 1 / Σ (c_i / n)² = n² / Σ c_i² is Kish's effective sample size. So every Monte Carlo
standard error divides by n_eff, not n: for a mean sd / √n_eff, for a probability
√(p (1 − p) / n_eff). Without a joint group every draw is its own independent draw: n_eff = n.

With several joint groups the smallest group's n_eff is used (a figure may depend on that group
alone), and draws of independent inputs alongside a group are ignored (draws sharing a row then
differ in those inputs, so n_eff is a lower bound): both err on the side of a wider MCSE. The
calibration's own effective sample size is not recorded in the scenario as a number, so it does not
cap n_eff here (assumption: the rows a calibration keeps are independent draws of its posterior).
For the shipped Grenverket rows the assumption holds: their bulk ESS is at least 2 411 for every
input over 1 280 rows (the group's `source` quotes it), so the rows are worth no fewer independent
draws than their count. A calibration whose ESS fell below its row count would need that cap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Effective:
    """The draws a PSA made, the distinct joint rows among them, and their effective number."""

    draws: int
    distinct_rows: int | None      # None without a joint group
    effective_draws: float

    def record(self) -> dict[str, float | int | None]:
        """The three numbers as JSON/CSV fields."""
        return {"draws": self.draws, "distinct_rows": self.distinct_rows,
                "effective_draws": round(self.effective_draws, 1)}


def kish(counts: np.ndarray) -> float:
    """Kish's effective sample size of draws hitting rows `counts` times: (Σ c)² / Σ c²."""
    c = np.asarray(counts, dtype=float)
    c = c[c > 0]
    return float(c.sum() ** 2 / (c ** 2).sum()) if c.size else 0.0


def effective(draws: pd.DataFrame) -> Effective:
    """The effective number of a PSA's draws from the joint rows each draw used (`joint:<group>`
    columns, written by `model.psa.inputs.draw`); n when no joint group was drawn."""
    n = len(draws)
    groups = [c for c in draws.columns if str(c).startswith("joint:")]
    if not groups or n == 0:
        return Effective(n, None, float(n))
    best: tuple[float, int] | None = None
    for g in groups:
        counts = draws[g].value_counts().to_numpy()
        e = (kish(counts), len(counts))
        best = e if best is None or e[0] < best[0] else best
    assert best is not None
    return Effective(n, best[1], best[0])


def effective_of_points(points: pd.DataFrame, groups: dict[str, list[str]]) -> Effective:
    """The same for a PSA sweep's points, whose joint rows are spelled out as value columns
    (`model.sweep.psa`): points with equal values in all of a group's columns drew the same row."""
    frame = pd.DataFrame({"draw": np.arange(len(points))})
    for g, cols in groups.items():
        cols = [c for c in cols if c in points]
        if cols:
            frame[f"joint:{g}"] = points.groupby(cols, sort=False).ngroup().to_numpy()
    return effective(frame)


def mcse_mean(values: np.ndarray, n_eff: float | None = None) -> float:
    """MCSE of a mean over draws: sd / √n_eff (n_eff defaults to the number of values)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) < 2:
        return math.nan
    return float(v.std(ddof=1) / math.sqrt(_n(n_eff, len(v))))


def mcse_probability(p: float, n: int, n_eff: float | None = None) -> float:
    """MCSE of a share p of n draws: √(p (1 − p) / n_eff)."""
    return math.sqrt(p * (1 - p) / _n(n_eff, n))


def _n(n_eff: float | None, n: int) -> float:
    """The effective number, never above the draws counted (a figure may leave some draws out)."""
    return float(n) if n_eff is None else min(float(n_eff), float(n))
