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


# inputs that are labels written with digits, not amounts: never "2 007" or "20 140 227"
NOT_AMOUNTS = ("seed", "price_year", "year")


def not_an_amount(path: str) -> bool:
    """True for an input path whose number is a year or a seed (`valuation.price_year`)."""
    return path.rsplit(".", 1)[-1] in NOT_AMOUNTS


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
