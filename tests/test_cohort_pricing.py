"""The simulated cohorts priced on the workers (issue 22, target 2) give exactly the figures of
`simulate` then `price` in one process: each worker prices the replications it simulated with the
same per-replication functions, and `compare` leaves out only the tables it does not show."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.economics import price, simulate_and_price
from model.economics.actors import COLUMNS, actor_figures
from model.economics.figures import parts, payback_month, view_heads, view_key
from model.economics.ledger import actor_months
from model.load import load_scenario
from model.scenario import FUNDERS
from model.simulation import simulate

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "scenarios" / "grenverket" / "anpassad_yrkesutbildning.yaml",
         ROOT / "scenarios" / "grenverket" / "supported_employment.yaml",
         ROOT / "scenarios" / "library" / "spangen.yaml"]
REPS = 10  # enough for several chunks on two workers (chunks of one replication at 10)


def _reference_actor_figures(sc, eff, lines, base=None) -> pd.DataFrame:
    """`actor_figures` as it was before it built its table once: a frame per view, joined
    (kept only as the reference for the test below)."""
    p = parts(sc, eff, lines, base)
    am = actor_months(sc, eff, lines, p, base)
    cost, cost_pv = am.cost.sum(axis=1), (am.cost * am.disc).sum(axis=1)
    allow, allow_pv = am.allowances.sum(axis=1), (am.allowances * am.disc).sum(axis=1)
    own, own_pv = am.allowances_paid.sum(axis=1), (am.allowances_paid * am.disc).sum(axis=1)
    cum_paid = np.cumsum((am.cost + am.allowances_paid) * am.disc, axis=1)
    cum_back = np.cumsum(am.benefit_pv + am.transfers_pv + am.allowances_paid * am.disc, axis=1)
    pays = cum_paid[:, -1] > 1e-9 if cum_paid.shape[1] else np.zeros(len(FUNDERS), dtype=bool)
    payback = np.array([payback_month(cum_back[i], cum_paid[i]) if pays[i] else np.nan
                        for i in range(len(FUNDERS))])
    frames = []
    for years, (head, head_pv) in view_heads(sc, eff, p, base).items():
        py, py_pv = head * p.adjust / 12.0, head_pv * p.adjust / 12.0
        real, real_pv = am.real_per_py * py, am.real_per_py * py_pv
        moved, moved_pv = allow + am.moved_per_py * py, allow_pv + am.moved_per_py * py_pv
        net, net_pv = real + moved - cost, real_pv + moved_pv - cost_pv
        frames.append(pd.DataFrame({
            "actor": FUNDERS, "view": view_key(years), "years": float(years),
            "cost": cost, "cost_pv": cost_pv, "real": real, "real_pv": real_pv,
            "transfers": moved, "transfers_pv": moved_pv, "net": net, "net_pv": net_pv,
            "paid": cost + own, "paid_pv": cost_pv + own_pv,
            "returned": net + cost + own, "returned_pv": net_pv + cost_pv + own_pv,
            "pays": pays, "payback_months": payback}))
    return pd.concat(frames, ignore_index=True)[COLUMNS]


def _reference_price(run) -> dict[str, pd.DataFrame]:
    """`price` as it was (no reference run): a loop over replications, each table tagged by an
    `assign` per replication (kept only as the reference for the tests below)."""
    from model.economics import price_unit, units_of_run

    sc = run.scenario
    metrics, ledgers, flows, actors = [], [], [], []
    for rep, unit in enumerate(units_of_run(run)):
        m, led, fl = price_unit(sc, unit, None, True)
        metrics.append({"rep": rep, **m})
        ledgers.append(led.assign(rep=rep))
        flows.append(fl.assign(rep=rep))
        actors.append(_reference_actor_figures(sc, unit.effect, unit.lines).assign(rep=rep))
    return {"metrics": pd.DataFrame(metrics), "ledger": pd.concat(ledgers, ignore_index=True),
            "flows": pd.concat(flows, ignore_index=True),
            "actors": pd.concat(actors, ignore_index=True)}


@pytest.fixture(scope="module", params=FILES, ids=lambda f: f.stem)
def one_process(request):
    """Each scenario simulated and priced in full in this process (the reference)."""
    sc = load_scenario(request.param)
    assert sc.reference_path() is None  # the path priced on the workers
    run = simulate(sc, replications=REPS, workers=1)
    return sc, run, price(run)


def test_price_equals_the_per_replication_reference(one_process):
    """Today's `price` (tables tagged once, actor table built once) against the loop it replaced."""
    _, run, got = one_process
    for name, want in _reference_price(run).items():
        pd.testing.assert_frame_equal(getattr(got, name), want, check_exact=True)


def test_pricing_on_two_workers_equals_pricing_in_one_process(one_process):
    """Every table and figure equal, not merely close (same functions, same numbers); 1e-9
    relative would be the issue's bar, exact equality is what the printed output needs."""
    sc, run, ref = one_process
    run2, got = simulate_and_price(sc, replications=REPS, workers=2)
    pd.testing.assert_frame_equal(run2.participants, run.participants, check_exact=True)
    for name in ("metrics", "ledger", "flows", "actors"):
        pd.testing.assert_frame_equal(getattr(got, name), getattr(ref, name), check_exact=True)


@pytest.mark.parametrize("workers", [1, 2])
def test_without_the_ledger_the_figures_are_the_same(one_process, workers):
    """`compare` prices no ledger or flows: the metrics and actor figures do not move."""
    sc, _, ref = one_process
    _, got = simulate_and_price(sc, replications=REPS, workers=workers, ledger=False)
    pd.testing.assert_frame_equal(got.metrics, ref.metrics, check_exact=True)
    pd.testing.assert_frame_equal(got.actors, ref.actors, check_exact=True)
    assert got.ledger.empty and got.flows.empty


def test_actor_figures_equal_the_per_view_reference(one_process):
    """The table built once equals the one built a view at a time (values, dtypes, index)."""
    from model.economics import units_of_run

    sc, run, _ = one_process
    for unit in units_of_run(run)[:3]:
        pd.testing.assert_frame_equal(actor_figures(sc, unit.effect, unit.lines),
                                      _reference_actor_figures(sc, unit.effect, unit.lines),
                                      check_exact=True)
