"""The psa sweep design: a PSA from the scenarios' own `uncertainty` declarations (issue 10.1),
with the same draws and the same per-draw figures as `compare`'s PSA on the same seed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from model.analysis import load_manifest, probability_better, read_points, read_results, sweep_voi
from model.errors import InputError
from model.load import load_scenario
from model.psa import run_psa
from model.psa.summary import probability
from model.sweep import load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]
DECISION = ROOT / "tests" / "decision"
GRENVERKET = ROOT / "scenarios" / "grenverket"


def _sweep(folder: Path, scenarios: list[Path], draws: int, seed: int, **extra: object) -> Path:
    f = folder / "psa.yaml"
    f.write_text(yaml.safe_dump({"name": "psa", "scenarios": [str(s) for s in scenarios],
                                 "design": {"kind": "psa", "draws": draws}, "seed": seed,
                                 **extra}), encoding="utf-8")
    return f


def _compare(scenarios: list[Path], draws: int, seed: int):
    loaded = [load_scenario(s) for s in scenarios]
    return run_psa([(sc.raw, sc) for sc in loaded], draws=draws, seed=seed)


@pytest.mark.parametrize("files", [[DECISION / "kurs.yaml", DECISION / "coach.yaml"],
                                   [GRENVERKET / "anpassad_yrkesutbildning.yaml",
                                    GRENVERKET / "supported_employment.yaml"]],
                         ids=["named-inputs", "joint-rows"])
def test_psa_sweep_gives_compares_per_draw_figures(tmp_path: Path, files: list[Path]) -> None:
    """The seeds line up (the sweep's seed is the PSA's), so the per-draw figures are identical
    to rounding, not merely equal within MCSE: every metric of every draw and programme, and hence P(A > B)
    and the means that `analyse` prints. The Grenverket pair draws whole calibrated rows that set
    six and five paths at once; the kurs/coach pair shares one named input ('extent')."""
    draws, seed = 12, 31
    out = tmp_path / "out"
    run_sweep(_sweep(tmp_path, files, draws, seed), out, workers=1, quiet=True)
    swept = read_results(out)
    psa = _compare(files, draws, seed)
    assert len(swept) == draws * len(files)          # one row per draw and programme
    assert set(psa.methods.values()) == {"expected"}
    names = list(psa.methods)
    for s in names:
        mine = swept[swept["scenario"] == s].sort_values("point_id").reset_index(drop=True)
        theirs = psa.of(s)
        assert mine["point_id"].tolist() == theirs["draw"].tolist()
        for m in ("npv:5y", "npv:1y", "cost_pv", "participants"):
            if m in theirs:
                # the sweep prices each draw alone, compare all draws at once (model.psa.vector):
                # the same sums in another order, so equal to rounding (1e-12 relative)
                np.testing.assert_allclose(mine[m].to_numpy(), theirs[m].to_numpy(), rtol=1e-12,
                                           atol=0, err_msg=m)
    a, b = names
    better = probability_better(out, a, b, "npv:5y")
    assert better["p"] == probability(psa.of(a)["npv:5y"] > psa.of(b)["npv:5y"])[0]
    # the drawn values recorded with the points are the PSA's draws
    points = read_points(out)
    params = load_manifest(out)["parameters"]
    for name, u in psa.plan.inputs.items():
        col = next(p["name"] for p in params if p["path"] == u.path and u.scenario in p["applies_to"])
        np.testing.assert_array_equal(points[col].to_numpy(), psa.draws[name].to_numpy())


def test_psa_sweep_records_the_joint_group_for_the_value_of_information(tmp_path: Path) -> None:
    """A joint group's columns are named in the manifest, so `analyse` gives its EVPPI as a
    group (here 0: the training wins in every draw, so nothing is regressed) beside each column."""
    files = [GRENVERKET / "anpassad_yrkesutbildning.yaml", GRENVERKET / "supported_employment.yaml"]
    out = tmp_path / "out"
    plan = load_sweep(_sweep(tmp_path, files, 5, 3))
    assert list(plan.groups) == ["grenverket_pwc"]
    assert len(plan.groups["grenverket_pwc"]) == 9      # 6 + 5 paths, two of them shared
    run_sweep(plan.file, out, workers=1, quiet=True, plan=plan)
    voi = sweep_voi(out, load_manifest(out), "npv:5y")
    assert "grenverket_pwc" in voi.table.loc[voi.table["kind"] == "group", "parameter"].tolist()


def test_psa_sweep_file_mistakes_are_input_problems(tmp_path: Path) -> None:
    files = [DECISION / "kurs.yaml"]
    for extra, words in (({"replications": 10}, "leave out replications"),
                         ({"parameters": [{"path": "valuation.value_per_year", "low": 1,
                                           "high": 2}]}, "remove parameters")):
        with pytest.raises(InputError) as err:
            load_sweep(_sweep(tmp_path, files, 5, 1, **extra))
        assert words in str(err.value.problems[0].message)
    with pytest.raises(InputError) as err:
        load_sweep(_sweep(tmp_path, [ROOT / "tests" / "base_scenario.yaml"], 5, 1))
    assert "none of the scenarios declares" in err.value.problems[0].message
