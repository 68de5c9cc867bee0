"""What the HTML report and the Excel workbook say, as tidy tables: one home for both formats.

A `Programme` is one simulated and priced scenario together with its raw YAML (for the sources).
Every function here is a pure function of results and returns a DataFrame or plain values; the
HTML and Excel writers only lay them out. Numbers are formatted with `model.report.text`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.api import ScenarioResult, run_scenario
from model.economics import metric_units, view_key
from model.numbers import collect_sources, walk_inputs
from model.progress import Tick
from model.report.tables import headline_metrics
from model.report.text import (
    actor_label,
    kr,
    label,
    metric_label,
    missing,
    not_an_amount,
    number,
    pick,
    with_unit,
)
from model.results import interval, summarise
from model.scenario import FUNDERS, Scenario, load_scenario, load_yaml, scenario_files

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


# ---------------------------------------------------------------- loading


@dataclass
class Programme:
    """One scenario as the report needs it: the file, its raw YAML and the priced result."""

    path: Path
    raw: dict[str, Any]
    result: ScenarioResult

    @property
    def scenario(self) -> Scenario:
        return self.result.scenario

    @property
    def title(self) -> str:
        return self.scenario.title

    @property
    def name(self) -> str:
        return self.scenario.name


def load_programmes(path: str | Path, replications: int | None = None, seed: int | None = None,
                    workers: int = 1, tick: Tick | None = None,
                    on_loaded: Callable[[list[Scenario]], None] | None = None) -> list[Programme]:
    """Load, simulate and price every scenario in a file or folder (same seed: paired runs).

    `on_loaded(scenarios)` is called once they are validated, before any simulation (e.g. to size
    a progress bar).
    """
    files = scenario_files(path)
    scenarios = [load_scenario(f) for f in files]
    if on_loaded is not None:
        on_loaded(scenarios)
    out = []
    for f, sc in zip(files, scenarios, strict=True):
        raw, _ = load_yaml(f)
        result = run_scenario(sc, replications=replications, seed=seed, workers=workers,
                              on_rep=tick)
        out.append(Programme(Path(f), raw, result))
    return out


# ---------------------------------------------------------------- summary figures

KEY_FIGURES = ["participants", "share_work", "cost", "cost_per_extra_job", "person_years",
               "revenue_pv", "npv", "bcr", "payback_months", "pays_back"]


def summary_table(result: ScenarioResult) -> pd.DataFrame:
    """Every figure of one programme: economics, time in programme and exits, with intervals."""
    sc = result.scenario
    per_rep = result.outcomes["per_rep"]
    units = {"mean_months_in_programme": "months", "median_months_in_programme": "months",
             "mean_months_waiting": "months"}
    for state in sc.exit_states:
        units[f"share:{state}"] = "share"
        units[f"exits:{state}"] = "participants"
    extra = summarise(per_rep, units)
    return pd.concat([result.economics, extra], ignore_index=True)


def figure_label(key: str, sc: Scenario, lang: str = "sv") -> str:
    """Label of any summary row: metrics, outcome times, exits by state."""
    base, _, rest = key.partition(":")
    if base in ("share", "exits") and rest in sc.exit_states:
        state = sc.exit_states[rest].label or rest
        return (f"Andel till {state}" if lang == "sv" else f"Share to {state}") if base == "share" \
            else (f"Avslut till {state}" if lang == "sv" else f"Exits to {state}")
    if key in ("mean_months_in_programme", "median_months_in_programme", "mean_months_waiting"):
        return label(key, lang)
    return metric_label(key, lang)


def ordered_summary(result: ScenarioResult) -> pd.DataFrame:
    """The summary table with the headline metrics first, then the rest in their own order."""
    table = summary_table(result)
    head = [k for k in headline_metrics(result.scenario) if k in set(table["metric"])]
    rest = [k for k in table["metric"] if k not in head]
    return table.set_index("metric").loc[head + rest].reset_index()


def figure(result: ScenarioResult, key: str) -> pd.Series:
    """One row (mean, lo, hi, median, unit) of a programme's summary."""
    return summary_table(result).set_index("metric").loc[key]


