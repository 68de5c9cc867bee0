"""Error messages follow --lang (issue 21 item 12): every message the code can write has a
Swedish form in the catalogue (`model.messages`), Swedish mode prints it, and English mode
prints nothing Swedish. Paths, field names and values stay as written.

The corpus is every message the code can produce, found two ways: the message templates of
every `Problem(...)` and `ValueError(...)` in the code (read from the source, values filled in
with a sample), and every problem that the malformed files in tests/bad_scenarios and a few bad
command lines actually produce."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from model.api import validate_paths
from model.errors import InputError, Problem
from model.messages import swedish, translate

ROOT = Path(__file__).resolve().parents[1]
BAD = sorted((ROOT / "tests" / "bad_scenarios").glob("*.yaml"))
BASE = ROOT / "tests" / "base_scenario.yaml"
# English function words that no Swedish message keeps (a half-translated message has them)
ENGLISH = re.compile(r"\b(the|must|should|needs?|cannot|expected|which|would|give|allowed|"
                     r"unknown|missing|between|without)\b")
SWEDISH = re.compile(r"[åäöÅÄÖ]|\b(och|inte|ska|måste|saknas|finns|ange|eller)\b")
# helpers that make a Problem, and the position of their message argument
HELPERS = {"bad": 1, "_p": 3}
SAMPLE = "x9"  # a value put in a template's slot: no space, so it is not looked up itself
# modules whose messages are someone else's (the fit helper's, added after merging)
SKIP = ("model/message",)


def _template(node: ast.expr) -> str | None:
    """A string literal or f-string as text with `{}` for each value (None for anything else)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        a, b = _template(node.left), _template(node.right)
        return None if a is None or b is None else a + b
    if isinstance(node, ast.IfExp):
        return None
    return None


def code_messages() -> dict[str, str]:
    """template -> where: the message argument of every Problem(...) and ValueError(...)."""
    found: dict[str, str] = {}
    for f in sorted([*ROOT.glob("model/**/*.py"), ROOT / "cli.py"]):
        rel = f.relative_to(ROOT).as_posix()
        if rel.startswith(SKIP):
            continue
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name == "Problem":
                args = [*node.args[2:3], *(k.value for k in node.keywords if k.arg == "message")]
            elif name in HELPERS:  # functions that make a Problem from a message argument
                args = node.args[HELPERS[name]:HELPERS[name] + 1]
            elif name in ("ValueError", "KeyError"):
                args = node.args[:1]
            else:
                continue
            for arg in args:
                choices = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                for choice in choices:
                    t = _template(choice)
                    words = re.findall(r"[a-z]{2,}", re.sub(r"\{\}", "", t or ""))
                    if t is not None and len(words) >= 2:
                        found.setdefault(t, f"{rel}:{node.lineno}")
    return found


# sweep files that are wrong in one way each (the base is tests/base_scenario.yaml)
BAD_SWEEPS = [
    {"parameters": [{"path": "employment.extent", "dist": "beta", "mean": 0.5, "sd": 0.6}]},
    {"parameters": [{"path": "employment.extent", "lo": 0.1, "high": 0.9}]},
    {"parameters": [{"path": "employment.extent", "dist": "gamma", "mean": 1}]},
    {"parameters": [{"path": "interventions.nope.routing.arbete", "low": 0.1, "high": 0.2}]},
    {"parameters": [{"path": "employment.extent", "low": 0.1, "high": 0.9, "scenarios": ["c"]}]},
    {"parameters": [{"path": "interventions.a.routing.arbete", "low": 0.5, "high": 1.2}]},
    {"parameters": [{"path": "name", "low": 0.5, "high": 1.2}]},
    {"parameters": [{"path": "employment.extent", "low": 0.9, "high": 0.1}]},
    {"design": {"kind": "sobol", "n": 100}},
    {"design": {"kind": "lhs"}},
    {"design": {"kind": "grid", "points": 3}},
    {"scenarios": ["missing.yaml"]},
    {"scenarios": ["bad.yaml"]},
]


def produced_messages(folder: Path | None = None) -> dict[str, str]:
    """message -> file: every problem the malformed files of tests/bad_scenarios produce, and
    (given a folder to write them in) the malformed sweep files of BAD_SWEEPS."""
    found: dict[str, str] = {}
    files = list(BAD)
    if folder is not None:
        for i, change in enumerate(BAD_SWEEPS):
            raw = {"name": "bad", "scenarios": [str(BASE)],
                   "parameters": [{"path": "employment.extent", "low": 0.5, "high": 1.0}],
                   "design": {"kind": "oneway"}, "replications": 1} | change
            f = folder / f"sweep{i}" / "bad.yaml"
            f.parent.mkdir()
            f.write_text(yaml.safe_dump(raw), encoding="utf-8")
            files.append(f)
    for f in files:
        _, problems = validate_paths([f])
        assert problems, f
        for p in problems:
            found.setdefault(p.message, f.name if f.parent.name == "bad_scenarios" else str(f))
    return found


def _fills(template: str) -> list[str]:
    """The template with a sample in each slot; a slot stuck to a word or quote (a plural "s",
    an optional hint ending a sentence) also filled with "", "s" and "." instead."""
    plain = template.replace("{}", SAMPLE)
    suffix = re.compile(r"(?<=[\w'\)])\{\}")
    return [plain, *(suffix.sub(s, template).replace("{}", SAMPLE) for s in ("", "s", "."))]


def test_the_code_has_many_messages_and_each_has_a_swedish_form() -> None:
    found = code_messages()
    assert len(found) > 150  # the extraction reads the code (a broken one finds nothing)
    missing = [f"{where}: {t!r}" for t, where in found.items() if all(swedish(x) is None for x in _fills(t))]
    assert not missing, "no Swedish form for:\n" + "\n".join(missing)


