"""Cost and societal revenue over time: cumulative discounted cost against benefit, and payback."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import MultipleLocator

from model.report.page import Page, esc
from model.report.plots import BENEFIT_COLOUR, COST_COLOUR, INK, money_axis, styled, to_png
from model.report.programme import Programme, summary_table, years_text
from model.report.text import fmt_span, number, with_unit
from model.report.text import in_lang as _t

KEY = "payback"
TITLE = ("Kostnad och samhällsintäkt över tid", "Cost and societal revenue over time")

def cumulative(p: Programme) -> pd.DataFrame:
    """Month by month: mean cumulative discounted cost and benefit, with 95 % bands over runs."""
    fl = p.result.priced.flows
    wide_c = fl.pivot_table(index="month", columns="rep", values="cost_pv", fill_value=0.0)
    wide_b = fl.pivot_table(index="month", columns="rep", values="benefit_pv", fill_value=0.0)
    cc, cb = wide_c.cumsum(), wide_b.cumsum()
    out = pd.DataFrame({"month": cc.index.to_numpy() + 1.0})
    out["cost"] = cc.mean(axis=1).to_numpy()
    out["cost_lo"] = cc.quantile(0.025, axis=1).to_numpy()
    out["cost_hi"] = cc.quantile(0.975, axis=1).to_numpy()
    out["benefit"] = cb.mean(axis=1).to_numpy()
    out["benefit_lo"] = cb.quantile(0.025, axis=1).to_numpy()
    out["benefit_hi"] = cb.quantile(0.975, axis=1).to_numpy()
    return out


def payback(p: Programme) -> tuple[float, float]:
    """The programme's one payback figure: mean months to payback within the headline horizon
    (discounted) over the runs that pay back, and the share of runs that do not."""
    s = summary_table(p.result).set_index("metric")
    return float(s.loc["payback_months", "mean"]), float(s.loc["no_payback", "mean"])


@styled
def cumulative_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Cumulative discounted cost against cumulative discounted benefit, payback marked."""
    n = len(programmes)
    fig, axes = plt.subplots(1, n, figsize=(9.5 if n == 1 else 5.2 * n, 4.4), squeeze=False,
                             sharey=True)
    for ax, p in zip(axes[0], programmes, strict=True):
        cum = cumulative(p)
        horizon = p.scenario.valuation.horizon_years * 12
        cum = cum[cum["month"] <= max(horizon, 12) + 12]
        x = cum["month"].to_numpy()
        ax.fill_between(x, cum["benefit_lo"], cum["benefit_hi"], color=BENEFIT_COLOUR, alpha=0.15,
                        linewidth=0)
        ax.fill_between(x, cum["cost_lo"], cum["cost_hi"], color=COST_COLOUR, alpha=0.12,
                        linewidth=0)
        ax.plot(x, cum["benefit"], color=BENEFIT_COLOUR, linewidth=2.2,
                label=_t(lang, "Samhällsintäkt (nuvärde), ackumulerad",
                         "Societal revenue (present value), cumulative"))
        ax.plot(x, cum["cost"], color=COST_COLOUR, linewidth=2.2,
                label=_t(lang, "Kostnad (nuvärde), ackumulerad", "Cost (present value), cumulative"))
        pb, _ = payback(p)
        if not math.isnan(pb):
            yv = float(np.interp(pb, x, cum["cost"].to_numpy()))
            ax.plot([pb], [yv], "o", color=INK, markersize=7, zorder=5)
            ax.annotate(_t(lang, f"Återbetalningstid {number(pb, 1, lang)} mån",
                           f"Payback time {number(pb, 1, lang)} months"),
                        (pb, yv), xytext=(14, 34), textcoords="offset points", fontsize=9,
                        bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "#BBBBBB",
                              "lw": 0.6},
                        arrowprops={"arrowstyle": "-", "color": INK, "lw": 0.8})
        else:
            ax.text(0.02, 0.95, _t(lang, "Ingen återbetalning inom horisonten",
                                   "No payback within the horizon"),
                    transform=ax.transAxes, fontsize=9, va="top")
        ax.axvline(horizon, color="#999999", linestyle=":", linewidth=1)
        ax.text(horizon, ax.get_ylim()[1] * 0.02, _t(lang, " horisont", " horizon"), fontsize=8,
                color="#666666", rotation=90, va="bottom", ha="right")
        ax.yaxis.set_major_formatter(money_axis(lang))
        span = float(x.max()) if len(x) else 12.0
        ax.xaxis.set_major_locator(MultipleLocator(12 if span > 36 else 6 if span > 12 else 1))
        ax.set_xlabel(_t(lang, "månader från programstart", "months from programme start"))
        ax.set_xlim(0, x.max() if len(x) else 1)
        ax.set_ylim(bottom=0)
        if n > 1:
            ax.set_title(p.title, loc="left")
    axes[0][0].legend(loc="upper left", fontsize=9)
    fig.tight_layout()
    return to_png(fig)


def _payback_text(p: Programme, lang: str) -> str:
    r = summary_table(p.result).set_index("metric").loc["payback_months"]
    _, never = payback(p)
    years = years_text(p.scenario.valuation.horizon_years, lang)
    if math.isnan(r["mean"]):
        text = _t(lang, f"Programmet betalar sig inte inom {years} i någon körning.",
                  f"The programme does not pay back within {years} in any run.")
    else:
        text = _t(lang,
                  f"Återbetalningstid inom {years} (nuvärde): i medel "
                  f"{with_unit(r['mean'], 'months', lang)} "
                  f"(95 %: {fmt_span(r['lo'], r['hi'], 'months', lang)}) i de körningar som "
                  f"betalar sig; {with_unit(never, 'share', lang, 0)} av de simulerade "
                  f"körningarna betalar sig inte inom {years}.",
                  f"Payback time within {years} (present value): on average "
                  f"{with_unit(r['mean'], 'months', lang)} "
                  f"(95 %: {fmt_span(r['lo'], r['hi'], 'months', lang)}) in the runs that pay "
                  f"back; {with_unit(never, 'share', lang, 0)} of the simulated runs do not pay "
                  f"back within {years}.")
    return f"<p>{esc(text)}</p>"


PLOTS = {"cumulative": cumulative_plot}


def html(page: Page) -> str:
    return page.plot(
        "cumulative", cumulative_plot,
        page.t("Ackumulerad kostnad mot ackumulerad diskonterad samhällsintäkt",
               "Cumulative cost against cumulative discounted societal revenue"),
        page.t("Båda i nuvärde, samhällsintäkten inom kalkylhorisonten. Linjerna är medel över "
               "körningarna, skuggningen 95 %-intervallet. Punkten är återbetalningstiden: medel "
               "i de körningar som betalar sig.",
               "Both in present value, the societal revenue within the horizon. Lines are means "
               "over runs, shading the 95 % interval. The dot is the payback time: the mean over "
               "the runs that pay back.")) + page.each(_payback_text)
