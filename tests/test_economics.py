"""Pricing (model.economics): hand-computed cases, the chain, discounting, the ledger, CLI output.

Conventions under test (module docstring of model.economics): P(in work) on a monthly grid of
midpoints u = 0.5, 1.5, ... since arrival; benefits discounted by (1+r)^(-t/12) with t = arrival
+ u (calendar months from programme start); costs spread over calendar months and discounted at
the month midpoints k + 0.5.
"""

from __future__ import annotations

import io
import json
import math
import re

import numpy as np
import pandas as pd
import pytest
from econ_helpers import (
    deterministic,
    merged,
    only,
    p_work,
    p_work_closed,
    priced,
    rich,
    split_design,
    write_yaml,
)
from scipy.integrate import quad
from typer.testing import CliRunner

from cli import app
from model import __version__
from model.api import run_scenario
from model.economics import present_value
from model.load import load_scenario

REL = 1e-9

# the cost lines of the first hand case (all numbers in kr)
HAND_COSTS = {
    "interventions": [{
        "name": "a", "duration": {"dist": "fixed", "months": 3}, "routing": {"arbete": 1.0},
        "costs": [{"funder": "esf", "per_start": 5000},
                  {"funder": "kommun", "per_participant_month": 2000}],
    }],
    "costs": {
        "employer_contribution": 0.3,
        "project_months": 6,
        "staff": [{"funder": "esf", "fte": 1, "monthly_salary": 30000}],
        "fixed": [{"funder": "kommun", "per_month": 10000}],
        "per_participant_month": [{"funder": "forsakringskassan", "per_participant_month": 1000,
                                   "allowance": True, "label": "aktivitetsstöd"}],
    },
}
# real (societal) cost by month: the participants' allowance (10 000 a month in months 0-2) is a
# transfer, in the budget but not in the societal cost (issue 9, item 3)
HAND_MONTHLY_COST = [119_000, 69_000, 69_000, 49_000, 49_000, 49_000]
HAND_MONTHLY_BUDGET = [129_000, 79_000, 79_000, 49_000, 49_000, 49_000]


def approx(x: float) -> object:
    return pytest.approx(x, rel=REL, abs=1e-6)


def approx_list(values: list[float]) -> object:
    return pytest.approx(list(values), rel=REL, abs=1e-6)


# ------------------------------------------------------------------ hand-computed cases


def test_hand_case_undiscounted() -> None:
    """Ten people, three months, everybody to work; r = 0. Every figure worked out by hand.

    Cohort of 10 at month 0; 'a' lasts exactly 3 months; all 10 exit to work at month 3.
    f = 0 and l = 0: without the programme nobody ever works; with it everybody is out of work
    in months 0-2 (lock-in) and in work from month 3 on, for good.

    Costs (employer contribution 30 %, project_months 6):
      per_start 5 000 (esf):                 10 starts in month 0              =  50 000
      per_participant_month 2 000 (kommun):  10 × 3 months × 2 000              =  60 000
                                             (20 000 in each of months 0, 1, 2)
      staff 1 FTE × 30 000 × 1.30 (esf):     39 000 × 6 months                 = 234 000
      fixed 10 000/month (kommun):           10 000 × 6 months                 =  60 000
      allowance 1 000/participant-month (forsakringskassan, arrival to exit):
                                             10 × 3 × 1 000                    =  30 000
      budget (cash, allowances included)                                       = 434 000
      by calendar month: m0 = 50 000 + 20 000 + 39 000 + 10 000 + 10 000 = 129 000,
      m1 = m2 = 20 000 + 39 000 + 10 000 + 10 000 = 79 000, m3 = m4 = m5 = 39 000 + 10 000 = 49 000.
      ESF 50 000 + 234 000 = 284 000; co-financing 434 000 − 284 000 = 150 000
      (kommun 60 000 + 60 000 = 120 000, Försäkringskassan 30 000); allowances 30 000.
      The allowance is a transfer (Försäkringskassan pays, the individual receives): the
      societal cost is 434 000 − 30 000 = 404 000, by month 119 000, 69 000, 69 000, 49 000 × 3.

    Benefits, grid u = 0.5 … 59.5 (5 years), in work when u ≥ 3: u = 3.5 … 59.5 = 57 months.
      person-years 5y = 10 × 57 / 12 = 47.5;  1y (u < 12: u = 3.5 … 11.5, 9 months) = 7.5
      value 120 000 kr/year: revenue 5y = 47.5 × 120 000 = 5 700 000;  1y = 7.5 × 120 000 = 900 000
      r = 0 so PV = undiscounted: NPV 5y = 5 700 000 − 404 000 = 5 296 000;
      NPV 1y = 900 000 − 404 000 = 496 000; BCR 5y = 5 700 000 / 404 000.
    Payback: benefit in calendar months k ≥ 3 is 10 × 10 000 = 100 000 per month.
      cumulative cost    119 000  188 000  257 000  306 000  355 000  404 000  404 000  404 000
      cumulative benefit       0        0        0  100 000  200 000  300 000  400 000  500 000
      first reached in month 7 (0-based), i.e. after 8 months.
    Jobs: 10 exits to work, 0 expected without (f = 0): 10 extra at exit and at 12 months;
      cost per extra job 404 000 / 10 = 40 400.
    Break-even: to work, a participant is worth 57 × 10 000 = 570 000 (5y), 9 × 10 000 = 90 000
      (1y); otherwise 0 (nobody left otherwise, so those who would have are given the same exit
      time). Share 5y = 404 000 / (10 × 570 000) = 0.07088…, 1y = 404 000 / 900 000.
    """
    p = priced(deterministic(**HAND_COSTS))
    expected = {
        "participants": 10, "cost": 404_000, "cost_pv": 404_000, "cost_per_participant": 40_400,
        "budget": 434_000, "budget:esf": 284_000, "budget:kommun": 120_000,
        "budget:forsakringskassan": 30_000, "budget:staten": 0, "esf_grant": 284_000,
        "cofinancing": 150_000, "allowances": 30_000,
        "exits_work": 10, "share_work": 1.0, "jobs_without_at_exit": 0, "extra_jobs_at_exit": 10,
        "extra_jobs_12m": 10, "cost_per_extra_job": 40_400,
        "person_years": 47.5, "person_years:5y": 47.5, "person_years:1y": 7.5,
        "revenue": 5_700_000, "revenue:1y": 900_000, "revenue_pv": 5_700_000,
        "revenue_pv:1y": 900_000, "npv": 5_296_000, "npv:5y": 5_296_000, "npv:1y": 496_000,
        "bcr": 5_700_000 / 404_000, "bcr:1y": 900_000 / 404_000, "pays_back": 1.0,
        "payback_months": 8,
        "breakeven_work_share:5y": 404_000 / 5_700_000,
        "breakeven_work_exits:5y": 10 * 404_000 / 5_700_000,
        "breakeven_extra_jobs:5y": 10 * 404_000 / 5_700_000,
        "breakeven_work_share:1y": 404_000 / 900_000,
    }
    got = {k: only(p, k) for k in expected}
    assert got == {k: approx(v) for k, v in expected.items()}
    monthly = p.flows["cost"].to_numpy()
    assert monthly[:6] == approx_list(HAND_MONTHLY_COST)
    # the ledger: the allowance is a transfer from Försäkringskassan to the individual
    led = p.ledger.groupby("actor")[["cost", "transfers", "net"]].sum()
    assert led.at["forsakringskassan", "cost"] == approx(0)
    assert led.at["forsakringskassan", "transfers"] == approx(-30_000)
    assert led.at["individen", "transfers"] == approx(30_000)
    assert led["net"].sum() == approx(5_700_000 - 404_000)
    assert not monthly[6:].any()
    # the benefit flow: nothing in months 0-2, 100 000 in each month 3 … 59, nothing after
    benefit = p.flows["benefit_pv"].to_numpy()
    assert not benefit[:3].any() and not benefit[60:].any()
    assert benefit[3:60] == approx_list([100_000] * 57)


