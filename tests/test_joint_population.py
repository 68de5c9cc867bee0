"""A joint population mix (e.g. sex × born abroad) is drawn as written, priced through exact mode,
and validated with file/field messages."""

from __future__ import annotations

import math

import numpy as np
import pytest

from model.errors import InputError
from model.exact import solve_exact
from model.scenario import parse_scenario
from model.simulation import simulate

CELLS = [
    {"sex": "kvinna", "born": "utrikes", "share": 49 / 213},
    {"sex": "man", "born": "utrikes", "share": 27 / 213},
    {"sex": "kvinna", "born": "inrikes", "share": 53 / 213},
    {"sex": "man", "born": "inrikes", "share": 84 / 213},
]


def scenario(population: dict) -> dict:
    return {
        "name": "joint",
        "simulation": {"replications": 40, "seed": 5},
        "intake": {"cohort": {"n": 500}},
        "population": population,
        "entry": "a",
        "interventions": [{"name": "a", "duration": {"dist": "exponential", "mean": 3},
                           "exit_hazards": {"avbrott": 0.05},
                           "routing": {"arbete": 0.5, "annat": 0.5}}],
        "exit_states": {"arbete": {"category": "work"}, "annat": {"category": "other"},
                        "avbrott": {"category": "other"}},
    }


def test_cells_are_drawn_with_their_shares() -> None:
    """20 000 participants: each cell's frequency is within 4 binomial standard errors of its
    share (fixed seed; 4 SE keeps a false failure below 1e-4 per cell), and the independent
    attribute is drawn as before."""
    pop = {"joint": CELLS, "age_band": {"25-39": 0.4, "40-64": 0.6}}
    run = simulate(parse_scenario(scenario(pop)))
    p = run.participants
    n = len(p)
    assert n == 20_000
    for c in CELLS:
        got = ((p["sex"] == c["sex"]) & (p["born"] == c["born"])).mean()
        se = math.sqrt(c["share"] * (1 - c["share"]) / n)
        assert abs(got - c["share"]) < 4 * se, (c, got)
    se = math.sqrt(0.24 / n)
    assert abs((p["age_band"] == "25-39").mean() - 0.4) < 4 * se
    assert set(p["group"]) == {"kvinna, utrikes", "man, utrikes", "kvinna, inrikes",
                               "man, inrikes"}


def test_exact_mode_mixes_joint_cells_and_agrees_with_the_engine() -> None:
    """An override for foreign-born women only: exact mode weights that cell by its joint share
    (49/213), not by the product of the marginals, and the engine agrees within 4 SE."""
    pop = {"joint": CELLS, "overrides": [
        {"when": {"sex": "kvinna", "born": "utrikes"},
         "interventions": {"a": {"routing": {"arbete": 0.9, "annat": 0.1}}}}]}
    sc = parse_scenario(scenario(pop))
    ex = solve_exact(sc)
    p_complete = 1 / (1 + 0.05 * 3)
    w = 49 / 213
    expected = p_complete * (w * 0.9 + (1 - w) * 0.5)
    assert ex.exit_shares["arbete"] == pytest.approx(expected, rel=1e-12)
    p = simulate(sc).participants
    got = (p["exit_state"] == "arbete").mean()
    se = math.sqrt(expected * (1 - expected) / len(p))
    assert abs(got - expected) < 4 * se


def test_joint_validation_messages() -> None:
    """Both a marginal and joint for the same attribute, cells naming different attributes, shares
    not summing to 1 and an override naming an unknown level are each reported with the path."""
    both = scenario({"sex": {"kvinna": 0.5, "man": 0.5}, "joint": CELLS})
    with pytest.raises(InputError) as e:
        parse_scenario(both, file="s.yaml")
    assert "given both as shares and in joint" in str(e.value) and "population" in str(e.value)

    mixed = scenario({"joint": [{"sex": "kvinna", "share": 0.5},
                                {"sex": "man", "born": "utrikes", "share": 0.5}]})
    with pytest.raises(InputError) as e:
        parse_scenario(mixed, file="s.yaml")
    assert "population.joint" in str(e.value) and "same attributes" in str(e.value)

    short = scenario({"joint": CELLS[:3]})
    with pytest.raises(InputError) as e:
        parse_scenario(short, file="s.yaml")
    assert "population.joint" in str(e.value) and "sum to 1" in str(e.value)

    typo = scenario({"joint": CELLS, "overrides": [
        {"when": {"born": "utrikesfödd"}, "interventions": {"a": {"routing": {"arbete": 1}}}}]})
    with pytest.raises(InputError) as e:
        parse_scenario(typo, file="s.yaml")
    msg = str(e.value)
    assert "population.overrides[0].when.born" in msg and "utrikes" in msg


def test_cells_enumeration_weights_sum_to_one() -> None:
    """Population.cells gives every combination once, with weights summing to 1."""
    pop = parse_scenario(scenario({"joint": CELLS, "age_band": {"a": 0.3, "b": 0.7}})).population
    cells = pop.cells(["sex", "born", "age_band"])
    assert len(cells) == 8
    assert sum(w for _, w in cells) == pytest.approx(1.0)
    assert np.isclose(sum(w for c, w in cells if c["sex"] == "kvinna"), 102 / 213)
