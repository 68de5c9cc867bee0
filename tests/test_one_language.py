"""One language at a time (issue 21, item 12): progress lines, where a sweep ran, the prefix of
sources, the workbook's horizon column and counts follow --lang."""

from __future__ import annotations

import io
from pathlib import Path
from types import SimpleNamespace

import pytest

from model import progress as pg
from model.report.analysis_text import executor_text, sweep_run_text
from model.report.sections.appendix import inputs_table
from model.report.text import count, source_text, with_unit
from model.scenario import load_yaml

ROOT = Path(__file__).resolve().parents[1]


class _Clock:
    t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.mark.parametrize(("lang", "line"), [
    ("sv", "svep psa: punkter 24/40, 1 m 38 s har gått, 1 m 05 s kvar"),
    ("en", "sweep psa: points 24/40, 1 m 38 s elapsed, 1 m 05 s left")])
def test_progress_line_in_the_chosen_language(lang: str, line: str) -> None:
    """24 of 40 points in 97.5 s: 16 left at 97.5/24 s each = 65 s."""
    clock, out = _Clock(), io.StringIO()
    words = ("svep", "punkter") if lang == "sv" else ("sweep", "points")
    hb = pg.Heartbeat(40, f"{words[0]} psa", words[1], out, clock, every=10, lang=lang)
    clock.t = 97.5
    hb.advance(24)
    assert out.getvalue() == line + "\n"
    clock.t = 200
    hb.advance(16)
    assert out.getvalue().splitlines()[-1].endswith(", klart" if lang == "sv" else ", done")


def test_where_a_sweep_ran_and_its_counts_in_swedish() -> None:
    assert executor_text("2 local processes", "sv") == "2 lokala processer"
    assert executor_text("1 local process", "sv") == "1 lokal process"
    assert executor_text("2 local processes", "en") == "2 local processes"
    plan = SimpleNamespace(spec=SimpleNamespace(name="psa", replications=1, seed=5,
                                                design=SimpleNamespace(kind="psa")),
                           n_points=1, bases=[SimpleNamespace(name="a", file="a.yaml", digest="x")],
                           notes=lambda: [])
    result = SimpleNamespace(plan=plan, skipped_parts=0, computed_parts=1,
                             executor="1 local process", seconds=2.0, out="ut")
    sv = sweep_run_text(result, "sv")
    assert "1 punkt × 1 scenario × 1 körning" in sv and "1 del beräknade på 1 lokal process" in sv
    assert "(n)" not in sv and "(ar)" not in sv and "local" not in sv
    en = sweep_run_text(result, "en")
    assert "1 point x 1 scenario x 1 replication" in en and "1 part computed" in en
    assert count(2, "körning", "körningar") == "2 körningar"
    assert with_unit(1, "jobs", "sv") == "1 jobb" and with_unit(1, "jobs", "en") == "1 job"
    assert with_unit(1, "participants", "sv") == "1 person"


def test_source_prefix_follows_the_language_and_a_quote_stays() -> None:
    assert source_text("assumption: a wide prior", "sv") == "antagande: a wide prior"
    assert source_text("assumption, calibrated: half time", "sv") == "antagande, calibrated: half time"
    assert source_text("antagande: x", "en") == "assumption: x"
    quoted = "000: 62 % to work after the courses; the assumption: none"
    assert source_text(quoted, "sv") == quoted
    raw, _ = load_yaml(ROOT / "scenarios/grenverket/anpassad_yrkesutbildning.yaml")
    p = SimpleNamespace(raw=raw, name="a", path=Path("anpassad_yrkesutbildning.yaml"))
    sv = inputs_table(p, "sv")["source"]
    assert not sv.str.match(r"(?i)assumption\b").any()
    assert sv.str.startswith("antagande").any()
    en = inputs_table(p, "en")["source"]
    assert en.str.startswith("assumption").any() and not en.str.startswith("antagande").any()


