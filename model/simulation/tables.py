"""The engine's output tables: their columns, the raw records of a replication, and the build
of the three pandas tables from the records of all replications."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.scenario import Scenario
from model.simulation.records import KINDS, ONGOING, WAITING, ArrivalLog, VisitLog

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
    people: np.ndarray | None
    visits: np.ndarray | None
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


TEXT = pd.Series([], dtype="str").dtype  # pandas' text type (missing values are NaN)


def _text(codes: np.ndarray, names: list[str], derived: bool = False) -> pd.Series:
    """Names for codes (-1: missing) as a text column. An empty column of recorded names is
    of object type, as it has always been (code downstream relies on it); derived ones are
    text. With pyarrow behind pandas' text type, the strings are gathered by Arrow from the
    few names, without a Python string per row."""
    if not len(codes) and not derived:
        return pd.Series([], dtype=object)
    if getattr(TEXT, "storage", None) == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        gathered = pc.take(pa.array(names, type=pa.large_string()),
                           pa.array(codes, mask=codes < 0))
        return pd.Series(pd.arrays.ArrowStringArray(gathered, dtype=TEXT))
    lookup = np.array([*names, None], dtype=object)
    return pd.Series(lookup[codes], dtype="str")


def _sums(who: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Per participant, the sum of their values, added in order (float even when empty)."""
    return np.bincount(who, weights=values, minlength=n).astype(float, copy=False)


def _rows(raws: list[_Raw], what: str, width: int) -> np.ndarray:
    """The rows of all replications in one array; each replication's own array is let go as
    soon as it has been used, so the records are not held twice."""
    parts = [getattr(r, what) for r in raws]
    for r in raws:
        setattr(r, what, None)
    if len(parts) == 1:
        return parts[0]
    return np.concatenate(parts) if parts else np.empty((0, width))


