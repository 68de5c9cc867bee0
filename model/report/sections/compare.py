"""Programmes side by side (a folder only): the `insats compare` table, paired by run."""

from __future__ import annotations

from model.report.page import Page, esc, html_table
from model.report.programme import Programme
from model.report.tables import comparison
from model.report.text import in_lang as _t

KEY = "compare"
TITLE = ("Programmen sida vid sida", "The programmes side by side")

def _compare(programmes: list[Programme], lang: str) -> tuple[str, str]:
    """The side-by-side table (tables.compare_rows) and the one-sentence conclusion."""
    rows, heads, sentence = comparison([p.result for p in programmes], lang)
    return html_table(heads, rows, numeric=set(range(1, len(heads) - 1)), cls="compare"), sentence


def html(page: Page) -> str | None:
    if not page.multi:
        return None
    lang = page.lang
    table, _ = _compare(page.programmes, lang)
    return (
        f"<p>{esc(_t(lang, 'Alla program körs med samma slumpfrö, så att de möter samma deltagare; skillnaden A − B är parad per körning.', 'All programmes run on the same seed and so meet the same participants; the difference A − B is paired by run.'))}</p>"  # noqa: E501
        + table)
