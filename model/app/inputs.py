"""The inputs a planner edits on the page: which scenario numbers, their labels, units and sources.

A field is a parameter path as sweeps write it (`interventions[a].routing.arbete`), found in the
scenario's own mapping (`model.numbers.walk_inputs`). Its unit comes from the schema
(`model.scenario.reference.unit_at`), its label from the report's input labels and its source
from the file (or the default's documented source). Edits are written the way sweeps and
parameter draws write them (`model.sweep.apply_values`: a `{value:, source:}` number keeps its
source, the other shares of a routing are rescaled) and validated through `parse_scenario`, so
an edited scenario is exactly what the same edit in the file would give.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from typing import Any

from model.errors import InputError, Problem
from model.numbers import collect_sources, walk_inputs
from model.scenario import Scenario, parse_scenario
from model.scenario.reference import unit_at
from model.sweep import apply_values, get_value, parse_path

COST_KEYS = ("per_participant_month", "per_start", "per_place_month", "per_month", "monthly_salary",
             "amount")
# (pattern on the path, kind), in the order the page shows them
KINDS: tuple[tuple[str, str], ...] = (
    (r"intake\.max_participants", "participants"),
    (r"intake\.cohort\.n", "participants"),
    (r"intake\.spread\.n", "participants"),
    (r"intake\.groups\.size", "participants"),
    (r"intake\.stream\.rate_per_month", "participants"),  # a stream's count: people per month
    (r"costs\.budget\.[^.]+", "budget"),
    (r"(interventions\[[^\]]+\]\.)?costs(\.[a-z_]+)?\[[^\]]+\]\.(" + "|".join(COST_KEYS) + ")", "cost"),
    (r"interventions\[[^\]]+\]\.capacity\.monthly_salary", "cost"),
    (r"interventions\[[^\]]+\]\.routing\.[^.]+", "share_work"),
    (r"interventions\[[^\]]+\]\.exit_hazards\.[^.]+", "job_rate"),
    (r"interventions\[[^\]]+\]\.duration\.(mean|months)", "duration"),
    (r"counterfactual\.monthly_hazard", "counterfactual"),
    (r"employment\.retention\.(share_at_12_months|monthly_hazard)", "retention"),
    (r"employment\.extent", "extent"),
    (r"valuation\.value_per_year", "value_per_year"),
    (r"valuation\.horizon_years", "horizon"),
)
NO_COST_BUDGET = "costs.lump_sums[0].amount"  # offered when a scenario has no costs at all
NO_COST_ITEM = {"label": "kostnad angiven på sidan (hela kostnaden vid start)", "funder": "kommun",
                "amount": 0.0}


def costed(raw: dict[str, Any]) -> bool:
    """True when the scenario file gives any cost (programme costs, an intervention's costs or
    staff salaries); the page offers a budget field to one that gives none."""
    if raw.get("costs"):
        return True
    return any(isinstance(iv, dict) and (iv.get("costs") or (iv.get("capacity") or {}).get(
        "monthly_salary") if isinstance(iv.get("capacity"), dict) else iv.get("costs"))
        for iv in (raw.get("interventions") or []))


# inputs the page offers even when the file leaves them to their default
DEFAULTED = ("valuation.value_per_year", "valuation.horizon_years")


@dataclass(frozen=True)
class Field:
    """One editable number: where it sits, what it is called, its unit, source and bounds.

    `scale` turns the stored value into the shown one (shares are shown in percent)."""

    path: str
    kind: str
    unit: str
    label_sv: str
    label_en: str
    source_sv: str
    source_en: str
    value: float
    lo: float
    hi: float
    step: float
    integer: bool = False
    scale: float = 1.0

    def label(self, lang: str = "sv") -> str:
        from model.report.analysis_text import UNIT_SV, param_label

        name = self.label_sv if lang == "sv" else self.label_en
        if self.scale != 1 and self.unit != "share":  # a rate shown in percent
            return f"{name} (% {UNIT_SV.get(self.unit, self.unit) if lang == 'sv' else self.unit})"
        return param_label(name, self.unit, lang)

    def source(self, lang: str = "sv") -> str:
        return self.source_sv if lang == "sv" else self.source_en

    @property
    def shown(self) -> float:
        """The value as the page shows it (percent for shares)."""
        return _tidy(self.value * self.scale)

    def stored(self, shown: float) -> float:
        """A value as the page shows it, back to the scenario's unit."""
        return round(shown) if self.integer else shown / self.scale


def _tidy(x: float) -> float:
    return float(f"{x:.10g}")