def test_hand_case_discounted() -> None:
    """The first hand case at r = 3.5 %: discount factors at the month midpoints.

    With v = 1.035^(−1/12) (one month's discount factor):
      cost PV = Σ_k c_k · v^(k + 0.5), c = 119 000, 69 000, 69 000, 49 000, 49 000, 49 000 (the
      societal cost: the allowance is a transfer)
      revenue PV = 100 000 · Σ_{k=3}^{59} v^(k + 0.5) = 100 000 · v^3.5 · (1 − v^57) / (1 − v)
      (each of the 10 participants is worth 10 000 a month; their month since arrival u is the
      calendar month, since all arrive at 0), ≈ 5 213 619.90 against cost PV ≈ 401 156.92.
      Undiscounted figures (revenue 5 700 000, cost 404 000, 47.5 person-years) do not change.
    Payback: cumulative discounted cost 401 156.92 from month 5 on; cumulative discounted
      benefit 296 155.51 after month 5, 394 309.35 after month 6, 492 182.21 after month 7:
      payback after 8 months, as undiscounted.
    """
    r = 0.035
    v = (1 + r) ** (-1 / 12)
    p = priced(deterministic(rate=r, **HAND_COSTS))
    cost_pv = sum(c * v ** (k + 0.5) for k, c in enumerate(HAND_MONTHLY_COST))
    revenue_pv = 100_000 * v**3.5 * (1 - v**57) / (1 - v)
    assert cost_pv == pytest.approx(401_156.9191733101, rel=1e-12)
    assert revenue_pv == pytest.approx(5_213_619.904123175, rel=1e-12)
    revenue_pv_1y = 100_000 * v**3.5 * (1 - v**9) / (1 - v)
    expected = {
        "cost": 404_000, "budget": 434_000, "revenue": 5_700_000, "person_years": 47.5,
        "cost_pv": cost_pv, "revenue_pv": revenue_pv, "npv": revenue_pv - cost_pv,
        "bcr": revenue_pv / cost_pv, "revenue_pv:1y": revenue_pv_1y,
        "npv:1y": revenue_pv_1y - cost_pv, "payback_months": 8,
        "breakeven_work_share:5y": cost_pv / revenue_pv,
    }
    assert {k: only(p, k) for k in expected} == {k: approx(v_) for k, v_ in expected.items()}


