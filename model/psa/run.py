"""Run a PSA: every parameter draw of every compared scenario, priced as an expected result.

Each draw sets the uncertain inputs (`model.psa.inputs`) and evaluates the scenario's *expected*
figures (`model.evaluate`: the expected-value path where it applies, else the mean of R simulated
replications on one common seed), so what varies between draws is what we do not know, not the
chance variation of one cohort. Draws run in chunks on any executor (local processes or Dask);
the result does not depend on the number of workers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from model.psa.effective import Effective, effective
from model.psa.inputs import Plan, assignments, draw, drawn_raw, plan
from model.scenario import Scenario, parse_scenario

CHUNK = 25


@dataclass
class PSAResult:
    """Per-draw expected figures of each scenario, and what produced them."""

    plan: Plan
    draws: pd.DataFrame                    # draw and the values drawn
    metrics: pd.DataFrame                  # draw, scenario, method and every figure
    seed: int
    # scenario -> how its draws were priced: expected, simulated, mixed (draw by draw) or invalid
    methods: dict[str, str] = field(default_factory=dict)
    replications: int = 0                  # per draw, where simulated
    # scenario -> how its expected-value draws were priced: all at once (vectorised), or some or
    # all draw by draw and why (`model.psa.vector`)
    vectorised: dict[str, str] = field(default_factory=dict)
    # what is derived from the draws and read more than once, computed once: ("voi", metric,
    # seed) -> the decision's value of information (`model.psa.voi.psa_voi`, possibly computed in
    # the worker that ran the draws); ("summary", scenario, units) -> its figures summarised over
    # the draws (`model.psa.summary.summary_of`); ("difference", a, b, metric) -> A − B over the
    # draws (`model.psa.summary.draw_difference`); ("of", scenario) -> its rows (`of`). A copy
    # (`dataclasses.replace`) starts without them, and a PSAResult is not changed once they are
    # kept
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, init=False, repr=False,
                                             compare=False)

    def __getstate__(self) -> dict[str, Any]:
        """What travels from a worker: everything kept, but the rows by scenario (`of`: the
        metrics again, chosen again where they are read)."""
        state = dict(self.__dict__)
        state["memo"] = {k: v for k, v in self.memo.items() if k[0] != "of"}
        return state

    @property
    def n(self) -> int:
        return len(self.draws)

    @property
    def effective(self) -> Effective:
        """Draws, distinct joint rows and the effective number every MCSE divides by."""
        return effective(self.draws)

    @property
    def n_eff(self) -> float:
        return self.effective.effective_draws

    def of(self, scenario: str) -> pd.DataFrame:
        """One scenario's rows, in draw order (selected once, kept in `memo`; a copy)."""
        key = ("of", scenario)
        if key not in self.memo:
            m = self.metrics
            self.memo[key] = m[m["scenario"] == scenario].sort_values("draw").reset_index(drop=True)
        return self.memo[key].copy()


@dataclass(frozen=True)
class _Task:
    scenarios: tuple[tuple[str, str, dict[str, Any]], ...]     # (name, file, raw)
    rows: tuple[tuple[int, tuple[tuple[str, tuple[tuple[tuple[str, ...], float], ...]], ...]], ...]
    method: str
    replications: int
    seed: int


def _run_task(task: _Task) -> pd.DataFrame:
    from model.errors import InputError
    from model.evaluate import evaluate

    out = []
    files = {name: (file, raw) for name, file, raw in task.scenarios}
    for d, per_scenario in task.rows:
        for name, sets in per_scenario:
            file, raw = files[name]
            try:
                sc = parse_scenario(drawn_raw(raw, [(list(p), v) for p, v in sets]), file=file)
            except (InputError, ValueError, KeyError):
                # a value outside what the scenario allows (only a calibration proposal can
                # give one: plain draws are checked when the file is read)
                out.append({"draw": d, "scenario": name, "method": "invalid"})
                continue
            sc._source = Path(file)
            m, how = evaluate(sc, task.method, task.replications, task.seed)
            out.append({"draw": d, "scenario": name, "method": how, **m})
    return pd.DataFrame(out)


def _refuse_dropped(metrics: pd.DataFrame, scenarios: list[tuple[dict[str, Any], Scenario]],
                    n: int) -> None:
    """A result never counts draws it could not price: a draw of the declared uncertainty that
    gives a scenario the schema refuses is an input problem, not a row silently left out."""
    from model.errors import InputError, Problem

    bad = metrics[metrics["method"] == "invalid"]
    if bad.empty:
        return
    files = {sc.name: str(sc.source_file or sc.name) for _, sc in scenarios}
    problems = []
    for name, rows in bad.groupby("scenario", sort=False):
        problems.append(Problem(files.get(str(name), str(name)), "uncertainty",
                                f"{len(rows)} of {n} parameter draws give a scenario that is not "
                                f"allowed (first: draw {int(rows['draw'].min())}); narrow the "
                                "distributions or the joint rows so that every draw is valid"))
    raise InputError(problems)


