"""Analyses of saved sweep results: tornado, Sobol and Morris indices, A against B, acceptability.

Run, save, then analyse: every function here reads a sweep folder written by `model.sweep`
(`sweep.json`, `points.parquet`, `parts/`), reading only the columns it needs, and never reruns
the model. `threshold`, a search on the model itself, lives in `model.threshold`.

Point values used by the sensitivity indices are means over replications. Every point ran on the
same seed (common random numbers), so replication noise is shared by all points and does not
inflate the differences between them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError, Problem
from model.psa.effective import Effective, effective_of_points
from model.sweep import KEY_COLUMNS, MANIFEST, PARTS_DIR, POINTS, unit_problem
from model.threshold import Threshold, threshold  # noqa: F401  (its home now; kept importable here)

VALUE_PATH = "valuation.value_per_year"
HEADLINE = ("cost_pv", "person_years", "revenue_pv", "npv", "bcr", "cost_per_extra_job",
            "breakeven_work_share")
VIEW_METRICS = {"person_years", "revenue_pv", "npv", "bcr"}


# ---------------------------------------------------------------- reading


def load_manifest(out: str | Path) -> dict[str, Any]:
    """sweep.json of a sweep folder, checked; InputError if it is not one, is unfinished or mixed."""
    f = Path(out) / MANIFEST
    if not f.is_file():
        raise InputError([Problem(str(out), "", "not a sweep folder (no sweep.json); run "
                                  "`insats sweep SWEEP.yaml --out DIR` first")])
    from model.sweep.integrity import folder_lock, parts_problems, read_manifest

    with folder_lock(Path(out), shared=True):  # refused while a sweep writes the folder
        mf = read_manifest(Path(out), MANIFEST)
        if mf.get("status") != "complete":
            raise InputError([Problem(str(out), MANIFEST, "the sweep is not complete; finish it "
                                      "with `insats sweep SWEEP.yaml --out DIR --resume`")])
        problems = parts_problems(Path(out), mf)  # every part whole and of this sweep
    if problems:
        raise InputError(problems)
    return mf


def read_results(out: str | Path, columns: list[str] | None = None,
                 scenarios: list[str] | None = None) -> pd.DataFrame:
    """The result rows (only `columns`, plus the keys), sorted by point, scenario, replication."""
    import pyarrow.dataset as ds

    dataset = ds.dataset(str(Path(out) / PARTS_DIR), format="parquet")
    cols = None if columns is None else list(dict.fromkeys([*KEY_COLUMNS, *columns]))
    missing = [c for c in (cols or []) if c not in dataset.schema.names]
    if missing:
        raise InputError([Problem(str(out), "", f"no column {', '.join(missing)} in the results; "
                                  f"columns: {', '.join(dataset.schema.names)}")])
    flt = ds.field("scenario").isin(scenarios) if scenarios else None
    df = dataset.to_table(columns=cols, filter=flt).to_pandas()
    return df.sort_values(list(KEY_COLUMNS), kind="stable").reset_index(drop=True)


def read_points(out: str | Path) -> pd.DataFrame:
    return pd.read_parquet(Path(out) / POINTS)


def scenario_names(mf: dict[str, Any]) -> list[str]:
    return [s["name"] for s in mf["scenarios"]]


def _check_scenario(mf: dict[str, Any], scenario: str | None) -> str:
    names = scenario_names(mf)
    if scenario is None:
        return names[0]
    if scenario not in names:
        raise InputError([Problem(MANIFEST, "scenarios", f"no scenario '{scenario}' in this sweep; "
                                  f"scenarios: {', '.join(names)}", scenario)])
    return scenario


def with_parts(out: str | Path, metrics: list[str]) -> list[str]:
    """`metrics` and the saved columns their one definition needs (`model.results.parts_of`: a
    ratio's parts, a break-even's line), so that `per_point` summarises them as compare does."""
    import pyarrow.dataset as ds

    from model.results import parts_of

    names = set(ds.dataset(str(Path(out) / PARTS_DIR), format="parquet").schema.names)
    return list(dict.fromkeys([*metrics, *(c for m in metrics for c in parts_of(m) if c in names)]))


def point_means(out: str | Path, metric: str, scenario: str) -> pd.Series:
    """Mean over replications of one metric, per point (index point_id), for one scenario; a
    ratio or break-even as `per_point` recomputes it from the means of its parts."""
    df = per_point(read_results(out, with_parts(out, [metric]), [scenario]))
    return df.set_index("point_id")[metric]


def per_point(df: pd.DataFrame) -> pd.DataFrame:
    """Mean over replications within each point and scenario (`rep` becomes 0): the per-draw
    expected result that a PSA pools, so that replication noise does not widen its spread."""
    if "rep" not in df or df.empty:
        return df
    from model.results import with_ratios

    value_cols = [c for c in df.columns if c not in KEY_COLUMNS]
    out = with_ratios(df.groupby(["point_id", "scenario"], sort=True)[value_cols].mean().reset_index())
    out.insert(2, "rep", 0)
    return out


def _manifest_for(out: str | Path, kind: str, needs: str, scenario: str | None
                  ) -> tuple[dict[str, Any], str]:
    """The sweep's manifest and the scenario to analyse; `needs` says why the design must be `kind`."""
    mf = load_manifest(out)
    if mf["design"]["kind"] != kind:
        raise InputError([Problem(str(out), "design",
                                  f"{needs} (this sweep is {mf['design']['kind']})")])
    return mf, _check_scenario(mf, scenario)


