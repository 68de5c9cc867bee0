"""The documents an ESF applicant attaches (issue 21, item 10): the Grenverket report fits a reader
and the workbook fits an e-mail.

The Grenverket scenarios carry 500 calibrated sets of 6 values each; listed row by row they made
the report 224 000 px tall and the workbook's per-participant sheet made it 7,3 MB. The report is
measured as a reader sees it: Debian's chromium (driven by Playwright) at 1 280 px width.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from model.report.excel import sheet_name, write_workbook
from model.report.html import write_report
from model.report.programme import load_programmes

ROOT = Path(__file__).resolve().parents[1]
GRENVERKET = ROOT / "scenarios" / "grenverket"
MAX_BYTES = 1_500_000
MAX_HEIGHT_PX = 25_000


@pytest.fixture(scope="module")
def grenverket():
    """Both Grenverket programmes at their own replications and draws (what `insats report` and
    `insats export` run by default), priced once for both documents."""
    return load_programmes(GRENVERKET)


def test_grenverket_report_is_under_25000_px_at_1280_px_and_under_1_5_mb(grenverket, tmp_path):
    from playwright.sync_api import sync_playwright
    from test_report import CHROMIUM_FLAGS, chromium

    out = write_report(grenverket, tmp_path / "grenverket.html")
    assert out.stat().st_size < MAX_BYTES, out.stat().st_size
    text = out.read_text(encoding="utf-8")
    # the calibrated group is summarised: its name, rows, a range per column, where the sets are
    assert "uncertainty.joint[grenverket_pwc].rows" in text
    (group,) = grenverket[0].result.scenario.uncertainty.joint
    rows = f"{len(group.rows):,}".replace(",", "\u00a0")
    assert len(group.rows) > 1000    # the summary's thousands separator is exercised
    assert f"{rows} rader × {len(group.paths)} kolumner" in text
    assert "uppsättningar står i anpassad_yrkesutbildning.yaml" in text
    assert "uncertainty.joint[grenverket_pwc].rows[*][5]: employment.extent" in text
    assert "rows[499]" not in text
    exe = chromium()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(out.as_uri())
            page.wait_for_load_state("load")
            height = page.evaluate("document.documentElement.scrollHeight")
        finally:
            browser.close()
    assert 2_000 < height < MAX_HEIGHT_PX, height  # the lower bound: the page did render


def test_grenverket_workbook_is_under_1_5_mb_without_the_participant_sheet(grenverket, tmp_path):
    out = write_workbook(grenverket, tmp_path / "grenverket.xlsx")
    assert out.stat().st_size < MAX_BYTES, out.stat().st_size
    sheets = pd.read_excel(out, sheet_name=None, engine="openpyxl")
    assert sheet_name("participants") not in sheets
    about = sheets[sheet_name("about")]
    assert about["Värde"].astype(str).str.contains("--participants").any()  # says how to get it
    inputs = sheets[sheet_name("inputs")]
    assert len(inputs) < 200  # not the 6 086 rows of every calibrated value
    paths = inputs["Sökväg i scenariofilen"]
    group = inputs[paths.str.startswith("uncertainty.joint[grenverket_pwc].rows[*]")]
    assert len(group) == 2 * 6  # one range per column, in each of the two files
    extent = group[group["Sökväg i scenariofilen"].str.endswith(": employment.extent")]
    lo, hi = (float(x.replace(",", ".")) for x in extent["Värde"].iloc[0].split(" – "))
    assert 0.25 <= lo < hi <= 1.0  # inside the prior the calibration started from


def test_participant_sheet_on_request(grenverket, tmp_path):
    out = write_workbook(grenverket[:1], tmp_path / "people.xlsx", participants=True)
    people = pd.read_excel(out, sheet_name=sheet_name("participants"), engine="openpyxl")
    assert len(people) == len(grenverket[0].result.run.participants)
