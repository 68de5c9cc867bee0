"""Seeded tables pinned byte for byte: the engine's draw order is a contract.

Every scenario in scenarios/library and scenarios/grenverket, plus a few built networks that
exercise what the library does not (capacity changes, priority, maximum wait, initial state,
joint population, overrides, pauses, caps, every duration family), is simulated at a fixed seed;
the SHA-256 of each table's CSV must match tests/pinned_tables.json. A refactor of the engine
must leave them unchanged. A deliberate change of the draw sequence re-pins them, announced in
its commit: `python tests/test_pinned.py --update`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest
from conftest import build, expo, fixed, iv

from model.load import load_scenario
from model.scenario import Scenario
from model.simulation import simulate

ROOT = Path(__file__).resolve().parents[1]
PINS = Path(__file__).with_name("pinned_tables.json")
SEED, REPS = 4242, 3
LIBRARY = sorted([*ROOT.glob("scenarios/library/*.yaml"), *ROOT.glob("scenarios/grenverket/*.yaml")])


def queueing(horizon: float | None) -> Scenario:
    """Capacity with a maximum wait, exit hazards to an intervention, a loop back (gamma)."""
    return build(
        [
            iv("a", {"dist": "gamma", "mean": 1.0, "cv": 0.7}, {"b": 0.6, "arbete": 0.4},
               capacity={"places": 3},
               waiting_list={"max_wait_months": 1.5, "on_timeout": "gav_upp"},
               exit_hazards={"annat": 0.1, "b": 0.2}),
            iv("b", expo(0.8), {"a": 0.3, "arbete": 0.4, "annat": 0.3},
               exit_hazards={"arbete": 0.2}),
        ],
        intake={"stream": {"rate_per_month": 6.0, "end_month": 8.0}},
        exits={"arbete": "work", "annat": "other", "gav_upp": "other"},
        horizon=horizon,
    )


def mixed_intake() -> Scenario:
    """Stream, groups and a pause; gamma and empirical stays; entry split; referral sources."""
    return build(
        [
            iv("x", {"dist": "gamma", "mean": 5, "cv": 1.2}, {"y": 0.7, "annat": 0.3},
               capacity={"places": 2}, waiting_list={"max_wait_months": 2, "on_timeout": "annat"},
               exit_hazards={"arbete": 0.3}),
            iv("y", {"dist": "empirical", "values": [1, 2, 8]}, {"x": 0.5, "arbete": 0.5}),
        ],
        intake={"stream": {"rate_per_month": 4.0, "end_month": 10},
                "groups": {"size": 3, "every_months": 2.0, "end_month": 9},
                "pauses": [{"start_month": 4, "end_month": 5}],
                "referral_sources": {"af": 0.6, "kommun": 0.4}},
        population={"sex": {"kvinna": 0.45, "man": 0.55}, "born": {"sverige": 0.6, "utrikes": 0.4},
                    "age_band": {"16-24": 0.3, "25-64": 0.7},
                    "target_group": {"fa": 0.5, "ekbist": 0.5}},
        horizon=14, entry={"x": 0.8, "y": 0.2},
    )


def overrides() -> Scenario:
    """Six duration families, subgroup overrides of routing and hazards, a cohort."""
    return build(
        [
            iv("a", {"dist": "gamma", "mean": 2.0, "cv": 0.6}, {"b": 0.6, "c": 0.2, "annat": 0.2},
               exit_hazards={"arbete": 0.05, "c": 0.08}),
            iv("b", {"dist": "lognormal", "mean": 1.5, "cv": 0.8},
               {"a": 0.25, "c": 0.5, "arbete": 0.25}, exit_hazards={"studier": 0.1}),
            iv("c", {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 4.0},
               {"d": 0.4, "arbete": 0.4, "annat": 0.2}, exit_hazards={"annat": 0.1}),
            iv("d", {"dist": "uniform", "low": 1.0, "high": 3.0},
               {"e": 0.3, "b": 0.1, "arbete": 0.3, "annat": 0.3}),
            iv("e", {"dist": "empirical", "values": [0.5, 1.0, 6.0], "weights": [1, 2, 1]},
               {"f": 0.5, "studier": 0.5}, exit_hazards={"arbete": 0.15, "f": 0.05}),
            iv("f", fixed(2.0), {"arbete": 0.6, "annat": 0.4}),
        ],
        intake={"cohort": {"n": 300}},
        entry={"a": 0.8, "c": 0.2},
        exits={"arbete": "work", "studier": "studies", "annat": "other"},
        population={
            "sex": {"kvinna": 0.5, "man": 0.5},
            "target_group": {"unga": 0.3, "ovriga": 0.7},
            "overrides": [{
                "when": {"target_group": "unga"},
                "interventions": {
                    "a": {"routing": {"b": 0.2, "e": 0.5, "arbete": 0.3}},
                    "b": {"exit_hazards": {"arbete": 0.3, "f": 0.1}},
                },
            }],
        },
    )


PRIORITY_ORDER = {"target_group": ["ung"], "sex": ["kvinna"], "referral": ["af", "kommun"]}


def staffed(priority: str, horizon: float | None) -> Scenario:
    """Capacity changes by staff and places, priority, initial state, a cap, joint cells."""
    return build(
        [
            iv("intro", {"dist": "uniform", "low": 0.2, "high": 1.0}, {"a": 0.7, "b": 0.3}),
            iv("a", {"dist": "lognormal", "mean": 2.0, "cv": 0.5}, {"b": 0.3, "arbete": 0.7},
               capacity={"staff_fte": 1.0, "caseload_per_fte": 3},
               capacity_changes=[{"month": 2, "staff_fte": 0.5}, {"month": 6, "staff_fte": 2}],
               waiting_list={"priority": {"attribute": priority, "order": PRIORITY_ORDER[priority]},
                             "max_wait_months": 4, "on_timeout": "annat"},
               exit_hazards={"annat": 0.05}),
            iv("b", expo(1.5), {"arbete": 0.5, "annat": 0.5}, capacity={"places": 2},
               capacity_changes=[{"month": 5, "places": 0}, {"month": 7, "places": 4}]),
        ],
        intake={"stream": {"rate_per_month": 5.0, "end_month": 12}, "cohort": {"n": 4, "month": 1},
                "max_participants": 50, "referral_sources": {"af": 0.5, "kommun": 0.5}},
        initial_state=[{"intervention": "a", "in_service": 4, "waiting": 2},
                       {"intervention": "b", "waiting": 1}],
        population={"joint": [{"sex": "kvinna", "target_group": "ung", "share": 0.3},
                              {"sex": "man", "target_group": "ung", "share": 0.2},
                              {"sex": "kvinna", "target_group": "vuxen", "share": 0.25},
                              {"sex": "man", "target_group": "vuxen", "share": 0.25}],
                    "born": {"sverige": 0.6, "utrikes": 0.4}},
        horizon=horizon,
    )


def cases() -> dict[str, tuple[Scenario, float | None]]:
    """Name -> (scenario, horizon override or None for the scenario's own)."""
    out: dict[str, tuple[Scenario, float | None]] = {}
    for path in LIBRARY:
        out[f"{path.parent.name}/{path.stem}"] = (load_scenario(path), None)
    out["queueing/until_empty"] = (queueing(None), None)
    out["queueing/horizon_3"] = (queueing(3.0), None)
    out["mixed_intake"] = (mixed_intake(), None)
    out["overrides"] = (overrides(), None)
    for priority in ("target_group", "sex", "referral"):
        out[f"staffed/{priority}"] = (staffed(priority, None), None)
    out["staffed/horizon_6.5"] = (staffed("sex", 6.5), None)
    return out


def table_hashes(sc: Scenario, horizon: float | None) -> dict[str, str]:
    run = simulate(sc, replications=REPS, seed=SEED, horizon=horizon)
    return {name: hashlib.sha256(df.to_csv().encode("utf-8")).hexdigest()
            for name, df in (("participants", run.participants), ("visits", run.visits),
                             ("stations", run.stations))}


CASES = cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_seeded_tables_are_unchanged(name):
    pinned = json.loads(PINS.read_text())
    sc, horizon = CASES[name]
    assert table_hashes(sc, horizon) == pinned[name], (
        f"{name}: seeded tables changed. If the draw order changed on purpose, re-pin with "
        "`python tests/test_pinned.py --update` and say so in the commit")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_pinned.py --update")
    PINS.write_text(json.dumps({n: table_hashes(*CASES[n]) for n in sorted(CASES)}, indent=1)
                    + "\n")
    print(f"wrote {PINS}")
