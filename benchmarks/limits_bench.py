"""Calibrating the size estimate of `model.limits`: measured time and memory against the estimate.

Each case runs in a fresh process (so its peak memory is its own): simulate, then price, as
`insats run` does. The table shows the measured seconds and peak memory next to the estimate,
and the cost per event, per priced participant-month and per participant and visit held that
the measurement implies. Not a test. Usage: python benchmarks/limits_bench.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "base_scenario.yaml"

# (label, scenario file or None for the test base, changes to the raw mapping, replications)
CASES: list[tuple[str, str | None, dict, int]] = [
    ("one cohort of 20 000", None, {"intake": {"cohort": {"n": 20000}}}, 1),
    ("200 people x 100 reps", None, {"intake": {"cohort": {"n": 200}}}, 100),
    ("loop, 10 visits each", None, {"intake": {"cohort": {"n": 2000}},
                                    "loop": True}, 10),
    ("20 000 people, 50-year view", None, {"intake": {"cohort": {"n": 20000}},
                                           "valuation": {"horizon_years": 50,
                                                         "views_years": [1, 50]}}, 1),
    ("supported_employment", "scenarios/grenverket/supported_employment.yaml", {}, 200),
    ("ungdomsteamet", "scenarios/library/ungdomsteamet.yaml", {}, 50),
]

CHILD = r"""
import json, resource, sys, time, yaml
from model.scenario import parse_scenario
from model.limits import estimate
from model.simulation import simulate
from model.economics import price
file, changes, reps = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
raw = yaml.safe_load(open(file, encoding="utf-8"))
if changes.pop("loop", False):
    raw["interventions"][1]["routing"] = {"a": 0.9, "arbete": 0.05, "annat": 0.05}
for k, v in changes.items():
    raw[k] = {**raw.get(k, {}), **v}
sc = parse_scenario(raw, file=file)
sc._source = __import__("pathlib").Path(file)
est = estimate(sc, reps)
t0 = time.perf_counter()
run = simulate(sc, replications=reps)
t1 = time.perf_counter()
price(run)
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"sim": t1 - t0, "price": t2 - t1, "peak": peak,
                  "people": len(run.participants), "visits": len(run.visits),
                  "events": est.events, "cells": reps * est.people * est.grid_months,
                  "est_people": est.people * reps, "est_visits": est.visits * reps,
                  "est_seconds": est.seconds(1), "est_memory": est.memory}))
"""


def measure(file: Path, changes: dict, reps: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(file), json.dumps(changes), str(reps)],
                         cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for label, rel, changes, reps in CASES:
        file = BASE if rel is None else ROOT / rel
        runs = [measure(file, changes, reps) for _ in range(args.repeats)]
        m = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        rows.append([label, reps, f"{m['people']:.0f} / {m['est_people']:.0f}",
                     f"{m['visits']:.0f} / {m['est_visits']:.0f}",
                     f"{m['sim'] + m['price']:.2f} / {m['est_seconds']:.2f}",
                     f"{1e6 * m['sim'] / m['events']:.1f}",
                     f"{1e9 * m['price'] / m['cells']:.0f}",
                     f"{m['peak'] / 2**20:.0f} / {m['est_memory'] / 2**20:.0f}"])
    print(f"median of {args.repeats} runs per case, each in a fresh process; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(tabulate(rows, headers=["case", "reps", "people (measured / estimated)",
                                  "visits (measured / estimated)", "seconds (measured / estimated)",
                                  "µs per event (simulate)", "ns per participant-month (price)",
                                  "peak MB (measured / estimated)"]))


if __name__ == "__main__":
    main()
