"""The one verdict of a screen: which programme has the highest NPV (or whether one programme pays
for itself), and how sure we are, from what we know.

When the scenarios declare uncertainty (a PSA was drawn), the verdict is the parameter-uncertainty
answer: expected NPV over the draws and the share of draws in which it holds. Without draws it is
the simulated cohorts' answer (or the expected-value path's). Every format calls `verdict`: the
terminal's first and last sentence, the HTML summary, the `verdict` record of CSV/JSON, the
workbook's summary sheet and the planners' page. The one-cohort block that follows the
uncertainty answer says only how much one cohort varies by chance (`cohort_sentence`).

A programme without costs gets no "pays back" or "best": its NPV is its revenue alone. Programmes
valued on different bases (one value per person-year, a unit-cost group, own components) are
flagged: their NPVs are not like for like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from model.report.text import in_lang, kr, number, probability_percent

if TYPE_CHECKING:
    from model.api import ScenarioResult
    from model.psa import PSAResult

NO_COST_KR = 0.5   # a programme's own real cost at or below this (kr) counts as no cost given


@dataclass(frozen=True)
class Verdict:
    """The answer of a screen: its sentence, what it rests on, and what stops a ranking."""

    basis: str                 # "draws" (parameter uncertainty), "runs", "expected" or "none"
    programme: str             # the programme named (best, or the one); "" when none is
    versus: str                # the runner-up; "" for one programme or none
    p: float                   # P(best beats runner-up) or P(NPV > 0); NaN when none
    mcse: float                # its Monte Carlo standard error (draws), NaN otherwise
    sentence: str
    flags: list[str] = field(default_factory=list)   # no costs, mixed valuation bases

    @property
    def text(self) -> str:
        """The sentence followed by its flags."""
        return " ".join([self.sentence, *self.flags])

    def record(self) -> dict[str, Any]:
        """The fields of the CSV/JSON `verdict` row."""
        return {"programme": self.programme, "versus": self.versus, "mean": self.p,
                "mcse": self.mcse, "basis": self.basis, "note": self.text}


def no_costs(result: ScenarioResult) -> bool:
    """The programme's own real cost is 0: no cost was given."""
    cost = result.economics.set_index("metric").loc["cost", "mean"]
    return bool(cost <= NO_COST_KR)


def valuation_basis(result: ScenarioResult) -> str:
    """How a person-year in work is valued: 'value_per_year', 'unit_costs:<group>', 'components'."""
    from model.economics.valuation import values

    return values(result.scenario).basis


def _basis_text(basis: str, lang: str) -> str:
    if basis == "value_per_year":
        return in_lang(lang, "ett värde per personår", "one value per person-year")
    if basis.startswith("unit_costs:"):
        group = basis.partition(":")[2]
        return in_lang(lang, f"enhetskostnader ({group})", f"unit costs ({group})")
    return in_lang(lang, "egna komponenter", "own components")


def flags(results: list[ScenarioResult], lang: str = "sv") -> list[str]:
    """'X saknar kostnader: ange en kostnad' per programme without costs, and a flag when the
    programmes are valued on different bases."""
    out = []
    for r in results:
        if no_costs(r):
            out.append(in_lang(
                lang, f"{r.scenario.title} saknar kostnader: ange en kostnad (utan kostnad kan "
                      "lönsamheten inte bedömas, och programmet rangordnas inte).",
                f"{r.scenario.title} has no costs: give a cost (without one the programme is "
                "not said to pay back, and it is not ranked)."))
    bases = [valuation_basis(r) for r in results]
    if len(results) > 1 and len(set(bases)) > 1:
        groups: dict[str, list[str]] = {}
        for r, b in zip(results, bases, strict=True):
            groups.setdefault(b, []).append(r.scenario.title)
        each = "; ".join(f"{_basis_text(b, lang)}: {', '.join(t)}" for b, t in groups.items())
        out.append(in_lang(
            lang, f"Obs: programmen värderas på olika grunder ({each}); deras nettonuvärden är "
                  "inte direkt jämförbara.",
            f"Note: the programmes are valued on different bases ({each}); their net present "
            "values are not directly comparable."))
    return out


def _years(results: list[ScenarioResult], lang: str) -> str:
    y = results[0].scenario.valuation.horizon_years
    text = number(y, 0 if float(y).is_integer() else 1, lang)
    return text + (" år" if lang == "sv" else (" year" if text == "1" else " years"))


