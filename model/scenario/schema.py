"""The one definition of a scenario: intake, population, interventions, exits and the Scenario.

Every object is a strict pydantic model (unknown keys are errors): the schema is the
documentation. The economic inputs (costs, counterfactual, employment, valuation) are in
`model.scenario.pricing`, durations in `model.distributions`, sourced numbers in `model.numbers`.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, PrivateAttr, field_validator, model_validator

from model.distributions import Duration
from model.numbers import (
    Count,
    Headcount,
    HorizonMonths,
    Month,
    NonNegNum,
    People,
    PerMonth,
    PosMonths,
    Prob,
    Replications,
    Staff,
)
from model.scenario.base import (
    ATTRIBUTES,
    Attribute,
    ExitCategory,
    Strict,
    shares_sum_to_one,
)
from model.scenario.pricing import (
    CostLine,
    Costs,
    Counterfactual,
    Employment,
    Valuation,
)

# ---------------------------------------------------------------- intake


class Cohort(Strict):
    """Everyone arrives at once (at `month`, default 0)."""

    n: People
    month: Month = 0.0


class Stream(Strict):
    """Poisson arrivals at `rate_per_month` between `start_month` and `end_month`."""

    rate_per_month: PerMonth
    start_month: Month = 0.0
    end_month: Month | None = None


class Groups(Strict):
    """Group intakes (gruppintag): `size` people every `every_months` months."""

    size: People
    every_months: PosMonths
    start_month: Month = 0.0
    end_month: Month | None = None


class Pause(Strict):
    """No stream or group arrivals in [start_month, end_month)."""

    start_month: Month
    end_month: Month

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
        return shares_sum_to_one(v, "referral source shares")

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

    when: dict[Attribute, str]
    interventions: dict[str, InterventionOverride]


class InterventionOverride(Strict):
    routing: dict[str, Prob] | None = None
    exit_hazards: dict[str, NonNegNum] | None = None

    @field_validator("routing")
    @classmethod
    def _routing(cls, v: dict[str, float] | None) -> dict[str, float] | None:
        return None if v is None else shares_sum_to_one(v, "routing shares")


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
    """Places, given directly or as staff FTE × caseload per FTE (Framgången: at most 30)."""

    places: Count | None = None
    staff_fte: Staff | None = None
    caseload_per_fte: Annotated[Staff, Field(gt=0)] | None = None

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

    month: Month
    places: Count | None = None
    staff_fte: Staff | None = None

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
    max_wait_months: PosMonths | None = None
    on_timeout: str | None = None

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
        return shares_sum_to_one(v, "routing shares")

    @property
    def title(self) -> str:
        return self.label or self.name


class ExitState(Strict):
    """A named way out of the programme, with its category."""

    category: ExitCategory
    label: str | None = None


class InitialGroup(Strict):
    """Participants already waiting for, or already in, an intervention at month 0."""

    intervention: str
    waiting: Headcount = 0
    in_service: Headcount = 0


# ---------------------------------------------------------------- the scenario


class Simulation(Strict):
    """Run settings: horizon in months (None: until everyone has left), replications, seed."""

    horizon_months: HorizonMonths | None = None
    replications: Replications = 100
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
