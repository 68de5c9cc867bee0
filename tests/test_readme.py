"""The README's promises: its first commands, its CI link and its example scenario hold."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from model.scenario import parse_scenario

ROOT = Path(__file__).resolve().parents[1]


def test_first_lines_give_run_and_test_commands() -> None:
    """The README opens with the two set-up commands, and .ci/run calls the test one."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands[:2] == ["make run", "make test"]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci.splitlines()[-1]


def test_example_scenario_in_readme_is_valid() -> None:
    """The scenario shown in the README validates against the schema it documents."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    sc = parse_scenario(yaml.safe_load(block.group(1)), file="README.md")
    assert sc.intervention("yrkesutbildning").capacity.slots() == 60