def test_report_assumptions_and_page_sources_translate_the_prefix() -> None:
    """The Swedish report's assumptions table and the page's field sources show "antagande:"
    where the file says "assumption:" (one helper, `source_text`); English keeps "assumption:"."""
    from model.app.inputs import fields
    from model.load import load_scenario
    from model.report.sections.summary import assumptions

    path = ROOT / "scenarios/grenverket/anpassad_yrkesutbildning.yaml"
    sc = load_scenario(path)
    raw, _ = load_yaml(path)
    p = SimpleNamespace(scenario=sc, raw=raw)
    sv = assumptions(p, "sv").iloc[:, 2]  # type: ignore[arg-type]
    assert sv.str.startswith("antagande").any()
    assert not sv.str.contains(r"(?i)^assumption\b").any()
    en = assumptions(p, "en").iloc[:, 2]  # type: ignore[arg-type]
    assert en.str.startswith("assumption").any() and not en.str.startswith("antagande").any()
    assumed = [f for f in fields(sc) if f.source_en.startswith("assumption:")]
    assert assumed, "the scenario has an input whose source starts with 'assumption:'"
    for f in assumed:
        assert f.source("sv").startswith("antagande:")
        assert f.source("sv")[len("antagande:"):] == f.source("en")[len("assumption:"):]


@pytest.mark.parametrize(("lang", "label"), [("sv", "kalibrering grenverket_pwc"),
                                             ("en", "calibrate grenverket_pwc")])
def test_calibrate_progress_label_in_the_chosen_language(monkeypatch, lang: str, label: str) -> None:
    """`insats calibrate --lang sv` names its progress "kalibrering …", `--lang en` "calibrate …";
    the sampler itself is replaced (only the label is under test)."""
    import contextlib

    import model.progress
    import model.psa.calibrate
    from model.api import calibrate_files

    seen: list[tuple[str, str]] = []

    @contextlib.contextmanager
    def spy(total, description, quiet=False, unit="", lang="en"):
        seen.append((description, lang))
        yield lambda n=1: None

    monkeypatch.setattr(model.progress, "progress", spy)
    monkeypatch.setattr(model.psa.calibrate, "calibrate",
                        lambda spec, scs, on_step=None, workers=1: SimpleNamespace(converged=False))
    calibrate_files([ROOT / "scenarios/calibration/grenverket.yaml"], None, quiet=False, lang=lang)
    assert seen == [(label, lang)]


def test_workbook_headers_of_the_uncertainty_voi_and_esf_sheets_follow_the_language(tmp_path) -> None:
    """The Grenverket workbook (both programmes, their declared uncertainty drawn) has Swedish
    headers on "Parameterosäkerhet", "Informationsvärde" and "ESF-budget" in Swedish (no column's
    code name, no English header), English ones in English; the cells are the same."""
    from openpyxl import load_workbook

    from model.report.excel import sheet_name, write_workbook
    from model.report.programme import load_programmes

    programmes = load_programmes(ROOT / "scenarios/grenverket")
    keys = ("uncertainty", "voi", "esf")

    def headers(lang: str) -> dict[str, tuple[str, ...]]:
        wb = load_workbook(write_workbook(programmes, tmp_path / f"{lang}.xlsx", lang), read_only=True)
        return {k: next(wb[sheet_name(k, lang)].iter_rows(max_row=1, values_only=True)) for k in keys}

    sv, en = headers("sv"), headers("en")
    codes = {"metric", "unit", "mean", "lo", "hi", "median", "mcse", "n", "basis", "programme", "other",
             "distinct_rows", "effective_draws", "seed", "draws", "parameter", "kind", "per_decision",
             "per_participant", "population", "scaled", "participants", "options", "allowances",
             "reason"}
    same_in_both = {"Median", "Parameter"}
    for k in keys:
        assert len(sv[k]) == len(en[k])
        assert not set(sv[k]) & codes, (k, set(sv[k]) & codes)
        assert not set(en[k]) & codes, (k, set(en[k]) & codes)
        assert set(sv[k]) & set(en[k]) <= same_in_both, (k, set(sv[k]) & set(en[k]))
    assert "Medel" in sv["uncertainty"] and "Mean" in en["uncertainty"]


def test_a_page_edit_keeps_the_files_source_in_the_pages_language() -> None:
    """`_mark` (an edit on the page) keeps the file's source beside the new value with its
    prefix in the page's language: "antagande:" in Swedish, a quote as written."""
    from model.app.inputs import with_values
    from model.load import load_scenario

    sc = load_scenario(ROOT / "scenarios/grenverket/anpassad_yrkesutbildning.yaml")
    path = "intake.groups.size"
    sv = with_values(sc, {path: 20}, "sv").raw["intake"]["groups"]["size"]["source"]
    assert "källa: antagande: 162 participants" in sv and "assumption" not in sv
    en = with_values(sc, {path: 20}, "en").raw["intake"]["groups"]["size"]["source"]
    assert "source: assumption: 162 participants" in en
