"""The columns of the simulated tables that pricing reads, taken from each table once and cut per
replication: pandas is asked once per table, not once per replication and column (issue 22); and
the rules that read them (who left to a good exit, each one's counterfactual hazard).

Every derived column (a good exit, the counterfactual hazard, an exit state, a visit's
intervention) is computed by the same pandas expression as before, over the whole table, so each
replication's values are the same bit for bit as when they were computed from its own rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Self, TypeVar

import numpy as np

from model.economics.effect import Rules
from model.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

R = TypeVar("R", bound="_Columns")


@dataclass(frozen=True)
class _Columns:
    """Arrays of one length (and mappings of such arrays), cut together."""

    participant_id: np.ndarray      # int64

    def __len__(self) -> int:
        return len(self.participant_id)

    def take(self, rows: slice | np.ndarray) -> Self:
        """The same columns at `rows` (a slice gives views, not copies)."""
        cut: dict[str, object] = {}
        for f in fields(self):
            x = getattr(self, f.name)
            cut[f.name] = {k: v[rows] for k, v in x.items()} if isinstance(x, dict) else x[rows]
        return type(self)(**cut)


@dataclass(frozen=True)
class PeopleRows(_Columns):
    """What pricing reads of the participants (table order)."""

    arrival: np.ndarray             # month of arrival
    exit_month: np.ndarray          # NaN while still in the programme
    good: np.ndarray                # left to an exit whose category starts a job
    hazard: np.ndarray              # monthly hazard of finding work without the programme
    state: dict[str, np.ndarray]    # exit state -> who left to it


@dataclass(frozen=True)
class VisitRows(_Columns):
    """What pricing reads of the visits (table order)."""

    start: np.ndarray               # NaN if service never started
    end: np.ndarray                 # NaN if still going at the end of the run
    by_intervention: dict[str, np.ndarray]  # intervention -> which visits are to it


def people_rows(sc: Scenario, people: pd.DataFrame) -> PeopleRows:
    """The participants table's columns that pricing reads."""
    exited = people["exit_month"].notna().to_numpy()
    return PeopleRows(
        participant_id=people["participant_id"].to_numpy(dtype=np.int64),
        arrival=people["arrival_month"].to_numpy(dtype=float),
        exit_month=people["exit_month"].to_numpy(dtype=float),
        good=exited & good_exit(people, Rules.of(sc)),
        hazard=counterfactual_hazards(sc, people),
        state={s: (people["exit_state"] == s).to_numpy(dtype=bool) for s in sc.exit_states})


def visit_rows(sc: Scenario, visits: pd.DataFrame) -> VisitRows:
    """The visits table's columns that pricing reads."""
    return VisitRows(
        participant_id=visits["participant_id"].to_numpy(dtype=np.int64),
        start=visits["start_month"].to_numpy(dtype=float),
        end=visits["end_month"].to_numpy(dtype=float),
        by_intervention={iv.name: (visits["intervention"] == iv.name).to_numpy(dtype=bool)
                         for iv in sc.interventions})


def good_exit(people: pd.DataFrame, rules: Rules) -> np.ndarray:
    """Whose exit category starts a job (False where none), compared in the table's own text
    column: no Python string per participant (memory, issue 11)."""
    return people["exit_category"].isin(rules.good_categories).to_numpy(dtype=bool)


def counterfactual_hazards(sc: Scenario, people: pd.DataFrame) -> np.ndarray:
    """Each participant's monthly hazard of finding work without the programme."""
    cf = sc.counterfactual
    h = np.full(len(people), float(cf.monthly_hazard or 0.0))
    for gh in cf.by_group:
        mask = np.ones(len(people), dtype=bool)
        for attr, level in gh.when.items():
            mask &= (people[attr] == level).to_numpy()
        h[mask] = gh.monthly_hazard
    return h


def by_rep(rows: R, rep: np.ndarray) -> Callable[[int], R]:
    """The rows of one replication (`rep`: the table's replication column): slices, no copy, as
    the tables are built in replication order; in any other order, that replication's rows in
    table order."""
    rep = np.asarray(rep)
    order = None
    if len(rep) and np.any(rep[1:] < rep[:-1]):  # grouped once, each in table order
        order = np.argsort(rep, kind="stable")
        rep = rep[order]

    def cut(r: int) -> R:
        lo, hi = (int(x) for x in np.searchsorted(rep, [r, r + 1]))
        return rows.take(slice(lo, hi) if order is None else order[lo:hi])

    return cut
