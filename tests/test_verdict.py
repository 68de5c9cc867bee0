"""One answer per screen (issue 18, items 1, 2, 3 and 10): the verdict comes from what we know
(parameter draws) when a scenario declares uncertainty, the one-cohort table is labelled as at base
values and names no better programme, figures whose two values disagree are explained, a break-even
beyond reach is words, and duplicate programme names are refused."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from model.answer import answer
from model.load import load_scenario
from model.report.agreement import disagreements
from model.report.psa_view import psa_metrics, summaries
from model.report.tables import compare_text, run_text
from model.report.text import metric_label

ROOT = Path(__file__).resolve().parents[1]
GREN = ROOT / "scenarios/grenverket"
READY = sorted([*GREN.glob("*.yaml"), *(ROOT / "scenarios/library").glob("*.yaml")])
SMALL = ["--draws", "60", "--reps", "8", "--quiet"]


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def grenverket_programmes() -> list[Any]:
    from model.report.programme import load_programmes

    return load_programmes(GREN, replications=6, draws=40)


def _page(progs: list[Any]) -> Any:
    class P:  # the parts of a Page the summary reads
        programmes, lang, multi, first, reps = progs, "sv", len(progs) > 1, progs[0], 6

    return P()


@pytest.fixture(scope="module")
def grenverket_sv() -> str:
    res = CliRunner().invoke(app, ["compare", str(GREN), *SMALL])
    assert res.exit_code == 0, res.output
    return res.stdout


def test_compare_with_uncertainty_says_one_verdict_first_and_last(grenverket_sv: str) -> None:
    """Item 1: the first and the last sentence are the verdict over parameter draws; the cohort
    block names no better programme and has no 'ingen tydlig skillnad' of its own."""
    out = grenverket_sv
    first = out.split("\n\n")[0]
    assert first.startswith("Slutsats: ") and "dragningar" in first
    last = out.rstrip().split("\n\n")[-1]
    assert last == first
    body = out.replace(first, "")
    assert "Bättre" not in body and "ingen tydlig skillnad" not in body
    assert "simulerade körningarna" not in first
    assert out.index("Parameterosäkerhet") < out.index("vid basvärden")
    assert "Slumpvariation för en kohort" in out


def test_compare_json_verdict_record_is_over_draws() -> None:
    res = CliRunner().invoke(app, ["compare", str(GREN), *SMALL, "--format", "json", "--lang", "en"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    verdicts = [r for r in rows if r["kind"] == "verdict"]
    assert len(verdicts) == 1 and verdicts[0]["basis"] == "draws"
    assert "draws" in verdicts[0]["note"] and "simulated runs" not in verdicts[0]["note"]
    assert verdicts[0]["programme"] == "anpassad_yrkesutbildning"
    # the one-cohort differences name no better programme beside the verdict over draws
    assert {r["better"] for r in rows if r["kind"] == "difference"} == {""}


def test_without_uncertainty_the_cohort_answer_stays_the_verdict() -> None:
    res = CliRunner().invoke(app, ["compare", str(GREN), "--no-uncertainty", "--reps", "8",
                                   "--quiet"])
    assert res.exit_code == 0, res.output
    assert "Bättre" in res.stdout and "vid basvärden" not in res.stdout
    assert "simulerade körningarna" in _lines(res.stdout)[-1] or "simulerade" in res.stdout


def test_report_summary_uses_the_same_verdict(grenverket_programmes: list[Any]) -> None:
    """The HTML summary and the workbook's summary sheet say the verdict over draws."""
    from model.report.sections import summary
    from model.report.verdict import verdict

    progs = grenverket_programmes
    text = verdict([p.result for p in progs], progs[0].psa, "sv").text
    assert "dragningar" in text

    html = summary.html(_page(progs))
    assert "Anpassad yrkesutbildning ger högst förväntat nettonuvärde" in html
    from model.report.excel import summary_frame

    first = summary_frame(progs, "sv").iloc[0]
    assert (first["metric"], first["note"]) == ("verdict", text)
    # the draws with their distinct calibrated rows and effective number (issue 19 item 6)
    assert re.search(r"dragningar \(\d+ olika kalibrerade rader, effektivt ≈ \d+\) ur det vi vet",
                     html.replace("\xa0", " "))


# ---------------------------------------------------------------- item 2: one value per figure


