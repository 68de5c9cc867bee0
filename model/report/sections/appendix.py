"""Appendix: every input of each scenario file with its source, and the run's provenance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from model.numbers import collect_sources, walk_inputs
from model.report.page import Page, esc, html_table
from model.report.programme import Programme
from model.report.sections.summary import _interval_note
from model.report.text import in_lang as _t
from model.report.text import not_an_amount, number, word

KEY = "appendix"
TITLE = ("Bilaga: indata, källor och körning", "Appendix: inputs, sources and run")

def inputs_table(p: Programme) -> pd.DataFrame:
    """Every input of the scenario file: its path, value and source (from `collect_sources`).

    Columns: programme, path, value (number or text), source ('' when none is given).
    """
    sources = {path: src for path, _, src in collect_sources(p.raw)}
    rows = []
    for path, leaf in walk_inputs(p.raw):
        value = leaf["value"] if isinstance(leaf, dict) else leaf
        rows.append({"programme": p.name, "path": path, "value": value,
                     "source": sources.get(path, "")})
    return pd.DataFrame(rows, columns=["programme", "path", "value", "source"])


def value_text(value: Any, lang: str = "sv", path: str = "") -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if not_an_amount(path):
        return str(value)  # a year or a seed: 2007, not "2 007"
    if isinstance(value, int):
        return number(value, 0, lang)
    if isinstance(value, float):
        exponent = Decimal(repr(value)).normalize().as_tuple().exponent
        decimals = min(8, max(0, -int(exponent))) if isinstance(exponent, int) else 0
        return number(value, decimals, lang)
    return str(value)


def _appendix(p: Programme, lang: str) -> str:
    meta = p.result.meta()
    mrows = [[_t(lang, "Scenariofil", "Scenario file"), str(p.path)],
             [_t(lang, "Scenario", "Scenario"), f"{p.title} ({meta['scenario']})"],
             [_t(lang, "Scenariots hash", "Scenario hash"), meta["scenario_hash"]],
             [_t(lang, "Slumpfrö", "Seed"), meta["seed"]],
             [_t(lang, "Körningar (replikeringar)", "Runs (replications)"), meta["replications"]],
             [_t(lang, "Programversion", "Program version"), f"insats {meta['version']}"]]
    inputs = inputs_table(p)
    rows = [[r.path, value_text(r.value, lang, r.path), r.source or "–"]
            for r in inputs.itertuples()]
    n_src = int((inputs["source"] != "").sum())
    note = _t(lang, f"{len(inputs)} indata, varav {n_src} med angiven källa. Värden som inte står "
                    "i filen har programmets standardvärden (docs/method.md §9).",
              f"{len(inputs)} inputs, {n_src} of them with a source. Values not in the file take "
              "the program's defaults (docs/method.md §9).")
    return (html_table([_t(lang, "Uppgift", "Item"), word("value", lang)], mrows, cls="meta")
            + f'<p class="note">{esc(note)}</p>'
            + html_table([word("path", lang), word("value", lang), word("source", lang)], rows,
                         cls="inputs"))


def html(page: Page) -> str:
    return f'<p class="note">{esc(_interval_note(page.lang, page.reps))}</p>' + page.each(_appendix)
