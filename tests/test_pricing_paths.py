"""A simulated replication's effect and activity, computed with the shortcuts of issue 22 (the
tables' columns read once, one curve per counterfactual hazard, one decay for both curves when the
job starts at the exit, no factor of 1.0, shared sorting), equal bit for bit the plain computation
they replaced, kept here as the reference. Equality, not closeness: the printed output and the
pinned report figures rest on it."""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from econ_helpers import rich, scenario

from model.economics import price, units_of_run
from model.economics.costs import Activity, at_month, calendar_months, cost_lines
from model.economics.effect import (
    CHUNK_CELLS,
    CURVES,
    GOOD,
    OTHER,
    Effect,
    Rules,
    after_start,
    chain,
    chain_both,
    discount,
)
from model.economics.rows import counterfactual_hazards, good_exit
from model.load import load_scenario
from model.scenario import Scenario
from model.simulation import RunResult, simulate

ROOT = Path(__file__).resolve().parents[1]
REPS = 3


def _chain(x: np.ndarray, f: np.ndarray | float, loss: float, employed: bool) -> np.ndarray:
    """`effect.chain` as it was (one function, before `chain_both` shared its decay)."""
    x = np.asarray(x, dtype=float)
    f = np.asarray(f, dtype=float)
    total = f + loss
    with np.errstate(invalid="ignore", divide="ignore"):
        pi = np.where(total > 0, f / np.where(total > 0, total, 1.0), 0.0)
    decay = np.exp(-total * np.clip(x, 0.0, None))
    p = pi + (1.0 - pi) * decay if employed else pi * (1.0 - decay)
    return np.where(x >= 0, p, 0.0)


def _chain_month(x: np.ndarray, f: np.ndarray | float, loss: float, employed: bool
                 ) -> np.ndarray:
    share, mid = after_start(x)
    return share * _chain(mid, f, loss, employed)


def _covered(starts: np.ndarray, ends: np.ndarray, weights: np.ndarray, n_cal: int
             ) -> np.ndarray:
    """`costs.covered` as it was (with np.r_)."""
    out = np.zeros(n_cal)
    if len(starts) == 0:
        return out
    s = np.asarray(starts, dtype=float)
    e = np.maximum(np.asarray(ends, dtype=float), s)
    w = np.asarray(weights, dtype=float)
    t = np.arange(n_cal + 1, dtype=float)

    def running(points: np.ndarray) -> np.ndarray:
        order = np.argsort(points, kind="stable")
        p, wp = points[order], w[order]
        cw = np.r_[0.0, np.cumsum(wp)]
        cwp = np.r_[0.0, np.cumsum(wp * p)]
        k = np.searchsorted(p, t, side="left")
        return cw[k] * t - cwp[k]

    return np.diff(running(s) - running(e))


def _calendar_sum(shift: np.ndarray, rows: np.ndarray, length: int) -> np.ndarray:
    out = np.zeros(length)
    if len(rows):
        shift = np.clip(shift, 0, None)
        order = np.argsort(shift, kind="stable")
        shift, rows = shift[order], rows[order]
        starts = np.flatnonzero(np.r_[True, shift[1:] != shift[:-1]])
        summed = np.add.reduceat(rows, starts, axis=0)
        for s, row in zip(shift[starts], summed, strict=True):
            out[s:s + rows.shape[1]] += row
    return out


