"""Pricing: shortened unemployment against programme cost, per actor, per replication.

A pure function of the simulated tables (or of the expected-value path, `model.expected`), in
named stages:

1. `effect`: P(in work) with and without the programme, month by month since arrival, summed
   over participants (`Effect`). Without it a participant is unemployed at arrival and moves
   between unemployment and work as a two-state Markov chain; with it they are out of work while
   in the programme (lock-in), start in work after an exit to work (or studies, if valued) and
   a lag, and unemployed after any other exit. The benefit lag and drop-off count from the job.
2. `costs`: every cost line by calendar month (`COST_RULES`), linked to participants by outcome
   or not; participants' allowances are transfers, kept out of the societal cost.
3. `figures`: views (1 and 5 years, undiscounted and present value), counts, break-even share,
   payback; `ledger`: who pays and who gains, per actor and year.

Method and sources: docs/method.md.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from model.economics.actors import actor_columns, actor_figures, actor_summary
from model.economics.costs import Activity, Line, activity_of_run, calendar_months, cost_lines
from model.economics.effect import Effect, discount, effect_of_run, shared_after_exit
from model.economics.figures import Baseline, Parts, figures, parts, view_key, views
from model.economics.ledger import ledger
from model.economics.rows import by_rep, counterfactual_hazards, people_rows, visit_rows
from model.scenario import FUNDERS, Scenario

if TYPE_CHECKING:  # pandas loads when tables are built, not for exact mode or checks
    from concurrent.futures import Executor

    import pandas as pd

    from model.simulation import RunResult

__all__ = ["DIRECTION", "METRIC_UNITS", "Activity", "Baseline", "Effect", "Line", "Priced",
           "Unit", "actor_figures", "actor_summary", "counterfactual_hazards", "metric_units",
           "present_value", "price",
           "price_unit", "priced_of", "shared_after_exit", "simulate_and_price", "units_of_run",
           "view_key", "views"]

@dataclass
class Priced:
    """Per-replication metrics, the actor ledger, the monthly cash flows and the per-actor
    figures (`model.economics.actors`: per actor, view and replication) of one programme."""

    scenario: Scenario
    metrics: pd.DataFrame
    ledger: pd.DataFrame
    flows: pd.DataFrame
    actors: pd.DataFrame = field(default_factory=lambda: _empty())

    @cached_property
    def actor_summary_table(self) -> pd.DataFrame:
        """`actor_summary` of `actors` (per actor and view, over the runs), computed once: the
        screen reads it for the table and again for the co-financing sentences."""
        return actor_summary(self.actors)


@dataclass
class Unit:
    """What one replication (or one expected run) gives pricing: its effect and cost lines."""

    effect: Effect
    lines: list[Line]


def present_value(amounts: np.ndarray, months: np.ndarray, rate: float) -> float:
    """Discounted sum of amounts falling at the given months."""
    return float(np.sum(np.asarray(amounts, dtype=float) * discount(months, rate)))


def units_of_run(run: RunResult, weights: dict[int, np.ndarray] | None = None,
                 n_cal: int | None = None, reps: list[int] | None = None) -> list[Unit]:
    """The Effect and cost lines of every replication of a simulated run.

    `weights` (by replication, in participant-table order) re-weight participants; `n_cal` forces
    the number of calendar months priced (by default: what the run needs); `reps` names the
    replications the tables hold (by default 0 to R − 1; a chunk priced on a worker holds others).
    """
    sc = run.scenario
    ends = run.stations.groupby("rep")["end_month"].max()
    p_at = by_rep(people_rows(sc, run.participants), run.participants["rep"].to_numpy())
    v_at = by_rep(visit_rows(sc, run.visits), run.visits["rep"].to_numpy())
    out = []
    for rep in (range(run.replications) if reps is None else reps):
        people = p_at(rep)
        visits = v_at(rep)
        end = float(ends.get(rep, 0.0))
        arrival = people.arrival
        cal = n_cal or calendar_months(sc, end, float(arrival.max()) if len(arrival) else 0.0)
        w = None if weights is None else weights[rep]
        eff = effect_of_run(sc, people, end, cal, w)
        act = activity_of_run(sc, people, visits, end, cal, w)
        out.append(Unit(eff, cost_lines(sc, act)))
    return out


def price_unit(sc: Scenario, unit: Unit, base: Baseline | None = None, detail: bool = True,
               p: Parts | None = None
               ) -> tuple[dict[str, float], pd.DataFrame | None, pd.DataFrame | None]:
    """Metrics, ledger and monthly flows of one replication or one expected run (with
    `detail=False` the metrics only, and None for the tables: no pandas on the expected path);
    `p`: the unit's `parts`, when the caller has them."""
    p = parts(sc, unit.effect, unit.lines, base) if p is None else p
    m = figures(sc, unit.effect, unit.lines, base, p)
    if not detail:
        return m, None, None
    import pandas as pd

    led = ledger(sc, unit.effect, unit.lines, p, base)
    from model.economics.figures import gain_calendar

    gain = gain_calendar(unit.effect, p, base) * (p.kr_per_month / p.adjust if p.adjust else 0.0)
    n = max(gain.shape[1], len(p.cost_month))
    cost = np.zeros(n)
    cost[:len(p.cost_month)] = p.cost_month
    benefit_pv = np.zeros(n)
    benefit_pv[:gain.shape[1]] = gain[1]
    disc = discount(np.arange(n) + 0.5, sc.valuation.discount_rate)
    flows = pd.DataFrame({"month": np.arange(n), "cost": cost, "cost_pv": cost * disc,
                          "benefit_pv": benefit_pv})
    return m, led, flows


