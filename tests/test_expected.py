"""The expected-value path against the simulation: the same figures, as expectations.

`model.expected` computes, without simulating people, the expectation of every linear figure the
simulation gives (its mean over infinitely many replications). Here each is compared with the
simulation's mean over R replications: the difference must be within 4 standard errors of that
mean (standard error = sd over replications / √R). Seeds are fixed, so a pass is reproducible;
at 4 SE a correct path fails a single comparison with probability about 6e-5, provided the mean
is close to normal: random scenarios are run with at least 5 000 participant-replications so
that skewed figures of tiny cohorts are not judged by a normal rule. A figure that did not vary
between replications may still vary, through an event too rare to have been drawn: by the rule
of three such an event has probability below 3/R (95 %), so the tolerance there is
3/R × |mean| + 1e-6 relative.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from econ_helpers import merged, rich
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_properties import scenarios as random_scenarios

from model.economics import price, price_unit
from model.expected import expected_unit, why_not
from model.load import load_scenario
from model.scenario import parse_scenario
from model.simulation import simulate

ROOT = Path(__file__).resolve().parent.parent
READY = sorted([*(ROOT / "scenarios/grenverket").glob("*.yaml"),
                *(ROOT / "scenarios/library").glob("*.yaml")])
LINEAR = ("participants", "exits_work", "exits_studies", "exits_good", "cost", "cost_pv",
          "budget", "allowances", "jobs_without_at_exit", "extra_jobs_at_exit", "extra_jobs_12m")
LINEAR_VIEWS = ("person_years", "revenue", "revenue_pv", "npv")


def _compare(sc, reps: int, seed: int = 20140227) -> list[str]:
    """Metrics where the expected value is more than 4 SE from the simulated mean."""
    m, _, _ = price_unit(sc, expected_unit(sc), detail=False)
    d = price(simulate(sc, replications=reps, seed=seed), detail=False).metrics
    keys = [k for k in d.columns if k in LINEAR or k.split(":")[0] in LINEAR_VIEWS]
    bad = []
    for k in keys:
        mean, sd = float(d[k].mean()), float(d[k].std(ddof=1))
        se = sd / math.sqrt(len(d))
        varied = se > 1e-9 * max(1.0, abs(mean))
        tol = 4 * se if varied else (3 / len(d) + 1e-6) * max(1.0, abs(mean))
        if abs(m[k] - mean) > tol:
            bad.append(f"{k}: expected {m[k]:.6g}, simulated {mean:.6g} ± {se:.3g}")
    return bad


EXPECTABLE = [p for p in READY if why_not(load_scenario(p)) is None]


def test_most_ready_scenarios_take_the_expected_value_path() -> None:
    """Every ready scenario but Framgången (a capacity that binds, and a run horizon)."""
    assert {p.stem for p in READY} - {p.stem for p in EXPECTABLE} == {"framgangen"}


@pytest.mark.parametrize("path", EXPECTABLE, ids=[p.stem for p in EXPECTABLE])
def test_expected_value_path_agrees_with_the_simulation(path: Path) -> None:
    sc = load_scenario(path)
    reps = 60 if sc.name == "ungdomsteamet" else 150
    assert _compare(sc, reps) == []


def _features() -> dict:
    """Every path feature at once: a loop, an early exit into another intervention, overrides,
    a subgroup counterfactual, initial participants, groups with a pause and a cap, a stream,
    several duration shapes, lags, drop-off, studies valued, a capacity that cannot bind, an
    evenly spread intake, budgets per funder (in total and by year) and costed staff."""
    raw = rich(simulation={"replications": 1, "seed": 3})
    raw["intake"] = {"groups": {"size": 5, "every_months": 2, "end_month": 20},
                     "stream": {"rate_per_month": 2, "end_month": 15},
                     "spread": {"n": 9, "months": 12, "start_month": 1},
                     "pauses": [{"start_month": 6, "end_month": 8}], "max_participants": 60}
    raw["costs"] = {**raw["costs"], "budget": {"region": 120_000},
                    "budget_by_year": {"samordningsforbund": [60_000, 20_000]}}
    raw["interventions"] = [
        {"name": "a", "duration": {"dist": "lognormal", "mean": 3, "cv": 0.6},
         "capacity": {"staff_fte": 10, "caseload_per_fte": 20, "monthly_salary": 30_000,
                      "funder": "esf"},
         "capacity_changes": [{"month": 9.5, "staff_fte": 12}],
         "exit_hazards": {"arbete": 0.05, "c": 0.03},
         "routing": {"b": 0.5, "arbete": 0.3, "annat": 0.2},
         "costs": [{"funder": "esf", "per_start": 3000, "per_participant_month": 4000,
                    "per_place_month": 100}]},
        {"name": "b", "duration": {"dist": "triangular", "low": 1, "mode": 2, "high": 4},
         "routing": {"a": 0.2, "arbete": 0.4, "studier": 0.2, "annat": 0.2},
         "costs": [{"funder": "forsakringskassan", "per_participant_month": 6000,
                    "allowance": True}]},
        {"name": "c", "duration": {"dist": "empirical", "values": [1, 2.5, 6],
                                   "weights": [1, 2, 1]},
         "routing": {"arbete": 0.5, "annat": 0.5}},
    ]
    raw["population"] = {"sex": {"kvinna": 0.5, "man": 0.5},
                         "overrides": [{"when": {"sex": "kvinna"},
                                        "interventions": {"b": {"routing": {"arbete": 0.7,
                                                                            "annat": 0.3}}}}]}
    raw["initial_state"] = [{"intervention": "b", "in_service": 4}]
    raw["employment"] = {"retention": {"share_at_12_months": 0.7}, "extent": 0.8,
                         "lag_months": 1.5, "value_studies": True}
    raw["valuation"] = {**raw["valuation"], "benefit_lag_months": 2, "drop_off_per_year": 0.2}
    return raw


def test_expected_value_path_with_every_feature() -> None:
    sc = parse_scenario(_features())
    assert why_not(sc) is None
    assert _compare(sc, 300, seed=5) == []


def test_scenarios_the_expected_value_path_refuses() -> None:
    raw = _features()
    assert "horizon" in why_not(parse_scenario(merged(raw, simulation={"horizon_months": 30})))
    tight = merged(raw)
    tight["interventions"][0]["capacity"] = {"places": 5}
    tight["interventions"][0]["capacity_changes"] = []
    assert "may bind" in why_not(parse_scenario(tight))
    open_ended = merged(raw, intake={"stream": {"rate_per_month": 2}},
                        simulation={"horizon_months": 50})
    assert why_not(parse_scenario(open_ended)) is not None
    no_period = merged(raw)
    no_period["costs"] = {k: v for k, v in raw["costs"].items() if k != "project_months"}
    assert "project" in why_not(parse_scenario(no_period))


def test_capacity_at_a_quarter_of_the_load_is_accepted() -> None:
    """A Poisson stream of 2 a month into 6-month stays holds 12 people on average; 48 places
    (25 % utilisation) practically never bind: the expected-value path takes it."""
    raw = rich()
    raw["intake"] = {"stream": {"rate_per_month": 2, "end_month": 40}}
    raw["interventions"] = [{"name": "a", "duration": {"dist": "fixed", "months": 6},
                             "capacity": {"places": 48}, "routing": {"arbete": 0.5,
                                                                     "annat": 0.5}}]
    assert why_not(parse_scenario(raw)) is None
    raw["interventions"][0]["capacity"] = {"places": 14}
    assert "may bind" in why_not(parse_scenario(raw))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=random_scenarios(), seed=st.integers(0, 2**31 - 1))
def test_expected_value_path_on_random_scenarios(raw, seed) -> None:
    """Random scenarios without capacity or horizon: the same 4-SE agreement (250 replications)."""
    raw = merged(raw, simulation={"horizon_months": None},
                 counterfactual={"monthly_hazard": 0.03},
                 employment={"retention": {"share_at_12_months": 0.6}},
                 costs={"project_months": 24,
                        "fixed": [{"funder": "kommun", "per_month": 1000}]})
    for iv in raw["interventions"]:
        iv.pop("capacity", None)
        iv.pop("capacity_changes", None)
        iv.pop("waiting_list", None)
        iv["costs"] = [{"funder": "esf", "per_participant_month": 1000, "per_start": 500}]
    for g in raw.get("initial_state", []):
        g["in_service"] = g.get("in_service", 0) + g.pop("waiting", 0)
    sc = parse_scenario(raw)
    if why_not(sc) is not None:
        return
    n = price_unit(sc, expected_unit(sc), detail=False)[0]["participants"]
    assert _compare(sc, min(4000, max(250, math.ceil(5000 / n))), seed) == []


def test_expected_value_is_fast() -> None:
    """Not a timing test: the lattice stays small for the Grenverket pair (< 400 steps)."""
    from model.expected import _cells, _lattice_steps

    for name in ("anpassad_yrkesutbildning", "supported_employment"):
        sc = load_scenario(ROOT / f"scenarios/grenverket/{name}.yaml")
        assert _lattice_steps(sc, _cells(sc)) < 400
    assert np.isfinite(price_unit(sc, expected_unit(sc), detail=False)[0]["npv"])
