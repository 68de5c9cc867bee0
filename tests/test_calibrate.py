"""Calibration recovers parameters from targets the tool itself produced (sampling-importance-
resampling against the expected-value path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from model.evaluate import expected_metrics
from model.psa.calibrate import calibrate, load_targets, written_back
from model.scenario import load_scenario, parse_scenario
from model.sweep import apply_values, parse_path

HERE = Path(__file__).resolve().parent / "calibration"
TRUE = {"interventions[kurs].routing.arbete": 0.40, "employment.extent": 0.60}


def _truth_targets(tmp_path: Path) -> Path:
    """Targets computed by the expected-value path at the true values: the share to work
    (sd 0.01, about the binomial error of 0.4 in 2 400 people) and the 1-year revenue (sd 1 %)."""
    sc = load_scenario(HERE / "known.yaml")
    raw, _ = apply_values(sc.raw, [(parse_path(k), v) for k, v in TRUE.items()])
    m = expected_metrics(parse_scenario(raw))
    spec = {"name": "known_truth", "scenarios": [str(HERE / "known.yaml")],
            "targets": [{"scenario": "known", "metric": "share:arbete",
                         "value": float(m["share:arbete"]), "sd": 0.01},
                        {"scenario": "known", "metric": "revenue:1y",
                         "value": float(m["revenue:1y"]),
                         "sd": 0.01 * float(m["revenue:1y"])}],
            "method": {"draws": 3000, "keep": 300, "seed": 5}}
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_calibration_recovers_known_parameters(tmp_path) -> None:
    """Both unknowns are recovered: the posterior mean lies within 3 posterior sd of the truth,
    the 95 % posterior interval covers it, the posterior is much narrower than the prior (sd of
    the uniform priors 0.23), and the best fit reproduces both targets within 2 target sd."""
    spec, scs = load_targets(_truth_targets(tmp_path))
    cal = calibrate(spec, scs)
    assert cal.ess > 20
    post = cal.posterior
    for col, truth in (("known:interventions[kurs].routing.arbete", 0.40),
                       ("known:employment.extent", 0.60)):
        x = post[col].to_numpy()
        assert abs(x.mean() - truth) <= 3 * x.std() + 1e-9, (col, x.mean(), x.std())
        assert np.percentile(x, 2.5) <= truth <= np.percentile(x, 97.5)
        assert x.std() < 0.08
    fit = cal.fit_table()
    assert (fit["gap_sd"].abs() <= 2).all(), fit


def test_calibrated_scenario_draws_the_posterior_jointly(tmp_path) -> None:
    """Written back, the scenario draws whole posterior rows: in a PSA of it, the 1-year revenue
    stays within a few target sd of the reported value although each input alone spans its prior."""
    from model.psa import run_psa

    spec, scs = load_targets(_truth_targets(tmp_path))
    cal = calibrate(spec, scs)
    (out,) = written_back(cal, tmp_path / "out")
    sc = load_scenario(out)
    assert sc.uncertainty.joint[0].name == "known_truth"
    assert len(sc.uncertainty.joint[0].rows) == 300
    res = run_psa([(sc.raw, sc)], draws=400)
    rev = res.of("known")["revenue:1y"].to_numpy()
    target = spec.targets[1]
    assert abs(np.median(rev) - target.value) <= 2 * target.sd
    assert np.percentile(rev, 97.5) - np.percentile(rev, 2.5) <= 8 * target.sd


def test_cli_calibrate_prints_the_fit_and_writes_scenarios(tmp_path) -> None:
    targets = _truth_targets(tmp_path)
    res = CliRunner().invoke(app, ["calibrate", str(targets), "--out", str(tmp_path / "cal"),
                                   "--lang", "en", "--quiet"])
    assert res.exit_code == 0, res.output
    assert "share:arbete" in res.stdout and "effective sample size" in res.stdout
    assert (tmp_path / "cal" / "known.yaml").is_file()


def test_bad_targets_file_is_a_problem_list(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nscenarios: [nowhere.yaml]\ntargets: []\n", encoding="utf-8")
    res = CliRunner().invoke(app, ["calibrate", str(bad)])
    assert res.exit_code == 2
    assert "bad.yaml" in res.stderr and "targets" in res.stderr
    assert "Traceback" not in res.output


@pytest.mark.parametrize("metric", ["share:nowhere", "revenue:9y"])
def test_unknown_target_metric_is_named(tmp_path, metric) -> None:
    spec = {"name": "x", "scenarios": [str(HERE / "known.yaml")],
            "targets": [{"scenario": "known", "metric": metric, "value": 1, "sd": 1}],
            "method": {"draws": 10, "keep": 5}}
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    res = CliRunner().invoke(app, ["calibrate", str(path)])
    assert res.exit_code == 2
    assert metric in res.stderr


def _capped(intake: dict, high: float) -> dict:
    return {"name": "t", "intake": {**intake, "max_participants": {
                "value": 50, "source": "test",
                "uncertainty": {"dist": "uniform", "low": 40, "high": high, "source": "test"}}},
            "entry": "a", "exit_states": {"arbete": {"category": "work"}},
            "interventions": [{"name": "a", "duration": {"dist": "fixed", "months": 3},
                               "routing": {"arbete": 1.0}}]}


@pytest.mark.parametrize(("intake", "high", "flagged"), [
    ({"stream": {"rate_per_month": 10, "start_month": 0, "end_month": 12}}, 140, False),
    ({"stream": {"rate_per_month": 10, "start_month": 0, "end_month": 12}}, 200, True),
    ({"stream": {"rate_per_month": 10, "start_month": 0}}, 400, False),     # never stops
    ({"cohort": {"n": 100}}, 100, False),
    ({"cohort": {"n": 100}}, 101, True),                                    # a fixed count
])
def test_a_cap_prior_must_stay_within_what_the_intake_delivers(intake, high, flagged) -> None:
    """A prior on max_participants above what the intake can bring (120 on average from the
    stream, 146 in 99 % of cohorts; exactly 100 from a cohort) is a problem at load: such a cap
    does not change the number of participants (the Grenverket SE prior once reached 400)."""
    from model.psa.inputs import cap_problems

    raw = _capped(intake, high)
    found = cap_problems(raw, parse_scenario(raw), "f.yaml")
    assert bool(found) == flagged
    if flagged:
        assert found[0].path == "intake.max_participants"
        assert "does not change the number of participants" in found[0].message


def test_grenverket_se_cap_prior_binds_over_its_range() -> None:
    """SE's participant prior is bounded by its intake: the expected participant count still
    grows towards the top of the prior (the cap binds), unlike the old 150–400 prior."""
    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios/grenverket/"
                       "supported_employment.yaml")
    counts = []
    for cap in (250, 270):
        raw, _ = apply_values(sc.raw, [(parse_path("intake.max_participants"), cap)])
        counts.append(expected_metrics(parse_scenario(raw))["participants"])
    assert counts[1] - counts[0] > 10
