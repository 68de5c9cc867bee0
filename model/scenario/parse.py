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
from model.scenario.load import duplicate_keys, line_of, load_yaml
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


def read_scenario(path: str | Path, base: Path | None = None,
                  set_aside: str | None = None) -> tuple[Scenario, Any]:
    """Read and validate one scenario file as far as this layer can: YAML, the files it names,
    the schema and the checks that need the whole scenario. Returns the Scenario and its YAML
    node tree (for line numbers); raises InputError with every problem found.

    The checks that need pricing (its unit costs) or draws (its uncertainty) belong to the
    layers that own them: `model.load.load_scenario` runs them all, and is what commands use.
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
    return scenario, node


def reference_problems(scenario: Scenario, file: str, node: Any = None) -> list[Problem]:
    """The counterfactual reference scenario a loaded scenario (read from `file`) names must exist."""
    ref = scenario.reference_path()
    if ref is None or ref.is_file():
        return []
    return [Problem(file, "counterfactual.reference",
                    f"reference scenario not found at {ref}", scenario.counterfactual.reference,
                    line_of(node, "counterfactual.reference"))]


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
