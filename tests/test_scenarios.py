"""The ready scenarios: they validate, every number says where it comes from, and they reproduce
their sources (the figures in docs/validation.md).

The Grenverket pair is run at its own seed and replications, as `insats compare` runs it. The
other scenarios are run at their seed with fewer replications where the tolerance allows: a
share's standard error over R replications of n participants is sqrt(p(1 − p) / (n R)), and R is
chosen so that the ±3-point tolerance is at least 4 standard errors (n R ≥ 4 500).
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from conftest import max_concurrent
from typer.testing import CliRunner

from cli import app
from model.api import ScenarioResult, compare_scenarios, run_scenario
from model.exact import solve_exact
from model.load import load_scenario
from model.results import outcome_metrics
from model.scenario import Scenario

ROOT = Path(__file__).resolve().parents[1]
GRENVERKET = ROOT / "scenarios" / "grenverket"
LIBRARY = ROOT / "scenarios" / "library"
READY = sorted(GRENVERKET.glob("*.yaml")) + sorted(LIBRARY.glob("*.yaml"))
TRAINING = GRENVERKET / "anpassad_yrkesutbildning.yaml"
SE = GRENVERKET / "supported_employment.yaml"
FRAMGANGEN = LIBRARY / "framgangen.yaml"
ESF_CASE = LIBRARY / "ungdomsteamet_implementering.yaml"
MSEK = 1e6
SHARE_TOL = 0.03  # ±3 percentage points
MIN_PARTICIPANT_REPS = 4500  # n × R, so that 3 points ≥ 4 standard errors of a mean share

runner = CliRunner()


def ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def reps_for(sc: Scenario, expected_n: float) -> int:
    """Replications that make the ±3-point tolerance at least 4 standard errors, capped at the default."""
    return min(sc.simulation.replications, math.ceil(MIN_PARTICIPANT_REPS / expected_n))


# ---------------------------------------------------------------- every ready scenario


def test_the_grenverket_folder_holds_just_the_pair() -> None:
    """`insats compare scenarios/grenverket/` compares the training with Supported Employment."""
    assert [p.name for p in sorted(GRENVERKET.glob("*.y*ml"))] == [TRAINING.name, SE.name]


@pytest.mark.parametrize("path", READY, ids=ids(READY))
def test_ready_scenario_validates(path: Path) -> None:
    """Each ready scenario loads, has a Swedish label and passes `insats validate`."""
    sc = load_scenario(path)
    assert sc.label
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{path}: ok" in result.output


def _unsourced(node: Any, path: str = "") -> list[str]:
    """Paths of numbers written bare, without {value, source}; a stated uncertainty needs its own
    source too. (A joint group's rows carry theirs on the group.)"""
    if isinstance(node, dict):
        if set(node) == {"value", "source"}:
            return []
        if set(node) == {"value", "source", "uncertainty"}:
            return [] if "source" in node["uncertainty"] else [f"{path}.uncertainty"]
        if path == "uncertainty.joint" or path.startswith("uncertainty.joint["):
            return [] if isinstance(node, dict) and node.get("source") else [path]
        return [p for k, v in node.items() for p in _unsourced(v, f"{path}.{k}" if path else k)]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _unsourced(v, f"{path}[{i}]")]
    if isinstance(node, int | float) and not isinstance(node, bool):
        return [path]
    return []


def _sources(node: Any) -> list[str]:
    if isinstance(node, dict):
        if set(node) == {"value", "source"}:
            return [str(node["source"])]
        if set(node) == {"value", "source", "uncertainty"}:
            return [str(node["source"]), str(node["uncertainty"]["source"])]
        return [s for v in node.values() for s in _sources(v)]
    if isinstance(node, list):
        return [s for v in node for s in _sources(v)]
    return []


