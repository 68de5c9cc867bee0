"""`make run`'s job, `insats compare scenarios/grenverket/ --workers 2` (issue 22, target 2): prints figures.

1. The 200-cohort block of the Grenverket pair in one process (imports and loading not timed),
   rounds alternating:
   * `before`: `simulate` on the workers, then `price` (every replication priced in full in the
     main process: metrics, ledger, monthly flows, actor figures), as `compare` did;
   * `now`: `simulate_and_price(..., ledger=False)`: each worker prices the replications it
     simulated, and no ledger or flows (`compare` shows neither).
   Medians of wall time and of CPU time (this process and its workers), and the ratio.
2. The command as a user runs it (a fresh process, imports included, `--quiet`): with --before
   DIR (a checkout of an earlier commit, e.g. `git archive <commit> | tar -x -C DIR`) that
   checkout's command too, run with this interpreter from that folder, alternating with this one;
   medians of wall and CPU time, and whether the two print the same bytes. The commands run as
   on a user's machine: Python writes and reuses compiled bytecode (PYTHONDONTWRITEBYTECODE,
   which this sandbox sets, is removed for them; one untimed run per tree writes it), so that
   compiling our own modules from source, about 0.1 s a run, is not counted.
The load average is printed before and after: the machine is shared, and on a loaded machine the
workers get less than two cores, so wall time says less than CPU time.
Usage: python benchmarks/compare_bench.py [--repeats 5] [--workers 2] [--before DIR] [--skip-cli]
       [--skip-block]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.economics import price, simulate_and_price  # noqa: E402
from model.load import load_scenario  # noqa: E402
from model.simulation import simulate  # noqa: E402

G = ROOT / "scenarios" / "grenverket"
PAIR = [G / "anpassad_yrkesutbildning.yaml", G / "supported_employment.yaml"]


def cpu() -> float:
    """CPU seconds of this process and of its finished children (the pool's workers)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def measured(fn) -> tuple[float, float]:
    t, c = time.perf_counter(), cpu()
    fn()
    return time.perf_counter() - t, cpu() - c


def in_process(repeats: int, workers: int) -> list[list[object]]:
    scs = [load_scenario(f) for f in PAIR]

    def before() -> None:
        for sc in scs:
            price(simulate(sc, workers=workers))

    def now() -> None:
        for sc in scs:
            simulate_and_price(sc, workers=workers, ledger=False)

    runs: dict[str, list[tuple[float, float]]] = {"before": [], "now": []}
    for k in range(repeats):
        for name, fn in (("before", before), ("now", now))[:: 1 if k % 2 == 0 else -1]:
            runs[name].append(measured(fn))
    rows = []
    for name in runs:
        wall = [w for w, _ in runs[name]]
        rows.append([name, f"{statistics.median(wall):.2f}",
                     f"{statistics.median(c for _, c in runs[name]):.2f}",
                     " ".join(f"{x:.2f}" for x in wall)])
    ratios = [b[0] / n[0] for b, n in zip(runs["before"], runs["now"], strict=True)]
    rows.append(["ratio (wall, median of paired)", f"{statistics.median(ratios):.2f}×", "", ""])
    return rows


def command(repeats: int, workers: int, before: Path | None) -> list[list[object]]:
    trees = [("this tree", ROOT)] + ([("before", before)] if before else [])
    argv = ["insats", "compare", "scenarios/grenverket/", "--workers", str(workers), "--quiet"]
    code = f"import sys; sys.argv = {argv!r}; from cli import main; main()"  # as the console script
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in trees}
    outputs: dict[str, set[bytes]] = {name: set() for name, _ in trees}
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for _, tree in trees:  # writes the bytecode a user's Python keeps after the first run
        subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, check=True,
                       capture_output=True)
    for _ in range(repeats):
        for name, tree in trees:
            holder = {}

            def once(tree: Path = tree, holder: dict = holder) -> None:
                holder["out"] = subprocess.run([sys.executable, "-c", code], cwd=tree, env=env,
                                               check=True, capture_output=True).stdout

            runs[name].append(measured(once))
            outputs[name].add(holder["out"])
    rows = []
    for name, _ in trees:
        wall = [w for w, _ in runs[name]]
        rows.append([name, f"{statistics.median(wall):.2f}",
                     f"{statistics.median(c for _, c in runs[name]):.2f}",
                     " ".join(f"{x:.2f}" for x in wall)])
    if before:
        # the host's speed drifts within a sitting: each run against the one next to it
        paired = [a / b for (a, _), (b, _) in zip(runs["this tree"], runs["before"], strict=True)]
        rows.append(["ratio (wall, median of paired)", f"{statistics.median(paired):.3f}×", "",
                     ""])
        same = outputs["this tree"] == outputs["before"] and len(outputs["before"]) == 1
        rows.append(["same output, byte for byte", "yes" if same else "NO", "", ""])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--skip-block", action="store_true", help="only the command (part 2)")
    ap.add_argument("--before", type=Path, help="a checkout of the commit to compare the command with")
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not args.skip_block:
        print(f"200-cohort block of the Grenverket pair, --workers {args.workers}, in one process")
        print(tabulate(in_process(args.repeats, args.workers),
                       headers=["path", "median wall s", "median CPU s", "wall runs"]))
    if not args.skip_cli:
        print()
        print(f"insats compare scenarios/grenverket/ --workers {args.workers} --quiet, fresh process")
        print(tabulate(command(args.repeats, args.workers, args.before),
                       headers=["command of", "median wall s", "median CPU s", "wall runs"]))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
