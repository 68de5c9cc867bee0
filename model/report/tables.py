"""Terminal tables for `insats run` and `insats compare`, rendered from result tables.

Units stand once, in the metric column ("Nettonuvärde, 5 år (kr)"); cells hold plain numbers.
Every label names its horizon view and whether it is discounted (`model.report.text`).
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

from model.economics import view_key
from model.exact import ExactResult
from model.report import reach
from model.report.text import (
    RUNS_NOTE,
    UNITS,
    in_lang,
    label,
    letter,
    metric_label,
    number,
    pick,
    run_count,
    span,
    table,
    tax_basis,
    with_unit,
)
from model.scenario import Scenario
from model.scenario.assumptions import assumption_warnings

if TYPE_CHECKING:  # pandas and the comparison load with a run's tables, not for exact mode
    import pandas as pd

    from model.api import ScenarioResult
    from model.psa import PSAResult
    from model.report.comparison import Comparison


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
    keys = ["participants", "share_work", "cost", "cost_pv"]
    if sc.counterfactual.reference is not None:
        keys += ["net_cost", "net_cost_pv"]
    keys += ["cost_per_participant", "budget", "esf_grant", "cofinancing", "extra_jobs_at_exit",
             "extra_jobs_12m", "cost_per_extra_job"]
    for v in views:
        keys += [f"person_years:{v}", f"revenue:{v}", f"revenue_pv:{v}", f"npv:{v}", f"bcr:{v}"]
        if sc.health is not None:  # QALYs beside the NPV, never in it
            keys += [f"qaly:{v}", f"qaly_pv:{v}", f"qaly_value_pv:{v}"]
    keys += ["payback_months", "no_payback", "pays_back"]
    for v in views:
        keys += [f"breakeven_extra_jobs:{v}", f"breakeven_work_share:{v}"]
    return keys


DECIMALS = {"kr": 0, "participants": 0, "jobs": 1, "share": 1, "months": 1, "person-years": 1,
            "ratio": 2}


def cell(value: float, unit: str, lang: str = "sv") -> str:
    """A figure without its unit (the unit is in the metric column): shares in percent."""
    if unit == "share":
        return number(value * 100, 1, lang)
    return number(value, DECIMALS.get(unit, 1), lang)


def cell_span(lo: float, hi: float, unit: str, lang: str = "sv") -> str:
    if math.isnan(lo) or math.isnan(hi):
        return "–"
    return f"{cell(lo, unit, lang)} – {cell(hi, unit, lang)}"


def unit_label(key: str, unit: str, sc: Scenario, lang: str = "sv") -> str:
    """'Nettonuvärde, 5 år (kr)': the metric's label with its unit once."""
    text = metric_label(key, lang, sc.valuation.horizon_years)
    text += tax_basis(key, sc.valuation.tax_factor, lang)
    u = pick(UNITS, unit, lang)
    return f"{text} ({u})" if u else text


def value_cell(key: str, value: float, unit: str, participants: float, lang: str = "sv") -> str:
    """A table cell: the figure, or 'ej nåbart inom 1 år' for a break-even beyond reach."""
    return reach.figure(key, value, participants, lambda v: cell(v, unit, lang), lang)


def span_cell(key: str, lo: float, hi: float, unit: str, participants: float,
              lang: str = "sv") -> str:
    """An interval cell, clipped to what is reachable (and saying so) for a break-even."""
    return reach.interval(key, lo, hi, participants,
                          lambda a, b: cell_span(a, b, unit, lang), lang)


BASE_VALUES = ("vid basvärden", "at base values")


def warning_lines(sc: Scenario, lang: str = "sv", who: str = "") -> list[str]:
    """The scenario's gross-effect and double-counting warnings as lines of text."""
    head = in_lang(lang, "Varning", "Warning") + (f" {who}" if who else "") + ": "
    return [head + w for w in assumption_warnings(sc, lang)]


def interval_note(reps: int, lang: str = "sv") -> str:
    return in_lang(lang,
                   f"Medel över {run_count(reps)}; 95 %-intervallet är 2,5:e till 97,5:e percentilen "
                   "över körningarna, spridningen i vad en omgång av programmet kan ge.",
                   f"Mean over {run_count(reps, 'en')}; the 95 % interval is the 2.5th to 97.5th percentile "
                   "over runs, the spread of what one round of the programme could give.")


RUN_SHARES = ("pays_back", "no_payback")   # shares of simulated runs: none in an expected run


