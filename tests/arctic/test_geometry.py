"""What the Arctic users see: Starlink look angles against skyfield, the MEO layer's orbits, the
visibility windows, the region cut, and the ISL routes against an uncut search."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from scipy.sparse.csgraph import dijkstra

from satgym.arctic.fleet import Fleet
from satgym.arctic.sky import Sky
from satgym.arctic.topology import ISL_CAPACITY_MBPS, Topology
from satgym.core.isl import cross_layer_pairs, usable_links
from satgym.core.network import LinkSet, build_network
from satgym.core.orbits import data_path
from satgym.core.orbits.geometry import pair_elevation_range
from satgym.scenarios import make_config
from tests.core.conftest import no_network  # noqa: F401  (fixture)


@pytest.fixture(scope="module")
def hybrid():
    cfg = make_config("arctic", {"visibility": {"min_elevation_deg": 10.0}})
    fleet = Fleet.build(cfg)
    sky = Sky(fleet, cfg)
    sky.reset(np.random.default_rng(4), fleet.epoch + timedelta(hours=3))
    return cfg, fleet, sky


def test_starlink_look_angles_agree_with_skyfield(hybrid, no_network):  # noqa: F811
    from skyfield.api import EarthSatellite, load, wgs84

    cfg, fleet, sky = hybrid
    geo = sky.at(0.0, np.arange(3))
    starlink = geo.region[fleet.layer[geo.region] == 0]
    idx = starlink[:: max(1, starlink.size // 12)][:12]
    names = fleet.names(idx)
    lines = [ln.rstrip() for ln in data_path("tle/starlink.tle").read_text().splitlines() if ln.strip()]
    tle = {lines[i].strip(): (lines[i + 1], lines[i + 2]) for i in range(0, len(lines), 3)}
    ts = load.timescale(builtin=True)
    t = sky.start_utc
    when = ts.utc(t.year, t.month, t.day, t.hour, t.minute, t.second)
    for u in range(3):
        user = wgs84.latlon(sky.user_lat_deg[u], sky.user_lon_deg[u], cfg.users.site_alt_km * 1000)
        for k, (i, name) in enumerate(zip(idx, names)):
            alt, _, dist = (EarthSatellite(*tle[name], name, ts) - user).at(when).altaz()
            col = int(np.flatnonzero(geo.region == i)[0])
            assert geo.elevation_deg[u, col] == pytest.approx(alt.degrees, abs=0.05)
            assert geo.range_km[u, col] == pytest.approx(dist.km, abs=0.5)


def test_meo_layer_orbits_as_configured():
    cfg = make_config("arctic-meo")
    fleet = Fleet.build(cfg)
    c = fleet.constellations[0]
    assert c.n_sats == 30 and c.n_planes == 3
    assert np.allclose(c.altitude_km, 2100.0, atol=1.0)
    assert sorted(set(np.round(c.inclination_deg, 3))) == [86.0, 88.0, 90.0]
    raan = np.array([np.median(c.raan_deg[c.plane == p]) for p in range(3)])
    assert np.allclose(raan, [0.0, 60.0, 120.0], atol=0.01)
    pos = fleet.positions_km(fleet.epoch, np.array([0.0]))[:, 0]
    assert np.allclose(np.linalg.norm(pos, axis=1), 8478.0, atol=12.0)
    # ten evenly spaced satellites per plane: neighbours 36 deg apart (2 r sin 18 deg)
    assert np.allclose(np.linalg.norm(pos[1:10] - pos[:9], axis=1), 2 * 8478 * np.sin(np.deg2rad(18)), rtol=0.01)


def test_windows_agree_with_the_samples_and_the_region_misses_no_satellite(hybrid):
    cfg, fleet, sky = hybrid
    users = np.array([0, 5, 9])
    geo = sky.at(30.0, users)
    thr = cfg.visibility.min_elevation_deg
    assert np.array_equal(geo.elevation_deg >= thr, geo.v_start_s == 0.0)
    # every satellite, every sample of the horizon: above the threshold only inside the window
    times = sky.sample_times_s
    track = fleet.positions_km(sky.start_utc + timedelta(seconds=30.0), times)  # (n_sats, n_samples, 3)
    el = pair_elevation_range(track[None], sky.user_ecef_km[users][:, None, None], sky.user_up[users][:, None, None])[0]
    above = np.nan_to_num(el, nan=-90.0) >= thr
    outside = np.setdiff1d(np.arange(fleet.n_sats), geo.region)
    assert not above[:, outside].any()  # the region cut is exact
    inside = above[:, geo.region]
    window = (geo.v_start_s[..., None] <= times + 1e-9) & (times <= geo.v_end_s[..., None] + 1e-9)
    assert np.array_equal(inside, window)


def test_fewer_satellites_visible_at_a_higher_threshold(hybrid):
    cfg, fleet, _ = hybrid
    counts = []
    for thr in (10.0, 30.0, 50.0):
        sky = Sky(fleet, make_config("arctic", {"visibility": {"min_elevation_deg": thr}}))
        sky.reset(np.random.default_rng(4), fleet.epoch + timedelta(hours=3))
        counts.append(sky.visible_counts(sky.at(0.0, np.arange(20))).sum(axis=0))
    leo, meo = np.array(counts).T
    assert leo[0] > leo[1] >= leo[2] and meo[0] >= meo[1] >= meo[2] and leo[0] > 20 * 20


def test_routes_equal_an_uncut_shortest_path_search(hybrid):
    cfg, fleet, sky = hybrid
    topo = Topology(fleet, cfg)
    pos = sky.positions_km(0.0)
    topo.reset(pos)
    geo = sky.at(0.0, np.arange(4))
    sources = geo.region[(geo.v_start_s < cfg.tasks.deadline_s).any(axis=0)]
    routes = topo.routes(pos, sources)
    # the same graph over every satellite, no cut
    isl, clear = cfg.isl, 6378.137 + cfg.isl.clearance_altitude_km
    ok, _ = usable_links(pos, topo.grid_a, topo.grid_b, isl.max_range_km, clear)
    i, j, _ = cross_layer_pairs(pos[topo.meo], pos[topo.leo], isl.cross_layer_links, isl.max_range_km, clear)
    finite = np.isfinite(pos).all(axis=1)
    net = build_network(("leo", "meo"), fleet.kind, np.where(finite[:, None], pos, 1e7), [
        LinkSet("isl", topo.grid_a[ok], topo.grid_b[ok], ISL_CAPACITY_MBPS),
        LinkSet("cross_layer", topo.meo[i], topo.leo[j], ISL_CAPACITY_MBPS)])
    full = dijkstra(net.matrix(net.distance_km), indices=sources, limit=isl.max_path_km)
    ours = routes.dist_km(np.arange(sources.size)[:, None], np.arange(fleet.n_sats)[None, :])
    assert np.array_equal(np.isfinite(full), np.isfinite(ours))
    assert np.allclose(full[np.isfinite(full)], ours[np.isfinite(ours)])
    assert np.isfinite(ours).sum() > 2 * sources.size  # routes reach beyond the sources themselves
    straight = np.linalg.norm(pos[sources][:, None] - pos[None], axis=-1)
    assert np.all(ours[np.isfinite(ours)] >= straight[np.isfinite(ours)] - 1e-6)
