"""Running a sweep: each part of the design is a task (points x base scenarios), evaluated anywhere.

Every point and every base scenario is simulated on the sweep's one seed (common random numbers),
so differences between points and between programmes are not replication noise. Parts are a fixed
function of the design, so the results do not depend on the number of workers or the executor.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model.errors import InputError, OutputError, Problem
from model.load import load_scenario
from model.scenario import Scenario, parse_scenario
from model.sweep.integrity import folder_lock
from model.sweep.paths import apply_values
from model.sweep.plan import SweepPlan, load_sweep
from model.sweep.store import (
    MANIFEST,
    check_resume,
    manifest,
    plan_units,
    read_part,
    summarise_part,
    write_part,
    write_points,
    write_summary,
)

_REFERENCE_CACHE: dict[tuple[str, str, int, int], Any] = {}


def evaluate(sc: Scenario, replications: int, seed: int) -> pd.DataFrame:
    """simulate + price one scenario (and its reference, cached per process): metrics per rep."""
    from model.economics import price
    from model.simulation import simulate

    run = simulate(sc, replications=replications, seed=seed, workers=1)
    reference = None
    ref_path = sc.reference_path()
    if ref_path is not None:
        ref_sc = load_scenario(ref_path)
        key = (str(ref_path), ref_sc.digest(), replications, seed)
        if key not in _REFERENCE_CACHE:
            _REFERENCE_CACHE[key] = simulate(ref_sc, replications=replications, seed=seed)
        reference = _REFERENCE_CACHE[key]
    return price(run, reference).metrics


def expected_metrics_of(sc: Scenario, file: str, point_id: int) -> dict[str, float]:
    """The expected run of one point (`method: expected`): the same figures as a simulated
    replication's, without the noise of one cohort."""
    from model.evaluate import expected_metrics, why_not_expected

    reason = why_not_expected(sc)
    if reason is not None:
        raise InputError([Problem(file, "method", f"point {point_id}: the expected-value path "
                                  f"cannot price it: {reason}; use method: des", "expected")])
    return expected_metrics(sc, checked=True)


@dataclass(frozen=True)
class BaseSpec:
    """What a worker needs of one base scenario (plain data, cheap to send to another process)."""

    name: str
    file: str
    raw: dict[str, Any]
    params: tuple[tuple[str, tuple[str, ...]], ...]  # (label, path parts) of the applying ones


@dataclass(frozen=True)
class Task:
    """One part: a block of points, to be run for every base scenario."""

    part: int
    bases: tuple[BaseSpec, ...]
    labels: tuple[str, ...]
    points: tuple[tuple[int, tuple[float, ...]], ...]
    replications: int
    seed: int
    method: str = "des"  # des, expected, or auto (a psa design: as compare prices a draw)
    expected_replications: int = 0  # auto: simulated cohorts where no expected-value path


def _scenario_at(b: BaseSpec, values: dict[str, float]) -> Scenario:
    raw, _ = apply_values(b.raw, [(parts, values[lab]) for lab, parts in b.params])
    sc = parse_scenario(raw, file=b.file)
    sc._source = Path(b.file)
    return sc


def run_task(task: Task) -> pd.DataFrame:
    """Rows of one part: (point, base scenario, replication) with inputs and every metric."""
    if task.method in ("expected", "auto"):
        return _expected_task(task)
    frames = []
    for point_id, vals in task.points:
        values = dict(zip(task.labels, vals, strict=True))
        for b in task.bases:
            sc = _scenario_at(b, values)
            metrics = evaluate(sc, task.replications, task.seed)
            keys = pd.DataFrame({"point_id": np.full(len(metrics), point_id, dtype=np.int64),
                                 "scenario": b.name})
            inputs = pd.DataFrame({lab: np.full(len(metrics), v, dtype=float)
                                   for lab, v in values.items()})
            frames.append(pd.concat([keys, metrics[["rep"]], inputs,
                                     metrics.drop(columns="rep")], axis=1))
    df = pd.concat(frames, ignore_index=True)
    df["rep"] = df["rep"].astype(np.int64)
    return df


def _expected_task(task: Task) -> pd.DataFrame:
    """Rows of one part priced by the expected-value path: one per point and base scenario (rep
    0), columns as `run_task` gives them; one table per part, not one per point (speed). With
    method auto (a psa design) a point is priced as `compare`'s PSA prices a draw
    (`model.evaluate`: the expected-value path, else the mean of `expected_replications`
    simulated cohorts on the sweep's seed)."""
    from model.evaluate import evaluate as evaluate_expected

    ids, names, inputs, figures = [], [], [], []
    for point_id, vals in task.points:
        values = dict(zip(task.labels, vals, strict=True))
        for b in task.bases:
            sc = _scenario_at(b, values)
            figures.append(evaluate_expected(sc, "auto", task.expected_replications, task.seed)[0]
                           if task.method == "auto" else expected_metrics_of(sc, b.file, point_id))
            ids.append(point_id)
            names.append(b.name)
            inputs.append(vals)
    keys = list(dict.fromkeys(k for m in figures for k in m))  # in order of first appearance
    x = np.array(inputs, dtype=float).reshape(len(ids), len(task.labels))
    return pd.DataFrame({
        "point_id": np.array(ids, dtype=np.int64), "scenario": names,
        "rep": np.zeros(len(ids), dtype=np.int64),
        **{lab: x[:, i] for i, lab in enumerate(task.labels)},
        **{k: np.array([m.get(k, np.nan) for m in figures], dtype=float) for k in keys},
    })


