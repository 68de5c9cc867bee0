"""`insats sweep`, `analyse` and `threshold` at the command line: overrides, paths, languages, JSON.

`--points` and `--reps` replace the sweep file's numbers (and are recorded, so that `--resume`
refuses a sweep run with other ones); base scenarios are found relative to the sweep file, and a
miss names where it looked; `--lang` and `--format json` work on all three; numbers are written
out with their units, and years and seeds are never formatted as amounts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_sweep import PERSON_YEARS, det_sweep, folder, lhs_sweep, write  # noqa: F401
from typer.testing import CliRunner

from cli import app
from model.analysis import analysis_data

runner = CliRunner()


def test_points_and_reps_override_the_file(folder, tmp_path) -> None:  # noqa: F811
    out = tmp_path / "small"
    res = runner.invoke(app, ["sweep", str(lhs_sweep(folder, points=8, reps=3)), "--out", str(out),
                              "--points", "2", "--reps", "1", "--workers", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    mf = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert (mf["n_points"], mf["replications"], mf["design"]["points"]) == (2, 1, 2)
    assert "design.points = 2 (--points); replications = 1 (--reps)" in mf["sweep_text"]
    assert "2 punkter × 2 scenarier × 1 körning," in res.output  # counts in the right number
    # resuming with other overrides would mix two sweeps: refused
    res = runner.invoke(app, ["sweep", str(folder / "lhs.yaml"), "--out", str(out), "--resume",
                              "--points", "3", "--reps", "1", "--workers", "1", "--quiet",
                              "--lang", "en"])
    assert res.exit_code == 2 and "the sweep file changed" in res.stderr


def test_points_on_a_design_without_points_is_an_input_problem(folder, tmp_path) -> None:  # noqa: F811
    f = det_sweep(folder, {"kind": "oneway"}, "oneway_points")
    res = runner.invoke(app, ["sweep", str(f), "--out", str(tmp_path / "o"), "--points", "5",
                              "--lang", "en"])
    assert res.exit_code == 2
    assert "a oneway design has none" in res.stderr and "Traceback" not in res.output
    assert not (tmp_path / "o").exists()


def test_base_scenarios_are_found_relative_to_the_sweep_file(folder, tmp_path, monkeypatch  # noqa: F811
                                                              ) -> None:
    """A path written from the working folder is not found next to the sweep file; the problem
    names the folder searched and the path to write instead."""
    sub = tmp_path / "sweeps"
    sub.mkdir()
    (tmp_path / "a.yaml").write_text((folder / "a.yaml").read_text(encoding="utf-8"),
                                     encoding="utf-8")
    f = write(sub / "s.yaml", {"name": "s", "scenarios": ["a.yaml"],
                               "parameters": [{"path": "employment.extent", "low": 0.5, "high": 1}],
                               "design": {"kind": "oneway"}, "replications": 1})
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["sweep", "sweeps/s.yaml", "--out", "out", "--lang", "en"])
    assert res.exit_code == 2
    assert (f"scenario file not found at {Path('sweeps') / 'a.yaml'} (paths in a sweep file are "
            "relative to its folder, sweeps); a.yaml exists from the working folder: write it as "
            "../a.yaml") in res.stderr
    f.write_text(f.read_text(encoding="utf-8").replace("- a.yaml", "- ../a.yaml"), encoding="utf-8")
    res = runner.invoke(app, ["sweep", "sweeps/s.yaml", "--out", "out", "--workers", "1", "--quiet"])
    assert res.exit_code == 0, res.output


@pytest.fixture(scope="module")
def tornado_dir(folder, tmp_path_factory) -> Path:  # noqa: F811
    out = tmp_path_factory.mktemp("t") / "tornado"
    res = runner.invoke(app, ["sweep", str(det_sweep(folder, {"kind": "oneway"}, "tor")), "--out",
                              str(out), "--workers", "1", "--quiet", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["run"]["points"] == 7 and data["run"]["seed"] == data["analysis"]["seed"]
    assert data["analysis"]["tornado"]["det"]["rows"][0]["parameter"] == "vpy"
    return out


def test_analyse_as_json_holds_the_figures_of_the_text(tornado_dir) -> None:
    res = runner.invoke(app, ["analyse", str(tornado_dir), "--format", "json"])
    assert res.exit_code == 0, res.output
    records = json.loads(res.stdout)  # machine records (`model.report.records.analysis_records`)
    data = analysis_data(tornado_dir)
    rows = {r["parameter"]: r for r in records if r["kind"] == "tornado"}
    assert rows["lump"]["swing"] == pytest.approx(1_000_000)
    assert {r["parameter"]: r["swing"] for r in rows.values()} == {
        r["parameter"]: r["swing"] for r in data["tornado"]["det"]["rows"]}
    assert {r["parameter"]: r["unit"] for r in records if r["kind"] == "parameter"}["vpy"] == \
        "kr per person-year"
    assert rows["lump"]["unit"] == "kr"


@pytest.mark.parametrize(("lang", "words"), [
    ("sv", ["Över alla punkter, varje punkt som sitt medel över körningarna", "slumpfrö 1,",
            "utslag", "1 000 000 kr",
            "vpy (kr per personår)"]),
    ("en", ["Over all points, each point as its mean over the replications", "seed 1,",
            "swing", "1,000,000 SEK",
            "vpy (kr per person-year)"]),
])
def test_analyse_in_both_languages(tornado_dir, lang: str, words: list[str]) -> None:
    res = runner.invoke(app, ["analyse", str(tornado_dir), "--lang", lang])
    assert res.exit_code == 0, res.output
    for w in words:
        assert w in res.output, (w, res.output)
    assert not re.search(r"\de[+-]\d", res.output)  # no 1.2e+06


def test_threshold_prints_units_and_plain_numbers(folder) -> None:  # noqa: F811
    args = ["threshold", str(folder / "det.yaml"), "costs.lump_sums.programme.amount",
            "--low", "0", "--high", "1e7", "--reps", "1"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    # NPV = 110/12 × 500 000 − lump: 0 at 4 583 333 kr; the bracket's ends with their NPV
    assert ("Nettonuvärde, 1 år når 0 kr vid costs.lump_sums.programme.amount = 4 583 333 kr"
            in res.output)  # the label names its horizon
    assert "med 1 körning vardera" in res.output  # and counts in the right number
    assert "vid 0 kr är nettonuvärde, 1 år 4 583 333 kr, vid 10 000 000 kr −5 416 667 kr" in res.output
    assert "slumpfrö 20140227" in res.output
    res = runner.invoke(app, [*args, "--lang", "en"])
    assert ("Net present value, 1 year reaches 0 SEK at costs.lump_sums.programme.amount = "
            "4,583,333 kr") in res.output
    res = runner.invoke(app, [*args, "--format", "json"])
    found = json.loads(res.stdout)
    assert found["value"] == pytest.approx(PERSON_YEARS * 500_000, rel=1e-8)
    assert (found["unit"], found["metric_unit"], found["seed"]) == ("kr", "kr", 20140227)


def test_years_and_seeds_are_not_amounts() -> None:
    """The report's inputs appendix writes price_year 2007 and seed 20140227 as they are."""
    from model.report.sections.appendix import value_text

    assert value_text(2007, "sv", "valuation.price_year") == "2007"
    assert value_text(20140227, "sv", "simulation.seed") == "20140227"
    assert value_text(842800, "sv", "costs.budget.esf") == "842 800"


def test_files_are_shown_relative_to_the_working_folder(tmp_path, monkeypatch) -> None:
    """No machine's absolute path in printed output where a short one reads the same."""
    from model.report.analysis_text import shown_path

    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert shown_path(tmp_path / "scenarios" / "a.yaml") == str(Path("..") / "scenarios" / "a.yaml")
    assert shown_path(tmp_path / "notebooks" / "a.yaml") == "a.yaml"
    assert shown_path("/elsewhere/far/a.yaml") == "/elsewhere/far/a.yaml"
