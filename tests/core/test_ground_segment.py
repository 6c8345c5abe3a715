"""Ground segment: access points, clusters, fibre and relay delays, connection windows."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from satgym.scenarios import make_config
from satgym.core.constants import SPEED_OF_LIGHT_KM_S
from satgym.core.ground_segment import AccessSchedule, GroundSegment, connected_share, great_circle_km
from satgym.core.orbits import ContactSchedule, GroundStations, ecef_to_geodetic, propagate_ecef_km, walker_delta
from satgym.core.orbits.relays import GeoRelays, relay_clearance_km
from satgym.leoedge.world import build_constellation, build_segment, build_stations

T0 = datetime(2024, 1, 12, 12, tzinfo=timezone.utc)
STATIONS = GroundStations.from_list([("Miyun", 40.45, 116.86, 0.1), ("Kashi", 39.50, 75.93, 1.3),
                                     ("Kiruna", 67.88, 21.06, 0.4)])
RELAYS = GeoRelays(("TL-77E", "TL-176.8E", "TL-16.65E"), np.array([77.0, 176.8, 16.65]))
FEEDERS = ("Kashi", "Miyun", "Kiruna")


def _leo():
    return walker_delta(600.0, 97.8, 5, 2, 1, epoch=T0)


def test_great_circle_matches_a_known_distance() -> None:
    # Beijing (Miyun) - Kashgar: about 3,450 km
    d = float(great_circle_km(40.45, 116.86, 39.50, 75.93))
    assert 3300 < d < 3600
    assert float(great_circle_km(0.0, 0.0, 0.0, 180.0)) == pytest.approx(np.pi * 6371.0088)


def test_station_and_relay_delays_are_fibre_plus_radio() -> None:
    seg = GroundSegment.build(STATIONS, clusters="shared", cluster_site="Miyun", route_factor=1.5,
                              fibre_km_s=200_000.0, relays=RELAYS, relay_feeders=FEEDERS)
    gc = great_circle_km(STATIONS.lat_deg, STATIONS.lon_deg, 40.45, 116.86)
    np.testing.assert_allclose(seg.ap_delay_s[:3], 1.5 * gc / 200_000.0)
    assert seg.ap_delay_s[0] == 0.0  # the cluster's own site
    # relay k: GEO -> feeder (light) + the feeder's fibre
    geo = RELAYS.ecef_km()
    feeder = np.array([1, 0, 2])
    hop = np.linalg.norm(geo - STATIONS.ecef_km()[feeder], axis=1) / SPEED_OF_LIGHT_KM_S
    np.testing.assert_allclose(seg.ap_delay_s[3:], hop + seg.ap_delay_s[feeder])
    assert seg.ap_cluster.tolist() == [0] * 6
    assert 0.11 < hop.min() and hop.max() < 0.14  # ~36,000-40,000 km


def test_per_station_clusters_without_relays_reproduce_the_contact_schedule() -> None:
    leo = _leo()
    seg = GroundSegment.build(STATIONS)
    acc = AccessSchedule.build(leo, seg, T0, step_s=10.0, n_steps=700, lookahead_s=1800.0)
    cs = ContactSchedule.build(leo, STATIONS, T0, step_s=10.0, n_steps=700, lookahead_s=1800.0)
    np.testing.assert_array_equal(acc.access, cs.station)
    np.testing.assert_array_equal(acc.cluster, cs.station)
    np.testing.assert_array_equal(acc.window_end_s, cs.window_end_s)
    np.testing.assert_array_equal(acc.next_start_s, cs.next_start_s)
    np.testing.assert_array_equal(acc.slant_range_km, cs.slant_range_km)
    vis = cs.station >= 0
    np.testing.assert_allclose(acc.delay_s[vis], cs.slant_range_km[vis] / SPEED_OF_LIGHT_KM_S)


def test_relay_line_of_sight_against_sampled_heights() -> None:
    """The ellipsoid-scaling clearance against an independent check: sample the LEO-GEO segment
    and take the lowest geodetic height of the samples."""
    leo = _leo()
    pos = propagate_ecef_km(leo, T0, np.arange(0.0, 6000.0, 120.0))  # (10, 50, 3)
    geo = RELAYS.ecef_km()
    clearance = relay_clearance_km(pos, geo)  # (10, 50, 3)
    s = np.linspace(0.0, 1.0, 4001)
    p = pos[:, :, None, None, :] + s[None, None, None, :, None] * (geo[None, None, :, None, :] - pos[:, :, None, None, :])
    _, _, h = ecef_to_geodetic(p)
    lowest = h.min(axis=-1)
    agree = (clearance >= 100.0) == (lowest >= 100.0)
    close = np.abs(lowest - 100.0) < 25.0  # within the flattening error of the scaled-sphere height
    assert (agree | close).all()
    assert 0.3 < (clearance >= 100.0).mean() < 1.0  # both cases occur


def test_shared_cluster_windows_are_unions_with_handover() -> None:
    leo = _leo()
    seg = GroundSegment.build(STATIONS, clusters="shared", cluster_site="Miyun", relays=RELAYS, relay_feeders=FEEDERS)
    acc = AccessSchedule.build(leo, seg, T0, step_s=10.0, n_steps=1000, lookahead_s=0.0)
    t = np.arange(1000) * 10.0
    conn = acc.access >= 0
    assert conn.mean() > 0.95
    # a station in view is preferred over a relay
    cs = acc.contacts
    np.testing.assert_array_equal(acc.access[cs.station >= 0], cs.station[cs.station >= 0])
    # the connection holds from every connected step until its window end
    for i in range(leo.n_sats):
        for k in np.flatnonzero(conn[:, i])[::37]:
            end = acc.window_end_s[k, i]
            assert end >= t[k]
            inside = (t >= t[k]) & (t < end - 1e-6)
            assert conn[inside, i].all()
            nxt = int(np.ceil(end / 10.0 + 1e-9))
            if end < acc.horizon_end_s - 10.0 and nxt < 1000:
                assert not conn[nxt, i] or acc.window_end_s[nxt, i] > end  # lost right after, or a new window
    # via relays the one-way delay is a quarter of a second or more
    via = acc.access >= seg.n_stations
    assert (acc.delay_s[via] > 0.23).all() and (acc.delay_s[conn & ~via] < 0.06).all()


def test_contact_always_is_the_literal_idealisation() -> None:
    leo = _leo()
    seg = GroundSegment.build(STATIONS)
    acc = AccessSchedule.build(leo, seg, T0, step_s=10.0, n_steps=100, contact="always")
    assert (acc.access >= 0).all()
    assert np.all(acc.window_end_s == acc.horizon_end_s)
    pos = acc.positions_km.transpose(1, 0, 2)
    d = np.linalg.norm(pos[:, :, None] - STATIONS.ecef_km()[None, None], axis=-1)
    np.testing.assert_array_equal(acc.access, d.argmin(axis=-1))


def test_paper_regime_preset_keeps_the_constellation_connected_over_a_day() -> None:
    cfg = make_config("leoedge")
    leo = build_constellation(cfg.constellation)
    seg = build_segment(build_stations(cfg.stations), cfg.ground, cfg.relays)
    shares = connected_share(leo, seg, T0, duration_s=86_400.0, step_s=30.0,
                             min_elevation_deg=cfg.stations.min_elevation_deg)
    assert shares["connected"] >= 0.95
    assert shares["direct"] > 0.03 and shares["relay"] > 0.5
    # without the relays the same stations reach the constellation a small part of the day
    seg0 = build_segment(build_stations(cfg.stations), cfg.ground, make_config("leoedge", {"relays": {"satellites": []}}).relays)
    assert connected_share(leo, seg0, T0, duration_s=86_400.0, step_s=30.0)["connected"] < 0.2


@pytest.mark.parametrize("overrides, field", [
    ({"ground": {"cluster_site": "Atlantis"}}, "ground.cluster_site"),
    ({"relays": {"satellites": [{"name": "R", "lon_deg": 77.0, "feeder": "Nowhere"}]}}, "relays.satellites[0].feeder"),
    ({"relays": {"satellites": [{"name": "R", "lon_deg": -60.0, "feeder": "Miyun"}]}}, "relays.satellites[0].feeder"),
    ({"ground": {"clusters": "mesh"}}, "ground.clusters"),
    ({"stations": {"contact": "sometimes"}}, "stations.contact"),
    ({"relays": {"rate_mbps": -1.0}}, "relays.rate_mbps"),
    ({"ground": {"backhaul_route_factor": 0.5}}, "ground.backhaul_route_factor"),
])
def test_bad_ground_segment_input_names_the_field(overrides, field) -> None:
    import satgym

    with pytest.raises(ValueError, match=field.replace("[", r"\[").replace("]", r"\]")):
        satgym.parallel_env("leoedge", overrides)


def test_relay_windows_end_where_clearance_crosses() -> None:
    leo = _leo()
    seg = GroundSegment.build(STATIONS, clusters="shared", relays=RELAYS, relay_feeders=FEEDERS)
    acc = AccessSchedule.build(leo, seg, T0, step_s=10.0, n_steps=600, lookahead_s=0.0)
    w = acc.relay_windows
    inner = (w["start_s"] > 0) & (w["end_s"] < acc.horizon_end_s - 20)
    assert inner.any()
    for sat, rel, a, b in zip(w["sat"][inner], w["relay"][inner], w["start_s"][inner], w["end_s"][inner]):
        pos = propagate_ecef_km(leo.subset([sat]), T0, np.array([a - 2.0, a + 2.0, b - 2.0, b + 2.0]))[0]
        c = relay_clearance_km(pos, RELAYS.ecef_km()[rel:rel + 1])[:, 0] - 100.0
        assert c[0] < 0 < c[1] and c[2] > 0 > c[3]
