"""Issue 21 items 2 and 8 on the planners' page, driven headlessly with Streamlit's AppTest: a
planner's own scenario (every intake form gets its participant-count field, the file's own values
cited "från din fil") and an edited download that keeps the file's text, comments and layout."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from model.app import compute
from model.app.inputs import fields, with_values
from model.app.typed import format_number

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "base_scenario.yaml"
PAGE = str(ROOT / "model/app/page.py")

# every intake form of model/scenario/intake.py -> (its count field, the count, its label)
FORMS = {
    "cohort": ({"cohort": {"n": 40}}, "intake.cohort.n", 40, "Antal deltagare"),
    "spread": ({"spread": {"n": 40, "months": 6}}, "intake.spread.n", 40, "Antal deltagare"),
    "groups": ({"groups": {"size": 10, "every_months": 3, "end_month": 12}}, "intake.groups.size", 10,
               "Deltagare per grupp"),
    "stream": ({"stream": {"rate_per_month": 4, "end_month": 10}}, "intake.stream.rate_per_month", 4,
               "Nya deltagare per månad"),
    "capped": ({"stream": {"rate_per_month": 4}, "max_participants": 50}, "intake.max_participants", 50,
               "Antal deltagare (högst)"),
}


def _own(intake: dict, comment: str = "") -> bytes:
    raw = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    raw["intake"] = intake
    return (comment + yaml.safe_dump(raw, allow_unicode=True, sort_keys=False)).encode()


def _uploaded(data: bytes, name: str = "mitt_program.yaml"):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(PAGE, default_timeout=120).run()
    at.selectbox(key="choice").set_value("Ladda upp en egen scenariofil …").run()
    at.get("file_uploader")[0].upload(name, data, "application/x-yaml").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("form", list(FORMS))
def test_every_intake_form_of_an_upload_gets_its_count_field_from_your_file(form):
    """Item 8: each intake form's count is offered, labelled in words, cited from the file."""
    intake, path, count, label = FORMS[form]
    sc = compute.load_upload("mitt_program.yaml", _own(intake))
    (field,) = [f for f in fields(sc) if f.path == path]
    assert field.kind == "participants" and field.value == count and field.shown == count
    assert field.label("sv").startswith(label) and "intake." not in field.label("sv")
    assert field.source("sv") == "från din fil" and field.source("en") == "from your file"
    if form == "stream":  # people per month, not a rate shown in percent
        assert field.scale == 1 and field.hi >= 10 * count
        edited = with_values(sc, {path: 6.0}, "sv")
        assert edited.intake.stream.rate_per_month == 6.0


def test_page_offers_an_own_spread_scenarios_count_from_your_file():
    """Item 8 on the page: the uploaded spread intake's count field is there, with its source."""
    at = _uploaded(_own(FORMS["spread"][0]))
    (field,) = [x for x in at.text_input if "|intake.spread.n|" in x.key]
    assert field.label.startswith("Antal deltagare") and field.value == "40"
    captions = [c.value for c in at.caption]
    assert any("från din fil" in c for c in captions)
    field.set_value("80").run()
    assert not at.exception
    assert any(c.value.startswith("**Ändrad på sidan** (i filen: 40; källa: från din fil")
               for c in at.caption), [c.value for c in at.caption]


def test_page_offers_an_own_stream_scenarios_count():
    at = _uploaded(_own(FORMS["stream"][0]))
    (field,) = [x for x in at.text_input if "|intake.stream.rate_per_month|" in x.key]
    assert field.value == format_number(4) and "Nya deltagare per månad" in field.label