def _kind(path: str, sc: Scenario) -> str | None:
    for pattern, kind in KINDS:
        if re.fullmatch(pattern, path):
            if kind in ("share_work", "job_rate"):
                state = sc.exit_states.get(path.rsplit(".", 1)[-1])
                if state is None or state.category != "work":
                    return None
            return kind
    return None


def _bounds(unit: str, value: float, kind: str = "") -> tuple[float, float, float, bool, float]:
    """(lo, hi, step, integer, scale) as shown, for a number of this unit and value (a stream's
    participants per month are people, not a rate shown in percent)."""
    if kind == "participants" and unit.endswith("per month"):
        return 0.0, max(1_000.0, 10 * value), 1.0, False, 1.0
    if unit == "share":
        return 0.0, 100.0, 1.0, False, 100.0
    if unit.startswith("per month"):
        return 0.0, 50.0, 0.05, False, 100.0
    if unit == "people":
        return 1.0, max(10_000.0, 10 * value), 1.0, True, 1.0
    if unit == "months":
        return 0.5, 120.0, 0.5, False, 1.0
    if unit == "years":
        return 1.0, 40.0, 1.0, False, 1.0
    top = max(1_000_000.0, 10 * value)
    step = 10.0 ** max(0, math.floor(math.log10(value)) - 2) if value > 0 else 100.0
    return 0.0, top, step, False, 1.0


def _names(sc: Scenario) -> dict[str, str]:
    return {**{iv.name: iv.title for iv in sc.interventions},
            **{k: s.label or k for k, s in sc.exit_states.items()}}


def _labels(path: str, kind: str, raw: dict[str, Any], sc: Scenario) -> tuple[str, str]:
    from model.report.text import COST_INPUTS, actor_label, input_label, pick

    if kind in ("cost", "budget"):
        parts = parse_path(path)
        key = parts[-1] if kind == "cost" else "budget"
        if kind == "budget":
            item = {"sv": actor_label(parts[-1], "sv"), "en": actor_label(parts[-1], "en")}
        else:
            node = get_value(raw, parts[:-1]) if parts[-2] != "capacity" else {}
            text = node.get("label") if isinstance(node, dict) else None
            if parts[-2] == "capacity":
                text = _names(sc).get(parts[1], parts[1])
            item = {"sv": text or actor_label(node.get("funder", ""), "sv"),
                    "en": text or actor_label(node.get("funder", ""), "en")}
        return (pick(COST_INPUTS, key, "sv").format(item=item["sv"]),
                pick(COST_INPUTS, key, "en").format(item=item["en"]))
    dotted = re.sub(r"\[([^\]]+)\]", r".\1", path)
    names = _names(sc)
    return input_label(dotted, "sv", names), input_label(dotted, "en", names)


def fields(sc: Scenario) -> list[Field]:
    """The key inputs of a scenario that the page offers, in the order of `KINDS`."""

    raw = sc.raw
    sources = {path: str(src) for path, _, src in collect_sources(raw)}
    found: dict[str, tuple[str, float]] = {}
    given = {path for path, _ in walk_inputs(raw)}
    for path, leaf in walk_inputs(raw):
        value = leaf["value"] if isinstance(leaf, dict) else leaf
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        kind = _kind(path, sc)
        if kind is not None:
            found[path] = (kind, float(value))
    if "max_participants" in (raw.get("intake") or {}):
        found.pop("intake.cohort.n", None)
    if sc.valuation.unit_costs is not None or sc.valuation.components:
        found.pop("valuation.value_per_year", None)
    validated = sc.model_dump(mode="python", by_alias=True)
    for path in DEFAULTED:
        if path not in found and not (path == "valuation.value_per_year"
                                      and (sc.valuation.unit_costs or sc.valuation.components)):
            found[path] = (_kind(path, sc) or "", float(get_value(validated, parse_path(path))))
    order = {kind: i for i, (_, kind) in enumerate(KINDS)}
    out = []
    for path, (kind, value) in sorted(found.items(), key=lambda kv: order[kv[1][0]]):
        unit = unit_at(parse_path(path))
        lo, hi, step, integer, scale = _bounds(unit, value, kind)
        sv, en = _labels(path, kind, raw, sc)
        out.append(Field(path, kind, unit, sv, en, *_source(path, raw, sources, sc, path in given),
                         value, lo, hi, step, integer, scale))
    if not costed(raw):  # a programme without costs: offer its whole cost, so that it can be priced
        out.insert(1 if out and out[0].kind == "participants" else 0, Field(
            NO_COST_BUDGET, "cost", "kr", "Programmets hela kostnad, betald vid start",
            "The programme's whole cost, paid at the start", "saknas i filen: ange kostnaden",
            "missing in the file: give the cost", 0.0, 0.0, 1e9, 1000.0))
    return out


