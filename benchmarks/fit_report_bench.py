"""Time of `insats fit`'s HTML fit report (the simulated-back runs, their bands, the plots) on the
synthetic Framgången register, median of several runs; the fit itself is done once, outside the
clock. Run from a checkout's root: `python benchmarks/fit_report_bench.py --repeats 3`."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path.cwd()
sys.path.insert(0, str(ROOT))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--reps", type=int, default=100, help="simulated-back runs (the default)")
    a = ap.parse_args()
    from model.fit import fit_file
    from model.fit.report import write_fit_report

    with tempfile.TemporaryDirectory() as d:
        done = fit_file(ROOT / "scenarios/records/framgangen_synthetic.csv", "2019-01-10",
                        Path(d) / "f.yaml", month_zero="2016-01-01", n_boot=20)
        times = []
        for i in range(a.repeats):
            t0 = time.perf_counter()
            write_fit_report(done.result, done.out, Path(d) / f"r{i}.html", reps=a.reps)
            times.append(time.perf_counter() - t0)
    print(f"fit report, {a.reps} runs: median {statistics.median(times):.2f} s of "
          f"{', '.join(f'{x:.2f}' for x in times)}")


if __name__ == "__main__":
    main()
