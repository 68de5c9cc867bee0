"""The parameter-uncertainty answer for people: intervals over draws, probabilities with their
Monte Carlo standard errors, and one plain sentence on what each probability means."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from model.economics import view_key
from model.economics.figures import headline
from model.psa.summary import draw_difference, probability, summary_of
from model.report.text import in_lang, metric_label, number, probability_percent, table, tax_basis, with_unit

if TYPE_CHECKING:
    from model.answer import Answer
    from model.psa import PSAResult
    from model.scenario import Scenario

PSA_KEYS = ("share_work", "cost", "extra_jobs_at_exit", "cost_per_extra_job")
VIEW_KEYS = ("revenue", "npv", "bcr", "breakeven_work_share")


def psa_metrics(sc: Scenario) -> list[str]:
    """The figures the uncertainty table shows, in reading order, for this scenario's views."""
    views = [view_key(y) for y in sorted(set(sc.valuation.views_years)
                                         | {sc.valuation.horizon_years})]
    return [*PSA_KEYS, *(f"{k}:{v}" for k in VIEW_KEYS for v in views)]


def _cell(value: float, unit: str, lang: str) -> str:
    if unit == "ratio":
        return number(value, 2, lang)
    if math.isinf(value):
        return in_lang(lang, "obegränsad", "unbounded")
    return with_unit(value, unit, lang)


def difference_cell(d: dict, unit: str, lang: str) -> str:
    """A paired difference over draws, 'mean [lo – hi]'; a difference of two shares in percentage
    points ("14,5 p.e."), as the cohort table writes it, not as a share of its own."""
    if unit == "share":
        pts = in_lang(lang, "p.e.", "pts")
        def pct(v: float) -> str:
            return number(100 * v, 1, lang)
        return f"{pct(d['mean'])} {pts} [{pct(d['lo'])} – {pct(d['hi'])} {pts}]"
    return f"{_cell(d['mean'], unit, lang)} [{_cell(d['lo'], unit, lang)} – {_cell(d['hi'], unit, lang)}]"


def _span(row: pd.Series, lang: str) -> str:
    """'mean [lo – hi]'; a break-even share beyond reach in words, its interval clipped."""
    from model.report import reach

    key, unit = str(row.name), row["unit"]
    mean = reach.figure(key, row["mean"], math.nan, lambda v: _cell(v, unit, lang), lang)
    span = reach.interval(key, row["lo"], row["hi"], math.nan,
                          lambda a, b: f"{_cell(a, unit, lang)} – {_cell(b, unit, lang)}", lang)
    return f"{mean} [{span}]"


def summaries(psa: PSAResult, scenarios: list[Scenario]) -> dict[str, pd.DataFrame]:
    """Per scenario name: its figures summarised over the draws (mean, interval, MCSE;
    `model.psa.summary.summary_of`, computed once per PSA)."""
    return {sc.name: summary_of(psa, sc) for sc in scenarios}


def psa_text(answer: Answer, lang: str = "sv") -> str:
    """The uncertainty table, the probabilities (with MCSE) and what they mean."""
    psa = answer.psa
    scs = answer.scenarios
    sums = summaries(psa, scs)
    keys = [k for k in psa_metrics(scs[0]) if all(k in s["metric"].values for s in sums.values())]
    rows = []
    for k in keys:
        cells = [metric_label(k, lang) + tax_basis(k, scs[0].valuation.tax_factor, lang)]
        for sc in scs:
            r = sums[sc.name].set_index("metric").loc[k]
            cells.append(_span(r, lang))
        if len(scs) == 2:
            d = draw_difference(psa, scs[0].name, scs[1].name, k)
            unit = sums[scs[0].name].set_index("metric").loc[k, "unit"]
            cells.append(difference_cell(d, unit, lang))
        rows.append(cells)
    heads = [in_lang(lang, "Mått", "Metric"), *[sc.title for sc in scs]]
    if len(scs) == 2:
        heads.append(f"{scs[0].title} − {scs[1].title}")
    parts = [method_line(psa, scs, lang), table(rows, heads), probability_text(psa, scs, lang)]
    return "\n\n".join(parts)


def method_line(psa: PSAResult, scs: list[Scenario], lang: str) -> str:
    how = []
    for sc in scs:
        m = psa.methods.get(sc.name, "")
        if m == "expected":
            how.append(in_lang(lang, f"{sc.title}: väntevärdesvägen (ingen simuleringsbrus)",
                               f"{sc.title}: expected-value path (no simulation noise)")
                       + _vectorised(psa.vectorised.get(sc.name, ""), lang))
        elif m == "mixed":
            used = psa.of(sc.name)["method"]
            k, rest = int((used == "expected").sum()), int((used == "simulated").sum())
            how.append(in_lang(lang, f"{sc.title}: väntevärdesvägen i {k} dragningar, medel av "
                                     f"{psa.replications} simulerade kohorter i de {rest} där den "
                                     "inte gäller",
                               f"{sc.title}: expected-value path in {k} draws, mean of "
                               f"{psa.replications} simulated cohorts in the {rest} where it does "
                               "not apply")
                       + _vectorised(psa.vectorised.get(sc.name, ""), lang))
        else:
            how.append(in_lang(lang, f"{sc.title}: medel av {psa.replications} simulerade "
                                     "kohorter per dragning",
                               f"{sc.title}: mean of {psa.replications} simulated cohorts "
                               "per draw"))
    n = draws_text(psa, lang)
    return in_lang(
        lang,
        f"Parameterosäkerhet: {n} ur indatas angivna osäkerhet (frö {psa.seed}); "
        f"varje dragning ger programmets förväntade utfall ({'; '.join(how)}). "
        "[95 %-intervall över dragningarna]",
        f"Parameter uncertainty: {n} of the inputs' stated uncertainty (seed {psa.seed}); "
        f"each draw gives the programme's expected result ({'; '.join(how)}). "
        "[95 % interval over draws]")