def _applies(mf: dict[str, Any], scenario: str) -> list[dict[str, Any]]:
    return [p for p in mf["parameters"] if scenario in p["applies_to"]]


# ---------------------------------------------------------------- one-way: tornado


def tornado(out: str | Path, metric: str = "npv", scenario: str | None = None) -> pd.DataFrame:
    """One-way sensitivity, ranked by swing |metric(high) - metric(low)| (largest first).

    Needs a one-way design: the base point and, for each parameter, a point at its low and one at
    its high value with the others at base. Parameters that do not apply to the scenario are
    left out.
    """
    mf, scenario = _manifest_for(out, "oneway", "a tornado needs a one-way design", scenario)
    y = point_means(out, metric, scenario)
    pts = read_points(out)
    base_id = int(pts.loc[pts["side"] == "base", "point_id"].iloc[0])
    rows = []
    for p in _applies(mf, scenario):
        name = p["name"]
        lo = pts[(pts["varied"] == name) & (pts["side"] == "low")].iloc[0]
        hi = pts[(pts["varied"] == name) & (pts["side"] == "high")].iloc[0]
        y_lo, y_hi = float(y[int(lo["point_id"])]), float(y[int(hi["point_id"])])
        rows.append({"parameter": name, "low": float(lo[name]), "base": p["base"],
                     "high": float(hi[name]), f"{metric} at low": y_lo,
                     f"{metric} at high": y_hi, "swing": abs(y_hi - y_lo)})
    df = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable")
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    df.attrs |= {"base_value": float(y[base_id]), "metric": metric, "scenario": scenario,
                 "unit": mf["units"].get(metric, "")}
    return df.reset_index(drop=True)


# ---------------------------------------------------------------- global: Sobol and Morris


def sobol_table(names: list[str], y: np.ndarray, second_order: bool = False,
                seed: int | None = None, conf_level: float = 0.95) -> pd.DataFrame:
    """First-order and total Sobol indices with bootstrap confidence intervals (SALib).

    `y` must be in the order of SALib's Sobol sample (the sweep's point order).
    """
    from SALib.analyze import sobol

    res = sobol.analyze(unit_problem(names), np.asarray(y, dtype=float), calc_second_order=second_order,
                        conf_level=conf_level, seed=seed)
    df = pd.DataFrame({"parameter": names, "S1": res["S1"], "S1_conf": res["S1_conf"],
                       "ST": res["ST"], "ST_conf": res["ST_conf"]})
    for k in ("S1", "ST"):
        df[f"{k}_lo"] = df[k] - df[f"{k}_conf"]
        df[f"{k}_hi"] = df[k] + df[f"{k}_conf"]
    return df.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True)


def sobol_indices(out: str | Path, metric: str = "npv", scenario: str | None = None
                  ) -> pd.DataFrame:
    """Sobol indices of one metric (mean over replications per point) for one scenario."""
    mf, scenario = _manifest_for(out, "sobol", "Sobol indices need a sobol design", scenario)
    y = point_means(out, metric, scenario).sort_index().to_numpy()
    names = mf["problem"]["names"]
    df = sobol_table(names, y, bool(mf["design"].get("second_order")), mf["seed"])
    return df.assign(applies=df["parameter"].isin([p["name"] for p in _applies(mf, scenario)]))


def morris_table(names: list[str], x_unit: np.ndarray, y: np.ndarray, num_levels: int = 4,
                 seed: int | None = None) -> pd.DataFrame:
    """Morris elementary effects (SALib): mu, mu*, its confidence interval and sigma.

    Effects are per unit of the parameter's [low, high] range (the design's unit cube).
    """
    from SALib.analyze import morris

    res = morris.analyze(unit_problem(names), np.asarray(x_unit, dtype=float), np.asarray(y, dtype=float),
                         num_levels=num_levels, seed=seed)
    df = pd.DataFrame({"parameter": names, "mu": res["mu"], "mu_star": res["mu_star"],
                       "mu_star_conf": res["mu_star_conf"], "sigma": res["sigma"]})
    return df.sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)


