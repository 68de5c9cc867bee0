"""Reference mode prices both sides with one after-exit hiring rate (issue 18, item 5).

Programme P: a cohort of 10 stays a fixed 2 months and leaves to `annat`; its reference R stays a
fixed 6 months and leaves to `annat`. Nobody exits to work, so every job is found after exit, at
the monthly hazard f of the counterfactual, and with no job loss P(in work) x months after exit
is 1 − exp(−f x) (`model.economics.effect.chain`). Gain at the month midpoints u = 0.5 … 11.5 of
the first year, summed over the 10 people, divided by 12, is the 1-year person-years, by hand.
Both runs are deterministic (fixed stays, one exit), so the simulation and the expected-value
path give the hand value to rounding.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from model.evaluate import evaluate
from model.load import load_scenario

PROGRAMME = """\
name: kort
intake:
  cohort: {{n: 10}}
entry: a
interventions:
  - name: a
    duration: {{dist: fixed, months: 2}}
    routing: {{annat: 1.0}}
exit_states:
  arbete: {{category: work}}
  annat: {{category: other}}
counterfactual:
  reference: lang.yaml
{own_rate}
"""
REFERENCE = """\
name: lang
intake:
  cohort: {n: 10}
entry: a
interventions:
  - name: a
    duration: {dist: fixed, months: 6}
    routing: {annat: 1.0}
exit_states:
  arbete: {category: work}
  annat: {category: other}
counterfactual:
  monthly_hazard: 0.05
"""


def by_hand(f: float) -> float:
    """Person-years gained in year 1 by leaving after 2 months instead of 6, both sides finding
    work at hazard f after exit."""
    def p(u: float, stay: float) -> float:
        return 1.0 - math.exp(-f * (u - stay)) if u >= stay else 0.0

    return 10 * sum(p(m + 0.5, 2.0) - p(m + 0.5, 6.0) for m in range(12)) / 12.0


def _files(tmp_path: Path, own_rate: str) -> Path:
    (tmp_path / "lang.yaml").write_text(REFERENCE, encoding="utf-8")
    f = tmp_path / "kort.yaml"
    f.write_text(PROGRAMME.format(own_rate=own_rate), encoding="utf-8")
    return f


@pytest.mark.parametrize("method", ["expected", "simulate"])
def test_programme_uses_the_reference_rate_when_it_gives_none(tmp_path: Path, method: str) -> None:
    """Without its own rate the programme's leavers find work at the reference's 0.05 a month
    (before: not at all, and the person-years came out negative)."""
    sc = load_scenario(_files(tmp_path, ""))
    m, _ = evaluate(sc, method, replications=2, seed=1)
    assert m["person_years:1y"] == pytest.approx(by_hand(0.05), rel=1e-9)


@pytest.mark.parametrize("method", ["expected", "simulate"])
def test_the_scenario_rate_applies_to_both_sides(tmp_path: Path, method: str) -> None:
    """With `monthly_hazard` beside `reference`, the reference's leavers use it too (before: the
    reference kept its own 0.05 while the programme's used 0.02)."""
    sc = load_scenario(_files(tmp_path, "  monthly_hazard: 0.02"))
    m, _ = evaluate(sc, method, replications=2, seed=1)
    assert m["person_years:1y"] == pytest.approx(by_hand(0.02), rel=1e-9)