def horizon_view(sc: Scenario) -> str:
    return view_key(sc.valuation.horizon_years)


def views(sc: Scenario) -> list[float]:
    return sorted(set(sc.valuation.views_years) | {sc.valuation.horizon_years})


def years_text(years: float, lang: str = "sv") -> str:
    text = number(years, 0 if float(years).is_integer() else 1, lang)
    if lang == "sv":
        return f"{text} år"
    return f"{text} year" if years == 1 else f"{text} years"


def answer(p: Programme, lang: str = "sv") -> str:
    """The answer in one sentence: does it pay back, by how much, and how sure are we."""
    sc = p.scenario
    s = summary_table(p.result).set_index("metric")
    npv, bcr, pays = s.loc["npv"], s.loc["bcr"], s.loc["pays_back", "mean"]
    cost, rev = s.loc["cost_pv", "mean"], s.loc["revenue_pv", "mean"]
    years = years_text(sc.valuation.horizon_years, lang)
    share = with_unit(pays, "share", lang, 0)
    if lang == "sv":
        verdict = "betalar sig" if npv["mean"] > 0 else "betalar sig inte"
        return (f"{sc.title} {verdict} över {years}: samhällsintäkten ({kr(rev, lang)} i nuvärde) "
                f"är {number(bcr['mean'], 1, lang)} gånger kostnaden ({kr(cost, lang)} i nuvärde), "
                f"nettonuvärdet är {kr(npv['mean'], lang)} "
                f"(95 %: {fmt_span(npv['lo'], npv['hi'], 'kr', lang)}) "
                f"och kalkylen går med vinst i {share} av körningarna.")
    verdict = "pays for itself" if npv["mean"] > 0 else "does not pay for itself"
    return (f"{sc.title} {verdict} over {years}: the societal revenue ({kr(rev, lang)} present "
            f"value) is {number(bcr['mean'], 1, lang)} times the cost ({kr(cost, lang)} present "
            f"value), the net "
            f"present value is {kr(npv['mean'], lang)} (95 %: "
            f"{fmt_span(npv['lo'], npv['hi'], 'kr', lang)}) and it pays back in {share} of runs.")


# ---------------------------------------------------------------- assumptions and sources

DEFAULT_SOURCES: dict[str, tuple[str, str]] = {
    "valuation.value_per_year": ("standardvärde: Grenverket/PwC (seed 000), docs/method.md §9",
                                 "default: Grenverket/PwC (seed 000), docs/method.md §9"),
    "valuation.discount_rate": ("standardvärde: ASEK 7.0 kap. 5, docs/method.md §9",
                                "default: ASEK 7.0 ch. 5, docs/method.md §9"),
    "valuation.horizon_years": ("standardvärde: docs/method.md §9", "default: docs/method.md §9"),
}
DEFAULT_ASSUMED = ("standardvärde, antagande (docs/method.md §9)",
                   "default, an assumption (docs/method.md §9)")


def _raw_at(raw: Any, path: str) -> Any:
    node = raw
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _source_of(path: str, raw: dict[str, Any], sources: dict[str, str], lang: str,
               in_file: bool = False) -> str:
    i = 0 if lang == "sv" else 1
    if path in sources:
        return sources[path]
    if in_file or _raw_at(raw, path) is not None:
        return word("no_source", lang)
    return DEFAULT_SOURCES.get(path, DEFAULT_ASSUMED)[i]


