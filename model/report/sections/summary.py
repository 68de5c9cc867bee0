"""Summary: the answer in one sentence, the key figures with their intervals, the main assumptions.

For a folder the answer is the comparison's verdict and the key figures stand side by side.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from model.numbers import collect_sources
from model.report.page import Page, esc, html_table
from model.report.programme import Programme, figure_label, summary_table, years_text
from model.report.text import (
    RUNS_NOTE,
    actor_label,
    fmt,
    fmt_span,
    input_label,
    kr,
    label,
    number,
    probability_percent,
    run_count,
    source_text,
    with_unit,
    word,
)
from model.report.text import in_lang as _t
from model.scenario.assumptions import assumption_warnings

KEY = "summary"
TITLE = ("Sammanfattning", "Summary")

KEY_FIGURES = ["participants", "share_work", "cost", "cost_per_extra_job", "person_years",
               "revenue_pv", "npv", "bcr", "payback_months", "no_payback", "pays_back"]
RUN_SHARES = {"pays_back", "no_payback"}


def revenue_clause(rev: float, ratio: float, cost: float, lang: str = "sv") -> str:
    """The revenue against the cost, ending in ", ". A negative revenue is not "−0,2 times the
    cost": it is the lock-in effect (inlåsningseffekten), said in words."""
    if rev < 0:
        return _t(
            lang,
            f"samhällsintäkten är negativ ({kr(rev, lang)} i nuvärde): deltagarna kommer i arbete "
            "senare än de hade gjort utan programmet, eftersom tiden i programmet skjuter upp "
            f"jobbsökandet (inlåsningseffekten); kostnaden är {kr(cost, lang)} i nuvärde, ",
            f"the societal revenue is negative ({kr(rev, lang)} present value): participants reach "
            "work later than they would have without the programme, because the time in it puts "
            f"off their job search (the lock-in effect); the cost is {kr(cost, lang)} present "
            "value, ")
    return _t(lang,
                   f"samhällsintäkten ({kr(rev, lang)} i nuvärde) är {number(ratio, 1, lang)} "
                   f"gånger kostnaden ({kr(cost, lang)} i nuvärde), ",
                   f"the societal revenue ({kr(rev, lang)} present value) is "
                   f"{number(ratio, 1, lang)} times the cost ({kr(cost, lang)} present value), ")


def answer(p: Programme, lang: str = "sv", runs: bool = True) -> str:
    """The answer in one sentence: does it pay back, by how much, and how sure are we.

    `runs=False` for a programme priced on the expected-value path (one expected run): no
    interval over runs and no share of runs, the NPV is said to be the expected value."""
    sc = p.scenario
    s = summary_table(p.result).set_index("metric")
    npv, bcr, pays = s.loc["npv"], s.loc["bcr"], s.loc["pays_back", "mean"]
    cost, rev = s.loc["cost_pv", "mean"], s.loc["revenue_pv", "mean"]
    years = years_text(sc.valuation.horizon_years, lang)
    share = probability_percent(pays, lang)
    if lang == "sv":
        verdict = "betalar sig" if npv["mean"] > 0 else "betalar sig inte"
        return (f"{sc.title} {verdict} över {years}: {revenue_clause(rev, bcr['mean'], cost, lang)}"
                + (f"nettonuvärdet är {kr(npv['mean'], lang)} "
                   f"(95 %: {fmt_span(npv['lo'], npv['hi'], 'kr', lang)}) "
                   f"och det är positivt i {share} av de simulerade körningarna." if runs else
                   f"och nettonuvärdet är {kr(npv['mean'], lang)} (förväntat värde)."))
    verdict = "pays for itself" if npv["mean"] > 0 else "does not pay for itself"
    return (f"{sc.title} {verdict} over {years}: {revenue_clause(rev, bcr['mean'], cost, lang)}"
            + (f"the net "
               f"present value is {kr(npv['mean'], lang)} (95 %: "
               f"{fmt_span(npv['lo'], npv['hi'], 'kr', lang)}) and it is positive in {share} of the "
               "simulated runs." if runs else
               f"and the net present value is {kr(npv['mean'], lang)} (expected value)."))


# ---------------------------------------------------------------- assumptions and sources