def test_hand_case_midpoints_and_discounting_matter() -> None:
    """A 1.5-month stay, a 6-month horizon, r with (1+r)^(1/12) = 1.01: every convention shows.

    Cohort of 4 at month 0, 'a' lasts 1.5 months, all exit to work at month 1.5; f = l = 0;
    value 120 000 kr/year = 10 000 kr/month per person; horizon (and only view) 0.5 years.
    r = 1.01^12 − 1 ≈ 12.68 % a year, so the factor for t months is 1.01^(−t).

    Grid convention: the grid is u = 0.5, 1.5, …, 5.5 (months [0, 1), [1, 2), …); a month counts
    at its midpoint, except the month the job starts in, which counts for its part after the start
    (`after_start`): x = u − 1.5 = −1, 0, 1, 2, 3, 4 gives 0, 0.5, 1, 1, 1, 1, so 4.5 months each,
    as continuous time gives (counting whole months by their midpoint gave 5). Person-years =
    4 × 4.5 / 12 = 1.5; revenue = 18 × 10 000 = 180 000. Each month is discounted at its midpoint:
    Benefit PV = 4 × 10 000 × (0.5 × 1.01^−1.5 + 1.01^−2.5 + 1.01^−3.5 + 1.01^−4.5 + 1.01^−5.5)
               = 40 000 × 4.336751915 = 173 470.08.

    Costs: per_start 10 000 (esf) × 4 in month 0 = 40 000; per_participant_month 6 000 (kommun)
    over service [0, 1.5): month 0: 4 × 1 × 6 000 = 24 000, month 1: 4 × 0.5 × 6 000 = 12 000;
    staff 0.5 FTE × 40 000 × 1.25 = 25 000 a month in months 0, 1 (project_months 2);
    fixed 5 000 a month from month 1 to month 3 (region): months 1, 2.
    By month: 89 000, 42 000, 5 000; total 136 000.
    Cost PV (month midpoints) = 89 000 × 1.01^−0.5 + 42 000 × 1.01^−1.5 + 5 000 × 1.01^−2.5
                              = 88 558.31 + 41 377.78 + 4 877.16 = 134 813.25.
    NPV = 173 470.08 − 134 813.25 = 38 656.83; BCR = 1.28674.
    Payback: cumulative cost 88 558.31, 129 936.09, 134 813.25, …; cumulative benefit 0,
    19 703.71, 58 720.95, 97 351.88, 135 600.33: first reached in month 4, i.e. after 5 months.
    Break-even share = 134 813.25 / 173 470.08 = 0.777156.
    """
    r = 1.01**12 - 1
    raw = deterministic(n=4, months=1.5, rate=r,
                        valuation={"horizon_years": 0.5, "views_years": [0.5]})
    raw["interventions"][0]["costs"] = [{"funder": "esf", "per_start": 10_000},
                                        {"funder": "kommun", "per_participant_month": 6_000}]
    raw["costs"] = {"employer_contribution": 0.25, "project_months": 2,
                    "staff": [{"funder": "esf", "fte": 0.5, "monthly_salary": 40_000}],
                    "fixed": [{"funder": "region", "per_month": 5_000, "start_month": 1,
                               "end_month": 3}]}
    p = priced(raw)
    benefit_pv = 40_000 * (0.5 * 1.01**-1.5 + sum(1.01 ** -(j + 0.5) for j in range(2, 6)))
    cost_pv = 89_000 * 1.01**-0.5 + 42_000 * 1.01**-1.5 + 5_000 * 1.01**-2.5
    assert benefit_pv == pytest.approx(173_470.07659338665, rel=1e-12)
    assert cost_pv == pytest.approx(134_813.24920891417, rel=1e-12)
    expected = {
        "person_years": 18 / 12, "person_years:0.5y": 18 / 12, "revenue": 180_000,
        "revenue_pv": benefit_pv, "cost": 136_000, "cost_pv": cost_pv,
        "budget:esf": 90_000, "budget:kommun": 36_000, "budget:region": 10_000,
        "npv": 38_656.827384472475, "bcr": 1.2867435330823285, "payback_months": 5,
        "breakeven_work_share:0.5y": 0.7771556446874468,
    }
    assert {k: only(p, k) for k in expected} == {k: approx(v) for k, v in expected.items()}
    assert p.flows["cost"].to_numpy()[:4] == approx_list([89_000, 42_000, 5_000, 0])


def test_chain_against_matrix_exponential_and_integral() -> None:
    """Nonzero f and l: the engine's curves against the chain solved independently.

    Three participants exit to work and two to 'annat', all at month 3 (fixed stays, no random
    draws); job start lag 1 month; f = 0.05, l = 0.03 a month; r = 3.5 %; 300 000 kr/year.
    With the programme: work leavers are out of work for u < 4 and then follow the chain from
    'employed' (s = u − 4); other leavers are out of work for u < 3 and then follow the chain
    from 'unemployed' (s = u − 3). Without: the chain from 'unemployed' since u = 0.

    (1) An independent slow loop over the grid u = 0.5 … 59.5, with P(t) = expm(Q t), must
        give the engine's person-years, revenue PV, extra jobs at exit and at 12 months to
        rounding (rel 1e-9).
    (2) The continuous integral (quad of the closed form) differs from the engine's midpoint
        sum only by the midpoint rule's error: every piece is smooth on an interval with integer
        ends, where |error| ≤ length × max|g''| / 24 and |g''| ≤ (f + l)² for these curves; over
        5 participants × 2 curves (with and without), each at most 60 months long, the bound is
        5 × 2 × 60 × 0.08² / 24 = 0.16 person-months.
    """
    f, loss, lag, r, vpy = 0.05, 0.03, 1.0, 0.035, 300_000.0
    raw = split_design(3, 2, counterfactual={"monthly_hazard": f},
                       employment={"retention": {"monthly_hazard": loss}, "lag_months": lag},
                       valuation={"value_per_year": vpy, "discount_rate": r})
    p = priced(raw)

    def with_p(u: float, to_work: bool) -> float:
        if to_work:
            return p_work(u - 3 - lag, f, loss, True) if u >= 3 + lag else 0.0
        return p_work(u - 3, f, loss, False) if u >= 3 else 0.0

    months = np.arange(60) + 0.5
    effect = np.array([3 * (with_p(u, True) - p_work(u, f, loss, False))
                       + 2 * (with_p(u, False) - p_work(u, f, loss, False)) for u in months])
    disc = (1 + r) ** (-months / 12)
    assert only(p, "person_years") == pytest.approx(effect.sum() / 12, rel=REL)
    assert only(p, "revenue_pv") == pytest.approx((effect * disc).sum() * vpy / 12, rel=REL)
    # head counts at exactly 12 months and at the exact exit time (month 3), off the grid
    at12 = 3 * with_p(12.0, True) + 2 * with_p(12.0, False) - 5 * p_work(12.0, f, loss, False)
    assert only(p, "extra_jobs_12m") == pytest.approx(at12, rel=REL)
    # without the programme, at the moment of exit (month 3), 5 · P(work | unemployed at 0)
    assert only(p, "extra_jobs_at_exit") == pytest.approx(3 - 5 * p_work(3.0, f, loss, False),
                                                          rel=REL)

    def integral(g: object, a: float, b: float) -> float:
        return quad(g, a, b, epsabs=1e-12, epsrel=1e-12)[0]

    without = integral(lambda t: p_work_closed(t, f, loss, False), 0, 60)
    work = integral(lambda t: p_work_closed(t - 4, f, loss, True), 4, 60)
    other = integral(lambda t: p_work_closed(t - 3, f, loss, False), 3, 60)
    continuous = 3 * (work - without) + 2 * (other - without)
    bound = 5 * 2 * 60 * (f + loss) ** 2 / 24
    assert bound == pytest.approx(0.16)
    assert abs(only(p, "person_years") * 12 - continuous) <= bound
    # the lock-in of the two 'annat' leavers makes them worse off than without the programme
    assert other < without


