"""Results: metrics per replication and their summaries (mean and 95 % interval over replications).

Every summary row has the same columns (`SUMMARY_COLUMNS`) so that tables, files and plots read
one shape. The interval is the 2.5th to 97.5th percentile over replications: the spread of what
one run of the programme could give, not the precision of the mean.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from model.simulation import RunResult

SUMMARY_COLUMNS = ["metric", "unit", "mean", "lo", "hi", "median"]


def interval(values: pd.Series | np.ndarray) -> tuple[float, float, float, float]:
    """(mean, 2.5th percentile, 97.5th percentile, median) of values over replications."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if v.size == 0:
        return (np.nan, np.nan, np.nan, np.nan)
    lo, med, hi = np.percentile(v, [2.5, 50, 97.5])
    return float(v.mean()), float(lo), float(hi), float(med)


# ratios summarised as the ratio of the means (total cost / total extra jobs), not the mean of
# per-run ratios; a run with no extra job has an unbounded ratio (+inf) in the interval
RATIOS = {"cost_per_extra_job": ("net_cost", "extra_jobs_at_exit")}


def ratio_interval(num: pd.Series | np.ndarray, den: pd.Series | np.ndarray
                   ) -> tuple[float, float, float, float]:
    """(ratio of means, 2.5th and 97.5th percentiles and median of the per-run ratios).

    Runs whose denominator is 0 or below count as +inf when they cost something (no extra job: the
    cost per extra job is unbounded), so an interval reaching them has an infinite upper end
    instead of leaving them out. Without a positive cost either (a programme against itself: no
    extra cost, no extra job) the ratio is undefined (NaN), not unbounded.
    """
    n = np.asarray(num, dtype=float)
    d = np.asarray(den, dtype=float)
    ok = ~(np.isnan(n) | np.isnan(d))
    n, d = n[ok], d[ok]
    if n.size == 0:
        return (np.nan, np.nan, np.nan, np.nan)
    mean = n.mean() / d.mean() if d.mean() > 0 else np.inf if n.mean() > 0 else np.nan
    per = np.where(d > 0, n / np.where(d > 0, d, 1.0), np.where(n > 0, np.inf, np.nan))
    per = per[~np.isnan(per)]
    if per.size == 0:
        return (float(mean), np.nan, np.nan, np.nan)
    lo, med, hi = np.percentile(per, [2.5, 50, 97.5], method="inverted_cdf")
    return float(mean), float(lo), float(hi), float(med)


BREAKEVEN = ("breakeven_work_share", "breakeven_work_exits", "breakeven_extra_jobs")
# the columns a break-even figure is re-priced from, besides its view's need and slope
BREAKEVEN_PARTS = ("participants", "jobs_without_at_share0", "jobs_without_per_share")


def parts_of(metric: str) -> list[str]:
    """The columns `summary_row` needs beside `metric` to summarise it by its one definition:
    a ratio's numerator and denominator, a break-even figure's line (need, slope, its view's NPV)
    and head counts; none for other metrics."""
    if metric in RATIOS:
        return list(RATIOS[metric])
    base, _, k = metric.partition(":")
    if base in BREAKEVEN:
        return [f"breakeven_need:{k}", f"breakeven_slope:{k}", f"npv:{k}", *BREAKEVEN_PARTS]
    return []


