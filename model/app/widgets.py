"""The input fields of the page: each key input as a text field read by `model.app.typed` (a
decimal comma in Swedish, never rescaled), with its source, and marked when edited.

A field's value lives in the session as a number (`typed`), so that switching language shows
the same value in the other language's format; the text field is keyed by language.
"""

from __future__ import annotations

import streamlit as st

from model.app.inputs import Field
from model.app.typed import Unreadable, format_number, nobreak, parse_number
from model.report.text import in_lang


def _bounds_problem(f: Field, x: float, lang: str) -> str | None:
    if f.lo <= x <= f.hi:
        return None
    lo, hi = format_number(f.lo, lang, f.integer), format_number(f.hi, lang, f.integer)
    return in_lang(lang, f"utanför det tillåtna: mellan {lo} och {hi}",
                   f"outside what is allowed: between {lo} and {hi}")


def number_field(f: Field, widget: str, lang: str, file: str) -> tuple[float, str | None]:
    """One key input as a text field: (the value to use, in the shown unit; the problem when the
    text was refused). A refused text keeps the last value that was read, and says so."""
    typed = st.session_state.setdefault("typed", {})
    current, shown_in = typed.get(widget, (f.shown, lang))
    key = f"{widget}|{lang}"
    if key not in st.session_state or shown_in != lang:
        st.session_state[key] = format_number(current, lang, f.integer)
    help_text = f"{in_lang(lang, 'Källa', 'Source')}: {f.source(lang)}  \n`{f.path}`"
    text = st.text_input(f.label(lang), key=key, help=help_text)
    try:
        x = parse_number(text, lang)
        if f.integer and not float(x).is_integer():
            raise Unreadable(in_lang(lang, "ett helt antal: skriv utan decimaler",
                                     "a whole number: write it without decimals"))
        problem = _bounds_problem(f, x, lang)
        if problem:
            raise Unreadable(problem)
    except Unreadable as exc:
        message = (f"{file}: {f.path}: {exc} ({in_lang(lang, 'skrivet', 'typed')}: '{text}'); "
                   + in_lang(lang, f"räknar med {format_number(current, lang, f.integer)}",
                             f"computing with {format_number(current, lang, f.integer)}"))
        st.error(message)
        typed[widget] = (current, lang)
        return current, message
    typed[widget] = (x, lang)
    return x, None


def source_caption(f: Field, value: float, lang: str) -> None:
    """The input's source under its field; an edited input is marked, with the file's value and
    source kept beside."""
    src = f.source(lang)
    if float(f"{value:.10g}") == f.shown:
        st.caption(nobreak(f"{in_lang(lang, 'Källa', 'Source')}: {src}"))
        return
    was = format_number(f.shown, lang, f.integer)
    st.caption(nobreak(in_lang(lang, f"**Ändrad på sidan** (i filen: {was}; källa: {src})",
                               f"**Edited on the page** (in the file: {was}; source: {src})")))


def causes_first(problems: list) -> list:
    """An upload's problems with causes before their consequences: a misspelt key ("unknown key
    'routeing'; did you mean 'routing'?") comes first, directly followed by the missing field
    it explains ("routing: required field is missing"); the rest keep the loader's order."""
    def parent(path: str) -> str:
        return path.rsplit(".", 1)[0] if "." in path else ""

    unknown = [p for p in problems if p.message.startswith("unknown key")]
    out, placed = [], set()
    for cause in unknown:
        out.append(cause)
        placed.add(id(cause))
        meant = cause.message.split("did you mean '", 1)[-1].split("'", 1)[0] \
            if "did you mean '" in cause.message else None
        for p in problems:
            if (meant and id(p) not in placed and p.message == "required field is missing"
                    and parent(p.path) == parent(cause.path) and p.path.rsplit(".", 1)[-1] == meant):
                out.append(p)
                placed.add(id(p))
    return out + [p for p in problems if id(p) not in placed]


def problem_list(problems: list, lang: str) -> str:
    """The problems as a Markdown list, one a line, causes first."""
    n = len(problems)
    head = in_lang(lang, f"{n} problem i indata:", f"{n} problem{'s' if n != 1 else ''} in the input:")
    lines = [head, ""]
    for p in causes_first(problems):
        text = p.render(lang).replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")
        lines.append(f"- {text}")
    return "\n".join(lines)