def _empty() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame()


def baseline(sc: Scenario, unit: Unit, ref: Unit) -> Baseline:
    """The reference's unit scaled to the programme's number of participants."""
    n_ref = ref.effect.participants
    scale = unit.effect.participants / n_ref if n_ref > 0 else 0.0
    return Baseline(ref.effect, ref.lines, scale)


def price(run: RunResult, reference: RunResult | None = None, detail: bool = True,
          weights: dict[int, np.ndarray] | None = None, ledger: bool = True) -> Priced:
    """Price every replication of a run; with a reference run, every decision figure is
    incremental (programme minus reference, replication by replication).

    With `detail=False` only the metrics are computed (no ledger or monthly flows): for sweeps.
    With `ledger=False` the metrics and the actor figures, but no ledger or monthly flows (empty
    tables): what `compare` shows.
    """
    sc = run.scenario
    refs = None
    if reference is not None:  # one after-exit hiring rate on both sides
        own, other = shared_after_exit(sc, reference.scenario)
        run, reference = replace(run, scenario=own), replace(reference, scenario=other)
        refs = units_of_run(reference)
    units = units_of_run(run, weights)
    return priced_of([_price_units(sc, range(len(units)), units, refs, detail, ledger)], sc, detail)


# a stretch of replications priced: their metrics rows, and their ledgers, flows and actor
# figures, each as one table with its `rep` column (None where not priced)
_Pieces = tuple[list[dict], "pd.DataFrame | None", "pd.DataFrame | None", "pd.DataFrame | None"]


def _price_units(sc: Scenario, reps: range | list[int], units: list[Unit],
                 refs: list[Unit] | None, detail: bool, ledger: bool = True) -> _Pieces:
    """Every replication's metrics row and, with `detail`, its actor figures and (with `ledger`)
    its ledger and monthly flows."""
    metrics, ledgers, flows, actors = [], [], [], []
    for k, (rep, unit) in enumerate(zip(reps, units, strict=True)):
        base = baseline(sc, unit, refs[k]) if refs is not None else None
        p = parts(sc, unit.effect, unit.lines, base)
        m, led, fl = price_unit(sc, unit, base, detail and ledger, p)
        metrics.append({"rep": rep, **m})
        if detail and ledger:
            ledgers.append(led)
            flows.append(fl)
        if detail:
            actors.append(actor_columns(sc, unit.effect, unit.lines, base, p))
    return metrics, _tagged(reps, ledgers), _tagged(reps, flows), _tagged(reps, actors)


def _tagged(reps: range | list[int], tables: list[pd.DataFrame] | list[dict[str, np.ndarray]]
            ) -> pd.DataFrame | None:
    """The replications' tables (or their columns) as one table, with their `rep` column last
    (as `DataFrame.assign` would add it; once for all, not a copy per replication)."""
    import pandas as pd

    if not tables:
        return None
    if isinstance(tables[0], dict):
        sizes = [len(next(iter(t.values()))) for t in tables]
        out = pd.DataFrame({c: np.concatenate([t[c] for t in tables]) for c in tables[0]})
    else:
        sizes = [len(t) for t in tables]
        out = pd.concat(tables, ignore_index=True)
    out["rep"] = np.repeat(np.asarray(reps, dtype=np.int64), sizes)
    return out


def priced_of(pieces: list[_Pieces], sc: Scenario, detail: bool = True) -> Priced:
    """The run's `Priced` from the pieces of its stretches of replications, in order (a stretch's
    tables are joined where it was priced: fewer and larger tables to send from a worker)."""
    import pandas as pd

    metrics = pd.DataFrame([row for p in pieces for row in p[0]])
    if not detail:
        return Priced(sc, metrics, _empty(), _empty())

    def joined(k: int) -> pd.DataFrame:
        frames = [p[k] for p in pieces if p[k] is not None]
        return pd.concat(frames, ignore_index=True) if frames else _empty()

    return Priced(sc, metrics, joined(1), joined(2), joined(3))


