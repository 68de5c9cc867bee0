"""Named random streams: one numpy Generator per purpose and replication, all from one seed.

Deriving each stream from (seed, replication, purpose) with numpy's SeedSequence gives common
random numbers: two programmes run on the same seed meet the same participants, and a
replication's draws do not depend on which worker process runs it.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream(seed: int, rep: int, purpose: str) -> np.random.Generator:
    """The random stream for one purpose in one replication, derived from the scenario seed."""
    key = zlib.crc32(purpose.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, rep, key])))


class Streams:
    """The streams of one replication: arrivals, attributes, routing, and per intervention its
    durations and its early exits (kept apart so that changing one intervention does not shift
    the draws of another)."""

    def __init__(self, seed: int, rep: int, interventions: list[str]):
        self.arrivals = stream(seed, rep, "arrivals")
        self.attributes = stream(seed, rep, "attributes")
        self.routing = stream(seed, rep, "routing")
        self.duration = {n: stream(seed, rep, f"duration:{n}") for n in interventions}
        self.dropout = {n: stream(seed, rep, f"dropout:{n}") for n in interventions}
