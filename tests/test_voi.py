"""Value of information against closed forms and brute force."""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

from model.psa.voi import evpi, evppi


def _normal_evpi(mu: float, sigma: float) -> float:
    """Two options, incremental net benefit ~ N(mu, sigma): σφ(μ/σ) − |μ|Φ(−|μ|/σ)."""
    return sigma * stats.norm.pdf(mu / sigma) - abs(mu) * stats.norm.cdf(-abs(mu) / sigma)


def test_evpi_against_the_normal_closed_form() -> None:
    """200 000 draws: the estimate's Monte Carlo SE is sd(max(0, X) − E) / √n ≈ 0.0013 here;
    the tolerance is 4 of those."""
    rng = np.random.default_rng(1)
    for mu, sigma in ((1.0, 2.0), (-0.5, 1.0), (3.0, 1.0)):
        x = rng.normal(mu, sigma, 200_000)
        nb = np.column_stack([np.zeros_like(x), x])
        se = np.maximum(0, x).std() / math.sqrt(len(x))
        assert abs(evpi(nb) - _normal_evpi(mu, sigma)) <= 4 * se + 1e-12


def test_evpi_is_zero_without_uncertainty_about_the_decision() -> None:
    nb = np.column_stack([np.zeros(1000), np.full(1000, 5.0) + np.linspace(0, 1, 1000)])
    assert abs(evpi(nb)) <= 1e-12


def _nested(f, draw_x, draw_y, outer: int, inner: int, seed: int) -> float:
    """EVPPI(X) by brute force: E_X[max(0, E_Y f(X, Y))] − max(0, E f), inner means over
    `inner` draws of Y for each of `outer` draws of X (vectorised)."""
    rng = np.random.default_rng(seed)
    xs = draw_x(rng, outer)
    inner_means = f(xs[:, None], draw_y(rng, (outer, inner))).mean(axis=1)
    everything = f(draw_x(rng, 2_000_000), draw_y(rng, 2_000_000)).mean()
    return float(np.maximum(0, inner_means).mean() - max(0.0, everything))


def test_evppi_of_a_linear_conditional_mean_against_the_closed_form() -> None:
    """INB = X·Y + Y − 0.3, X ~ N(0.5, 1), Y ~ N(0.4, 0.5): E(INB | X) = 0.4 X + 0.1 is normal
    with mean 0.3 and sd 0.4, so EVPPI(X) has the normal closed form; E(INB | Y) = 1.5 Y − 0.3,
    mean 0.3, sd 0.75. The regression estimate from 4 000 PSA draws must be within 10 % (its
    sampling error with 4 000 draws is about 5 % here). Together, X and Y give the EVPI."""
    def f(x, y):
        return x * y + y - 0.3

    rng = np.random.default_rng(7)
    x = rng.normal(0.5, 1.0, 4000)
    y = rng.normal(0.4, 0.5, 4000)
    nb = np.column_stack([np.zeros(4000), f(x, y)])
    assert abs(evppi(nb, x) - _normal_evpi(0.3, 0.4)) <= 0.1 * _normal_evpi(0.3, 0.4)
    assert abs(evppi(nb, y) - _normal_evpi(0.3, 0.75)) <= 0.1 * _normal_evpi(0.3, 0.75)
    total = evpi(nb)
    assert evppi(nb, x) <= total + 1e-9
    assert abs(evppi(nb, np.column_stack([x, y])) - total) <= 0.05 * total


def test_evppi_against_nested_monte_carlo() -> None:
    """A nonlinear case, INB = 0.5 X² + X·Y − 0.6, X ~ N(0, 1), Y ~ N(0.2, 0.5): E(INB | X) =
    0.5 X² + 0.2 X − 0.6 has no normal closed form. Brute-force nested Monte Carlo (4 000 outer ×
    4 000 inner draws; the inner means' noise biases it up by under 1 % here) against the
    regression estimate from 4 000 PSA draws: within 10 %."""
    def f(x, y):
        return 0.5 * x**2 + x * y - 0.6

    def draw_x(rng, size):
        return rng.normal(0.0, 1.0, size)

    def draw_y(rng, size):
        return rng.normal(0.2, 0.5, size)

    rng = np.random.default_rng(11)
    x, y = draw_x(rng, 4000), draw_y(rng, 4000)
    nb = np.column_stack([np.zeros(4000), f(x, y)])
    brute = _nested(f, draw_x, draw_y, 4000, 4000, 3)
    est = evppi(nb, x)
    assert brute > 0.05
    assert abs(est - brute) <= 0.1 * brute, (est, brute)


