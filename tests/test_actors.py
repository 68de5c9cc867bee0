"""Who gains (issue 13): valuation from components, the actor split, transfers netting to zero,
price-year indexing and QALYs, each against a hand calculation."""

from __future__ import annotations

import pytest
from econ_helpers import deterministic, only, priced, write_yaml
from typer.testing import CliRunner

from cli import app
from model.unit_costs import kpi_factor

COMPONENTS = [
    {"name": "lon", "kind": "production", "when": "in_work", "basis": "fte",
     "payee": "individen", "per_year": 240_000},
    {"name": "avgifter", "kind": "production", "when": "in_work", "basis": "fte",
     "payee": "staten", "per_year": 75_000},
    {"name": "handlaggning", "kind": "resource", "when": "out_of_work", "basis": "head",
     "payer": "kommun", "per_year": 20_000},
    {"name": "forsorjningsstod", "kind": "transfer", "when": "out_of_work", "basis": "head",
     "payer": "kommun", "payee": "individen", "per_year": 60_000},
    {"name": "skatt", "kind": "transfer", "when": "in_work", "basis": "fte",
     "payer": "individen", "payee": "kommun", "per_year": 50_000},
]


def _case(**valuation) -> dict:
    """Ten people, three months, everybody to work, f = l = 0, r = 0, half-time jobs, 1 year."""
    raw = deterministic(employment={"extent": 0.5, "retention": {"monthly_hazard": 0.0}})
    raw["valuation"] = {"discount_rate": 0.0, "horizon_years": 1, "views_years": [1],
                        **valuation}
    return raw


def test_components_value_and_split_by_hand() -> None:
    """Per head-count person-year in work: real value = (240 000 + 75 000) × 0.5 + 20 000 =
    177 500 kr (individen 120 000, staten 37 500, kommun 20 000 saved); transfers kommun
    +60 000 (no försörjningsstöd) + 25 000 (tax on half a wage) = +85 000, individen −85 000.
    Ten people in work 9 months of the year: 7.5 person-years (3.75 full-time equivalents).
    Revenue = 7.5 × 177 500 = 1 331 250 kr."""
    p = priced(_case(components=COMPONENTS))
    assert only(p, "person_years") == pytest.approx(3.75)
    assert only(p, "revenue") == pytest.approx(1_331_250)
    led = p.ledger.groupby("actor")[["benefit", "transfers"]].sum()
    assert led.at["individen", "benefit"] == pytest.approx(7.5 * 120_000)
    assert led.at["staten", "benefit"] == pytest.approx(7.5 * 37_500)
    assert led.at["kommun", "benefit"] == pytest.approx(7.5 * 20_000)
    assert led.at["kommun", "transfers"] == pytest.approx(7.5 * 85_000)
    assert led.at["individen", "transfers"] == pytest.approx(-7.5 * 85_000)
    assert abs(led["transfers"].sum()) <= 1e-6
    assert led["benefit"].sum() == pytest.approx(only(p, "revenue"))


def test_a_library_group_nets_transfers_to_zero_every_year() -> None:
    """The shipped UVAS group on the hand case: revenue > 0, the ledger's real benefits add up to
    it, and transfers net to zero in every year, undiscounted and discounted."""
    raw = _case(unit_costs="uvas", price_year=2024)
    raw["valuation"]["discount_rate"] = 0.035
    p = priced(raw)
    assert only(p, "revenue") > 0
    by_year = p.ledger.groupby("year")[["transfers", "transfers_pv"]].sum()
    assert by_year.abs().to_numpy().max() <= 1e-6 * only(p, "revenue")
    assert p.ledger["benefit"].sum() == pytest.approx(only(p, "revenue"))
    assert p.ledger["benefit_pv"].sum() == pytest.approx(only(p, "revenue_pv"))


def test_components_are_indexed_by_kpi_to_the_scenario_price_year() -> None:
    """A component priced in 2013 in a 2023 scenario is worth KPI(2023)/KPI(2013) times as much;
    the same component given in 2023 prices is not rescaled."""
    one = [{"name": "lon", "kind": "production", "when": "in_work", "basis": "head",
            "payee": "individen", "per_year": 100_000}]
    base = only(priced(_case(components=one, price_year=2023)), "revenue")
    old = only(priced(_case(components=[{**one[0], "price_year": 2013}], price_year=2023)),
               "revenue")
    assert base == pytest.approx(7.5 * 100_000)
    assert old == pytest.approx(base * kpi_factor(2013, 2023))
    assert kpi_factor(2013, 2023) > 1.2


def test_qalys_by_hand() -> None:
    """U(programme) 0.7, U(work) 0.79, U(outside work) 0.6; nobody works without the programme.
    1 year: 10 × 3 months in the programme (+0.1 each) and 10 × 9 months in work (+0.19 each):
    (30 × 0.1 + 90 × 0.19) / 12 = 1.675 QALY; valued at 1 MSEK per QALY = 1 675 000 kr, reported
    beside the NPV, which does not change."""
    health = {"utility_in_programme": 0.7, "utility_in_work": 0.79,
              "utility_outside_work": 0.6, "value_per_qaly": 1_000_000}
    raw = _case(value_per_year=120_000)
    without = priced(raw)
    raw["health"] = health
    p = priced(raw)
    assert only(p, "qaly:1y") == pytest.approx(1.675)
    assert only(p, "qaly_value_pv:1y") == pytest.approx(1_675_000)
    assert only(p, "npv") == pytest.approx(only(without, "npv"))


def test_value_per_year_and_components_together_are_refused(tmp_path) -> None:
    path = write_yaml(tmp_path / "both.yaml", _case(value_per_year=500_000, unit_costs="uvas"))
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 2
    assert "valuation" in res.stderr and "either value_per_year" in res.stderr
