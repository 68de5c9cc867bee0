"""Loading a scenario file with every check, each run by the layer that owns it.

`model.scenario` reads a file as far as the scenario itself goes (YAML, the files it names, the
schema, routes and ways out) and imports nothing above it. The checks that need more are owned
higher up and run here, in the order a planner has always seen them: the unit costs and KPI
years of its valuation (`model.unit_costs`), the extreme quantiles of its declared uncertainty
(`model.psa.inputs`), then the reference scenario it compares with. Every command and `validate`
load scenarios through `load_scenario`, so they run the same checks.
"""

from __future__ import annotations

from pathlib import Path

from model.errors import InputError, Problem
from model.scenario import Scenario, line_of
from model.scenario.load import located
from model.scenario.parse import read_scenario, reference_problems


def load_scenario(path: str | Path, base: Path | None = None,
                  set_aside: str | None = None) -> Scenario:
    """Load and validate one scenario file, raising InputError with every problem found.

    `base` and `set_aside` as in `model.scenario.parse.read_scenario` (an uploaded copy read
    from another folder; a joint group a calibration re-draws, left out unread).
    """
    scenario, node = read_scenario(path, base, set_aside)
    file = str(path)
    if scenario.valuation.by_parts:
        from model.unit_costs import valuation_problems

        found = valuation_problems(scenario, file)  # read from the scenario's folder, now known
        if found:
            raise InputError(located(found, node, file))
    if scenario.has_uncertainty():
        from model.psa.inputs import extreme_problems

        found = extreme_problems(scenario.raw, scenario, file)
        if found:
            raise InputError([Problem(p.file, p.path, p.message, p.value, line_of(node, p.path))
                              for p in found])
    found = reference_problems(scenario, file, node)
    if found:
        raise InputError(found)
    return scenario
