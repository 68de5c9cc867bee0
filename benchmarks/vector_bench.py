"""The vectorised expected-value path (issue 22): prints figures (it is not a timed test).

    .venv/bin/python benchmarks/vector_bench.py                # about 3 minutes on 2 loaded cores
    .venv/bin/python benchmarks/vector_bench.py --skip compare,per-draw

1. The Grenverket pair's 1 000-draw PSA in one process: `run_psa` with every draw at once (the
   default) against `run_psa(..., vectorise=False)` (one validated scenario per draw, the
   reference), alternately in this process, medians of --repeats runs, and the ratio.
2. 10 000 draws at once, then EVPI and EVPPI of every input and of the joint group on them
   (`model.psa.voi.psa_voi`, the 5-year NPV).
3. `insats compare scenarios/grenverket/` end to end (a fresh process each time, start-up
   included; --workers 1 and 2), medians of a few runs.

The load average (1 minute) before and after is printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.load import load_scenario  # noqa: E402
from model.psa import run_psa  # noqa: E402

PAIR = [ROOT / "scenarios" / "grenverket" / f for f in
        ("anpassad_yrkesutbildning.yaml", "supported_employment.yaml")]


def _timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _fmt(ts: list[float]) -> str:
    return f"{statistics.median(ts):.3f} s (runs: {' '.join(f'{t:.3f}' for t in ts)})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip", default="", help="comma-separated: per-draw, big, compare")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    pairs = [(load_scenario(p).raw, load_scenario(p)) for p in PAIR]
    load = [os.getloadavg()[0]]
    print(f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}; medians of {args.repeats} runs")
    run_psa(pairs, draws=50)   # warm: imports, the reference's caches
    vec, ref = [], []
    for _ in range(args.repeats):
        vec += _timed(lambda: run_psa(pairs, draws=1000), 1)
        if "per-draw" not in skip:
            ref += _timed(lambda: run_psa(pairs, draws=1000, vectorise=False), 1)
    print(f"1. 1 000-draw PSA of the pair, one process, vectorised: {_fmt(vec)}")
    if ref:
        ratios = [r / v for r, v in zip(ref, vec, strict=True)]
        print(f"   per-draw reference (same process, alternating): {_fmt(ref)}")
        print(f"   ratio {statistics.median(ref) / statistics.median(vec):.1f}x "
              f"(median of paired ratios {statistics.median(ratios):.1f}x)")
    load.append(os.getloadavg()[0])
    if "big" not in skip:
        from model.psa.voi import psa_voi

        res = []
        big = _timed(lambda: res.append(run_psa(pairs, draws=10_000)), args.repeats)
        k = "npv:5y"
        voi_t = _timed(lambda: psa_voi(res[-1], k, 162.0), max(1, args.repeats // 2))
        v = psa_voi(res[-1], k, 162.0)
        print(f"2. 10 000 draws, vectorised: {_fmt(big)}; EVPI and EVPPI of every input and "
              f"group ({k}): {_fmt(voi_t)}; EVPI {v.evpi:,.0f} kr per decision")
    load.append(os.getloadavg()[0])
    if "compare" not in skip:
        insats = ROOT / ".venv" / "bin" / "insats"

        def compare(workers: int) -> None:
            subprocess.run([str(insats), "compare", str(ROOT / "scenarios" / "grenverket"),
                            "--quiet", "--workers", str(workers)], check=True, cwd=ROOT,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        for w in (1, 2):
            ts = _timed(lambda w=w: compare(w), max(1, args.repeats // 2 + 1))
            print(f"3. insats compare scenarios/grenverket/ --workers {w}, end to end: {_fmt(ts)}")
    load.append(os.getloadavg()[0])
    print(f"load average (1 min) during the sitting: {min(load):.2f}-{max(load):.2f}")


if __name__ == "__main__":
    main()