def assumptions(p: Programme, lang: str = "sv") -> pd.DataFrame:
    """The main assumptions behind the figures, with their values and sources."""
    sc, raw = p.scenario, p.raw
    sources = {path: src for path, _, src in collect_sources(raw)}
    sv = lang == "sv"
    val, cf, emp = sc.valuation, sc.counterfactual, sc.employment
    rows: list[tuple[str, str, str]] = []

    def add(path: str, sv_text: str, en_text: str, value: str) -> None:
        rows.append((sv_text if sv else en_text, value, _source_of(path, raw, sources, lang)))

    add("valuation.value_per_year", "Värde per personår kortad arbetslöshet",
        "Value per person-year of shortened unemployment", kr(val.value_per_year, lang))
    add("valuation.horizon_years", "Kalkylhorisont", "Horizon", years_text(val.horizon_years, lang))
    add("valuation.discount_rate", "Diskonteringsränta per år", "Discount rate per year",
        with_unit(val.discount_rate, "share", lang))
    if cf.reference is not None:
        add("counterfactual.reference", "Jämförelsealternativ: referensscenario",
            "Counterfactual: reference scenario", cf.reference)
    else:
        add("counterfactual.monthly_hazard",
            "Chans per månad att få arbete utan programmet",
            "Monthly chance of finding work without the programme",
            with_unit(cf.monthly_hazard or 0.0, "share", lang, 1))
        for k, gh in enumerate(cf.by_group):
            who = ", ".join(gh.when.values())
            rows.append(((f"… för {who}" if sv else f"… for {who}"),
                         with_unit(gh.monthly_hazard, "share", lang, 1),
                         _source_of(f"counterfactual.by_group[{k}].monthly_hazard", raw,
                                    sources, lang, in_file=True)))
    ret = emp.retention
    if ret.share_at_12_months is not None:
        add("employment.retention.share_at_12_months", "Andel kvar i arbete efter 12 månader",
            "Share still in work after 12 months", with_unit(ret.share_at_12_months, "share", lang))
    else:
        add("employment.retention.monthly_hazard", "Risk per månad att förlora arbetet",
            "Monthly risk of losing the job", with_unit(ret.monthly_hazard or 0.0, "share", lang, 1))
    add("employment.extent", "Sysselsättningsgrad", "Employment extent (share of full time)",
        with_unit(emp.extent, "share", lang, 0))
    for path, sv_text, en_text, value in (
        ("counterfactual.deadweight", "Dödviktsförlust", "Deadweight", cf.deadweight),
        ("counterfactual.displacement", "Undanträngning", "Displacement", cf.displacement),
        ("valuation.confidence_haircut", "Avdrag för osäkerhet", "Confidence haircut",
         val.confidence_haircut),
        ("valuation.drop_off_per_year", "Avtagande effekt per år", "Drop-off per year",
         val.drop_off_per_year),
        ("valuation.optimism_bias", "Påslag för optimism på kostnaderna", "Optimism-bias uplift",
         val.optimism_bias),
    ):
        if value or _raw_at(raw, path) is not None:
            add(path, sv_text, en_text, with_unit(value, "share", lang))
    shares = ", ".join(f"{actor_label(a, lang)} {with_unit(s, 'share', lang, 0)}"
                       for a, s in val.actor_shares.items())
    add("valuation.actor_shares", "Fördelning av samhällsintäkten på aktörer",
        "Split of the societal revenue between actors", shares)
    return pd.DataFrame(rows, columns=[word("assumption", lang), word("value", lang),
                                       word("source", lang)])


def inputs_table(p: Programme) -> pd.DataFrame:
    """Every input of the scenario file: its path, value and source (from `collect_sources`).

    Columns: programme, path, value (number or text), source ('' when none is given).
    """
    sources = {path: src for path, _, src in collect_sources(p.raw)}
    rows = []
    for path, leaf in walk_inputs(p.raw):
        value = leaf["value"] if isinstance(leaf, dict) else leaf
        rows.append({"programme": p.name, "path": path, "value": value,
                     "source": sources.get(path, "")})
    return pd.DataFrame(rows, columns=["programme", "path", "value", "source"])


def value_text(value: Any, lang: str = "sv", path: str = "") -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if not_an_amount(path):
        return str(value)  # a year or a seed: 2007, not "2 007"
    if isinstance(value, int):
        return number(value, 0, lang)
    if isinstance(value, float):
        exponent = Decimal(repr(value)).normalize().as_tuple().exponent
        decimals = min(8, max(0, -int(exponent))) if isinstance(exponent, int) else 0
        return number(value, decimals, lang)
    return str(value)


