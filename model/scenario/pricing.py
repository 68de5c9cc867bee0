"""The economic inputs of a scenario: costs, the counterfactual, employment after exit, valuation.

`model.economics` prices a simulated run with these; the flow they belong to is in
`model.scenario.schema`.
"""

from __future__ import annotations

import math

from pydantic import field_validator, model_validator

from model.numbers import Flag, Kronor, Month, NonNegNum, PosMonths, Prob, Years
from model.scenario.base import Attribute, Funder, Strict, shares_sum_to_one


class CostItem(Strict):
    """What every cost has: a label for people and the actor (`funder`) who pays it."""

    label: str = ""
    funder: Funder


class CostLine(CostItem):
    """One cost of an intervention, paid by `funder` (kr, in the scenario's price year)."""

    per_participant_month: Kronor = 0.0
    per_start: Kronor = 0.0
    per_place_month: Kronor = 0.0
    allowance: Flag = False


class FixedCost(CostItem):
    """A cost per month over the project period (premises, project management, ...)."""

    per_month: Kronor
    start_month: Month = 0.0
    end_month: Month | None = None


class StaffCost(CostItem):
    """Staff: FTE × monthly salary × (1 + employer contributions) over the project period."""

    fte: NonNegNum
    monthly_salary: Kronor
    start_month: Month = 0.0
    end_month: Month | None = None


class LumpSum(CostItem):
    """A one-off amount at a given month (a reported total cost, an evaluation, equipment)."""

    amount: Kronor
    month: Month = 0.0


class Costs(Strict):
    """Programme costs outside single interventions, plus the staff-cost parameters."""

    employer_contribution: NonNegNum = 0.3142
    project_months: PosMonths | None = None
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
    when: dict[Attribute, str]
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
    lag_months: Month = 0.0
    value_studies: Flag = False


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
    benefit_lag_months: Month = 0.0
    drop_off_per_year: Prob = 0.0
    optimism_bias: NonNegNum = 0.0
    confidence_haircut: Prob = 0.0

    @field_validator("actor_shares")
    @classmethod
    def _actors(cls, v: dict[str, float]) -> dict[str, float]:
        return shares_sum_to_one(v, "actor shares of the value per person-year")


Counterfactual.model_rebuild()
