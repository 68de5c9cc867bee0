"""Choosing among several programmes: ranking, acceptability curves, frontier and dominance.

The effect of a programme is its discounted shortened unemployment (person-years, present
value) and its cost its discounted net cost, each per draw; at a value λ per person-year its net
benefit is NB = λ·effect − cost (the NPV when λ is the scenario's value per person-year). Over a
grid of λ: the cost-effectiveness acceptability curve (CEAC: the share of draws in which each
programme has the highest NB) and the frontier (the programme with the highest expected NB, and
the share of draws in which it is the best). Dominance is judged on expected effect and cost:
a programme is dominated when another costs no more and gains at least as much (one strictly),
and extendedly dominated when a mix of two others would do better (its incremental cost per
person-year is above the next one's on the cost-ordered frontier). Method as in dampack (Alarid-
Escudero et al.) and BCEA (Baio).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from model.economics import view_key
from model.psa.summary import probability


def _effect_cost(per_draw: dict[str, pd.DataFrame], years: float
                 ) -> tuple[list[str], np.ndarray, np.ndarray]:
    names = list(per_draw)
    k = view_key(years)
    eff = np.column_stack([per_draw[n].sort_values("draw")[f"person_years_pv:{k}"]
                           .to_numpy(float) for n in names])
    cost = np.column_stack([per_draw[n].sort_values("draw")["net_cost_pv"].to_numpy(float)
                            for n in names])
    return names, eff, cost


def ranking(per_draw: dict[str, pd.DataFrame], metric: str, n_eff: float | None = None) -> pd.DataFrame:
    """Programmes by expected `metric` (highest first), with P(best) and its MCSE."""
    names = list(per_draw)
    x = np.column_stack([per_draw[n].sort_values("draw")[metric].to_numpy(float) for n in names])
    best = x.argmax(axis=1)
    rows = []
    for j, n in enumerate(names):
        p, se = probability(best == j, n_eff)
        rows.append({"programme": n, "expected": float(x[:, j].mean()), "p_best": p,
                     "p_best_mcse": se})
    df = pd.DataFrame(rows).sort_values("expected", ascending=False, kind="stable")
    df.insert(0, "rank", np.arange(1, len(df) + 1))
    return df.reset_index(drop=True)


def acceptability(per_draw: dict[str, pd.DataFrame], years: float, values: np.ndarray,
                  n_eff: float | None = None) -> pd.DataFrame:
    """CEAC and frontier over values λ (kr per person-year): one row per λ and programme."""
    names, eff, cost = _effect_cost(per_draw, years)
    rows = []
    for lam in values:
        nb = lam * eff - cost
        best = nb.argmax(axis=1)
        optimal = int(nb.mean(axis=0).argmax())
        for j, n in enumerate(names):
            p, se = probability(best == j, n_eff)
            rows.append({"value_per_year": float(lam), "programme": n, "p_best": p, "mcse": se,
                         "expected_nb": float(nb[:, j].mean()), "on_frontier": j == optimal})
    return pd.DataFrame(rows)


def dominance(per_draw: dict[str, pd.DataFrame], years: float) -> pd.DataFrame:
    """Expected effect and cost per programme, dominated ones marked, and the incremental cost
    per person-year (ICER) along the frontier (cost-ordered, dominated ones left out)."""
    names, eff, cost = _effect_cost(per_draw, years)
    e, c = eff.mean(axis=0), cost.mean(axis=0)
    status = ["" for _ in names]
    for i in range(len(names)):
        for j in range(len(names)):
            if i != j and c[j] <= c[i] and e[j] >= e[i] and (c[j] < c[i] or e[j] > e[i]):
                status[i] = "dominated"
                break
    icer = [math.nan] * len(names)
    while True:
        live = sorted((k for k in range(len(names)) if not status[k]), key=lambda k: (c[k], -e[k]))
        ratios = {}
        for prev, cur in itertools.pairwise(live):
            de = e[cur] - e[prev]
            ratios[cur] = (c[cur] - c[prev]) / de if de > 0 else math.inf
        bad = [cur for prev, cur in itertools.pairwise(live[1:])
               if ratios[prev] > ratios[cur]]
        if not bad:
            for k, r in ratios.items():
                icer[k] = r
            break
        status[live[live.index(bad[0]) - 1]] = "extendedly dominated"
    return pd.DataFrame({"programme": names, "effect_pv": e, "cost_pv": c, "status": status,
                         "icer": icer})
