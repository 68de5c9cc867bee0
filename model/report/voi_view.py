"""The value of information, for people: EVPI and EVPPI per parameter and group, in kronor per
decision and scaled to the stated future participants, with one sentence on what they mean
(terminal text, tidy records and the report's bar chart). The figures come from
`model.psa.voi`."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import pandas as pd

from model.psa.voi import VOI, decision_voi
from model.report.text import in_lang, input_label, metric_label, number, table, with_unit

if TYPE_CHECKING:
    from model.answer import Answer

TOP = 10  # parameters shown in the terminal and the chart (all in the records)


def answer_voi(answer: Answer, population: float | None = None) -> VOI:
    """The VOI of the decision among the answer's programmes (`model.psa.voi.decision_voi`)."""
    return decision_voi(answer.psa, answer.scenarios, population)


def _name(parameter: str, kind: str, lang: str) -> str:
    """A parameter in words where the report knows it (else its path), a group by its name."""
    if kind == "group":
        return in_lang(lang, f"grupp {parameter}", f"group {parameter}")
    scenario, _, path = parameter.rpartition(":") if "." in parameter else ("", "", parameter)
    text = input_label(re.sub(r"\[([A-Za-z_]\w*)\]", r".\1", path), lang)
    return f"{text} ({scenario})" if scenario else text


def meaning(voi: VOI, lang: str = "sv", setting: str = "uncertainty.future_participants") -> str:
    """One plain sentence on what EVPI and EVPPI mean."""
    pop = number(voi.population, 0, lang)
    return in_lang(
        lang,
        "EVPI är vad det i genomsnitt skulle vara värt att veta alla osäkra indata exakt innan "
        "man väljer program (den förväntade förlusten av att välja under osäkerhet); EVPPI är "
        f"detsamma för en parameter eller grupp i taget. Per beslut gäller den kohort scenariot "
        f"beskriver; skalat gäller {pop} framtida deltagare ({setting}).",
        "EVPI is what it would be worth, on average, to know every uncertain input exactly before "
        "choosing (the expected loss from choosing under uncertainty); EVPPI is the same for one "
        "parameter or group at a time. Per decision means the cohort the scenario describes; "
        f"scaled means {pop} future participants ({setting}).")


def voi_text(voi: VOI, lang: str = "sv", top: int = TOP,
             setting: str = "uncertainty.future_participants") -> str:
    """A short block: EVPI per decision and scaled, the largest EVPPIs, and the sentence."""
    label = metric_label(voi.metric, lang)
    pop = number(voi.population, 0, lang)
    head = in_lang(
        lang,
        f"Informationsvärde ({label}; regressionsmetod, Strong, Oakley & Brennan 2014): EVPI "
        f"{with_unit(voi.evpi, 'kr', lang)} per beslut, {with_unit(voi.scaled(voi.evpi), 'kr', lang)} "
        f"för {pop} framtida deltagare.",
        f"Value of information ({label}; regression method, Strong, Oakley & Brennan 2014): EVPI "
        f"{with_unit(voi.evpi, 'kr', lang)} per decision, "
        f"{with_unit(voi.scaled(voi.evpi), 'kr', lang)} for {pop} future participants.")
    rows = [[_name(r.parameter, r.kind, lang), with_unit(r.evppi, "kr", lang),
             with_unit(voi.scaled(r.evppi), "kr", lang)]
            for r in voi.table.head(top).itertuples()]
    heads = in_lang(lang, f"EVPPI för|Per beslut|För {pop} deltagare",
                    f"EVPPI of|Per decision|For {pop} participants").split("|")
    parts = [head]
    if voi.evpi == 0 and not voi.table["evppi"].any():
        parts.append(in_lang(lang, "Samma program är bäst i varje dragning: mer kunskap om "
                                   "indata skulle inte ändra valet, så all EVPPI är 0.",
                             "The same programme is best in every draw: knowing more about the "
                             "inputs would not change the choice, so every EVPPI is 0."))
    elif rows:
        parts.append(table(rows, heads))
    parts.append(meaning(voi, lang, setting))
    return "\n\n".join(parts)


def voi_rows(voi: VOI) -> pd.DataFrame:
    """Tidy rows for CSV/JSON and the workbook: EVPI, then EVPPI per parameter and group."""
    rows = [{"metric": f"evpi:{voi.metric}", "parameter": "", "kind": "all",
             "per_decision": voi.evpi, "per_participant": voi.evpi_per_participant,
             "population": voi.population, "scaled": voi.scaled(voi.evpi)}]
    for r in voi.table.itertuples():
        rows.append({"metric": f"evppi:{voi.metric}", "parameter": r.parameter, "kind": r.kind,
                     "per_decision": r.evppi, "per_participant": r.evppi_per_participant,
                     "population": voi.population, "scaled": voi.scaled(r.evppi)})
    return pd.DataFrame(rows).assign(unit="kr", participants=voi.participants,
                                     options=" | ".join(voi.options))


def voi_of_rows(rows: list[dict]) -> VOI:
    """The VOI back from its tidy rows (as `analyse --format json` holds them)."""
    first = rows[0]
    evpi = float(first["per_decision"] or 0.0)
    participants = float(first["participants"])
    table = pd.DataFrame([{"parameter": r["parameter"], "kind": r["kind"],
                           "evppi": float(r["per_decision"] or 0.0),
                           "evppi_per_participant": r["per_participant"]} for r in rows[1:]],
                         columns=["parameter", "kind", "evppi", "evppi_per_participant"])
    out = VOI(first["metric"].partition(":")[2], str(first["options"]).split(" | "), evpi,
              participants, table)
    out.population = float(first["population"])
    return out


def voi_plot(voi: VOI, lang: str = "sv", top: int = TOP) -> bytes:
    """Horizontal bars: EVPPI per parameter and group, scaled to the future participants
    (matplotlib loads here, not with the text views: `insats compare` draws no plot)."""
    from model.report.plots import styled

    return styled(_voi_plot)(voi, lang, top)


def _voi_plot(voi: VOI, lang: str, top: int) -> bytes:
    from model.report.plots import PROGRAMME_COLOURS, money_axis, plt, to_png

    t = voi.table.head(top).iloc[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * max(len(t), 2) + 1.4))
    colours = [PROGRAMME_COLOURS[1] if k == "group" else PROGRAMME_COLOURS[0] for k in t["kind"]]
    ax.barh([_name(p, k, lang) for p, k in zip(t["parameter"], t["kind"], strict=True)],
            [voi.scaled(v) for v in t["evppi"]], color=colours)
    ax.xaxis.set_major_formatter(money_axis(lang))
    pop = number(voi.population, 0, lang)
    ax.set_xlabel(in_lang(lang, f"EVPPI för {pop} framtida deltagare ({metric_label(voi.metric, lang)})",
                          f"EVPPI for {pop} future participants ({metric_label(voi.metric, lang)})"))
    ax.set_title(in_lang(lang, "Värdet av att veta mer, per parameter och grupp",
                         "The value of knowing more, per parameter and group"))
    if not math.isfinite(voi.evpi) or voi.evpi <= 0:
        ax.text(0.5, 0.5, in_lang(lang, "EVPI = 0: samma val i varje dragning",
                                  "EVPI = 0: the same choice in every draw"),
                transform=ax.transAxes, ha="center", va="center")
    fig.tight_layout()
    return to_png(fig)