def economics_rows(sc: Scenario, summary: pd.DataFrame | list[dict], lang: str = "sv",
                   runs: bool = True, base_values: bool = False) -> tuple[list[list[str]], list[str]]:
    """Key economic figures: label (unit), mean, 95 % interval over replications; with
    `runs=False` (one expected run) the expected value alone, without shares of runs.
    `summary` has the columns metric, unit, mean, lo, hi (a table, or its records).
    `base_values`: a parameter-uncertainty table stands above, so the headers say these are the
    figures at base values."""
    records = summary if isinstance(summary, list) else summary.to_dict("records")
    by = {r["metric"]: r for r in records}
    n = by["participants"]["mean"] if "participants" in by else math.nan
    rows = []
    for key in headline_metrics(sc):
        if key not in by or (not runs and key in RUN_SHARES):
            continue
        r = by[key]
        value = value_cell(key, r["mean"], r["unit"], n, lang)
        if not runs:
            rows.append([unit_label(key, r["unit"], sc, lang), value])
            continue
        spread = "" if key in RUN_SHARES else span_cell(key, r["lo"], r["hi"], r["unit"], n, lang)
        rows.append([unit_label(key, r["unit"], sc, lang), value, spread])
    if not runs:
        return rows, [label("metric", lang), in_lang(lang, "Väntevärde", "Expected value")]
    at = f" {in_lang(lang, *BASE_VALUES)}" if base_values else ""
    return rows, [label("metric", lang), label("mean", lang) + at, label("interval", lang) + at]


EXPECTED_NOTE = ("Väntevärden ur väntevärdesvägen (exakt läge): inga personer simuleras, så "
                 "figurerna har ingen slumpspridning och inga andelar av körningar; osäkerheten i "
                 "antagandena visas av `insats run` utan --method exact (parameterosäkerhet).",
                 "Expected values from the expected-value path (exact mode): no people are "
                 "simulated, so the figures have no chance spread and no shares of runs; the "
                 "uncertainty in the assumptions is shown by `insats run` without --method exact "
                 "(parameter uncertainty).")


def economics_text(sc: Scenario, summary: list[dict], lang: str = "sv") -> str:
    """Exact mode's economic figures: the expected value of each, and what that means."""
    return (table(*economics_rows(sc, summary, lang, runs=False)) + "\n\n"
            + wrap(in_lang(lang, *EXPECTED_NOTE)))


def run_text(result: ScenarioResult, file: object, version: str, lang: str = "sv",
             psa: PSAResult | None = None) -> str:
    """What `insats run` prints: provenance, warnings, outcomes, economics and their notes; after a
    parameter-uncertainty answer (`psa`) the economics are labelled as at base values, and any
    figure whose two values disagree is named."""
    from model.report.agreement import notes as base_value_notes

    sc, run = result.scenario, result.run
    reps = in_lang(lang, "körningar", "replications")
    seed = in_lang(lang, "slumpfrö", "seed")
    lines = [f"{sc.title}  [{file}, hash {sc.digest()}, {seed} {run.seed}, "
             f"{run.replications} {reps}, insats {version}]", *warning_lines(sc, lang)]
    return "\n".join([*map(wrap, lines), "", outcomes_text(sc, result.outcomes, lang), "",
                      table(*economics_rows(sc, result.economics, lang, base_values=psa is not None)),
                      "", wrap(in_lang(lang, *RUNS_NOTE)), wrap(interval_note(run.replications, lang)),
                      *map(wrap, base_value_notes([result], psa, lang))])


