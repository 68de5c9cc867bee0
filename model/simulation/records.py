"""What the engine records while it runs: a participant and one visit to an intervention."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(slots=True)
class Visit:
    """One stay on an intervention's waiting list and in the intervention itself."""

    participant_id: int
    visit: int
    intervention: str
    queued_month: float
    start_month: float = math.nan
    end_month: float = math.nan
    kind: str = "waiting"
    next: str | None = None


@dataclass(slots=True)
class Participant:
    """One participant: drawn attributes, where they are, and running totals of their months."""

    participant_id: int
    sex: str
    born: str
    age_band: str
    target_group: str
    referral: str
    initial: bool
    arrival_month: float
    status: str = "waiting"
    exit_state: str | None = None
    exit_month: float = math.nan
    months_waiting: float = 0.0
    n_visits: int = 0
    last_intervention: str | None = None
    months: dict[str, float] = field(default_factory=dict)
    visit: Visit | None = None

    @property
    def attrs(self) -> tuple[str, str, str, str]:
        """The attributes subgroup overrides can match, in ATTRIBUTES order."""
        return (self.sex, self.born, self.age_band, self.target_group)