@pytest.mark.parametrize("path", READY, ids=ids(READY))
def test_every_number_has_a_source_or_is_an_assumption(path: Path) -> None:
    """Every number is {value, source}; bare ones only where the schema takes none (price_year,
    which carries its source in a comment) or a start at month 0."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    bare = [p for p in _unsourced(raw)
            if not p.endswith("price_year") and not p.endswith("start_month")]
    assert bare == [], f"numbers without a source: {bare}"
    cites = re.compile(r"\b00[0-4]\b|assumption|Bejerholm|ASEK|Green Book|Nilsson & Wadeskog|derived"
                       r"|as the|public summary|binomial|insats calibrate")
    for source in _sources(raw):
        assert cites.search(source), f"source names no document, reference or assumption: {source!r}"
        # a public document, not a file outside the repository (docs/sources.md lists 000-004)
        assert "SOURCES.md" not in source and "/work/" not in source, source


# ---------------------------------------------------------------- the Grenverket pair (000)


@pytest.fixture(scope="module")
def pair() -> tuple[ScenarioResult, ScenarioResult]:
    """The pair as `insats compare scenarios/grenverket/` runs it: own seed and replications."""
    training, se = load_scenario(TRAINING), load_scenario(SE)
    assert training.simulation.seed == se.simulation.seed  # common random numbers
    assert training.simulation.replications == se.simulation.replications
    a, b = compare_scenarios([training, se], workers=2)
    assert a.run.replications == training.simulation.replications
    return a, b


def mean(result: ScenarioResult, metric: str) -> float:
    return float(result.priced.metrics[metric].mean())


def test_calibration_training_cost_is_just_over_3_msek(
        pair: tuple[ScenarioResult, ScenarioResult]) -> None:
    """Calibration check (by construction: the cost per place is the reported total / 162).
    000: 'har kostat drygt 3 miljoner kronor'."""
    assert 3.0 * MSEK <= mean(pair[0], "cost") <= 3.3 * MSEK


def test_calibration_training_revenue_via_extent_is_just_under_10_msek(
        pair: tuple[ScenarioResult, ScenarioResult]) -> None:
    """Calibration check. 000: 'gett en samhällsintäkt på knappt 10 miljoner' = the
    undiscounted 1-year revenue. The calibration (scenarios/calibration/grenverket.yaml) reads
    it as 9.5–10.0 MSEK with a normal likelihood of sd 0.25/√3 = 0.144 MSEK about 9.75, so a
    posterior puts some mass just above 10.0; at the base values (the marginal posterior
    medians, not one posterior point: docs/calibration.md) the mean over the runs must lie
    within 2 of those sd of the centre: 9.46–10.04 MSEK (9.97 at the default seed; the bound
    of 10.0 this test had was tipped by seeds 2–4 and by exact mode, 10.01)."""
    sd = 0.25 / math.sqrt(3)
    assert abs(mean(pair[0], "revenue:1y") / MSEK - 9.75) <= 2 * sd


def test_calibration_training_work_share_is_the_reported_62_percent(
        pair: tuple[ScenarioResult, ScenarioResult]) -> None:
    """Calibration check (the routing share is the reported share, an input).
    000: '62 procent av 162 deltagare har gått vidare till arbete direkt efter kurserna'."""
    assert mean(pair[0], "participants") == 162
    assert abs(mean(pair[0], "share_work") - 0.62) <= SHARE_TOL


def test_calibration_se_cost_via_cost_per_month_is_6_8_msek(
        pair: tuple[ScenarioResult, ScenarioResult]) -> None:
    """Calibration check (the cost per participant-month was fitted to it).
    000: 'Supported Employment har kostat 6,8 miljoner kronor' (±3 %)."""
    assert abs(mean(pair[1], "cost") / (6.8 * MSEK) - 1) <= 0.03


def test_calibration_se_revenue_via_participants_is_7_msek(
        pair: tuple[ScenarioResult, ScenarioResult]) -> None:
    """Calibration check (the participant count was fitted to it).
    000: 'och gett en samhällsintäkt på 7 miljoner' (±5 %)."""
    assert abs(mean(pair[1], "revenue:1y") / (7.0 * MSEK) - 1) <= 0.05


def test_training_has_the_lower_cost_per_extra_job(
        pair: tuple[ScenarioResult, ScenarioResult]) -> None:
    """000 (PwC): 'anpassade yrkesutbildningar visat på lägre kostnad per extra arbete' and 'ett
    högre utfall i arbete' than Supported Employment; both pay for themselves."""
    a, b = pair
    assert mean(a, "cost_per_extra_job") < mean(b, "cost_per_extra_job")
    assert mean(a, "share_work") > mean(b, "share_work")
    assert mean(a, "revenue:1y") > mean(a, "cost")
    assert mean(b, "revenue:1y") > mean(b, "cost")


def test_se_finds_jobs_as_in_the_swedish_ips_trial(
        pair: tuple[ScenarioResult, ScenarioResult]) -> None:
    """Bejerholm et al. 2015: 46 % in competitive employment within 18 months. The hazard's prior
    mean was derived from it (h = −ln 0.54 / 18); the base value is the calibration's posterior
    median, so the engine is checked at that hazard: 1 − exp(−18 h), exact and simulated, and the
    prior mean still gives the trial's 46 %."""
    sc = pair[1].scenario
    raw = sc.raw["interventions"][0]["exit_hazards"]["arbete"]
    h, prior_mean = raw["value"], raw["uncertainty"]["mean"]
    assert 1 - math.exp(-18 * prior_mean) == pytest.approx(0.46, abs=1e-4)
    assert solve_exact(sc).exit_shares["arbete"] == pytest.approx(1 - math.exp(-18 * h), abs=1e-4)
    assert abs(mean(pair[1], "share_work") - (1 - math.exp(-18 * h))) <= SHARE_TOL


