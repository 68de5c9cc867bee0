"""What the planners' page computes, as plain functions (no Streamlit), so that tests call them.

The page edits scenarios (`model.app.inputs`), prices them on the expected-value path
(`model.evaluate.expected_priced`: milliseconds, so results follow every edit) or, on request,
simulates them (`model.api.run_scenario`). Either way the result is wrapped as a report
`Programme`, and the figures, sentences, ledger and plot come from the report's own sections,
so the page says what the HTML report and the workbook say.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from model.economics import Priced, metric_units
from model.errors import InputError, Problem
from model.report.programme import Programme
from model.results import economics_summary
from model.scenario import Scenario, load_scenario, scenario_files

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
PAIR = "grenverket"


def page_command(port: int = 8501) -> list[str]:
    """The command that serves the page: Streamlit on the loopback address only, headless, with
    no usage statistics sent anywhere."""
    import sys

    return [sys.executable, "-m", "streamlit", "run", str(Path(__file__).with_name("page.py")),
            "--server.address", "127.0.0.1", "--server.port", str(port),
            "--browser.gatherUsageStats", "false", "--server.headless", "true",
            "--client.toolbarMode", "minimal"]


def ready_scenarios() -> dict[str, list[Path]]:
    """The ready choices, by their name on the page: the Grenverket pair first (the comparison
    most planners start from), then each library scenario on its own."""
    out: dict[str, list[Path]] = {}
    pair = scenario_files(SCENARIOS / PAIR)
    if pair:
        out[" / ".join(load_scenario(f).title for f in pair)] = pair
    for f in scenario_files(SCENARIOS / "library"):
        out[load_scenario(f).title] = [f]
    return out


def load_upload(name: str, data: bytes) -> Scenario:
    """An uploaded scenario file, validated by the normal loader (InputError with every problem,
    named by the uploaded file's name)."""
    safe = Path(name).name or "scenario.yaml"
    with tempfile.TemporaryDirectory(prefix="insats-upload-") as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)
        try:
            sc = load_scenario(path)
        except InputError as exc:
            raise InputError([Problem(safe if p.file == str(path) else p.file, p.path, p.message,
                                      p.value, p.line) for p in exc.problems]) from None
    sc._source = None
    return sc


@dataclass
class ExpectedResult:
    """The expected run of a scenario, shaped as the report sections read a simulated result:
    one row of figures (rep 0), the actor ledger and the monthly flows."""

    priced: Priced
    economics: pd.DataFrame
    outcomes: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def scenario(self) -> Scenario:
        return self.priced.scenario


def why_not(sc: Scenario) -> str | None:
    """Why the expected-value path cannot price this scenario (then the page offers simulation)."""
    from model.evaluate import why_not_expected

    return why_not_expected(sc)


def expected_programme(sc: Scenario) -> Programme:
    """The scenario priced on the expected-value path, as a report Programme."""
    from model.evaluate import expected_priced

    priced = expected_priced(sc)
    result = ExpectedResult(priced, economics_summary(priced.metrics, metric_units(sc)),
                            {"per_rep": pd.DataFrame({"rep": [0]})})
    return Programme(sc.source_file or Path(f"{sc.name}.yaml"), sc.raw, result)  # type: ignore[arg-type]


def simulated_programme(sc: Scenario, replications: int | None = None,
                        on_rep: Callable[[int], None] | None = None) -> Programme:
    """The scenario simulated (its own replications and seed unless given), as a Programme."""
    from model.api import run_scenario

    result = run_scenario(sc, replications=replications, on_rep=on_rep)
    return Programme(sc.source_file or Path(f"{sc.name}.yaml"), sc.raw, result)


def is_expected(p: Programme) -> bool:
    return isinstance(p.result, ExpectedResult)


def verdict(p: Programme, lang: str = "sv") -> str:
    """The report's one-sentence answer (without run shares on the expected-value path)."""
    from model.report.sections.summary import answer

    return answer(p, lang, runs=not is_expected(p))


