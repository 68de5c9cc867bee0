"""Small things a newcomer hit (issue 21, item 14): git ignores what the README's example and
Jupyter write; `insats --help` reads as paragraphs; SIGTERM to `insats app` stops its page."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app

ROOT = Path(__file__).resolve().parents[1]


def test_git_ignores_results_and_notebook_checkpoints() -> None:
    for path in ("results/run.json", "notebooks/.ipynb_checkpoints/x-checkpoint.ipynb"):
        res = subprocess.run(["git", "check-ignore", "--no-index", "-q", path], cwd=ROOT,
                             check=False, timeout=30)
        assert res.returncode == 0, f"{path} is not ignored by .gitignore"


def test_help_has_no_bool_type_and_no_line_break_inside_a_description() -> None:
    res = CliRunner().invoke(app, ["--help"], terminal_width=100, env={"COLUMNS": "100"})
    assert res.exit_code == 0
    assert "<bool>" not in res.output
    # 'run' is described in one paragraph: the docstring's line break after "uncertainty," is not
    # kept (it left "uncertainty," alone on a line)
    text = res.output
    assert not re.search(r"uncertainty,\s*│\n│\s+the parameter", text), text
    flat = " ".join(part.strip(" │") for part in text.splitlines())
    assert "(and, when it declares uncertainty, the parameter-uncertainty answer first)" in \
        re.sub(r"\s+", " ", flat)
    sub = CliRunner().invoke(app, ["run", "--help"], terminal_width=100, env={"COLUMNS": "100"})
    assert sub.exit_code == 0 and "<bool>" not in sub.output and "--quiet" in sub.output


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _port_free(port: int) -> bool:
    """Nobody listens (a connection is refused) and a server could bind it again (SO_REUSEADDR,
    as servers set: the test's own closed connections may leave it in TIME_WAIT)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as c:
        c.settimeout(2)
        if c.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads child processes from /proc")
def test_sigterm_to_insats_app_stops_its_streamlit_child() -> None:
    port = _free_port()
    parent = subprocess.Popen([sys.executable, "-c", "from cli import main; main()", "app", "--port",
                               str(port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                    break
            except OSError:
                if parent.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"insats app did not start: {parent.stderr.read().decode()[-2000:]}")
                time.sleep(0.3)
        children = _children(parent.pid)
        assert children, "no Streamlit child process"
        os.kill(parent.pid, signal.SIGTERM)  # the parent only, as a service manager does
        assert parent.wait(timeout=30) == 143
        deadline = time.monotonic() + 60  # a bound on waiting, not a speed: generous for busy cores
        while (any(_alive(c) for c in children) or not _port_free(port)) \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [c for c in children if _alive(c)], "the Streamlit child outlived insats app"
        assert _port_free(port), f"port {port} is still served"
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
            parent.wait(timeout=10)
        for c in _children(parent.pid):
            os.kill(c, signal.SIGKILL)
        parent.stderr.close()


def _lock_in_programme(tmp_path: Path):
    """Ten people, three months in a programme that sends nobody to work, while without it 10 %
    a month find work: the programme only delays them (the lock-in effect), revenue < 0."""
    import yaml
    from econ_helpers import deterministic

    from model.report.programme import load_programmes

    raw = deterministic(costs={"fixed": [{"per_month": 10_000, "funder": "kommun"}]})
    raw["interventions"][0]["routing"] = {"annat": 1.0}
    raw["counterfactual"] = {"monthly_hazard": 0.1}
    path = tmp_path / "inlast.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    (p,) = load_programmes(path, replications=2, uncertainty=False)
    return p


def test_negative_revenue_is_the_lock_in_effect_and_no_promised_analysis(tmp_path) -> None:
    from model.report.html import write_report
    from model.report.sections.summary import answer

    p = _lock_in_programme(tmp_path)
    assert p.result.economics.set_index("metric").at["revenue_pv", "mean"] < 0
    sv, en = answer(p, "sv"), answer(p, "en")
    assert "inlåsningseffekten" in sv and "gånger kostnaden" not in sv
    assert "samhällsintäkten är negativ" in sv
    assert "lock-in effect" in en and "times the cost" not in en
    html = write_report([p], tmp_path / "r.html").read_text(encoding="utf-8")
    assert "den visar känslighetsanalysen" not in html  # no sweep and no declared uncertainty
    assert "inte analyserad här, eftersom scenariot inte anger någon osäkerhet" in html
