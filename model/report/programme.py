"""A programme as the reports see it: one simulated and priced scenario with its raw YAML.

`load_programmes` runs every scenario of a file or folder on one seed (paired runs); the helpers
here are what every report section shares: the summary table of a programme, figure labels, the
views and the per-run and per-participant tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from model.api import ScenarioResult, run_scenario
from model.economics import metric_units, view_key
from model.load import load_scenario
from model.progress import Tick
from model.report.tables import headline_metrics
from model.report.text import label, metric_label, number, tax_basis
from model.results import summarise
from model.scenario import Scenario, load_yaml, scenario_files


@dataclass
class Programme:
    """One scenario as the report needs it: the file, its raw YAML and the priced result."""

    path: Path
    raw: dict[str, Any]
    result: ScenarioResult
    psa: Any = None   # the parameter-uncertainty answer of all the programmes together (PSAResult)

    @property
    def scenario(self) -> Scenario:
        return self.result.scenario

    @property
    def title(self) -> str:
        return self.scenario.title

    @property
    def name(self) -> str:
        return self.scenario.name


def load_programmes(path: str | Path, replications: int | None = None, seed: int | None = None,
                    workers: int = 1, tick: Tick | None = None,
                    on_loaded: Callable[[list[Scenario]], None] | None = None,
                    uncertainty: bool = True, draws: int | None = None) -> list[Programme]:
    """Load, simulate and price every scenario in a file or folder (same seed: paired runs).

    `on_loaded(scenarios)` is called once they are validated, before any simulation (e.g. to size
    a progress bar). Unless `uncertainty` is off, the scenarios' declared uncertainty is drawn
    (`draws`, default the scenarios' setting) and every programme carries the PSA.
    """
    files = scenario_files(path)
    scenarios = [load_scenario(f) for f in files]
    from model.api import refuse_duplicate_names

    refuse_duplicate_names(scenarios)
    if on_loaded is not None:
        on_loaded(scenarios)
    out = []
    for f, sc in zip(files, scenarios, strict=True):
        raw, _ = load_yaml(f)
        result = run_scenario(sc, replications=replications, seed=seed, workers=workers,
                              on_rep=tick)
        out.append(Programme(Path(f), raw, result))
    if uncertainty:
        from model.answer import parameter_uncertainty

        psa = parameter_uncertainty(scenarios, draws, None, workers)
        for p in out:
            p.psa = psa
    return out



def summary_table(result: ScenarioResult) -> pd.DataFrame:
    """Every figure of one programme: economics, time in programme and exits, with intervals."""
    sc = result.scenario
    per_rep = result.outcomes["per_rep"]
    units = {"mean_months_in_programme": "months", "median_months_in_programme": "months",
             "mean_months_waiting": "months"}
    for state in sc.exit_states:
        units[f"share:{state}"] = "share"
        units[f"exits:{state}"] = "participants"
    extra = summarise(per_rep, units)
    return pd.concat([result.economics, extra], ignore_index=True)


def figure_label(key: str, sc: Scenario, lang: str = "sv") -> str:
    """Label of any summary row: metrics, outcome times, exits by state."""
    base, _, rest = key.partition(":")
    if base in ("share", "exits") and rest in sc.exit_states:
        state = sc.exit_states[rest].label or rest
        return (f"Andel till {state}" if lang == "sv" else f"Share to {state}") if base == "share" \
            else (f"Avslut till {state}" if lang == "sv" else f"Exits to {state}")
    if key in ("mean_months_in_programme", "median_months_in_programme", "mean_months_waiting"):
        return label(key, lang)
    return metric_label(key, lang, sc.valuation.horizon_years) + tax_basis(
        key, sc.valuation.tax_factor, lang)


def ordered_summary(result: ScenarioResult) -> pd.DataFrame:
    """The summary table with the headline metrics first, then the rest in their own order."""
    table = summary_table(result)
    head = [k for k in headline_metrics(result.scenario) if k in set(table["metric"])]
    rest = [k for k in table["metric"] if k not in head]
    return table.set_index("metric").loc[head + rest].reset_index()


def figure(result: ScenarioResult, key: str) -> pd.Series:
    """One row (mean, lo, hi, median, unit) of a programme's summary."""
    return summary_table(result).set_index("metric").loc[key]


def horizon_view(sc: Scenario) -> str:
    return view_key(sc.valuation.horizon_years)


def views(sc: Scenario) -> list[float]:
    return sorted(set(sc.valuation.views_years) | {sc.valuation.horizon_years})


def years_text(years: float, lang: str = "sv") -> str:
    text = number(years, 0 if float(years).is_integer() else 1, lang)
    if lang == "sv":
        return f"{text} år"
    return f"{text} year" if years == 1 else f"{text} years"


def participants_table(programmes: list[Programme], max_rows: int = 1_000_000
                       ) -> tuple[pd.DataFrame, int]:
    """All participants of all programmes, up to `max_rows` (whole runs only); runs included."""
    frames = [p.result.run.participants for p in programmes]
    total_reps = max(p.result.run.replications for p in programmes)
    per_rep = sum(len(f) for f in frames) / max(total_reps, 1)
    keep = total_reps if per_rep == 0 else max(1, min(total_reps, int(max_rows // per_rep)))
    out = pd.concat([f[f["rep"] < keep] for f in frames], ignore_index=True)
    return out, keep


def metrics_table(programmes: list[Programme]) -> pd.DataFrame:
    """Every priced metric per run, all programmes (tidy: one row per programme and run)."""
    return pd.concat([p.result.priced.metrics.assign(programme=p.name) for p in programmes],
                     ignore_index=True)


def units(p: Programme) -> dict[str, str]:
    return metric_units(p.scenario)