# ---------------------------------------------------------------- who pays, who gains


def actor_table(p: Programme) -> pd.DataFrame:
    """Per actor over the whole horizon (mean over runs): cost, revenue, transfers, net (PV).

    Columns: programme, actor, label, cost_pv, benefit_pv, transfers_pv, net_pv, net_pv_lo,
    net_pv_hi, cost, benefit, transfers, net. Actors with nothing at stake are left out.
    """
    led = p.result.priced.ledger
    cols = ["cost", "benefit", "transfers", "net", "cost_pv", "benefit_pv", "transfers_pv",
            "net_pv"]
    per_rep = led.groupby(["actor", "rep"])[cols].sum()
    rows = []
    for actor in FUNDERS:
        if actor not in per_rep.index.get_level_values("actor"):
            continue
        g = per_rep.loc[actor]
        if not np.any(np.abs(g.to_numpy()) > 1e-6):
            continue
        mean = g.mean()
        _, lo, hi, _ = interval(g["net_pv"])
        rows.append({"programme": p.name, "actor": actor, "label": actor_label(actor),
                     **{c: float(mean[c]) for c in ("cost_pv", "benefit_pv", "transfers_pv",
                                                    "net_pv")},
                     "net_pv_lo": lo, "net_pv_hi": hi,
                     **{c: float(mean[c]) for c in ("cost", "benefit", "transfers", "net")}})
    return pd.DataFrame(rows, columns=["programme", "actor", "label", "cost_pv", "benefit_pv",
                                       "transfers_pv", "net_pv", "net_pv_lo", "net_pv_hi", "cost",
                                       "benefit", "transfers", "net"])


def actor_year_table(p: Programme) -> pd.DataFrame:
    """Per actor and year (mean over runs), undiscounted and present value."""
    led = p.result.priced.ledger
    cols = ["cost", "benefit", "transfers", "net", "cost_pv", "benefit_pv", "transfers_pv",
            "net_pv"]
    mean = led.groupby(["actor", "year"], sort=False)[cols].mean().reset_index()
    keep = mean.groupby("actor")[cols].apply(lambda g: bool((g.abs() > 1e-6).any().any()))
    mean = mean[mean["actor"].map(keep)]
    mean.insert(0, "programme", p.name)
    return mean.reset_index(drop=True)


# ---------------------------------------------------------------- cumulative cost and benefit


def cumulative(p: Programme) -> pd.DataFrame:
    """Month by month: mean cumulative discounted cost and benefit, with 95 % bands over runs."""
    fl = p.result.priced.flows
    wide_c = fl.pivot_table(index="month", columns="rep", values="cost_pv", fill_value=0.0)
    wide_b = fl.pivot_table(index="month", columns="rep", values="benefit_pv", fill_value=0.0)
    cc, cb = wide_c.cumsum(), wide_b.cumsum()
    out = pd.DataFrame({"month": cc.index.to_numpy() + 1.0})
    out["cost"] = cc.mean(axis=1).to_numpy()
    out["cost_lo"] = cc.quantile(0.025, axis=1).to_numpy()
    out["cost_hi"] = cc.quantile(0.975, axis=1).to_numpy()
    out["benefit"] = cb.mean(axis=1).to_numpy()
    out["benefit_lo"] = cb.quantile(0.025, axis=1).to_numpy()
    out["benefit_hi"] = cb.quantile(0.975, axis=1).to_numpy()
    return out


def payback_month(cum: pd.DataFrame) -> float:
    """First month (end of) where mean cumulative benefit reaches mean cumulative cost."""
    hit = cum[(cum["benefit"] >= cum["cost"]) & (cum["cost"] > 0)]
    return float(hit["month"].iloc[0]) if len(hit) else math.nan


# ---------------------------------------------------------------- where participants go


