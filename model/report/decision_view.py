"""Choosing among three or more programmes, for people: the ranking by expected net benefit with
P(best), a compact acceptability curve and frontier over the value per person-year, and which
options are dominated. The figures come from `model.psa.decision`; this module only lays them
out (terminal text and tidy records)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.economics.figures import headline
from model.psa.decision import acceptability, dominance, ranking
from model.report.text import in_lang, metric_label, number, probability_percent, table, with_unit

if TYPE_CHECKING:
    from model.answer import Answer

# the compact curve: these multiples of the scenarios' value per person-year
VALUE_MULTIPLES = (0.0, 0.5, 1.0, 2.0, 3.0)


def decision_frames(answer: Answer) -> dict[str, pd.DataFrame]:
    """Ranking (headline NPV), acceptability and frontier at a few values, and dominance."""
    psa, scs = answer.psa, answer.scenarios
    per_draw = {sc.name: psa.of(sc.name) for sc in scs}
    first = scs[0]
    years = first.valuation.horizon_years
    base = first.valuation.value_per_year
    values = np.unique([m * base for m in VALUE_MULTIPLES])
    return {"ranking": ranking(per_draw, headline(first), answer.psa.n_eff),
            "acceptability": acceptability(per_draw, years, values, answer.psa.n_eff),
            "dominance": dominance(per_draw, years)}


def _status(text: str, lang: str) -> str:
    return {"dominated": in_lang(lang, "dominerat", "dominated"),
            "extendedly dominated": in_lang(lang, "utvidgat dominerat", "extendedly dominated"),
            }.get(text, "")


def decision_text(answer: Answer, lang: str = "sv") -> str:
    """The ranking, the compact acceptability table and the dominance table, each with the plain
    sentence saying what it means."""
    f = decision_frames(answer)
    scs = answer.scenarios
    titles = {sc.name: sc.title for sc in scs}
    key = headline(scs[0])
    label = metric_label(key, lang)
    dom = f["dominance"].set_index("programme")
    rank_rows = [[str(r.rank), titles[r.programme], with_unit(r.expected, "kr", lang),
                  f"{probability_percent(r.p_best, lang)} ({number(r.p_best_mcse * 100, 1, lang)})",
                  _status(dom.at[r.programme, "status"], lang)]
                 for r in f["ranking"].itertuples()]
    rank_heads = in_lang(lang, f"Rang|Program|Förväntat {label.lower()}|P(bäst) (MCSE, p.e.)|"
                               "Dominans",
                         f"Rank|Programme|Expected {label.lower()}|P(best) (MCSE, points)|"
                         "Dominance").split("|")
    years = number(scs[0].valuation.horizon_years, 0, lang)
    ceac = f["acceptability"]
    values = sorted(ceac["value_per_year"].unique())
    curve_rows = []
    for sc in scs:
        sub = ceac[ceac["programme"] == sc.name].set_index("value_per_year")
        curve_rows.append([titles[sc.name], *(
            with_unit(sub.at[v, "p_best"], "share", lang) + (" *" if sub.at[v, "on_frontier"] else "")
            for v in values)])
    curve_heads = [in_lang(lang, "Värde per personår →", "Value per person-year →"),
                   *(with_unit(v, "kr", lang) for v in values)]
    dom_rows = [[titles[r.programme], with_unit(r.effect_pv, "person-years", lang),
                 with_unit(r.cost_pv, "kr", lang), _status(r.status, lang) or "–",
                 "–" if not np.isfinite(r.icer) else with_unit(r.icer, "kr", lang)]
                for r in f["dominance"].sort_values("cost_pv").itertuples()]
    dom_heads = in_lang(
        lang, f"Program|Kortad arbetslöshet, {years} år, nuvärde|Nettokostnad, nuvärde|Dominans|"
              "Merkostnad per extra personår",
        f"Programme|Shortened unemployment, {years} years, present value|Net cost, present "
        "value|Dominance|Incremental cost per extra person-year").split("|")
    parts = [
        in_lang(lang, f"Rangordning efter förväntat {label.lower()} över dragningarna:",
                f"Ranking by expected {label.lower()} over the draws:"),
        table(rank_rows, rank_heads),
        in_lang(lang, "P(bäst) är andelen dragningar ur det vi vet om indata där programmet har "
                      "högst nettonuvärde av alla jämförda.",
                "P(best) is the share of draws of what we know about the inputs in which the "
                "programme has the highest NPV of all those compared."),
        in_lang(lang, f"Acceptanskurva ({years} år, nuvärde): andel dragningar där programmet är "
                      "bäst vid varje värde per personår; * = på fronten (högst förväntat "
                      "nettonuvärde vid det värdet).",
                f"Acceptability curve ({years} years, present value): the share of draws in which "
                "the programme is best at each value per person-year; * = on the frontier (the "
                "highest expected NPV at that value)."),
        table(curve_rows, curve_heads),
        table(dom_rows, dom_heads),
        in_lang(lang, "Ett program är dominerat när ett annat kostar högst lika mycket och ger minst "
                      "lika mycket, och utvidgat dominerat när en blandning av två andra vore "
                      "bättre (dess merkostnad per extra personår är högre än nästa programs); "
                      "bedömt på förväntade värden.",
                "A programme is dominated when another costs no more and gains at least as much, "
                "and extendedly dominated when a mix of two others would do better (its "
                "incremental cost per extra person-year is above the next one's); judged on "
                "expected values."),
    ]
    return "\n\n".join(parts)


def decision_rows(answer: Answer) -> pd.DataFrame:
    """Tidy rows for CSV/JSON: ranking, acceptability/frontier and dominance."""
    f = decision_frames(answer)
    key = headline(answer.scenarios[0])
    n = answer.psa.n
    rank = f["ranking"]
    rows = [pd.DataFrame({"metric": f"expected:{key}", "programme": rank["programme"],
                          "rank": rank["rank"], "unit": "kr", "mean": rank["expected"], "n": n}),
            pd.DataFrame({"metric": f"p_best:{key}", "programme": rank["programme"],
                          "rank": rank["rank"], "unit": "share", "mean": rank["p_best"],
                          "mcse": rank["p_best_mcse"], "n": n})]
    c = f["acceptability"]
    rows.append(pd.DataFrame({"metric": "p_best_at_value", "programme": c["programme"],
                              "value_per_year": c["value_per_year"], "unit": "share",
                              "mean": c["p_best"], "mcse": c["mcse"],
                              "on_frontier": c["on_frontier"], "n": n}))
    d = f["dominance"]
    rows.append(pd.DataFrame({"metric": "dominance", "programme": d["programme"],
                              "status": d["status"].replace("", "none"),
                              "effect_pv": d["effect_pv"], "cost_pv": d["cost_pv"],
                              "icer": d["icer"], "unit": "kr", "n": n}))
    return pd.concat(rows, ignore_index=True).assign(basis="draws", **answer.psa.effective.record())


def choice_text(answer: Answer, lang: str = "sv") -> str:
    """What `compare` adds to the uncertainty answer: with three or more programmes the ranking,
    acceptability and dominance; always the value-of-information block."""
    from model.report.voi_view import answer_voi, voi_text

    parts = [decision_text(answer, lang)] if len(answer.scenarios) >= 3 else []
    parts.append(voi_text(answer_voi(answer), lang))
    return "\n\n".join(parts)


def choice_rows(answer: Answer) -> pd.DataFrame:
    """The tidy rows of `choice_text`."""
    from model.report.voi_view import answer_voi, voi_rows

    frames = [decision_rows(answer)] if len(answer.scenarios) >= 3 else []
    frames.append(voi_rows(answer_voi(answer)).assign(basis="draws", **answer.psa.effective.record()))
    return pd.concat(frames, ignore_index=True)


def with_draw_records(records: pd.DataFrame, ans: Answer, choice: bool = False) -> pd.DataFrame:
    """The tidy rows of the simulated runs, followed by the rows over parameter draws (and, for a
    comparison, the ranking and value of information): what `--format csv|json` writes."""
    if ans.psa is None:
        return records
    from model import __version__
    from model.report.psa_view import psa_rows

    extra = [choice_rows(ans).assign(version=__version__)] if choice else []
    basis = records["basis"].fillna("runs") if "basis" in records else "runs"  # the verdict: draws
    return pd.concat([records.assign(basis=basis), psa_rows(ans).assign(version=__version__),
                      *extra], ignore_index=True)


def uncertainty_text(ans: Answer, lang: str, choice: bool = False) -> str:
    """The parameter-uncertainty answer (for a comparison with the ranking and value of
    information), then the heading of the one-cohort block that follows it; '' without draws."""
    if ans.psa is None:
        return ""
    from model.report.psa_view import cohort_heading, psa_text

    parts = [psa_text(ans, lang) + "\n"]
    if choice:
        parts.append(choice_text(ans, lang) + "\n")
    parts.append(cohort_heading(ans, lang))
    return "\n".join(parts)
