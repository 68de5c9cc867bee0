"""Value-of-information speed on this machine: prints figures (it is not a timed test).

    .venv/bin/python benchmarks/voi_bench.py                  # about 15 minutes on 2 loaded cores
    .venv/bin/python benchmarks/voi_bench.py --old-draws 250  # the old method on 250 draws only

The case: the Grenverket pair (scenarios/grenverket/) at a value per person-year of 60 000 kr
instead of 500 000, so that the decision is not settled (the training's 5-year NPV is positive in
about 87 % of the draws, so doing nothing is sometimes best); three options (training, supported
employment, doing nothing); a 1 000-draw PSA priced on the expected-value path. EVPPI is timed
for the joint calibrated group (9 columns, whole rows from 500 kept sets) and for each of its
columns alone, by the method in `model.psa.voi` ("new") and by the method it replaced ("old",
kept here as the reference: scikit-learn's GP with an anisotropic RBF kernel fitted on all draws
up to 1 500, and a base regression besides the incremental ones). Old and new run alternately in
one process on the same draws; medians of --repeats runs, so a slower moment of a shared machine
affects both sides alike.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from model.load import load_scenario  # noqa: E402
from model.psa import run_psa, voi  # noqa: E402
from model.psa.inputs import drawn_raw  # noqa: E402
from model.scenario import parse_scenario  # noqa: E402

PAIR = [ROOT / "scenarios" / "grenverket" / "anpassad_yrkesutbildning.yaml",
        ROOT / "scenarios" / "grenverket" / "supported_employment.yaml"]
VALUE = 60_000.0


def old_gp(x: np.ndarray, y: np.ndarray, seed: int) -> np.ndarray:
    """The group regression before: scikit-learn GP, anisotropic RBF plus noise, hyperparameters
    fitted on all draws (at most 1 500)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    xs = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)
    fit_idx = np.arange(len(y))
    if len(y) > 1500:
        fit_idx = np.random.default_rng(seed).choice(len(y), 1500, replace=False)
    kernel = (ConstantKernel(1.0, (1e-6, 1e6))
              * RBF(length_scale=np.ones(x.shape[1]), length_scale_bounds=(1e-3, 1e6))
              + WhiteKernel(0.1, noise_level_bounds=(1e-12, 1e2)))
    gp = GaussianProcessRegressor(kernel=kernel, normalize_y=True, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        gp.fit(xs[fit_idx], y[fit_idx])
    return gp.predict(xs)


def old_evppi(nb: np.ndarray, x: np.ndarray, seed: int = 1) -> float:
    """EVPPI as before: the first option regressed on x too, then each increment."""
    fit = voi._spline if x.ndim == 1 else (lambda a, b: old_gp(a, b, seed))
    base = fit(x, nb[:, 0])
    g = np.column_stack([base] + [base + fit(x, nb[:, k] - nb[:, 0]) for k in range(1, nb.shape[1])])
    return max(float(g.max(axis=1).mean() - g.mean(axis=0).max()), 0.0)


def case(draws: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Net benefits (draws × training, SE, doing nothing) and the joint group's columns."""
    pairs = []
    for f in PAIR:
        raw = drawn_raw(load_scenario(f).raw, [(["valuation", "value_per_year"], VALUE)])
        pairs.append((raw, parse_scenario(raw, file=str(f))))
    psa = run_psa(pairs, draws=draws, workers=1)
    inputs, groups = voi.drawn_inputs(psa)
    per = {s: psa.of(s) for s in psa.metrics["scenario"].unique()}
    nb, _ = voi.net_benefit_matrix(per, "npv:5y")
    nb = np.column_stack([nb, np.zeros(len(nb))])
    cols = groups["grenverket_pwc"]
    return nb, inputs[cols].to_numpy(dtype=float), cols


def timed(fn, *args) -> tuple[float, float]:
    start = time.perf_counter()
    value = fn(*args)
    return time.perf_counter() - start, value


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--old-draws", type=int, nargs="+", default=[250, 1000],
                    help="draw counts (the first ones of the PSA) at which the old group method runs")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    print(f"# {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; medians of {args.repeats} runs")
    start = time.perf_counter()
    nb, x, cols = case(args.draws)
    print(f"PSA of {args.draws} draws: {time.perf_counter() - start:.1f} s; training best in "
          f"{(nb.argmax(axis=1) == 0).mean():.1%} of draws; EVPI {voi.evpi(nb):,.0f} kr per decision; "
          f"{len(np.unique(x, axis=0))} distinct rows of the joint group")
    print("\n| what | draws | old: seconds (EVPPI kr) | new: seconds (EVPPI kr) | old / new |")
    print("|---|---|---|---|---|")
    for n in sorted(set(args.old_draws) | {args.draws}):
        old_t, new_t, old_v, new_v = [], [], 0.0, 0.0
        for _ in range(args.repeats):
            if n in args.old_draws:
                t, old_v = timed(old_evppi, nb[:n], x[:n])
                old_t.append(t)
            t, new_v = timed(voi.evppi, nb[:n], x[:n])
            new_t.append(t)
        old = (f"{statistics.median(old_t):.2f} ({old_v:,.0f})" if old_t else "–")
        ratio = f"{statistics.median(old_t) / statistics.median(new_t):.0f}×" if old_t else "–"
        print(f"| joint group, {x.shape[1]} columns | {n} | {old} | "
              f"{statistics.median(new_t):.2f} ({new_v:,.0f}) | {ratio} |", flush=True)
    n = args.draws
    worst_old, worst_new = [], []
    for j in range(x.shape[1]):
        old_t, new_t = [], []
        for _ in range(args.repeats):
            t, old_v = timed(old_evppi, nb[:n], x[:n, j])
            old_t.append(t)
            t, new_v = timed(voi.evppi, nb[:n], x[:n, j])
            new_t.append(t)
        worst_old.append(statistics.median(old_t))
        worst_new.append(statistics.median(new_t))
        print(f"| {cols[j]} | {n} | {worst_old[-1]:.3f} ({old_v:,.0f}) | "
              f"{worst_new[-1]:.3f} ({new_v:,.0f}) | {worst_old[-1] / worst_new[-1]:.1f}× |")
    print(f"\none parameter, slowest of the {x.shape[1]}: old {max(worst_old):.3f} s, "
          f"new {max(worst_new):.3f} s")


if __name__ == "__main__":
    main()
