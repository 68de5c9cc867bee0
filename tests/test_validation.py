"""Malformed scenarios: `insats validate` must name every problem (file, line, path, value), exit 2.

Each file in `bad_scenarios/` starts with comment lines saying what validation must report:
`# expect: text` (a fragment of some problem message), `# expect-path: yaml.path`,
`# expect-line: N text` (a problem line begins `file:N: text`) and `# expect-count: N`.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from cli import app

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
CORPUS = HERE / "bad_scenarios"
BASE = HERE / "base_scenario.yaml"
BAD_FILES = sorted(CORPUS.glob("*.yaml"))
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(
    p for p in SCENARIOS.glob("**/*.yaml") if p.relative_to(SCENARIOS).parts[0] != "sweeps"
)
HEADER = re.compile(r"#\s*(expect|expect-path|expect-line|expect-count):\s*(.*\S)\s*$")

runner = CliRunner()


@dataclass
class Expectations:
    """What the comment header of one corpus file says validation must report."""

    messages: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    lines: list[tuple[int, str]] = field(default_factory=list)
    count: int | None = None


def read_expectations(path: Path) -> Expectations:
    """Parse the leading `# expect...:` comments; a misspelt expect key is an error, not a skip."""
    exp = Expectations()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        m = HEADER.match(line)
        if m is None:
            assert not re.match(r"#\s*exp", line), f"{path.name}: unreadable header {line!r}"
            continue
        key, text = m.groups()
        if key == "expect":
            exp.messages.append(text)
        elif key == "expect-path":
            exp.paths.append(text)
        elif key == "expect-line":
            number, _, rest = text.partition(" ")
            exp.lines.append((int(number), rest))
        else:
            exp.count = int(text)
    return exp


def problem_lines(stderr: str, file: str) -> list[str]:
    """The problem lines the CLI printed for one file (each is `  file[:line]: ...`)."""
    return [ln.strip() for ln in stderr.splitlines() if ln.startswith(f"  {file}:")]


def check_problems(stderr: str, file: str, exp: Expectations) -> None:
    """Assert that the problems printed for `file` include everything its header expects."""
    lines = problem_lines(stderr, file)
    assert lines, f"no problem reported for {file}:\n{stderr}"
    for path in exp.paths:
        assert any(f" {path}: " in ln for ln in lines), f"path {path!r} missing:\n{stderr}"
    for text in exp.messages:
        assert any(text in ln for ln in lines), f"message {text!r} missing:\n{stderr}"
    for number, rest in exp.lines:
        prefix = f"{file}:{number}: {rest}"
        assert any(ln.startswith(prefix) for ln in lines), f"no line {prefix!r}:\n{stderr}"
    if exp.count is not None:
        assert len(lines) == exp.count, f"expected {exp.count} problems:\n{stderr}"


def validate(*paths: Path | str) -> Result:
    """Run `insats validate PATHS...` in-process."""
    return runner.invoke(app, ["validate", *map(str, paths)])


def assert_clean_exit(result: Result, code: int) -> None:
    """The CLI ended through its own exit code, not an exception, and printed no traceback."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output


def test_corpus_is_complete() -> None:
    """The corpus has at least 32 files and every one states what must be found."""
    assert len(BAD_FILES) >= 32
    for path in BAD_FILES:
        exp = read_expectations(path)
        assert exp.messages or exp.paths, f"{path.name} expects nothing"
    assert sum(bool(read_expectations(p).lines) for p in BAD_FILES) >= 3


def test_base_scenario_is_valid() -> None:
    """The scenario the corpus is derived from validates, so each defect is what fails."""
    result = validate(BASE)
    assert_clean_exit(result, 0)
    assert f"{BASE}: ok" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("path", BAD_FILES, ids=[p.stem for p in BAD_FILES])
