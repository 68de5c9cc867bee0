"""The HTML report: one self-contained file (plots as base64 PNG, no network), Swedish by default.

Reading order: the answer in a sentence with the key figures and assumptions (one minute for a
planner), programmes side by side (for a folder), where participants go, cost against benefit
over time, who pays and who gains, how sure we are, the ESF budget case, the equity view (ESF
horizontal principles), the sensitivity analysis (with a sweep), and an appendix with every
input and its source, the scenario hash, seed and program version.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import re
from collections.abc import Callable
from html import escape
from pathlib import Path

from model import __version__
from model.io import write_text
from model.progress import Tick
from model.report import content as c
from model.report.content import Programme, fmt, fmt_span, word
from model.report.tables import comparison, exit_rows
from model.report.text import actor_label, kr, label, number, with_unit
from model.report.text import in_lang as _t

CSS = """
:root { --ink:#1f2328; --muted:#5b636d; --line:#d9dee3; --soft:#f5f7f9; --accent:#0b5cad;
        --good:#1e7b45; --bad:#b03a2e; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; color:var(--ink); background:#fff;
       font: 15px/1.55 "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans",
             sans-serif; }
.page { max-width: 1060px; margin: 0 auto; padding: 28px 36px 60px; }
header.top { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
.kicker { color: var(--accent); font-weight: 600; letter-spacing: .04em; text-transform: uppercase;
          font-size: 12px; }
h1 { font-size: 30px; line-height: 1.2; margin: 6px 0 6px; }
h2 { font-size: 21px; margin: 38px 0 10px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
h4 { font-size: 14.5px; margin: 16px 0 6px; color: var(--muted); }
.meta { color: var(--muted); font-size: 13px; margin: 0; }
nav.toc { background: var(--soft); border: 1px solid var(--line); border-radius: 6px;
          padding: 10px 16px; font-size: 13.5px; margin: 10px 0 8px; }
nav.toc ol { margin: 4px 0; padding-left: 20px; columns: 2; }
nav.toc a { color: var(--accent); text-decoration: none; }
.answer { font-size: 18.5px; line-height: 1.5; background: #eef5fc; border-left: 5px solid
          var(--accent); padding: 14px 18px; border-radius: 0 6px 6px 0; margin: 14px 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px;
         margin: 8px 0 6px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 11px 14px 10px;
        background: #fff; }
.card .k { color: var(--muted); font-size: 12.5px; line-height: 1.3; min-height: 2.6em; }
.card .v { font-size: 21px; font-weight: 650; margin-top: 2px; white-space: nowrap; }
.card .i { color: var(--muted); font-size: 12px; margin-top: 2px; }
.card.good .v { color: var(--good); } .card.bad .v { color: var(--bad); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 6px; font-size: 13.5px; }
th, td { padding: 6px 9px; border-bottom: 1px solid var(--line); vertical-align: top;
         text-align: left; }
th { background: var(--soft); font-weight: 600; font-size: 12.5px; color: #333; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
tr.all td { font-weight: 600; background: #fafbfc; }
td.small, .small { font-size: 12px; color: var(--muted); }
.neg { color: var(--bad); } .pos { color: var(--good); }
figure { margin: 12px 0 16px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line);
             border-radius: 6px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
.note { color: var(--muted); font-size: 13px; }
.esf { font-size: 16.5px; background: #f1f8f3; border-left: 5px solid var(--good);
       padding: 12px 16px; border-radius: 0 6px 6px 0; }
.wrap { overflow-x: auto; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid
         var(--line); padding-top: 10px; }
@media print { .page { padding: 0; } nav.toc { display: none; } h2 { break-after: avoid; }
               figure { break-inside: avoid; } }
"""


_GROUPS = re.compile(r"(?<=\d) (?=\d{3}\b)")
_UNITS = re.compile(r"(?<=\d) (?=(?:kr|mån|personer|personår|jobb|år|SEK|months|people|person-years|"
                    r"jobs|years?|p\.e\.|pts)\b|%)")


def esc(text: object) -> str:
    """HTML-escaped text in which a number never breaks from its digits or its unit."""
    return escape(_UNITS.sub("\u00a0", _GROUPS.sub("\u00a0", str(text))))


def img(png: bytes, alt: str, caption: str, key: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure data-plot="{esc(key)}"><img src="data:image/png;base64,{data}" '
            f'alt="{esc(alt)}"><figcaption>{esc(caption)}</figcaption></figure>')


def html_table(heads: list[str], rows: list[list[str]], numeric: set[int] | None = None,
               row_class: list[str] | None = None, cls: str = "") -> str:
    numeric = numeric or set()
    th = "".join(f'<th class="n">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                 for i, h in enumerate(heads))
    body = []
    for k, r in enumerate(rows):
        rc = f' class="{row_class[k]}"' if row_class and row_class[k] else ""
        tds = "".join(f'<td class="n">{esc(str(v))}</td>' if i in numeric
                      else f"<td>{esc(str(v))}</td>" for i, v in enumerate(r))
        body.append(f"<tr{rc}>{tds}</tr>")
    return (f'<div class="wrap"><table class="{cls}"><thead><tr>{th}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


# ---------------------------------------------------------------- sections


def _cards(p: Programme, lang: str) -> str:
    s = c.summary_table(p.result).set_index("metric")
    out = []
    for key in c.KEY_FIGURES:
        if key not in s.index:
            continue
        r = s.loc[key]
        value = fmt(r["mean"], r["unit"], lang)
        if key == "pays_back":
            spread = _t(lang, "andel körningar med vinst", "share of runs that pay back")
        elif key == "participants" and r["lo"] == r["hi"]:
            spread = _t(lang, "per körning", "per run")
        else:
            spread = "95 %: " + fmt_span(r["lo"], r["hi"], r["unit"], lang)
        tone = ""
        if key == "npv" and not math.isnan(r["mean"]):
            tone = " good" if r["mean"] > 0 else " bad"
        out.append(f'<div class="card{tone}" data-metric="{esc(key)}">'
                   f'<div class="k">{esc(c.figure_label(key, p.scenario, lang))}</div>'
                   f'<div class="v">{esc(value)}</div><div class="i">{esc(spread)}</div></div>')
    return f'<div class="cards">{"".join(out)}</div>'


def _key_table(programmes: list[Programme], lang: str) -> str:
    """Key figures of several programmes: mean, with the 95 % interval beneath."""
    sums = [c.summary_table(p.result).set_index("metric") for p in programmes]
    rows = []
    for key in c.KEY_FIGURES:
        if not all(key in s.index for s in sums):
            continue
        cells = [c.figure_label(key, programmes[0].scenario, lang)]
        for s in sums:
            r = s.loc[key]
            cell = fmt(r["mean"], r["unit"], lang)
            if key != "pays_back" and not (key == "participants" and r["lo"] == r["hi"]):
                cell += f"  ({fmt_span(r['lo'], r['hi'], r['unit'], lang)})"
            cells.append(cell)
        rows.append(cells)
    heads = [label("metric", lang), *[p.title for p in programmes]]
    return html_table(heads, rows, numeric=set(range(1, len(heads))), cls="keyfigures")


def _assumptions(p: Programme, lang: str) -> str:
    a = c.assumptions(p, lang)
    return html_table(list(a.columns), a.astype(str).values.tolist(), cls="assumptions")


def _compare(programmes: list[Programme], lang: str) -> tuple[str, str]:
    """The side-by-side table (tables.compare_rows) and the one-sentence conclusion."""
    rows, heads, sentence = comparison([p.result for p in programmes], lang)
    return html_table(heads, rows, numeric=set(range(1, len(heads) - 1)), cls="compare"), sentence


def _exits(p: Programme, lang: str) -> str:
    rows, heads = exit_rows(p.result.outcomes["exits"], lang)
    return html_table(heads, rows, numeric={2, 3, 4})


def _actors(p: Programme, lang: str) -> str:
    t = c.actor_table(p)
    rows = []
    for r in t.itertuples():
        rows.append([actor_label(r.actor, lang), kr(r.cost_pv, lang), kr(r.benefit_pv, lang),
                     kr(r.transfers_pv, lang), kr(r.net_pv, lang),
                     fmt_span(r.net_pv_lo, r.net_pv_hi, "kr", lang)])
    heads = [word("actor", lang), word("cost_pv", lang), word("benefit_pv", lang),
             word("transfers_pv", lang), word("net_pv", lang), label("interval", lang)]
    return html_table(heads, rows, numeric={1, 2, 3, 4, 5}, cls="actors")


def _esf(p: Programme, lang: str) -> str:
    t = c.esf_table(p)
    rows = []
    for r in t.itertuples():
        need = "–" if math.isnan(r.needed) else number(math.ceil(r.needed), 0, lang)
        rows.append([c.years_text(r.years, lang), kr(r.budget, lang),
                     f"{need} / {number(r.participants, 0, lang)}",
                     with_unit(r.needed_share, "share", lang),
                     number(r.expected, 0, lang), number(r.stay_months, 0, lang),
                     with_unit(r.p_pays, "share", lang, 0)])
    heads = [word("view", lang), word("budget", lang), word("needed", lang),
             word("needed_share", lang), word("expected", lang), word("stay", lang),
             word("p_pays", lang)]
    return (f'<p class="esf">{esc(c.esf_sentence(p, lang))}</p>'
            + html_table(heads, rows, numeric={1, 2, 3, 4, 5, 6}, cls="esf-table"))


def _equity(p: Programme, lang: str) -> str:
    t = c.equity_table(p)
    if len(t) <= 2:  # one group: it is all participants
        t = t[t["group"] == "(all)"]
    rows, classes = [], []
    for r in t.itertuples():
        is_all = r.group == "(all)"
        gap_w = "" if is_all else f"{number(r.gap_share_work * 100, 1, lang)} " + _t(
            lang, "p.e.", "pts")
        gap_m = "" if is_all else with_unit(r.gap_months, "months", lang)
        rows.append([c.group_label(r.group, lang), number(r.participants, 1, lang),
                     with_unit(r.share_of_months, "share", lang),
                     with_unit(r.months_in_programme, "months", lang), gap_m,
                     with_unit(r.share_work, "share", lang),
                     fmt_span(r.share_work_lo, r.share_work_hi, "share", lang), gap_w,
                     with_unit(r.share_work_or_studies, "share", lang)])
        classes.append("all" if is_all else "")
    heads = [word("group", lang), word("participants", lang), word("share_of_months", lang),
             word("months_in_programme", lang), word("gap_months", lang), word("share_work", lang),
             label("interval", lang), word("gap_share_work", lang),
             word("share_work_or_studies", lang)]
    return (f"<p>{esc(c.equity_sentence(p, lang))}</p>"
            + html_table(heads, rows, numeric=set(range(1, 9)), row_class=classes, cls="equity"))


def _appendix(p: Programme, lang: str) -> str:
    meta = p.result.meta()
    mrows = [[_t(lang, "Scenariofil", "Scenario file"), str(p.path)],
             [_t(lang, "Scenario", "Scenario"), f"{p.title} ({meta['scenario']})"],
             [_t(lang, "Scenariots hash", "Scenario hash"), meta["scenario_hash"]],
             [_t(lang, "Slumpfrö", "Seed"), meta["seed"]],
             [_t(lang, "Körningar (replikeringar)", "Runs (replications)"), meta["replications"]],
             [_t(lang, "Programversion", "Program version"), f"insats {meta['version']}"]]
    inputs = c.inputs_table(p)
    rows = [[r.path, c.value_text(r.value, lang, r.path), r.source or "–"] for r in inputs.itertuples()]
    n_src = int((inputs["source"] != "").sum())
    note = _t(lang, f"{len(inputs)} indata, varav {n_src} med angiven källa. Värden som inte står "
                    "i filen har programmets standardvärden (docs/method.md §9).",
              f"{len(inputs)} inputs, {n_src} of them with a source. Values not in the file take "
              "the program's defaults (docs/method.md §9).")
    return (html_table([_t(lang, "Uppgift", "Item"), word("value", lang)], mrows, cls="meta")
            + f'<p class="note">{esc(note)}</p>'
            + html_table([word("path", lang), word("value", lang), word("source", lang)], rows,
                         cls="inputs"))


# ---------------------------------------------------------------- the page


SECTIONS = [
    ("summary", "Sammanfattning", "Summary"),
    ("compare", "Programmen sida vid sida", "The programmes side by side"),
    ("flows", "Var deltagarna tar vägen", "Where participants go"),
    ("payback", "Kostnad och samhällsintäkt över tid", "Cost and societal revenue over time"),
    ("actors", "Vem betalar, vem vinner", "Who pays, who gains"),
    ("spread", "Hur säkra är vi?", "How sure are we?"),
    ("esf", "ESF-budgeten: hur många måste lyckas?", "The ESF budget: how many must succeed?"),
    ("equity", "Jämställdhet och likabehandling", "Equality and equal treatment"),
    ("sweep", "Känslighetsanalys", "Sensitivity analysis"),
    ("appendix", "Bilaga: indata, källor och körning", "Appendix: inputs, sources and run"),
]


def build_report(programmes: list[Programme], lang: str = "sv",
                 sweep_html: str | None = None, tick: Tick | None = None,
                 today: _dt.date | None = None) -> str:
    """The whole report as one HTML string (plots embedded as base64 PNG)."""
    from model.report import plots

    tick = tick or (lambda n=1: None)
    multi = len(programmes) > 1
    first = programmes[0]
    today = today or _dt.date.today()

    def plot(key: str, fn: Callable[[list[Programme], str], bytes], alt: str, cap: str) -> str:
        out = img(fn(programmes, lang), alt, cap, key)
        tick(1)
        return out

    def each(render: Callable[[Programme, str], str]) -> str:
        if not multi:
            return render(first, lang)
        return "".join(f"<h3>{esc(p.title)}</h3>{render(p, lang)}" for p in programmes)

    reps = first.result.run.replications
    parts: dict[str, str] = {}
    if multi:
        table, sentence = _compare(programmes, lang)
        parts["summary"] = (
            f'<p class="answer">{esc(sentence)}</p>'
            + f"<h3>{_t(lang, 'Nyckeltal', 'Key figures')}</h3>" + _key_table(programmes, lang)
            + f'<p class="note">{esc(_interval_note(lang, reps))}</p>'
            + f"<h3>{_t(lang, 'Viktigaste antaganden', 'Main assumptions')}</h3>"
            + "".join(f"<h4>{esc(p.title)}</h4>{_assumptions(p, lang)}" for p in programmes))
        parts["compare"] = (
            f"<p>{esc(_t(lang, 'Alla program körs med samma slumpfrö, så att de möter samma deltagare; skillnaden A − B är parad per körning.', 'All programmes run on the same seed and so meet the same participants; the difference A − B is paired by run.'))}</p>"  # noqa: E501
            + table)
    else:
        parts["summary"] = (
            f'<p class="answer">{esc(c.answer(first, lang))}</p>' + _cards(first, lang)
            + f'<p class="note">{esc(_interval_note(lang, reps))}</p>'
            + f"<h3>{_t(lang, 'Viktigaste antaganden', 'Main assumptions')}</h3>"
            + _assumptions(first, lang))
    parts["flows"] = plot(
        "flows", plots.flows_plot,
        _t(lang, "Flöden från intag genom insatserna till avslut",
           "Flows from intake through the interventions to exits"),
        _t(lang, "Varje stapel visar vart deltagarna går efter ett steg (medel per körning); "
                 "den nedersta visar slutligt utfall.",
           "Each bar shows where participants go after a step (mean per run); the bottom bar "
           "shows the final outcome.")) + each(_exits)
    parts["payback"] = plot(
        "cumulative", plots.cumulative_plot,
        _t(lang, "Ackumulerad kostnad mot ackumulerad diskonterad samhällsintäkt",
           "Cumulative cost against cumulative discounted societal revenue"),
        _t(lang, "Linjerna är medel över körningarna, skuggningen 95 %-intervallet. Punkten visar "
                 "när samhällsintäkten har betalat kostnaden.",
           "Lines are means over runs, shading the 95 % interval. The dot marks when the "
           "societal revenue has paid the cost.")) + each(_payback_text)
    parts["actors"] = plot(
        "ledger", plots.ledger_plot,
        _t(lang, "Kostnad, samhällsintäkt och transfereringar per aktör",
           "Cost, societal revenue and transfers per actor"),
        _t(lang, "Negativt: aktören betalar; positivt: aktören vinner. Romben är aktörens netto.",
           "Negative: the actor pays; positive: the actor gains. The diamond is the actor's net.")
    ) + each(_actors)
    parts["spread"] = plot(
        "npv", plots.npv_plot,
        _t(lang, "Fördelning av nettonuvärdet över körningarna",
           "Distribution of the net present value over runs"),
        _t(lang, "Varje körning är ett möjligt utfall av programmet med samma antaganden. "
                 "Spridningen visar slumpen i vilka som deltar och hur det går för dem, inte "
                 "osäkerheten i antagandena: den visar känslighetsanalysen.",
           "Each run is one possible outcome of the programme under the same assumptions. The "
           "spread shows chance in who takes part and how they fare, not uncertainty in the "
           "assumptions: the sensitivity analysis shows that.")
    ) + each(_spread_text)
    parts["esf"] = each(_esf) + plot(
        "breakeven", plots.breakeven_plot,
        _t(lang, "Avslut till arbete och nettonuvärde per körning",
           "Exits to work and net present value per run"),
        _t(lang, "Körningar till höger om den streckade linjen har tillräckligt många avslut till "
                 "arbete för att betala budgeten.",
           "Runs to the right of the dashed line have enough exits to work to pay the budget."))
    parts["equity"] = (
        f"<p>{esc(_t(lang, 'ESF:s horisontella principer: deltagare, resurser (månader i programmet) och utfall per kön och födelseland, med skillnaden mot alla deltagare.', 'ESF horizontal principles: participants, resources (months in the programme) and outcomes by sex and country of birth, with the gap to all participants.'))}</p>"  # noqa: E501
        + each(_equity))
    if plots.has_groups(programmes):
        parts["equity"] += plot(
            "equity", plots.equity_plot,
            _t(lang, "Andel till arbete och månader i programmet per grupp",
               "Share to work and months in the programme by group"),
            _t(lang, "Strecken visar 95 %-intervallet över körningarna.",
               "Whiskers show the 95 % interval over runs."))
    if sweep_html is not None:
        parts["sweep"] = sweep_html
    parts["appendix"] = (
        f'<p class="note">{esc(_interval_note(lang, reps))}</p>' + each(_appendix))

    toc, body = [], []
    for key, sv, en in SECTIONS:
        if key not in parts:
            continue
        title = _t(lang, sv, en)
        toc.append(f'<li><a href="#{key}">{esc(title)}</a></li>')
        body.append(f'<section id="{key}"><h2>{esc(title)}</h2>{parts[key]}</section>')
        tick(0)
    title = (" – ".join(p.title for p in programmes) if multi else first.title)
    kicker = _t(lang, "insats · samhällsekonomisk kalkyl", "insats · socioeconomic appraisal")
    meta = _t(lang,
              f"{reps} körningar · slumpfrö {first.result.run.seed} · insats {__version__} · "
              f"skapad {today.isoformat()}",
              f"{reps} runs · seed {first.result.run.seed} · insats {__version__} · "
              f"made {today.isoformat()}")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><div class=\"page\">"
        f'<header class="top"><div class="kicker">{esc(kicker)}</div>'
        f"<h1>{esc(title)}</h1><p class=\"meta\">{esc(meta)}</p></header>"
        f'<nav class="toc"><strong>{_t(lang, "Innehåll", "Contents")}</strong>'
        f'<ol>{"".join(toc)}</ol></nav>'
        + "".join(body)
        + f"<footer>{esc(_footer(lang))}</footer></div></body></html>\n")


def _interval_note(lang: str, reps: int) -> str:
    return _t(lang,
              f"Medel över {reps} körningar; 95 %-intervallet är 2,5:e till 97,5:e percentilen "
              "över körningarna, alltså spridningen i vad en genomförd omgång av programmet kan ge.",
              f"Mean over {reps} runs; the 95 % interval is the 2.5th to 97.5th percentile over "
              "runs: the spread of what one round of the programme could give.")


def _footer(lang: str) -> str:
    return _t(lang, "Framtagen med insats, en SimPy-modell av deltagare genom arbetsmarknadsinsatser. "
                    "Metod och standardvärden: docs/method.md.",
              "Made with insats, a SimPy model of participants through labour-market "
              "interventions. Method and defaults: docs/method.md.")


def _payback_text(p: Programme, lang: str) -> str:
    s = c.summary_table(p.result).set_index("metric")
    r = s.loc["payback_months"]
    got = p.result.priced.metrics["payback_months"].notna().mean()
    if math.isnan(r["mean"]):
        text = _t(lang, "Programmet betalar sig inte inom horisonten i någon körning.",
                  "The programme does not pay back within the horizon in any run.")
    else:
        text = _t(lang,
                  f"Återbetalningstid: i medel {with_unit(r['mean'], 'months', lang)} "
                  f"(95 %: {fmt_span(r['lo'], r['hi'], 'months', lang)}) i de "
                  f"{with_unit(got, 'share', lang, 0)} av körningarna där den nås.",
                  f"Payback time: on average {with_unit(r['mean'], 'months', lang)} "
                  f"(95 %: {fmt_span(r['lo'], r['hi'], 'months', lang)}) in the "
                  f"{with_unit(got, 'share', lang, 0)} of runs where it is reached.")
    return f"<p>{esc(text)}</p>"


def _spread_text(p: Programme, lang: str) -> str:
    s = c.summary_table(p.result).set_index("metric")
    npv, pays = s.loc["npv"], s.loc["pays_back", "mean"]
    bcr = s.loc["bcr"]
    text = _t(lang,
              f"Nettonuvärdet är i medel {kr(npv['mean'], lang)} (95 %: "
              f"{fmt_span(npv['lo'], npv['hi'], 'kr', lang)}); nytta/kostnad "
              f"{number(bcr['mean'], 2, lang)} ({fmt_span(bcr['lo'], bcr['hi'], 'ratio', lang)}). "
              f"Kalkylen går med vinst i {with_unit(pays, 'share', lang, 0)} av körningarna.",
              f"The net present value is on average {kr(npv['mean'], lang)} (95 %: "
              f"{fmt_span(npv['lo'], npv['hi'], 'kr', lang)}); benefit-cost ratio "
              f"{number(bcr['mean'], 2, lang)} ({fmt_span(bcr['lo'], bcr['hi'], 'ratio', lang)}). "
              f"It pays back in {with_unit(pays, 'share', lang, 0)} of runs.")
    return f"<p>{esc(text)}</p>"


def write_report(programmes: list[Programme], out: str | Path, lang: str = "sv",
                 sweep_html: str | None = None, tick: Tick | None = None) -> Path:
    """Build the report and write it atomically to `out`."""
    return write_text(out, build_report(programmes, lang, sweep_html, tick))


def plot_count(sweep: bool = False) -> int:
    """How many plots the report draws (for the progress bar)."""
    from model.report.plots import PLOTS

    return len(PLOTS) + (2 if sweep else 0)

