"""`insats threshold --method exact` (issue 22, target 4): prints figures.

Two searches for the same answer, in the same process, rounds with the order rotated:

* `one at a time`: Brent's method, one validated `Scenario` and one expected-value pricing per
  evaluation (`model.threshold.threshold(..., vectorised=False)`, today's path and the reference);
* `vectorised`: grids of candidate values priced in one pass each (`model.threshold`).

Per case: the median of --repeats rounds of each (milliseconds inside the process, after imports,
the scenario loaded beforehand as the command loads it once for its size check), the
ratio, the evaluations and batches, and the largest difference between the two answers against
the search's tolerance (xtol + rtol·|x|, xtol = 1e-9·max(|low|, |high|, 1), rtol = 1e-10). Then
the command as a user runs it (`insats threshold ... --method exact --quiet`, a fresh process,
imports included): the median wall time of --repeats runs for the Grenverket pair, and with
--before DIR the same command from an earlier checkout, alternating.
Usage: python benchmarks/threshold_bench.py [--repeats 5] [--skip-cli] [--before DIR]
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
sys.path.insert(0, str(ROOT))

from model.load import load_scenario  # noqa: E402
from model.threshold import threshold  # noqa: E402

G = ROOT / "scenarios" / "grenverket"
L = ROOT / "scenarios" / "library"
SE, AY = G / "supported_employment.yaml", G / "anpassad_yrkesutbildning.yaml"
CASES = [  # (file, path, low, high, kind, target npv)
    (SE, "valuation.value_per_year", 1e5, 1e6, "value per person-year", 0.0),
    (AY, "valuation.value_per_year", 1e4, 1e7, "value per person-year", 0.0),
    (SE, "employment.extent", 0.01, 1.0, "share", 0.0),
    (AY, "interventions.anpassad_yrkesutbildning.routing.arbete", 0.0, 1.0, "share (routing)", 0.0),
    (SE, "interventions.supported_employment.exit_hazards.arbete", 0.0, 0.2, "hazard", 0.0),
    (AY, "interventions.anpassad_yrkesutbildning.duration.months", 1.0, 120.0, "duration", 0.0),
    (AY, "interventions.anpassad_yrkesutbildning.duration.months", 1.0, 600.0, "duration", 0.0),
    (AY, "interventions.anpassad_yrkesutbildning.costs.0.per_start", 0.0, 1e7, "cost", 0.0),
    (L / "spangen.yaml", "valuation.value_per_year", 1e4, 1e6, "value per person-year", 1e6),
    (L / "slussen.yaml", "interventions.slussen.routing.arbete_eller_studier", 0.0, 1.0,
     "share (routing)", 0.0),
    (L / "ungdomstorget.yaml", "counterfactual.monthly_hazard", 0.0, 0.5, "hazard", 0.0),
]


def timed(fn) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def in_process(repeats: int) -> list[list[object]]:
    rows = []
    for file, path, low, high, kind, target in CASES:
        runs: dict[bool, list[float]] = {False: [], True: []}
        found = {}
        sc = load_scenario(file)   # as the command does, before the search (not timed)
        for r in range(repeats):
            for vec in ((False, True) if r % 2 == 0 else (True, False)):
                dt, found[vec] = timed(lambda f=file, p=path, lo=low, hi=high, t=target, v=vec, b=sc:
                                       threshold(f, p, lo, hi, target=t, method="exact", vectorised=v,
                                                 base=b))
                runs[vec].append(dt)
        old, new = statistics.median(runs[False]), statistics.median(runs[True])
        a, b = found[False], found[True]
        tol = 1e-9 * max(abs(low), abs(high), 1.0) + 1e-10 * abs(a.value)
        rows.append([file.stem, path.split(".")[-1], kind, f"{a.value:.10g}", a.evaluations,
                     f"{old * 1e3:.0f}", f"{b.evaluations} in {b.batches}" if b.batches
                     else f"{b.evaluations} ({b.fallback})", f"{new * 1e3:.0f}",
                     f"{old / new:.1f}", f"{abs(a.value - b.value) / tol:.2f}"])
    return rows


def cli(repeats: int, before: Path | None) -> list[list[object]]:
    """Wall time of the command in a fresh process; with `before` (a checkout of an earlier
    commit, e.g. `git archive <commit> | tar -x -C DIR`) also that checkout's command, run with
    this interpreter from that folder, alternating with this one."""
    rows = []
    trees = [("this tree", ROOT)] + ([("before", before)] if before else [])
    for file, path, low, high, _, _ in CASES[:2]:
        argv = ["insats", "threshold", str(file), path, "--low", str(low), "--high", str(high),
                "--method", "exact", "--quiet"]
        code = f"import sys; sys.argv = {argv!r}; from cli import app; app()"
        runs: dict[str, list[float]] = {name: [] for name, _ in trees}
        for _ in range(repeats):
            for name, tree in trees:
                t = time.perf_counter()
                subprocess.run([sys.executable, "-c", code], cwd=tree, check=True, capture_output=True)
                runs[name].append(time.perf_counter() - t)
        for name, _ in trees:
            rows.append([file.stem, path, name, f"{statistics.median(runs[name]):.2f}",
                         " ".join(f"{x:.2f}" for x in runs[name])])
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-cli", action="store_true")
    ap.add_argument("--before", type=Path, help="a checkout of the commit to compare the command with")
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(tabulate(in_process(args.repeats),
                   headers=["scenario", "input", "kind", "threshold", "evals (1 at a time)", "ms",
                            "evals (vectorised)", "ms", "ratio", "|diff| / tol"]))
    if not args.skip_cli:
        print()
        print(tabulate(cli(args.repeats, args.before),
                       headers=["scenario", "input", "command of", "median s", "runs"]))
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