# ------------------------------------------- Grenverket sub-projects (000), the ESF case (001)

# file -> (expected participants per replication, {exit state(s): reported share})
SUBPROJECTS: dict[str, tuple[float, dict[str, float]]] = {
    "paraplyprojektet.yaml": (299, {"arbete_eller_studier": 0.42}),
    "lyra.yaml": (58, {"arbete_eller_studier": 0.51}),
    "slussen.yaml": (316, {"arbete_eller_studier": 0.622}),
    "spangen.yaml": (120, {"annan_rehabilitering": 0.50, "arbete": 0.20, "studier": 0.10}),
    "ungdomsteamet.yaml": (1500, {"arbete_eller_studier": 0.60}),
    "ungdomsteamet_implementering.yaml": (32.6 * 12, {"arbete_eller_studier": 0.60}),
    # 004, 3.4: of 30 who ended, 10 to work, 3 to studies, 17 for other reasons
    "ungdomstorget.yaml": (65, {"arbete": 10 / 30, "studier": 3 / 30, "annat": 17 / 30}),
}


@pytest.mark.parametrize("name", list(SUBPROJECTS))
def test_subproject_exit_shares_exact(name: str) -> None:
    """Exact mode gives the reported shares (no capacity limits: an absorbing Markov chain)."""
    sc = load_scenario(LIBRARY / name)
    shares = solve_exact(sc).exit_shares
    for state, reported in SUBPROJECTS[name][1].items():
        assert shares[state] == pytest.approx(reported, abs=1e-9)


@pytest.mark.parametrize("name", list(SUBPROJECTS))
def test_subproject_exit_shares_simulated(name: str) -> None:
    """The simulation reproduces the reported shares within ±3 points at the default seed."""
    sc = load_scenario(LIBRARY / name)
    n, reported = SUBPROJECTS[name]
    run = run_scenario(sc, replications=reps_for(sc, n))
    per_rep = run.outcomes["per_rep"]
    assert abs(per_rep["participants"].mean() / n - 1) < 0.05
    for state, share in reported.items():
        assert abs(per_rep[f"share:{state}"].mean() - share) <= SHARE_TOL, state


def test_esf_case_costs_its_budget_and_shows_break_even() -> None:
    """001: 842 800 kr for 2014 (grant = total budget); `insats run` prints the break-even rows."""
    sc = load_scenario(ESF_CASE)
    res = run_scenario(sc, replications=20)
    m = res.priced.metrics
    assert m["cost"].to_numpy() == pytest.approx(842_800, abs=1)
    assert m["esf_grant"].to_numpy() == pytest.approx(842_800, abs=1)
    for view in ("1y", "5y"):
        jobs = m[f"breakeven_extra_jobs:{view}"]
        assert jobs.notna().all() and (jobs > 0).all()
        assert (m[f"breakeven_work_share:{view}"] < 0.60).all()  # the team's 60 % clears it
    result = runner.invoke(app, ["run", str(ESF_CASE), "--reps", "5"])
    assert result.exit_code == 0, result.output
    assert "Extra jobb för nettonuvärde 0, 1 år (jobb)" in result.output
    assert "Andel till arbete för nettonuvärde 0, 5 år (%)" in result.output


# ---------------------------------------------------------------- Framgången (002)


@pytest.fixture(scope="module")
def framgangen() -> ScenarioResult:
    """30 replications of 213: a share's standard error is about 0.6 points (tolerance 3)."""
    return run_scenario(load_scenario(FRAMGANGEN), replications=30)


def test_framgangen_outcomes_at_the_last_measurement(framgangen: ScenarioResult) -> None:
    """002, Delmål 2: by 10 January 2019, 34.74 % to work or studies, 16.45 % left for other
    reasons, the rest (48.8 %) still enrolled."""
    per_rep = outcome_metrics(framgangen.run)
    work_or_studies = per_rep["share:arbete"] + per_rep["share:studier"]
    still = per_rep["still_in_programme"] / per_rep["participants"]
    assert abs(work_or_studies.mean() - 0.3474) <= SHARE_TOL
    assert abs(per_rep["share:annat"].mean() - 0.1645) <= SHARE_TOL
    assert abs(still.mean() - (1 - 0.3474 - 0.1645)) <= SHARE_TOL


def test_framgangen_sex_and_born_abroad(framgangen: ScenarioResult) -> None:
    """002: 102 women of 213 (47.8 %), 76 born abroad (35.6 %)."""
    p = framgangen.run.participants
    by_rep = p.groupby("rep")
    assert abs(by_rep["sex"].apply(lambda s: (s == "kvinna").mean()).mean() - 0.478) <= SHARE_TOL
    assert abs(by_rep["born"].apply(lambda s: (s == "utrikes född").mean()).mean() - 0.356) \
        <= SHARE_TOL