def _key_heads(html: str) -> list[str]:
    head = re.search(r'<table class="keyfigures"><thead><tr>(.*?)</tr>', html)
    assert head, "no key-figure table"
    return re.findall(r"<th[^>]*>(.*?)</th>", head.group(1))


def test_report_key_figures_under_a_verdict_over_draws_are_labelled_at_base_values(
        grenverket_programmes: list[Any]) -> None:
    """The HTML report's key-figure table under the verdict over draws shows the cohorts at base
    values: every programme's header says so and the caption names the verdict's NPV beside the
    table's and says why they differ. Without declared uncertainty the headers stay the names."""
    from model.economics.figures import headline
    from model.report.programme import load_programmes
    from model.report.sections import summary
    from model.report.text import kr

    progs = grenverket_programmes
    html = summary.html(_page(progs))
    heads = _key_heads(html)
    assert heads[1:] == [f"{p.title} vid basvärden" for p in progs]
    caption = re.search(r'<p class="note keyfigures-caption">(.*?)</p>', html)
    assert caption, "no caption under the key-figure table"
    text = caption.group(1).replace("\xa0", " ")
    sums = summaries(progs[0].psa, [p.scenario for p in progs])
    for p in progs:
        over = sums[p.scenario.name].set_index("metric").loc[headline(p.scenario), "mean"]
        at = p.result.economics.set_index("metric").loc["npv", "mean"]
        assert f"{p.title} {kr(over, 'sv')} i omdömet, {kr(at, 'sv')} här".replace("\xa0", " ") \
            in text
    assert "inte är linjärt" in text and "dragningar" in text

    one = progs[:1]   # one programme: figure cards, under a heading that says "vid basvärden"
    html = summary.html(_page(one))
    assert "<h3>Nyckeltal vid basvärden</h3>" in html and "keyfigures-caption" in html

    plain = load_programmes(GREN, replications=6, uncertainty=False)
    html = summary.html(_page(plain))
    assert _key_heads(html)[1:] == [p.title for p in plain]
    assert "vid basvärden" not in html and "keyfigures-caption" not in html
    assert "vid basvärden" not in summary.html(_page(plain[:1]))


@pytest.mark.parametrize("path", [p for p in READY if load_scenario(p).has_uncertainty()],
                         ids=lambda p: p.stem)
def test_psa_mean_and_base_value_agree_or_the_output_says_why(path: Path) -> None:
    """For every headline figure of the PSA table: the mean over draws and the figure at base
    values differ by less than the PSA's 95 % half-width, or the output names the figure with
    both values. (Draws 200 and 40 simulated cohorts; the base figure's own noise is allowed up
    to 3 standard errors where the draws do not move it.)"""
    sc = load_scenario(path)
    ans = answer([sc], replications=40, draws=200, seed=20140227)
    text = run_text(ans.results[0], path, "test", "sv", ans.psa)
    assert "Medel vid basvärden" in text
    s = summaries(ans.psa, [sc])[sc.name].set_index("metric")
    base = ans.results[0].economics.set_index("metric")
    flagged = {d.metric for d in disagreements(ans.results, ans.psa)}
    for k in psa_metrics(sc):
        if k not in s.index or k not in base.index:
            continue
        gap = abs(s.loc[k, "mean"] - base.loc[k, "mean"])
        runs = ans.results[0].priced.metrics[k].dropna()
        se = runs.std(ddof=1) / len(runs) ** 0.5   # the simulated base figure's own noise
        if gap > max((s.loc[k, "hi"] - s.loc[k, "lo"]) / 2, 3 * se):
            assert k in flagged, k
            assert f"Obs: {metric_label(k, 'sv')} för {sc.title}" in " ".join(text.split())


