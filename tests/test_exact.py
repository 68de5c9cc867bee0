"""The engine against exact mode (absorbing Markov chain) on an uncapacitated network."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import assert_consistent, build, iv

from model.errors import InputError
from model.exact import solve_exact
from model.simulation import simulate

EXITS = {"arbete": "work", "studier": "studies", "annat": "other"}
N_COHORT, REPS, SEED = 5000, 4, 20240611


def network(target_group: dict[str, float] | None = None):
    """Six interventions, one per duration family; branching, a loop back, exits during stays.

    a → b → a is the loop; exits during a lead both to an exit state and to c; the subgroup
    'unga' has its own routing out of a and its own exit hazards in b.
    """
    return build(
        [
            iv("a", {"dist": "gamma", "mean": 2.0, "cv": 0.6}, {"b": 0.6, "c": 0.2, "annat": 0.2},
               exit_hazards={"arbete": 0.05, "c": 0.08}),
            iv("b", {"dist": "lognormal", "mean": 1.5, "cv": 0.8},
               {"a": 0.25, "c": 0.5, "arbete": 0.25}, exit_hazards={"studier": 0.1}),
            iv("c", {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 4.0},
               {"d": 0.4, "arbete": 0.4, "annat": 0.2}, exit_hazards={"annat": 0.1}),
            iv("d", {"dist": "uniform", "low": 1.0, "high": 3.0},
               {"e": 0.3, "b": 0.1, "arbete": 0.3, "annat": 0.3}),
            iv("e", {"dist": "empirical", "values": [0.5, 1.0, 6.0], "weights": [1, 2, 1]},
               {"f": 0.5, "studier": 0.5}, exit_hazards={"arbete": 0.15, "f": 0.05}),
            iv("f", {"dist": "fixed", "months": 2.0}, {"arbete": 0.6, "annat": 0.4}),
        ],
        intake={"cohort": {"n": N_COHORT}},
        entry={"a": 0.8, "c": 0.2},
        exits=EXITS,
        population={
            "sex": {"kvinna": 0.5, "man": 0.5},
            "target_group": target_group or {"unga": 0.3, "ovriga": 0.7},
            "overrides": [{
                "when": {"target_group": "unga"},
                "interventions": {
                    "a": {"routing": {"b": 0.2, "e": 0.5, "arbete": 0.3}},
                    "b": {"exit_hazards": {"arbete": 0.3, "f": 0.1}},
                },
            }],
        },
    )


@pytest.fixture(scope="module")
def des_run():
    sc = network()
    run = simulate(sc, replications=REPS, seed=SEED, workers=2)
    assert_consistent(sc, run.participants, run.visits, run.stations)
    return run


def share_z(sample: pd.Series, exact: dict[str, float]) -> pd.Series:
    """(DES share − exact share)/SE with the binomial SE sqrt(p(1−p)/N), p the exact share."""
    exact = pd.Series(exact)
    n = len(sample)
    counts = sample.value_counts().reindex(exact.index, fill_value=0)
    se = np.sqrt(exact * (1 - exact) / n)
    return (counts / n - exact) / se


def mean_z(values: pd.Series, exact: float) -> float:
    """(sample mean − exact)/SE with SE = sample sd/sqrt(N)."""
    return (values.mean() - exact) / (values.std(ddof=1) / math.sqrt(len(values)))


def check_against_exact(p: pd.DataFrame, v: pd.DataFrame, sc) -> None:
    ex = solve_exact(sc)
    assert sum(ex.exit_shares.values()) == pytest.approx(1.0)
    assert min(ex.exit_shares.values()) > 0.05  # every exit state is really tested
    z = share_z(p["exit_state"], ex.exit_shares)
    assert (z.abs() < 4).all(), pd.DataFrame({"z": z, "exact": pd.Series(ex.exit_shares)})
    assert abs(mean_z(p["months_in_programme"], ex.mean_months)) < 4
    for name in sc.names:
        zm = mean_z(p[f"months_in_{name}"], ex.months_by_intervention[name])
        assert abs(zm) < 4, (name, zm)
        n_vis = (v[v["intervention"] == name].groupby(["rep", "participant_id"]).size()
                 .reindex(pd.MultiIndex.from_frame(p[["rep", "participant_id"]]), fill_value=0))
        zv = mean_z(n_vis, ex.visits_by_intervention[name])
        assert abs(zv) < 4, (name, zv)


def test_des_agrees_with_exact_mode(des_run):
    """Exit shares, mean months in the programme and per intervention, visits per intervention.

    Fixed seed, so the test is deterministic. Without capacity nobody waits, and participants
    are independent of each other, so each participant is one independent draw: the SE of a
    share is binomial, sqrt(p(1−p)/N), with p the exact share; the SE of a mean is the sample
    sd/sqrt(N); N = 20,000 participants (4 replications × a cohort of 5,000). A difference of
    more than 4 SE fails: for a correct engine the chance of that is 2·(1−Φ(4)) ≈ 6e-5 per
    comparison (~1e-3 over the 16 here), while a systematic error of a few percent shows.
    """
    p, v = des_run.participants, des_run.visits
    assert len(p) == N_COHORT * REPS
    assert (p["status"] == "exited").all()
    assert (p["months_waiting"] == 0).all()
    kinds = set(v["kind"])
    assert {"served", "dropped_out", "transferred"} <= kinds
    check_against_exact(p, v, network())


def test_des_agrees_with_exact_mode_in_the_overridden_subgroup(des_run):
    """The subgroup with overrides on its own, against exact mode for a population of only it.

    Same SE formulas and 4-SE rule as above, N ≈ 6,000 participants of the subgroup.
    """
    p, v = des_run.participants, des_run.visits
    sub = p[p["target_group"] == "unga"]
    assert abs(len(sub) / len(p) - 0.3) < 4 * math.sqrt(0.3 * 0.7 / len(p))
    keys = sub.set_index(["rep", "participant_id"]).index
    sv = v[v.set_index(["rep", "participant_id"]).index.isin(keys)]
    check_against_exact(sub, sv, network({"unga": 1.0, "ovriga": 0.0}))
    # and the override matters: the subgroup's outcome really differs from the others'
    rest = network({"unga": 0.0, "ovriga": 1.0})
    a, b = solve_exact(network({"unga": 1.0, "ovriga": 0.0})), solve_exact(rest)
    assert abs(a.exit_shares["arbete"] - b.exit_shares["arbete"]) > 0.05


def test_exact_mode_by_hand():
    """One intervention, exponential stays (mean 2), exit hazard 0.5 to work, routing 50/50.

    With planned stay D ~ Exp(mean 2) and T ~ Exp(0.5): P(complete) = E[e^{-0.5 D}] = 1/(1+1) = 1/2,
    months = (1 − 1/2)/0.5 = 1. Work: 1/2 early + 1/2 · 1/2 routed = 3/4.
    """
    sc = build([iv("a", {"dist": "exponential", "mean": 2}, {"arbete": 0.5, "annat": 0.5},
                   exit_hazards={"arbete": 0.5})])
    ex = solve_exact(sc)
    assert ex.exit_shares["arbete"] == pytest.approx(0.75)
    assert ex.exit_shares["annat"] == pytest.approx(0.25)
    assert ex.mean_months == pytest.approx(1.0)
    # a loop back to itself with probability 1/2: twice the visits and months
    loop = build([iv("a", {"dist": "fixed", "months": 3}, {"a": 0.5, "arbete": 0.5})])
    ex = solve_exact(loop)
    assert ex.visits_by_intervention["a"] == pytest.approx(2.0)
    assert ex.mean_months == pytest.approx(6.0)


def test_exact_mode_refuses_capacity():
    sc = build([iv("a", {"dist": "fixed", "months": 1}, {"arbete": 1.0}, capacity={"places": 1})])
    with pytest.raises(InputError):
        solve_exact(sc)


def test_competing_exit_by_hand():
    """Fixed 2-month stay, exit hazard 0.5/month: completes with probability e^-1.

    Exact: P(work) = P(T > 2) = e^{-1} = 0.3679; months = E[min(2, T)] = (1 − e^{-1})/0.5.
    DES on 20,000 participants within 4 binomial / sample SE (as above).
    """
    sc = build([iv("a", {"dist": "fixed", "months": 2.0}, {"arbete": 1.0},
                   exit_hazards={"annat": 0.5})],
               intake={"cohort": {"n": 10_000}}, exits={"arbete": "work", "annat": "other"})
    ex = solve_exact(sc)
    assert ex.exit_shares["arbete"] == pytest.approx(math.exp(-1))
    assert ex.mean_months == pytest.approx((1 - math.exp(-1)) / 0.5)
    p = simulate(sc, replications=2, seed=SEED).participants
    assert (share_z(p["exit_state"], ex.exit_shares).abs() < 4).all()
    assert abs(mean_z(p["months_in_programme"], ex.mean_months)) < 4
    early = p[p["exit_state"] == "annat"]
    assert (early["months_in_programme"] < 2).all()
    assert (p.loc[p["exit_state"] == "arbete", "months_in_programme"] == 2).all()


def test_overrides_apply_only_to_their_subgroup():
    """Women get their own routing and an extra exit hazard; men follow the base rules."""
    sc = build([iv("a", {"dist": "fixed", "months": 1.0}, {"arbete": 1.0})],
               intake={"cohort": {"n": 4000}}, exits={"arbete": "work", "studier": "studies",
                                                      "annat": "other"},
               population={"sex": {"kvinna": 0.5, "man": 0.5}, "overrides": [{
                   "when": {"sex": "kvinna"},
                   "interventions": {"a": {"routing": {"studier": 1.0},
                                           "exit_hazards": {"annat": 0.5}}}}]})
    p = simulate(sc, replications=1, seed=SEED).participants
    men, women = p[p["sex"] == "man"], p[p["sex"] == "kvinna"]
    assert (men["exit_state"] == "arbete").all()
    assert set(women["exit_state"]) == {"studier", "annat"}
    # women: P(annat) = 1 − e^{-0.5}; 4 binomial SE
    share = (women["exit_state"] == "annat").mean()
    expected = 1 - math.exp(-0.5)
    assert abs(share - expected) < 4 * math.sqrt(expected * (1 - expected) / len(women))
    ex = solve_exact(sc)
    assert ex.exit_shares["arbete"] == pytest.approx(0.5)
    assert ex.exit_shares["annat"] == pytest.approx(0.5 * expected)


DURATIONS = [
    {"dist": "fixed", "months": 2.5},
    {"dist": "exponential", "mean": 2.0},
    {"dist": "gamma", "mean": 3.0, "cv": 0.5},
    {"dist": "gamma", "mean": 1.0, "cv": 1.5},
    {"dist": "lognormal", "mean": 1.5, "cv": 0.8},
    {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 4.0},
    {"dist": "uniform", "low": 1.0, "high": 3.0},
    {"dist": "empirical", "values": [0.5, 1.0, 6.0], "weights": [1, 2, 1]},
]


@pytest.mark.parametrize("spec", DURATIONS, ids=[d["dist"] for d in DURATIONS])
def test_duration_samples_match_what_exact_mode_uses(spec):
    """What the engine draws agrees with the mean and Laplace transform exact mode uses.

    20,000 draws; E[D] and E[exp(−0.4·D)] within 4 SE (sample sd/sqrt(N)). A sampler and an
    expectation that disagreed (say, a wrong σ for the lognormal) would make both methods
    internally consistent but wrong together, which the network comparison cannot see.
    """
    from pydantic import TypeAdapter

    from model.distributions import Duration
    from model.simulation import stream

    d = TypeAdapter(Duration).validate_python(spec)
    rng = stream(SEED, 0, "duration-test")
    x = np.array([d.sample(rng) for _ in range(20_000)])
    assert (x >= 0).all()
    for values, exact in ((x, d.mean()), (np.exp(-0.4 * x), d.laplace(0.4))):
        sd = values.std(ddof=1)
        if sd == 0:
            assert values.mean() == pytest.approx(exact)
        else:
            assert abs(values.mean() - exact) < 4 * sd / math.sqrt(len(values))
    if "cv" in spec:
        assert x.std() / x.mean() == pytest.approx(spec["cv"], rel=0.1)


def test_every_duration_distribution_is_tested() -> None:
    """DURATIONS has an example of every distribution a scenario may name (read off the union)."""
    from model.distributions import DIST_NAMES

    assert {d["dist"] for d in DURATIONS} == set(DIST_NAMES)
