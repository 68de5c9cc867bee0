"""Programmes side by side (a folder only): the `insats compare` table with every interval, the
verdict, and what the columns and the shares of runs mean."""

from __future__ import annotations

from model.report.page import Page, esc, html_table
from model.report.tables import compare_notes, compare_rows, comparison
from model.report.text import in_lang as _t

KEY = "compare"
TITLE = ("Programmen sida vid sida", "The programmes side by side")


def html(page: Page) -> str | None:
    if not page.multi:
        return None
    lang = page.lang
    from model.report.agreement import notes as base_value_notes
    from model.report.verdict import cohort_sentence, verdict

    results, psa = [p.result for p in page.programmes], page.programmes[0].psa
    cmp = comparison(results)
    at_base = psa is not None  # the verdict is over draws: this is one cohort at base values
    rows, heads = compare_rows(cmp, lang, wide=True, letters=False, base_values=at_base)
    n = len(page.programmes)
    better = set() if at_base else set(range(len(heads) - (1 if n == 2 else n - 1), len(heads)))
    table = html_table(heads, rows, numeric=set(range(1, len(heads))) - better, cls="compare")
    intro = _t(lang, "Alla program körs med samma slumpfrö, så att de möter samma deltagare; "
                     "skillnaden mot det första programmet är parad per körning.",
               "All programmes run on the same seed and so meet the same participants; the "
               "difference from the first programme is paired by run.")
    notes = "".join(f'<p class="note">{esc(t)}</p>' for t in compare_notes(cmp, lang, at_base)
                    if not t.startswith(("Varning", "Warning")))
    notes += "".join(f'<p class="warning">{esc(t)}</p>' for t in base_value_notes(results, psa, lang))
    said = (f'<p>{esc(cohort_sentence(results, lang))}</p>' if at_base
            else f'<p class="answer">{esc(verdict(results, None, lang).text)}</p>')
    return f"<p>{esc(intro)}</p>" + table + said + notes
