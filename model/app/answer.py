"""The page's answer on top: which programme is better, by how much, how sure, and what would
change the answer; or, for one programme, whether it pays for itself and what would change that.

The difference and its probability come from the parameter-uncertainty draws when the scenarios
declare uncertainty (`model.answer.parameter_uncertainty`), else from the expected run. What would
change the answer is a root search (Brent, as `insats threshold --method exact` does) on the
expected-value path: the value per person-year at which the net present values meet (or the one
programme's crosses zero). A programme without costs gets no verdict: it says so.

Kept small and on its own so that it can join the report's verdict function later.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from model.app.typed import nobreak
from model.report.programme import years_text
from model.report.text import in_lang, kr, number, probability_percent, with_unit

VALUE = "valuation.value_per_year"
TERMS = {  # a one-line explanation on hover, in each language
    "nettonuvärde": ("Samhällsintäkten minus kostnaden, båda i nuvärde över horisonten.",
                     "The societal revenue minus the cost, both as present values over the horizon."),
    "nuvärde": ("Framtida kronor räknade om till dagens värde med diskonteringsräntan.",
                "Future kronor converted to today's value with the discount rate."),
    "förväntat värde": ("Medelvärdet över många tänkta utfall (här: över dragningarna ur "
                        "osäkerheten, eller den förväntade körningen).",
                        "The mean over many possible outcomes (here: over the draws of the "
                        "uncertainty, or the expected run)."),
}
EN_TERMS = {"nettonuvärde": "net present value", "nuvärde": "present value",
            "förväntat värde": "expected value"}


def term(word: str, lang: str, shown: str | None = None) -> str:
    """A glossary word (or its form `shown`) with its explanation on hover (an <abbr> with a
    title)."""
    sv, en = TERMS[word]
    shown = shown or (word if lang == "sv" else EN_TERMS[word])
    return f'<abbr class="term" title="{html.escape(in_lang(lang, sv, en))}">{shown}</abbr>'


def has_costs(metrics: dict[str, float]) -> bool:
    """True when the programme has a cost to weigh its revenue against."""
    cost = metrics.get("cost_pv", metrics.get("cost", 0.0))
    return bool(cost) and cost > 0


@dataclass(frozen=True)
class Flip:
    """Where the answer changes: the value of one input (`path`, in its unit) and its value
    today, or `value` None when it does not change between `low` and `high`."""

    value: float | None
    today: float
    low: float
    high: float
    path: str = VALUE
    label_sv: str = "värdet per personår"
    label_en: str = "the value per person-year"
    unit: str = "kr"


def search(f, today: float, low: float, high: float, xtol: float) -> float | None:
    """The root of `f` between `low` and `high` (Brent's method, as `insats threshold`), or None
    when `f` keeps its sign there."""
    from scipy.optimize import brentq

    f_lo, f_hi = f(low), f(high)
    if f_lo == 0:
        return low
    if math.copysign(1, f_lo) == math.copysign(1, f_hi):
        return None
    return float(brentq(f, low, high, xtol=xtol, rtol=1e-9))


def npv_with(sc, path: str, value: float) -> float:
    """The expected NPV over the horizon of the scenario with one input set (scenario's unit)."""
    from model.app.inputs import with_values
    from model.evaluate import expected_metrics

    return float(expected_metrics(with_values(sc, {path: value}), checked=True)["npv"])


def _lower(label: str) -> str:
    return label[:1].lower() + label[1:]


def valued_per_year(sc) -> bool:
    return sc.valuation.unit_costs is None and not sc.valuation.components


def _by_value(scenarios: list) -> Flip | None:
    if not all(valued_per_year(sc) for sc in scenarios):
        return None
    today = float(scenarios[0].valuation.value_per_year)
    high = max(10 * today, 1_000_000.0)
    if len(scenarios) == 1:
        def f(v: float) -> float:
            return npv_with(scenarios[0], VALUE, v)
    else:
        def f(v: float) -> float:
            return npv_with(scenarios[0], VALUE, v) - npv_with(scenarios[1], VALUE, v)
    return Flip(search(f, today, 0.0, high, 1.0), today, 0.0, high)


def _by_share(scenarios: list, first_better: bool) -> Flip | None:
    """The share to work of the better programme (its first such input) at which the answer
    changes: the NPVs meet (two) or the NPV is zero (one)."""
    from model.app.inputs import fields, held_for_uncertainty
    from model.evaluate import expected_metrics

    i = 0 if first_better or len(scenarios) == 1 else 1
    share = next((f for f in fields(scenarios[i]) if f.kind == "share_work"), None)
    if share is None:
        return None
    sc, _ = held_for_uncertainty(scenarios[i], [share.path])  # its spread would not fit near 0 or 1
    other = 0.0 if len(scenarios) == 1 else float(expected_metrics(scenarios[1 - i])["npv"])

    def f(x: float) -> float:
        return npv_with(sc, share.path, x) - other

    found = search(f, share.value, 0.001, 0.999, 1e-4)  # 0 and 1 break a share's beta uncertainty
    return Flip(found, share.value, 0.0, 1.0, share.path, _lower(share.label_sv),
                _lower(share.label_en), "share")


def flip_of(scenarios: list, first_better: bool = True) -> Flip | None:
    """Where the choice flips (two programmes) or the verdict turns (one): over the value per
    person-year, else (no crossing, or valued by unit costs) over the better programme's share
    to work; None when neither applies."""
    flip = _by_value(scenarios)
    if flip is None or flip.value is None:
        share = _by_share(scenarios, first_better)
        if share is not None and (share.value is not None or flip is None):
            return share
    return flip


def _amount(x: float, unit: str, lang: str) -> str:
    return kr(x, lang) if unit == "kr" else with_unit(x, unit, lang, 0)


def _flip_words(flip: Flip | None, better: str, lang: str, pair: bool) -> str:
    if flip is None:
        return ""
    what = in_lang(lang, flip.label_sv, flip.label_en)
    if flip.value is None:
        return in_lang(lang, f" Svaret ändras inte för något värde på {what} mellan "
                             f"{_amount(flip.low, flip.unit, lang)} och "
                             f"{_amount(flip.high, flip.unit, lang)}.",
                       f" The answer does not change for any value of {what} between "
                       f"{_amount(flip.low, flip.unit, lang)} and "
                       f"{_amount(flip.high, flip.unit, lang)}.")
    side = in_lang(lang, "under", "below") if flip.value < flip.today else in_lang(lang, "över", "above")
    turn = in_lang(lang, f"{better} vore inte längre bättre", f"{better} would no longer be better") \
        if pair else in_lang(lang, "svaret skulle vändas", "the answer would turn")
    return in_lang(lang, f" Det som skulle ändra svaret: {turn} om {what} var {side} "
                         f"{_amount(flip.value, flip.unit, lang)} (i dag "
                         f"{_amount(flip.today, flip.unit, lang)}).",
                   f" What would change the answer: {turn} if {what} were {side} "
                   f"{_amount(flip.value, flip.unit, lang)} (today "
                   f"{_amount(flip.today, flip.unit, lang)}).")


def sentence(titles: list[str], npvs: list[float], costs: list[bool], years: float,
             diff: dict | None, flip: Flip | None, lang: str = "sv", draws: int | str = 0) -> str:
    """The answer on top as HTML (glossary words explained on hover; amounts never broken).

    `npvs`: the expected NPVs over the horizon; `costs`: whether each programme has costs;
    `diff`: the first minus the second over the draws (`model.psa.summary.difference`: mean,
    lo, hi, p, p_mcse), or None without declared uncertainty; `draws`: their number, or the words
    saying it with the distinct rows and effective number (`model.report.psa_view.draws_text`)."""
    horizon = years_text(years, lang)
    lacking = [t for t, c in zip(titles, costs, strict=True) if not c]
    if lacking:
        names = in_lang(lang, " och ", " and ").join(lacking)
        text = in_lang(lang, f"{names} saknar kostnader: utan en kostnad finns inget svar på om "
                             "insatsen betalar sig eller vilken som är bättre. Ange en kostnad "
                             "eller budget under Antaganden.",
                       f"{names} has no costs: without a cost there is no answer to whether the "
                       "programme pays for itself or which is better. Give a cost or budget under "
                       "Assumptions.")
        return nobreak(html.escape(text))
    nnv = term("nettonuvärde", lang, in_lang(lang, "nettonuvärdet", "net present value"))
    ev = term("förväntat värde", lang)
    if len(titles) == 1:
        verdict = in_lang(lang, "betalar sig" if npvs[0] > 0 else "betalar sig inte",
                          "pays for itself" if npvs[0] > 0 else "does not pay for itself")
        text = in_lang(lang, f"{html.escape(titles[0])} {verdict} över {horizon}: {nnv} är "
                             f"{kr(npvs[0], lang)} ({ev}).",
                       f"{html.escape(titles[0])} {verdict} over {horizon}: the {nnv} is "
                       f"{kr(npvs[0], lang)} ({ev}).")
        return nobreak(text + _flip_words(flip, titles[0], lang, pair=False))
    mean = diff["mean"] if diff else npvs[0] - npvs[1]
    first_better = mean > 0
    better, worse = (titles[0], titles[1]) if first_better else (titles[1], titles[0])
    gap = abs(mean)
    text = in_lang(lang, f"{html.escape(better)} är bättre än {html.escape(worse)}: {nnv} över "
                         f"{horizon} är {kr(gap, lang)} högre ({ev}",
                   f"{html.escape(better)} is better than {html.escape(worse)}: its {nnv} over "
                   f"{horizon} is {kr(gap, lang)} higher ({ev}")
    if diff:
        lo, hi = (diff["lo"], diff["hi"]) if first_better else (-diff["hi"], -diff["lo"])
        p = diff["p"] if first_better else 1 - diff["p"]
        n = draws if isinstance(draws, str) else in_lang(lang, f"{number(draws, 0, lang)} dragningar",
                                                         f"{number(draws, 0, lang)} draws")
        text += in_lang(lang, f" över {n}; 95 %: {kr(lo, lang)} till {kr(hi, lang)}). "
                              f"Sannolikheten att {html.escape(better)} är bättre är "
                              f"{probability_percent(p, lang)} (MCSE "
                              f"{number(diff['p_mcse'] * 100, 1, lang)} procentenheter).",
                        f" over {n}; 95 %: {kr(lo, lang)} to {kr(hi, lang)}). The "
                        f"probability that {html.escape(better)} is better is "
                        f"{probability_percent(p, lang)} (MCSE "
                        f"{number(diff['p_mcse'] * 100, 1, lang)} points).")
    else:
        text += in_lang(lang, "; indata anger ingen osäkerhet, så ingen sannolikhet kan anges).",
                        "; the inputs declare no uncertainty, so no probability can be given).")
    return nobreak(text + _flip_words(flip, better, lang, pair=True))
