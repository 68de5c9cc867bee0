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


def test_every_reliability_promise_names_tests_that_exist() -> None:
    """Each promise in the README's Reliability section names at least one test, and every test
    and corpus file it names exists (`file.py::test`, `::test` in the last file, corpus files)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Reliability\n(.*?)^## ", text, re.S | re.M)
    assert section is not None, "the README has no Reliability section"
    promises = re.split(r"^- ", section.group(1), flags=re.M)[1:]
    assert len(promises) >= 8
    tests = ROOT / "tests"
    for promise in promises:
        named = 0
        current = None
        for token in re.findall(r"`([^`]+)`", promise):
            m = re.fullmatch(r"(test_\w+\.py)?::(test_\w+)", token)
            if m:
                current = m.group(1) or current
                assert current is not None, token
                source = (tests / current).read_text(encoding="utf-8")
                assert re.search(rf"^def {m.group(2)}\(", source, re.M), f"{current}::{m.group(2)}"
                named += 1
            elif re.fullmatch(r"(bad_scenarios/)?\w+\.yaml", token):
                assert (tests / "bad_scenarios" / Path(token).name).is_file(), token
                named += 1
        assert named, f"a promise names no test: {promise[:80]}"
