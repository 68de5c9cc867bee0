"""The vectorised expected-value path (issue 22): prints figures (it is not a timed test).

    .venv/bin/python benchmarks/vector_bench.py                # about 3 minutes on 2 loaded cores
    .venv/bin/python benchmarks/vector_bench.py --skip compare,per-draw
    .venv/bin/python benchmarks/vector_bench.py --before DIR    # DIR: `git archive <commit>`
    .venv/bin/python benchmarks/vector_bench.py --per-draw-big  # and 10 000 draws one at a time

1. The Grenverket pair's 1 000-draw PSA in one process: `run_psa` with every draw at once (the
   default) against `run_psa(..., vectorise=False)` (one validated scenario per draw, the
   reference), alternately in this process, medians of --repeats runs, and the ratio.
2. 10 000 draws at once, then EVPI and EVPPI of every input and of the joint group on them
   (`model.psa.voi.psa_voi`, the 5-year NPV); and the same on 10 000 draws of the pair at
   60 000 kr per person-year with doing nothing as a third option (benchmarks/voi_bench.py's
   case: a decision that is not settled, so every regression runs).
3. `insats compare scenarios/grenverket/` end to end (a fresh process each time, start-up
   included; --workers 1 and 2), medians of a few runs.
With --before DIR (a checkout of an earlier commit), 1 and 2's PSAs are also timed with that
checkout's code and with this checkout's, in fresh processes alternating (--rounds each), in the
same sitting.

Wall and CPU time (`time.process_time`, this process) are both printed: on a loaded machine
wall time grows with the load, CPU time much less. The load average (1 minute) before and
after is printed: the machine is shared.
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


CPU: list[float] = []   # CPU seconds of every run `_timed` made, in order


def _timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        out.append(time.perf_counter() - t0)
        CPU.append(time.process_time() - c0)
    return out


def _fmt(ts: list[float], cpu: list[float] | None = None) -> str:
    text = f"{statistics.median(ts):.3f} s (runs: {' '.join(f'{t:.3f}' for t in ts)})"
    if cpu:
        text += f", CPU {statistics.median(cpu):.3f} s"
    return text


BEFORE = """
import json, statistics, sys, time
from pathlib import Path
from model.load import load_scenario
from model.psa import run_psa
pairs = [(load_scenario(p).raw, load_scenario(p)) for p in map(Path, sys.argv[1:3])]
run_psa(pairs, draws=50)
out = {}
for n, k in ((1000, int(sys.argv[3])), (10000, max(1, int(sys.argv[3]) // 2))):
    wall, cpu = [], []
    for _ in range(k):
        t0, c0 = time.perf_counter(), time.process_time()
        run_psa(pairs, draws=n)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    out[n] = [wall, cpu]
print(json.dumps(out))
"""


def before(folder: Path, repeats: int) -> dict[str, list[list[float]]]:
    """The 1 000- and 10 000-draw PSAs with the code of `folder` (a fresh process from there)."""
    import json

    env = {**os.environ, "PYTHONPATH": str(folder)}
    out = subprocess.run([sys.executable, "-c", BEFORE, *map(str, PAIR), str(repeats)],
                         cwd=folder, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def voi_case(draws: int) -> tuple[object, object]:
    """10 000 draws of the pair at 60 000 kr per person-year (voi_bench.py's case): the PSA, and
    a function computing EVPI and EVPPI of every drawn input and group with doing nothing as a
    third option (net benefit 0)."""
    import numpy as np

    from model.psa import voi
    from model.psa.inputs import drawn_raw
    from model.scenario import parse_scenario

    pairs = []
    for f in PAIR:
        raw = drawn_raw(load_scenario(f).raw, [(["valuation", "value_per_year"], 60_000.0)])
        pairs.append((raw, parse_scenario(raw, file=str(f))))
    psa = run_psa(pairs, draws=draws)

    def go() -> tuple[float, int]:
        inputs, groups = voi.drawn_inputs(psa)
        per = {s: psa.of(s) for s in psa.metrics["scenario"].unique()}
        nb, _ = voi.net_benefit_matrix(per, "npv:5y")
        nb = np.column_stack([nb, np.zeros(len(nb))])
        params = [c for c in inputs.columns if c != "draw" and inputs[c].nunique() > 1]
        n = 0
        for c in params:
            voi.evppi(nb, inputs[c].to_numpy(dtype=float), 1)
            n += 1
        for cols in groups.values():
            cols = [c for c in cols if c in params]
            if len(cols) >= 2:
                voi.evppi(nb, inputs[cols].to_numpy(dtype=float), 1)
                n += 1
        return voi.evpi(nb), n

    return psa, go


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip", default="", help="comma-separated: per-draw, big, compare")
    ap.add_argument("--before", type=Path, help="a checkout of the commit to compare the PSA with")
    ap.add_argument("--per-draw-big", action="store_true",
                    help="also the per-draw reference at 10 000 draws, once (about two "
                         "minutes; part of 2, so not with --skip big)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="with --before: fresh processes per side, alternating")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    pairs = [(load_scenario(p).raw, load_scenario(p)) for p in PAIR]
    load = [os.getloadavg()[0]]
    print(f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}; medians of {args.repeats} runs")
    run_psa(pairs, draws=50)   # warm: imports, the reference's caches
    vec, ref, vec_cpu, ref_cpu = [], [], [], []
    for _ in range(args.repeats):
        vec += _timed(lambda: run_psa(pairs, draws=1000), 1)
        vec_cpu.append(CPU[-1])
        if "per-draw" not in skip:
            ref += _timed(lambda: run_psa(pairs, draws=1000, vectorise=False), 1)
            ref_cpu.append(CPU[-1])
    print(f"1. 1 000-draw PSA of the pair, one process, vectorised: {_fmt(vec, vec_cpu)}")
    if args.before is not None:
        # both codes in fresh processes, alternating (this process also ran the per-draw
        # reference between its runs, which leaves its caches and heap colder)
        runs: dict[str, dict[str, list[list[float]]]] = {"now": {}, "before": {}}
        for _ in range(args.rounds):
            for side, folder in (("now", ROOT), ("before", args.before)):
                for n, (wall, cpu) in before(folder, args.repeats).items():
                    got = runs[side].setdefault(n, [[], []])
                    got[0] += wall
                    got[1] += cpu
        load.append(os.getloadavg()[0])
        for n in runs["now"]:
            (w1, c1), (w0, c0) = runs["now"][n], runs["before"][n]
            print(f"   {int(n):,} draws, fresh processes alternating ({args.rounds} each): this "
                  f"checkout {_fmt(w1, c1)}; {args.before}'s code {_fmt(w0, c0)}; CPU ratio "
                  f"{statistics.median(c0) / statistics.median(c1):.2f}x")
    if ref:
        ratios = [r / v for r, v in zip(ref, vec, strict=True)]
        print(f"   per-draw reference (same process, alternating): {_fmt(ref, ref_cpu)}")
        print(f"   ratio {statistics.median(ref) / statistics.median(vec):.1f}x "
              f"(median of paired ratios {statistics.median(ratios):.1f}x)")
    load.append(os.getloadavg()[0])
    if "big" not in skip:
        from model.psa.voi import psa_voi

        res = []
        big = _timed(lambda: res.append(run_psa(pairs, draws=10_000)), args.repeats)
        big_cpu = CPU[-args.repeats:]
        k = "npv:5y"
        # the PSA keeps its value of information once computed (memo): cleared for each run
        voi_t = _timed(lambda: (res[-1].memo.clear(), psa_voi(res[-1], k, 162.0)),
                       max(1, args.repeats // 2))
        voi_cpu = CPU[-max(1, args.repeats // 2):]
        v = psa_voi(res[-1], k, 162.0)
        print(f"2. 10 000 draws, vectorised: {_fmt(big, big_cpu)}; EVPI and EVPPI of every input "
              f"and group ({k}): {_fmt(voi_t, voi_cpu)}; EVPI {v.evpi:,.0f} kr per decision")
        if args.per_draw_big:
            t = _timed(lambda: run_psa(pairs, draws=10_000, vectorise=False), 1)
            print(f"   per-draw reference at 10 000 draws, once: {_fmt(t, CPU[-1:])}")
        _, go = voi_case(10_000)
        out = []
        t = _timed(lambda: out.append(go()), args.repeats)
        print(f"   at 60 000 kr per person-year, doing nothing a third option: EVPI and "
              f"{out[-1][1]} EVPPIs on 10 000 draws: {_fmt(t, CPU[-args.repeats:])}; "
              f"EVPI {out[-1][0]:,.0f} kr per decision")
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