def price_records(sc: Scenario, raws: list, ledger: bool = True) -> _Pieces:
    """Price the replications of some simulated records (no reference, no weights) on their
    own: what a worker does with the chunk it simulated (`model.simulation.run.simulate_then`),
    so that pricing is spread over the workers with the simulation. Each replication is priced
    by the same functions as in `price`, from its own rows only, so the figures are the same."""
    from model.simulation.run import RunResult
    from model.simulation.tables import _build

    people, visits, stations = _build(sc, raws)
    run = RunResult(scenario=sc, seed=0, participants=people, visits=visits, stations=stations)
    reps = sorted(r.rep for r in raws)
    return _price_units(sc, reps, units_of_run(run, reps=reps), None, True, ledger)


def simulate_and_price(sc: Scenario, replications: int | None = None, seed: int | None = None,
                       workers: int = 1, on_rep: Callable[[int], None] | None = None,
                       ledger: bool = True, pool: Executor | None = None
                       ) -> tuple[RunResult, Priced]:
    """Simulate a scenario without a reference and price it in full (with `ledger=False`: no
    ledger or flows, as `price`); on several workers each prices the replications it simulated.
    The same tables and figures as `simulate` then `price`. `pool`: see `simulate_then`."""
    from model.executors import Started

    return Started(simulate_and_price_steps(sc, replications, seed, workers, on_rep, ledger,
                                            pool)).result()


def simulate_and_price_steps(sc: Scenario, replications: int | None = None,
                             seed: int | None = None, workers: int = 1,
                             on_rep: Callable[[int], None] | None = None, ledger: bool = True,
                             pool: Executor | None = None
                             ) -> Generator[None, None, tuple[RunResult, Priced]]:
    """`simulate_and_price` as steps (`model.simulation.run.simulate_then_steps`)."""
    from functools import partial

    from model.simulation.run import simulate_then_steps

    then = price_records if ledger else partial(price_records, ledger=False)
    run, pieces = yield from simulate_then_steps(sc, then, replications, seed, workers,
                                                 on_rep=on_rep, pool=pool)
    return run, (price(run, ledger=ledger) if pieces is None else priced_of(pieces, sc))


METRIC_UNITS: dict[str, str] = {
    "participants": "participants",
    "cost": "kr",
    "cost_pv": "kr",
    "net_cost": "kr",
    "net_cost_pv": "kr",
    "cost_per_participant": "kr",
    "budget": "kr",
    "esf_grant": "kr",
    "cofinancing": "kr",
    "allowances": "kr",
    "exits_work": "participants",
    "exits_studies": "participants",
    "exits_good": "participants",
    "still_in_programme": "participants",
    "share_work": "share",
    "jobs_without_at_exit": "jobs",
    "extra_jobs_at_exit": "jobs",
    "extra_jobs_12m": "jobs",
    "cost_per_extra_job": "kr",
    "person_years": "person-years",
    "revenue": "kr",
    "revenue_pv": "kr",
    "npv": "kr",
    "bcr": "ratio",
    "payback_months": "months",
    "pays_back": "share",
}
# higher is better (+1), lower is better (-1), neither (0): used by compare
DIRECTION: dict[str, int] = {
    "cost": -1, "cost_pv": -1, "net_cost": -1, "net_cost_pv": -1, "cost_per_participant": -1,
    "share_work": 1, "extra_jobs_at_exit": 1, "extra_jobs_12m": 1, "cost_per_extra_job": -1,
    "person_years": 1, "revenue": 1, "revenue_pv": 1, "npv": 1, "bcr": 1, "payback_months": -1,
    "pays_back": 1,
}


def metric_units(sc: Scenario) -> dict[str, str]:
    """Units of every metric column, including the per-view and per-funder ones."""
    units = dict(METRIC_UNITS)
    for f in FUNDERS:
        units[f"budget:{f}"] = "kr"
    for years in views(sc):
        k = view_key(years)
        if sc.health is not None:
            units |= {f"qaly:{k}": "QALY", f"qaly_pv:{k}": "QALY"}
            if sc.health.value_per_qaly is not None:
                units[f"qaly_value_pv:{k}"] = "kr"
        units |= {f"person_years:{k}": "person-years", f"person_years_pv:{k}": "person-years",
                  f"revenue:{k}": "kr",
                  f"revenue_pv:{k}": "kr", f"npv:{k}": "kr", f"bcr:{k}": "ratio",
                  f"breakeven_work_share:{k}": "share", f"breakeven_work_exits:{k}": "participants",
                  f"breakeven_extra_jobs:{k}": "jobs"}
    return units

