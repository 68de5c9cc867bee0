"""`insats fit`: round trips (simulate a known scenario, censor its participants at a data date,
fit, recover every parameter within its 95 % bootstrap interval), fit then simulate back, and the
refusals of bad records and personnummer. Seeded throughout."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from cli import app
from model.fit import fit_file, survival
from model.fit.records import table_as_records
from model.load import load_scenario
from model.scenario import parse_scenario
from model.simulation import simulate

M0 = dt.date(2020, 1, 1)
TWO_EXITS = {
    "name": "known", "simulation": {"horizon_months": 30, "replications": 1, "seed": 7},
    "intake": {"stream": {"rate_per_month": 12, "start_month": 0}},
    "population": {"sex": {"kvinna": 0.5, "man": 0.5}},
    "entry": "a",
    "interventions": [{"name": "a", "duration": {"dist": "gamma", "mean": 9, "cv": 0.6},
                       "routing": {"arbete": 0.6, "annat": 0.4}}],
    "exit_states": {"arbete": {"category": "work"}, "annat": {"category": "other"}},
}
CAPPED = {
    "name": "capped", "simulation": {"horizon_months": 40, "replications": 1, "seed": 11},
    "intake": {"stream": {"rate_per_month": 8, "start_month": 0},
               "groups": {"size": 9, "every_months": 1, "start_month": 14.5, "end_month": 24},
               "pauses": [{"start_month": 6, "end_month": 9}], "max_participants": 260},
    "entry": "a",
    "interventions": [{"name": "a", "duration": {"dist": "exponential", "mean": 6},
                       "routing": {"arbete": 0.5, "studier": 0.2, "annat": 0.3}}],
    "exit_states": {"arbete": {"category": "work"}, "studier": {"category": "studies"},
                    "annat": {"category": "other"}},
}


def _records(raw: dict, tmp: Path, data_months: int) -> tuple[Path, str]:
    """Simulate one replication and write its participant table as records censored at month
    `data_months` (a whole month after M0)."""
    run = simulate(parse_scenario(raw))
    data_date = dt.date(M0.year + data_months // 12, M0.month + data_months % 12, 1)
    rows = table_as_records(run.participants, M0, data_date)
    path = tmp / "records.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path, data_date.isoformat()


def _covers(res, path: str, truth: float) -> None:
    lo, hi = res.interval(path)
    assert lo <= truth <= hi, f"{path}: true {truth} outside the 95 % interval {lo:.4g}-{hi:.4g}"


@pytest.fixture(scope="module")
def two_exits(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two")
    path, dd = _records(TWO_EXITS, tmp, 24)
    done = fit_file(path, dd, tmp / "fitted.yaml", month_zero=M0.isoformat(), n_boot=100, seed=3)
    return done


def test_round_trip_one_stage_two_competing_exits(two_exits):
    """Every parameter of the known scenario lies in its 95 % interval (seeded: with 6 values the
    chance that all are covered is about 0.95^6 = 0.74 for an arbitrary seed; this one is fixed)."""
    res = two_exits.result
    assert res.shape.family == "gamma"  # the true shape is chosen by AIC
    _covers(res, "interventions[insats].duration.mean", 9)
    _covers(res, "interventions[insats].duration.cv", 0.6)
    _covers(res, "interventions[insats].routing[arbete]", 0.6)
    _covers(res, "interventions[insats].routing[annat]", 0.4)
    _covers(res, "intake.stream.rate_per_month", 12)
    _covers(res, "population.joint[0].share", 0.5)
    assert res.intake.groups is None and res.intake.cohort is None and not res.intake.pauses
    # the output validates and its uncertainty rows are the bootstrap's
    sc = load_scenario(two_exits.out)
    assert sc.uncertainty.joint[0].paths == res.paths
    assert len(sc.uncertainty.joint[0].rows) == 100


def test_round_trip_capped_stream_with_pause_and_groups(tmp_path):
    path, dd = _records(CAPPED, tmp_path, 30)
    res = fit_file(path, dd, tmp_path / "f.yaml", month_zero=M0.isoformat(), n_boot=100, seed=5).result
    # the true stay is exponential; the gamma nests it, so AIC may pick either, and then its CV
    # must cover 1
    assert res.shape.family in ("exponential", "gamma")
    _covers(res, "interventions[insats].duration.mean", 6)
    if res.shape.family == "gamma":
        _covers(res, "interventions[insats].duration.cv", 1.0)
    for s, p in (("arbete", 0.5), ("studier", 0.2), ("annat", 0.3)):
        _covers(res, f"interventions[insats].routing[{s}]", p)
    _covers(res, "intake.stream.rate_per_month", 8)
    assert res.intake.pauses == [(6, 9)]
    g = res.intake.groups
    assert g is not None and g["size"] == 9 and abs(g["every_months"] - 1) < 0.05
    assert abs(g["start_month"] - 14.5) < 0.1
    # the cap stopped the intake: the stream ends where the last entry came, not at the data date
    assert res.intake.stream["end_month"] is not None and res.intake.stream["end_month"] < 30


def test_fit_then_simulate_back_inside_the_records_bands(two_exits):
    """The fitted scenario, simulated 20 times to the data date, has cumulative incidences inside
    the records' 95 % Aalen-Johansen bands at 3, 6, 9, 12 and 15 months (simulation error: about
    0.005 with 20 x 290 people, small beside bands about 0.05 wide)."""
    from model.fit.report import simulated_back

    res = two_exits.result
    t, codes = res.arrays()
    sim = simulated_back(res, 20)
    for k, s in enumerate(res.states):
        rec = survival.aalen_johansen(t, codes, k + 1, seed=1)
        back = survival.aalen_johansen(sim["t"].to_numpy(), sim["code"].to_numpy(), k + 1, seed=1)
        for m in (3, 6, 9, 12, 15):
            v = survival.at(back, m)
            assert survival.at(rec, m, "lo") <= v <= survival.at(rec, m, "hi"), (s, m, v)


def _write(tmp: Path, text: str, name: str = "r.csv") -> Path:
    p = tmp / name
    p.write_text(text, encoding="utf-8")
    return p


def test_bad_records_every_problem_at_once(tmp_path):
    text = ("person_id;entry_date;exit_date;exit_reason\n"
            "1;2019-01-31;2018-12-01;arbete\n"      # exit before entry
            "2;2019/02/01;2020-03-01;arbete\n"      # exit after the data date
            "3;2019-02-01;2019-05-01;semester\n"    # unknown reason
            "3;2019-02-01;;\n"                      # duplicate id
            "5;31/01/2019;;\n")                     # not an allowed date
    p = _write(tmp_path, text)
    out = tmp_path / "o.yaml"
    res = CliRunner().invoke(app, ["fit", str(p), "--data-date", "2020-01-01", "--out", str(out),
                                   "--reasons", "arbete=arbete,annat=annat", "--lang", "en"])
    assert res.exit_code == 2, res.output
    err = res.output
    assert "5 problems" in err
    for line, col in ((2, "exit_date"), (3, "exit_date"), (4, "exit_reason"), (5, "person_id"),
                      (6, "entry_date")):
        assert f"r.csv:{line}: {col}:" in err, (line, col, err)
    assert "before the entry date" in err and "after the data date" in err
    assert "allowed: 2019-01-31 or 2019/01/31" in err and "allowed: annat, arbete" in err
    assert not out.exists()
    assert "Traceback" not in err


def test_empty_records_refused(tmp_path):
    for text in ("", "person_id,entry_date,exit_date,exit_reason\n"):
        p = _write(tmp_path, text)
        res = CliRunner().invoke(app, ["fit", str(p), "--data-date", "2020-01-01", "--out",
                                       str(tmp_path / "o.yaml"), "--lang", "en"])
        assert res.exit_code == 2 and ("empty" in res.output or "no participants" in res.output)


def test_missing_records_file_is_an_input_problem(tmp_path):
    res = CliRunner().invoke(app, ["fit", str(tmp_path / "none.csv"), "--data-date", "2020-01-01",
                                   "--out", str(tmp_path / "o.yaml"), "--lang", "en"])
    assert res.exit_code == 2 and "none.csv" in res.output and "cannot be read" in res.output


def test_personnummer_refused_without_echoing_it(tmp_path):
    text = ("person_id,entry_date,exit_date,exit_reason,note\n"
            "19800101-1234,2019-01-01,,,\n"
            "2,2019-01-02,,,800102-2384\n")
    p = _write(tmp_path, text)
    res = CliRunner().invoke(app, ["fit", str(p), "--data-date", "2020-01-01", "--out",
                                   str(tmp_path / "o.yaml"), "--lang", "en"])
    assert res.exit_code == 2
    assert res.output.count("personnummer") >= 2  # both columns named
    assert "person_id" in res.output and "note" in res.output
    assert "1234" not in res.output and "2384" not in res.output


def test_out_never_over_an_input(tmp_path):
    p = _write(tmp_path, "person_id,entry_date,exit_date,exit_reason\n1,2019-01-01,2019-05-01,arbete\n")
    before = p.read_bytes()
    res = CliRunner().invoke(app, ["fit", str(p), "--data-date", "2020-01-01", "--out", str(p),
                                   "--lang", "en"])
    assert res.exit_code == 2 and "is an input" in res.output
    assert p.read_bytes() == before


def test_synthetic_framgangen_register_matches_the_published_figures():
    from collections import Counter

    root = Path(__file__).resolve().parent.parent / "scenarios" / "records"
    lines = (root / "framgangen_synthetic.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# SYNTHETIC")
    rows = list(csv.DictReader(lines[1:], delimiter=";"))
    reasons = Counter(r["exit_reason"] for r in rows)
    assert len(rows) == 213 and reasons["arbete"] + reasons["studier"] == 74 and reasons["annat"] == 38
    assert Counter(r["sex"] for r in rows)["kvinna"] == 102
    assert Counter(r["born_abroad"] for r in rows)["ja"] == 76
    stays = [(dt.date.fromisoformat(r["exit_date"]) - dt.date.fromisoformat(r["entry_date"])).days / 30.44
             for r in rows if r["exit_date"]]
    assert 3.5 <= min(stays) <= 4.5
    sc = load_scenario(root / "framgangen_fitted.yaml")  # the fitted example validates
    assert sc.intake.groups is not None and sc.intake.groups.size == 10
    assert np.isclose(sum(sc.interventions[0].routing.values()), 1.0)


def test_no_participant_row_in_the_outputs(two_exits, tmp_path):
    """The scenario and the fit report hold aggregates only: no person's id or entry date."""
    from model.fit.report import write_fit_report

    res = two_exits.result
    report = write_fit_report(res, two_exits.out, tmp_path / "fit.html", lang="en", reps=5)
    html = report.read_text(encoding="utf-8")
    assert "AIC" in html and "What the data cannot tell" in html and html.count("<img") == 3
    # (month 0 and the data date are the user's options, written as such)
    dates = {s.entry_date.isoformat() for s in res.records.stays} - {
        res.records.month_zero.isoformat(), res.records.data_date.isoformat()}
    for text in (two_exits.out.read_text(encoding="utf-8"), html):
        assert not any(d in text for d in dates)
        assert not any(f"person_id: {s.person}" in text for s in res.records.stays)
    root = Path(__file__).resolve().parent.parent / "scenarios" / "records"
    fitted = (root / "framgangen_fitted.yaml").read_text(encoding="utf-8")
    assert "S001" not in fitted and "2016-09-05" not in fitted