def _build(sc: Scenario, raws: list[_Raw]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turn the records of all replications into the three tables, in one pass (the records
    are used up: their arrays are released as the tables are built).

    A participant's status, exit, months waiting and in each intervention and number of visits
    come from their visits, taken in order: the sums add the same numbers in the same order as
    the participant's own running totals would. Tables are assembled without copying their
    columns (`copy=False`), and temporaries are let go early: the peak memory is the tables'
    own plus a little.
    """
    raws = sorted(raws, key=lambda r: r.rep)
    levels = raws[0].levels if raws else {}
    dests = raws[0].destinations if raws else [*sc.names, *sc.exit_states]
    reps, ends = [r.rep for r in raws], [float(r.end) for r in raws]
    n_people = [len(r.people) for r in raws]
    n_visits = [len(r.visits) for r in raws]
    first = np.cumsum([0, *n_people])[:-1].astype(np.int64)
    stations = pd.DataFrame([row for r in raws for row in r.stations],
                            columns=list(STATION_COLUMNS))

    # visits of each participant together, in order: (rep, participant, visit); reps stay
    # in their order, so per-replication values can be repeated in place
    rows = _rows(raws, "visits", len(VisitLog.FIELDS))
    who = np.repeat(first, n_visits) + rows[:, 0].astype(np.int64)
    order = np.lexsort((rows[:, 1], who))
    who = who[order]
    v = {f: rows[order, k] for k, f in enumerate(VisitLog.FIELDS)}
    del rows, order
    for f in ("intervention", "kind", "next"):
        v[f] = v[f].astype(np.int32)
    people = _participant_table(sc, _rows(raws, "people", len(ArrivalLog.FIELDS)), who, v,
                                np.repeat(np.asarray(ends, dtype=float), n_visits),
                                levels, dests, reps, ends, n_people)
    del who
    kind = v.pop("kind")
    kind[(kind == WAITING) & ~np.isnan(v["start_month"])] = ONGOING
    visits = pd.DataFrame({
        "rep": np.repeat(np.asarray(reps, dtype=np.int64), n_visits),
        "participant_id": v.pop("participant_id").astype(np.int64),
        "programme": sc.name,
        "visit": v.pop("visit").astype(np.int64),
        "intervention": _text(v.pop("intervention"), list(sc.names)),
        "queued_month": v.pop("queued_month"),
        "start_month": v.pop("start_month"),
        "end_month": v.pop("end_month"),
        "kind": _text(kind, list(KINDS)),
        "next": _text(v.pop("next"), dests),
    }, copy=False)
    return people, visits, stations


def _participant_table(sc: Scenario, people: np.ndarray, who: np.ndarray,
                       v: dict[str, np.ndarray], run_end: np.ndarray,
                       levels: dict[str, list[str]], dests: list[str], reps: list[int],
                       ends: list[float], n_people: list[int]) -> pd.DataFrame:
    """The participants table: arrival rows, and what follows from each one's visits `v`
    (sorted by participant, then visit; `who` is each visit's row in the table and `run_end`
    the month its replication ended)."""
    n = len(people)
    station = v["intervention"]
    queued, start, end = v["queued_month"], v["start_month"], v["end_month"]
    started, ended = ~np.isnan(start), ~np.isnan(end)
    # months on the list, and in service (to the end of the run if still there)
    wait = np.where(started, start, np.where(ended, end, run_end))
    wait -= queued
    months_waiting = _sums(who, wait, n)
    del wait
    serve = np.where(ended, end, run_end)
    serve -= start
    months_in = {}
    for k, name in enumerate(sc.names):
        mine = started & (station == k)
        months_in[f"months_in_{name}"] = _sums(who[mine], serve[mine], n)
    del serve, run_end

    # each participant's last visit: where they are, or how and when they left
    last = np.flatnonzero(np.append(who[1:] != who[:-1], True)) if len(who) else \
        np.empty(0, dtype=np.int64)
    at, gone = who[last], ended[last]
    status = np.full(n, 2, dtype=np.int32)  # exited, in_intervention, waiting
    status[at] = np.where(gone, 0, np.where(started[last], 1, 2))
    exit_code = np.full(n, -1, dtype=np.int32)
    exit_code[at] = np.where(gone, v["next"][last], -1)
    exit_month = np.full(n, math.nan)
    exit_month[at] = np.where(gone, end[last], math.nan)
    last_iv = np.full(n, -1, dtype=np.int32)
    last_iv[at] = station[last]
    del last, at, gone, started, ended

    arrival = people[:, 6].copy()
    category = [sc.exit_states[e].category if e in sc.exit_states else None for e in dests]
    code = {a: people[:, k].astype(np.int32) for k, a in enumerate(ArrivalLog.FIELDS[:5])}
    group = [f"{s}, {b}" for s in levels.get("sex", []) for b in levels.get("born", [])]
    first = np.repeat(np.cumsum([0, *n_people])[:-1], n_people)
    table = {
        "rep": np.repeat(np.asarray(reps, dtype=np.int64), n_people),
        "participant_id": (np.arange(n) - first).astype(np.int64),
        "programme": sc.name,
        "group": _text(code["sex"] * len(levels.get("born", [])) + code["born"], group,
                       derived=True),
    }
    for a, codes in code.items():
        table[a] = _text(codes, levels.get(a, []))
    table.update({
        "initial": people[:, 5].astype(bool),
        "arrival_month": arrival,
        "status": _text(status, ["exited", "in_intervention", "waiting"]),
        "exit_state": _text(exit_code, dests),
        "exit_category": _text(exit_code, category, derived=True),
        "exit_month": exit_month,
        "months_in_programme": np.where(np.isnan(exit_month),
                                        np.repeat(np.asarray(ends, dtype=float), n_people),
                                        exit_month) - arrival,
        "months_waiting": months_waiting,
        "n_visits": np.bincount(who, minlength=n).astype(np.int64),
        "last_intervention": _text(last_iv, list(sc.names)),
        **months_in,
    })
    return pd.DataFrame(table, copy=False)