def test_every_produced_message_has_a_whole_swedish_form(tmp_path: Path) -> None:
    found = produced_messages(tmp_path)
    assert len(found) > 70
    missing = [f"{where}: {m!r}" for m, where in found.items() if swedish(m) is None]
    assert not missing, "no Swedish form for:\n" + "\n".join(missing)
    half = [f"{where}: {swedish(m)!r}" for m, where in found.items()
            if ENGLISH.search(_without_values(swedish(m) or "", m))]
    assert not half, "English left in:\n" + "\n".join(half)


def _without_values(sv: str, en: str) -> str:
    """`sv` without the quoted names and values it shares with `en` (they stay as written)."""
    for q in re.findall(r"'[^']*'|`[^`]*`|\([^()]*\)", en):
        sv = sv.replace(q, "")
    return re.sub(r"\S*[/.]\S*", "", sv)  # a path or file name stays as written


NAMES = ("Konsumentprisindex (1980=100), fastställda tal",)  # SCB's table, by its name


def _unnamed(text: str) -> str:
    for name in NAMES:
        text = text.replace(name, "")
    return text


def test_english_messages_hold_nothing_swedish(tmp_path: Path) -> None:
    """The code writes English: no Swedish letters or words outside quotes and names."""
    texts = {**code_messages(), **produced_messages(tmp_path)}
    swedish_words = [f"{where}: {t!r}" for t, where in texts.items()
                     if SWEDISH.search(re.sub(r"'[^']*'|\([^()]*\)", "", _unnamed(t)))]
    assert not swedish_words, "\n".join(swedish_words)
    for t in texts:
        assert translate(t, "en") == t


def test_values_paths_and_quotes_stay_as_written() -> None:
    msg = "unknown key 'routeing'; did you mean 'routing'? Allowed here: name, routing, capacity"
    assert translate(msg, "sv") == ("okänd nyckel 'routeing'; menade du 'routing'? "
                                    "Tillåtet här: name, routing, capacity")
    p = Problem("s.yaml", "interventions[0].capacity.places", "expected greater than 0", -2, 7)
    assert p.render("sv") == "s.yaml:7: interventions[0].capacity.places: ska vara större än 0 (angivet: -2)"
    assert p.render() == "s.yaml:7: interventions[0].capacity.places: expected greater than 0 (got -2)"
    # a message inside a message is looked up too
    inner = "point 3: the expected-value path cannot price it: arrivals never stop (an open " \
            "stream or group intake without a cap); use method: des"
    assert translate(inner, "sv").startswith("punkt 3: väntevärdesvägen kan inte prissätta den: "
                                             "deltagare fortsätter att komma in")
    # a kind of name in a slot reads in Swedish, the names stay
    assert translate("unknown destination 'arbet'; did you mean 'arbete'? Allowed: a, arbete",
                     "sv") == ("destinationen 'arbet' finns inte; menade du 'arbete'? "
                               "Tillåtna: a, arbete")
    # a text with no pair stays as written
    assert translate("no such message here", "sv") == "no such message here"


runner = CliRunner()


@pytest.mark.parametrize("name", ["unknown_key_intervention.yaml", "probability_above_one.yaml",
                                  "route_unknown.yaml", "decimal_comma_flow.yaml"])
def test_a_command_prints_its_problems_in_its_language(name: str) -> None:
    """`run` defaults to Swedish: the heading and every message in Swedish, the file and path
    as written; with --lang en all English."""
    bad = ROOT / "tests" / "bad_scenarios" / name
    sv = runner.invoke(app, ["run", str(bad), "--quiet"])
    assert sv.exit_code == 2
    lines = sv.stderr.splitlines()
    assert re.fullmatch(r"insats: \d+ problem i indata:", lines[0]), lines[0]
    for line in lines[1:]:
        assert str(bad) in line
        message = line.split(": ", 2)[-1] if line.count(": ") >= 2 else line
        assert not ENGLISH.search(re.sub(r"'[^']*'|\([^()]*\)", "", message)), line
    en = runner.invoke(app, ["run", str(bad), "--quiet", "--lang", "en"])
    assert en.exit_code == 2 and " in the input:" in en.stderr.splitlines()[0]
    assert not SWEDISH.search(re.sub(r"'[^']*'", "", en.stderr)), en.stderr


def test_bad_command_lines_in_swedish() -> None:
    one = runner.invoke(app, ["compare", str(BASE), "--quiet"])
    assert one.exit_code == 2 and "compare behöver minst två scenarier" in one.stderr
    memory = runner.invoke(app, ["run", str(BASE), "--max-memory", "lots"])
    assert memory.exit_code == 2 and "ingen minnesstorlek: 'lots'" in memory.stderr
    missing = runner.invoke(app, ["run", "no_such_file.yaml"])
    assert missing.exit_code == 2 and "no_such_file.yaml: filen finns inte" in missing.stderr
    en = runner.invoke(app, ["run", "no_such_file.yaml", "--lang", "en"])
    assert "no_such_file.yaml: file not found" in en.stderr


def test_validate_stays_english() -> None:
    """`insats validate` has no --lang: its problems are printed in English."""
    res = runner.invoke(app, ["validate", str(BAD[0])])
    assert res.exit_code == 2 and "in the input:" in res.stderr


def test_input_error_lines_follow_the_language() -> None:
    exc = InputError([Problem("a.yaml", "", "file not found"),
                      Problem("b.yaml", "x", "required field is missing")])
    assert exc.lines("sv") == ["insats: 2 problem i indata:", "  a.yaml: filen finns inte",
                               "  b.yaml: x: obligatoriskt fält saknas"]
    assert exc.lines("en")[0] == "insats: 2 problems in the input:"
