import numpy as np
import pytest
from numba import njit

from satgym.core.links import expected_transfer_s, relay_loss, shannon_rate_mbps, transfer_time_s
from satgym.core.rng import new_state


@njit(cache=True)
def _sample(size_mbit, rate_mbps, loss, packet_bits, rng):
    out = np.empty(len(size_mbit))
    for q in range(len(size_mbit)):
        out[q] = transfer_time_s(size_mbit[q], rate_mbps, loss, packet_bits, rng)
    return out


def sample_transfer_s(size_mbit, rate_mbps, loss, packet_bits, seed):
    """Array of the compiled transfer_time_s draws from a generator seeded with ``seed``."""
    return _sample(size_mbit, rate_mbps, loss, packet_bits, new_state(seed))


def test_eq1_reading_lossless_link_takes_size_over_rate():
    # Eq. 1 as printed (t * p / l) would give 0 s on a lossless link; satgym's reading gives t / l
    assert expected_transfer_s(8.0, 10.0, 0.0) == pytest.approx(0.8)
    assert sample_transfer_s(np.array([8.0]), 10.0, 0.0, 12_000, 0)[0] == pytest.approx(0.8)


def test_retransmissions_mean_is_t_over_l_one_minus_p():
    size = np.full(20_000, 2.0)
    t = sample_transfer_s(size, 10.0, 0.2, 12_000, 1)
    assert t.mean() == pytest.approx(expected_transfer_s(2.0, 10.0, 0.2), rel=0.01)
    assert np.all(t >= 0.2 - 1e-12)  # never faster than the loss-free transfer
    assert t.std() > 0  # loss makes it random


def test_two_hop_loss():
    loss = relay_loss(0.01, 0.02)
    assert loss == pytest.approx(1 - 0.99 * 0.98)
    assert loss == pytest.approx(0.01 + 0.02, abs=1e-3)  # Eq. 28's (p_ij + p) to first order


def test_shannon_rate_falls_with_distance():
    d = np.array([500.0, 1000.0, 2000.0])
    r = shannon_rate_mbps(d, 2.0, 10.0, 1e-3, 1e-13)
    assert np.all(np.diff(r) < 0)
    # doubling the distance quarters the channel gain (Eq. 24)
    snr = lambda rate: 2 ** (rate / 2.0) - 1
    assert snr(r[0]) / snr(r[1]) == pytest.approx(4.0, rel=1e-6)


def test_same_seed_same_draws():
    size = np.full(50, 3.0)
    assert np.array_equal(sample_transfer_s(size, 10.0, 0.3, 12_000, 5), sample_transfer_s(size, 10.0, 0.3, 12_000, 5))
    assert not np.array_equal(sample_transfer_s(size, 10.0, 0.3, 12_000, 5), sample_transfer_s(size, 10.0, 0.3, 12_000, 6))
