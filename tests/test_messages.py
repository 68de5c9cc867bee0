"""Messages that keep their place (issue 20 item 9): each refusal names the file, the line, the
field path (or the command-line option) and the value the user must change, exits with code 2 and
shows no traceback.

Each test reproduces a case that lost its place before: a unit-cost file's problem reported as
the scenario's, `--price-year` reported as the KPI table's key, an empty `exit_states` reported
only through its consequences, a memory refusal naming no field, control characters with no line,
infinite sweep bounds reported as invalid points after scipy's warnings, and a sweep naming itself
reported as a scenario missing four fields.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "base_scenario.yaml"
runner = CliRunner()

BROKEN_GROUP = """\
name: egen
label: Egen målgrupp
price_year: 2013
components:
  - name: fs
    label: Försörjningsstöd
    kind: transfer
    when: out_of_work
    basis: fte
    payer: kommun
    payee: individen
    per_year: {value: -1000, source: "Socialstyrelsen 2013"}
"""


def refused(*args: str | Path) -> str:
    """`insats ARGS` exits with code 2 through insats's own message, no traceback; its stderr
    (in English: --lang en for the commands that have it)."""
    lang = [] if args[0] == "validate" else ["--lang", "en"]
    result = runner.invoke(app, [*(str(a) for a in args), *lang])
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.stderr


def problem_lines(stderr: str) -> list[str]:
    """The problem lines of insats's message (after "insats: N problems in the input:")."""
    return [ln.strip() for ln in stderr.splitlines()[1:] if ln.strip()]


def scenario(folder: Path, name: str = "s.yaml", **changes: object) -> Path:
    raw = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    raw.update(changes)
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def line_of_text(path: Path, text: str) -> int:
    """The 1-based line of the first line of `path` that contains `text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, ln in enumerate(lines, 1) if text in ln)


# ---------------------------------------------------------------- a. a unit-cost file's own place


def test_a_broken_unit_cost_file_is_reported_at_its_own_line_and_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The problem inside the unit-cost file names that file, its line and field path; the
    scenario's own line says where the file is named (it used to read "valuation.unit_costs:
    expected greater than or equal to 0 (got 'egen.yaml')")."""
    group = tmp_path / "egen.yaml"
    group.write_text(BROKEN_GROUP, encoding="utf-8")
    sc = scenario(tmp_path, valuation={"unit_costs": "egen.yaml", "price_year": 2013})
    monkeypatch.chdir(tmp_path)  # as in the issue: from the scenario's folder
    lines = problem_lines(refused("validate", "s.yaml"))
    at = line_of_text(group, "per_year:")
    assert f"egen.yaml:{at}: components[0].per_year.value: expected greater than or equal to 0 " \
           "(got -1000)" in lines
    named = line_of_text(sc, "unit_costs:")
    pointer = next(ln for ln in lines if ln.startswith("s.yaml:"))
    assert pointer.startswith(f"s.yaml:{named}: valuation.unit_costs: the unit-cost file named here "
                              "has 1 problem")
    assert "(got 'egen.yaml')" in pointer
    assert not any("expected greater than or equal to 0 (got 'egen.yaml')" in ln for ln in lines)


def test_a_relative_unit_cost_file_is_read_from_the_scenarios_folder(tmp_path: Path) -> None:
    """A good unit-cost file beside the scenario validates whatever the working folder (it was
    looked for in the working folder, "file not found", so only `cd`-ing there worked)."""
    group = tmp_path / "egen.yaml"
    group.write_text(BROKEN_GROUP.replace("-1000", "1000"), encoding="utf-8")
    sc = scenario(tmp_path, valuation={"unit_costs": "egen.yaml", "price_year": 2013})
    result = runner.invoke(app, ["validate", str(sc)])
    assert result.exit_code == 0, result.output
    missing = scenario(tmp_path, "t.yaml", valuation={"unit_costs": "saknas.yaml", "price_year": 2013})
    lines = problem_lines(refused("validate", missing))
    assert lines == [f"{missing}:{line_of_text(missing, 'unit_costs:')}: valuation.unit_costs: "
                     f"{tmp_path / 'saknas.yaml'}: file not found (got 'saknas.yaml')"]


# ---------------------------------------------------------------- b. an option is named as one


def test_b_price_year_outside_the_kpi_table_names_the_option() -> None:
    """`costs --price-year 1800` names --price-year and 1800, not kpi.yaml's path nor its key."""
    stderr = refused("costs", "--price-year", "1800")
    assert problem_lines(stderr) == ["--price-year: no KPI for 1800 to index the amounts to; the KPI "
                                     "table covers 2005–2024 (got 1800)"]
    assert "kpi.yaml" not in stderr and "index.1800" not in stderr


# ---------------------------------------------------------------- c. an empty exit_states


def test_c_empty_exit_states_is_named_not_only_its_consequences(tmp_path: Path) -> None:
    """With no exit states, the one problem is that exit_states is empty (it used to be five
    "unknown destination" lines and, for a timeout, "Allowed:  (got 'annat')")."""
    sc = scenario(tmp_path, exit_states={})
    assert problem_lines(refused("validate", sc)) == [
        f"{sc}:{line_of_text(sc, 'exit_states:')}: exit_states: is empty: name at least one way out "
        "of the programme, e.g. arbete: {category: work} (got {})"]
    raw = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    raw["interventions"][1].update(capacity={"places": 10},
                                   waiting_list={"max_wait_months": 3, "on_timeout": "annat"})
    timeout = scenario(tmp_path, "t.yaml", interventions=raw["interventions"], exit_states={},
                       colour="red")  # an unknown key too: the raw checks run with the schema's
    stderr = refused("validate", timeout)
    assert f"{timeout}:{line_of_text(timeout, 'exit_states:')}: exit_states: is empty" in stderr
    assert "Allowed:  " not in stderr and "unknown destination" not in stderr
    assert "unknown exit state" not in stderr


