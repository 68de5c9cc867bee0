"""One call per CLI command: load, simulate, price, summarise and write, so `cli.py` stays thin."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from model import __version__
from model.errors import InputError, OutputError, Problem
from model.io import RUN_MARKER, write_folder, write_json, write_table
from model.load import load_scenario
from model.scenario import Scenario
from model.scenario.assumptions import (
    assumption_warnings,
    double_counting_note,
    gross_effect_note,
)

# pandas, the engine, pricing and the PSA are imported where they are used, so that `validate`,
# `--help` and exact mode start without them (issue 11: start-up)
if TYPE_CHECKING:
    from concurrent.futures import Executor

    import pandas as pd

    from model.economics import Priced
    from model.simulation import RunResult
    from model.sweep.plan import SweepPlan


@dataclass
class ScenarioResult:
    """Everything `insats run` shows and writes for one scenario."""

    run: RunResult
    priced: Priced
    outcomes: dict[str, pd.DataFrame]
    economics: pd.DataFrame
    files: list[Path] = field(default_factory=list)

    @property
    def scenario(self) -> Scenario:
        return self.run.scenario

    def meta(self) -> dict[str, str | int]:
        sc = self.run.scenario
        return {"scenario": sc.name, "scenario_hash": sc.digest(), "seed": self.run.seed,
                "replications": self.run.replications, "version": __version__,
                "gross_effect": gross_effect_note(sc, "en"),
                "double_counting": double_counting_note(sc, "en")}


def run_scenario(sc: Scenario, replications: int | None = None, seed: int | None = None,
                 workers: int = 1, out: Path | None = None,
                 on_rep: Callable[[int], None] | None = None, ledger: bool = True,
                 pool: Executor | None = None) -> ScenarioResult:
    """Simulate a scenario (and its reference, if any), price it, summarise, optionally write.

    `on_rep(n)` is called as replications finish, for progress bars. With `ledger=False` (and
    nothing written) the actor ledger and monthly flows are not built (`compare` shows neither).
    `pool`: worker processes to run on, shared with other work (`answer`); the same results.
    """
    from model.executors import Started

    return Started(_run_scenario_steps(sc, replications, seed, workers, out, on_rep, ledger,
                                       pool)).result()


def _run_scenario_steps(sc: Scenario, replications: int | None = None, seed: int | None = None,
                        workers: int = 1, out: Path | None = None,
                        on_rep: Callable[[int], None] | None = None, ledger: bool = True,
                        pool: Executor | None = None
                        ) -> Generator[None, None, ScenarioResult]:
    """`run_scenario` as steps (`model.executors.Started`): on a shared pool, a scenario without
    a reference yields once its chunks are queued (`answer` queues every scenario's at once);
    one with a reference runs to the end at once (its two runs and pricing in turn)."""
    ledger = ledger or out is not None
    from model.economics import metric_units, price, simulate_and_price_steps
    from model.results import economics_summary, outcome_summary
    from model.simulation import simulate

    ref_path = sc.reference_path()
    if ref_path is None:  # each worker prices the replications it simulates
        run, priced = yield from simulate_and_price_steps(sc, replications, seed, workers, on_rep,
                                                          ledger, pool)
    else:
        run = simulate(sc, replications=replications, seed=seed, workers=workers, on_rep=on_rep,
                       pool=pool)
        ref_sc = load_scenario(ref_path)
        reference = simulate(ref_sc, replications=run.replications, seed=run.seed,
                             workers=workers, pool=pool)
        priced = price(run, reference, ledger=ledger)
    result = ScenarioResult(run=run, priced=priced, outcomes=outcome_summary(run),
                            economics=economics_summary(priced.metrics, metric_units(sc)))
    if out is not None:
        result.files = write_run(result, Path(out))
    return result


def write_run(result: ScenarioResult, out: Path) -> list[Path]:
    """Participant table, visit log, metrics, ledger and summaries (CSV and Parquet).

    The folder is written whole (`model.io.write_folder`): an interrupted rerun leaves the previous
    run's folder as it was, never files of two runs side by side.
    """
    from model.simulation import PARTICIPANT_COLUMNS, VISIT_COLUMNS

    meta = result.meta()
    tables = {
        "participants": result.run.participants,
        "visits": result.run.visits,
        "metrics": result.priced.metrics,
        "ledger": result.priced.ledger,
    }

    def write(folder: Path) -> list[Path]:
        files = []
        for name, df in tables.items():
            for suffix in (".csv", ".parquet"):
                files.append(write_table(folder / f"{name}{suffix}", df, meta))
        files.append(write_table(folder / "summary.csv", result.economics, meta))
        files.append(write_table(folder / "outcomes_per_rep.csv", result.outcomes["per_rep"], meta))
        files.append(write_json(folder / RUN_MARKER, {
            **meta,
            "columns": {"participants": PARTICIPANT_COLUMNS, "visits": VISIT_COLUMNS},
            # the manifest: a rerun replaces this folder only if it holds nothing else
            "files": sorted([f.name for f in files] + [RUN_MARKER]),
        }))
        return files

    return write_folder(out, write)


def compare_scenarios(scenarios: list[Scenario], replications: int | None = None,
                      seed: int | None = None, workers: int = 1,
                      on_rep: Callable[[int], None] | None = None) -> list[ScenarioResult]:
    """Run several programmes on the same seed (common random numbers) for a side-by-side view."""
    return [run_scenario(sc, replications=replications, seed=seed, workers=workers, on_rep=on_rep)
            for sc in scenarios]


def expected_answer(sc: Scenario, file: str) -> tuple[object, list[dict]]:
    """Exact mode: exit shares and months (absorbing chain) and every economic figure of the
    expected run (the expected-value path), as summary records (metric, unit, mean, lo, hi,
    median: the mean only; records, not a table, so that exact mode starts without pandas)."""
    from model.economics import metric_units
    from model.evaluate import expected_metrics, why_not_expected
    from model.exact import solve_exact

    reason = why_not_expected(sc)
    if reason is not None:
        raise InputError([Problem(file, "", f"exact mode cannot price this scenario: {reason}; "
                                  "use the simulation (--method des)")])
    m = expected_metrics(sc, checked=True)
    summary = [{"metric": k, "unit": u, "mean": m[k], "lo": m[k], "hi": m[k], "median": m[k]}
               for k, u in metric_units(sc).items() if k in m]
    return solve_exact(sc, file), summary


@dataclass
class NoRun:
    """Exact mode simulates nobody: no seed, no replications (what provenance records say)."""

    seed: None = None
    replications: int = 0


@dataclass
class ExpectedResult:
    """What `insats run --method exact` shows and writes: the absorbing chain's exit shares
    (`exact`), the expected run priced in full (figures, ledger, flows, actors) and its summary
    records, shaped as a simulated run's so that the same records, actor table and files apply."""

    scenario: Scenario
    exact: object
    summary: list[dict]
    priced: Priced
    files: list[Path] = field(default_factory=list)
    run: NoRun = field(default_factory=NoRun)

    @property
    def economics(self) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(self.summary)

    def meta(self) -> dict[str, str | int | None]:
        sc = self.scenario
        return {"scenario": sc.name, "scenario_hash": sc.digest(), "seed": None,
                "replications": 0, "method": "expected", "version": __version__,
                "gross_effect": gross_effect_note(sc, "en"),
                "double_counting": double_counting_note(sc, "en")}


def expected_result(sc: Scenario, file: str, out: Path | None = None) -> ExpectedResult:
    """Exact mode in full: `expected_answer`'s figures, with the priced expected run (ledger,
    monthly flows, per-actor figures); with `out`, its tables are written as `run --out` writes
    a simulated run's (no participant or visit tables: nobody is simulated)."""
    from model.evaluate import expected_priced

    exact, summary = expected_answer(sc, file)
    res = ExpectedResult(sc, exact, summary, expected_priced(sc, checked=True))
    if out is not None:
        res.files = _write_expected(res, Path(out))
    return res


def _write_expected(res: ExpectedResult, out: Path) -> list[Path]:
    meta = res.meta()
    tables = {"metrics": res.priced.metrics, "ledger": res.priced.ledger,
              "actors": res.priced.actors}

    def write(folder: Path) -> list[Path]:
        files = []
        for name, df in tables.items():
            for suffix in (".csv", ".parquet"):
                files.append(write_table(folder / f"{name}{suffix}", df, meta))
        files.append(write_table(folder / "summary.csv", res.economics, meta))
        files.append(write_json(folder / RUN_MARKER, meta))
        return files

    return write_folder(out, write)


def calibrate_files(paths: list[Path], out: Path | None, workers: int = 1, quiet: bool = True,
                    force: bool = False, max_evaluations: int | None = None, lang: str = "sv",
                    on_note: Callable[[str], None] | None = None) -> tuple[object, list[Path]]:
    """`insats calibrate`: the targets file is the last path; scenarios before it replace its list.
    Writes into `out` (a new folder, never one that holds an input) only when the runs converged
    or `force` is given. Before sampling, a method with more likelihood evaluations than the cap is
    refused, and `on_note` is given a note when the sampling will take long."""
    from model.io import check_new_files
    from model.progress import progress
    from model.psa.calibrate import calibrate, load_targets
    from model.psa.calibrate_size import check_calibration, evaluations
    from model.psa.writeback import OUTPUT_NAMES, refuse_input_folder, write_outputs

    spec, scs = load_targets(paths[-1])
    if len(paths) > 1:
        scs = [load_scenario(p) for p in paths[:-1]]
    if out is not None:  # before the sampling: never over an input nor a file it did not write
        check_new_files(out, [*(f"{sc.source_file.stem if sc.source_file else sc.name}.yaml"
                                for sc in scs), *OUTPUT_NAMES])
        refuse_input_folder(Path(out), [Path(paths[-1]), *(sc.source_file for sc in scs)])
    note = check_calibration(spec, scs, max_evaluations, lang, workers)
    if note and on_note is not None:
        on_note(note)
    total = evaluations(spec.method)
    what = f"kalibrering {spec.name}" if lang == "sv" else f"calibrate {spec.name}"
    with progress(total, what, quiet, lang=lang) as tick:
        cal = calibrate(spec, scs, on_step=tick, workers=workers)
    try:
        files = write_outputs(cal, Path(out)) if out is not None and (cal.converged or force) else []
    except OutputError as exc:
        exc.calibration = cal   # the caller can still show what the sampling found
        raise
    return cal, files


def draws_planned(scenarios: list[Scenario], draws: int | None, uncertainty: bool) -> int:
    """How many parameter draws `answer` will make (for a progress bar's total; 0 if none)."""
    if not uncertainty or not any(sc.has_uncertainty() for sc in scenarios):
        return 0
    if draws:
        return draws
    from model.evaluate import why_not_expected
    from model.psa.run import default_draws

    return default_draws(scenarios, all(why_not_expected(sc) is None for sc in scenarios))


def check_run_size(scenarios: list[Scenario], replications: int | None = None, workers: int = 1,
                   max_memory: str | None = None, per_run: bool = False) -> str:
    """Refuse runs too big for the memory limit (InputError); a note if they will take long.

    Each scenario's reference scenario runs too and is counted. `per_run`: the runs are one step
    of a search (`insats threshold`), and the note speaks of each.
    """
    from model.limits import check_sizes, estimate, usable_workers

    sizes = []
    for sc in scenarios:
        sizes.append((str(sc.source_file or sc.name), estimate(sc, replications), sc))
        ref = sc.reference_path()
        if ref is not None:
            reps = replications or sc.simulation.replications
            sizes.append((str(ref), estimate(load_scenario(ref), reps), None))
    reps = max(s.replications for _, s, _ in sizes)
    return check_sizes(sizes, usable_workers(workers, reps), memory_limit(max_memory),
                       "each model run" if per_run else "this run")


def check_draws_size(scenarios: list[Scenario], draws: int | None, uncertainty: bool,
                     workers: int = 1, max_memory: str | None = None, lang: str = "en") -> str:
    """Refuse parameter draws too big for the memory limit (InputError naming --draws); a note
    if they will take long, as `check_run_size` does for replications (`model.psa.size`)."""
    n = draws_planned(scenarios, draws, uncertainty)
    if n == 0:
        return ""
    from model.psa.size import check_draws

    return check_draws(scenarios, n, workers, memory_limit(max_memory), lang)


def check_sweep_size(plan: SweepPlan, workers: int | None = None,
                     max_memory: str | None = None) -> str:
    """Refuse a sweep with a point that cannot run (InputError); a note if it will take long."""
    from model.limits import check_sweep, usable_workers

    if plan.size is None:
        return ""
    return check_sweep(plan.size, str(plan.file), usable_workers(workers, plan.n_parts),
                       memory_limit(max_memory))


def memory_limit(text: str | None) -> float | None:
    """--max-memory as bytes (None: the default limit); a problem if it is not a size."""
    from model.limits import parse_memory

    if text is None:
        return None
    try:
        return parse_memory(text)
    except ValueError as exc:
        raise InputError([Problem("--max-memory", "", str(exc))]) from None


def input_files(scenarios: list[Scenario], sweeps: list[Path] | None = None) -> list[Path]:
    """The files a command reads: scenarios, their references, the sweep folders' files."""
    files = [f for sc in scenarios for f in (sc.source_file, sc.reference_path()) if f is not None]
    for folder in sweeps or []:
        files += [p for p in Path(folder).rglob("*") if p.is_file()]
    return files


def total_replications(scenarios: list[Scenario], replications: int | None = None) -> int:
    """How many replications a run of these scenarios makes (for a progress bar's total)."""
    return sum(replications or sc.simulation.replications for sc in scenarios)


def validate_paths(paths: list[Path], max_memory: str | None = None
                   ) -> tuple[list[str], list[Problem]]:
    """Validate scenario and sweep files (folders searched recursively): ok lines and problems.

    A file with top-level `design` and `parameters` or `scenarios` is a sweep file and is checked as
    one (a PSA sweep of the scenarios' own uncertainty has no `parameters`); one with
    `components` is a unit-cost group, one with `index` and `base` the KPI table, one with
    `targets` a calibration targets file. A valid scenario that leaves out an assumption or counts
    a loss twice gets a warning line (not a problem). Scenarios and sweeps are also checked for
    their size (`model.limits`): a run that needs more memory than the limit with the file's own
    replications, or a loop that almost never ends, is a problem.
    """
    from model.limits import estimate, size_problems, sweep_problems
    from model.scenario import line_of, load_yaml, scenario_files
    from model.sweep.spec import is_sweep
    from model.unit_costs import file_kind, load_kpi, load_unit_costs

    limit = memory_limit(max_memory)

    ok: list[str] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            files = scenario_files(path, recursive=True)
        except InputError as exc:
            problems += exc.problems
            continue
        for f in files:
            try:
                raw, node = load_yaml(f)
                kind = file_kind(raw)
                if kind == "unit_costs":
                    group = load_unit_costs(f)
                    ok.append(f"{f}: ok (unit costs, {group.label}, {len(group.components)} "
                              "components)")
                elif kind == "kpi":
                    kpi = load_kpi(f)
                    ok.append(f"{f}: ok (KPI table, {kpi.years[0]}–{kpi.years[-1]})")
                elif is_sweep(raw):
                    from model.sweep import load_sweep

                    plan = load_sweep(f)
                    found = [] if plan.size is None else sweep_problems(plan.size, str(f), limit)
                    if found:
                        raise InputError(found)
                    ok.append(f"{f}: ok (sweep, {plan.n_points} points)")
                elif "targets" in raw:
                    from model.psa.calibrate import load_targets

                    spec, scs = load_targets(f)
                    ok.append(f"{f}: ok (calibration targets, {len(spec.targets)} targets, "
                              f"{len(scs)} scenarios)")
                else:
                    sc = load_scenario(f)
                    found = size_problems(estimate(sc), str(f), limit, sc)
                    if found:
                        raise InputError([Problem(p.file, p.path, p.message, p.value,
                                                  line_of(node, p.path)) for p in found])
                    ok.append(f"{f}: ok ({sc.title}, hash {sc.digest()})")
                    ok += [f"  normalised: {note}" for note in sc.normalised]
                    ok += [f"  warning: {w}" for w in assumption_warnings(sc, "en")]
            except InputError as exc:
                problems += exc.problems
    return ok, problems


def load_for_compare(paths: list[Path]) -> list[Scenario]:
    """The scenarios to compare: files, or every scenario in a folder; at least two."""
    from model.scenario import scenario_files

    scenarios = [load_scenario(f) for p in paths for f in scenario_files(p)]
    if len(scenarios) < 2:
        raise InputError([Problem(str(paths[0]), "", "compare needs at least two scenarios")])
    refuse_duplicate_names(scenarios)
    return scenarios


def refuse_duplicate_names(scenarios: list[Scenario]) -> None:
    """InputError (exit 2) when two compared files give the same `name:`: results, draws and
    columns are keyed by name, so one programme's figures would stand in both places."""
    seen: dict[str, Scenario] = {}
    problems = []
    for sc in scenarios:
        first = seen.setdefault(sc.name, sc)
        if first is not sc:
            problems.append(Problem(
                str(sc.source_file), "name",
                f"the same name as {first.source_file}: programmes compared together need "
                "different names (change `name:` in one of the files)", sc.name))
    if problems:
        raise InputError(problems)


def schema_text(markdown: bool = False) -> str:
    """The scenario schema as text: JSON Schema for editors, or the Markdown reference page."""
    import json

    from model.scenario.reference import json_schema
    from model.scenario.reference import markdown as reference

    if markdown:
        return reference()
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
