"""A programme against itself (`counterfactual.reference` naming its own file): every command runs,
and every decision figure is exactly 0 (issue 18, item 4).

Incremental figures are the programme's minus the reference's; against itself both sides are the
same run on the same seed, so the difference is 0 by construction, not by tolerance. Ratios of two
zeros (benefit/cost, cost per extra job) are undefined: null, never "unbounded".
"""

from __future__ import annotations

import json
import math
from io import StringIO
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app

SELF = """\
name: self
intake:
  cohort: {n: 40}
entry: a
interventions:
  - name: a
    duration: {dist: gamma, mean: 3, cv: 0.5}
    exit_hazards: {arbete: 0.05}
    routing: {arbete: 0.5, annat: 0.5}
    costs:
      - label: coach
        funder: esf
        per_participant_month: 2000
      - label: kommunens handledare
        funder: kommun
        per_participant_month: 500
exit_states:
  arbete: {category: work}
  annat: {category: other}
employment:
  retention: {share_at_12_months: 0.5}
  extent: 0.8
counterfactual:
  reference: self.yaml
simulation:
  replications: 3
"""

ZERO = ("net_cost", "net_cost_pv", "extra_jobs_at_exit", "extra_jobs_12m", "person_years",
        "person_years_pv", "revenue", "revenue_pv", "npv", "breakeven_extra_jobs", "pays_back")
UNDEFINED = ("bcr", "cost_per_extra_job", "payback_months", "no_payback")


def _stem(metric: str) -> str:
    return metric.split(":")[0]


def _check(records: pd.DataFrame, exact: bool = False) -> None:
    """Every decision figure of the programme records is exactly 0; ratios of zeros are null."""
    prog = records[records["kind"] == "programme"]
    seen = set()
    for r in prog.itertuples():
        stem = _stem(r.metric)
        if stem in ZERO:
            seen.add(stem)
            for col in ("mean", "lo", "hi"):
                v = getattr(r, col)
                assert v == 0.0 or (col != "mean" and pd.isna(v)), (r.metric, col, v)
        elif stem in UNDEFINED:
            assert pd.isna(r.mean), (r.metric, r.mean)
    assert seen == set(ZERO) - ({"pays_back"} if exact else set())  # no shares of runs in exact
    assert (records["kind"] == "actor").sum() == 0  # nobody has anything at stake


@pytest.fixture(scope="module")
def self_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    f = tmp_path_factory.mktemp("self") / "self.yaml"
    f.write_text(SELF, encoding="utf-8")
    return f


def _twin(self_file: Path) -> Path:
    """The same programme under another name (programmes compared together need different names)."""
    twin = self_file.with_name("twin.yaml")
    twin.write_text(SELF.replace("name: self", "name: twin", 1), encoding="utf-8")
    return twin


def _invoke(*args: str) -> str:
    res = CliRunner().invoke(app, [*args, "--quiet"])
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.mark.parametrize("method", ["des", "exact"])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_run_records_are_zero(self_file: Path, fmt: str, method: str) -> None:
    out = _invoke("run", str(self_file), "--format", fmt, "--method", method)
    df = pd.read_csv(StringIO(out)) if fmt == "csv" else pd.DataFrame(json.loads(out))
    _check(df, exact=method == "exact")


def test_run_and_compare_tables(self_file: Path) -> None:
    """The terminal tables print 0 for the decision figures and say no actor has anything at
    stake, instead of stopping with KeyError 'view'/'actor'."""
    out = _invoke("run", str(self_file), "--lang", "en")
    for label in ("Net present value, 5 years (SEK)",
                  "Societal revenue, 5 years, present value (SEK)"):
        line = next(x for x in out.splitlines() if x.startswith(label))
        assert line.split()[len(label.split())] == "0", line
    assert "no actor has any amount at stake" in out
    assert "unbounded" not in out
    out = _invoke("compare", str(self_file), str(_twin(self_file)), "--lang", "en")
    assert "no actor has any amount at stake" in out


def test_compare_records_are_zero(self_file: Path) -> None:
    out = _invoke("compare", str(self_file), str(_twin(self_file)), "--format", "csv")
    _check(pd.read_csv(StringIO(out)))


def test_report_and_export(self_file: Path, tmp_path: Path) -> None:
    """`report` (KeyError 'paid_pv' before) and `export` write their files; the workbook's
    summary holds 0 for every decision figure and no actor rows."""
    html = tmp_path / "r.html"
    _invoke("report", str(self_file), "--out", str(html))
    assert html.stat().st_size > 0
    xlsx = tmp_path / "w.xlsx"
    _invoke("export", str(self_file), "--xlsx", str(xlsx))
    sheets = pd.read_excel(xlsx, sheet_name=None)
    summary = next(v for v in sheets.values() if "Nyckel" in v.columns and "Medel" in v.columns)
    for r in summary.itertuples():
        if _stem(r.Nyckel) in ZERO:
            assert r.Medel == 0.0, (r.Nyckel, r.Medel)
        elif _stem(r.Nyckel) in UNDEFINED:
            assert math.isnan(r.Medel), (r.Nyckel, r.Medel)
