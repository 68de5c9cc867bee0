"""`insats threshold --method exact` over a vector of candidates (issue 22, target 4).

The vectorised search (`model.threshold.search` on `model.psa.vector.price_scenario`) must give
today's answer: the one-at-a-time Brent search on the per-value path (`vectorised=False`), the
reference. Both promise the crossing to within brentq's tolerance, xtol + rtol·|x| with
xtol = 1e-9·max(|low|, |high|, 1) and rtol = 1e-10, so two answers are at most twice that
apart; and the printed answer (kronor whole, other values to six significant digits) must be the
same text. Where the path cannot be vectorised, today's search runs and the method line says why.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from model.errors import InputError
from model.threshold import POINTS, search, threshold

ROOT = Path(__file__).resolve().parents[1]
G, L = ROOT / "scenarios/grenverket", ROOT / "scenarios/library"
SE, AY = G / "supported_employment.yaml", G / "anpassad_yrkesutbildning.yaml"
CASES = [  # (file, path, low, high, target npv): the Grenverket pair, two library scenarios
    (SE, "valuation.value_per_year", 1e5, 1e6, 0.0),                             # value per person-year
    (AY, "valuation.value_per_year", 1e4, 1e7, 0.0),
    (SE, "employment.extent", 0.01, 1.0, 0.0),                                   # a share
    (AY, "interventions.anpassad_yrkesutbildning.routing.arbete", 0.0, 1.0, 0.0),  # a routing share
    (SE, "interventions.supported_employment.exit_hazards.arbete", 0.0, 0.2, 0.0),  # a hazard
    (AY, "interventions.anpassad_yrkesutbildning.duration.months", 1.0, 600.0, 0.0),  # a duration
    (AY, "interventions.anpassad_yrkesutbildning.costs.0.per_start", 0.0, 1e7, 0.0),  # a cost
    (L / "spangen.yaml", "valuation.value_per_year", 1e4, 1e6, 1e6),
    (L / "ungdomstorget.yaml", "counterfactual.monthly_hazard", 0.0, 0.5, 0.0),
]


def _tolerance(low: float, high: float, x: float) -> float:
    return 1e-9 * max(abs(low), abs(high), 1.0) + 1e-10 * abs(x)


@pytest.mark.parametrize(("file", "path", "low", "high", "target"), CASES,
                         ids=[f"{c[0].stem}:{c[1].split('.')[-1]}" for c in CASES])
def test_the_vectorised_search_gives_the_per_value_answer(file: Path, path: str, low: float,
                                                          high: float, target: float) -> None:
    new = threshold(file, path, low, high, target=target, method="exact")
    old = threshold(file, path, low, high, target=target, method="exact", vectorised=False)
    assert new.batches >= 1 and new.fallback == "", (new.batches, new.fallback)
    assert old.batches == 0
    assert abs(new.value - old.value) <= 2 * _tolerance(low, high, old.value), (new.value, old.value)
    assert low < new.value < high
    # the ends of the bracket priced both ways: the same figures to 1e-9 relative (issue 22)
    for a, b in ((new.at_low, old.at_low), (new.at_high, old.at_high)):
        assert abs(a - b) <= 1e-9 * max(abs(b), 1.0), (a, b)
    for lang in ("sv", "en"):
        assert new.text(lang).splitlines()[0] == old.text(lang).splitlines()[0]
    assert "vector batch" in new.text("en") and "vektoriserad" in new.text("sv")


def test_a_scenario_whose_lattice_changes_with_the_value_falls_back_and_says_so() -> None:
    """Slussen's stays have a tail, so its routing share changes the lattice's length: the
    vectorised path leaves every candidate, and the search is today's, as the method line says."""
    args = (L / "slussen.yaml", "interventions.slussen.routing.arbete_eller_studier", 0.0, 1.0)
    new = threshold(*args, method="exact")
    old = threshold(*args, method="exact", vectorised=False)
    assert new.batches == 0 and "lattice length differs" in new.fallback
    assert new.value == old.value and new.evaluations == old.evaluations
    assert "one at a time (a stay with a tail" in new.text("en")
    assert "en i taget" in new.text("sv")


