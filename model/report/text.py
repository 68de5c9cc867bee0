"""Labels and number formats for people: Swedish by default ("9 912 000 kr", "62,0 %"), English on request."""

from __future__ import annotations

import math
import re

from tabulate import tabulate

from model.lang import in_lang  # its home; imported from here by the report's modules

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
    "exits_good": ("Avslut till arbete eller värderade studier", "Exits to work or valued studies"),
    "still_in_programme": ("Kvar i programmet", "Still in the programme"),
    "cost": ("Kostnad, hela programmet", "Cost, whole programme"),
    "cost_pv": ("Kostnad, hela programmet", "Cost, whole programme"),
    "net_cost": ("Kostnad utöver referensen", "Cost above the reference"),
    "net_cost_pv": ("Kostnad utöver referensen", "Cost above the reference"),
    "reference_cost_pv": ("Referensens kostnad", "Reference's cost"),
    "cost_per_participant": ("Kostnad per deltagare", "Cost per participant"),
    "budget": ("Budget inkl. ersättningar", "Budget incl. allowances"),
    "esf_grant": ("varav ESF-stöd", "of which ESF grant"),
    "cofinancing": ("varav medfinansiering", "of which co-financing"),
    "allowances": ("varav ersättning till deltagare", "of which participants' allowances"),
    "jobs_without_at_exit": ("Jobb utan programmet vid avslut", "Jobs without the programme at exit"),
    "extra_jobs_at_exit": ("Extra jobb vid avslut", "Extra jobs at exit"),
    "extra_jobs_12m": ("Extra i arbete efter 12 mån", "Extra in work at 12 months"),
    "cost_per_extra_job": ("Kostnad per extra arbete", "Cost per extra job"),
    "person_years": ("Kortad arbetslöshet", "Shortened unemployment"),
    "person_years_pv": ("Kortad arbetslöshet", "Shortened unemployment"),
    "mean_months_in_programme": ("Månader i programmet, medel", "Months in the programme, mean"),
    "qaly": ("Vunna kvalitetsjusterade levnadsår (QALY)", "QALYs gained"),
    "qaly_pv": ("Vunna kvalitetsjusterade levnadsår (QALY)", "QALYs gained"),
    "qaly_value_pv": ("Värdet av vunna QALY (bredvid nettonuvärdet, ingår inte i det)",
                      "Value of QALYs gained (beside the NPV, not in it)"),
    "revenue": ("Samhällsintäkt", "Societal revenue"),
    "revenue_pv": ("Samhällsintäkt", "Societal revenue"),
    "npv": ("Nettonuvärde", "Net present value"),
    "bcr": ("Nytta/kostnad", "Benefit-cost ratio"),
    "payback_months": ("Återbetalningstid", "Payback time"),
    "pays_back": ("Andel körningar där nettonuvärdet > 0", "Share of runs in which NPV > 0"),
    "no_payback": ("Andel körningar utan återbetalning", "Share of runs that do not pay back"),
    "breakeven_extra_jobs": ("Extra jobb för nettonuvärde 0", "Extra jobs for NPV 0"),
    "breakeven_work_share": ("Andel till arbete för nettonuvärde 0", "Work-exit share for NPV 0"),
    "breakeven_work_exits": ("Avslut till arbete för nettonuvärde 0", "Exits to work for NPV 0"),
}
# metrics counted within a horizon view (the unsuffixed ones repeat the headline horizon)
VIEW_METRICS = {"person_years", "person_years_pv", "revenue", "revenue_pv", "npv", "bcr",
                "payback_months", "pays_back", "no_payback", "breakeven_extra_jobs",
                "breakeven_work_share", "breakeven_work_exits", "qaly", "qaly_pv", "qaly_value_pv"}
# metrics per exit state ('share:arbete'): the state's name follows the label
STATE_METRICS: dict[str, tuple[str, str]] = {
    "share": ("Andel avslut till", "Share leaving to"),
    "mean_months_to": ("Månader till avslut, medel, till", "Months to leaving, mean, to"),
}
# whether an amount is discounted: present value (nuvärde) or undiscounted (odiskonterat); the
# NPV says it in its name, counts of people are neither
DISCOUNTING: dict[str, str] = {
    "cost": "nominal", "cost_pv": "pv", "net_cost": "nominal", "net_cost_pv": "pv",
    "reference_cost_pv": "pv", "cost_per_participant": "nominal", "budget": "nominal",
    "esf_grant": "nominal", "cofinancing": "nominal", "allowances": "nominal",
    "cost_per_extra_job": "nominal", "person_years": "nominal", "revenue": "nominal",
    "revenue_pv": "pv", "bcr": "pv", "payback_months": "pv", "qaly": "nominal", "qaly_pv": "pv",
    "qaly_value_pv": "pv",
}
# what a share of runs is, and what it leaves out, wherever one is shown
RUNS_NOTE = ("Andelen gäller simulerade körningar med alla antaganden fasta: den visar slumpen i "
             "vilka som deltar och hur det går för dem, inte osäkerheten i antagandena "
             "(parameterosäkerhet).",
             "The share is over simulated runs with every assumption fixed: it shows chance in who "
             "takes part and how they fare, not uncertainty in the assumptions (parameter "
             "uncertainty).")
