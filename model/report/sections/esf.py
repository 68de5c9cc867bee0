"""The ESF budget: how many participants must reach work, for how long, for the budget to pay back."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd

from model.economics import view_key
from model.report.page import Page, esc, html_table
from model.report.plots import PROGRAMME_COLOURS, money_axis, plain_axis, styled, to_png
from model.report.programme import Programme, horizon_view, views, years_text
from model.report.text import in_lang as _t
from model.report.text import kr, number, probability_percent, with_unit, word
from model.results import summary_row
from model.scenario import Scenario

KEY = "esf"
TITLE = ("ESF-budgeten: hur många måste lyckas?", "The ESF budget: how many must succeed?")

def months_in_work(sc: Scenario, years: float) -> float:
    """Expected months in the first job within a view, after an exit to work (retention rule)."""
    t = years * 12.0 - sc.employment.lag_months
    if t <= 0:
        return 0.0
    h = sc.employment.retention.hazard()
    return t if h == 0 else (1 - math.exp(-h * t)) / h


def esf_table(p: Programme, lang: str = "sv") -> pd.DataFrame:
    """Break-even per view: exits to work needed (of all participants), against those expected.
    The figure is re-priced as every view has it (`model.results.summary_row`): the share at
    which the mean NPV over the runs is 0, not the mean of each run's own break-even.

    Columns: programme, years, view, budget (cash, allowances included), esf_grant, societal_cost (the
    societal cost: allowances are transfers; with a tax factor, tax-financed costs times it),
    allowances, participants, needed, needed_lo, needed_hi,
    needed_share, expected, stay_months, p_pays (share of simulated runs with NPV > 0 in the
    view), reason. Amounts are undiscounted; the break-even and NPV are discounted. A break-even
    beyond reach (more exits than participants) is no number: needed and needed_share are NaN and
    `reason` says "not reachable within 1 year"; the interval is clipped to the participants.
    """
    from model.report import reach

    sc = p.scenario
    m = p.result.priced.metrics
    rows = []
    for years in views(sc):
        k = view_key(years)
        need = summary_row(m, f"breakeven_work_exits:{k}")  # re-priced: where the mean NPV is 0
        people = float(m["participants"].mean())
        share = summary_row(m, f"breakeven_work_share:{k}")[0]
        mean, lo, hi, why = reach.record(f"breakeven_work_exits:{k}", need[0], need[1], need[2],
                                         people, lang)
        if reach.unreachable(f"breakeven_work_share:{k}", share, people):
            mean, why = None, why or reach.unreachable_text(f"breakeven_work_exits:{k}", lang)
        nan = float("nan")
        need = (nan if mean is None else mean, nan if lo is None else lo, nan if hi is None else hi)
        rows.append({
            "programme": p.name, "years": years, "view": k,
            "budget": float(m["budget"].mean()), "esf_grant": float(m["esf_grant"].mean()),
            "societal_cost": float(m["cost"].mean()),
            "allowances": float(m["allowances"].mean()),
            "participants": float(m["participants"].mean()),
            "needed": need[0], "needed_lo": need[1], "needed_hi": need[2],
            "needed_share": nan if mean is None else share,
            "expected": float(m["exits_work"].mean()),
            "stay_months": months_in_work(sc, years),
            "p_pays": float((m[f"npv:{k}"] > 0).mean()),
            "reason": why,
        })
    return pd.DataFrame(rows)


def esf_sentence(p: Programme, lang: str = "sv", runs: bool = True) -> str:
    """'The budget of X kr pays back if at least N of M participants reach work and stay K months.'

    `runs=False` for the expected-value path (one expected run): no share of simulated runs."""
    sc = p.scenario
    t = esf_table(p, lang)
    row = t[t["view"] == horizon_view(sc)].iloc[0]
    n_need = math.ceil(row["needed"]) if not math.isnan(row["needed"]) else math.nan
    m_all = number(row["participants"], 0, lang)
    stay = number(row["stay_months"], 0, lang)
    years = years_text(row["years"], lang)
    prob = probability_percent(row["p_pays"], lang)
    ret = sc.employment.retention
    transfers = row["allowances"] > 0.5
    if lang == "sv":
        grant = (f", varav ESF-stöd {kr(row['esf_grant'], lang)}" if row["esf_grant"] > 0 else "")
        if transfers:
            grant += (f" (samhällets kostnad {kr(row['societal_cost'], lang)}: ersättningar till deltagare "
                      "är transfereringar)")
        grant += "," if grant else ""  # "Budgeten på X kr, varav ESF-stöd Y kr, betalar sig"
        if math.isnan(n_need):
            return (f"Budgeten på {kr(row['budget'], lang)}{grant} kan inte betala sig inom {years}, "
                    "hur många som än går till arbete.")
        keep = (f"{with_unit(ret.share_at_12_months, 'share', lang, 0)} kvar i arbete efter 12 "
                "månader" if ret.share_at_12_months is not None else
                f"{with_unit(ret.hazard(), 'share', lang, 1)} risk per månad att förlora arbetet")
        text = (f"Budgeten på {kr(row['budget'], lang)}{grant} betalar sig inom {years} om minst "
                f"{number(n_need, 0, lang)} av {m_all} deltagare går till arbete och stannar där i "
                f"genomsnitt {stay} månader (antagande: {keep}). ")
        if n_need > row["participants"]:
            text += "Det är fler än antalet deltagare: budgeten betalar sig inte inom horisonten. "
        text += f"Modellen väntar sig {number(row['expected'], 0, lang)} avslut till arbete"
        text += (f"; nettonuvärdet inom {years} är positivt i {prob} av de simulerade körningarna."
                 if runs else ".")
        return text
    grant = f", of which ESF grant {kr(row['esf_grant'], lang)}" if row["esf_grant"] > 0 else ""
    if transfers:
        grant += (f" (societal cost {kr(row['societal_cost'], lang)}: participants' allowances are "
                  "transfers)")
    grant += "," if grant else ""
    if math.isnan(n_need):
        return (f"The budget of {kr(row['budget'], lang)}{grant} cannot pay back within {years}, "
                "however many reach work.")
    keep = (f"{with_unit(ret.share_at_12_months, 'share', lang, 0)} still in work after 12 "
            "months" if ret.share_at_12_months is not None else
            f"a {with_unit(ret.hazard(), 'share', lang, 1)} monthly risk of losing the job")
    text = (f"The budget of {kr(row['budget'], lang)}{grant} pays back within {years} if at least "
            f"{number(n_need, 0, lang)} of {m_all} participants reach work and stay on average "
            f"{stay} months (assumed: {keep}). ")
    if n_need > row["participants"]:
        text += "That is more than the participants: the budget does not pay back in the horizon. "
    text += f"The model expects {number(row['expected'], 0, lang)} exits to work"
    text += (f"; the net present value within {years} is positive in {prob} of the simulated runs."
             if runs else ".")
    return text


@styled
def breakeven_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Exits to work against NPV per run, with the number of exits needed to break even."""
    fig, axes = plt.subplots(1, 1, figsize=(9.5, 3.9), squeeze=False)
    ax = axes[0][0]
    for i, p in enumerate(programmes):
        c = PROGRAMME_COLOURS[i % len(PROGRAMME_COLOURS)]
        m = p.result.priced.metrics
        ax.scatter(m["exits_work"], m["npv"], s=18, color=c, alpha=0.7, label=p.title,
                   edgecolor="none")
        row = esf_table(p).set_index("view").loc[horizon_view(p.scenario)]
        if not math.isnan(row["needed"]):
            ax.axvline(row["needed"], color=c, linestyle="--", linewidth=1.5)
            need = number(math.ceil(row["needed"]), 0, lang)
            ax.text(row["needed"], 0.98 - 0.08 * i, _t(lang, f" krävs: {need}", f" needed: {need}"),
                    transform=ax.get_xaxis_transform(), color=c, fontsize=9, va="top")
    ax.axhline(0, color="#555555", linewidth=0.9)
    most = max(float(p.result.priced.metrics["participants"].max()) for p in programmes)
    ax.set_xlim(0, max(most, 1.0))
    ax.yaxis.set_major_formatter(money_axis(lang))
    ax.xaxis.set_major_formatter(plain_axis(lang))
    ax.set_xlabel(_t(lang, "avslut till arbete per körning", "exits to work per run"))
    years = years_text(programmes[0].scenario.valuation.horizon_years, lang)
    ax.set_ylabel(_t(lang, f"nettonuvärde, {years}", f"net present value, {years}"))
    if len(programmes) > 1:
        ax.legend(fontsize=9, loc="lower right")
    fig.tight_layout()
    return to_png(fig)