def _source(path: str, raw: dict, sources: dict[str, str], sc: Scenario, given: bool
            ) -> tuple[str, str]:
    """(sv, en) source of an input: its own; for a value given in an uploaded file without one,
    "från din fil"; the documented default's source when the file leaves it out."""
    from model.report.sections.summary import source_of

    if given and path not in sources and sc.source_file is None:
        return "från din fil", "from your file"
    return (source_of(path, raw, sources, "sv", in_file=given),
            source_of(path, raw, sources, "en", in_file=given))


@dataclass(frozen=True)
class Choice:
    """One input picked from a list rather than typed: the unit-cost library's target group and
    the price year its amounts are indexed to (KPI), for scenarios valued by unit costs."""

    path: str
    label_sv: str
    label_en: str
    options: tuple[str | int, ...]
    names: dict[str | int, str]                   # option -> what the list shows
    sources: dict[str | int, tuple[str, str]]     # option -> where its figures come from (sv, en)
    value: str | int

    def label(self, lang: str = "sv") -> str:
        return self.label_sv if lang == "sv" else self.label_en

    def source(self, option: str | int, lang: str = "sv") -> str:
        return self.sources[option][0 if lang == "sv" else 1]


def choices(sc: Scenario) -> list[Choice]:
    """The target group and price year of a scenario valued by a unit-cost library group
    (`valuation.unit_costs`); none for a scenario valued per person-year. A group given as a
    path to a file of its own is offered beside the library's groups."""
    from model.unit_costs import list_groups, load_kpi, load_unit_costs

    val = sc.valuation
    if val.unit_costs is None:
        return []
    from model.economics.valuation import _library_path

    groups: dict[str | int, str] = {}
    sources: dict[str | int, tuple[str, str]] = {}
    for name in dict.fromkeys([*list_groups(), val.unit_costs]):
        group = load_unit_costs(_library_path(sc, name) if name == val.unit_costs else name)
        groups[name] = f"{group.label} ({name})"
        n = len(group.components)
        where = group.source_file.name if group.source_file else name
        sources[name] = (f"{where}: {n} komponenter i {group.price_year} års priser, var och en "
                         f"med sin källa (`insats costs {name}`)",
                         f"{where}: {n} components in {group.price_year} prices, each with its "
                         f"source (`insats costs {name}`)")
    kpi = load_kpi()
    years = tuple(kpi.years)
    year_source = {y: (f"{kpi.label}: {kpi.source_of(y)}",) * 2 for y in years}
    return [
        Choice("valuation.unit_costs", "Målgrupp (enhetskostnader per personår)",
               "Target group (unit costs per person-year)", tuple(groups), groups, sources,
               val.unit_costs),
        Choice("valuation.price_year", "Prisår (belopp räknas om med KPI)",
               "Price year (amounts indexed by CPI/KPI)", years, {y: str(y) for y in years},
               year_source, val.price_year),
    ]


def with_values(sc: Scenario, values: dict[str, float | str], lang: str | None = None) -> Scenario:
    """The scenario with these inputs set (path -> value in the scenario's unit, or a picked
    choice), validated as a file with the same edit would be; InputError lists every problem
    (file, path, value, rule). With `lang` (the page's edits), each set number is marked: its
    source says "ändrad på sidan" with the file's value and source kept beside."""
    if not values:
        return sc
    file = str(sc.source_file or sc.name)
    picked = {p: v for p, v in values.items() if p in CHOICE_PATHS}
    numbers = [(parse_path(p), float(v)) for p, v in values.items() if p not in picked]
    base = sc.raw
    if NO_COST_BUDGET in values and not costed(base):  # the budget field of a cost-less scenario
        base = {**base, "costs": {"lump_sums": [dict(NO_COST_ITEM)]}}
    try:
        raw, _ = apply_values(base, numbers)
    except (ValueError, KeyError) as exc:
        raise InputError([Problem(file, ", ".join(values), str(exc.args[0]))]) from None
    if picked or lang:  # apply_values shares what it does not set with sc.raw: never edit that in place
        raw = copy.deepcopy(raw)
    if lang:
        _mark(raw, base, [p for p in values if p not in picked], lang, own=sc.source_file is None)
    for path, v in picked.items():
        parts = parse_path(path)
        node = get_value(raw, parts[:-1])
        old = node.get(parts[-1])
        if isinstance(old, dict) and "value" in old:  # a {value:, source:} keeps its source
            node[parts[-1]] = {**old, "value": v}
        else:
            node[parts[-1]] = v
    edited = parse_scenario(raw, file=file)
    edited._source = sc.source_file
    edited._base = sc._base
    from model.unit_costs import valuation_problems

    found = valuation_problems(edited, file)  # a picked group or price year, as in a file
    if found:
        raise InputError(found)
    return edited


