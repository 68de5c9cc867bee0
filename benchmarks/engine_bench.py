"""Engine and pricing speed on the ready scenarios: prints a table (not a test).

For each scenario: median wall time of `simulate` for R replications over several runs,
participants simulated per second, and the time `price` adds as a ratio to the simulation in the
same process. Usage: python benchmarks/engine_bench.py [--reps 50] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from tabulate import tabulate

from model.economics import price
from model.scenario import load_scenario
from model.simulation import simulate

ROOT = Path(__file__).resolve().parents[1]
FILES = [
    "scenarios/grenverket/anpassad_yrkesutbildning.yaml",
    "scenarios/grenverket/supported_employment.yaml",
    "scenarios/library/framgangen.yaml",
    "scenarios/library/ungdomsteamet.yaml",
]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    rows = []
    for rel in FILES:
        sc = load_scenario(ROOT / rel)
        sim_t, price_t, detail_t = [], [], []
        n = 0
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            run = simulate(sc, replications=args.reps)
            t1 = time.perf_counter()
            price(run, detail=False)
            t2 = time.perf_counter()
            price(run)
            t3 = time.perf_counter()
            sim_t.append(t1 - t0)
            price_t.append(t2 - t1)
            detail_t.append(t3 - t2)
            n = len(run.participants)
        sim = statistics.median(sim_t)
        rows.append([sc.name, n, f"{1000 * sim / args.reps:.1f} ms", f"{n / sim:,.0f}",
                     f"{statistics.median(price_t) / sim:.2f}",
                     f"{statistics.median(detail_t) / sim:.2f}"])
    print(f"{args.reps} replications, median of {args.repeats} runs, {os.cpu_count()} cores, "
          "one process")
    print(tabulate(rows, headers=["scenario", "participants (all reps)", "simulate per rep",
                                  "participants/s", "price (metrics) / simulate",
                                  "price (with ledger) / simulate"]))


if __name__ == "__main__":
    main()