def test_an_input_the_vectorised_path_does_not_set_falls_back_and_says_so() -> None:
    args = (SE, "valuation.discount_rate", 0.0, 0.5)
    new = threshold(*args, target=1e7, method="exact")
    old = threshold(*args, target=1e7, method="exact", vectorised=False)
    assert new.batches == 0 and new.value == old.value
    assert "one at a time ('valuation.discount_rate' is not vectorised)" in new.text("en")
    assert "('valuation.discount_rate' går inte att vektorisera)" in new.text("sv")


def test_a_whole_number_input_keeps_todays_search_and_its_message() -> None:
    """The intake cap is an integer: today's search sets it to Brent's fractional points and the
    scenario refuses them. The vectorised path (which prices only whole caps) is not used, so the
    answer is today's, message included."""
    args = (SE, "intake.max_participants", 10, 300)
    with pytest.raises(InputError, match="valid integer") as new:
        threshold(*args, target=1e7, method="exact")
    with pytest.raises(InputError, match="valid integer") as old:
        threshold(*args, target=1e7, method="exact", vectorised=False)
    assert str(new.value) == str(old.value)


def test_a_scenario_off_the_expected_path_is_still_refused() -> None:
    """Framgången stops at simulation.horizon_months: today's exact search refuses it with the
    reason, and so does the vectorised one (it falls back to today's)."""
    with pytest.raises(InputError, match="expected-value path cannot price"):
        threshold(L / "framgangen.yaml", "valuation.value_per_year", 1, 1e6, method="exact")


def test_no_crossing_gives_todays_message() -> None:
    args = (SE, "valuation.value_per_year", 2e5, 1e6)
    with pytest.raises(InputError, match="does not cross") as new:
        threshold(*args, method="exact")
    with pytest.raises(InputError, match="does not cross") as old:
        threshold(*args, method="exact", vectorised=False)
    assert str(new.value) == str(old.value)


def test_search_finds_a_known_root_within_brents_tolerance() -> None:
    """x³ − 2 on [0, 2] crosses at 2^(1/3); a 0 at an end returns that end as brentq does; no
    crossing gives NaN; no batch is larger than POINTS candidates."""
    sizes: list[int] = []

    def cube(xs: np.ndarray) -> np.ndarray:
        sizes.append(len(xs))
        return xs ** 3 - 2.0

    found = search(cube, 0.0, 2.0, 1e-12, 1e-10)
    assert abs(found.value - 2 ** (1 / 3)) <= 1e-12 + 1e-10 * 2 ** (1 / 3)
    assert found.batches == len(sizes) and max(sizes) <= POINTS and found.evaluations == sum(sizes)
    assert search(lambda xs: xs - 1.0, 1.0, 3.0, 1e-9, 1e-10).value == 1.0
    assert search(lambda xs: xs - 3.0, 1.0, 3.0, 1e-9, 1e-10).value == 3.0
    assert math.isnan(search(lambda xs: xs + 1.0, 1.0, 3.0, 1e-9, 1e-10).value)


def test_search_on_a_step_returns_the_step() -> None:
    """A step function (no root, a change of sign) as brentq: a point within the tolerance of
    the step."""
    found = search(lambda xs: np.where(xs < 0.3, -1.0, 1.0), 0.0, 1.0, 1e-9, 1e-10)
    assert abs(found.value - 0.3) <= 1e-9 + 1e-10 * 0.3


def test_another_metric_and_target_give_the_per_value_answer() -> None:
    """The benefit-cost ratio reaching 1.5 as the counterfactual's hazard rises (Anpassad
    yrkesutbildning): a metric other than NPV, a target other than 0."""
    args = (AY, "counterfactual.monthly_hazard", 0.0, 0.1)
    new = threshold(*args, metric="bcr", target=1.5, method="exact")
    old = threshold(*args, metric="bcr", target=1.5, method="exact", vectorised=False)
    assert new.batches >= 1 and new.fallback == ""
    assert abs(new.value - old.value) <= 2 * _tolerance(0.0, 0.1, old.value), (new.value, old.value)
    assert new.text("en").splitlines()[0] == old.text("en").splitlines()[0]
