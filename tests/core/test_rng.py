"""The kernels' generator (satgym.core.rng): reproducible, per-stream, and each sampler drawing
from the distribution it names (goodness of fit against scipy)."""

import numpy as np
import pytest
from numba import njit
from scipy import stats

from satgym.core import rng as R


@njit(cache=True)
def _draw(kind, state, n, a, b):
    out = np.empty(n)
    for i in range(n):
        if kind == 0:
            out[i] = R.uniform(state)
        elif kind == 1:
            out[i] = R.normal(state)
        elif kind == 2:
            out[i] = R.gamma(state, a, b)
        elif kind == 3:
            out[i] = R.poisson(state, a)
        else:
            out[i] = R.negative_binomial(state, a, b)
    return out


def draw(kind: str, n: int, a: float = 0.0, b: float = 0.0, seed: int = 1) -> np.ndarray:
    return _draw(("uniform", "normal", "gamma", "poisson", "nbinom").index(kind), R.new_state(seed), n, a, b)


def test_same_seed_same_stream_and_state_advances():
    assert np.array_equal(draw("uniform", 100, seed=3), draw("uniform", 100, seed=3))
    assert not np.array_equal(draw("uniform", 100, seed=3), draw("uniform", 100, seed=4))
    state = R.new_state(3)
    first = _draw(0, state, 50, 0.0, 0.0)
    second = _draw(0, state, 50, 0.0, 0.0)  # the state moved on: a different stretch of the stream
    assert not np.array_equal(first, second)
    assert np.array_equal(np.concatenate([first, second]), draw("uniform", 100, seed=3))


def test_splitmix64_reference_values():
    # SplitMix64 from seed 0: the published first outputs (Vigna's splitmix64.c)
    state = R.new_state(0)
    got = [int(R.next_u64(state)) for _ in range(3)]
    assert got == [0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, 0x06C45D188009454F]


def test_seed_from_a_generator_and_bad_seed():
    a = R.new_state(np.random.default_rng(7))
    b = R.new_state(np.random.default_rng(7))
    assert a.dtype == np.uint64 and a.shape == (1,) and a[0] == b[0]
    with pytest.raises(ValueError, match="seed"):
        R.new_state(-1)


def test_uniform_is_uniform_on_unit_interval():
    u = draw("uniform", 200_000)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-4


def test_normal_fits():
    assert stats.kstest(draw("normal", 100_000), "norm").pvalue > 1e-4


@pytest.mark.parametrize("shape", [0.4, 1.0, 3.5, 667.0])
def test_gamma_fits(shape):
    x = draw("gamma", 60_000, shape, 2.0, seed=int(shape * 10))
    assert stats.kstest(x, "gamma", args=(shape, 0, 2.0)).pvalue > 1e-4


def _chi2_pvalue(x: np.ndarray, dist) -> float:
    """Chi-square fit of integer draws, cells pooled so each expects >= 20."""
    n = len(x)
    lo, hi = int(dist.ppf(1e-6)), int(dist.ppf(1 - 1e-6)) + 1
    ks = np.arange(lo, hi + 1)
    expected = dist.pmf(ks) * n
    expected[0] += dist.cdf(lo - 1) * n
    expected[-1] += dist.sf(hi) * n
    observed = np.array([(x == k).sum() for k in ks], float)
    observed[0] += (x < lo).sum()
    observed[-1] += (x > hi).sum()
    cells_o, cells_e, acc_o, acc_e = [], [], 0.0, 0.0
    for o, e in zip(observed, expected):
        acc_o, acc_e = acc_o + o, acc_e + e
        if acc_e >= 20:
            cells_o.append(acc_o)
            cells_e.append(acc_e)
            acc_o = acc_e = 0.0
    cells_o[-1] += acc_o
    cells_e[-1] += acc_e
    cells_e = np.array(cells_e) * n / np.sum(cells_e)
    return stats.chisquare(cells_o, cells_e).pvalue


@pytest.mark.parametrize("lam", [0.3, 4.0, 9.99, 10.0, 13.6, 250.0])
def test_poisson_fits_both_branches(lam):
    x = draw("poisson", 80_000, lam, seed=int(lam * 100))
    assert np.all(x == np.round(x)) and x.min() >= 0
    assert _chi2_pvalue(x, stats.poisson(lam)) > 1e-4


@pytest.mark.parametrize("n,q", [(1.0, 0.98), (167.0, 0.98), (667.0, 0.9702), (40.0, 0.5), (3.0, 0.2)])
def test_negative_binomial_fits_numpy_convention(n, q):
    x = draw("nbinom", 60_000, n, q, seed=int(n))
    assert _chi2_pvalue(x, stats.nbinom(n, q)) > 1e-4
    assert x.mean() == pytest.approx(n * (1 - q) / q, rel=0.03, abs=0.01)


def test_negative_binomial_lossless_is_zero():
    assert np.all(draw("nbinom", 100, 50.0, 1.0) == 0)


def test_a_broken_sampler_fails_the_fit():
    # the fit test can fail: Poisson draws are not NB(40, 0.5) draws of the same mean
    x = draw("poisson", 60_000, 40.0)
    assert _chi2_pvalue(x, stats.nbinom(40, 0.5)) < 1e-6
