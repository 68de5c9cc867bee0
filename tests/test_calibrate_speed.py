"""The calibration's speed-ups change nothing (issue 22, target 5): runs in worker processes give
the chains of one process, the lean pricing of the targets' metrics equals the full pricing bit
for bit, and the time estimate divides the runs among the workers (fixed seeds throughout)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from model.load import load_scenario
from model.psa.calibrate import calibrate, load_targets

HERE = Path(__file__).resolve().parent / "calibration"
ROOT = Path(__file__).resolve().parents[1]


def _targets(tmp_path: Path, method: dict) -> Path:
    """known.yaml's cost (200 × the cost per start) against a normal prior on the cost per start,
    with its other uncertain inputs (a routing share, the extent) free too."""
    spec = {"name": "speed", "scenarios": [str(HERE / "known.yaml")],
            "free": [{"scenario": "known", "path": "interventions[kurs].costs[0].per_start",
                      "prior": {"dist": "normal", "mean": 20000, "sd": 2000}}],
            "targets": [{"scenario": "known", "metric": "cost", "value": 4.2e6, "sd": 2e5},
                        {"scenario": "known", "metric": "revenue", "value": 3e6, "sd": 5e5}],
            "method": method}
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def test_workers_give_the_chains_of_one_process(tmp_path: Path) -> None:
    """3 runs (seed 7) in one process and in 2 worker processes (two runs at once, then the
    third): the same chains and rows, bit for bit, and the progress counts every evaluation."""
    path = _targets(tmp_path, {"walkers": 8, "steps": 40, "burn": 10, "thin": 10, "runs": 3,
                               "seed": 7, "start_pool": 20})
    spec, scs = load_targets(path)
    ticks: dict[int, list[int]] = {1: [], 2: []}
    one = calibrate(spec, scs, on_step=ticks[1].append, workers=1)
    two = calibrate(spec, scs, on_step=ticks[2].append, workers=2)
    assert one.chains.shape == (3, 40, 8, 3)
    assert np.array_equal(one.chains, two.chains)
    assert np.array_equal(one.rows, two.rows)
    # every likelihood evaluation of every run reported (proposals outside the prior's support
    # are not evaluated, so the count is below 3 × (20 + 8 × 40))
    assert sum(ticks[2]) == sum(ticks[1]) > 3 * 20


def test_the_command_writes_the_same_files_whatever_the_workers(tmp_path: Path) -> None:
    """`insats calibrate --force --out` with --workers 1 and 2: the same files, byte for byte."""
    path = _targets(tmp_path, {"walkers": 8, "steps": 30, "burn": 10, "thin": 5, "runs": 2,
                               "seed": 3, "start_pool": 20})
    out = {}
    for w in (1, 2):
        d = tmp_path / f"out{w}"
        res = CliRunner().invoke(app, ["calibrate", str(path), "--out", str(d), "--force",
                                       "--quiet", "--workers", str(w)])
        assert res.exit_code in (0, 1), res.output
        out[w] = {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.suffix != ".png"}
    assert out[1] and "known.yaml" in out[1]
    assert out[1] == out[2]


def test_lean_pricing_equals_the_full_pricing_of_the_targets_metrics() -> None:
    """The Grenverket calibration's targets at 40 prior draws (seed 5) and an invalid set: priced
    with `only` (the lean path, and a memo kept across two calls) and in full, exactly equal (the
    lean path does the same operations in the same order), NaN at the same places; the lean
    path gives only the metrics asked for."""
    from model.expected.memo import Memo
    from model.psa import calibrate as cal
    from model.psa.vector import price_scenario

    spec, scs = load_targets(ROOT / "scenarios/calibration/grenverket.yaml")
    prob = cal.problem(spec, scs)
    rng = np.random.default_rng(5)
    x = np.column_stack([d.frozen().ppf(rng.uniform(0.01, 0.99, 40)) for d in prob.prior.dists])
    share = next(i for i, n in enumerate(prob.names) if n.endswith("routing.arbete"))
    x[3, share] = 1.5
    checked = 0
    for _, sc in prob.parsed:
        cols = []
        for u in prob.plan.by_scenario.get(sc.name, []):
            v = x[:, prob.names.index(u.name)]
            cols.append((u.parts, np.round(v) if u.integer else v))
        only = frozenset({t.metric for t in spec.targets if t.scenario == sc.name}
                         | {"revenue_pv:5y", "person_years:1y", "participants", "revenue"})
        full, left_full, _ = price_scenario(sc, cols, len(x))
        memo = Memo()
        price_scenario(sc, [(p, v[::-1].copy()) for p, v in cols], len(x), memo, only)
        lean, left_lean, _ = price_scenario(sc, cols, len(x), memo, only)
        assert set(lean) == only
        assert np.array_equal(left_full, left_lean)
        for k in only:
            np.testing.assert_array_equal(lean[k], full[k], err_msg=f"{sc.name} {k}")
            checked += int(np.isfinite(lean[k]).sum())
    assert checked >= 2 * 5 * 39


def test_lean_pricing_falls_back_for_a_metric_it_does_not_know() -> None:
    """A target on the payback month (not among the lean metrics): priced in full."""
    from model.economics.lean import lean_metrics

    sc = load_scenario(ROOT / "scenarios/grenverket/supported_employment.yaml")
    assert lean_metrics(sc, frozenset({"cost", "revenue:1y"}))
    assert not lean_metrics(sc, frozenset({"cost", "payback_months"}))
    assert not lean_metrics(sc, frozenset({"revenue:7y"}))   # not one of the scenario's views


@pytest.mark.parametrize(("runs", "workers", "rounds"), [(2, 1, 2), (2, 2, 1), (3, 2, 2),
                                                         (2, 8, 1)])
def test_the_time_estimate_divides_the_runs_among_the_workers(runs, workers, rounds, monkeypatch
                                                              ) -> None:
    """1 ms an evaluation, 50 + 8 walkers × 100 steps = 850 evaluations a run: the runs go as
    many at a time as there are workers (2 cores here at most), so 2 runs take 2 rounds in one
    process and 1 in two, 3 runs 2 rounds in two."""
    import model.limits as limits
    from model.psa.calibrate import Method
    from model.psa.calibrate_size import wall_seconds

    monkeypatch.setattr(limits.os, "sched_getaffinity", lambda pid: {0, 1})
    m = Method(walkers=8, steps=100, burn=10, runs=runs, start_pool=50)
    assert wall_seconds(1e-3, m, workers) == pytest.approx(rounds * 850e-3, rel=1e-12)


def test_workers_give_the_chains_of_one_process_on_the_simulation_path(tmp_path: Path) -> None:
    """known.yaml with 20 places (the capacity binds: each evaluation simulates, as Framgången's
    calibration does): 2 short runs (seed 3, 5 replications an evaluation) in one process and in
    2 worker processes give the same chains, bit for bit (the simulation is seeded per
    evaluation, not by the process it runs in)."""
    from test_calibrate import simulated_targets

    from model.evaluate import why_not_expected

    path = simulated_targets(tmp_path, {"walkers": 4, "steps": 4, "burn": 1, "thin": 1,
                                        "runs": 2, "seed": 3, "replications": 5, "start_pool": 4})
    assert why_not_expected(load_scenario(tmp_path / "known.yaml")) is not None
    spec_, scs = load_targets(path)
    one, two = calibrate(spec_, scs, workers=1), calibrate(spec_, scs, workers=2)
    assert one.chains.shape == (2, 4, 4, 2)
    assert np.array_equal(one.chains, two.chains)


def test_a_problem_found_in_a_worker_is_a_problem_list(tmp_path: Path, monkeypatch) -> None:
    """A problem with the input found while a worker prices a batch (here a likelihood that
    raises one; the workers are forked, so they see the patch) reaches the main process as the
    same InputError with its problems (an InputError does not survive pickling by itself)."""
    from model.errors import InputError, Problem
    from model.psa import calibrate as cal

    def bad(prob: object, x: np.ndarray) -> np.ndarray:
        raise InputError([Problem("targets.yaml", "targets[0].metric", "found in a worker", "x")])

    path = _targets(tmp_path, {"walkers": 8, "steps": 5, "burn": 1, "thin": 1, "runs": 2,
                               "seed": 3, "start_pool": 8})
    spec, scs = load_targets(path)
    monkeypatch.setattr(cal, "loglik", bad)
    with pytest.raises(InputError) as got:
        calibrate(spec, scs, workers=2)
    assert [p.path for p in got.value.problems] == ["targets[0].metric"]
    assert "found in a worker" in str(got.value)
