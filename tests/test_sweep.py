"""Sweeps: parameter paths and share rescaling, sweep-file validation, designs, resume after a kill,
worker-count invariance, and the analyses (tornado, Sobol, threshold, A vs B, acceptability)
checked against answers known by hand or analytically.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from cli import app
from model import analysis
from model.errors import InputError
from model.psa.inputs import support
from model.results import interval
from model.scenario import parse_scenario
from model.sweep import (
    KEY_COLUMNS,
    Parameter,
    ParamInfo,
    SweepFile,
    apply_values,
    design_points,
    get_value,
    load_sweep,
    parse_path,
    run_sweep,
)
from model.sweep.paths import _container
from model.uncertainty import param_dist

ROOT = Path(__file__).resolve().parents[1]


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def stochastic(name: str, mean: float) -> dict[str, Any]:
    """A small programme with random durations, early exits and routing."""
    return {
        "name": name,
        "intake": {"cohort": {"n": 25}},
        "entry": "kurs",
        "interventions": [
            {"name": "kurs", "duration": {"dist": "gamma", "mean": mean, "cv": 0.5},
             "exit_hazards": {"arbete": 0.05},
             "routing": {"praktik": 0.5, "arbete": {"value": 0.3, "source": "assumption"},
                         "annat": 0.2},
             "costs": [{"funder": "kommun", "per_participant_month": 8000}]},
            {"name": "praktik", "duration": {"dist": "fixed", "months": 2},
             "routing": {"arbete": 0.5, "annat": 0.5}},
        ],
        "exit_states": {"arbete": {"category": "work"}, "annat": {"category": "other"}},
        "counterfactual": {"monthly_hazard": 0.02},
    }


def deterministic() -> dict[str, Any]:
    """10 people, one month each, all to work; no counterfactual jobs, no discounting, 1 year.

    Every participant works months 1-12 of the 12-month horizon: 11 person-months each, 110 in
    all, so NPV = 110/12 · value_per_year − lump sum (1 000 000 kr at month 0) · extent.
    """
    return {
        "name": "det",
        "intake": {"cohort": {"n": 10}},
        "entry": "kurs",
        "interventions": [{"name": "kurs", "duration": {"dist": "fixed", "months": 1},
                           "routing": {"arbete": 1.0}}],
        "exit_states": {"arbete": {"category": "work"}},
        "counterfactual": {"monthly_hazard": 0.0},
        "costs": {"lump_sums": [{"label": "programme", "funder": "kommun", "amount": 1_000_000}]},
        "valuation": {"value_per_year": 500_000, "horizon_years": 1, "views_years": [1],
                      "discount_rate": 0.0},
    }


PERSON_YEARS = 110 / 12


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("sweeps")
    write(d / "a.yaml", stochastic("prog_a", 3.0))
    write(d / "b.yaml", stochastic("prog_b", 5.0))
    write(d / "det.yaml", deterministic())
    return d


def lhs_sweep(folder: Path, points: int = 8, reps: int = 3, name: str = "lhs") -> Path:
    return write(folder / f"{name}.yaml", {
        "name": name,
        "scenarios": ["a.yaml", "b.yaml"],
        "parameters": [
            {"path": "interventions.kurs.routing.arbete", "name": "work_share",
             "scenarios": ["prog_a"], "dist": "beta", "mean": 0.3, "sd": 0.05},
            {"path": "counterfactual.monthly_hazard", "dist": "gamma", "mean": 0.02, "cv": 0.3},
            {"path": "interventions.kurs.costs[0].per_participant_month", "name": "cost_pm",
             "low": 6000, "high": 10000},
        ],
        "design": {"kind": "lhs", "points": points},
        "replications": reps,
        "seed": 5,
        "points_per_part": 1,
    })


def all_rows(out: Path) -> pd.DataFrame:
    df = pd.read_parquet(out / "parts")
    return df.sort_values(list(KEY_COLUMNS)).reset_index(drop=True)


@pytest.fixture(scope="module")
def reference(folder) -> Path:
    """An uninterrupted LHS sweep on one worker: the results every other run must equal."""
    out = folder / "ref_out"
    run_sweep(lhs_sweep(folder), out, workers=1, quiet=True)
    return out


# ------------------------------------------------------------------ paths and rescaling


def test_parse_path_forms() -> None:
    assert parse_path("interventions.a.routing.arbete") == ["interventions", "a", "routing",
                                                            "arbete"]
    assert parse_path("interventions[a].costs[0].per_start") == ["interventions", "a", "costs",
                                                                 "0", "per_start"]
    for bad in ("", "a..b", ".a", "a."):
        with pytest.raises(ValueError):
            parse_path(bad)


def test_set_share_rescales_others_and_keeps_source() -> None:
    raw = stochastic("x", 3.0)
    new, notes = apply_values(raw, [(parse_path("interventions.kurs.routing.arbete"), 0.65)])
    r = new["interventions"][0]["routing"]
    assert r["arbete"] == {"value": 0.65, "source": "assumption"}
    # the others (0.5 and 0.2 of 0.7) share the remaining 0.35 in the same proportion
    assert r["praktik"] == pytest.approx(0.25)
    assert r["annat"] == pytest.approx(0.10)
    assert notes == ["interventions.kurs.routing: praktik, annat rescaled x0.5"]
    assert raw["interventions"][0]["routing"]["arbete"]["value"] == 0.3  # the original is untouched
    sc = parse_scenario(new)
    assert sum(sc.intervention("kurs").routing.values()) == pytest.approx(1.0)


def test_two_shares_at_one_node_are_set_together() -> None:
    raw = stochastic("x", 3.0)
    new, _ = apply_values(raw, [(["interventions", "kurs", "routing", "arbete"], 0.4),
                                (["interventions", "kurs", "routing", "praktik"], 0.4)])
    r = new["interventions"][0]["routing"]
    assert (r["arbete"]["value"], r["praktik"], r["annat"]) == (0.4, 0.4, pytest.approx(0.2))
    with pytest.raises(ValueError, match="above 1"):
        apply_values(raw, [(["interventions", "kurs", "routing", "arbete"], 0.7),
                           (["interventions", "kurs", "routing", "praktik"], 0.6)])


def test_setting_paths_leaves_the_original_as_it_was() -> None:
    """apply_values copies only the path it sets (speed): the original mapping, its lists and
    the items in them must come out unchanged, whatever kind of path was set."""
    import copy

    raw = stochastic("x", 3.0)
    raw["interventions"].append({"name": "b", "duration": {"dist": "fixed", "months": 1},
                                 "routing": {"arbete": 1.0}})
    before = copy.deepcopy(raw)
    new, _ = apply_values(raw, [(["interventions", "kurs", "routing", "arbete"], 0.65),
                                (["interventions", "b", "duration", "months"], 2.0),
                                (["entry", "b"], 0.25), (["employment", "extent"], 0.5),
                                (["population", "sex", "kvinna"], 1.0)])
    assert raw == before
    assert new["interventions"][1]["duration"]["months"] == 2.0
    assert new["interventions"] is not raw["interventions"]
    assert new["counterfactual"] is raw["counterfactual"]  # what is not set is shared, not copied


def test_entry_population_and_missing_sections() -> None:
    raw = deterministic()
    raw["interventions"].append({"name": "b", "duration": {"dist": "fixed", "months": 1},
                                 "routing": {"arbete": 1.0}})
    new, _ = apply_values(raw, [(["entry", "b"], 0.25)])
    assert new["entry"] == {"kurs": 0.75, "b": 0.25}  # `entry: kurs` became a mapping
    new, _ = apply_values(deterministic(), [(["population", "sex", "kvinna"], 1.0),
                                            (["employment", "extent"], 0.5)])
    assert new["population"]["sex"] == {"kvinna": 1.0}
    assert parse_scenario(new).employment.extent == 0.5
    assert get_value(new, ["costs", "lump_sums", "programme", "amount"]) == 1_000_000
    with pytest.raises(KeyError, match="no item named 'nope'; names: kurs"):
        get_value(deterministic(), ["interventions", "nope", "routing"])


# ------------------------------------------------------------------ validation (exit 2)


BAD_SWEEPS = [
    ({"parameters": [{"path": "employment.extent", "dist": "beta", "mean": 0.5, "sd": 0.6}]},
     "parameters[0]", "too large for a beta"),
    ({"parameters": [{"path": "employment.extent", "lo": 0.1, "high": 0.9}]},
     "parameters[0].lo", "did you mean 'low'"),
    ({"parameters": [{"path": "employment.extent", "dist": "gamma", "mean": 1}]},
     "parameters[0]", "dist gamma takes mean, cv"),
    ({"parameters": [{"path": "interventions.nope.routing.arbete", "low": 0.1, "high": 0.2}]},
     "parameters[0].path", "no item named 'nope'"),
    ({"parameters": [{"path": "employment.extent", "low": 0.1, "high": 0.9,
                      "scenarios": ["prog_c"]}]},
     "parameters[0].scenarios[0]", "no base scenario called 'prog_c'"),
    ({"design": {"kind": "sobol", "n": 100}}, "design", "power of 2"),
    ({"design": {"kind": "lhs"}}, "design", "needs points"),
    ({"design": {"kind": "grid", "points": 3}}, "design", "not used by a grid design"),
    ({"parameters": [{"path": "interventions.kurs.routing.arbete", "low": 0.5, "high": 1.2}]},
     "parameters", "above 1"),
    ({"scenarios": ["missing.yaml"]}, "scenarios[0]", "not found"),
]


@pytest.mark.parametrize(("change", "where", "message"), BAD_SWEEPS)
def test_bad_sweep_files_exit_2(folder, tmp_path, change, where, message) -> None:
    raw = {"name": "bad", "scenarios": [str(folder / "a.yaml")],
           "parameters": [{"path": "employment.extent", "low": 0.5, "high": 1.0}],
           "design": {"kind": "oneway"}, "replications": 1} | change
    if change.get("scenarios") == ["missing.yaml"]:
        raw["scenarios"] = ["missing.yaml"]
    f = write(tmp_path / "bad.yaml", raw)
    res = CliRunner().invoke(app, ["sweep", str(f), "--out", str(tmp_path / "out"), "--quiet",
                                   "--lang", "en"])
    assert res.exit_code == 2, res.output
    assert "bad.yaml" in res.stderr
    assert f" {where}" in res.stderr and message in res.stderr, res.stderr
    assert not (tmp_path / "out").exists()


def test_validation_names_the_line(folder, tmp_path) -> None:
    f = tmp_path / "typo.yaml"
    f.write_text(f"name: t\nscenarios: [{folder / 'a.yaml'}]\nparameters:\n"
                 "  - path: employment.extent\n    dist: beta\n    mean: 0.5\n    sdev: 0.1\n"
                 "design: {kind: random, points: 2}\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_sweep(f)
    rendered = [p.render() for p in err.value.problems]
    assert any("typo.yaml:7: parameters[0].sdev: unknown key 'sdev'; did you mean 'sd'?" in r
               for r in rendered), rendered


# ------------------------------------------------------------------ designs


def _params(specs: list[dict[str, Any]]) -> list[ParamInfo]:
    out = []
    for s in specs:
        p = Parameter.model_validate(s)
        base = p.base if p.base is not None else float(np.mean(p.span()))
        out.append(ParamInfo(p, parse_path(p.path), ["x"], base, False))
    return out


PARAMS = [
    {"path": "a", "low": 0.0, "high": 10.0},
    {"path": "b", "dist": "beta", "mean": 0.3, "sd": 0.1},
    {"path": "c", "dist": "gamma", "mean": 2.0, "cv": 0.5, "levels": 2},
]


def _spec(design: dict[str, Any], params=PARAMS) -> SweepFile:
    return SweepFile.model_validate({"name": "d", "scenarios": ["x.yaml"], "parameters": params,
                                     "design": design, "seed": 3})


@pytest.mark.parametrize(("design", "count"), [
    ({"kind": "grid", "levels": 3}, 3 * 3 * 2),
    ({"kind": "lhs", "points": 20}, 20),
    ({"kind": "random", "points": 50}, 50),
    ({"kind": "oneway"}, 1 + 2 * 3),
    ({"kind": "sobol", "n": 16}, 16 * (3 + 2)),
    ({"kind": "sobol", "n": 16, "second_order": True}, 16 * (2 * 3 + 2)),
    ({"kind": "morris", "n": 10, "num_levels": 4}, 10 * (3 + 1)),
])
def test_design_point_counts_and_ranges(design, count) -> None:
    spec = _spec(design)
    params = _params(PARAMS)
    pts, problem = design_points(spec, params)
    assert len(pts) == count
    assert list(pts["point_id"]) == list(range(count))
    assert problem["num_vars"] == 3
    assert pts["a"].between(0, 10).all()
    assert pts["b"].between(0, 1).all()
    assert (pts["c"] > 0).all()
    if design["kind"] in ("grid", "oneway", "morris"):  # range designs: within [low, high]
        for p in params:
            lo, hi = p.spec.span()
            assert pts[p.label].between(lo - 1e-9, hi + 1e-9).all()
    if design["kind"] == "grid":
        assert sorted(set(pts["a"])) == [0.0, 5.0, 10.0]
        assert pts["c"].nunique() == 2
        assert not pts.duplicated(["a", "b", "c"]).any()
    if design["kind"] == "oneway":
        assert list(pts["side"]) == ["base", "low", "high", "low", "high", "low", "high"]
        base = pts.iloc[0]
        for _, row in pts.iloc[1:].iterrows():  # exactly one parameter off its base value
            assert sum(row[k] != base[k] for k in ("a", "b", "c")) == 1
    if design["kind"] == "lhs":  # one point in each of the 20 strata of every parameter
        for lab in ("a", "b", "c"):
            strata = np.floor(pts[f"u:{lab}"] * 20).astype(int)
            assert sorted(strata) == list(range(20))


def test_every_design_kind_has_a_design() -> None:
    """The design kinds a sweep file accepts, the keys each uses and DESIGNS list the same designs."""
    from typing import get_args

    from model.sweep import DESIGN_KEYS, DESIGNS, DesignKind

    assert list(DESIGNS) == list(get_args(DesignKind)) == list(DESIGN_KEYS)


def test_distributions_are_scipy_quantiles() -> None:
    """Random design values are the scipy ppf of the unit draws (beta by mean and sd, gamma by cv)."""
    from scipy import stats

    pts, _ = design_points(_spec({"kind": "random", "points": 4000}), _params(PARAMS))
    k = 0.3 * 0.7 / 0.1**2 - 1
    assert np.allclose(pts["b"], stats.beta(0.3 * k, 0.7 * k).ppf(pts["u:b"]))
    assert np.allclose(pts["c"], stats.gamma(a=4.0, scale=0.5).ppf(pts["u:c"]))
    assert pts["b"].mean() == pytest.approx(0.3, abs=0.01)
    assert pts["b"].std() == pytest.approx(0.1, abs=0.01)
    assert pts["c"].std() / pts["c"].mean() == pytest.approx(0.5, abs=0.05)


# ------------------------------------------------------------------ running: CRN, workers, resume


def test_every_point_uses_the_same_seed(folder, reference) -> None:
    """One row per point x scenario x replication with inputs and metrics, a manifest, a summary
    computed from the parts, and common random numbers across points."""
    df = all_rows(reference)
    mf = json.loads((reference / "sweep.json").read_text())
    assert len(df) == 8 * 2 * 3 and not df.duplicated(list(KEY_COLUMNS)).any()
    assert {"work_share", "counterfactual.monthly_hazard", "cost_pm", "npv", "npv:1y", "cost",
            "bcr"} <= set(df.columns)
    assert mf["status"] == "complete" and mf["n_points"] == 8 and mf["seed"] == 5
    assert [s["name"] for s in mf["scenarios"]] == ["prog_a", "prog_b"]
    assert all(len(s["hash"]) == 16 for s in mf["scenarios"])
    assert "rescaled proportionally" in mf["notes"][0]
    # prog_b's exits to work do not depend on the work share (it does not apply) nor on cost:
    # with one seed for every point they are identical across points, replication by replication
    b = df[df["scenario"] == "prog_b"].pivot(index="rep", columns="point_id", values="exits_work")
    assert (b.nunique(axis=1) == 1).all()
    summary = pd.read_parquet(reference / "summary.parquet")
    npv = summary[(summary["metric"] == "npv")].set_index(["point_id", "scenario"])
    direct = df.groupby(["point_id", "scenario"])["npv"].mean()
    assert np.allclose(npv.loc[direct.index, "mean"], direct)
    assert set(npv["unit"]) == {"kr"}
    for (pid, sc), g in df.groupby(["point_id", "scenario"]):  # the same figures as `interval`
        for metric in ("npv", "cost_per_extra_job", "share_work"):
            row = summary[(summary["point_id"] == pid) & (summary["scenario"] == sc)
                          & (summary["metric"] == metric)].iloc[0]
            expect = interval(g[metric])
            assert np.allclose(row[["mean", "lo", "hi", "median"]].to_numpy(float), expect,
                               equal_nan=True)


def test_results_do_not_depend_on_worker_count(folder, reference, tmp_path) -> None:
    out = tmp_path / "two"
    res = run_sweep(lhs_sweep(folder), out, workers=2, quiet=True)
    assert res.computed_parts == 8
    pd.testing.assert_frame_equal(all_rows(out), all_rows(reference))
    pd.testing.assert_frame_equal(pd.read_parquet(out / "summary.parquet"),
                                  pd.read_parquet(reference / "summary.parquet"))


def test_resume_after_sigkill(folder, reference, tmp_path) -> None:
    """Kill a sweep process mid-run, resume it: same results as an uninterrupted run, no duplicate
    and no recomputed part."""
    sweep = lhs_sweep(folder, points=8, reps=3)
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "sweep", str(sweep), "--out", str(out),
                             "--workers", "1", "--quiet"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    try:
        while len(list((out / "parts").glob("part-*.parquet"))) < 2:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    before = {f.name: f.stat().st_mtime_ns for f in (out / "parts").glob("part-*.parquet")}
    assert 2 <= len(before) < 8
    assert json.loads((out / "sweep.json").read_text())["status"] == "running"
    with pytest.raises(InputError, match="--resume"):
        run_sweep(sweep, out, workers=1, quiet=True)
    res = run_sweep(sweep, out, workers=2, resume=True, quiet=True)
    assert res.skipped_parts == len(before)
    assert res.computed_parts == 8 - len(before)
    for name, mtime in before.items():  # finished parts were not rewritten
        assert (out / "parts" / name).stat().st_mtime_ns == mtime
    df = all_rows(out)
    assert not df.duplicated(list(KEY_COLUMNS)).any()
    pd.testing.assert_frame_equal(df, all_rows(reference))
    assert json.loads((out / "sweep.json").read_text())["status"] == "complete"


def test_resume_refuses_a_changed_sweep(folder, reference, tmp_path) -> None:
    import shutil

    out = tmp_path / "changed"
    shutil.copytree(reference, out)
    with pytest.raises(InputError, match="sweep file changed"):
        run_sweep(lhs_sweep(folder, points=9, name="lhs9"), out, resume=True, quiet=True)


# ------------------------------------------------------------------ analyses


def det_sweep(folder: Path, design: dict[str, Any], name: str, **params: Any) -> Path:
    return write(folder / f"{name}.yaml", {
        "name": name,
        "scenarios": ["det.yaml"],
        "parameters": [
            {"path": "valuation.value_per_year", "name": "vpy", "low": 400_000,
             "high": 600_000, **params.get("vpy", {})},
            {"path": "costs.lump_sums.programme.amount", "name": "lump", "low": 500_000,
             "high": 1_500_000},
            {"path": "employment.extent", "name": "extent", "low": 0.8, "high": 1.0,
             "base": 1.0},
        ][: params.get("n", 3)],
        "design": design,
        "replications": 1,
        "seed": 1,
        "points_per_part": params.get("points_per_part", 1),
    })


def test_tornado_ranks_by_swing(folder, tmp_path) -> None:
    """NPV = 110/12 · extent · vpy − lump: swings 110/12·200 000, 1 000 000, 110/12·0.2·500 000."""
    out = tmp_path / "tornado"
    run_sweep(det_sweep(folder, {"kind": "oneway"}, "tornado"), out, workers=1, quiet=True)
    t = analysis.tornado(out, "npv")
    assert list(t["parameter"]) == ["vpy", "lump", "extent"]
    assert list(t["rank"]) == [1, 2, 3]
    assert t["swing"].tolist() == pytest.approx([PERSON_YEARS * 200_000, 1_000_000,
                                                 PERSON_YEARS * 0.2 * 500_000])
    assert t.attrs["base_value"] == pytest.approx(PERSON_YEARS * 500_000 - 1_000_000)
    row = t.set_index("parameter").loc["lump"]
    assert row["npv at high"] == pytest.approx(PERSON_YEARS * 500_000 - 1_500_000)
    res = CliRunner().invoke(app, ["analyse", str(out), "--lang", "en"])
    assert res.exit_code == 0, res.output
    assert "Tornado, det" in res.output and "swing" in res.output and "SEK" in res.output
    res = CliRunner().invoke(app, ["analyse", str(out)])  # Swedish by default, like every command
    assert res.exit_code == 0, res.output
    assert "Tornado, det" in res.output and "utslag" in res.output and " kr" in res.output


def test_sobol_on_a_linear_model_through_the_sweep(folder, tmp_path) -> None:
    """NPV = a·vpy − lump with both uniform: S_i = Var(term_i) / Var(NPV), ST = S1 (additive)."""
    out = tmp_path / "sobol"
    run_sweep(det_sweep(folder, {"kind": "sobol", "n": 32}, "sobol", n=2, points_per_part=16), out,
              workers=1, quiet=True)
    s = analysis.sobol_indices(out, "npv").set_index("parameter")
    v_vpy = (PERSON_YEARS * 200_000) ** 2 / 12
    v_lump = 1_000_000**2 / 12
    for name, var in (("vpy", v_vpy), ("lump", v_lump)):
        share = var / (v_vpy + v_lump)
        assert s.at[name, "S1"] == pytest.approx(share, abs=0.05)
        assert s.at[name, "ST"] == pytest.approx(share, abs=0.05)
        # the 95 % bootstrap interval (fixed seed, so this is deterministic) covers the known index
        assert s.at[name, "S1_lo"] <= share <= s.at[name, "S1_hi"]
        assert s.at[name, "ST_lo"] <= share <= s.at[name, "ST_hi"]
    # and it is SALib's 95 % interval at the sweep's seed, recomputed from the saved point means
    from SALib.analyze import sobol as salib_sobol

    y = analysis.point_means(out, "npv", "det").sort_index().to_numpy()
    again = salib_sobol.analyze(analysis.unit_problem(["vpy", "lump"]), y, calc_second_order=False,
                                conf_level=0.95, seed=1)
    for k in ("S1", "ST"):
        half = (s.loc[["vpy", "lump"], f"{k}_hi"] - s.loc[["vpy", "lump"], f"{k}_lo"]) / 2
        assert half.tolist() == pytest.approx(list(again[f"{k}_conf"]), rel=1e-9)
        assert (half > 0).all()


def test_sobol_table_on_ishigami() -> None:
    """Our Sobol design and analysis on the Ishigami function, whose indices are known."""
    from SALib.test_functions import Ishigami

    specs = [{"path": n, "low": -math.pi, "high": math.pi} for n in ("x1", "x2", "x3")]
    spec = _spec({"kind": "sobol", "n": 1024}, specs)
    pts, problem = design_points(spec, _params(specs))
    y = Ishigami.evaluate(pts[["x1", "x2", "x3"]].to_numpy())
    s = analysis.sobol_table(problem["names"], y, seed=1).set_index("parameter")
    assert s.loc[["x1", "x2", "x3"], "S1"].tolist() == pytest.approx([0.3139, 0.4424, 0.0],
                                                                     abs=0.05)
    assert s.loc[["x1", "x2", "x3"], "ST"].tolist() == pytest.approx([0.5576, 0.4424, 0.2437],
                                                                     abs=0.05)


def test_morris_ranks_the_linear_model(folder, tmp_path) -> None:
    out = tmp_path / "morris"
    run_sweep(det_sweep(folder, {"kind": "morris", "n": 4}, "morris"), out, workers=1,
              quiet=True)
    m = analysis.morris_indices(out, "npv").set_index("parameter")
    # elementary effects over each full range: exact for a linear model
    assert m.at["vpy", "mu_star"] == pytest.approx(PERSON_YEARS * 200_000 * (1 - 0.2 * 0.5),
                                                   rel=0.15)
    assert m.at["lump", "mu"] == pytest.approx(-1_000_000)


def test_threshold_against_hand_computed(folder) -> None:
    t = analysis.threshold(folder / "det.yaml", "valuation.value_per_year", 1.0, 1_000_000,
                           replications=1)
    assert t.value == pytest.approx(1_000_000 / PERSON_YEARS, rel=1e-8)  # 109 090.9 kr
    t = analysis.threshold(folder / "det.yaml", "costs.lump_sums.programme.amount", 0,
                           10_000_000, replications=1)
    assert t.value == pytest.approx(PERSON_YEARS * 500_000, rel=1e-8)
    res = CliRunner().invoke(app, ["threshold", str(folder / "det.yaml"),
                                   "valuation.value_per_year", "--low", "1", "--high", "2e5",
                                   "--reps", "1"])
    assert res.exit_code == 0, res.output
    assert "valuation.value_per_year = 109 091 kr per personår" in res.output  # 1e6 / (110/12)
    res = CliRunner().invoke(app, ["threshold", str(folder / "det.yaml"),
                                   "valuation.value_per_year", "--low", "2e5", "--high", "3e5",
                                   "--reps", "1", "--lang", "en"])
    assert res.exit_code == 2 and "does not cross" in res.stderr


def test_threshold_on_a_share_reruns_with_rescaling(folder) -> None:
    """The work share at the end of 'kurs' at which the mean share to work reaches 0.6005.

    By hand: 'kurs' lasts D ~ Gamma(mean 3, CV 0.5), i.e. shape 4 and scale 0.75, with an early
    exit to work at 0.05 a month, so it is completed with probability
    p_c = E[e^(−0.05 D)] = (1 + 0.05 × 0.75)^(−4) = 0.8630. Setting the work share to x rescales
    praktik and annat (0.5 and 0.2 of 0.7) to (5/7)(1 − x) and (2/7)(1 − x); praktik sends half
    to work. Share to work: s(x) = (1 − p_c) + p_c (5/14 + (9/14) x), which is 0.6005 at
    x* = ((0.6005 − (1 − p_c))/p_c − 5/14) × 14/9 = 0.2800.

    The search reruns 40 replications of 25 people (1 000 independent people) on one seed, so the
    mean share is a step function of x in steps of 1/1000; the target lies half a step above 0.6,
    so the crossing is a jump, never a plateau. Its standard error at x* is
    sqrt(0.6 × 0.4 / 1000) = 0.0155 in share, 0.0155 / (p_c × 9/14) = 0.028 in x (delta
    method): the answer must lie within 4 of those of x*. And it must be the jump itself: the
    reruns give a mean share below the target just below the answer, above it just above.
    """
    from model.load import load_scenario
    from model.sweep import evaluate

    reps, target = 40, 0.6005
    t = analysis.threshold(folder / "a.yaml", "interventions.kurs.routing.arbete", 0.0, 0.8,
                           metric="share_work", target=target, replications=reps, seed=7)
    assert "rescaled" in t.notes[0]
    p_c = (1 + 0.05 * 0.75) ** -4
    x_star = ((target - (1 - p_c)) / p_c - 5 / 14) * 14 / 9
    assert x_star == pytest.approx(0.2800, abs=1e-4)
    se = math.sqrt(0.6 * 0.4 / (25 * reps)) / (p_c * 9 / 14)
    assert abs(t.value - x_star) <= 4 * se, (t.value, x_star, se)
    base = load_scenario(folder / "a.yaml").model_dump(mode="json", by_alias=True,
                                                       exclude_unset=True)

    def mean_share(x: float) -> float:
        raw, _ = apply_values(base, [(["interventions", "kurs", "routing", "arbete"], x)])
        return float(evaluate(parse_scenario(raw), reps, 7)["share_work"].mean())

    assert mean_share(t.value - 1e-6) < target < mean_share(t.value + 1e-6)


def test_probability_better_and_acceptability(reference) -> None:
    # each point's value is its mean over the replications (3 here): 8 pairs, not 24
    df = all_rows(reference).groupby(["point_id", "scenario"], as_index=False)["npv"].mean()
    wide = df.pivot_table(index="point_id", columns="scenario", values="npv")
    pb = analysis.probability_better(reference, "prog_a", "prog_b")
    assert pb["p"] == pytest.approx((wide["prog_a"] > wide["prog_b"]).mean())
    assert pb["pairs"] == 8
    assert analysis.probability_better(reference, "prog_b", "prog_a")["p"] == pytest.approx(
        (wide["prog_b"] > wide["prog_a"]).mean())

    values = [*np.linspace(0, 100_000, 21), 500_000, 1_000_000]
    ac = analysis.acceptability(reference, values)
    for s in ("prog_a", "prog_b"):
        col = ac[f"P(NPV>0) {s}"]
        assert col.is_monotonic_increasing
        assert col.iloc[0] == 0.0 and col.iloc[-1] == 1.0
        # at the scenarios' own value per person-year the curve is the simulated P(NPV > 0)
        at_base = ac.loc[ac["value_per_year"] == 500_000, f"P(NPV>0) {s}"].item()
        assert at_base == pytest.approx((df.loc[df["scenario"] == s, "npv"] > 0).mean())
    p_pair = ac.loc[ac["value_per_year"] == 500_000, "P(prog_a > prog_b)"].item()
    assert p_pair == pytest.approx(pb["p"])


def test_acceptability_rescales_a_swept_value(folder, tmp_path) -> None:
    """With the value per person-year swept, NPV(v) = a·v − c still reproduces each row's NPV."""
    out = tmp_path / "vpy"
    run_sweep(det_sweep(folder, {"kind": "lhs", "points": 5}, "vpy", n=2), out, workers=1,
              quiet=True)
    ac = analysis.acceptability(out, [1_000_000 / PERSON_YEARS - 1, 1_000_000 / PERSON_YEARS + 1])
    # lump varies in [0.5, 1.5] MSEK: P(NPV > 0) at v is the share of points with lump < a·v
    lump = all_rows(out)["lump"]
    for v, p in zip(ac["value_per_year"], ac["P(NPV>0) det"], strict=True):
        assert p == pytest.approx((lump < PERSON_YEARS * v).mean())


