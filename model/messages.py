"""Messages in the reader's language: the code writes problems, notes and refusals in English,
and they are put into Swedish only when printed (`translate(text, "sv")`), from the pairs in
`model.message_catalogue`. Paths, field names, values and quoted source text stay as written.

How a text is looked up, first hit wins:
1. `EXACT`: a fixed English text and its Swedish form.
2. `PATTERNS`: an English text with `{}` where a value goes (a path, a number, a name, or a
   whole message that is itself looked up again), and its Swedish form with `{0}`, `{1}`, ...
   naming the values in the English order (so that Swedish may put them in another order).
   A pattern with more fixed text is tried before one with less.
3. A text made of parts joined by "; ", ". " or ": " is looked up part by part (so a message
   with an added hint needs no pair of its own when the message and the hint have theirs); a
   part that is one word (a name or path before "name: message") stays as written.

Pydantic's own messages are patterns too (the section `PYDANTIC` of the catalogue, one per
error `type`, in pydantic's words after `model.scenario.problems._plain`).

To add a message: add its pair to `EXACT` or `PATTERNS` in `model/message_catalogue.py`, e.g.
`("no scenario named '{}' in {}", "inget scenario som heter '{0}' i {1}")`, and run
`pytest tests/test_lang_messages.py`, which fails for a message the code can write that has no
Swedish form.
"""

from __future__ import annotations

import re
from functools import lru_cache

from model.message_catalogue import EXACT, KINDS, PATTERNS, PYDANTIC

_SEPARATORS = ("; ", ". ", ": ")
_SLOT = re.compile(r"\{(\d)\}")  # a value's place in a Swedish form (other braces are text)


@lru_cache(maxsize=1)
def _compiled() -> list[tuple[re.Pattern[str], str]]:
    """Every pattern as a regex with one group a `{}`, the most specific (most fixed text) first."""
    out = []
    for english, swedish in [*PATTERNS, *PYDANTIC]:
        parts = english.split("{}")
        regex = "(.+?)".join(re.escape(p) for p in parts)
        out.append((len(english) - 2 * (len(parts) - 1), re.compile(regex, re.S), swedish))
    out.sort(key=lambda t: -t[0])
    return [(r, s) for _, r, s in out]


def swedish(text: str, depth: int = 0) -> str | None:
    """The Swedish form of `text`, or None when the catalogue has none for the whole of it."""
    if text in EXACT:
        return EXACT[text]
    if depth > 4 or not text.strip():
        return None
    for regex, sv in _compiled():
        m = regex.fullmatch(text)
        if m:
            return _fill(sv, [_value(g, depth) for g in m.groups()])
    for sep in _SEPARATORS:
        start = 0
        while (i := text.find(sep, start)) > 0:
            head, tail = text[:i], text[i + len(sep):]
            start = i + 1
            a = head if " " not in head else swedish(head, depth + 1)  # a name stays
            if a is None:
                continue
            b = swedish(tail, depth + 1)
            if b is not None:
                return f"{a}{sep}{b}"
    return None


def _fill(swedish_form: str, values: list[str]) -> str:
    return _SLOT.sub(lambda k: values[int(k.group(1))], swedish_form)


def _value(value: str, depth: int) -> str:
    """A value in a pattern: a kind of name (KINDS) or a message of its own is translated,
    anything else stays."""
    if value in KINDS:
        return KINDS[value]
    if not any(c.isalpha() for c in value) or " " not in value:
        return value
    found = swedish(value, depth + 1)
    if found is not None:
        return found
    for sep in _SEPARATORS:  # a value that ends in a hint ("0.99; if the source rounded ...")
        i = value.find(sep)
        while i > 0:
            tail = swedish(value[i + len(sep):], depth + 1)
            if tail is not None:
                return value[:i] + sep + tail
            i = value.find(sep, i + 1)
    return value


def translate(text: str, lang: str) -> str:
    """`text` in `lang`: Swedish from the catalogue under "sv" (as written if it has no pair)."""
    if lang != "sv":
        return text
    found = swedish(text)
    return text if found is None else found
