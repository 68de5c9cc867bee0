"""What every output says beside its figures: missing assumptions, horizons and discounting, what a
share of runs is, and the comparison in the machine formats (issue 9, items 7–10; issue 14, item 8).
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from model.api import compare_scenarios, run_scenario
from model.load import load_scenario
from model.report.records import compare_records
from model.report.tables import cell_span, headline_metrics
from model.report.text import RUNS_NOTE, kr, metric_label, number, with_unit
from model.scenario import parse_scenario
from model.scenario.assumptions import assumption_notes

BASE: dict[str, Any] = {
    "name": "prog",
    "label": "Ett program med ett långt namn för att pröva bredden",
    "simulation": {"replications": 4, "seed": 20140227},
    "intake": {"cohort": {"n": 30}},
    "entry": "kurs",
    "interventions": [{"name": "kurs", "duration": {"dist": "fixed", "months": 3},
                       "routing": {"arbete": 0.5, "annat": 0.5},
                       "costs": [{"funder": "esf", "per_participant_month": 8000}]}],
    "exit_states": {"arbete": {"category": "work"}, "annat": {"category": "other"}},
}
FULL = {"counterfactual": {"monthly_hazard": 0.02},
        "employment": {"retention": {"share_at_12_months": 0.7}, "extent": 0.8}}


def scenario(**extra: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(BASE)), **json.loads(json.dumps(extra))}


def write(tmp: Path, raw: dict[str, Any], name: str | None = None) -> str:
    raw = {**raw, "name": name or raw["name"]}
    path = tmp / f"{raw['name']}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return str(path)


def paths(raw: dict[str, Any]) -> set[str]:
    return {n.path for n in assumption_notes(parse_scenario(raw))}


# ---------------------------------------------------------------- 9.7: no silent gross effect


def test_each_missing_assumption_is_named_and_setting_it_silences_it() -> None:
    gross = {"counterfactual", "employment.retention", "employment.extent"}
    assert paths(scenario()) == gross
    assert paths(scenario(**FULL)) == set()
    assert paths(scenario(counterfactual={"monthly_hazard": 0.0})) == gross - {"counterfactual"}
    assert paths(scenario(employment={"extent": 1.0})) == gross - {"employment.extent"}
    assert paths(scenario(employment={"retention": {"monthly_hazard": 0.01}})) == \
        gross - {"employment.retention"}


def test_double_counting_is_named() -> None:
    twice = scenario(**FULL)
    twice["counterfactual"]["deadweight"] = 0.2
    twice["valuation"] = {"drop_off_per_year": 0.1}
    assert paths(twice) == {"counterfactual.deadweight", "valuation.drop_off_per_year"}
    # deadweight is the only counterfactual when nobody finds work anyway; no retention loss
    # means drop-off counts nothing twice
    once = scenario(counterfactual={"monthly_hazard": 0.0, "deadweight": 0.2},
                    employment={"retention": {"monthly_hazard": 0.0}, "extent": 1.0},
                    valuation={"drop_off_per_year": 0.1})
    assert paths(once) == set()


def test_validate_warns_and_exits_0(tmp_path: Path) -> None:
    gross = write(tmp_path, scenario(), "brutto")
    full = write(tmp_path, scenario(**FULL), "netto")
    res = CliRunner().invoke(app, ["validate", gross, full])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    at = next(i for i, line in enumerate(lines) if "brutto.yaml: ok" in line)
    assert "warning: Gross effect (bruttoeffekt)" in lines[at + 1]
    for path in ("counterfactual", "employment.retention", "employment.extent"):
        assert f"({path})" in lines[at + 1]
    assert sum("warning" in line for line in lines) == 1  # the complete one has none


def test_run_and_compare_carry_the_note_in_every_format(tmp_path: Path) -> None:
    gross = write(tmp_path, scenario(), "brutto")
    full = write(tmp_path, scenario(**FULL), "netto")
    run = CliRunner().invoke(app, ["run", gross, "--quiet"])
    assert run.exit_code == 0, run.output
    assert "Varning: Bruttoeffekt" in run.output and "(employment.extent)" in run.output
    rec = json.loads(CliRunner().invoke(app, ["run", gross, "--format", "json",
                                              "--quiet"]).stdout)
    assert all("Bruttoeffekt" in r["gross_effect"] for r in rec)
    both = CliRunner().invoke(app, ["compare", gross, full, "--format", "csv", "--quiet"])
    df = pd.read_csv(io.StringIO(both.stdout), keep_default_na=False)
    mine = df[(df["kind"] == "programme")]
    assert set(mine.loc[mine["programme"] == "brutto", "gross_effect"].str[:12]) == {"Bruttoeffekt"}
    assert set(mine.loc[mine["programme"] == "netto", "gross_effect"]) == {""}
    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["run", gross, "--out", str(out), "--quiet"]).exit_code == 0
    assert "employment.extent" in json.loads((out / "run.json").read_text())["gross_effect"]
    text = CliRunner().invoke(app, ["compare", gross, full, "--quiet", "--lang", "en"]).output
    assert "Warning A: Gross effect (bruttoeffekt)" in " ".join(text.split())
    assert "Warning B" not in text


# ---------------------------------------------------------------- 9.8: horizon and discounting


@pytest.fixture(scope="module")
def priced(tmp_path_factory) -> Any:
    tmp = tmp_path_factory.mktemp("priced")
    raw = scenario(**FULL)
    raw["valuation"] = {"horizon_years": 3, "views_years": [1, 3]}
    return run_scenario(load_scenario(write(tmp, raw)), replications=4)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_one_label_one_number(priced: Any, lang: str) -> None:
    """Two metrics with the same label have the same mean (the unsuffixed headline keys repeat
    the headline view); metrics with different figures never share a label."""
    s = priced.economics.set_index("metric")
    by_label: dict[str, set[float]] = {}
    for key, row in s.iterrows():
        by_label.setdefault(metric_label(key, lang, 3), set()).add(round(row["mean"], 6))
    assert {k: v for k, v in by_label.items() if len(v) > 1} == {}
    assert metric_label("revenue", lang, 3) == metric_label("revenue:3y", lang, 3)
    assert metric_label("revenue:1y", lang, 3) != metric_label("revenue_pv:1y", lang, 3)


def test_every_amount_names_its_view_and_discounting(priced: Any) -> None:
    view_bases = {"person_years", "revenue", "revenue_pv", "npv", "bcr", "payback_months",
                  "pays_back", "breakeven_work_share", "breakeven_extra_jobs"}
    for key in headline_metrics(priced.scenario):
        sv = metric_label(key, "sv", 3)
        base = key.partition(":")[0]
        if base in view_bases:
            assert " år" in sv, sv
        if priced.economics.set_index("metric").loc[key, "unit"] in ("kr", "person-years",
                                                                     "ratio"):
            assert "nuvärde" in sv or "odiskonterat" in sv, sv
    assert metric_label("npv", "en", 3) == "Net present value, 3 years"
    assert metric_label("payback_months", "sv", 3) == "Återbetalningstid inom 3 år, nuvärde"


def test_payback_is_one_figure_with_the_share_that_does_not_pay_back(priced: Any) -> None:
    s = priced.economics.set_index("metric")
    pb = priced.priced.metrics["payback_months"]
    assert s.loc["payback_months", "mean"] == pytest.approx(pb.dropna().mean())
    assert s.loc["no_payback", "mean"] == pytest.approx(pb.isna().mean())
    assert s.loc["no_payback", "unit"] == "share"


def test_unbounded_is_a_word_not_inf() -> None:
    for lang, word in (("sv", "obegränsad"), ("en", "unbounded")):
        assert number(math.inf, 0, lang) == word
        assert kr(math.inf, lang) == word
        assert with_unit(-math.inf, "kr", lang).endswith(word)
        assert cell_span(1000.0, math.inf, "kr", lang).endswith(word)
        assert "inf" not in cell_span(1000.0, math.inf, "kr", lang)


# ---------------------------------------------------------------- 9.9, 9.10: compare


def _pair(tmp: Path, third: bool = False) -> list[Any]:
    cheap = scenario(**FULL)
    dear = scenario(**FULL)
    dear["interventions"][0]["costs"][0]["per_participant_month"] = 30000
    raws = [(cheap, "billig"), (dear, "dyr")]
    if third:
        mid = scenario(**FULL)
        mid["interventions"][0]["routing"] = {"arbete": 0.6, "annat": 0.4}
        raws.append((mid, "mitt"))
    return compare_scenarios([load_scenario(write(tmp, r, n)) for r, n in raws], replications=6)


def test_compare_records_hold_the_comparison(tmp_path: Path) -> None:
    results = _pair(tmp_path)
    df = compare_records(results, "en")
    assert set(df["kind"]) == {"programme", "difference", "comparison", "verdict"}
    a, b = (r.economics.set_index("metric") for r in results)
    diff = df[df["kind"] == "difference"].set_index("metric")
    for key, row in diff.iterrows():
        # a record's metric names its horizon ('payback_months:5y'); economics has it bare
        key = key if key in a.index else key.rsplit(":", 1)[0]
        assert row["mean"] == pytest.approx(a.loc[key, "mean"] - b.loc[key, "mean"], nan_ok=True)
        clear = row["lo"] > 0 or row["hi"] < 0
        if row["better"] in ("billig", "dyr"):
            assert clear, key
        elif row["better"] == "no clear difference":
            assert not clear, key
    # the same participants: only the cost differs, so A − B in cost is the same in every run
    cost = results[0].priced.metrics["cost"] - results[1].priced.metrics["cost"]
    assert diff.loc["cost", "lo"] == pytest.approx(cost.min())
    assert diff.loc["cost", "better"] == "billig" and diff.loc["npv:5y", "better"] == "billig"
    assert diff.loc["share_work", "better"] == "no clear difference"
    assert diff.loc["participants", "better"] == ""  # no better direction
    p = df[df["kind"] == "comparison"].iloc[0]
    assert (p["programme"], p["versus"], p["mean"]) == ("billig", "dyr", 1.0)
    assert p["note"] == RUNS_NOTE[1]
    verdict = df[df["kind"] == "verdict"].iloc[0]
    assert verdict["note"].startswith("Ett program med ett långt namn")
    assert "100 % of the simulated runs" in verdict["note"]
    shares = df[(df["kind"] == "programme") & df["metric"].isin(["pays_back:5y", "no_payback:5y"])]
    assert len(shares) == 4 and set(shares["note"]) == {RUNS_NOTE[1]}
    assert df.loc[df["metric"] == "pays_back:5y", "label"].iloc[0].startswith("Share of runs")


def test_compare_three_programmes_against_the_first(tmp_path: Path) -> None:
    results = _pair(tmp_path, third=True)
    df = compare_records(results, "sv")
    diff = df[df["kind"] == "difference"]
    assert set(zip(diff["programme"], diff["versus"], strict=True)) == {("billig", "dyr"),
                                                                        ("billig", "mitt")}
    m = diff[(diff["versus"] == "mitt") & (diff["metric"] == "share_work")].iloc[0]
    mean_a = results[0].economics.set_index("metric").loc["share_work", "mean"]
    mean_c = results[2].economics.set_index("metric").loc["share_work", "mean"]
    assert m["mean"] == pytest.approx(mean_a - mean_c)
    assert len(df[df["kind"] == "comparison"]) == 2 and len(df[df["kind"] == "verdict"]) == 1


def test_compare_json_from_the_cli(tmp_path: Path) -> None:
    results = _pair(tmp_path)
    files = [str(r.scenario.source_file) for r in results]
    res = CliRunner().invoke(app, ["compare", *files, "--format", "json", "--reps", "6",
                                   "--quiet"])
    assert res.exit_code == 0, res.output
    got = pd.DataFrame(json.loads(res.stdout))
    assert set(got.loc[got["actor"] != "", "kind"]) == {"actor"}  # per-actor records after
    got = got[got["kind"] != "actor"]
    want = compare_records(results, "sv")
    assert list(got["kind"]) == list(want["kind"])
    assert np.allclose(got["mean"].astype(float), want["mean"].astype(float), equal_nan=True)


def test_compare_fits_120_columns_and_prints_seeds_as_seeds(tmp_path: Path) -> None:
    results = _pair(tmp_path)
    files = [str(r.scenario.source_file) for r in results]
    narrow = CliRunner().invoke(app, ["compare", *files, "--reps", "6", "--quiet"]).output
    assert max(len(line) for line in narrow.splitlines()) <= 120
    assert "Slumpfrö 20140227," in narrow and "20 140 227" not in narrow
    assert "kr" not in narrow.split("---")[-1].split("\n\n")[0].replace("(kr)", "")  # units once
    wide = CliRunner().invoke(app, ["compare", *files, "--reps", "6", "--quiet", "--wide"]).output
    assert "A, 95 %" in wide and "A, 95 %" not in narrow
    assert "andel körningar" in narrow.lower() or "Andel körningar" in narrow
    assert "(parameterosäkerhet)" in narrow.replace("\n  ", " ")
