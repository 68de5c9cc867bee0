"""The schema for people and editors: docs/schema.md and the JSON Schema stay true to the models.

Both files are generated (`insats schema --markdown --out docs/schema.md`, `insats schema --out
docs/scenario.schema.json`); these tests fail when a committed copy is stale, when a default has
no source, and when the JSON Schema would reject a file that `insats validate` accepts (or the
other way round, for the mistakes an editor should catch).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from model.scenario.reference import json_schema, markdown, models_in_order, needs_default_source

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCENARIOS = sorted([*(ROOT / "scenarios/grenverket").glob("*.yaml"),
                    *(ROOT / "scenarios/library").glob("*.yaml"),
                    ROOT / "tests/base_scenario.yaml"])
REGENERATE = ("stale: regenerate with `insats schema --markdown --out docs/schema.md` and "
              "`insats schema --out docs/scenario.schema.json`")


def test_committed_reference_page_is_current() -> None:
    assert (DOCS / "schema.md").read_text(encoding="utf-8") == markdown(), REGENERATE


def test_committed_json_schema_is_current() -> None:
    committed = json.loads((DOCS / "scenario.schema.json").read_text(encoding="utf-8"))
    assert committed == json_schema(), REGENERATE


def test_every_key_is_in_the_reference_page() -> None:
    """Each model has a section, and each of its keys a row with a meaning."""
    page = markdown()
    for model, _ in models_in_order():
        if "dist" in model.model_fields:
            continue
        assert f"## {model.__name__}\n" in page
        for name, info in model.model_fields.items():
            row = re.search(rf"^\| `{re.escape(info.alias or name)}` \|.*\| ([^|]*) \|$", page, re.M)
            assert row and row.group(1).strip(), f"{model.__name__}.{name} has no meaning"


def test_every_default_has_a_source_or_is_an_assumption() -> None:
    """A number, choice or mapping of numbers given by default says where it comes from."""
    missing = [f"{model.__name__}.{name}" for model, _ in models_in_order()
               for name, info in model.model_fields.items()
               if needs_default_source(info) and "Default:" not in (info.description or "")]
    assert missing == []


def test_units_are_shown() -> None:
    page = markdown()
    assert "| `value_per_year` | number | kr per person-year | 0 to 1 000 000 000 000 |" in page
    assert "| `rate_per_month` | number | people per month |" in page
    assert "| `discount_rate` | number | per year | ≥ 0 | 3.5 %, ASEK" in page


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_json_schema_accepts_every_ready_scenario(validator, path: Path) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert [e.message for e in validator.iter_errors(raw)] == []


def test_json_schema_accepts_the_readme_example(validator) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert [e.message for e in validator.iter_errors(yaml.safe_load(block.group(1)))] == []


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda raw: raw.update(simulaton={}), "Additional properties are not allowed ('simulaton'"),
    (lambda raw: raw["interventions"][0]["duration"].update(dist="gama"), "gama"),
    (lambda raw: raw["interventions"][1]["routing"].update(arbete=50), "50"),
    (lambda raw: raw.update(costs={"budget": {"efs": 1000}}), "efs"),
    (lambda raw: raw["interventions"][0]["routing"].update(
        arbete={"value": 0.3, "sorce": "x"}), "sorce"),
])
def test_json_schema_catches_what_an_editor_should(validator, edit, expected: str) -> None:
    raw = yaml.safe_load((ROOT / "tests/base_scenario.yaml").read_text(encoding="utf-8"))
    edit(raw)
    errors = [e for e in validator.iter_errors(raw)]
    assert errors, "the JSON Schema accepted a broken scenario"
    assert any(expected in str(e.instance) or expected in e.message
               or any(expected in str(c.instance) or expected in c.message for c in e.context)
               for e in errors), [e.message for e in errors]


def test_cli_prints_the_json_schema_and_writes_the_page(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["$schema"].startswith("https://json-schema.org/")
    out = tmp_path / "schema.md"
    result = runner.invoke(app, ["schema", "--markdown", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == markdown()
