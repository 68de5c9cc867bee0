"""The economic inputs of a scenario: costs, the counterfactual, employment after exit, valuation.

`model.economics` prices a simulated run with these; the flow they belong to is in
`model.scenario.schema`.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from model.numbers import (
    FTE,
    Flag,
    Hazard,
    Kronor,
    Months,
    NonNegNum,
    PosMonths,
    PosNum,
    Prob,
    Unit,
    Years,
)
from model.scenario.base import Attribute, Funder, Strict, shares_sum_to_one


class CostItem(Strict):
    """What every cost has: a label for people and the actor (`funder`) who pays it."""

    label: str = ""
    """Name of the cost line in reports."""
    funder: Funder
    """Who pays (case-insensitive; å, ä, ö may be written a, a, o)."""


class CostLine(CostItem):
    """One cost of an intervention, paid by `funder` (kr, in the scenario's price year)."""

    per_participant_month: Annotated[Kronor, Unit("kr per participant-month")] = 0.0
    """Cost for each month a participant spends in it (in the programme, for costs.per_participant_month).
    Default: 0."""
    per_start: Annotated[Kronor, Unit("kr per start")] = 0.0
    """Cost each time a participant starts the intervention. Default: 0."""
    per_place_month: Annotated[Kronor, Unit("kr per place-month")] = 0.0
    """Cost of each place held, used or not, over the project period. Default: 0."""
    allowance: Flag = False
    """A payment to participants (a transfer): in the budget and the actor ledger, not in the
    societal cost. Default: false."""


class FixedCost(CostItem):
    """A cost per month over the project period (premises, project management, ...)."""

    per_month: Annotated[Kronor, Unit("kr a month")]
    """Cost each month."""
    start_month: Months = 0.0
    """First month. Default: 0, the start of the run."""
    end_month: Months | None = None
    """Cost until this month. Default: the end of the project period."""


class StaffCost(CostItem):
    """Staff: FTE × monthly salary × (1 + employer contributions) over the project period."""

    fte: FTE
    """Staff in full-time equivalents."""
    monthly_salary: Annotated[Kronor, Unit("kr a month per FTE")]
    """Salary per full-time equivalent, before employer contributions."""
    start_month: Months = 0.0
    """First month. Default: 0, the start of the run."""
    end_month: Months | None = None
    """Cost until this month. Default: the end of the project period."""


class LumpSum(CostItem):
    """A one-off amount at a given month (a reported total cost, an evaluation, equipment)."""

    amount: Annotated[Kronor, Unit("kr")]
    """The amount."""
    month: Months = 0.0
    """When it is paid. Default: 0, the start of the run."""


class Costs(Strict):
    """Programme costs outside single interventions, plus the staff-cost parameters.

    `budget` gives a funder's total for the project (e.g. `{esf: 842800}`), spread evenly over
    the project period; `budget_by_year` gives it per project year instead (year 1 = months 0–12),
    each year spread evenly over its months in the project period.
    """

    employer_contribution: Annotated[NonNegNum, Unit("share of salary")] = 0.3142
    """Employer contributions on salaries. Default: 0.3142, Skatteverket, arbetsgivaravgift 2024."""
    project_months: PosMonths | None = None
    """The project period, from month 0: fixed, staff and budget costs run over it. Default: until
    the last participant leaves."""
    budget: dict[Funder, Annotated[Kronor, Unit("kr")]] = {}
    """Each funder's total budget, spread evenly over the project period, e.g. {esf: 842800}."""
    budget_by_year: dict[Funder, list[Annotated[Kronor, Unit("kr a year")]]] = {}
    """Each funder's budget per project year (year 1 = months 0-12), each spread evenly over its
    months in the project period, e.g. {kommun: [400000, 250000]}."""
    fixed: list[FixedCost] = []
    """Costs per month (premises, management, ...)."""
    staff: list[StaffCost] = []
    """Staff not tied to an intervention's capacity."""
    lump_sums: list[LumpSum] = []
    """One-off amounts."""
    per_participant_month: list[CostLine] = []
    """Costs for each month a participant is in the programme (e.g. allowances)."""

    @model_validator(mode="after")
    def _budgets(self) -> Costs:
        both = sorted(set(self.budget) & set(self.budget_by_year))
        if both:
            raise ValueError(f"{', '.join(both)} given both in budget and in budget_by_year: give "
                             "each funder's budget once")
        for funder, years in self.budget_by_year.items():
            if not years:
                raise ValueError(f"budget_by_year.{funder} needs at least one year's amount")
            if self.project_months is not None and 12 * (len(years) - 1) >= self.project_months:
                raise ValueError(
                    f"budget_by_year.{funder} gives {len(years)} years, but the project period "
                    f"(costs.project_months) is {self.project_months:g} months")
        return self


class Counterfactual(Strict):
    """What would have happened without the programme (jämförelsealternativ)."""

    monthly_hazard: Hazard | None = None
    """Monthly hazard of finding work without the programme (with a reference: after leaving it)."""
    by_group: list[GroupHazard] = []
    """Hazards for subgroups, replacing monthly_hazard for them."""
    reference: str | None = None
    """A scenario file (relative to this one) simulated as "business as usual" instead; it must lie
    in this scenario's folder (subfolders allowed) or among the ready scenarios (scenarios/)."""
    deadweight: Prob = 0.0
    """Share of the effect that would have happened anyway. Default: 0 (assumption: off unless a
    scenario sets it; Green Book practice names it)."""
    displacement: Prob = 0.0
    """Share of the effect taken from others. Default: 0 (assumption, as deadweight)."""

    @model_validator(mode="after")
    def _one(self) -> Counterfactual:
        if self.monthly_hazard is None and self.reference is None:
            raise ValueError(
                "give monthly_hazard, or a reference scenario (optionally with monthly_hazard as "
                "the job-finding hazard after leaving the programme)")
        return self


class GroupHazard(Strict):
    """A subgroup's own job-finding hazard without the programme."""

    when: dict[Attribute, str]
    """The attribute levels of the subgroup, e.g. {born: utrikes född}."""
    monthly_hazard: Hazard
    """Their monthly hazard of finding work."""


class Retention(Strict):
    """How long jobs last: a monthly hazard of losing the job, or the share employed at 12 months."""

    monthly_hazard: Hazard | None = None
    """Monthly hazard of losing a job."""
    share_at_12_months: Prob | None = None
    """Share still in work 12 months after starting (gives the hazard −ln(share)/12)."""

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
    """How long jobs last. Default: no job loss (assumption; ready scenarios set it)."""
    extent: Prob = 1.0
    """Share of full time worked. Default: 1, full time (assumption)."""
    lag_months: Months = 0.0
    """Months from an exit to work until the job starts. Default: 0 (assumption)."""
    value_studies: Flag = False
    """Price an exit to studies like one to work. Default: false (as PwC: work only)."""


class Transfer(Strict):
    """A financial effect per person-year of shortened unemployment: money moves, society nets 0."""

    label: str = ""
    """Name of the transfer (e.g. försörjningsstöd saved)."""
    payer: Funder
    """Who pays less or more."""
    payee: Funder
    """Who receives it."""
    per_year: Annotated[Kronor, Unit("kr per person-year")]
    """Amount per person-year of shortened unemployment."""


class ValueComponent(Strict):
    """One part of what a person-year in work instead of outside it is worth, and to whom.

    production (real: the value of the work, e.g. the wage to the individual, the employer's
    contributions to the state) and resource (real: welfare services used outside work, saved by
    the actor that pays for them) make the societal value; transfer (allowances, benefits, taxes)
    moves money from `payer` to `payee` and nets to zero over actors. `when` is the state in which
    the amount occurs; `basis` fte scales it with the employment extent, head counts people.
    """

    name: str = Field(pattern=r"^[\w\-]+$")
    """Identifier of the component (letters, digits, _ and -)."""
    label: str = ""
    """Name for people."""
    kind: Literal["production", "resource", "transfer"]
    """production and resource are real (societal); transfer moves money between actors."""
    when: Literal["in_work", "out_of_work"]
    """The state in which the amount occurs."""
    basis: Literal["fte", "head"] = "fte"
    """fte scales with the employment extent, head counts people. Default: fte."""
    payer: Funder | None = None
    """Who bears a resource or pays a transfer."""
    payee: Funder | None = None
    """Who receives production or a transfer."""
    per_year: Annotated[Kronor, Unit("kr per person-year")]
    """Amount per person-year in `when`."""
    price_year: int | None = Field(default=None, ge=1980, le=2100)
    """The year whose prices `per_year` is in. Default: the scenario's price year."""

    @model_validator(mode="after")
    def _actors(self) -> ValueComponent:
        if self.kind == "transfer" and (self.payer is None or self.payee is None):
            raise ValueError("a transfer needs both payer and payee")
        if self.kind == "transfer" and self.payer == self.payee:
            raise ValueError("a transfer's payer and payee must differ")
        if self.kind == "production" and self.payee is None:
            raise ValueError("production needs a payee: the actor who receives its value "
                             "(the individual for the wage, staten for employer contributions)")
        if self.kind == "resource" and self.payer is None:
            raise ValueError("a resource needs a payer: the actor that bears its real cost")
        return self


class Health(Strict):
    """Health-related quality of life (EQ-5D index, 0–1) in each state, for QALYs beside the NPV."""

    utility_in_programme: Prob
    """Health-state utility (EQ-5D index) while in the programme."""
    utility_in_work: Prob
    """Health-state utility in work."""
    utility_outside_work: Prob
    """Health-state utility outside work and the programme."""
    value_per_qaly: Annotated[Kronor, Unit("kr per QALY")] | None = None
    """A value per QALY gained, to price QALYs beside the NPV (never added to it). Default: none."""


class Valuation(Strict):
    """Pricing of shortened unemployment (samhällsintäkt)."""

    value_per_year: Annotated[Kronor, Unit("kr per person-year")] = 500_000.0
    """Value of one person-year of shortened unemployment (samhällsintäkt). Default: 500 000 kr,
    000 ("Grenverket har slagit rot", PwC): "en vinst på över 500 000 kronor per individ och år"."""
    unit_costs: str | None = None
    """A target group of the unit-cost library (`insats costs` lists them, e.g. uvas) or a path
    to such a file (in this scenario's folder or among the ready scenarios): its components value
    a person-year instead of value_per_year. Default: none (the single value_per_year)."""
    components: list[ValueComponent] = []
    """The scenario's own components of the value of a person-year in work (beside or instead
    of a library group). Default: none."""
    tax_factor: PosNum = 1.0
    """ASEK's tax factor (skattefaktor) on tax-financed programme costs in the societal result.
    Default: 1, not applied (assumption: off unless a scenario sets it)."""
    actor_shares: dict[Funder, Prob] = {"staten": 1.0}
    """How the value is split between actors (shares summing to 1). Default: all to staten
    (assumption: a placeholder until a scenario splits it)."""
    transfers: list[Transfer] = []
    """Money that moves between actors per person-year (nets to 0 for society)."""
    horizon_years: Years = 5.0
    """Years after arrival over which effects are counted (the headline view). Default: 5, the
    medium view of socioeconomic accounts (Nilsson & Wadeskog, SEE; payoff)."""
    views_years: list[Years] = [1.0, 5.0]
    """The views reported. Default: 1 and 5 years, the short and medium views of socioeconomic
    accounts and of the evaluation of Grenverket's adapted vocational training."""
    discount_rate: Annotated[NonNegNum, Unit("per year")] = 0.035
    """Real discount rate. Default: 3.5 %, ASEK (Trafikverket) since ASEK 5, incl. ASEK 7.0 ch. 5
    (ASEK 4 used 4 %); also HM Treasury's Green Book for years 0–30."""
    price_year: int = 2013
    """The year whose prices the amounts are in. Default: 2013, the year of PwC's Grenverket
    comparison (000)."""
    benefit_lag_months: Months = 0.0
    """Months from the job's start before the effect counts. Default: 0 (assumption)."""
    drop_off_per_year: Annotated[Prob, Unit("share per year")] = 0.0
    """Share of the effect lost each year after the job starts. Default: 0 (assumption: off
    unless a scenario sets it; Green Book practice names it)."""
    optimism_bias: Annotated[NonNegNum, Unit("share of cost")] = 0.0
    """Uplift on every cost (Green Book practice). Default: 0 (assumption)."""
    confidence_haircut: Prob = 0.0
    """Share of the effect removed for uncertain evidence. Default: 0 (assumption)."""

    @field_validator("actor_shares")
    @classmethod
    def _actors(cls, v: dict[str, float]) -> dict[str, float]:
        return shares_sum_to_one(v, "actor shares of the value per person-year")

    @model_validator(mode="after")
    def _one_valuation(self) -> Valuation:
        by_parts = self.unit_costs is not None or bool(self.components)
        if by_parts and "value_per_year" in self.model_fields_set:
            raise ValueError("give either value_per_year or the valuation's parts (unit_costs "
                             "and/or components), not both")
        if by_parts and "actor_shares" in self.model_fields_set:
            raise ValueError("actor_shares split value_per_year; with unit_costs or components "
                             "each part names its own actor")
        return self

    @property
    def by_parts(self) -> bool:
        """True when a person-year is valued from components, not from value_per_year."""
        return self.unit_costs is not None or bool(self.components)


Counterfactual.model_rebuild()
