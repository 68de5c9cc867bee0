"""Tidy records for `--format csv|json`: the same figures, labels and notes as the terminal tables.

One row per metric and programme (kind 'programme'), per metric and pair of programmes (kind
'difference': A − X paired by run, with the clearly better one), one per pair for the share of
runs in which A's NPV exceeds X's (kind 'comparison') and one for the verdict (kind 'verdict').
The summary's own columns are passed through as they are, so new summary columns reach the
files without a change here. Every row carries the provenance and the scenario's warnings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from model import __version__
from model.report import reach
from model.report.tables import comparison
from model.report.text import RUNS_NOTE, in_lang, metric_label, number
from model.scenario.assumptions import double_counting_note, gross_effect_note

if TYPE_CHECKING:
    from model.api import ScenarioResult
    from model.psa import PSAResult

RUN_SHARES = {"pays_back", "no_payback"}


def _provenance(r: ScenarioResult, lang: str) -> dict[str, object]:
    sc = r.scenario
    return {"scenario": sc.name, "scenario_hash": sc.digest(), "seed": r.run.seed,
            "replications": r.run.replications, "version": __version__,
            "gross_effect": gross_effect_note(sc, lang),
            "double_counting": double_counting_note(sc, lang)}


def programme_records(r: ScenarioResult, lang: str = "sv") -> pd.DataFrame:
    """Every summary row of one programme with its label, note and provenance."""
    sc = r.scenario
    df = r.economics.copy()
    h = sc.valuation.horizon_years
    df.insert(0, "kind", "programme")
    df.insert(1, "programme", sc.name)
    df.insert(2, "versus", "")
    df.insert(4, "label", [metric_label(m, lang, h) for m in df["metric"]])
    df["better"] = ""
    df["note"] = [in_lang(lang, *RUNS_NOTE) if m in RUN_SHARES else "" for m in df["metric"]]
    _unreachable_as_null(df, lang, h)
    return df.assign(**_provenance(r, lang))


def _unreachable_as_null(df: pd.DataFrame, lang: str, horizon: float) -> None:
    """Break-even figures beyond reach become null with a `reason`; intervals are clipped."""
    people = df.loc[df["metric"] == "participants", "mean"]
    n = float(people.iloc[0]) if len(people) else float("nan")
    df["reason"] = ""
    cols = [c for c in ("mean", "lo", "hi", "median") if c in df.columns]
    df[cols] = df[cols].astype(object)
    for i in df.index[[reach.is_breakeven(m) for m in df["metric"]]]:
        row = df.loc[i]
        mean, lo, hi, why = reach.record(row["metric"], row["mean"], row.get("lo", float("nan")),
                                         row.get("hi", float("nan")), n, lang, horizon)
        df.at[i, "mean"], df.at[i, "reason"] = mean, why
        if "lo" in df.columns:
            df.at[i, "lo"], df.at[i, "hi"] = lo, hi
        if "median" in df.columns and mean is None:
            df.at[i, "median"] = None


def verdict_row(results: list[ScenarioResult], psa: PSAResult | None, lang: str) -> dict:
    """The `verdict` record: the one verdict of the screen (`model.report.verdict`)."""
    from model.report.verdict import verdict

    a, v = results[0], verdict(results, psa, lang)
    draws = psa.effective.record() if psa is not None and v.basis == "draws" else {}
    return {"kind": "verdict", "metric": "verdict", "label": in_lang(lang, "Slutsats", "Verdict"),
            "unit": "share", "better": "", "seed": a.run.seed, "replications": a.run.replications,
            "version": __version__, **v.record(), **draws}


def note_rows(results: list[ScenarioResult], psa: PSAResult | None, lang: str) -> list[dict]:
    """A `note` record for each headline figure whose mean over draws and value at base values
    disagree (`model.report.agreement`)."""
    from model.report.agreement import disagreements, note

    return [{"kind": "note", "programme": d.programme, "versus": "", "metric": d.metric,
             "label": metric_label(d.metric, lang), "unit": d.unit, "mean": d.psa_mean,
             "base_value": d.base, "half_width": d.half_width, "note": note(d, lang),
             "basis": "draws", "version": __version__} for d in disagreements(results, psa)]


def run_records(r: ScenarioResult, lang: str = "sv", psa: PSAResult | None = None) -> pd.DataFrame:
    """What `insats run --format csv|json` writes; with a parameter-uncertainty answer, also its
    verdict and any note on figures that disagree."""
    df = programme_records(r, lang)
    if psa is None:
        return df
    extra = pd.DataFrame([verdict_row([r], psa, lang), *note_rows([r], psa, lang)])
    out = pd.concat([df, extra], ignore_index=True)
    for col in ("versus", "better", "note", "reason"):
        out[col] = out[col].fillna("")
    return out


def expected_records(r: ScenarioResult, lang: str = "sv") -> pd.DataFrame:
    """What `insats run --method exact --format csv|json` writes: the programme records of the
    expected run (no seed, 0 replications, method `expected`), without the shares of runs, which
    one expected run does not have."""
    df = programme_records(r, lang)
    df = df[~df["metric"].isin(RUN_SHARES)].reset_index(drop=True)
    return df.assign(method="expected")


def compare_records(results: list[ScenarioResult], lang: str = "sv",
                    psa: PSAResult | None = None) -> pd.DataFrame:
    """What `insats compare --format csv|json` writes: programmes, differences, shares of runs in
    which A beats X, and the verdict, in one tidy table."""
    cmp = comparison(results)
    frames = [programme_records(r, lang) for r in results]
    a = results[0]
    h = a.scenario.valuation.horizon_years
    common = {"seed": a.run.seed, "replications": a.run.replications, "version": __version__}
    rows = []
    for (i, key), d in cmp.differences.items():
        unit = a.economics.set_index("metric").loc[key, "unit"]
        better = cmp.better_text(d, lang)
        if d.better is not None:
            better = results[d.better].scenario.name
        if psa is not None:  # the verdict is over draws: one cohort names no better programme
            better = ""
        rows.append({"kind": "difference", "programme": a.scenario.name,
                     "versus": results[i].scenario.name, "metric": key,
                     "label": metric_label(key, lang, h) + " (A − B)", "unit": unit,
                     "mean": d.mean, "lo": d.lo, "hi": d.hi, "better": better, "note": "",
                     **common})
    for i, p in cmp.p_beats.items():
        x = results[i].scenario
        rows.append({"kind": "comparison", "programme": a.scenario.name, "versus": x.name,
                     "metric": "p_beats:npv",
                     "label": in_lang(lang, f"Andel körningar där {a.scenario.title} har högre "
                                            f"nettonuvärde än {x.title}",
                                      f"Share of runs in which {a.scenario.title} has a higher net "
                                      f"present value than {x.title}")
                     + ", " + metric_label("npv", lang, h).split(", ", 1)[1],
                     "unit": "share", "mean": p, "better": "", "note": in_lang(lang, *RUNS_NOTE),
                     **common})
    rows.append(verdict_row(results, psa, lang))
    rows += note_rows(results, psa, lang)
    out = pd.concat([*frames, pd.DataFrame(rows)], ignore_index=True)
    for col in ("versus", "better", "note", "gross_effect", "double_counting", "scenario",
                "scenario_hash", "reason"):
        out[col] = out[col].fillna("")
    return machine_records(out, [r.scenario for r in results], lang)


# whole-number fields of a record: written as integers (never 20140227.0), empty where not given
INTEGER_FIELDS = ("seed", "replications", "draws", "n", "rank", "year", "points")
# the fields that name one record, to drop an unsuffixed metric that repeats its horizon's row
_IDENTITY = ("kind", "programme", "versus", "metric", "basis", "actor", "view", "parameter", "other")


def _probability_label(what: str, programme: str, other: str, metric: str, titles: dict[str, str],
                       lang: str) -> str:
    name = metric_label(metric, lang)
    if what == "beats":
        return in_lang(lang, f"Sannolikhet att {titles.get(programme, programme)} har högre "
                             f"{name.lower()} än {titles.get(other, other)}",
                       f"Probability that {titles.get(programme, programme)} has a higher "
                       f"{name.lower()} than {titles.get(other, other)}")
    return in_lang(lang, f"Sannolikhet att {name.lower()} är positivt för "
                         f"{titles.get(programme, programme)}",
                   f"Probability that the {name.lower()} is positive for "
                   f"{titles.get(programme, programme)}")


def machine_records(df: pd.DataFrame, scenarios: list, lang: str = "sv") -> pd.DataFrame:
    """The one shape of a `--format csv|json` record (run, compare, analyse): every row has its
    `kind`, its `label`, a metric that names its horizon (`npv:5y`, never a bare `npv`, whose
    row repeats the horizon's) and whole numbers as integers.

    Kinds: programme, difference, comparison, verdict, actor (over simulated runs, `basis: runs`);
    programme, probability, voi, decision (over parameter draws, `basis: draws`). A value-of-
    information row's own kind (all, parameter, group) is in `parameter_kind`.
    """
    from model.economics import view_key
    from model.report.text import VIEW_METRICS

    out = df.copy()
    horizon = {sc.name: sc.valuation.horizon_years for sc in scenarios}
    titles = {sc.name: sc.title for sc in scenarios}
    first = scenarios[0].valuation.horizon_years if scenarios else None
    for col in ("kind", "label", "programme", "metric"):
        if col not in out:
            out[col] = None
    out["kind"] = out["kind"].astype(object)
    out["label"] = out["label"].astype(object)
    metric = out["metric"].astype(str)
    voi = metric.str.startswith(("evpi:", "evppi:"))
    if voi.any():
        out["parameter_kind"] = out.get("parameter_kind", pd.Series(None, index=out.index)).astype(object)
        out.loc[voi, "parameter_kind"] = out.loc[voi, "kind"]
        out.loc[voi, "kind"] = "voi"

    def with_horizon(key: str, programme: object) -> str:
        base, _, view = key.partition(":")
        years = horizon.get(programme, first) if isinstance(programme, str) else first
        if base in VIEW_METRICS and not view and years is not None:
            return f"{base}:{view_key(years)}"
        return key

    bare = out["metric"].astype(str)
    out["metric"] = [with_horizon(str(m), p)
                     for m, p in zip(out["metric"], out["programme"], strict=True)]
    renamed = out["metric"] != bare
    kinds, labels = [], []
    for r in out.itertuples(index=False):
        kind, label, key = r.kind, r.label, r.metric
        w, _, measured = key.partition(":")
        if not isinstance(kind, str) or not kind:
            if w in ("beats", "npv_positive"):
                kind = "probability"
            elif key.startswith(("expected:", "p_best", "dominance")):
                kind = "decision"
            else:
                kind = "programme"
        if not isinstance(label, str) or not label:
            programme = r.programme if isinstance(r.programme, str) else ""
            if kind == "probability":
                other = getattr(r, "other", "") or ""
                label = _probability_label(w, programme, str(other), measured, titles, lang)
            elif kind == "voi":
                base, _, rest = key.partition(":")
                label = f"{base.upper()}, {metric_label(rest, lang)}"
                parameter = getattr(r, "parameter", "")
                if isinstance(parameter, str) and parameter:
                    label += f": {parameter}"
            else:
                label = metric_label(key, lang, horizon.get(programme, first))
        kinds.append(kind)
        labels.append(label)
    out["kind"] = kinds
    out["label"] = labels
    # a bare metric whose horizon's row is there too repeats it: keep the row that names it
    key_cols = [c for c in _IDENTITY if c in out]
    named = set(map(tuple, out.loc[~renamed, key_cols].astype(str).to_numpy()))
    repeats = renamed & pd.Series([tuple(k) in named for k in out[key_cols].astype(str).to_numpy()],
                                  index=out.index)
    out = out[~repeats].reset_index(drop=True)
    for col in INTEGER_FIELDS:
        if col in out:
            values = pd.to_numeric(out[col], errors="coerce")
            if (values.dropna() % 1 == 0).all():
                out[col] = values.round().astype("Int64")
    return out.reindex(columns=[*RECORD_FIELDS, *(c for c in out.columns if c not in RECORD_FIELDS)])


# the one shape of a machine record: every `compare` and `analyse` record has these fields, in
# this order (null where they do not apply); fields a table adds beyond them follow at the end
RECORD_FIELDS = (
    "kind", "programme", "versus", "other", "metric", "label", "unit", "mean", "lo", "hi", "median",
    "mcse", "better", "note", "reason", "scenario", "scenario_hash", "seed", "replications",
    "version", "gross_effect", "double_counting", "basis", "draws", "distinct_rows",
    "effective_draws", "n", "actor", "view", "rank", "value_per_year", "on_frontier", "status",
    "effect_pv", "cost_pv", "icer", "parameter", "parameter_kind", "per_decision",
    "per_participant", "population", "scaled", "participants", "options",
    # sweeps (`insats analyse`): the sweep and its design; a parameter's path and its one-way
    # values (low, base, high) with the metric at each end; a sensitivity index by name
    "sweep", "design", "points", "path", "low", "base", "high", "at_low", "at_high", "swing", "base_value",
    "index", "applies")


def analysis_records(data: dict, lang: str = "sv") -> pd.DataFrame:
    """What `insats analyse --format json` prints: `model.analysis.analysis_data` (the figures the
    text shows) as machine records of the one shape (`machine_records`), over the sweep's points
    (`basis: points`, each point its mean over the replications).

    Kinds: parameter (what was swept, with its path and unit), programme (mean and interval over
    the points), difference (A − B paired by point), probability (P(NPV > 0), P(A > B)),
    acceptability (the same against the value per person-year), tornado, sobol and morris (one
    record per parameter and index), voi."""
    import re
    from types import SimpleNamespace

    from model.economics import view_key
    from model.report.text import VIEW_METRICS

    h = data.get("horizon_years")

    def with_h(key: str) -> str:  # 'npv' -> 'npv:5y' where the sweep's horizon is known
        base, _, view = key.partition(":")
        return f"{key}:{view_key(h)}" if base in VIEW_METRICS and not view and h is not None else key

    metric = with_h(data["metric"])
    hashes = {s["name"]: s["hash"] for s in data["scenarios"]}
    common = {"sweep": data["sweep"], "design": data["design"], "points": data["points"],
              "seed": data["seed"], "replications": data["replications"], "version": data["version"],
              "basis": "points"}
    rows: list[dict] = [{"kind": "parameter", "parameter": p["name"], "path": p["path"],
                         "unit": p["unit"], "label": f"{p['name']} ({p['path']})",
                         "metric": "parameter"}
                        for p in data["parameters"]]
    rows += [{"kind": "note", "metric": "note", "label": in_lang(lang, "Anmärkning", "Note"), "note": n}
             for n in data["notes"]]
    for r in data["overall"]:
        m = re.fullmatch(r"P\((.+) > 0\)", str(r["metric"]))
        rows.append({"programme": r["scenario"], "scenario": r["scenario"],
                     "scenario_hash": hashes.get(r["scenario"]), "unit": r["unit"],
                     "mean": r["mean"], "lo": r["lo"], "hi": r["hi"], "mcse": r.get("mcse"),
                     "reason": r.get("reason") or "",
                     **({"kind": "probability", "metric": f"npv_positive:{with_h(m.group(1))}"} if m else
                        {"kind": "programme", "metric": r["metric"]})})
    for r in data["pairs"]:
        pair = {"programme": r["a"], "n": r["pairs"], "distinct_rows": r.get("distinct_rows"),
                "effective_draws": r.get("effective_draws")}
        rows.append({**pair, "kind": "probability", "other": r["b"], "metric": f"beats:{metric}",
                     "unit": "share", "mean": r["p"], "mcse": r["mcse"]})
        rows.append({**pair, "kind": "difference", "versus": r["b"], "metric": metric,
                     "unit": data["unit"], "mean": r["mean_diff"], "lo": r["lo"], "hi": r["hi"],
                     "label": metric_label(metric, lang, h) + " (A − B)"})
    for s, t in data.get("tornado", {}).items():
        rows += [{"kind": "tornado", "programme": s, "metric": metric, "unit": data["unit"],
                  "base_value": t["base_value"], **r,
                  "label": f"{metric_label(metric, lang, h)}: {r['parameter']}"} for r in t["rows"]]
    for kind, indices in (("sobol", ("S1", "ST")), ("morris", ("mu", "mu_star", "sigma"))):
        for s, table in data.get(kind, {}).items():
            for r in table:
                for index in indices:
                    conf = r.get(f"{index}_conf")
                    rows.append({"kind": kind, "programme": s, "metric": metric, "index": index,
                                 "label": f"{index}, {metric_label(metric, lang, h)}: {r['parameter']}",
                                 "parameter": r["parameter"], "applies": r.get("applies"),
                                 # a Sobol index is a share of variance; a Morris effect is in the
                                 # metric's unit per the parameter's whole range
                                 "unit": "number" if kind == "sobol" else data["unit"],
                                 "mean": r[index], "lo": None if conf is None else r[index] - conf,
                                 "hi": None if conf is None else r[index] + conf})
    titles = {s: s for s in hashes}
    for r in data.get("acceptability", []):
        v = r["value_per_year"]
        for col, p in r.items():
            one = re.fullmatch(r"P\(NPV>0\) (.+)", col)
            two = re.fullmatch(r"P\((.+) > (.+)\)", col)
            if one is None and two is None:
                continue
            what, a, b = ("npv_positive", one.group(1), "") if one else ("beats", *two.groups())
            rows.append({"kind": "acceptability", "programme": a, "other": b or None,
                         "metric": f"{what}:{metric}", "unit": "share", "mean": p,
                         "value_per_year": v,
                         "label": _probability_label(what, a, b, metric, titles, lang) + in_lang(
                             lang, f", vid {number(v, 0, lang)} kr per personår",
                             f", at {number(v, 0, lang)} kr per person-year")})
    rows += [{**r, "metric": f"{r['metric'].partition(':')[0]}:{metric}"} for r in data.get("voi", [])]
    df = pd.DataFrame(rows).assign(**common)
    scenarios = [SimpleNamespace(name=s, title=s, valuation=SimpleNamespace(horizon_years=h))
                 for s in hashes] if h is not None else []
    return machine_records(df, scenarios, lang)
