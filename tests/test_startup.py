"""Start-up (issue 11, target 5): `validate` and `run --method exact` without scipy.stats, and with
the same output as with it.

What replaced scipy.stats is checked against it number for number: the duration families' closed
forms (`model.distributions.ClosedForm`), the Poisson functions on scipy.special
(`model.special`) and the lattice's FFT convolution (numpy's FFT where scipy.signal's was). The
printed text of `run --method exact` (Swedish and English) and of `validate` for every ready
scenario is pinned by its SHA-256 in tests/exact_output_pins.json, so a change of any printed
digit fails here; a deliberate change re-pins with `python tests/test_startup.py --update`,
announced in its commit. Which libraries a command loads is checked on `sys.modules` in a fresh
process; how long it takes is measured in benchmarks/startup_bench.py, not here.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from scipy.fft import next_fast_len
from scipy.signal import fftconvolve
from typer.testing import CliRunner

from cli import app
from model import __version__
from model.distributions import Exponential, Gamma, Uniform
from model.expected.lattice import _conv, fast_length
from model.special import poisson_pmf, poisson_ppf, poisson_sf

ROOT = Path(__file__).resolve().parents[1]
PINS = Path(__file__).with_name("exact_output_pins.json")
READY = sorted([*ROOT.glob("scenarios/grenverket/*.yaml"), *ROOT.glob("scenarios/library/*.yaml")])
TRAINING = ROOT / "scenarios/grenverket/anpassad_yrkesutbildning.yaml"
LYRA = ROOT / "scenarios/library/lyra.yaml"  # exponential stays, long series (the FFT)
HEAVY = ("pandas", "scipy", "scipy.stats", "scipy.signal", "matplotlib")

runner = CliRunner()


# ---------------------------------------------------------------- the same numbers as scipy


def _grid(rng: np.random.Generator) -> np.ndarray:
    return np.concatenate([[-1.0, 0.0, 1e-300, np.inf], rng.random(1996) * 80]).reshape(40, 50)


@pytest.mark.parametrize("dist, frozen", [
    *[(Exponential(dist="exponential", mean=m), stats.expon(scale=m)) for m in (0.3, 4.0, 17.5)],
    *[(Gamma(dist="gamma", mean=m, cv=cv), stats.gamma(a=1 / cv**2, scale=m * cv**2))
      for m in (0.5, 6.0) for cv in (0.1, 0.5, 1.0, 2.0)],
    *[(Uniform(dist="uniform", low=lo, high=hi), stats.uniform(loc=lo, scale=hi - lo))
      for lo, hi in ((0.0, 1.0), (2.0, 7.5), (3.0, 3.25))],
], ids=lambda v: "scipy" if isinstance(v, stats.distributions.rv_frozen) else str(v))
def test_closed_form_durations_equal_scipy_stats(dist, frozen) -> None:
    """cdf, pdf, ppf, std and support of each continuous duration as exact mode reads them equal
    scipy.stats' frozen distribution: to the bit, except the exponential CDF, numpy's expm1
    against scipy's (within 2 units in the last place, 4.5e-16 relative)."""
    cont = dist.continuous()
    x = _grid(np.random.default_rng(0))
    with np.errstate(invalid="ignore"):
        got_pdf, want_pdf = cont.pdf(x), frozen.pdf(x)
    assert np.array_equal(got_pdf, want_pdf, equal_nan=True)
    if isinstance(dist, Exponential):
        np.testing.assert_allclose(cont.cdf(x), frozen.cdf(x), rtol=4.5e-16, atol=0)
    else:
        assert np.array_equal(cont.cdf(x), frozen.cdf(x))
    for q in (0.0, 1e-9, 0.5, 1 - 1e-9, 1.0):
        assert cont.ppf(q) == frozen.ppf(q), q
    assert cont.std() == frozen.std()
    assert cont.support() == tuple(float(v) for v in frozen.support())
    assert cont.cdf(2.5) == pytest.approx(float(frozen.cdf(2.5)), rel=4.5e-16)


