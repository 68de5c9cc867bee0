"""Files a scenario names (`counterfactual.reference`, a `valuation.unit_costs` path): each must lie
in the scenario's own folder (subfolders allowed) or among the project's ready scenarios
(`scenarios/`), so that a scenario, uploaded or not, cannot make the tool read any other file of
the machine (`/etc/passwd`, `../../../../etc/passwd`). Checked on the raw mapping, before the
named file is read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from model.errors import Problem
from model.scenario.load import line_of

READY = Path(__file__).resolve().parents[2] / "scenarios"
"""The project's ready libraries: scenarios, unit-cost groups, the KPI table."""

YAML_SUFFIXES = (".yaml", ".yml")


def _named(raw: Any) -> list[tuple[str, str, bool]]:
    """(field path, text, read relative to the scenario's folder?) of each file the raw names.
    A unit-cost group given by its bare name (`uvas`) is read from the library, not a path."""
    out = []
    if not isinstance(raw, dict):
        return out
    cf = raw.get("counterfactual")
    if isinstance(cf, dict) and isinstance(cf.get("reference"), str):
        out.append(("counterfactual.reference", cf["reference"], True))
    val = raw.get("valuation")
    uc = val.get("unit_costs") if isinstance(val, dict) else None
    if isinstance(uc, str):
        p = Path(uc)
        if p.suffix in YAML_SUFFIXES:
            out.append(("valuation.unit_costs", uc, True))
        elif "/" in uc or "\\" in uc or p.is_absolute() or p.exists():  # read as a path from here
            out.append(("valuation.unit_costs", uc, False))
    return out


def _inside(path: Path, roots: list[Path]) -> bool:
    real = Path(os.path.realpath(path))
    return any(real == r or r in real.parents for r in roots)


def named_file_problems(raw: Any, folder: Path, file: str, node: Any = None) -> list[Problem]:
    """A problem for each file the scenario names outside `folder` (the folder its relative paths
    are read from) and the ready libraries; symbolic links are followed before judging."""
    roots = [Path(os.path.realpath(folder)), Path(os.path.realpath(READY))]
    found = []
    for path, text, relative in _named(raw):
        p = Path(text)
        if not p.is_absolute():
            p = (folder if relative else Path.cwd()) / p
        if "\0" in text or not _inside(p, roots):
            found.append(Problem(file, path, "a file a scenario names must lie in the scenario's own "
                                 "folder (subfolders allowed) or among the project's ready "
                                 "scenarios (scenarios/); this one is outside both", text,
                                 line_of(node, path)))
    return found
