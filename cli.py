"""The `insats` command line: parses arguments, calls one model function, prints the result."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from enum import StrEnum
from functools import partial, wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperOption

from model import __version__
from model.errors import InputError, OutputError
from model.lang import in_lang
from model.numbers import MAX_REPLICATIONS
from model.terminal import printable

# Help as people read it: a flag is shown without a type (Typer 0.29 prints `--help <bool>`), and a
# description is one paragraph rewrapped to the terminal (markdown mode joins the docstring's
# line breaks; the default rich mode kept them, breaking lines mid-sentence)
_shown_type = TyperOption.display_type_rich
TyperOption.display_type_rich = lambda self, ctx: None if self.is_flag else _shown_type(self, ctx)

app = typer.Typer(
    rich_markup_mode="markdown",
    add_completion=False,
    pretty_exceptions_show_locals=False,
    no_args_is_help=True,
    help="insats: does this labour-market programme pay for itself, for whom, and how sure are we?",
)


class Lang(StrEnum):
    sv = "sv"
    en = "en"


class Format(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


class Method(StrEnum):
    des = "des"
    exact = "exact"


_SWEEP_METHOD = {Method.des: "des", Method.exact: "expected"}  # --method -> a sweep file's method


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that clean-up runs as for Ctrl-C."""


def _terminated(signum: int, frame: Any) -> None:
    raise Terminated


def _say(text: str, err: bool = False, nl: bool = True) -> None:
    """Print text from files and tables without terminal escapes or unprintable characters."""
    typer.echo(printable(text), err=err, nl=nl)


def _cli_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Input problems: every one listed (file, path, value, what is allowed), exit 2. An output
    that cannot be written: one line, exit 1. Ctrl-C: one line, exit 130 (SIGTERM 143). Never a
    traceback for these."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        main = threading.current_thread() is threading.main_thread()  # signals need the main thread
        previous = signal.signal(signal.SIGTERM, _terminated) if main else None
        from model.io import forget_inputs

        forget_inputs()  # the files read by an earlier command in this process are not inputs
        lang = getattr(kwargs.get("lang"), "value", "en")  # commands without --lang: English
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            for line in exc.lines(lang):
                _say(line, err=True)
            raise typer.Exit(code=2) from None
        except OutputError as exc:
            _say(f"insats: {exc.text(lang)}", err=True)
            raise typer.Exit(code=1) from None
        except Terminated:
            _say("insats: " + in_lang(lang, "avslutad", "terminated"), err=True)
            raise typer.Exit(code=143) from None
        except KeyboardInterrupt:
            _say("insats: " + in_lang(lang, "avbruten", "interrupted"), err=True)
            raise typer.Exit(code=130) from None
        except OSError as exc:  # an input or output failure no step named: still one line
            where = f"{exc.filename}: " if exc.filename else ""
            _say(f"insats: {where}{exc.strerror or exc}", err=True)
            raise typer.Exit(code=1) from None
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)

    return wrapper


FileArg = Annotated[Path, typer.Argument(help="Scenario file (YAML)")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Labels and number format")]
FormatOpt = Annotated[Format, typer.Option("--format", help="table, csv or json")]
RepsOpt = Annotated[int | None, typer.Option("--reps", min=1, max=MAX_REPLICATIONS,
                                             help="Replications")]
SeedOpt = Annotated[int | None, typer.Option("--seed", min=0, help="Random seed")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="Worker processes")]
QuietOpt = Annotated[bool, typer.Option("--quiet", help="No progress bars (for scripts)")]
DrawsOpt = Annotated[int | None, typer.Option(
    "--draws", min=1, max=100_000, help="Parameter draws for the uncertainty answer")]
NoUncertaintyOpt = Annotated[bool, typer.Option(
    "--no-uncertainty", help="Skip the parameter draws; show the simulated cohorts only")]
TableOrJsonOpt = Annotated[TableOrJson, typer.Option("--format", help="table or json")]
MemoryOpt = Annotated[str | None, typer.Option(
    "--max-memory", help="Refuse runs estimated to need more memory than this (default 8G), e.g. 16G")]


@app.command()
@_cli_errors
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario files or folders")],
             max_memory: MemoryOpt = None) -> None:
    """Check scenario and sweep files (folders recursively); every problem at once, exit 2.

    A scenario is also checked for its size: runs that would need more memory than the limit,
    with the scenario's own replications, and loops that almost never end are problems.
    """
    from model.api import validate_paths

    ok, problems = validate_paths(files, max_memory=max_memory)
    for line in ok:
        _say(line)
    if problems:
        raise InputError(problems)