DISCOUNT_WORDS = {"pv": ("nuvärde", "present value"), "nominal": ("odiskonterat", "undiscounted")}


def pick(labels: dict[str, tuple[str, str]], key: str, lang: str = "sv") -> str:
    """The (Swedish, English) label of `key` in `labels`, or the key itself where there is none."""
    return in_lang(lang, *labels.get(key, (key, key)))


def missing(value: object) -> bool:
    """No figure to show: None or NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def view_text(view: str, lang: str = "sv") -> str:
    """'5y' -> '5 år' / '5 years'."""
    years = view.rstrip("y")
    if lang == "sv":
        return f"{years.replace('.', ',')} år"
    return f"{years} {'year' if years == '1' else 'years'}"


def metric_label(key: str, lang: str = "sv", horizon_years: float | None = None) -> str:
    """Label of a metric with its horizon view and whether it is discounted.

    'revenue:1y' -> 'Samhällsintäkt, 1 år, odiskonterat'; an unsuffixed view metric ('npv')
    repeats the headline horizon, so it takes `horizon_years` to name its view.
    """
    base, _, view = key.partition(":")
    if base in STATE_METRICS and view:
        return f"{pick(STATE_METRICS, base, lang)} {view}"
    if base == "budget" and view:
        text = in_lang(lang, "Budget, ", "Budget, ") + actor_label(view, lang)
        view = ""
    else:
        text = pick(METRIC_LABELS, base, lang)
    if not view and base in VIEW_METRICS and horizon_years is not None:
        view = f"{horizon_years:g}y"
    if view and base in ("payback_months", "no_payback"):
        text += in_lang(lang, " inom ", " within ") + view_text(view, lang)
    elif view and base in VIEW_METRICS:
        text += ", " + view_text(view, lang)
    kind = DISCOUNTING.get("budget" if base == "budget" else base)
    if kind is not None:
        text += ", " + pick(DISCOUNT_WORDS, kind, lang)
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


# cost rows that enter a ratio: with a tax factor they carry it, and their label says so
TAXED = {"cost", "cost_pv", "net_cost", "net_cost_pv", "reference_cost_pv", "cost_per_participant",
         "cost_per_extra_job"}


def tax_basis(key: str, tax_factor: float, lang: str = "sv") -> str:
    """', inkl. skattefaktor 1,30' for a cost row when ASEK's tax factor is applied, else ''."""
    if key.partition(":")[0] not in TAXED or tax_factor == 1.0:
        return ""
    return in_lang(lang, ", inkl. skattefaktor ", ", incl. tax factor ") + number(tax_factor, 2, lang)


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
    if math.isinf(value):  # a ratio with nothing below it (no extra job): never "inf"
        word = "obegränsad" if lang == "sv" else "unbounded"
        return word if value > 0 else ("−" if lang == "sv" else "-") + word
    if abs(value) < 0.5 * 10 ** (-decimals):
        value = 0.0  # no "−0 kr" from rounding
    text = f"{value:,.{decimals}f}"
    if lang == "sv":
        text = text.replace(",", " ").replace(".", ",")
    return text.replace("-", "−") if lang == "sv" else text


_SOURCE_PREFIX = re.compile(r"^(assumption|antagande)(?=[:,;( ])", re.IGNORECASE)


def source_text(source: str, lang: str = "sv") -> str:
    """A source as shown: its leading label in the reader's language ("assumption: x" ->
    "antagande: x" in Swedish, and back in English); the rest, a quote, stays as written."""
    word = "antagande" if lang == "sv" else "assumption"
    return _SOURCE_PREFIX.sub(lambda m: word.capitalize() if m.group(1)[0].isupper() else word,
                              source, count=1)


def count(n: float, one: str, many: str, lang: str = "sv") -> str:
    """A count with its noun in the right number: "1 körning", "200 körningar", "1 row"."""
    return f"{number(n, 0, lang)} {one if n == 1 else many}"


