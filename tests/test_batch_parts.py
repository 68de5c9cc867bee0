"""The faster pieces of the batch path (issue 22, target 1) give the numbers of the plainer ones.

* `capped_arrivals` (every drawn cap of a stream at once) equals one `arrivals` call per cap,
  bit for bit (the same sums, one row per cap), whether the cap binds or not, with a pause.
* `bconv` (trailing zeros left out, shifted copies for a few nonzero terms) equals numpy's
  direct convolution to 1e-12 of the largest term (FFT rounding), and exactly where it adds
  shifted copies of a short operand (1e-15 relative: the order of a few additions).
* `_to_months_b` and `_sum_short` equal the padded sum and numpy's reduction bit for bit.
* `_counted` (first month from where cond should turn, checked) equals a brute-force count of
  every month and point (sums of the same terms: 1e-12 relative), edges included.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.expected import DT
from model.expected.arrivals import arrivals, capped_arrivals
from model.expected.batch_curves import _counted, _to_months_b
from model.expected.batch_lattice import _sum_short, bconv
from model.scenario import parse_scenario


def _stream(cap: int, pauses: list[dict] | None = None, end: float | None = 36.0) -> dict:
    return {"name": "s", "intake": {"stream": {"rate_per_month": 7.5, "start_month": 0.0,
                                               "end_month": end},
                                    "max_participants": cap, "pauses": pauses or []},
            "entry": {"i0": 1.0},
            "interventions": [{"name": "i0", "duration": {"dist": "fixed", "months": 6.0},
                               "routing": {"arbete": 1.0}}],
            "exit_states": {"arbete": {"category": "work"}}}


@pytest.mark.parametrize("pauses", [None, [{"start_month": 10.0, "end_month": 14.5}]])
def test_capped_arrivals_equal_one_call_per_cap(pauses) -> None:
    caps = [1, 2, 3, 50, 150, 209, 250, 262, 400, 1_000_000]
    sc = parse_scenario(_stream(209, pauses))
    together = capped_arrivals(sc, caps, DT)
    assert together is not None
    for cap, row in zip(caps, together, strict=True):
        one = arrivals(parse_scenario(_stream(cap, pauses)), DT)
        assert row.shape == one.shape
        assert np.array_equal(row, one), cap


def test_capped_arrivals_leave_other_intakes() -> None:
    """A stream without an end (its lattice depends on the cap) or group intakes: None."""
    assert capped_arrivals(parse_scenario(_stream(209, end=None)), [100, 200], DT) is None
    raw = _stream(209)
    raw["intake"] = {"groups": {"size": 18, "every_months": 4.0}, "max_participants": 162}
    assert capped_arrivals(parse_scenario(raw), [100, 200], DT) is None


def _direct(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    shape = np.broadcast_shapes(a.shape[:-1], b.shape[:-1])
    a2 = np.broadcast_to(a, (*shape, a.shape[-1])).reshape(-1, a.shape[-1])
    b2 = np.broadcast_to(b, (*shape, b.shape[-1])).reshape(-1, b.shape[-1])
    out = np.stack([np.convolve(x, y) for x, y in zip(a2, b2, strict=True)])
    return out.reshape(*shape, -1)


@pytest.mark.parametrize("case", ["dense", "trailing zeros", "few terms", "point mass", "zeros"])
def test_bconv_equals_direct_convolution(case) -> None:
    rng = np.random.default_rng(5)
    a = rng.random((1, 2, 300))
    b = rng.random((40, 1, 90))
    if case == "trailing zeros":
        a[..., 120:] = 0.0
        b[..., 50:] = 0.0
    if case == "few terms":
        a[:] = 0.0
        a[..., [0, 64, 128, 192, 200]] = rng.random((1, 2, 5))
    if case == "point mass":
        b[..., 1:] = 0.0
    if case == "zeros":
        b[:] = 0.0
    want = _direct(a, b)
    got = bconv(a, b)
    assert got.shape == want.shape
    assert np.max(np.abs(got - want)) <= 1e-12 * max(1.0, np.abs(want).max())
    if case in ("few terms", "point mass", "zeros"):   # shifted copies: no transform
        assert np.allclose(got, want, rtol=1e-15, atol=0.0)
    short = bconv(a, b, whole=False)      # stops at its last term that can be nonzero
    assert np.array_equal(short, got[..., :short.shape[-1]])
    assert not got[..., short.shape[-1]:].any()
    assert np.array_equal(bconv(a, b, 77), got[..., :77])


def _months_padded(series: np.ndarray, n_cal: int, per: int = 16) -> np.ndarray:
    m = np.zeros((*series.shape[:-1], n_cal * per))
    k = min(series.shape[-1], m.shape[-1])
    m[..., :k] = series[..., :k]
    if series.shape[-1] > m.shape[-1]:
        m[..., -1] += series[..., m.shape[-1]:].sum(axis=-1)
    return m.reshape(*series.shape[:-1], n_cal, per).sum(axis=-1)


def test_to_months_and_short_sums_keep_the_bits() -> None:
    assert round(1 / DT) == 16
    rng = np.random.default_rng(3)
    for length in (0, 1, 15, 16, 17, 100, 161, 900):
        for n_cal in (1, 3, 10, 60):
            x = rng.random((5, 1, 2, length)) * 10.0 ** rng.integers(-8, 8, (5, 1, 2, length))
            assert np.array_equal(_months_padded(x, n_cal), _to_months_b(x, n_cal))
    for k in range(1, 9):
        p = rng.standard_normal((200, k)) * 10.0 ** rng.integers(-20, 20, (200, k))
        p[rng.random(p.shape) < 0.2] = -0.0
        assert np.array_equal(p.sum(axis=-1), _sum_short(p))
        assert np.array_equal(np.signbit(p.sum(axis=-1)), np.signbit(_sum_short(p)))


@pytest.mark.parametrize("after", [0.0, 0.5, 3.0])
def test_counted_equals_brute_force(after) -> None:
    rng = np.random.default_rng(11)
    g = 60
    u = np.arange(g) + 0.5
    t = rng.uniform(-2.0, g + 3.0, (30, 80))
    t[:, :5] = np.arange(5) + 0.5 - after     # exactly on a midpoint
    t[:, 5:8] = [-0.0, 0.0, 1e-300]
    w = [rng.random(t.shape), rng.random(t.shape)]

    def cond(uk, tt):
        return (uk - tt) - after >= 0

    got = _counted(u, t, cond, w, g, after)
    holds = cond(u[None, :, None], t[:, None, :])          # (c, g, P)
    for gw, ww in zip(got, w, strict=True):
        want = (holds * ww[:, None, :]).sum(axis=2)
        assert np.allclose(gw, want, rtol=1e-12, atol=1e-12)