@app.command()
@_cli_errors
def run(
    file: FileArg,
    reps: RepsOpt = None,
    seed: SeedOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for tables")] = None,
    method: Annotated[Method, typer.Option("--method", help="des or exact")] = Method.des,
    workers: WorkersOpt = 1,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.sv,
    quiet: QuietOpt = False,
    draws: DrawsOpt = None,
    no_uncertainty: NoUncertaintyOpt = False,
    max_memory: MemoryOpt = None,
) -> None:
    """Simulate one scenario and show outcomes and economics (and, when it declares uncertainty,
    the parameter-uncertainty answer first)."""
    from model.load import load_scenario

    if method == Method.exact:
        return _run_exact(load_scenario(file), file, out, fmt, lang)
    ans = _answered(lambda: [load_scenario(file)], None, reps, seed, workers, draws,
                    no_uncertainty, max_memory, quiet, lang, out=out)
    result = ans.results[0]
    if fmt != Format.table:
        from model.report.actor_view import with_actor_records
        from model.report.records import run_records

        _emit(_with_draws(with_actor_records(run_records(result, lang.value, ans.psa), [result],
                                            lang.value),
                          ans), fmt)
        return
    from model.report.actor_view import actor_text
    from model.report.tables import run_text

    said = _verdict_text(ans, lang)
    if said:
        _say(said + "\n")
    _echo_uncertainty(ans, lang)
    _say(run_text(result, file, __version__, lang.value, ans.psa))
    _say("\n" + actor_text([result], lang.value))
    if said:
        _say("\n" + said)
    if out is not None:
        _say("\n" + _in(lang, f"Skrev {len(result.files)} filer till {out}",
                         f"Wrote {len(result.files)} files to {out}"))


def _answered(load: Callable[[], list[Any]], what: str | None, reps: int | None,
              seed: int | None, workers: int, draws: int | None, no_uncertainty: bool,
              max_memory: str | None, quiet: bool, lang: Lang, **options: Any) -> Any:
    """What `run` and `compare` show (`model.answer.answer`, `options` passed on): the scenarios
    read by `load` while the workers start (`answer_workers`), their size checked, with a
    progress bar named `what` (None: the one scenario's title)."""
    from model.answer import answer, answer_workers
    from model.api import check_draws_size, check_run_size, draws_planned, total_replications

    with answer_workers(workers, not no_uncertainty, freeze=True) as early:
        scenarios = load()
        from model.progress import progress

        _note(check_run_size(scenarios, reps, workers, max_memory), lang)
        _note(check_draws_size(scenarios, draws, not no_uncertainty, workers, max_memory,
                               lang.value), lang)
        total = total_replications(scenarios, reps) + draws_planned(scenarios, draws,
                                                                    not no_uncertainty)
        label = scenarios[0].title if what is None else what
        with progress(total, label, quiet, unit=_steps_word(lang), lang=lang.value) as tick:
            return answer(scenarios, reps, seed, workers, not no_uncertainty, draws, tick, tick,
                          early=early, **options)


def _run_exact(sc: Any, file: Path, out: Path | None, fmt: Format, lang: Lang) -> None:
    """`run --method exact`: the expected run (absorbing chain), no simulation or draws."""
    from model.api import expected_result
    from model.report.actor_view import actor_text, with_actor_records
    from model.report.records import expected_records
    from model.report.tables import economics_text, exact_text, warning_lines

    res = expected_result(sc, str(file), out)
    if fmt != Format.table:
        _emit(with_actor_records(expected_records(res, lang.value), [res], lang.value), fmt)
        return
    _say(f"{sc.title}  [{file}, hash {sc.digest()}, insats {__version__}]")
    for line in warning_lines(sc, lang.value):
        _say(line)
    _say(exact_text(sc, res.exact, lang.value))
    _say("")
    _say(economics_text(sc, res.summary, lang.value))
    _say("\n" + actor_text([res], lang.value))
    if out is not None:
        _say("\n" + _in(lang, f"Skrev {len(res.files)} filer till {out}",
                         f"Wrote {len(res.files)} files to {out}"))


def _in(lang: Lang, sv: str, en: str) -> str:
    """`model.lang.in_lang` for the CLI's language option."""
    return in_lang(lang.value, sv, en)


