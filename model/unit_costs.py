"""The unit-cost library: what a person-year in or out of work is worth, per actor, per target group.

Each target group is a YAML file in `scenarios/unit_costs/` (e.g. `uvas.yaml`) with a list of
components. A component is one yearly amount per person with

- `kind`: `production` (the real value of work: total labour cost, i.e. the gross wage received by
  `individen` and the employer contributions received by `staten`, as two components), `resource`
  (real welfare-service use, borne by `payer`) or `transfer` (money moving from `payer` to
  `payee`: benefits, allowances, taxes; transfers net to zero across actors);
- `when`: the state in which the amount occurs, `in_work` or `out_of_work`;
- `basis`: `fte` (scales with the employment extent, e.g. wages and the taxes on them) or `head`
  (per person regardless of hours, e.g. a case-work cost);
- `per_year`: kronor per person-year in that state, always with its source:
  `{value: 302916, source: "..."}`; a figure without a public source says `assumption: <reason>`;
- `price_year`: the year whose prices the amount is in (default: the file's `price_year`).

`scenarios/unit_costs/kpi.yaml` holds Statistics Sweden's consumer price index (KPI, annual means,
1980 = 100); `kpi_factor(a, b)` turns a year-`a` amount into year-`b` prices.

Every problem in a file is reported at once, as `InputError` with file, line, field path, value and
what is allowed, like scenario files (the same YAML loader and pydantic translation).
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, Field, PrivateAttr, ValidationError, model_validator

from model.errors import InputError, Problem
from model.numbers import Kronor, PosNum
from model.scenario import (
    FUNDERS,
    Funder,
    Scenario,
    Strict,
    duplicate_keys,
    line_of,
    load_yaml,
    pydantic_problems,
)

if TYPE_CHECKING:
    import pandas as pd

UNIT_COSTS_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "unit_costs"
KPI_FILE = UNIT_COSTS_DIR / "kpi.yaml"
KINDS = ("production", "resource", "transfer")
STATES = ("in_work", "out_of_work")
BASES = ("fte", "head")
ASSUMPTION = "assumption:"
COLUMNS = ["group", "component", "label", "kind", "when", "basis", "payer", "payee", "per_year",
           "price_year", "source"]


def _source_text(v: str) -> str:
    """A source must say where the figure comes from, or `assumption: <reason>`."""
    text = v.strip()
    if not text:
        raise ValueError("a source is required: the public document (title, publisher, year, URL, "
                         "table) or 'assumption: <reason>'")
    head, colon, reason = text.partition(":")
    if head.strip().lower() == "assumption" and not (colon and reason.strip()):
        raise ValueError("an assumption needs its reason: 'assumption: <reason>'")
    return text


Source = Annotated[str, AfterValidator(_source_text)]
PriceYear = Annotated[int, Field(ge=1980, le=2100)]


def is_assumption(source: str) -> bool:
    """True when a source says (at least in part) that the figure is an assumption."""
    return ASSUMPTION in source.lower()


class SourcedKronor(Strict):
    """Kronor with the source they come from: `{value: 302916, source: "..."}`."""

    value: Kronor
    source: Source

    @model_validator(mode="before")
    @classmethod
    def _needs_source(cls, v: Any) -> Any:
        if isinstance(v, int | float) and not isinstance(v, bool):
            raise ValueError("a unit cost needs its source: write {value: 12000, source: '...'} "
                             "(or source: 'assumption: <reason>')")
        return v


class Component(Strict):
    """One yearly amount per person in a target group (see the module docstring)."""

    name: str = Field(pattern=r"^[\w\-]+$")
    label: str = Field(min_length=1)
    kind: Literal["production", "resource", "transfer"]
    when: Literal["in_work", "out_of_work"]
    basis: Literal["fte", "head"]
    payer: Funder | None = None
    payee: Funder | None = None
    per_year: SourcedKronor
    price_year: PriceYear | None = None


class UnitCostGroup(Strict):
    """A target group's unit costs: who gains or pays how much per person-year in each state."""

    name: str = Field(pattern=r"^[\w\-]+$")
    label: str = Field(min_length=1)
    description: str = ""
    price_year: PriceYear
    components: list[Component] = Field(min_length=1)
    _source: Path | None = PrivateAttr(default=None)

    def price_year_of(self, component: Component) -> int:
        """The year whose prices a component's amount is in."""
        return component.price_year if component.price_year is not None else self.price_year

    def component(self, name: str) -> Component:
        for c in self.components:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def source_file(self) -> Path | None:
        return self._source