def run_count(n: int, lang: str = "sv", many_en: str = "runs") -> str:
    """A number of runs as written in running text ("1 körning", "200 körningar", "1 run")."""
    if lang == "sv":
        return f"{n} {'körning' if n == 1 else 'körningar'}"
    return f"{n} {many_en[:-1] if n == 1 else many_en}"


# units whose word has a singular (Swedish, English): "1 person", "1 job"
SINGULAR_UNITS: dict[str, tuple[str, str]] = {"participants": ("person", "person"),
                                              "jobs": ("jobb", "job")}


def with_unit(value: float, unit: str, lang: str = "sv", decimals: int | None = None) -> str:
    """A figure with its unit: kr as whole kronor, shares as percent, months with one decimal."""
    if not missing(value) and math.isinf(value):
        return number(value, 0, lang)
    if unit == "share":
        return f"{number(value * 100, 1 if decimals is None else decimals, lang)} %"
    if decimals is None:
        decimals = 0 if unit in ("kr", "participants", "jobs") else 1
    text = number(value, decimals, lang)
    words = SINGULAR_UNITS[unit] if unit in SINGULAR_UNITS and text == "1" else UNITS.get(unit, (unit, unit))
    return f"{text} {words[0 if lang == 'sv' else 1]}".rstrip()


def probability_percent(p: float, lang: str = "sv") -> str:
    """A probability as a verdict says it, in percent: "100 %" or "0 %" only when it is exactly 1
    or 0 (every draw or run, or none); otherwise one decimal, and more where one would round it
    to 100 or 0 ("99,8 %", "0,3 %", "99,96 %"), so that a headline never says "100 %" where the
    probability line under it says 99,8 %. The one formatter of a probability in a verdict or
    beside it (terminal, HTML, workbook, page)."""
    if missing(p) or math.isinf(p):
        return "–"
    if p >= 1.0 or p <= 0.0:
        return with_unit(min(max(p, 0.0), 1.0), "share", lang, 0)
    for decimals in range(1, 10):
        shown = float(f"{p * 100:.{decimals}f}")  # as `number` rounds it
        if 0.0 < shown < 100.0:
            break
    return with_unit(p, "share", lang, decimals)


def kr(value: float, lang: str = "sv") -> str:
    """Kronor for people: whole thousands above 10 000 kr ("9 912 000 kr"), else whole kronor."""
    if not missing(value) and abs(value) >= 10_000 and not math.isinf(value):
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
    "cost_pv": ("Kostnad, hela programmet, nuvärde", "Cost, whole programme, present value"),
    "benefit_pv": ("Samhällsintäkt inom horisonten, nuvärde",
                   "Societal revenue within the horizon, present value"),
    "transfers_pv": ("Transfereringar inom horisonten, nuvärde",
                     "Transfers within the horizon, present value"),
    "net_pv": ("Netto, nuvärde", "Net, present value"),
    "net_pv_lo": ("Netto, 2,5 %", "Net, 2.5 %"),
    "net_pv_hi": ("Netto, 97,5 %", "Net, 97.5 %"),
    "cost": ("Kostnad, odiskonterat", "Cost, undiscounted"),
    "benefit": ("Samhällsintäkt inom horisonten, odiskonterat",
                "Societal revenue within the horizon, undiscounted"),
    "transfers": ("Transfereringar inom horisonten, odiskonterat",
                  "Transfers within the horizon, undiscounted"),
    "net": ("Netto, odiskonterat", "Net, undiscounted"),
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
    "budget": ("Budget inkl. ersättningar, odiskonterat", "Budget incl. allowances, undiscounted"),
    "societal_cost": ("Samhällets kostnad, odiskonterat", "Societal cost, undiscounted"),
    "needed": ("Avslut till arbete för nettonuvärde 0", "Exits to work for NPV 0"),
    "needed_share": ("Andel som krävs", "Share needed"),
    "expected": ("Förväntade avslut till arbete", "Expected exits to work"),
    "stay": ("Varaktighet i arbete, månader", "Months in work"),
    "p_pays": ("Andel körningar där nettonuvärdet > 0", "Share of runs in which NPV > 0"),
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



