"""Issue 20, items 5 and 8: a calibration targets file is refused before any sampling (by
`validate` and by `calibrate` alike) when a target is impossible or not finite, its metric is
unknown, a free path leads nowhere or to text, or there is nothing to calibrate; and a file a
scenario names must lie in its own folder or among the ready scenarios (CLI and page upload)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from model.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
CAL = ROOT / "scenarios" / "calibration"
SLUSSEN = ROOT / "scenarios" / "library" / "slussen.yaml"
runner = CliRunner()


def invoke(*args: str | Path) -> object:
    return runner.invoke(app, [str(a) for a in args])


def refused(result: object, *texts: str) -> None:
    """Exit 2 through the CLI's own exit, each of `texts` on stderr, no traceback."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for text in texts:
        assert text in result.stderr, result.stderr


def targets_file(tmp_path: Path, old: str, new: str, count: int = 1) -> Path:
    """A copy of the Framgången targets file (with its scenarios) with one edit."""
    for f in ("framgangen_vuxensluss.yaml", "framgangen_matning_2018.yaml"):
        shutil.copy(CAL / f, tmp_path / f)
    text = (CAL / "framgangen.yaml").read_text(encoding="utf-8")
    assert old in text
    out = tmp_path / "targets.yaml"
    out.write_text(text.replace(old, new, count), encoding="utf-8")
    return out


