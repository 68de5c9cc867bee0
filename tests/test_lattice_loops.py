"""The lattice against the simulation where a fixed stay ends on a month midpoint (issue 18, item 11).

Smallest case found (shrunk from the issue's example, a loop i0 → i1 → i2 → i0 through fixed stays
of 2,5 and 0,4 months): one participant, `a` fixed 2,5 months, then half to work and half to `b`
(exponential, mean 1 month) and on to work. Half the participants start a job at exactly month
2,5, a month midpoint u of the pricing grid, where the simulation counts them in work
(`since_exit >= 0`). On the lattice (step 1/16 month) that point mass shares lattice point 40 with
`b`'s first-step exits (times in [2,5; 2,5625)), and `_exit_times` splits the point's mass into two
halves at mean ± sd: half the atom lands just after 2,5 and is counted out of work for month u = 2,5.
Expected loss: 0,5 (atom) × 0,5 (half) × 1 month / 12 ≈ 0,0208 person-years; measured on today's
code: expected 0,4930 vs simulated 0,5129 ± 0,0005 (20 000 replications), z ≈ −41. Refining the
step does not remove it (the atom still shares a point with continuous mass), so it is a bias of
the method, not of the step size.

Tolerance: 4 standard errors of the simulated mean (4 000 replications, fixed seed; a single
comparison of a correct path fails with probability about 6e-5). The bias is about 18 SE here.
Marked xfail (strict) until the lattice keeps point masses apart from continuous mass: then it
passes and the strict xfail turns red, so the marker must be removed with the fix.
"""

from __future__ import annotations

import math

import pytest

from model.economics import price, price_unit
from model.expected import expected_unit, why_not
from model.scenario import parse_scenario
from model.simulation import simulate


def _scenario():
    return parse_scenario({
        "name": "midpoint",
        "simulation": {"horizon_months": None},
        "intake": {"cohort": {"n": 1}},
        "entry": "a",
        "interventions": [
            {"name": "a", "duration": {"dist": "fixed", "months": 2.5},
             "routing": {"arbete": 0.5, "b": 0.5}},
            {"name": "b", "duration": {"dist": "exponential", "mean": 1.0},
             "routing": {"arbete": 1.0}},
        ],
        "exit_states": {"arbete": {"category": "work"}, "annat": {"category": "other"}},
        "counterfactual": {"monthly_hazard": 0.03},
        "employment": {"retention": {"share_at_12_months": 0.6}},
        "costs": {"project_months": 24,
                  "fixed": [{"funder": "kommun", "per_month": 1000}]},
    })


@pytest.mark.xfail(strict=True, reason="issue 18.11: a point mass on a month midpoint shares a "
                   "lattice point with continuous mass and is split at mean ± sd")
def test_fixed_stay_ending_on_a_month_midpoint() -> None:
    sc = _scenario()
    assert why_not(sc) is None
    expected = price_unit(sc, expected_unit(sc), detail=False)[0]["person_years:1y"]
    sim = price(simulate(sc, replications=4000, seed=20140227), detail=False).metrics
    mean = float(sim["person_years:1y"].mean())
    se = float(sim["person_years:1y"].std(ddof=1)) / math.sqrt(len(sim))
    assert abs(expected - mean) <= 4 * se, (expected, mean, se)
