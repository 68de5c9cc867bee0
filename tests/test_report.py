"""The HTML report in a real headless Chromium, and the Excel workbook read back with pandas.

The report is opened as a person would open it: Chromium loads the file with no network, a small
script (added to a copy, never to the report itself) records whether every image decoded, and a
screenshot must be a non-blank PNG. The workbook must hold the run's figures as numbers.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from typer.testing import CliRunner

from cli import app
from model.report.commands import export, report
from model.report.excel import run_headers, sheet_name
from model.report.programme import summary_table
from model.report.sections import PLOTS
from model.report.sections.esf import esf_sentence
from model.report.sections.summary import KEY_FIGURES
from model.report.text import kr, probability_percent

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "tests" / "report_scenarios"
SWEEPS = ROOT / "tests" / "report_sweeps"
FIGURES = ROOT / "tests" / "report_figures.json"
REPS = 8
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--hide-scrollbars", "--mute-audio"]

# appended to a copy of the report: writes what the browser decoded into the DOM
CHECK_SCRIPT = """
<script>
window.addEventListener("load", () => {
  const imgs = Array.from(document.images);
  const out = document.createElement("div");
  out.id = "selfcheck";
  out.dataset.images = imgs.length;
  out.dataset.loaded = imgs.filter(i => i.complete && i.naturalWidth > 0).length;
  out.dataset.widths = imgs.map(i => i.naturalWidth).join(",");
  out.dataset.plots = Array.from(document.querySelectorAll("figure[data-plot]"))
    .map(f => f.dataset.plot).join(",");
  out.dataset.cards = Array.from(document.querySelectorAll(".card[data-metric]"))
    .map(f => f.dataset.metric).join(",");
  document.body.appendChild(out);
});
</script>
"""


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: in CI `make test` runs as root and installs it")
        pytest.skip("browser test skipped: no chromium or chromium-browser on PATH (`make test` "
                    "installs Debian's chromium when run as root; or install it yourself)")
    return exe


def run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run([chromium(), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=180, check=False)


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory):
    from model.sweep import run_sweep

    base = tmp_path_factory.mktemp("sweeps")
    out = []
    for name in ("oneway", "psa"):
        run_sweep(SWEEPS / f"{name}.yaml", base / name, workers=1, quiet=True)
        out.append(base / name)
    return out


@pytest.fixture(scope="module")
def folder_report(tmp_path_factory, sweeps):
    out = tmp_path_factory.mktemp("report") / "rapport.html"
    target, programmes = report(SCENARIOS, out, sweeps=sweeps, reps=REPS, quiet=True)
    return target, programmes


def dump_dom(html_file: Path, tmp: Path) -> str:
    probe = tmp / "probe.html"
    probe.write_text(html_file.read_text(encoding="utf-8").replace("</body>",
                                                                   CHECK_SCRIPT + "</body>"),
                     encoding="utf-8")
    res = run_chromium(["--virtual-time-budget=10000", "--dump-dom", probe.as_uri()],
                       tmp / "profile-dom")
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def selfcheck(dom: str) -> dict[str, str]:
    m = re.search(r'<div id="selfcheck"([^>]*)>', dom)
    assert m, "the check script did not run (no #selfcheck in the DOM)"
    return dict(re.findall(r'data-([a-z]+)="([^"]*)"', m.group(1)))


def test_report_opens_in_chromium_with_every_plot(folder_report, tmp_path):
    target, programmes = folder_report
    html = target.read_text(encoding="utf-8")
    dom = dump_dom(target, tmp_path)
    check = selfcheck(dom)
    text = unescape(dom).replace("\xa0", " ")  # numbers are kept on one line
    n_images = int(check["images"])
    # the report scenarios declare no uncertainty: no value-of-information chart
    expected = {*PLOTS, "tornado", "acceptability"} - {"voi"}
    assert set(check["plots"].split(",")) == expected
    assert n_images == len(expected)
    assert int(check["loaded"]) == n_images, check
    assert all(int(w) > 300 for w in check["widths"].split(","))

    # every embedded PNG decodes on its own too
    pngs = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(pngs) == n_images
    for data in pngs:
        im = Image.open(io.BytesIO(base64.b64decode(data)))
        im.load()
        assert im.width > 300 and im.height > 150

    # self-contained: nothing is fetched from anywhere
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<link" not in html and "@import" not in html

    # the sections and key figures are there, with the run's numbers
    for section in ("summary", "compare", "flows", "payback", "actors", "spread", "esf", "equity",
                    "sweep", "appendix"):
        assert f'id="{section}"' in dom
    for p in programmes:
        s = summary_table(p.result).set_index("metric")
        assert kr(s.loc["npv", "mean"]) in text
        assert esf_sentence(p) in text
        assert p.scenario.digest() in text
        assert str(p.result.run.seed) in text
    assert "Budgeten på" in text and "Andel körningar där nettonuvärdet > 0" in text
    assert "Sannolikhet att det lönar sig" not in text  # a share of runs is not a probability
    assert text.count("inte osäkerheten i antagandena (parameterosäkerhet)") >= 3
    assert "kvinna, utrikes" in text  # the equity view by sex × born
    assert "000: over 500 000 kr per individual and year" in text  # an input's source


_NUMBER = re.compile(r"−?\d{1,3}(?: \d{3})*(?:,\d+)?")


def report_figures(html: str) -> dict[str, list[float]]:
    """Every number in the figure cells (numeric table cells, key-figure cards) per section."""
    out = {}
    for m in re.finditer(r'<section id="([a-z_]+)">(.*?)</section>', html, re.S):
        cells = re.findall(r'<td class="n">(.*?)</td>|<div class="[vi]">(.*?)</div>', m.group(2),
                           re.S)
        text = " | ".join(a or b for a, b in cells).replace("&nbsp;", " ").replace("\xa0", " ")
        out[m.group(1)] = [float(t.replace(" ", "").replace(",", ".").replace("−", "-"))
                           for t in _NUMBER.findall(text)]
    return out


def test_report_figures_are_pinned(folder_report):
    """The seeded report's figures, section by section, are those pinned in report_figures.json
    (regenerate it only for a deliberate change of a figure, and say which in the commit)."""
    target, _ = folder_report
    got = report_figures(target.read_text(encoding="utf-8"))
    if os.environ.get("INSATS_PIN_FIGURES"):
        lines = [f" {json.dumps(k)}: {json.dumps(v)}" for k, v in got.items()]
        FIGURES.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    want = json.loads(FIGURES.read_text(encoding="utf-8"))
    assert set(got) == set(want)
    for section, numbers in want.items():
        assert got[section] == numbers, section


def test_screenshot_is_a_readable_page(folder_report, tmp_path):
    target, _ = folder_report
    shot = tmp_path / "shot.png"
    res = run_chromium(["--window-size=1280,2400", f"--screenshot={shot}", target.as_uri()],
                       tmp_path / "profile-shot")
    assert res.returncode == 0, res.stderr[-2000:]
    im = Image.open(shot)
    assert im.format == "PNG" and im.size == (1280, 2400)
    a = np.asarray(im.convert("L"), dtype=float)
    assert a.std() > 20  # not blank: text, cards and plots
    assert (a < 128).mean() > 0.01  # some dark ink (text)
    assert len(np.unique(np.asarray(im.convert("RGB")).reshape(-1, 3), axis=0)) > 100


def test_single_scenario_report_in_english(tmp_path):
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["report", str(SCENARIOS / "a_utbildning.yaml"), "--out", str(out),
                                   "--lang", "en", "--reps", "4", "--quiet"])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8").replace("\xa0", " ")
    assert '<html lang="en">' in html
    assert "The budget of" in html and "pays back within" in html
    assert 'id="compare"' not in html and 'id="sweep"' not in html
    assert html.count('data-plot="') == len(PLOTS) - 1  # no uncertainty declared: no VOI chart
    for key in KEY_FIGURES:
        assert f'data-metric="{key}"' in html


def test_report_with_progress_bars_and_bad_sweep(tmp_path):
    out = tmp_path / "r.html"
    ok = CliRunner().invoke(app, ["report", str(SCENARIOS / "b_stod.yaml"), "--out", str(out),
                                  "--reps", "3"])
    assert ok.exit_code == 0, ok.output
    assert "Skrev" in ok.output and "Wrote" not in ok.output  # --lang sv (the default)
    bad = CliRunner().invoke(app, ["report", str(SCENARIOS), "--out", str(out), "--reps", "3",
                                   "--sweep", str(tmp_path), "--quiet", "--lang", "en"])
    assert bad.exit_code == 2
    assert "not a sweep folder" in bad.output


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, sweeps):
    out = tmp_path_factory.mktemp("xlsx") / "insats.xlsx"
    target, programmes = export(SCENARIOS, out, sweeps=sweeps, reps=REPS, quiet=True, participants=True)
    return target, programmes


def test_workbook_holds_the_runs_figures_as_numbers(workbook):
    target, programmes = workbook
    sheets = pd.read_excel(target, sheet_name=None, engine="openpyxl")
    for key in ("about", "summary", "esf", "actors", "actor_years", "subgroups", "runs",
                "participants", "inputs"):
        assert sheet_name(key) in sheets
    assert any(name.startswith(sheet_name("sweep")) for name in sheets)

    summary = sheets[sheet_name("summary")]
    for col in ("Medel", "2,5 %", "97,5 %", "Median"):
        assert pd.api.types.is_float_dtype(summary[col]), col
    for p in programmes:
        mine = summary[summary["Program"] == p.name].set_index("Nyckel")
        econ = p.result.economics.set_index("metric")
        for metric, row in econ.iterrows():
            for col, stat in (("Medel", "mean"), ("2,5 %", "lo"), ("97,5 %", "hi")):
                got, want = mine.loc[metric, col], row[stat]
                assert (np.isnan(want) and np.isnan(got)) or np.isclose(got, want, rtol=1e-12), \
                    (p.name, metric, col)

        # per actor: the costs add up to the programme's cost (present value)
        actors = sheets[sheet_name("actors")]
        mine_a = actors[actors["Program"] == p.name]
        assert np.isclose(mine_a["Kostnad, hela programmet, nuvärde"].sum(),
                          econ.loc["cost_pv", "mean"], rtol=1e-9)

        runs = sheets[sheet_name("runs")]  # headers in the workbook's language (run_headers)
        heads = run_headers(programmes, ["programme", *p.result.priced.metrics.columns], "sv")
        per_run = runs[runs["Program"] == p.name].reset_index(drop=True)
        assert np.allclose(per_run[heads["npv"]], p.result.priced.metrics["npv"], rtol=1e-12)
        people = sheets[sheet_name("participants")]
        assert (people["Program"] == p.name).sum() == len(p.result.run.participants)

        esf = sheets[sheet_name("esf")]
        row = esf[(esf["Program"] == p.name) & (esf["Horisont"] == "5 år")].iloc[0]
        # the one definition (re-priced where the runs' mean NPV is 0), as the summary sheet has it
        assert np.isclose(row["Avslut till arbete för nettonuvärde 0"],
                          econ.loc["breakeven_work_exits:5y", "mean"], rtol=1e-12)
    groups = sheets[sheet_name("subgroups")]
    assert {"kvinna, Sverige", "man, utrikes", "Alla deltagare"} <= set(groups["Grupp"])
    inputs = sheets[sheet_name("inputs")]
    assert "000: 62 % to work after the courses" in set(inputs["Källa"].dropna())


def test_workbook_cells_are_numbers_with_formats(workbook):
    from openpyxl import load_workbook

    target, _ = workbook
    wb = load_workbook(target, read_only=False)
    ws = wb[sheet_name("summary")]
    heads = [cell.value for cell in ws[1]]
    unit_col, mean_col = heads.index("Enhet"), heads.index("Medel")
    seen = set()
    for row in ws.iter_rows(min_row=2):
        unit, cell = row[unit_col].value, row[mean_col]
        if cell.value is None:
            continue
        assert cell.data_type == "n", (unit, cell.value)
        if unit == "kr":
            assert "kr" in cell.number_format
        if unit == "share":
            assert "%" in cell.number_format
        if unit == "months":
            assert "mån" in cell.number_format
        seen.add(unit)
    assert {"kr", "share", "months"} <= seen


def _section(html: str, key: str) -> str:
    m = re.search(rf'<section id="{key}">(.*?)</section>', html, re.S)
    assert m, key
    return unescape(m.group(1)).replace("\xa0", " ")


def test_report_warns_of_the_gross_effect_where_results_are_shown(folder_report):
    """The test programmes leave out employment.extent: the summary and the ESF case say so."""
    target, programmes = folder_report
    html = target.read_text(encoding="utf-8")
    for key in ("summary", "esf"):
        part = _section(html, key)
        for p in programmes:
            assert f"{p.title}: Bruttoeffekt, resultatet är överskattat" in part, key
        assert "(employment.extent)" in part


def test_report_names_shares_of_runs_and_one_payback_figure(folder_report):
    target, programmes = folder_report
    html = target.read_text(encoding="utf-8")
    spread, payback = _section(html, "spread"), _section(html, "payback")
    for p in programmes:
        s = summary_table(p.result).set_index("metric")
        share = s.loc["pays_back", "mean"]
        # the one formatter of a probability beside a verdict: "100 %" only when every run pays
        assert f"positivt i {probability_percent(share)} av de simulerade körningarna" in spread
        months = s.loc["payback_months", "mean"]
        never = s.loc["no_payback", "mean"]
        assert f"i medel {f'{months:.1f}'.replace('.', ',')} mån" in payback
        assert f"{round(never * 100)} % av de simulerade körningarna betalar sig inte inom 5 år" \
            in payback
    assert "parameterosäkerhet" in spread


def test_sensitivity_section_in_swedish_words(folder_report):
    target, _ = folder_report
    part = _section(target.read_text(encoding="utf-8"), "sweep")
    assert "Andel kvar i arbete efter 12 månader (employment.retention.share_at_12_months)" in part
    assert "Yrkesutbildning (test)" in part and "<td>utbildning</td>" not in part
    assert "Nettonuvärde, 5 år" in part


def test_analyse_follows_the_metric_and_pools_no_one_way_share(sweeps):
    from model.analysis import load_manifest, overall

    oneway, psa = sweeps
    one = overall(oneway, load_manifest(oneway))
    assert not any(m.startswith("P(") for m in one["metric"])
    view = overall(psa, load_manifest(psa), metric="npv:1y")
    assert {"npv:1y", "revenue_pv:1y", "P(npv:1y > 0)"} <= set(view["metric"])
    assert not {"npv", "revenue_pv", "P(npv > 0)"} & set(view["metric"])
    res = CliRunner().invoke(app, ["analyse", str(psa), "--metric", "npv:1y"])
    assert res.exit_code == 0, res.output
    assert "P(npv:1y > 0)" in res.output and "P(npv > 0)" not in res.output


def test_workbook_carries_the_warnings_and_what_shares_of_runs_are(workbook):
    target, programmes = workbook
    sheets = pd.read_excel(target, sheet_name=None, engine="openpyxl")
    about = sheets[sheet_name("about")]
    warn = about[about["uppgift"] == "varning"]
    assert set(warn["Program"]) == {p.name for p in programmes}
    assert all(str(v).startswith("Bruttoeffekt") for v in warn["Värde"])
    summary = sheets[sheet_name("summary")]
    notes = summary.set_index("Nyckel")["Anmärkning"]
    assert set(notes.loc[["pays_back", "no_payback"]]) == {
        "Andelen gäller simulerade körningar med alla antaganden fasta: den visar slumpen i vilka "
        "som deltar och hur det går för dem, inte osäkerheten i antagandena (parameterosäkerhet)."}
    assert summary.set_index("Nyckel").loc["npv", "Mått"].iloc[0] == "Nettonuvärde, 5 år"
