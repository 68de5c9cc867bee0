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
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from model.economics import Priced, metric_units
from model.errors import InputError, Problem
from model.load import load_scenario
from model.report.programme import Programme
from model.results import economics_summary
from model.scenario import Scenario, scenario_files
from model.scenario.load import MAX_FILE_BYTES

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
            "--client.toolbarMode", "minimal",
            # the uploader states the loader's own limit (model.scenario.load.MAX_FILE_BYTES)
            "--server.maxUploadSize", str(MAX_FILE_BYTES // (1024 * 1024))]


def load_ready(path: Path) -> Scenario:
    """A ready scenario file, read and validated once per version of the file (validation with
    its uncertainty checks takes a tenth of a second; the page reruns on every edit). The object
    is shared: edits make new scenarios (`model.app.inputs.with_values`), never change it."""
    path = Path(path)
    return _load_ready(str(path), path.stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _load_ready(path: str, _mtime_ns: int) -> Scenario:
    return load_scenario(path)


def ready_scenarios() -> dict[str, list[Path]]:
    """The ready choices, by their name on the page: the Grenverket pair first (the comparison
    most planners start from), then each library scenario on its own."""
    out: dict[str, list[Path]] = {}
    pair = scenario_files(SCENARIOS / PAIR)
    if pair:
        out[" / ".join(load_ready(f).title for f in pair)] = pair
    for f in scenario_files(SCENARIOS / "library"):
        out[load_ready(f).title] = [f]
    return out


def load_upload(name: str, data: bytes) -> Scenario:
    """An uploaded scenario file, validated by the normal loader (InputError with every problem,
    named by the uploaded file's name).

    The page cannot see the folder the file came from, so a relative `counterfactual.reference`
    is looked up among the ready scenarios (`scenarios/<ref>`, then `scenarios/*/<ref>`); the
    scenario then reads it from there. When it is in none of them, the problem says where it
    was looked for and what to write instead."""
    from model.scenario import line_of, load_yaml

    safe = Path(name).name
    if safe != name or safe in ("", ".", "..") or "\\" in name or "\0" in name:
        raise InputError([Problem(repr(name), "", "an uploaded file needs a plain file name (such "
                                  "as scenario.yaml), not a folder or a path; rename the file "
                                  "and upload it again", name)])
    with tempfile.TemporaryDirectory(prefix="insats-upload-") as tmp:
        path = Path(tmp) / safe
        path.write_bytes(data)

        def renamed(exc: InputError) -> InputError:
            return InputError([Problem(safe if p.file == str(path) else p.file, p.path, p.message,
                                       p.value, p.line) for p in exc.problems])

        try:
            raw, node = load_yaml(path)
            base = reference_folder(raw)
            sc = load_scenario(path, base=base)
        except InputError as exc:
            raise renamed(exc) from None
        except LookupError as exc:
            ref = raw["counterfactual"]["reference"]
            raise InputError([Problem(safe, "counterfactual.reference", str(exc.args[0]), ref,
                                      line_of(node, "counterfactual.reference"))]) from None
    sc._source = None
    return sc


def reference_folder(raw: Any) -> Path | None:
    """Where an uploaded scenario's relative reference is read from: the first ready-scenarios
    folder holding it (None when there is no relative reference). LookupError says why not."""
    cf = raw.get("counterfactual") if isinstance(raw, dict) else None
    ref = cf.get("reference") if isinstance(cf, dict) else None
    if not isinstance(ref, str) or Path(ref).is_absolute():
        return None
    folders = [SCENARIOS, *sorted(d for d in SCENARIOS.iterdir() if d.is_dir())]
    for folder in folders:
        if (folder / ref).is_file():
            return folder
    searched = ", ".join(str((f / ref).relative_to(ROOT)) for f in folders)
    raise LookupError(
        f"the reference scenario '{ref}' is a path relative to the uploaded file's own folder, "
        f"which the page cannot see, and it is not among the ready scenarios (looked for {searched}); "
        "write its path relative to the scenarios folder (e.g. grenverket/supported_employment.yaml)")


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
    return Programme(shown_path(sc), sc.raw, result)  # type: ignore[arg-type]


def simulated_programme(sc: Scenario, replications: int | None = None,
                        on_rep: Callable[[int], None] | None = None) -> Programme:
    """The scenario simulated (its own replications and seed unless given), as a Programme."""
    from model.api import run_scenario

    result = run_scenario(sc, replications=replications, on_rep=on_rep)
    return Programme(shown_path(sc), sc.raw, result)


def edited(sc: Scenario) -> bool:
    """True when an input was edited on the page (its source carries the page's mark)."""
    from model.scenario.assumptions import edited_on_page

    return bool(edited_on_page(sc))


def shown_path(sc: Scenario) -> Path:
    """The scenario's file as outputs name it: relative to the project (a ready scenario) or the
    uploaded file's name, never an absolute path of this machine; marked when edited."""
    src = sc.source_file
    if src is None:
        path = Path(f"{sc.name}.yaml")
    else:
        src = Path(src).resolve()
        path = src.relative_to(ROOT) if src.is_relative_to(ROOT) else Path(src.name)
    return path.with_name(f"{path.stem}_andrad{path.suffix}") if edited(sc) else path


def download_name(sc: Scenario, lang: str = "sv") -> str:
    """The default file name of a downloaded scenario: says so when it was edited on the page."""
    suffix = ("_andrad" if lang == "sv" else "_edited") if edited(sc) else ""
    return f"{sc.name}{suffix}.yaml"


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
    when simulated). A break-even beyond reach (a share above 100 %, a count above the
    participants) is words, and its interval is clipped to what is reachable, as in every other
    output (`model.report.reach`)."""
    from model.report import reach
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
            r, unit = t.loc[k], t.loc[k, "unit"]
            n = float(t.loc["participants", "mean"]) if "participants" in t.index else float("nan")
            years = p.scenario.valuation.horizon_years
            text = reach.figure(k, r["mean"], n, lambda v, u=unit: metric_value(v, u, lang), lang,
                                years)
            if not is_expected(p) and k not in ("no_payback", "pays_back") and pd.notna(r["lo"]):
                span = reach.interval(
                    k, r["lo"], r["hi"], n,
                    lambda a, b, u=unit: f"{metric_value(a, u, lang)} – {metric_value(b, u, lang)}",
                    lang, years)
                if span != text:  # both beyond reach: the words once
                    text += f" ({span})"
            row[p.title] = text
        rows.append(row)
    return pd.DataFrame(rows)


def ledger(p: Programme, lang: str = "sv") -> pd.DataFrame:
    """Who pays, who gains: the report's actor ledger (present values within the horizon)."""
    from model.report.sections.actors import actor_rows

    heads, rows = actor_rows(p, lang, spread=not is_expected(p))
    return pd.DataFrame(rows, columns=heads)


def cumulative_chart(programmes: list[Programme], lang: str = "sv") -> dict[str, Any]:
    """The report's cumulative discounted cost-against-benefit plot as a Vega-Lite spec: the same
    curves (`model.report.sections.payback.cumulative`, 95 % bands when simulated), horizon and
    payback, drawn by the browser from a few hundred numbers instead of a PNG (about a second of
    matplotlib on every edit). Amounts in millions of kronor, present values."""
    from model.report.plots import BENEFIT_COLOUR, COST_COLOUR, INK
    from model.report.sections.payback import cumulative, payback
    from model.report.text import in_lang, number

    unit = in_lang(lang, "Mkr", "MSEK")
    series = {"benefit": in_lang(lang, "Samhällsintäkt (nuvärde), ackumulerad",
                                 "Societal revenue (present value), cumulative"),
              "cost": in_lang(lang, "Kostnad (nuvärde), ackumulerad", "Cost (present value), cumulative")}
    month = in_lang(lang, "månader från programstart", "months from programme start")
    decimal = "replace(format(datum.value, '.1~f'), '.', ',')" if lang == "sv" else \
        "format(datum.value, '.1~f')"
    charts = []
    for p in programmes:
        cum = cumulative(p)
        horizon = p.scenario.valuation.horizon_years * 12
        cum = cum[cum["month"] <= max(horizon, 12) + 12]
        rows = [{"month": float(m), "series": series[k], "value": float(v) / 1e6,
                 "lo": float(lo) / 1e6, "hi": float(hi) / 1e6}
                for k in ("benefit", "cost")
                for m, v, lo, hi in zip(cum["month"], cum[k], cum[f"{k}_lo"], cum[f"{k}_hi"],
                                        strict=True)]
        layers: list[dict[str, Any]] = [
            {"mark": {"type": "area", "opacity": 0.15},
             "encoding": {"x": {"field": "month", "type": "quantitative"},
                          "y": {"field": "lo", "type": "quantitative"}, "y2": {"field": "hi"},
                          "color": {"field": "series", "type": "nominal", "legend": None}}},
            {"mark": {"type": "line", "strokeWidth": 2.2},
             "encoding": {"x": {"field": "month", "type": "quantitative", "title": month},
                          "y": {"field": "value", "type": "quantitative",
                                "title": in_lang(lang, f"{unit}, nuvärde (diskonterat)",
                                                 f"{unit}, present value (discounted)"),
                                "axis": {"labelExpr": f"{decimal} + ' {unit}'"}},
                          "color": {"field": "series", "type": "nominal",
                                    "scale": {"domain": [series["benefit"], series["cost"]],
                                              "range": [BENEFIT_COLOUR, COST_COLOUR]},
                                    "legend": {"orient": "top", "title": None,
                                               "labelLimit": 400}},
                          "tooltip": [{"field": "series", "title": " "},
                                      {"field": "month", "title": month},
                                      {"field": "value", "title": unit, "format": ".2f"}]}},
            {"data": {"values": [{"month": horizon,
                                  "label": in_lang(lang, "horisont", "horizon")}]},
             "layer": [{"mark": {"type": "rule", "strokeDash": [2, 3], "color": "#999999"},
                        "encoding": {"x": {"field": "month", "type": "quantitative"}}},
                       {"mark": {"type": "text", "align": "right", "baseline": "top", "dx": -3,
                                 "color": "#666666", "fontSize": 10},
                        "encoding": {"x": {"field": "month", "type": "quantitative"},
                                     "y": {"value": 2}, "text": {"field": "label"}}}]},
        ]
        pb, _ = payback(p)
        if pb == pb:  # not NaN: the programme pays back within the horizon (mean of the runs)
            cost_at = float(np.interp(pb, cum["month"].to_numpy(), cum["cost"].to_numpy())) / 1e6
            text = in_lang(lang, f"Återbetalningstid {number(pb, 1, lang)} mån",
                           f"Payback time {number(pb, 1, lang)} months")
            layers.append({"data": {"values": [{"month": pb, "value": cost_at, "label": text}]},
                           "layer": [{"mark": {"type": "point", "filled": True, "size": 70,
                                               "color": INK},
                                      "encoding": {"x": {"field": "month", "type": "quantitative"},
                                                   "y": {"field": "value",
                                                         "type": "quantitative"},
                                                   "tooltip": {"field": "label"}}},
                                     # a thin rule up to a label at the top of the plot:
                                     # the label never lies over the curves it names
                                     {"mark": {"type": "rule", "color": INK, "strokeWidth": 0.8},
                                      "encoding": {"x": {"field": "month", "type": "quantitative"}}},
                                     {"mark": {"type": "text", "align": "left", "dx": 4,
                                               "baseline": "top", "fontSize": 11, "color": INK},
                                      "encoding": {"x": {"field": "month", "type": "quantitative"},
                                                   "y": {"value": 16},
                                                   "text": {"field": "label"}}}]})
        charts.append({"title": {"text": p.title, "anchor": "start"} if len(programmes) > 1 else "",
                       "data": {"values": rows}, "width": 250 if len(programmes) > 1 else 560,
                       "height": 280, "layer": layers})
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json",
            "hconcat": charts, "resolve": {"scale": {"y": "shared"}}}


