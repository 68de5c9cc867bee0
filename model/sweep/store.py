"""A sweep's folder: result parts, the points, the manifest (sweep.json) and the summary.

`parts/part-NNNNNN.parquet` holds one row per point x base scenario x replication (point id,
scenario, the input values and every metric), each written atomically and carrying its identity
(sweep hash, seed, part, rows; `model.sweep.integrity`), so an interrupted sweep resumes by
skipping the parts that are whole and its own, and recomputes any other. `summary.parquet` (mean
and 95 % interval per point) is computed part by part; `model.analysis` reads these files back.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from model import __version__
from model.errors import InputError, Problem
from model.sweep.integrity import expected_rows, part_identity, part_problem, read_manifest
from model.sweep.plan import SweepPlan
from model.sweep.spec import KEY_COLUMNS

PARTS_DIR = "parts"
MANIFEST = "sweep.json"
SUMMARY = "summary.parquet"
POINTS = "points.parquet"


def part_path(out: Path, part: int) -> Path:
    return out / PARTS_DIR / f"part-{part:06d}.parquet"


def done_parts(out: Path) -> set[int]:
    """Parts already written completely (atomic writes: a part on disk is whole)."""
    found = set()
    for f in (out / PARTS_DIR).glob("part-*.parquet"):
        m = re.fullmatch(r"part-(\d+)\.parquet", f.name)
        if m:
            found.add(int(m.group(1)))
    return found


def sweep_hash(plan: SweepPlan) -> str:
    """The sweep file's hash: what every part and the manifest are checked against."""
    return hashlib.sha256(plan.text.encode()).hexdigest()[:16]


def part_rows(plan: SweepPlan, part: int) -> int:
    """Rows a whole part holds: its points x base scenarios x replications."""
    points = min(plan.part_points, plan.n_points - part * plan.part_points)
    return expected_rows(points, len(plan.bases), plan.spec.replications)


def manifest(plan: SweepPlan, status: str, **extra: Any) -> dict[str, Any]:
    """The content of sweep.json: what was run, on what, with which code."""
    units = plan_units(plan)
    return {
        "name": plan.spec.name,
        "status": status,
        "version": __version__,
        "sweep_file": str(plan.file),
        "sweep_hash": sweep_hash(plan),
        "sweep_text": plan.text,
        "sweep": plan.spec.model_dump(mode="json"),
        "scenarios": [{"name": b.name, "file": str(b.file), "hash": b.digest,
                       "value_per_year": b.scenario.valuation.value_per_year} for b in plan.bases],
        "seed": plan.spec.seed,
        "replications": plan.spec.replications,
        "design": plan.spec.design.model_dump(mode="json", exclude_none=True),
        "n_points": plan.n_points,
        "points_per_part": plan.part_points,
        "n_parts": plan.n_parts,
        "groups": plan.groups,
        "pricing": ("expected result per draw (model.evaluate, method auto; "
                    f"{plan.expected_replications} simulated cohorts where no expected-value path)"
                    if plan.expected_replications else "simulated replications"),
        "parameters": [{"name": p.label, "path": p.spec.path, "applies_to": p.applies_to,
                        "base": p.base, "range": list(p.spec.span()), "dist": p.spec.dist,
                        "share": p.share} for p in plan.params],
        "problem": plan.problem,
        "notes": plan.notes(),
        "units": units,
        **extra,
    }


def check_resume(out: Path, plan: SweepPlan, resume: bool) -> tuple[set[int], list[str]]:
    """The parts to skip, and notes on parts found bad (to be recomputed).

    Refuses to mix results of a different sweep, scenario or version. Call it holding the
    folder's lock (`integrity.folder_lock`): the stale temporary files it removes are then no
    other sweep's.
    """
    mf = out / MANIFEST
    if not mf.exists():
        if done_parts(out):
            raise InputError([Problem(str(out), "", "holds result parts but no sweep.json; "
                                      "choose another --out")])
        return set(), []
    if not resume:
        raise InputError([Problem(str(out), "", "already holds a sweep; add --resume to continue "
                                  "it, or choose another --out")])
    old = read_manifest(out, MANIFEST)
    new = manifest(plan, "running")
    problems = []
    for key, what in (("sweep_hash", "the sweep file"), ("version", "the insats version"),
                      ("points_per_part", "the parts' size")):
        if old.get(key) != new[key]:
            problems.append(Problem(str(out), MANIFEST, f"{what} changed since the interrupted run "
                                    f"({old.get(key)} -> {new[key]}); start in a new folder"))
    if [s["hash"] for s in old.get("scenarios", [])] != [s["hash"] for s in new["scenarios"]]:
        problems.append(Problem(str(out), MANIFEST, "a base scenario changed since the interrupted "
                                "run (its hash differs); start in a new folder"))
    if problems:
        raise InputError(problems)
    for tmp in (out / PARTS_DIR).glob(".part-*.tmp"):
        tmp.unlink()
    skip, notes = set(), []
    for part in sorted(done_parts(out)):
        if part >= plan.n_parts:
            continue
        why = part_problem(part_path(out, part), new["sweep_hash"], plan.spec.seed, part,
                           part_rows(plan, part))
        if why:
            notes.append(f"{part_path(out, part).name} {why}; computed again")
        else:
            skip.add(part)
    return skip, notes


