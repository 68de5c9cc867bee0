"""Every scenario option that changes a figure, checked against a hand-computed case (issue 9).

Each test here fails when its option is ignored, reversed, or off by one unit (a month read as a
year, a year counted from 0 instead of 1, a place too many). The cases are small enough to work
out by hand; the arithmetic is in each docstring, and the test repeats it in plain loops that do
not reuse the pricing code. Where an option only acts through random draws, the check is
statistical: the seed is fixed and the tolerance is 4 standard errors (a correct engine fails a
single comparison with probability about 6e-5).

Exact mode shares its override code with the engine (`effective_rules`), so comparing the two
cannot catch an override bug: the overrides are checked against formulas instead.

Conventions (docs/method.md): grid of month midpoints u = 0.5, 1.5, ... since arrival; with the
`deterministic` case a cohort of 10 arrives at month 0, stays 3 months and leaves to work, the
value is 120 000 kr a year = 10 000 kr a person-month, r = 0, f = 0 and no job loss, so with the
programme each person works from u = 3.5 on: 57 months in a 5-year view, 9 in a 1-year view.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from econ_helpers import deterministic, merged, only, priced, split_design, write_yaml

from model.api import run_scenario
from model.economics import price, price_unit
from model.exact import solve_exact
from model.expected import expected_unit
from model.load import load_scenario
from model.scenario import parse_scenario
from model.simulation import simulate

REL = 1e-9
U60 = np.arange(60) + 0.5  # the 5-year grid of month midpoints


def approx(x: float) -> object:
    return pytest.approx(x, rel=REL, abs=1e-6)


def chain_unemployed(u: float, f: float) -> float:
    """P(in work) u months after a start out of work, finding work at f a month, no job loss."""
    return 1.0 - math.exp(-f * u) if u > 0 else 0.0


# ------------------------------------------------------------------ the counterfactual


BY_GROUP_POPULATION = {"sex": {"kvinna": 0.5, "man": 0.5},
                       "born": {"sverige": 0.5, "utrikes": 0.5}}
BY_GROUP = {"monthly_hazard": 0.01,
            "by_group": [{"when": {"sex": "man", "born": "utrikes"}, "monthly_hazard": 0.06},
                         {"when": {"sex": "kvinna"}, "monthly_hazard": 0.03}]}


def _hazard_of(sex: str, born: str) -> float:
    """The hazard BY_GROUP gives: foreign-born men 0.06 (both conditions), women 0.03,
    Swedish-born men the scenario-wide 0.01."""
    if sex == "man" and born == "utrikes":
        return 0.06
    if sex == "kvinna":
        return 0.03
    return 0.01


def test_counterfactual_by_group_gives_each_participant_their_hazard() -> None:
    """40 people (sex and born drawn 50/50), 3 months, all to work; no job loss, r = 0.

    Each participant i has the hazard f_i of their group (`_hazard_of`; a `when` with two
    attributes needs both). Without the programme P(work at t) = 1 − e^(−f_i t), so
      jobs without at exit (t = 3)  = Σ_i (1 − e^(−3 f_i)),
      extra in work at 12 months    = Σ_i [1 − (1 − e^(−12 f_i))] = Σ_i e^(−12 f_i),
      person-years (5 y)            = Σ_i Σ_u [1(u > 3) − (1 − e^(−f_i u))] / 12.
    Ignoring by_group (everyone 0.01), swapping the groups, or reading `when` as "any of" gives
    other sums (the draw has people in all four cells: checked).
    """
    raw = deterministic(n=40, population=BY_GROUP_POPULATION, counterfactual=BY_GROUP)
    run = simulate(parse_scenario(raw))
    people = run.participants
    assert people.groupby(["sex", "born"]).size().min() >= 3
    f = np.array([_hazard_of(s, b) for s, b in zip(people["sex"], people["born"], strict=True)])
    m = price(run).metrics.iloc[0]
    assert m["jobs_without_at_exit"] == approx(float(np.sum(1 - np.exp(-3 * f))))
    assert m["extra_jobs_12m"] == approx(float(np.sum(np.exp(-12 * f))))
    gain = sum((u > 3) - chain_unemployed(u, fi) for fi in f for u in U60)
    assert m["person_years"] == approx(gain / 12)


def test_counterfactual_by_group_on_the_expected_value_path() -> None:
    """The expected-value path mixes the four cells by their shares (each 1/4):
    E[jobs without at exit] = 40 × ¼ Σ_cells (1 − e^(−3 f)), f = 0.06, 0.03, 0.03, 0.01 (the
    women's cell hazard holds whether they were born in Sweden or abroad)."""
    raw = deterministic(n=40, population=BY_GROUP_POPULATION, counterfactual=BY_GROUP)
    sc = parse_scenario(raw)
    m, _, _ = price_unit(sc, expected_unit(sc), detail=False)
    cells = [_hazard_of(s, b) for s in ("kvinna", "man") for b in ("sverige", "utrikes")]
    assert sorted(cells) == [0.01, 0.03, 0.03, 0.06]
    assert m["jobs_without_at_exit"] == approx(10 * sum(1 - math.exp(-3 * f) for f in cells))
    assert m["extra_jobs_12m"] == approx(10 * sum(math.exp(-12 * f) for f in cells))


@pytest.mark.parametrize(("section", "expect"), [
    ({"counterfactual": {"monthly_hazard": 0.0, "deadweight": 0.2}}, 0.8),
    ({"counterfactual": {"monthly_hazard": 0.0, "displacement": 0.3}}, 0.7),
    ({"valuation": {"confidence_haircut": 0.25}}, 0.75),
    ({"employment": {"retention": {"monthly_hazard": 0.0}, "extent": 0.6}}, 0.6),
    ({"counterfactual": {"monthly_hazard": 0.0, "deadweight": 0.2, "displacement": 0.3},
      "valuation": {"confidence_haircut": 0.25}}, 0.8 * 0.7 * 0.75),
], ids=["deadweight", "displacement", "haircut", "extent", "all_three"])
def test_effect_multipliers_by_hand(section: dict, expect: float) -> None:
    """Deadweight 0.2, displacement 0.3, confidence haircut 0.25 and extent 0.6 each scale the
    valued effect by (1 − x) (extent by x): the hand case's 47.5 person-years (10 × 57 / 12)
    and 5 700 000 kr become 47.5 × factor and 5 700 000 × factor; the three together
    0.8 × 0.7 × 0.75 = 0.42. Head counts are people, not valued effect: 10 extra jobs stay 10.
    (With a share of 0.5 a reversed option, x instead of 1 − x, would go unnoticed.)"""
    p = priced(deterministic(**section))
    assert only(p, "person_years") == approx(47.5 * expect)
    assert only(p, "revenue") == approx(5_700_000 * expect)
    assert only(p, "revenue:1y") == approx(900_000 * expect)
    assert only(p, "extra_jobs_at_exit") == approx(10)
    assert only(p, "extra_jobs_12m") == approx(10)


def test_jobs_at_exit_count_only_those_who_have_left() -> None:
    """The run stops at month 4 (simulation.horizon_months): 5 people left to work at month 3,
    5 others are in a 6-month intervention and still enrolled. f = 0.05, no job loss.

      jobs without at exit = 5 (1 − e^(−0.05 × 3)) (only those who left have an exit time);
      extra jobs at exit   = 5 − that;
      at 12 months: the 5 workers are in work; the 5 still enrolled are out of work until the
      run ends (month 4) and then search: 5 (1 − e^(−0.05 × 8)); without the programme all 10
      would be in work with probability 1 − e^(−0.6):
      extra at 12 months   = 5 + 5 (1 − e^(−0.4)) − 10 (1 − e^(−0.6)).
    """
    raw = split_design(5, 5, counterfactual={"monthly_hazard": 0.05},
                       simulation={"replications": 1, "seed": 11, "horizon_months": 4})
    raw["interventions"][1]["duration"] = {"dist": "fixed", "months": 6}
    p = priced(raw)
    assert only(p, "still_in_programme") == 5
    assert only(p, "exits_work") == 5
    without = 5 * (1 - math.exp(-0.15))
    assert only(p, "jobs_without_at_exit") == approx(without)
    assert only(p, "extra_jobs_at_exit") == approx(5 - without)
    assert only(p, "extra_jobs_12m") == approx(5 + 5 * (1 - math.exp(-0.4))
                                               - 10 * (1 - math.exp(-0.6)))


# ------------------------------------------------------------------ against a costed reference


def test_decision_figures_against_a_costed_reference_by_hand(tmp_path) -> None:
    """Reference 'ref': 4 people leave at once (stay 0) to 'annat' and then find work at f = 0.02
    a month; it costs 300 000 kr (month 0). The programme: 8 people, 3 months, all to work, no
    job loss; it costs 900 000 kr (month 0). Value 300 000 kr a year, r = 0.

    The reference is scaled to the programme's 8 participants (× 2): its cost 600 000 kr and its
    employment curve 8 (1 − e^(−0.02 u)). Gain at u: 8 · 1(u > 3) − 8 (1 − e^(−0.02 u));
    person-years = Σ_u gain / 12 (u < 60); revenue = 300 000 × person-years. Every decision
    figure is incremental: extra cost 900 000 − 600 000 = 300 000 kr, so NPV = revenue −
    300 000, BCR = revenue / 300 000 (not / 900 000, the full cost; not / 600 000, the
    unscaled reference), cost per extra job = 300 000 / 8 (the reference sends nobody to work at
    exit), and payback is the first month k + 1 from which Σ_{j ≤ k} 25 000 · gain(j + 0.5)
    stays ≥ 300 000. The societal cost line itself stays the programme's own 900 000.
    """
    ref = deterministic(n=4, months=0, counterfactual={"monthly_hazard": 0.02},
                        costs={"lump_sums": [{"funder": "kommun", "amount": 300_000}]},
                        valuation={"value_per_year": 300_000, "discount_rate": 0.0})
    ref["name"] = "ref"
    ref["interventions"][0]["routing"] = {"annat": 1.0}
    write_yaml(tmp_path / "ref.yaml", ref)
    raw = split_design(8, 0, costs={"lump_sums": [{"funder": "esf", "amount": 900_000}]},
                       valuation={"value_per_year": 300_000, "discount_rate": 0.0})
    raw["counterfactual"] = {"reference": "ref.yaml"}
    m = run_scenario(load_scenario(write_yaml(tmp_path / "prog.yaml", raw))).priced.metrics
    m = m.iloc[0]
    gain = np.array([8 * (u > 3) - 8 * chain_unemployed(u, 0.02) for u in U60])
    revenue = 300_000 * gain.sum() / 12
    assert m["cost"] == approx(900_000)
    assert m["net_cost"] == approx(300_000)
    assert m["reference_cost_pv"] == approx(600_000)
    assert m["revenue"] == approx(revenue)
    assert m["npv"] == approx(revenue - 300_000)
    assert m["bcr"] == approx(revenue / 300_000)
    assert m["extra_jobs_at_exit"] == approx(8)
    assert m["cost_per_extra_job"] == approx(300_000 / 8)
    cum = np.cumsum(25_000 * gain)
    behind = np.nonzero(cum < 300_000)[0]
    assert m["payback_months"] == behind[-1] + 2


def test_job_finding_hazard_beside_a_reference(tmp_path) -> None:
    """`monthly_hazard` beside `reference` is the job-finding hazard of those who leave the
    programme without a job, on both sides of the comparison (issue 18, item 5). Reference: 8
    people leave at once to 'annat' (its own f = 0). Programme: 4 leave to work and 4 to 'annat'
    at month 3, value 120 000 kr a year (10 000 a month), r = 0, no job loss. With the hazard
    0.05 the programme's 4 others work with probability 1 − e^(−0.05 (u − 3)) after month 3, and
    the reference's 8 with 1 − e^(−0.05 u) from month 0:
      person-years = Σ_{u > 3} [4 + 4 (1 − e^(−0.05 (u − 3)))] / 12 − Σ_u 8 (1 − e^(−0.05 u)) / 12
    (u < 60); without it both sides use the reference's f = 0: 4 × 57 / 12 = 19."""
    ref = deterministic(n=8, months=0, counterfactual={"monthly_hazard": 0.0})
    ref["name"] = "ref"
    ref["interventions"][0]["routing"] = {"annat": 1.0}
    write_yaml(tmp_path / "ref.yaml", ref)
    with_f = split_design(4, 4)
    with_f["counterfactual"] = {"reference": "ref.yaml", "monthly_hazard": 0.05}
    m = run_scenario(load_scenario(write_yaml(tmp_path / "f.yaml", with_f))).priced.metrics
    expect = (sum(4 + 4 * (1 - math.exp(-0.05 * (u - 3))) for u in U60 if u > 3)
              - sum(8 * (1 - math.exp(-0.05 * u)) for u in U60)) / 12
    assert float(m["person_years"].iloc[0]) == approx(expect)
    without_f = split_design(4, 4)
    without_f["counterfactual"] = {"reference": "ref.yaml"}
    m = run_scenario(load_scenario(write_yaml(tmp_path / "no_f.yaml", without_f))).priced.metrics
    assert float(m["person_years"].iloc[0]) == approx(4 * 57 / 12)


# ------------------------------------------------------------------ employment after exit


def test_value_studies() -> None:
    """All 10 leave to studies. With `value_studies: false` (the default) studies are not a job:
    f = 0, so nobody works with or without the programme and every effect is 0. With `true` a
    study exit counts as starting a job: 47.5 person-years, 10 good outcomes and 10 extra in work
    at 12 months, while exits to work (and extra jobs at exit, a count of work exits) stay 0."""
    raw = deterministic(exit_states={"arbete": {"category": "work"},
                                     "studier": {"category": "studies"}})
    raw["interventions"][0]["routing"] = {"studier": 1.0}
    off = priced(raw)
    assert only(off, "exits_studies") == 10 and only(off, "exits_good") == 0
    assert only(off, "person_years") == approx(0)
    assert only(off, "extra_jobs_12m") == approx(0)
    on = priced(merged(raw, employment={"value_studies": True}))
    assert only(on, "exits_good") == 10 and only(on, "exits_work") == 0
    assert only(on, "person_years") == approx(47.5)
    assert only(on, "revenue") == approx(5_700_000)
    assert only(on, "extra_jobs_12m") == approx(10)
    assert only(on, "extra_jobs_at_exit") == approx(0)


def test_retention_as_a_share_at_12_months() -> None:
    """`share_at_12_months: 0.5` is a job-loss hazard l = ln 2 / 12 a month: a job started at
    month 3 is still held at u with probability 0.5^((u − 3)/12) (f = 0: once lost, not found
    again). Person-years = 10 Σ_{u ≥ 3.5} 0.5^((u − 3)/12) / 12; in work at 12 months:
    10 × 0.5^(9/12). The same as `monthly_hazard: ln 2 / 12`."""
    raw = deterministic(employment={"retention": {"share_at_12_months": 0.5}})
    p = priced(raw)
    kept = sum(0.5 ** ((u - 3) / 12) for u in U60 if u > 3)
    assert only(p, "person_years") == approx(10 * kept / 12)
    assert only(p, "extra_jobs_12m") == approx(10 * 0.5 ** 0.75)
    same = priced(deterministic(employment={"retention": {"monthly_hazard": math.log(2) / 12}}))
    assert only(same, "person_years") == approx(10 * kept / 12)


def test_job_lag_and_benefit_lag_differ_in_the_head_counts() -> None:
    """`employment.lag_months: 10`: the job starts 10 months after the exit at month 3, i.e. at
    month 13; the valued months are u = 13.5 … 59.5, 47 of them: 10 × 47 / 12 person-years;
    nobody is in work at 12 months (0 extra), yet all 10 left to work (10 extra at exit).
    `valuation.benefit_lag_months: 10` values the same 47 months but the job itself starts at
    month 3: 10 extra in work at 12 months."""
    job = priced(deterministic(employment={"lag_months": 10}))
    assert only(job, "person_years") == approx(10 * 47 / 12)
    assert only(job, "extra_jobs_12m") == approx(0)
    assert only(job, "extra_jobs_at_exit") == approx(10)
    benefit = priced(deterministic(valuation={"benefit_lag_months": 10}))
    assert only(benefit, "person_years") == approx(10 * 47 / 12)
    assert only(benefit, "extra_jobs_12m") == approx(10)


def test_drop_off_and_benefit_lag_together() -> None:
    """Drop-off 0.5 a year and a benefit lag of 14 months, both counted from the job (month 3):
    months since the job x = u − 3 = 0.5 … 56.5; valued when x ≥ 14, at 0.5^⌊x/12⌋:
    x = 14.5 … 23.5 (10 months) at 0.5, 24.5 … 35.5 (12) at 0.25, 36.5 … 47.5 (12) at 0.125,
    48.5 … 56.5 (9) at 0.0625. Person-years = 10 × (5 + 3 + 1.5 + 0.5625) / 12.
    A lag read as years, or a drop-off counted from year 0, gives another sum."""
    p = priced(deterministic(valuation={"drop_off_per_year": 0.5, "benefit_lag_months": 14}))
    assert only(p, "person_years") == approx(10 * (10 * 0.5 + 12 * 0.25 + 12 * 0.125
                                                   + 9 * 0.0625) / 12)


def test_benefits_are_discounted_from_their_calendar_month() -> None:
    """A cohort arriving at month 12, r = 10 %: a participant's month u falls in calendar month
    12 + u, so the PV of the hand case's benefit is 100 000 × Σ_{j=3}^{59} 1.1^(−(12 + j + 0.5)/12)
    kr, exactly 1/1.1 of the same cohort arriving at month 0; undiscounted it stays 5 700 000."""
    late = priced(deterministic(rate=0.1, intake={"cohort": {"n": 10, "month": 12}}))
    pv = 100_000 * sum(1.1 ** (-(12 + j + 0.5) / 12) for j in range(3, 60))
    assert only(late, "revenue_pv") == approx(pv)
    assert only(late, "revenue") == approx(5_700_000)
    early = priced(deterministic(rate=0.1))
    assert only(early, "revenue_pv") == approx(1.1 * pv)


# ------------------------------------------------------------------ costs


def test_per_place_costs_by_hand() -> None:
    """Per place held: 1 000 kr a place-month over the project period (6 months).

    4 places: 4 × 6 = 24 place-months → 24 000 kr. 4 places, 6 from month 2:
    4 × 2 + 6 × 4 = 32 → 32 000 kr. Staff 2 FTE × 1.5 per FTE = 3 places, 3 FTE from month 2
    (⌊4.5⌋ = 4 places): 3 × 2 + 4 × 4 = 22 → 22 000 kr. A cohort of 3 (nobody waits); the cost
    is not linked to participants, so it is the same whoever goes where.
    """
    cases = [({"places": 4}, [], 24_000),
             ({"places": 4}, [{"month": 2, "places": 6}], 32_000),
             ({"staff_fte": 2, "caseload_per_fte": 1.5}, [{"month": 2, "staff_fte": 3}], 22_000)]
    for capacity, changes, expect in cases:
        raw = deterministic(n=3, costs={"project_months": 6})
        raw["interventions"][0] |= {"capacity": capacity, "capacity_changes": changes,
                                    "costs": [{"funder": "kommun", "per_place_month": 1_000}]}
        p = priced(raw)
        assert only(p, "cost") == approx(expect), capacity
        assert p.flows["cost"].to_numpy()[:7] == pytest.approx(_place_months(capacity, changes),
                                                               abs=1e-6)


def _place_months(capacity: dict, changes: list[dict]) -> list[float]:
    """Kr per calendar month 0..6 of the per-place cases (1 000 kr a place-month)."""
    first = capacity.get("places") or math.floor(capacity["staff_fte"] * capacity["caseload_per_fte"])
    later = first
    if changes:
        ch = changes[0]
        later = ch.get("places") or math.floor(ch["staff_fte"] * capacity["caseload_per_fte"])
    return [1_000.0 * (first if k < 2 else later) for k in range(6)] + [0.0]


def test_staff_and_fixed_cost_windows() -> None:
    """Staff 2 FTE × 10 000 kr × (1 + 0.5) = 30 000 kr a month from month 2.5 to 5: half of
    month 2, all of months 3 and 4: 15 000 + 30 000 + 30 000 = 75 000. A fixed 4 000 a month
    with no end runs to the end of the project period (6 months): 24 000. Employer contribution
    0.5 applies to staff only. Total 99 000 kr."""
    raw = deterministic(costs={"employer_contribution": 0.5, "project_months": 6,
                               "staff": [{"funder": "esf", "fte": 2, "monthly_salary": 10_000,
                                          "start_month": 2.5, "end_month": 5}],
                               "fixed": [{"funder": "kommun", "per_month": 4_000}]})
    p = priced(raw)
    assert only(p, "budget:esf") == approx(75_000)
    assert only(p, "budget:kommun") == approx(24_000)
    assert p.flows["cost"].to_numpy()[:7] == pytest.approx(
        [4_000, 4_000, 19_000, 34_000, 34_000, 4_000, 0], abs=1e-6)


def test_project_period_defaults_to_the_end_of_the_run() -> None:
    """Without `project_months`, staff and fixed costs run until the last participant leaves:
    the cohort leaves at month 3, so 1 FTE × 10 000 kr (no employer contribution) costs 30 000 and
    2 000 kr a month of premises 6 000; with `project_months: 5`, 50 000 and 10 000."""
    costs = {"employer_contribution": 0.0,
             "staff": [{"funder": "esf", "fte": 1, "monthly_salary": 10_000}],
             "fixed": [{"funder": "kommun", "per_month": 2_000}]}
    p = priced(deterministic(costs=costs))
    assert only(p, "budget:esf") == approx(30_000) and only(p, "budget:kommun") == approx(6_000)
    p = priced(deterministic(costs={**costs, "project_months": 5}))
    assert only(p, "budget:esf") == approx(50_000) and only(p, "budget:kommun") == approx(10_000)


def test_optimism_bias_raises_every_cost_line() -> None:
    """Optimism bias 0.25 on a lump sum of 100 000 kr and an allowance of 1 000 kr a
    participant-month (10 people × 3 months = 30 000): budget 1.25 × 130 000 = 162 500, of which
    allowances 37 500; societal cost (allowances are transfers) 125 000."""
    costs = {"lump_sums": [{"funder": "esf", "amount": 100_000}],
             "per_participant_month": [{"funder": "kommun", "per_participant_month": 1_000,
                                        "allowance": True}]}
    p = priced(deterministic(costs=costs, valuation={"optimism_bias": 0.25}))
    assert only(p, "budget") == approx(162_500)
    assert only(p, "allowances") == approx(37_500)
    assert only(p, "cost") == approx(125_000)


# ------------------------------------------------------------------ the actor ledger


def test_ledger_books_each_year_by_hand() -> None:
    """A cohort of 10 arriving at month 6, in work from 3 months after arrival (calendar month 9),
    headline horizon 2 years: valued months since arrival u = 3.5 … 23.5, i.e. calendar months
    9 … 29, 100 000 kr each (10 people × 10 000). Years of the programme (year 0 = months 0–11):
      year 0: months 9–11   →   300 000 kr,  2.5 person-years (10 × 3 / 12)
      year 1: months 12–23  → 1 200 000 kr, 10 person-years
      year 2: months 24–29  →   600 000 kr,  5 person-years
    Actor shares 0.6 staten / 0.4 kommun split each year's benefit; a transfer of 24 000 kr per
    person-year from kommun to the individual moves 60 000, 240 000 and 120 000. A lump sum of
    50 000 kr (ESF) in month 13 is booked in year 1. r = 0, so PV = undiscounted.
    """
    raw = deterministic(intake={"cohort": {"n": 10, "month": 6}},
                        costs={"lump_sums": [{"funder": "esf", "amount": 50_000, "month": 13}]},
                        valuation={"horizon_years": 2, "views_years": [2],
                                   "actor_shares": {"staten": 0.6, "kommun": 0.4},
                                   "transfers": [{"payer": "kommun", "payee": "individen",
                                                  "per_year": 24_000}]})
    led = priced(raw).ledger.set_index(["actor", "year"])
    benefit = {0: 300_000, 1: 1_200_000, 2: 600_000}
    py = {0: 2.5, 1: 10.0, 2: 5.0}
    for year in (0, 1, 2):
        assert led.at[("staten", year), "benefit"] == approx(0.6 * benefit[year]), year
        assert led.at[("kommun", year), "benefit"] == approx(0.4 * benefit[year]), year
        assert led.at[("staten", year), "benefit_pv"] == approx(0.6 * benefit[year]), year
        assert led.at[("individen", year), "transfers"] == approx(24_000 * py[year]), year
        assert led.at[("kommun", year), "transfers"] == approx(-24_000 * py[year]), year
        assert led.at[("esf", year), "cost"] == approx(50_000 if year == 1 else 0), year
    assert led["benefit"].sum() == approx(2_100_000)
    assert led["transfers"].sum() == approx(0)


# ------------------------------------------------------------------ population overrides


def _override_case(base_hazards: dict[str, float], override: dict[str, float],
                   n: int = 10_000) -> dict:
    """One intervention of exactly 2 months, routing 100 % to work at its end; the whole
    population is in the subgroup 'unga', whose override changes the exit hazards."""
    raw = deterministic(n=n, months=2,
                        exit_states={"arbete": {"category": "work"}, "annat": {"category": "other"},
                                     "studier": {"category": "studies"}},
                        population={"target_group": {"unga": 1.0},
                                    "overrides": [{"when": {"target_group": "unga"},
                                                   "interventions": {"a": {"exit_hazards":
                                                                           override}}}]})
    raw["interventions"][0]["exit_hazards"] = base_hazards
    return raw


@pytest.mark.parametrize(("base", "override", "merged_hazards"), [
    ({"annat": 0.2}, {"studier": 0.3}, {"annat": 0.2, "studier": 0.3}),
    ({"annat": 0.2}, {"annat": 0.1, "studier": 0.3}, {"annat": 0.1, "studier": 0.3}),
], ids=["adds", "replaces_one_key"])
def test_override_exit_hazards_merge_with_the_base(base, override, merged_hazards) -> None:
    """An override's exit hazards are merged into the intervention's: keys it names take its
    value, the others keep the base value. With hazards h_j (total h) over a fixed 2-month stay:
      P(exit early to j) = h_j / h · (1 − e^(−2h)),  P(complete → arbete) = e^(−2h),
      months = (1 − e^(−2h)) / h.
    Case 'adds': h = 0.5 (annat 0.2 kept, studier 0.3 added); replacing instead would drop annat.
    Case 'replaces_one_key': h = 0.4 (annat 0.1 from the override, studier 0.3).
    Exact mode must give these to rounding; the engine (20 000 people) within 4 binomial SE."""
    raw = _override_case(base, override)
    h = sum(merged_hazards.values())
    expect = {j: hj / h * (1 - math.exp(-2 * h)) for j, hj in merged_hazards.items()}
    expect["arbete"] = math.exp(-2 * h)
    expect = pd.Series(expect).reindex(["arbete", "annat", "studier"], fill_value=0.0)
    sc = parse_scenario(raw)
    ex = solve_exact(sc)
    assert ex.exit_shares == pytest.approx(expect.to_dict(), rel=1e-12, abs=1e-15)
    assert ex.mean_months == pytest.approx((1 - math.exp(-2 * h)) / h, rel=1e-12)
    p = simulate(sc, replications=2, seed=20240611).participants
    got = p["exit_state"].value_counts(normalize=True).reindex(expect.index, fill_value=0.0)
    se = np.sqrt(expect * (1 - expect) / len(p))
    assert ((got - expect).abs() <= 4 * se + 1e-12).all(), pd.DataFrame({"got": got,
                                                                         "expect": expect})


# ------------------------------------------------------------------ intake and population


def test_attribute_mixes_and_referral_sources_are_drawn_with_their_shares() -> None:
    """Each attribute is drawn from its own mix: 8 000 people; every share within 4 binomial SE
    (sqrt(p(1 − p)/N)) of the one given. The shares differ between attributes, so an attribute
    drawn from another's mix, or uniformly, is far outside."""
    mixes = {"sex": {"kvinna": 0.3, "man": 0.7}, "born": {"sverige": 0.85, "utrikes": 0.15},
             "age_band": {"16-24": 0.6, "25-64": 0.4},
             "target_group": {"fa": 0.1, "ekbist": 0.25, "ovriga": 0.65}}
    referral = {"af": 0.2, "kommun": 0.5, "vard": 0.3}
    raw = deterministic(n=8_000, months=1, population=mixes)
    raw["intake"]["referral_sources"] = referral
    p = simulate(parse_scenario(raw)).participants
    for column, shares in [*mixes.items(), ("referral", referral)]:
        got = p[column].value_counts(normalize=True)
        assert set(got.index) == set(shares), column
        for level, share in shares.items():
            se = math.sqrt(share * (1 - share) / len(p))
            assert abs(got[level] - share) <= 4 * se, (column, level, got[level])


def test_the_scenario_seed_and_replications_are_used() -> None:
    """`simulation.seed` and `simulation.replications` are the defaults of a run: a stream of
    arrivals run from the scenario alone equals the run with that seed given explicitly, another
    seed gives other arrival times, and the run has as many replications as the file says."""
    raw = deterministic(simulation={"replications": 3, "seed": 11})
    raw["intake"] = {"stream": {"rate_per_month": 3, "end_month": 12}}
    own = simulate(parse_scenario(raw))
    assert own.replications == 3 and len(priced(raw).metrics) == 3
    assert own.participants.equals(simulate(parse_scenario(raw), seed=11).participants)
    other = simulate(parse_scenario(merged(raw, simulation={"replications": 3, "seed": 12})))
    assert not np.array_equal(own.participants["arrival_month"].to_numpy()[:10],
                              other.participants["arrival_month"].to_numpy()[:10])
