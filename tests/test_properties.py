"""Property-based tests: invariants that hold for any valid scenario (hypothesis)."""

from __future__ import annotations

from typing import Any

import numpy as np
from conftest import assert_consistent, months_columns
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from model.results import outcome_metrics
from model.scenario import parse_scenario
from model.simulation import simulate

EXIT_NAMES = ["arbete", "studier", "annat"]
SEXES = ["kvinna", "man"]


def tenths(lo: int, hi: int) -> st.SearchStrategy[float]:
    """Round numbers lo/10 ... hi/10: sane scenarios that shrink to readable ones."""
    return st.integers(lo, hi).map(lambda k: k / 10)


@st.composite
def durations(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["fixed", "exponential", "gamma", "lognormal", "triangular",
                                 "uniform", "empirical"]))
    if kind == "fixed":
        return {"dist": "fixed", "months": draw(tenths(0, 30))}
    if kind == "exponential":
        return {"dist": "exponential", "mean": draw(tenths(1, 30))}
    if kind in ("gamma", "lognormal"):
        return {"dist": kind, "mean": draw(tenths(1, 30)), "cv": draw(tenths(1, 20))}
    if kind == "triangular":
        a, b, c = sorted(draw(st.lists(tenths(0, 40), min_size=3, max_size=3)))
        if a == c:
            c = a + 0.5
        return {"dist": "triangular", "low": a, "mode": b, "high": c}
    if kind == "uniform":
        lo, width = draw(tenths(0, 20)), draw(tenths(1, 20))
        return {"dist": "uniform", "low": lo, "high": lo + width}
    values = draw(st.lists(tenths(0, 40), min_size=1, max_size=4))
    out: dict[str, Any] = {"dist": "empirical", "values": values}
    if draw(st.booleans()):
        w = draw(st.lists(st.integers(0, 3), min_size=len(values), max_size=len(values)))
        out["weights"] = [x if sum(w) else 1 for x in w]
    return out