class KpiPoint(Strict):
    """One year's KPI annual mean; a source here overrides the table's (e.g. an assumption)."""

    value: PosNum
    source: Source | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_number(cls, v: Any) -> Any:
        return {"value": v} if isinstance(v, int | float) and not isinstance(v, bool) else v


class KpiTable(Strict):
    """Consumer price index, annual means (KPI, 1980 = 100), with its source."""

    name: str = Field(pattern=r"^[\w\-]+$")
    label: str = Field(min_length=1)
    description: str = ""
    base: str = Field(min_length=1)
    source: Source
    index: dict[PriceYear, KpiPoint] = Field(min_length=1)
    _source: Path | None = PrivateAttr(default=None)

    @property
    def years(self) -> list[int]:
        return sorted(self.index)

    def source_of(self, year: int) -> str:
        point = self.index[year]
        return point.source if point.source is not None else self.source

    def value(self, year: int) -> float:
        """The annual mean for `year`; a year outside the table is an input problem."""
        if year not in self.index:
            file = str(self._source) if self._source is not None else "<kpi>"
            raise InputError([Problem(
                file, f"index.{year}",
                f"no KPI for {year}; the table covers {self.years[0]}–{self.years[-1]} (add the "
                "year's annual mean from SCB, Konsumentprisindex (1980=100), fastställda tal)",
                year)])
        return float(self.index[year].value)

    def factor(self, from_year: int, to_year: int) -> float:
        """Multiply a `from_year` amount by this to express it in `to_year` prices."""
        return self.value(to_year) / self.value(from_year)


# ---------------------------------------------------------------- checks


def _actor_problems(group: UnitCostGroup, file: str) -> list[Problem]:
    """Who may be named for each kind of component, and a transfer's two ends must differ."""
    probs: list[Problem] = []
    seen: set[str] = set()
    for i, c in enumerate(group.components):
        at = f"components[{i}]"

        def bad(field: str, msg: str, value: object = None, at: str = at) -> None:
            probs.append(Problem(file, f"{at}.{field}" if field else at, msg, value))

        if c.name in seen:
            bad("name", f"component name '{c.name}' is used more than once in this group", c.name)
        seen.add(c.name)
        if c.kind == "production":
            if c.payee is None:
                bad("payee", "production needs a payee: who receives the value of the work "
                    "(individen for the wage, staten for employer contributions)")
            if c.payer is not None:
                bad("payer", "production has no payer: it is value created, not money moved; give "
                    "only payee", c.payer)
            if c.when != "in_work":
                bad("when", "production is the value of work: it occurs in work (in_work)", c.when)
            if c.basis != "fte":
                bad("basis", "production scales with the employment extent (fte)", c.basis)
        elif c.kind == "resource":
            if c.payer is None:
                bad("payer", "a resource needs a payer: the actor that bears the real cost "
                    f"({', '.join(FUNDERS)})")
            if c.payee is not None:
                bad("payee", "a resource has no payee: it is a real cost borne by the payer; give "
                    "only payer", c.payee)
        else:
            if c.payer is None:
                bad("payer", f"a transfer needs a payer ({', '.join(FUNDERS)})")
            if c.payee is None:
                bad("payee", f"a transfer needs a payee ({', '.join(FUNDERS)})")
            if c.payer is not None and c.payer == c.payee:
                bad("payee", f"a transfer moves money between two actors: payer and payee are both "
                    f"'{c.payer}'", c.payee)
    return probs


def _price_year_problems(group: UnitCostGroup, file: str, kpi: KpiTable | None) -> list[Problem]:
    """Every price year must be in the KPI table, or the amount cannot be indexed."""
    if kpi is None:
        return []
    years = kpi.years
    allowed = f"the KPI table covers {years[0]}–{years[-1]}"
    out = []
    if group.price_year not in kpi.index:
        out.append(Problem(file, "price_year", f"no KPI for {group.price_year}; {allowed}",
                           group.price_year))
    for i, c in enumerate(group.components):
        if c.price_year is not None and c.price_year not in kpi.index:
            out.append(Problem(file, f"components[{i}].price_year",
                               f"no KPI for {c.price_year}; {allowed}", c.price_year))
    return out


