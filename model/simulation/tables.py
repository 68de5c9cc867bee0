"""The engine's output tables: their columns, the raw records of a replication, and the build
of the three pandas tables from the records of all replications."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.scenario import Scenario
from model.simulation.records import KINDS, ONGOING, WAITING

if TYPE_CHECKING:
    from model.simulation.engine import Replication

PARTICIPANT_COLUMNS = {
    "rep": "replication number (0-based)",
    "participant_id": "participant number within the replication (0-based, in arrival order)",
    "programme": "scenario name",
    "group": "subgroup for the equity view: sex and born in Sweden/abroad",
    "sex": "sex (population.sex)",
    "born": "born in Sweden or abroad (population.born)",
    "age_band": "age band (population.age_band)",
    "target_group": "target group (population.target_group)",
    "referral": "referral source (intake.referral_sources)",
    "initial": "True if already in the programme at month 0 (initial_state)",
    "arrival_month": "month of arrival",
    "status": "exited, waiting or in_intervention (at the end of the run)",
    "exit_state": "exit state name (empty if still in the programme)",
    "exit_category": "work, studies, care, benefit or other (empty if still in)",
    "exit_month": "month of exit (NaN if still in)",
    "months_in_programme": "exit (or end of run) minus arrival, months",
    "months_waiting": "months on waiting lists, all visits",
    "n_visits": "number of intervention visits",
    "last_intervention": "the last intervention visited or waited for",
}
VISIT_COLUMNS = {
    "rep": "replication number",
    "participant_id": "participant number",
    "programme": "scenario name",
    "visit": "visit number for this participant (0-based)",
    "intervention": "intervention name",
    "queued_month": "month the participant joined the waiting list (= start if no wait)",
    "start_month": "month service started (NaN if never started)",
    "end_month": "month the visit ended (NaN if still going at the end of the run)",
    "kind": "served, dropped_out, transferred, left_waiting_list, ongoing or waiting",
    "next": "where the participant went next (exit state or intervention)",
}
STATION_COLUMNS = {
    "rep": "replication number",
    "intervention": "intervention name",
    "starts": "number of service starts",
    "mean_in_service": "time-average number in service, participants",
    "mean_waiting": "time-average number on the waiting list, participants",
    "utilisation": "busy place-months / available place-months (NaN without capacity)",
    "capacity_months": "place-months available (NaN without capacity)",
    "busy_months": "participant-months in service",
    "end_month": "month the replication ended",
}


@dataclass
class _Raw:
    """The records of one replication, before they become tables (cheap to pickle and join):
    the arrival and visit rows (records.py), the names their codes stand for, the stations'
    rows and the month the replication ended."""

    rep: int
    end: float
    people: np.ndarray
    visits: np.ndarray
    stations: list[dict]
    levels: dict[str, list[str]]
    destinations: list[str]


def raw_records(r: Replication, end: float) -> _Raw:
    """The replication's records, with each station's time-weighted sums turned into its row."""
    rows = []
    for name, st in r.stations.items():
        m = st.monitor
        rows.append({
            "rep": r.rep,
            "intervention": name,
            "starts": m.starts,
            "mean_in_service": m.busy_area / end if end > 0 else math.nan,
            "mean_waiting": m.wait_area / end if end > 0 else math.nan,
            "utilisation": m.busy_area / m.cap_area if m.cap_area > 0 else math.nan,
            "capacity_months": m.cap_area if math.isfinite(st.capacity) else math.nan,
            "busy_months": m.busy_area,
            "end_month": end,
        })
    return _Raw(r.rep, end, r.arrivals.table(), r.visits.table(), rows, r.levels,
                r.destinations)


def _text(codes: np.ndarray, names: list[str], derived: bool = False) -> pd.Series:
    """Names for codes (-1: missing) as a text column. An empty column of recorded names is
    of object type, as it has always been (code downstream relies on it); derived ones are
    text."""
    if not len(codes) and not derived:
        return pd.Series([], dtype=object)
    lookup = np.array([*names, None], dtype=object)
    return pd.Series(lookup[codes], dtype="str")


def _sums(who: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per participant, the sum of their values, added in order (float even when empty)."""
    return np.bincount(who, weights=values, minlength=n).astype(float, copy=False)