CV = 'path: "interventions[vuxenslussen].duration.cv"'
CASES = {  # name: (old, new, path in the message, bad value shown)
    "share_above_1": ("value: 0.1645", "value: 5.0", "targets[1].value:", "(got 5.0)"),
    "negative_cost": ("metric: still_in_programme\n    value: 104.0", "metric: cost\n    value: -5",
                      "targets[0].value:", "(got -5.0)"),
    "nan": ("value: 0.1645", "value: .nan", "targets[1].value:", "(got nan)"),
    "inf": ("value: 104.0", "value: .inf", "targets[0].value:", "(got inf)"),
    "missing_intervention": (CV, 'path: "interventions[nosuch].duration.cv"', "free[2].path:",
                             "nosuch"),
    "text_field": (CV, 'path: "interventions[vuxenslussen].label"', "free[2].path:",
                   "not a number"),
    "unknown_metric": ("metric: still_in_programme", "metric: nonsense", "targets[0].metric:",
                       "'nonsense'"),
    "burn_not_below_steps": ("burn: 100", "burn: 700", "method.burn:", "must be below steps"),
    "too_few_walkers": ("walkers: 8", "walkers: 4", "method.walkers:", "(got 4)"),
    "duplicate_key": ("\nfree:", "\nmethod: {steps: 10}\nfree:", "method:", "more than once"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_validate_refuses_a_bad_targets_file_with_file_line_and_path(tmp_path: Path, case: str) -> None:
    old, new, path, value = CASES[case]
    f = targets_file(tmp_path, old, new)
    result = invoke("validate", f)
    refused(result, f"{f}:", path, value)
    line = result.stderr.split(f"{f}:", 1)[1].split(":", 1)[0]
    assert line.isdigit(), result.stderr           # the line of the bad field
    assert "framgangen_vuxensluss\n" not in result.stderr and "targets.yaml" in result.stderr


@pytest.mark.parametrize("case", sorted(CASES))
def test_calibrate_refuses_the_same_before_sampling(tmp_path: Path, case: str, monkeypatch) -> None:
    import model.psa.mcmc as mcmc

    def never(*args, **kwargs):
        raise AssertionError("sampling started")

    monkeypatch.setattr(mcmc, "run_ensemble", never)   # the runs call it (model.psa.calibrate_runs)
    old, new, path, value = CASES[case]
    f = targets_file(tmp_path, old, new)
    refused(invoke("calibrate", f, "--lang", "en"), f"{f}:", path, value)


def test_nothing_to_calibrate_is_refused_by_validate(tmp_path: Path) -> None:
    f = targets_file(tmp_path, "\nfree:", "\nunused:")
    f.write_text(f.read_text(encoding="utf-8").split("unused:")[0], encoding="utf-8")
    refused(invoke("validate", f), f"{f}:", "free: nothing to calibrate")


def test_the_shipped_targets_files_still_validate() -> None:
    for f in ("framgangen.yaml", "grenverket.yaml"):
        result = invoke("validate", CAL / f)
        assert result.exit_code == 0, result.output


# ---------------------------------------------------------------- files a scenario names

def with_reference(tmp_path: Path, ref: str, name: str = "scen.yaml") -> Path:
    text = SLUSSEN.read_text(encoding="utf-8")
    assert "\ncounterfactual:\n" in text
    out = tmp_path / name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text.replace("\ncounterfactual:\n", f"\ncounterfactual:\n  reference: {ref}\n"),
                   encoding="utf-8")
    return out


@pytest.mark.parametrize("ref", ["/etc/passwd", "../../../../../../../../etc/passwd"])
def test_a_reference_outside_the_folder_is_refused_by_validate_and_run(tmp_path: Path, ref: str) -> None:
    f = with_reference(tmp_path, ref)
    for cmd in ("validate", "run"):
        refused(invoke(cmd, f, *([] if cmd == "validate" else ["--lang", "en"])), f"{f}:",
                "counterfactual.reference:", "scenario's own folder",
                f"(got '{ref}')")


def test_a_unit_cost_path_outside_the_folder_is_refused(tmp_path: Path) -> None:
    text = (ROOT / "scenarios" / "library" / "ungdomstorget.yaml").read_text(encoding="utf-8")
    assert "unit_costs: uvas" in text
    f = tmp_path / "scen.yaml"
    f.write_text(text.replace("unit_costs: uvas", "unit_costs: ../../../../../../../etc/x.yaml"),
                 encoding="utf-8")
    refused(invoke("validate", f), f"{f}:", "valuation.unit_costs:", "scenario's own folder")


def test_references_inside_the_folder_or_the_ready_scenarios_still_load(tmp_path: Path) -> None:
    from model.load import load_scenario

    shutil.copy(SLUSSEN, tmp_path / "sub.yaml")
    (tmp_path / "deeper").mkdir()
    shutil.copy(SLUSSEN, tmp_path / "deeper" / "other.yaml")
    for ref in ("sub.yaml", "deeper/other.yaml"):
        sc = load_scenario(with_reference(tmp_path, ref))
        assert sc.reference_path().resolve().is_relative_to(tmp_path.resolve())
    ready = ROOT / "scenarios" / "grenverket" / "supported_employment.yaml"
    assert load_scenario(with_reference(tmp_path, str(ready))).reference_path() == ready


@pytest.mark.parametrize("ref", ["/etc/passwd", "../../../../../../../../etc/passwd"])
def test_the_page_upload_refuses_a_reference_outside(ref: str) -> None:
    from model.app.compute import load_upload

    text = SLUSSEN.read_text(encoding="utf-8").replace(
        "\ncounterfactual:\n", f"\ncounterfactual:\n  reference: {ref}\n")
    with pytest.raises(InputError) as exc:
        load_upload("scen.yaml", text.encode())
    p = exc.value.problems[0]
    assert (p.file, p.path, p.value) == ("scen.yaml", "counterfactual.reference", ref)
    assert p.line is not None and "scenario's own folder" in p.message


@pytest.mark.parametrize("name", ["..", ".", "", "sub/scen.yaml", "../scen.yaml"])
def test_the_page_upload_of_a_name_that_is_not_a_file_name(name: str) -> None:
    from model.app.compute import load_upload

    with pytest.raises(InputError) as exc:
        load_upload(name, SLUSSEN.read_bytes())
    assert "plain file name" in exc.value.problems[0].message


def test_the_page_upload_of_a_plain_name_still_loads() -> None:
    from model.app.compute import load_upload

    assert load_upload("slussen.yaml", SLUSSEN.read_bytes()).name == "slussen"
