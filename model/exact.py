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
import pandas as pd

from model.distributions import expected_stay
from model.errors import InputError, Problem
from model.scenario import ATTRIBUTES, Scenario
from model.simulation import effective_rules


@dataclass
class ExactResult:
    """Expected outcomes for one arriving participant."""

    exit_shares: pd.Series
    mean_months: float
    months_by_intervention: pd.Series
    visits_by_intervention: pd.Series


def _solve(sc: Scenario, attrs: tuple[str, str, str, str]) -> tuple[np.ndarray, float, np.ndarray,
                                                                    np.ndarray]:
    names = sc.names
    exits = list(sc.exit_states)
    idx = {n: i for i, n in enumerate(names)}
    eidx = {n: i for i, n in enumerate(exits)}
    n, m = len(names), len(exits)
    q = np.zeros((n, n))
    r = np.zeros((n, m))
    t = np.zeros(n)
    rules = effective_rules(sc, attrs)
    for iv in sc.interventions:
        i = idx[iv.name]
        rl = rules[iv.name]
        p_complete, months = expected_stay(iv.duration, rl.hazard_total)
        t[i] = months
        route_p = np.diff(np.concatenate([[0.0], rl.route_cum]))
        for dest, p in zip(rl.route_to, route_p, strict=True):
            if dest in idx:
                q[i, idx[dest]] += p_complete * p
            else:
                r[i, eidx[dest]] += p_complete * p
        if rl.hazard_total > 0:
            hz_p = np.diff(np.concatenate([[0.0], rl.hazard_cum]))
            for dest, p in zip(rl.hazard_to, hz_p, strict=True):
                if dest in idx:
                    q[i, idx[dest]] += (1 - p_complete) * p
                else:
                    r[i, eidx[dest]] += (1 - p_complete) * p
    e = np.zeros(n)
    for dest, p in sc.entry.items():
        e[idx[dest]] += p
    visits = np.linalg.solve((np.eye(n) - q).T, e)  # e @ N
    return visits @ r, float(visits @ t), visits * t, visits


def solve_exact(sc: Scenario, file: str = "<scenario>") -> ExactResult:
    """Expected exit shares and months in the programme per arriving participant."""
    if sc.has_capacity_limits():
        raise InputError([Problem(
            file, "interventions",
            "exact mode needs a scenario without capacity limits (waits depend on queueing); "
            "use the simulation (--method des)")])
    pop = sc.population
    # attributes that no override mentions do not change the answer: they are left out
    wanted = [a for a in ATTRIBUTES if any(a in ov.when for ov in pop.overrides)]
    shares = np.zeros(len(sc.exit_states))
    months = 0.0
    by_iv = np.zeros(len(sc.interventions))
    visits = np.zeros(len(sc.interventions))
    for person, w in pop.cells(wanted):
        if w == 0:
            continue
        attrs = tuple(person.get(a, pop.levels(a)[0]) for a in ATTRIBUTES)
        a, mo, bi, vi = _solve(sc, attrs)
        shares += w * a
        months += w * mo
        by_iv += w * bi
        visits += w * vi
    return ExactResult(
        exit_shares=pd.Series(shares, index=list(sc.exit_states), name="share"),
        mean_months=months,
        months_by_intervention=pd.Series(by_iv, index=sc.names, name="months"),
        visits_by_intervention=pd.Series(visits, index=sc.names, name="visits"),
    )
