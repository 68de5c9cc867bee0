"""Uncertainty blocks are checked when the file is read (issue 20, item 4): every joint row and
correlation against the bounds of the field it sets (exit 2 with file, line, path and value),
never a traceback, and a result never counts draws it left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "base_scenario.yaml"
runner = CliRunner()
EXTENT = {"value": 0.8, "source": "a", "uncertainty": {"dist": "beta", "mean": 0.8, "sd": 0.05}}
VALUE = {"value": 500000, "source": "a",
         "uncertainty": {"name": "v", "dist": "normal", "mean": 500000, "sd": 1000}}


def scenario(folder: Path, name: str, **parts: Any) -> Path:
    raw = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    raw.update(parts)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def line_of(path: Path, text: str, nth: int = 1) -> int:
    """The line (1-based) of the nth line of the file holding `text`."""
    hits = [i + 1 for i, line in enumerate(path.read_text(encoding="utf-8").splitlines())
            if text in line]
    return hits[nth - 1]


CASES = {
    # sd 1e308 on a gamma: OverflowError traceback on main
    "sd_huge": (dict(employment={"extent": {"value": 0.8, "source": "a", "uncertainty": {
        "dist": "gamma", "mean": 0.8, "sd": 1e308}}}), "employment.extent",
        "times the mean; at most 100 times"),
    # a joint path to a missing intervention: KeyError 'npv:5y' on main
    "joint_missing": (dict(employment={"extent": EXTENT}, uncertainty={"joint": [{
        "name": "g", "paths": ["interventions[nope].routing.arbete"], "rows": [[0.3], [0.4]]}]}),
        "uncertainty.joint[0].paths[0]", "names no number of this scenario"),
    # every row invalid: KeyError 'npv:5y' on main
    "joint_all_bad": (dict(employment={"extent": EXTENT}, uncertainty={"joint": [{
        "name": "g", "paths": ["employment.extent"], "rows": [[5.0], [6.0]]}]}),
        "uncertainty.joint[0].rows[0][0]", "sets employment.extent to 5"),
    # some rows invalid: accepted on main, their draws silently left out
    "joint_some_bad": (dict(employment={"extent": EXTENT}, counterfactual={"monthly_hazard": 0.01},
                            uncertainty={"joint": [{
                                "name": "g", "paths": ["employment.extent",
                                                       "counterfactual.monthly_hazard"],
                                "rows": [[0.5, 0.01], [5.0, 0.01], [0.6, -0.2]]}]}),
                       "uncertainty.joint[0].rows[2][1]", "counterfactual.monthly_hazard to -0.2"),
    # two shares of one node that together pass 1 (each column alone is fine)
    "joint_row_shares": (dict(employment={"extent": EXTENT}, uncertainty={"joint": [{
        "name": "g", "paths": ["interventions[a].routing.b", "interventions[a].routing.arbete"],
        "rows": [[0.3, 0.3], [0.6, 0.6]]}]}), "uncertainty.joint[0].rows[1]",
        "cannot be set together"),
    # an input correlated with itself: accepted on main
    "corr_self": (dict(valuation={"value_per_year": VALUE}, uncertainty={"correlations": [{
        "names": ["v", "v"], "matrix": [[1, 0.5], [0.5, 1]]}]}), "uncertainty.correlations[0]",
        "cannot be correlated with itself"),
    # a ragged matrix: numpy's "inhomogeneous shape" on main
    "corr_ragged": (dict(employment={"extent": EXTENT}, valuation={"value_per_year": VALUE},
                         uncertainty={"correlations": [{
                             "names": ["v", "test:employment.extent"],
                             "matrix": [[1, 0.5], [0.5]]}]}), "uncertainty.correlations[0]",
                    "2 rows of 2 numbers for 2 names (row 1 has 1)"),
    # item 6: validate called these ok while run refused them
    "corr_unknown": (dict(employment={"extent": EXTENT}, valuation={"value_per_year": VALUE},
                          uncertainty={"correlations": [{
                              "names": ["v", "nope"], "matrix": [[1, 0.5], [0.5, 1]]}]}),
                     "uncertainty.correlations[0].names[1]", "no uncertain input is named 'nope'"),
    "shared_name": (dict(employment={"extent": {"value": 0.8, "source": "a", "uncertainty": {
        "name": "v", "dist": "beta", "mean": 0.8, "sd": 0.05}}}, valuation={"value_per_year": VALUE}),
        "valuation.value_per_year", "uncertainty named 'v' is also given"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_uncertainty_is_refused_at_load(tmp_path: Path, case: str) -> None:
    """validate and run both exit 2 naming file, line and path; no traceback."""
    parts, where, text = CASES[case]
    path = scenario(tmp_path, case, **parts)
    for args in (["validate", str(path)],
                 ["run", str(path), "--reps", "2", "--draws", "20", "--quiet", "--lang", "en"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        assert "Traceback" not in result.output and "inhomogeneous" not in result.output
        assert text in result.stderr, result.stderr
        assert f"{path.name}:" in result.stderr and f" {where}:" in result.stderr, result.stderr


def test_joint_row_problem_names_the_row_line(tmp_path: Path) -> None:
    path = scenario(tmp_path, "rows", **CASES["joint_some_bad"][0])
    result = runner.invoke(app, ["validate", str(path)])
    assert f"{path.name}:{line_of(path, '- -0.2')}: uncertainty.joint[0].rows[2][1]" in result.stderr
    assert "(got -0.2)" in result.stderr


def test_a_psa_never_counts_draws_it_could_not_price(tmp_path: Path) -> None:
    """A normal prior on a share passes the 0.1 % / 99.9 % check yet, over 6 000 draws (fixed
    seed), some draws fall below 0: the PSA result refuses rather than count them (on main they
    were dropped and the result still said 6 000 draws)."""
    from model.answer import parameter_uncertainty
    from model.errors import InputError
    from model.load import load_scenario

    extent = {"value": 0.5, "source": "a", "uncertainty": {"dist": "normal", "mean": 0.5, "sd": 0.16}}
    path = scenario(tmp_path, "wide", employment={"extent": extent})
    sc = load_scenario(path)  # accepted: its 0.1 % quantile is 0.0056
    with pytest.raises(InputError, match=r"of 6000 parameter draws give a scenario that is not"):
        parameter_uncertainty([sc], draws=6000, seed=1)


def test_validate_reads_a_psa_sweep_as_a_sweep() -> None:
    """A PSA sweep of the scenarios' own uncertainty (design, scenarios, no parameters) is a sweep:
    `insats sweep` runs it, and validate (on main: "a scenario missing four fields") agrees."""
    result = runner.invoke(app, ["validate", str(ROOT / "scenarios" / "sweeps" / "grenverket_psa.yaml")])
    assert result.exit_code == 0, result.output
    assert "ok (sweep, 1000 points)" in result.stdout


def test_joint_shares_are_judged_as_whole_rows(tmp_path: Path) -> None:
    """A joint group setting every share of one mix: each column alone at its extreme breaks the
    mix's sum, each whole row keeps it, so the file is accepted (a fitted population's cell
    shares were refused this way); a row whose shares sum to 0.9 is still refused."""
    paths = ["interventions[a].routing.b", "interventions[a].routing.arbete",
             "interventions[a].routing.annat"]
    good = scenario(tmp_path, "good", employment={"extent": EXTENT}, uncertainty={"joint": [{
        "name": "g", "paths": paths, "rows": [[0.6, 0.2, 0.2], [0.4, 0.4, 0.2], [0.5, 0.3, 0.2]]}]})
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    bad = scenario(tmp_path, "bad", employment={"extent": EXTENT}, uncertainty={"joint": [{
        "name": "g", "paths": paths, "rows": [[0.6, 0.2, 0.2], [0.7, 0.3, 0.2]]}]})
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2, result.output
    assert "uncertainty.joint[0].rows[1]" in result.stderr and "sum" in result.stderr, result.stderr


CHECKED = [c for c in CASES if c.startswith("joint_")] + ["corr_unknown", "shared_name"]


@pytest.mark.parametrize("case", [*CHECKED, "joint_wide_bad", "ready"])
def test_checks_on_first_rows_only_find_what_checks_on_every_row_find(
        tmp_path: Path, case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`joint_rows_cut(raw, 1)` spares the load-time checks validating a calibrated set's rows
    once per check: the problems found (messages, paths, values) are the same as with every row
    kept, for each case above that the schema lets through to these checks, a joint column out of
    bounds among many rows, and the ready files that hold calibrated sets (no problem)."""
    from model.psa import inputs
    from model.scenario import parse_scenario
    from model.scenario.load import load_yaml

    if case == "ready":
        files = [ROOT / "scenarios" / "grenverket" / "supported_employment.yaml",
                 ROOT / "scenarios" / "grenverket" / "anpassad_yrkesutbildning.yaml",
                 ROOT / "scenarios" / "library" / "framgangen.yaml",
                 ROOT / "scenarios" / "records" / "framgangen_fitted.yaml"]
    elif case == "joint_wide_bad":
        rows = [[0.5 + i / 1000, 0.01] for i in range(300)] + [[0.7, -0.2], [1.5, 0.01]]
        files = [scenario(tmp_path, case, employment={"extent": EXTENT},
                          counterfactual={"monthly_hazard": 0.01}, uncertainty={"joint": [{
                              "name": "g", "paths": ["employment.extent",
                                                     "counterfactual.monthly_hazard"],
                              "rows": rows}]})]
    else:
        files = [scenario(tmp_path, case, **CASES[case][0])]
    for path in files:
        raw, _ = load_yaml(path)
        sc = parse_scenario(raw, file=str(path))
        cut = inputs.extreme_problems(raw, sc, str(path))
        with monkeypatch.context() as m:
            m.setattr(inputs, "joint_rows_cut", lambda raw, keep: raw)
            whole = inputs.extreme_problems(raw, sc, str(path))
        assert cut == whole
        assert bool(whole) == (case != "ready"), whole
    if case == "joint_wide_bad":
        assert [p.path for p in whole] == ["uncertainty.joint[0].rows[301][0]",
                                           "uncertainty.joint[0].rows[300][1]",
                                           "uncertainty.joint[0].rows[301][0]"]  # + the prior's


def test_walks_without_the_joint_rows_find_every_source_and_the_same_hash(monkeypatch) -> None:
    """The scenario's hash and its list of sourced numbers walk the raw scenario without the joint
    groups' rows (`joint_rows_cut(raw, 0)`): for every ready file both equal the full walk's."""
    import model.numbers
    from model.load import load_scenario
    from model.numbers import collect_sources

    files = sorted((ROOT / "scenarios").rglob("*.yaml"))
    checked, with_rows = 0, 0
    for f in files:
        try:
            sc = load_scenario(f)
        except Exception:  # sweeps, targets and unit-cost files are not scenarios
            continue
        cut = (sc.digest(), collect_sources(sc.raw))
        with monkeypatch.context() as m:
            m.setattr(model.numbers, "joint_rows_cut", lambda raw, keep: raw)
            assert (sc.digest(), collect_sources(sc.raw)) == cut, f
        checked += 1
        with_rows += bool(sc.uncertainty.joint)
    assert checked >= 10 and with_rows >= 3  # the Grenverket pair and Framgången's calibrated sets