def test_grenverket_base_values_and_psa_agree_and_a_moved_base_value_is_named(tmp_path: Path
                                                                             ) -> None:
    """The shipped Grenverket files: after the re-calibration their base values are the posterior
    medians, every headline figure at base values is within the PSA's half-width, and the
    comparison carries no note. A copy whose SE job-finding rate is moved to 2 % a month at base
    (the posterior's rows stay near 3,5 %) must be named, with both values: the note is what a
    reader gets whenever a base value and the posterior part."""
    scs = [load_scenario(p) for p in sorted(GREN.glob("*.yaml"))]
    ans = answer(scs, replications=60, draws=200, seed=20140227)
    assert disagreements(ans.results, ans.psa) == []
    assert "Obs:" not in compare_text(ans.results, "test", "sv", psa=ans.psa)

    for f in GREN.glob("*.yaml"):
        raw = yaml.safe_load(f.read_text(encoding="utf-8"))
        if raw["name"] == "supported_employment":
            hz = raw["interventions"][0]["exit_hazards"]
            hz["arbete"] = {**hz["arbete"], "value": 0.02}
        (tmp_path / f.name).write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    scs = [load_scenario(p) for p in sorted(tmp_path.glob("*.yaml"))]
    ans = answer(scs, replications=60, draws=200, seed=20140227)
    found = disagreements(ans.results, ans.psa)
    assert ("supported_employment", "share_work") in {(d.programme, d.metric) for d in found}
    text = " ".join(compare_text(ans.results, "test", "sv", psa=ans.psa).split())
    for d in found:
        assert f"{metric_label(d.metric, 'sv')} för {d.title}" in text


# ---------------------------------------------------------------- item 3: unreachable break-even


def _slow_programme(tmp: Path) -> Path:
    """An 11,5-month programme: its leavers have half a month in work within the 1-year view, so
    its 1-year break-even is far beyond reach (the formula's number is well above 100 %)."""
    raw: dict[str, Any] = {
        "name": "langsam", "label": "Långsam utbildning",
        "simulation": {"replications": 4, "seed": 7},
        "intake": {"cohort": {"n": 40}}, "entry": "kurs",
        "interventions": [{"name": "kurs", "duration": {"dist": "fixed", "months": 11.5},
                           "routing": {"arbete": 0.5, "annat": 0.5},
                           "costs": [{"funder": "esf", "per_participant_month": 9000}]}],
        "exit_states": {"arbete": {"category": "work"}, "annat": {"category": "other"}},
        "counterfactual": {"monthly_hazard": 0.02},
        "employment": {"retention": {"share_at_12_months": 0.7}},
    }
    f = tmp / "langsam.yaml"
    f.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return f


NUMBER_PCT = re.compile(r"\d{3,}(?:[ ,]\d+)* ?%")   # a share of 100 % or more, e.g. "903 048,1 %"


def test_unreachable_breakeven_is_words_in_every_output(tmp_path: Path) -> None:
    f = _slow_programme(tmp_path)
    from model.api import run_scenario
    from model.economics import view_key  # noqa: F401

    m = run_scenario(load_scenario(f)).priced.metrics
    assert (m["breakeven_work_share:1y"] > 1).all()  # the case: beyond reach at 1 year
    runner = CliRunner()
    for args in (["run", str(f), "--no-uncertainty"], ["run", str(f), "--method", "exact"]):
        res = runner.invoke(app, [*args, "--quiet"] if "exact" not in args else args)
        assert res.exit_code == 0, res.output
        row = next(line for line in res.stdout.splitlines()
                   if line.startswith("Andel till arbete för nettonuvärde 0, 1 år"))
        assert "ej nåbart inom 1 år" in row and not NUMBER_PCT.search(row.replace("(%)", ""))
        jobs = next(line for line in res.stdout.splitlines()
                    if line.startswith("Extra jobb för nettonuvärde 0, 1 år"))
        assert "ej nåbart inom 1 år" in jobs
    res = runner.invoke(app, ["run", str(f), "--no-uncertainty", "--format", "json", "--lang",
                              "en", "--quiet"])
    rows = {r["metric"]: r for r in json.loads(res.stdout) if r.get("kind") == "programme"}
    for key in ("breakeven_work_share:1y", "breakeven_extra_jobs:1y", "breakeven_work_exits:1y"):
        assert rows[key]["mean"] is None, key
        assert rows[key]["reason"] == "not reachable within 1 year", key
    # the report's ESF table and the workbook
    from model.report.excel import esf_frame, summary_frame
    from model.report.programme import load_programmes
    from model.report.sections.esf import _esf

    progs = load_programmes(f, uncertainty=False)
    html = _esf(progs[0], "sv").replace("\xa0", " ")
    one_year = html.split("<tr>")[2] if "<tr>" in html else html
    assert "ej nåbart inom 1 år" in html and not NUMBER_PCT.search(one_year)
    esf = esf_frame(progs, "sv").set_index("view")
    assert pd.isna(esf.loc["1 år", "needed"]) and esf.loc["1 år", "reason"] == "ej nåbart inom 1 år"
    assert esf.loc["1 år", "needed_hi"] <= esf.loc["1 år", "participants"] or pd.isna(
        esf.loc["1 år", "needed_hi"])
    summ = summary_frame(progs, "sv").set_index("metric")
    assert pd.isna(summ.loc["breakeven_work_share:1y", "mean"])  # a blank cell in the sheet
    assert summ.loc["breakeven_work_share:1y", "note"] == "ej nåbart inom 1 år"