# labels of scenario inputs by YAML path, for the assumptions table and the sensitivity analysis
INPUT_LABELS: dict[str, tuple[str, str]] = {
    "valuation.value_per_year": ("Värde per personår kortad arbetslöshet",
                                 "Value per person-year of shortened unemployment"),
    "valuation.horizon_years": ("Kalkylhorisont", "Horizon"),
    "valuation.discount_rate": ("Diskonteringsränta per år", "Discount rate per year"),
    "counterfactual.reference": ("Jämförelsealternativ: referensscenario",
                                 "Counterfactual: reference scenario"),
    "counterfactual.monthly_hazard": ("Chans per månad att få arbete utan programmet",
                                      "Monthly chance of finding work without the programme"),
    "employment.retention.share_at_12_months": ("Andel kvar i arbete efter 12 månader",
                                                "Share still in work after 12 months"),
    "employment.retention.monthly_hazard": ("Risk per månad att förlora arbetet",
                                            "Monthly risk of losing the job"),
    "employment.extent": ("Sysselsättningsgrad", "Employment extent (share of full time)"),
    "employment.lag_months": ("Månader från avslut till arbete", "Months from exit to job"),
    "counterfactual.deadweight": ("Dödviktsförlust", "Deadweight"),
    "counterfactual.displacement": ("Undanträngning", "Displacement"),
    "valuation.confidence_haircut": ("Avdrag för osäkerhet", "Confidence haircut"),
    "valuation.drop_off_per_year": ("Avtagande effekt per år", "Drop-off per year"),
    "valuation.benefit_lag_months": ("Månader innan nyttan börjar räknas", "Benefit lag, months"),
    "valuation.optimism_bias": ("Påslag för optimism på kostnaderna", "Optimism-bias uplift"),
    "valuation.actor_shares": ("Fördelning av samhällsintäkten på aktörer",
                               "Split of the societal revenue between actors"),
    "intake.cohort.n": ("Antal deltagare", "Participants"),
    "intake.max_participants": ("Antal deltagare (högst)", "Participants (at most)"),
    "intake.spread.n": ("Antal deltagare", "Participants"),
    "intake.groups.size": ("Deltagare per grupp", "Participants per group"),
    "intake.stream.rate_per_month": ("Nya deltagare per månad", "New participants per month"),
}
# cost amounts by their key: "{item}" is the cost item's label (or the funder's)
COST_INPUTS: dict[str, tuple[str, str]] = {
    "per_participant_month": ("Kostnad per deltagarmånad: {item}", "Cost per participant-month: {item}"),
    "per_start": ("Kostnad per start: {item}", "Cost per start: {item}"),
    "per_place_month": ("Kostnad per platsmånad: {item}", "Cost per place-month: {item}"),
    "per_month": ("Kostnad per månad: {item}", "Cost per month: {item}"),
    "monthly_salary": ("Månadslön per heltid: {item}", "Monthly salary per FTE: {item}"),
    "amount": ("Engångsbelopp: {item}", "Lump sum: {item}"),
    "budget": ("Total budget: {item}", "Total budget: {item}"),
}
# inputs inside an intervention: interventions.<name>.<rest>
INTERVENTION_INPUTS: dict[str, tuple[str, str]] = {
    "duration.mean": ("Medellängd, månader, i {iv}", "Mean duration, months, in {iv}"),
    "duration.months": ("Längd, månader, i {iv}", "Duration, months, in {iv}"),
    "capacity.places": ("Platser i {iv}", "Places in {iv}"),
    "capacity.staff_fte": ("Handledare (heltider) i {iv}", "Supervisors (FTE) in {iv}"),
    "capacity.caseload_per_fte": ("Deltagare per handledare i {iv}",
                                  "Participants per supervisor in {iv}"),
    "capacity.monthly_salary": ("Månadslön per handledare (heltid) i {iv}",
                                "Monthly salary per supervisor (FTE) in {iv}"),
}


def input_label(path: str, lang: str = "sv", names: dict[str, str] | None = None) -> str:
    """A scenario input's label in words, from its YAML path (the path itself if unknown).

    `names` gives interventions' and exit states' labels by name ("kurs" -> "Yrkeskurs").
    """
    if path in INPUT_LABELS:
        return pick(INPUT_LABELS, path, lang)
    names = names or {}
    parts = path.split(".")
    if len(parts) >= 3 and parts[0] == "interventions":
        iv, rest = names.get(parts[1], parts[1]), ".".join(parts[2:])
        if rest in INTERVENTION_INPUTS:
            return pick(INTERVENTION_INPUTS, rest, lang).format(iv=iv)
        if len(parts) == 4 and parts[2] in ("routing", "exit_hazards"):
            to = names.get(parts[3], parts[3])
            if parts[2] == "routing":
                return in_lang(lang, f"Andel från {iv} till {to}", f"Share from {iv} to {to}")
            return in_lang(lang, f"Risk per månad, {iv} till {to}",
                           f"Monthly hazard, {iv} to {to}")
    return path


def letter(i: int) -> str:
    """A, B, C, … for the programmes in the order given."""
    return chr(ord("A") + i) if i < 26 else f"P{i + 1}"
