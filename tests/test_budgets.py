"""Budgets as planners write them: a total per funder, staff given once, N people over T months.

Each cost rule is checked against amounts worked out by hand, on the simulation and on the
expected-value path (both price the same `Activity` with `COST_RULES`).
"""

from __future__ import annotations

import numpy as np
import pytest
from econ_helpers import deterministic, only, priced

from model.economics import price_unit
from model.errors import InputError
from model.expected import expected_unit, why_not
from model.expected.arrivals import arrivals
from model.scenario import parse_scenario
from model.simulation import simulate
from model.sweep import apply_values

REL = 1e-9


def approx(x: float | list[float]) -> object:
    return pytest.approx(x, rel=REL, abs=1e-6)


def _both(raw: dict) -> list[tuple[dict[str, float], np.ndarray]]:
    """(metrics, monthly cost) from the simulation (one replication) and the expected path."""
    sc = parse_scenario(raw)
    p = priced(sc)
    sim = ({k: only(p, k) for k in p.metrics.columns if k != "rep"}, p.flows["cost"].to_numpy())
    assert why_not(sc) is None
    m, _, flows = price_unit(sc, expected_unit(sc))
    return [sim, (m, flows["cost"].to_numpy())]


def test_budget_spread_evenly_over_the_project_period() -> None:
    """costs.budget {esf: 60 000} over project_months 6: 10 000 kr in each of months 0-5.

    Nothing else costs anything, so cost = budget = ESF grant = 60 000 and co-financing is 0.
    """
    raw = deterministic(costs={"project_months": 6, "budget": {"esf": 60_000}})
    for m, monthly in _both(raw):
        assert monthly[:6] == approx([10_000] * 6)
        assert not monthly[6:].any()
        assert (m["cost"], m["budget"], m["budget:esf"], m["esf_grant"], m["cofinancing"]) == approx(
            (60_000, 60_000, 60_000, 60_000, 0))


def test_budget_by_year() -> None:
    """budget_by_year {kommun: [120 000, 30 000]} with project_months 18: year 1 over months 0-11
    (10 000 a month), year 2 over the six months 12-17 left of the period (5 000 a month)."""
    raw = deterministic(costs={"project_months": 18, "budget_by_year": {"kommun": [120_000, 30_000]}})
    for m, monthly in _both(raw):
        assert monthly[:18] == approx([10_000] * 12 + [5_000] * 6)
        assert not monthly[18:].any()
        assert (m["budget:kommun"], m["cofinancing"], m["esf_grant"]) == approx((150_000, 150_000, 0))


def test_budget_by_year_without_a_project_period_takes_whole_years() -> None:
    """Without project_months each year's amount is spread over its 12 months."""
    raw = deterministic(costs={"budget_by_year": {"region": [24_000, 12_000]}})
    p = priced(raw)
    monthly = p.flows["cost"].to_numpy()
    assert monthly[:24] == approx([2_000] * 12 + [1_000] * 12)
    assert only(p, "budget:region") == approx(36_000)


def test_funder_with_two_budgets_or_too_many_years_is_refused() -> None:
    with pytest.raises(InputError) as err:
        parse_scenario(deterministic(costs={"budget": {"esf": 1}, "budget_by_year": {"ESF": [1]}}))
    assert "esf given both in budget and in budget_by_year" in str(err.value)
    with pytest.raises(InputError) as err:
        parse_scenario(deterministic(costs={"project_months": 12,
                                            "budget_by_year": {"esf": [1, 2]}}))
    assert "gives 2 years, but the project period (costs.project_months) is 12 months" in str(err.value)


def _staffed(fte: float, changes: list[dict] | None = None) -> dict:
    """Ten people, 3 months, in an intervention whose staff (30 000 kr a month each, employer
    contribution 30 %) are paid by ESF over a 6-month project."""
    raw = deterministic(costs={"project_months": 6, "employer_contribution": 0.3})
    raw["interventions"][0]["capacity"] = {"staff_fte": fte, "caseload_per_fte": 10,
                                           "monthly_salary": 30_000, "funder": "esf"}
    raw["interventions"][0]["capacity_changes"] = changes or []
    return raw


