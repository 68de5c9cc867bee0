"""How sure are we: the net present value over runs (histogram) and its interval."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from model.report.page import Page, esc
from model.report.plots import COST_COLOUR, PROGRAMME_COLOURS, money_axis, styled, to_png
from model.report.programme import Programme, summary_table, years_text
from model.report.text import RUNS_NOTE, fmt_span, kr, number, probability_percent
from model.report.text import in_lang as _t

KEY = "spread"
TITLE = ("Hur säkra är vi?", "How sure are we?")

@styled
def npv_plot(programmes: list[Programme], lang: str = "sv") -> bytes:
    """Histogram of the net present value over runs, with zero and each programme's mean."""
    fig, axes = plt.subplots(1, 1, figsize=(9.5, 3.8), squeeze=False)
    ax = axes[0][0]
    values = [p.result.priced.metrics["npv"].to_numpy(dtype=float) for p in programmes]
    allv = np.concatenate(values) if values else np.array([0.0])
    allv = allv[~np.isnan(allv)]
    lo, hi = (float(allv.min()), float(allv.max())) if allv.size else (0.0, 1.0)
    if hi <= lo:
        lo, hi = lo - 1.0, hi + 1.0
    bins = np.linspace(lo, hi, 31)
    for i, (p, v) in enumerate(zip(programmes, values, strict=True)):
        c = PROGRAMME_COLOURS[i % len(PROGRAMME_COLOURS)]
        ax.hist(v, bins=bins, color=c, alpha=0.55 if len(programmes) > 1 else 0.8,
                edgecolor="white", linewidth=0.6, label=p.title)
        ax.axvline(float(np.nanmean(v)), color=c, linewidth=2, linestyle="--")
    ax.axvline(0, color=COST_COLOUR, linewidth=1.4)
    ax.text(0, ax.get_ylim()[1] * 0.97, _t(lang, " noll: lönar sig inte till vänster ",
                                           " zero: does not pay back to the left "),
            color=COST_COLOUR, fontsize=8.5, va="top",
            ha="left" if (lo + hi) / 2 >= 0 else "right")
    ax.xaxis.set_major_formatter(money_axis(lang))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    years = years_text(programmes[0].scenario.valuation.horizon_years, lang)
    ax.set_xlabel(_t(lang, f"nettonuvärde över {years} per körning (streckat: medel)",
                     f"net present value over {years} per run (dashed: mean)"))
    ax.set_ylabel(_t(lang, "antal körningar", "runs"))
    if len(programmes) > 1:
        ax.legend(fontsize=9)
    fig.tight_layout()
    return to_png(fig)


def _spread_text(p: Programme, lang: str) -> str:
    s = summary_table(p.result).set_index("metric")
    npv, pays = s.loc["npv"], s.loc["pays_back", "mean"]
    bcr = s.loc["bcr"]
    years = years_text(p.scenario.valuation.horizon_years, lang)
    text = _t(lang,
              f"Nettonuvärdet över {years} är i medel {kr(npv['mean'], lang)} (95 %: "
              f"{fmt_span(npv['lo'], npv['hi'], 'kr', lang)}); nytta/kostnad (nuvärde) "
              f"{number(bcr['mean'], 2, lang)} ({fmt_span(bcr['lo'], bcr['hi'], 'ratio', lang)}). "
              f"Nettonuvärdet är positivt i {probability_percent(pays, lang)} av de simulerade "
              "körningarna. " + RUNS_NOTE[0],
              f"The net present value over {years} is on average {kr(npv['mean'], lang)} (95 %: "
              f"{fmt_span(npv['lo'], npv['hi'], 'kr', lang)}); benefit-cost ratio (present value) "
              f"{number(bcr['mean'], 2, lang)} ({fmt_span(bcr['lo'], bcr['hi'], 'ratio', lang)}). "
              f"The net present value is positive in {probability_percent(pays, lang)} of the "
              "simulated runs. " + RUNS_NOTE[1])
    return f"<p>{esc(text)}</p>"


PLOTS = {"npv": npv_plot}


def where_uncertainty_is(page: Page) -> tuple[str, str]:
    """Where the report shows uncertainty in the assumptions (Swedish, English): the parameter-
    uncertainty section, the sweep's sensitivity analysis, or (neither declared nor swept) that
    it is not analysed here and how to get it; never a promise of a section that is not there."""
    if page.first.psa is not None:
        return ("den visas i avsnittet om parameterosäkerhet.",
                "the section on parameter uncertainty shows that.")
    if page.sweep_html:
        return "den visar känslighetsanalysen.", "the sensitivity analysis shows that."
    return ("den är inte analyserad här, eftersom scenariot inte anger någon osäkerhet. Ange den "
            "i scenariofilen (uncertainty) eller kör insats sweep och lägg till resultatet med "
            "--sweep.",
            "it is not analysed here, since the scenario declares no uncertainty. Declare it in "
            "the scenario file (uncertainty) or run insats sweep and add its results with --sweep.")


def html(page: Page) -> str:
    where_sv, where_en = where_uncertainty_is(page)
    return page.plot(
        "npv", npv_plot,
        page.t("Fördelning av nettonuvärdet över körningarna",
               "Distribution of the net present value over runs"),
        page.t("Varje körning är ett möjligt utfall av programmet med samma antaganden. "
               "Spridningen visar slumpen i vilka som deltar och hur det går för dem, inte "
               f"osäkerheten i antagandena: {where_sv}",
               "Each run is one possible outcome of the programme under the same assumptions. The "
               "spread shows chance in who takes part and how they fare, not uncertainty in the "
               f"assumptions: {where_en}")) + page.each(_spread_text)