def _reference_effect(sc: Scenario, people: pd.DataFrame, end: float, n_cal: int,
                      w: np.ndarray) -> Effect:
    """`effect_of_run` as it was: every curve per participant, from the replication's own rows."""
    rules = Rules.of(sc)
    u, g, n = rules.u, rules.grid, len(people)
    arrival = people["arrival_month"].to_numpy(dtype=float)
    exit_m = people["exit_month"].to_numpy(dtype=float)
    exited = ~np.isnan(exit_m)
    stay = np.round(np.where(exited, exit_m, end) - arrival, 9)
    good = exited & good_exit(people, rules)
    f = counterfactual_hazards(sc, people)
    group = np.where(good, GOOD, OTHER)
    disc_a = discount(arrival, rules.rate)
    curves = {k: np.zeros((2, g)) for k in CURVES}
    curves_pv = {k: np.zeros((2, g)) for k in CURVES}
    swapped = {k: np.zeros((2, g)) for k in ("gain", "with_work")}
    head = min(g, math.ceil(rules.head_months))
    in_head = (u < rules.head_months)[:head]
    calendar = {k: np.zeros((2, n_cal + head)) for k in ("gain", "with_work")}
    shift = np.floor(arrival + 0.5).astype(np.int64)
    disc_u = discount(u[:head], rules.rate)
    step = max(1, CHUNK_CELLS // max(g, 1))
    for lo in range(0, n, step):
        sl = slice(lo, min(n, lo + step))
        st, gd, fh = stay[sl][:, None], good[sl][:, None], f[sl][:, None]
        since_exit = u[None, :] - st
        since_job = since_exit - rules.job_lag
        as_good = _chain_month(since_job, fh, rules.loss, True)
        as_other = _chain_month(since_exit, fh, rules.loss, False)
        without = _chain(np.broadcast_to(u, since_exit.shape), fh, rules.loss, False)
        keep = (1.0 - rules.drop_off) ** np.floor(np.clip(since_job, 0.0, None) / 12.0)
        factor = np.where(since_job >= 0, np.where(since_job >= rules.benefit_lag, keep, 0.0),
                          1.0)
        gain_good = (as_good - without) * factor
        gain_other = as_other - without
        rows = {"with_work": np.where(gd, as_good, as_other), "without_work": without,
                "gain": np.where(gd, gain_good, gain_other),
                "in_programme": 1.0 - after_start(since_exit)[0]}
        ww, wd = w[sl], w[sl] * disc_a[sl]
        grp = group[sl]
        for k in (GOOD, OTHER):
            mask = grp == k
            if not mask.any():
                continue
            for name, arr in rows.items():
                curves[name][k] += ww[mask] @ arr[mask]
                curves_pv[name][k] += wd[mask] @ arr[mask]
            swapped["gain"][k] += wd[mask] @ np.where(gd, gain_other, gain_good)[mask]
            swapped["with_work"][k] += wd[mask] @ np.where(gd, as_other, as_good)[mask]
        for name in calendar:
            part = rows[name][:, :head] * in_head[None, :]
            calendar[name][0] += _calendar_sum(shift[sl], part * ww[:, None], n_cal + head)
            calendar[name][1] += _calendar_sum(shift[sl], part * wd[:, None] * disc_u[None, :],
                                               n_cal + head)
    is_state = {s: (people["exit_state"] == s).to_numpy(dtype=bool) for s in sc.exit_states}
    without_exit = _chain(stay, f, rules.loss, False)
    x12 = 12.0 - stay
    with12 = np.where(good, _chain(x12 - rules.job_lag, f, rules.loss, True),
                      _chain(x12, f, rules.loss, False))
    without12 = _chain(np.full(n, 12.0), f, rules.loss, False)
    return Effect(
        n=np.array([float(w[group == k].sum()) for k in (GOOD, OTHER)]),
        curves=curves, curves_pv=curves_pv,
        calendar={k: v[:, :n_cal] for k, v in calendar.items()}, swapped_pv=swapped,
        exits={s: float(w[exited & is_state[s]].sum()) for s in sc.exit_states},
        categories={k: v.category for k, v in sc.exit_states.items()},
        still_in=float(w[~exited].sum()),
        jobs_without_at_exit=np.array([float((w * without_exit)[exited & (group == k)].sum())
                                       for k in (GOOD, OTHER)]),
        work_12=np.array([[float((w * with12)[group == k].sum()) for k in (GOOD, OTHER)],
                          [float((w * without12)[group == k].sum()) for k in (GOOD, OTHER)]]),
        months_to={s: float((w * stay)[exited & is_state[s]].sum()) for s in sc.exit_states},
        months_total=float(w @ stay))


def _reference_activity(sc: Scenario, people: pd.DataFrame, visits: pd.DataFrame, end: float,
                        n_cal: int, w: np.ndarray) -> Activity:
    """`activity_of_run` as it was, from the replication's own rows."""
    good = people["exit_month"].notna().to_numpy() & good_exit(people, Rules.of(sc))
    c = sc.costs
    period = float(c.project_months) if c.project_months is not None else end
    pid = people["participant_id"].to_numpy(dtype=np.int64)
    size = int(pid.max()) + 1 if len(people) else 0
    grp_of, w_of = np.ones(size, dtype=np.int64), np.zeros(size)
    grp_of[pid], w_of[pid] = np.where(good, 0, 1), w
    arr = people["arrival_month"].to_numpy(dtype=float)
    ex = people["exit_month"].fillna(end).to_numpy(dtype=float)
    grp = np.where(good, 0, 1)
    in_prog = np.stack([_covered(arr[grp == k], ex[grp == k], w[grp == k], n_cal) for k in (0, 1)])
    s_all = visits["start_month"].to_numpy(dtype=float)
    ok = ~np.isnan(s_all)
    e_all = visits["end_month"].to_numpy(dtype=float)[ok]
    e_all = np.where(np.isnan(e_all), end, e_all)
    v_pid = visits["participant_id"].to_numpy(dtype=np.int64)[ok]
    vg, vw = grp_of[v_pid], w_of[v_pid]
    service, starts = {}, {}
    for iv in sc.interventions:
        mask = (visits["intervention"] == iv.name).to_numpy(dtype=bool)[ok]
        s, e, gm, wm = s_all[ok][mask], e_all[mask], vg[mask], vw[mask]
        service[iv.name] = np.stack([_covered(s[gm == k], e[gm == k], wm[gm == k], n_cal)
                                     for k in (0, 1)])
        starts[iv.name] = np.stack([at_month(s[gm == k], wm[gm == k], n_cal) for k in (0, 1)])
    return Activity(n_cal, period, in_prog, service, starts)


def _same(a: object, b: object, where: str) -> None:
    if isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            _same(a[k], b[k], f"{where}[{k}]")
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=where, strict=True)


