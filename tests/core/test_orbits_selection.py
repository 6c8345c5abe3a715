"""select_operational: the 66 Iridium NEXT satellites in service out of the 80-object group."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from satgym.core.orbits import (Constellation, arg_latitude_deg, data_path, from_elements, load_tle,
                                select_operational, walker_star)

T0 = datetime(2024, 1, 13, 12, tzinfo=timezone.utc)


def test_iridium_next_group_gives_six_full_planes_at_the_operational_altitude():
    c = load_tle(data_path("tle/iridium-next.tle"))
    keep, dropped = select_operational(c, sats_per_plane=11)
    assert keep.size == 66 and len(dropped) == c.n_sats - 66
    sub = c.subset(keep)
    assert sorted(np.bincount(sub.plane).tolist()) == [11] * 6
    assert np.all(np.abs(sub.altitude_km - 777.7) < 2.0)
    assert all(c.altitude_km[c.names.index(n)] < 770.0 for n, why in dropped.items() if why == "altitude")
    # the kept planes are evenly phased: 32.7 deg apart (360/11) within a degree
    u = arg_latitude_deg(sub)
    for p in np.unique(sub.plane):
        gaps = np.diff(np.r_[np.sort(u[sub.plane == p]), np.sort(u[sub.plane == p])[0] + 360.0])
        assert np.all(np.abs(gaps - 360.0 / 11) < 1.0)


def test_synthetic_spare_and_parked_satellite_are_found():
    star = walker_star(781.0, 86.4, 3, 5, 1, T0)
    u0 = np.rad2deg([s.mo for s in star.satrecs])
    raan = np.rad2deg([s.nodeo for s in star.satrecs])
    # a spare 3 deg behind slot 2 of plane 1, and a parked satellite 130 km lower in plane 0
    alt = np.r_[np.full(star.n_sats, 781.0), 781.0, 651.0]
    ma = np.r_[u0, u0[7] - 3.0, u0[1] + 10.0]
    rn = np.r_[raan, raan[7], raan[1]]
    plane = np.r_[star.plane, 1, 0]
    c = from_elements(alt, 86.4, rn, ma, T0, plane=plane)
    keep, dropped = select_operational(c, sats_per_plane=5)
    assert dropped == {c.names[-1]: "altitude", c.names[-2]: "off-slot"}
    assert keep.tolist() == list(range(star.n_sats))


def test_arg_latitude_of_circular_orbits_is_the_mean_anomaly():
    star = walker_star(781.0, 86.4, 6, 11, 3, T0)
    u = arg_latitude_deg(star, T0)
    want = np.mod(np.rad2deg([s.mo for s in star.satrecs]), 360.0)
    diff = np.mod(u - want + 180.0, 360.0) - 180.0
    assert np.all(np.abs(diff) < 0.2)  # osculating vs mean (J2 short-period terms)


def test_bad_arguments():
    c = walker_star(781.0, 86.4, 2, 3, 0, T0)
    with pytest.raises(ValueError, match="sats_per_plane"):
        select_operational(c, sats_per_plane=0)
    with pytest.raises(ValueError, match="altitude_tolerance_km"):
        select_operational(c, sats_per_plane=3, altitude_tolerance_km=0.0)
    assert isinstance(c, Constellation)
