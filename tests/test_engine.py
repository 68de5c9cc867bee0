"""The engine's bookkeeping: conservation, determinism, common random numbers and intake."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import ATTRIBUTE_COLUMNS, assert_consistent, build, expo, fixed, iv

from model.simulation import run_replication, simulate


def queue_network(horizon: float | None):
    """A stream into a capacitated intervention with a waiting list (max wait), a loop back."""
    return build(
        [
            iv("a", {"dist": "gamma", "mean": 1.0, "cv": 0.7}, {"b": 0.6, "arbete": 0.4},
               capacity={"places": 3},
               waiting_list={"max_wait_months": 1.5, "on_timeout": "gav_upp"},
               exit_hazards={"annat": 0.1, "b": 0.2}),
            iv("b", expo(0.8), {"a": 0.3, "arbete": 0.4, "annat": 0.3},
               exit_hazards={"arbete": 0.2}),
        ],
        intake={"stream": {"rate_per_month": 6.0, "end_month": 8.0}},
        exits={"arbete": "work", "annat": "other", "gav_upp": "other"},
        horizon=horizon,
    )


@pytest.fixture(scope="module")
def full_run():
    """The same network run until everyone has left (no horizon)."""
    return simulate(queue_network(None), replications=3, seed=11)


@pytest.mark.parametrize("horizon", [1.0, 3.0, 10.0, None])
def test_every_arrival_is_accounted_for(horizon, full_run):
    sc = queue_network(horizon)
    run = simulate(sc, replications=3, seed=11)
    p, v, st = run.participants, run.visits, run.stations
    assert len(p) > 0
    assert_consistent(sc, p, v, st)

    # exited + in an intervention + waiting = everyone who arrived
    counts = p["status"].value_counts()
    assert counts.reindex(["exited", "in_intervention", "waiting"], fill_value=0).sum() == len(p)
    if horizon is None:
        assert (p["status"] == "exited").all()
        last_exit = st["rep"].map(p.groupby("rep")["exit_month"].max())
        assert (st["end_month"] == last_exit).all()
    else:
        assert (st["end_month"] == horizon).all()
        assert (p["arrival_month"] < horizon).all()
        if horizon <= 3.0:
            # the stream is still running: some are inside, some are queueing
            assert (counts.get("in_intervention", 0) > 0) and (counts.get("waiting", 0) > 0)

    # a horizon only cuts the run short: the arrivals before it are those of the full run, and
    # whoever had left by then left the same way at the same month
    full = full_run.participants
    for rep in range(3):
        short = p[p["rep"] == rep].reset_index(drop=True)
        longer = full[full["rep"] == rep].reset_index(drop=True)
        if horizon is not None:
            assert len(short) == int((longer["arrival_month"] < horizon).sum())
        head = longer.iloc[: len(short)]
        cols = ["participant_id", *ATTRIBUTE_COLUMNS, "arrival_month"]
        pd.testing.assert_frame_equal(short[cols], head[cols])
        gone = short["status"] == "exited"
        pd.testing.assert_frame_equal(short.loc[gone, ["exit_state", "exit_month"]],
                                      head.loc[gone, ["exit_state", "exit_month"]],
                                      check_dtype=False)
    # (text columns are str when no value is missing, object otherwise: compare values only)
    ended = v[v["end_month"].notna()]
    key = ["rep", "participant_id", "visit"]
    merged = ended.merge(full_run.visits, on=key, suffixes=("", "_full"), validate="1:1")
    for col in ["intervention", "queued_month", "start_month", "end_month", "kind", "next"]:
        pd.testing.assert_series_equal(merged[col], merged[f"{col}_full"], check_names=False,
                                       check_dtype=False)


def test_waiting_list_timeouts_happen_in_the_conservation_network(full_run):
    """The conservation scenario really exercises the queue: timeouts, loops, early exits."""
    kinds = set(full_run.visits["kind"])
    assert {"served", "dropped_out", "transferred", "left_waiting_list"} <= kinds
    assert (full_run.participants["exit_state"] == "gav_upp").any()
    assert (full_run.participants["n_visits"] > 1).any()


# ---------------------------------------------------------------- determinism


def small_mixed(horizon: float | None = 12.0):
    return build(
        [
            iv("a", {"dist": "lognormal", "mean": 2.0, "cv": 0.5}, {"b": 0.5, "arbete": 0.5},
               capacity={"places": 2}, exit_hazards={"annat": 0.05}),
            iv("b", {"dist": "triangular", "low": 0.5, "mode": 1, "high": 3},
               {"a": 0.2, "arbete": 0.5, "annat": 0.3}),
        ],
        intake={"stream": {"rate_per_month": 3.0}, "cohort": {"n": 5}},
        population={"sex": {"kvinna": 0.5, "man": 0.5}, "born": {"sverige": 0.7, "utrikes": 0.3}},
        horizon=horizon,
    )


def test_same_seed_same_tables_on_one_or_two_workers():
    sc = small_mixed()
    one = simulate(sc, replications=4, seed=7, workers=1)
    two = simulate(sc, replications=4, seed=7, workers=2)
    again = simulate(sc, replications=4, seed=7, workers=1)
    for a, b in ((one, two), (one, again)):
        assert a.participants.equals(b.participants)
        assert a.visits.equals(b.visits)
        assert a.stations.equals(b.stations)
    assert one.replications == 4
    assert sorted(one.participants["rep"].unique()) == [0, 1, 2, 3]


def test_replication_is_independent_of_the_rest_of_the_run():
    """Replication 2 on its own is replication 2 of a 4-replication run."""
    sc = small_mixed()
    run = simulate(sc, replications=4, seed=7)
    p, v, _ = run_replication(sc, 2, seed=7)
    assert p.equals(run.participants[run.participants["rep"] == 2].reset_index(drop=True))
    assert v.equals(run.visits[run.visits["rep"] == 2].reset_index(drop=True))


def test_different_seed_different_tables():
    sc = small_mixed()
    a = simulate(sc, replications=2, seed=7)
    b = simulate(sc, replications=2, seed=8)
    assert not a.participants.equals(b.participants)
    assert not a.visits.equals(b.visits)
    assert not np.array_equal(a.participants["arrival_month"].to_numpy()[:10],
                              b.participants["arrival_month"].to_numpy()[:10])
    # and replications within one run differ from each other
    p = a.participants
    assert not np.array_equal(p.loc[p["rep"] == 0, "arrival_month"].to_numpy()[5:15],
                              p.loc[p["rep"] == 1, "arrival_month"].to_numpy()[5:15])


# ---------------------------------------------------------------- common random numbers


def test_common_random_numbers_same_participants_in_two_programmes():
    """Two programmes with the same intake and population meet the same people on one seed."""
    intake = {"stream": {"rate_per_month": 4.0, "end_month": 10},
              "groups": {"size": 3, "every_months": 2.0, "end_month": 9},
              "pauses": [{"start_month": 4, "end_month": 5}],
              "referral_sources": {"af": 0.6, "kommun": 0.4}}
    population = {"sex": {"kvinna": 0.45, "man": 0.55}, "born": {"sverige": 0.6, "utrikes": 0.4},
                  "age_band": {"16-24": 0.3, "25-64": 0.7},
                  "target_group": {"fa": 0.5, "ekbist": 0.5}}
    plain = build([iv("a", fixed(1), {"arbete": 1.0})], intake=intake, population=population,
                  horizon=14, name="plain")
    other = build(
        [
            iv("x", {"dist": "gamma", "mean": 5, "cv": 1.2}, {"y": 0.7, "annat": 0.3},
               capacity={"places": 2}, waiting_list={"max_wait_months": 2, "on_timeout": "annat"},
               exit_hazards={"arbete": 0.3}),
            iv("y", {"dist": "empirical", "values": [1, 2, 8]}, {"x": 0.5, "arbete": 0.5}),
        ],
        intake=intake, population=population, horizon=14, name="other",
        entry={"x": 0.8, "y": 0.2},
    )
    a = simulate(plain, replications=3, seed=99).participants
    b = simulate(other, replications=3, seed=99).participants
    cols = ["rep", "participant_id", *ATTRIBUTE_COLUMNS, "arrival_month", "initial"]
    assert len(a) > 50
    pd.testing.assert_frame_equal(a[cols], b[cols])
    # the programmes really differ in what happens to those people
    assert not a["exit_state"].equals(b["exit_state"])
    # and another seed gives other people
    c = simulate(plain, replications=3, seed=100).participants
    assert not c[cols].equals(a[cols])


# ---------------------------------------------------------------- intake, by hand


def arrivals(intake: dict, horizon: float | None = None, months: float = 1.0) -> pd.DataFrame:
    sc = build([iv("a", fixed(months), {"arbete": 1.0})], intake=intake, horizon=horizon)
    p, v, st = run_replication(sc, 0)
    assert_consistent(sc, p, v, st)
    return p


def test_group_intake_with_pause():
    """Groups of 10 every 0.5 months from 0 until 2, paused in [1, 1.5): 0, 0.5 and 1.5."""
    p = arrivals({"groups": {"size": 10, "every_months": 0.5, "end_month": 2},
                  "pauses": [{"start_month": 1, "end_month": 1.5}]})
    assert p["arrival_month"].value_counts().sort_index().to_dict() == {0.0: 10, 0.5: 10,
                                                                        1.5: 10}
    assert (p["status"] == "exited").all()
    assert np.allclose(p["exit_month"], p["arrival_month"] + 1)


def test_group_intake_capped_by_max_participants():
    p = arrivals({"groups": {"size": 10, "every_months": 0.5, "end_month": 2},
                  "pauses": [{"start_month": 1, "end_month": 1.5}], "max_participants": 25})
    assert p["arrival_month"].value_counts().sort_index().to_dict() == {0.0: 10, 0.5: 10,
                                                                        1.5: 5}


def test_group_intake_with_start_and_horizon():
    """From month 1 every 2 months with no end; a horizon of 7 excludes the group due at 7."""
    p = arrivals({"groups": {"size": 2, "every_months": 2, "start_month": 1}}, horizon=7,
                 months=2.5)
    assert p["arrival_month"].tolist() == [1, 1, 3, 3, 5, 5]
    assert p.loc[p["arrival_month"] == 5, "status"].eq("in_intervention").all()
    assert p.loc[p["arrival_month"] < 5, "status"].eq("exited").all()


def test_cohort_at_month_three():
    p = arrivals({"cohort": {"n": 7, "month": 3}})
    assert len(p) == 7
    assert (p["arrival_month"] == 3).all()
    assert (p["exit_month"] == 4).all()
    assert (p["months_in_programme"] == 1).all()


def test_cohort_cap_counts_arrivals_from_all_sources():
    p = arrivals({"cohort": {"n": 4}, "groups": {"size": 3, "every_months": 1, "end_month": 5},
                  "max_participants": 9})
    # cohort of 4 and the first group of 3 both arrive at 0; then 2 of the group at month 1
    assert len(p) == 9
    assert p["arrival_month"].value_counts().sort_index().to_dict() == {0.0: 7, 1.0: 2}


def test_stream_respects_window_pause_and_cap():
    p = arrivals({"stream": {"rate_per_month": 20, "start_month": 2, "end_month": 6},
                  "pauses": [{"start_month": 3, "end_month": 4}]})
    t = p["arrival_month"]
    assert len(p) > 40
    assert (t > 2).all() and (t < 6).all()
    assert not ((t >= 3) & (t < 4)).any()
    capped = arrivals({"stream": {"rate_per_month": 20, "start_month": 2, "end_month": 6},
                       "pauses": [{"start_month": 3, "end_month": 4}], "max_participants": 15})
    assert capped["arrival_month"].tolist() == t.tolist()[:15]


def test_stream_rate_matches_poisson_count():
    """Arrivals over 10 months at 5/month: 50 expected; mean over 40 reps within 4 SE."""
    sc = build([iv("a", fixed(0.1), {"arbete": 1.0})],
               intake={"stream": {"rate_per_month": 5.0, "end_month": 10}})
    n = simulate(sc, replications=40, seed=3).participants.groupby("rep").size()
    se = np.sqrt(50 / 40)  # Poisson variance 50 per replication
    assert abs(n.mean() - 50) < 4 * se