def flow_table(p: Programme) -> pd.DataFrame:
    """Mean number per run moving from each place to the next (intake, interventions, exits).

    Columns: from, to, kind ('intervention', 'exit' or 'open'), category (exit category), count.
    `from` is '(intake)' for arrivals, an intervention name, or '(all)' for the final outcome.
    """
    run = p.result.run
    sc = run.scenario
    reps = max(run.replications, 1)
    v = run.visits
    rows = []
    first = v[v["visit"] == 0].groupby("intervention").size()
    for name in sc.names:
        if name in first.index:
            rows.append(("(intake)", name, "intervention", "", first[name] / reps))
    for name in sc.names:
        g = v[v["intervention"] == name]
        open_ = g["next"].isna()
        for dest, n in g.loc[~open_, "next"].value_counts(sort=False).items():
            kind = "exit" if dest in sc.exit_states else "intervention"
            cat = sc.exit_states[dest].category if dest in sc.exit_states else ""
            rows.append((name, dest, kind, cat, n / reps))
        if open_.any():
            rows.append((name, "(open)", "open", "", open_.sum() / reps))
    people = run.participants
    ends = people["exit_state"].fillna("(open)").value_counts(sort=False)
    for dest in [*sc.exit_states, "(open)"]:
        if dest in ends.index:
            kind = "open" if dest == "(open)" else "exit"
            cat = sc.exit_states[dest].category if dest in sc.exit_states else ""
            rows.append(("(all)", dest, kind, cat, ends[dest] / reps))
    return pd.DataFrame(rows, columns=["from", "to", "kind", "category", "count"])


def place_label(p: Programme, name: str, lang: str = "sv") -> str:
    sc = p.scenario
    if name == "(intake)":
        return "Intag" if lang == "sv" else "Intake"
    if name == "(all)":
        return "Slutligt utfall" if lang == "sv" else "Final outcome"
    if name == "(open)":
        return label("still", lang).strip("()")
    if name in sc.exit_states:
        return sc.exit_states[name].label or name
    return sc.intervention(name).title


# ---------------------------------------------------------------- the ESF budget case


def months_in_work(sc: Scenario, years: float) -> float:
    """Expected months in the first job within a view, after an exit to work (retention rule)."""
    t = years * 12.0 - sc.employment.lag_months
    if t <= 0:
        return 0.0
    h = sc.employment.retention.hazard()
    return t if h == 0 else (1 - math.exp(-h * t)) / h


def esf_table(p: Programme) -> pd.DataFrame:
    """Break-even per view: exits to work needed (of all participants), against those expected.

    Columns: programme, years, view, budget, esf_grant, participants, needed, needed_lo,
    needed_hi, needed_share, expected, stay_months, p_pays (share of runs with NPV > 0 in the view).
    """
    sc = p.scenario
    m = p.result.priced.metrics
    rows = []
    for years in views(sc):
        k = view_key(years)
        need = interval(m[f"breakeven_work_exits:{k}"])
        rows.append({
            "programme": p.name, "years": years, "view": k,
            "budget": float(m["cost"].mean()), "esf_grant": float(m["esf_grant"].mean()),
            "participants": float(m["participants"].mean()),
            "needed": need[0], "needed_lo": need[1], "needed_hi": need[2],
            "needed_share": float(m[f"breakeven_work_share:{k}"].mean()),
            "expected": float(m["exits_work"].mean()),
            "stay_months": months_in_work(sc, years),
            "p_pays": float((m[f"npv:{k}"] > 0).mean()),
        })
    return pd.DataFrame(rows)


