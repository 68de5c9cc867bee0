"""`insats costs` as text: one table per target group, amounts per person-year, sources as notes."""

from __future__ import annotations

import textwrap

import pandas as pd

from model.report.text import actor_label, in_lang, pick, table, with_unit

KIND_LABELS: dict[str, tuple[str, str]] = {
    "production": ("produktion", "production"),
    "resource": ("resurs", "resource"),
    "transfer": ("transferering", "transfer"),
}
WHEN_LABELS: dict[str, tuple[str, str]] = {
    "in_work": ("i arbete", "in work"),
    "out_of_work": ("utanför arbete", "out of work"),
}
BASIS_LABELS: dict[str, tuple[str, str]] = {
    "fte": ("per heltid", "per FTE"),
    "head": ("per person", "per person"),
}


def unit_cost_rows(rows: pd.DataFrame, lang: str = "sv") -> tuple[list[str], list[list[str]]]:
    """The heads and rows of one group's components as `insats costs` and the page show them
    (the last column is the source, left to the caller: a note number or the text)."""
    body = []
    for r in rows.itertuples():
        body.append([
            r.label if lang == "sv" else r.component,
            pick(KIND_LABELS, r.kind, lang), pick(WHEN_LABELS, r.when, lang),
            pick(BASIS_LABELS, r.basis, lang),
            actor_label(r.payer, lang) if pd.notna(r.payer) else "–",
            actor_label(r.payee, lang) if pd.notna(r.payee) else "–",
            with_unit(r.per_year, "kr", lang), str(r.price_year), r.source,
        ])
    heads = [in_lang(lang, "Komponent", "Component"), in_lang(lang, "Slag", "Kind"),
             in_lang(lang, "När", "When"), in_lang(lang, "Bas", "Basis"),
             in_lang(lang, "Betalar", "Payer"), in_lang(lang, "Tar emot", "Payee"),
             in_lang(lang, "Per år", "Per year"), in_lang(lang, "Prisår", "Price year"),
             in_lang(lang, "Källa", "Source")]
    return heads, body


def unit_costs_text(df: pd.DataFrame, lang: str = "sv", width: int = 100) -> str:
    """Each group's components as a table; the sources follow as numbered notes."""
    parts = []
    for group, rows in df.groupby("group", sort=False):
        heads, body = unit_cost_rows(rows, lang)
        notes: list[str] = []
        for row in body:
            notes.append(row[-1])
            row[-1] = f"[{len(notes)}]"
        title = f"{group}: " + in_lang(lang, "belopp per person och år", "amounts per person-year")
        lines = [title, "", table(body, heads), "", in_lang(lang, "Källor:", "Sources:")]
        for i, note in enumerate(notes, start=1):
            lines.append(textwrap.fill(note, width=width, initial_indent=f"[{i}] ",
                                       subsequent_indent="    ", break_on_hyphens=False,
                                       break_long_words=False))
        parts.append("\n".join(lines))
    if not parts:
        return in_lang(lang, "Inga enhetskostnader.", "No unit costs.")
    return "\n\n\n".join(parts)