# ------------------------------------------------------------------ discounting


@pytest.mark.parametrize("rate", [0.0, 0.035, 0.12])
def test_present_value_of_a_monthly_annuity(rate: float) -> None:
    """A level payment A at the end of each of N months: PV = A · (1 − (1+j)^−N) / j, with the
    monthly rate j = (1+r)^(1/12) − 1 (at r = 0: A · N). Paid at the midpoints instead, the
    same stream is worth (1+j)^0.5 times more."""
    amount, n = 12_500.0, 120
    months = np.arange(1, n + 1, dtype=float)
    j = (1 + rate) ** (1 / 12) - 1
    closed = amount * n if rate == 0 else amount * (1 - (1 + j) ** -n) / j
    assert present_value(np.full(n, amount), months, rate) == pytest.approx(closed, rel=1e-12)
    mid = present_value(np.full(n, amount), months - 0.5, rate)
    assert mid == pytest.approx(closed * (1 + j) ** 0.5, rel=1e-12)
    # one payment a year from now is discounted by exactly (1 + r)
    assert present_value(np.array([1.0]), np.array([12.0]), rate) == pytest.approx(1 / (1 + rate))


# ------------------------------------------------------------------ counterfactual


def test_counterfactual_hazard_zero_makes_every_job_extra() -> None:
    """f = 0: nobody would have found work without the programme, so every exit to work is an
    extra job, in every replication; with f > 0 fewer are."""
    base = rich(simulation={"replications": 4})
    zero = priced(merged(base, counterfactual={"monthly_hazard": 0.0, "by_group": []})).metrics
    assert (zero["exits_work"] > 0).all()
    assert (zero["jobs_without_at_exit"] == 0).all()
    assert (zero["extra_jobs_at_exit"] == zero["exits_work"]).all()
    some = priced(base).metrics
    assert (some["exits_work"] == zero["exits_work"]).all()  # same seed, same people
    assert (some["extra_jobs_at_exit"] < some["exits_work"]).all()


def _self_reference(tmp_path, raw: dict) -> pd.DataFrame:
    path = tmp_path / "self.yaml"
    write_yaml(path, merged(raw, counterfactual={"reference": "self.yaml"}))
    return run_scenario(load_scenario(path)).priced.metrics


def test_reference_equal_to_the_programme_gives_zero_revenue(tmp_path) -> None:
    """A programme compared with itself shortens nobody's unemployment.

    The reference is simulated on the same seed (common random numbers), so it meets the same
    people with the same draws; its mean employment curve, set against the same participants'
    curves, leaves a difference whose sum over participants is exactly 0 at every u. What is left
    is floating-point rounding in sums of n × 60 terms below the value per month: at most about
    n · 60 · 2^−53 times the gross scale n · value per year · horizon, far below the tolerance
    1e-12 × that scale used here. A cohort arrives at once, so the discount factors are common to
    all and the PV is 0 too. Equal costs make the incremental cost 0: NPV 0 and BCR undefined.
    """
    raw = rich(simulation={"replications": 4})
    raw["intake"] = {"cohort": {"n": 30}}
    raw["counterfactual"] = {}
    m = _self_reference(tmp_path, raw)
    tol = 1e-12 * 30 * 300_000 * 3
    for key in ("person_years", "revenue", "revenue_pv", "revenue_pv:1y", "npv", "npv:1y"):
        assert m[key].abs().max() <= tol, key
    assert m["bcr"].isna().all()
    assert (m["reference_cost_pv"] == m["cost_pv"]).all()
    assert (m["cost_pv"] > 0).all()


def test_self_reference_with_staggered_arrivals(tmp_path) -> None:
    """With a stream the undiscounted revenue is still 0 per replication (same argument as
    above), but the PV is not: the reference curve is a mean over months since arrival, while
    each participant is discounted at their own calendar month, so the PV keeps the sample
    covariance of arrival time and employment, which is zero-mean noise. Its mean over
    replications must be within 4 standard errors of 0 (no bias). The incremental cost is
    exactly 0, so the BCR is undefined in every replication (not ±1e14 from rounding)."""
    raw = rich(simulation={"replications": 12})
    raw["counterfactual"] = {}
    m = _self_reference(tmp_path, raw)
    tol = 1e-12 * m["participants"].max() * 300_000 * 3
    assert m["revenue"].abs().max() <= tol
    assert m["person_years"].abs().max() <= tol
    pv = m["revenue_pv"]
    assert abs(pv.mean()) <= 4 * pv.std(ddof=1) / math.sqrt(len(pv))
    assert m["bcr"].isna().all()