def cumulative_caption(programmes: list[Programme], lang: str = "sv") -> str:
    """What the cumulative plot shows: unit, discounting and horizon, said once under it."""
    from model.report.programme import years_text
    from model.report.text import in_lang, with_unit

    val = programmes[0].scenario.valuation
    horizons = sorted({p.scenario.valuation.horizon_years for p in programmes})
    years = ", ".join(years_text(h, lang) for h in horizons)
    rate = with_unit(val.discount_rate, "share", lang, 1)
    return in_lang(
        lang, f"Ackumulerad kostnad och samhällsintäkt per månad från start, i miljoner kronor, "
              f"nuvärde (diskonterat med {rate} per år); streckad linje: horisonten, {years}.",
        f"Cumulative cost and societal revenue by month from the start, in millions of kronor, "
        f"present value (discounted at {rate} a year); dotted line: the horizon, {years}.")


def uncertainty_text(programmes: list[Programme], draws: int = 200, lang: str = "sv",
                     drawn: list[Scenario] | None = None) -> str | None:
    """The parameter-uncertainty answer (intervals over draws, P(A beats B)) as `run` and
    `compare` print it, or None when no scenario declares uncertainty. `drawn`: the scenarios
    whose uncertainty is drawn, when not the programmes' own (edited inputs held,
    `model.app.inputs.held_for_uncertainty`)."""
    from model.answer import Answer, parameter_uncertainty
    from model.report.psa_view import psa_text

    scs = drawn if drawn is not None else [p.scenario for p in programmes]
    psa = parameter_uncertainty(scs, draws=draws)
    if psa is None:
        return None
    return psa_text(Answer([p.result for p in programmes], psa), lang)  # type: ignore[misc]