def morris_indices(out: str | Path, metric: str = "npv", scenario: str | None = None
                   ) -> pd.DataFrame:
    mf, scenario = _manifest_for(out, "morris", "Morris indices need a morris design", scenario)
    names = mf["problem"]["names"]
    pts = read_points(out).sort_values("point_id")
    x = pts[[f"u:{n}" for n in names]].to_numpy()
    y = point_means(out, metric, scenario).sort_index().to_numpy()
    return morris_table(names, x, y, mf["design"].get("num_levels", 4), mf["seed"])


# ---------------------------------------------------------------- programme against programme


def probability_better(out: str | Path, a: str, b: str, metric: str = "npv") -> dict[str, float]:
    """P(metric of A > metric of B) over points, each point's value its mean over replications
    (paired by point), with its Monte Carlo SE, and the mean difference and its 95 % interval."""
    from model.psa.summary import probability
    from model.results import interval, mean_difference

    mf = load_manifest(out)
    a, b = _check_scenario(mf, a), _check_scenario(mf, b)
    df = per_point(read_results(out, with_parts(out, [metric]), [a, b]))
    wide = df.pivot_table(index="point_id", columns="scenario", values=metric, aggfunc="first")
    diff = (wide[a] - wide[b]).dropna()
    _, lo, hi, _ = interval(diff)
    both = diff.index
    mean = mean_difference(*(df[(df["scenario"] == s) & df["point_id"].isin(both)].sort_values("point_id")
                             for s in (a, b)), metric)
    eff = sweep_effective(out, mf)
    p, mcse = probability(diff > 0, eff.effective_draws)
    return {"p": p, "mcse": mcse, "mean_diff": mean, "lo": lo, "hi": hi, "pairs": len(diff),
            "distinct_rows": eff.distinct_rows, "effective_draws": eff.effective_draws}


def sweep_effective(out: str | Path, mf: dict[str, Any]) -> Effective:
    """A PSA sweep's points as draws: their distinct joint rows and effective number
    (`model.psa.effective`); every point independent where no joint group was drawn."""
    return effective_of_points(read_points(out), mf.get("groups") or {})


def _linear_parts(out: str | Path, mf: dict[str, Any], metric: str) -> pd.DataFrame:
    """Per row: a = discounted person-years (revenue_pv / value_per_year), c = revenue_pv - NPV.

    NPV at a value per person-year v is then a·v − c.
    """
    suffix = metric[len("npv"):] if metric.startswith("npv") else None
    if suffix is None or (suffix and not suffix.startswith(":")):
        raise InputError([Problem(str(out), "", f"the acceptability curve is for npv or npv:Ny, "
                                  f"not {metric}")])
    value_cols = {p["name"] for p in mf["parameters"] if p["path"] == VALUE_PATH}
    df = per_point(read_results(out, [metric, f"revenue_pv{suffix}", *sorted(value_cols)]))
    vpy = df["scenario"].map({s["name"]: s["value_per_year"] for s in mf["scenarios"]})
    for p in mf["parameters"]:
        if p["path"] == VALUE_PATH:
            mask = df["scenario"].isin(p["applies_to"])
            vpy = vpy.where(~mask, df[p["name"]])
    vpy = vpy.astype(float).where(lambda s: s > 0)
    rev = df[f"revenue_pv{suffix}"]
    return pd.DataFrame({"point_id": df["point_id"], "scenario": df["scenario"], "rep": df["rep"],
                         "a": rev / vpy, "c": rev - df[metric]})