def test_evppi_of_a_group_against_nested_monte_carlo() -> None:
    """A group of two parameters (the Gaussian-process regression), INB = 0.5 X1² + X1·X2 +
    X2·Y − 0.4, X1 ~ N(0, 1), X2 ~ N(0.2, 0.5), Y ~ N(0.3, 0.8): E(INB | X1, X2) = 0.5 X1² +
    X1·X2 + 0.3 X2 − 0.4 is neither linear nor additive. Brute-force nested Monte Carlo (4 000
    outer draws of the group × 4 000 inner draws of Y; the inner means' sd is at most about
    0.03 here, a bias of well under 1 %) against the regression estimate from 4 000 PSA draws:
    within 10 %, the tolerance of the one-parameter checks (most of that gap is the sampling error
    of 4 000 PSA draws, about 5–9 % here). The regression itself is checked more tightly against
    the exact conditional mean evaluated on the same draws: within 2 %. The group's EVPPI lies
    between the larger single-parameter EVPPI and the EVPI."""
    def f(x, y):
        return 0.5 * x[..., 0]**2 + x[..., 0] * x[..., 1] + x[..., 1] * y - 0.4

    def draw_x(rng, size):
        size = (size,) if isinstance(size, int) else size
        return np.stack([rng.normal(0.0, 1.0, size), rng.normal(0.2, 0.5, size)], axis=-1)

    def draw_y(rng, size):
        return rng.normal(0.3, 0.8, size)

    rng = np.random.default_rng(5)
    x, y = draw_x(rng, 4000), draw_y(rng, 4000)
    nb = np.column_stack([np.zeros(4000), f(x, y)])
    brute = _nested(f, draw_x, draw_y, 4000, 4000, 9)
    est = evppi(nb, x)
    assert brute > 0.05
    assert abs(est - brute) <= 0.1 * brute, (est, brute)
    exact = np.maximum(0, f(x, 0.3)).mean() - max(0.0, nb[:, 1].mean())
    assert abs(est - exact) <= 0.02 * exact, (est, exact)
    assert max(evppi(nb, x[:, 0]), evppi(nb, x[:, 1])) <= est + 1e-9 <= evpi(nb) + 1e-9


def test_gp_hyperparameters_from_repeated_rows_are_those_of_the_draws_one_by_one() -> None:
    """A joint group's rows recur among the draws; the GP fits each distinct row once, as the
    mean of its draws (noise / count) plus their spread about it. Its marginal likelihood then
    differs from that of the draws one by one by a constant, so the gradient in every
    hyperparameter is the same (to 1e-9 relative: rounding only). Without the
    counts and the spread the noise was fitted to the row means and the gradients differ."""
    from model.psa.voi import _gp_objective

    rng = np.random.default_rng(3)
    rows = rng.normal(size=(25, 2))
    counts = rng.integers(1, 5, 25)
    x = np.repeat(rows, counts, axis=0)
    z = np.sin(x[:, 0]) + 0.5 * x[:, 1] + rng.normal(0, 0.3, len(x))
    inv = np.repeat(np.arange(25), counts)
    means = np.bincount(inv, weights=z) / counts
    within = float(((z - means[inv]) ** 2).sum())
    d2_all = (x[:, None, :] - x[None, :, :]) ** 2
    d2_rows = (rows[:, None, :] - rows[None, :, :]) ** 2
    const = []
    for theta in (np.log([1.0, 1.2, 0.8, 0.1]), np.log([0.5, 2.0, 0.5, 0.02])):
        f_all, g_all = _gp_objective(theta, d2_all, z)
        f_rows, g_rows = _gp_objective(theta, d2_rows, means, counts, within)
        np.testing.assert_allclose(g_rows, g_all, rtol=1e-9)
        const.append(f_all - f_rows)
    assert math.isclose(const[0], const[1], rel_tol=1e-9), const


