"""Peak memory and time per person of the whole `insats run` on the reference network (issue 11).

Each figure comes from a fresh process running the CLI (`cli.app`, as `insats run FILE --quiet`)
on benchmarks/reference_network.yaml with its intake window sized for N people (50 arrivals a
month); months beyond the scenario bound are allowed by `long_intake` (benchmarks only). The
child reports its peak resident set (`VmHWM` from /proc/self/status; `getrusage` maxrss is not
used because a child inherits its parent's size at fork), the resident set after imports, and the
CPU and wall time of the run itself (from the CLI call to its return, with pandas, the engine
and pricing imported before the clock), so the time per person compares sizes without the fixed
import cost. Sizes alternate round by round and
medians are quoted. Usage:

python benchmarks/memory_bench.py [--people 10000 200000 1000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml
from tabulate import tabulate

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "benchmarks" / "reference_network.yaml"
RATE = 50.0  # arrivals a month in the reference network

CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r}); sys.path.insert(0, {root!r})
import long_intake  # noqa: F401  (the reference network's 4 000+ months)
def peak_mib():
    for line in open("/proc/self/status").read().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
from cli import app
# what `run` imports on its way, before the clock (the CLI itself loads them lazily)
import pandas, model.api, model.simulation.run, model.economics, model.results, model.io
base = peak_mib()
w0, c0 = time.perf_counter(), time.process_time()
try:
    app(sys.argv[1:])
except SystemExit as e:
    if e.code:
        raise
finally:
    w, c = time.perf_counter() - w0, time.process_time() - c0
    print(json.dumps({{"base": base, "peak": peak_mib(), "wall": w, "cpu": c}}), file=sys.stderr)
"""


def scenario_file(folder: Path, people: int) -> Path:
    raw = yaml.safe_load(REFERENCE.read_text())
    raw["intake"]["stream"]["end_month"] = people / RATE
    path = folder / f"reference_{people}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True))
    return path


def whole_run(path: Path) -> dict[str, float]:
    """One `insats run PATH --quiet` in a fresh process: MiB after imports, peak MiB, run seconds."""
    code = CHILD.format(root=str(ROOT), bench=str(ROOT / "benchmarks"))
    proc = subprocess.run([sys.executable, "-c", code, "run", str(path), "--quiet",
                           "--max-memory", "64G"], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr[-3000:])
    return json.loads(proc.stderr.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, nargs="+", default=[10_000, 200_000, 1_000_000])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    runs: dict[int, list[dict[str, float]]] = {n: [] for n in args.people}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        paths = {n: scenario_file(Path(tmp), n) for n in args.people}
        for i in range(args.repeats):
            order = args.people[i % len(args.people):] + args.people[:i % len(args.people)]
            for n in order:
                runs[n].append(whole_run(paths[n]))
                load.append(os.getloadavg()[0])
    rows = []
    small = min(args.people)
    per_small = statistics.median(r["cpu"] for r in runs[small]) / small
    for n in args.people:
        med = {k: statistics.median(r[k] for r in runs[n]) for k in ("base", "peak", "wall", "cpu")}
        per = med["cpu"] / n
        rows.append([f"{n:,}", f"{med['base']:.0f}", f"{med['peak']:.0f}",
                     " ".join(f"{r['peak']:.0f}" for r in runs[n]), f"{med['wall']:.2f}",
                     f"{med['cpu']:.2f}", f"{1e6 * per:.1f}", f"{per / per_small:.2f}"])
    print(f"\nWhole `insats run` on the reference network, {time.strftime('%Y-%m-%d')}, "
          f"median of {args.repeats} alternating runs, fresh process each; load average "
          f"{min(load):.1f}-{max(load):.1f}")
    print(tabulate(rows, headers=["people", "MiB after imports", "peak MiB", "runs (peak MiB)",
                                  "run wall s", "run CPU s", "CPU µs per person",
                                  f"per person / at {small:,}"]))


if __name__ == "__main__":
    main()
