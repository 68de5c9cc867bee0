"""From a file or a raw mapping to a validated Scenario, with every problem reported at once.

The steps: YAML (`load`), the schema (`schema`, its errors via `problems`), then the checks that
need the whole scenario (`checks`). Line numbers are added to every problem found.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from model.errors import InputError, Problem
from model.scenario.checks import raw_reference_problems, semantic_problems
from model.scenario.habits import explain_decimal_commas
from model.scenario.load import duplicate_keys, line_of, load_yaml, located
from model.scenario.problems import pydantic_problems
from model.scenario.schema import Scenario


def without_joint_group(raw: Any, name: str) -> None:
    """Remove the joint group `name` from a scenario mapping in place (a calibration re-draws the
    group it wrote, so that group is neither its prior nor checked against it)."""
    unc = raw.get("uncertainty") if isinstance(raw, dict) else None
    if isinstance(unc, dict) and isinstance(unc.get("joint"), list):
        unc["joint"] = [g for g in unc["joint"]
                        if not (isinstance(g, dict) and g.get("name") == name)]
        if not unc["joint"]:
            del unc["joint"]


def load_scenario(path: str | Path, base: Path | None = None,
                  set_aside: str | None = None) -> Scenario:
    """Load and validate one scenario file, raising InputError with every problem found.

    `base`: the folder relative paths in it are read from, when not the file's own (an uploaded
    copy of a file whose reference sits among the ready scenarios). `set_aside`: a joint group
    left out unread, as the calibration that wrote it does (it re-draws that group, so rows the
    current prior refuses must not stop it)."""
    raw, node = load_yaml(path)
    if set_aside:
        without_joint_group(raw, set_aside)
    from model.scenario.files import named_file_problems

    outside = named_file_problems(raw, base if base is not None else Path(path).parent, str(path), node)
    if outside:  # before parsing: a named file outside the allowed folders is never read
        raise InputError(outside)
    scenario = parse_scenario(raw, file=str(path), node=node)
    scenario._source = Path(path)
    scenario._base = base
    from model.unit_costs import valuation_problems

    found = valuation_problems(scenario, str(path))  # read from the scenario's folder, now known
    if found:
        raise InputError(located(found, node, str(path)))
    if scenario.has_uncertainty():
        from model.psa.inputs import extreme_problems

        found = extreme_problems(raw, scenario, str(path))
        if found:
            raise InputError([Problem(p.file, p.path, p.message, p.value, line_of(node, p.path))
                              for p in found])
    ref = scenario.reference_path()
    if ref is not None and not ref.is_file():
        raise InputError([Problem(str(path), "counterfactual.reference",
                                  f"reference scenario not found at {ref}",
                                  scenario.counterfactual.reference,
                                  line_of(node, "counterfactual.reference"))])
    return scenario


def parse_scenario(raw: dict[str, Any], file: str = "<scenario>", node: Any = None) -> Scenario:
    """Validate a raw mapping (from YAML or built in code) into a Scenario."""
    dupes = duplicate_keys(node, file)
    normalised: list[str] = []
    try:
        scenario = Scenario.model_validate(raw, context={"normalised": normalised})
    except ValidationError as exc:
        found = pydantic_problems(exc, file, node)
        seen = {p.path for p in found}
        # references can be checked on the raw mapping too, so they come with the schema errors
        refs = [Problem(p.file, p.path, p.message, p.value, line_of(node, p.path))
                for p in raw_reference_problems(raw, file) if p.path not in seen]
        raise InputError(explain_decimal_commas(dupes + found + refs, node, file)) from None
    problems = semantic_problems(scenario, file)
    for i, p in enumerate(problems):
        problems[i] = Problem(p.file, p.path, p.message, p.value, line_of(node, p.path))
    if dupes or problems:
        raise InputError(explain_decimal_commas(dupes + problems, node, file))
    scenario._normalised = normalised
    scenario._raw = raw
    return scenario
