"""One function per report command (`insats report`, `insats export`), with progress bars.

Each loads the scenario file or folder, simulates and prices it (same seed for every programme),
reads the sweep folders if given, and writes one file atomically, never over one of its inputs.
Before simulating, the runs' size is checked (`model.limits`): too big is refused, long is said
through `note`. `cli.py` only parses and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from model.errors import InputError, Problem
from model.progress import Tick, progress
from model.report.programme import Programme, load_programmes


def _programmes(path: Path, reps: int | None, seed: int | None, workers: int,
                quiet: bool, lang: str, out: Path, sweeps: list[Path] | None,
                max_memory: str | None, note: Callable[[str], None] | None,
                uncertainty: bool = True, draws: int | None = None) -> list[Programme]:
    from model.api import check_draws_size, check_run_size, input_files, total_replications
    from model.io import refuse_inputs

    what = "Simulerar och prissätter" if lang == "sv" else "Simulating and pricing"
    bar = ExitStack()
    ticks: list[Tick] = []

    def start(scenarios: list) -> None:
        refuse_inputs(out, input_files(scenarios, sweeps))
        for text in (check_run_size(scenarios, reps, workers, max_memory),
                     check_draws_size(scenarios, draws, uncertainty, workers, max_memory, lang)):
            if text and note is not None:
                note(text)
        ticks.append(bar.enter_context(progress(total_replications(scenarios, reps), what, quiet,
                                                 lang=lang)))

    with bar:
        return load_programmes(path, replications=reps, seed=seed, workers=workers,
                               tick=lambda n=1: ticks[0](n), on_loaded=start,
                               uncertainty=uncertainty, draws=draws)


def _sweeps(sweeps: list[Path] | None) -> list:
    if not sweeps:
        return []
    from model.report import sweep_view

    if not sweep_view.available():
        raise InputError([Problem(str(sweeps[0]), "", "--sweep needs model/sweep.py and "
                                  "model/analysis.py, which this version of insats does not have")])
    return [sweep_view.load_view(s) for s in sweeps]


def report(path: str | Path, out: str | Path, sweeps: list[Path] | None = None, lang: str = "sv",
           reps: int | None = None, seed: int | None = None, workers: int = 1,
           quiet: bool = False, max_memory: str | None = None,
           note: Callable[[str], None] | None = None, uncertainty: bool = True,
           draws: int | None = None) -> tuple[Path, list[Programme]]:
    """Write the self-contained HTML report; returns the file and the programmes it shows."""
    from model.report import html
    from model.report.sections import PLOTS

    views = _sweeps(sweeps)
    programmes = _programmes(Path(path), reps, seed, workers, quiet, lang, Path(out), sweeps,
                             max_memory, note, uncertainty, draws)
    sweep_plots = 0
    if views:
        from model.report.sweep_view import plots_for

        sweep_plots = sum(plots_for(v) for v in views)
    what = "Ritar diagram" if lang == "sv" else "Drawing plots"
    with progress(len(PLOTS) + sweep_plots + 1, what, quiet, lang=lang) as tick:
        sweep_html = None
        if views:
            from model.report.sweep_view import sweep_html as render

            sweep_html = render(views, lang, tick)
        target = html.write_report(programmes, out, lang, sweep_html, tick)
        tick(1)
    return target, programmes


def export(path: str | Path, xlsx: str | Path, sweeps: list[Path] | None = None,
           lang: str = "sv", reps: int | None = None, seed: int | None = None, workers: int = 1,
           quiet: bool = False, max_memory: str | None = None,
           note: Callable[[str], None] | None = None, uncertainty: bool = True,
           draws: int | None = None, participants: bool = False) -> tuple[Path, list[Programme]]:
    """Write the Excel workbook; returns the file and the programmes it holds. The sheet with one
    row per simulated participant (tens of thousands of rows, most of the file) only when asked."""
    from model.report.excel import WORKBOOK_STEPS, write_workbook

    views = _sweeps(sweeps)
    programmes = _programmes(Path(path), reps, seed, workers, quiet, lang, Path(xlsx), sweeps,
                             max_memory, note, uncertainty, draws)
    frames = None
    if views:
        from model.report.sweep_view import sweep_frames

        frames = sweep_frames(views)
    what = "Skriver arbetsboken" if lang == "sv" else "Writing the workbook"
    with progress(WORKBOOK_STEPS, what, quiet, lang=lang) as tick:
        target = write_workbook(programmes, xlsx, lang, frames, tick, participants)
    return target, programmes