def _build(sc: Scenario, raws: list[_Raw]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turn the records of all replications into the three tables, in one pass.

    A participant's status, exit, months waiting and in each intervention and number of visits
    come from their visits, taken in order: the sums add the same numbers in the same order as
    the participant's own running totals would.
    """
    raws = sorted(raws, key=lambda r: r.rep)
    levels = raws[0].levels if raws else {}
    dests = raws[0].destinations if raws else [*sc.names, *sc.exit_states]
    n_people = [len(r.people) for r in raws]
    people = np.concatenate([r.people for r in raws]) if raws else np.empty((0, 7))
    visits = np.concatenate([r.visits for r in raws]) if raws else np.empty((0, 8))
    n = len(people)
    first = np.cumsum([0, *n_people])[:-1].astype(np.int64)
    n_visits_rep = [len(r.visits) for r in raws]
    v_rep = np.repeat([r.rep for r in raws], n_visits_rep).astype(np.int64)
    v_end = np.repeat([r.end for r in raws], n_visits_rep).astype(float)
    v_person = np.repeat(first, n_visits_rep) + visits[:, 0].astype(np.int64)
    # visits of each participant together, in order: (rep, participant, visit)
    order = np.lexsort((visits[:, 1], v_person))
    visits, v_rep, v_end, v_person = visits[order], v_rep[order], v_end[order], v_person[order]
    station, kind, nxt = (visits[:, k].astype(np.int64) for k in (2, 6, 7))
    queued, start, end = visits[:, 3], visits[:, 4], visits[:, 5]
    started, ended = ~np.isnan(start), ~np.isnan(end)
    # months on the list, and in service (to the end of the run if still there)
    wait = np.where(started, start, np.where(ended, end, v_end)) - queued
    serve = np.where(ended, end, v_end) - start

    p_rep = np.repeat([r.rep for r in raws], n_people).astype(np.int64)
    p_end = np.repeat([r.end for r in raws], n_people).astype(float)
    n_visits = np.bincount(v_person, minlength=n)
    last = np.flatnonzero(np.append(v_person[1:] != v_person[:-1], True)) if len(visits) else \
        np.empty(0, dtype=np.int64)
    who = v_person[last]
    gone = ended[last]
    status = np.full(n, 2)  # exited, in_intervention, waiting
    status[who] = np.where(gone, 0, np.where(started[last], 1, 2))
    exit_code = np.full(n, -1)
    exit_code[who] = np.where(gone, nxt[last], -1)
    exit_month = np.full(n, math.nan)
    exit_month[who] = np.where(gone, end[last], math.nan)
    last_iv = np.full(n, -1)
    last_iv[who] = station[last]
    arrival = people[:, 6]
    category = [sc.exit_states[e].category if e in sc.exit_states else None for e in dests]
    sex, born = (people[:, k].astype(np.int64) for k in (0, 1))
    group = [f"{s}, {b}" for s in levels.get("sex", []) for b in levels.get("born", [])]
    table = {
        "rep": p_rep,
        "participant_id": (np.arange(n) - np.repeat(first, n_people)).astype(np.int64),
        "programme": sc.name,
        "group": _text(sex * len(levels.get("born", [])) + born, group, derived=True),
    }
    for k, a in enumerate(("sex", "born", "age_band", "target_group", "referral")):
        table[a] = _text(people[:, k].astype(np.int64), levels.get(a, []))
    table.update({
        "initial": people[:, 5].astype(bool),
        "arrival_month": arrival,
        "status": _text(status, ["exited", "in_intervention", "waiting"]),
        "exit_state": _text(exit_code, dests),
        "exit_category": _text(exit_code, category, derived=True),
        "exit_month": exit_month,
        "months_in_programme": np.where(np.isnan(exit_month), p_end, exit_month) - arrival,
        "months_waiting": _sums(v_person, wait, n),
        "n_visits": n_visits.astype(np.int64),
        "last_intervention": _text(last_iv, list(sc.names)),
    })
    for k, name in enumerate(sc.names):
        mine = started & (station == k)
        table[f"months_in_{name}"] = _sums(v_person[mine], serve[mine], n)
    participants = pd.DataFrame(table)

    kind = np.where((kind == WAITING) & started, ONGOING, kind)
    visit_table = pd.DataFrame({
        "rep": v_rep,
        "participant_id": visits[:, 0].astype(np.int64),
        "programme": sc.name,
        "visit": visits[:, 1].astype(np.int64),
        "intervention": _text(station, list(sc.names)),
        "queued_month": queued,
        "start_month": start,
        "end_month": end,
        "kind": _text(kind, list(KINDS)),
        "next": _text(nxt, dests),
    })
    stations = pd.DataFrame([row for r in raws for row in r.stations],
                            columns=list(STATION_COLUMNS))
    return participants, visit_table, stations
