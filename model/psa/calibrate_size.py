"""How long a calibration will take, before it samples (issue 20 item 5).

A calibration evaluates the likelihood `method.runs × (method.start_pool + method.walkers ×
method.steps)` times (the start pool at least one draw per walker); the schema allows up to
64 × (1 000 000 + 10 000 × 1 000 000). Like the parameter draws (`model.psa.size`), the count is
checked before anything runs: above
`MAX_EVALUATIONS` (raised with `--max-evaluations`) it is refused, naming `method.walkers` and
`method.steps` in the targets file with their lines. Below it the time is measured: a warm-up
batch, then a timed batch of `PILOT` evaluations at prior draws, extrapolated to the count and
divided among the runs that go at once (`--workers`: one process per run); a note says so
when that is above `LONG_RUN_SECONDS`. Counts of at most `CHECK_FROM` are not measured (the
pilot would cost more than a twentieth of the work).
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from model.errors import InputError, Problem

if TYPE_CHECKING:
    from model.psa.calibrate import Method, TargetsFile
    from model.scenario import Scenario

MAX_EVALUATIONS = 10_000_000  # about 100 times the default method's 98 000 (an assumption)
PILOT = 32                    # parameter sets evaluated in the timed batch (one default ensemble)
CHECK_FROM = 40 * PILOT       # fewer evaluations are not measured: warm-up and pilot < 5 % of them


def pool(m: Method) -> int:
    """Prior draws each run's start is picked from: the start pool, at least one per walker."""
    return max(m.start_pool, m.walkers)


def evaluations(m: Method) -> int:
    """Likelihood evaluations of a calibration: each run's start pool, then walkers × steps."""
    return m.runs * (pool(m) + m.walkers * m.steps)


def wall_seconds(per_evaluation: float, m: Method, workers: int = 1) -> float:
    """Wall time of the calibration from the seconds per evaluation: the runs go `workers` at a
    time (at most one process per run, no more than the cores: `calibrate_runs`), so the time is
    that of ceil(runs / processes) runs one after the other."""
    from model.limits import usable_workers

    at_once = usable_workers(workers, m.runs)
    return per_evaluation * math.ceil(m.runs / at_once) * (pool(m) + m.walkers * m.steps)


def measure(spec: TargetsFile, scs: list[Scenario]) -> float:
    """Seconds per likelihood evaluation: a warm-up batch of 2, then PILOT prior draws timed."""
    from model.psa.calibrate import loglik, problem

    prob = problem(spec, scs)
    rng = np.random.default_rng(spec.method.seed)
    loglik(prob, prob.prior.draw(2, rng))  # imports and first-call caches, not counted
    x = prob.prior.draw(PILOT, rng)
    t = time.perf_counter()
    loglik(prob, x)
    return (time.perf_counter() - t) / PILOT


def check_calibration(spec: TargetsFile, scs: list[Scenario], max_evaluations: int | None = None,
                      lang: str = "en", workers: int = 1) -> str:
    """Refuse a method whose evaluations exceed the cap (InputError naming method.walkers and
    method.steps with their lines); otherwise a note when it will take longer than
    LONG_RUN_SECONDS ("" if not), the runs spread over `workers` processes."""
    from model.limits import LONG_RUN_SECONDS, human_seconds, spaced
    from model.scenario import line_of
    from model.scenario.load import load_yaml

    m = spec.method
    n = evaluations(m)
    cap = MAX_EVALUATIONS if max_evaluations is None else max_evaluations
    if n > cap:
        file = spec.file
        node = load_yaml(Path(file))[1] if Path(file).is_file() else None
        why = (f"{m.runs} runs × ({spaced(pool(m))} + {spaced(m.walkers)} walkers × "
               f"{spaced(m.steps)} steps) = {spaced(n)} likelihood evaluations; the limit is "
               f"{spaced(cap)}. Use fewer walkers or steps, or raise the limit with --max-evaluations")
        raise InputError([Problem(file, path, why, value, line_of(node, path) if node else None)
                          for path, value in (("method.walkers", m.walkers), ("method.steps", m.steps))])
    if n <= CHECK_FROM:
        return ""
    seconds = wall_seconds(measure(spec, scs), m, workers)
    if seconds <= LONG_RUN_SECONDS:
        return ""
    if lang == "sv":
        from model.psa.size import _sv_seconds

        return (f"obs: kalibreringen gör omkring {spaced(n)} beräkningar av likelihooden och tar "
                f"omkring {_sv_seconds(seconds)} på den här datorn (mätt på {PILOT}); färre "
                "method.walkers eller method.steps går fortare, Ctrl-C avbryter")
    return (f"note: the calibration makes about {spaced(n)} likelihood evaluations and will take "
            f"about {human_seconds(seconds)} on this machine (measured on {PILOT}); fewer "
            "method.walkers or method.steps make it shorter, Ctrl-C stops it")
