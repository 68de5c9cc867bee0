"""The Excel workbook (XlsxWriter): the report's tables as numbers with number formats, not text.

Sheets: about (scenario hash, seed, version), summary, ESF break-even, per actor, per actor and
year, per subgroup (sex × born), per run, per participant (only when asked: it is most of the
file), inputs with sources, and the sweep results when given. Every table is tidy (a
`programme` column when several programmes are shown) so that pandas reads it back as it was
written.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import __version__
from model.io import atomic_write
from model.progress import Tick
from model.report.actor_view import actor_sheet
from model.report.programme import (
    Programme,
    figure_label,
    metrics_table,
    ordered_summary,
    participants_table,
    units,
)
from model.report.sections.actors import actor_table, actor_year_table
from model.report.sections.appendix import inputs_table
from model.report.sections.equity import equity_table, group_label
from model.report.sections.esf import esf_table
from model.report.sections.summary import RUN_SHARES
from model.report.text import (
    RUNS_NOTE,
    WORDS,
    actor_label,
    in_lang,
    missing,
    number,
    view_text,
    word,
)
from model.scenario.assumptions import assumption_warnings

SHEETS: dict[str, tuple[str, str]] = {
    "about": ("Om", "About"),
    "summary": ("Sammanfattning", "Summary"),
    "esf": ("ESF-budget", "ESF budget"),
    "actors": ("Per aktör", "Per actor"),
    "actor_years": ("Per aktör och år", "Per actor and year"),
    "actor_views": ("Per aktör och vy", "Per actor and view"),
    "subgroups": ("Per delgrupp", "Per subgroup"),
    "runs": ("Per körning", "Per run"),
    "participants": ("Per deltagare", "Per participant"),
    "inputs": ("Indata", "Inputs"),
    "sweep": ("Känslighet", "Sweep"),
    "uncertainty": ("Parameterosäkerhet", "Parameter uncertainty"),
    "voi": ("Informationsvärde", "Value of information"),
}
EXCEL_ROWS = 1_048_576
# the About sheet's items (Swedish, English)
ABOUT_ITEMS: dict[str, tuple[str, str]] = {
    "title": ("titel", "title"), "file": ("fil", "file"),
    "scenario_hash": ("scenariots hash", "scenario_hash"), "seed": ("slumpfrö", "seed"),
    "replications": ("körningar", "replications"), "version": ("version", "version"),
    "participant_runs_in_workbook": ("körningar med deltagare i arbetsboken",
                                     "participant_runs_in_workbook"),
    "made": ("skapad", "made"),
}
# the About sheet's line when the per-participant sheet is left out (Swedish, English)
PARTICIPANTS_NOTE = ("inga: bladet per deltagare skrivs med `insats export … --participants`",
                     "none: the per-participant sheet is written with `insats export … --participants`")
# Swedish names of the sweep tables' sheets
SWEEP_SHEETS = {"overall": "översikt", "tornado": "tornado", "acceptability": "acceptans",
                "sobol": "Sobol", "points": "punkter"}


def about_item(key: str, lang: str = "sv") -> str:
    return in_lang(lang, *ABOUT_ITEMS[key])


def sheet_name(key: str, lang: str = "sv") -> str:
    return in_lang(lang, *SHEETS[key])


def number_formats(lang: str = "sv") -> dict[str, str]:
    """Excel number format per unit (Excel shows the separators of the reader's locale)."""
    months = '0.0 "mån"' if lang == "sv" else '0.0 "months"'
    return {
        "kr": '#,##0 "kr"',
        "share": "0.0%",
        "months": months,
        "person-years": "0.00",
        "participants": "0.0",
        "jobs": "0.0",
        "ratio": "0.00",
        "count": "0",
        "number": "General",
    }


# ---------------------------------------------------------------- tables as laid out in sheets


def summary_frame(programmes: list[Programme], lang: str = "sv") -> pd.DataFrame:
    """The verdict (`model.report.verdict`: its probability and sentence), then every summary row
    of every programme, with its label and note; the summary's own columns pass through as they
    are (new ones reach the sheet without a change here)."""
    from model.report import reach
    from model.report.verdict import verdict

    v = verdict([p.result for p in programmes], programmes[0].psa, lang)
    rows: list[dict] = [{"programme": v.programme, "label": in_lang(lang, "Slutsats", "Verdict"),
                         "metric": "verdict", "unit": "share", "mean": v.p, "note": v.text}]
    for p in programmes:
        people = float(p.result.priced.metrics["participants"].mean())
        h = p.scenario.valuation.horizon_years
        for r in ordered_summary(p.result).to_dict("records"):
            note = in_lang(lang, *RUNS_NOTE) if r["metric"] in RUN_SHARES else ""
            if reach.is_breakeven(r["metric"]):  # beyond reach: no number, the reason instead
                r["mean"], r["lo"], r["hi"], why = reach.record(r["metric"], r["mean"], r["lo"],
                                                               r["hi"], people, lang, h)
                if r["mean"] is None:
                    r["median"] = None
                note = why or note
            rows.append({"programme": p.name, "label": figure_label(r["metric"], p.scenario, lang),
                         **r, "note": note})
    return pd.DataFrame(rows)


# summary columns in the metric's own unit (the rest are plain numbers or text)
IN_UNIT = ("mean", "lo", "hi", "median", "mcse")


def _stacked(table: Callable[[Programme], pd.DataFrame], programmes: list[Programme]
             ) -> pd.DataFrame:
    """Each programme's table, one after the other (every table has its `programme` column)."""
    return pd.concat([table(p) for p in programmes], ignore_index=True)


def esf_frame(programmes: list[Programme], lang: str = "sv") -> pd.DataFrame:
    return _views_in_words(_stacked(lambda p: esf_table(p, lang), programmes), lang)


def _views_in_words(df: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The horizon column as people read it ("1 år", "5 years"), not the key ("1y")."""
    if "view" in df.columns:
        df = df.assign(view=[view_text(v, lang) if isinstance(v, str) and v else v for v in df["view"]])
    return df


def actor_frame(programmes: list[Programme], lang: str = "sv") -> pd.DataFrame:
    t = _stacked(actor_table, programmes)
    t["label"] = [actor_label(a, lang) for a in t["actor"]]
    return t


def actor_year_frame(programmes: list[Programme]) -> pd.DataFrame:
    return _stacked(actor_year_table, programmes)


def subgroup_frame(programmes: list[Programme], lang: str = "sv") -> pd.DataFrame:
    t = _stacked(equity_table, programmes)
    t["group"] = [group_label(g, lang) for g in t["group"]]
    return t


def inputs_frame(programmes: list[Programme], lang: str = "sv") -> pd.DataFrame:
    return _stacked(lambda p: inputs_table(p, lang), programmes)


# column -> unit, for the sheets whose columns have fixed units
ESF_UNITS = {"years": "number", "budget": "kr", "esf_grant": "kr", "societal_cost": "kr", "allowances": "kr",
             "participants": "participants",
             "needed": "participants", "needed_lo": "participants", "needed_hi": "participants",
             "needed_share": "share", "expected": "participants", "stay_months": "months",
             "p_pays": "share"}
ACTOR_UNITS = {k: "kr" for k in ("cost_pv", "benefit_pv", "transfers_pv", "net_pv", "net_pv_lo",
                                 "net_pv_hi", "cost", "benefit", "transfers", "net")}
ACTOR_YEAR_UNITS = {"year": "count", **{k: "kr" for k in (
    "cost", "benefit", "transfers", "net", "cost_pv", "benefit_pv", "transfers_pv", "net_pv")}}
SUBGROUP_UNITS = {
    "participants": "participants", "share_of_participants": "share", "share_of_months": "share",
    "months_in_programme": "months", "months_in_programme_lo": "months",
    "months_in_programme_hi": "months", "gap_months": "months", "months_waiting": "months",
    "share_work": "share", "share_work_lo": "share", "share_work_hi": "share",
    "gap_share_work": "share", "share_work_or_studies": "share",
    "gap_share_work_or_studies": "share"}
PARTICIPANT_UNITS = {"rep": "count", "participant_id": "count", "arrival_month": "months",
                     "exit_month": "months", "months_in_programme": "months",
                     "months_waiting": "months", "n_visits": "count"}

# the per-participant sheet's headers (Swedish, English); `months_in_<intervention>` columns
# are named by the intervention's label, the values (codes such as exit states) stay
PARTICIPANT_HEADERS: dict[str, tuple[str, str]] = {
    "rep": ("Körning", "Run"), "participant_id": ("Deltagare nr", "Participant no."),
    "programme": ("Program", "Programme"), "group": ("Grupp", "Group"), "sex": ("Kön", "Sex"),
    "born": ("Född", "Born"), "age_band": ("Åldersgrupp", "Age band"),
    "target_group": ("Målgrupp", "Target group"), "referral": ("Remitterad från", "Referred by"),
    "initial": ("Fanns vid start", "There at the start"),
    "arrival_month": ("Ankomstmånad", "Arrival month"), "status": ("Status", "Status"),
    "exit_state": ("Utfall", "Exit state"), "exit_category": ("Utfallets slag", "Exit category"),
    "exit_month": ("Avslutsmånad", "Exit month"),
    "months_in_programme": ("Månader i programmet", "Months in the programme"),
    "months_waiting": ("Månader i kö", "Months waiting"), "n_visits": ("Antal insatser", "Visits"),
    "last_intervention": ("Senaste insats", "Last intervention"),
}
RUN_HEADERS = {"rep": ("Körning", "Run"), "programme": ("Program", "Programme")}


def participant_headers(programmes: list[Programme], columns: list[str], lang: str
                        ) -> dict[str, str]:
    """The per-participant sheet's headers in `lang` (a column without a word keeps its name)."""
    labels = {iv.name: iv.label or iv.name for p in programmes for iv in p.scenario.interventions}
    out = {c: in_lang(lang, *PARTICIPANT_HEADERS[c]) for c in columns if c in PARTICIPANT_HEADERS}
    for c in columns:
        if c.startswith("months_in_") and c not in out:
            name = labels.get(c.removeprefix("months_in_"), c.removeprefix("months_in_"))
            out[c] = in_lang(lang, f"Månader i {name}", f"Months in {name}")
    return out


def run_headers(programmes: list[Programme], columns: list[str], lang: str) -> dict[str, str]:
    """The per-run sheet's headers: each metric by its label in `lang` (as the summary names it);
    a label shared by two columns (npv and npv:5y) or a metric without one also names its key."""
    out = {c: in_lang(lang, *RUN_HEADERS[c]) for c in columns if c in RUN_HEADERS}
    seen: set[str] = set(out.values())
    for c in columns:
        if c in out:
            continue
        sc = next((p.scenario for p in programmes if c in p.result.priced.metrics.columns),
                  programmes[0].scenario)
        text = figure_label(c, sc, lang)
        out[c] = text if text not in seen and text != c.partition(":")[0] else f"{text} ({c})"
        seen.add(out[c])
    return out


# column headers the report's WORDS do not give (Swedish, English): the ESF sheet's, and the
# uncertainty and value-of-information sheets' (figures over parameter draws)
HEADERS: dict[str, tuple[str, str]] = {
    "note": ("Anmärkning", "Note"),
    "esf_grant": ("ESF-stöd", "ESF grant"),
    "allowances": ("Ersättningar till deltagarna, odiskonterat", "Allowances to participants, undiscounted"),
    "reason": ("Skäl", "Reason"),
    "mcse": ("MCSE (Monte Carlo-medelfel)", "MCSE (Monte Carlo standard error)"),
    "n": ("Antal dragningar", "Number of draws"),
    "basis": ("Grund (runs: körningar, draws: dragningar)", "Basis (runs or draws)"),
    "other": ("Jämfört med", "Compared with"),
    "distinct_rows": ("Olika rader", "Distinct rows"),
    "effective_draws": ("Effektiva dragningar", "Effective draws"),
    "seed": ("Slumpfrö", "Seed"),
    "draws": ("Dragningar", "Draws"),
    "parameter": ("Parameter", "Parameter"),
    "kind": ("Slag", "Kind"),
    "per_decision": ("Per beslut", "Per decision"),
    "per_participant": ("Per deltagare", "Per participant"),
    "population": ("Framtida deltagare", "Future participants"),
    "scaled": ("För de framtida deltagarna", "For the future participants"),
    "options": ("Alternativ", "Options"),
    "rank": ("Rang", "Rank"),
    "value_per_year": ("Värde per personår", "Value per person-year"),
    "on_frontier": ("På fronten", "On the frontier"),
    "status": ("Dominans", "Dominance"),
    "effect_pv": ("Effekt, nuvärde", "Effect, present value"),
    "icer": ("Kostnad per effekt (ICER)", "Cost per effect (ICER)"),
}


def _header(col: str, lang: str) -> str:
    """A people's header for a column (the code name where the report has no word for it)."""
    names = {"label": word("metric", lang), "metric": word("key", lang), "unit": word("unit", lang),
             "years": word("view", lang) + (" (år)" if lang == "sv" else " (years)"),
             "needed": word("needed", lang), "needed_lo": word("needed", lang) + ", 2,5 %",
             "needed_hi": word("needed", lang) + ", 97,5 %", "stay_months": word("stay", lang),
             "p_pays": word("p_pays", lang)}
    if lang != "sv":
        names["needed_lo"] = word("needed", lang) + ", 2.5 %"
        names["needed_hi"] = word("needed", lang) + ", 97.5 %"
    if col in names:
        return names[col]
    if col in HEADERS:
        return in_lang(lang, *HEADERS[col])
    if col in WORDS:
        return word(col, lang)
    return col


class _Writer:
    """Writes DataFrames into sheets with one number format per unit."""

    def __init__(self, workbook: Any, lang: str):
        self.wb = workbook
        self.lang = lang
        self.head = workbook.add_format({"bold": True, "bg_color": "#EEF2F6", "bottom": 1,
                                         "text_wrap": True, "valign": "top"})
        self.fmt = {unit: workbook.add_format({"num_format": code})
                    for unit, code in number_formats(lang).items()}
        # a share strictly between 0 and 1 that "0.0%" would show as 100.0 % or 0.0 % (a
        # probability of 0,9996): more decimals, as `model.report.text.probability_percent` does
        self.fine_share = workbook.add_format({"num_format": "0.00###%"})

    def frame(self, title: str, df: pd.DataFrame, units: dict[str, str] | None = None,
              row_unit: Callable[[pd.Series], str] | None = None,
              row_unit_cols: tuple[str, ...] = (), headers: dict[str, str] | None = None,
              note: str | None = None, code_headers: bool = False) -> None:
        """One sheet: a header row, then the rows; NaN becomes an empty cell."""
        ws = self.wb.add_worksheet(title)
        units = units or {}
        cols = list(df.columns)
        first = 0
        if note:
            ws.write_string(0, 0, note)
            first = 2
        names = [str(col) if code_headers else (headers or {}).get(col, _header(col, self.lang))
                 for col in cols]
        for j, name in enumerate(names):
            ws.write_string(first, j, name, self.head)
        widths = [min(44, max(9, len(name) + 2)) for name in names]
        values = df.to_numpy(dtype=object)
        for i, row in enumerate(values):
            r = first + 1 + i
            unit_of_row = row_unit(df.iloc[i]) if row_unit is not None else None
            for j, v in enumerate(row):
                col = cols[j]
                unit = unit_of_row if col in row_unit_cols else units.get(col)
                self._cell(ws, r, j, v, unit)
                if isinstance(v, str) and i < 2000:
                    widths[j] = min(44, max(widths[j], len(v) + 2))
        for j, w in enumerate(widths):
            ws.set_column(j, j, w)
        ws.freeze_panes(first + 1, 0)
        if len(df):
            ws.autofilter(first, 0, first + len(df), len(cols) - 1)

    def _cell(self, ws: Any, r: int, j: int, v: Any, unit: str | None) -> None:
        if missing(v) or v is pd.NA:
            ws.write_blank(r, j, None)
        elif isinstance(v, bool | np.bool_):
            ws.write_boolean(r, j, bool(v))
        elif isinstance(v, int | float | np.integer | np.floating):
            f = float(v)
            if math.isinf(f):  # a ratio with nothing below it: "obegränsad", never "inf"
                ws.write_string(r, j, number(f, 0, self.lang))
            elif unit == "share" and 0.0 < f < 1.0 and round(f * 100, 1) in (0.0, 100.0):
                ws.write_number(r, j, f, self.fine_share)
            else:
                ws.write_number(r, j, f, self.fmt.get(unit or "number", self.fmt["number"]))
        else:
            ws.write_string(r, j, str(v))


def write_workbook(programmes: list[Programme], out: str | Path, lang: str = "sv",
                   sweep: dict[str, pd.DataFrame] | None = None,
                   tick: Tick | None = None, participants: bool = False) -> Path:
    """Write the workbook atomically; `sweep` maps a sheet title suffix to a tidy sweep table.

    The per-participant sheet (one row per simulated person and run) only with `participants`:
    for Grenverket it is 69 000 rows and 6,9 of the 7,3 MB; the About sheet says how to get it."""
    import xlsxwriter

    tick = tick or (lambda n=1: None)

    def build(tmp: Path) -> None:
        wb = xlsxwriter.Workbook(str(tmp), {"constant_memory": True, "nan_inf_to_errors": False})
        w = _Writer(wb, lang)
        people, kept = participants_table(programmes, EXCEL_ROWS - 10) if participants else (None, 0)
        about = []
        for p in programmes:
            meta = p.result.meta()
            items = {"title": p.title, "file": str(p.path), "scenario_hash": meta["scenario_hash"],
                     "seed": int(meta["seed"]), "replications": int(meta["replications"]),
                     "version": f"insats {__version__}", "participant_runs_in_workbook": int(kept)}
            about += [{"programme": p.name, "item": about_item(k, lang), "value": v}
                      for k, v in items.items()]
            about += [{"programme": p.name, "item": in_lang(lang, "varning", "warning"),
                       "value": text} for text in assumption_warnings(p.scenario, lang)]
        from model.report.sections.uncertainty import workbook_frames

        psa_sheets, sentences = workbook_frames(programmes, lang)
        about += [{"programme": "", "item": in_lang(lang, "osäkerhet", "uncertainty"), "value": t}
                  for t in sentences]
        if not participants:
            about.append({"programme": "", "item": about_item("participant_runs_in_workbook", lang),
                          "value": in_lang(lang, PARTICIPANTS_NOTE[0], PARTICIPANTS_NOTE[1])})
        about.append({"programme": "", "item": about_item("made", lang),
                      "value": _dt.date.today().isoformat()})
        w.frame(sheet_name("about", lang), pd.DataFrame(about), units={"value": "count"},
                headers={"item": "uppgift" if lang == "sv" else "item"})
        tick(1)
        summary = summary_frame(programmes, lang)
        w.frame(sheet_name("summary", lang), summary, row_unit=lambda r: r["unit"],
                row_unit_cols=tuple(c for c in IN_UNIT if c in summary.columns))
        for key, df in psa_sheets.items():
            w.frame(sheet_name(key, lang), df, units={"value_per_year": "kr", "effect_pv": "number",
                                                     "cost_pv": "kr", "icer": "kr"},
                    row_unit=lambda r: r["unit"],
                    row_unit_cols=tuple(c for c in ("mean", "lo", "hi", "median", "mcse",
                                                    "per_decision", "per_participant", "scaled")
                                        if c in df.columns))
        tick(1)
        w.frame(sheet_name("esf", lang), esf_frame(programmes, lang), units=ESF_UNITS)
        w.frame(sheet_name("actors", lang), actor_frame(programmes, lang), units=ACTOR_UNITS,
                headers={"actor": word("key", lang), "label": word("actor", lang)})
        w.frame(sheet_name("actor_years", lang), actor_year_frame(programmes), units=ACTOR_YEAR_UNITS)
        w.frame(sheet_name("actor_views", lang),
                _views_in_words(actor_sheet([p.result for p in programmes], lang), lang),
                row_unit=lambda r: r["unit"] or "number", row_unit_cols=("mean", "lo", "hi"))
        w.frame(sheet_name("subgroups", lang), subgroup_frame(programmes, lang), units=SUBGROUP_UNITS)
        tick(1)
        runs = metrics_table(programmes)
        runs = runs[["programme", *[k for k in runs.columns if k != "programme"]]]
        unit_of = {k: u for p in programmes for k, u in units(p).items()}
        unit_of["rep"] = "count"
        w.frame(sheet_name("runs", lang), runs, units=unit_of,
                headers=run_headers(programmes, list(runs.columns), lang))
        tick(1)
        if people is not None:
            month_cols = {k: "months" for k in people.columns if k.startswith("months_in_")}
            w.frame(sheet_name("participants", lang), people,
                    units={**PARTICIPANT_UNITS, **month_cols},
                    headers=participant_headers(programmes, list(people.columns), lang))
        tick(1)
        w.frame(sheet_name("inputs", lang), inputs_frame(programmes, lang))
        for name, df in (sweep or {}).items():
            tag, _, kind = name.rpartition(" ")
            kind = in_lang(lang, SWEEP_SHEETS.get(kind, kind), kind)
            title = re.sub(r"[\[\]:*?/\\]", "-",
                           f"{sheet_name('sweep', lang)} {tag + ' ' if tag else ''}{kind}")[:31]
            stats = tuple(k for k in ("mean", "lo", "hi", "median") if k in df.columns)
            if "unit" in df.columns and stats:
                w.frame(title, df, units=_sweep_units(df), row_unit=lambda r: r["unit"] or "number",
                        row_unit_cols=stats, code_headers=True)
            else:
                w.frame(title, df, units=_sweep_units(df), code_headers=True)
        tick(1)
        wb.close()

    return atomic_write(out, build)


WORKBOOK_STEPS = 6


def _sweep_units(df: pd.DataFrame) -> dict[str, str]:
    """Units of a sweep table's columns, from their names (probabilities, kronor, the rest plain)."""
    out = {}
    for col in df.columns:
        name = str(col)
        if name.startswith("P("):
            out[col] = "share"
        elif name in ("value_per_year", "swing", "base_value") or name.endswith(
                (" at low", " at high")):
            out[col] = "kr"
        else:
            out[col] = "number"
    return out
