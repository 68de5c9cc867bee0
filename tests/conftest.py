"""Helpers shared by the engine tests: scenario builders and the table-consistency checker.

Scenarios are built as plain dicts and validated with `parse_scenario`, so every test scenario
passes the same checks a planner's YAML file does.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

from model.scenario import Scenario, parse_scenario

# Property tests (Hypothesis) run derandomised: the examples are fixed, so CI's verdict never
# depends on the draw. `pytest -m fresh_examples` (tests/test_fresh_examples.py) reruns them on
# fresh random examples, with the profile named by INSATS_HYPOTHESIS_PROFILE=fresh.
settings.register_profile("derandomised", derandomize=True)
settings.register_profile("fresh", derandomize=False, database=None)
settings.load_profile(os.environ.get("INSATS_HYPOTHESIS_PROFILE", "derandomised"))

# `insats` in a child process as a terminal starts it (the console script's `main`), Ctrl-C
# raising KeyboardInterrupt: a child inherits an ignored SIGINT from a test run started in the
# background (`cmd &` without job control, as some CI shells do), and Python then keeps ignoring it
CLI_AS_FROM_A_TERMINAL = ("import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                          "from cli import main; main()")

# Files whose tests send signals, take folder locks or race processes against each other: their
# timing is what they test, so `make test` runs them after the rest, with no other test worker
# taking the cores beside them (marker `alone`; under load, two sweeps started together once
# both lost the race, and a stopped pool's manager thread printed a traceback)
ALONE_FILES = {"test_output_safety.py", "test_sweep_integrity.py", "test_small_things.py",
               "test_no_data_loss.py", "test_sweep.py", "test_dask.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in ALONE_FILES:
            item.add_marker(pytest.mark.alone)


STATUSES = {"exited", "waiting", "in_intervention"}
ENDED_KINDS = {"served", "dropped_out", "transferred", "left_waiting_list"}
ATTRIBUTE_COLUMNS = ["sex", "born", "age_band", "target_group", "referral"]
TOL = 1e-9


def fixed(months: float) -> dict[str, Any]:
    return {"dist": "fixed", "months": months}


def expo(mean: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean": mean}


def iv(name: str, duration: dict[str, Any], routing: dict[str, float],
       **extra: Any) -> dict[str, Any]:
    """One intervention as a raw mapping (extra keys: capacity, waiting_list, exit_hazards...)."""
    return {"name": name, "duration": duration, "routing": routing, **extra}


def build(interventions: list[dict[str, Any]], intake: dict[str, Any] | None = None,
          entry: str | dict[str, float] | None = None,
          exits: dict[str, str] | None = None, horizon: float | None = None,
          name: str = "test", **extra: Any) -> Scenario:
    """Validate a scenario from its parts; defaults: a cohort of 10, entry into the first one."""
    raw: dict[str, Any] = {
        "name": name,
        "simulation": {"horizon_months": horizon},
        "intake": intake or {"cohort": {"n": 10}},
        "entry": entry or interventions[0]["name"],
        "interventions": interventions,
        "exit_states": {k: {"category": c}
                        for k, c in (exits or {"arbete": "work", "annat": "other"}).items()},
        **extra,
    }
    return parse_scenario(raw)


def months_columns(sc: Scenario) -> list[str]:
    return [f"months_in_{n}" for n in sc.names]


def capacity_at(sc: Scenario, name: str, t: float) -> float:
    """Places of an intervention in force at month t (after any change at t)."""
    iv_ = sc.intervention(name)
    if iv_.capacity is None:
        return math.inf
    slots = iv_.capacity.slots()
    for ch in sorted(iv_.capacity_changes, key=lambda c: c.month):
        if ch.month <= t:
            slots = ch.places if ch.places is not None else iv_.capacity.slots(ch.staff_fte)
    return slots


def max_concurrent(starts: np.ndarray, ends: np.ndarray) -> int:
    """Most half-open intervals [start, end) covering one point (end NaN: still going)."""
    ends = np.where(np.isnan(ends), np.inf, ends)
    keep = ends > starts
    events = sorted([(s, 1) for s in starts[keep]] + [(e, -1) for e in ends[keep]],
                    key=lambda x: (x[0], x[1]))  # at a tie, leaving comes before starting
    best = cur = 0
    for _, step in events:
        cur += step
        best = max(best, cur)
    return best


def assert_consistent(sc: Scenario, people: pd.DataFrame, visits: pd.DataFrame,
                      stations: pd.DataFrame) -> None:
    """Every participant is accounted for, and the three tables tell the same story.

    Checks statuses against the last visit of each participant, the visit chain (each visit ends
    where the next begins), time order, time conservation (months in the programme = waiting +
    service), station counts against the visit log, and that no capacity is exceeded when it is
    constant and nobody started the run already in service.
    """
    exits = set(sc.exit_states)
    names = set(sc.names)
    end_of = stations.groupby("rep")["end_month"].first()
    assert stations["end_month"].eq(stations["rep"].map(end_of)).all()

    # numeric columns are numeric, even when a replication had nobody in it
    for col in ["arrival_month", "exit_month", "months_in_programme", "months_waiting",
                *months_columns(sc)]:
        assert pd.api.types.is_float_dtype(people[col]), col
    for col in ["participant_id", "n_visits"]:
        assert pd.api.types.is_integer_dtype(people[col]), col
    for col in ["queued_month", "start_month", "end_month"]:
        assert pd.api.types.is_float_dtype(visits[col]), col
    for col in ["rep", "participant_id", "visit"]:
        assert pd.api.types.is_integer_dtype(visits[col]), col

    # every participant once, numbered 0..n-1 in arrival order, with a known status
    assert not people.duplicated(["rep", "participant_id"]).any()
    for _, g in people.groupby("rep"):
        assert list(g["participant_id"]) == list(range(len(g)))
        assert g["arrival_month"].is_monotonic_increasing
    assert set(people["status"]) <= STATUSES
    counts = people["status"].value_counts()
    assert counts.sum() == len(people)

    # every participant has visits, and every visit belongs to a participant
    pk = set(zip(people["rep"], people["participant_id"], strict=True))
    vk = set(zip(visits["rep"], visits["participant_id"], strict=True))
    assert pk == vk
    assert set(visits["intervention"]) <= names
    assert set(visits["kind"]) <= ENDED_KINDS | {"waiting", "ongoing"}

    v = visits.sort_values(["rep", "participant_id", "visit"]).reset_index(drop=True)
    by = v.groupby(["rep", "participant_id"], sort=False)
    assert (by.cumcount() == v["visit"]).all()
    rep_end = v["rep"].map(end_of).to_numpy()

    # time order within each visit
    q, s, e = v["queued_month"].to_numpy(), v["start_month"].to_numpy(), v["end_month"].to_numpy()
    assert (q >= 0).all()
    assert (q <= rep_end + TOL).all()
    started = ~np.isnan(s)
    assert (s[started] >= q[started] - TOL).all()
    assert (e[started & ~np.isnan(e)] >= s[started & ~np.isnan(e)] - TOL).all()
    assert (e[~np.isnan(e)] <= rep_end[~np.isnan(e)] + TOL).all()

    # kinds against times and destinations
    kind, nxt = v["kind"].to_numpy(), v["next"].to_numpy()
    is_wait, is_ongoing = kind == "waiting", kind == "ongoing"
    assert np.isnan(s[is_wait]).all() and np.isnan(e[is_wait]).all()
    assert started[is_ongoing].all() and np.isnan(e[is_ongoing]).all()
    assert pd.isna(nxt[is_wait | is_ongoing]).all()
    ended = np.isin(kind, list(ENDED_KINDS))
    assert (~np.isnan(e[ended])).all()
    left = kind == "left_waiting_list"
    assert np.isnan(s[left]).all()
    for k in np.flatnonzero(left):
        wl = sc.intervention(v.at[k, "intervention"]).waiting_list
        assert wl is not None and wl.on_timeout == nxt[k]
        assert math.isclose(e[k] - q[k], wl.max_wait_months, abs_tol=1e-7)
    assert started[np.isin(kind, ["served", "dropped_out", "transferred"])].all()
    assert set(nxt[kind == "dropped_out"]) <= exits
    assert set(nxt[kind == "transferred"]) <= names
    assert set(nxt[kind == "served"]) <= names | exits

    # the chain: each visit but the last ends where the next one is queued
    is_last = ~v.duplicated(["rep", "participant_id"], keep="last").to_numpy()
    inner = np.flatnonzero(~is_last)
    assert ended[inner].all()
    assert (nxt[inner] == v["intervention"].to_numpy()[inner + 1]).all()
    assert np.allclose(e[inner], q[inner + 1], rtol=0, atol=TOL)

    # status against the last visit
    last = v[is_last].set_index(["rep", "participant_id"])
    p = people.set_index(["rep", "participant_id"]).loc[last.index]
    expected_kind = {"waiting": {"waiting"}, "in_intervention": {"ongoing"},
                     "exited": ENDED_KINDS - {"transferred"}}
    for status, kinds in expected_kind.items():
        assert last.loc[p["status"] == status, "kind"].isin(kinds).all(), status
    gone = p["status"] == "exited"
    assert last.loc[gone, "next"].isin(exits).all()
    assert (last.loc[gone, "next"] == p.loc[gone, "exit_state"]).all()
    assert np.allclose(last.loc[gone, "end_month"], p.loc[gone, "exit_month"], rtol=0, atol=TOL)
    assert p.loc[gone, "exit_category"].eq(
        p.loc[gone, "exit_state"].map({k: x.category for k, x in sc.exit_states.items()})).all()
    assert p.loc[~gone, "exit_state"].isna().all()
    assert p.loc[~gone, "exit_month"].isna().all()
    assert p.loc[~gone, "exit_category"].isna().all()
    assert (p["last_intervention"] == last["intervention"]).all()
    assert (p["n_visits"] == by.size().loc[last.index]).all()
    first = v[v["visit"] == 0].set_index(["rep", "participant_id"])
    assert np.allclose(first["queued_month"], p.loc[first.index, "arrival_month"], atol=TOL)

    # months: no negatives, per-visit sums, and time conservation for everyone
    mcols = months_columns(sc)
    people_rep_end = people["rep"].map(end_of)
    assert (people[["arrival_month", "months_in_programme", "months_waiting", *mcols]]
            >= -TOL).all().all()
    assert (people["arrival_month"] <= people_rep_end + TOL).all()
    assert (people["exit_month"].dropna() <= people_rep_end[people["exit_month"].notna()]
            + TOL).all()
    wait = np.where(started, s, np.where(np.isnan(e), rep_end, e)) - q
    serve = np.where(started, np.where(np.isnan(e), rep_end, e) - s, 0.0)
    w = pd.DataFrame({"rep": v["rep"], "participant_id": v["participant_id"],
                      "intervention": v["intervention"], "wait": wait, "serve": serve})
    waits = w.groupby(["rep", "participant_id"])["wait"].sum()
    pi = people.set_index(["rep", "participant_id"])
    assert np.allclose(pi.loc[waits.index, "months_waiting"], waits, rtol=0, atol=1e-7)
    serve_by = w.pivot_table(index=["rep", "participant_id"], columns="intervention",
                             values="serve", aggfunc="sum").reindex(
        index=pi.index, columns=sc.names).fillna(0.0)
    assert np.allclose(pi[mcols].to_numpy(), serve_by.to_numpy(), rtol=0, atol=1e-7)
    total = people["months_waiting"] + people[mcols].sum(axis=1)
    assert np.allclose(people["months_in_programme"], total, rtol=0, atol=1e-7)

    # stations against the visit log
    st = stations.set_index(["rep", "intervention"])
    assert set(st.index) == {(r, n) for r in end_of.index for n in sc.names}
    starts = v[started].groupby(["rep", "intervention"]).size()
    assert (st["starts"] == starts.reindex(st.index, fill_value=0)).all()
    busy = w.groupby(["rep", "intervention"])["serve"].sum().reindex(st.index, fill_value=0.0)
    queue = w.groupby(["rep", "intervention"])["wait"].sum().reindex(st.index, fill_value=0.0)
    assert np.allclose(st["busy_months"], busy, rtol=1e-9, atol=1e-7)
    span = st.index.get_level_values("rep").map(end_of).to_numpy()
    pos = span > 0
    assert np.allclose(st["mean_in_service"].to_numpy()[pos] * span[pos], busy[pos],
                       rtol=1e-9, atol=1e-7)
    assert np.allclose(st["mean_waiting"].to_numpy()[pos] * span[pos], queue[pos],
                       rtol=1e-9, atol=1e-7)

    # capacity: never exceeded (constant capacity, nobody already in service at month 0)
    if not any(g.in_service for g in sc.initial_state):
        for (rep, name), g in v[started].groupby(["rep", "intervention"]):
            iv_ = sc.intervention(name)
            if iv_.capacity is None or iv_.capacity_changes:
                continue
            ends = g["end_month"].to_numpy(dtype=float)
            assert max_concurrent(g["start_month"].to_numpy(dtype=float), ends) <= \
                iv_.capacity.slots(), (rep, name)
            assert not st.at[(rep, name), "utilisation"] > 1 + 1e-9  # NaN if no time passed

    # FIFO where there is no priority: nobody queued later starts earlier
    for (_, name), g in v.groupby(["rep", "intervention"]):
        wl = sc.intervention(name).waiting_list
        if wl is not None and wl.priority is not None:
            continue
        g = g[g["kind"] != "left_waiting_list"].sort_values(["queued_month", "start_month"])
        done = g[g["start_month"].notna()]
        assert done["start_month"].is_monotonic_increasing, name
        still = g[g["start_month"].isna()]
        if len(done) and len(still):
            assert still["queued_month"].min() >= done["queued_month"].max() - TOL
