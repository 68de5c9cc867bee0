"""Drawing in blocks gives the very numbers single draws give: the engine relies on it."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from model.distributions import Duration
from model.simulation import stream
from model.simulation.streams import blocks

DURATIONS = [
    {"dist": "fixed", "months": 2.0},
    {"dist": "exponential", "mean": 4.0},
    {"dist": "gamma", "mean": 3.0, "cv": 0.5},
    {"dist": "gamma", "mean": 1.0, "cv": 1.5},
    {"dist": "lognormal", "mean": 1.5, "cv": 0.8},
    {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 4.0},
    {"dist": "uniform", "low": 1.0, "high": 3.0},
    {"dist": "empirical", "values": [0.5, 1.0, 6.0], "weights": [1, 2, 1]},
    {"dist": "empirical", "values": [1, 2, 8]},
]
N = 3000  # spans several blocks of growing size


def two(purpose: str) -> tuple[np.random.Generator, np.random.Generator]:
    return stream(7, 1, purpose), stream(7, 1, purpose)


@pytest.mark.parametrize("spec", DURATIONS, ids=[d["dist"] for d in DURATIONS])
def test_duration_blocks_equal_single_samples(spec):
    d = TypeAdapter(Duration).validate_python(spec)
    one, block = two("duration:x")
    draw = blocks(lambda n: d.samples(block, n))
    assert [draw() for _ in range(N)] == [d.sample(one) for _ in range(N)]


def test_uniform_and_exponential_blocks_equal_single_draws():
    one, block = two("routing")
    draw = blocks(block.random)
    assert [draw() for _ in range(N)] == [one.random() for _ in range(N)]
    one, block = two("arrivals")
    draw = blocks(lambda n: block.exponential(1.0 / 6.0, n))
    assert [draw() for _ in range(N)] == [one.exponential(1.0 / 6.0) for _ in range(N)]


@pytest.mark.parametrize("hazard", [0.1, 0.05 + 0.08, 0.3 + 0.1, 7.0])
def test_scaled_standard_exponentials_equal_exponential_draws(hazard):
    """Exit hazards differ by subgroup, so the engine scales standard exponentials itself."""
    one, block = two("dropout:x")
    draw = blocks(block.standard_exponential)
    scale = 1.0 / hazard
    assert [scale * draw() for _ in range(N)] == [one.exponential(1.0 / hazard)
                                                  for _ in range(N)]