# ---------------------------------------------------------------- d. memory refusals name fields


def test_d_memory_refusal_names_the_fields_that_drive_it(tmp_path: Path) -> None:
    """The refusal's path is the field most participants come from, with its line and value,
    and it names the horizon and the replications (from the file, or --reps when given)."""
    sc = scenario(tmp_path, intake={"stream": {"rate_per_month": 100_000}},
                  simulation={"horizon_months": 120, "replications": 50})
    (line,) = problem_lines(refused("validate", sc))
    at = line_of_text(sc, "rate_per_month")
    assert line.startswith(f"{sc}:{at}: intake.stream.rate_per_month: this run would need about ")
    assert "100 000 a month for 120 months to simulation.horizon_months" in line
    assert "50 replications (simulation.replications)" in line
    assert line.endswith("(got 100000.0)")
    (run,) = problem_lines(refused("run", sc, "--reps", "20"))
    assert run.startswith(f"{sc}: intake.stream.rate_per_month: this run would need about ")
    assert "20 replications (--reps)" in run and "or --reps" in run


def test_d_memory_refusal_of_a_cohort_names_its_size(tmp_path: Path) -> None:
    sc = scenario(tmp_path, intake={"cohort": {"n": 1_000_000}}, simulation={"replications": 100})
    (line,) = problem_lines(refused("validate", sc))
    assert line.startswith(f"{sc}:{line_of_text(sc, 'n: 1000000')}: intake.cohort.n: this run would "
                           "need about ")
    assert "a cohort of 1 000 000" in line and "(got 1000000)" in line


# ---------------------------------------------------------------- e. control characters


def test_e_nul_and_escape_characters_get_their_line_and_column(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8")
    line = line_of_text(BASE, "name: test")
    for char, name in (("\0", "U+0000 (NUL)"), ("\x1b", "U+001B (ESC)")):
        path = tmp_path / f"{ord(char)}.yaml"
        path.write_text(text.replace("name: test", f"name: te{char}st"), encoding="utf-8")
        (problem,) = problem_lines(refused("validate", path))
        assert problem.startswith(f"{path}:{line}: control character {name} at line {line}, column 9:")


# ---------------------------------------------------------------- f. infinite sweep bounds


def sweep(folder: Path, parameter: dict, design: dict | None = None, name: str = "sw.yaml") -> Path:
    scenario(folder, "bas.yaml")
    path = folder / name
    path.write_text(yaml.safe_dump({"name": "sw", "scenarios": ["bas.yaml"],
                                    "design": design or {"kind": "lhs", "points": 8},
                                    "parameters": [parameter]}, sort_keys=False), encoding="utf-8")
    return path


def test_f_infinite_sweep_bounds_are_refused_with_their_path_and_no_warning(tmp_path: Path) -> None:
    """±inf bounds (and an infinite mean) are refused at their path before any distribution is
    built: no scipy RuntimeWarning, no "some points of the design give invalid scenarios". In a
    fresh process, so that a warning would reach stderr."""
    cases = [({"path": "interventions.a.duration.mean", "low": 1, "high": float("inf")}, "high", "inf"),
             ({"path": "interventions.a.duration.mean", "low": float("-inf"), "high": 4}, "low", "-inf"),
             ({"path": "interventions.a.duration.mean", "dist": "gamma", "mean": float("inf"),
               "cv": 0.2}, "mean", "inf")]
    for i, (param, key, shown) in enumerate(cases):
        path = sweep(tmp_path, param, name=f"sw{i}.yaml")
        proc = subprocess.run([sys.executable, "-c", "from cli import main; main()", "validate",
                               str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120,
                              check=False)
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr and "Warning" not in proc.stderr
        at = line_of_text(path, f"{key}:")
        assert problem_lines(proc.stderr) == [f"{path}:{at}: parameters[0].{key}: expected a finite "
                                              f"number (got {shown})"]


def test_f_infinite_threshold_bracket_names_the_option() -> None:
    """`threshold --high inf` names --high (it named the scenario's value_per_year), and a NaN
    --target is refused (it ended in scipy's "function value is NaN" traceback)."""
    stderr = refused("threshold", BASE, "valuation.value_per_year", "--low", "0", "--high", "inf",
                     "--target", "nan", "--quiet")
    assert problem_lines(stderr) == ["--high: expected a finite number (got inf)",
                                     "--target: expected a finite number (got nan)"]


# ---------------------------------------------------------------- g. a sweep naming itself


def test_g_a_sweep_naming_itself_is_reported_as_such(tmp_path: Path) -> None:
    """Not as a scenario missing intake, entry, interventions and exit_states."""
    path = sweep(tmp_path, {"path": "interventions.a.duration.mean", "low": 1, "high": 4},
                 {"kind": "oneway"})
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["scenarios"] = ["sw.yaml"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    at = line_of_text(path, "- sw.yaml")
    assert problem_lines(refused("validate", path)) == [
        f"{path}:{at}: scenarios[0]: names this sweep file itself; list the scenario files the sweep "
        "varies (got 'sw.yaml')"]
    other = tmp_path / "annan.yaml"
    other.write_text(path.read_text(encoding="utf-8").replace("- sw.yaml", "- bas.yaml"),
                     encoding="utf-8")
    raw["scenarios"] = ["annan.yaml"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    stderr = refused("sweep", path, "--out", tmp_path / "ut")
    assert problem_lines(stderr) == [f"{path}:{at}: scenarios[0]: {other} is a sweep file, not a "
                                     "scenario; list the scenario files the sweep varies (got "
                                     "'annan.yaml')"]
    assert "required field is missing" not in stderr
