"""The uplink link budget (Almekhlafi et al. Eq. 6, Eqs. 9-10) against budgets worked by hand, the
Rician fading's moments, and the computing time and energy (Eqs. 11-12)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from satgym.core.edge_computing import computation_energy_j, computation_time_s
from satgym.core.radio import (LinkBudget, dbm_to_w, free_space_path_loss_db, noise_power_w, rician_power_gain,
                               shannon_rate_bps, transmission_energy_j, transmission_time_s, w_to_dbm)

C_M_S = 299_792_458.0


def paper_budget(carrier_ghz: float = 2.0, rx_gain_dbi: float = 20.0) -> LinkBudget:
    """Sec. VI: 17 dBm user, 5 dBi, 20 dBi satellite, 180 kHz blocks, -174 dBm/Hz."""
    return LinkBudget(carrier_ghz=carrier_ghz, rb_bandwidth_hz=180e3, tx_power_w=float(dbm_to_w(17.0)),
                      tx_gain_dbi=5.0, rx_gain_dbi=rx_gain_dbi, noise_density_dbm_hz=-174.0)


def test_unit_conversions():
    assert float(dbm_to_w(30.0)) == pytest.approx(1.0)
    assert float(dbm_to_w(17.0)) == pytest.approx(0.050119, rel=1e-5)
    assert float(w_to_dbm(0.001)) == pytest.approx(0.0)
    # -174 dBm/Hz over 180 kHz: k T B at 290 K (1.380649e-23 x 290 = 4.0038e-21 W/Hz ~ -173.98 dBm/Hz)
    assert noise_power_w(-174.0, 180e3) == pytest.approx(10 ** (-17.4) * 180e3, rel=1e-12)
    assert noise_power_w(-174.0, 180e3) == pytest.approx(1.380649e-23 * 290 * 180e3, rel=0.01)


@pytest.mark.parametrize("distance_km, carrier_ghz, expected_db", [
    # the textbook form 32.45 + 20 log10(d / km) + 20 log10(f / MHz), worked by hand
    (550.0, 2.0, 153.278),     # LEO at zenith, S band
    (1000.0, 2.0, 158.471),
    (2100.0, 2.0, 164.915),    # MEO at zenith
    (4000.0, 2.0, 170.512),
    (1000.0, 1.6, 156.532),    # L band
    (1000.0, 20.0, 178.471),   # Ka band: +20 dB per decade
])
def test_free_space_path_loss_by_hand(distance_km, carrier_ghz, expected_db):
    # 32.45 rounds 20 log10(4 pi 1e9 / c) = 32.4478: agree to 3 mdB
    assert float(free_space_path_loss_db(distance_km, carrier_ghz)) == pytest.approx(expected_db, abs=3e-3)
    exact = 20 * math.log10(4 * math.pi * distance_km * 1e3 * carrier_ghz * 1e9 / C_M_S)
    assert float(free_space_path_loss_db(distance_km, carrier_ghz)) == pytest.approx(exact, abs=1e-9)


def test_link_budget_worked_example_leo_and_meo():
    """Worked on paper: EIRP 17 + 5 = 22 dBm, + 20 dBi receive gain, noise -174 + 10 log10(180e3)
    = -121.447 dBm per block."""
    b = paper_budget()
    # LEO at 1000 km: received -116.470 dBm, SNR 4.977 dB = 3.146, r = 180e3 log2(4.146) = 369.4 kbit/s
    assert float(b.snr_db(1000.0)) == pytest.approx(22 + 20 - 158.470 + 121.447, abs=2e-3)
    assert float(b.rate_per_rb_bps(1000.0)) == pytest.approx(180e3 * math.log2(1 + 10 ** (4.977 / 10)), rel=1e-3)
    # MEO at 4000 km: SNR 4.977 - 20 log10(4) = -7.064 dB = 0.1966, r = 180e3 log2(1.1966) = 46.6 kbit/s
    assert float(b.snr_db(4000.0)) == pytest.approx(-7.064, abs=2e-3)
    assert float(b.rate_per_rb_bps(4000.0)) == pytest.approx(46.6e3, rel=2e-3)
    # uploading 2 Mbit: 5 blocks at 1000 km -> 2e6 / (5 x 369.4e3) = 1.083 s; energy p zeta / r = 0.271 J
    r = float(b.rate_per_rb_bps(1000.0))
    assert float(transmission_time_s(2e6, 5, r)) == pytest.approx(2e6 / (5 * r))
    assert float(transmission_energy_j(b.tx_power_w, 2e6, r)) == pytest.approx(0.050119 * 2e6 / r, rel=1e-5)


@given(d=st.floats(300.0, 10_000.0), n=st.integers(1, 50), fade=st.floats(0.01, 5.0))
def test_rate_scales_with_blocks_and_energy_does_not(d, n, fade):
    """Eq. 6: R = n r; Eq. 10 with power per block: n blocks for zeta / (n r) s radiate n p, so the
    energy p zeta / r does not depend on n."""
    b = paper_budget()
    r = float(b.rate_per_rb_bps(d, fade))
    t = float(transmission_time_s(1e6, n, r))
    assert t == pytest.approx(1e6 / (n * r))
    assert n * b.tx_power_w * t == pytest.approx(float(transmission_energy_j(b.tx_power_w, 1e6, r)))


def test_snr_follows_inverse_square_distance_and_gains():
    b = paper_budget()
    assert float(b.snr(2000.0) / b.snr(1000.0)) == pytest.approx(0.25)
    assert float(paper_budget(rx_gain_dbi=23.0).snr(1000.0) / b.snr(1000.0)) == pytest.approx(10 ** 0.3)
    assert float(b.snr(1000.0, 2.0) / b.snr(1000.0)) == pytest.approx(2.0)
    # the carrier: 2 -> 3.5 GHz costs 20 log10(1.75) = 4.86 dB
    assert float(b.snr_db(1000.0) - paper_budget(3.5).snr_db(1000.0)) == pytest.approx(4.861, abs=1e-3)
    assert float(shannon_rate_bps(1.0, 1.0)) == 1.0


@pytest.mark.parametrize("k", [0.0, 1.0, 10.0])
def test_rician_gain_moments(k):
    g = rician_power_gain(np.random.default_rng(0), k, 400_000)
    assert g.min() >= 0
    assert g.mean() == pytest.approx(1.0, abs=0.01)
    assert g.var() == pytest.approx((1 + 2 * k) / (1 + k) ** 2, rel=0.03)


def test_rayleigh_limit_is_exponential_and_bad_k_rejected():
    g = rician_power_gain(np.random.default_rng(1), 0.0, 200_000)
    assert np.mean(g > 1.0) == pytest.approx(math.exp(-1.0), abs=0.005)
    with pytest.raises(ValueError, match="k_factor"):
        rician_power_gain(np.random.default_rng(0), -1.0, 3)


@pytest.mark.parametrize("field, value", [("tx_power_w", -0.05), ("tx_power_w", 0.0), ("rb_bandwidth_hz", 0.0),
                                          ("carrier_ghz", -2.0), ("rician_k", -1.0)])
def test_bad_budget_names_the_field(field, value):
    kwargs = dict(carrier_ghz=2.0, rb_bandwidth_hz=180e3, tx_power_w=0.05, tx_gain_dbi=5.0, rx_gain_dbi=20.0,
                  noise_density_dbm_hz=-174.0)
    kwargs[field] = value
    with pytest.raises(ValueError, match=field):
        LinkBudget(**kwargs)


def test_computation_time_and_energy_by_hand():
    """Eqs. 11-12: 2 Mbit x 1000 cycles/bit on 40 % of 10 GHz: 0.5 s and 1e-28 x 2e9 x (4e9)^2 = 3.2 J."""
    assert float(computation_time_s(2e9, 0.4, 10e9)) == pytest.approx(0.5)
    assert float(computation_energy_j(1e-28, 2e9, 0.4, 10e9)) == pytest.approx(3.2)
    # halving the share doubles the time and quarters the energy
    assert float(computation_energy_j(1e-28, 2e9, 0.2, 10e9)) == pytest.approx(0.8)
