"""Sweep speed on this machine: prints figures (it is not a timed test).

    .venv/bin/python benchmarks/sweep_bench.py              # all three, about 10 minutes on 2 cores
    .venv/bin/python benchmarks/sweep_bench.py --psa-points 200   # a measured subset, extrapolated

(a) the Grenverket PSA (scenarios/sweeps/grenverket_psa_explicit.yaml: draws x 10 replications x both
    programmes) on all cores: wall time and points per second per core;
(b) parallel efficiency: throughput of the sweep with 2 workers against 1 on the same points;
(c) sweep-machinery overhead: a serial sweep (plan, validation, scenario per point, parts written
    atomically, summary, manifest) against calling the engine (simulate + price) directly in a
    loop on the same, already built, scenarios.

(b) and (c) alternate the runs being compared in one process and quote medians of --repeats runs,
so a slower moment of a shared machine affects both sides alike.
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
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.economics import price  # noqa: E402
from model.scenario import parse_scenario  # noqa: E402
from model.simulation import simulate  # noqa: E402
from model.sweep import load_sweep, point_scenario, run_sweep  # noqa: E402

PSA = ROOT / "scenarios" / "sweeps" / "grenverket_psa_explicit.yaml"


def subset_sweep(folder: Path, points: int) -> Path:
    """The PSA file with fewer draws (the same first draws: one seed, row-major sampling)."""
    raw = yaml.safe_load(PSA.read_text(encoding="utf-8"))
    raw["design"]["points"] = points
    raw["points_per_part"] = 5  # as the full 1 000-draw PSA (its default: about 200 parts)
    raw["scenarios"] = [str((PSA.parent / s).resolve()) for s in raw["scenarios"]]
    raw["name"] = f"grenverket_psa_{points}"
    f = folder / f"psa_{points}.yaml"
    f.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return f


def timed_sweep(sweep: Path, workers: int) -> float:
    out = Path(tempfile.mkdtemp(prefix="insats-bench-"))
    try:
        start = time.perf_counter()
        run_sweep(sweep, out / "r", workers=workers, quiet=True)
        return time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)


def timed_engine(sweep: Path) -> float:
    """simulate + price for every point and programme, scenarios built beforehand (untimed)."""
    plan = load_sweep(sweep)
    scenarios = []
    for row in plan.points[plan.labels].itertuples(index=False):
        values = dict(zip(plan.labels, map(float, row), strict=True))
        for b in plan.bases:
            scenarios.append(parse_scenario(point_scenario(b, plan.params, values)[0]))
    reps, seed = plan.spec.replications, plan.spec.seed
    start = time.perf_counter()
    for sc in scenarios:
        price(simulate(sc, replications=reps, seed=seed, workers=1))
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--psa-points", type=int, default=1000, help="draws for (a); 1000 = in full")
    ap.add_argument("--subset", type=int, default=40, help="draws for (b) and (c)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per side in (b) and (c)")
    ap.add_argument("--skip", default="", help="letters of parts to skip, e.g. 'a'")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    tmp = Path(tempfile.mkdtemp(prefix="insats-bench-"))
    print(f"# insats sweep benchmark: {platform.node()}, {cores} cores, Python "
          f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}")
    print("# note: other agents' test runs share this machine; figures are medians where repeated")
    try:
        if "a" not in args.skip:
            sweep = subset_sweep(tmp, args.psa_points)
            wall = timed_sweep(sweep, cores)
            pts = args.psa_points
            full = wall * 1000 / pts
            print(f"(a) Grenverket PSA, {pts} draws x 10 replications x 2 programmes on {cores} "
                  f"workers: {wall:.1f} s wall, {pts / wall / cores:.2f} points/s per core"
                  + ("" if pts == 1000 else f"; 1 000 draws extrapolated: {full:.0f} s"))
        sub = subset_sweep(tmp, args.subset)
        if "b" not in args.skip:
            one, two = [], []
            for _ in range(args.repeats):
                one.append(timed_sweep(sub, 1))
                two.append(timed_sweep(sub, 2))
            m1, m2 = statistics.median(one), statistics.median(two)
            pair = statistics.median(a / b for a, b in zip(one, two, strict=True))
            print(f"(b) {args.subset} draws: 1 worker {m1:.1f} s, 2 workers {m2:.1f} s (medians of "
                  f"{args.repeats}; runs {[round(x, 1) for x in one]} / "
                  f"{[round(x, 1) for x in two]}): speed-up {m1 / m2:.2f}x (median of paired "
                  f"ratios {pair:.2f}x), efficiency {m1 / m2 / 2:.0%}")
        if "c" not in args.skip:
            eng, swp = [], []
            for _ in range(args.repeats):
                eng.append(timed_engine(sub))
                swp.append(timed_sweep(sub, 1))
            me, ms = statistics.median(eng), statistics.median(swp)
            pair = statistics.median(b / a - 1 for a, b in zip(eng, swp, strict=True))
            n = args.subset * 2
            print(f"(c) {args.subset} draws x 2 programmes, serial: engine loop {me:.2f} s "
                  f"({me / n * 1000:.0f} ms per point and programme), sweep {ms:.2f} s (medians "
                  f"of {args.repeats}; runs {[round(x, 2) for x in eng]} / "
                  f"{[round(x, 2) for x in swp]}): overhead {ms / me - 1:+.1%} (median of paired "
                  f"overheads {pair:+.1%})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
