"""The HTML page's parts: inline CSS, escaping, tables, embedded plots, and the `Page` sections share.

Everything shown goes through `esc` (html.escape, with numbers kept on one line), whether it comes
from the model or from a scenario or sweep file.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from model.progress import Tick
from model.report.programme import Programme
from model.report.text import in_lang

CSS = """
:root { --ink:#1f2328; --muted:#5b636d; --line:#d9dee3; --soft:#f5f7f9; --accent:#0b5cad;
        --good:#1e7b45; --bad:#b03a2e; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin:0; color:var(--ink); background:#fff;
       font: 15px/1.55 "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", "DejaVu Sans",
             sans-serif; }
.page { max-width: 1060px; margin: 0 auto; padding: 28px 36px 60px; }
header.top { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
.kicker { color: var(--accent); font-weight: 600; letter-spacing: .04em; text-transform: uppercase;
          font-size: 12px; }
h1 { font-size: 30px; line-height: 1.2; margin: 6px 0 6px; }
h2 { font-size: 21px; margin: 38px 0 10px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
h4 { font-size: 14.5px; margin: 16px 0 6px; color: var(--muted); }
.meta { color: var(--muted); font-size: 13px; margin: 0; }
nav.toc { background: var(--soft); border: 1px solid var(--line); border-radius: 6px;
          padding: 10px 16px; font-size: 13.5px; margin: 10px 0 8px; }
nav.toc ol { margin: 4px 0; padding-left: 20px; columns: 2; }
nav.toc a { color: var(--accent); text-decoration: none; }
.answer { font-size: 18.5px; line-height: 1.5; background: #eef5fc; border-left: 5px solid
          var(--accent); padding: 14px 18px; border-radius: 0 6px 6px 0; margin: 14px 0 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px;
         margin: 8px 0 6px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 11px 14px 10px;
        background: #fff; }
.card .k { color: var(--muted); font-size: 12.5px; line-height: 1.3; min-height: 2.6em; }
.card .v { font-size: 21px; font-weight: 650; margin-top: 2px; white-space: nowrap; }
.card .i { color: var(--muted); font-size: 12px; margin-top: 2px; }
.card.good .v { color: var(--good); } .card.bad .v { color: var(--bad); }
table { border-collapse: collapse; width: 100%; margin: 8px 0 6px; font-size: 13.5px; }
th, td { padding: 6px 9px; border-bottom: 1px solid var(--line); vertical-align: top;
         text-align: left; }
th { background: var(--soft); font-weight: 600; font-size: 12.5px; color: #333; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
tr.all td { font-weight: 600; background: #fafbfc; }
td.small, .small { font-size: 12px; color: var(--muted); }
.neg { color: var(--bad); } .pos { color: var(--good); }
figure { margin: 12px 0 16px; }
figure img { display: block; max-width: 100%; height: auto; border: 1px solid var(--line);
             border-radius: 6px; }
figcaption { color: var(--muted); font-size: 13px; margin-top: 6px; }
.note { color: var(--muted); font-size: 13px; }
.warning { background: #fdf3e7; border-left: 5px solid #c76b00; padding: 10px 14px;
           border-radius: 0 6px 6px 0; margin: 10px 0; font-size: 14px; }
.esf { font-size: 16.5px; background: #f1f8f3; border-left: 5px solid var(--good);
       padding: 12px 16px; border-radius: 0 6px 6px 0; }
.wrap { overflow-x: auto; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid
         var(--line); padding-top: 10px; }
@media print { .page { padding: 0; } nav.toc { display: none; } h2 { break-after: avoid; }
               figure { break-inside: avoid; } }
"""


_GROUPS = re.compile(r"(?<=\d) (?=\d{3}\b)")
_UNITS = re.compile(r"(?<=\d) (?=(?:kr|mån|personer|personår|jobb|år|SEK|months|people|person-years|"
                    r"jobs|years?|p\.e\.|pts)\b|%)")


def esc(text: object) -> str:
    """HTML-escaped text in which a number never breaks from its digits or its unit."""
    return escape(_UNITS.sub("\u00a0", _GROUPS.sub("\u00a0", str(text))))


def img(png: bytes, alt: str, caption: str, key: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure data-plot="{esc(key)}"><img src="data:image/png;base64,{data}" '
            f'alt="{esc(alt)}"><figcaption>{esc(caption)}</figcaption></figure>')


def html_table(heads: list[str], rows: list[list[str]], numeric: set[int] | None = None,
               row_class: list[str] | None = None, cls: str = "") -> str:
    numeric = numeric or set()
    th = "".join(f'<th class="n">{esc(h)}</th>' if i in numeric else f"<th>{esc(h)}</th>"
                 for i, h in enumerate(heads))
    body = []
    for k, r in enumerate(rows):
        rc = f' class="{row_class[k]}"' if row_class and row_class[k] else ""
        tds = "".join(f'<td class="n">{esc(str(v))}</td>' if i in numeric
                      else f"<td>{esc(str(v))}</td>" for i, v in enumerate(r))
        body.append(f"<tr{rc}>{tds}</tr>")
    return (f'<div class="wrap"><table class="{cls}"><thead><tr>{th}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')



@dataclass
class Page:
    """What every section renders from: the programmes, the language, the progress tick and the
    sensitivity part read from sweep folders (if any)."""

    programmes: list[Programme]
    lang: str
    tick: Tick
    sweep_html: str | None = None

    @property
    def multi(self) -> bool:
        return len(self.programmes) > 1

    @property
    def first(self) -> Programme:
        return self.programmes[0]

    @property
    def reps(self) -> int:
        return self.first.result.run.replications

    def t(self, sv: str, en: str) -> str:
        return in_lang(self.lang, sv, en)

    def plot(self, key: str, fn: Callable[[list[Programme], str], bytes], alt: str,
             cap: str) -> str:
        """A plot of every programme, embedded as a figure with its caption."""
        out = img(fn(self.programmes, self.lang), alt, cap, key)
        self.tick(1)
        return out

    def each(self, render: Callable[[Programme, str], str]) -> str:
        """A part rendered once per programme, under its title when there are several."""
        if not self.multi:
            return render(self.first, self.lang)
        return "".join(f"<h3>{esc(p.title)}</h3>{render(p, self.lang)}" for p in self.programmes)