def _npv_key(results: list[ScenarioResult]) -> str:
    from model.economics.figures import headline

    return headline(results[0].scenario)


def verdict(results: list[ScenarioResult], psa: PSAResult | None = None, lang: str = "sv",
            runs: bool = True) -> Verdict:
    """The screen's verdict: over parameter draws when `psa` is given, else over the simulated
    runs (`runs=False`: one expected run, no shares of runs). One programme: does it pay for
    itself; several: which has the highest NPV over the horizon, against the runner-up."""
    if len(results) == 1:
        return _one(results[0], psa, lang, runs)
    return _several(results, psa, lang)


def _one(r: ScenarioResult, psa: PSAResult | None, lang: str, runs: bool) -> Verdict:
    sc = r.scenario
    fl = flags([r], lang)
    if fl:  # no costs: no "pays back"
        s = r.economics.set_index("metric")
        rev = s.loc["revenue_pv", "mean"]
        sentence = in_lang(
            lang, f"Lönsamheten för {sc.title} går inte att bedöma: samhällsintäkten över "
                  f"{_years([r], lang)} är {kr(rev, lang)} i nuvärde, men ingen kostnad är angiven.",
            f"Whether {sc.title} pays for itself cannot be said: the societal revenue over "
            f"{_years([r], lang)} is {kr(rev, lang)} present value, but no cost is given.")
        return Verdict("none", "", "", math.nan, math.nan, sentence, fl)
    if psa is None:
        from model.report.programme import Programme
        from model.report.sections.summary import answer

        p = float(r.priced.metrics["pays_back"].mean()) if runs else math.nan
        text = answer(Programme(sc.source_file, sc.raw, r), lang, runs)  # type: ignore[arg-type]
        return Verdict("runs" if runs else "expected", sc.name, "", p, math.nan, text)
    from model.psa.summary import probability
    from model.report.psa_view import draws_text, summaries

    key = _npv_key([r])
    row = summaries(psa, [sc])[sc.name].set_index("metric")
    npv, bcr = row.loc[key], row.loc[key.replace("npv", "bcr")]
    p, se = probability(psa.of(sc.name)[key] > 0, psa.n_eff)
    years = _years([r], lang)
    span = f"{kr(npv['lo'], lang)} – {kr(npv['hi'], lang)}"
    pct, mcse = probability_percent(p, lang), number(se * 100, 1, lang)
    n = draws_text(psa, lang)
    if lang == "sv":
        pays = "betalar sig" if npv["mean"] > 0 else "betalar sig inte"
        sentence = (f"{sc.title} {pays} över {years}: det förväntade nettonuvärdet är "
                    f"{kr(npv['mean'], lang)} (95 % över dragningarna: {span}), nytta/kostnad "
                    f"{number(bcr['mean'], 1, lang)}; nettonuvärdet är positivt i {pct} av "
                    f"{n} ur det vi vet om indata (MCSE {mcse} procentenheter).")
    else:
        pays = "pays for itself" if npv["mean"] > 0 else "does not pay for itself"
        sentence = (f"{sc.title} {pays} over {years}: the expected net present value is "
                    f"{kr(npv['mean'], lang)} (95 % over draws: {span}), benefit/cost "
                    f"{number(bcr['mean'], 1, lang)}; the net present value is positive in {pct} "
                    f"of {n} of what we know about the inputs (MCSE {mcse} points).")
    return Verdict("draws", sc.name, "", p, se, sentence)


