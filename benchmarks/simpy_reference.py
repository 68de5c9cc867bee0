"""The measuring stick of issue 11: the reference network as a plain SimPy script.

Poisson arrivals at 50 a month for 4 000 months (about 200 000 people), three stations with
exponential stays of mean 1, 4 and 6 months and 60, 120 and 150 places (`simpy.Resource`,
first come, first served); after the first, 45 % go to the second, 35 % to the third and 20 %
leave; after the second or third everyone leaves. It is written as a SimPy user would write it
(the `random` module, one process per person, `with resource.request()`), and keeps one small
record per person (arrival, months waiting, exit) so that it does the least work any model of
the network must do. benchmarks/reference_network.yaml is the same network for the engine.

Usage: python benchmarks/simpy_reference.py [--months 4000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterator

import simpy

RATE, MEANS, PLACES = 50.0, (1.0, 4.0, 6.0), (60, 120, 150)
ROUTE = ((0.45, 1), (0.80, 2))  # cumulative shares after the first station; the rest leave


def run(months: float = 4000.0, seed: int = 1) -> list[tuple[float, float, float]]:
    """Simulate the network until the last person has left; (arrival, waited, exit) per person."""
    rng = random.Random(seed)
    env = simpy.Environment()
    stations = [simpy.Resource(env, capacity=c) for c in PLACES]
    records: list[tuple[float, float, float]] = []

    def visit(k: int) -> Iterator[simpy.Event]:
        """Queue for station k, then stay an exponential time; returns the months waited."""
        queued = env.now
        with stations[k].request() as req:
            yield req
            waited = env.now - queued
            yield env.timeout(rng.expovariate(1.0 / MEANS[k]))
        return waited

    def person() -> Iterator[simpy.Event]:
        arrival = env.now
        waited = yield from visit(0)
        u = rng.random()
        for cum, k in ROUTE:
            if u < cum:
                waited += yield from visit(k)
                break
        records.append((arrival, waited, env.now))

    def arrivals() -> Iterator[simpy.Event]:
        while True:
            gap = rng.expovariate(RATE)
            if env.now + gap >= months:
                return
            yield env.timeout(gap)
            env.process(person())

    env.process(arrivals())
    env.run()
    return records


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--months", type=float, default=4000.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    t0 = time.perf_counter()
    records = run(args.months, args.seed)
    dt = time.perf_counter() - t0
    waited = sum(r[1] for r in records) / len(records)
    print(f"{len(records):,} people in {dt:.2f} s ({1e6 * dt / len(records):.2f} µs a person); "
          f"mean wait {waited:.3f} months")


if __name__ == "__main__":
    main()
