"""The documented Grenverket calibration end to end (issue 22, target 5): prints figures.

    .venv/bin/python benchmarks/calibrate_command_bench.py [--repeats 3] [--workers 2] [--old-steps 800]

`insats calibrate scenarios/calibration/grenverket.yaml --out TMP --workers N` in a fresh process
(start-up, sampling, diagnostics, write-back: what a user waits for), --repeats times, alternating
with the reference in the same sitting: the method shipped before December 2026 (2 runs × 32
walkers × 8 000 steps, 514 000 evaluations) cut to --old-steps steps (it does not converge so
short and writes nothing; only its time per evaluation is used). Printed: the medians, the
seconds per 1 000 likelihood evaluations of both, and the old method's full time extrapolated
from its rate (an extrapolation, said as such). The load average before and after is printed:
the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = ROOT / "scenarios" / "calibration" / "grenverket.yaml"
OLD_EVALUATIONS = 2 * (1000 + 32 * 8000)


def evaluations(text: str) -> int:
    """runs × (start_pool + walkers × steps) of the targets file's method line."""
    m = re.search(r"^method: \{(.*)\}", text, re.M)
    assert m, "no method line in the targets file"
    f = dict(kv.split(": ") for kv in m.group(1).split(", "))
    return int(f["runs"]) * (int(f["start_pool"]) + int(f["walkers"]) * int(f["steps"]))


def run(targets: Path, workers: int) -> tuple[float, int]:
    """Wall seconds of one calibration in a fresh process, and its exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        res = subprocess.run([sys.executable, str(ROOT / "cli.py"), "calibrate", str(targets),
                              "--out", str(Path(tmp) / "out"), "--workers", str(workers),
                              "--quiet", "--lang", "en"], cwd=ROOT, capture_output=True)
        return time.perf_counter() - t, res.returncode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--old-steps", type=int, default=800)
    args = ap.parse_args()
    text = TARGETS.read_text(encoding="utf-8")
    new_n = evaluations(text)
    old_method = (f"method: {{walkers: 32, steps: {args.old_steps}, burn: {args.old_steps // 4}, "
                  "thin: 300, runs: 2, seed: 20140227, start_pool: 1000}")
    old_text = re.sub(r"^method: \{.*\}", old_method, text, flags=re.M)
    old_n = evaluations(old_text)
    print(f"{os.cpu_count()} cores; load average before: "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        old_targets = Path(tmp) / "grenverket_old_method.yaml"
        old_text = old_text.replace("../grenverket/", str(TARGETS.parent.parent / "grenverket") + "/")
        old_targets.write_text(old_text, encoding="utf-8")
        times: dict[str, list[float]] = {"new": [], "old": []}
        for i in range(args.repeats):
            for name in (("new", "old") if i % 2 == 0 else ("old", "new")):
                t, code = run(TARGETS if name == "new" else old_targets, args.workers)
                if name == "new" and code != 0:
                    sys.exit(f"the documented command exited {code}: not a converged run")
                times[name].append(t)
                print(f"  {name}: {t:.1f} s (exit {code})", flush=True)
    new, old = statistics.median(times["new"]), statistics.median(times["old"])
    new_rate, old_rate = new / new_n * 1e3, old / old_n * 1e3
    print(f"documented command ({new_n} evaluations, --workers {args.workers}): median {new:.1f} s "
          f"(runs: {' '.join(f'{t:.1f}' for t in times['new'])}), {new_rate:.3f} s per 1 000 "
          "evaluations")
    print(f"previous method cut to {args.old_steps} steps ({old_n} evaluations): median {old:.1f} s, "
          f"{old_rate:.3f} s per 1 000 evaluations; its full {OLD_EVALUATIONS} evaluations "
          f"extrapolated (start-up included in its rate): {old_rate * OLD_EVALUATIONS / 1e3 / 60:.1f} min "
          f"({old_rate * OLD_EVALUATIONS / 1e3 / new:.0f}x the documented command)")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
