"""The calibration's speed (issue 22, target 5): prints figures (it is not a timed test).

    .venv/bin/python benchmarks/calibrate_speed_bench.py [--repeats 7] [--steps 200] [--rounds 3]

Two parts, old path against new path in this process:

1. The log posterior of a batch of 16 parameter sets (what emcee's move proposes per
   half-ensemble of 32 walkers) for the Grenverket calibration: the old path is the base
   commit's (`price_scenario` pricing every figure, nothing kept between calls, the prior's
   scipy distributions made at every call), the new one today's (`target_values` with the
   scenario memo and the lean pricing of the targets' metrics, the prior's distributions made
   once). Alternating, medians of --repeats; then the new path at batches of 16, 64 and 128
   (the fixed cost of a call against the sets in it).
2. Whole calibrations of the documented method cut to --steps steps (2 runs × 32 walkers, the
   start pool of 1 000): the old path in one process, the new path in one process and with
   --workers 2, rounds with the order rotated, medians of --rounds; the time per 1 000
   evaluations, and the documented method's 514 000 evaluations extrapolated from it.

Both paths give the same chains (checked here on part 2's first round). The load average is
printed before and after: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.psa import calibrate as cal  # noqa: E402
from model.psa import mcmc  # noqa: E402

EVALUATIONS = 514_000


def old_target_values(prob: cal.CalibrationProblem, x: np.ndarray) -> np.ndarray:
    """The base commit's `target_values`: every figure priced, nothing kept between calls."""
    from model.evaluate import why_not_expected
    from model.psa.vector import price_scenario

    x = np.atleast_2d(x)
    n = len(x)
    batch = {}
    pending = np.zeros(n, dtype=bool)
    for _, sc in prob.parsed:
        m = None
        if why_not_expected(sc) is None:
            cols = []
            for u in prob.plan.by_scenario.get(sc.name, []):
                v = x[:, prob.names.index(u.name)].astype(float)
                cols.append((u.parts, np.round(v) if u.integer else v))
            m, left, _ = price_scenario(sc, cols, n)
            pending[left] = True
        if m is None:
            pending[:] = True
        batch[sc.name] = m
    out = np.full((n, len(prob.spec.targets)), np.nan)
    for j, t in enumerate(prob.spec.targets):
        if batch[t.scenario] is not None:
            out[:, j] = batch[t.scenario][t.metric]
    rows = np.flatnonzero(pending)
    if len(rows):
        out[rows] = cal._per_set_values(prob, x[rows])
    return out


def old_logpdf(self: mcmc.Prior, x: np.ndarray) -> np.ndarray:
    """The base commit's `Prior.logpdf`: a frozen scipy distribution made at every call."""
    out = np.zeros(x.shape[0])
    with np.errstate(divide="ignore"):
        for j, d in enumerate(self.dists):
            out += d.frozen().logpdf(x[:, j])
    return np.where(np.isnan(out), -np.inf, out)


@contextmanager
def old_path():
    """The old likelihood and prior density in place of the new ones."""
    tv, lp = cal.target_values, mcmc.Prior.logpdf
    cal.target_values, mcmc.Prior.logpdf = old_target_values, old_logpdf
    try:
        yield
    finally:
        cal.target_values, mcmc.Prior.logpdf = tv, lp


def log_posterior_batch(prob: cal.CalibrationProblem, x: np.ndarray) -> np.ndarray:
    return prob.prior.logpdf(x) + cal.loglik(prob, x)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    spec, scs = cal.load_targets(ROOT / "scenarios/calibration/grenverket.yaml")
    prob = cal.problem(spec, scs)
    rng = np.random.default_rng(1)
    x = np.column_stack([d.frozen().ppf(rng.uniform(0.05, 0.95, args.batch))
                         for d in prob.prior.dists])
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with old_path():
        old_values = log_posterior_batch(prob, x)
    new_values = log_posterior_batch(prob, x)
    print("old and new log posterior equal bit for bit:", np.array_equal(old_values, new_values))
    times: dict[str, list[float]] = {"old": [], "new": []}
    for _ in range(args.repeats):
        for name in ("old", "new"):
            t = time.perf_counter()
            if name == "old":
                with old_path():
                    log_posterior_batch(prob, x)
            else:
                log_posterior_batch(prob, x)
            times[name].append(time.perf_counter() - t)
    o, n = statistics.median(times["old"]), statistics.median(times["new"])
    print(f"log posterior of a batch of {args.batch}, medians of {args.repeats}: old "
          f"{o * 1e3:.1f} ms, new {n * 1e3:.1f} ms ({n / args.batch * 1e6:.0f} us a set); "
          f"old / new {o / n:.2f}x")
    for size in (16, 64, 128):   # the fixed cost of a call against its size
        xs = np.column_stack([d.frozen().ppf(rng.uniform(0.05, 0.95, size))
                              for d in prob.prior.dists])
        log_posterior_batch(prob, xs)
        ts = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            log_posterior_batch(prob, xs)
            ts.append(time.perf_counter() - t)
        s = statistics.median(ts)
        print(f"  new path, batch of {size}: {s * 1e3:.1f} ms ({s / size * 1e6:.0f} us a set)")

    short = spec.model_copy(update={"method": spec.method.model_copy(
        update={"steps": args.steps, "burn": args.steps // 2, "thin": 10})})
    short._file = spec._file
    m = short.method
    evals = m.runs * (m.start_pool + m.walkers * m.steps)
    variants = [("old, 1 process", "old", 1), ("new, 1 process", "new", 1),
                ("new, --workers 2", "new", 2)]
    whole: dict[str, list[float]] = {v[0]: [] for v in variants}
    chains = {}
    for r in range(args.rounds):
        for label, path, workers in variants[r % 3:] + variants[:r % 3]:
            t = time.perf_counter()
            if path == "old":
                with old_path():
                    c = cal.calibrate(short, scs, workers=workers)
            else:
                c = cal.calibrate(short, scs, workers=workers)
            whole[label].append(time.perf_counter() - t)
            chains.setdefault(label, c.chains)
    same = all(np.array_equal(chains[variants[0][0]], c) for c in chains.values())
    print(f"whole calibration, {m.runs} runs x {m.walkers} walkers x {m.steps} steps "
          f"+ start pool {m.start_pool} ({evals} evaluations), medians of {args.rounds} rounds; "
          f"same chains on every path: {same}")
    base = statistics.median(whole[variants[0][0]])
    for label, _, _ in variants:
        s = statistics.median(whole[label])
        print(f"  {label}: {s:.1f} s ({s / evals * 1e6:.0f} us an evaluation; "
              f"{EVALUATIONS} evaluations: about {s / evals * EVALUATIONS:.0f} s); "
              f"old / this {base / s:.2f}x")
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
