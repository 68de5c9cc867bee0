"""Who pays, who gains: the actor ledger (cost, real benefit, transfers, net), per actor and year."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from model.report.actor_view import actor_frame, actor_label_of, cofinancing_sentences
from model.report.page import Page, esc, html_table
from model.report.plots import (
    BENEFIT_COLOUR,
    COST_COLOUR,
    INK,
    TRANSFER_COLOUR,
    money_axis,
    styled,
    to_png,
)
from model.report.programme import Programme, years_text
from model.report.text import (
    actor_label,
    fmt_span,
    kr,
    label,
    number,
    view_text,
    with_unit,
    word,
)
from model.report.text import in_lang as _t
from model.results import interval
from model.scenario import FUNDERS

KEY = "actors"
TITLE = ("Vem betalar, vem vinner", "Who pays, who gains")

def actor_table(p: Programme) -> pd.DataFrame:
    """Per actor over the whole horizon (mean over runs): cost, revenue, transfers, net (PV).

    Columns: programme, actor, label, cost_pv, benefit_pv, transfers_pv, net_pv, net_pv_lo,
    net_pv_hi, cost, benefit, transfers, net. Actors with nothing at stake are left out.
    """
    led = p.result.priced.ledger
    cols = ["cost", "benefit", "transfers", "net", "cost_pv", "benefit_pv", "transfers_pv",
            "net_pv"]
    per_rep = led.groupby(["actor", "rep"])[cols].sum()
    rows = []
    for actor in FUNDERS:
        if actor not in per_rep.index.get_level_values("actor"):
            continue
        g = per_rep.loc[actor]
        if not np.any(np.abs(g.to_numpy()) > 1e-6):
            continue
        mean = g.mean()
        _, lo, hi, _ = interval(g["net_pv"])
        rows.append({"programme": p.name, "actor": actor, "label": actor_label(actor),
                     **{c: float(mean[c]) for c in ("cost_pv", "benefit_pv", "transfers_pv",
                                                    "net_pv")},
                     "net_pv_lo": lo, "net_pv_hi": hi,
                     **{c: float(mean[c]) for c in ("cost", "benefit", "transfers", "net")}})
    return pd.DataFrame(rows, columns=["programme", "actor", "label", "cost_pv", "benefit_pv",
                                       "transfers_pv", "net_pv", "net_pv_lo", "net_pv_hi", "cost",
                                       "benefit", "transfers", "net"])


def actor_year_table(p: Programme) -> pd.DataFrame:
    """Per actor and year (mean over runs), undiscounted and present value."""
    led = p.result.priced.ledger
    cols = ["cost", "benefit", "transfers", "net", "cost_pv", "benefit_pv", "transfers_pv",
            "net_pv"]
    mean = led.groupby(["actor", "year"], sort=False)[cols].mean().reset_index()
    keep = mean.groupby("actor")[cols].apply(lambda g: bool((g.abs() > 1e-6).any().any()))
    mean = mean[mean["actor"].map(keep)]
    mean.insert(0, "programme", p.name)
    return mean.reset_index(drop=True)


@styled
def ledger_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Per actor: cost, societal revenue and transfers (present value), net marked."""
    tables = [actor_table(p) for p in programmes]
    n = len(programmes)
    rows = max(len(t) for t in tables) if tables else 1
    fig, axes = plt.subplots(1, n, figsize=(9.5 if n == 1 else 5.2 * n, 1.2 + 0.62 * rows),
                             squeeze=False, sharex=True)
    for ax, p, t in zip(axes[0], programmes, tables, strict=True):
        y = np.arange(len(t))[::-1]
        h = 0.26
        ax.barh(y + h, -t["cost_pv"], height=h, color=COST_COLOUR,
                label=_t(lang, "kostnad", "cost"))
        ax.barh(y, t["benefit_pv"], height=h, color=BENEFIT_COLOUR,
                label=_t(lang, "samhällsintäkt", "societal revenue"))
        ax.barh(y - h, t["transfers_pv"], height=h, color=TRANSFER_COLOUR,
                label=_t(lang, "transfereringar", "transfers"))
        ax.scatter(t["net_pv"], y, marker="D", s=46, color=INK, zorder=5,
                   label=_t(lang, "netto", "net"))
        ax.axvline(0, color="#555555", linewidth=0.9)
        ax.set_yticks(y, [actor_label(a, lang) for a in t["actor"]])
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(money_axis(lang))
        years = years_text(p.scenario.valuation.horizon_years, lang)
        ax.set_xlabel(_t(lang, f"nuvärde inom {years}, medel över körningar",
                         f"present value within {years}, mean over runs"))
        if n > 1:
            ax.set_title(p.title, loc="left")
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=9,
               bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.08 if len(tables[0]) > 2 else 0.14, 1, 1))
    return to_png(fig)


def actor_rows(p: Programme, lang: str, spread: bool = True) -> tuple[list[str], list[list[str]]]:
    """The ledger's headings and rows as text: per actor, present values within the horizon
    (and the 95 % interval of the net over runs unless `spread` is off)."""
    t = actor_table(p)
    rows = []
    for r in t.itertuples():
        rows.append([actor_label(r.actor, lang), kr(r.cost_pv, lang), kr(r.benefit_pv, lang),
                     kr(r.transfers_pv, lang), kr(r.net_pv, lang)]
                    + ([fmt_span(r.net_pv_lo, r.net_pv_hi, "kr", lang)] if spread else []))
    years = years_text(p.scenario.valuation.horizon_years, lang)
    within = _t(lang, f"inom {years}", f"within {years}")
    heads = [word("actor", lang), word("cost_pv", lang),
             word("benefit_pv", lang).replace(_t(lang, "inom horisonten", "within the horizon"),
                                              within),
             word("transfers_pv", lang).replace(_t(lang, "inom horisonten", "within the horizon"),
                                                within),
             f"{word('net_pv', lang)}, {within}"] + ([label("interval", lang)] if spread else [])
    return heads, rows


