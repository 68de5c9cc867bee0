"""Helpers for the pricing tests: scenario builders and independent reference calculations.

The reference calculations here deliberately do not reuse `model.economics`: the chain is solved
with a matrix exponential of its generator, discount factors are written out, and sums are slow
loops, so that a test comparing against them checks the engine rather than repeating it.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy.linalg import expm

from model.economics import Priced, price
from model.scenario import Scenario, parse_scenario
from model.simulation import simulate


def merged(base: dict[str, Any], **sections: Any) -> dict[str, Any]:
    """A deep copy of `base` with top-level sections replaced or (for mappings) updated."""
    out = copy.deepcopy(base)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **copy.deepcopy(value)}
        else:
            out[key] = copy.deepcopy(value)
    return out


def deterministic(n: int = 10, months: float = 3.0, vpy: float = 120_000.0,
                  rate: float = 0.0, **sections: Any) -> dict[str, Any]:
    """Cohort of n at month 0, one fixed-length intervention, 100 % to work, no hazards.

    Counterfactual find hazard 0 and retention loss hazard 0, so without the programme nobody
    works and with it everybody works from their exit to the end of the horizon.
    """
    raw: dict[str, Any] = {
        "name": "hand",
        "simulation": {"replications": 1, "seed": 11},
        "intake": {"cohort": {"n": n}},
        "entry": "a",
        "interventions": [{"name": "a", "duration": {"dist": "fixed", "months": months},
                           "routing": {"arbete": 1.0}}],
        "exit_states": {"arbete": {"category": "work"}, "annat": {"category": "other"}},
        "counterfactual": {"monthly_hazard": 0.0},
        "employment": {"retention": {"monthly_hazard": 0.0}},
        "valuation": {"value_per_year": vpy, "discount_rate": rate},
    }
    return merged(raw, **sections)


def split_design(n_work: int, n_other: int, months: float = 3.0, **sections: Any
                 ) -> dict[str, Any]:
    """Exactly n_work participants exit to work and n_other to 'annat', with no random draws.

    Routing shares are drawn per participant, so a 25 % share does not give exactly 25 %. Here the
    work group is a cohort entering 'w' (100 % to work) and the other group is already in service
    in 'o' at month 0 (initial_state, 100 % to annat): both arrive at month 0, both stay `months`,
    and the two interventions are identical apart from the destination.
    """
    assert n_work >= 1
    raw = deterministic(n=n_work, months=months)
    dur = {"dist": "fixed", "months": months}
    raw["entry"] = "w"
    raw["interventions"] = [
        {"name": "w", "duration": dur, "routing": {"arbete": 1.0}},
        {"name": "o", "duration": dur, "routing": {"annat": 1.0}},
    ]
    raw["initial_state"] = [{"intervention": "o", "in_service": n_other}]
    return merged(raw, **sections)


def rich(**sections: Any) -> dict[str, Any]:
    """A stochastic programme using every pricing feature: queues, several funders, allowances,
    studies, lag, extent, retention, drop-off, transfers, discounting, a one-year view."""
    raw: dict[str, Any] = {
        "name": "rich",
        "simulation": {"replications": 3, "seed": 7},
        "intake": {"stream": {"rate_per_month": 4, "end_month": 10}},
        "population": {"sex": {"kvinna": 0.5, "man": 0.5}},
        "entry": "a",
        "interventions": [
            {"name": "a", "duration": {"dist": "gamma", "mean": 3, "cv": 0.5},
             "capacity": {"places": 8}, "waiting_list": {},
             "exit_hazards": {"arbete": 0.05},
             "routing": {"b": 0.5, "arbete": 0.3, "annat": 0.2},
             "costs": [{"funder": "esf", "per_start": 3000, "per_participant_month": 4000,
                        "per_place_month": 1000},
                       {"funder": "kommun", "per_participant_month": 1500}]},
            {"name": "b", "duration": {"dist": "fixed", "months": 2},
             "routing": {"arbete": 0.5, "studier": 0.2, "annat": 0.3},
             "costs": [{"funder": "forsakringskassan", "per_participant_month": 6000,
                        "allowance": True, "label": "aktivitetsstöd"}]},
        ],
        "exit_states": {"arbete": {"category": "work"}, "studier": {"category": "studies"},
                        "annat": {"category": "other"}},
        "costs": {
            "project_months": 14,
            "staff": [{"funder": "esf", "fte": 1.5, "monthly_salary": 38000}],
            "fixed": [{"funder": "kommun", "per_month": 12000}],
            "lump_sums": [{"funder": "region", "amount": 50000, "month": 3}],
            "per_participant_month": [{"funder": "arbetsformedlingen",
                                       "per_participant_month": 2000, "allowance": True}],
        },
        "counterfactual": {"monthly_hazard": 0.03,
                           "by_group": [{"when": {"sex": "man"}, "monthly_hazard": 0.04}]},
        "employment": {"retention": {"share_at_12_months": 0.7}, "extent": 0.8,
                       "lag_months": 1},
        "valuation": {
            "value_per_year": 300_000,
            "actor_shares": {"staten": 0.5, "kommun": 0.3, "individen": 0.2},
            "transfers": [{"payer": "kommun", "payee": "individen", "per_year": 40_000},
                          {"payer": "forsakringskassan", "payee": "kommun", "per_year": 25_000}],
            "discount_rate": 0.035,
            "horizon_years": 3,
            "views_years": [1, 3],
            "drop_off_per_year": 0.1,
        },
    }
    return merged(raw, **sections)


def scenario(raw: dict[str, Any]) -> Scenario:
    return parse_scenario(raw)


def priced(raw: dict[str, Any] | Scenario, reps: int | None = None) -> Priced:
    """Simulate and price a scenario (raw mappings are validated first)."""
    sc = raw if isinstance(raw, Scenario) else parse_scenario(raw)
    return price(simulate(sc, replications=reps))


def only(p: Priced, key: str) -> float:
    """The value of a metric in a one-replication run."""
    assert len(p.metrics) == 1
    return float(p.metrics[key].iloc[0])


def write_yaml(path: Path, raw: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def p_work(t: float, f: float, loss: float, start_employed: bool) -> float:
    """P(in work) t months after a start, from the chain's generator (no closed form used).

    States 0 = unemployed, 1 = employed; Q = [[-f, f], [loss, -loss]]; P(t) = expm(Q t).
    """
    q = np.array([[-f, f], [loss, -loss]], dtype=float)
    row = 1 if start_employed else 0
    return float(expm(q * t)[row, 1])


def p_work_closed(t: float, f: float, loss: float, start_employed: bool) -> float:
    """The closed form of the same chain, for quad (fast): pi + (start − pi)·exp(−(f+l)t)."""
    k = f + loss
    if k == 0:
        return 1.0 if start_employed else 0.0
    pi = f / k
    return pi + ((1.0 if start_employed else 0.0) - pi) * math.exp(-k * t)