def unit_cost_problems(group: UnitCostGroup, file: str = "<unit costs>",
                       kpi: KpiTable | None = None) -> list[Problem]:
    """Checks beyond the schema: actors per kind, payer != payee, unique names, indexable years."""
    return _actor_problems(group, file) + _price_year_problems(group, file, kpi)


# ---------------------------------------------------------------- loading


def _with_lines(problems: list[Problem], node: Any) -> list[Problem]:
    return [Problem(p.file, p.path, p.message, p.value, p.line or line_of(node, p.path))
            for p in problems]


def parse_unit_costs(raw: dict[str, Any], file: str = "<unit costs>", node: Any = None,
                     kpi: KpiTable | None = None) -> UnitCostGroup:
    """Validate a raw mapping into a UnitCostGroup, raising InputError with every problem."""
    dupes = duplicate_keys(node, file)
    try:
        group = UnitCostGroup.model_validate(raw)
    except ValidationError as exc:
        raise InputError(dupes + pydantic_problems(exc, file, node, root=UnitCostGroup)) from None
    problems = _with_lines(unit_cost_problems(group, file, kpi), node)
    if dupes or problems:
        raise InputError(dupes + problems)
    return group


def group_path(name_or_path: str | Path, folder: Path = UNIT_COSTS_DIR) -> Path:
    """A group name (`uvas`) is a file in the library; anything path-like is taken as a path."""
    text = str(name_or_path)
    p = Path(text)
    if p.suffix in (".yaml", ".yml") or p.exists() or "/" in text or "\\" in text:
        return p
    groups = list_groups(folder)
    if text not in groups:
        hint = difflib.get_close_matches(text, groups, n=1)
        tip = f"; did you mean '{hint[0]}'?" if hint else "."
        raise InputError([Problem(text, "", f"no unit-cost group '{text}'{tip} Groups: "
                                  f"{', '.join(groups) or '(none)'}, or give a path to a .yaml file")])
    return folder / f"{text}.yaml"


def load_unit_costs(name_or_path: str | Path, kpi: KpiTable | None = None) -> UnitCostGroup:
    """Load one target group by name (from the library) or path; every problem at once.

    Price years are checked against `kpi` (default: the shipped KPI table).
    """
    path = group_path(name_or_path)
    raw, node = load_yaml(path)
    if file_kind(raw) == "kpi":
        raise InputError([Problem(str(path), "", "this is the KPI table, not a unit-cost group; "
                                  "see kpi_factor() or a group such as "
                                  f"{', '.join(list_groups()) or 'uvas'}")])
    group = parse_unit_costs(raw, str(path), node, load_kpi() if kpi is None else kpi)
    group._source = path
    return group


def list_groups(folder: Path = UNIT_COSTS_DIR) -> list[str]:
    """The target groups in the library (file names without .yaml; the KPI table excluded)."""
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.y*ml")
                  if p.suffix in (".yaml", ".yml") and p.stem != KPI_FILE.stem)


def file_kind(raw: Any) -> Literal["unit_costs", "kpi"] | None:
    """What a raw YAML mapping is: a unit-cost group, the KPI table, or neither."""
    if not isinstance(raw, dict):
        return None
    if "components" in raw:
        return "unit_costs"
    if "index" in raw and "base" in raw:
        return "kpi"
    return None


def load_kpi(path: str | Path | None = None) -> KpiTable:
    """The KPI table (default: the shipped `scenarios/unit_costs/kpi.yaml`), validated."""
    if path is None:
        return _shipped_kpi()
    return _read_kpi(Path(path))


@lru_cache(maxsize=1)
def _shipped_kpi() -> KpiTable:
    return _read_kpi(KPI_FILE)


def _read_kpi(path: Path) -> KpiTable:
    raw, node = load_yaml(path)
    file = str(path)
    dupes = duplicate_keys(node, file)
    try:
        table = KpiTable.model_validate(raw)
    except ValidationError as exc:
        raise InputError(dupes + pydantic_problems(exc, file, node, root=KpiTable)) from None
    if dupes:
        raise InputError(dupes)
    table._source = path
    return table


def kpi_factor(from_year: int, to_year: int, table: KpiTable | None = None) -> float:
    """KPI(to_year) / KPI(from_year): multiply a `from_year` amount by this for `to_year` prices."""
    return (load_kpi() if table is None else table).factor(from_year, to_year)


