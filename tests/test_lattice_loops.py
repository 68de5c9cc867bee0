"""The expected-value path against the simulation where a fixed stay ends on a month midpoint
(issue 18, item 11), and figures continuous in a stay's length.

Smallest case found (shrunk from the issue's example, a loop i0 → i1 → i2 → i0 through fixed stays
of 2,5 and 0,4 months): one participant, `a` fixed 2,5 months, then half to work and half to `b`
(exponential, mean 1 month) and on to work. Half the participants start a job at exactly month
2,5, a month midpoint u of the pricing grid. When a month was priced by its midpoint alone, being
in work jumped from 0 to 1 at that point: the simulation counted the job from u = 2,5, and the
lattice, which keeps that point mass together with `b`'s first-step exits and splits the point
into halves at mean ± sd, counted half of it a month later (expected 0,4930 vs simulated
0,5129 ± 0,0005, z ≈ −41; refining the step did not help). The root cause was the pricing rule,
not the lattice: a job starting inside a month now counts for the part of the month after it
(`model.economics.effect.after_start`), a continuous function of the start, so splitting a
point's mass at mean ± sd costs only a second-order error, and a fixed 6,6-month course is priced
between 6,5 and 7 months instead of as 7.

Tolerance: 4 standard errors of the simulated mean (4 000 replications, fixed seed; a single
comparison of a correct path fails with probability about 6e-5). The old bias was about 18 SE.
"""

from __future__ import annotations

import math
from itertools import pairwise

import pytest

from model.economics import price, price_unit
from model.expected import expected_unit, why_not
from model.scenario import parse_scenario
from model.simulation import simulate


def _scenario(months: float = 2.5):
    return parse_scenario({
        "name": "midpoint",
        "simulation": {"horizon_months": None},
        "intake": {"cohort": {"n": 1}},
        "entry": "a",
        "interventions": [
            {"name": "a", "duration": {"dist": "fixed", "months": months},
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


def test_fixed_stay_ending_on_a_month_midpoint() -> None:
    sc = _scenario()
    assert why_not(sc) is None
    expected = price_unit(sc, expected_unit(sc), detail=False)[0]["person_years:1y"]
    sim = price(simulate(sc, replications=4000, seed=20140227), detail=False).metrics
    mean = float(sim["person_years:1y"].mean())
    se = float(sim["person_years:1y"].std(ddof=1)) / math.sqrt(len(sim))
    assert abs(expected - mean) <= 4 * se, (expected, mean, se)


def _fixed(months: float):
    return _scenario(months)


@pytest.mark.parametrize("months", [2.3, 2.5, 2.75])
def test_a_fixed_stay_between_whole_months_agrees_with_the_simulation(months: float) -> None:
    """Off the month midpoints too (4 SE, as above)."""
    sc = _fixed(months)
    expected = price_unit(sc, expected_unit(sc), detail=False)[0]["person_years:1y"]
    sim = price(simulate(sc, replications=4000, seed=20140227), detail=False).metrics
    mean = float(sim["person_years:1y"].mean())
    se = float(sim["person_years:1y"].std(ddof=1)) / math.sqrt(len(sim))
    assert abs(expected - mean) <= 4 * se, (months, expected, mean, se)


def test_figures_move_smoothly_with_a_fixed_stays_length() -> None:
    """Person-years fall steadily as the fixed stay grows from 2 to 3 months: every participant's
    job starts a tenth of a month later per step, which costs at most a tenth of a month of work
    each (0,1 / 12 py), and the eleven steps are alike (largest within 10 % of the smallest).
    Under the midpoint-only rule nine steps were 0 and the one across 2,5 months a month's worth."""
    py = [price_unit(s, expected_unit(s), detail=False)[0]["person_years:1y"]
          for s in (_fixed(m / 10) for m in range(20, 31))]
    steps = [a - b for a, b in pairwise(py)]
    assert all(0 < d <= 0.1 / 12 for d in steps), steps
    assert max(steps) <= 1.1 * min(steps), steps
