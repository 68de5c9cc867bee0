"""One scenario, one answer: its expected figures, from the expected-value path or simulation.

`expected_metrics` prices the expected run without simulating people (`model.expected`), the
reference scenario too when the counterfactual names one. `simulated_metrics` averages R
simulated replications and also returns the Monte Carlo variance of each mean. `evaluate` picks
the expected-value path when it applies (`method="auto"`), which is what parameter draws,
calibration and threshold searches need: the expected result per parameter value, without the
noise of one simulated cohort.
"""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from model.load import load_scenario
from model.scenario import Scenario

if TYPE_CHECKING:  # pandas loads with the runs' tables, not for the expected-value path
    import pandas as pd

    from model.economics import Priced

METHODS = ("auto", "expected", "simulate")


@lru_cache(maxsize=32)
def _reference(path: str, mtime: float) -> Scenario:
    return load_scenario(path)


def reference_of(sc: Scenario) -> Scenario | None:
    """The scenario named by `counterfactual.reference`, loaded once per process."""
    p = sc.reference_path()
    if p is None:
        return None
    return _reference(str(p), Path(p).stat().st_mtime)


def why_not_expected(sc: Scenario) -> str | None:
    """Why the expected-value path cannot price this scenario (or its reference), else None."""
    from model.expected import why_not

    reason = why_not(sc)
    if reason is None and (ref := reference_of(sc)) is not None:
        inner = why_not(ref)
        reason = None if inner is None else f"its reference scenario: {inner}"
    return reason


def expected_metrics(sc: Scenario, checked: bool = False) -> dict[str, float]:
    """Every figure of the expected run (ValueError when `why_not_expected` says why not;
    `checked` when the caller has asked already)."""
    m, _, _ = _price_expected(sc, checked, detail=False)
    return m


def expected_priced(sc: Scenario, checked: bool = False) -> Priced:
    """The expected run priced in full: its figures as one row (rep 0), its actor ledger and its
    monthly flows, shaped as a simulated run's so that the report sections can read it."""
    import pandas as pd

    from model.economics import Priced, actor_figures, price_unit
    from model.economics.figures import parts

    unit, base = _expected_units(sc, checked)
    p = parts(sc, unit.effect, unit.lines, base)
    m, led, flows = price_unit(sc, unit, base, detail=True, p=p)
    actors = actor_figures(sc, unit.effect, unit.lines, base, p).assign(rep=0)
    return Priced(sc, pd.DataFrame([{"rep": 0, **m}]), led.assign(rep=0), flows.assign(rep=0),
                  actors)


def _expected_units(sc: Scenario, checked: bool) -> tuple[object, object]:
    """The expected run's Unit and, with a reference scenario, the Baseline it is priced against
    (one after-exit hiring rate on both sides)."""
    from model.economics import baseline, shared_after_exit
    from model.expected import expected_unit

    ref = reference_of(sc)
    if ref is None:
        return expected_unit(sc, checked), None
    own, other = shared_after_exit(sc, ref)
    unit = expected_unit(own, checked)
    return unit, baseline(sc, unit, expected_unit(other, checked))


def _price_expected(sc: Scenario, checked: bool, detail: bool
                    ) -> tuple[dict[str, float], pd.DataFrame | None, pd.DataFrame | None]:
    from model.economics import price_unit

    unit, base = _expected_units(sc, checked)
    return price_unit(sc, unit, base, detail=detail)


def simulated_runs(sc: Scenario, replications: int, seed: int) -> pd.DataFrame:
    """Metrics per replication of a simulated run (and its reference on the same seed)."""
    from model.economics import price
    from model.simulation import simulate

    run = simulate(sc, replications=replications, seed=seed, workers=1)
    ref = reference_of(sc)
    reference = simulate(ref, replications=replications, seed=seed) if ref is not None else None
    return price(run, reference, detail=False).metrics


def simulated_metrics(sc: Scenario, replications: int, seed: int
                      ) -> tuple[dict[str, float], dict[str, float]]:
    """Means over replications (ratios as ratios of means) and the variance of each mean."""
    per = simulated_runs(sc, replications, seed)
    return means_of_runs(per)


def means_of_runs(per: pd.DataFrame) -> tuple[dict[str, float], dict[str, float]]:
    """The expected figures estimated from runs, and the Monte Carlo variance of each estimate."""
    from pandas.api.types import is_numeric_dtype

    cols = [c for c in per.columns if c != "rep" and is_numeric_dtype(per[c])]
    seen = {c: int(per[c].notna().sum()) for c in cols}  # payback is missing in runs that never pay back
    mean = {c: float(np.nanmean(per[c])) if seen[c] else math.nan for c in cols}
    var = {c: float(np.nanvar(per[c], ddof=1)) / seen[c] if seen[c] > 1 else math.nan for c in cols}
    extra = mean.get("extra_jobs_at_exit", math.nan)
    mean["cost_per_extra_job"] = mean["net_cost"] / extra if extra > 0 else math.nan
    from model.results import BREAKEVEN, repriced_mean

    for c in [c for c in cols if c.startswith(BREAKEVEN)]:  # by re-pricing, as every view does
        again = repriced_mean(per, c)
        if again is not None:
            mean[c] = again
    cost_pv = mean.get("net_cost_pv", math.nan)
    for c in [c for c in cols if c.startswith("bcr")]:
        rev = mean.get("revenue_pv" + c[3:], math.nan)
        mean[c] = rev / cost_pv if cost_pv > 1e-9 else math.nan
    for c in [c for c in cols if c.startswith("npv")]:
        mean["pays_back" if c == "npv" else f"pays_back{c[3:]}"] = float(mean[c] > 0)
    return mean, var


def evaluate(sc: Scenario, method: str = "auto", replications: int = 20, seed: int | None = None
             ) -> tuple[dict[str, float], str]:
    """The expected figures of a scenario and how they were computed ('expected' or 'simulated')."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if method in ("auto", "expected"):
        reason = why_not_expected(sc)
        if reason is None:
            return expected_metrics(sc, checked=True), "expected"
        if method == "expected":
            raise ValueError(reason)
    seed = sc.simulation.seed if seed is None else seed
    return simulated_metrics(sc, replications, seed)[0], "simulated"