def test_calibration_framgangen_budget(framgangen: ScenarioResult) -> None:
    """Calibration check (the monthly costs were derived from these totals).
    002: 10 300 000 kr direct funds (booked as ESF) + 12 960 330 kr co-financing."""
    m = framgangen.priced.metrics
    assert m["esf_grant"].to_numpy() == pytest.approx(10_300_000, rel=1e-5)
    assert abs(m["cofinancing"].mean() / 12_960_330 - 1) <= 0.03
    assert abs(m["budget"].mean() / (10_300_000 + 12_960_330) - 1) <= 0.03
    # the co-financing is participants' allowances: a transfer, not a societal cost
    assert np.allclose(m["cost"], m["budget"] - m["allowances"])
    assert (m["allowances"] > 0).all()


def test_framgangen_enrols_exactly_213(framgangen: ScenarioResult) -> None:
    """002: 'Totalt antal omsatta i projekt Framgången blev 213 individer' (the intake cap)."""
    counts = framgangen.run.participants.groupby("rep").size()
    assert (counts == 213).all(), counts.value_counts().to_dict()


def test_framgangen_group_intakes_and_pauses(framgangen: ScenarioResult) -> None:
    """Nine start in September 2016; from January 2018, groups of 10 twice a month until the cap;
    nobody arrives during the two pauses (autumn 2017, late spring 2018)."""
    sc = framgangen.scenario
    g, cohort = sc.intake.groups, sc.intake.cohort
    pauses = [(p.start_month, p.end_month) for p in sc.intake.pauses]
    instants = [t for k in range(100)
                if (t := g.start_month + k * g.every_months) < g.end_month
                and not any(a <= t < b for a, b in pauses)]
    paused_instants = [t for k in range(100)
                       if (t := g.start_month + k * g.every_months) < g.end_month
                       and any(a <= t < b for a, b in pauses)]
    assert paused_instants  # the late-spring pause falls on group intakes
    for _, p in framgangen.run.participants.groupby("rep"):
        arrivals = p["arrival_month"].to_numpy()
        assert (arrivals == cohort.month).sum() == cohort.n
        for a, b in pauses:
            assert not ((arrivals >= a) & (arrivals < b)).any()
        sizes = [int((arrivals == t).sum()) for t in instants]
        full = [s for s in sizes if s > 0]
        assert full, "no group intake happened"
        # every group is 10 until the cap cuts the last one short; after that, none
        assert all(s == g.size for s in full[:-1]) and 0 < full[-1] <= g.size
        first_empty = sizes.index(0) if 0 in sizes else len(sizes)
        assert all(s == 0 for s in sizes[first_empty:])
        assert sum(full) + cohort.n <= sc.intake.max_participants


def test_framgangen_caseload_never_above_30_per_fte(framgangen: ScenarioResult) -> None:
    """002: 'högst 30 individer per heltidshandledare': with 4 FTE never more than 120 in service;
    the cap binds (someone waits), so the waiting list is exercised too."""
    sc = framgangen.scenario
    cap = sc.intervention("vuxenslussen").capacity
    places = math.floor(cap.staff_fte * cap.caseload_per_fte)
    assert places == 120
    v = framgangen.run.visits
    peaks = []
    for _, g in v[v["start_month"].notna()].groupby("rep"):
        peak = max_concurrent(g["start_month"].to_numpy(dtype=float),
                              g["end_month"].to_numpy(dtype=float))
        assert peak <= places
        peaks.append(peak)
    assert max(peaks) == places
    assert (framgangen.run.participants["months_waiting"] > 0).any()
    util = framgangen.run.stations["utilisation"]
    assert (util <= 1 + 1e-9).all()


def test_ungdomstorget_shows_qalys_beside_the_npv() -> None:
    """004: EQ-5D 0.60 outside work, 0.79 in work; the expected run gains QALYs, undiscounted above
    discounted, valued at the stated kr per QALY and not added to the NPV (NPV = revenue − cost)."""
    from model.evaluate import expected_metrics

    sc = load_scenario(LIBRARY / "ungdomstorget.yaml")
    m = expected_metrics(sc, checked=True)
    assert m["qaly:5y"] > m["qaly_pv:5y"] > 0
    assert m["qaly_value_pv:5y"] == pytest.approx(m["qaly_pv:5y"] * 500_000)
    assert m["npv:5y"] == pytest.approx(m["revenue_pv:5y"] - m["net_cost_pv"])
    out = runner.invoke(app, ["run", str(LIBRARY / "ungdomstorget.yaml"), "--method", "exact"])
    assert out.exit_code == 0, out.output
    assert "(QALY), 5 år, nuvärde" in out.output and "ingår inte i det" in out.output
