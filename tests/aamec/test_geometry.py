"""AA-MEC geometry: Iridium constellations, flights and the snapshot network from positions."""

from __future__ import annotations

import numpy as np
import pytest

from satgym.aamec.presets import make_config
from satgym.aamec.constellation import build_constellation
from satgym.aamec.flights import EARTH_MEAN_RADIUS_KM, draw_flights, great_circle_km
from satgym.aamec.scenario import Scenario
from satgym.core.orbits import elevation_deg, GroundStations, load_cities
from satgym.core.orbits.frames import ecef_to_geodetic


@pytest.fixture(scope="module")
def scenario():
    sc = Scenario(make_config("aamec"))
    sc.reset(np.random.default_rng(3))
    return sc


@pytest.mark.parametrize("preset", ["aamec", "aamec-walker"])
def test_iridium_66_in_6_planes_of_11_with_a_seam(preset):
    c, isl = build_constellation(make_config(preset).constellation)
    assert c.n_sats == 66 and sorted(np.bincount(c.plane).tolist()) == [11] * 6
    assert np.all(np.abs(c.altitude_km - 780.0) < 5.0) and np.all(np.abs(c.inclination_deg - 86.4) < 0.2)
    assert (isl.plane_west_east == -1).sum() == 2  # exactly one seam: one plane pair without links


def test_isls_two_intra_and_at_most_two_inter_none_across_the_seam(scenario):
    c, isl = scenario.constellation, scenario.isl
    for k in (0, 24, 48):
        net = scenario.topology(k).net
        a = net.arcs("sat_sat")
        u, v = net.src[a], net.dst[a]
        same = c.plane[u] == c.plane[v]
        assert np.all(np.bincount(u[same], minlength=66) == 2)
        assert np.all(np.bincount(u[~same], minlength=66) <= 2)
        seam = {tuple(sorted((int(p), int(q)))) for p, q in enumerate(isl.plane_west_east[:, 1]) if q < 0}
        pairs = {tuple(sorted((int(p), int(q)))) for p, q in zip(c.plane[u[~same]], c.plane[v[~same]])}
        adjacent = {tuple(sorted((int(p), int(q)))) for p, q in enumerate(isl.plane_west_east[:, 1]) if q >= 0}
        assert pairs <= adjacent and not (pairs & seam)
        assert np.all(net.distance_km[a] <= 5000.0)


def test_flights_fly_great_circles_at_cruise_speed_and_shuttle():
    cfg = make_config("aamec", {"aircraft": {"count": 40}}).aircraft
    f = draw_flights(cfg, np.random.default_rng(0))
    assert np.all(f.route_km >= cfg.min_route_km)
    cities = load_cities(100)
    for o, d, r in zip(f.origin, f.destination, f.route_km):
        i, j = cities.names.index(o), cities.names.index(d)
        assert r == pytest.approx(float(great_circle_km(cities.lat_deg[i], cities.lon_deg[i], cities.lat_deg[j],
                                                        cities.lon_deg[j])), rel=1e-9)
    lat, lon = f.lat_lon_deg(np.array([0.0, 60.0]))
    assert np.allclose(great_circle_km(lat[:, 0], lon[:, 0], lat[:, 1], lon[:, 1]), 15.0, atol=1e-6)  # 900 km/h
    # a whole out-and-back cycle returns to the start; half of it ends at the far city
    period = 2.0 * f.route_km[0] / f.speed_km_s
    lat, lon = f.lat_lon_deg(np.array([0.0, period]))
    assert great_circle_km(lat[0, 0], lon[0, 0], lat[0, 1], lon[0, 1]) == pytest.approx(0.0, abs=1e-6)
    pos, up = f.ecef_km(np.array([0.0]))
    _, _, alt = ecef_to_geodetic(pos[:, 0])
    assert np.allclose(alt, cfg.cruise_altitude_km, atol=1e-6) and np.allclose(np.linalg.norm(up, axis=-1), 1.0)
    assert EARTH_MEAN_RADIUS_KM == pytest.approx(6371.0, abs=0.01)


