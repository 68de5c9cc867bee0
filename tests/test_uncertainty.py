"""Parameter distributions (model/uncertainty.py): every one in the registry is tested.

The tests iterate PARAM_DISTS, so a new distribution fails here until it has an example in
EXAMPLES, and then gets every check: its scipy distribution has the mean and standard deviation
its parameters say, it rejects a wrong set of keys, and a mean can be given from outside.
"""

from __future__ import annotations

from typing import get_args

import pytest

from model.sweep import Parameter
from model.uncertainty import PARAM_DIST_KEYS, PARAM_DISTS, param_dist

EXAMPLES: dict[str, list[dict[str, float]]] = {
    "beta": [{"mean": 0.62, "sd": 0.038}, {"alpha": 2.0, "beta": 5.0}],
    "gamma": [{"mean": 0.02, "cv": 0.3}, {"mean": 4.0, "cv": 1.5}],
    "lognormal": [{"mean": 3.0, "cv": 0.4}, {"mean": 500_000.0, "cv": 0.2}],
    "uniform": [{"low": 1.0, "high": 4.0}],
    "triangular": [{"low": 1.0, "mode": 2.0, "high": 6.0}, {"low": -1.0, "mode": -1.0, "high": 2.0}],
    "normal": [{"mean": -1.0, "sd": 2.0}],
}


@pytest.mark.parametrize("name", list(PARAM_DISTS))
def test_frozen_mean_and_sd_match_the_parameters(name: str) -> None:
    """scipy's mean and sd equal the closed-form ones; mean, sd and cv equal the keys given."""
    assert EXAMPLES.get(name), f"add an example of '{name}' to EXAMPLES"
    for keys in EXAMPLES[name]:
        d = param_dist({"dist": name, **keys})
        assert isinstance(d, PARAM_DISTS[name])
        mean, sd = d.moments()
        frozen = d.frozen()
        assert frozen.mean() == pytest.approx(mean, rel=1e-9, abs=1e-12)
        assert frozen.std() == pytest.approx(sd, rel=1e-9)
        if "mean" in keys:
            assert frozen.mean() == pytest.approx(keys["mean"], rel=1e-9)
        if "sd" in keys:
            assert frozen.std() == pytest.approx(keys["sd"], rel=1e-9)
        if "cv" in keys:  # gamma and lognormal: by mean and coefficient of variation
            assert frozen.std() / frozen.mean() == pytest.approx(keys["cv"], rel=1e-9)


@pytest.mark.parametrize("name", list(PARAM_DISTS))
def test_a_wrong_set_of_keys_is_named(name: str) -> None:
    with pytest.raises(ValueError, match=f"dist {name} takes .*; got nothing"):
        param_dist({"dist": name})
    keys = {**EXAMPLES[name][0], "unused": 1.0}
    with pytest.raises(ValueError, match=f"dist {name} takes .*; got .*unused"):
        param_dist({"dist": name, **keys})


@pytest.mark.parametrize("name", [n for n, c in PARAM_DISTS.items() if "mean" in c.keys_taken()])
def test_a_mean_can_come_from_outside(name: str) -> None:
    """A missing mean is taken from outside (a number's value); a given one wins."""
    keys = next(k for k in EXAMPLES[name] if "mean" in k)
    rest = {k: v for k, v in keys.items() if k != "mean"}
    d = param_dist({"dist": name, **rest}, mean=keys["mean"])
    assert d.frozen().mean() == pytest.approx(keys["mean"], rel=1e-9)
    assert param_dist({"dist": name, **keys}, mean=keys["mean"] / 2).moments()[0] == keys["mean"]


def test_a_beta_by_its_shapes_ignores_an_outside_mean() -> None:
    d = param_dist({"dist": "beta", "alpha": 2.0, "beta": 5.0}, mean=0.62)
    assert d.frozen().mean() == pytest.approx(2 / 7)


