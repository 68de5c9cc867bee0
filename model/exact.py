"""Exact mode: expected exit shares and months by absorbing-Markov-chain algebra.

For a scenario without capacity limits, each intervention is a transient state. With planned
duration D and competing early exits at total rate h, a participant completes with probability
E[exp(-hD)] and stays E[min(D, T)] = (1 - E[exp(-hD)])/h months (see
`model.distributions.expected_stay`). The fundamental matrix N = (I - Q)^-1 then gives expected
visits, months and absorption (exit) probabilities. Subgroups with overrides are solved one by
one and mixed by their population shares. This is the oracle the engine is tested against.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.distributions import expected_stay
from model.errors import InputError, Problem
from model.scenario import ATTRIBUTES, Scenario
from model.simulation import effective_rules


@dataclass
class ExactResult:
    """Expected outcomes for one arriving participant."""

    exit_shares: dict[str, float]              # exit state -> share (plain numbers: exact mode
    mean_months: float                         # starts without pandas)
    months_by_intervention: dict[str, float]
    visits_by_intervention: dict[str, float]


@dataclass
class Network:
    """One subgroup's interventions as an absorbing chain.

    Places are the interventions followed by the exit states. `route[i]` and `hazard[i]` give,
    for intervention i, the probabilities of each next place at completion and at an early exit;
    q and r are the chain's transitions into interventions and exit states, t the expected months
    per visit and `complete` the probability of completing a visit.
    """

    names: list[str]
    exits: list[str]
    route: np.ndarray
    hazard: np.ndarray
    complete: np.ndarray
    t: np.ndarray
    entry: np.ndarray
    hazard_total: np.ndarray

    @property
    def q(self) -> np.ndarray:
        n = len(self.names)
        c = self.complete[:, None]
        return (c * self.route + (1 - c) * self.hazard)[:, :n]

    @property
    def r(self) -> np.ndarray:
        n = len(self.names)
        c = self.complete[:, None]
        return (c * self.route + (1 - c) * self.hazard)[:, n:]

    def fundamental(self) -> np.ndarray:
        """N = (I − Q)^-1: expected visits to j starting from i."""
        return np.linalg.inv(np.eye(len(self.names)) - self.q)

    def absorption(self) -> np.ndarray:
        """B = N R: probability of leaving to each exit state, starting from each intervention."""
        return self.fundamental() @ self.r


def network(sc: Scenario, attrs: tuple[str, str, str, str]) -> Network:
    """The absorbing chain of one subgroup (its overrides applied)."""
    names = sc.names
    exits = list(sc.exit_states)
    places = {p: i for i, p in enumerate([*names, *exits])}
    n = len(names)
    route = np.zeros((n, len(places)))
    hazard = np.zeros((n, len(places)))
    complete = np.ones(n)
    t = np.zeros(n)
    total = np.zeros(n)
    rules = effective_rules(sc, attrs)
    for i, iv in enumerate(sc.interventions):
        rl = rules[iv.name]
        total[i] = rl.hazard_total
        complete[i], t[i] = expected_stay(iv.duration, rl.hazard_total)
        for dest, p in zip(rl.route_to, np.diff(np.concatenate([[0.0], rl.route_cum])),
                           strict=True):
            route[i, places[dest]] += p
        if rl.hazard_total > 0:
            for dest, p in zip(rl.hazard_to, np.diff(np.concatenate([[0.0], rl.hazard_cum])),
                               strict=True):
                hazard[i, places[dest]] += p
    entry = np.zeros(n)
    for dest, p in sc.entry.items():
        entry[places[dest]] += p
    return Network(names, exits, route, hazard, complete, t, entry, total)


def _solve(sc: Scenario, attrs: tuple[str, str, str, str], start: str | None = None
           ) -> tuple[np.ndarray, float, np.ndarray, np.ndarray]:
    net = network(sc, attrs)
    entry = net.entry if start is None else np.eye(len(net.names))[net.names.index(start)]
    visits = np.linalg.solve((np.eye(len(net.names)) - net.q).T, entry)  # e @ N
    return visits @ net.r, float(visits @ net.t), visits * net.t, visits


def _cells(sc: Scenario) -> list[tuple[tuple[str, str, str, str], float]]:
    """The subgroups that overrides tell apart, each with its population share."""
    pop = sc.population
    # attributes that no override mentions do not change the answer: they are left out
    wanted = [a for a in ATTRIBUTES if any(a in ov.when for ov in pop.overrides)]
    return [(tuple(person.get(a, pop.levels(a)[0]) for a in ATTRIBUTES), w)
            for person, w in pop.cells(wanted) if w != 0]


def expected_visits(sc: Scenario, start: str | None = None) -> np.ndarray:
    """Expected visits to each intervention (in the order of `sc.names`) per participant arriving
    (or starting in `start`).

    Capacity is ignored: a waiting list only delays, and a maximum wait can only lower the
    visits, so for a scenario with capacity limits this is an upper bound. `model.limits` uses it
    to see a loop that almost never ends (visits in the millions) before anything runs.
    """
    visits = np.zeros(len(sc.interventions))
    for attrs, w in _cells(sc):
        try:
            visits += w * _solve(sc, attrs, start)[3]
        except np.linalg.LinAlgError:  # a loop with no way out at all (the checks name it)
            return np.full(len(sc.interventions), np.inf)
    return visits


def solve_exact(sc: Scenario, file: str = "<scenario>") -> ExactResult:
    """Expected exit shares and months in the programme per arriving participant."""
    if sc.has_capacity_limits():
        raise InputError([Problem(
            file, "interventions",
            "exact mode needs a scenario without capacity limits (waits depend on queueing); "
            "use the simulation (--method des)")])
    shares = np.zeros(len(sc.exit_states))
    months = 0.0
    by_iv = np.zeros(len(sc.interventions))
    visits = np.zeros(len(sc.interventions))
    for attrs, w in _cells(sc):
        a, mo, bi, vi = _solve(sc, attrs)
        shares += w * a
        months += w * mo
        by_iv += w * bi
        visits += w * vi
    return ExactResult(
        exit_shares=dict(zip(sc.exit_states, map(float, shares), strict=True)),
        mean_months=months,
        months_by_intervention=dict(zip(sc.names, map(float, by_iv), strict=True)),
        visits_by_intervention=dict(zip(sc.names, map(float, visits), strict=True)),
    )
