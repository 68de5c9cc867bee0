"""Labels and number formats for people: Swedish by default ("9 912 000 kr", "62,0 %"), English on request."""

from __future__ import annotations

import math

from tabulate import tabulate

ACTOR_LABELS: dict[str, tuple[str, str]] = {
    "esf": ("ESF", "ESF"),
    "kommun": ("Kommunen", "Municipality"),
    "arbetsformedlingen": ("Arbetsförmedlingen", "Employment service"),
    "forsakringskassan": ("Försäkringskassan", "Social insurance agency"),
    "region": ("Regionen", "Region"),
    "samordningsforbund": ("Samordningsförbundet", "Coordination association"),
    "staten": ("Staten", "Central government"),
    "individen": ("Individen", "The individual"),
    "other": ("Övriga", "Others"),
}

LABELS: dict[str, tuple[str, str]] = {
    "participants": ("Deltagare", "Participants"),
    "exit_state": ("Utfall", "Exit state"),
    "category": ("Kategori", "Category"),
    "count": ("Antal", "Count"),
    "share": ("Andel", "Share"),
    "interval": ("95 %-intervall", "95 % interval"),
    "mean_months_in_programme": ("Månader i programmet, medel", "Months in programme, mean"),
    "median_months_in_programme": ("Månader i programmet, median", "Months in programme, median"),
    "mean_months_waiting": ("Väntetid i kö, medel", "Months waiting, mean"),
    "intervention": ("Insats", "Intervention"),
    "starts": ("Starter", "Starts"),
    "mean_in_service": ("I insatsen, medel", "In service, mean"),
    "mean_waiting": ("I kö, medel", "Waiting, mean"),
    "utilisation": ("Beläggning", "Utilisation"),
    "metric": ("Mått", "Metric"),
    "mean": ("Medel", "Mean"),
    "still": ("(kvar i programmet)", "(still in programme)"),
    "work": ("arbete", "work"),
    "studies": ("studier", "studies"),
    "care": ("vård/rehabilitering", "care"),
    "benefit": ("rätt ersättning", "benefit"),
    "other": ("annat", "other"),
}

METRIC_LABELS: dict[str, tuple[str, str]] = {
    "participants": ("Deltagare", "Participants"),
    "share_work": ("Andel till arbete", "Share to work"),
    "exits_work": ("Avslut till arbete", "Exits to work"),
    "exits_studies": ("Avslut till studier", "Exits to studies"),
    "cost": ("Kostnad", "Cost"),
    "cost_pv": ("Kostnad, nuvärde", "Cost, present value"),
    "cost_per_participant": ("Kostnad per deltagare", "Cost per participant"),
    "esf_grant": ("varav ESF-stöd", "of which ESF grant"),
    "cofinancing": ("varav medfinansiering", "of which co-financing"),
    "allowances": ("varav ersättning till deltagare", "of which participants' allowances"),
    "extra_jobs_at_exit": ("Extra jobb vid avslut", "Extra jobs at exit"),
    "extra_jobs_12m": ("Extra i arbete efter 12 mån", "Extra in work at 12 months"),
    "cost_per_extra_job": ("Kostnad per extra arbete", "Cost per extra job"),
    "person_years": ("Kortad arbetslöshet", "Shortened unemployment"),
    "revenue": ("Samhällsintäkt", "Societal revenue"),
    "revenue_pv": ("Samhällsintäkt, nuvärde", "Societal revenue, present value"),
    "npv": ("Nettonuvärde", "Net present value"),
    "bcr": ("Nytta/kostnad", "Benefit-cost ratio"),
    "payback_months": ("Återbetalningstid", "Payback time"),
    "pays_back": ("Sannolikhet att det lönar sig", "Probability it pays back"),
    "breakeven_extra_jobs": ("Extra jobb som krävs (break-even)", "Extra jobs needed (break-even)"),
    "breakeven_work_share": ("Andel till arbete som krävs", "Work-exit share needed"),
    "breakeven_work_exits": ("Avslut till arbete som krävs", "Exits to work needed"),
}


def in_lang(lang: str, sv: str, en: str) -> str:
    """The Swedish text, or the English one when `lang` is not "sv"."""
    return sv if lang == "sv" else en


def pick(labels: dict[str, tuple[str, str]], key: str, lang: str = "sv") -> str:
    """The (Swedish, English) label of `key` in `labels`, or the key itself where there is none."""
    return in_lang(lang, *labels.get(key, (key, key)))