@pytest.mark.parametrize(("keys", "message"), [
    ({"dist": "beta", "mean": 1.5, "sd": 0.1}, "a beta mean must be between 0 and 1, not 1.5"),
    ({"dist": "beta", "mean": 0.5, "sd": 0.6}, "sd 0.6 is too large for a beta with mean 0.5"),
    ({"dist": "gamma", "mean": 0.0, "cv": 0.2}, "a gamma mean must be above 0, not 0"),
    ({"dist": "lognormal", "mean": -1.0, "cv": 0.2}, "a lognormal mean must be above 0, not -1"),
    ({"dist": "uniform", "low": 2.0, "high": 1.0}, r"low \(2\) must be below high \(1\)"),
    ({"dist": "triangular", "low": 0.0, "mode": 3.0, "high": 2.0}, "low <= mode <= high"),
    ({"dist": "normal", "mean": 0.0, "sd": -1.0}, "sd: .*greater than 0"),
    ({"dist": "poisson", "mean": 1.0}, "unknown distribution 'poisson'"),
])
def test_bounds_are_checked(keys: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        param_dist(keys)


def test_sweep_parameters_take_every_distribution_flat() -> None:
    """A sweep parameter names the same distributions and has a field for each of their keys."""
    assert list(get_args(get_args(Parameter.model_fields["dist"].annotation)[0])) == list(PARAM_DISTS)
    assert set(Parameter.model_fields) >= PARAM_DIST_KEYS
    for name, examples in EXAMPLES.items():
        for keys in examples:
            p = Parameter.model_validate({"path": "a.b", "dist": name, **keys})
            assert p.frozen().mean() == pytest.approx(param_dist({"dist": name, **keys}).moments()[0])


# a grid of parameters per distribution, from near-degenerate to very skewed
PPF_GRID: dict[str, list[dict[str, float]]] = {
    "beta": [{"mean": m, "sd": f * (m * (1 - m)) ** 0.5} for m in (0.001, 0.05, 0.3, 0.62, 0.97)
             for f in (0.01, 0.1, 0.3, 0.6, 0.9)] + [{"alpha": 0.5, "beta": 0.5},
                                                      {"alpha": 2.0, "beta": 5.0}],
    "gamma": [{"mean": m, "cv": cv} for m in (0.00647, 1.0, 2.5e6)
              for cv in (0.01, 0.1, 0.45, 1.0, 2.0, 5.0)],
    "lognormal": [{"mean": m, "cv": cv} for m in (0.02, 3.0, 5e5) for cv in (0.01, 0.4, 2.0)],
    "uniform": [{"low": 18520.0, "high": 20370.0}, {"low": -3.0, "high": 0.25}, {"low": 0.3, "high": 0.8}],
    "triangular": [{"low": 4.0, "mode": 6.0, "high": 9.0}, {"low": -1.0, "mode": -1.0, "high": 2.0},
                   {"low": 0.0, "mode": 1.0, "high": 1.0}],
    "normal": [{"mean": m, "sd": sd} for m in (-1.0, 0.0, 0.62, 1e5) for sd in (1e-3, 0.2, 2.0, 3e4)],
}
PPF_QS = (0.001, 0.999, 0.5, 0.025, 0.975, 1e-6, 1 - 1e-6)


@pytest.mark.parametrize("name", list(PARAM_DISTS))
def test_quantiles_without_scipy_equal_scipys(name: str) -> None:
    """`ppf` (what `validate` checks the extreme quantiles with, no scipy loaded) equals
    scipy.stats' `frozen().ppf`: to the last bit for the closed forms of uniform and triangular
    and at the checked 0.1 % and 99.9 % for the normal; within 2e-12 relative elsewhere (the
    gamma and beta quantiles invert pure-Python incomplete gamma and beta functions, which are
    good to about 1e-13; scipy's own normal quantile differs from `statistics.NormalDist`'s in
    the last bit at some q). A beta with a shape a far below 1 near 0 has x ≈ (F·a·B)^(1/a), so
    a relative error ε of the CDF moves the quantile by ε/a: there the tolerance is 1e-13/a."""
    assert PPF_GRID.get(name), f"add a grid of '{name}' parameters to PPF_GRID"
    for keys in PPF_GRID[name]:
        d = param_dist({"dist": name, **keys})
        for q in PPF_QS:
            want = float(d.frozen().ppf(q))
            got = d.ppf(q)
            if name in ("uniform", "triangular") or (name == "normal" and q in (0.001, 0.999)):
                assert got == want, (keys, q)
            else:
                shape = min(d.shapes()) if name == "beta" else 1.0
                rel = max(2e-12, 1e-13 / shape)
                assert got == pytest.approx(want, rel=rel, abs=1e-300), (keys, q)
