"""Appendix: every input of each scenario file with its source, and the run's provenance."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from model.numbers import collect_sources, walk_inputs
from model.report.page import Page, esc, html_table
from model.report.programme import Programme
from model.report.sections.summary import _interval_note
from model.report.text import count, not_an_amount, number, source_text, word
from model.report.text import in_lang as _t

KEY = "appendix"
TITLE = ("Bilaga: indata, källor och körning", "Appendix: inputs, sources and run")

def inputs_table(p: Programme, lang: str = "sv") -> pd.DataFrame:
    """Every input of the scenario file: its path, value and source (from `collect_sources`).

    A joint group of calibrated sets (`uncertainty.joint`) is summarised, not listed row by row
    (500 sets of 6 values made the report 220 000 px tall): its number of rows, each column's
    range, and where the full sets are (`joint_summary`).
    Columns: programme, path, value (number or text), source ('' when none is given).
    """
    sources = {path: src for path, _, src in collect_sources(p.raw)}
    groups = _joint_groups(p.raw)
    done: set[str] = set()
    rows = []
    for path, leaf in walk_inputs(p.raw):
        group = next((g for g in groups if path.startswith((f"{g}.rows[", f"{g}.paths["))), None)
        if group is not None:
            if group not in done:
                done.add(group)
                rows += [{"programme": p.name, **r}
                         for r in joint_summary(groups[group], group, p.path.name, lang)]
            continue
        value = leaf["value"] if isinstance(leaf, dict) else leaf
        rows.append({"programme": p.name, "path": path, "value": value,
                     "source": source_text(sources.get(path, ""), lang)})
    return pd.DataFrame(rows, columns=["programme", "path", "value", "source"])


def _joint_groups(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The joint groups of a raw scenario by the path `walk_inputs` gives them."""
    block = raw.get("uncertainty") if isinstance(raw, dict) else None
    joint = block.get("joint") if isinstance(block, dict) else None
    out = {}
    for i, g in enumerate(joint if isinstance(joint, list) else []):
        if isinstance(g, dict) and isinstance(g.get("rows"), list) and isinstance(g.get("paths"), list):
            out[f"uncertainty.joint[{g.get('name') or i}]"] = g
    return out


def joint_summary(group: dict[str, Any], where: str, file: str, lang: str = "sv"
                  ) -> list[dict[str, Any]]:
    """Rows (path, value, source) that stand for a joint group's sets: how many, and per column
    (parameter path) the range over the sets; the source says where the full sets are."""
    values = np.asarray(group["rows"], dtype=float).reshape(len(group["rows"]), -1)
    n, k = values.shape
    full = _t(lang, f"alla {n} uppsättningar står i {file} under {where}.rows",
              f"all {n} sets are in {file} under {where}.rows")
    out = [{"path": f"{where}.rows",
            "value": _t(lang, f"{count(n, 'rad', 'rader', lang)} × {count(k, 'kolumn', 'kolumner', lang)}",
                        f"{count(n, 'row', 'rows', 'en')} × {count(k, 'column', 'columns', 'en')}"),
            "source": full}]
    for j, name in enumerate(group["paths"]):
        lo, hi = values[:, j].min(), values[:, j].max()
        out.append({"path": f"{where}.rows[*][{j}]: {name}",
                    "value": f"{value_text(float(lo), lang)} – {value_text(float(hi), lang)}",
                    "source": _t(lang, f"spann över de {n} uppsättningarna",
                                 f"range over the {n} sets")})
    return out


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
    inputs = inputs_table(p, lang)
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