def missing(value: object) -> bool:
    """No figure to show: None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def metric_label(key: str, lang: str = "sv") -> str:
    """Label for a metric column, e.g. 'revenue:1y' -> 'Samhällsintäkt, 1 år'."""
    base, _, view = key.partition(":")
    if base == "cost" and view:
        return ("Kostnad, " if lang == "sv" else "Cost, ") + view
    text = pick(METRIC_LABELS, base, lang)
    if view:
        years = view.rstrip("y")
        text += f", {years.replace('.', ',') if lang == 'sv' else years} " + (
            "år" if lang == "sv" else ("year" if years == "1" else "years"))
    return text


UNITS: dict[str, tuple[str, str]] = {
    "kr": ("kr", "SEK"),
    "months": ("mån", "months"),
    "person-years": ("personår", "person-years"),
    "participants": ("personer", "people"),
    "jobs": ("jobb", "jobs"),
    "share": ("%", "%"),
    "ratio": ("", ""),
}


def label(key: str, lang: str = "sv") -> str:
    return pick(LABELS, key, lang)


def actor_label(actor: str, lang: str = "sv") -> str:
    return pick(ACTOR_LABELS, actor, lang)


def number(value: float, decimals: int = 0, lang: str = "sv") -> str:
    """Group thousands with a space and use a decimal comma in Swedish."""
    if missing(value):
        return "–"
    if abs(value) < 0.5 * 10 ** (-decimals):
        value = 0.0  # no "−0 kr" from rounding
    text = f"{value:,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", " ").replace(".", ",")
    return text.replace("-", "−") if lang == "sv" else text


def with_unit(value: float, unit: str, lang: str = "sv", decimals: int | None = None) -> str:
    """A figure with its unit: kr as whole kronor, shares as percent, months with one decimal."""
    if unit == "share":
        return f"{number(value * 100, 1 if decimals is None else decimals, lang)} %"
    if decimals is None:
        decimals = 0 if unit in ("kr", "participants", "jobs") else 1
    u = UNITS.get(unit, (unit, unit))[0 if lang == "sv" else 1]
    return f"{number(value, decimals, lang)} {u}".rstrip()


def kr(value: float, lang: str = "sv") -> str:
    """Kronor for people: whole thousands above 10 000 kr ("9 912 000 kr"), else whole kronor."""
    if not missing(value) and abs(value) >= 10_000:
        value = round(value, -3)
    return with_unit(value, "kr", lang)


def span(lo: float, hi: float, unit: str, lang: str = "sv", decimals: int | None = None) -> str:
    if missing(lo):
        return "–"
    return f"{with_unit(lo, unit, lang, decimals)} – {with_unit(hi, unit, lang, decimals)}"


def table(rows: list[list[object]], headers: list[str]) -> str:
    return tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True)


# headers of the report's own tables (Swedish, English)
WORDS: dict[str, tuple[str, str]] = {
    "programme": ("Program", "Programme"),
    "metric": ("Mått", "Metric"),
    "key": ("Nyckel", "Key"),
    "unit": ("Enhet", "Unit"),
    "mean": ("Medel", "Mean"),
    "lo": ("2,5 %", "2.5 %"),
    "hi": ("97,5 %", "97.5 %"),
    "median": ("Median", "Median"),
    "actor": ("Aktör", "Actor"),
    "year": ("År", "Year"),
    "cost_pv": ("Kostnad, nuvärde", "Cost, present value"),
    "benefit_pv": ("Samhällsintäkt, nuvärde", "Societal revenue, present value"),
    "transfers_pv": ("Transfereringar, nuvärde", "Transfers, present value"),
    "net_pv": ("Netto, nuvärde", "Net, present value"),
    "net_pv_lo": ("Netto, 2,5 %", "Net, 2.5 %"),
    "net_pv_hi": ("Netto, 97,5 %", "Net, 97.5 %"),
    "cost": ("Kostnad", "Cost"),
    "benefit": ("Samhällsintäkt", "Societal revenue"),
    "transfers": ("Transfereringar", "Transfers"),
    "net": ("Netto", "Net"),
    "group": ("Grupp", "Group"),
    "sex": ("Kön", "Sex"),
    "born": ("Född", "Born"),
    "participants": ("Deltagare", "Participants"),
    "share_of_participants": ("Andel av deltagarna", "Share of participants"),
    "share_of_months": ("Andel av programmånaderna", "Share of programme months"),
    "months_in_programme": ("Månader i programmet", "Months in programme"),
    "months_in_programme_lo": ("Månader, 2,5 %", "Months, 2.5 %"),
    "months_in_programme_hi": ("Månader, 97,5 %", "Months, 97.5 %"),
    "gap_months": ("Skillnad mot alla, månader", "Gap to all, months"),
    "months_waiting": ("Månader i kö", "Months waiting"),
    "share_work": ("Andel till arbete", "Share to work"),
    "share_work_lo": ("Arbete, 2,5 %", "Work, 2.5 %"),
    "share_work_hi": ("Arbete, 97,5 %", "Work, 97.5 %"),
    "gap_share_work": ("Skillnad mot alla, arbete", "Gap to all, work"),
    "share_work_or_studies": ("Andel till arbete eller studier", "Share to work or studies"),
    "gap_share_work_or_studies": ("Skillnad mot alla, arbete/studier",
                                  "Gap to all, work/studies"),
    "path": ("Sökväg i scenariofilen", "Path in the scenario file"),
    "value": ("Värde", "Value"),
    "source": ("Källa", "Source"),
    "assumption": ("Antagande", "Assumption"),
    "all": ("Alla deltagare", "All participants"),
    "no_source": ("ingen källa angiven", "no source given"),
    "view": ("Horisont", "Horizon"),
    "budget": ("Budget (kostnad)", "Budget (cost)"),
    "needed": ("Avslut till arbete som krävs", "Exits to work needed"),
    "needed_share": ("Andel som krävs", "Share needed"),
    "expected": ("Förväntade avslut till arbete", "Expected exits to work"),
    "stay": ("Varaktighet i arbete, månader", "Months in work"),
    "p_pays": ("Sannolikhet att det lönar sig", "Probability it pays back"),
    "from": ("Från", "From"),
    "to": ("Till", "To"),
    "count": ("Antal per körning", "Number per run"),
}


def word(key: str, lang: str = "sv") -> str:
    return pick(WORDS, key, lang)


def fmt(value: float, unit: str, lang: str = "sv") -> str:
    """One figure with its unit, as the report shows it (ratios with two decimals)."""
    if unit == "kr":
        return kr(value, lang)
    if unit == "ratio":
        return number(value, 2, lang)
    return with_unit(value, unit, lang)


def fmt_span(lo: float, hi: float, unit: str, lang: str = "sv") -> str:
    if missing(lo):
        return "–"
    return f"{fmt(lo, unit, lang)} – {fmt(hi, unit, lang)}"