def shares(draw: st.DrawFn, required: list[str], optional: list[str]) -> dict[str, float]:
    """Random shares over `required` (each > 0) and any of `optional` (each >= 0), summing to 1."""
    extra = draw(st.lists(st.sampled_from(optional), unique=True, max_size=3)) if optional else []
    dests = list(dict.fromkeys([*required, *extra]))
    weights = [draw(st.integers(1, 5)) if d in required else draw(st.integers(0, 5))
               for d in dests]
    total = sum(weights)
    return {d: w / total for d, w in zip(dests, weights, strict=True)}


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A random valid scenario: 1–4 interventions, each with a way out, all reachable."""
    n = draw(st.integers(1, 4))
    names = [f"i{k}" for k in range(n)]
    places = names + EXIT_NAMES
    # every intervention after the first is fed by an earlier one, so all are reachable
    feeds: dict[str, list[str]] = {m: [] for m in names}
    for k in range(1, n):
        feeds[names[draw(st.integers(0, k - 1))]].append(names[k])
    ivs = []
    for name in names:
        # a positive share to some exit state in the routing: there is always a way out
        way_out = draw(st.sampled_from(EXIT_NAMES))
        item: dict[str, Any] = {
            "name": name,
            "duration": draw(durations()),
            "routing": shares(draw, [way_out, *feeds[name]], places),
        }
        if draw(st.booleans()):
            to = draw(st.lists(st.sampled_from([p for p in places if p != name]), unique=True,
                               min_size=1, max_size=2))
            item["exit_hazards"] = {d: draw(tenths(0, 6)) for d in to}
        if draw(st.booleans()):
            if draw(st.booleans()):
                item["capacity"] = {"places": draw(st.integers(1, 3))}
                if draw(st.booleans()):
                    item["capacity_changes"] = [{"month": draw(tenths(1, 60)),
                                                 "places": draw(st.integers(0, 4))}]
            else:
                item["capacity"] = {"staff_fte": draw(tenths(5, 20)), "caseload_per_fte": 2}
            wl: dict[str, Any] = {}
            if draw(st.booleans()):
                wl["max_wait_months"] = draw(tenths(1, 30))
                wl["on_timeout"] = draw(st.sampled_from(EXIT_NAMES))
            if draw(st.booleans()):
                wl["priority"] = {"attribute": "sex",
                                  "order": draw(st.permutations(SEXES))[: draw(st.integers(1, 2))]}
            if wl or draw(st.booleans()):
                item["waiting_list"] = wl
        ivs.append(item)

    intake: dict[str, Any] = {}
    sources = draw(st.sets(st.sampled_from(["cohort", "stream", "groups"]), min_size=1))
    if "cohort" in sources:
        intake["cohort"] = {"n": draw(st.integers(1, 12)), "month": draw(tenths(0, 30))}
    if "stream" in sources:
        intake["stream"] = {"rate_per_month": draw(tenths(5, 40)),
                            "start_month": draw(tenths(0, 20)),
                            "end_month": draw(tenths(25, 80))}
    if "groups" in sources:
        intake["groups"] = {"size": draw(st.integers(1, 4)),
                            "every_months": draw(tenths(5, 20)),
                            "end_month": draw(tenths(1, 60))}
    if draw(st.booleans()):
        start = draw(tenths(0, 40))
        intake["pauses"] = [{"start_month": start, "end_month": start + draw(tenths(1, 20))}]
    if draw(st.booleans()):
        intake["max_participants"] = draw(st.integers(1, 20))

    population: dict[str, Any] = {"sex": shares(draw, SEXES, [])}
    if draw(st.booleans()):
        target = draw(st.sampled_from(names))
        way_out = draw(st.sampled_from(EXIT_NAMES))
        ov: dict[str, Any] = {"routing": shares(draw, [way_out], places)}
        if draw(st.booleans()):
            ov["exit_hazards"] = {draw(st.sampled_from(EXIT_NAMES)): draw(tenths(0, 10))}
        population["overrides"] = [{"when": {"sex": draw(st.sampled_from(SEXES))},
                                    "interventions": {target: ov}}]

    raw: dict[str, Any] = {
        "name": "random",
        "simulation": {"horizon_months": draw(st.one_of(st.none(), tenths(5, 150)))},
        "intake": intake,
        "population": population,
        "entry": shares(draw, [names[0]], names),
        "interventions": ivs,
        "exit_states": {"arbete": {"category": "work"}, "studier": {"category": "studies"},
                        "annat": {"category": "other"}},
    }
    if draw(st.booleans()):
        raw["initial_state"] = [{"intervention": draw(st.sampled_from(names)),
                                 "waiting": draw(st.integers(0, 3)),
                                 "in_service": draw(st.integers(0, 2))}]
    return raw


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_for_random_scenarios(raw, seed):
    sc = parse_scenario(raw)
    run = simulate(sc, replications=2, seed=seed)
    p, v, stations = run.participants, run.visits, run.stations

    for kind in sorted(set(v["kind"])):
        event(f"visit kind: {kind}")
    for status in sorted(set(p["status"])):
        event(f"status: {status}")

    # conservation, time order, status against the visit log, stations against visits, capacity
    assert_consistent(sc, p, v, stations)

    # no negative times anywhere
    for col in ["queued_month", "start_month", "end_month"]:
        assert (v[col].dropna() >= 0).all()
    assert (v["queued_month"] <= v["start_month"].fillna(np.inf)).all()
    assert (v["start_month"].dropna() <= v["end_month"][v["start_month"].notna()]
            .fillna(np.inf)).all()
    assert (p[["months_in_programme", "months_waiting", *months_columns(sc)]] >= 0).all().all()

    # exit shares over exited participants sum to 1, per replication and in the summary metrics
    gone = p[p["status"] == "exited"]
    assert gone["exit_state"].isin(list(sc.exit_states)).all()
    m = outcome_metrics(run)
    exits = m[[f"exits:{s}" for s in sc.exit_states]].sum(axis=1).to_numpy()
    assert (exits + m["still_in_programme"] == m["participants"]).all()
    n_gone = gone.groupby("rep").size().reindex(m["rep"], fill_value=0).to_numpy()
    assert (exits == n_gone).all()
    has = m["participants"].to_numpy() > 0
    share_sum = m[[f"share:{s}" for s in sc.exit_states]].sum(axis=1).to_numpy()
    # shares are of all participants: they add up to the exited fraction, 1 once all have left
    assert np.allclose(share_sum[has], n_gone[has] / m["participants"].to_numpy()[has])
    by_state = gone.groupby(["rep", "exit_state"]).size() / gone.groupby("rep").size()
    assert np.allclose(by_state.groupby(level="rep").sum(), 1.0)

    # exited: months in the programme = months waiting + months in each intervention
    total = gone["months_waiting"] + gone[months_columns(sc)].sum(axis=1)
    assert np.allclose(gone["months_in_programme"], total, rtol=0, atol=1e-7)
    assert np.allclose(gone["months_in_programme"],
                       gone["exit_month"] - gone["arrival_month"], rtol=0, atol=1e-9)

    # with no horizon and places left at the end, everyone leaves
    final_places_ok = all(
        iv.capacity is None
        or (iv.capacity_changes[-1].places if iv.capacity_changes else iv.capacity.slots()) > 0
        for iv in sc.interventions)
    if sc.simulation.horizon_months is None and final_places_ok:
        assert (p["status"] == "exited").all()
    if sc.simulation.horizon_months is not None:
        assert (stations["end_month"] == sc.simulation.horizon_months).all()
