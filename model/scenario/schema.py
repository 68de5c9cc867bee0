"""The one definition of a scenario: intake, population, interventions, exits and the Scenario.

Every object is a strict pydantic model (unknown keys are errors): the schema is the
documentation. The economic inputs (costs, counterfactual, employment, valuation) are in
`model.scenario.pricing`, durations in `model.distributions`, sourced numbers in `model.numbers`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    Field,
    PrivateAttr,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from model.distributions import Duration
from model.numbers import (
    FTE,
    Count,
    Flag,
    Hazard,
    Headcount,
    HorizonMonths,
    Kronor,
    Months,
    PosMonths,
    Prob,
    Replications,
    Staff,
    Unit,
)
from model.scenario.base import (
    ATTRIBUTES,
    Attribute,
    ExitCategory,
    Funder,
    Strict,
    shares_sum_to_one,
)
from model.scenario.intake import Intake
from model.scenario.normalise import normalise_shares
from model.scenario.pricing import (
    CostLine,
    Costs,
    Counterfactual,
    Employment,
    Health,
    Valuation,
)
from model.scenario.uncertainty import UncertaintySettings

# `entry: a` is short for `entry: {a: 1}` (editors' JSON Schema accepts both)
_ENTRY_JSON = {"anyOf": [
    {"type": "string", "description": "the one intervention everyone starts in"},
    {"type": "object", "additionalProperties": {"anyOf": [
        {"type": "number", "minimum": 0, "maximum": 1},
        {"type": "object", "properties": {"value": {"type": "number", "minimum": 0, "maximum": 1},
                                          "source": {"type": "string"}},
         "required": ["value"]}]}}]}

# ---------------------------------------------------------------- population


class Override(Strict):
    """Subgroup-specific routing or exit hazards; `when` matches participants' attributes."""

    when: dict[Attribute, str]
    """The attribute levels a participant must have, e.g. {sex: kvinna}."""
    interventions: dict[str, InterventionOverride]
    """By intervention name: the routing or exit hazards that replace the intervention's own."""