def test_poisson_functions_equal_scipy_stats() -> None:
    """The Poisson pmf, survival function and quantile on scipy.special equal scipy.stats'."""
    for mu in (1e-6, 0.03, 0.5, 7.3, 245.5, 1e4, 3e5):
        for q in (1 - 1e-15, 0.999, 0.5, 1e-9):
            assert poisson_ppf(q, mu) == stats.poisson.ppf(q, mu), (q, mu)
        k = np.arange(int(poisson_ppf(1 - 1e-15, mu)) + 2)
        assert np.array_equal(poisson_pmf(k, mu), stats.poisson.pmf(k, mu))
    means = np.array([0.0, 1e-9, 0.5, 3.0, 40.0, 300.0, 1e4])
    for k in (-1, 0, 1, 5, 30, 245, 9999):
        assert np.array_equal(poisson_sf(k, means), stats.poisson.sf(k, means)), k


def test_fft_convolution_equals_scipy_signal() -> None:
    """The lattice's long convolutions equal scipy.signal.fftconvolve's to the bit, and the FFT
    length is scipy's next fast real length."""
    assert [fast_length(n) for n in range(1, 30_001)] == [next_fast_len(n, True)
                                                          for n in range(1, 30_001)]
    rng = np.random.default_rng(1)
    for la, lb in ((1000, 300), (5000, 5000), (777, 1301), (20001, 17)):
        a, b = rng.random(la), rng.random(lb) * rng.integers(0, 2, lb)
        for n in (la, la + lb):
            want = fftconvolve(a, b)[:n]
            assert np.array_equal(_conv(a, b, n), np.where(np.abs(want) < 1e-15, 0.0, want))


# ---------------------------------------------------------------- printed text, pinned


def _printed() -> dict[str, str]:
    """SHA-256 of what `run --method exact` (sv, en) and `validate` print for each ready
    scenario, the file path and the version written as placeholders."""
    out = {}
    for path in READY:
        key = f"{path.parent.name}/{path.stem}"
        for name, args in (("exact sv", ["run", str(path), "--method", "exact"]),
                           ("exact en", ["run", str(path), "--method", "exact", "--lang", "en"]),
                           ("validate", ["validate", str(path)])):
            res = runner.invoke(app, args)
            text = (f"exit {res.exit_code}\n" + res.output).replace(str(path), "FILE")
            text = text.replace(f"insats {__version__}", "insats VERSION")
            out[f"{name} {key}"] = hashlib.sha256(text.encode()).hexdigest()
    return out


def test_printed_exact_mode_and_validate_are_pinned() -> None:
    pins = json.loads(PINS.read_text(encoding="utf-8"))
    now = _printed()
    changed = sorted(k for k in pins.keys() | now.keys() if pins.get(k) != now.get(k))
    assert not changed, (f"printed text changed for {changed}; if intended, re-pin with "
                         "`python tests/test_startup.py --update` and say so in the commit")


# ---------------------------------------------------------------- what a command loads


def _loaded(args: list[str]) -> list[str]:
    code = ("import sys; sys.argv = ['insats', *sys.argv[1:]]\n"
            "from cli import app  # the app, not `main`: that ends the process when done\n"
            "try:\n    app()\n"
            "except SystemExit:\n    pass\n"
            f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out.rsplit("LOADED", 1)[1].strip().replace("'", '"'))


def test_validate_loads_no_scipy() -> None:
    """Checking the extreme quantiles of the training's uncertain inputs (beta, gamma, uniform,
    triangular) needs no scipy. (pandas still loads: `model.limits` imports
    `model.economics.effect`, whose package imports pandas.)"""
    assert not [m for m in _loaded(["validate", str(TRAINING)]) if m.startswith("scipy")]


@pytest.mark.parametrize("path", [TRAINING, LYRA], ids=lambda p: p.stem)
def test_exact_mode_loads_no_scipy(path: Path) -> None:
    """Fixed and exponential stays and a long lattice (the FFT) need no scipy."""
    assert not [m for m in _loaded(["run", str(path), "--method", "exact"])
                if m.startswith("scipy")]


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_startup.py --update")
    PINS.write_text(json.dumps(_printed(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {PINS}")


def test_exact_mode_prints_expected_values_without_shares_of_runs() -> None:
    """One expected run has no spread and no 'share of runs': exact mode prints one column of
    expected values and says what they are (it once printed an interval from the value to itself
    and '100 % of runs' with NPV > 0)."""
    from typer.testing import CliRunner

    from cli import app

    for lang, runs_word, head in (("sv", "körningar där", "Väntevärde"),
                                  ("en", "runs in which", "Expected value")):
        out = CliRunner().invoke(app, ["run", str(ROOT / "scenarios/grenverket/supported_employment.yaml"),
                                       "--method", "exact", "--lang", lang]).output
        assert head in out and runs_word not in out, out
        assert "95 %" not in out.split(head)[1]
