"""Running a scenario: R replications on one or more worker processes, and their tables."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Generator
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import pandas as pd

from model.scenario import Scenario
from model.simulation.engine import _replicate
from model.simulation.tables import _build, _Raw

T = TypeVar("T")
# replications per task on the workers: at most a quarter of each worker's share, so that the
# workers finish together; at most 8, or as many as hold about CHUNK_PEOPLE participants when that
# is more (a small cohort's replications are cheap, and each task costs its sending and tables)
CHUNK_REPS = 8
CHUNK_PEOPLE = 4_000


@dataclass
class RunResult:
    """Tables of one simulated scenario over R replications, with what produced them."""

    scenario: Scenario
    seed: int
    participants: pd.DataFrame
    visits: pd.DataFrame
    stations: pd.DataFrame

    @property
    def replications(self) -> int:
        return int(self.stations["rep"].nunique()) if len(self.stations) else 0


def run_replication(sc: Scenario, rep: int, seed: int | None = None,
                    horizon: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Simulate one replication; returns (participants, visits, stations) tables."""
    return _build(sc, [_replicate(sc, rep, seed, horizon)])


def _run_chunk(args: tuple[Scenario, list[int], int, float | None]) -> list[_Raw]:
    sc, reps, seed, horizon = args
    return [_replicate(sc, r, seed, horizon) for r in reps]


def simulate(sc: Scenario, replications: int | None = None, seed: int | None = None,
             workers: int = 1, horizon: float | None = None,
             on_rep: Callable[[int], None] | None = None, pool: Executor | None = None
             ) -> RunResult:
    """Run R replications (default from the scenario) on `workers` processes; same output either way.

    `on_rep(n)` is called as replications finish (for progress bars); `pool`: see `simulate_then`.
    """
    return simulate_then(sc, None, replications, seed, workers, horizon, on_rep, pool)[0]


def _run_chunk_then(args: tuple[Scenario, list[int], int, float | None, Callable[..., Any]]
                    ) -> tuple[list[_Raw], Any]:
    sc, reps, seed, horizon, then = args
    raws = _run_chunk((sc, reps, seed, horizon))
    return raws, then(sc, [replace(r) for r in raws])  # copies: building tables uses records up


def chunk_size(sc: Scenario, reps: int, workers: int) -> int:
    """Replications per task when `reps` are spread over `workers` (see CHUNK_REPS)."""
    from model.limits import arrivals

    people = arrivals(sc)[0] + sum(g.waiting + g.in_service for g in sc.initial_state)
    most = max(CHUNK_REPS, int(CHUNK_PEOPLE // max(people, 1.0)))
    return max(1, min(most, reps // (4 * workers)))


def simulate_then(sc: Scenario, then: Callable[[Scenario, list[_Raw]], T] | None,
                  replications: int | None = None, seed: int | None = None, workers: int = 1,
                  horizon: float | None = None, on_rep: Callable[[int], None] | None = None,
                  pool: Executor | None = None) -> tuple[RunResult, list[T] | None]:
    """`simulate`, and on worker processes `then(sc, records)` applied to each chunk of
    replications where it was simulated (a later stage, e.g. pricing, spread over the workers
    with the simulation); its results in replication order, or None when the run was not spread
    (one worker): the caller then applies its stage to the whole run itself.

    `pool`: worker processes already started (`model.answer.answer` runs the cohorts of every
    scenario and the PSA on one pool), used instead of a pool of this run's own when the run is
    spread; the chunks and the results are the same either way."""
    from model.executors import Started

    return Started(simulate_then_steps(sc, then, replications, seed, workers, horizon, on_rep,
                                       pool)).result()


def simulate_then_steps(sc: Scenario, then: Callable[[Scenario, list[_Raw]], T] | None,
                        replications: int | None = None, seed: int | None = None,
                        workers: int = 1, horizon: float | None = None,
                        on_rep: Callable[[int], None] | None = None, pool: Executor | None = None
                        ) -> Generator[None, None, tuple[RunResult, list[T] | None]]:
    """`simulate_then` as steps (`model.executors.Started`): on a shared `pool` it yields once
    every chunk is queued, before it waits for the first."""
    from model.executors import worker_pool
    from model.limits import usable_workers

    reps = sc.simulation.replications if replications is None else replications
    seed = sc.simulation.seed if seed is None else seed
    tick = on_rep or (lambda n: None)
    workers = usable_workers(workers, reps)  # no more than the replications and the cores
    after: list[T] | None = None
    if workers <= 1 or reps <= 1:
        raws = []
        for r in range(reps):
            raws.append(_replicate(sc, r, seed, horizon))
            tick(1)
    else:
        size = chunk_size(sc, reps, workers)
        chunks = [list(range(i, min(i + size, reps))) for i in range(0, reps, size)]
        raws = []
        after = [] if then is not None else None
        with contextlib.ExitStack() as stack:
            shared = pool is not None
            if pool is None:  # workers ignore Ctrl-C, die with this process
                pool = stack.enter_context(worker_pool(workers))
            if then is None:
                results = pool.map(_run_chunk, [(sc, c, seed, horizon) for c in chunks])
            else:
                results = pool.map(_run_chunk_then, [(sc, c, seed, horizon, then) for c in chunks])
            if shared:  # every chunk is queued: other work may queue its own before we wait
                yield
            for out in results:
                res = out if after is None else out[0]
                if after is not None:
                    after.append(out[1])
                raws += res
                tick(len(res))
    participants, visits, stations = _build(sc, raws)
    return RunResult(scenario=sc, seed=seed, participants=participants, visits=visits,
                     stations=stations), after
