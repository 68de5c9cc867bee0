"""Several programmes: dominance, frontier and acceptability on hand-made draws."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from model.psa.decision import acceptability, dominance, ranking


def _draws(effect: list[float], cost: list[float], n: int = 1, noise: float = 0.0,
           seed: int = 1) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    out = {}
    for k, (e, c) in enumerate(zip(effect, cost, strict=True)):
        eff = e + noise * rng.standard_normal(n)
        out[f"p{k}"] = pd.DataFrame({"draw": np.arange(n), "person_years_pv:5y": eff,
                                     "net_cost_pv": np.full(n, c), "npv:5y": 1e5 * eff - c})
    return out


def test_dominance_and_extended_dominance_by_hand() -> None:
    """Effects 10, 12, 20, 8 person-years, costs 1.0, 3.0, 4.0, 2.0 MSEK. p3 is dominated by p0
    (costs more, gains less). Cost-ordered: p0 (1.0, 10), p1 (3.0, 12), p2 (4.0, 20): ICERs
    p1: 2.0/2 = 1.0 MSEK, p2: 1.0/8 = 0.125 MSEK — falling, so p1 is extendedly dominated;
    without it p2's ICER is 3.0/10 = 0.3 MSEK per person-year."""
    d = dominance(_draws([10, 12, 20, 8], [1e6, 3e6, 4e6, 2e6]), 5).set_index("programme")
    assert d.at["p3", "status"] == "dominated"
    assert d.at["p1", "status"] == "extendedly dominated"
    assert d.at["p0", "status"] == "" and d.at["p2", "status"] == ""
    assert d.at["p2", "icer"] == pytest.approx(3e6 / 10)


def test_acceptability_switches_at_the_icer() -> None:
    """Two programmes, no uncertainty: p1 gains 10 person-years more for 3 MSEK more, so it is
    best (P = 1, on the frontier) exactly above 300 000 kr per person-year."""
    d = _draws([10, 20], [1e6, 4e6], n=5)
    c = acceptability(d, 5, np.array([2.9e5, 3.1e5]))
    low = c[c["value_per_year"] == 2.9e5].set_index("programme")
    high = c[c["value_per_year"] == 3.1e5].set_index("programme")
    assert low.at["p0", "p_best"] == 1.0 and low.at["p0", "on_frontier"]
    assert high.at["p1", "p_best"] == 1.0 and high.at["p1", "on_frontier"]


def test_ranking_with_uncertainty() -> None:
    """p1's expected NPV is higher; with noise, P(best) is between 0 and 1 and sums to 1."""
    r = ranking(_draws([10, 10.5], [1e6, 1e6], n=2000, noise=1.0), "npv:5y")
    assert list(r["programme"]) == ["p1", "p0"]
    assert 0.5 < r.loc[0, "p_best"] < 1.0
    assert r["p_best"].sum() == pytest.approx(1.0)