def esf_sentence(p: Programme, lang: str = "sv") -> str:
    """'Betalar sig om minst N av M går till arbete …', as the report's ESF section says it."""
    from model.report.sections.esf import esf_sentence as sentence

    return sentence(p, lang, runs=not is_expected(p))


def npv(p: Programme) -> float:
    """The net present value over the horizon (mean over runs when simulated)."""
    return float(p.result.priced.metrics["npv"].mean())


def key_figures(programmes: list[Programme], lang: str = "sv") -> pd.DataFrame:
    """The headline figures side by side: one row per figure, its label carrying its unit,
    horizon and discounting, then one column per programme (with the 95 % interval over runs
    when simulated)."""
    from model.report.analysis_text import metric_value
    from model.report.programme import figure_label, summary_table
    from model.report.tables import headline_metrics
    from model.report.text import in_lang

    sc = programmes[0].scenario
    tables = [summary_table(p.result).set_index("metric") for p in programmes]
    keys = [k for k in headline_metrics(sc) if all(k in t.index for t in tables)]
    if all(is_expected(p) for p in programmes):
        keys = [k for k in keys if k not in ("no_payback", "pays_back")]  # shares of runs
    rows = []
    for k in keys:
        row = {in_lang(lang, "Mått", "Figure"): figure_label(k, sc, lang)}
        for p, t in zip(programmes, tables, strict=True):
            r = t.loc[k]
            text = metric_value(r["mean"], r["unit"], lang)
            if not is_expected(p) and k not in ("no_payback", "pays_back") and pd.notna(r["lo"]):
                text += (f" ({metric_value(r['lo'], r['unit'], lang)} – "
                         f"{metric_value(r['hi'], r['unit'], lang)})")
            row[p.title] = text
        rows.append(row)
    return pd.DataFrame(rows)


def ledger(p: Programme, lang: str = "sv") -> pd.DataFrame:
    """Who pays, who gains: the report's actor ledger (present values within the horizon)."""
    from model.report.sections.actors import actor_rows

    heads, rows = actor_rows(p, lang, spread=not is_expected(p))
    return pd.DataFrame(rows, columns=heads)


def cumulative_png(programmes: list[Programme], lang: str = "sv") -> bytes:
    """The report's cumulative discounted cost-against-benefit plot."""
    from model.report.sections.payback import cumulative_plot

    return cumulative_plot(programmes, lang)


def uncertainty_text(programmes: list[Programme], draws: int = 200, lang: str = "sv"
                     ) -> str | None:
    """The parameter-uncertainty answer (intervals over draws, P(A beats B)) as `run` and
    `compare` print it, or None when no scenario declares uncertainty."""
    from model.api import Answer, parameter_uncertainty
    from model.report.psa_view import psa_text

    scs = [p.scenario for p in programmes]
    psa = parameter_uncertainty(scs, draws=draws)
    if psa is None:
        return None
    return psa_text(Answer([p.result for p in programmes], psa), lang)  # type: ignore[misc]


def scenario_yaml(sc: Scenario) -> str:
    """The scenario as a YAML file: its mapping with every source and uncertainty kept; loading
    it gives the same scenario (same digest)."""
    return yaml.safe_dump(sc.raw, allow_unicode=True, sort_keys=False, width=100)


def _written(write: Callable[[Path], Any], suffix: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="insats-app-") as tmp:
        out = Path(tmp) / f"insats{suffix}"
        write(out)
        return out.read_bytes()


def report_html(programmes: list[Programme], lang: str = "sv") -> bytes:
    """The HTML report of simulated programmes (written to a temp folder, served as bytes)."""
    from model.report.html import write_report

    return _written(lambda out: write_report(programmes, out, lang), ".html")


def workbook(programmes: list[Programme], lang: str = "sv") -> bytes:
    """The Excel workbook of simulated programmes, as bytes."""
    from model.report.excel import write_workbook

    return _written(lambda out: write_workbook(programmes, out, lang), ".xlsx")
