"""Walker constellations, explicit elements and Constellation validation."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from satgym.core.orbits import (
    Constellation,
    from_elements,
    nodal_regression_deg_per_day,
    propagate_teme_km,
    walker_delta,
    walker_star,
)

pytestmark = pytest.mark.usefixtures("no_network")

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def _arg_latitude_deg(r_teme: np.ndarray, v_raan_deg: np.ndarray, inc_deg: np.ndarray) -> np.ndarray:
    """Argument of latitude of TEME positions (n, 3) for known RAAN/inclination."""
    o, i = np.deg2rad(v_raan_deg), np.deg2rad(inc_deg)
    node = np.stack((np.cos(o), np.sin(o), np.zeros_like(o)), axis=-1)
    normal = np.stack((np.sin(i) * np.sin(o), -np.sin(i) * np.cos(o), np.cos(i)), axis=-1)
    x = (r_teme * node).sum(-1)
    y = (r_teme * np.cross(normal, node)).sum(-1)
    return np.mod(np.rad2deg(np.arctan2(y, x)), 360.0)


def test_walker_delta_planes_slots_and_altitude():
    c = walker_delta(500.0, 53.0, n_planes=6, sats_per_plane=11, phasing=2, epoch=T0)
    assert c.n_sats == 66 and c.n_planes == 6
    assert np.array_equal(c.plane, np.repeat(np.arange(6), 11))
    assert np.array_equal(c.slot_in_plane, np.tile(np.arange(11), 6))
    np.testing.assert_allclose(c.altitude_km, 500.0, atol=1e-6)
    np.testing.assert_allclose(c.inclination_deg, 53.0)
    np.testing.assert_allclose(np.sort(np.unique(c.raan_deg.round(6))), np.arange(6) * 60.0)
    np.testing.assert_allclose(c.period_s / 60.0, 94.6, atol=0.05)  # 2*pi*sqrt(a^3/mu), a = 6878 km
    assert c.epoch == T0


def test_walker_orbits_have_the_requested_radius_and_draconic_period():
    c = walker_delta(500.0, 53.0, n_planes=2, sats_per_plane=4, phasing=1, epoch=T0)
    times = np.arange(0.0, 2 * 5700.0, 5.0)
    r = propagate_teme_km(c, T0, times)
    radius = np.linalg.norm(r, axis=-1)
    np.testing.assert_allclose(radius, 6878.137, atol=12.0)  # circular up to SGP4 short-period terms
    # draconic period: time between ascending-node crossings of satellite 0
    z = r[0, :, 2]
    up = np.flatnonzero((z[:-1] < 0) & (z[1:] >= 0))
    t_cross = times[up] - z[up] * (times[up + 1] - times[up]) / (z[up + 1] - z[up])
    assert abs(np.diff(t_cross)[0] / 60.0 - 94.6) < 0.5


def test_walker_satellites_in_a_plane_are_evenly_phased():
    c = walker_delta(550.0, 53.0, n_planes=4, sats_per_plane=8, phasing=1, epoch=T0)
    r = propagate_teme_km(c, T0, [0.0])[:, 0]
    u = _arg_latitude_deg(r, c.raan_deg, c.inclination_deg)
    for p in range(4):
        in_plane = c.plane == p
        u_sorted = u[in_plane][np.argsort(c.slot_in_plane[in_plane])]
        gaps = np.mod(np.diff(np.r_[u_sorted, u_sorted[0]]), 360.0)
        np.testing.assert_allclose(gaps, 45.0, atol=0.2)
    # phasing F=1: plane p+1 is shifted by 360 * F / T = 11.25 deg
    shift = np.mod(u[c.plane == 1][0] - u[c.plane == 0][0], 360.0)
    assert abs(shift - 11.25) < 0.2


def test_walker_per_plane_altitudes_and_star_spread():
    alt = np.linspace(500.0, 700.0, 10)
    c = walker_delta(alt, 97.5, n_planes=10, sats_per_plane=1, phasing=0, epoch=T0)
    np.testing.assert_allclose(c.altitude_km, alt, atol=1e-6)
    assert np.all(c.slot_in_plane == 0)
    star = walker_star(780.0, 86.4, n_planes=6, sats_per_plane=11, phasing=0, epoch=T0)
    np.testing.assert_allclose(np.unique(star.raan_deg.round(6)), np.arange(6) * 30.0)


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(n_planes=0), "n_planes"),
        (dict(sats_per_plane=2.5), "sats_per_plane"),
        (dict(phasing=7), "phasing"),
        (dict(raan_spread_deg=400.0), "raan_spread_deg"),
        (dict(epoch=datetime(2024, 1, 1)), "epoch"),
        (dict(altitude_km=-5.0), "altitude_km"),
    ],
)
def test_walker_validation_names_the_field(kwargs, word):
    args = dict(altitude_km=550.0, inclination_deg=53.0, n_planes=4, sats_per_plane=4, phasing=1, epoch=T0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        walker_delta(**args)


def test_from_elements_infers_planes_and_rejects_unknown_options():
    c = from_elements([550.0] * 6, 53.0, [0, 0, 0, 120, 120, 120], [0, 120, 240, 0, 120, 240], T0)
    assert c.n_planes == 2 and sorted(np.bincount(c.plane).tolist()) == [3, 3]
    with pytest.raises(ValueError, match="raan_tolerance"):
        from_elements([550.0], 53.0, 0.0, 0.0, T0, raan_tol=1.0)
    with pytest.raises(ValueError, match="eccentricity"):
        from_elements([550.0], 53.0, 0.0, 0.0, T0, eccentricity=1.5)


def test_constellation_validation_and_subset():
    c = walker_delta(550.0, 53.0, n_planes=3, sats_per_plane=4, phasing=1, epoch=T0)
    with pytest.raises(ValueError, match="slot_in_plane"):
        replace(c, slot_in_plane=np.zeros(c.n_sats, dtype=int))
    with pytest.raises(ValueError, match="names"):
        replace(c, names=c.names[:-1])
    with pytest.raises(ValueError, match="inclination_deg"):
        replace(c, inclination_deg=np.full(c.n_sats, 200.0))
    with pytest.raises(ValueError):
        c.plane[0] = 5  # arrays are read-only
    sub = c.subset([0, 2, 3, 5, 11])
    assert sub.names == (c.names[0], c.names[2], c.names[3], c.names[5], c.names[11])
    assert sub.plane.tolist() == [0, 0, 0, 1, 2]
    assert sub.slot_in_plane.tolist() == [0, 1, 2, 0, 0]
    assert isinstance(sub, Constellation) and sub.n_sats == 5
    with pytest.raises(ValueError, match="repeat"):
        c.subset([1, 1])


@given(
    alt=st.floats(300.0, 1500.0),
    inc=st.floats(30.0, 100.0),
    planes=st.integers(1, 6),
    per_plane=st.integers(1, 6),
)
def test_walker_slots_form_a_permutation_per_plane(alt, inc, planes, per_plane):
    c = walker_delta(alt, inc, planes, per_plane, 0, epoch=T0)
    for p in range(planes):
        assert sorted(c.slot_in_plane[c.plane == p].tolist()) == list(range(per_plane))


def test_nodal_regression_matches_sgp4_secular_rate():
    c = walker_delta(np.array([550.0, 780.0]), 53.0, n_planes=2, sats_per_plane=1, phasing=0, epoch=T0)
    ours = nodal_regression_deg_per_day(c.altitude_km + 6378.137, c.inclination_deg)
    sgp4_rate = np.rad2deg([s.nodedot for s in c.satrecs]) * 1440.0
    np.testing.assert_allclose(ours, sgp4_rate, rtol=0.01)
    assert -4.7 < ours[0] < -4.3  # Starlink-like: about -4.5 deg/day