def _note(text: str, lang: Lang = Lang.en) -> None:
    """A warning before a run (e.g. that it will take long), on stderr, in `lang`."""
    if text:
        from model.messages import translate

        _say(f"insats: {translate(text, lang.value)}", err=True)


def _with_draws(records: Any, ans: Any, choice: bool = False) -> Any:
    from model.report.decision_view import with_draw_records

    return with_draw_records(records, ans, choice)


def _verdict_text(ans: Any, lang: Lang) -> str:
    """The screen's one verdict (`model.report.verdict`), over the draws: its first and its last
    sentence ("" without a PSA: the tables then end with the verdict over the runs)."""
    if ans.psa is None:
        return ""
    from model.report.tables import wrap
    from model.report.verdict import verdict

    return wrap(_in(lang, "Slutsats: ", "Verdict: ") + verdict(ans.results, ans.psa, lang.value).text)


def _echo_uncertainty(ans: Any, lang: Lang, choice: bool = False) -> None:
    from model.report.decision_view import uncertainty_text

    if ans.psa is not None:
        _say(uncertainty_text(ans, lang.value, choice))


def _steps_word(lang: Lang) -> str:
    """What progress lines count for run and compare: simulated runs and parameter draws."""
    return _in(lang, "körningar och dragningar", "runs and draws")


def _emit_json(data: Any) -> None:
    """Print plain data as JSON (UTF-8 text, not escaped)."""
    import json

    _say(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def _emit(df: Any, fmt: Format) -> None:
    """Print a tidy table as CSV (cells safe from formula injection) or JSON records."""
    from model.io import csv_text

    if fmt == Format.csv:
        _say(csv_text(df), nl=False)
    else:
        _say(df.to_json(orient="records", force_ascii=False, indent=1))


@app.command()
@_cli_errors
def compare(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files, or a folder of them")],
    reps: RepsOpt = None,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.sv,
    wide: Annotated[bool, typer.Option("--wide", help="Every column: the 95 % intervals too")] = False,
    quiet: QuietOpt = False,
    draws: DrawsOpt = None,
    no_uncertainty: NoUncertaintyOpt = False,
    max_memory: MemoryOpt = None,
) -> None:
    """Programmes side by side: with declared uncertainty, intervals and P(A beats B) over
    parameter draws; then the simulated cohorts at base values (same seed): A − B paired by run,
    the clearly better one, and the share of runs in which A beats B."""
    from model.api import load_for_compare

    # compare shows no ledger or flows, and shows the value of information
    ans = _answered(lambda: load_for_compare(paths), _in(lang, "Räknar", "Computing"), reps,
                    seed, workers, draws, no_uncertainty, max_memory, quiet, lang, ledger=False,
                    voi=True)
    if fmt != Format.table:
        from model.report.actor_view import with_actor_records
        from model.report.records import compare_records, machine_records

        records = _with_draws(with_actor_records(compare_records(ans.results, lang.value, ans.psa),
                                                 ans.results, lang.value), ans, choice=True)
        _emit(machine_records(records, ans.scenarios, lang.value), fmt)
        return
    from model.report.actor_view import actor_text
    from model.report.tables import compare_text

    said = _verdict_text(ans, lang)  # the verdict over draws, first and last; else in the table
    if said:
        _say(said + "\n")
    _echo_uncertainty(ans, lang, choice=True)
    _say(compare_text(ans.results, __version__, lang.value, wide, ans.psa))
    _say("\n" + actor_text(ans.results, lang.value))
    if said:
        _say("\n" + said)


@app.command()
@_cli_errors
def calibrate(
    paths: Annotated[list[Path], typer.Argument(
        help="TARGETS.yaml, or SCENARIO... TARGETS.yaml (the scenarios replace the file's list)")],
    out: Annotated[Path | None, typer.Option(
        "--out", help="Folder for the calibrated scenarios (their uncertainty draws the "
        "posterior sets jointly)")] = None,
    workers: WorkersOpt = 1,
    lang: LangOpt = Lang.sv,
    quiet: QuietOpt = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Write the sets even if the runs did not converge (marked converged: "
        "false, with a warning wherever they are used)")] = False,
    max_evaluations: Annotated[int | None, typer.Option(
        "--max-evaluations", min=1, help="Refuse a method with more likelihood evaluations than "
        "this (runs × (start_pool + walkers × steps); default 10 000 000)")] = None,
) -> None:
    """Fit uncertain inputs to reported figures (ensemble MCMC from the declared priors): the
    convergence diagnostics, prior against posterior, the fit, and the posterior sets written
    back as scenarios into a new folder. Exit 1 (nothing written) if the runs did not converge."""
    from model.api import calibrate_files
    from model.report.calibration_view import calibration_text

    try:
        cal, files = calibrate_files(paths, out, workers, quiet, force, max_evaluations,
                                     lang.value, partial(_note, lang=lang))
    except OutputError as exc:   # the outputs failed after the sampling: show what it found
        if getattr(exc, "calibration", None) is not None:
            _say(calibration_text(exc.calibration, [], lang.value))
        raise
    _say(calibration_text(cal, files, lang.value))
    if not cal.converged:
        if force and files:
            typer.echo(_in(lang, "varning: kalibreringen konvergerade inte; uppsättningarna skrevs "
                           "med converged: false på grund av --force",
                           "warning: the calibration did not converge; the sets were written with "
                           "converged: false because of --force"), err=True)
        else:
            typer.echo(_in(lang, "kalibreringen konvergerade inte (se tabellen): inget skrevs; kör "
                           "längre (method.steps), eller --force för att skriva ändå",
                           "the calibration did not converge (see the table): nothing written; run "
                           "longer (method.steps), or --force to write anyway"), err=True)
            raise typer.Exit(code=1)


