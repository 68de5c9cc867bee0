"""Issue 23 on the planners' page: a participant-records file (.csv) uploaded beside a scenario
file is fitted as `insats fit` fits it, shown as a scenario ready to compare, with its fit report
to download. Streamlit's AppTest, and the real page in Chromium driven by Playwright."""

from __future__ import annotations

import re
from pathlib import Path

from test_app import _at_upload, _browser, _download, served_page  # noqa: F401 (a fixture)

from model.app import fitted

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "scenarios" / "records" / "framgangen_synthetic.csv"
OWN = ROOT / "tests" / "base_scenario.yaml"


def test_fit_upload_gives_the_commands_scenario_and_report_without_machine_paths():
    data = RECORDS.read_bytes()
    assert fitted.latest_date(data).isoformat() <= "2019-01-10"
    fit = fitted.fit_upload(RECORDS.name, data, "2019-01-10", "en")
    sc = fit.scenario
    assert "fitted from framgangen_synthetic.csv" in sc.title
    assert sc.uncertainty.joint and len(sc.uncertainty.joint[0].rows) == fitted.BOOT
    assert "213 participants, 101 enrolled" in fit.summary
    html = fit.report.decode("utf-8")
    assert "Fit to participant records" in html and html.count("<img") >= 3
    for text in (fit.text, fit.summary, html):
        assert "/tmp" not in text and str(ROOT) not in text
    # a bad records file is refused, named by the uploaded name
    import pytest

    from model.errors import InputError

    with pytest.raises(InputError) as err:
        fitted.fit_upload("mine.csv", b"person_id,entry_date,exit_date,exit_reason\n1,2019-13-01,,\n",
                          "2019-12-31")
    assert err.value.problems[0].file == "mine.csv" and err.value.problems[0].line == 2


def test_page_fits_an_uploaded_records_file_beside_a_scenario():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "model/app/page.py"), default_timeout=300).run()
    at.selectbox(key="choice").set_value("Ladda upp en egen scenariofil …").run()
    uploader = at.get("file_uploader")[0]
    uploader.upload(RECORDS.name, RECORDS.read_bytes(), "text/csv").run()
    assert not at.exception, at.exception
    assert at.text_input(key=f"datadate|{RECORDS.name}").value == "2019-01-09"  # the latest date in it
    texts = at.session_state["texts"]
    (key,) = [k for k in texts if k.startswith("records:")]
    assert texts[key].startswith("# Fitted by `insats fit`")
    assert not at.error, [e.value for e in at.error]


def test_records_upload_in_chromium_shows_the_fit_ready_to_compare(served_page, tmp_path):  # noqa: F811
    """In a real browser: the records file and a scenario file uploaded together give two tabs
    (the fitted scenario and the other), the fit report downloads as a whole HTML page, and the
    results show both programmes (the fitted one asks for costs, which records do not hold)."""
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as pw:
        browser = _browser(pw)
        try:
            page = _at_upload(browser, served_page, 1400)
            page.locator("input[type='file']").set_input_files([str(RECORDS), str(OWN)])
            button = page.get_by_role("button", name=re.compile("^Anpassningsrapport \\(HTML\\)"))
            expect(button).to_be_visible()
            expect(page.get_by_role("tab", name=re.compile("fitted from framgangen_synthetic.csv"))
                   ).to_be_visible()
            expect(page.get_by_role("tab")).to_have_count(2)
            expect(page.get_by_text(re.compile("saknar kostnader")).first).to_be_visible()
            download = _download(page, button)
            assert download.suggested_filename == "framgangen_synthetic_fit.html"
            html = Path(download.path()).read_text(encoding="utf-8")
        finally:
            browser.close()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "Anpassning till deltagarregister" in html and "framgangen_synthetic.csv" in html
    assert html.count("<img") >= 3