def test_cli_sweep_prints_the_analysis(folder, tmp_path) -> None:
    out = tmp_path / "cli"
    res = CliRunner().invoke(app, ["sweep", str(lhs_sweep(folder, points=3, reps=2,
                                                          name="small")),
                                   "--out", str(out), "--workers", "1", "--quiet",
                                   "--lang", "en"])
    assert res.exit_code == 0, res.output
    for text in ("Sweep small", "P(npv prog_a > prog_b)", "Acceptability curve",
                 "Net present value", "SEK"):
        assert text in res.output
    res = CliRunner().invoke(app, ["analyse", str(tmp_path / "nothing"), "--lang", "en"])
    assert res.exit_code == 2 and "not a sweep folder" in res.stderr


EXAMPLE_POINTS = {
    "framgangen_tornado": 1 + 2 * 11,          # one-way: the base, then 11 inputs at low and high
    "grenverket_psa": 1000,                    # psa: the draws of the scenarios' own uncertainty
    "grenverket_psa_explicit": 1000,           # random: the draws
    "grenverket_sobol": 256 * (6 + 2),         # Saltelli, first and total order: N (D + 2)
}


def test_example_sweep_files_are_valid() -> None:
    """The examples in scenarios/sweeps/ resolve their paths in the scenarios they name, have the
    number of points their comments promise, and vary each input around the value the scenario
    itself uses: a distribution's mean is that value (the PSA and Sobol files say they are
    centred on each scenario's sourced value), a range contains it and the one-way base point is
    it; an input that names one programme applies to that programme only."""
    files = sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml"))
    assert {f.stem for f in files} == set(EXAMPLE_POINTS)
    for f in files:
        plan = load_sweep(f)
        assert plan.n_points == EXAMPLE_POINTS[f.stem], f.stem
        bases = {b.name: b for b in plan.bases}
        for p in plan.params:
            named = p.spec.scenarios
            assert p.applies_to == (list(bases) if named is None else named), p.label
            for name in p.applies_to:
                dumped = bases[name].scenario.model_dump(mode="json", by_alias=True)
                value = float(get_value(dumped, p.parts))
                leaf = _container(bases[name].scenario.raw, p.parts).get(p.parts[-1])
                unc = leaf.get("uncertainty") if isinstance(leaf, dict) else None
                calibrated = isinstance(leaf, dict) and "[value: the posterior median" in str(
                    leaf.get("source", ""))
                where = (f.stem, p.label, name)
                if p.spec.dist is not None and calibrated:
                    # the base is a posterior median; the file stays centred on the sourced
                    # value, the prior's centre: within the declared prior's support
                    lo, hi = support(param_dist({k: v for k, v in unc.items()
                                                 if k not in ("source", "name")}))
                    assert lo <= p.spec.distribution().moments()[0] <= hi, where
                elif p.spec.dist is not None:
                    assert p.spec.distribution().moments()[0] == pytest.approx(value, rel=1e-9), where
                else:
                    assert p.spec.low <= value <= p.spec.high, where
                    assert p.base == pytest.approx(value, rel=1e-12), where
        if plan.spec.design.kind == "oneway":
            base = plan.points.iloc[0]
            assert [base[p.label] for p in plan.params] == pytest.approx([p.base for p in plan.params])
