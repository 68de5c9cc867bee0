"""The one definition of a scenario: intake, population, interventions, exits, costs, valuation.

Scenario files are YAML; this module loads them, validates them strictly (unknown keys are
rejected with a "did you mean" hint) and runs the semantic checks a planner needs (routing
shares that do not sum to 1, routes to unknown places, unreachable interventions, loops with no
way out, zero capacity with arrivals). Every problem is reported at once with the file, the YAML
path, the bad value and what is allowed, via `model.errors.InputError`.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import math
import typing
from pathlib import Path
from typing import Any, Literal

import numpy as np
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from model.distributions import DIST_NAMES, Duration
from model.errors import InputError, Problem
from model.numbers import (
    Count,
    HorizonMonths,
    Kronor,
    NonNegNum,
    People,
    PerMonth,
    PosCount,
    PosNum,
    Prob,
    Years,
)

ROUTING_TOL = 1e-6
EXIT_CATEGORIES = ("work", "studies", "care", "benefit", "other")
ATTRIBUTES = ("sex", "born", "age_band", "target_group")
FUNDERS = (
    "esf",
    "kommun",
    "arbetsformedlingen",
    "forsakringskassan",
    "region",
    "samordningsforbund",
    "staten",
    "individen",
    "other",
)
Funder = Literal[
    "esf",
    "kommun",
    "arbetsformedlingen",
    "forsakringskassan",
    "region",
    "samordningsforbund",
    "staten",
    "individen",
    "other",
]


class Strict(BaseModel):
    """Base for every scenario object: unknown keys are errors, objects are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _shares_sum_to_one(shares: dict[str, float], what: str) -> dict[str, float]:
    total = sum(shares.values())
    if shares and abs(total - 1.0) > ROUTING_TOL:
        raise ValueError(f"{what} must sum to 1, they sum to {total:.6g}")
    return shares


# ---------------------------------------------------------------- intake


class Cohort(Strict):
    """Everyone arrives at once (at `month`, default 0)."""

    n: People
    month: NonNegNum = 0.0


class Stream(Strict):
    """Poisson arrivals at `rate_per_month` between `start_month` and `end_month`."""

    rate_per_month: PerMonth
    start_month: NonNegNum = 0.0
    end_month: NonNegNum | None = None


class Groups(Strict):
    """Group intakes (gruppintag): `size` people every `every_months` months."""

    size: People
    every_months: PosNum
    start_month: NonNegNum = 0.0
    end_month: NonNegNum | None = None


class Pause(Strict):
    """No stream or group arrivals in [start_month, end_month)."""

    start_month: NonNegNum
    end_month: NonNegNum

    @model_validator(mode="after")
    def _order(self) -> Pause:
        if self.end_month <= self.start_month:
            raise ValueError("end_month must be after start_month")
        return self


class Intake(Strict):
    """How participants arrive; cohort, stream and groups may be combined."""

    cohort: Cohort | None = None
    stream: Stream | None = None
    groups: Groups | None = None
    pauses: list[Pause] = []
    max_participants: People | None = None
    referral_sources: dict[str, Prob] = {"ej angiven": 1.0}

    @field_validator("referral_sources")
    @classmethod
    def _referrals(cls, v: dict[str, float]) -> dict[str, float]:
        return _shares_sum_to_one(v, "referral source shares")

    @model_validator(mode="after")
    def _some_arrivals(self) -> Intake:
        if self.cohort is None and self.stream is None and self.groups is None:
            raise ValueError("intake needs at least one of: cohort, stream, groups")
        return self

    def is_unbounded(self) -> bool:
        """True when arrivals never stop (an open stream or group intake with no cap)."""
        open_ended = (self.stream is not None and self.stream.end_month is None) or (
            self.groups is not None and self.groups.end_month is None
        )
        return open_ended and self.max_participants is None


# ---------------------------------------------------------------- population


class Override(Strict):
    """Subgroup-specific routing or exit hazards; `when` matches participants' attributes."""

    when: dict[Literal["sex", "born", "age_band", "target_group"], str]
    interventions: dict[str, InterventionOverride]


