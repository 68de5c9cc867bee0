"""The report's sections in reading order, each a module with its tables, sentence, plot and captions.

A section module has `KEY` (the HTML anchor), `TITLE` (Swedish, English), `html(page)` (the
section's body, or None when it has nothing to show) and, if it draws any, `PLOTS` (key -> plot
function). Tables are plain DataFrames without formatting, so the workbook (`model.report.excel`)
reads the same ones. `model.report.html.build_report` loops over `SECTIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from model.report.programme import Programme
from model.report.sections import (
    actors,
    appendix,
    compare,
    equity,
    esf,
    flows,
    payback,
    sensitivity,
    spread,
    summary,
    uncertainty,
)

SECTIONS: tuple[ModuleType, ...] = (summary, uncertainty, compare, flows, payback, actors, spread,
                                     esf, equity,
                                     sensitivity, appendix)

PLOTS: dict[str, Callable[[list[Programme], str], bytes]] = {
    key: fn for section in SECTIONS for key, fn in getattr(section, "PLOTS", {}).items()}
