"""What the engine records while it runs: a row per participant at arrival and a row per visit.

Rows are kept in flat float arrays (`array('d')`): appending is cheap, they take 8 bytes a
field, and the garbage collector never scans them, so the time per participant does not grow
with the size of the run. Names (attribute levels, interventions, exit states, kinds of visit)
are stored as codes; tables.py turns the rows into tables. Everything a participant table needs
beyond the arrival row (status, exit, months waiting and in each intervention, number of visits)
follows from that participant's visits.
"""

from __future__ import annotations

import math
from array import array

import numpy as np

from model.simulation.rules import _Rules

NO_CODE = -1.0  # a missing name (no next destination yet)

# kinds of visit; "ongoing" (started, not ended at the end of the run) is derived in the table
KINDS = ("waiting", "served", "dropped_out", "transferred", "left_waiting_list", "ongoing")
WAITING, SERVED, DROPPED_OUT, TRANSFERRED, LEFT_WAITING_LIST, ONGOING = range(len(KINDS))


class Participant:
    """A participant while in the programme: number, attribute codes (sex, born, age band,
    target group, referral) and the routing and hazards of their subgroup."""

    __slots__ = ("codes", "participant_id", "rules")

    def __init__(self, participant_id: int, codes: tuple[int, ...], rules: dict[str, _Rules]):
        self.participant_id = participant_id
        self.codes = codes
        self.rules = rules


class ArrivalLog:
    """One row per participant, in arrival order (the row number is the participant number)."""

    FIELDS = ("sex", "born", "age_band", "target_group", "referral", "initial", "arrival_month")

    def __init__(self) -> None:
        self.rows = array("d")

    def add(self, codes: tuple[int, ...], initial: bool, month: float) -> int:
        """Record an arrival; returns the participant number."""
        pid = len(self.rows) // len(self.FIELDS)
        self.rows.extend((*codes, initial, month))
        return pid

    def table(self) -> np.ndarray:
        return np.frombuffer(self.rows, dtype=float).reshape(-1, len(self.FIELDS))


class VisitLog:
    """One row per visit, added when the participant joins the waiting list and completed as
    the visit starts and ends; `open` returns the row's offset, which the other methods take."""

    FIELDS = ("participant_id", "visit", "intervention", "queued_month", "start_month",
              "end_month", "kind", "next")

    def __init__(self) -> None:
        self.rows = array("d")

    def open(self, pid: int, visit: int, intervention: int, month: float) -> int:
        at = len(self.rows)
        self.rows.extend((pid, visit, intervention, month, math.nan, math.nan, WAITING, NO_CODE))
        return at

    def start(self, at: int, month: float) -> None:
        self.rows[at + 4] = month

    def end(self, at: int, month: float, kind: int, nxt: int) -> None:
        rows = self.rows
        rows[at + 5] = month
        rows[at + 6] = kind
        rows[at + 7] = nxt

    def table(self) -> np.ndarray:
        return np.frombuffer(self.rows, dtype=float).reshape(-1, len(self.FIELDS))