def test_bad_scenario_is_reported(path: Path) -> None:
    """Validation fails with code 2 and names the file, every expected path and message."""
    result = validate(path)
    assert_clean_exit(result, 2)
    assert str(path) in result.stderr
    assert ": ok" not in result.stdout
    n = len(problem_lines(result.stderr, str(path)))
    assert result.stderr.startswith(f"insats: {n} problem{'s' if n != 1 else ''} in the input:")
    check_problems(result.stderr, str(path), read_expectations(path))


def test_whole_corpus_in_one_subprocess() -> None:
    """A real process validating the folder reports every file's problems in one run, exit 2."""
    folder = CORPUS.relative_to(ROOT)
    proc = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "validate", str(folder)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stdout == ""
    for path in BAD_FILES:
        check_problems(proc.stderr, str(folder / path.name), read_expectations(path))


def test_good_file_still_validates_next_to_a_bad_one() -> None:
    """One bad file does not hide the verdict on a good one given in the same call."""
    bad = CORPUS / "routing_sum.yaml"
    result = validate(BASE, bad)
    assert_clean_exit(result, 2)
    assert f"{BASE}: ok" in result.stdout
    assert problem_lines(result.stderr, str(bad))
    assert not problem_lines(result.stderr, str(BASE))


def test_missing_file(tmp_path: Path) -> None:
    """A file that does not exist is a problem with its name, not a traceback."""
    missing = tmp_path / "nowhere.yaml"
    result = validate(missing)
    assert_clean_exit(result, 2)
    assert f"{missing}: file not found" in result.stderr


def test_folder_without_yaml(tmp_path: Path) -> None:
    """A folder with no *.yaml files is reported as such."""
    (tmp_path / "notes.txt").write_text("name: not a scenario\n", encoding="utf-8")
    result = validate(tmp_path)
    assert_clean_exit(result, 2)
    assert f"{tmp_path}: no scenario files" in result.stderr


def test_zero_byte_file(tmp_path: Path) -> None:
    """A file with no bytes at all is reported as empty."""
    empty = tmp_path / "empty.yaml"
    empty.write_bytes(b"")
    result = validate(empty)
    assert_clean_exit(result, 2)
    assert f"{empty}: the file is empty" in result.stderr


@pytest.mark.parametrize(
    "path",
    SHIPPED or [pytest.param(None, marks=pytest.mark.skip(reason="no scenarios/ files yet"))],
    ids=[str(p.relative_to(SCENARIOS)) for p in SHIPPED] or ["none"],
)
def test_shipped_scenario_validates(path: Path) -> None:
    """Every scenario shipped under scenarios/ (except sweeps/) validates with exit code 0."""
    result = validate(path)
    assert_clean_exit(result, 0)
    assert f"{path}: ok" in result.stdout


def test_routing_graph_for_everyone_and_for_one_subgroup() -> None:
    """One graph serves both: everyone's routes include every override's; a subgroup's replace."""
    from model.scenario import Scenario
    from model.scenario.checks import routing_graph

    sc = Scenario.model_validate({
        "name": "g", "intake": {"cohort": {"n": 1}}, "entry": "a",
        "population": {"sex": {"kvinna": 0.5, "man": 0.5}, "overrides": [
            {"when": {"sex": "kvinna"}, "interventions": {"a": {"routing": {"a": 1.0}}}}]},
        "interventions": [{"name": "a", "duration": {"dist": "fixed", "months": 1},
                           "routing": {"arbete": 1.0, "annat": 0.0}}],
        "exit_states": {"arbete": {"category": "work"}, "annat": {"category": "other"}}})
    everyone = routing_graph(sc)
    assert everyone.edges == {"a": {"a", "arbete"}} and not everyone.dead_ends()
    assert routing_graph(sc, {"sex": "man"}).edges == {"a": {"arbete"}}
    assert routing_graph(sc, {"sex": "kvinna"}).dead_ends() == {"a"}