def esf_sentence(p: Programme, lang: str = "sv") -> str:
    """'The budget of X kr pays back if at least N of M participants reach work and stay K months.'"""
    sc = p.scenario
    t = esf_table(p)
    row = t[t["view"] == horizon_view(sc)].iloc[0]
    n_need = math.ceil(row["needed"]) if not math.isnan(row["needed"]) else math.nan
    m_all = number(row["participants"], 0, lang)
    stay = number(row["stay_months"], 0, lang)
    years = years_text(row["years"], lang)
    prob = with_unit(row["p_pays"], "share", lang, 0)
    ret = sc.employment.retention
    if lang == "sv":
        grant = (f", varav ESF-stöd {kr(row['esf_grant'], lang)}" if row["esf_grant"] > 0 else "")
        if math.isnan(n_need):
            return (f"Budgeten på {kr(row['budget'], lang)}{grant} kan inte betala sig inom {years}, "
                    "hur många som än går till arbete.")
        keep = (f"{with_unit(ret.share_at_12_months, 'share', lang, 0)} kvar i arbete efter 12 "
                "månader" if ret.share_at_12_months is not None else
                f"{with_unit(ret.hazard(), 'share', lang, 1)} risk per månad att förlora arbetet")
        text = (f"Budgeten på {kr(row['budget'], lang)}{grant} betalar sig inom {years} om minst "
                f"{number(n_need, 0, lang)} av {m_all} deltagare går till arbete och stannar där i "
                f"genomsnitt {stay} månader (antagande: {keep}). ")
        if n_need > row["participants"]:
            text += "Det är fler än antalet deltagare: budgeten betalar sig inte inom horisonten. "
        text += (f"Modellen väntar sig {number(row['expected'], 0, lang)} avslut till arbete; "
                 f"sannolikheten att kalkylen går med vinst inom {years} är {prob}.")
        return text
    grant = f", of which ESF grant {kr(row['esf_grant'], lang)}" if row["esf_grant"] > 0 else ""
    if math.isnan(n_need):
        return (f"The budget of {kr(row['budget'], lang)}{grant} cannot pay back within {years}, "
                "however many reach work.")
    keep = (f"{with_unit(ret.share_at_12_months, 'share', lang, 0)} still in work after 12 "
            "months" if ret.share_at_12_months is not None else
            f"a {with_unit(ret.hazard(), 'share', lang, 1)} monthly risk of losing the job")
    text = (f"The budget of {kr(row['budget'], lang)}{grant} pays back within {years} if at least "
            f"{number(n_need, 0, lang)} of {m_all} participants reach work and stay on average "
            f"{stay} months (assumed: {keep}). ")
    if n_need > row["participants"]:
        text += "That is more than the participants: the budget does not pay back in the horizon. "
    text += (f"The model expects {number(row['expected'], 0, lang)} exits to work; the probability "
             f"that it pays back within {years} is {prob}.")
    return text


# ---------------------------------------------------------------- equity (ESF horizontal principles)


def equity_table(p: Programme) -> pd.DataFrame:
    """Participants, resources (months in the programme) and outcomes by sex × born, with gaps.

    One row per group, plus a first row for all participants. Means are over runs (and the 95 %
    interval over runs where given); gaps are the group's figure minus all participants', paired
    by run. Columns: programme, group, sex, born, participants, share_of_participants,
    share_of_months, months_in_programme (+ _lo, _hi), gap_months, months_waiting, share_work
    (+ _lo, _hi), gap_share_work, share_work_or_studies, gap_share_work_or_studies.
    """
    people = p.result.run.participants
    reps = pd.Index(range(p.result.run.replications), name="rep")
    d = people.assign(work=(people["exit_category"] == "work").astype(float),
                      work_or_studies=people["exit_category"].isin(["work", "studies"]).astype(float))

    def per_rep(frame: pd.DataFrame) -> pd.DataFrame:
        g = frame.groupby("rep")
        return pd.DataFrame({
            "n": g.size(), "months_sum": g["months_in_programme"].sum(),
            "months": g["months_in_programme"].mean(), "waiting": g["months_waiting"].mean(),
            "work": g["work"].mean(), "work_or_studies": g["work_or_studies"].mean(),
        }).reindex(reps)

    overall = per_rep(d)
    rows = []
    groups = [("(all)", None)] + [(grp, frame) for grp, frame in d.groupby("group", sort=True)]
    for grp, frame in groups:
        r = overall if frame is None else per_rep(frame)
        n = r["n"].fillna(0)
        months = interval(r["months"])
        work = interval(r["work"])
        first = (d if frame is None else frame).iloc[0]
        rows.append({
            "programme": p.name, "group": grp,
            "sex": "" if frame is None else first["sex"],
            "born": "" if frame is None else first["born"],
            "participants": float(n.mean()),
            "share_of_participants": float((n / overall["n"]).mean()),
            "share_of_months": float((r["months_sum"].fillna(0) / overall["months_sum"]).mean()),
            "months_in_programme": months[0], "months_in_programme_lo": months[1],
            "months_in_programme_hi": months[2],
            "gap_months": float((r["months"] - overall["months"]).mean()),
            "months_waiting": float(r["waiting"].mean()),
            "share_work": work[0], "share_work_lo": work[1], "share_work_hi": work[2],
            "gap_share_work": float((r["work"] - overall["work"]).mean()),
            "share_work_or_studies": float(r["work_or_studies"].mean()),
            "gap_share_work_or_studies": float(
                (r["work_or_studies"] - overall["work_or_studies"]).mean()),
        })
    return pd.DataFrame(rows)


