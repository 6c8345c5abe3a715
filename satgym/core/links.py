"""Link models: satellite-ground (Eq. 1, Remark 1 Eqs. 24-26) and inter-satellite (Eq. 28).

Eq. 1 prints ``d = t * p / l``. For a loss rate ``p < 1`` that would make a lossless link
instantaneous, so satgym reads ``p`` as a packet loss rate with retransmission until success:
a message of ``n`` packets needs ``n + NegBinomial(n, 1 - p)`` transmissions, whose mean gives
``d = t / (l * (1 - p))``. Likewise Eq. 28's ``(p_ij + p)`` factor is read as the two-hop success
probability ``(1 - p_ij)(1 - p)`` over the bottleneck rate ``min(k_ij, l)`` (for small losses the
two agree to first order). ``tests/core/test_links.py`` checks both readings.
"""

from __future__ import annotations

import numpy as np

from satgym.core.jit import task_helper
from satgym.core.rng import negative_binomial

def expected_transfer_s(size_mbit: np.ndarray, rate_mbps: np.ndarray, loss: np.ndarray) -> np.ndarray:
    """Mean transfer time with retransmissions: t / (l (1 - p))  (Eq. 1, physical reading)."""
    return np.asarray(size_mbit) / (np.asarray(rate_mbps) * (1.0 - np.asarray(loss)))


@task_helper
def transfer_time_s(size_mbit, rate_mbps, loss, packet_bits, rng):
    """One sampled transfer: ``n`` packets plus NegBinomial(n, 1 - p) retransmissions, so that the
    mean is :func:`expected_transfer_s` (drawn from the caller's generator ``rng``, a
    :mod:`satgym.core.rng` state)."""
    n = max(np.ceil(size_mbit * 1e6 / packet_bits), 1.0)
    retx = negative_binomial(rng, n, 1.0 - loss) if loss > 0.0 else 0
    # the last packet may be partial: scale so that a loss-free transfer takes exactly t / l
    return (n + retx) * (size_mbit * 1e6 / n) / (rate_mbps * 1e6)


@task_helper
def relay_loss(isl_loss, ground_loss):
    """End-to-end loss of satellite -> relay -> ground: 1 - (1 - p_ij)(1 - p) (Eq. 28 reading)."""
    return 1.0 - (1.0 - isl_loss) * (1.0 - ground_loss)


def shannon_rate_mbps(
    distance_km: np.ndarray, bandwidth_mhz: float, tx_power_w: float, gain_at_1m: float, noise_w: float
) -> np.ndarray:
    """Remark 1: H = beta / d^2 (Eq. 24), R = B log2(1 + H P / noise) (Eq. 25).

    Eq. 25 prints ``log`` without a base; Shannon capacity in bit/s needs ``log2``. The link's
    delay then follows Eq. 26 with the retransmission reading of Eq. 1.
    """
    d_m = np.asarray(distance_km, dtype=np.float64) * 1e3
    channel = gain_at_1m / np.maximum(d_m, 1.0) ** 2  # Eq. 24
    return bandwidth_mhz * np.log2(1.0 + channel * tx_power_w / noise_w)  # Eq. 25, in Mbps
