"""Numbers as a planner types and reads them on the page: a decimal comma and spaces between
thousands in Swedish (`0,647`, `19 400`, `1 400 000`), a decimal point in English.

Streamlit's number field only knows the decimal point and reads `0,8` as `8` without a word, so
the page uses text fields and reads them here. What cannot be read unambiguously is refused with
the message a scenario file gets for the same habit (`model.scenario.habits.number_hint`), never
rescaled. Amounts shown keep their digits and unit together (no-break spaces).
"""

from __future__ import annotations

import math
import re

from model.scenario.habits import number_hint

NBSP = "\u00a0"  # no-break space: a field or a sentence never breaks "1 400 000 kr" across lines
SPACES = " \u00a0\u202f\u2009"
_GROUPED = re.compile(r"-?\d{1,3}(?:[" + SPACES + r"]\d{3})+(?:[.,]\d+)?")
_PLAIN = re.compile(r"-?\d+(?:[.,]\d+)?|-?[.,]\d+")
_EN_GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
# digits, an amount's grouping space, or the space before its unit: made no-break
_AMOUNT_SPACE = re.compile(r"(?<=\d)[ \u202f](?=\d{3}(?!\d))|(?<=\d)[ \u202f](?=(?:kr|Mkr|MSEK|%|mån|"
                           r"months?|år|years?|personår|person-years?|procentenheter|points)\b|%)")


class Unreadable(ValueError):
    """A typed text that is not a number the page can read without guessing; the message says
    what to write instead."""


def parse_number(text: str, lang: str = "sv") -> float:
    """The number in `text` as typed in this language; Unreadable says why not.

    Swedish: `0,8` and `0.8` are both 0.8 (a decimal comma, or the point a file uses), thousands
    may be grouped with spaces (`1 400 000`). English: a decimal point, thousands grouped with
    commas or spaces; `0,8` is refused with the file's message ("use a decimal point: 0.8").
    A minus sign may be typed as − or -.
    """
    s = text.strip().replace("\u2212", "-").replace("\u2013", "-")
    if s.endswith("%"):
        s = s[:-1].rstrip()
    if not s:
        raise Unreadable("empty: type a number" if lang == "en" else "tomt: skriv ett tal")
    if lang == "sv":
        if re.fullmatch(r"-?[1-9]\d{0,2}\.\d{3}", s):  # 1.400: a thousand or one and four tenths?
            whole, frac = s.split(".")
            raise Unreadable(f"oklart om punkten skiljer tusental eller decimaler: skriv "
                             f"{whole},{frac.rstrip('0') or '0'} eller {whole} {frac}")
        if _GROUPED.fullmatch(s) or _PLAIN.fullmatch(s):
            return float(re.sub("[" + SPACES + "]", "", s).replace(",", "."))
    else:
        if _EN_GROUPED.fullmatch(s):
            return float(s.replace(",", ""))
        if _GROUPED.fullmatch(s) and "," not in s:
            return float(re.sub("[" + SPACES + "]", "", s))
        if _PLAIN.fullmatch(s) and "," not in s:
            return float(s)
        hint = number_hint(s)
        if hint is not None:
            raise Unreadable(hint)
    raise Unreadable(in_words(lang))


def in_words(lang: str) -> str:
    return ("write a number, e.g. 0.8 or 1,400,000" if lang == "en" else
            "skriv ett tal, t.ex. 0,8 eller 1 400 000")


def format_number(value: float, lang: str = "sv", integer: bool = False) -> str:
    """A value as the page's field shows it: up to six significant decimals, no trailing zeros,
    thousands grouped (a no-break space in Swedish, a comma in English), a decimal comma in
    Swedish (`0,647`, `19 400`, `1 400 000`)."""
    if integer or float(value).is_integer():
        whole = f"{round(value):,}"
        return whole.replace(",", NBSP) if lang == "sv" else whole
    digits = max(0, 6 - max(0, math.floor(math.log10(abs(value))) + 1)) if value else 0
    text = f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    if lang == "sv":
        text = text.replace(",", NBSP).replace(".", ",")
    return text


def nobreak(text: str) -> str:
    """`text` with the spaces inside amounts and between an amount and its unit made no-break,
    so that "23 697 000 kr" never breaks across lines."""
    return _AMOUNT_SPACE.sub(NBSP, text)
