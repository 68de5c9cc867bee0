"""Capacity, waiting lists, priority and initial state: small cases checked by hand, and M/M/c."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import assert_consistent, build, expo, fixed, iv

from model.simulation import run_replication, simulate


def one_run(sc):
    p, v, st = run_replication(sc, 0)
    assert_consistent(sc, p, v, st)
    return p, v, st


def starts(v: pd.DataFrame, name: str = "a") -> list[float]:
    return v.loc[v["intervention"] == name].sort_values("participant_id")["start_month"].tolist()


# ---------------------------------------------------------------- capacity changes


CAPACITY_CASES = {
    "places": ({"places": 2}, [{"month": 1.5, "places": 4}]),
    "staff": ({"staff_fte": 1.0, "caseload_per_fte": 2}, [{"month": 1.5, "staff_fte": 2.0}]),
    # 0.9 FTE × 2.5 = 2.25 → 2 places; 1.6 × 2.5 = 4 places
    "staff_fractional": ({"staff_fte": 0.9, "caseload_per_fte": 2.5},
                         [{"month": 1.5, "staff_fte": 1.6}]),
}


@pytest.mark.parametrize("case", sorted(CAPACITY_CASES))
def test_capacity_rise(case):
    """2 places, 1-month stays, 5 people at month 0; 4 places from month 1.5.

    By hand: #0 and #1 start at 0; at 1 they leave and #2, #3 start; #4 waits until the change
    at 1.5 frees two more places. Exits at 1, 1, 2, 2, 2.5.
    """
    capacity, changes = CAPACITY_CASES[case]
    sc = build([iv("a", fixed(1), {"arbete": 1.0}, capacity=capacity, capacity_changes=changes)],
               intake={"cohort": {"n": 5}})
    p, v, st = one_run(sc)
    assert starts(v) == [0, 0, 1, 1, 1.5]
    assert p["exit_month"].tolist() == [1, 1, 2, 2, 2.5]
    assert p["months_waiting"].tolist() == [0, 0, 1, 1, 1.5]
    row = st.iloc[0]
    assert row["end_month"] == 2.5
    assert row["starts"] == 5
    # place-months: 2 places for 1.5 months, then 4 places for 1 month
    assert row["capacity_months"] == pytest.approx(2 * 1.5 + 4 * 1.0)
    assert row["busy_months"] == pytest.approx(5.0)
    assert row["utilisation"] == pytest.approx(5.0 / 7.0)
    assert row["mean_waiting"] == pytest.approx((1 + 1 + 1.5) / 2.5)


def test_capacity_cut_lets_current_participants_finish():
    """3 places cut to 1 at month 0.5: the three in service finish; then one at a time."""
    sc = build([iv("a", fixed(1), {"arbete": 1.0}, capacity={"places": 3},
                   capacity_changes=[{"month": 0.5, "places": 1}])],
               intake={"cohort": {"n": 5}})
    p, v, _ = one_run(sc)
    assert starts(v) == [0, 0, 0, 1, 2]
    assert p["exit_month"].tolist() == [1, 1, 1, 2, 3]


def test_capacity_from_zero():
    """No places until month 2 (staff not yet hired); then 1 FTE × caseload 3."""
    sc = build([iv("a", fixed(1), {"arbete": 1.0},
                   capacity={"staff_fte": 0, "caseload_per_fte": 3},
                   capacity_changes=[{"month": 2, "staff_fte": 1}])],
               intake={"cohort": {"n": 4}})
    _, v, _ = one_run(sc)
    assert starts(v) == [2, 2, 2, 3]


# ---------------------------------------------------------------- waiting list


def test_max_wait_leaves_the_list_at_the_exact_month():
    """1 place, 2-month stays, 3 people at 0, max wait 2.5 months.

    #0 is served 0-2; #1 waits 2 months (< 2.5) and is served 2-4; #2 would start at 4 but
    leaves the list at 2.5 for the on_timeout exit state.
    """
    sc = build([iv("a", fixed(2), {"arbete": 1.0}, capacity={"places": 1},
                   waiting_list={"max_wait_months": 2.5, "on_timeout": "gav_upp"})],
               intake={"cohort": {"n": 3}},
               exits={"arbete": "work", "gav_upp": "other"})
    p, v, st = one_run(sc)
    assert v["kind"].tolist() == ["served", "served", "left_waiting_list"]
    assert v["next"].tolist() == ["arbete", "arbete", "gav_upp"]
    left = v.iloc[2]
    assert left["queued_month"] == 0 and math.isnan(left["start_month"])
    assert left["end_month"] == 2.5
    assert p["exit_state"].tolist() == ["arbete", "arbete", "gav_upp"]
    assert p["exit_category"].tolist() == ["work", "work", "other"]
    assert p["exit_month"].tolist() == [2, 4, 2.5]
    assert p["months_waiting"].tolist() == [0, 2, 2.5]
    assert p["months_in_a"].tolist() == [2, 2, 0]
    assert st.iloc[0]["starts"] == 2


def test_max_wait_after_a_first_intervention():
    """The wait is counted from joining this list, not from arrival in the programme."""
    sc = build([
        iv("intro", fixed(1), {"a": 1.0}),
        iv("a", fixed(3), {"arbete": 1.0}, capacity={"places": 1},
           waiting_list={"max_wait_months": 1, "on_timeout": "gav_upp"}),
    ], intake={"cohort": {"n": 2}}, exits={"arbete": "work", "gav_upp": "other"})
    p, v, _ = one_run(sc)
    assert p["exit_state"].tolist() == ["arbete", "gav_upp"]
    assert v["kind"].tolist() == ["served", "served", "served", "left_waiting_list"]
    assert v["queued_month"].tolist() == [0, 1, 0, 1]
    assert p["exit_month"].tolist() == [4, 2]
    assert p["last_intervention"].tolist() == ["a", "a"]
    assert p["n_visits"].tolist() == [2, 2]


def test_waiting_at_the_horizon_counts_the_wait_so_far():
    """At a horizon, someone still waiting has waited from queueing until the horizon."""
    sc = build([iv("a", fixed(5), {"arbete": 1.0}, capacity={"places": 1})],
               intake={"cohort": {"n": 2}}, horizon=3)
    p, v, _ = one_run(sc)
    assert p["status"].tolist() == ["in_intervention", "waiting"]
    assert v["kind"].tolist() == ["ongoing", "waiting"]
    assert p["months_waiting"].tolist() == [0, 3]
    assert p["months_in_a"].tolist() == [3, 0]
    assert p["months_in_programme"].tolist() == [3, 3]


def test_run_without_horizon_ends_when_the_last_participant_leaves():
    """Not when the event queue runs dry: #1 is served at 1 and leaves at 2, while their
    maximum-wait timer (5 months from queueing at 0) and a capacity change at month 9 are still
    pending. The run, and the station table, end at 2 (place-months 2, utilisation 1)."""
    sc = build([iv("a", fixed(1), {"arbete": 1.0}, capacity={"places": 1},
                   capacity_changes=[{"month": 9, "places": 3}],
                   waiting_list={"max_wait_months": 5, "on_timeout": "annat"})],
               intake={"cohort": {"n": 2}})
    p, _, st = one_run(sc)
    assert p["exit_month"].tolist() == [1, 2]
    row = st.iloc[0]
    assert row["end_month"] == 2
    assert row["capacity_months"] == 2
    assert row["utilisation"] == 1
    assert row["mean_in_service"] == 1
    assert row["mean_waiting"] == pytest.approx(0.5)


def test_run_without_horizon_waits_for_late_intake():
    """Everyone has left by month 1, but a cohort is due at month 4: the run goes on to 5."""
    sc = build([iv("a", fixed(1), {"arbete": 1.0})],
               intake={"cohort": {"n": 1, "month": 4}},
               initial_state=[{"intervention": "a", "in_service": 1}])
    p, _, st = one_run(sc)
    assert p["exit_month"].tolist() == [1, 5]
    assert (st["end_month"] == 5).all()


# ---------------------------------------------------------------- priority


@pytest.mark.parametrize("attribute", ["target_group", "referral"])
def test_priority_serves_the_first_level_first(attribute):
    """1 place, 1-month stays, 30 people at 0; the level listed first is served first, FIFO within."""
    levels = {"ung": 0.5, "vuxen": 0.5}
    extra = ({"population": {"target_group": levels}} if attribute == "target_group"
             else {})
    intake = {"cohort": {"n": 30}}
    if attribute == "referral":
        intake["referral_sources"] = levels
    sc = build([iv("a", fixed(1), {"arbete": 1.0}, capacity={"places": 1},
                   waiting_list={"priority": {"attribute": attribute, "order": ["vuxen", "ung"]}})],
               intake=intake, **extra)
    p, v, _ = one_run(sc)
    df = p[["participant_id", attribute]].assign(start=starts(v))
    assert df["start"].tolist()[0] == 0  # the first arrival finds the place free
    assert sorted(df["start"]) == list(range(30))
    waited = df.iloc[1:].sort_values("start")
    n_vuxen = int((waited[attribute] == "vuxen").sum())
    assert 0 < n_vuxen < len(waited)
    assert (waited[attribute].iloc[:n_vuxen] == "vuxen").all()
    for _, g in waited.groupby(attribute):
        assert g["participant_id"].is_monotonic_increasing


def test_unlisted_priority_level_comes_last():
    sc = build([iv("a", fixed(1), {"arbete": 1.0}, capacity={"places": 1},
                   waiting_list={"priority": {"attribute": "sex", "order": ["kvinna"]}})],
               intake={"cohort": {"n": 20}},
               population={"sex": {"kvinna": 0.4, "man": 0.4, "annat": 0.2}})
    p, v, _ = one_run(sc)
    waited = p.assign(start=starts(v)).iloc[1:].sort_values("start")
    rank = (waited["sex"] != "kvinna").astype(int).to_numpy()
    assert (np.diff(rank) >= 0).all()


# ---------------------------------------------------------------- initial state


def test_initial_state_waiting_and_in_service():
    """2 places; at month 0, 2 already in service and 3 waiting; a cohort of 1 arrives at 0.

    By hand (1-month stays): in service 0-1; the three waiting start at 1, 1, 2; the newcomer
    queues behind them and starts at 2.
    """
    sc = build([iv("a", fixed(1), {"arbete": 1.0}, capacity={"places": 2})],
               intake={"cohort": {"n": 1}},
               initial_state=[{"intervention": "a", "waiting": 3, "in_service": 2}])
    p, v, st = one_run(sc)
    assert p["initial"].tolist() == [True] * 5 + [False]
    assert (p["arrival_month"] == 0).all()
    assert starts(v) == [0, 0, 1, 1, 2, 2]
    assert p["exit_month"].tolist() == [1, 1, 2, 2, 3, 3]
    assert st.iloc[0]["starts"] == 6


def test_initial_in_service_above_capacity():
    """Already in service beyond the places: they stay; newcomers wait until a place is free."""
    sc = build([iv("a", fixed(2), {"arbete": 1.0}, capacity={"places": 1}),
                iv("b", fixed(1), {"a": 1.0})],
               intake={"cohort": {"n": 1}}, entry="b",
               initial_state=[{"intervention": "a", "in_service": 3}])
    p, v, _ = one_run(sc)
    # the cohort member finishes b at 1, waits for a until all three initial ones leave at 2
    new = v[v["participant_id"] == 3]
    assert new["start_month"].tolist() == [0, 2]
    assert p["exit_month"].tolist() == [2, 2, 2, 4]


# ---------------------------------------------------------------- M/M/c


def erlang_c_wait(lam: float, mu: float, c: int) -> float:
    """Mean wait in queue W_q of M/M/c (Erlang C).

    With a = λ/μ and ρ = a/c < 1, P(wait) = C(c, a) = [a^c/c! · c/(c−a)] /
    [Σ_{k<c} a^k/k! + a^c/c! · c/(c−a)], and W_q = C(c, a)/(cμ − λ)
    (Gross, Shortle, Thompson & Harris, Fundamentals of Queueing Theory, 4th ed., §2.3).
    """
    a = lam / mu
    top = a**c / math.factorial(c) * c / (c - a)
    prob_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return prob_wait / (c * mu - lam)


def test_erlang_c_textbook_value():
    """The textbook value, and the engine reproducing it.

    The formula: M/M/2 with a = λ/μ = 1 gives C(2, 1) = (1/2 · 2) / (1 + 1 + 1) = 1/3, so
    P(wait) = 1/3 and W_q = (1/3) / (2 − 1) = 1/3; M/M/1 at ρ = 0.5: W_q = ρ/(μ − λ) = 1.

    The engine on that M/M/2 queue (λ = 1 arrival a month, exponential stays of mean 1 month, 2
    places): the share of participants who wait at all and their mean wait must be within 4
    standard errors of 1/3. Each replication runs arrivals for 50 + 400 months, lets everyone
    finish (nothing censored) and drops the first 50 months (warm-up from empty); waits are
    autocorrelated, so the SE comes from the 40 independent replication means, as in the M/M/3
    test below. A queue that served one place, or let nobody wait, is far outside.
    """
    assert erlang_c_wait(1.0, 1.0, 2) == pytest.approx(1 / 3)
    assert erlang_c_wait(0.5, 1.0, 1) == pytest.approx(1.0)  # M/M/1: ρ/(μ−λ) = 0.5/0.5
    warmup, length, reps = 50.0, 400.0, 40
    sc = build([iv("a", expo(1.0), {"arbete": 1.0}, capacity={"places": 2})],
               intake={"stream": {"rate_per_month": 1.0, "end_month": warmup + length}},
               exits={"arbete": "work"})
    p = simulate(sc, replications=reps, seed=77, workers=2).participants
    assert (p["status"] == "exited").all()
    kept = p[p["arrival_month"] >= warmup]
    by_rep = kept.groupby("rep")
    for values in (by_rep["months_waiting"].apply(lambda w: (w > 0).mean()),
                   by_rep["months_waiting"].mean()):
        assert len(values) == reps
        se = values.std(ddof=1) / math.sqrt(reps)
        assert abs(values.mean() - 1 / 3) < 4 * se, (values.mean(), se)
        assert se < 0.05  # small enough for the comparison to mean something


def test_mmc_mean_wait_matches_erlang_c():
    """M/M/3 at utilisation 0.8: mean wait in queue within 4 standard errors of Erlang C.

    λ = 2.4 arrivals/month (Poisson stream), exponential stays with mean 1 month, c = 3 places:
    ρ = λ/(cμ) = 0.8 and W_q = 1.0787 months. Each replication runs arrivals for 50 + 1000
    months and then lets everyone finish (no horizon, so no wait is censored); participants who
    arrive in the first 50 months (warm-up from an empty system) are discarded.

    Successive waits are strongly autocorrelated, so the SE is not sd/sqrt(participants): each
    replication gives one mean wait, replications are independent (own random streams), and
    SE = sd(replication means)/sqrt(R). 4 SE: a false failure has probability ~6e-5.
    """
    lam, mean_stay, c, warmup, length, reps = 2.4, 1.0, 3, 50.0, 1000.0, 96
    assert lam * mean_stay / c == pytest.approx(0.8)
    sc = build([iv("a", expo(mean_stay), {"arbete": 1.0}, capacity={"places": c})],
               intake={"stream": {"rate_per_month": lam, "end_month": warmup + length}},
               exits={"arbete": "work"})
    run = simulate(sc, replications=reps, seed=2024, workers=2)
    p = run.participants
    assert (p["status"] == "exited").all()
    kept = p[p["arrival_month"] >= warmup]
    per_rep = kept.groupby("rep")["months_waiting"].mean()
    assert len(per_rep) == reps
    est, se = per_rep.mean(), per_rep.std(ddof=1) / math.sqrt(reps)
    exact = erlang_c_wait(lam, 1.0 / mean_stay, c)
    assert exact == pytest.approx(1.0787, abs=1e-4)
    assert abs(est - exact) < 4 * se, (est, se, exact)
    # the SE is small enough for the comparison to mean something (< 5 % of W_q)
    assert se < 0.05 * exact
    # utilisation over the whole run is close to 0.8 (loose: includes warm-up and drain)
    assert run.stations["utilisation"].mean() == pytest.approx(0.8, abs=0.03)
