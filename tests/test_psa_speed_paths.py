"""The faster paths of issue 22 (targets 1 and 2) give the answers of the slower ones.

* `ParamDist.ppf_vector` (all draws' quantiles at once, scipy.special) equals scipy.stats'
  frozen `ppf` element for element: the same formula, so the tolerance is 0 (bit for bit).
* `model.psa.vector.price_scenario` prices each distinct parameter set once, in blocks of
  `BLOCK`: equal to one pass over every draw to 1e-12 relative (measured: at most a few 1e-16;
  a sum over a batch of another size may round differently, and a block's lattice may be
  shorter: rounding only; the per-draw reference is held to 1e-9 in tests/test_vector.py).
* `model.answer.answer` on several workers runs the cohorts and the PSA on one pool: the same
  figures as one worker; a pool handed to `simulate` is used, not a second one started.
* `compare` of the Grenverket pair no longer imports scipy.stats (a second of start-up).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from model.load import load_scenario
from model.psa import run_psa
from model.uncertainty import Beta, Gamma, LogNormal, Normal, Triangular, Uniform

ROOT = Path(__file__).resolve().parent.parent
PAIR = [ROOT / "scenarios/grenverket" / f for f in ("anpassad_yrkesutbildning.yaml",
                                                     "supported_employment.yaml")]

DISTS = [Beta(mean=0.62, sd=0.038), Beta(alpha=0.5, beta=3.0), Beta(mean=0.05, sd=0.04),
         Gamma(mean=0.03423, sd=0.0077), Gamma(mean=2.0, cv=3.0), LogNormal(mean=100.0, cv=0.5),
         Uniform(low=0.3, high=0.8), Triangular(low=4, mode=6, high=9),
         Triangular(low=0, mode=0, high=1), Normal(mean=1.0, sd=2.0)]


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: f"{d.name()}")
def test_ppf_vector_equals_scipy_frozen_ppf(dist) -> None:
    q = np.clip(np.random.default_rng(3).random(5000), 1e-12, 1 - 1e-12)
    q = np.concatenate([q, [1e-12, 1 - 1e-12, 0.001, 0.5, 0.999]])
    with np.errstate(all="ignore"):
        want = np.asarray(dist.frozen().ppf(q), dtype=float)
        got = np.asarray(dist.ppf_vector(q), dtype=float)
    assert got.shape == want.shape
    assert np.array_equal(got, want)   # tolerance 0: the same formula as scipy.stats uses


def _pairs() -> list:
    scs = [load_scenario(f) for f in PAIR]
    return [(sc.raw, sc) for sc in scs]


def test_distinct_sets_priced_once_equal_every_draw(monkeypatch) -> None:
    """The Grenverket pair draws rows of its calibrated set: 600 draws repeat rows. Pricing every
    draw in one pass (no two alike: `np.unique` made a no-op) gives the same figures to 1e-12."""
    import model.psa.vector as vector

    pairs = _pairs()
    fast = run_psa(pairs, draws=600, seed=11)
    assert fast.draws["joint:grenverket_pwc"].nunique() < 600   # rows do repeat
    real_unique = np.unique

    def no_dedup(a, axis=None, return_inverse=False, **kw):
        if axis == 0 and return_inverse:
            return a, np.arange(len(a))
        return real_unique(a, axis=axis, return_inverse=return_inverse, **kw)

    monkeypatch.setattr(vector.np, "unique", no_dedup)
    every = run_psa(pairs, draws=600, seed=11)
    _close(every.metrics, fast.metrics)


def _close(one: pd.DataFrame, other: pd.DataFrame, rtol: float = 1e-12) -> None:
    """Every figure of every draw to `rtol` relative (a value below 1e-6 of its column's largest
    judged on that scale, as tests/test_vector.py does), NaN in the same places."""
    assert list(one.columns) == list(other.columns)
    assert one[["draw", "scenario", "method"]].equals(other[["draw", "scenario", "method"]])
    for c in one.columns[3:]:
        x, y = one[c].to_numpy(float), other[c].to_numpy(float)
        assert np.array_equal(np.isnan(x), np.isnan(y)), c
        ok = ~np.isnan(x)
        scale = np.maximum(np.abs(x[ok]), 1e-6 * np.abs(x[ok]).max(initial=0.0))
        rel = np.abs(x[ok] - y[ok]) / np.where(scale > 0, scale, 1.0)
        assert rel.max(initial=0.0) <= rtol, (c, rel.max())


def test_blocks_equal_one_pass(monkeypatch) -> None:
    """More distinct sets than BLOCK are priced block by block: the figures equal one pass to
    1e-12 relative (measured: about 1e-15; a block's lattice may be shorter: rounding only)."""
    import model.psa.vector as vector

    pairs = _pairs()
    monkeypatch.setattr(vector, "BLOCK", 10**6)
    one = run_psa(pairs, draws=400, seed=5).metrics
    monkeypatch.setattr(vector, "BLOCK", 64)
    blocks = run_psa(pairs, draws=400, seed=5).metrics
    _close(one, blocks)


def test_simulate_uses_the_pool_it_is_given(monkeypatch) -> None:
    """A run handed a pool starts none of its own (answer's one pool for cohorts and PSA)."""
    import model.executors as executors
    from model.economics import simulate_and_price

    sc = load_scenario(PAIR[0])
    own_run, own_priced = simulate_and_price(sc, replications=4, workers=2, ledger=False)
    with executors.worker_pool(2) as pool:
        def refuse(*a, **k):
            raise AssertionError("a second pool was started")

        monkeypatch.setattr(executors, "worker_pool", refuse)
        run, priced = simulate_and_price(sc, replications=4, workers=2, ledger=False, pool=pool)
    pd.testing.assert_frame_equal(run.participants, own_run.participants, check_exact=True)
    pd.testing.assert_frame_equal(priced.metrics, own_priced.metrics, check_exact=True)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one pool needs two cores here")
def test_shared_pool_answer_equals_one_worker() -> None:
    """`answer` on two workers (cohorts and PSA on one pool) equals `answer` on one."""
    from model.answer import _shared_pool_size, answer

    scs = [load_scenario(f) for f in PAIR]
    assert _shared_pool_size(scs, 6, 2, True) == 2
    one = answer(scs, replications=6, workers=1, draws=120, ledger=False)
    two = answer(scs, replications=6, workers=2, draws=120, ledger=False)
    pd.testing.assert_frame_equal(one.psa.metrics, two.psa.metrics, check_exact=True)
    pd.testing.assert_frame_equal(one.psa.draws, two.psa.draws, check_exact=True)
    assert one.psa.vectorised == two.psa.vectorised
    for a, b in zip(one.results, two.results, strict=True):
        pd.testing.assert_frame_equal(a.priced.metrics, b.priced.metrics, check_exact=True)
        pd.testing.assert_frame_equal(a.economics, b.economics, check_exact=True)


def test_compare_does_not_import_scipy_stats() -> None:
    code = ("import sys; from pathlib import Path; from model.api import load_for_compare;"
            "from model.answer import answer;"
            "scs = load_for_compare([Path('scenarios/grenverket')]);"
            "answer(scs, replications=2, draws=50, ledger=False);"
            "print('scipy.stats' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


def test_draws_priced_on_both_paths_are_called_mixed_and_keep_their_noise(monkeypatch) -> None:
    """A capacity drawn around the cohort's size (90-100 places for 100 people) puts some draws
    on the expected-value path and the others, where places bind, on simulated cohorts. The
    scenario's method is then "mixed", not that of its first draw: the method line counts both
    kinds and the simulated cohorts per draw, and the value of information does not treat the
    draws as noiseless (a group of every input would otherwise be given the EVPI without a
    regression). The Grenverket pair, every draw on the expected-value path, is noiseless."""
    import yaml

    from model.answer import parameter_uncertainty
    from model.psa import voi
    from model.report.psa_view import method_line
    from model.scenario import parse_scenario

    raw = yaml.safe_load((ROOT / "tests/base_scenario.yaml").read_text(encoding="utf-8"))
    raw["name"] = "mix"
    raw["interventions"][0]["capacity"] = {"places": {
        "value": 95, "source": "test assumption",
        "uncertainty": {"dist": "uniform", "low": 90, "high": 100, "source": "test"}}}
    raw["interventions"][0]["costs"] = [{"funder": "esf", "per_start": 20000}]
    raw["counterfactual"] = {"monthly_hazard": 0.01}
    raw["valuation"] = {"value_per_year": 300000}
    sc = parse_scenario(raw)
    psa = parameter_uncertainty([sc], draws=60, seed=26)
    used = psa.metrics["method"].value_counts()
    k, rest = int(used.get("expected", 0)), int(used.get("simulated", 0))
    assert k > 0 and rest > 0 and k + rest == 60
    assert psa.methods == {"mix": "mixed"} and psa.replications == sc.uncertainty.replications_per_draw
    line = method_line(psa, [sc], "en")
    assert f"expected-value path in {k} draws" in line
    assert f"mean of {psa.replications} simulated cohorts in the {rest} where" in line

    seen = []
    real = voi.value_of_information
    monkeypatch.setattr(voi, "value_of_information",
                        lambda *a, **kw: seen.append(a[-1]) or real(*a, **kw))
    voi.psa_voi(psa, "npv:5y", 100.0, seed=psa.seed)
    pair = parameter_uncertainty([load_scenario(p) for p in PAIR], draws=50)
    voi.psa_voi(pair, "npv:5y", 100.0, seed=pair.seed)
    assert seen == [False, True]


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one pool needs two cores here")
def test_answer_queues_every_scenarios_chunks_before_it_waits(monkeypatch) -> None:
    """On the shared pool, the second scenario's chunks are queued before the first's results
    are read, so no worker waits while the main process builds the first scenario's tables
    (`model.executors.Started`); the figures are those of one worker."""
    import model.executors as executors
    from model.answer import answer

    events: list[str] = []
    real = executors.worker_pool

    class Logged:
        def __init__(self, pool):
            self.pool = pool

        def submit(self, *a, **k):
            return self.pool.submit(*a, **k)

        def map(self, fn, tasks):
            tasks = list(tasks)
            events.append(f"queue {tasks[0][0].name}")
            results = self.pool.map(fn, tasks)

            def read():
                for r in results:
                    events.append(f"read {tasks[0][0].name}")
                    yield r
            return read()

    @contextlib.contextmanager
    def logged_pool(workers, mp_context=None, inbox=None):
        with real(workers, mp_context, inbox) as pool:
            yield Logged(pool)

    monkeypatch.setattr(executors, "worker_pool", logged_pool)
    scs = [load_scenario(f) for f in PAIR]
    two = answer(scs, replications=6, workers=2, draws=60, ledger=False)
    names = [sc.name for sc in scs]
    assert events[:2] == [f"queue {names[0]}", f"queue {names[1]}"]
    assert events[2] == f"read {names[0]}"
    assert events.count(f"read {names[1]}") > 0
    monkeypatch.undo()
    one = answer(scs, replications=6, workers=1, draws=60, ledger=False)
    for a, b in zip(one.results, two.results, strict=True):
        pd.testing.assert_frame_equal(a.priced.metrics, b.priced.metrics, check_exact=True)


def test_started_runs_steps_to_their_first_yield_and_finishes_on_result() -> None:
    from model.executors import Started

    log: list[str] = []

    def steps(name: str, yields: bool):
        log.append(f"{name} queued")
        if yields:
            yield
        log.append(f"{name} done")
        return name

    a, b = Started(steps("a", True)), Started(steps("b", False))
    assert log == ["a queued", "b queued", "b done"]
    assert (a.result(), b.result(), a.result()) == ("a", "b", "a")
    assert log == ["a queued", "b queued", "b done", "a done"]

    def failing():
        yield
        raise ValueError("broken")

    c = Started(failing())
    for _ in range(2):  # asked again, the same error (not None)
        with pytest.raises(ValueError, match="broken"):
            c.result()


def test_a_small_cohorts_replications_go_in_fewer_larger_tasks() -> None:
    """Grenverket's cohorts (162 and 208 people) go to the workers about 4 000 participants a
    task (24 and 19 replications), not 8 replications; a large run keeps at most 8 replications
    a task (a worker holds a task's records and tables), and each worker still gets at least
    four tasks."""
    from model.simulation.run import CHUNK_REPS, chunk_size

    ay, se = (load_scenario(f) for f in PAIR)
    assert (chunk_size(ay, 200, 2), chunk_size(se, 200, 2)) == (24, 19)
    assert chunk_size(ay, 40, 2) == 5                       # a quarter of each worker's share
    raw = dict(ay.raw)
    raw["intake"] = {"cohort": {"n": 20_000}}
    from model.scenario.parse import parse_scenario

    big = parse_scenario({k: v for k, v in raw.items() if k != "uncertainty"})
    assert chunk_size(big, 200, 2) == CHUNK_REPS
    raw["intake"] = {"spread": {"n": 20_000, "months": 12}}   # counted too (it once was not)
    spread = parse_scenario({k: v for k, v in raw.items() if k != "uncertainty"})
    assert chunk_size(spread, 1000, 2) == CHUNK_REPS


def test_the_size_estimate_counts_a_spread_intake() -> None:
    """`model.limits.estimate` (memory, --max-memory, task sizes) counts the participants of an
    evenly spread intake: Ungdomstorget's 65, and with a horizon within the spread as many as
    the engine brings."""
    from model.limits import estimate
    from model.scenario.parse import parse_scenario

    sc = load_scenario(ROOT / "scenarios/library/ungdomstorget.yaml")
    assert estimate(sc).people == 65
    raw = dict(sc.raw)
    raw["simulation"] = {**raw.get("simulation", {}), "horizon_months": 6}
    short = parse_scenario(raw)
    from model.simulation import simulate

    brought = len(simulate(short, replications=1).participants)  # what the engine brings
    assert 0 < estimate(short).people == brought < 65


def _mark_then_wait() -> None:
    """`prepare` of an early pool in the tests below: leaves a file naming this worker."""
    Path(os.environ["INSATS_TEST_MARK"]).write_text(str(os.getpid()), encoding="utf-8")


def _plus_one(value: int | None) -> tuple[int | None, int]:
    return (None if value is None else value + 1), os.getpid()


def _wait_for(path: Path, seconds: float = 60.0) -> bool:
    import time

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if path.exists() and path.read_text(encoding="utf-8"):
            return True
        time.sleep(0.01)
    return False


def test_an_early_pools_waiting_task_prepares_before_its_input_comes(tmp_path, monkeypatch) -> None:
    """The waiting task runs `prepare` at once: its mark exists before anything is sent (the test
    waits for it before sending, so it would time out, not pass, if `prepare` waited for the
    input); then the same worker computes from what was sent."""
    from model.executors import early_pool

    mark = tmp_path / "prepared"
    monkeypatch.setenv("INSATS_TEST_MARK", str(mark))
    with early_pool(2, _plus_one, _mark_then_wait, modules=()) as early:
        assert _wait_for(mark), "prepare did not run before the input was sent"
        task = early.send(41)
        assert task.result(timeout=60) == (42, int(mark.read_text(encoding="utf-8")))
        with pytest.raises(RuntimeError, match="has had its input"):
            early.send(1)


def test_an_early_pool_left_without_input_ends_its_waiting_task(tmp_path, monkeypatch) -> None:
    """Leaving the context without sending gives the task None, so that waiting for the workers
    ends (it would hang for ever otherwise)."""
    from model.executors import early_pool

    monkeypatch.setenv("INSATS_TEST_MARK", str(tmp_path / "prepared"))
    with early_pool(2, _plus_one, _mark_then_wait, modules=()) as early:
        pass
    assert early.task.result(timeout=60)[0] is None


def test_an_error_beside_an_early_pool_stops_its_workers(tmp_path, monkeypatch) -> None:
    """An error while the task waits (a scenario that cannot be read) stops the pool, the waiting
    worker with it, and passes the error on."""
    from model.executors import early_pool

    monkeypatch.setenv("INSATS_TEST_MARK", str(tmp_path / "prepared"))
    with pytest.raises(ValueError, match="unreadable"), \
            early_pool(2, _plus_one, _mark_then_wait, modules=()) as early:
        procs = list(early.pool._processes.values())
        assert procs
        raise ValueError("unreadable")
    for p in procs:
        p.join(timeout=30)
        assert not p.is_alive()


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one pool needs two cores here")
@pytest.mark.parametrize("uncertainty", [True, False])
def test_answer_on_workers_started_before_reading_equals_one_worker(uncertainty: bool) -> None:
    """`answer_workers` (the pool started before the scenarios are read, the PSA's task waiting in
    it) gives `answer` the same figures, value of information included, as one worker; without
    uncertainty the waiting task is told there is nothing to do and the pool runs the cohorts."""
    from model.answer import answer, answer_workers

    one = answer([load_scenario(f) for f in PAIR], replications=6, workers=1, draws=120,
                 ledger=False, voi=True, uncertainty=uncertainty)
    with answer_workers(2) as early:
        assert early is not None
        scs = [load_scenario(f) for f in PAIR]
        two = answer(scs, replications=6, workers=2, draws=120, ledger=False, voi=True,
                     uncertainty=uncertainty, early=early)
    assert early.task.result(timeout=0) == (None, []) or uncertainty
    assert (one.psa is None) == (two.psa is None) == (not uncertainty)
    if uncertainty:
        pd.testing.assert_frame_equal(one.psa.metrics, two.psa.metrics, check_exact=True)
        pd.testing.assert_frame_equal(one.psa.draws, two.psa.draws, check_exact=True)
        kept = [{k for k in x.psa.memo if k[0] != "of"} for x in (one, two)]  # `of` stays put
        assert kept[0] == kept[1]
        voi = [k for k in one.psa.memo if k[0] == "voi"]
        assert voi
        for k in voi:
            x, y = one.psa.memo[k], two.psa.memo[k]
            assert (x.metric, x.options, x.evpi, x.participants) == \
                (y.metric, y.options, y.evpi, y.participants)
            pd.testing.assert_frame_equal(x.table, y.table, check_exact=True)
    for a, b in zip(one.results, two.results, strict=True):
        pd.testing.assert_frame_equal(a.priced.metrics, b.priced.metrics, check_exact=True)
        pd.testing.assert_frame_equal(a.economics, b.economics, check_exact=True)


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="the early pool needs two cores")
def test_only_the_console_pool_freezes_this_process() -> None:
    """`answer_workers(..., freeze=True)` (what the console command asks for) freezes this
    process's objects before the workers fork; as a library caller starts them (the default),
    `answer_workers` and `early_pool` freeze nothing."""
    import gc

    from model.answer import answer_workers
    from model.executors import early_pool

    gc.unfreeze()
    try:
        with early_pool(2, _size) as early:
            assert gc.get_freeze_count() == 0
            early.send(b"x")
        assert early.task.result(timeout=60) == 1
        with answer_workers(2) as library:
            assert library is not None
            assert gc.get_freeze_count() == 0
        with answer_workers(2, freeze=True) as console:
            assert console is not None
            assert gc.get_freeze_count() > 1000  # the imported modules' objects, at least
    finally:
        gc.unfreeze()


def test_answer_workers_start_nothing_for_one_worker_or_no_uncertainty() -> None:
    from model.answer import answer_workers

    for workers, uncertainty in ((1, True), (2, False)):
        with answer_workers(workers, uncertainty) as early:
            assert early is None


def _prepare_until_go() -> None:
    """`prepare` that waits (at most 60 s) for the test's go-ahead, noting whether it came."""
    import time

    go = Path(os.environ["INSATS_TEST_MARK"]).with_name("go")
    end = time.monotonic() + 60
    while not go.exists() and time.monotonic() < end:
        time.sleep(0.01)
    Path(os.environ["INSATS_TEST_MARK"]).write_text(str(go.exists()), encoding="utf-8")


def _size(value: bytes) -> int:
    return len(value)


def test_sending_more_than_a_pipe_holds_does_not_wait_for_the_worker(tmp_path, monkeypatch) -> None:
    """`EarlyPool.send` returns while the worker still prepares, even for 4 MB (a pipe holds
    64 kB): the go-ahead is given only after `send` returned, so a `send` that waited for the
    worker to read would leave `prepare` to time out, and the test would fail."""
    from model.executors import early_pool

    mark = tmp_path / "prepared"
    monkeypatch.setenv("INSATS_TEST_MARK", str(mark))
    with early_pool(2, _size, _prepare_until_go, modules=()) as early:
        task = early.send(b"x" * (4 << 20))
        (tmp_path / "go").touch()
        assert task.result(timeout=120) == 4 << 20
    assert mark.read_text(encoding="utf-8") == "True"


def test_a_difference_of_rows_already_paired_equals_the_merged_one(monkeypatch) -> None:
    """`difference` skips the merge on the draw when both scenarios hold the same draws in order
    (every PSA's `of`): each figure equals the merged path's exactly, for every metric of the
    Grenverket pair (120 draws); draws missing on one side still go through the merge. And
    `draw_difference` keeps each on the PSA: a second call computes nothing."""
    from model.psa import summary

    scs = [load_scenario(f) for f in PAIR]
    psa = run_psa([(sc.raw, sc) for sc in scs], draws=120)
    a, b = psa.of(scs[0].name), psa.of(scs[1].name)
    metrics = [c for c in a.columns if c not in ("draw", "scenario", "method")
               and pd.api.types.is_float_dtype(a[c])]
    assert len(metrics) > 20 and summary._same_draws(a, b)
    fast = {m: summary.difference(a, b, m, psa.n_eff) for m in metrics}
    with monkeypatch.context() as mp:
        mp.setattr(summary, "_same_draws", lambda a, b: False)
        slow = {m: summary.difference(a, b, m, psa.n_eff) for m in metrics}
    assert repr(fast) == repr(slow)  # NaN equal to NaN, every float bit for bit (repr round-trips)
    gap = b[b["draw"] != 7]
    assert not summary._same_draws(a, gap)
    assert summary.difference(a, gap, "npv:5y")["n"] == 119
    first = summary.draw_difference(psa, scs[0].name, scs[1].name, "npv:5y")
    monkeypatch.setattr(summary, "difference", lambda *a, **k: pytest.fail("computed again"))
    assert summary.draw_difference(psa, scs[0].name, scs[1].name, "npv:5y") == first


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one pool needs two cores here")
def test_early_workers_go_before_a_psa_that_starts_its_own(monkeypatch) -> None:
    """A scenario whose draws are simulated (a run horizon: no expected-value path) gets no shared
    pool: the early pool runs its cohorts, then lets its workers go before the PSA starts workers
    of its own (never both at once); the figures equal one worker's."""
    import model.answer
    from model.answer import answer, answer_workers

    f = ROOT / "scenarios/records/framgangen_fitted.yaml"
    one = answer([load_scenario(f)], replications=4, workers=1, draws=6, ledger=False)
    real = model.answer._uncertainty
    seen = []

    def checked(*args, **kwargs):
        seen.append([p.is_alive() for p in procs])
        return real(*args, **kwargs)

    monkeypatch.setattr(model.answer, "_uncertainty", checked)
    with answer_workers(2) as early:
        procs = list(early.pool._processes.values())
        two = answer([load_scenario(f)], replications=4, workers=2, draws=6, ledger=False,
                     early=early)
    assert seen == [[False, False]]
    pd.testing.assert_frame_equal(one.psa.metrics, two.psa.metrics, check_exact=True)
    pd.testing.assert_frame_equal(one.results[0].priced.metrics, two.results[0].priced.metrics,
                                  check_exact=True)


def _die() -> None:
    os._exit(3)


def test_a_waiting_worker_that_dies_fails_its_task_and_stops_the_pool(tmp_path, monkeypatch) -> None:
    """The worker holding the waiting task dies while it prepares: sending 4 MB (more than the
    pipe holds, so the writing thread stays blocked) still returns, the task's future fails
    instead of waiting for ever, and the error leaves the context with the pool stopped."""
    from concurrent.futures.process import BrokenProcessPool

    from model.executors import early_pool

    with pytest.raises(BrokenProcessPool), early_pool(2, _size, _die, modules=()) as early:
        task = early.send(b"x" * (4 << 20))
        task.result(timeout=60)


def _fail() -> None:
    raise ValueError("cannot prepare")


def test_a_prepare_that_fails_still_takes_its_input() -> None:
    """`prepare` raising: the worker reads the input all the same (so its sender is not left
    writing 4 MB into a pipe nobody reads), and the task's future carries the error."""
    from model.executors import early_pool

    with early_pool(2, _size, _fail, modules=()) as early:
        task = early.send(b"x" * (4 << 20))
        with pytest.raises(ValueError, match="cannot prepare"):
            task.result(timeout=60)


def test_a_value_that_cannot_be_sent_fails_at_once() -> None:
    """A value that cannot be pickled raises in `send` (not in a thread, leaving the task waiting
    for ever); nothing counts as sent, so leaving the context sends None and ends the task."""
    from model.executors import early_pool

    with early_pool(2, _plus_one, None, modules=()) as early:
        with pytest.raises(Exception, match="pickle"):
            early.send(lambda: 1)
        assert not early.sent
    assert early.task.result(timeout=60)[0] is None