DEFAULT_SOURCES: dict[str, tuple[str, str]] = {
    "valuation.value_per_year": ("standardvärde: Grenverket/PwC (seed 000), docs/method.md §9",
                                 "default: Grenverket/PwC (seed 000), docs/method.md §9"),
    "valuation.discount_rate": ("standardvärde: ASEK 7.0 kap. 5, docs/method.md §9",
                                "default: ASEK 7.0 ch. 5, docs/method.md §9"),
    "valuation.horizon_years": ("standardvärde: docs/method.md §9", "default: docs/method.md §9"),
}
DEFAULT_ASSUMED = ("standardvärde, antagande (docs/method.md §9)",
                   "default, an assumption (docs/method.md §9)")



def _raw_at(raw: Any, path: str) -> Any:
    node = raw
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def source_of(path: str, raw: dict[str, Any], sources: dict[str, str], lang: str,
               in_file: bool = False) -> str:
    """The source of an input as shown in `lang`: the file's own (its "assumption:" prefix in the
    reader's language, `source_text`), "no source given", or the documented default's."""
    i = 0 if lang == "sv" else 1
    if path in sources:
        return source_text(str(sources[path]), lang)
    if in_file or _raw_at(raw, path) is not None:
        return word("no_source", lang)
    return DEFAULT_SOURCES.get(path, DEFAULT_ASSUMED)[i]


def assumptions(p: Programme, lang: str = "sv") -> pd.DataFrame:
    """The main assumptions behind the figures, with their values and sources."""
    sc, raw = p.scenario, p.raw
    sources = {path: src for path, _, src in collect_sources(raw)}
    sv = lang == "sv"
    val, cf, emp = sc.valuation, sc.counterfactual, sc.employment
    rows: list[tuple[str, str, str]] = []

    def add(path: str, value: str) -> None:
        rows.append((input_label(path, lang), value, source_of(path, raw, sources, lang)))

    add("valuation.value_per_year", kr(val.value_per_year, lang))
    add("valuation.horizon_years", years_text(val.horizon_years, lang))
    add("valuation.discount_rate", with_unit(val.discount_rate, "share", lang))
    if cf.reference is not None:
        add("counterfactual.reference", cf.reference)
    else:
        add("counterfactual.monthly_hazard", with_unit(cf.monthly_hazard or 0.0, "share", lang, 1))
        for k, gh in enumerate(cf.by_group):
            who = ", ".join(gh.when.values())
            rows.append(((f"… för {who}" if sv else f"… for {who}"),
                         with_unit(gh.monthly_hazard, "share", lang, 1),
                         source_of(f"counterfactual.by_group[{k}].monthly_hazard", raw,
                                    sources, lang, in_file=True)))
    ret = emp.retention
    if ret.share_at_12_months is not None:
        add("employment.retention.share_at_12_months", with_unit(ret.share_at_12_months, "share", lang))
    else:
        add("employment.retention.monthly_hazard", with_unit(ret.monthly_hazard or 0.0, "share", lang, 1))
    add("employment.extent", with_unit(emp.extent, "share", lang, 0))
    for path, value in (
        ("counterfactual.deadweight", cf.deadweight),
        ("counterfactual.displacement", cf.displacement),
        ("valuation.confidence_haircut", val.confidence_haircut),
        ("valuation.drop_off_per_year", val.drop_off_per_year),
        ("valuation.optimism_bias", val.optimism_bias),
    ):
        if value or _raw_at(raw, path) is not None:
            add(path, with_unit(value, "share", lang))
    shares = ", ".join(f"{actor_label(a, lang)} {with_unit(s, 'share', lang, 0)}"
                       for a, s in val.actor_shares.items())
    add("valuation.actor_shares", shares)
    return pd.DataFrame(rows, columns=[word("assumption", lang), word("value", lang),
                                       word("source", lang)])


def _cards(p: Programme, lang: str) -> str:
    s = summary_table(p.result).set_index("metric")
    out = []
    for key in KEY_FIGURES:
        if key not in s.index:
            continue
        r = s.loc[key]
        value = fmt(r["mean"], r["unit"], lang)
        if key in RUN_SHARES:
            spread = _t(lang, "simulerade körningar, antagandena fasta",
                        "simulated runs, assumptions fixed")
        elif key == "participants" and r["lo"] == r["hi"]:
            spread = _t(lang, "per körning", "per run")
        else:
            spread = "95 %: " + fmt_span(r["lo"], r["hi"], r["unit"], lang)
        tone = ""
        if key == "npv" and not math.isnan(r["mean"]):
            tone = " good" if r["mean"] > 0 else " bad"
        out.append(f'<div class="card{tone}" data-metric="{esc(key)}">'
                   f'<div class="k">{esc(figure_label(key, p.scenario, lang))}</div>'
                   f'<div class="v">{esc(value)}</div><div class="i">{esc(spread)}</div></div>')
    return f'<div class="cards">{"".join(out)}</div>'


