"""How long and how big the parameter draws will be, before they are made (issue 20 item 7).

Replications have a model of their size (`model.limits`); the cost of a draw depends on the
path that prices it (all draws at once on the vectorised expected-value path, which holds arrays
for every draw together, or draw by draw), on the inputs drawn and on the scenario, so it is
measured instead: after a warm-up, a pilot prices `PILOT` and then `2 * PILOT` draws of the same
scenarios by the same path, and the difference gives the time and the peak memory (traced by
`tracemalloc`) each further draw adds. Only runs of more than `CHECK_FROM` draws are measured;
fewer are quick and small on either path, and the pilot would cost more than it tells.
"""

from __future__ import annotations

import time
import tracemalloc
from dataclasses import dataclass

from model.errors import InputError, Problem
from model.scenario import Scenario

CHECK_FROM = 1_000   # draws; below this no pilot is run (vectorised: about 0.4 ms and 130 kB a draw)
PILOT = 50           # draws priced in the first pilot; the second prices twice as many


@dataclass(frozen=True)
class DrawSize:
    """The expected cost of `draws` parameter draws, measured on a pilot."""

    draws: int
    seconds: float          # wall time of all draws, this process and its workers
    memory: float           # peak bytes while the draws are priced (the loaded model included)
    per_draw_bytes: float
    pilot: int              # draws priced to measure it


def measure(scenarios: list[Scenario], draws: int, workers: int = 1) -> DrawSize:
    """Price two pilots of the draws and extrapolate to `draws` (a straight line through both)."""
    from model.limits import BASE_BYTES
    from model.psa import run_psa

    pairs = [(sc.raw, sc) for sc in scenarios]
    run_psa(pairs, draws=PILOT, workers=1)  # warm-up: imports and first-call caches, not counted
    points = []
    for k in (PILOT, 2 * PILOT):
        tracemalloc.start()
        try:
            t = time.perf_counter()
            res = run_psa(pairs, draws=k, workers=1)
            seconds = time.perf_counter() - t
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        points.append((k, seconds, peak))
    (k1, t1, m1), (k2, t2, m2) = points
    per_s = max(t2 - t1, 0.0) / (k2 - k1)
    per_b = max(m2 - m1, 0.0) / (k2 - k1)
    vectorised = all(v.startswith("all ") for v in res.vectorised.values()) and bool(res.vectorised)
    spread = 1 if vectorised else max(1, workers)  # the vectorised path runs in this process
    seconds = t2 + per_s * max(draws - k2, 0) / spread
    return DrawSize(draws, seconds, BASE_BYTES + m2 + per_b * max(draws - k2, 0), per_b, k1 + k2)


def check_draws(scenarios: list[Scenario], draws: int, workers: int = 1,
                max_memory: float | None = None, lang: str = "en") -> str:
    """Refuse draws whose memory estimate is above the limit (InputError naming --draws);
    otherwise a note when they will take longer than LONG_RUN_SECONDS ("" if not)."""
    from model.limits import DEFAULT_MAX_MEMORY, LONG_RUN_SECONDS, human_bytes, human_seconds, spaced

    if draws <= CHECK_FROM:
        return ""
    size = measure(scenarios, draws, workers)
    limit = DEFAULT_MAX_MEMORY if max_memory is None else max_memory
    if size.memory > limit:
        raise InputError([Problem(
            "--draws", "", f"{spaced(draws)} parameter draws would need about "
            f"{human_bytes(size.memory)} of memory (about {human_bytes(size.per_draw_bytes)} a draw, "
            f"measured on {size.pilot} draws); the limit is {human_bytes(limit)}. Use fewer draws "
            f"(--draws) or raise the limit with --max-memory", draws)])
    if size.seconds <= LONG_RUN_SECONDS:
        return ""
    if lang == "sv":
        return (f"obs: de {spaced(draws)} parameterdragningarna tar omkring "
                f"{_sv_seconds(size.seconds)} på den här datorn (mätt på {size.pilot} dragningar); "
                "färre --draws går fortare, Ctrl-C avbryter")
    return (f"note: the {spaced(draws)} parameter draws will take about {human_seconds(size.seconds)} "
            f"on this machine (measured on {size.pilot} draws); fewer --draws make it shorter, "
            "Ctrl-C stops it")


def _sv_seconds(s: float) -> str:
    if s < 120:
        return f"{s:.0f} sekunder"
    if s < 2 * 3600:
        return f"{s / 60:.0f} minuter"
    return f"{s / 3600:.1f} timmar".replace(".", ",")