def _several(results: list[ScenarioResult], psa: PSAResult | None, lang: str) -> Verdict:
    fl = flags(results, lang)
    costed = [i for i, r in enumerate(results) if not no_costs(r)]
    titles = [r.scenario.title for r in results]
    if len(costed) < 2:
        sentence = in_lang(
            lang, "Inget program utses till bäst: minst två av de jämförda programmen behöver "
                  "en kostnad.",
            "No programme is named best: at least two of the programmes compared need a cost.")
        return Verdict("none", "", "", math.nan, math.nan, sentence, fl)
    key = _npv_key(results)
    years = _years(results, lang)
    if psa is not None:
        from model.psa.summary import draw_difference
        from model.report.psa_view import draws_text, summaries

        sums = summaries(psa, [results[i].scenario for i in costed])
        npv = {i: float(sums[results[i].scenario.name].set_index("metric").loc[key, "mean"])
               for i in costed}
        best, runner = sorted(costed, key=lambda i: -npv[i])[:2]
        d = draw_difference(psa, results[best].scenario.name, results[runner].scenario.name, key)
        p, se, clear = d["p"], d["p_mcse"], d["lo"] > 0
        where = in_lang(lang, f"av {draws_text(psa, lang)} ur det vi vet om indata "
                              f"(MCSE {number(se * 100, 1, lang)} procentenheter)",
                        f"of {draws_text(psa, lang)} of what we know about the inputs "
                        f"(MCSE {number(se * 100, 1, lang)} points)")
        expected = in_lang(lang, "förväntat ", "expected ")
        basis = "draws"
    else:
        from model.report.comparison import difference as run_difference
        from model.results import probability_better

        npv = {i: float(results[i].economics.set_index("metric").loc["npv", "mean"])
               for i in costed}
        best, runner = sorted(costed, key=lambda i: -npv[i])[:2]
        p = probability_better(results[best].priced.metrics, results[runner].priced.metrics)
        se = math.nan
        clear = run_difference(results[best], results[runner], "npv", runner).lo > 0
        where = in_lang(lang, "av de simulerade körningarna", "of the simulated runs")
        expected = ""
        basis = "runs"
    b, o = kr(npv[best], lang), kr(npv[runner], lang)
    pct = probability_percent(p, lang)
    best_t, other_t = titles[best], titles[runner]
    if lang == "sv":
        head = (f"{best_t} ger högst {expected}nettonuvärde över {years}, {b} mot {o} för "
                f"{other_t}")
        sentence = (f"{head}, och har högre nettonuvärde i {pct} {where}." if clear else
                    f"{head}, men ingen tydlig skillnad: {best_t} har högre nettonuvärde i {pct} "
                    f"{where}.")
    else:
        head = (f"{best_t} has the highest {expected}net present value over {years}, {b} against "
                f"{o} for {other_t}")
        sentence = (f"{head}, and has the higher net present value in {pct} {where}." if clear else
                    f"{head}, but there is no clear difference: {best_t} has the higher net "
                    f"present value in {pct} {where}.")
    return Verdict(basis, results[best].scenario.name, results[runner].scenario.name, p, se,
                   sentence, fl)


def cohort_sentence(results: list[ScenarioResult], lang: str = "sv") -> str:
    """What the one-cohort table shows: how much the NPV of one cohort of N people varies by
    chance with every assumption at its base value; no ranking (that is the verdict's)."""
    from model.report.comparison import difference as run_difference

    years = _years(results, lang)
    runs = number(results[0].run.replications, 0, lang)
    each = []
    for r in results:
        s = r.economics.set_index("metric")
        n = number(float(s.loc["participants", "mean"]), 0, lang)
        span = f"{kr(s.loc['npv', 'lo'], lang)} – {kr(s.loc['npv', 'hi'], lang)}"
        each.append(in_lang(lang, f"{r.scenario.title} (kohort om {n} deltagare) {span}",
                            f"{r.scenario.title} (a cohort of {n} participants) {span}"))
    text = in_lang(
        lang, f"Slumpvariation för en kohort, alla antaganden vid basvärden: nettonuvärdet över "
              f"{years} ligger i 95 % av {runs} simulerade kohorter inom " + "; ".join(each),
        f"Chance variation of one cohort, every assumption at its base value: the net present "
        f"value over {years} lies, in 95 % of {runs} simulated cohorts, within " + "; ".join(each))
    if len(results) == 2:
        d = run_difference(results[0], results[1], "npv", 1)
        text += in_lang(lang, f"; skillnaden mellan programmen för samma deltagare (parad per "
                              f"körning) {kr(d.lo, lang)} – {kr(d.hi, lang)}",
                        f"; the difference between the programmes for the same participants "
                        f"(paired by run) {kr(d.lo, lang)} – {kr(d.hi, lang)}")
    return text + in_lang(lang, ". Det är slumpens spridning för en enskild kohort, inte vad vi "
                                "vet om antagandena (det visar parameterosäkerheten ovan).",
                          ". This is the spread by chance of one cohort, not what we know about "
                          "the assumptions (the parameter uncertainty above shows that).")
