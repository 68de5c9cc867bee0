"""Engine and pricing speed, against the plain SimPy reference model: prints tables (not a test).

Parts (`--part`, default all):

* `reference`: the reference network of issue 11 (benchmarks/reference_network.yaml, the same
  model as benchmarks/simpy_reference.py) run alternately by plain SimPy, by the engine core
  (`_replicate`, no tables) and by `simulate` (with its pandas tables), in one process; medians
  of the runs, and the ratio plain SimPy time / engine time (above 1: the engine is faster).
* `scaling`: engine-core time per person at 10 000 and at 1 000 000 people (alternating runs).
* `memory`: peak resident memory (VmHWM of a fresh subprocess) of plain SimPy and
  `simulate` at 200 000 and 1 000 000 people, and of the whole `insats run` at 200 000.
* `scenarios`: for each ready scenario, median wall time of `simulate` for R replications,
  participants per second, and the time `price` adds as a ratio to the simulation.

The machine is shared and noisy: figures compared with each other come from the same process
(memory: fresh processes, one after another). Usage:
python benchmarks/engine_bench.py [--part reference] [--repeats 5] [--reps 50]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import long_intake  # noqa: E402,F401  (the reference network's 4 000 months: before `model`)
import simpy_reference  # noqa: E402

from model.load import load_scenario  # noqa: E402
from model.scenario import Scenario, parse_scenario  # noqa: E402
from model.simulation import _replicate, simulate  # noqa: E402

REFERENCE = ROOT / "benchmarks" / "reference_network.yaml"
RATE = 50.0  # arrivals a month in the reference network
FILES = [
    "scenarios/grenverket/anpassad_yrkesutbildning.yaml",
    "scenarios/grenverket/supported_employment.yaml",
    "scenarios/library/framgangen.yaml",
    "scenarios/library/ungdomsteamet.yaml",
]


def reference_raw(people: int) -> dict:
    """The reference scenario as a mapping, with the intake window sized for `people` arrivals."""
    raw = yaml.safe_load(REFERENCE.read_text())
    raw["intake"]["stream"]["end_month"] = people / RATE
    return raw


def reference_scenario(people: int) -> Scenario:
    return parse_scenario(reference_raw(people))


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall, CPU) seconds of one call, starting from a collected heap (so runs do not pay for
    each other). CPU time is the steadier of the two on a shared machine."""
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - w0, time.process_time() - c0


def part_reference(repeats: int, people: int) -> None:
    sc = reference_scenario(people)
    months = people / RATE
    runs: dict[str, Callable[[], object]] = {
        "plain SimPy": lambda: simpy_reference.run(months, seed=1),
        "engine core": lambda: _replicate(sc, 0),
        "simulate": lambda: simulate(sc, replications=1),
    }
    wall: dict[str, list[float]] = {k: [] for k in runs}
    cpu: dict[str, list[float]] = {k: [] for k in runs}
    names = list(runs)
    for i in range(repeats):
        for name in names[i % 3:] + names[:i % 3]:  # rotate the order from round to round
            w, c = timed(runs[name])
            wall[name].append(w)
            cpu[name].append(c)
    rows = []
    for name in runs:
        med_c, med_w = statistics.median(cpu[name]), statistics.median(wall[name])
        paired = statistics.median(r / t for r, t in zip(cpu["plain SimPy"], cpu[name],
                                                           strict=True))
        rows.append([name, f"{med_c:.2f} s", f"{1e6 * med_c / people:.1f} µs",
                     f"{statistics.median(cpu['plain SimPy']) / med_c:.2f}×", f"{paired:.2f}×",
                     f"{statistics.median(wall['plain SimPy']) / med_w:.2f}×",
                     " ".join(f"{t:.2f}" for t in cpu[name])])
    print(f"\nReference network, {people:,} people, median of {repeats} alternating runs, "
          f"one process, load average {os.getloadavg()[0]:.1f}")
    print(tabulate(rows, headers=["what", "CPU", "per person", "plain SimPy / this (CPU)",
                                  "median of paired ratios", "same, wall", "runs (CPU s)"]))


def part_scaling(repeats: int, small: int, large: int, large_repeats: int) -> None:
    sc_small, sc_large = reference_scenario(small), reference_scenario(large)
    t_small: list[float] = []
    t_large: list[float] = []
    for i in range(max(repeats, large_repeats)):
        if i < repeats:
            t_small.append(timed(lambda: _replicate(sc_small, 0))[1] / small)
        if i < large_repeats:
            t_large.append(timed(lambda: _replicate(sc_large, 0))[1] / large)
    a, b = statistics.median(t_small), statistics.median(t_large)
    print(f"\nEngine core, CPU time per person (median of {repeats} runs at {small:,} and "
          f"{large_repeats} at {large:,}, alternating)")
    print(tabulate([[f"{small:,}", f"{1e6 * a:.2f} µs"], [f"{large:,}", f"{1e6 * b:.2f} µs"],
                    ["large / small", f"{b / a:.2f}"]], headers=["people", "per person"]))