class InterventionOverride(Strict):
    routing: dict[str, Prob] | None = None
    exit_hazards: dict[str, NonNegNum] | None = None

    @field_validator("routing")
    @classmethod
    def _routing(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        return None if v is None else _shares_sum_to_one(v, "routing shares")


class Cell(Strict):
    """One cell of a joint population mix, e.g. foreign-born women, with its share."""

    sex: str | None = None
    born: str | None = None
    age_band: str | None = None
    target_group: str | None = None
    share: Prob

    def attrs(self) -> dict[str, str]:
        return {a: getattr(self, a) for a in ATTRIBUTES if getattr(self, a) is not None}


class Population(Strict):
    """Shares of each attribute; defaults are one unnamed category.

    Attributes are drawn independently, except those named in `joint`, whose combinations are
    drawn together with the cells' shares (e.g. sex × born abroad, as an equity view needs).
    """

    sex: dict[str, Prob] = {"ej angivet": 1.0}
    born: dict[str, Prob] = {"ej angivet": 1.0}
    age_band: dict[str, Prob] = {"ej angivet": 1.0}
    target_group: dict[str, Prob] = {"ej angivet": 1.0}
    joint: list[Cell] = []
    overrides: list[Override] = []

    @field_validator("sex", "born", "age_band", "target_group")
    @classmethod
    def _mix(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("needs at least one category")
        return _shares_sum_to_one(v, "population shares")

    @field_validator("joint")
    @classmethod
    def _joint(cls, cells: list[Cell]) -> list[Cell]:
        if not cells:
            return cells
        names = {tuple(sorted(c.attrs())) for c in cells}
        if len(names) != 1 or not next(iter(names)):
            raise ValueError("every cell must name the same attributes (e.g. sex and born)")
        keys = [tuple(sorted(c.attrs().items())) for c in cells]
        if len(set(keys)) != len(keys):
            raise ValueError("a combination of attributes appears in more than one cell")
        _shares_sum_to_one({str(i): c.share for i, c in enumerate(cells)}, "cell shares")
        return cells

    @model_validator(mode="after")
    def _not_both(self) -> Population:
        both = sorted(set(self.joint_attributes()) & self.model_fields_set)
        if both:
            raise ValueError(f"{', '.join(both)} given both as shares and in joint: give them in "
                             "joint only")
        return self

    def joint_attributes(self) -> tuple[str, ...]:
        """The attributes drawn together from `joint` (empty without it)."""
        return tuple(a for a in ATTRIBUTES if self.joint and a in self.joint[0].attrs())

    def levels(self, attr: str) -> list[str]:
        """The categories an attribute can take."""
        if attr in self.joint_attributes():
            return list(dict.fromkeys(c.attrs()[attr] for c in self.joint))
        return list(getattr(self, attr))

    def cells(self, attrs: list[str] | tuple[str, ...]) -> list[tuple[dict[str, str], float]]:
        """Every combination of the given attributes with its population share."""
        import itertools

        joint = [a for a in self.joint_attributes() if a in attrs]
        free = [a for a in attrs if a not in joint]
        if joint:
            merged: dict[tuple, float] = {}
            for c in self.joint:
                key = tuple(c.attrs()[a] for a in joint)
                merged[key] = merged.get(key, 0.0) + c.share
            base = [(dict(zip(joint, k, strict=True)), w) for k, w in merged.items()]
        else:
            base = [({}, 1.0)]
        out = []
        for combo in itertools.product(*(list(getattr(self, a).items()) for a in free)):
            for cell, w in base:
                person = {**cell, **{a: level for a, (level, _) in zip(free, combo, strict=True)}}
                out.append((person, w * float(np.prod([p for _, p in combo]))))
        return out


# ---------------------------------------------------------------- interventions


class Capacity(Strict):
    """Places, given directly or as staff FTE × caseload per FTE (Framgången: at most 30)."""

    places: Count | None = None
    staff_fte: NonNegNum | None = None
    caseload_per_fte: PosNum | None = None

    @model_validator(mode="after")
    def _one_way(self) -> Capacity:
        by_staff = self.staff_fte is not None or self.caseload_per_fte is not None
        if self.places is not None and by_staff:
            raise ValueError("give either places or staff_fte with caseload_per_fte, not both")
        if self.places is None and not (
            self.staff_fte is not None and self.caseload_per_fte is not None
        ):
            raise ValueError("give places, or both staff_fte and caseload_per_fte")
        return self

    def slots(self, staff_fte: float | None = None) -> int:
        if self.places is not None:
            return int(self.places)
        fte = self.staff_fte if staff_fte is None else staff_fte
        return math.floor(fte * self.caseload_per_fte + 1e-9)


class CapacityChange(Strict):
    """From `month` on, the number of places (or staff FTE) becomes the given value."""

    month: NonNegNum
    places: Count | None = None
    staff_fte: NonNegNum | None = None

    @model_validator(mode="after")
    def _one(self) -> CapacityChange:
        if (self.places is None) == (self.staff_fte is None):
            raise ValueError("give exactly one of places or staff_fte")
        return self


class Priority(Strict):
    """Serve the waiting list by attribute level (earlier in `order` first), FIFO within one."""

    attribute: Literal["sex", "born", "age_band", "target_group", "referral"]
    order: list[str] = Field(min_length=1)


class WaitingList(Strict):
    """FIFO waiting list (kö), optionally with priority and a maximum wait."""

    priority: Priority | None = None
    max_wait_months: PosNum | None = None
    on_timeout: str | None = None

    @model_validator(mode="after")
    def _timeout_target(self) -> WaitingList:
        if self.max_wait_months is not None and self.on_timeout is None:
            raise ValueError("max_wait_months needs on_timeout: the exit state for those who leave")
        if self.on_timeout is not None and self.max_wait_months is None:
            raise ValueError("on_timeout needs max_wait_months: how long people wait before leaving")
        return self


class CostItem(Strict):
    """What every cost has: a label for people and the actor (`funder`) who pays it."""

    label: str = ""
    funder: Funder


class CostLine(CostItem):
    """One cost of an intervention, paid by `funder` (kr, in the scenario's price year)."""

    per_participant_month: Kronor = 0.0
    per_start: Kronor = 0.0
    per_place_month: Kronor = 0.0
    allowance: bool = False


class Intervention(Strict):
    """One insats: duration, capacity, waiting list, exits during it and routing at its end."""

    name: str = Field(pattern=r"^[\w\-]+$")
    label: str | None = None
    duration: Duration
    capacity: Capacity | None = None
    capacity_changes: list[CapacityChange] = []
    waiting_list: WaitingList | None = None
    exit_hazards: dict[str, NonNegNum] = {}
    routing: dict[str, Prob]
    costs: list[CostLine] = []

    @field_validator("routing")
    @classmethod
    def _routing(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("routing needs at least one destination")
        return _shares_sum_to_one(v, "routing shares")

    @property
    def title(self) -> str:
        return self.label or self.name


class ExitState(Strict):
    """A named way out of the programme, with its category."""

    category: Literal["work", "studies", "care", "benefit", "other"]
    label: str | None = None


class InitialGroup(Strict):
    """Participants already waiting for, or already in, an intervention at month 0."""

    intervention: str
    waiting: Count = 0
    in_service: Count = 0


# ---------------------------------------------------------------- economics


class FixedCost(CostItem):
    """A cost per month over the project period (premises, project management, ...)."""

    per_month: Kronor
    start_month: NonNegNum = 0.0
    end_month: NonNegNum | None = None


class StaffCost(CostItem):
    """Staff: FTE × monthly salary × (1 + employer contributions) over the project period."""

    fte: NonNegNum
    monthly_salary: Kronor
    start_month: NonNegNum = 0.0
    end_month: NonNegNum | None = None


class LumpSum(CostItem):
    """A one-off amount at a given month (a reported total cost, an evaluation, equipment)."""

    amount: Kronor
    month: NonNegNum = 0.0


class Costs(Strict):
    """Programme costs outside single interventions, plus the staff-cost parameters."""

    employer_contribution: NonNegNum = 0.3142
    project_months: PosNum | None = None
    fixed: list[FixedCost] = []
    staff: list[StaffCost] = []
    lump_sums: list[LumpSum] = []
    per_participant_month: list[CostLine] = []


class Counterfactual(Strict):
    """What would have happened without the programme (jämförelsealternativ)."""

    monthly_hazard: NonNegNum | None = None
    by_group: list[GroupHazard] = []
    reference: str | None = None
    deadweight: Prob = 0.0
    displacement: Prob = 0.0

    @model_validator(mode="after")
    def _one(self) -> Counterfactual:
        if self.monthly_hazard is None and self.reference is None:
            raise ValueError(
                "give monthly_hazard, or a reference scenario (optionally with monthly_hazard as "
                "the job-finding hazard after leaving the programme)")
        return self


class GroupHazard(Strict):
    when: dict[Literal["sex", "born", "age_band", "target_group"], str]
    monthly_hazard: NonNegNum


class Retention(Strict):
    """How long jobs last: a monthly hazard of losing the job, or the share employed at 12 months."""

    monthly_hazard: NonNegNum | None = None
    share_at_12_months: Prob | None = None

    @model_validator(mode="after")
    def _one(self) -> Retention:
        if (self.monthly_hazard is None) == (self.share_at_12_months is None):
            raise ValueError("give exactly one of monthly_hazard or share_at_12_months")
        if self.share_at_12_months == 0:
            raise ValueError("share_at_12_months must be above 0")
        return self

    def hazard(self) -> float:
        if self.monthly_hazard is not None:
            return float(self.monthly_hazard)
        return -math.log(self.share_at_12_months) / 12.0


class Employment(Strict):
    """What follows an exit to work (and, if valued, to studies)."""

    retention: Retention = Retention(monthly_hazard=0.0)
    extent: Prob = 1.0
    lag_months: NonNegNum = 0.0
    value_studies: bool = False


class Transfer(Strict):
    """A financial effect per person-year of shortened unemployment: money moves, society nets 0."""

    label: str = ""
    payer: Funder
    payee: Funder
    per_year: Kronor


class Valuation(Strict):
    """Pricing of shortened unemployment (samhällsintäkt)."""

    # seed 000 (Grenverket, PwC): "en vinst på över 500 000 kronor per individ och år"
    value_per_year: Kronor = 500_000.0
    actor_shares: dict[Funder, Prob] = {"staten": 1.0}
    transfers: list[Transfer] = []
    horizon_years: Years = 5.0
    views_years: list[Years] = [1.0, 5.0]
    # 3.5 % real: ASEK (Trafikverket) since ASEK 5, incl. ASEK 7.0 ch. 5 (ASEK 4 used 4 %)
    discount_rate: NonNegNum = 0.035
    price_year: int = 2013
    benefit_lag_months: NonNegNum = 0.0
    drop_off_per_year: Prob = 0.0
    optimism_bias: NonNegNum = 0.0
    confidence_haircut: Prob = 0.0

    @field_validator("actor_shares")
    @classmethod
    def _actors(cls, v: dict[str, float]) -> dict[str, float]:
        return _shares_sum_to_one(v, "actor shares of the value per person-year")


# ---------------------------------------------------------------- the scenario


class Simulation(Strict):
    """Run settings: horizon in months (None: until everyone has left), replications, seed."""

    horizon_months: HorizonMonths | None = None
    replications: PosCount = 100
    seed: Count = 20140227


class Scenario(Strict):
    """One programme, as a planner describes it."""

    name: str
    label: str | None = None
    description: str = ""
    simulation: Simulation = Simulation()
    intake: Intake
    population: Population = Population()
    entry: dict[str, Prob]
    interventions: list[Intervention] = Field(min_length=1)
    exit_states: dict[str, ExitState]
    initial_state: list[InitialGroup] = []
    costs: Costs = Costs()
    counterfactual: Counterfactual = Counterfactual(monthly_hazard=0.0)
    employment: Employment = Employment()
    valuation: Valuation = Valuation()
    _source: Path | None = PrivateAttr(default=None)

    @field_validator("entry", mode="before")
    @classmethod
    def _entry_name(cls, v: Any) -> Any:
        return {v: 1.0} if isinstance(v, str) else v

    @field_validator("entry")
    @classmethod
    def _entry(cls, v: dict[str, float]) -> dict[str, float]:
        return _shares_sum_to_one(v, "entry shares")

    @property
    def title(self) -> str:
        return self.label or self.name

    def intervention(self, name: str) -> Intervention:
        for iv in self.interventions:
            if iv.name == name:
                return iv
        raise KeyError(name)

    @property
    def source_file(self) -> Path | None:
        """The file this scenario was loaded from (relative references resolve against it)."""
        return self._source

    def reference_path(self) -> Path | None:
        """The counterfactual reference scenario's path, resolved against this file's folder."""
        ref = self.counterfactual.reference
        if ref is None:
            return None
        p = Path(ref)
        if not p.is_absolute() and self._source is not None:
            p = self._source.parent / p
        return p

    @property
    def names(self) -> list[str]:
        return [iv.name for iv in self.interventions]

    def has_capacity_limits(self) -> bool:
        return any(iv.capacity is not None for iv in self.interventions)

    def digest(self) -> str:
        """A short hash of the validated content: the same scenario always gives the same hash."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


Override.model_rebuild()
Counterfactual.model_rebuild()


# ---------------------------------------------------------------- loading and checks


def load_yaml(path: str | Path) -> tuple[Any, yaml.Node | None]:
    """Read a YAML file; missing files, syntax errors and empty files become Problems."""
    p = Path(path)
    name = str(path)
    if not p.exists():
        raise InputError([Problem(name, "", "file not found")])
    if p.is_dir():
        raise InputError([Problem(name, "", "is a folder; expected a scenario file (.yaml)")])
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, "", f"not UTF-8 text ({exc.reason})")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        raw = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        msg = f"YAML syntax error at {where}: {exc.problem}"
        ctx = exc.context_mark
        if exc.context and ctx is not None and (mark is None or ctx.line != mark.line):
            msg += f" ({exc.context} started at line {ctx.line + 1}, column {ctx.column + 1})"
        line = mark.line + 1 if mark else None
        raise InputError([Problem(name, "", msg, None, line)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(name, "", f"YAML error: {exc}")]) from None
    if raw is None:
        raise InputError([Problem(name, "", "the file is empty; expected a scenario mapping")])
    if not isinstance(raw, dict):
        raise InputError(
            [Problem(name, "", "expected a mapping of scenario fields at the top level",
                     type(raw).__name__)]
        )
    return raw, node


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate one scenario file, raising InputError with every problem found."""
    raw, node = load_yaml(path)
    scenario = parse_scenario(raw, file=str(path), node=node)
    scenario._source = Path(path)
    ref = scenario.reference_path()
    if ref is not None and not ref.is_file():
        raise InputError([Problem(str(path), "counterfactual.reference",
                                  f"reference scenario not found at {ref}",
                                  scenario.counterfactual.reference,
                                  _line_of(node, "counterfactual.reference"))])
    return scenario


def parse_scenario(raw: dict[str, Any], file: str = "<scenario>", node: Any = None) -> Scenario:
    """Validate a raw mapping (from YAML or built in code) into a Scenario."""
    dupes = _duplicate_keys(node, file)
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        found = pydantic_problems(exc, file, node)
        seen = {p.path for p in found}
        # references can be checked on the raw mapping too, so they come with the schema errors
        refs = [Problem(p.file, p.path, p.message, p.value, _line_of(node, p.path))
                for p in _raw_reference_problems(raw, file) if p.path not in seen]
        raise InputError(dupes + found + refs) from None
    problems = semantic_problems(scenario, file)
    for i, p in enumerate(problems):
        problems[i] = Problem(p.file, p.path, p.message, p.value, _line_of(node, p.path))
    if dupes or problems:
        raise InputError(dupes + problems)
    return scenario


def _unknown(file: str, path: str, dest: str, allowed: set[str], what: str) -> list[Problem]:
    """A reference to a name that does not exist, with a "did you mean" hint."""
    if dest in allowed:
        return []
    hint = difflib.get_close_matches(dest, sorted(allowed), n=1)
    tip = f"; did you mean '{hint[0]}'?" if hint else "."
    return [Problem(file, path, f"unknown {what} '{dest}'{tip} Allowed: {', '.join(sorted(allowed))}",
                    dest)]


def _raw_reference_problems(raw: dict[str, Any], file: str) -> list[Problem]:
    """Routes, entries and timeouts that name unknown places, read from the raw mapping.

    Used when the schema check fails, so that a typo in a route is reported in the same run as
    the schema errors; only well-formed parts of the file are looked at.
    """
    ivs = raw.get("interventions")
    states = raw.get("exit_states")
    if not isinstance(ivs, list) or not isinstance(states, dict):
        return []
    names = {iv["name"] for iv in ivs if isinstance(iv, dict) and isinstance(iv.get("name"), str)}
    exits = {str(k) for k in states}
    places = names | exits
    out: list[Problem] = []
    entry = raw.get("entry")
    entries = {entry: 1} if isinstance(entry, str) else entry if isinstance(entry, dict) else {}
    for dest in entries:
        out += _unknown(file, f"entry.{dest}", str(dest), names, "intervention")
    for i, iv in enumerate(ivs):
        if not isinstance(iv, dict):
            continue
        for key in ("routing", "exit_hazards"):
            if isinstance(iv.get(key), dict):
                for dest in iv[key]:
                    out += _unknown(file, f"interventions[{i}].{key}.{dest}", str(dest), places,
                                    "destination")
        wl = iv.get("waiting_list")
        if isinstance(wl, dict) and isinstance(wl.get("on_timeout"), str):
            out += _unknown(file, f"interventions[{i}].waiting_list.on_timeout", wl["on_timeout"],
                            exits, "exit state")
    return out


def _duplicate_keys(node: Any, file: str, path: str = "",
                    seen: set[int] | None = None) -> list[Problem]:
    """Keys given twice in one YAML mapping (PyYAML silently keeps the last one)."""
    seen = set() if seen is None else seen
    if node is None or id(node) in seen:
        return []
    seen.add(id(node))
    found: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for key_node, val_node in node.value:
            key = str(key_node.value)
            sub = f"{path}.{key}" if path else key
            if key in keys and key != "<<":
                found.append(Problem(
                    file, sub, f"key '{key}' is given more than once here; YAML would silently "
                    "keep only the last one", None, key_node.start_mark.line + 1))
            keys.add(key)
            found += _duplicate_keys(val_node, file, sub, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            found += _duplicate_keys(item, file, f"{path}[{i}]", seen)
    return found


def scenario_files(path: str | Path, recursive: bool = False) -> list[Path]:
    """A file is itself; a folder gives its *.yaml/*.yml files in name order (with subfolders
    if `recursive`)."""
    p = Path(path)
    if p.is_dir():
        pattern = "**/*.y*ml" if recursive else "*.y*ml"
        files = sorted(f for f in p.glob(pattern) if f.suffix in (".yaml", ".yml"))
        if not files:
            raise InputError([Problem(str(p), "", "no scenario files (*.yaml) in this folder")])
        return files
    return [p]


def _path_str(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _strip_tags(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop the discriminator tags pydantic puts in locations (e.g. 'gamma' in duration.gamma.cv)."""
    out: list[Any] = []
    for i, part in enumerate(loc):
        if part in DIST_NAMES and i > 0 and loc[i - 1] == "duration":
            continue
        if isinstance(part, str) and part.startswith(("function-", "constrained-")):
            continue
        out.append(part)
    return tuple(out)


def _model_at(loc: tuple[Any, ...], root: type[BaseModel] | None = None) -> type[BaseModel] | None:
    """The pydantic model class found by following `loc` from Scenario (None if not a model)."""
    current: Any = Scenario if root is None else root
    for part in loc:
        if isinstance(part, str) and part.startswith(("function-", "constrained-")):
            continue
        tagged = _tagged_members(current)
        if isinstance(part, str) and part in tagged:
            current = tagged[part]
            continue
        current = _unwrap_type(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                field = next(
                    (f for f in current.model_fields.values() if f.alias == part), None
                )
            if field is None:
                return None
            current = field.annotation
        else:
            origin = typing.get_origin(current)
            args = typing.get_args(current)
            if origin in (list, dict) and args:
                current = args[-1]
            else:
                return None
    current = _unwrap_type(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _tagged_members(tp: Any) -> dict[str, type[BaseModel]]:
    """For a union of models told apart by `dist`, map each tag to its model (else empty)."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    if typing.get_origin(tp) not in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return {}
    out: dict[str, type[BaseModel]] = {}
    for member in typing.get_args(tp):
        field = (member.model_fields.get("dist")
                 if isinstance(member, type) and issubclass(member, BaseModel) else None)
        tags = typing.get_args(field.annotation) if field is not None else ()
        if len(tags) == 1 and isinstance(tags[0], str):
            out[tags[0]] = member
    return out


def _unwrap_type(tp: Any) -> Any:
    while True:
        origin = typing.get_origin(tp)
        args = typing.get_args(tp)
        if origin is typing.Annotated:
            tp = args[0]
            continue
        if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            non_none = [a for a in args if a is not type(None)]
            models = [a for a in non_none if isinstance(a, type) and issubclass(a, BaseModel)]
            if len(non_none) == 1:
                tp = non_none[0]
                continue
            if models:
                return models[0]
        return tp


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def pydantic_problems(exc: ValidationError, file: str, node: Any,
                      root: type[BaseModel] | None = None) -> list[Problem]:
    """Turn a pydantic ValidationError on `root` (default Scenario) into Problems with YAML lines."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for err in exc.errors(include_url=False):
        raw_loc = tuple(err["loc"])
        loc = _strip_tags(raw_loc)
        kind = err["type"]
        ctx = err.get("ctx", {})
        value: object = err.get("input")
        bad_key = len(loc) >= 2 and loc[-1] == "[key]"
        if bad_key:  # the key of a mapping is wrong, not its value: point at the key itself
            loc = (*loc[:-2], str(loc[-2]))
        path = _path_str(loc)
        if kind == "extra_forbidden":
            parent = _model_at(raw_loc[:-1], root)
            msg = _unknown_key(str(loc[-1]), _allowed_keys(parent) if parent else [])
            value = None
        elif bad_key and kind == "literal_error":
            msg = _unknown_key(str(value), _quoted(ctx.get("expected", "")))
            value = None
        elif bad_key:
            msg = f"key {value!r} is not allowed: {_plain(err['msg'])}; write keys as text"
            value = None
        elif kind == "missing":
            msg = "required field is missing"
            value = None
        elif kind == "union_tag_invalid":
            tag = str(ctx.get("tag"))
            hint = difflib.get_close_matches(tag, DIST_NAMES, n=1, cutoff=0.6)
            msg = f"unknown distribution '{tag}'"
            msg += f"; did you mean '{hint[0]}'?" if hint else "."
            msg += f" Allowed: {', '.join(DIST_NAMES)}"
            value = ctx.get("tag")
        elif kind == "union_tag_not_found":
            msg = f"needs 'dist:' naming the distribution ({', '.join(DIST_NAMES)})"
            value = None
        elif kind == "literal_error":
            msg = f"not allowed; {_plain(err['msg'])}"
            hint = difflib.get_close_matches(str(value), _quoted(ctx.get("expected", "")), n=1)
            msg += f"; did you mean '{hint[0]}'?" if hint else ""
        elif kind in ("dict_type", "model_type", "model_attributes_type"):
            msg = "expected a mapping (key: value pairs)"
            if loc and loc[-1] == "duration":
                msg += " naming the distribution, e.g. {dist: fixed, months: 3}"
        elif kind == "list_type":
            msg = "expected a list (one '- item' per line, or [a, b])"
        elif kind == "too_short":
            n = ctx.get("min_length", 1)
            msg = f"needs at least {n} item{'s' if n != 1 else ''}"
        elif kind == "string_pattern_mismatch" and loc and loc[-1] == "name":
            msg = "a name may use only letters, digits, '_' and '-' (no spaces or dots)"
        elif kind in ("float_type", "int_type") and isinstance(value, dict) and "value" not in value:
            msg = "a number with a source needs the key 'value', e.g. {value: 0.3, source: '...'}"
        else:
            msg = _plain(err["msg"])
        if value is None and kind.endswith("_type") and not bad_key:
            msg += "; the value is empty"
        sig = (path, msg)
        if sig in seen:
            continue
        seen.add(sig)
        problems.append(Problem(file, path, msg, value, _line_of(node, path)))
    return problems


def _plain(msg: str) -> str:
    """Pydantic's wording, shortened for a planner ("Input should be" becomes "expected")."""
    return msg.replace("Value error, ", "").replace("Input should be", "expected")


def _quoted(text: str) -> list[str]:
    """The quoted alternatives in pydantic's "'a', 'b' or 'c'"."""
    import re

    return re.findall(r"'([^']*)'", text)


def _unknown_key(key: str, allowed: list[str]) -> str:
    hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    msg = f"unknown key '{key}'"
    msg += f"; did you mean '{hint[0]}'?" if hint else "."
    if allowed:
        msg += f" Allowed here: {', '.join(allowed)}"
    return msg


def _line_of(node: Any, path: str) -> int | None:
    """Line number (1-based) of a YAML path such as `interventions[1].routing`, if found."""
    if node is None or not path:
        return None
    import re

    parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
    current = node
    for part in parts:
        if isinstance(current, yaml.MappingNode):
            found = None
            for key_node, val_node in current.value:
                if key_node.value == part:
                    found = val_node
                    break
            if found is None:
                break
            current = found
        elif isinstance(current, yaml.SequenceNode) and part.startswith("["):
            idx = int(part[1:-1])
            if idx >= len(current.value):
                break
            current = current.value[idx]
        else:
            break
    return current.start_mark.line + 1


def semantic_problems(sc: Scenario, file: str = "<scenario>") -> list[Problem]:
    """Checks that need the whole scenario: references, reachability, ways out, capacity."""
    probs: list[Problem] = []
    names = sc.names
    exits = set(sc.exit_states)
    places = set(names) | exits

    def bad(path: str, msg: str, value: object = None) -> None:
        probs.append(Problem(file, path, msg, value))

    dupes = {n for n in names if names.count(n) > 1}
    for n in sorted(dupes):
        bad("interventions", f"intervention name '{n}' is used more than once", n)
    clash = set(names) & exits
    for n in sorted(clash):
        bad("exit_states", f"'{n}' is both an intervention and an exit state", n)

    def check_dest(path: str, dest: str, allowed: set[str], what: str) -> None:
        probs.extend(_unknown(file, path, dest, allowed, what))

    for dest in sc.entry:
        check_dest(f"entry.{dest}", dest, set(names), "intervention")
    for i, iv in enumerate(sc.interventions):
        for dest in iv.routing:
            check_dest(f"interventions[{i}].routing.{dest}", dest, places, "destination")
        for dest in iv.exit_hazards:
            check_dest(f"interventions[{i}].exit_hazards.{dest}", dest, places, "destination")
            if dest == iv.name:
                bad(f"interventions[{i}].exit_hazards.{dest}",
                    "an exit during an intervention cannot lead back into the same intervention",
                    dest)
        wl = iv.waiting_list
        if wl is not None and wl.on_timeout is not None:
            check_dest(f"interventions[{i}].waiting_list.on_timeout", wl.on_timeout, exits,
                       "exit state")
        if wl is not None and wl.priority is not None:
            attr = wl.priority.attribute
            levels = (list(sc.intake.referral_sources) if attr == "referral"
                      else sc.population.levels(attr))
            for j, level in enumerate(wl.priority.order):
                if level not in levels:
                    bad(f"interventions[{i}].waiting_list.priority.order[{j}]",
                        f"unknown {attr} '{level}'; allowed: {', '.join(levels)}", level)
        if wl is not None and iv.capacity is None:
            bad(f"interventions[{i}].waiting_list",
                "a waiting list needs a capacity (places or staff) on the intervention")
        if iv.capacity_changes and iv.capacity is None:
            bad(f"interventions[{i}].capacity_changes", "capacity changes need a capacity")
        if iv.capacity is not None:
            for j, ch in enumerate(iv.capacity_changes):
                if ch.staff_fte is not None and iv.capacity.places is not None:
                    bad(f"interventions[{i}].capacity_changes[{j}].staff_fte",
                        "capacity is given in places; change it with places", ch.staff_fte)
    for k, g in enumerate(sc.initial_state):
        check_dest(f"initial_state[{k}].intervention", g.intervention, set(names), "intervention")
    for k, ov in enumerate(sc.population.overrides):
        for attr, level in ov.when.items():
            levels = sc.population.levels(attr)
            if level not in levels:
                bad(f"population.overrides[{k}].when.{attr}",
                    f"unknown {attr} '{level}'; allowed: {', '.join(levels)}", level)
        for ivname, o in ov.interventions.items():
            check_dest(f"population.overrides[{k}].interventions.{ivname}", ivname,
                       set(names), "intervention")
            for dest in (o.routing or {}):
                check_dest(f"population.overrides[{k}].interventions.{ivname}.routing.{dest}",
                           dest, places, "destination")
            for dest in (o.exit_hazards or {}):
                check_dest(
                    f"population.overrides[{k}].interventions.{ivname}.exit_hazards.{dest}",
                    dest, places, "destination")
    for k, gh in enumerate(sc.counterfactual.by_group):
        for attr, level in gh.when.items():
            levels = sc.population.levels(attr)
            if level not in levels:
                bad(f"counterfactual.by_group[{k}].when.{attr}",
                    f"unknown {attr} '{level}'; allowed: {', '.join(levels)}", level)
    for kind in ("stream", "groups"):
        spec = getattr(sc.intake, kind)
        if spec is not None and spec.end_month is not None and spec.end_month <= spec.start_month:
            bad(f"intake.{kind}.end_month",
                f"end_month must be after start_month ({spec.start_month:g}), or no one arrives",
                spec.end_month)
    if probs:
        return probs

    # graph checks: edges with positive probability (any subgroup)
    edges: dict[str, set[str]] = {n: set() for n in names}
    for iv in sc.interventions:
        edges[iv.name] |= {d for d, p in iv.routing.items() if p > 0}
        edges[iv.name] |= {d for d, h in iv.exit_hazards.items() if h > 0}
        if iv.waiting_list and iv.waiting_list.on_timeout:
            edges[iv.name].add(iv.waiting_list.on_timeout)
    for ov in sc.population.overrides:
        for ivname, o in ov.interventions.items():
            edges[ivname] |= {d for d, p in (o.routing or {}).items() if p > 0}
            edges[ivname] |= {d for d, h in (o.exit_hazards or {}).items() if h > 0}

    starts = {d for d, p in sc.entry.items() if p > 0} | {g.intervention for g in sc.initial_state}
    reach = _reachable(starts, edges)
    for i, iv in enumerate(sc.interventions):
        if iv.name not in reach:
            bad(f"interventions[{i}]",
                f"intervention '{iv.name}' is unreachable: no entry, initial state or route leads "
                "to it", iv.name)
    for i, iv in enumerate(sc.interventions):
        if iv.name in reach and not (_reachable({iv.name}, edges) & exits):
            bad(f"interventions[{i}].routing",
                f"a loop with no way out: from '{iv.name}' no route reaches an exit state", iv.name)
    if not probs:
        probs += _subgroup_traps(sc, starts, file)
    arrivals_into = reach
    for i, iv in enumerate(sc.interventions):
        if iv.capacity is None or iv.name not in arrivals_into:
            continue
        slots_now = iv.capacity.slots()
        later = [
            ch.places if ch.places is not None else iv.capacity.slots(ch.staff_fte)
            for ch in iv.capacity_changes
        ]
        if slots_now == 0 and not any(s and s > 0 for s in later):
            bad(f"interventions[{i}].capacity",
                "zero capacity, but participants are routed here: they would wait forever", 0)
    if sc.simulation.horizon_months is None and sc.intake.is_unbounded():
        bad("simulation.horizon_months",
            "arrivals never stop (open stream or groups without end_month or max_participants); "
            "give a horizon_months")
    return probs


def _subgroup_traps(sc: Scenario, starts: set[str], file: str) -> list[Problem]:
    """A loop with no way out for one subgroup, once its overrides replace the routing."""
    pop = sc.population
    attrs = sorted({a for ov in pop.overrides for a in ov.when})
    if not attrs:
        return []
    exits = set(sc.exit_states)
    found: list[Problem] = []
    for person, _ in pop.cells(attrs):
        edges: dict[str, set[str]] = {}
        for iv in sc.interventions:
            routing, hazards = dict(iv.routing), dict(iv.exit_hazards)
            for ov in pop.overrides:
                o = ov.interventions.get(iv.name)
                if o is None or any(person.get(k) != v for k, v in ov.when.items()):
                    continue
                routing = dict(o.routing) if o.routing is not None else routing
                hazards.update(o.exit_hazards or {})
            edges[iv.name] = {d for d, p in routing.items() if p > 0}
            edges[iv.name] |= {d for d, h in hazards.items() if h > 0}
            if iv.waiting_list and iv.waiting_list.on_timeout:
                edges[iv.name].add(iv.waiting_list.on_timeout)
        for i, iv in enumerate(sc.interventions):
            if iv.name in _reachable(starts, edges) and not (_reachable({iv.name}, edges) & exits):
                who = ", ".join(f"{k}={v}" for k, v in person.items())
                found.append(Problem(
                    file, f"interventions[{i}].routing",
                    f"a loop with no way out for the subgroup {who}: with its overrides, no route "
                    f"from '{iv.name}' reaches an exit state", iv.name))
                return found
    return found


def _reachable(starts: set[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(starts)
    todo = list(starts)
    while todo:
        node = todo.pop()
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
