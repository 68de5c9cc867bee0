"""The co-financing and ESF sentences explain themselves (issue 21, item 11): an actor that pays
and gets 0 kr back is told why (the value goes to staten by `valuation.actor_shares`) and how to
change it; the ESF sentence has its comma ("Budgeten på X kr, varav ESF-stöd Y kr, betalar sig")."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from econ_helpers import deterministic

from model.api import run_scenario
from model.load import load_scenario
from model.report.actor_view import cofinancing_sentences
from model.report.programme import load_programmes
from model.report.sections.esf import esf_sentence

REPORT_SCENARIOS = Path(__file__).resolve().parent / "report_scenarios"


def _kommun_pays(tmp_path: Path, shares: dict | None = None) -> Path:
    """Ten people, three months, all to work; kommunen pays 30 000 kr a month for 3 months."""
    raw = deterministic(vpy=120_000.0, costs={"fixed": [{"per_month": 30_000, "funder": "kommun"}]})
    raw["valuation"] |= {"horizon_years": 1, "views_years": [1]}
    if shares is not None:
        raw["valuation"]["actor_shares"] = shares
    path = tmp_path / "kommun.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_zero_back_by_the_default_actor_shares_says_why_and_how_to_change_it(tmp_path) -> None:
    res = run_scenario(load_scenario(_kommun_pays(tmp_path)), replications=1)
    (sv,) = cofinancing_sentences(res, "sv")
    assert sv.startswith("Kommunen betalar 90 000 kr och får tillbaka 0 kr på 1 år (nuvärde)")
    assert ("Kommunen får inget tillbaka eftersom hela värdet av ett personår i arbete går till "
            "staten enligt standardvärdet (antagande) för valuation.actor_shares ({staten: 1})") in sv
    assert "valuation.unit_costs" in sv and "{staten: 0.7, kommun: 0.3}" in sv
    (en,) = cofinancing_sentences(res, "en")
    assert "gets nothing back because the whole value of a person-year in work goes to" in en
    assert "by the default (an assumption) of valuation.actor_shares" in en


def test_an_actor_that_gets_something_back_needs_no_explanation(tmp_path) -> None:
    path = _kommun_pays(tmp_path, {"kommun": 0.25, "staten": 0.75})
    (sv,) = cofinancing_sentences(run_scenario(load_scenario(path), replications=1), "sv")
    assert "får inget tillbaka" not in sv and "får tillbaka 0 kr" not in sv


def test_the_esf_sentence_has_its_comma() -> None:
    (p, *_) = [p for p in load_programmes(REPORT_SCENARIOS, replications=2, uncertainty=False)
               if float(p.result.priced.metrics["esf_grant"].mean()) > 0]
    sv, en = esf_sentence(p, "sv"), esf_sentence(p, "en")
    amount = r"[0-9\u00a0\u202f ,.]+"
    assert re.match(rf"Budgeten på {amount} kr, varav ESF-stöd {amount} kr( \([^)]*\))?, "
                    r"(betalar sig|kan inte betala sig) inom", sv), sv
    assert re.match(rf"The budget of {amount} SEK, of which ESF grant {amount} SEK( \([^)]*\))?, "
                    r"(pays back|cannot pay back) within", en), en
