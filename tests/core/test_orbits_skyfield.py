"""Cross-check propagation and look angles against skyfield (offline, builtin timescale)."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from skyfield.api import EarthSatellite, load, wgs84

from satgym.core.orbits import (
    MIYUN,
    GroundStations,
    data_path,
    elevation_deg,
    load_cities,
    load_starlink_gateways,
    load_tle,
    look_angles,
    propagate_ecef_km,
)

pytestmark = pytest.mark.usefixtures("no_network")


def _tle_triples(path, prefix, n):
    lines = [ln.rstrip() for ln in path.read_text().splitlines() if ln.strip()]
    triples = [(lines[i].strip(), lines[i + 1], lines[i + 2]) for i in range(0, len(lines), 3)]
    return [t for t in triples if t[0].startswith(prefix)][:n]


@pytest.fixture
def mixed_case(no_network):
    ts = load.timescale(builtin=True)
    cases = []
    for file, prefix in (("tle/iridium-next.tle", "IRIDIUM"), ("tle/starlink.tle", "STARLINK")):
        path = data_path(file)
        constellation = load_tle(path, name_prefix=prefix, max_sats=20)
        sats = [EarthSatellite(l1, l2, name, ts) for name, l1, l2 in _tle_triples(path, prefix, 20)]
        assert [s.name for s in sats] == list(constellation.names)
        cases.append((constellation, sats))
    stations = GroundStations.concat(MIYUN, load_cities(3), load_starlink_gateways().subset([0, 100]))
    return ts, cases, stations


def _times(orbits_t0):
    start = orbits_t0 - timedelta(hours=1)
    return start, np.arange(0.0, 4 * 3600.0, 150.0)


def test_ecef_positions_match_skyfield_itrs(mixed_case, orbits_t0):
    ts, cases, _ = mixed_case
    start, times_s = _times(orbits_t0)
    t = ts.utc(start.year, start.month, start.day, start.hour, start.minute, times_s)
    for constellation, sats in cases:
        ours = propagate_ecef_km(constellation, start, times_s)
        theirs = np.stack([s.at(t).frame_xyz(_itrs()).km.T for s in sats])
        err_km = np.linalg.norm(ours - theirs, axis=-1)
        assert err_km.max() < 0.05, f"max ECEF difference {err_km.max():.3f} km"


def _itrs():
    from skyfield.framelib import itrs

    return itrs


def test_elevation_and_azimuth_match_skyfield(mixed_case, orbits_t0):
    ts, cases, stations = mixed_case
    start, times_s = _times(orbits_t0)
    t = ts.utc(start.year, start.month, start.day, start.hour, start.minute, times_s)
    topos = [wgs84.latlon(la, lo, elevation_m=al * 1000.0)
             for la, lo, al in zip(stations.lat_deg, stations.lon_deg, stations.alt_km)]
    n_compared = 0
    for constellation, sats in cases:
        az, el, rng = look_angles(propagate_ecef_km(constellation, start, times_s), stations)
        assert np.array_equal(el, elevation_deg(propagate_ecef_km(constellation, start, times_s), stations))
        for i, sat in enumerate(sats):
            for j, site in enumerate(topos):
                alt, azimuth, distance = (sat - site).at(t).altaz()
                np.testing.assert_allclose(el[i, :, j], alt.degrees, atol=0.05)
                np.testing.assert_allclose(rng[i, :, j], distance.km, atol=0.2)
                high = alt.degrees > 5.0  # azimuth is ill-defined near the zenith only
                d_az = (az[i, high, j] - azimuth.degrees[high] + 180.0) % 360.0 - 180.0
                assert np.all(np.abs(d_az) < 0.1)
                n_compared += int(high.sum())
    assert n_compared > 100  # the comparison covered real passes, not only below-horizon geometry
