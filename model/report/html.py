"""The HTML report: one self-contained file (plots as base64 PNG, no network), Swedish by default.

Reading order: the answer in a sentence with the key figures and assumptions (one minute for a
planner), programmes side by side (for a folder), where participants go, cost against benefit
over time, who pays and who gains, how sure we are, the ESF budget case, the equity view (ESF
horizontal principles), the sensitivity analysis (with a sweep), and an appendix with every
input and its source, the scenario hash, seed and program version. Each section is a module of
`model.report.sections`; this file lays out the page around them.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path

from model import __version__
from model.io import write_text
from model.progress import Tick
from model.report.page import CSS, Page, esc
from model.report.programme import Programme
from model.report.sections import PLOTS, SECTIONS
from model.report.text import in_lang as _t
from model.report.text import run_count


def build_report(programmes: list[Programme], lang: str = "sv",
                 sweep_html: str | None = None, tick: Tick | None = None,
                 today: _dt.date | None = None) -> str:
    """The whole report as one HTML string (plots embedded as base64 PNG)."""
    page = Page(programmes, lang, tick or (lambda n=1: None), sweep_html)
    multi = page.multi
    first = page.first
    today = today or _dt.date.today()
    reps = page.reps
    toc, body = [], []
    for section in SECTIONS:
        part = section.html(page)
        if part is None:
            continue
        key, (sv, en) = section.KEY, section.TITLE
        title = _t(lang, sv, en)
        toc.append(f'<li><a href="#{key}">{esc(title)}</a></li>')
        body.append(f'<section id="{key}"><h2>{esc(title)}</h2>{part}</section>')
        page.tick(0)
    title = (" – ".join(p.title for p in programmes) if multi else first.title)
    kicker = _t(lang, "insats · samhällsekonomisk kalkyl", "insats · socioeconomic appraisal")
    meta = _t(lang,
              f"{run_count(reps)} · slumpfrö {first.result.run.seed} · insats {__version__} · "
              f"skapad {today.isoformat()}",
              f"{run_count(reps, 'en')} · seed {first.result.run.seed} · insats {__version__} · "
              f"made {today.isoformat()}")
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body><div class=\"page\">"
        f'<header class="top"><div class="kicker">{esc(kicker)}</div>'
        f"<h1>{esc(title)}</h1><p class=\"meta\">{esc(meta)}</p></header>"
        f'<nav class="toc"><strong>{_t(lang, "Innehåll", "Contents")}</strong>'
        f'<ol>{"".join(toc)}</ol></nav>'
        + "".join(body)
        + f"<footer>{esc(_footer(lang))}</footer></div></body></html>\n")


def _footer(lang: str) -> str:
    return _t(lang, "Framtagen med insats, en SimPy-modell av deltagare genom arbetsmarknadsinsatser. "
                    "Metod och standardvärden: docs/method.md.",
              "Made with insats, a SimPy model of participants through labour-market "
              "interventions. Method and defaults: docs/method.md.")


def write_report(programmes: list[Programme], out: str | Path, lang: str = "sv",
                 sweep_html: str | None = None, tick: Tick | None = None) -> Path:
    """Build the report and write it atomically to `out`."""
    return write_text(out, build_report(programmes, lang, sweep_html, tick))


def plot_count(sweep: bool = False) -> int:
    """How many plots the report draws (for the progress bar)."""
    return len(PLOTS) + (2 if sweep else 0)

