"""Sweeps and PSA on the expected-value path (issue 11): `method: expected` / `--method exact`.

Each point is priced once, as the expected run (`model.evaluate.expected_metrics`), so a sweep
has one row per point and base scenario (rep 0) holding exactly the figures `evaluate` gives for
that point's scenario; the rows do not depend on the number of workers; a base scenario the path
cannot price is refused when the sweep is read, with the reason. Also: importing the command
line loads none of the heavy libraries (start-up), checked on `sys.modules`, not timed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from test_sweep import KEY_COLUMNS, folder, lhs_sweep, stochastic, write  # noqa: F401
from typer.testing import CliRunner

from cli import app
from model.errors import InputError
from model.evaluate import evaluate
from model.load import load_scenario
from model.psa import run_psa
from model.scenario import parse_scenario
from model.sweep import apply_values, load_sweep, parse_path, run_sweep

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def rows(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out / "parts").sort_values(list(KEY_COLUMNS)).reset_index(drop=True)


@pytest.fixture(scope="module")
def expected_run(folder) -> Path:  # noqa: F811
    out = folder / "ev_out"
    sweep = lhs_sweep(folder, points=6, reps=3, name="ev")
    run_sweep(sweep, out, workers=1, quiet=True, plan=load_sweep(sweep, method="expected"))
    return out


def test_each_point_is_its_expected_run(folder, expected_run) -> None:  # noqa: F811
    df = rows(expected_run)
    mf = json.loads((expected_run / "sweep.json").read_text())
    assert len(df) == 6 * 2 and set(df["rep"]) == {0}
    assert mf["replications"] == 1 and mf["sweep"]["method"] == "expected"
    # the figures of every point are exactly those of `evaluate` on that point's scenario
    plan = load_sweep(folder / "ev.yaml", method="expected")
    bases = {b.name: b for b in plan.bases}
    for _, r in df.iterrows():
        sets = [(p.parts, float(r[p.label])) for p in plan.params if r["scenario"] in p.applies_to]
        raw, _ = apply_values(bases[r["scenario"]].raw, sets)
        m, how = evaluate(parse_scenario(raw), "expected")
        assert how == "expected"
        for k in ("npv", "cost", "exits_work", "person_years", "bcr"):
            assert r[k] == m[k], (r["point_id"], r["scenario"], k)


def test_expected_sweep_does_not_depend_on_workers(folder, expected_run, tmp_path) -> None:  # noqa: F811
    out = tmp_path / "two"
    sweep = folder / "ev.yaml"
    run_sweep(sweep, out, workers=2, quiet=True, plan=load_sweep(sweep, method="expected"))
    pd.testing.assert_frame_equal(rows(out), rows(expected_run))
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"),
                                  pd.read_parquet(expected_run / "summary.parquet"))


def test_method_on_the_command_line_and_in_the_file(folder, tmp_path) -> None:  # noqa: F811
    sweep = lhs_sweep(folder, points=3, reps=2, name="ev_cli")
    res = runner.invoke(app, ["sweep", str(sweep), "--out", str(tmp_path / "a"), "--method",
                              "exact", "--workers", "1", "--quiet", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert len(rows(tmp_path / "a")) == 3 * 2
    spec = json.loads((tmp_path / "a" / "sweep.json").read_text())
    assert "method = expected (--method)" in spec["sweep_text"]
    in_file = write(folder / "ev_file.yaml", {**yaml.safe_load(sweep.read_text()),
                                              "method": "expected"})
    assert load_sweep(in_file).spec.method == "expected"
    assert load_sweep(sweep).spec.method == "des"  # the default is unchanged


def test_a_base_the_path_cannot_price_is_refused(folder) -> None:  # noqa: F811
    capped = stochastic("capped", 3.0)
    capped["intake"] = {"stream": {"rate_per_month": 20.0, "end_month": 24}}
    capped["interventions"][0]["capacity"] = {"places": 2}
    write(folder / "capped.yaml", capped)
    sweep = write(folder / "ev_capped.yaml", {
        "name": "ev_capped", "scenarios": ["capped.yaml"],
        "parameters": [{"path": "counterfactual.monthly_hazard", "low": 0.01, "high": 0.03}],
        "design": {"kind": "lhs", "points": 2}, "method": "expected"})
    with pytest.raises(InputError) as exc:
        load_sweep(sweep)
    p = exc.value.problems[0]
    assert p.path == "method" and "expected-value path cannot price capped" in p.message
    assert "may bind" in p.message


def test_psa_draws_do_not_depend_on_workers() -> None:
    scs = [load_scenario(ROOT / "scenarios/grenverket/anpassad_yrkesutbildning.yaml"),
           load_scenario(ROOT / "scenarios/grenverket/supported_employment.yaml")]
    pairs = [(sc.raw, sc) for sc in scs]
    one = run_psa(pairs, draws=24, seed=3, workers=1)
    two = run_psa(pairs, draws=24, seed=3, workers=2)
    assert set(one.methods.values()) == {"expected"}
    pd.testing.assert_frame_equal(one.metrics, two.metrics)


def test_path_setting_matches_a_fresh_parse() -> None:
    """A point's scenario built by copying only the set path equals one built from a deep copy."""
    import copy

    sc = load_scenario(ROOT / "scenarios/grenverket/anpassad_yrkesutbildning.yaml")
    path = parse_path("interventions.anpassad_yrkesutbildning.routing.arbete")
    raw, _ = apply_values(sc.raw, [(path, 0.5)])
    deep, _ = apply_values(copy.deepcopy(sc.raw), [(path, 0.5)])
    assert raw == deep and parse_scenario(raw).digest() == parse_scenario(deep).digest()


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    """`insats --help`, `validate` and exact mode start fast because cli, model.api and the
    scenario package import pandas, scipy, matplotlib, dask and SALib only where used."""
    code = ("import sys, cli, model.api, model.scenario, model.limits, model.unit_costs; "
            "print(sorted(m for m in ('pandas', 'scipy', 'matplotlib', 'dask', 'SALib', 'sklearn') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"
