"""Who pays, who gains, for people: the per-actor figures as tables, tidy records and sentences.

The figures themselves come from `model.economics.actors` (one home); this module labels them
(unit, view, discounting), lays them out for `run` and `compare` (a compact table after the main
one), `--format csv|json` (kind `actor` records), the report and the workbook, and writes the
co-financing sentence of the ESF case: "Kommunen medfinansierar X kr och får tillbaka Y kr på
5 år (nuvärde); återbetald efter Z mån".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from model.economics import view_key
from model.report.text import actor_label, in_lang, kr, number, table, view_text, with_unit

if TYPE_CHECKING:
    from model.api import ScenarioResult
    from model.scenario import Scenario

# metric -> (Swedish, English) label stem; whether it is counted within a view ("view") or over
# the whole programme ("all"); and its unit
ACTOR_METRICS: dict[str, tuple[str, str, str, str]] = {
    "cost": ("Kostnad som aktören bär", "Cost borne by the actor", "all", "kr"),
    "real": ("Real nytta", "Real gain", "view", "kr"),
    "transfers": ("Transfereringar (finansiella flöden, netto)",
                  "Transfers (financial flows, net)", "view", "kr"),
    "net": ("Netto (real nytta + transfereringar − kostnad)",
            "Net (real gain + transfers − cost)", "view", "kr"),
    "paid": ("Insats (kostnad + ersättningar som aktören betalar)",
             "Put in (cost + allowances the actor pays)", "all", "kr"),
    "returned": ("Tillbaka till aktören", "Returned to the actor", "view", "kr"),
}


def headline_view(sc: object) -> str:
    """The view the sentences speak of: 5 years when priced, else the headline horizon."""
    val = sc.valuation  # type: ignore[attr-defined]
    return "5y" if 5.0 in val.views_years or val.horizon_years == 5 else view_key(val.horizon_years)


def actor_label_of(metric: str, view: str, horizon: float, lang: str = "sv") -> str:
    """'Netto (…), 5 år, nuvärde': the label of a per-actor metric with its view and discounting.

    Amounts over the whole programme say so; payback names the headline horizon."""
    if metric in ("payback_months", "no_payback"):
        h = view_text(view_key(horizon), lang)
        return in_lang(lang, f"Återbetalningstid inom {h}, nuvärde",
                       f"Payback time within {h}, present value") if metric == "payback_months" \
            else in_lang(lang, f"Andel körningar som inte återbetalar inom {h}",
                         f"Share of runs that do not pay back within {h}")
    base, pv = (metric[:-3], True) if metric.endswith("_pv") else (metric, False)
    sv, en, span, _ = ACTOR_METRICS[base]
    where = view_text(view, lang) if span == "view" else in_lang(lang, "hela programmet",
                                                                 "whole programme")
    disc = in_lang(lang, "nuvärde", "present value") if pv else in_lang(lang, "odiskonterat",
                                                                        "undiscounted")
    return f"{in_lang(lang, sv, en)}, {where}, {disc}"


def actor_frame(result: ScenarioResult) -> pd.DataFrame:
    """Per actor and view: the summary over runs (`model.economics.actor_summary`), with the
    programme's name first."""
    t = result.priced.actor_summary_table.copy()
    t.insert(0, "programme", result.scenario.name)
    return t


def actor_rows(results: list[ScenarioResult], lang: str = "sv", letters: bool = False
               ) -> tuple[list[list[str]], list[str]]:
    """Rows of the compact per-actor table (present values, kr): one per programme, actor and
    view; `letters` adds the programme's letter (A, B, …) first, for compare."""
    from model.report.text import letter

    rows = []
    for i, r in enumerate(results):
        for x in actor_frame(r).itertuples():
            never = "" if math.isnan(x.no_payback) else number(x.no_payback * 100, 0, lang)
            back = "–" if math.isnan(x.payback_months) else number(x.payback_months, 0, lang)
            if not x.pays:
                back, never = in_lang(lang, "betalar inget", "pays nothing"), ""
            row = [actor_label(x.actor, lang), view_text(x.view, lang),
                   number(x.paid_pv, 0, lang), number(x.real_pv, 0, lang),
                   number(x.transfers_pv, 0, lang), number(x.net_pv, 0, lang), back, never]
            rows.append(([letter(i)] if letters else []) + row)
    heads = [in_lang(lang, "Aktör", "Actor"), in_lang(lang, "Vy", "View"),
             in_lang(lang, "Insats", "Put in"), in_lang(lang, "Real nytta", "Real gain"),
             in_lang(lang, "Transfereringar", "Transfers"), in_lang(lang, "Netto", "Net"),
             in_lang(lang, "Återbet. (mån)", "Payback (mo)"),
             in_lang(lang, "Aldrig (%)", "Never (%)")]
    return rows, ([in_lang(lang, "Prog.", "Prog.")] if letters else []) + heads


