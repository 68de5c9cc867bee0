"""A calibration's independent runs, in this process or spread over worker processes.

The runs of `method.runs` share nothing but the problem: each has its own seed (`run_seeds`) and
its own starting ensemble, so they can run at once, one per worker process, with the same chains
as one after the other (each run is a pure function of the problem and its seed). Progress
(likelihood evaluations done) comes back from the workers through a queue, so the bar moves as
it does in one process.
"""

from __future__ import annotations

import queue as queue_mod
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, wait
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from model.psa.calibrate import CalibrationProblem

REPORT_SECONDS = 0.25   # how often a worker sends its count of evaluations (and the main loop looks)


def one_run(prob: CalibrationProblem, seed: int, on_step: Callable[[int], Any] | None = None
            ) -> np.ndarray:
    """One emcee run of the problem from `seed`: (steps, walkers, k) parameter values."""
    from model.psa.calibrate import loglik
    from model.psa.mcmc import run_ensemble

    m = prob.spec.method

    def ll(x: np.ndarray) -> np.ndarray:
        return loglik(prob, x)

    return run_ensemble(prob.prior, ll, m.walkers, m.steps, seed, m.start_pool, on_step)


def _run_task(args: tuple[CalibrationProblem, int, Any]) -> np.ndarray | list[Any]:
    """In a worker: one run, its evaluations counted into the queue every REPORT_SECONDS. A
    problem with the input (`InputError`, which does not survive pickling) comes back as its
    list of problems, raised again in the main process."""
    from model.errors import InputError

    prob, seed, q = args
    done = [0, time.monotonic()]

    def tick(n: int) -> None:
        done[0] += n
        now = time.monotonic()
        if now - done[1] >= REPORT_SECONDS:
            q.put(done[0])
            done[0], done[1] = 0, now

    try:
        x = one_run(prob, seed, tick)
    except InputError as exc:
        return list(exc.problems)
    if done[0]:
        q.put(done[0])
    return x


def run_all(prob: CalibrationProblem, seeds: list[int], workers: int = 1,
            on_step: Callable[[int], Any] | None = None) -> np.ndarray:
    """Every run's chains stacked in the order of `seeds`: (runs, steps, walkers, k); with
    `workers` > 1 the runs go to that many worker processes (at most one per run), with the same
    result as in one process."""
    from model.limits import usable_workers

    n = usable_workers(workers, len(seeds))
    if n <= 1:
        return np.stack([one_run(prob, s, on_step) for s in seeds])
    import multiprocessing

    from model.executors import worker_pool

    with multiprocessing.Manager() as manager, worker_pool(n) as pool:
        q = manager.Queue()
        futures = [pool.submit(_run_task, (prob, s, q)) for s in seeds]
        pending = set(futures)

        def drain() -> None:
            while True:
                try:
                    k = q.get_nowait()
                except queue_mod.Empty:
                    return
                if on_step is not None:
                    on_step(k)

        while pending:
            _, pending = wait(pending, timeout=REPORT_SECONDS, return_when=FIRST_COMPLETED)
            drain()
        drain()
        out = [f.result() for f in futures]
    for x in out:
        if isinstance(x, list):
            from model.errors import InputError

            raise InputError(x)
    return np.stack(out)
