"""The parameter-uncertainty panel of the page: the interval table as a table (not terminal
text), a picture of the net present value over the draws, and the probabilities in words.

Everything comes from `model.answer.parameter_uncertainty` and the CLI's own summaries
(`model.report.psa_view`), so the page says what `insats compare` prints."""

from __future__ import annotations

from typing import Any

import pandas as pd

from model.app.typed import nobreak
from model.report.text import in_lang, metric_label


def draws_of(scenarios: list, draws: int):
    """The PSA of the scenarios together (None when none declares uncertainty)."""
    from model.answer import parameter_uncertainty

    return parameter_uncertainty(scenarios, draws=draws)


def interval_table(psa, scenarios: list, lang: str = "sv") -> pd.DataFrame:
    """One row per figure: each programme's mean [95 % interval] over the draws and, for two,
    the difference A − B; the first column names the figure with its unit and horizon."""
    from model.psa.summary import draw_difference
    from model.report.psa_view import _span, difference_cell, psa_metrics, summaries

    sums = {k: v.set_index("metric") for k, v in summaries(psa, scenarios).items()}
    keys = [k for k in psa_metrics(scenarios[0]) if all(k in s.index for s in sums.values())]
    rows = []
    for k in keys:
        row = {in_lang(lang, "Mått", "Figure"): metric_label(k, lang)}
        for sc in scenarios:
            row[sc.title] = nobreak(_span(sums[sc.name].loc[k], lang))
        if len(scenarios) == 2:
            a, b = scenarios
            d = draw_difference(psa, a.name, b.name, k)
            unit = sums[a.name].loc[k, "unit"]
            row[f"{a.title} − {b.title}"] = nobreak(difference_cell(d, unit, lang))
        rows.append(row)
    return pd.DataFrame(rows)


def npv_key(sc) -> str:
    from model.economics.figures import headline

    return headline(sc)


def difference_of(psa, scenarios: list) -> dict | None:
    """The first minus the second programme's NPV over the horizon, over the draws (mean, 95 %
    interval, P(first better) with MCSE); None for one programme."""
    from model.psa.summary import draw_difference

    if len(scenarios) != 2:
        return None
    return draw_difference(psa, scenarios[0].name, scenarios[1].name, npv_key(scenarios[0]))


def draws_chart(psa, scenarios: list, lang: str = "sv") -> dict[str, Any]:
    """A histogram (Vega-Lite) of the NPV over the horizon across the draws: the difference
    A − B for two programmes, the NPV itself for one; a rule at zero, amounts in Mkr."""
    from model.psa.summary import paired

    k = npv_key(scenarios[0])
    if len(scenarios) == 2:
        values = paired(psa.of(scenarios[0].name), psa.of(scenarios[1].name), k)
        title = in_lang(lang, f"Nettonuvärde {scenarios[0].title} − {scenarios[1].title}",
                        f"Net present value {scenarios[0].title} − {scenarios[1].title}")
    else:
        values = psa.of(scenarios[0].name)[k]
        title = in_lang(lang, f"Nettonuvärde {scenarios[0].title}",
                        f"Net present value {scenarios[0].title}")
    unit = in_lang(lang, "Mkr", "MSEK")
    axis = in_lang(lang, f"{title}, {metric_label(k, lang).split(',', 1)[-1].strip()} ({unit}, nuvärde)",
                   f"{title}, {metric_label(k, lang).split(',', 1)[-1].strip()} ({unit}, present value)")
    decimal = "replace(format(datum.value, '.1~f'), '.', ',')" if lang == "sv" else \
        "format(datum.value, '.1~f')"
    rows = [{"v": float(v) / 1e6} for v in pd.Series(values).dropna()]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "height": 200, "width": "container",
        "layer": [
            {"data": {"values": rows}, "mark": {"type": "bar", "color": "#4c78a8"},
             "encoding": {"x": {"field": "v", "type": "quantitative", "bin": {"maxbins": 30},
                                "title": axis, "axis": {"labelExpr": decimal}},
                          "y": {"aggregate": "count", "type": "quantitative",
                                "title": in_lang(lang, "antal dragningar", "number of draws")}}},
            {"data": {"values": [{"v": 0.0}]}, "mark": {"type": "rule", "color": "#333333",
                                                       "strokeDash": [4, 3]},
             "encoding": {"x": {"field": "v", "type": "quantitative"}}},
        ],
    }


def in_words(psa, scenarios: list, lang: str = "sv") -> str:
    """The probabilities as sentences, with their Monte Carlo error (`insats compare`'s words)."""
    from model.report.psa_view import probability_text

    return nobreak(probability_text(psa, scenarios, lang))


def draws_words(psa, lang: str = "sv") -> str:
    """'1 000 dragningar (475 olika kalibrerade rader, effektivt ≈ 390)' (`insats compare`'s words)."""
    from model.report.psa_view import draws_text

    return draws_text(psa, lang)


def method_words(psa, scenarios: list, lang: str = "sv") -> str:
    from model.report.psa_view import method_line

    return nobreak(method_line(psa, scenarios, lang))