def actor_note(results: list[ScenarioResult], lang: str = "sv") -> str:
    """What the compact table's columns are: units, views, discounting."""
    h = view_text(view_key(results[0].scenario.valuation.horizon_years), lang)
    return in_lang(
        lang,
        "Vem betalar, vem vinner (kr, nuvärde, medel över körningarna). Insats: aktörens kostnad "
        "plus ersättningar den betalar, hela programmet. Real nytta: produktion och sparade "
        "resurser inom vyn; transfereringar: finansiella flöden, som tar ut varandra över "
        "aktörerna; netto = real nytta + transfereringar − kostnad. Återbetalningstid i månader "
        f"inom {h} (medel över körningar som återbetalar); aldrig: andel körningar som inte "
        f"återbetalar inom {h}.",
        "Who pays, who gains (kr, present value, mean over runs). Put in: the actor's cost plus "
        "allowances it pays, whole programme. Real gain: production and resources saved within "
        "the view; transfers: financial flows, which net to zero across actors; net = real gain "
        f"+ transfers − cost. Payback in months within {h} (mean over the runs that pay back); "
        f"never: share of runs that do not pay back within {h}.")


def actor_text(results: list[ScenarioResult], lang: str = "sv") -> str:
    """The compact per-actor table and its note, for `run` (one programme) and `compare`."""
    from model.report.tables import wrap

    rows, heads = actor_rows(results, lang, letters=len(results) > 1)
    if not rows:  # e.g. a programme against itself: every actor's amounts are 0
        return wrap(in_lang(lang, "Vem betalar, vem vinner: ingen aktör har något belopp på spel "
                                  "(alla belopp 0 kr mot jämförelsealternativet).",
                            "Who pays, who gains: no actor has any amount at stake (every amount "
                            "is 0 kr against the counterfactual)."))
    parts = [table(rows, heads), wrap(actor_note(results, lang))]
    sentences = [s for r in results for s in cofinancing_sentences(r, lang)]
    if sentences:
        parts.append("\n".join(wrap(s) for s in sentences))
    return "\n\n".join(parts)


def actor_records(results: list[ScenarioResult], lang: str = "sv") -> pd.DataFrame:
    """Tidy records (kind `actor`): one row per programme, actor, view and metric (`actor_net_pv`,
    …: prefixed, so that they never mix with the programme's own metrics), with the label (unit,
    view, discounting), mean, the net PV's 95 % interval, and the provenance."""
    from model.report.records import _provenance

    columns = ["kind", "programme", "versus", "actor", "view", "metric", "label", "unit", "mean",
               "lo", "hi", "better", "note", *(_provenance(results[0], lang) if results else {})]
    rows = []
    for r in results:
        h = r.scenario.valuation.horizon_years
        prov = _provenance(r, lang)
        for x in actor_frame(r).to_dict("records"):
            for metric in [*(f"{m}{s}" for m in ACTOR_METRICS for s in ("", "_pv")),
                           "payback_months", "no_payback"]:
                unit = ("months" if metric == "payback_months" else
                        "share" if metric == "no_payback" else "kr")
                lo = x["net_pv_lo"] if metric == "net_pv" else math.nan
                hi = x["net_pv_hi"] if metric == "net_pv" else math.nan
                rows.append({"kind": "actor", "programme": r.scenario.name, "versus": "",
                             "actor": x["actor"], "view": x["view"], "metric": f"actor_{metric}",
                             "label": f"{actor_label(x['actor'], lang)}: "
                                      + actor_label_of(metric, x["view"], h, lang),
                             "unit": unit, "mean": x[metric], "lo": lo, "hi": hi,
                             "better": "", "note": "", **prov})
    # no actor with anything at stake (a programme against itself): no rows, the same columns
    return pd.DataFrame(rows, columns=columns)