def _key_table(programmes: list[Programme], lang: str) -> str:
    """Key figures of several programmes: mean, with the 95 % interval beneath. Under a verdict
    over parameter draws these are the figures at base values: the headers say so and the caption
    says why they are not the verdict's."""
    from model.report.agreement import base_values_caption
    from model.report.tables import BASE_VALUES

    sums = [summary_table(p.result).set_index("metric") for p in programmes]
    rows = []
    for key in KEY_FIGURES:
        if not all(key in s.index for s in sums):
            continue
        cells = [figure_label(key, programmes[0].scenario, lang)]
        for s in sums:
            r = s.loc[key]
            cell = fmt(r["mean"], r["unit"], lang)
            if key not in RUN_SHARES and not (key == "participants" and r["lo"] == r["hi"]):
                cell += f"  ({fmt_span(r['lo'], r['hi'], r['unit'], lang)})"
            cells.append(cell)
        rows.append(cells)
    psa = programmes[0].psa
    at = f" {_t(lang, *BASE_VALUES)}" if psa is not None else ""
    heads = [label("metric", lang), *[p.title + at for p in programmes]]
    caption = base_values_caption([p.result for p in programmes], psa, lang)
    return (html_table(heads, rows, numeric=set(range(1, len(heads))), cls="keyfigures")
            + (f'<p class="note keyfigures-caption">{esc(caption)}</p>' if caption else ""))


def _assumptions(p: Programme, lang: str) -> str:
    a = assumptions(p, lang)
    return html_table(list(a.columns), a.astype(str).values.tolist(), cls="assumptions")


def _interval_note(lang: str, reps: int) -> str:
    return _t(lang,
              f"Medel över {run_count(reps)}; 95 %-intervallet är 2,5:e till 97,5:e percentilen "
              "över körningarna, alltså spridningen i vad en genomförd omgång av programmet kan ge.",
              f"Mean over {run_count(reps, 'en')}; the 95 % interval is the 2.5th to 97.5th percentile over "
              "runs: the spread of what one round of the programme could give.")


def warnings_html(programmes: list[Programme], lang: str) -> str:
    """Each programme's gross-effect and double-counting warnings, where its result is shown."""
    out = []
    for p in programmes:
        for w in assumption_warnings(p.scenario, lang):
            who = f"{p.title}: " if len(programmes) > 1 else ""
            out.append(f'<p class="warning">{esc(who + w)}</p>')
    return "".join(out)


def _notes(page: Page) -> str:
    return (f'<p class="note">{esc(_interval_note(page.lang, page.reps))} '
            f'{esc(_t(page.lang, *RUNS_NOTE))}</p>')


def html(page: Page) -> str:
    lang = page.lang
    warnings = warnings_html(page.programmes, lang)
    from model.report.verdict import verdict

    results, psa = [p.result for p in page.programmes], page.programmes[0].psa
    if page.multi:
        sentence = verdict(results, psa, lang).text
        return (
            f'<p class="answer">{esc(sentence)}</p>' + warnings
            + f"<h3>{_t(lang, 'Nyckeltal', 'Key figures')}</h3>" + _key_table(page.programmes, lang)
            + _notes(page)
            + f"<h3>{_t(lang, 'Viktigaste antaganden', 'Main assumptions')}</h3>"
            + "".join(f"<h4>{esc(p.title)}</h4>{_assumptions(p, lang)}" for p in page.programmes))
    cards = _cards(page.first, lang)
    if psa is not None:  # under a verdict over draws the cards are the figures at base values
        from model.report.agreement import base_values_caption
        from model.report.tables import BASE_VALUES

        head = f"{_t(lang, 'Nyckeltal', 'Key figures')} {_t(lang, *BASE_VALUES)}"
        caption = base_values_caption(results, psa, lang) or ""
        cards = (f"<h3>{esc(head)}</h3>" + cards
                 + f'<p class="note keyfigures-caption">{esc(caption)}</p>')
    return (
        f'<p class="answer">{esc(verdict(results, psa, lang).text)}</p>' + warnings
        + cards + _notes(page)
        + f"<h3>{_t(lang, 'Viktigaste antaganden', 'Main assumptions')}</h3>"
        + _assumptions(page.first, lang))