def compare_rows(cmp: Comparison, lang: str = "sv", wide: bool = False, letters: bool = True,
                 base_values: bool = False) -> tuple[list[list[str]], list[str]]:
    """The side-by-side table: label (unit), each programme's mean, A − X, and the better one;
    `wide` adds every 95 % interval. Headers are letters (A, B, …) unless `letters` is False.
    `base_values`: the parameter-uncertainty answer is the verdict, so this table is one cohort
    at base values: its headers say so and it names no better programme."""
    results = cmp.results
    sc = results[0].scenario
    n = len(results)
    names = [letter(i) if letters else cmp.titles[i] for i in range(n)]
    sums = [r.economics.set_index("metric") for r in results]
    interval_word = "95 %"
    at = f" {in_lang(lang, *BASE_VALUES)}" if base_values else ""
    heads = [in_lang(lang, "Mått (enhet)", "Metric (unit)")]
    for i in range(n):
        heads.append(names[i] + at)
        if wide:
            heads.append(f"{names[i]}, {interval_word}")
    for i in range(1, n):
        heads.append(f"{names[0]} − {names[i]}" + at)
        if wide:
            heads.append(f"{names[0]} − {names[i]}, {interval_word}")
    better = in_lang(lang, "Bättre", "Better")
    if not base_values:
        heads += [better] if n == 2 else [f"{better}, {names[0]}/{names[i]}" for i in range(1, n)]
    people = [float(s.loc["participants", "mean"]) if "participants" in s.index else math.nan
              for s in sums]
    rows = []
    for key in cmp.metrics:
        unit = sums[0].loc[key, "unit"]
        row = [unit_label(key, unit, sc, lang)]
        for s, k in zip(sums, people, strict=True):
            r = s.loc[key]
            row.append(value_cell(key, r["mean"], unit, k, lang))
            if wide:
                row.append("" if key in ("pays_back", "no_payback")
                           else span_cell(key, r["lo"], r["hi"], unit, k, lang))
        for i in range(1, n):
            d = cmp.differences[(i, key)]
            pts = in_lang(lang, " p.e.", " pts") if unit == "share" else ""
            beyond = any(reach.unreachable(key, sums[j].loc[key, "mean"], people[j]) for j in (0, i))
            if beyond:  # a difference from a figure that cannot be reached is no figure either
                row += ["–", "–"] if wide else ["–"]
                continue
            row.append(cell(d.mean, unit, lang) + (pts if not math.isnan(d.mean) else ""))
            if wide:
                row.append(cell_span(d.lo, d.hi, unit, lang))
        for i in range(1, n if not base_values else 1):
            text = cmp.better_text(cmp.differences[(i, key)], lang, letters=letters)
            row.append(text if n == 2 or not text.startswith(("ingen", "no ")) else "–")
        rows.append(row)
    return rows, heads


def comparison(results: list[ScenarioResult]) -> Comparison:
    """The programmes compared on the first scenario's headline metrics."""
    from model.report.comparison import compare

    return compare(results, headline_metrics(results[0].scenario))


def compare_notes(cmp: Comparison, lang: str = "sv", base_values: bool = False) -> list[str]:
    """What the table's columns mean, what a share of runs leaves out, and any warnings."""
    n = len(cmp.results)
    clear = in_lang(lang,
                    "Bättre: det program vars medel är bättre, när 95 %-intervallet för skillnaden "
                    "(parad per körning) utesluter 0; annars ingen tydlig skillnad",
                    "Better: the programme with the better mean when the 95 % interval of the "
                    "difference (paired by run) excludes 0; otherwise no clear difference")
    notes = [] if base_values else [clear + (in_lang(lang, " (–).", " (–).") if n > 2 else ".")]
    notes.append(in_lang(lang, *RUNS_NOTE))
    for i, r in enumerate(cmp.results):
        notes += warning_lines(r.scenario, lang, letter(i))
    return notes


def compare_text(results: list[ScenarioResult], version: str, lang: str = "sv",
                 wide: bool = False, psa: PSAResult | None = None) -> str:
    """What `insats compare` prints: provenance, the side-by-side table, verdict and notes.

    After a parameter-uncertainty answer (`psa`), which is the verdict, the table is the one
    cohort at base values: labelled so, with no better column, a sentence saying how much one
    cohort varies by chance, and a note for any figure whose two values disagree."""
    from model.report.agreement import notes as base_value_notes
    from model.report.verdict import cohort_sentence, verdict

    cmp = comparison(results)
    at_base = psa is not None
    rows, heads = compare_rows(cmp, lang, wide, base_values=at_base)
    run = results[0].run
    lines = [f"{letter(i)} = {r.scenario.title} ({r.scenario.source_file}, hash "
             f"{r.scenario.digest()})" for i, r in enumerate(results)]
    lines.append(in_lang(
        lang,
        f"Slumpfrö {run.seed}, {run_count(run.replications)} per program, insats {version}. "
        "Medel per körning; skillnaden parad per körning"
        + ("." if wide else "; --wide visar 95 %-intervallen."),
        f"Seed {run.seed}, {run_count(run.replications, 'en')} per programme, insats {version}. "
        "Mean per run; the difference paired by run"
        + ("." if wide else "; --wide shows the 95 % intervals.")))
    said = cohort_sentence(results, lang) if at_base else verdict(results, None, lang).text
    return "\n".join([*map(wrap, lines), "", table(rows, heads), "", wrap(said), "",
                      *map(wrap, compare_notes(cmp, lang, at_base)),
                      *map(wrap, base_value_notes(results, psa, lang))])


WIDTH = 120


def wrap(text: str) -> str:
    """A line of prose wrapped to the terminal width the tables are made to fit (120)."""
    return textwrap.fill(text, WIDTH, break_long_words=False, break_on_hyphens=False,
                         subsequent_indent="  ")
