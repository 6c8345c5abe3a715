"""Radio link budget of a user-satellite uplink: free-space path loss, antenna gains, Rician
fading, noise, and the Shannon rate and energy of orthogonal resource blocks.

Units are in the names: powers in W (``_w``) or dBm (``_dbm``), gains in dBi / dB, frequencies in
GHz / Hz, distances in km, rates in bit/s, energies in J.

The uplink of a user to a satellite on one resource block (RB) of bandwidth W:

* received SNR ``p G_u G_s |g|^2 / (L(d) N0 W)`` with the free-space path loss
  ``L(d) = (4 pi d f_c / c)^2`` and the small-scale power gain ``|g|^2`` of a Rician channel
  (``E|g|^2 = 1``);
* rate per RB ``r = W log2(1 + SNR)`` (the ``r_{u,s}`` of Almekhlafi et al., Eq. 6);
* with ``n`` RBs the user's rate is ``R = n r`` (Eq. 6 with ``b_{u,k,s} B_s = n``), so uploading
  ``zeta`` bits takes ``zeta / (n r)`` (Eq. 9).

Transmit power is per resource block (Eq. 6 gives every RB the SNR of the full ``p_u``): a user on
``n`` RBs radiates ``n p`` for ``zeta / (n r)`` seconds, so its transmission energy is
``p zeta / r`` whatever ``n`` (Eq. 10, which this reading makes dimensionally and physically
consistent: W x bit / (bit/s) = J).

Example: a 17 dBm terminal (5 dBi) 1000 km from a satellite (20 dBi) at 2 GHz, one 180 kHz RB,
no fading:

>>> link = LinkBudget(carrier_ghz=2.0, rb_bandwidth_hz=180e3, tx_power_w=dbm_to_w(17.0),
...                   tx_gain_dbi=5.0, rx_gain_dbi=20.0, noise_density_dbm_hz=-174.0)
>>> round(float(free_space_path_loss_db(1000.0, 2.0)), 2)
158.47
>>> round(float(link.snr_db(1000.0)), 2)
4.98
>>> round(float(link.rate_per_rb_bps(1000.0)) / 1e3, 1)           # kbit/s per RB
369.4
>>> round(float(transmission_time_s(2e6, 5, link.rate_per_rb_bps(1000.0))), 3)   # 2 Mbit on 5 RBs
1.083
>>> round(float(transmission_energy_j(link.tx_power_w, 2e6, link.rate_per_rb_bps(1000.0))), 3)
0.271
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from satgym.core.constants import SPEED_OF_LIGHT_KM_S

__all__ = [
    "LinkBudget",
    "db_to_linear",
    "dbm_to_w",
    "free_space_path_loss_db",
    "linear_to_db",
    "noise_power_w",
    "rician_power_gain",
    "shannon_rate_bps",
    "transmission_energy_j",
    "transmission_time_s",
    "w_to_dbm",
]


def db_to_linear(db: np.ndarray | float) -> np.ndarray:
    """10^(dB/10).

    >>> float(db_to_linear(20.0))
    100.0
    """
    return 10.0 ** (np.asarray(db, dtype=float) / 10.0)


def linear_to_db(x: np.ndarray | float) -> np.ndarray:
    """10 log10(x)."""
    return 10.0 * np.log10(np.asarray(x, dtype=float))


def dbm_to_w(dbm: np.ndarray | float) -> np.ndarray:
    """Power in W of a level in dBm.

    >>> round(float(dbm_to_w(17.0)) * 1e3, 2)    # mW
    50.12
    """
    return db_to_linear(dbm) * 1e-3


def w_to_dbm(w: np.ndarray | float) -> np.ndarray:
    """Level in dBm of a power in W."""
    return linear_to_db(np.asarray(w, dtype=float) * 1e3)


def free_space_path_loss_db(distance_km: np.ndarray | float, carrier_ghz: float) -> np.ndarray:
    """Free-space path loss 20 log10(4 pi d f_c / c), dB (Friis)."""
    d_km = np.asarray(distance_km, dtype=float)
    return 20.0 * np.log10(4.0 * np.pi * d_km * carrier_ghz * 1e9 / SPEED_OF_LIGHT_KM_S)


def noise_power_w(noise_density_dbm_hz: float, bandwidth_hz: float) -> float:
    """Thermal noise power N0 W in W (N0 in dBm/Hz, e.g. -174 at 290 K).

    >>> round(float(w_to_dbm(noise_power_w(-174.0, 180e3))), 2)
    -121.45
    """
    return float(dbm_to_w(noise_density_dbm_hz)) * bandwidth_hz


def rician_power_gain(rng: np.random.Generator, k_factor: float, size: int | tuple[int, ...]) -> np.ndarray:
    """Samples of ``|g|^2`` for a Rician channel of factor K (linear), normalised to ``E|g|^2 = 1``:
    ``g = sqrt(K / (K + 1)) + sqrt(1 / (K + 1)) CN(0, 1)``. K = 0 is Rayleigh fading.

    >>> g = rician_power_gain(np.random.default_rng(0), 10.0, 200_000)
    >>> round(float(g.mean()), 2), round(float(g.var()), 3)     # mean 1, variance (1 + 2K) / (1 + K)^2
    (1.0, 0.174)
    """
    if k_factor < 0:
        raise ValueError(f"k_factor: must be >= 0, got {k_factor!r}")
    scatter = np.sqrt(0.5 / (k_factor + 1.0))
    re = np.sqrt(k_factor / (k_factor + 1.0)) + scatter * rng.standard_normal(size)
    im = scatter * rng.standard_normal(size)
    return re * re + im * im


def shannon_rate_bps(bandwidth_hz: float, snr: np.ndarray | float) -> np.ndarray:
    """W log2(1 + SNR), bit/s (Eq. 6's r with SNR = p h / sigma^2)."""
    return bandwidth_hz * np.log2(1.0 + np.asarray(snr, dtype=float))


def transmission_time_s(data_bits: np.ndarray | float, n_blocks: np.ndarray | int,
                        rate_per_block_bps: np.ndarray | float) -> np.ndarray:
    """Upload time zeta / (n r) of ``data_bits`` on ``n_blocks`` RBs (Eqs. 6, 9)."""
    return np.asarray(data_bits, dtype=float) / (np.asarray(n_blocks, dtype=float) * np.asarray(rate_per_block_bps))


def transmission_energy_j(tx_power_w: np.ndarray | float, data_bits: np.ndarray | float,
                          rate_per_block_bps: np.ndarray | float) -> np.ndarray:
    """Transmission energy p zeta / r, J (Eq. 10 with ``p`` the power per resource block: ``n``
    blocks radiate ``n p`` for ``zeta / (n r)`` seconds)."""
    return np.asarray(tx_power_w, dtype=float) * np.asarray(data_bits, dtype=float) / np.asarray(rate_per_block_bps)


@dataclass(frozen=True)
class LinkBudget:
    """One uplink budget: terminal power and gains, carrier, RB bandwidth and noise density.

    ``rician_k`` is the linear Rician factor used by :meth:`fading` (the budget itself is
    evaluated for a given small-scale gain, 1 = the mean)."""

    carrier_ghz: float
    rb_bandwidth_hz: float
    tx_power_w: float
    tx_gain_dbi: float
    rx_gain_dbi: float
    noise_density_dbm_hz: float
    rician_k: float = 10.0

    def __post_init__(self) -> None:
        for name in ("carrier_ghz", "rb_bandwidth_hz", "tx_power_w"):
            value = getattr(self, name)
            if not np.isfinite(value) or value <= 0:
                raise ValueError(f"{name}: must be > 0, got {value!r}")
        if not self.rician_k >= 0:
            raise ValueError(f"rician_k: must be >= 0, got {self.rician_k!r}")

    @property
    def noise_w(self) -> float:
        """Noise power in one RB, W."""
        return noise_power_w(self.noise_density_dbm_hz, self.rb_bandwidth_hz)

    def snr(self, distance_km: np.ndarray | float, fading_gain: np.ndarray | float = 1.0) -> np.ndarray:
        """Linear SNR on one RB at ``distance_km`` with small-scale power gain ``fading_gain``."""
        gain_db = self.tx_gain_dbi + self.rx_gain_dbi - free_space_path_loss_db(distance_km, self.carrier_ghz)
        return self.tx_power_w * db_to_linear(gain_db) * np.asarray(fading_gain, dtype=float) / self.noise_w

    def snr_db(self, distance_km: np.ndarray | float, fading_gain: np.ndarray | float = 1.0) -> np.ndarray:
        return linear_to_db(self.snr(distance_km, fading_gain))

    def rate_per_rb_bps(self, distance_km: np.ndarray | float, fading_gain: np.ndarray | float = 1.0) -> np.ndarray:
        """r = W log2(1 + SNR), bit/s per resource block (Eq. 6)."""
        return shannon_rate_bps(self.rb_bandwidth_hz, self.snr(distance_km, fading_gain))

    def fading(self, rng: np.random.Generator, size: int | tuple[int, ...]) -> np.ndarray:
        """Rician power gains ``|g|^2`` with this budget's K factor."""
        return rician_power_gain(rng, self.rician_k, size)