# ------------------------------------------------------------------ the actor ledger


@pytest.mark.parametrize("horizon", [3.0, 1.2])
def test_ledger_adds_up_to_the_metrics(horizon: float) -> None:
    """Per replication: costs over actors = the societal cost, real benefits over actors =
    revenue, transfers net to 0, undiscounted and PV, net = revenue − cost; each actor's benefit
    is its share of the revenue; the payee of a transfer gains what the payer loses, and the
    allowances go from their funders to the individual. A horizon of 1.2 years (14.4 months)
    ends inside a grid month: the ledger must stop where the revenue stops."""
    raw = rich(valuation={"horizon_years": horizon})
    p = priced(raw)
    led = p.ledger.groupby("rep")[["cost", "cost_pv", "benefit", "benefit_pv", "transfers",
                                   "transfers_pv", "net", "net_pv"]].sum()
    m = p.metrics.set_index("rep")
    assert len(m) == 3
    for a, b in [("cost", "cost"), ("cost_pv", "cost_pv"), ("benefit", "revenue"),
                 ("benefit_pv", "revenue_pv")]:
        assert led[a].to_numpy() == pytest.approx(m[b].to_numpy(), rel=REL), a
    assert (m["allowances"] > 0).all()
    scale = m["revenue"].abs().max()
    assert led["transfers"].abs().max() <= 1e-12 * scale
    assert led["transfers_pv"].abs().max() <= 1e-12 * scale
    assert led["net_pv"].to_numpy() == pytest.approx((m["revenue_pv"] - m["cost_pv"]).to_numpy(),
                                                     rel=REL)
    assert led["net"].to_numpy() == pytest.approx((m["revenue"] - m["cost"]).to_numpy(), rel=REL)
    by_actor = p.ledger.groupby(["rep", "actor"])[["benefit", "transfers", "cost"]].sum()
    for rep in m.index:
        a = by_actor.loc[rep]
        rev, py = m.at[rep, "revenue"], m.at[rep, "person_years"]
        assert a.at["staten", "benefit"] == pytest.approx(0.5 * rev, rel=REL)
        assert a.at["individen", "benefit"] == pytest.approx(0.2 * rev, rel=REL)
        assert a.at["esf", "benefit"] == 0
        allowances = m.at[rep, "allowances"]
        assert a.at["individen", "transfers"] == pytest.approx(40_000 * py + allowances, rel=REL)
        fk_allowance = m.at[rep, "budget:forsakringskassan"]  # FK pays only an allowance
        assert a.at["forsakringskassan", "transfers"] == pytest.approx(-25_000 * py - fk_allowance,
                                                                       rel=REL)
        assert a.at["forsakringskassan", "cost"] == 0
        assert a.at["kommun", "transfers"] == pytest.approx(-15_000 * py, rel=REL)
        assert a.at["esf", "cost"] == pytest.approx(m.at[rep, "budget:esf"], rel=REL)


def test_actor_shares_must_sum_to_one(tmp_path) -> None:
    """`insats validate` rejects actor shares summing to 0.9, naming the file and the field."""
    raw = deterministic(valuation={"actor_shares": {"staten": 0.6, "kommun": 0.3}})
    path = write_yaml(tmp_path / "shares.yaml", raw)
    res = CliRunner().invoke(app, ["validate", str(path)])
    assert res.exit_code == 2
    assert "shares.yaml" in res.stderr
    assert "valuation.actor_shares" in res.stderr
    assert "sum to 1" in res.stderr
    good = write_yaml(tmp_path / "good.yaml", deterministic())
    assert CliRunner().invoke(app, ["validate", str(good)]).exit_code == 0


# ------------------------------------------------------------------ linearity


def _double_costs(raw: dict) -> dict:
    out = merged(raw)
    for iv in out["interventions"]:
        for line in iv.get("costs", []):
            for k in ("per_start", "per_participant_month", "per_place_month"):
                if k in line:
                    line[k] *= 2
    c = out["costs"]
    for st in c["staff"]:
        st["monthly_salary"] *= 2
    for fx in c["fixed"]:
        fx["per_month"] *= 2
    for ls in c["lump_sums"]:
        ls["amount"] *= 2
    for line in c["per_participant_month"]:
        line["per_participant_month"] *= 2
    return out


def test_linearity() -> None:
    """Same seed, same people: value × 2 → revenue × 2; every cost × 2 → cost × 2; deadweight
    0.5 → revenue × 0.5 (and displacement 0.5 on top → × 0.25); extent halved → person-years
    halved; optimism bias 100 % → cost × 2. Nothing else moves."""
    base = rich()
    m0 = priced(base).metrics
    rev = ["revenue", "revenue_pv", "revenue:1y", "revenue_pv:1y"]
    cost = ["cost", "cost_pv", "budget", "budget:esf", "budget:kommun", "allowances", "cofinancing"]

    def close(a: pd.Series, b: pd.Series) -> bool:
        return bool(np.allclose(a.to_numpy(), b.to_numpy(), rtol=1e-12, atol=1e-9))

    m = priced(merged(base, valuation={"value_per_year": 600_000})).metrics
    assert all(close(m[k], 2 * m0[k]) for k in rev)
    assert close(m["person_years"], m0["person_years"]) and close(m["cost"], m0["cost"])

    m = priced(_double_costs(base)).metrics
    assert all(close(m[k], 2 * m0[k]) for k in cost)
    assert close(m["revenue_pv"], m0["revenue_pv"])

    m = priced(merged(base, valuation={"optimism_bias": 1.0})).metrics
    assert all(close(m[k], 2 * m0[k]) for k in cost)

    cf = base["counterfactual"]
    m = priced(merged(base, counterfactual={**cf, "deadweight": 0.5})).metrics
    assert all(close(m[k], 0.5 * m0[k]) for k in [*rev, "person_years"])
    m = priced(merged(base, counterfactual={**cf, "deadweight": 0.5, "displacement": 0.5})).metrics
    assert all(close(m[k], 0.25 * m0[k]) for k in rev)

    m = priced(merged(base, employment={"extent": 0.4})).metrics
    assert all(close(m[k], 0.5 * m0[k]) for k in ["person_years", "person_years:1y", *rev])
    assert (m0["person_years"] > 0).all() and (m0["cost"] > 0).all()