def acceptability(out: str | Path, values: list[float] | None = None, metric: str = "npv"
                  ) -> pd.DataFrame:
    """P(NPV > 0) per programme, and P(NPV_A > NPV_B) per pair, against the value per person-year.

    Cost-effectiveness-acceptability-style curve, derived without rerunning the model: the
    societal revenue is the shortened unemployment priced at the value per person-year, so for
    every row revenue_pv = a·v with a (discounted person-years) not depending on v, while costs do
    not depend on v at all. NPV(v) = a·v − (revenue_pv − NPV) is therefore exact for any v. Where
    the value per person-year was itself a swept parameter, the curve conditions on each v in turn
    (replacing that uncertainty). Rows whose value per person-year was 0 cannot be rescaled and are
    left out. Each point's a and c are means over its replications (NPV is linear in them, so this
    is the point's expected NPV at v); pairs are matched by point.
    """
    mf = load_manifest(out)
    parts = _linear_parts(out, mf, metric)
    names = scenario_names(mf)
    if values is None:
        base = max(s["value_per_year"] for s in mf["scenarios"]) or 500_000.0
        values = list(np.linspace(0.0, 2.0 * base, 9))
    wide_a = parts.pivot_table(index="point_id", columns="scenario", values="a", aggfunc="first")
    wide_c = parts.pivot_table(index="point_id", columns="scenario", values="c", aggfunc="first")
    rows = []
    for v in values:
        row: dict[str, float] = {"value_per_year": float(v)}
        npv = wide_a * v - wide_c
        for s in names:
            col = npv[s].dropna()
            row[f"P(NPV>0) {s}"] = float((col > 0).mean()) if len(col) else math.nan
        for i, s in enumerate(names):
            for t in names[i + 1:]:
                d = (npv[s] - npv[t]).dropna()
                row[f"P({s} > {t})"] = float((d > 0).mean()) if len(d) else math.nan
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the printed analysis


def overall(out: str | Path, mf: dict[str, Any], metrics: tuple[str, ...] = HEADLINE,
            metric: str = "npv") -> pd.DataFrame:
    """Mean and 95 % interval over points, per scenario and metric, each point's value its mean
    over replications (so the spread is the inputs', not one cohort's chance variation).

    The view of `metric` (e.g. 'npv:1y') applies to every view metric shown, and the pooled share
    with `metric` > 0 is given only for designs that sample the assumptions (not one-way, whose
    points are chosen by hand and so have no weight to pool by).
    """
    import pyarrow.dataset as ds

    from model.psa.summary import probability
    from model.results import summary_row

    view = metric.partition(":")[2]
    if view:
        metrics = tuple(f"{m}:{view}" if m in VIEW_METRICS else m for m in metrics)
    if "breakeven_work_share" in metrics:  # saved per view only: the view shown, else the horizon
        from model.economics import view_key

        years = None if view else sweep_horizon(mf)
        at = view or (view_key(years) if years is not None else "")
        metrics = tuple((f"{m}:{at}" if at else "") if m == "breakeven_work_share" else m
                        for m in metrics)
    names = set(ds.dataset(str(Path(out) / PARTS_DIR), format="parquet").schema.names)
    cols = [m for m in metrics if m in names]
    pooled = metric if metric.startswith("npv") and mf["design"]["kind"] != "oneway" else None
    # with the parts of the ratios and break-even lines: summarised as compare summarises them
    df = per_point(read_results(out, with_parts(out, cols)))
    n_eff = sweep_effective(out, mf).effective_draws if pooled is not None else None
    rows = []
    for s in scenario_names(mf):
        sub = df[df["scenario"] == s]
        for m in cols:
            mean, lo, hi, _ = summary_row(sub, m)
            rows.append({"scenario": s, "metric": m, "unit": mf["units"].get(m, ""),
                         "mean": mean, "lo": lo, "hi": hi})
        if pooled is not None and pooled in cols:
            p, mcse = probability(sub[pooled] > 0, n_eff)
            rows.append({"scenario": s, "metric": f"P({pooled} > 0)", "unit": "share",
                         "mean": p, "lo": math.nan, "hi": math.nan, "mcse": mcse})
    return pd.DataFrame(rows)


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts, NaN as None (JSON has no NaN)."""
    return [{k: (None if isinstance(v, float) and math.isnan(v) else
                 v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
            for row in df.to_dict("records")]


def analysis_data(out: str | Path, metric: str = "npv", values: list[float] | None = None,
                  population: float | None = None) -> dict[str, Any]:
    """Everything `insats analyse` shows, as plain data (for --format json and for the text).

    The overall mean and interval per scenario and metric, P(A > B) per pair, and what the design
    supports: a tornado (one-way), Sobol or Morris indices, an acceptability curve and the value
    of information (random, LHS).
    """
    from model.scenario.reference import unit_at
    from model.sweep import parse_path

    mf = load_manifest(out)
    names = scenario_names(mf)
    kind = mf["design"]["kind"]
    data: dict[str, Any] = {
        "sweep": mf["name"], "folder": str(out), "design": kind, "points": mf["n_points"],
        "replications": mf["replications"], "seed": mf["seed"], "version": mf["version"],
        "scenarios": [{"name": s["name"], "hash": s["hash"]} for s in mf["scenarios"]],
        "notes": list(mf.get("notes", [])), "metric": metric,
        "parameters": [{"name": p["name"], "path": p["path"], "unit": unit_at(parse_path(p["path"]))}
                       for p in mf["parameters"]],
        "unit": mf["units"].get(metric, ""),
        "overall": _records(reachable_rows(overall(out, mf, metric=metric))),
        "pairs": _records(pd.DataFrame([{"a": a, "b": b, **probability_better(out, a, b, metric)}
                                        for i, a in enumerate(names) for b in names[i + 1:]]))}
    if kind == "oneway":
        data["tornado"] = {}
        for s in names:
            t = tornado(out, metric, s)
            rows = t.rename(columns={f"{metric} at low": "at_low", f"{metric} at high": "at_high"})
            data["tornado"][s] = {"base_value": t.attrs["base_value"], "rows": _records(rows)}
    elif kind == "sobol":
        data["sobol"] = {s: _records(sobol_indices(out, metric, s)) for s in names}
    elif kind == "morris":
        data["morris"] = {s: _records(morris_indices(out, metric, s)) for s in names}
    data["horizon_years"] = sweep_horizon(mf)
    if kind in ("random", "lhs", "psa") and metric.startswith("npv"):
        data["acceptability"] = _records(acceptability(out, values, metric))
        from model.report.voi_view import voi_rows

        data["voi"] = _records(voi_rows(sweep_voi(out, mf, metric, population)))
    return data


def reachable_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The overall rows with a break-even beyond reach as no number and a `reason` ("not reachable
    within 1 year"), its interval clipped (`model.report.reach`, as every output does)."""
    from model.report import reach

    out = rows.astype({c: object for c in ("mean", "lo", "hi") if c in rows}).copy()
    out["reason"] = ""
    for i in out.index[[reach.is_breakeven(str(m)) for m in out["metric"]]]:
        mean, lo, hi, why = reach.record(str(out.at[i, "metric"]), out.at[i, "mean"], out.at[i, "lo"],
                                         out.at[i, "hi"], math.nan, "en")
        out.loc[i, ["mean", "lo", "hi", "reason"]] = [mean, lo, hi, why]
    return out


