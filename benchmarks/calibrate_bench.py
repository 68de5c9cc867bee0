"""The calibration's likelihood (issue 22, target 5): prints figures (it is not a timed test).

    .venv/bin/python benchmarks/calibrate_bench.py [--repeats 7]

The Grenverket calibration evaluates its four targets at one parameter set per walker and step
(32 walkers: batches of 16, emcee's stretch of half the ensemble). This times `target_values`
(all sets of a batch priced at once on the vectorised expected-value path) against
`_per_set_values` (one validated scenario per set, the per-draw reference) on the same 16 prior
draws, alternately in this process, medians of --repeats runs, and the ratio; then the implied
time of the documented command's 514 000 evaluations (2 runs x 32 walkers x 8 000 steps, plus
the start pool), the sampler's own overhead not counted. The load average is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.psa import calibrate as cal  # noqa: E402

EVALUATIONS = 514_000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--batch", type=int, default=16)
    args = ap.parse_args()
    spec, scs = cal.load_targets(ROOT / "scenarios/calibration/grenverket.yaml")
    prob = cal.problem(spec, scs)
    rng = np.random.default_rng(1)
    x = np.column_stack([d.frozen().ppf(rng.uniform(0.05, 0.95, args.batch))
                         for d in prob.prior.dists])
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    vec, ref = [], []
    cal.target_values(prob, x)  # first use: imports and caches
    for _ in range(args.repeats):
        t = time.perf_counter()
        cal.target_values(prob, x)
        vec.append(time.perf_counter() - t)
        t = time.perf_counter()
        cal._per_set_values(prob, x)
        ref.append(time.perf_counter() - t)
    v, r = statistics.median(vec), statistics.median(ref)
    ratios = statistics.median(b / a for a, b in zip(vec, ref, strict=True))
    print(f"batch of {args.batch} sets, medians of {args.repeats}: vectorised {v * 1e3:.1f} ms "
          f"({v / args.batch * 1e6:.0f} us a set), per set {r * 1e3:.1f} ms "
          f"({r / args.batch * 1e6:.0f} us a set); per-set / vectorised {r / v:.1f}x "
          f"(median of paired ratios {ratios:.1f}x)")
    print(f"{EVALUATIONS} evaluations: about {EVALUATIONS / args.batch * v / 60:.1f} min "
          f"vectorised, {EVALUATIONS / args.batch * r / 60:.1f} min per set (likelihood only)")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