def test_gp_on_repeated_rows_is_the_gp_on_the_draws_one_by_one() -> None:
    """`_gp` itself (its unique rows, counts, row means and spread) gives what a GP fitted on
    the draws one by one gives: the hyperparameters by the same L-BFGS-B from the same start
    on the draws' own likelihood, then the posterior mean given every draw. 60 distinct rows
    (below GP_FIT_POINTS, so every row enters the fit), each drawn 1-4 times. The optimiser
    follows the same gradients (previous test), so the two agree to rounding and the
    optimiser's stopping point: 1e-5 of sd(y) allowed. Dropping the counts or the spread, or
    fitting on rows as single draws, moves the fit by 0.07-0.15 sd(y) here (checked)."""
    from scipy.optimize import minimize

    from model.psa.voi import GP_JITTER, GP_MAX_ITER, _gp, _gp_objective, _sq_exp, _standardise

    rng = np.random.default_rng(11)
    rows = rng.normal(size=(60, 2)) * [1.0, 30.0]
    counts = rng.integers(1, 5, 60)
    x = np.repeat(rows, counts, axis=0)[rng.permutation(int(counts.sum()))]
    y = 4.0 * np.sin(x[:, 0]) + 0.05 * x[:, 1] + rng.normal(0, 1.0, len(x)) + 100.0
    got = _gp(x, y, seed=1)

    xs = _standardise(x)
    mu, sd = y.mean(), y.std()
    z = (y - mu) / sd
    d = xs.shape[1]
    d2 = (xs[:, None, :] - xs[None, :, :]) ** 2
    theta0 = np.log(np.r_[1.0, np.full(d, math.sqrt(d)), 0.1])
    bounds = [(math.log(1e-4), math.log(1e4))] + [(math.log(1e-2), math.log(1e2))] * d \
        + [(math.log(1e-8), math.log(10.0))]
    res = minimize(_gp_objective, theta0, args=(d2, z), jac=True, method="L-BFGS-B",
                   bounds=bounds, options={"maxiter": GP_MAX_ITER})
    amp, ls, noise = math.exp(res.x[0]), np.exp(res.x[1:-1]), math.exp(res.x[-1])
    k = _sq_exp(xs, xs, amp, ls)
    want = (k @ np.linalg.solve(k + (noise + GP_JITTER) * np.eye(len(z)), z)) * sd + mu
    assert np.abs(got - want).max() <= 1e-5 * sd