def draws_text(psa: PSAResult, lang: str) -> str:
    """'1 000 dragningar (475 olika kalibrerade rader, effektivt ≈ 390)', or '1 000 dragningar'
    without a joint group: the draws and what they are worth (`model.psa.effective`)."""
    e = psa.effective
    n = number(e.draws, 0, lang)
    if e.distinct_rows is None:
        return in_lang(lang, f"{n} dragningar", f"{n} draws")
    r, k = number(e.distinct_rows, 0, lang), number(e.effective_draws, 0, lang)
    return in_lang(lang, f"{n} dragningar ({r} olika kalibrerade rader, effektivt ≈ {k})",
                   f"{n} draws ({r} distinct calibrated rows, effectively ≈ {k})")


def _eff(psa: PSAResult) -> dict[str, float | int | None]:
    """The distinct rows and effective draws a record carries beside n."""
    r = psa.effective.record()
    return {"distinct_rows": r["distinct_rows"], "effective_draws": r["effective_draws"]}


def _vectorised(note: str, lang: str) -> str:
    """How the expected-value draws were priced (`model.psa.vector`), when some went draw by draw."""
    if not note or note.startswith("all "):
        return ""
    return in_lang(lang, f" [dragningsvis: {note}]", f" [{note}]")


def probabilities(psa: PSAResult, scs: list[Scenario]) -> pd.DataFrame:
    """P(NPV > 0) per programme and P(A beats B) per pair (first against the others), with MCSE."""
    rows = []
    for sc in scs:
        k = headline(sc)
        p, se = probability(psa.of(sc.name)[k] > 0, psa.n_eff)
        rows.append({"what": "npv_positive", "programme": sc.name, "other": "", "metric": k,
                     "p": p, "mcse": se, "n": psa.n, **_eff(psa)})
    for other in scs[1:]:
        k = headline(scs[0])
        d = draw_difference(psa, scs[0].name, other.name, k)
        rows.append({"what": "beats", "programme": scs[0].name, "other": other.name, "metric": k,
                     "p": d["p"], "mcse": d["p_mcse"], "n": psa.n, **_eff(psa)})
    return pd.DataFrame(rows)


def probability_text(psa: PSAResult, scs: list[Scenario], lang: str) -> str:
    names = {sc.name: sc.title for sc in scs}
    lines = []
    for r in probabilities(psa, scs).itertuples():
        pct = probability_percent(r.p, lang)
        se = number(r.mcse * 100, 1, lang)
        label = metric_label(r.metric, lang).lower() if lang != "sv" else metric_label(r.metric, lang)
        if r.what == "npv_positive":
            lines.append(in_lang(lang, f"Sannolikhet att {label} är positivt för "
                                       f"{names[r.programme]}: {pct} (MCSE {se} procentenheter).",
                                 f"Probability that the {label} of {names[r.programme]} is "
                                 f"positive: {pct} (MCSE {se} points)."))
        else:
            lines.append(in_lang(lang, f"Sannolikhet att {names[r.programme]} har högre {label} än "
                                       f"{names[r.other]}: {pct} (MCSE {se} procentenheter).",
                                 f"Probability that {names[r.programme]} has the higher {label} "
                                 f"than {names[r.other]}: {pct} (MCSE {se} points)."))
    lines.append(in_lang(
        lang,
        "Sannolikheterna är andelen dragningar ur det vi vet om indata (varje värde med sin "
        "angivna osäkerhet) där påståendet gäller; antaganden utan angiven osäkerhet hålls fasta, "
        "och slumpvariationen för en enskild kohort ingår inte (den visas nedan).",
        "Each probability is the share of draws of what we know about the inputs (each value "
        "with its stated uncertainty) in which the statement holds; assumptions without a stated "
        "uncertainty are held fixed, and the chance variation of one cohort is not included (it "
        "is shown below)."))
    return "\n".join(lines)


def psa_rows(answer: Answer) -> pd.DataFrame:
    """Tidy rows for CSV/JSON: every figure over draws per programme, then the probabilities."""
    psa = answer.psa
    frames = []
    for sc, s in zip(answer.scenarios, summaries(psa, answer.scenarios).values(), strict=True):
        frames.append(s.assign(programme=sc.name))
    probs = probabilities(psa, answer.scenarios).rename(columns={"p": "mean"})
    probs["metric"] = probs["what"] + ":" + probs["metric"]
    probs["unit"] = "share"
    probs["basis"] = "draws"
    frames.append(probs.drop(columns=["what"]))
    return pd.concat(frames, ignore_index=True).assign(seed=psa.seed, **psa.effective.record())


def cohort_heading(answer: Answer, lang: str = "sv") -> str:
    """The title of the simulated-cohort block that follows the uncertainty answer."""
    parts = []
    for r in answer.results:
        n = number(float(r.priced.metrics["participants"].mean()), 0, lang)
        parts.append(f"{r.scenario.title} {n}")
    runs = answer.results[0].run.replications
    return in_lang(
        lang,
        f"Variation för en kohort om N deltagare ({', '.join(parts)}): {runs} simulerade kohorter "
        "med alla antaganden vid sina basvärden; intervallet visar slumpens spridning för en "
        "enskild kohort, inte vad vi vet om antagandena.",
        f"Variation for one cohort of N participants ({', '.join(parts)}): {runs} simulated "
        "cohorts with every assumption at its base value; the interval shows the chance variation "
        "of one cohort, not what we know about the assumptions.")