def _actors(p: Programme, lang: str) -> str:
    heads, rows = actor_rows(p, lang)
    return html_table(heads, rows, numeric={1, 2, 3, 4, 5}, cls="actors")


@styled
def actor_view_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Per actor and view (1 and 5 years): what it puts in (cost + allowances it pays) against
    what comes back to it (real gain + transfers), both present values."""
    tables = [actor_frame(p.result) for p in programmes]
    n = len(programmes)
    rows = max((len(t) for t in tables), default=1)
    fig, axes = plt.subplots(1, n, figsize=(9.5 if n == 1 else 5.2 * n, 1.4 + 0.42 * rows),
                             squeeze=False, sharex=True)
    for ax, p, t in zip(axes[0], programmes, tables, strict=True):
        y = np.arange(len(t))[::-1]
        h = 0.38
        ax.barh(y + h / 2, -t["paid_pv"], height=h, color=COST_COLOUR,
                label=_t(lang, "insats (kostnad + ersättningar)", "put in (cost + allowances)"))
        ax.barh(y - h / 2, t["returned_pv"], height=h, color=BENEFIT_COLOUR,
                label=_t(lang, "tillbaka (real nytta + transfereringar)",
                         "returned (real gain + transfers)"))
        ax.scatter(t["net_pv"], y, marker="D", s=40, color=INK, zorder=5,
                   label=_t(lang, "netto", "net"))
        ax.axvline(0, color="#555555", linewidth=0.9)
        ax.set_yticks(y, [f"{actor_label(a, lang)}, {v.rstrip('y')} {_t(lang, 'år', 'y')}"
                          for a, v in zip(t["actor"], t["view"], strict=True)])
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(money_axis(lang))
        ax.set_xlabel(_t(lang, "kr, nuvärde, medel över körningar; kostnader för hela programmet",
                         "SEK, present value, mean over runs; costs for the whole programme"))
        if n > 1:
            ax.set_title(p.title, loc="left")
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="lower center", ncol=3, fontsize=9,
               bbox_to_anchor=(0.5, 0.0))
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    return to_png(fig)


def _views(p: Programme, lang: str) -> str:
    """Per actor and view: put in, real gain, transfers, net (PV), payback and never-share."""
    t = actor_frame(p.result)
    h = p.scenario.valuation.horizon_years
    rows = []
    for r in t.itertuples():
        back = "–" if np.isnan(r.payback_months) else number(r.payback_months, 0, lang)
        never = "–" if np.isnan(r.no_payback) else with_unit(r.no_payback, "share", lang, 0)
        if not r.pays:
            back, never = _t(lang, "betalar inget", "pays nothing"), "–"
        rows.append([actor_label(r.actor, lang), view_text(r.view, lang), kr(r.paid_pv, lang),
                     kr(r.real_pv, lang), kr(r.transfers_pv, lang), kr(r.net_pv, lang),
                     fmt_span(r.net_pv_lo, r.net_pv_hi, "kr", lang), back, never])
    heads = [word("actor", lang), _t(lang, "Vy", "View"),
             _t(lang, "Insats, hela programmet, nuvärde", "Put in, whole programme, PV"),
             _t(lang, "Real nytta inom vyn, nuvärde", "Real gain within the view, PV"),
             _t(lang, "Transfereringar inom vyn, nuvärde", "Transfers within the view, PV"),
             _t(lang, "Netto inom vyn, nuvärde", "Net within the view, PV"), label("interval", lang),
             actor_label_of("payback_months", "", h, lang) + _t(lang, " (mån)", " (months)"),
             actor_label_of("no_payback", "", h, lang)]
    text = "".join(f"<p>{esc(s)}</p>" for s in cofinancing_sentences(p.result, lang))
    return html_table(heads, rows, numeric={2, 3, 4, 5, 6, 7, 8}, cls="actor-views") + text


PLOTS = {"ledger": ledger_plot, "actor_views": actor_view_plot}


def html(page: Page) -> str:
    return page.plot(
        "ledger", ledger_plot,
        page.t("Kostnad, samhällsintäkt och transfereringar per aktör",
               "Cost, societal revenue and transfers per actor"),
        page.t("Negativt: aktören betalar; positivt: aktören vinner. Romben är aktörens netto.",
               "Negative: the actor pays; positive: the actor gains. The diamond is the actor's "
               "net.")) + page.each(_actors) + page.plot(
        "actor_views", actor_view_plot,
        page.t("Insats och vad som kommer tillbaka per aktör, 1 och 5 år",
               "Put in and returned per actor, 1 and 5 years"),
        page.t("Vänster: vad aktören sätter in (kostnad och ersättningar den betalar, hela "
               "programmet); höger: vad som kommer tillbaka inom vyn (real nytta och "
               "transfereringar). Nuvärden i kr. Transfereringar tar ut varandra över aktörerna.",
               "Left: what the actor puts in (cost and allowances it pays, whole programme); right: "
               "what comes back within the view (real gain and transfers). Present values in SEK. "
               "Transfers net to zero across actors.")) + page.each(_views)
