"""Tests that a planted one-line bug does not survive (issue 18, item 12).

Each test computes its figure by hand (or from a property with a stated tolerance) and names the
bug it catches, so that a change that brings the bug back fails here by name, not through a hash
of printed output.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from model.expected.arrivals import arrivals
from model.expected.lattice import _conv3
from model.psa.decision import acceptability, dominance
from model.psa.inputs import draw, plan
from model.scenario import parse_scenario
from model.uncertainty import param_dist

BASE = Path(__file__).parent / "base_scenario.yaml"


# ------------------------------------------------ uncertainty given by mean and sd


@pytest.mark.parametrize("dist", ["gamma", "lognormal"])
def test_mean_and_sd_are_a_mean_and_an_sd(dist: str) -> None:
    """`{dist: gamma, mean: 0.03, sd: 0.0077}` (the form both Grenverket files use) has sd 0.0077:
    CV = 0.0077 / 0.03 = 0.257. Bug caught: the sd taken as the CV (an sd of 0.03 × 0.0077)."""
    d = param_dist({"dist": dist, "mean": 0.03, "sd": 0.0077})
    assert d.frozen().mean() == pytest.approx(0.03, rel=1e-9)
    assert d.frozen().std() == pytest.approx(0.0077, rel=1e-9)
    assert d.moments() == pytest.approx((0.03, 0.0077), rel=1e-12)
    if dist == "gamma":  # shape (mean / sd)² = 15.18…, scale sd² / mean
        assert d.frozen().kwds["a"] == pytest.approx((0.03 / 0.0077) ** 2, rel=1e-12)


# ------------------------------------------------ correlated inputs


def test_correlated_inputs_are_drawn_correlated() -> None:
    """Two inputs correlated 0.8 through a Gaussian copula have Spearman rank correlation
    (6/π)·asin(0.8/2) = 0.786 (Kruskal 1958). With 4 000 draws the estimate's sd is about
    (1 − ρ²)·1.06/√n ≈ 0.007; tolerance 0.03 (over 4 sd). Bug caught: correlation groups drawn
    independently (ρ ≈ 0)."""
    raw = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    raw["interventions"][0]["exit_hazards"] = {"arbete": {
        "value": 0.05, "uncertainty": {"dist": "gamma", "mean": 0.05, "sd": 0.01, "name": "a"}}}
    raw["counterfactual"] = {"monthly_hazard": {
        "value": 0.02, "uncertainty": {"dist": "gamma", "mean": 0.02, "sd": 0.005, "name": "b"}}}
    raw["uncertainty"] = {"correlations": [{"names": ["a", "b"], "matrix": [[1, 0.8], [0.8, 1]],
                                            "source": "test"}]}
    p = plan([(raw, parse_scenario(raw))])
    d = draw(p, 4000, seed=7)
    rho = d["a"].rank().corr(d["b"].rank())
    assert rho == pytest.approx(6 / math.pi * math.asin(0.4), abs=0.03)


# ------------------------------------------------ expected arrivals with a pause


def test_expected_arrivals_leave_out_a_pause_of_a_stream() -> None:
    """A stream of 2 a month from month 0 to 10, paused from 4 to 6: 2 × (10 − 2) = 16 expected
    arrivals, none in the pause. Bug caught: `intake.pauses` ignored for streams (20)."""
    raw = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    raw["intake"] = {"stream": {"rate_per_month": 2, "start_month": 0, "end_month": 10},
                     "pauses": [{"start_month": 4, "end_month": 6}]}
    dt = 1 / 16
    a = arrivals(parse_scenario(raw), dt)
    assert a.sum() == pytest.approx(16.0, rel=1e-12)
    k = np.arange(len(a)) * dt
    assert a[(k > 4 + dt) & (k < 6 - dt)].sum() == 0.0


# ------------------------------------------------ lattice convolution


def test_lattice_convolution_keeps_the_second_moment() -> None:
    """X at lattice point 1 with mean 1.1 and E[X²] 1.25 (probability 0.5), Y at point 2 with mean
    2.2 and E[Y²] 4.9 (probability 0.4): the sum at point 3 has probability 0.2, mean 3.3 and
    E[(X+Y)²] = 1.25 + 2·1.1·2.2 + 4.9 = 10.99. Bug caught: the cross term 2 E[X] E[Y] left out
    (or not doubled)."""
    a = np.zeros((3, 4))
    b = np.zeros((3, 4))
    a[:, 1] = [0.5, 0.5 * 1.1, 0.5 * 1.25]
    b[:, 2] = [0.4, 0.4 * 2.2, 0.4 * 4.9]
    out = _conv3(a, b, 4)
    assert out[0, 3] == pytest.approx(0.2)
    assert out[1, 3] / out[0, 3] == pytest.approx(3.3)
    assert out[2, 3] / out[0, 3] == pytest.approx(1.25 + 2 * 1.1 * 2.2 + 4.9)


# ------------------------------------------------ choosing among programmes


def _per_draw(effect: dict[str, list[float]], cost: dict[str, list[float]]
              ) -> dict[str, pd.DataFrame]:
    return {n: pd.DataFrame({"draw": np.arange(len(effect[n])), "person_years_pv:5y": effect[n],
                             "net_cost_pv": cost[n]}) for n in effect}


def test_frontier_is_the_highest_expected_net_benefit() -> None:
    """A skewed option: A beats B by 1 in 9 draws of 10 and loses by 100 in the tenth, so A is
    most often best (p = 0.9) but its expected NB is 0.9·1 − 0.1·100 = −9.1 below B's. At λ = 1
    the frontier (CEAF) is B. Bug caught: the frontier as the 'most often best' option."""
    a = [11.0] * 9 + [-90.0]
    b = [10.0] * 10
    acc = acceptability(_per_draw({"A": a, "B": b}, {"A": [0.0] * 10, "B": [0.0] * 10}), 5.0,
                        np.array([1.0]))
    row = acc.set_index("programme")
    assert row.loc["A", "p_best"] == pytest.approx(0.9)
    assert row.loc["A", "expected_nb"] == pytest.approx(np.mean(a))
    assert bool(row.loc["B", "on_frontier"]) and not bool(row.loc["A", "on_frontier"])


@pytest.mark.parametrize(("cost_a", "effect_a"), [(100.0, 10.0), (120.0, 12.0)])
def test_weak_dominance_with_ties(cost_a: float, effect_a: float) -> None:
    """B costs 100 and gains 12. A at (100, 10) costs the same and gains less; A at (120, 12)
    gains the same and costs more: both are dominated (weak dominance: no worse on both, better
    on one). Bug caught: only strict dominance in both cost and effect."""
    d = dominance(_per_draw({"A": [effect_a], "B": [12.0]}, {"A": [cost_a], "B": [100.0]}), 5.0)
    status = d.set_index("programme")["status"]
    assert status["A"] == "dominated" and status["B"] == ""


# ------------------------------------------------ the page's simulated key figures


def test_page_key_figures_of_a_simulated_programme_show_both_ends() -> None:
    """The page's key figures for a simulated programme (tests/base_scenario.yaml, 6 runs) show
    each figure's mean and, in brackets, the 2.5 % and 97.5 % points of its six runs: by hand,
    numpy's linear quantile of the runs' NPVs over the horizon (over 6 runs, 2.5 % lies between
    the smallest and the second smallest, 97.5 % between the two largest). Bug caught: the interval shown as
    "(lo – lo)" (hi replaced by lo in `model.app.compute.key_figures`)."""
    from model.app import compute
    from model.load import load_scenario
    from model.report.analysis_text import metric_value
    from model.report.programme import figure_label

    p = compute.simulated_programme(load_scenario(BASE), replications=6)
    key = f"npv:{p.scenario.valuation.horizon_years:g}y"
    runs = p.result.priced.metrics[key].to_numpy(dtype=float)
    assert len(runs) == 6 and runs.min() < runs.max()
    lo, hi = np.quantile(runs, [0.025, 0.975])
    figures = compute.key_figures([p], "en").set_index("Figure")
    text = figures.at[figure_label(key, p.scenario, "en"), p.title]
    expect = f"({metric_value(lo, 'kr', 'en')} – {metric_value(hi, 'kr', 'en')})"
    assert text.endswith(expect), (text, expect)
    assert metric_value(lo, "kr", "en") != metric_value(hi, "kr", "en")


# ------------------------------------------------ QALYs discounted from programme start


def test_qalys_are_discounted_by_arrival_month_and_months_since_arrival() -> None:
    """Two participants arrive at months 0 and 12 (groups of 1 every 12 months), stay 3 months
    and all go to work for good; nobody works without the programme. Utility 0.6 outside work and
    in the programme, 0.8 in work: 0.2 / 12 QALY per month in work, at month midpoints
    u = 3.5 … 59.5 since arrival (57 months in the 5-year view). Undiscounted: 2 × 57 × 0.2 / 12
    = 1.9 QALY. At 10 % a year each month counts 1.1^−(a + u)/12, a the arrival month:
    (0.2 / 12) · Σ_u 1.1^−u/12 · (1 + 1.1^−1) = 1.424 QALY. Bug caught: QALYs discounted only by
    arrival month ((0.2 / 12) · 57 · (1 + 1.1^−1) = 1.814), in the simulation's and the expected
    pricing (`economics.figures`) and in the vectorised pricing of draws (`economics.vector`)."""
    from econ_helpers import deterministic

    from model.economics import price
    from model.evaluate import expected_metrics
    from model.psa import run_psa
    from model.simulation import simulate

    raw = deterministic(n=1, months=3.0, rate=0.1,
                        valuation={"value_per_year": 120_000, "discount_rate": 0.1,
                                   "horizon_years": 5, "views_years": [5]},
                        health={"utility_in_programme": 0.6, "utility_in_work": 0.8,
                                "utility_outside_work": 0.6})
    raw["intake"] = {"groups": {"size": 1, "every_months": 12, "end_month": 13}}
    sc = parse_scenario(raw)
    u = np.arange(3.5, 60.0, 1.0)
    assert len(u) == 57
    month = 0.2 / 12
    by_hand_pv = month * float((1.1 ** (-u / 12)).sum()) * (1 + 1 / 1.1)
    assert by_hand_pv == pytest.approx(1.424, abs=5e-4)
    run = simulate(sc, replications=1)
    assert sorted(run.participants["arrival_month"]) == [0.0, 12.0]
    for m in (price(run, detail=False).metrics.iloc[0], expected_metrics(sc, checked=True)):
        assert m["qaly:5y"] == pytest.approx(2 * 57 * month, rel=1e-9)
        assert m["qaly_pv:5y"] == pytest.approx(by_hand_pv, rel=1e-9)
    # the same over parameter draws on the vectorised path (`economics.vector`): a value per
    # person-year drawn, which moves no QALY
    raw["valuation"]["value_per_year"] = {
        "value": 120_000, "uncertainty": {"dist": "gamma", "mean": 120_000, "sd": 20_000}}
    res = run_psa([(raw, parse_scenario(raw))], draws=4, seed=3)
    assert all(v.startswith("all ") for v in res.vectorised.values()), res.vectorised
    assert res.metrics["qaly_pv:5y"].to_numpy() == pytest.approx(np.full(4, by_hand_pv), rel=1e-9)


# ------------------------------------------------ GP EVPPI on recurring joint rows


def test_gp_evppi_of_recurring_joint_rows_weights_each_row_by_its_count() -> None:
    """A joint group of two inputs drawn as whole rows of a kept set of 30, row i with
    probability proportional to i (24 000 draws, so rows recur 50 to 1 500 times); the option's
    net benefit relative to doing nothing is +1 when the row's first input is positive and −1
    otherwise, plus noise of sd 0.5 that no input explains. The exact EVPPI, from the known
    E(NB | row) = ±1, is mean over draws of max(0, ±1) − max(0, mean ±1) = 0.455; the GP gives
    0.454. Tolerance 0.009, 4 sd of the estimate: the overall mean is negative here, so only the
    noise in the means of the 10 923 draws on positive rows enters, 0.5·√10 923/24 000 ≈ 0.0022.
    Bug caught: each distinct row weighted
    once instead of by its count gives 0.400. (With noise of sd 5 and 6 000 draws, as this test
    once had, the estimate's own error, about 0.05, was as large as what it checked; the GP's
    noise fit is checked against the draws one by one in tests/test_voi.py.)"""
    from model.psa.voi import evppi

    rng = np.random.default_rng(5)
    rows = rng.normal(size=(30, 2))
    p = np.arange(1, 31) / np.arange(1, 31).sum()
    idx = rng.choice(30, 24_000, p=p)
    sign = np.sign(rows[idx, 0])
    y = sign + rng.normal(0, 0.5, 24_000)
    nb = np.c_[np.zeros(24_000), y]
    exact = float(np.maximum(0, sign).mean() - max(0.0, sign.mean()))
    assert exact == pytest.approx(0.455, abs=5e-4)
    unweighted = float(np.maximum(0, np.sign(rows[:, 0])).mean() - max(0.0, np.sign(rows[:, 0]).mean()))
    assert abs(unweighted - exact) > 0.05           # the bug would be seen
    assert (sign > 0).sum() == 10_923 and sign.mean() < 0     # as the tolerance assumes
    assert evppi(nb, rows[idx]) == pytest.approx(exact, abs=0.009)