def write_points(out: Path, plan: SweepPlan) -> Path:
    from model.io import write_table

    return write_table(out / POINTS, plan.points, {"sweep": plan.spec.name})


def write_part(out: Path, part: int, df: pd.DataFrame, plan: SweepPlan) -> Path:
    from model.io import write_table

    return write_table(part_path(out, part), df, {
        "sweep": plan.spec.name, "version": __version__,
        **part_identity(sweep_hash(plan), plan.spec.seed, part, len(df))})


def read_part(out: str | Path, part: int) -> pd.DataFrame:
    import pyarrow.parquet as pq

    return pq.read_table(part_path(Path(out), part)).to_pandas()


def iter_parts(out: str | Path, columns: list[str] | None = None) -> Iterator[pd.DataFrame]:
    """The result parts one at a time, in part order (never all rows at once)."""
    import pyarrow.parquet as pq

    for f in sorted((Path(out) / PARTS_DIR).glob("part-*.parquet")):
        yield pq.read_table(f, columns=columns).to_pandas()


SUMMARY_STATS = ("mean", "lo", "hi", "median")


def summarise_part(df: pd.DataFrame, labels: list[str], units: dict[str, str]) -> pd.DataFrame:
    """Mean, 2.5th/97.5th percentiles and median over replications, per point and scenario.

    The same figures as `model.results.interval` (NaN left out), computed on each (point,
    scenario) block of a part at once with numpy. Long format: one row per point, scenario and
    metric, with the point's input values.
    """
    import warnings

    metrics = [c for c in df.columns if c not in (*KEY_COLUMNS, *labels)
               and pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])]
    df = df.sort_values(["point_id", "scenario", "rep"], kind="stable")
    keys = df[["point_id", "scenario"]].to_numpy()
    values = df[metrics].to_numpy(dtype=float)
    bounds = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1), True])
    rows: dict[str, list[Any]] = {k: [] for k in ("point_id", "scenario", *labels, "metric",
                                                  "unit", *SUMMARY_STATS)}
    unit_list = [units.get(m, "") for m in metrics]
    inputs = df[labels].to_numpy(dtype=float) if labels else np.zeros((len(df), 0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=RuntimeWarning)  # all-NaN metrics give NaN
        for lo, hi in itertools.pairwise(bounds):
            block = values[lo:hi]
            lo_q, med, hi_q = np.nanpercentile(block, [2.5, 50, 97.5], axis=0)
            mean = np.nanmean(block, axis=0)
            n = len(metrics)
            rows["point_id"] += [int(keys[lo, 0])] * n
            rows["scenario"] += [keys[lo, 1]] * n
            for j, lab in enumerate(labels):
                rows[lab] += [float(inputs[lo, j])] * n
            rows["metric"] += metrics
            rows["unit"] += unit_list
            for k, v in zip(SUMMARY_STATS, (mean, lo_q, hi_q, med), strict=True):
                rows[k] += v.tolist()
    out = pd.DataFrame(rows)
    out["point_id"] = out["point_id"].astype(np.int64)
    return out


def write_summary(out: str | Path, frames: list[pd.DataFrame] | None = None,
                  name: str = "") -> Path:
    """summary.parquet from per-part summaries (by default: from the parts, one at a time)."""
    from model.io import write_table

    out = Path(out)
    mf = read_manifest(out, MANIFEST)
    if frames is None:
        labels = [p["name"] for p in mf["parameters"]]
        frames = [summarise_part(df, labels, mf["units"]) for df in iter_parts(out)]
    summary = pd.concat(frames, ignore_index=True).sort_values(
        ["point_id", "scenario"], kind="stable").reset_index(drop=True)
    return write_table(out / SUMMARY, summary, {"sweep": mf["name"], "version": mf["version"]})


def plan_units(plan: SweepPlan) -> dict[str, str]:
    from model.economics import metric_units

    units: dict[str, str] = {}
    for b in plan.bases:
        units |= metric_units(b.scenario)
    return units