def group_label(group: str, lang: str = "sv") -> str:
    return word("all", lang) if group == "(all)" else group


def equity_sentence(p: Programme, lang: str = "sv") -> str:
    """The largest gap in the share to work between groups, or a note that there is one group."""
    t = equity_table(p)
    g = t[t["group"] != "(all)"].dropna(subset=["share_work"])
    if len(g) < 2:
        if lang == "sv":
            return ("Scenariot delar inte upp deltagarna efter kön och födelseland "
                    "(population.sex och population.born), så skillnader mellan grupper kan inte visas.")
        return ("The scenario does not split participants by sex and country of birth "
                "(population.sex and population.born), so gaps between groups cannot be shown.")
    hi = g.loc[g["share_work"].idxmax()]
    lo = g.loc[g["share_work"].idxmin()]
    pts = number((hi["share_work"] - lo["share_work"]) * 100, 1, lang)
    reps = p.result.run.replications
    if lang == "sv":
        return (f"Störst andel till arbete har {hi['group']} "
                f"({with_unit(hi['share_work'], 'share', lang)}), minst {lo['group']} "
                f"({with_unit(lo['share_work'], 'share', lang)}): en skillnad på {pts} "
                f"procentenheter i medel över {reps} körningar. Grupperna skiljer sig i grunden bara "
                "där scenariot antar det (population.overrides, counterfactual.by_group); "
                "skillnader som ryms inom 95 %-intervallen kan vara slump.")
    return (f"{hi['group']} has the highest share to work "
            f"({with_unit(hi['share_work'], 'share', lang)}), {lo['group']} the lowest "
            f"({with_unit(lo['share_work'], 'share', lang)}): a gap of {pts} percentage points, "
            f"mean over {reps} runs. Groups differ at heart only where the scenario assumes it "
            "(population.overrides, counterfactual.by_group); gaps within the 95 % intervals may "
            "be chance.")


# ---------------------------------------------------------------- per participant, per run


def participants_table(programmes: list[Programme], max_rows: int = 1_000_000
                       ) -> tuple[pd.DataFrame, int]:
    """All participants of all programmes, up to `max_rows` (whole runs only); runs included."""
    frames = [p.result.run.participants for p in programmes]
    total_reps = max(p.result.run.replications for p in programmes)
    per_rep = sum(len(f) for f in frames) / max(total_reps, 1)
    keep = total_reps if per_rep == 0 else max(1, min(total_reps, int(max_rows // per_rep)))
    out = pd.concat([f[f["rep"] < keep] for f in frames], ignore_index=True)
    return out, keep


def metrics_table(programmes: list[Programme]) -> pd.DataFrame:
    """Every priced metric per run, all programmes (tidy: one row per programme and run)."""
    return pd.concat([p.result.priced.metrics.assign(programme=p.name) for p in programmes],
                     ignore_index=True)


def units(p: Programme) -> dict[str, str]:
    return metric_units(p.scenario)
