"""Progress lines and the notes around a run follow --lang (issue 21 item 12): a search's
heartbeat, the note that a run will take long, Ctrl-C and SIGTERM, an interrupted sweep and a
calibration that did not converge. English mode prints nothing Swedish."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from cli import app
from model import progress as pg

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "base_scenario.yaml"
SWEEP = ROOT / "scenarios" / "sweeps" / "framgangen_tornado.yaml"
SWEDISH = re.compile(r"[åäöÅÄÖ]|\b(och|inte|har gått|kvar|körning\w*|obs)\b")
runner = CliRunner()


@pytest.mark.parametrize(("lang", "line"), [("sv", "Söker x: 3 modellkörningar, 0 s har gått"),
                                            ("en", "Searching x: 3 model runs, 0 s elapsed")])
def test_a_search_heartbeat_in_the_chosen_language(monkeypatch, capsys, lang: str,
                                                   line: str) -> None:
    """`activity` (threshold's search, of unknown length) prints its log lines in `lang`; with
    the heartbeat at 0 s each step prints a line."""
    monkeypatch.setattr(pg, "HEARTBEAT_SECONDS", 0.0)
    what, unit = ("Söker x", "modellkörningar") if lang == "sv" else ("Searching x", "model runs")
    with pg.activity(what, unit, lang=lang) as tick:
        for _ in range(3):
            tick()
    lines = capsys.readouterr().err.splitlines()
    assert lines[-1] == line


def test_the_long_run_note_follows_the_language(monkeypatch) -> None:
    import model.limits as limits

    monkeypatch.setattr(limits, "LONG_RUN_SECONDS", 0.0)
    sv = runner.invoke(app, ["run", str(BASE), "--reps", "2", "--quiet", "--format", "json"])
    assert sv.exit_code == 0, sv.output
    note = sv.stderr.splitlines()[0]
    assert re.fullmatch(r"insats: obs: den här körningen tar omkring \d+ sekunder på den här "
                        r"datorn \(omkring [\d ]+ simuleringshändelser\); --reps, en kortare "
                        r"horisont eller fler --workers gör den kortare, Ctrl-C avbryter", note), note
    en = runner.invoke(app, ["run", str(BASE), "--reps", "2", "--quiet", "--format", "json",
                             "--lang", "en"])
    assert en.stderr.startswith("insats: note: this run will take about ")
    assert not SWEDISH.search(en.stderr), en.stderr


@pytest.mark.parametrize(("lang", "text"), [("sv", "insats: avbruten"), ("en", "insats: interrupted")])
def test_ctrl_c_says_so_in_the_chosen_language(monkeypatch, lang: str, text: str) -> None:
    import model.api

    def stop(*args: object, **kwargs: object) -> str:
        raise KeyboardInterrupt

    monkeypatch.setattr(model.api, "check_run_size", stop)
    res = runner.invoke(app, ["run", str(BASE), "--quiet", "--lang", lang])
    assert res.exit_code == 130
    assert res.stderr.splitlines() == [text]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_an_interrupted_sweep_says_how_to_resume_in_the_chosen_language(
        monkeypatch, tmp_path: Path, lang: str) -> None:
    import model.sweep

    def stop(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(model.sweep, "run_sweep", stop)
    out = tmp_path / "ut"
    res = runner.invoke(app, ["sweep", str(SWEEP), "--out", str(out), "--quiet", "--lang", lang])
    assert res.exit_code == 130
    (line,) = res.stderr.splitlines()
    if lang == "sv":
        assert line == (f"insats: avbruten; de färdiga delarna finns i {out}. Fortsätt med: "
                        f"insats sweep {SWEEP} --out {out} --resume")
    else:
        assert line.startswith(f"insats: interrupted; the finished parts are in {out}.")
        assert not SWEDISH.search(line)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_calibration_that_did_not_converge_says_so_in_the_chosen_language(
        monkeypatch, lang: str) -> None:
    import model.api
    import model.report.calibration_view

    monkeypatch.setattr(model.api, "calibrate_files",
                        lambda *a, **k: (SimpleNamespace(converged=False), []))
    monkeypatch.setattr(model.report.calibration_view, "calibration_text", lambda *a, **k: "")
    res = runner.invoke(app, ["calibrate", str(ROOT / "tests/calibration/known.yaml"),
                              "--quiet", "--lang", lang])
    assert res.exit_code == 1
    if lang == "sv":
        assert "kalibreringen konvergerade inte (se tabellen): inget skrevs" in res.stderr
    else:
        assert "the calibration did not converge (see the table): nothing written" in res.stderr
        assert not SWEDISH.search(res.stderr)


def test_counts_have_their_grammar() -> None:
    """"1 körning", "2 körningar", "1 jobb": no "körning(ar)" or "scenario(n)" anywhere."""
    from model.report.text import count, with_unit

    assert count(1, "körning", "körningar") == "1 körning"
    assert count(2, "körning", "körningar") == "2 körningar"
    assert with_unit(1, "jobs", "sv") == "1 jobb" and with_unit(2, "jobs", "en") == "2 jobs"
    from model.report.tables import interval_note
    from model.report.text import run_count

    assert interval_note(1, "sv").startswith("Medel över 1 körning;")
    assert interval_note(200, "sv").startswith("Medel över 200 körningar;")
    assert interval_note(1, "en").startswith("Mean over 1 run;")
    assert run_count(1, "en", "replications") == "1 replication"
    code = "\n".join(p.read_text(encoding="utf-8") for p in [*ROOT.glob("model/**/*.py"),
                                                              ROOT / "cli.py"])
    found = re.findall(r"\b(?:scenario\(n\)|körning\(ar\)|del\(ar\)|punkt\(er\)|jobb\(en\))", code)
    assert not found, found


def test_a_sweeps_notes_follow_the_language() -> None:
    """The notes under a sweep's summary (a share rescaled, a bad part computed again) are
    written in English by the code and printed in the summary's language."""
    from model.report.analysis_text import sweep_run_text

    share = ("Andel till arbete is a share at interventions.a.routing: the other shares there "
             "are rescaled proportionally so that they still sum to 1")
    plan = SimpleNamespace(spec=SimpleNamespace(name="psa", replications=2, seed=5,
                                                design=SimpleNamespace(kind="lhs")),
                           n_points=3, bases=[SimpleNamespace(name="a", file="a.yaml", digest="x")],
                           notes=lambda: [share])
    result = SimpleNamespace(plan=plan, skipped_parts=1, computed_parts=1, seconds=2.0,
                             executor="1 local process", out="ut",
                             recomputed=["part-00003.parquet holds 5 rows where this part has 6; "
                                         "computed again"])
    sv = sweep_run_text(result, "sv")
    assert ("not: Andel till arbete är en andel vid interventions.a.routing: de andra andelarna "
            "där skalas om i proportion så att de fortfarande summerar till 1") in sv
    assert "omräknad: part-00003.parquet innehåller 5 rader där den här delen har 6; räknad igen" in sv
    en = sweep_run_text(result, "en")
    assert f"note: {share}" in en and "resumed: part-00003.parquet holds 5 rows" in en
    assert not SWEDISH.search(en.replace("Andel till arbete", "")), en