# ---------------------------------------------------------------- a scenario's valuation


def named_group(sc: Scenario, name: str) -> str:
    """A library group's name as given, or a `.yaml` path read from the scenario's own folder."""
    p = Path(name)
    if p.suffix in (".yaml", ".yml") and not p.is_absolute() and sc.folder is not None:
        return str(sc.folder / p)
    return name


def valuation_problems(sc: Scenario, file: str) -> list[Problem]:
    """A scenario valued by parts: its unit-cost group loads, and every price year is in the KPI.

    A problem inside the named unit-cost file keeps that file's own name, line and field path
    (after one problem in the scenario saying where the file is named); a group that cannot be
    found at all is a problem of the scenario's `valuation.unit_costs`.
    """
    val = sc.valuation
    if not val.by_parts:
        return []
    found: list[Problem] = []
    if val.unit_costs is not None:
        where = group_path_or_none(named_group(sc, val.unit_costs))
        try:
            load_unit_costs(named_group(sc, val.unit_costs))
        except InputError as exc:
            inside = [p for p in exc.problems if where is not None and p.file == str(where)
                      and (p.path or p.line is not None)]
            if inside:
                n = len(inside)
                found.append(Problem(file, "valuation.unit_costs", f"the unit-cost file named here "
                                     f"has {n} problem{'s' if n != 1 else ''}, listed below "
                                     "with that file's own lines", val.unit_costs))
                found += inside
            else:
                found += [Problem(file, "valuation.unit_costs", p.message if p.file != str(where)
                                  else f"{where}: {p.message}", val.unit_costs)
                          for p in exc.problems]
    years = load_kpi().index
    for i, c in enumerate(val.components):
        if c.price_year is not None and c.price_year not in years:
            found.append(Problem(file, f"valuation.components[{i}].price_year",
                                 f"no KPI for {c.price_year}; the table covers {min(years)}–"
                                 f"{max(years)}", c.price_year))
    if val.price_year not in years:
        found.append(Problem(file, "valuation.price_year", f"no KPI for {val.price_year} to index "
                             f"the components to; the table covers {min(years)}–{max(years)}",
                             val.price_year))
    return found


def group_path_or_none(name_or_path: str | Path) -> Path | None:
    """The file `group_path` would read, or None when there is no such group."""
    try:
        return group_path(name_or_path)
    except InputError:
        return None


# ---------------------------------------------------------------- listing


def unit_costs_table(groups: str | Path | list[str | Path] | None = None,
                     price_year: int | None = None, kpi: KpiTable | None = None,
                     price_year_option: str = "--price-year") -> pd.DataFrame:
    """One row per component of the given groups (default: all in the library), tidy.

    Columns: group, component, label, kind, when, basis, payer, payee, per_year, price_year,
    source. With `price_year`, every amount is indexed to that year's prices by KPI; a year the
    table lacks is a problem of `price_year_option` (where the year was given).
    """
    names: list[str | Path]
    if groups is None:
        names = list(list_groups())
    elif isinstance(groups, str | Path):
        names = [groups]
    else:
        names = list(groups)
    kpi = load_kpi() if kpi is None else kpi
    if price_year is not None and price_year not in kpi.index:
        raise InputError([Problem(price_year_option, "", f"no KPI for {price_year} to index the "
                                  f"amounts to; the KPI table covers {kpi.years[0]}–"
                                  f"{kpi.years[-1]}", price_year)])
    rows = []
    problems: list[Problem] = []
    for name in names:
        try:
            group = load_unit_costs(name, kpi)
        except InputError as exc:
            problems += exc.problems
            continue
        for c in group.components:
            year = group.price_year_of(c)
            amount = float(c.per_year.value)
            if price_year is not None:
                amount *= kpi.factor(year, price_year)
                year = price_year
            rows.append({"group": group.name, "component": c.name, "label": c.label,
                         "kind": c.kind, "when": c.when, "basis": c.basis,
                         "payer": c.payer, "payee": c.payee, "per_year": amount,
                         "price_year": year, "source": c.per_year.source})
    if problems:
        raise InputError(problems)
    import pandas as pd  # only here: `validate` reads unit-cost files without it

    return pd.DataFrame(rows, columns=COLUMNS)
