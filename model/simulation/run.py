"""Running a scenario: R replications on one or more worker processes, and their tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from model.scenario import Scenario
from model.simulation.engine import _replicate
from model.simulation.tables import _build, _Raw


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
             on_rep: Callable[[int], None] | None = None) -> RunResult:
    """Run R replications (default from the scenario) on `workers` processes; same output either way.

    `on_rep(n)` is called as replications finish (for progress bars).
    """
    from model.executors import worker_pool
    from model.limits import usable_workers

    reps = sc.simulation.replications if replications is None else replications
    seed = sc.simulation.seed if seed is None else seed
    tick = on_rep or (lambda n: None)
    workers = usable_workers(workers, reps)  # no more than the replications and the cores
    if workers <= 1 or reps <= 1:
        raws = []
        for r in range(reps):
            raws.append(_replicate(sc, r, seed, horizon))
            tick(1)
    else:
        size = max(1, min(8, reps // (4 * workers)))
        chunks = [list(range(i, min(i + size, reps))) for i in range(0, reps, size)]
        raws = []
        with worker_pool(workers) as pool:  # workers ignore Ctrl-C, die with this process
            for res in pool.map(_run_chunk, [(sc, c, seed, horizon) for c in chunks]):
                raws += res
                tick(len(res))
    participants, visits, stations = _build(sc, raws)
    return RunResult(scenario=sc, seed=seed, participants=participants, visits=visits,
                     stations=stations)
