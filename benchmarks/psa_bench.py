"""The Grenverket PSA on the expected-value path (issue 11, targets 3 and 6): prints figures.

Two ways to run the same question, 1 000 draws x 2 programmes, each draw priced as its expected
run (`model.expected`, no people simulated):

* `run_psa`: the parameter-uncertainty answer of `insats run/compare` on the pair, with the
  uncertainty the two scenario files declare (draws set to --draws);
* `sweep`: scenarios/sweeps/grenverket_psa.yaml with `method: expected` (`insats sweep
  --method exact`), written part by part as any sweep, on 1 and 2 local worker processes and on
  a Dask `LocalCluster` of 2 worker processes (started and closed inside the timing).

Every variant is timed as wall time from the call to its return (worker start-up included),
in rounds with the order rotated, and medians of --repeats rounds are quoted with the runs.
Usage: python benchmarks/psa_bench.py [--draws 1000] [--repeats 5] [--skip dask]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.load import load_scenario  # noqa: E402
from model.psa import run_psa  # noqa: E402
from model.sweep import load_sweep, run_sweep  # noqa: E402

PSA = ROOT / "scenarios" / "sweeps" / "grenverket_psa.yaml"
PAIR = [ROOT / "scenarios" / "grenverket" / f for f in
        ("anpassad_yrkesutbildning.yaml", "supported_employment.yaml")]


def psa_run(draws: int, workers: int) -> Callable[[], object]:
    scs = [load_scenario(f) for f in PAIR]

    def go() -> object:
        res = run_psa([(sc.raw, sc) for sc in scs], draws=draws, workers=workers)
        assert set(res.methods.values()) == {"expected"}, res.methods
        return res

    return go


def sweep_run(draws: int, workers: int | None, dask_local: int | None = None
              ) -> Callable[[], object]:
    def go() -> object:
        out = Path(tempfile.mkdtemp(prefix="insats-psa-bench-"))
        try:
            plan = load_sweep(PSA, points=draws, method="expected")
            return run_sweep(PSA, out / "r", workers=workers, dask_local=dask_local, quiet=True,
                             plan=plan)
        finally:
            shutil.rmtree(out, ignore_errors=True)

    return go


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip", default="", help="comma-separated: psa, sweep, dask")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    runs: dict[str, Callable[[], object]] = {}
    if "psa" not in skip:
        runs["run_psa, serial"] = psa_run(args.draws, 1)
        runs["run_psa, 2 workers"] = psa_run(args.draws, 2)
    if "sweep" not in skip:
        runs["sweep --method exact, 1 worker"] = sweep_run(args.draws, 1)
        runs["sweep --method exact, 2 workers"] = sweep_run(args.draws, 2)
    if "dask" not in skip:
        runs["sweep --method exact, Dask LocalCluster 2 workers"] = sweep_run(args.draws, None, 2)
    times: dict[str, list[float]] = {k: [] for k in runs}
    names = list(runs)
    load = [os.getloadavg()[0]]
    for i in range(args.repeats):
        for name in names[i % len(names):] + names[:i % len(names)]:
            t0 = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - t0)
        load.append(os.getloadavg()[0])
    rows = [[name, f"{statistics.median(t):.2f} s",
             f"{args.draws * 2 / statistics.median(t):.0f}", " ".join(f"{x:.2f}" for x in t)]
            for name, t in times.items()]
    print(f"\nGrenverket PSA on the expected-value path: {args.draws} draws x 2 programmes; "
          f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}; median of {args.repeats} rotated rounds; load "
          f"average {min(load):.1f}-{max(load):.1f}")
    print(tabulate(rows, headers=["what", "wall (median)", "programme-draws per s", "runs (s)"]))
    pairs = [("run_psa, serial", "run_psa, 2 workers"),
             ("sweep --method exact, 1 worker", "sweep --method exact, 2 workers")]
    for a, b in pairs:
        if a in times and b in times:
            paired = statistics.median(x / y for x, y in zip(times[a], times[b], strict=True))
            print(f"{b} against {a}: {statistics.median(times[a]) / statistics.median(times[b]):.2f}x"
                  f" (median of paired ratios {paired:.2f}x)")


if __name__ == "__main__":
    main()
