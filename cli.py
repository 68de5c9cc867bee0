"""The `insats` command line: parses arguments, calls one model function, prints the result."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer

from model import __version__
from model.errors import InputError

app = typer.Typer(
    add_completion=False,
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


class Method(StrEnum):
    des = "des"
    exact = "exact"


def _input_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Print every input problem (file, path, value, what is allowed) and exit with code 2."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            n = len(exc.problems)
            typer.echo(f"insats: {n} problem{'s' if n != 1 else ''} in the input:", err=True)
            for p in exc.problems:
                typer.echo(f"  {p.render()}", err=True)
            raise typer.Exit(code=2) from None

    return wrapper


FileArg = Annotated[Path, typer.Argument(help="Scenario file (YAML)")]
LangOpt = Annotated[Lang, typer.Option("--lang", help="Labels and number format")]
FormatOpt = Annotated[Format, typer.Option("--format", help="table, csv or json")]
RepsOpt = Annotated[int | None, typer.Option("--reps", min=1, help="Replications")]
SeedOpt = Annotated[int | None, typer.Option("--seed", min=0, help="Random seed")]
WorkersOpt = Annotated[int, typer.Option("--workers", min=1, help="Worker processes")]


@app.command()
@_input_errors
def validate(files: Annotated[list[Path], typer.Argument(help="Scenario files or folders")]) -> None:
    """Check scenario files and report every problem at once (exit code 2 if any)."""
    from model.errors import Problem
    from model.scenario import load_scenario, scenario_files

    problems: list[Problem] = []
    for f in files:
        try:
            for path in scenario_files(f):
                try:
                    sc = load_scenario(path)
                    typer.echo(f"{path}: ok ({sc.title}, hash {sc.digest()})")
                except InputError as exc:
                    problems += exc.problems
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)


@app.command()
@_input_errors
def run(
    file: FileArg,
    reps: RepsOpt = None,
    seed: SeedOpt = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for tables")] = None,
    method: Annotated[Method, typer.Option("--method", help="des or exact")] = Method.des,
    workers: WorkersOpt = 1,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.sv,
) -> None:
    """Simulate one scenario and show outcomes and economics."""
    from model.report.tables import economics_text, exact_text, outcomes_text
    from model.scenario import load_scenario

    sc = load_scenario(file)
    if method == Method.exact:
        from model.exact import solve_exact

        typer.echo(f"{sc.title}  [{file}, hash {sc.digest()}, insats {__version__}]")
        typer.echo(exact_text(sc, solve_exact(sc, str(file)), lang.value))
        return
    from model.api import run_scenario

    result = run_scenario(sc, replications=reps, seed=seed, workers=workers, out=out)
    if fmt != Format.table:
        _emit(result.economics.assign(programme=sc.name, **result.meta()), fmt)
        return
    typer.echo(f"{sc.title}  [{file}, hash {sc.digest()}, seed {result.run.seed}, "
               f"{result.run.replications} replications, insats {__version__}]\n")
    typer.echo(outcomes_text(sc, result.outcomes, lang.value))
    typer.echo("")
    typer.echo(economics_text(sc, result.economics, lang.value))
    if out is not None:
        typer.echo(f"\nWrote {len(result.files)} files to {out}")


def _emit(df: Any, fmt: Format) -> None:
    """Print a tidy table as CSV or JSON records."""
    if fmt == Format.csv:
        typer.echo(df.to_csv(index=False), nl=False)
    else:
        typer.echo(df.to_json(orient="records", force_ascii=False, indent=1))


@app.command()
@_input_errors
def compare(
    paths: Annotated[list[Path], typer.Argument(help="Scenario files, or a folder of them")],
    reps: RepsOpt = None,
    seed: SeedOpt = None,
    workers: WorkersOpt = 1,
    fmt: FormatOpt = Format.table,
    lang: LangOpt = Lang.sv,
) -> None:
    """Programmes side by side on the same seed: figures, difference, the better one, P(NPV A > B)."""
    from model.api import compare_scenarios
    from model.report.tables import compare_rows, conclusion
    from model.report.text import table
    from model.results import paired_difference, probability_better
    from model.scenario import load_scenario, scenario_files

    files = [f for p in paths for f in scenario_files(p)]
    scenarios = [load_scenario(f) for f in files]
    if len(scenarios) < 2:
        from model.errors import Problem

        raise InputError([Problem(str(paths[0]), "", "compare needs at least two scenarios")])
    results = compare_scenarios(scenarios, replications=reps, seed=seed, workers=workers)
    names = [r.scenario.title for r in results]
    summaries = [r.economics for r in results]
    if fmt != Format.table:
        import pandas as pd

        _emit(pd.concat([r.economics.assign(programme=r.scenario.name, **r.meta())
                         for r in results], ignore_index=True), fmt)
        return
    a, b = results[0].priced.metrics, results[1].priced.metrics
    diffs = {m: paired_difference(a, b, m) for m in a.columns if m in b.columns and m != "rep"}
    rows, heads = compare_rows(names, scenarios, summaries, diffs, lang.value)
    for r in results:
        typer.echo(f"{r.scenario.title}: {r.scenario.source_file}, hash {r.scenario.digest()}")
    typer.echo(f"seed {results[0].run.seed}, {results[0].run.replications} replications, "
               f"insats {__version__}; [95 % interval over replications]\n")
    typer.echo(table(rows, heads))
    npv = [s.set_index("metric").loc["npv", "mean"] for s in summaries]
    order = sorted(range(len(results)), key=lambda i: -npv[i])
    p = probability_better(results[order[0]].priced.metrics, results[order[1]].priced.metrics)
    typer.echo("")
    typer.echo(conclusion(names, summaries, p, scenarios[0].valuation.horizon_years, lang.value))


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