JOBS = re.compile(r"(\d[\d ]*(?:,\d+)?) (?:jobb|jobs|personer|people)\b")


def _breakeven_cells(kf: pd.DataFrame, title: str) -> dict[str, str]:
    """The page's break-even rows (label -> cell) of one programme's column."""
    return {label: str(cell).replace("\xa0", " ")
            for label, cell in zip(kf.iloc[:, 0], kf[title], strict=True)
            if "nettonuvärde 0" in label or "NPV 0" in label or "net present value 0" in label}


def test_page_key_figures_say_unreachable_breakeven_in_words(tmp_path: Path) -> None:
    """The page's key-figure table (expected-value path and a simulated run) of the 11,5-month
    programme: the 1-year break-even is 'ej nåbart inom 1 år', never a share of 100 % or more
    and never more jobs than its 40 participants (it printed 754,9 % and 295 jobb)."""
    from model.app.compute import expected_programme, key_figures, simulated_programme

    sc = load_scenario(_slow_programme(tmp_path))
    for p in (expected_programme(sc), simulated_programme(sc)):
        for lang, words in (("sv", "ej nåbart inom 1 år"), ("en", "not reachable within 1 year")):
            cells = _breakeven_cells(key_figures([p], lang), p.title)
            one_year = {k: v for k, v in cells.items() if "1 år" in k or "1 year" in k}
            assert len(one_year) == 2, cells   # extra jobs and work share, 1 year
            for label, cell in cells.items():
                assert not NUMBER_PCT.search(cell), (label, cell)
                for count in JOBS.findall(cell):
                    assert float(count.replace(" ", "").replace(",", ".")) <= 40, (label, cell)
            for label, cell in one_year.items():
                assert words in cell, (label, cell)


def test_csv_unreachable_breakeven_is_empty_with_a_reason(tmp_path: Path) -> None:
    """`insats run FILE --format csv`: the unreachable 1-year break-even is an empty cell plus a
    reason, never a number."""
    import io

    f = _slow_programme(tmp_path)
    res = CliRunner().invoke(app, ["run", str(f), "--format", "csv", "--quiet"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    rows = table[table["metric"].isin(["breakeven_work_share:1y", "breakeven_extra_jobs:1y",
                                       "breakeven_work_exits:1y"])]
    assert len(rows) == 3, table["metric"].tolist()
    assert rows["mean"].isna().all()
    assert (rows["reason"] == "ej nåbart inom 1 år").all()


def test_share_interval_is_clipped_and_says_so() -> None:
    from model.report import reach

    text = reach.interval("breakeven_work_share:1y", 0.931, 1.026, 100,
                          lambda a, b: f"{a:.3f}–{b:.3f}", "sv")
    assert text == "0.931–1.000 (övre gränsen klippt till det nåbara)"
    assert reach.figure("breakeven_work_share:1y", 0.985, 100, str, "sv") == "0.985"
    assert reach.figure("breakeven_extra_jobs:5y", 120.0, 100, str, "en") == \
        "not reachable within 5 years"


# ---------------------------------------------------------------- item 10: duplicate names


def test_duplicate_programme_names_are_refused_naming_both_files(tmp_path: Path) -> None:
    for f in GREN.glob("*.yaml"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    copy = tmp_path / "kopia.yaml"
    copy.write_text((GREN / "supported_employment.yaml").read_text(encoding="utf-8"),
                    encoding="utf-8")
    for fmt in ("table", "csv"):
        res = CliRunner().invoke(app, ["compare", str(tmp_path), "--reps", "3", "--quiet",
                                       "--no-uncertainty", "--format", fmt])
        assert res.exit_code == 2, res.output
        assert "kopia.yaml" in res.output and "supported_employment.yaml" in res.output
        assert "Traceback" not in res.output
