"""Start-up of the command line (issue 11, target 5): whole processes, not a test.

Times `insats --help`, `insats validate FILE` and `insats run FILE --method exact` as whole
processes (`python -m cli ...` from the project root, so this tree's code runs), alternating
with a bare `python -c pass` as the reference for the interpreter itself; medians of the wall
times. Then one `python -X importtime` run per command lists the heaviest top-level imports
(cumulative microseconds, as Python reports them) and which heavy libraries were loaded. Usage:

python benchmarks/startup_bench.py [--repeats 7] [--file scenarios/grenverket/anpassad_yrkesutbildning.yaml]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "pyarrow", "scipy", "scipy.stats", "matplotlib", "dask", "SALib", "sklearn")


def commands(file: str) -> dict[str, list[str]]:
    return {
        "python -c pass (reference)": ["-c", "pass"],
        "insats --help": ["-m", "cli", "--help"],
        "insats validate FILE": ["-m", "cli", "validate", file],
        "insats run FILE --method exact": ["-m", "cli", "run", file, "--method", "exact"],
    }


def wall(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - t0


def imports(args: list[str]) -> tuple[list[tuple[str, int]], list[str]]:
    """The heaviest top-level imports (name, cumulative µs) and the heavy libraries loaded."""
    err = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=ROOT, check=True,
                         capture_output=True, text=True).stderr
    top, loaded = [], set()
    for line in err.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cum, name = (x.strip() for x in line[len("import time:"):].split("|"))
        if not cum.isdigit():
            continue
        if name in HEAVY:
            loaded.add(name)
        if not line.split("|")[2].startswith("  "):  # top level: one space after the bar
            top.append((name, int(cum)))
    return sorted(top, key=lambda x: -x[1])[:6], sorted(loaded)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--file", default="scenarios/grenverket/anpassad_yrkesutbildning.yaml")
    args = ap.parse_args()
    cmds = commands(args.file)
    times: dict[str, list[float]] = {k: [] for k in cmds}
    load = [os.getloadavg()[0]]
    names = list(cmds)
    for i in range(args.repeats):
        for name in names[i % len(names):] + names[:i % len(names)]:
            times[name].append(wall(cmds[name]))
        load.append(os.getloadavg()[0])
    rows = []
    for name, argv in cmds.items():
        med = statistics.median(times[name])
        top, loaded = imports(argv) if name != names[0] else ([], [])
        rows.append([name, f"{med:.2f} s", " ".join(f"{t:.2f}" for t in times[name]),
                     ", ".join(loaded) or "-",
                     "; ".join(f"{n} {us / 1e6:.2f}" for n, us in top[:4]) or "-"])
    print(f"\nStart-up as whole processes, {time.strftime('%Y-%m-%d')}, {sys.version.split()[0]}, "
          f"median of {args.repeats} alternating runs, load average {min(load):.1f}-{max(load):.1f}")
    print(tabulate(rows, headers=["command", "wall (median)", "runs (s)", "heavy libraries loaded",
                                  "heaviest top-level imports (s, -X importtime)"]))


if __name__ == "__main__":
    main()
