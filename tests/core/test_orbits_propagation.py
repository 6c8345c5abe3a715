"""Propagation: frames, shapes, SGP4 error reporting and speed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from satgym.core.orbits import (
    SGP4ErrorWarning,
    ecef_to_geodetic,
    from_elements,
    geodetic_to_ecef_km,
    gmst_rad,
    julian_date,
    propagate_ecef_km,
    propagate_teme_km,
    walker_delta,
)

pytestmark = pytest.mark.usefixtures("no_network")

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_teme_and_ecef_differ_by_a_z_rotation_of_earth_rate():
    c = walker_delta(550.0, 53.0, 2, 3, 1, epoch=T0)
    times = np.array([0.0, 600.0, 3600.0])
    teme = propagate_teme_km(c, T0, times)
    ecef = propagate_ecef_km(c, T0, times)
    assert ecef.shape == teme.shape == (6, 3, 3) and ecef.dtype == np.float64
    np.testing.assert_allclose(ecef[..., 2], teme[..., 2])
    np.testing.assert_allclose(np.linalg.norm(ecef, axis=-1), np.linalg.norm(teme, axis=-1))
    ang = np.arctan2(teme[..., 1], teme[..., 0]) - np.arctan2(ecef[..., 1], ecef[..., 0])
    rot = np.mod(ang[0], 2 * np.pi)
    np.testing.assert_allclose(np.mod(rot - rot[0], 2 * np.pi), times * 7.2921158553e-5, rtol=1e-5)


def test_gmst_reference_value():
    # Vallado example 3-5: 1992-08-20 12:14 UT1 -> GMST 152.578788 deg
    jd, fr = julian_date(datetime(1992, 8, 20, 12, 14, tzinfo=timezone.utc))
    assert np.rad2deg(gmst_rad(jd, fr)) == pytest.approx(152.578788, abs=1e-5)
    with pytest.raises(ValueError, match="timezone-aware"):
        julian_date(datetime(2024, 1, 1))


def test_start_time_offsets_are_consistent():
    c = walker_delta(550.0, 53.0, 1, 2, 0, epoch=T0)
    a = propagate_ecef_km(c, T0, [3600.0])
    b = propagate_ecef_km(c, T0 + timedelta(hours=1), [0.0])
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_geodetic_round_trip():
    lat = np.array([0.0, 40.45, -89.0, 60.0])
    lon = np.array([0.0, 116.86, 10.0, -170.0])
    alt = np.array([0.0, 0.1, 550.0, 1200.0])
    la, lo, al = ecef_to_geodetic(geodetic_to_ecef_km(lat, lon, alt))
    np.testing.assert_allclose(la, lat, atol=1e-9)
    np.testing.assert_allclose(lo, lon, atol=1e-9)
    np.testing.assert_allclose(al, alt, atol=1e-6)


def test_failed_satellites_are_nan_with_a_warning_or_raise():
    c = from_elements([550.0, 180.0], 53.0, [0.0, 10.0], 0.0, T0, bstar=[0.0, 2.0], min_plane_size=1)
    times = np.arange(0.0, 2 * 86400.0, 3600.0)
    with pytest.warns(SGP4ErrorWarning, match=r"SAT-0001.*codes"):
        r = propagate_ecef_km(c, T0, times)
    assert np.isnan(r[1]).all() and np.isfinite(r[0]).all()
    with pytest.raises(ValueError, match="SGP4 failed for 1 satellite"):
        propagate_ecef_km(c, T0, times, errors="raise")
    with pytest.raises(ValueError, match="errors"):
        propagate_ecef_km(c, T0, times, errors="ignore")


@pytest.mark.slow
def test_starlink_propagation(starlink, orbits_t0):
    r = propagate_ecef_km(starlink, orbits_t0, np.arange(300.0))
    assert r.shape == (5285, 300, 3)
    assert np.isfinite(r).all()