COFINANCING_WORDS = {
    "sv": {"put": "{who} {verb} {paid} och får tillbaka {back} på {view} (nuvärde)",
           "verb": {True: "medfinansierar", False: "betalar"},
           "never": "; återbetalt inom {h} i ingen körning.",
           "after": "; återbetalt efter {n} mån",
           "not_all": " (i {share} av körningarna inte inom {h})",
           "why": " {who} får inget tillbaka eftersom hela värdet av ett personår i arbete går till "
                  "{to} enligt {whose} valuation.actor_shares ({shares}). Ändra det med "
                  "valuation.actor_shares (t.ex. {{staten: 0.7, kommun: 0.3}}) eller värdera med en "
                  "målgrupp ur enhetskostnaderna (valuation.unit_costs), där varje post har sin aktör.",
           "default": "standardvärdet (antagande) för", "own": "scenariots"},
    "en": {"put": "{who} {verb} {paid} and gets back {back} within {view} (present value)",
           "verb": {True: "co-finances", False: "pays"},
           "never": "; paid back within {h} in no run.",
           "after": "; paid back after {n} months",
           "not_all": " (not within {h} in {share} of the runs)",
           "why": " {who} gets nothing back because the whole value of a person-year in work goes "
                  "to {to} by {whose} valuation.actor_shares ({shares}). Change it with "
                  "valuation.actor_shares (e.g. {{staten: 0.7, kommun: 0.3}}) or value with a target "
                  "group from the unit costs (valuation.unit_costs), where each item names its actor.",
           "default": "the default (an assumption) of", "own": "the scenario's"},
}


def cofinancing_sentences(result: ScenarioResult, lang: str = "sv") -> list[str]:
    """One sentence per paying actor other than ESF: what it puts in, what it gets back within
    5 years (present value) and when it has paid back, from the per-actor table's figures."""
    sc = result.scenario
    t = actor_frame(result)
    view = headline_view(sc)
    t = t[(t["view"] == view) & (t["pays"] > 0) & (t["actor"] != "esf")]
    esf = float(result.priced.metrics["esf_grant"].mean()) > 0
    h = view_text(view_key(sc.valuation.horizon_years), lang)
    words = COFINANCING_WORDS[lang]
    out = []
    for x in t.itertuples():
        text = words["put"].format(who=actor_label(x.actor, lang), verb=words["verb"][esf],
                                   paid=kr(x.paid, lang), back=kr(x.returned_pv, lang),
                                   view=view_text(x.view, lang))
        if math.isnan(x.payback_months):
            text += words["never"].format(h=h)
        else:
            text += words["after"].format(n=number(x.payback_months, 0, lang))
            if x.no_payback > 0:
                text += words["not_all"].format(share=with_unit(x.no_payback, "share", lang, 0), h=h)
            text += "."
        text += _why_nothing_back(sc, x.actor, x.returned_pv, lang)
        out.append(text)
    return out


def _why_nothing_back(sc: Scenario, actor: str, returned: float, lang: str) -> str:
    """Why an actor that pays gets 0 kr back (the value goes to others by valuation.actor_shares)
    and how to change it; '' when it gets something back or the value is split by parts."""
    v = sc.valuation
    if abs(returned) >= 0.5 or v.by_parts or v.actor_shares.get(actor, 0.0) > 0:
        return ""
    words = COFINANCING_WORDS[lang]
    shares = ", ".join(f"{a}: {s:g}" for a, s in v.actor_shares.items())  # as written in YAML
    names = [actor_label(a, lang) for a in v.actor_shares]
    names = [n[:1].lower() + n[1:] for n in names]
    to = names[0] if len(names) == 1 else (", ".join(names[:-1]) + in_lang(lang, " och ", " and ")
                                           + names[-1])
    whose = words["own"] if "actor_shares" in v.model_fields_set else words["default"]
    return words["why"].format(who=actor_label(actor, lang), to=to, whose=whose,
                               shares="{" + shares + "}")


def with_actor_records(records: pd.DataFrame, results: list[ScenarioResult], lang: str = "sv"
                       ) -> pd.DataFrame:
    """The run or compare records followed by the per-actor ones (empty `actor`/`view` on the
    others)."""
    out = pd.concat([records, actor_records(results, lang)], ignore_index=True)
    for col in ("actor", "view", "versus", "better", "note"):
        out[col] = out[col].fillna("")
    return out


def actor_sheet(results: list[ScenarioResult], lang: str = "sv") -> pd.DataFrame:
    """The workbook's per-actor sheet: the tidy records (label with unit, view and discounting,
    mean, the net PV's interval), then the co-financing sentences (metric `sentence`)."""
    cols = ["programme", "actor", "view", "metric", "label", "unit", "mean", "lo", "hi"]
    rec = actor_records(results, lang)
    rec = rec[cols] if len(rec) else pd.DataFrame(columns=cols)
    said = [{"programme": r.scenario.name, "actor": "", "view": headline_view(r.scenario),
             "metric": "sentence", "label": s, "unit": "", "mean": math.nan, "lo": math.nan,
             "hi": math.nan} for r in results for s in cofinancing_sentences(r, lang)]
    return pd.concat([rec, pd.DataFrame(said, columns=cols)], ignore_index=True)