PEAK_CODE = """
def peak_mib():
    for line in open("/proc/self/status").read().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

CHILD_CODE = PEAK_CODE + """
import json, sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
what, people = sys.argv[1], int(sys.argv[2])
if what == "plain":
    import simpy_reference
    base = peak_mib()
    simpy_reference.run(people / 50.0, seed=1)
else:
    from engine_bench import reference_scenario
    from model.simulation import simulate
    sc = reference_scenario(people)
    base = peak_mib()
    simulate(sc, replications=1)
print(json.dumps({{"base": base, "peak": peak_mib()}}))
"""

WHOLE_RUN_CODE = PEAK_CODE + """
import sys
sys.path.insert(0, {root!r}); sys.path.insert(0, {bench!r})
import long_intake
from cli import app
try:
    app(sys.argv[1:])
finally:
    print(peak_mib(), file=sys.stderr)
"""


def child_peak(what: str, people: int) -> tuple[float, float]:
    """(MiB after imports, peak MiB) of a fresh process running `what` on `people` people."""
    code = CHILD_CODE.format(root=str(ROOT), bench=str(ROOT / "benchmarks"))
    out = subprocess.run([sys.executable, "-c", code, what, str(people)], check=True,
                         capture_output=True, text=True).stdout
    d = json.loads(out.strip().splitlines()[-1])
    return d["base"], d["peak"]


def whole_run_peak(people: int) -> tuple[float, float]:
    """(wall seconds, peak MiB) of `insats run` on the reference network, as its own process."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "reference.yaml"
        path.write_text(yaml.safe_dump(reference_raw(people), allow_unicode=True))
        code = WHOLE_RUN_CODE.format(root=str(ROOT), bench=str(ROOT / "benchmarks"))
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", code, "run", str(path), "--quiet"],
                              cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr)
        return wall, float(proc.stderr.strip().splitlines()[-1])


def part_memory(sizes: list[int], whole: bool) -> None:
    rows = []
    for people in sizes:
        for what in ("plain", "simulate"):
            base, peak = child_peak(what, people)
            label = "plain SimPy" if what == "plain" else "simulate (1 replication)"
            rows.append([f"{people:,}", label, f"{base:.0f}", f"{peak:.0f}", ""])
        if whole and people <= 200_000:  # pricing's person x month arrays: GiBs beyond
            wall, peak = whole_run_peak(people)
            rows.append([f"{people:,}", "whole `insats run`", "", f"{peak:.0f}", f"{wall:.1f} s"])
    print("\nPeak memory (VmHWM of a fresh process, MiB)")
    print(tabulate(rows, headers=["people", "what", "after imports", "peak", "wall"]))


def part_scenarios(reps: int, repeats: int) -> None:
    from model.economics import price

    rows = []
    for rel in FILES:
        sc = load_scenario(ROOT / rel)
        sim_t, price_t, detail_t = [], [], []
        n = 0
        for _ in range(repeats):
            t0 = time.perf_counter()
            run = simulate(sc, replications=reps)
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
        rows.append([sc.name, n, f"{1000 * sim / reps:.1f} ms", f"{n / sim:,.0f}",
                     f"{statistics.median(price_t) / sim:.2f}",
                     f"{statistics.median(detail_t) / sim:.2f}"])
    print(f"\n{reps} replications, median of {repeats} runs, {os.cpu_count()} cores, one process")
    print(tabulate(rows, headers=["scenario", "participants (all reps)", "simulate per rep",
                                  "participants/s", "price (metrics) / simulate",
                                  "price (with ledger) / simulate"]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--part", choices=["all", "reference", "scaling", "memory", "scenarios"],
                    default="all")
    ap.add_argument("--repeats", type=int, default=5, help="alternating runs per figure")
    ap.add_argument("--people", type=int, default=200_000, help="reference network size")
    ap.add_argument("--large-repeats", type=int, default=3, help="runs at 1 000 000 people")
    ap.add_argument("--no-whole-run", action="store_true", help="memory: skip `insats run`")
    ap.add_argument("--reps", type=int, default=50, help="scenarios: replications")
    args = ap.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores")
    if args.part in ("all", "reference"):
        part_reference(args.repeats, args.people)
    if args.part in ("all", "scaling"):
        part_scaling(args.repeats, 10_000, 1_000_000, args.large_repeats)
    if args.part in ("all", "memory"):
        part_memory([200_000, 1_000_000], whole=not args.no_whole_run)
    if args.part in ("all", "scenarios"):
        part_scenarios(args.reps, args.repeats)


if __name__ == "__main__":
    main()