def repriced(base: str, need: np.ndarray | float, slope: np.ndarray | float,
             participants: np.ndarray | float, jobs_at0: np.ndarray | float,
             jobs_per_share: np.ndarray | float) -> np.ndarray:
    """A break-even figure at the share s = need / slope where NPV(s) = slope·s − need is 0 (NaN
    where more good outcomes do not raise the NPV): the share itself, the exits to work s·n, or
    the extra jobs s·n − (jobs without at s = 0 + s·jobs without per share). Given means over runs
    or draws, this is the one common share at which their mean NPV is 0 (`repriced_mean`)."""
    need, slope = np.asarray(need, dtype=float), np.asarray(slope, dtype=float)
    ok = np.isfinite(need) & np.isfinite(slope) & (slope > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(ok, need / np.where(ok, slope, 1.0), np.nan)
    if base == "breakeven_work_share":
        return s
    n = np.asarray(participants, dtype=float)
    if base == "breakeven_work_exits":
        return s * n
    return s * n - (np.asarray(jobs_at0, dtype=float) + s * np.asarray(jobs_per_share, dtype=float))


def repriced_mean(per: pd.DataFrame, metric: str) -> float | None:
    """The mean of a break-even figure over runs or draws by re-pricing them all at one common
    share: the share at which their mean NPV is 0 (mean need / mean slope of each one's line
    NPV(s) = slope·s − need), and the exits to work and extra jobs at that share. Not the mean of
    each run's own break-even (a mean of ratios, which is not where the mean NPV is 0). When every
    run's NPV is already 0 (a programme against itself), each run breaks even where it stands and
    the figure is the mean of theirs. None for other metrics, or without the line's columns."""
    base, _, k = metric.partition(":")
    need, slope = f"breakeven_need:{k}", f"breakeven_slope:{k}"
    if base not in BREAKEVEN or need not in per or slope not in per:
        return None
    npv = f"npv:{k}"
    if npv in per and len(per) and (per[npv].to_numpy(dtype=float) == 0.0).all():
        return float(per[metric].mean())  # every run breaks even where it is (itself as reference)
    nd, sl = per[need].to_numpy(dtype=float), per[slope].to_numpy(dtype=float)
    ok = np.isfinite(nd) & np.isfinite(sl)
    if not ok.any() or sl[ok].mean() <= 0:
        return float("nan")

    def mean_of(col: str) -> float:
        return float(per[col].to_numpy(dtype=float)[ok].mean()) if col in per else math.nan

    return float(repriced(base, nd[ok].mean(), sl[ok].mean(), *(mean_of(c) for c in BREAKEVEN_PARTS)))


def summary_row(per: pd.DataFrame, metric: str) -> tuple[float, float, float, float]:
    """(mean, lo, hi, median) of one metric over runs or draws: the one definition every summary
    uses (run, compare, the PSA, sweep analyses, the ESF budget). Ratios (cost per extra job) are
    the ratio of the means, the usual health-economic definition of an expected ratio (total cost
    over total extra jobs: each run or draw weighs by its jobs, and a draw with few jobs does not
    blow the mean up); break-even figures the re-priced mean (`repriced_mean`), the share at which
    the mean NPV is 0. The interval is always over the per-run (per-draw) values."""
    num_den = RATIOS.get(metric)
    if num_den is not None and all(c in per for c in num_den):
        return ratio_interval(per[num_den[0]], per[num_den[1]])
    mean, lo, hi, med = interval(per[metric])
    again = repriced_mean(per, metric)
    return (mean if again is None else again), lo, hi, med


def mean_difference(a: pd.DataFrame, b: pd.DataFrame, metric: str) -> float:
    """The mean of A − B as every view shows it beside A's and B's own figures: the difference of
    their `summary_row` means. For a figure that is a plain mean this is the mean of the paired
    differences; for a ratio or a break-even it keeps A − B equal to the two figures shown (the
    mean of per-draw differences of ratios is a mean of ratios, another figure)."""
    return float(summary_row(a, metric)[0] - summary_row(b, metric)[0])


def influence(per: pd.DataFrame, metric: str) -> np.ndarray:
    """Per run or draw, the value whose plain mean moves as the `summary_row` mean does, to first
    order (delta method), so that its standard error is the Monte Carlo error of that mean: the
    values themselves for a plain mean; r + (num − r·den) / mean(den) for a ratio of means r;
    for a break-even at the re-priced share s, the figure's change per unit of s times
    (need − s·slope) / mean(slope), plus the head-count terms at s."""
    num_den = RATIOS.get(metric)
    if num_den is not None and all(c in per for c in num_den):
        a, d = per[num_den[0]].to_numpy(dtype=float), per[num_den[1]].to_numpy(dtype=float)
        r = summary_row(per, metric)[0]
        if not np.isfinite(r) or np.nanmean(d) <= 0:
            return np.full(len(per), np.nan)
        return r + (a - r * d) / np.nanmean(d)
    base, _, k = metric.partition(":")
    need, slope = f"breakeven_need:{k}", f"breakeven_slope:{k}"
    v = per[metric].to_numpy(dtype=float)
    if base not in BREAKEVEN or need not in per or slope not in per:
        return v
    npv = f"npv:{k}"
    if npv in per and len(per) and (per[npv].to_numpy(dtype=float) == 0.0).all():
        return v  # each run breaks even where it stands: the plain mean (`repriced_mean`)
    nd, sl = per[need].to_numpy(dtype=float), per[slope].to_numpy(dtype=float)
    if not np.isfinite(nd).any() or not np.nanmean(sl) > 0:
        return v
    s = float(np.nanmean(nd) / np.nanmean(sl))
    ds = (nd - s * sl) / np.nanmean(sl)  # the share's own influence, around 0
    if base == "breakeven_work_share":
        return s + ds
    if not all(c in per for c in BREAKEVEN_PARTS):
        return v
    n = per["participants"].to_numpy(dtype=float)
    if base == "breakeven_work_exits":
        return s * n + float(np.nanmean(n)) * ds
    j0 = per["jobs_without_at_share0"].to_numpy(dtype=float)
    j1 = per["jobs_without_per_share"].to_numpy(dtype=float)
    return s * n - j0 - s * j1 + float(np.nanmean(n) - np.nanmean(j1)) * ds


def with_ratios(means: pd.DataFrame) -> pd.DataFrame:
    """A table of means (e.g. per sweep point) with each ratio and break-even column recomputed
    from the means of its parts, as `summary_row` defines it: a ratio as the ratio of the means, a
    break-even by re-pricing at the share where the mean NPV is 0 (`repriced`). A row whose mean
    NPV in that view is exactly 0 (every run at 0: a programme against itself) keeps the mean of
    its runs' own break-evens, as `repriced_mean` does."""
    out = means.copy()
    for metric, (num, den) in RATIOS.items():
        if metric in out and num in out and den in out:
            d = out[den].to_numpy(dtype=float)
            out[metric] = np.where(d > 0, out[num].to_numpy(dtype=float) / np.where(d > 0, d, 1.0),
                                   np.nan)
    for metric in [c for c in out.columns if str(c).startswith(BREAKEVEN)]:
        base, _, k = str(metric).partition(":")
        need, slope = f"breakeven_need:{k}", f"breakeven_slope:{k}"
        if base not in BREAKEVEN or need not in out or slope not in out:
            continue
        cols = [out[c].to_numpy(dtype=float) if c in out else np.full(len(out), np.nan)
                for c in BREAKEVEN_PARTS]
        again = repriced(base, out[need].to_numpy(dtype=float), out[slope].to_numpy(dtype=float),
                         *cols)
        npv = f"npv:{k}"
        keep = (out[npv].to_numpy(dtype=float) == 0.0) if npv in out else np.zeros(len(out), bool)
        out[metric] = np.where(keep, out[metric].to_numpy(dtype=float), again)
    return out


def summarise(per_rep: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """One summary row per metric column of a per-replication table.

    `payback_months` is summarised over the runs that pay back; `pays_back` (the share that
    does) stands beside it.
    """
    rows = []
    for metric, unit in units.items():
        if metric not in per_rep:
            continue
        rows.append([metric, unit, *summary_row(per_rep, metric)])
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def outcome_metrics(run: RunResult) -> pd.DataFrame:
    """Per replication: participants, exits by state (counts and shares), months, waits."""
    sc = run.scenario
    p = run.participants
    reps = pd.Index(range(run.replications), name="rep")
    g = p.groupby("rep")
    out = pd.DataFrame(index=reps)
    out["participants"] = g.size().reindex(reps, fill_value=0)
    counts = p.pivot_table(index="rep", columns="exit_state", values="participant_id",
                           aggfunc="count").reindex(index=reps, columns=list(sc.exit_states))
    counts = counts.fillna(0)
    for state in sc.exit_states:
        out[f"exits:{state}"] = counts[state]
        out[f"share:{state}"] = counts[state] / out["participants"].where(out["participants"] > 0)
    out["still_in_programme"] = g["status"].apply(lambda s: (s != "exited").sum()).reindex(
        reps, fill_value=0)
    out["mean_months_in_programme"] = g["months_in_programme"].mean().reindex(reps)
    out["median_months_in_programme"] = g["months_in_programme"].median().reindex(reps)
    out["mean_months_waiting"] = g["months_waiting"].mean().reindex(reps)
    return out.reset_index()


def outcome_summary(run: RunResult) -> dict[str, pd.DataFrame]:
    """The tables `insats run` shows: exits by state, time in the programme, interventions."""
    sc = run.scenario
    per_rep = outcome_metrics(run)
    rows = []
    for state, ex in sc.exit_states.items():
        c = interval(per_rep[f"exits:{state}"])
        s = interval(per_rep[f"share:{state}"])
        rows.append({"exit_state": state, "label": ex.label or state, "category": ex.category,
                     "count": c[0], "share": s[0], "share_lo": s[1], "share_hi": s[2]})
    still = interval(per_rep["still_in_programme"])
    if still[0] > 0:
        rows.append({"exit_state": "(still in programme)", "label": "", "category": "",
                     "count": still[0], "share": np.nan, "share_lo": np.nan, "share_hi": np.nan})
    exits = pd.DataFrame(rows)
    time_rows = summarise(per_rep, {
        "participants": "participants",
        "mean_months_in_programme": "months",
        "median_months_in_programme": "months",
        "mean_months_waiting": "months",
    })
    st = run.stations.groupby("intervention", sort=False).agg(
        starts=("starts", "mean"),
        mean_in_service=("mean_in_service", "mean"),
        mean_waiting=("mean_waiting", "mean"),
        utilisation=("utilisation", "mean"),
    ).reindex(sc.names).reset_index()
    st.insert(1, "label", [iv.title for iv in sc.interventions])
    return {"exits": exits, "time": time_rows, "interventions": st, "per_rep": per_rep}


def economics_summary(metrics: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """Mean and 95 % interval over replications of every priced metric, and `no_payback`: the
    share of runs that do not pay back within the headline horizon (payback_months is summarised
    over the others).

    As for an actor (`model.economics.actor_summary`), the share counts only the runs in which
    money moves (a net cost or a revenue): a programme against itself has nothing to pay back, and
    its share is NaN rather than "never pays back" in every run.
    """
    out = summarise(metrics, units)
    if "payback_months" in metrics:
        moved = np.ones(len(metrics), dtype=bool)
        if "net_cost_pv" in metrics and "revenue_pv" in metrics:
            moved = ((metrics["net_cost_pv"].abs() > 1e-6)
                     | (metrics["revenue_pv"].abs() > 1e-6)).to_numpy()
        pb = metrics["payback_months"][moved]
        share = float(pb.isna().mean()) if len(pb) else np.nan
        row = pd.DataFrame([{"metric": "no_payback", "unit": "share", "mean": share}])
        out = pd.concat([out, row.reindex(columns=out.columns)], ignore_index=True)
    return out


def paired_difference(a: pd.DataFrame, b: pd.DataFrame, metric: str) -> tuple[float, float, float]:
    """Mean and 95 % interval of A − B, paired by replication (common random numbers)."""
    joined = a[["rep", metric]].merge(b[["rep", metric]], on="rep", suffixes=("_a", "_b"))
    diff = joined[f"{metric}_a"] - joined[f"{metric}_b"]
    mean, lo, hi, _ = interval(diff)
    return mean, lo, hi


def probability_better(a: pd.DataFrame, b: pd.DataFrame, metric: str = "npv") -> float:
    """Share of replications in which A's metric exceeds B's (paired by replication)."""
    joined = a[["rep", metric]].merge(b[["rep", metric]], on="rep", suffixes=("_a", "_b"))
    if joined.empty:
        return float("nan")
    return float((joined[f"{metric}_a"] > joined[f"{metric}_b"]).mean())
