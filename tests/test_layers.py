"""The layers (issue 20 item 10): `model/scenario/` is the bottom layer and imports nothing above it.

Checks that need pricing (a scenario's unit costs and KPI years, `model.unit_costs`) or draws
(its uncertainty's extreme quantiles, `model.psa.inputs`) are run by `model.load.load_scenario`,
which every command uses; the scenario package reads a file only as far as the scenario goes.
Imports are read with `ast`, every `import` statement (inside functions too), so a lazy import
upward counts as one.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import yaml

from model.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SCENARIO_PACKAGE = sorted((ROOT / "model" / "scenario").glob("*.py"))
ABOVE = ("model.psa", "model.economics", "model.unit_costs", "model.expected")
# what the scenario package may build on: numbers and distributions, errors, file safety
BELOW = ("model.scenario", "model.errors", "model.io", "model.numbers", "model.distributions",
         "model.uncertainty", "model.unions", "model.special", "model.lazy")
FOUNDATION = ("model.numbers", "model.distributions", "model.uncertainty", "model.unions")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports (absolute names; relative imports resolved), at any depth."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(text: str, package: str) -> set[str]:
    """The modules Python source in `package` imports; `from m import x` also counts `m.x`
    (`from model import psa` is an import of model.psa)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names}
    return found


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("path", SCENARIO_PACKAGE, ids=lambda p: p.stem)
def test_scenario_module_imports_nothing_above_it(path: Path) -> None:
    importlib.import_module(module_name(path))  # it imports on its own, too
    model = {m for m in imports_of(path) if m == "model" or m.startswith("model.")}
    assert not [m for m in model if _within(m, ABOVE)], f"{path.name} imports upward"
    assert not [m for m in model if not _within(m, BELOW)], f"{path.name} imports outside its layer"


def test_the_ast_reader_sees_lazy_and_relative_imports() -> None:
    """The check above could not pass by missing an import written inside a function."""
    assert "model.scenario.schema" in imports_of(ROOT / "model" / "scenario" / "checks.py")
    lazy = "def f():\n    from model.psa.inputs import extreme_problems\n"
    assert "model.psa.inputs" in imports_in(lazy, "model.scenario")
    relative = "def f():\n    from ..unit_costs import load_kpi\n"
    assert "model.unit_costs" in imports_in(relative, "model.scenario")
    assert "model.psa" in imports_in("from model import psa\n", "model.scenario")


def test_numbers_distributions_and_uncertainty_import_no_circle() -> None:
    """numbers -> uncertainty -> distributions -> numbers was a circle; `union_tags` now sits
    below both families (model.unions)."""
    files = {m: ROOT / (m.replace(".", "/") + ".py") for m in FOUNDATION}
    graph = {m: {d for d in imports_of(p) if d in files and d != m} for m, p in files.items()}

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(d == goal or (d not in seen and reaches(d, goal, seen | {d})) for d in graph[start])

    assert not [m for m in FOUNDATION if reaches(m, m)], graph
    assert not [m for m, p in files.items() if any(_within(d, ("model.scenario", *ABOVE))
                                                   for d in imports_of(p))]


def test_the_scenario_package_has_no_weaker_load_scenario() -> None:
    """Only `model.load` offers `load_scenario`: no command can load a scenario without the checks
    of the layers above by importing a same-named function from the bottom layer."""
    import model.scenario

    assert not hasattr(model.scenario, "load_scenario")


def test_pricing_checks_run_in_load_not_in_the_scenario_layer(tmp_path: Path) -> None:
    """A scenario naming an unknown unit-cost group is a valid scenario as far as its own layer
    goes (`read_scenario`), and refused by `load_scenario` with the scenario's line and path."""
    from model.load import load_scenario
    from model.scenario import read_scenario

    raw = yaml.safe_load((ROOT / "tests" / "base_scenario.yaml").read_text(encoding="utf-8"))
    raw["valuation"] = {"unit_costs": "uvsa", "price_year": 2024}
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    sc, _ = read_scenario(path)
    assert sc.valuation.unit_costs == "uvsa"
    with pytest.raises(InputError) as err:
        load_scenario(path)
    (problem,) = err.value.problems
    assert (problem.file, problem.path, problem.value) == (str(path), "valuation.unit_costs", "uvsa")
    assert problem.line is not None and "did you mean 'uvas'" in problem.message