# ------------------------------------------------------------------ funders


def test_funders_add_up_and_allowances_are_cofinancing() -> None:
    """ESF grant + co-financing = the budget in every replication; allowances are the cost lines
    marked `allowance: true` (in an intervention and programme-wide), all counted in the
    co-financing since none of them is paid by the ESF, and left out of the societal cost
    (transfers): budget − allowances = cost."""
    p = priced(rich())
    m = p.metrics
    assert np.allclose(m["esf_grant"] + m["cofinancing"], m["budget"], rtol=1e-12)
    assert (m["esf_grant"] == m["budget:esf"]).all()
    funders = [c for c in m.columns if c.startswith("budget:")]
    assert np.allclose(m[funders].sum(axis=1), m["budget"], rtol=1e-12)
    allow_fk = m["budget:forsakringskassan"]  # only the 'b' allowance line is paid by FK
    allow_af = m["budget:arbetsformedlingen"]  # only the programme-wide allowance line
    assert (allow_fk > 0).all() and (allow_af > 0).all()
    assert np.allclose(m["allowances"], allow_fk + allow_af, rtol=1e-12)
    assert np.allclose(m["budget"] - m["allowances"], m["cost"], rtol=1e-12)
    assert (m["cofinancing"] >= m["allowances"]).all()
    assert np.allclose(m["cofinancing"] - m["allowances"], m["budget:kommun"] + m["budget:region"],
                       rtol=1e-12)


# ------------------------------------------------------------------ break-even


BREAKEVEN_COST = {"costs": {"lump_sums": [{"funder": "esf", "amount": 1_140_000}]}}


def test_breakeven_share_gives_zero_npv_exactly() -> None:
    """8 people, 3 months, f = l = 0, r = 0, one lump sum of 1 140 000 kr in month 0.

    Each exit to work is worth 57 months × 10 000 = 570 000 kr (5y); other exits 0. With all 8
    to work, break-even share = 1 140 000 / (8 × 570 000) = 0.25. Re-run with exactly
    0.25 × 8 = 2 to work and 6 to 'annat' (no random routing: see `split_design`): NPV =
    2 × 570 000 − 1 140 000 = 0. Every term is an integer number of kronor far below 2^53, so
    the only error is rounding in the sums: 1e-9 of the cost is a generous bound (in fact the
    engine gives exactly 0.0).
    """
    allwork = priced(split_design(8, 0, **BREAKEVEN_COST))
    share = only(allwork, "breakeven_work_share:5y")
    assert share == pytest.approx(0.25, rel=1e-12)
    assert only(allwork, "breakeven_work_exits:5y") == pytest.approx(2.0, rel=1e-12)
    k = round(share * 8)
    rerun = priced(split_design(k, 8 - k, **BREAKEVEN_COST))
    assert only(rerun, "share_work") == 0.25
    assert abs(only(rerun, "npv:5y")) <= 1e-9 * 1_140_000
    assert only(rerun, "breakeven_work_share:5y") == pytest.approx(0.25, rel=1e-12)
    # one more or one fewer job moves the NPV by exactly one job's worth
    assert only(priced(split_design(3, 5, **BREAKEVEN_COST)), "npv") == pytest.approx(570_000)
    assert only(priced(split_design(1, 7, **BREAKEVEN_COST)), "npv") == pytest.approx(-570_000)


def test_breakeven_share_with_random_routing() -> None:
    """The same programme with routing {arbete: 0.25, annat: 0.75}: the realised number of work
    exits X is binomial, and since stays are fixed NPV = (X − 2) × 570 000 exactly in every
    replication; over 100 replications the mean NPV is within 4 standard errors of 0, the
    standard error being 570 000 × sqrt(8 × 0.25 × 0.75 / 100)."""
    raw = deterministic(n=8, simulation={"replications": 100}, **BREAKEVEN_COST)
    raw["interventions"][0]["routing"] = {"arbete": 0.25, "annat": 0.75}
    m = priced(raw).metrics
    assert np.allclose(m["npv"], (m["exits_work"] - 2) * 570_000, rtol=0, atol=1e-6)
    assert np.allclose(m["breakeven_work_share:5y"], 0.25, rtol=1e-12)
    se = 570_000 * math.sqrt(8 * 0.25 * 0.75 / 100)
    assert abs(m["npv"].mean()) <= 4 * se
    assert m["exits_work"].nunique() > 1