def unit_cost_components(sc: Scenario, lang: str = "sv") -> pd.DataFrame | None:
    """The components of the scenario's unit-cost group, in its price year (KPI-indexed), each
    with its source, as `insats costs GROUP --price-year YEAR` lists them; None when the scenario
    is valued per person-year."""
    if sc.valuation.unit_costs is None:
        return None
    from model.economics.valuation import _library_path
    from model.report.unit_costs import unit_cost_rows
    from model.unit_costs import unit_costs_table

    table = unit_costs_table(_library_path(sc, sc.valuation.unit_costs), sc.valuation.price_year)
    heads, rows = unit_cost_rows(table, lang)
    return pd.DataFrame(rows, columns=heads)


def scenario_yaml(sc: Scenario, text: str | None = None) -> str:
    """The scenario as a YAML file: its mapping with every source and uncertainty kept; loading
    it gives the same scenario (same digest). When the file's text is at hand (`text`, or the
    ready file), that text with only the edited numbers rewritten (`model.app.download`), so
    that its comments and layout stay."""
    from model.app.download import edited_text

    if text is None and sc.source_file is not None and Path(sc.source_file).is_file():
        text = Path(sc.source_file).read_text(encoding="utf-8")
    if text is not None:
        kept = edited_text(text, yaml.safe_load(text), sc.raw)
        if kept is not None:
            return kept
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml: ten times faster
    return yaml.dump(sc.raw, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)


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
