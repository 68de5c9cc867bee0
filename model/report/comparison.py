"""Programmes compared: differences paired by run, the clearly better one, and the verdict sentence.

One home for what `insats compare` (table, CSV, JSON) and the report say about several programmes.
Every other programme is compared with the first one given (A − B, A − C, …): the first is the
planner's anchor, so the columns do not move when a result changes. A difference is paired by
replication (same seed, common random numbers); its mean is the difference of the programmes'
means as shown, its interval the 2.5th–97.5th percentile of the per-run differences. A programme
is named "better" only when that interval excludes 0; otherwise there is no clear difference.
The verdict names the programme with the highest headline NPV against the runner-up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.economics import DIRECTION
from model.report.text import in_lang, letter, number, probability_percent, with_unit
from model.results import RATIOS, probability_better

if TYPE_CHECKING:
    from model.api import ScenarioResult


@dataclass(frozen=True)
class Difference:
    """A − X for one metric: mean, 95 % interval over paired runs, and the clearly better one."""

    metric: str
    other: int                 # index of X (A is programme 0)
    mean: float
    lo: float
    hi: float
    better: int | None         # index of the clearly better programme; None: no clear difference
    ranked: bool               # the metric has a direction (higher or lower is better)


def _per_run(metrics: pd.DataFrame, metric: str) -> pd.Series:
    """A metric per run; ratios (cost per extra job) with +inf where there is no extra job."""
    rep = metrics["rep"].to_numpy()  # as the index (not set_index: a copy of every column)
    if metric == "no_payback":  # a summary of payback_months, not a column of its own
        return pd.Series(metrics["payback_months"].isna().to_numpy(dtype=float), index=rep)
    num_den = RATIOS.get(metric)
    if num_den is None or not all(c in metrics for c in num_den):
        return pd.Series(metrics[metric].to_numpy(dtype=float), index=rep)
    n = metrics[num_den[0]].to_numpy(dtype=float)
    d = metrics[num_den[1]].to_numpy(dtype=float)
    per = np.where(d > 0, n / np.where(d > 0, d, 1.0), np.inf)
    return pd.Series(per, index=rep)


def _mean(r: ScenarioResult, metric: str) -> float:
    """The run's mean of one metric, as its summary shows it (one row per metric)."""
    e = r.economics
    (i,) = np.flatnonzero(e["metric"].to_numpy() == metric)
    return e["mean"].iloc[i]


def difference(a: ScenarioResult, x: ScenarioResult, metric: str, other: int) -> Difference:
    """A − X for `metric`, paired by replication, with the clearly better programme if any."""
    mean = float(_mean(a, metric) - _mean(x, metric))
    va, vx = _per_run(a.priced.metrics, metric), _per_run(x.priced.metrics, metric)
    with np.errstate(invalid="ignore"):
        d = (va - vx).to_numpy(dtype=float)
    d = d[~np.isnan(d)]
    if d.size:
        lo, hi = (float(v) for v in np.percentile(d, [2.5, 97.5], method="inverted_cdf"))
    else:
        lo = hi = math.nan
    direction = {**DIRECTION, "no_payback": -1}.get(metric.partition(":")[0], 0)
    better = None
    if direction and not math.isnan(mean) and (lo > 0 or hi < 0):
        better = 0 if direction * mean > 0 else other
    return Difference(metric, other, mean, lo, hi, better, bool(direction))


@dataclass
class Comparison:
    """Every programme's summary, each other programme against the first, and the verdict."""

    results: list[ScenarioResult]
    metrics: list[str]
    differences: dict[tuple[int, str], Difference]
    p_beats: dict[int, float]      # share of runs in which A's headline NPV exceeds X's
    best: int
    runner_up: int
    p_best: float                  # share of runs in which the best beats the runner-up
    best_npv: Difference           # best − runner-up, headline NPV

    @property
    def titles(self) -> list[str]:
        return [r.scenario.title for r in self.results]

    @property
    def horizon_years(self) -> float:
        return self.results[0].scenario.valuation.horizon_years

    def better_text(self, d: Difference, lang: str = "sv", letters: bool = False) -> str:
        """The clearly better programme's name (or letter), 'ingen tydlig skillnad', or '' when
        the metric has no better direction."""
        if not d.ranked:
            return ""
        if d.better is None:
            return in_lang(lang, "ingen tydlig skillnad", "no clear difference")
        return letter(d.better) if letters else self.titles[d.better]

    def verdict(self, lang: str = "sv") -> str:
        """One sentence: which programme has the highest NPV over the horizon, and how often."""
        t = self.titles
        best, other = t[self.best], t[self.runner_up]
        npv = [_mean(r, "npv") for r in self.results]
        years = number(self.horizon_years, 0 if float(self.horizon_years).is_integer() else 1,
                       lang)
        b, o = with_unit(npv[self.best], "kr", lang), with_unit(npv[self.runner_up], "kr", lang)
        p = probability_percent(self.p_best, lang)
        clear = self.best_npv.lo > 0
        if lang == "sv":
            head = f"{best} ger högst nettonuvärde över {years} år, {b} mot {o} för {other}"
            if clear:
                return f"{head}, och har högre nettonuvärde i {p} av de simulerade körningarna."
            return (f"{head}, men ingen tydlig skillnad: {best} har högre nettonuvärde i {p} av de "
                    "simulerade körningarna.")
        head = (f"{best} has the highest net present value over {years} "
                f"{'year' if years == '1' else 'years'}, {b} against {o} for {other}")
        if clear:
            return f"{head}, and has the higher net present value in {p} of the simulated runs."
        return (f"{head}, but there is no clear difference: {best} has the higher net present "
                f"value in {p} of the simulated runs.")


def compare(results: list[ScenarioResult], metrics: list[str]) -> Comparison:
    """Compare programmes (at least two) on `metrics` (those every programme has)."""
    have = [set(r.economics["metric"]) for r in results]
    keys = [m for m in metrics if all(m in h for h in have)]
    diffs = {(i, m): difference(results[0], results[i], m, i)
             for i in range(1, len(results)) for m in keys}
    p_beats = {i: probability_better(results[0].priced.metrics, results[i].priced.metrics)
               for i in range(1, len(results))}
    npv = [_mean(r, "npv") for r in results]
    order = sorted(range(len(results)), key=lambda i: -npv[i])
    best, runner = order[0], order[1]
    p_best = probability_better(results[best].priced.metrics, results[runner].priced.metrics)
    return Comparison(results, keys, diffs, p_beats, best, runner, p_best,
                      difference(results[best], results[runner], "npv", runner))


__all__ = ["Comparison", "Difference", "compare", "difference", "letter"]