def default_draws(scenarios: list[Scenario], expected: bool) -> int:
    """Draws asked for by the scenarios' settings (the expected-value path affords more)."""
    key = "draws" if expected else "simulated_draws"
    return max(getattr(sc.uncertainty, key) for sc in scenarios)


def run_psa(scenarios: list[tuple[dict[str, Any], Scenario]], draws: int | None = None,
            seed: int | None = None, workers: int = 1, method: str = "auto",
            replications: int | None = None, on_draw: Callable[[int], None] | None = None,
            table: pd.DataFrame | None = None, refuse_invalid: bool = False,
            vectorise: bool = True) -> PSAResult:
    """Draw the uncertain inputs `draws` times and price every scenario at each draw (or price
    the parameter sets of a given `table`, one column per input name, e.g. for calibration).
    A draw giving a scenario the schema refuses is marked "invalid" (a calibration proposal may);
    `refuse_invalid` makes it an InputError instead, for a result that counts its draws.

    On the expected-value path every draw is priced at once (`model.psa.vector.price_draws`)
    where its inputs allow; the rest, and everything with `vectorise=False` (the reference), one
    validated scenario per draw."""
    from model.evaluate import why_not_expected
    from model.executors import make_executor

    scs = [sc for _, sc in scenarios]
    p = plan(scenarios)
    expected = method != "simulate" and all(why_not_expected(sc) is None for sc in scs)
    n = draws or default_draws(scs, expected)
    if seed is None:
        first = scs[0]
        seed = first.uncertainty.seed if first.uncertainty.seed is not None else first.simulation.seed
    reps = replications or max(sc.uncertainty.replications_per_draw for sc in scs)
    if table is None:
        table = draw(p, n, seed)
    # a scenario without a file of its own (an upload) is named in its folder, so that its
    # relative reference still resolves in the draws
    names = tuple((sc.name, str(sc.source_file or (sc.folder / sc.name if sc.folder else sc.name)),
                   raw) for raw, sc in scenarios)
    vec = None
    if vectorise and expected and method in ("auto", "expected"):
        from model.psa.vector import price_draws

        vec = price_draws(scenarios, table, p)
    todo = {sc.name: (set(vec.pending.get(sc.name, [])) if vec is not None else None) for sc in scs}
    left = (range(len(table)) if vec is None
            else sorted(set().union(*(set(x) for x in vec.pending.values()))))
    rows = []
    for pos in left:
        r = table.iloc[pos]
        per = tuple((sc.name, tuple((tuple(parts), v) for parts, v in assignments(p, sc.name, r)))
                    for sc in scs if todo[sc.name] is None or pos in todo[sc.name])
        rows.append((int(r["draw"]), per))
    tasks = [_Task(names, tuple(rows[i:i + CHUNK]), method, reps, seed)
             for i in range(0, len(rows), CHUNK)]
    tick = on_draw or (lambda k: None)
    frames: dict[int, pd.DataFrame] = {}
    executor = make_executor(workers=min(workers, max(1, math.ceil(len(tasks) / 2)))) if tasks \
        else None
    if vec is not None:
        tick(len(table) - len(rows))
    try:
        for task, df in (executor.map_unordered(_run_task, tasks) if executor else []):
            frames[task.rows[0][0]] = df
            tick(len(task.rows))
    finally:
        if executor is not None:
            executor.close()
    parts = [frames[k] for k in sorted(frames)]
    if vec is not None and not vec.metrics.empty:
        parts.append(vec.metrics)
    metrics = pd.concat(parts, ignore_index=True)
    if vec is not None:  # draw order, the scenarios in their order within a draw
        order = {sc.name: k for k, sc in enumerate(scs)}
        metrics = (metrics.assign(_o=metrics["scenario"].map(order))
                   .sort_values(["draw", "_o"], kind="stable").drop(columns="_o")
                   .reset_index(drop=True))
    if refuse_invalid:
        _refuse_dropped(metrics, scenarios, n)
    methods = {}  # "mixed": the expected-value path where a draw allows it, else simulated
    for s in metrics["scenario"].unique():
        used = metrics.loc[(metrics["scenario"] == s) & (metrics["method"] != "invalid"),
                           "method"].unique()
        methods[s] = str(used[0]) if len(used) == 1 else ("mixed" if len(used) else "invalid")
    used = reps if (metrics["method"] == "simulated").any() else 0
    notes = {sc.name: vec.note(sc.name, len(table)) for sc in scs} if vec is not None else {}
    return PSAResult(p, table, metrics, seed, methods, used, notes)