@app.command()
@_cli_errors
def fit(
    records: Annotated[Path, typer.Argument(help="Participant records (CSV, one row per participant)")],
    data_date: Annotated[str, typer.Option("--data-date", help="Date the records were taken "
                                           "(YYYY-MM-DD): those without an exit were enrolled then")],
    out: Annotated[Path, typer.Option("--out", help="The fitted scenario to write (YAML)")],
    base: Annotated[Path | None, typer.Option("--base", help="Keep everything else of this "
                                              "scenario (costs, counterfactual, valuation)")] = None,
    reasons: Annotated[str | None, typer.Option("--reasons", help="Exit reasons to exit states, "
                                                "e.g. work=arbete,studies=studier")] = None,
    month_zero: Annotated[str | None, typer.Option("--month-zero", help="Date of month 0 "
                                                   "(default: the 1st of the first entry's month)")] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Also write the fit report (HTML)")] = None,
    seed: Annotated[int, typer.Option("--seed", min=0, help="Seed of the bootstrap")] = 20140227,
    boot: Annotated[int, typer.Option("--boot", min=20, max=5000, help="Bootstrap resamples")] = 200,
    lang: LangOpt = Lang.sv,
) -> None:
    """Fit a scenario to a project's participant records: stay (Kaplan-Meier, parametric by AIC),
    destinations (Aalen-Johansen), intake, population shares, and their bootstrap uncertainty."""
    from model.fit import fit_file
    from model.fit.report import fit_text

    done = fit_file(records, data_date, out, base, reasons, month_zero, seed, boot, report, lang.value)
    _say(fit_text(done, lang.value))