def _cases() -> dict[str, Scenario]:
    late = rich(employment={"retention": {"share_at_12_months": 0.6}, "extent": 0.9,
                            "lag_months": 0.5, "value_studies": True},
                valuation={"value_per_year": 250_000, "discount_rate": 0.03, "horizon_years": 2,
                           "views_years": [1, 2], "benefit_lag_months": 2.5,
                           "drop_off_per_year": 0.2})
    at_exit = rich(employment={"lag_months": 0})
    lagged_benefit = rich(employment={"lag_months": 0},
                          valuation={"drop_off_per_year": 0, "benefit_lag_months": 2})
    return {"anpassad_yrkesutbildning": load_scenario(
                ROOT / "scenarios" / "grenverket" / "anpassad_yrkesutbildning.yaml"),
            "rich (lag 1, drop-off, two hazards)": scenario(rich()),
            "rich (lag 0.5, benefit lag, studies)": scenario(late),
            "rich (no lag: one decay, drop-off)": scenario(at_exit),
            "rich (no lag, no drop-off, benefit lag)": scenario(lagged_benefit)}


CASES = _cases()


@pytest.fixture(scope="module", params=sorted(CASES))
def run(request) -> RunResult:
    return simulate(CASES[request.param], replications=REPS, seed=11)


@pytest.mark.parametrize("weighted", [False, True])
def test_units_equal_the_plain_computation(run, weighted):
    """Every field of every replication's Effect, and every cost line, as the plain code gives."""
    sc = run.scenario
    rng = np.random.default_rng(5)
    sizes = run.participants.groupby("rep").size()
    weights = {r: rng.uniform(0.5, 1.5, int(sizes[r])) for r in range(REPS)} if weighted else None
    units = units_of_run(run, weights)
    ends = run.stations.groupby("rep")["end_month"].max()
    for rep in range(REPS):
        people = run.participants[run.participants["rep"] == rep]
        visits = run.visits[run.visits["rep"] == rep]
        end = float(ends[rep])
        cal = calendar_months(sc, end, float(people["arrival_month"].max()))
        w = np.ones(len(people)) if weights is None else weights[rep]
        want = _reference_effect(sc, people, end, cal, w)
        for f in fields(Effect):
            _same(getattr(units[rep].effect, f.name), getattr(want, f.name), f"rep {rep} {f.name}")
        ref_lines = cost_lines(sc, _reference_activity(sc, people, visits, end, cal, w))
        assert len(units[rep].lines) == len(ref_lines)
        for got, line in zip(units[rep].lines, ref_lines, strict=True):
            assert (got.funder, got.label, got.allowance) == (line.funder, line.label,
                                                              line.allowance)
            _same(got.amount, line.amount, f"rep {rep} {line.label}")


def test_tables_out_of_replication_order_price_the_same(run):
    """Tables not in replication order (built elsewhere) take each replication's rows in table
    order, weights included: every table priced the same as from the ordered tables, exactly.
    (Within a replication the order stays: sums in another order round otherwise.)"""
    rng = np.random.default_rng(8)
    sizes = run.participants.groupby("rep").size()
    weights = {r: rng.uniform(0.5, 1.5, int(sizes[r])) for r in range(REPS)}
    mixed = [1, 0, 2]  # replication blocks out of order

    def shuffled(table: pd.DataFrame) -> pd.DataFrame:
        return pd.concat([table[table["rep"] == r] for r in mixed])

    out_of_order = RunResult(run.scenario, run.seed, shuffled(run.participants),
                             shuffled(run.visits), shuffled(run.stations))
    got, want = price(out_of_order, weights=weights), price(run, weights=weights)
    for name in ("metrics", "ledger", "flows", "actors"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(want, name), check_exact=True)


def test_chain_both_is_chain_twice():
    """One decay for the two curves gives each curve bit for bit, as `chain` gives it and as the
    one function did before."""
    x = np.linspace(-2.0, 40.0, 301)[None, :] - np.array([[0.0], [0.25], [3.1]])
    f = np.array([[0.0], [0.03], [0.2]])
    employed, unemployed = chain_both(x, f, 0.05)
    for employed_, got in ((True, employed), (False, unemployed)):
        np.testing.assert_array_equal(got, chain(x, f, 0.05, employed_), strict=True)
        np.testing.assert_array_equal(got, _chain(x, f, 0.05, employed_), strict=True)


@pytest.mark.parametrize("drop_off", [0.0, 0.15])
def test_job_factor_equals_the_power_formula(drop_off):
    """Without drop-off the factor skips the powers: the same array as (1 − d)^⌊x/12⌋ gives."""
    from dataclasses import replace

    rules = replace(Rules.of(CASES["rich (lag 1, drop-off, two hazards)"]),
                    drop_off=drop_off, benefit_lag=2.0)
    x = np.linspace(-3.0, 70.0, 731)
    keep = (1.0 - drop_off) ** np.floor(np.clip(x, 0.0, None) / 12.0)
    np.testing.assert_array_equal(rules.job_factor(x), np.where(x >= 2.0, keep, 0.0),
                                  strict=True)