def test_passengers_and_mec_share_and_nested_mec_sets():
    base = make_config("aamec", {"aircraft": {"count": 500}}).aircraft
    draws = {}
    for ratio in (0.0, 0.2, 0.4):
        from dataclasses import replace

        draws[ratio] = draw_flights(replace(base, mec_ratio=ratio), np.random.default_rng(9))
        assert draws[ratio].has_mec.sum() == round(ratio * 500)
    p = draws[0.2].passengers
    assert p.min() >= 132 and p.max() <= 853 and 150 < np.median(p) < 400
    assert np.array_equal(draws[0.2].route_km, draws[0.4].route_km)              # same flights
    assert np.all(draws[0.4].has_mec[draws[0.2].has_mec])                         # 0.2's MEC aircraft among 0.4's


def test_links_follow_the_geometry(scenario):
    cfg = scenario.cfg
    for k in (0, 30):
        topo = scenario.topology(k)
        net = topo.net
        S, G = topo.n_sats, topo.n_gateways
        # satellite-gateway: exactly the pairs above 8.2 deg at the gateway
        el = elevation_deg(scenario.sat_km[:, k], scenario.gateways)
        sg = net.arcs("sat_gateway")
        sg = sg[net.src[sg] < S]
        assert set(zip(net.src[sg].tolist(), (net.dst[sg] - S).tolist())) == set(zip(*np.nonzero(el >= 8.2)))
        assert np.array_equal(np.isfinite(topo.feeder_elevation_deg), el >= 8.2)
        # satellite-aircraft: one terminal per aircraft, pointed at its highest satellite
        ac_ground = GroundStations.from_list([
            ("a", *ecef_to_geodetic(p)[:2], cfg.aircraft.cruise_altitude_km) for p in scenario.ac_km[:, k]])
        el_a = elevation_deg(scenario.sat_km[:, k], ac_ground)  # (S, A)
        sa = net.arcs("sat_aircraft")
        sa = sa[net.src[sa] < S]
        ac = net.dst[sa] - S - G
        assert np.all(np.bincount(ac, minlength=topo.n_aircraft) == (el_a.max(axis=0) >= 8.2))
        assert np.array_equal(net.src[sa], np.argmax(el_a, axis=0)[ac])
        # aircraft-aircraft and DA2G ranges; capacities per link type (Table 5)
        assert np.all(net.distance_km[net.arcs("aircraft_aircraft")] <= 370.0)
        assert np.all(net.distance_km[net.arcs("aircraft_gateway")] <= 300.0)
        caps = {t: set(net.capacity_mbps[net.arcs(t)].tolist()) for t in net.link_types if net.arcs(t).size}
        expected = {"sat_sat": 125.0, "sat_aircraft": 112.0, "sat_gateway": 500.0, "aircraft_aircraft": 45.0,
                    "aircraft_gateway": 75.0}
        assert all(v == {expected[t]} for t, v in caps.items())
    # the network changes between snapshots (satellites and aircraft move)
    a0, a1 = scenario.topology(0).net, scenario.topology(1).net
    assert not np.array_equal(a0.distance_km[a0.arcs("sat_gateway")], a1.distance_km[a1.arcs("sat_gateway")])


def test_sgp4_positions_are_reused_for_a_fixed_start():
    sc = Scenario(make_config("aamec", {"episode": {"steps": 2}}))
    sc.reset(np.random.default_rng(0))
    first = sc.sat_km
    sc.reset(np.random.default_rng(1))
    assert sc.sat_km is first
    sc2 = Scenario(make_config("aamec", {"episode": {"steps": 2, "start": "random"}}))
    sc2.reset(np.random.default_rng(0))
    assert sc2.start_utc != sc.start_utc