def test_base_keeps_everything_else_with_its_sources(tmp_path):
    """--base: intake, stay, routing and population are fitted; costs, capacity, counterfactual,
    employment and valuation are the base's, sources and all; reasons must be the base's states."""
    import yaml

    root = Path(__file__).resolve().parent.parent
    base = root / "scenarios" / "library" / "framgangen.yaml"
    records = root / "scenarios" / "records" / "framgangen_synthetic.csv"
    out = tmp_path / "fitted.yaml"
    res = CliRunner().invoke(app, ["fit", str(records), "--data-date", "2019-01-10", "--month-zero",
                                   "2016-01-01", "--base", str(base), "--out", str(out), "--boot", "20",
                                   "--lang", "en"])
    assert res.exit_code == 0, res.output
    old = yaml.safe_load(base.read_text(encoding="utf-8"))
    new = yaml.safe_load(out.read_text(encoding="utf-8"))
    for key in ("costs", "counterfactual", "employment", "valuation", "exit_states"):
        assert new[key] == old[key], key
    iv_old, iv_new = old["interventions"][0], new["interventions"][0]
    assert iv_new["capacity"] == iv_old["capacity"]
    assert iv_new["routing"]["arbete"]["source"].startswith(
        "fitted from framgangen_synthetic.csv: 213 people, 101 still enrolled at 2019-01-10")
    assert new["intake"]["referral_sources"] == old["intake"]["referral_sources"]
    assert new["simulation"]["horizon_months"]["value"] == pytest.approx(36.29, abs=0.01)
    load_scenario(out)
    # a reason the base does not know is refused, naming the base's states
    bad = _write(tmp_path, "person_id,entry_date,exit_date,exit_reason\n1,2018-01-01,2018-06-01,jobb\n")
    res = CliRunner().invoke(app, ["fit", str(bad), "--data-date", "2019-01-10", "--base", str(base),
                                   "--out", str(tmp_path / "x.yaml"), "--lang", "en"])
    assert res.exit_code == 2 and "allowed: arbete, studier, annat" in res.output, res.output
