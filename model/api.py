"""One call per CLI command: load, simulate, price, summarise and write, so `cli.py` stays thin."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from model import __version__
from model.io import write_json, write_table
from model.results import outcome_summary
from model.scenario import Scenario
from model.simulation import PARTICIPANT_COLUMNS, VISIT_COLUMNS, RunResult, simulate


@dataclass
class ScenarioResult:
    """Everything `insats run` shows and writes for one scenario."""

    run: RunResult
    outcomes: dict[str, pd.DataFrame]
    files: list[Path] = field(default_factory=list)

    def meta(self) -> dict[str, str]:
        sc = self.run.scenario
        return {"scenario": sc.name, "scenario_hash": sc.digest(), "seed": str(self.run.seed),
                "replications": str(self.run.replications), "version": __version__}


def run_scenario(sc: Scenario, replications: int | None = None, seed: int | None = None,
                 workers: int = 1, out: Path | None = None) -> ScenarioResult:
    """Simulate a scenario, summarise it and optionally write its tables to `out`."""
    run = simulate(sc, replications=replications, seed=seed, workers=workers)
    result = ScenarioResult(run=run, outcomes=outcome_summary(run))
    if out is not None:
        result.files = write_run(result, Path(out))
    return result


def write_run(result: ScenarioResult, out: Path) -> list[Path]:
    """Participant table and visit log as CSV and Parquet, plus a metadata file; each atomic."""
    meta = result.meta()
    files = []
    for name, df in (("participants", result.run.participants), ("visits", result.run.visits)):
        for suffix in (".csv", ".parquet"):
            files.append(write_table(out / f"{name}{suffix}", df, meta))
    files.append(write_table(out / "outcomes_per_rep.csv", result.outcomes["per_rep"]))
    files.append(write_json(out / "run.json", {
        **meta,
        "columns": {"participants": PARTICIPANT_COLUMNS, "visits": VISIT_COLUMNS},
    }))
    return files
