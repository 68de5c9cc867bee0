"""Terminal tables for `insats run` and `insats compare`, rendered from result tables."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from model.economics import DIRECTION, view_key
from model.exact import ExactResult
from model.report.text import label, metric_label, number, span, table, with_unit
from model.results import paired_difference, probability_better
from model.scenario import Scenario

if TYPE_CHECKING:
    from model.api import ScenarioResult


def exit_rows(exits: pd.DataFrame, lang: str = "sv") -> tuple[list[list[str]], list[str]]:
    """Rows of the exits table (state, category, count, share, interval) and its headers."""
    rows = []
    for r in exits.itertuples():
        if r.exit_state == "(still in programme)":
            rows.append([label("still", lang), "", with_unit(r.count, "participants", lang, 1),
                         "", ""])
            continue
        rows.append([r.label, label(r.category, lang), with_unit(r.count, "participants", lang, 1),
                     with_unit(r.share, "share", lang), span(r.share_lo, r.share_hi, "share", lang)])
    heads = [label("exit_state", lang), label("category", lang), label("count", lang),
             label("share", lang), label("interval", lang)]
    return rows, heads


def outcomes_text(sc: Scenario, summary: dict[str, pd.DataFrame], lang: str = "sv") -> str:
    """Exits by state with shares and intervals, time in programme, and interventions."""
    parts = [table(*exit_rows(summary["exits"], lang))]
    t = summary["time"]
    trows = [[label(r.metric, lang), with_unit(r.mean, r.unit, lang, 1),
              span(r.lo, r.hi, r.unit, lang, 1)] for r in t.itertuples()]
    parts.append(table(trows, [label("metric", lang), label("mean", lang), label("interval", lang)]))
    iv = summary["interventions"]
    irows = []
    for r in iv.itertuples():
        util = "–" if math.isnan(r.utilisation) else with_unit(r.utilisation, "share", lang)
        irows.append([r.label, number(r.starts, 1, lang), number(r.mean_in_service, 1, lang),
                      number(r.mean_waiting, 1, lang), util])
    parts.append(table(irows, [label("intervention", lang), label("starts", lang),
                               label("mean_in_service", lang), label("mean_waiting", lang),
                               label("utilisation", lang)]))
    return "\n\n".join(parts)


def exact_text(sc: Scenario, res: ExactResult, lang: str = "sv") -> str:
    """Exact expected exit shares and months per arriving participant."""
    rows = [[sc.exit_states[s].label or s, label(sc.exit_states[s].category, lang),
             with_unit(v, "share", lang, 2)] for s, v in res.exit_shares.items()]
    out = table(rows, [label("exit_state", lang), label("category", lang), label("share", lang)])
    mrows = [[iv.title, number(res.visits_by_intervention[iv.name], 3, lang),
              with_unit(res.months_by_intervention[iv.name], "months", lang, 2)]
             for iv in sc.interventions]
    heads = [label("intervention", lang), "besök" if lang == "sv" else "visits",
             "månader" if lang == "sv" else "months"]
    out += "\n\n" + table(mrows, heads)
    out += "\n\n" + f"{label('mean_months_in_programme', lang)}: " + with_unit(
        res.mean_months, "months", lang, 2)
    return out


def headline_metrics(sc: Scenario) -> list[str]:
    """The metrics a planner reads first, in reading order, for this scenario's views."""
    views = [view_key(y) for y in sorted(set(sc.valuation.views_years)
                                         | {sc.valuation.horizon_years})]
    keys = ["participants", "share_work", "cost", "cost_per_participant", "esf_grant",
            "cofinancing", "extra_jobs_at_exit", "extra_jobs_12m", "cost_per_extra_job"]
    for v in views:
        keys += [f"person_years:{v}", f"revenue:{v}", f"npv:{v}", f"bcr:{v}"]
    keys += ["payback_months", "pays_back"]
    for v in views:
        keys += [f"breakeven_extra_jobs:{v}", f"breakeven_work_share:{v}"]
    return keys


def _headline(key: str, value: float, unit: str, lang: str) -> str:
    """A metric's mean, flagging a break-even work share above 100 % as out of reach."""
    text = _fmt(value, unit, lang)
    if key.startswith("breakeven_work_share") and value > 1:
        text += " (ej nåbart)" if lang == "sv" else " (not reachable)"
    return text


def _fmt(value: float, unit: str, lang: str) -> str:
    if unit == "ratio":
        return number(value, 2, lang)
    return with_unit(value, unit, lang)


def _span(lo: float, hi: float, unit: str, lang: str) -> str:
    if unit == "ratio":
        return f"{number(lo, 2, lang)} – {number(hi, 2, lang)}"
    return span(lo, hi, unit, lang)


def economics_text(sc: Scenario, summary: pd.DataFrame, lang: str = "sv") -> str:
    """Key economic figures with their 95 % intervals over replications."""
    by = summary.set_index("metric")
    rows = []
    for key in headline_metrics(sc):
        if key not in by.index:
            continue
        r = by.loc[key]
        spread = "" if key == "pays_back" else _span(r["lo"], r["hi"], r["unit"], lang)
        rows.append([metric_label(key, lang), _headline(key, r["mean"], r["unit"], lang), spread])
    return table(rows, [label("metric", lang), label("mean", lang), label("interval", lang)])


