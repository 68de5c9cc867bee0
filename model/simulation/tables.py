"""The engine's output tables: their columns, the raw records of a replication, and the build
of the three pandas tables from the records of all replications."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from model.scenario import Scenario

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
# the participant columns the engine records; the rest are derived when the table is built
RECORDED = ("participant_id", "sex", "born", "age_band", "target_group", "referral", "initial",
            "arrival_month", "status", "exit_state", "exit_month", "months_waiting", "n_visits",
            "last_intervention")


@dataclass
class _Raw:
    """The records of one replication, before they become tables (cheap to pickle and join)."""

    rep: int
    end: float
    people: list[tuple]
    visits: list[tuple]
    stations: list[dict]


def raw_records(r: Replication, end: float) -> _Raw:
    """Close the visits still going at the end and flatten participants and visits to tuples."""
    people = []
    for p in r.people:
        # count the visit still going at the end of the run: its service months, or its wait
        v = p.visit
        if p.status == "in_intervention" and v is not None:
            p.months[v.intervention] += end - v.start_month
        elif p.status == "waiting" and v is not None:
            p.months_waiting += end - v.queued_month
        people.append((p.participant_id, p.sex, p.born, p.age_band, p.target_group, p.referral,
                       p.initial, p.arrival_month, p.status, p.exit_state, p.exit_month,
                       p.months_waiting, p.n_visits, p.last_intervention, *p.months.values()))
    visits = [(r.rep, v.participant_id, v.visit, v.intervention, v.queued_month, v.start_month,
               v.end_month, v.kind, v.next) for v in r.visits]
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
    return _Raw(r.rep, end, people, visits, rows)


def _build(sc: Scenario, raws: list[_Raw]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Turn the records of all replications into the three tables, in one pass."""
    month_cols = [f"months_in_{n}" for n in sc.names]
    records = [p for r in raws for p in r.people]
    people = pd.DataFrame.from_records(records, columns=list(RECORDED) + month_cols)
    # explicit types: a replication with nobody in it would otherwise give object columns
    people = people.astype({"participant_id": "int64", "initial": "bool",
                            "arrival_month": "float64", "exit_month": "float64",
                            "months_waiting": "float64", "n_visits": "int64",
                            **dict.fromkeys(month_cols, "float64")})
    reps = np.repeat([r.rep for r in raws], [len(r.people) for r in raws]).astype("int64")
    ends = np.repeat([r.end for r in raws], [len(r.people) for r in raws]).astype(float)
    people.insert(0, "rep", reps)
    people.insert(2, "programme", sc.name)
    people.insert(3, "group", people["sex"].astype(str) + ", " + people["born"].astype(str))
    cat = {k: v.category for k, v in sc.exit_states.items()}
    people["exit_category"] = people["exit_state"].map(cat)
    exit_m = people["exit_month"].to_numpy()
    people["months_in_programme"] = np.where(np.isnan(exit_m), ends, exit_m) - people[
        "arrival_month"].to_numpy()
    people = people[list(PARTICIPANT_COLUMNS) + month_cols]

    visits = pd.DataFrame(
        [v for r in raws for v in r.visits],
        columns=["rep", "participant_id", "visit", "intervention", "queued_month",
                 "start_month", "end_month", "kind", "next"],
    ).astype({"rep": "int64", "participant_id": "int64", "visit": "int64",
              "queued_month": "float64", "start_month": "float64", "end_month": "float64"})
    visits.insert(2, "programme", sc.name)
    ongoing = visits["kind"] == "waiting"
    visits.loc[ongoing & visits["start_month"].notna(), "kind"] = "ongoing"
    visits = visits.sort_values(["rep", "participant_id", "visit"], kind="stable")
    visits = visits[list(VISIT_COLUMNS)].reset_index(drop=True)
    stations = pd.DataFrame([row for r in raws for row in r.stations],
                            columns=list(STATION_COLUMNS))
    return people, visits, stations