class InterventionOverride(Strict):
    """What a subgroup does differently in one intervention."""

    routing: dict[str, Prob] | None = None
    """Replaces the intervention's routing for the subgroup (shares summing to 1)."""
    exit_hazards: dict[str, Hazard] | None = None
    """Replaces the intervention's exit hazards for the subgroup."""

    @field_validator("routing")
    @classmethod
    def _routing(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        return None if v is None else shares_sum_to_one(v, "routing shares")


class Cell(Strict):
    """One cell of a joint population mix, e.g. foreign-born women, with its share."""

    sex: str | None = None
    """The cell's sex, e.g. kvinna."""
    born: str | None = None
    """Born in Sweden or abroad, e.g. utrikes född."""
    age_band: str | None = None
    """The cell's age band, e.g. 16–24."""
    target_group: str | None = None
    """The cell's target group."""
    share: Prob
    """The cell's share of participants (the cells' shares sum to 1)."""

    def attrs(self) -> dict[str, str]:
        return {a: getattr(self, a) for a in ATTRIBUTES if getattr(self, a) is not None}


class Population(Strict):
    """Shares of each attribute; defaults are one unnamed category.

    Attributes are drawn independently, except those named in `joint`, whose combinations are
    drawn together with the cells' shares (e.g. sex × born abroad, as an equity view needs).
    """

    sex: dict[str, Prob] = {"ej angivet": 1.0}
    """Shares by sex, summing to 1. Default: one category "ej angivet" (assumption: scenarios
    give sex where known)."""
    born: dict[str, Prob] = {"ej angivet": 1.0}
    """Shares born in Sweden and abroad. Default: one category "ej angivet" (assumption)."""
    age_band: dict[str, Prob] = {"ej angivet": 1.0}
    """Shares by age band. Default: one category "ej angivet" (assumption)."""
    target_group: dict[str, Prob] = {"ej angivet": 1.0}
    """Shares by target group. Default: one category "ej angivet" (assumption)."""
    joint: list[Cell] = []
    """Cells drawn together (e.g. sex × born); their attributes are then not given above."""
    overrides: list[Override] = []
    """Routing or exit hazards that differ for a subgroup."""

    @field_validator("sex", "born", "age_band", "target_group")
    @classmethod
    def _mix(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("needs at least one category")
        return shares_sum_to_one(v, "population shares")

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
        shares_sum_to_one({str(i): c.share for i, c in enumerate(cells)}, "cell shares")
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
    """Places, given directly or as staff FTE × caseload per FTE (Framgången: at most 30).

    Staff given once: with `monthly_salary` and `funder`, the same FTE (and its changes in
    `capacity_changes`) also price a staff cost line, FTE × salary × (1 + employer contribution)
    over the project period, so more staff means more places and more cost.
    """

    places: Annotated[Count, Unit("places")] | None = None
    """Places, given directly (or give staff_fte and caseload_per_fte)."""
    staff_fte: FTE | None = None
    """Staff (handledare) in full-time equivalents."""
    caseload_per_fte: Annotated[Staff, Field(gt=0), Unit("participants per FTE")] | None = None
    """Participants one full-time staff member can take at once (Framgången: at most 30)."""
    monthly_salary: Annotated[Kronor, Unit("kr a month per FTE")] | None = None
    """With funder: the staff's salary, priced as a cost line over the project period."""
    funder: Funder | None = None
    """Who pays the staff (with monthly_salary)."""
    label: str = ""
    """Name of the staff cost line. Default: "<intervention>: staff"."""

    @model_validator(mode="after")
    def _one_way(self) -> Capacity:
        by_staff = self.staff_fte is not None or self.caseload_per_fte is not None
        if self.places is not None and by_staff:
            raise ValueError("give either places or staff_fte with caseload_per_fte, not both")
        if self.places is None and not (
            self.staff_fte is not None and self.caseload_per_fte is not None
        ):
            raise ValueError("give places, or both staff_fte and caseload_per_fte")
        if (self.monthly_salary is None) != (self.funder is None):
            raise ValueError("a staff cost needs both monthly_salary and funder (who pays)")
        if self.monthly_salary is not None and self.places is not None:
            raise ValueError("monthly_salary prices staff: give staff_fte and caseload_per_fte, "
                             "not places (or put a per-place cost in the intervention's costs)")
        return self

    @property
    def costed(self) -> bool:
        """True when the staff behind these places are also a cost line."""
        return self.monthly_salary is not None

    def slots(self, staff_fte: float | None = None) -> int:
        if self.places is not None:
            return int(self.places)
        fte = self.staff_fte if staff_fte is None else staff_fte
        return math.floor(fte * self.caseload_per_fte + 1e-9)


class CapacityChange(Strict):
    """From `month` on, the number of places (or staff FTE) becomes the given value."""

    month: Months
    """From this month on."""
    places: Annotated[Count, Unit("places")] | None = None
    """The new number of places."""
    staff_fte: FTE | None = None
    """The new staff, in FTE (places and any staff cost follow)."""

    @model_validator(mode="after")
    def _one(self) -> CapacityChange:
        if (self.places is None) == (self.staff_fte is None):
            raise ValueError("give exactly one of places or staff_fte")
        return self


class Priority(Strict):
    """Serve the waiting list by attribute level (earlier in `order` first), FIFO within one."""

    attribute: Literal["sex", "born", "age_band", "target_group", "referral"]
    """The attribute whose levels decide the order."""
    order: list[str] = Field(min_length=1)
    """Levels, first served first; levels not listed come last."""


class WaitingList(Strict):
    """FIFO waiting list (kö), optionally with priority and a maximum wait."""

    priority: Priority | None = None
    """Serve some participants first. Default: first come, first served."""
    max_wait_months: PosMonths | None = None
    """Participants who wait this long leave the list (to on_timeout). Default: they wait."""
    on_timeout: str | None = None
    """The exit state of those who leave the list (with max_wait_months)."""

    @model_validator(mode="after")
    def _timeout_target(self) -> WaitingList:
        if self.max_wait_months is not None and self.on_timeout is None:
            raise ValueError("max_wait_months needs on_timeout: the exit state for those who leave")
        if self.on_timeout is not None and self.max_wait_months is None:
            raise ValueError("on_timeout needs max_wait_months: how long people wait before leaving")
        return self


class Intervention(Strict):
    """One insats: duration, capacity, waiting list, exits during it and routing at its end."""

    name: str = Field(pattern=r"^[\w\-]+$")
    """Identifier used in entry and routing (letters, digits, _ and -)."""
    label: str | None = None
    """Name shown in reports. Default: the name."""
    duration: Duration
    """Planned time in the intervention, a distribution in months."""
    capacity: Capacity | None = None
    """Places at once. Default: no limit."""
    capacity_changes: list[CapacityChange] = []
    """Places (or staff) that change at given months."""
    waiting_list: WaitingList | None = None
    """How those who find every place taken wait. Default: first come, first served."""
    exit_hazards: dict[str, Hazard] = {}
    """Leaving during the intervention (dropout, a job found): destination -> monthly hazard."""
    routing: dict[str, Prob]
    """Where participants go at the end: destination -> share (summing to 1)."""
    costs: list[CostLine] = []
    """Costs per participant-month, per start or per place of this intervention."""

    @field_validator("routing")
    @classmethod
    def _routing(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("routing needs at least one destination")
        return shares_sum_to_one(v, "routing shares")

    @property
    def title(self) -> str:
        return self.label or self.name


class ExitState(Strict):
    """A named way out of the programme, with its category."""

    category: ExitCategory
    """What the exit counts as: work and (if valued) studies are good outcomes."""
    label: str | None = None
    """Name shown in reports. Default: the key."""


class InitialGroup(Strict):
    """Participants already waiting for, or already in, an intervention at month 0."""

    intervention: str
    """The intervention they wait for or are in."""
    waiting: Headcount = 0
    """Waiting at month 0. Default: 0."""
    in_service: Headcount = 0
    """Already in it at month 0 (each draws a full duration). Default: 0."""


# ---------------------------------------------------------------- the scenario


class Simulation(Strict):
    """Run settings: horizon in months (None: until everyone has left), replications, seed."""

    horizon_months: HorizonMonths | None = None
    """Stop the run at this month; those still enrolled stay "in the programme". Default: run
    until everyone has left."""
    replications: Replications = 100
    """Independent runs of the programme. Default: 100 (assumption)."""
    seed: Count = 20140227
    """Random seed: the same seed gives the same participants. Default: 20140227 (assumption:
    the date of the Grenverket report, 000)."""


class Scenario(Strict):
    """One programme, as a planner describes it."""

    name: str
    """Identifier of the programme (in tables and file names)."""
    label: str | None = None
    """Name shown in reports. Default: the name."""
    description: str = ""
    """Free text."""
    normalise: Flag = False
    """Rescale shares that miss 1 only by rounding (at most 0.005 a share) to sum to 1;
    `insats validate` lists each one. Default: false, shares must sum to 1."""
    simulation: Simulation = Simulation()
    """Run settings."""
    intake: Intake
    """How participants arrive."""
    population: Population = Population()
    """Who the participants are."""
    entry: Annotated[dict[str, Prob], WithJsonSchema(_ENTRY_JSON)]
    """The first intervention, or interventions with shares (summing to 1)."""
    interventions: list[Intervention] = Field(min_length=1)
    """The insatser, in any order."""
    exit_states: dict[str, ExitState]
    """The ways out of the programme, by name."""
    initial_state: list[InitialGroup] = []
    """Participants already there at month 0."""
    costs: Costs = Costs()
    """Programme costs outside single interventions."""
    counterfactual: Counterfactual = Counterfactual(monthly_hazard=0.0)
    """What would have happened without the programme. Default: monthly_hazard 0 (assumption:
    every job counts as extra unless a scenario says otherwise)."""
    employment: Employment = Employment()
    """What follows an exit to work."""
    valuation: Valuation = Valuation()
    """How shortened unemployment is priced."""
    health: Health | None = None
    """Health-state utilities, for QALYs beside the NPV. Default: none."""
    uncertainty: UncertaintySettings = UncertaintySettings()
    """How the parameter-uncertainty answer is computed (draws, joint groups, correlations)."""
    _source: Path | None = PrivateAttr(default=None)
    _base: Path | None = PrivateAttr(default=None)
    _raw: dict[str, Any] | None = PrivateAttr(default=None)
    _normalised: list[str] = PrivateAttr(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _normalise(cls, data: Any, info: ValidationInfo) -> Any:
        """With `normalise: true`, shares that miss 1 by rounding are rescaled (`normalise`);
        the notes go to the validation context's "normalised" list when there is one."""
        if not (isinstance(data, dict) and data.get("normalise") is True):
            return data
        data = copy.deepcopy(data)
        notes = normalise_shares(data)
        if isinstance(info.context, dict) and isinstance(info.context.get("normalised"), list):
            info.context["normalised"].extend(notes)
        return data

    @field_validator("entry", mode="before")
    @classmethod
    def _entry_name(cls, v: Any) -> Any:
        return {v: 1.0} if isinstance(v, str) else v

    @field_validator("entry")
    @classmethod
    def _entry(cls, v: dict[str, float]) -> dict[str, float]:
        return shares_sum_to_one(v, "entry shares")

    @property
    def title(self) -> str:
        return self.label or self.name

    def intervention(self, name: str) -> Intervention:
        for iv in self.interventions:
            if iv.name == name:
                return iv
        raise KeyError(name)

    @property
    def raw(self) -> dict[str, Any]:
        """The mapping this scenario was validated from (sources and uncertainties included)."""
        if self._raw is None:
            return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
        return self._raw

    def has_uncertainty(self) -> bool:
        """True when some number declares its uncertainty, or values are drawn jointly."""
        from model.numbers import walk_inputs

        return bool(self.uncertainty.joint) or any(
            isinstance(leaf, dict) and "uncertainty" in leaf for _, leaf in walk_inputs(self.raw))

    @property
    def normalised(self) -> list[str]:
        """The share mappings `normalise: true` rescaled when this scenario was parsed."""
        return list(self._normalised)

    @property
    def source_file(self) -> Path | None:
        """The file this scenario was loaded from (relative references resolve against it)."""
        return self._source

    @property
    def folder(self) -> Path | None:
        """The folder a relative path in the scenario (its reference, a unit-cost file) is read
        from: the file's own, or the one given when it was loaded from elsewhere (an upload)."""
        if self._base is not None:
            return self._base
        return self._source.parent if self._source is not None else None

    def reference_path(self) -> Path | None:
        """The counterfactual reference scenario's path, resolved against `folder`."""
        ref = self.counterfactual.reference
        if ref is None:
            return None
        p = Path(ref)
        if not p.is_absolute() and self.folder is not None:
            p = self.folder / p
        return p

    @property
    def names(self) -> list[str]:
        return [iv.name for iv in self.interventions]

    def has_capacity_limits(self) -> bool:
        return any(iv.capacity is not None for iv in self.interventions)

    def digest(self) -> str:
        """A short hash of the validated content and of the declared uncertainties: the same
        scenario always gives the same hash."""
        from model.numbers import joint_rows_cut, walk_inputs

        declared = [[path, leaf["uncertainty"]]
                    for path, leaf in walk_inputs(joint_rows_cut(self.raw, 0))
                    if isinstance(leaf, dict) and "uncertainty" in leaf]
        content: Any = self.model_dump(mode="json")
        if declared:
            content = {"scenario": content, "uncertainty": declared}
        text = json.dumps(content, sort_keys=True, ensure_ascii=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


Override.model_rebuild()
