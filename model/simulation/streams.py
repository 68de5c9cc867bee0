"""Named random streams: one numpy Generator per purpose and replication, all from one seed.

Deriving each stream from (seed, replication, purpose) with numpy's SeedSequence gives common
random numbers: two programmes run on the same seed meet the same participants, and a
replication's draws do not depend on which worker process runs it.

The engine takes its numbers one at a time but numpy draws them in blocks (`blocks`): a single
numpy draw costs about 0.4 µs, a number handed out from a block about 0.06 µs. A block holds the
same values, in the same order, as the same number of single draws of the same method on the
same Generator (tests/test_streams.py), so this changes no result; since every stream serves
one purpose, the numbers drawn ahead and never used shift nothing else.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator

import numpy as np

from model.scenario import Scenario


def stream(seed: int, rep: int, purpose: str) -> np.random.Generator:
    """The random stream for one purpose in one replication, derived from the scenario seed."""
    key = zlib.crc32(purpose.encode("utf-8"))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, rep, key])))


def blocks(fill: Callable[[int], np.ndarray], first: int = 16,
           largest: int = 4096) -> Callable[[], float]:
    """A function returning the next number from blocks filled by `fill(n)`; the blocks grow from
    `first` to `largest`, so a small replication draws little ahead."""

    def numbers() -> Iterator[float]:
        size = first
        while True:
            yield from fill(size).tolist()
            size = min(2 * size, largest)

    return numbers().__next__


class Streams:
    """The draws of one replication, each from its own stream: arrivals, attributes, routing,
    and per intervention its planned durations and its early exits (kept apart so that changing
    one intervention does not shift the draws of another)."""

    def __init__(self, seed: int, rep: int, sc: Scenario):
        self.arrivals = stream(seed, rep, "arrivals")
        attributes = stream(seed, rep, "attributes")
        routing = stream(seed, rep, "routing")
        # uniform numbers on [0, 1) for the population mix and referral, and for routing
        self.u_attributes = blocks(attributes.random)
        self.u_routing = blocks(routing.random)
        # planned stays, and standard exponentials to be scaled by 1 / (total exit hazard)
        self.duration: dict[str, Callable[[], float]] = {}
        self.early_exit: dict[str, Callable[[], float]] = {}
        for iv in sc.interventions:
            rng = stream(seed, rep, f"duration:{iv.name}")
            self.duration[iv.name] = blocks(lambda n, d=iv.duration, r=rng: d.samples(r, n))
            self.early_exit[iv.name] = blocks(stream(seed, rep, f"dropout:{iv.name}")
                                              .standard_exponential)

    def arrival_gaps(self, mean: float) -> Callable[[], float]:
        """Exponential gaps between arrivals with the given mean (the only use of the stream)."""
        return blocks(lambda n: self.arrivals.exponential(mean, n))
