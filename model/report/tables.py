"""Terminal tables for `insats run` and `insats compare`, rendered from result tables."""

from __future__ import annotations

import math

import pandas as pd

from model.exact import ExactResult
from model.report.text import label, number, span, table, with_unit
from model.scenario import Scenario


def outcomes_text(sc: Scenario, summary: dict[str, pd.DataFrame], lang: str = "sv") -> str:
    """Exits by state with shares and intervals, time in programme, and interventions."""
    ex = summary["exits"]
    rows = []
    for r in ex.itertuples():
        if r.exit_state == "(still in programme)":
            rows.append([label("still", lang), "", with_unit(r.count, "participants", lang, 1),
                         "", ""])
            continue
        rows.append([r.label, label(r.category, lang), with_unit(r.count, "participants", lang, 1),
                     with_unit(r.share, "share", lang), span(r.share_lo, r.share_hi, "share", lang)])
    heads = [label("exit_state", lang), label("category", lang), label("count", lang),
             label("share", lang), label("interval", lang)]
    parts = [table(rows, heads)]
    t = summary["time"]
    trows = [[label(r.metric, lang), with_unit(r.mean, r.unit, lang, 1),
              span(r.lo, r.hi, r.unit, lang, 1)] for r in t.itertuples()]
    parts.append(table(trows, [label("metric", lang), label("mean", lang), label("interval", lang)]))
    iv = summary["interventions"]
    irows = []
    for r in iv.itertuples():
        util = "–" if math.isnan(r.utilisation) else with_unit(r.utilisation, "share", lang)
        irows.append([r.label, number(r.starts, 1, lang), number(r.mean_in_service, 1, lang),
                      number(r.mean_waiting, 1, lang), util])
    parts.append(table(irows, [label("intervention", lang), label("starts", lang),
                               label("mean_in_service", lang), label("mean_waiting", lang),
                               label("utilisation", lang)]))
    return "\n\n".join(parts)


def exact_text(sc: Scenario, res: ExactResult, lang: str = "sv") -> str:
    """Exact expected exit shares and months per arriving participant."""
    rows = [[sc.exit_states[s].label or s, label(sc.exit_states[s].category, lang),
             with_unit(v, "share", lang, 2)] for s, v in res.exit_shares.items()]
    out = table(rows, [label("exit_state", lang), label("category", lang), label("share", lang)])
    mrows = [[iv.title, number(res.visits_by_intervention[iv.name], 3, lang),
              with_unit(res.months_by_intervention[iv.name], "months", lang, 2)]
             for iv in sc.interventions]
    heads = [label("intervention", lang), "besök" if lang == "sv" else "visits",
             "månader" if lang == "sv" else "months"]
    out += "\n\n" + table(mrows, heads)
    out += "\n\n" + f"{label('mean_months_in_programme', lang)}: " + with_unit(
        res.mean_months, "months", lang, 2)
    return out
