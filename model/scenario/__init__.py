"""The one definition of a scenario: intake, population, interventions, exits, costs, valuation.

Scenario files are YAML; this package loads them (`load`), validates them strictly against the
schema (`schema`, with `intake` and `pricing`; unknown keys are rejected with a "did you mean" hint, see
`problems`) and runs the checks a planner needs (`checks`: routes to unknown places, unreachable
interventions, loops with no way out, zero capacity with arrivals). Every problem is reported at
once with the file, the YAML path, the bad value and what is allowed, via
`model.errors.InputError`. `parse` ties the steps together. The package imports nothing above
it: checks that need pricing or draws run in `model.load.load_scenario`, which commands use.
"""

from model.scenario.base import (
    ATTRIBUTES,
    EXIT_CATEGORIES,
    FUNDERS,
    ROUTING_TOL,
    Attribute,
    ExitCategory,
    Funder,
    Strict,
)
from model.scenario.checks import raw_reference_problems, semantic_problems
from model.scenario.intake import Cohort, Groups, Intake, Pause, Spread, Stream
from model.scenario.load import duplicate_keys, line_of, load_yaml, scenario_files
from model.scenario.parse import parse_scenario, read_scenario
from model.scenario.pricing import (
    CostItem,
    CostLine,
    Costs,
    Counterfactual,
    Employment,
    FixedCost,
    GroupHazard,
    LumpSum,
    Retention,
    StaffCost,
    Transfer,
    Valuation,
)
from model.scenario.problems import pydantic_problems
from model.scenario.schema import (
    Capacity,
    CapacityChange,
    Cell,
    ExitState,
    InitialGroup,
    Intervention,
    InterventionOverride,
    Override,
    Population,
    Priority,
    Scenario,
    Simulation,
    WaitingList,
)

__all__ = [
    "ATTRIBUTES",
    "EXIT_CATEGORIES",
    "FUNDERS",
    "ROUTING_TOL",
    "Attribute",
    "Capacity",
    "CapacityChange",
    "Cell",
    "Cohort",
    "CostItem",
    "CostLine",
    "Costs",
    "Counterfactual",
    "Employment",
    "ExitCategory",
    "ExitState",
    "FixedCost",
    "Funder",
    "GroupHazard",
    "Groups",
    "InitialGroup",
    "Intake",
    "Intervention",
    "InterventionOverride",
    "LumpSum",
    "Override",
    "Pause",
    "Population",
    "Priority",
    "Retention",
    "Scenario",
    "Simulation",
    "Spread",
    "StaffCost",
    "Stream",
    "Strict",
    "Transfer",
    "Valuation",
    "WaitingList",
    "duplicate_keys",
    "line_of",
    "load_yaml",
    "parse_scenario",
    "pydantic_problems",
    "raw_reference_problems",
    "read_scenario",
    "scenario_files",
    "semantic_problems",
]
