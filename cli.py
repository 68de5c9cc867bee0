"""The `insats` command line: parses arguments, calls one model function, prints the result."""

from __future__ import annotations

import sys
from collections.abc import Callable
from enum import Enum
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


class Lang(str, Enum):
    sv = "sv"
    en = "en"


class Method(str, Enum):
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
    reps: Annotated[int | None, typer.Option("--reps", min=1, help="Replications")] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Random seed")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for tables")] = None,
    method: Annotated[Method, typer.Option("--method", help="des or exact")] = Method.des,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes")] = 1,
    lang: LangOpt = Lang.sv,
) -> None:
    """Simulate one scenario and show outcomes (and economics)."""
    from model.report.tables import exact_text, outcomes_text
    from model.scenario import load_scenario

    sc = load_scenario(file)
    typer.echo(f"{sc.title}  [{file}, hash {sc.digest()}, insats {__version__}]")
    if method == Method.exact:
        from model.exact import solve_exact

        typer.echo(exact_text(sc, solve_exact(sc, str(file)), lang.value))
        return
    from model.api import run_scenario

    result = run_scenario(sc, replications=reps, seed=seed, workers=workers, out=out)
    typer.echo(f"{result.run.replications} replications, seed {result.run.seed}\n")
    typer.echo(outcomes_text(sc, result.outcomes, lang.value))
    if out is not None:
        typer.echo(f"\nWrote {', '.join(str(p) for p in result.files)}")


def main() -> None:  # pragma: no cover
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
