"""Scenario sweeps: parameters, designs, executors, and results written part by part.

A sweep file (YAML, `SweepFile`) names one or more base scenarios, the parameters to vary (a path
into the raw scenario mapping, with a range and/or a distribution), a design (grid, Latin
hypercube, random draws for a PSA, one-way for a tornado, Sobol or Morris via SALib), the
replications per point and one seed. Every point and every base scenario is simulated on that
same seed (common random numbers), so differences between points and between programmes are not
replication noise.

Run, save, then analyse: `run_sweep` writes `parts/part-NNNNNN.parquet` (one row per point x base
scenario x replication: point id, scenario, the input values and every metric from `price`), each
part atomically, then `summary.parquet` (mean and 95 % interval per point) computed part by part,
and the manifest `sweep.json`. Parts are a fixed function of the design (points_per_part), so
`resume=True` skips the parts already on disk, and the results do not depend on the number of
workers or on the executor (local processes or Dask). `model.analysis` reads them back.

One module per stage: `paths` (where a parameter sits in a scenario, and setting it), `spec` (the
sweep file), `designs` (the points), `plan` (the file checked against its base scenarios),
`run` (tasks and their evaluation) and `store` (parts, manifest, summary).
"""

from __future__ import annotations

from model.lazy import lazy_names
from model.sweep.paths import SHARE_NODES, apply_values, get_value, is_share, parse_path

# The other stages load on first use (PEP 562): setting a path in a scenario (PSA draws, the
# check of a scenario's uncertain inputs when it is read) needs neither pandas nor the designs.
_HOME = {
    **dict.fromkeys(("DESIGNS", "Points", "design_points", "unit_problem"), "designs"),
    **dict.fromkeys(("Base", "ParamInfo", "SweepPlan", "check_points", "load_sweep",
                     "point_scenario"), "plan"),
    **dict.fromkeys(("BaseSpec", "SweepResult", "Task", "evaluate", "run_sweep", "run_task",
                     "tasks"), "run"),
    **dict.fromkeys(("DESIGN_KEYS", "KEY_COLUMNS", "Design", "DesignKind", "Parameter",
                     "SweepFile"), "spec"),
    **dict.fromkeys(("MANIFEST", "PARTS_DIR", "POINTS", "SUMMARY", "SUMMARY_STATS", "done_parts",
                     "iter_parts", "manifest", "part_path", "read_part", "summarise_part",
                     "write_part", "write_points", "write_summary"), "store"),
}


__getattr__ = lazy_names(__name__, _HOME)


__all__ = [
    "DESIGNS",
    "DESIGN_KEYS",
    "KEY_COLUMNS",
    "MANIFEST",
    "PARTS_DIR",
    "POINTS",
    "SHARE_NODES",
    "SUMMARY",
    "SUMMARY_STATS",
    "Base",
    "BaseSpec",
    "Design",
    "DesignKind",
    "ParamInfo",
    "Parameter",
    "Points",
    "SweepFile",
    "SweepPlan",
    "SweepResult",
    "Task",
    "apply_values",
    "check_points",
    "design_points",
    "done_parts",
    "evaluate",
    "get_value",
    "is_share",
    "iter_parts",
    "load_sweep",
    "manifest",
    "parse_path",
    "part_path",
    "point_scenario",
    "read_part",
    "run_sweep",
    "run_task",
    "summarise_part",
    "tasks",
    "unit_problem",
    "write_part",
    "write_points",
    "write_summary",
]
