"""The answer `run` and `compare` show (and the page's uncertainty panel reads): the simulated
cohorts at base values and, when the scenarios declare uncertainty, the parameter draws with
their value of information; on several workers, both on one pool of worker processes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from model.errors import InputError, Problem
from model.scenario import Scenario

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from model.api import ScenarioResult
    from model.executors import EarlyPool
    from model.psa import PSAResult


@dataclass
class Answer:
    """What `run` and `compare` show: the parameter-uncertainty answer, when the scenarios declare
    uncertainty (`psa`), and the simulated cohorts at base values (`results`)."""

    results: list[ScenarioResult]
    psa: PSAResult | None = None

    @property
    def scenarios(self) -> list[Scenario]:
        return [r.scenario for r in self.results]


def parameter_uncertainty(scenarios: list[Scenario], draws: int | None = None,
                          seed: int | None = None, workers: int = 1,
                          on_draw: Callable[[int], None] | None = None) -> PSAResult | None:
    """The PSA of these scenarios together (shared names drawn once), or None if none declares
    uncertainty. Each draw is priced as an expected result (see `model.psa.run`)."""
    if not any(sc.has_uncertainty() for sc in scenarios):
        return None
    from model.psa import run_psa

    return run_psa([(sc.raw, sc) for sc in scenarios], draws=draws, seed=seed, workers=workers,
                   on_draw=on_draw, refuse_invalid=True)


def answer(scenarios: list[Scenario], replications: int | None = None, seed: int | None = None,
           workers: int = 1, uncertainty: bool = True, draws: int | None = None,
           on_rep: Callable[[int], None] | None = None,
           on_draw: Callable[[int], None] | None = None, out: Path | None = None,
           ledger: bool = True, voi: bool = False, early: EarlyPool | None = None) -> Answer:
    """Simulate the scenarios at their base values and, unless `uncertainty` is off, draw their
    uncertain inputs: the default answer to "how sure are we". `ledger=False`: see `run_scenario`.
    `voi`: the decision's value of information (`model.psa.voi.decision_voi`) is computed
    with the draws.

    On several workers, when every draw is priced on the expected-value path, the cohorts of
    every scenario and the PSA share one pool of worker processes: the PSA (and with `voi` its
    value of information) is its first task and runs on one worker beside the cohorts'
    replications (started before any thread of the pool, so no worker is forked while a thread
    runs; `model.executors.early_pool`). `early`: that pool, started before the scenarios were
    read (`answer_workers`). The results are the same as one after the other.
    """
    def cohorts(pool: Executor | None = None) -> list[ScenarioResult]:
        from model.api import _run_scenario_steps
        from model.executors import Started

        started: list[Started[ScenarioResult]] = []
        try:
            for sc in scenarios:  # on a shared pool, every scenario's chunks queued at once
                started.append(Started(_run_scenario_steps(
                    sc, replications, seed, workers, out if len(scenarios) == 1 else None,
                    on_rep, ledger, pool)))
            return [s.result() for s in started]
        finally:  # after an error, the others' steps (and what they received) are let go
            for s in started:
                s.close()

    pool_size = _shared_pool_size(scenarios, replications, workers, uncertainty)
    if pool_size < 2:
        if early is not None:
            early.send(None)  # its waiting task has nothing to do; its pool runs the cohorts
        results = cohorts(None if early is None else early.pool)
        if early is not None:  # let its workers go before a PSA that starts its own
            early.pool.shutdown(wait=True)
        psa = _uncertainty(scenarios, draws, workers, on_draw, voi) if uncertainty else None
        return Answer(results, psa)
    with contextlib.ExitStack() as stack:
        if early is None:  # the same pool, started now (nothing to prepare meanwhile)
            from model.executors import early_pool

            early = stack.enter_context(early_pool(pool_size, _psa_task, modules=()))
        task = early.send((scenarios, draws, voi))
        results = cohorts(early.pool)
        psa, problems = task.result()
    if problems:
        raise InputError(problems)
    if psa is not None and on_draw is not None:
        on_draw(psa.n)
    return Answer(results, psa)


@contextlib.contextmanager
def answer_workers(workers: int, uncertainty: bool = True, freeze: bool = False
                   ) -> Iterator[EarlyPool | None]:
    """`answer`'s pool, started before the scenarios are read (pass it as `early`), with the PSA's
    task already waiting in one worker: its imports (`model.psa.preload`, about 0.3 s) overlap
    the reading. None (nothing started) without uncertainty, or with fewer than 2 workers or
    cores (the work is not known yet: the workers are as many as asked for, at most the cores).
    `freeze` (the console command, which ends soon after): what this process has imported is
    frozen out of the garbage collector's walks first (`early_pool`'s `freeze`; 0.1–0.2 s of
    collections in `make run`'s job); a library caller leaves it off."""
    n = 0
    if workers >= 2 and uncertainty:
        from model.limits import usable_workers

        n = usable_workers(workers, workers)
    if n < 2:
        yield None
        return
    from model.executors import WORKER_MODULES, early_pool
    from model.psa import preload

    with early_pool(n, _psa_task, preload, (*WORKER_MODULES, "model.psa.run"),
                    freeze=freeze) as early:
        yield early


def _shared_pool_size(scenarios: list[Scenario], replications: int | None, workers: int,
                      uncertainty: bool) -> int:
    """Worker processes for `answer`'s one pool (cohorts and PSA together), or 0 when the PSA
    runs after the cohorts: one worker, no uncertainty, or a PSA that is not priced on the
    expected-value path (it then spreads its own draws over the workers)."""
    if workers < 2 or not uncertainty or not any(sc.has_uncertainty() for sc in scenarios):
        return 0
    from model.api import total_replications
    from model.evaluate import why_not_expected
    from model.limits import usable_workers

    if any(why_not_expected(sc) is not None for sc in scenarios):
        return 0
    return usable_workers(workers, total_replications(scenarios, replications) + 1)


def _psa_task(sent: tuple[list[Scenario], int | None, bool] | None
              ) -> tuple[PSAResult | None, list[Problem]]:
    """The waiting task of `answer`'s pool: `parameter_uncertainty` of the (scenarios, draws,
    voi) sent (with `voi` its `decision_voi`, kept on the result) in one worker process; None
    sent: no PSA. The result, or the input problems (an InputError does not survive pickling
    whole, so they travel as a value)."""
    if sent is None:
        return None, []
    scenarios, draws, voi = sent
    try:
        return _uncertainty(scenarios, draws, 1, None, voi), []
    except InputError as exc:
        return None, exc.problems


def _uncertainty(scenarios: list[Scenario], draws: int | None, workers: int,
                 on_draw: Callable[[int], None] | None, voi: bool) -> PSAResult | None:
    """`parameter_uncertainty` and, with `voi`, its `decision_voi` (kept on the result): what
    `answer` computes over the draws, in this process or in a worker of its pool."""
    psa = parameter_uncertainty(scenarios, draws, None, workers, on_draw)
    if psa is not None and voi:
        from model.psa.voi import decision_voi

        decision_voi(psa, scenarios)
    if psa is not None:
        from model.psa.summary import prepare_summaries

        prepare_summaries(psa, scenarios)
    return psa