def test_an_uploads_edited_download_keeps_its_comments_and_layout():
    """Item 2 for an upload: the page keeps the uploaded text for the download (AppTest has no
    runtime to run the deferred download itself: the browser test below clicks it), and the
    download made from it is that text with the edited number marked in place (comments kept, as
    many lines), reading back as the edit."""
    comment = "# Vårt eget program: siffror från ansökan 2026\n"
    data = _own(FORMS["spread"][0], comment)
    at = _uploaded(data)
    next(x for x in at.text_input if "|intake.spread.n|" in x.key).set_value("80").run()
    assert not at.exception
    (kept,) = at.session_state["texts"].values()
    assert kept == data.decode()
    sc = compute.load_upload("mitt_program.yaml", data)
    edited = with_values(sc, {"intake.spread.n": 80.0}, "sv")
    assert compute.download_name(edited) == f"{sc.name}_andrad.yaml"
    text = compute.scenario_yaml(edited, kept)
    assert text.startswith(comment) and len(text.splitlines()) == len(kept.splitlines())
    node = yaml.safe_load(text)["intake"]["spread"]["n"]
    assert node["value"] == 80 and node["source"] == "ändrad på sidan (i filen: 40; källa: från din fil)"
    assert "/tmp/" not in text and str(ROOT) not in text


def test_a_cost_given_on_the_page_keeps_the_files_text():
    """Item 2: the cost field offered to a scenario without costs adds a section at the end of
    the file's own text, rather than re-serialising the whole file."""
    file = ROOT / "scenarios/library/lyra.yaml"
    sc = compute.load_ready(file)
    edited = with_values(sc, {"costs.lump_sums[0].amount": 500_000.0}, "sv")
    text = compute.scenario_yaml(edited)
    original = file.read_text(encoding="utf-8")
    assert text.startswith(original.rstrip("\n"))
    assert yaml.safe_load(text) == edited.raw
    assert "ändrad på sidan" in text


def test_an_edited_uploads_report_and_workbook_list_the_edit_first_without_machine_paths():
    """Item 2 for an upload: the simulated report and workbook name the edit (with the file's
    value, cited from your file) in their first section, and no machine path at all."""
    import io
    import re

    import openpyxl

    sc = compute.load_upload("mitt_program.yaml", _own(FORMS["spread"][0]))
    p = compute.simulated_programme(with_values(sc, {"intake.spread.n": 80.0}, "sv"), replications=2)
    line = "Ändrad på sidan: intake.spread.n = 80 (i filen: 40; källa: från din fil)"
    book = openpyxl.load_workbook(io.BytesIO(compute.workbook([p], "sv")))
    first = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row if c]
    assert line in first and f"{sc.name}_andrad.yaml" in first
    cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert not [c for c in cells if re.search(r"/(tmp|work|home|root)/", c) or str(ROOT) in c]
    report = compute.report_html([p], "sv").decode()
    assert line in report and report.find(line) < report.find("<h2", report.find("<h2") + 1)
    assert not re.search(r"/(tmp|work|home|root)/", report) and str(ROOT) not in report


BLOCK = """# Vårt eget program, skrivet för hand
intake:
  spread:
    n:
      value: 40        # deltagare enligt ansökan
      source: ansökan 2026, bilaga 3
    months: 6
"""


@pytest.mark.parametrize("number", [
    "      value: 40        # deltagare enligt ansökan\n      source: ansökan 2026, bilaga 3\n",
    "      value: 40        # deltagare enligt ansökan\n",  # no source: one is added beside
])
def test_a_block_written_number_is_edited_in_place(number):
    """Item 2: a number written as a block (`value:` and `source:` on lines of their own), as a
    planner types it, is edited where it stands; the file is not re-serialised."""
    rest = yaml.safe_load(BASE.read_text(encoding="utf-8"))
    del rest["intake"]
    head = BLOCK.split("      value:")[0]
    text = head + number + "    months: 6\n" + yaml.safe_dump(rest, allow_unicode=True, sort_keys=False)
    sc = compute.load_upload("mitt_program.yaml", text.encode())
    edited = with_values(sc, {"intake.spread.n": 80.0}, "sv")
    out = compute.scenario_yaml(edited, text)
    assert yaml.safe_load(out) == edited.raw
    assert "# deltagare enligt ansökan" in out and out.startswith("# Vårt eget program")
    assert len(out.splitlines()) == len(text.splitlines()) + ("source:" not in number)
    def others(t: str) -> list[str]:  # every line but the edited number's own
        return [x for x in t.splitlines() if not x.startswith(("      value:", "      source:"))]
    assert others(out) == others(text)
    assert yaml.safe_load(out)["intake"]["spread"]["n"]["source"].startswith("ändrad på sidan (i filen: 40")