def test_problems_are_listed_in_file_order() -> None:
    """Rules run intervention by intervention, so problems keep the order of the file."""
    from model.errors import InputError
    from model.scenario import parse_scenario

    iv = {"duration": {"dist": "fixed", "months": 1}, "routing": {"arbete": 1.0}}
    raw = {"name": "o", "intake": {"cohort": {"n": 1}}, "entry": "a", "exit_states":
           {"arbete": {"category": "work"}},
           "interventions": [
               {**iv, "name": "a", "exit_hazards": {"a": 0.1, "nowhere": 0.1},
                "waiting_list": {"max_wait_months": 1, "on_timeout": "arbete"}},
               {**iv, "name": "b", "routing": {"arbet": 1.0},
                "capacity_changes": [{"month": 1, "places": 2}]}]}
    with pytest.raises(InputError) as err:
        parse_scenario(raw)
    assert [p.path for p in err.value.problems] == [
        "interventions[0].exit_hazards.a", "interventions[0].exit_hazards.nowhere",
        "interventions[0].waiting_list", "interventions[1].routing.arbet",
        "interventions[1].capacity_changes"]


def _variant(tmp_path: Path, name: str, text: str) -> Path:
    """The base scenario with `text` appended (top-level keys), written to tmp_path/name."""
    path = tmp_path / name
    path.write_text(BASE.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
    return path


def test_funder_names_ignore_case_and_swedish_letters(tmp_path: Path) -> None:
    """'ESF', 'Arbetsförmedlingen' and 'Staten' are the funders esf, arbetsformedlingen, staten."""
    from model.load import load_scenario

    path = _variant(tmp_path, "funders.yaml", (
        "costs:\n  lump_sums:\n    - {funder: ESF, amount: 1000}\n"
        "    - {funder: ' Arbetsförmedlingen ', amount: 500}\n"
        "valuation:\n  actor_shares: {Staten: 0.5, KOMMUN: 0.5}\n"))
    result = validate(path)
    assert_clean_exit(result, 0)
    sc = load_scenario(path)
    assert [ls.funder for ls in sc.costs.lump_sums] == ["esf", "arbetsformedlingen"]
    assert sc.valuation.actor_shares == {"staten": 0.5, "kommun": 0.5}
    bad = _variant(tmp_path, "bad.yaml", "costs:\n  lump_sums:\n    - {funder: EFS, amount: 1}\n")
    result = validate(bad)
    assert_clean_exit(result, 2)
    assert "costs.lump_sums[0].funder: not allowed" in result.stderr


def test_normalise_rescales_rounded_shares_and_validate_says_so(tmp_path: Path) -> None:
    """With normalise: true, routing summing to 0.99 is divided by 0.99, sources kept, and listed."""
    from model.load import load_scenario

    text = BASE.read_text(encoding="utf-8").replace(
        "routing: {b: 0.5, arbete: {value: 0.3, source: \"assumption\"}, annat: 0.2}",
        "routing: {b: 0.5, arbete: {value: 0.3, source: \"assumption\"}, annat: 0.19}")
    rounded = tmp_path / "rounded.yaml"
    rounded.write_text("normalise: true\n" + text, encoding="utf-8")
    result = validate(rounded)
    assert_clean_exit(result, 0)
    assert ("  normalised: interventions[0].routing summed to 0.99; rescaled to 1 "
            "(each share × 1.0101)") in result.stdout.splitlines()
    routing = load_scenario(rounded).intervention("a").routing
    assert routing == pytest.approx({"b": 0.5 / 0.99, "arbete": 0.3 / 0.99, "annat": 0.19 / 0.99})
    assert sum(routing.values()) == pytest.approx(1.0, abs=1e-12)
    # the shares that already sum to 1 are not touched, and nothing is listed for them
    assert load_scenario(rounded).intervention("b").routing == {"arbete": 0.5, "annat": 0.5}
    assert result.stdout.count("normalised:") == 1
    from model.numbers import collect_sources
    from model.scenario import load_yaml

    raw, _ = load_yaml(rounded)
    assert ("interventions[a].routing.arbete", 0.3, "assumption") in collect_sources(raw)