def tasks(plan: SweepPlan, skip: set[int] = frozenset()) -> Iterator[Task]:
    """The parts of a sweep as tasks, in order, leaving out the parts in `skip`."""
    bases = tuple(
        BaseSpec(b.name, str(b.file), b.raw,
                 tuple((p.label, tuple(p.parts)) for p in plan.params if b.name in p.applies_to))
        for b in plan.bases)
    labels = tuple(plan.labels)
    # a psa design prices each draw as compare does (auto), or strictly expected if asked
    method = ("auto" if plan.expected_replications and plan.spec.method != "expected"
              else plan.spec.method)
    vals = plan.points[list(labels)].to_numpy(dtype=float)
    ids = plan.points["point_id"].to_numpy()
    for part in range(plan.n_parts):
        if part in skip:
            continue
        lo, hi = part * plan.part_points, min((part + 1) * plan.part_points, plan.n_points)
        pts = tuple((int(ids[i]), tuple(float(x) for x in vals[i])) for i in range(lo, hi))
        yield Task(part, bases, labels, pts, plan.spec.replications, plan.spec.seed,
                   method, plan.expected_replications)


@dataclass
class SweepResult:
    """What `run_sweep` did: the folder, points and parts run now and before, and the time."""

    out: Path
    plan: SweepPlan
    computed_parts: int
    skipped_parts: int
    seconds: float
    executor: str
    files: list[Path] = field(default_factory=list)
    recomputed: list[str] = field(default_factory=list)  # parts found bad on resume
    analysis: dict[str, Any] | None = None  # `model.analysis.analysis_data`, when asked for

    def data(self) -> dict[str, Any]:
        """What was run, as plain data (for --format json)."""
        p = self.plan
        return {"sweep": p.spec.name, "file": str(p.file), "out": str(self.out),
                "design": p.spec.design.kind, "points": p.n_points,
                "replications": p.spec.replications, "seed": p.spec.seed,
                "scenarios": [{"name": b.name, "file": str(b.file), "hash": b.digest}
                              for b in p.bases],
                "computed_parts": self.computed_parts, "skipped_parts": self.skipped_parts,
                "seconds": round(self.seconds, 3), "executor": self.executor, "notes": p.notes(),
                "recomputed": list(self.recomputed)}

    def text(self, lang: str = "en") -> str:
        """What was run and where the results are (`model.report.analysis_text`)."""
        from model.report.analysis_text import sweep_run_text

        return sweep_run_text(self, lang)


def run_sweep(path: str | Path, out: str | Path, workers: int | None = None, resume: bool = False,
              scheduler: str | None = None, dask_local: int | None = None, quiet: bool = False,
              plan: SweepPlan | None = None, points: int | None = None,
              replications: int | None = None, lang: str = "en",
              metric: str | None = None) -> SweepResult:
    """Run a sweep into `out`: parts as they finish, then the summary and the manifest.

    Each part is summarised when it arrives (parts already on disk from an interrupted run are
    read back one at a time), so the summary never needs all rows at once. `points` and
    `replications` override the sweep file's (`load_sweep`). The folder is locked for the whole
    run: a second sweep into it is refused, not mixed in. With `metric`, the analysis ranked by
    it is read before the lock is let go (`SweepResult.analysis`): read after, a second sweep
    could hold the lock for the moment it takes to refuse itself, and refuse the reading too.
    """
    plan = plan or load_sweep(path, points=points, replications=replications)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), "", "exists and is not a folder; give a folder for "
                                  "the results")])
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(out, exc) from None
    with folder_lock(out):
        result = _run_locked(plan, out, workers, resume, scheduler, dask_local, quiet, lang)
        if metric is not None:
            from model.analysis import analysis_data

            result.analysis = analysis_data(out, metric)
    return result


def _run_locked(plan: SweepPlan, out: Path, workers: int | None, resume: bool,
                scheduler: str | None, dask_local: int | None, quiet: bool,
                lang: str = "en") -> SweepResult:
    from model.executors import make_executor
    from model.io import write_json
    from model.progress import progress

    skip, recomputed = check_resume(out, plan, resume)
    start = time.perf_counter()
    todo = list(tasks(plan, skip))
    done_points = plan.n_points - sum(len(t.points) for t in todo)
    units = plan_units(plan)
    summaries: dict[int, pd.DataFrame] = {}
    # the executor first: a scheduler that cannot be reached leaves the folder as it was
    executor = make_executor(workers=workers, scheduler=scheduler, dask_local=dask_local,
                             tasks=len(todo))
    try:
        write_json(out / MANIFEST, manifest(plan, "running"))
        write_points(out, plan)
        sv = lang == "sv"  # the progress line in the reader's language: "svep x: punkter 4/10"
        with progress(plan.n_points, f"{'svep' if sv else 'sweep'} {plan.spec.name}", quiet,
                      unit="punkter" if sv else "points", lang=lang) as tick:
            tick(done_points)
            for task, df in executor.map_unordered(run_task, todo):
                write_part(out, task.part, df, plan)
                summaries[task.part] = summarise_part(df, plan.labels, units)
                tick(len(task.points))
    except BaseException:
        executor.close(abort=True)  # Ctrl-C or an error: stop the workers now, keep the parts
        raise
    executor.close()
    seconds = time.perf_counter() - start
    for part in sorted(skip):
        summaries[part] = summarise_part(read_part(out, part), plan.labels, units)
    files = [write_summary(out, [summaries[k] for k in sorted(summaries)], plan.spec.name)]
    files.append(write_json(out / MANIFEST, manifest(
        plan, "complete", executor=executor.describe(), seconds_last_run=round(seconds, 3))))
    return SweepResult(out, plan, len(todo), len(skip), seconds, executor.describe(), files,
                       recomputed)