def test_breakeven_share_with_hazards_and_discounting() -> None:
    """f, l and r nonzero: NPV is affine in the number of work exits when all stays are equal
    (each participant adds their own curve), so from exact runs with 1 and 8 of 8 to work, the
    NPV at the reported break-even share, interpolated, must be 0 up to rounding (1e-9 of the
    cost PV); a third run (4 to work) checks that the NPV is indeed affine."""
    sections = dict(counterfactual={"monthly_hazard": 0.05},
                    employment={"retention": {"monthly_hazard": 0.03}, "lag_months": 1},
                    valuation={"value_per_year": 300_000, "discount_rate": 0.035},
                    costs={"staff": [{"funder": "esf", "fte": 2, "monthly_salary": 35_000}],
                           "project_months": 12})
    runs = {k: priced(split_design(k, 8 - k, **sections)) for k in (1, 4, 8)}
    npv = {k: only(p, "npv:5y") for k, p in runs.items()}
    slope = (npv[8] - npv[1]) / 7
    assert npv[4] == pytest.approx(npv[1] + 3 * slope, rel=1e-9)
    share = only(runs[8], "breakeven_work_share:5y")
    assert 0 < share < 1
    assert only(runs[1], "breakeven_work_share:5y") == pytest.approx(share, rel=1e-9)
    at_share = npv[1] + (share * 8 - 1) * slope
    assert abs(at_share) <= 1e-9 * only(runs[8], "cost_pv")


def test_breakeven_share_against_a_costed_reference(tmp_path) -> None:
    """Against a reference programme with its own cost, the NPV counts only the extra cost; the
    break-even share must make that NPV 0, not the NPV against the full cost.

    Reference 'ref': the same people leave at once (0 months) to 'annat' and then find work at
    f = 0.02 a month; it costs a lump sum of 300 000. The programme costs 900 000. NPV is affine
    in the number of work exits (equal stays), so from exact runs with 1 and 8 of 8 to work the
    NPV at the reported share must be 0 up to rounding.
    """
    ref = deterministic(n=8, months=0, counterfactual={"monthly_hazard": 0.02},
                        costs={"lump_sums": [{"funder": "kommun", "amount": 300_000}]},
                        valuation={"value_per_year": 300_000, "discount_rate": 0.035})
    ref["name"] = "ref"
    ref["interventions"][0]["routing"] = {"annat": 1.0}
    write_yaml(tmp_path / "ref.yaml", ref)
    npv, share, cost_pv = {}, {}, {}
    for k in (1, 8):
        raw = split_design(k, 8 - k,
                           costs={"lump_sums": [{"funder": "esf", "amount": 900_000}]},
                           valuation={"value_per_year": 300_000, "discount_rate": 0.035})
        raw["counterfactual"] = {"reference": "ref.yaml"}
        m = run_scenario(load_scenario(write_yaml(tmp_path / f"prog{k}.yaml", raw))).priced.metrics
        npv[k], share[k] = float(m["npv"].iloc[0]), float(m["breakeven_work_share:5y"].iloc[0])
        cost_pv[k] = float(m["cost_pv"].iloc[0] - m["reference_cost_pv"].iloc[0])
    assert cost_pv[1] == pytest.approx(600_000 * 1.035 ** (-0.5 / 12), rel=1e-12)
    assert share[1] == pytest.approx(share[8], rel=1e-9)
    slope = (npv[8] - npv[1]) / 7
    assert abs(npv[1] + (share[8] * 8 - 1) * slope) <= 1e-9 * cost_pv[1]


# ------------------------------------------------------------------ regressions


def test_costs_after_the_benefit_horizon_are_counted() -> None:
    """A 36-month project priced over a 1-year horizon still pays 36 months of staff and fixed
    costs, and a lump sum in month 30 counts in month 30.

    Cohort of 10, 3 months, everybody to work, r = 0; staff 1 FTE × 30 000 × 1.30 = 39 000 a
    month and fixed 10 000 a month over 36 months; a lump sum of 100 000 at month 30.
    Cost = 36 × 49 000 + 100 000 = 1 864 000. Revenue 1y = 10 × 9 × 10 000 = 900 000.
    """
    raw = deterministic(valuation={"horizon_years": 1, "views_years": [1]},
                        costs={"employer_contribution": 0.3, "project_months": 36,
                               "staff": [{"funder": "esf", "fte": 1, "monthly_salary": 30_000}],
                               "fixed": [{"funder": "kommun", "per_month": 10_000}],
                               "lump_sums": [{"funder": "region", "amount": 100_000,
                                              "month": 30}]})
    p = priced(raw)
    assert only(p, "cost") == approx(1_864_000)
    assert only(p, "budget:esf") == approx(36 * 39_000)
    assert only(p, "revenue") == approx(900_000)
    assert only(p, "npv") == approx(900_000 - 1_864_000)
    flows = p.flows.set_index("month")["cost"]
    assert flows.loc[35] == approx(49_000) and flows.loc[30] == approx(149_000)
    assert p.ledger["cost"].sum() == approx(1_864_000)


def test_views_longer_and_shorter_than_the_horizon() -> None:
    """Horizon 1.2 years (14.4 months), views 1 and 10 years. Cohort of 10 in work from month 3.

    1y:   u = 3.5 … 11.5  →   9 months → 10 × 9 / 12   =  7.5 person-years
    1.2y: u = 3.5 … 13.5  →  11 months → 10 × 11 / 12  =  9.1667 (headline)
    10y:  u = 3.5 … 119.5 → 117 months → 10 × 117 / 12 = 97.5
    The ledger and the payback follow the headline horizon: ledger benefit = 110 × 10 000.
    """
    raw = deterministic(valuation={"horizon_years": 1.2, "views_years": [1, 10]})
    p = priced(raw)
    assert only(p, "person_years:1y") == approx(7.5)
    assert only(p, "person_years:1.2y") == approx(110 / 12)
    assert only(p, "person_years") == approx(110 / 12)
    assert only(p, "person_years:10y") == approx(97.5)
    assert only(p, "revenue:10y") == approx(97.5 * 120_000)
    assert p.ledger["benefit"].sum() == approx(1_100_000)
    assert p.flows["benefit_pv"].sum() == approx(1_100_000)


