"""The reader's language: Swedish or English text, picked where it is printed. A module of its
own, importing nothing, so that the CLI picks words without loading the report layer."""

from __future__ import annotations


def in_lang(lang: str, sv: str, en: str) -> str:
    """The Swedish text, or the English one when `lang` is not "sv"."""
    return sv if lang == "sv" else en