@app.command()
@_cli_errors
def sweep(
    file: Annotated[Path, typer.Argument(help="Sweep file (YAML)")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the results")],
    workers: Annotated[int | None, typer.Option("--workers", min=1,
                                                help="Local worker processes (default: all cores)")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted sweep")] = False,
    scheduler: Annotated[str | None, typer.Option("--scheduler",
                                                  help="Dask scheduler address, tcp://host:port")] = None,
    dask_local: Annotated[int | None, typer.Option("--dask-local", min=1,
                                                   help="Start a local Dask cluster of N workers")] = None,
    points: Annotated[int | None, typer.Option(
        "--points", min=1, help="Draws of an lhs/random design (n of sobol/morris), instead of the file's")
    ] = None,
    reps: Annotated[int | None, typer.Option("--reps", min=1,
                                             help="Replications per point, instead of the file's")] = None,
    metric: Annotated[str, typer.Option("--metric", help="Metric the analysis ranks by")] = "npv",
    fmt: TableOrJsonOpt = TableOrJson.table,
    lang: LangOpt = Lang.sv,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar")] = False,
    max_memory: MemoryOpt = None,
    method: Annotated[Method | None, typer.Option(
        "--method", help="des (simulate) or exact (expected-value path), instead of the file's")] = None,
) -> None:
    """Run a parameter sweep (grid, LHS, PSA, one-way, Sobol, Morris), save it, print the analysis."""
    from model.api import check_sweep_size
    from model.report.analysis_text import analysis_text
    from model.sweep import load_sweep, run_sweep

    plan = load_sweep(file, points=points, replications=reps,
                      method=None if method is None else _SWEEP_METHOD[method])
    _note(check_sweep_size(plan, dask_local or workers, max_memory), lang)
    try:
        result = run_sweep(file, out, workers=workers, resume=resume, scheduler=scheduler,
                           dask_local=dask_local, quiet=quiet, plan=plan, lang=lang.value,
                           metric=metric)
    except KeyboardInterrupt as exc:
        stopped = isinstance(exc, Terminated)
        what = _in(lang, "avslutad" if stopped else "avbruten",
                   "terminated" if stopped else "interrupted")
        _say(_in(lang, f"insats: {what}; de färdiga delarna finns i {out}. Fortsätt med: ",
                 f"insats: {what}; the finished parts are in {out}. Continue with: ")
             + f"insats sweep {file} --out {out} --resume", err=True)
        raise typer.Exit(code=143 if isinstance(exc, Terminated) else 130) from None
    data = result.analysis
    if fmt == TableOrJson.json:
        _emit_json({"run": result.data(), "analysis": data})
        return
    _say(result.text(lang.value))
    _say("")
    _say(analysis_text(data, lang.value), nl=False)


@app.command()
@_cli_errors
def analyse(
    folder: Annotated[Path, typer.Argument(help="Folder written by `insats sweep`")],
    metric: Annotated[str, typer.Option("--metric", help="npv, npv:1y, bcr, cost, ...")] = "npv",
    values: Annotated[str | None, typer.Option(
        "--values", help="Values per person-year for the acceptability curve, e.g. 2e5,5e5")] = None,
    population: Annotated[int | None, typer.Option(
        "--population", min=1, help="Future participants for the value of information "
        "(default 1000, an assumption)")] = None,
    fmt: TableOrJsonOpt = TableOrJson.table,
    lang: LangOpt = Lang.sv,
) -> None:
    """Analyse saved sweep results (no rerun): summary, A vs B, tornado/Sobol/Morris, acceptability,
    value of information."""
    from model.analysis import analysis_data, parse_values
    from model.report.analysis_text import analysis_text

    data = analysis_data(folder, metric, values=parse_values(values), population=population)
    if fmt == TableOrJson.json:
        from model.report.records import analysis_records

        _emit(analysis_records(data, lang.value), Format.json)
        return
    _say(analysis_text(data, lang.value), nl=False)


@app.command()
@_cli_errors
def threshold(
    file: FileArg,
    path: Annotated[str, typer.Argument(help="Parameter path, e.g. valuation.value_per_year")],
    low: Annotated[float, typer.Option("--low", help="Lower end of the search bracket")],
    high: Annotated[float, typer.Option("--high", help="Upper end of the search bracket")],
    metric: Annotated[str, typer.Option("--metric", help="Metric whose mean is searched")] = "npv",
    target: Annotated[float, typer.Option("--target", help="Target value of the metric")] = 0.0,
    reps: RepsOpt = None,
    seed: SeedOpt = None,
    fmt: TableOrJsonOpt = TableOrJson.table,
    lang: LangOpt = Lang.sv,
    quiet: QuietOpt = False,
    max_memory: MemoryOpt = None,
    method: Annotated[Method, typer.Option("--method", help="des or exact (expected-value path)")
                      ] = Method.des,
) -> None:
    """Find the parameter value at which the mean NPV (or another metric) reaches 0 (a model search)."""
    from dataclasses import asdict

    from model.api import check_run_size
    from model.load import load_scenario
    from model.progress import activity
    from model.threshold import threshold as search

    sc = load_scenario(file)
    _note(check_run_size([sc], reps, 1, max_memory, per_run=True), lang)
    what = _in(lang, f"Söker {path}", f"Searching {path}")
    runs = _in(lang, "modellkörningar", "model runs")
    with activity(what, runs, quiet, lang.value) as tick:
        found = search(file, path, low, high, metric=metric, target=target, replications=reps,
                       seed=seed, on_run=tick, method=method.value, base=sc)
    if fmt == TableOrJson.json:
        _emit_json(asdict(found))
        return
    _say(found.text(lang.value))


@app.command()
@_cli_errors
def costs(
    group: Annotated[str | None, typer.Argument(
        help="Target group (e.g. uvas) or a unit-cost file; default: every group in the library")] = None,
    price_year: Annotated[int | None, typer.Option(
        "--price-year", help="Index every amount to this year's prices (KPI)")] = None,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.sv,
) -> None:
    """List the unit costs per target group: amount per person-year, kind, payer, payee and source."""
    from model.report.unit_costs import unit_costs_text
    from model.unit_costs import unit_costs_table

    df = unit_costs_table(group, price_year=price_year)
    if fmt != Format.table:
        _emit(df, fmt)
        return
    _say(unit_costs_text(df, lang.value))


def _wrote(target: Path, programmes: list[Any], lang: Lang) -> None:
    """What `report` and `export` say when done: the file, programmes, runs, seed and version."""
    run = programmes[0].result.run
    titles = ", ".join(p.title for p in programmes)
    from model.report.text import run_count

    n = run.replications
    _say(_in(lang, f"Skrev {target} ({titles}; {run_count(n)}, slumpfrö {run.seed}, insats {__version__})",
             f"Wrote {target} ({titles}; {run_count(n, 'en', 'replications')}, seed {run.seed}, "
             f"insats {__version__})"))


SweepDirsOpt = Annotated[list[Path] | None, typer.Option(
    "--sweep", help="Folder written by `insats sweep` (repeat for several): tornado, acceptability")]


@app.command()
@_cli_errors
def report(
    path: Annotated[Path, typer.Argument(help="Scenario file, or a folder of them (side by side)")],
    out: Annotated[Path, typer.Option("--out", help="HTML file to write")],
    sweep: SweepDirsOpt = None,
    lang: LangOpt = Lang.sv,
    reps: RepsOpt = None,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    quiet: QuietOpt = False,
    max_memory: MemoryOpt = None,
    draws: DrawsOpt = None,
    no_uncertainty: NoUncertaintyOpt = False,
) -> None:
    """Write one self-contained HTML report: summary, plots, ESF budget, equity, inputs and sources."""
    from model.report.commands import report as make_report

    target, programmes = make_report(path, out, sweep, lang.value, reps, seed, workers, quiet,
                                    max_memory, partial(_note, lang=lang), not no_uncertainty, draws)
    if not quiet:
        _wrote(target, programmes, lang)


@app.command()
@_cli_errors
def export(
    path: Annotated[Path, typer.Argument(help="Scenario file, or a folder of them")],
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Excel file to write")],
    sweep: SweepDirsOpt = None,
    lang: LangOpt = Lang.sv,
    reps: RepsOpt = None,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    quiet: QuietOpt = False,
    max_memory: MemoryOpt = None,
    draws: DrawsOpt = None,
    no_uncertainty: NoUncertaintyOpt = False,
    participants: Annotated[bool, typer.Option(
        "--participants", help="Add the sheet with one row per simulated participant (large)")] = False,
) -> None:
    """Write an Excel workbook: inputs, summary, per actor, per subgroup, per run (and participant)."""
    from model.report.commands import export as make_export

    target, programmes = make_export(path, xlsx, sweep, lang.value, reps, seed, workers, quiet,
                                    max_memory, partial(_note, lang=lang), not no_uncertainty, draws,
                                    participants)
    if not quiet:
        _wrote(target, programmes, lang)


@app.command()
@_cli_errors
def schema(
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="The reference page for people (docs/schema.md) instead of JSON Schema")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file instead of printing")] = None,
) -> None:
    """Print the scenario schema: JSON Schema for editors (completion and checks), or Markdown."""
    from model.api import schema_text

    text = schema_text(markdown)
    if out is None:
        typer.echo(text, nl=False)
        return
    from model.io import write_text

    typer.echo(f"Wrote {write_text(out, text)}")


@app.command("app")
@_cli_errors
def app_command(
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port on 127.0.0.1")] = 8501,
) -> None:
    """Start the planners' page in the browser (Streamlit on 127.0.0.1 only, no usage statistics)."""
    from model.app.serve import serve

    _say(f"insats app: http://127.0.0.1:{port}")
    raise typer.Exit(code=serve(port))


def main() -> None:
    """The console command `insats`: the app, then an exit without Python's teardown
    (`model.shutdown.leave`: the same exit status and output, 0.1–0.25 s sooner)."""
    from model.shutdown import leave

    try:
        app()
    except SystemExit as exc:
        leave(exc.code)
    leave(0)


if __name__ == "__main__":  # pragma: no cover
    main()