def _spline_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Seeded inputs of the kinds a PSA gives: continuous, skewed, recurring rows (a joint
    group's draws), few distinct values, and large kronor scales."""
    rng = np.random.default_rng(20261206)
    out = []
    for n in (60, 1000, 5000):
        xs = {"normal": rng.normal(size=n), "lognormal": np.exp(rng.normal(size=n)) * 1e5,
              "recurring": rng.choice(rng.gamma(2.0, size=n // 2), size=n),
              "eight values": rng.integers(0, 8, size=n).astype(float)}
        for kind, x in xs.items():
            signal = 3e5 * np.sin(3 * (x - x.mean()) / x.std())
            y = signal + rng.normal(0.0, 10 ** rng.uniform(3, 6), n) + 1e6
            out.append((f"{kind}, n={n}", x, y))
    return out


def test_spline_basis_is_scikit_learns_spline_transformer() -> None:
    """The basis the single-input EVPPI regresses on is SplineTransformer's (12 quantile knots,
    cubic) at the data, to rounding: both evaluate scipy's B-splines on the same knots."""
    from sklearn.preprocessing import SplineTransformer

    from model.psa.voi import SPLINE_KNOTS, spline_basis

    for name, x, _ in _spline_cases():
        ref = SplineTransformer(n_knots=SPLINE_KNOTS, degree=3, knots="quantile",
                                extrapolation="linear").fit(x[:, None]).transform(x[:, None])
        assert np.abs(spline_basis(x) - ref).max() <= 1e-12, name


def test_ridge_by_leave_one_out_is_ridgecv_and_the_exact_ridge() -> None:
    """ridge_loo picks the penalty scikit-learn's RidgeCV picks (mean squared leave-one-out
    error, first on a tie), and its fitted values are the ridge solution at that penalty
    computed another way (least squares on the basis stacked over √α·I, intercept unpenalised)
    to 1e-9 of sd(y). Against RidgeCV's own predictions the agreement is to 1e-5 of sd(y):
    at penalties near 1e-8 RidgeCV itself is off the exact solution by up to about 1e-6
    (measured: 3e-7 at n = 1000), while ridge_loo is within 1e-12 of it."""
    from sklearn.linear_model import RidgeCV

    from model.psa.voi import SPLINE_ALPHAS, ridge_loo, spline_basis

    for name, x, y in _spline_cases():
        basis = spline_basis(x)
        fitted, alpha = ridge_loo(basis, y)
        ref = RidgeCV(alphas=SPLINE_ALPHAS).fit(basis, y)
        assert alpha == ref.alpha_, name
        centred = basis - basis.mean(axis=0)
        p = basis.shape[1]
        coef = np.linalg.lstsq(np.vstack([centred, math.sqrt(alpha) * np.eye(p)]),
                               np.r_[y - y.mean(), np.zeros(p)], rcond=None)[0]
        exact = centred @ coef + y.mean()
        assert np.abs(fitted - exact).max() <= 1e-9 * y.std(), name
        assert np.abs(fitted - ref.predict(basis)).max() <= 1e-5 * y.std(), name


def test_spline_evppi_does_not_import_scikit_learn() -> None:
    """The single-input EVPPI runs on numpy and scipy alone: scikit-learn's import cost about
    0.85 s of CPU per command (benchmarks/RESULTS.md), so it is only the tests' reference."""
    import subprocess
    import sys

    code = ("import sys, numpy as np; from model.psa.voi import evppi; "
            "x = np.linspace(0, 1, 500); nb = np.column_stack([np.zeros(500), x - 0.5]); "
            "assert evppi(nb, x) > 0; print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_group_of_every_input_is_worth_the_evpi_exactly_without_noise() -> None:
    """With each draw's net benefits a function of its inputs alone (the expected-value path),
    knowing every input is knowing the net benefits: a group holding every input that varies
    has EVPPI = EVPI, exactly, and no regression is fitted for it. A group missing one input,
    or draws with simulation noise, are regressed (the GP) as before."""
    import pandas as pd

    from model.psa.voi import value_of_information

    rng = np.random.default_rng(5)
    n = 600
    a, b, c = rng.normal(size=n), rng.normal(size=n), rng.normal(size=n)
    inputs = pd.DataFrame({"draw": np.arange(n), "a": a, "b": b, "c": c})
    npv = 0.3 + a * b + 0.5 * c
    per_draw = {"x": pd.DataFrame({"draw": np.arange(n), "npv": npv, "participants": 100.0}),
                "y": pd.DataFrame({"draw": np.arange(n), "npv": 0.0, "participants": 100.0})}
    groups = {"all": ["a", "b", "c"], "ab": ["a", "b"]}
    exact = value_of_information(per_draw, inputs, "npv", groups, noiseless=True)
    t = exact.table.set_index("parameter")["evppi"]
    assert exact.evpi > 0.1 and t["all"] == exact.evpi
    assert t["ab"] != exact.evpi and 0 < t["ab"] < exact.evpi
    regressed = value_of_information(per_draw, inputs, "npv", groups, noiseless=False)
    r = regressed.table.set_index("parameter")["evppi"]
    assert r["all"] != exact.evpi and abs(r["all"] - exact.evpi) <= 0.1 * exact.evpi
    assert r["ab"] == t["ab"]
