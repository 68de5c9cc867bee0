"""The workbook in one language (issue 21 item 12): the per-run sheet names each metric by its
label and the per-participant sheet its columns in the workbook's language (the cells, codes
and numbers, are the same in both); the horizon column reads "1 år"/"1 year", not `1y`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from model.report.excel import sheet_name, write_workbook
from model.report.programme import load_programmes

ROOT = Path(__file__).resolve().parents[1]
CODE = re.compile(r"^[a-z_]+(:[\w-]+)?$")  # a column's code name (npv:5y, months_in_a, rep)


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, object]:
    programmes = load_programmes(ROOT / "scenarios/grenverket", replications=3, seed=1,
                                 uncertainty=False)
    folder = tmp_path_factory.mktemp("books")
    return {lang: load_workbook(write_workbook(programmes, folder / f"{lang}.xlsx", lang,
                                               participants=True), read_only=True)
            for lang in ("sv", "en")}


def _rows(book: object, key: str, lang: str) -> list[tuple]:
    return list(book[sheet_name(key, lang)].iter_rows(values_only=True))  # type: ignore[index]


def test_the_per_run_sheet_names_metrics_by_their_labels(books) -> None:
    sv, en = (_rows(books[lang], "runs", lang) for lang in ("sv", "en"))
    head_sv, head_en = sv[0], en[0]
    assert len(head_sv) == len(head_en) == len(set(head_sv)) == len(set(head_en))
    assert head_sv[:2] == ("Program", "Körning") and head_en[:2] == ("Programme", "Run")
    assert "Nettonuvärde, 5 år" in head_sv and "Net present value, 5 years" in head_en
    assert "Samhällsintäkt, 1 år, nuvärde" in head_sv
    assert not [h for h in head_sv if CODE.match(str(h))], head_sv
    assert not [h for h in head_en if re.search(r"[åäö]", str(h))], head_en
    assert sv[1:] == en[1:]  # the same cells under both


def test_the_per_participant_sheet_has_headers_in_the_workbooks_language(books) -> None:
    sv, en = (_rows(books[lang], "participants", lang) for lang in ("sv", "en"))
    assert {"Deltagare nr", "Ankomstmånad", "Utfall", "Månader i programmet"} <= set(sv[0])
    assert {"Participant no.", "Arrival month", "Exit state", "Months in the programme"} <= set(en[0])
    assert any(str(h).startswith("Månader i ") and h != "Månader i programmet" for h in sv[0])
    assert not [h for h in sv[0] if CODE.match(str(h))], sv[0]
    assert sv[1] == en[1]


def test_the_horizon_column_reads_years_in_words(books) -> None:
    for lang, word in (("sv", r"\d+ år"), ("en", r"\d+ years?")):
        rows = _rows(books[lang], "esf", lang)
        col = rows[0].index("Horisont" if lang == "sv" else "Horizon")
        values = {r[col] for r in rows[1:]}
        assert values and all(re.fullmatch(word, str(v)) for v in values), values