CHOICE_PATHS = ("valuation.unit_costs", "valuation.price_year")


def _mark(raw: dict, before: dict, paths: list[str], lang: str, own: bool = False) -> None:
    """Each number set on the page written as `{value:, source: "ändrad på sidan (i filen: …;
    källa: …)"}`, in place in `raw` (an own copy); a declared uncertainty stays beside it. In an
    uploaded file (`own`) a value without a source of its own is cited "från din fil", as the
    page's field does (`_source`)."""
    from model.report.text import source_text
    from model.scenario.assumptions import EDIT_MARKS

    sources = {path: source_text(str(src), lang) for path, _, src in collect_sources(before)}
    for path in paths:
        parts = parse_path(path)
        try:
            old = get_value(before, parts)
        except (KeyError, IndexError, TypeError):
            old = None
        was = old.get("value") if isinstance(old, dict) else old
        src = sources.get(path)
        if src is None and was is not None and own:
            src = "från din fil" if lang == "sv" else "from your file"
        value = get_value(raw, parts)
        value = value.get("value") if isinstance(value, dict) else value
        mark = EDIT_MARKS[0 if lang == "sv" else 1]
        if lang == "sv":
            note = f"{mark} (i filen: {'saknas' if was is None else was}; källa: {src or 'ingen angiven'})"
        else:
            note = f"{mark} (in the file: {'missing' if was is None else was}; source: {src or 'none given'})"
        node = get_value(raw, parts[:-1])
        leaf = node[parts[-1]]
        node[parts[-1]] = {**(leaf if isinstance(leaf, dict) else {}), "value": value, "source": note}


def edits(sc: Scenario, shown: dict[str, float | str], offered: list[Field] | None = None,
          picks: list[Choice] | None = None) -> dict[str, float | str]:
    """The inputs the page changed: path -> value in the scenario's unit (unchanged ones left
    out, so that an untouched scenario is the file's, digest and all). `offered` and `picks`
    are `fields(sc)` and `choices(sc)` when the caller has them already."""
    out: dict[str, float | str] = {}
    for f in fields(sc) if offered is None else offered:
        if f.path in shown and _tidy(float(shown[f.path])) != f.shown:
            out[f.path] = f.stored(float(shown[f.path]))
    for c in choices(sc) if picks is None else picks:
        if c.path in shown and shown[c.path] != c.value:
            out[c.path] = shown[c.path]
    return out


def held_for_uncertainty(sc: Scenario, edited: list[str]) -> tuple[Scenario, list[str]]:
    """The scenario for the parameter-uncertainty interval after the planner's edits: each edited
    input is held at its edited value. Its declared distribution (and its column of a calibrated
    joint group, whose rows were fitted with the file's value) would otherwise replace the edit
    in every draw, so that the interval would describe the file, not the edit. Returns the
    scenario and the edited paths whose uncertainty was set aside (to say so on the page)."""
    wanted = {tuple(parse_path(p)) for p in edited}
    if not wanted:
        return sc, []
    raw = copy.deepcopy(sc.raw)
    dropped: list[str] = []
    found = [(path, leaf) for path, leaf in walk_inputs(raw) if tuple(parse_path(path)) in wanted
             and isinstance(leaf, dict) and "uncertainty" in leaf]
    for path, leaf in found:  # changed after the walk, not during it
        del leaf["uncertainty"]
        dropped.append(path)
    unc = raw.get("uncertainty") or {}
    groups = []
    for g in unc.get("joint", []):
        keep = [i for i, p in enumerate(g["paths"]) if tuple(parse_path(p)) not in wanted]
        dropped += [p for p in g["paths"] if tuple(parse_path(p)) in wanted and p not in dropped]
        if keep:
            groups.append({**g, "paths": [g["paths"][i] for i in keep],
                           "rows": [[row[i] for i in keep] for row in g["rows"]]})
    if "joint" in unc:
        unc["joint"] = groups
    if not dropped:
        return sc, []
    held = parse_scenario(raw, file=str(sc.source_file or sc.name))
    held._source, held._base = sc._source, sc._base
    return held, dropped
