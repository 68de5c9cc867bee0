"""Every analysis of a saved sweep against answers worked out by hand (issue 9).

Two deterministic programmes, so that every figure of every point is known exactly: 10 people,
one month each, all to work, no counterfactual jobs, r = 0, a 1-year horizon. Each person works
months 1–12 of the horizon: 110 person-months, PY = 110/12 person-years at extent 1 (in the
half-year view months 1–6: 50 person-months, 50/12 person-years), and

    NPV = PY · extent · value per person-year − lump sum.

'det_a' is valued at 500 000 kr a person-year, 'det_b' at 300 000; both pay a lump sum of
1 000 000 kr. The value per person-year is swept for det_a only, so det_b keeps its own 300 000
(an analysis that applied det_a's value to det_b would give other answers for det_b).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from model import analysis
from model.sweep import design_points, load_sweep, run_sweep

PY = 110 / 12
LUMP = 1_000_000.0
VPY = {"det_a": 500_000.0, "det_b": 300_000.0}


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def programme(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "intake": {"cohort": {"n": 10}},
        "entry": "kurs",
        "interventions": [{"name": "kurs", "duration": {"dist": "fixed", "months": 1},
                           "routing": {"arbete": 1.0}}],
        "exit_states": {"arbete": {"category": "work"}},
        "counterfactual": {"monthly_hazard": 0.0},
        "costs": {"lump_sums": [{"label": "programme", "funder": "kommun", "amount": LUMP}]},
        "valuation": {"value_per_year": VPY[name], "horizon_years": 1, "views_years": [0.5, 1],
                      "discount_rate": 0.0},
    }


def npv(vpy: float, lump: float = LUMP, extent: float = 1.0) -> float:
    return PY * extent * vpy - lump


VPY_A = {"path": "valuation.value_per_year", "name": "vpy", "scenarios": ["det_a"],
         "low": 400_000, "high": 600_000}
LUMP_P = {"path": "costs.lump_sums.programme.amount", "name": "lump", "low": 500_000,
          "high": 1_500_000}
EXTENT = {"path": "employment.extent", "name": "extent", "low": 0.8, "high": 1.0, "base": 1.0}


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("analyses")
    for name in VPY:
        write(d / f"{name}.yaml", programme(name))
    return d


def sweep(folder: Path, name: str, params: list[dict], design: dict, reps: int = 1,
          points_per_part: int = 8) -> Path:
    """Write and run a sweep of both programmes; return its result folder."""
    f = write(folder / f"{name}.yaml", {
        "name": name, "scenarios": ["det_a.yaml", "det_b.yaml"], "parameters": params,
        "design": design, "replications": reps, "seed": 3, "points_per_part": points_per_part})
    out = folder / f"{name}_out"
    run_sweep(f, out, workers=1, quiet=True)
    return out


# ------------------------------------------------------------------ tornado


def test_tornado_columns_by_hand(folder) -> None:
    """One-way: each parameter at its low and its high, the rest at base (vpy 500 000, lump
    1 000 000, extent 1). det_a, by hand:
      vpy    400 000 / 600 000      → NPV PY·400 000 − 1e6 / PY·600 000 − 1e6
      lump   500 000 / 1 500 000    → NPV PY·500 000 − 5e5 / PY·500 000 − 1.5e6
      extent 0.8 / 1.0              → NPV PY·0.8·500 000 − 1e6 / PY·500 000 − 1e6
    swings PY·200 000 = 1 833 333, 1 000 000, PY·0.2·500 000 = 916 667, ranked in that order.
    det_b (300 000 kr a person-year, vpy does not apply to it): lump swings 1 000 000, extent
    PY·0.2·300 000 = 550 000; vpy is left out of its tornado.
    """
    out = sweep(folder, "oneway", [VPY_A, LUMP_P, EXTENT], {"kind": "oneway"})
    ta = analysis.tornado(out, "npv", "det_a").set_index("parameter")
    assert list(ta.index) == ["vpy", "lump", "extent"]
    expect = {"vpy": (400_000, 500_000, 600_000, npv(400_000), npv(600_000)),
              "lump": (500_000, LUMP, 1_500_000, npv(500_000, 500_000), npv(500_000, 1_500_000)),
              "extent": (0.8, 1.0, 1.0, npv(500_000, extent=0.8), npv(500_000))}
    for name, (low, base, high, at_low, at_high) in expect.items():
        row = ta.loc[name]
        assert (row["low"], row["base"], row["high"]) == (low, base, high), name
        assert row["npv at low"] == pytest.approx(at_low, rel=1e-12), name
        assert row["npv at high"] == pytest.approx(at_high, rel=1e-12), name
        assert row["swing"] == pytest.approx(abs(at_high - at_low), rel=1e-12), name
    assert ta.attrs["base_value"] == pytest.approx(npv(500_000), rel=1e-12)
    # on revenue (PY · extent · v): the lump sum swings nothing, vpy PY · 200 000
    rev = analysis.tornado(out, "revenue", "det_a").set_index("parameter")
    assert list(rev.index) == ["vpy", "extent", "lump"]
    assert rev.at["vpy", "swing"] == pytest.approx(PY * 200_000, rel=1e-12)
    assert rev.at["lump", "swing"] == 0.0
    tb = analysis.tornado(out, "npv", "det_b").set_index("parameter")
    assert list(tb.index) == ["lump", "extent"]
    assert tb.at["lump", "npv at low"] == pytest.approx(npv(300_000, 500_000), rel=1e-12)
    assert tb.at["extent", "swing"] == pytest.approx(PY * 0.2 * 300_000, rel=1e-12)
    assert tb.attrs["base_value"] == pytest.approx(npv(300_000), rel=1e-12)


# ------------------------------------------------------------------ A against B, acceptability


LUMP_A = {**LUMP_P, "scenarios": ["det_a"]}


@pytest.fixture(scope="module")
def lhs(folder) -> Path:
    """8 Latin-hypercube points of det_a's value per person-year v and lump sum L, 2 replications
    each; det_b keeps its own 300 000 kr and 1 000 000 kr at every point."""
    return sweep(folder, "lhs", [VPY_A, LUMP_A], {"kind": "lhs", "points": 8}, reps=2)


def _points(out: Path):
    return analysis.read_points(out).set_index("point_id")


def test_probability_better_by_hand(lhs) -> None:
    """NPV_a − NPV_b = (PY·v − L) − (PY·300 000 − 1 000 000) = PY (v − 300 000) − (L − 1e6):
    at least PY·100 000 − 500 000 > 0 at every point, so P(A > B) = 1; the mean difference and
    its 2.5–97.5 percentiles are those of this expression over the 8 points (each point's value
    is its mean over its 2 replications, identical here: the programmes are deterministic). B
    against A: P = 0 and the difference negated. On cost (L against 1 000 000): P = the share of
    points with L > 1e6 (one LHS draw in each of 8 strata of [0.5, 1.5] MSEK: 4 of 8),
    difference mean(L) − 1e6."""
    pts = _points(lhs)
    v, lump = pts["vpy"].to_numpy(), pts["lump"].to_numpy()
    diff = PY * (v - 300_000) - (lump - LUMP)
    pb = analysis.probability_better(lhs, "det_a", "det_b")
    assert pb["p"] == 1.0 and pb["pairs"] == 8 and pb["mcse"] == 0.0
    assert pb["mean_diff"] == pytest.approx(diff.mean(), rel=1e-12)
    lo, hi = np.percentile(diff, [2.5, 97.5])
    assert (pb["lo"], pb["hi"]) == (pytest.approx(lo, rel=1e-12), pytest.approx(hi, rel=1e-12))
    ba = analysis.probability_better(lhs, "det_b", "det_a")
    assert ba["p"] == 0.0 and ba["mean_diff"] == pytest.approx(-diff.mean(), rel=1e-12)
    cost = analysis.probability_better(lhs, "det_a", "det_b", metric="cost")
    assert cost["p"] == 0.5
    assert cost["mean_diff"] == pytest.approx(lump.mean() - LUMP, rel=1e-12)


def test_acceptability_by_hand(lhs) -> None:
    """At a value v per person-year, NPV_a(v) = PY·v − L (each point's own lump sum L) and
    NPV_b(v) = PY·v − 1 000 000: P(NPV_a > 0) is the share of points with L < PY·v, P(NPV_b > 0)
    is 1 once v > 1e6 / PY = 109 091 kr and 0 below (det_b's revenue is rescaled from its own
    300 000 kr, not from det_a's drawn value), and NPV_a(v) − NPV_b(v) = 1e6 − L, so
    P(A > B) is the share of points with L < 1e6 (4 of 8) at every v."""
    lump = _points(lhs)["lump"].to_numpy()
    values = [0.0, 60_000.0, 100_000.0, 130_000.0, 170_000.0, 1_000_000.0]
    ac = analysis.acceptability(lhs, values)
    assert list(ac.columns) == ["value_per_year", "P(NPV>0) det_a", "P(NPV>0) det_b",
                                "P(det_a > det_b)"]
    assert ac["value_per_year"].tolist() == values
    for v, row in zip(values, ac.itertuples(index=False), strict=True):
        assert row[1] == pytest.approx(float((lump < PY * v).mean())), ("det_a", v)
        assert row[2] == (1.0 if PY * v > LUMP else 0.0), ("det_b", v)
        assert row[3] == pytest.approx(0.5), v
    assert 0 < ac["P(NPV>0) det_a"].iloc[2] < 1  # the grid really crosses the lump sums


def test_acceptability_of_another_view(lhs) -> None:
    """In the half-year view NPV(v) = (50/12)·v − L: P(NPV:0.5y > 0) at v is the share of points
    with L < (50/12)·v (at 200 000 kr: L < 833 333, at 300 000: L < 1 250 000)."""
    lump = _points(lhs)["lump"].to_numpy()
    values = [200_000.0, 300_000.0]
    ac = analysis.acceptability(lhs, values, metric="npv:0.5y")
    for v, p in zip(values, ac["P(NPV>0) det_a"], strict=True):
        assert p == pytest.approx(float((lump < 50 / 12 * v).mean())), v
    assert ac["P(NPV>0) det_a"].tolist() != analysis.acceptability(lhs, values)[
        "P(NPV>0) det_a"].tolist()


def test_acceptability_default_grid_runs_to_twice_the_value(lhs) -> None:
    """Without values, the curve runs from 0 to twice the largest value per person-year of the
    sweep's programmes (500 000 kr: det_a's) in 9 steps: 0, 125 000, …, 1 000 000 kr, so the
    base value sits in the middle of the curve, not at its end."""
    ac = analysis.acceptability(lhs)
    assert ac["value_per_year"].tolist() == [125_000.0 * k for k in range(9)]
    assert ac["P(NPV>0) det_a"].iloc[-1] == 1.0  # PY × 1 000 000 > every lump sum


# ------------------------------------------------------------------ global: Sobol and Morris


def test_sobol_with_second_order_and_a_parameter_that_does_not_apply(folder) -> None:
    """Sobol design with second-order terms: N (2D + 2) = 32 × 6 = 192 points. NPV_a = PY·v − L
    with v ~ U(400 000, 600 000) and L ~ U(500 000, 1 500 000) independent: additive, so
    S1 = ST = Var(term)/Var(NPV) with Var(PY·v) = (PY · 200 000)²/12 and Var(L) = 1e12/12
    (tolerance 0.05 on a sample of 32, as in tests/test_sweep.py). For det_b vpy does not apply:
    its NPV moves with L only (S1(lump) = 1, S1(vpy) = 0) and the table says vpy does not apply.
    The 95 % interval is SALib's bootstrap at the sweep's seed: recomputed here from the saved
    values it gives the same half-width, and it covers the known index."""
    from SALib.analyze import sobol as salib_sobol

    out = sweep(folder, "sobol2", [VPY_A, LUMP_P], {"kind": "sobol", "n": 32,
                                                    "second_order": True}, points_per_part=64)
    assert analysis.load_manifest(out)["n_points"] == 32 * 6
    sa = analysis.sobol_indices(out, "npv", "det_a").set_index("parameter")
    v_vpy, v_lump = (PY * 200_000) ** 2 / 12, 1e12 / 12
    for name, var in (("vpy", v_vpy), ("lump", v_lump)):
        share = var / (v_vpy + v_lump)
        assert sa.at[name, "S1"] == pytest.approx(share, abs=0.05), name
        assert sa.at[name, "ST"] == pytest.approx(share, abs=0.05), name
        assert sa.at[name, "S1_lo"] <= share <= sa.at[name, "S1_hi"], name
    assert sa["applies"].all()
    y = analysis.point_means(out, "npv", "det_a").sort_index().to_numpy()
    again = salib_sobol.analyze(analysis.unit_problem(["vpy", "lump"]), y, calc_second_order=True,
                                conf_level=0.95, seed=3)
    assert sa.loc[["vpy", "lump"], "S1_conf"].tolist() == pytest.approx(list(again["S1_conf"]))
    assert sa.loc[["vpy", "lump"], "ST_conf"].tolist() == pytest.approx(list(again["ST_conf"]))
    rev = analysis.sobol_indices(out, "revenue", "det_a").set_index("parameter")
    assert rev.at["vpy", "S1"] == pytest.approx(1.0, abs=0.05)  # revenue does not depend on L
    assert rev.at["lump", "ST"] == pytest.approx(0.0, abs=1e-9)
    sb = analysis.sobol_indices(out, "npv", "det_b").set_index("parameter")
    assert sb.at["lump", "S1"] == pytest.approx(1.0, abs=0.05)
    assert sb.at["vpy", "ST"] == pytest.approx(0.0, abs=1e-9)
    assert not sb.at["vpy", "applies"] and sb.at["lump", "applies"]


def test_morris_on_six_levels_by_hand(folder) -> None:
    """Morris on 6 levels (not the default 4). Effects are per unit of each range: the lump sum
    moves NPV by exactly −1 000 000 over its range whatever the others do, so mu = −1e6,
    mu* = 1e6, sigma = 0; vpy moves it by PY · extent · 200 000 with extent in [0.8, 1], so mu*
    lies in [PY·0.8·200 000, PY·200 000]; extent by PY · v · 0.2 with v in [400 000, 600 000].
    An analysis on another number of levels than the design's scales every effect wrongly."""
    out = sweep(folder, "morris6", [VPY_A, LUMP_P, EXTENT],
                {"kind": "morris", "n": 6, "num_levels": 6}, points_per_part=24)
    m = analysis.morris_indices(out, "npv", "det_a").set_index("parameter")
    assert m.at["lump", "mu"] == pytest.approx(-1_000_000, rel=1e-9)
    assert m.at["lump", "mu_star"] == pytest.approx(1_000_000, rel=1e-9)
    assert m.at["lump", "sigma"] == pytest.approx(0.0, abs=1e-3)
    assert PY * 0.8 * 200_000 * (1 - 1e-9) <= m.at["vpy", "mu_star"] <= PY * 200_000 * (1 + 1e-9)
    assert PY * 0.2 * 400_000 * (1 - 1e-9) <= m.at["extent", "mu"] <= PY * 0.2 * 600_000 * (1 + 1e-9)
    assert list(m.index[:1]) == ["vpy"]  # the largest mu*: PY · ~180 000 > 1e6 > extent's
    rev = analysis.morris_indices(out, "revenue", "det_a").set_index("parameter")
    assert rev.at["lump", "mu_star"] == 0.0  # revenue does not depend on the lump sum


# ------------------------------------------------------------------ threshold


def test_threshold_on_another_metric_and_target(folder) -> None:
    """Revenue = PY · v reaches 3 000 000 kr at v = 3 000 000 / PY = 327 272.7 kr; the NPV of
    the same programme reaches 500 000 kr at v = 1 500 000 / PY = 163 636.4 kr."""
    t = analysis.threshold(folder / "det_a.yaml", "valuation.value_per_year", 1.0, 1_000_000,
                           metric="revenue", target=3_000_000, replications=1)
    assert t.value == pytest.approx(3_000_000 / PY, rel=1e-8)
    assert t.at_low == pytest.approx(PY * 1.0, rel=1e-9)
    t = analysis.threshold(folder / "det_a.yaml", "valuation.value_per_year", 1.0, 1_000_000,
                           metric="npv", target=500_000, replications=1)
    assert t.value == pytest.approx(1_500_000 / PY, rel=1e-8)


# ------------------------------------------------------------------ distributions of a sweep


def test_lognormal_parameter_by_mean_and_cv(folder) -> None:
    """A lognormal input given by mean 2 and CV 0.5 has σ² = ln(1 + 0.25) and μ = ln 2 − σ²/2,
    so a random design's value at unit draw u is exp(μ + σ Φ⁻¹(u)) (written out here, not
    through scipy's lognorm). Its sample mean over 4 000 draws is within 4 standard errors
    (SE = 0.5 × 2 / √4000 = 0.0158) of 2. Taking the mean as the scale (e^μ = 2) would bias the
    mean up by a factor e^(σ²/2) = 1.118, i.e. by 0.236: 15 SE."""
    from scipy.stats import norm

    f = write(folder / "logn.yaml", {
        "name": "logn", "scenarios": ["det_a.yaml"],
        "parameters": [{"path": "employment.retention.monthly_hazard", "name": "h",
                        "dist": "lognormal", "mean": 2.0, "cv": 0.5}],
        "design": {"kind": "random", "points": 4000}, "seed": 9})
    plan = load_sweep(f)
    pts, _ = design_points(plan.spec, plan.params)
    s2 = math.log(1 + 0.5**2)
    mu = math.log(2.0) - s2 / 2
    assert pts["h"].to_numpy() == pytest.approx(np.exp(mu + math.sqrt(s2) * norm.ppf(pts["u:h"])),
                                                rel=1e-9)
    se = 0.5 * 2.0 / math.sqrt(len(pts))
    assert abs(pts["h"].mean() - 2.0) <= 4 * se