def _esf(p: Programme, lang: str) -> str:
    t = esf_table(p, lang)
    rows = []
    for r in t.itertuples():
        need = "–" if math.isnan(r.needed) else number(math.ceil(r.needed), 0, lang)
        share = with_unit(r.needed_share, "share", lang)
        if r.reason and math.isnan(r.needed):  # beyond reach: words, not numbers
            need, share = r.reason, r.reason
        rows.append([years_text(r.years, lang), kr(r.budget, lang), kr(r.societal_cost, lang),
                     need if math.isnan(r.needed) else f"{need} / {number(r.participants, 0, lang)}",
                     share,
                     number(r.expected, 0, lang), number(r.stay_months, 0, lang),
                     probability_percent(r.p_pays, lang)])
    heads = [word("view", lang), word("budget", lang), word("societal_cost", lang), word("needed", lang),
             word("needed_share", lang), word("expected", lang), word("stay", lang),
             word("p_pays", lang)]
    return (f'<p class="esf">{esc(esf_sentence(p, lang))}</p>'
            + html_table(heads, rows, numeric={1, 2, 3, 4, 5, 6, 7}, cls="esf-table"))


PLOTS = {"breakeven": breakeven_plot}


def html(page: Page) -> str:
    from model.report.sections.summary import warnings_html

    return warnings_html(page.programmes, page.lang) + page.each(_esf) + page.plot(
        "breakeven", breakeven_plot,
        page.t("Avslut till arbete och nettonuvärde per körning",
               "Exits to work and net present value per run"),
        page.t("Körningar till höger om den streckade linjen har tillräckligt många avslut till "
               "arbete för att betala budgeten.",
               "Runs to the right of the dashed line have enough exits to work to pay the budget."))