def sweep_horizon(mf: dict[str, Any]) -> float | None:
    """The headline horizon of a sweep's scenarios (what a bare `npv` is over), read from their
    files when they are still where the sweep found them and agree; else None."""
    from model.errors import InputError
    from model.load import load_scenario

    horizons = set()
    for entry in mf["scenarios"]:
        path = Path(entry.get("file", ""))
        if not path.is_file():
            return None
        try:
            horizons.add(load_scenario(path).valuation.horizon_years)
        except InputError:
            return None
    return horizons.pop() if len(horizons) == 1 else None


def sweep_voi(out: str | Path, mf: dict[str, Any], metric: str, population: float | None = None
              ) -> Any:
    """EVPI and EVPPI per swept parameter (and per joint group of a psa design) of a PSA sweep
    (random, LHS or psa design), on `metric`, each point's value its mean over replications;
    scaled to `population` future participants (default: the scenario setting's default,
    `uncertainty.future_participants`)."""
    from model.psa.voi import value_of_information
    from model.scenario.uncertainty import UncertaintySettings

    labels = [p["name"] for p in mf["parameters"]]
    df = per_point(read_results(out, [metric, "participants"])).rename(columns={"point_id": "draw"})
    per_draw = {s: df[df["scenario"] == s] for s in scenario_names(mf)}
    inputs = read_points(out)[["point_id", *labels]].rename(columns={"point_id": "draw"})
    voi = value_of_information(per_draw, inputs, metric, mf.get("groups") or None,
                               seed=int(mf["seed"]))
    voi.population = float(population if population is not None
                           else UncertaintySettings().future_participants)
    return voi


def parse_values(text: str | None) -> list[float] | None:
    """`--values 2e5,5e5` as numbers (None when not given); a bad item is an input problem."""
    if text is None:
        return None
    out = []
    for item in (x.strip() for x in text.split(",")):
        if not item:
            continue
        try:
            out.append(float(item.replace(" ", "")))
            if not math.isfinite(out[-1]):
                raise ValueError(item)
        except ValueError:
            raise InputError([Problem("--values", "", "expected numbers separated by commas, "
                                      "e.g. 200000,500000 (a decimal point, not a comma)",
                                      item)]) from None
    return out


def analysis_text(out: str | Path, metric: str = "npv", lang: str = "en",
                  values: list[float] | None = None) -> str:
    """The tables a person reads after a sweep (`model.report.analysis_text`), with units."""
    from model.report.analysis_text import analysis_text as render

    return render(analysis_data(out, metric, values), lang)