def test_staff_given_once_price_their_fte() -> None:
    """2 FTE × 30 000 × 1.3 = 78 000 kr a month for 6 months = 468 000; the same 2 FTE give 20
    places (caseload 10), enough for the 10 participants."""
    raw = _staffed(2)
    assert parse_scenario(raw).interventions[0].capacity.slots() == 20
    for m, monthly in _both(raw):
        assert monthly[:6] == approx([78_000] * 6)
        assert (m["cost"], m["budget:esf"]) == approx((468_000, 468_000))


def test_staff_changes_change_the_cost() -> None:
    """From month 2.5 one FTE: months 0-1 78 000, month 2 half of each (58 500), months 3-5
    39 000: 156 000 + 58 500 + 117 000 = 331 500."""
    p = priced(_staffed(2, [{"month": 2.5, "staff_fte": 1}]))
    assert p.flows["cost"].to_numpy()[:6] == approx([78_000, 78_000, 58_500, 39_000, 39_000, 39_000])
    assert only(p, "cost") == approx(331_500)


def test_sweeping_supervisors_costs_more() -> None:
    """The sweep path capacity.staff_fte moves places and cost together: 3 -> 5 FTE adds
    2 × 30 000 × 1.3 × 6 = 468 000 kr."""
    raw = _staffed(3)
    path = ["interventions", "a", "capacity", "staff_fte"]
    costs = {}
    for fte in (3, 5):
        new, _ = apply_values(raw, [(path, fte)])
        sc = parse_scenario(new)
        assert sc.interventions[0].capacity.slots() == fte * 10
        costs[fte] = only(priced(sc), "cost")
    assert costs[5] - costs[3] == approx(468_000)


def test_costed_staff_are_checked() -> None:
    raw = _staffed(2, [{"month": 3, "places": 10}])
    with pytest.raises(InputError) as err:
        parse_scenario(raw)
    assert "change it with staff_fte so that the staff cost follows" in str(err.value)
    raw = _staffed(2)
    del raw["interventions"][0]["capacity"]["funder"]
    with pytest.raises(InputError) as err:
        parse_scenario(raw)
    assert "needs both monthly_salary and funder" in str(err.value)
    no_period = _staffed(2)
    no_period["costs"] = {"employer_contribution": 0.3}
    assert "staff are costed until the last participant leaves" in why_not(parse_scenario(no_period))


def _spread(**intake: object) -> dict:
    raw = deterministic()
    raw["intake"] = intake
    return raw


def test_spread_gives_exactly_n_evenly_spaced_arrivals() -> None:
    """12 people over 6 months: one every half month, at the midpoints 0.25, 0.75, ... 5.75."""
    sc = parse_scenario(_spread(spread={"n": 12, "months": 6}))
    run = simulate(sc, replications=3)
    for _, people in run.participants.groupby("rep"):
        assert people["arrival_month"].tolist() == approx([0.25 + 0.5 * k for k in range(12)])
    assert arrivals(sc, 1 / 16).sum() == approx(12)


def test_spread_skips_pauses_and_respects_the_cap() -> None:
    """From month 2 over 6 months with a pause in [4, 6): 4 open months (2-4 and 6-8), so
    8 people arrive every half month of open time: 2.25 ... 3.75 and 6.25 ... 7.75. A cap of 5
    admits the first 5."""
    raw = _spread(spread={"n": 8, "months": 6, "start_month": 2},
                  pauses=[{"start_month": 4, "end_month": 6}])
    people = simulate(parse_scenario(raw), replications=1).participants
    assert people["arrival_month"].tolist() == approx([2.25, 2.75, 3.25, 3.75, 6.25, 6.75, 7.25, 7.75])
    raw["intake"]["max_participants"] = 5
    sc = parse_scenario(raw)
    assert len(simulate(sc, replications=1).participants) == 5
    assert arrivals(sc, 1 / 16).sum() == approx(5)


def test_spread_covered_by_pauses_is_refused() -> None:
    with pytest.raises(InputError) as err:
        parse_scenario(_spread(spread={"n": 8, "months": 2},
                               pauses=[{"start_month": 0, "end_month": 3}]))
    assert "the pauses cover the whole spread" in str(err.value)