def compare_rows(names: list[str], scenarios: list[Scenario], summaries: list[pd.DataFrame],
                 diffs: dict[str, tuple[float, float, float]], lang: str = "sv"
                 ) -> tuple[list[list[str]], list[str]]:
    """Rows of the side-by-side table: each programme's mean [interval], A − B and the better one."""
    keys = [k for k in headline_metrics(scenarios[0])
            if all(k in s["metric"].values for s in summaries)]
    rows = []
    for key in keys:
        unit = summaries[0].set_index("metric").loc[key, "unit"]
        cells = [metric_label(key, lang)]
        means = []
        for s in summaries:
            r = s.set_index("metric").loc[key]
            means.append(r["mean"])
            if key == "pays_back":
                cells.append(_fmt(r["mean"], unit, lang))
            else:
                cells.append(
                    f"{_headline(key, r['mean'], unit, lang)} [{_span(r['lo'], r['hi'], unit, lang)}]")
        if key in diffs:
            d = diffs[key]
            if unit == "share":
                pts = number(d[0] * 100, 1, lang)
                cells.append(f"{pts} {'procentenheter' if lang == 'sv' else 'points'}")
            else:
                cells.append(_fmt(d[0], unit, lang))
        base = key.partition(":")[0]
        direction = DIRECTION.get(base, 0)
        clean = [m for m in means if not math.isnan(m)]
        if direction and len(clean) == len(means) and len(set(means)) > 1:
            best = max(range(len(means)), key=lambda i: direction * means[i])
            cells.append(names[best])
        else:
            cells.append("")
        rows.append(cells)
    heads = [label("metric", lang), *names]
    if diffs:
        heads.append(f"{names[0]} − {names[1]}")
    heads.append("bättre" if lang == "sv" else "better")
    return rows, heads


def conclusion(names: list[str], summaries: list[pd.DataFrame], p_best_beats_next: float,
               horizon_years: float, lang: str = "sv") -> str:
    """One sentence: which programme pays best, which has the lowest cost per extra job, how sure."""
    npv = [s.set_index("metric").loc["npv", "mean"] for s in summaries]
    cpj = [s.set_index("metric").loc["cost_per_extra_job", "mean"] for s in summaries]
    order = sorted(range(len(names)), key=lambda i: -npv[i])
    best, nxt = order[0], order[1]
    cheapest = min((i for i in range(len(names)) if not math.isnan(cpj[i])),
                   key=lambda i: cpj[i], default=None)
    years = number(horizon_years, 0, lang)
    if lang == "sv":
        text = (f"{names[best]} ger högst nettonuvärde över {years} år "
                f"({with_unit(npv[best], 'kr', lang)} mot {with_unit(npv[nxt], 'kr', lang)} för "
                f"{names[nxt]})")
        if cheapest is not None:
            text += (f", {names[cheapest]} har lägst kostnad per extra arbete "
                     f"({with_unit(cpj[cheapest], 'kr', lang)})")
        text += (f"; i {with_unit(p_best_beats_next, 'share', lang, 0)} av replikeringarna har "
                 f"{names[best]} högre nettonuvärde än {names[nxt]}.")
    else:
        text = (f"{names[best]} has the highest net present value over {years} years "
                f"({with_unit(npv[best], 'kr', lang)} against {with_unit(npv[nxt], 'kr', lang)} "
                f"for {names[nxt]})")
        if cheapest is not None:
            text += (f", {names[cheapest]} has the lowest cost per extra job "
                     f"({with_unit(cpj[cheapest], 'kr', lang)})")
        text += (f"; {names[best]} has the higher net present value in "
                 f"{with_unit(p_best_beats_next, 'share', lang, 0)} of replications.")
    return text


def comparison(results: list[ScenarioResult], lang: str = "sv"
               ) -> tuple[list[list[str]], list[str], str]:
    """Side-by-side rows and headers (A − B paired by replication) and the one-sentence verdict."""
    names = [r.scenario.title for r in results]
    summaries = [r.economics for r in results]
    a, b = results[0].priced.metrics, results[1].priced.metrics
    diffs = {m: paired_difference(a, b, m) for m in a.columns if m in b.columns and m != "rep"}
    rows, heads = compare_rows(names, [r.scenario for r in results], summaries, diffs, lang)
    npv = [s.set_index("metric").loc["npv", "mean"] for s in summaries]
    order = sorted(range(len(results)), key=lambda i: -npv[i])
    p = probability_better(results[order[0]].priced.metrics, results[order[1]].priced.metrics)
    sentence = conclusion(names, summaries, p, results[0].scenario.valuation.horizon_years, lang)
    return rows, heads, sentence


def compare_text(results: list[ScenarioResult], version: str, lang: str = "sv") -> str:
    """What `insats compare` prints: provenance, the side-by-side table and the verdict."""
    rows, heads, sentence = comparison(results, lang)
    lines = [f"{r.scenario.title}: {r.scenario.source_file}, hash {r.scenario.digest()}"
             for r in results]
    lines.append(f"seed {results[0].run.seed}, {results[0].run.replications} replications, "
                 f"insats {version}; [95 % interval over replications]\n")
    return "\n".join(lines) + "\n" + table(rows, heads) + "\n\n" + sentence