# ------------------------------------------------------------------ the command line


def _cli_scenario(tmp_path, name: str = "prog", **sections) -> str:
    raw = rich(simulation={"replications": 3, "seed": 5}, **sections)
    raw["intake"] = {"cohort": {"n": 20}}
    raw["name"] = name
    return str(write_yaml(tmp_path / f"{name}.yaml", raw))


NEEDED = {"cost", "cost_pv", "revenue", "revenue_pv", "npv", "bcr", "person_years",
          "esf_grant", "cofinancing", "payback_months", "breakeven_work_share:3y",
          "person_years:1y"}


def test_cli_run_json(tmp_path) -> None:
    path = _cli_scenario(tmp_path)
    res = CliRunner().invoke(app, ["run", path, "--format", "json", "--seed", "9", "--reps", "2"])
    assert res.exit_code == 0, res.output
    records = json.loads(res.stdout)
    metrics = {r["metric"] for r in records}
    assert metrics >= NEEDED
    digest = load_scenario(path).digest()
    for r in records:
        assert r["scenario_hash"] == digest
        assert str(r["seed"]) == "9"
        assert r["version"] == __version__
        assert str(r["replications"]) == "2"
    cost = next(r for r in records if r["metric"] == "cost")
    assert cost["unit"] == "kr" and cost["mean"] > 0 and cost["lo"] <= cost["mean"] <= cost["hi"]


def test_cli_run_csv(tmp_path) -> None:
    """The CSV carries the run's figures: for the stochastic programme, each row is the mean,
    2.5/97.5 percentiles and median over the file's 3 replications (seed 5) of the metric priced
    in-process on the same seed; for the first hand case, the figures worked out by hand in
    `test_hand_case_undiscounted` (one replication: mean = lo = hi)."""
    path = _cli_scenario(tmp_path)
    res = CliRunner().invoke(app, ["run", path, "--format", "csv"])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout), dtype={"scenario_hash": str, "seed": str,
                                                      "version": str})
    assert set(df["metric"]) >= NEEDED
    assert set(df["scenario_hash"]) == {load_scenario(path).digest()}
    assert set(df["seed"]) == {"5"}
    assert set(df["version"]) == {__version__}
    assert {"mean", "lo", "hi", "median", "unit"} <= set(df.columns)
    rows = df.set_index("metric")
    per_rep = run_scenario(load_scenario(path)).priced.metrics
    assert len(per_rep) == 3
    for metric in ("cost", "budget", "npv", "revenue_pv", "person_years", "extra_jobs_at_exit"):
        v = per_rep[metric].to_numpy()
        lo, med, hi = np.percentile(v, [2.5, 50, 97.5])
        got = rows.loc[metric, ["mean", "lo", "hi", "median"]].to_numpy(float)
        assert got == pytest.approx([v.mean(), lo, hi, med], rel=1e-12), metric
    assert rows.loc["cost", "unit"] == "kr" and rows.loc["person_years", "unit"] == "person-years"
    assert rows.loc["npv", "lo"] < rows.loc["npv", "hi"]  # the replications differ

    hand = write_yaml(tmp_path / "hand.yaml", deterministic(**HAND_COSTS))
    res = CliRunner().invoke(app, ["run", str(hand), "--format", "csv"])
    assert res.exit_code == 0, res.output
    rows = pd.read_csv(io.StringIO(res.stdout)).set_index("metric")
    by_hand = {"cost": 404_000, "budget": 434_000, "esf_grant": 284_000, "cofinancing": 150_000,
               "allowances": 30_000, "revenue": 5_700_000, "npv": 5_296_000, "npv:1y": 496_000,
               "person_years:1y": 7.5, "payback_months": 8, "extra_jobs_at_exit": 10}
    for metric, value in by_hand.items():
        for col in ("mean", "lo", "hi", "median"):
            assert rows.loc[metric, col] == approx(value), (metric, col)


def test_cli_compare(tmp_path) -> None:
    """B is A with every cost doubled: on common random numbers A's NPV is higher in every
    replication, so the sentence must say 100 %; Swedish figures group thousands with spaces."""
    a = _cli_scenario(tmp_path, "billig")
    b_raw = _double_costs(rich(simulation={"replications": 3, "seed": 5}))
    b_raw["intake"] = {"cohort": {"n": 20}}
    b_raw["name"] = "dyr"
    b = str(write_yaml(tmp_path / "dyr.yaml", b_raw))
    en = CliRunner().invoke(app, ["compare", a, b, "--lang", "en"])
    assert en.exit_code == 0, en.output
    words = " ".join(en.stdout.split())  # the verdict is wrapped to the terminal's width
    assert "and has the higher net present value in 100 % of the simulated runs." in words
    assert words.count("billig has the highest net present value") == 1
    assert re.search(r"\d{1,3}(,\d{3})+ SEK", en.stdout)
    sv = CliRunner().invoke(app, ["compare", a, b, "--lang", "sv"])
    assert sv.exit_code == 0, sv.output
    words = " ".join(sv.stdout.split())
    assert "billig ger högst nettonuvärde" in words
    assert "och har högre nettonuvärde i 100 % av de simulerade körningarna." in words
    assert re.search(r"(?<![\d ])\d{1,3}( \d{3}){2,} kr", sv.stdout)
    assert not re.search(r"\d,\d{3} kr", sv.stdout)
