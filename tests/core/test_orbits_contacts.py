"""ContactSchedule: window durations, per-step bookkeeping, edges vs a brute-force scan."""

from __future__ import annotations

import warnings
from datetime import datetime, timezone

import numpy as np
import pytest

from satgym.core.orbits import (
    MIYUN,
    ContactSchedule,
    GroundStations,
    SGP4ErrorWarning,
    elevation_deg,
    from_elements,
    load_cities,
    propagate_ecef_km,
    walker_delta,
)

pytestmark = pytest.mark.usefixtures("no_network")

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
STATIONS = GroundStations.concat(MIYUN, load_cities(12))


@pytest.fixture(scope="module")
def leoedge():
    """LEOEdge-like: 10 satellites at 500-700 km, one per plane."""
    return walker_delta(np.linspace(500.0, 700.0, 10), 53.0, n_planes=10, sats_per_plane=1,
                        phasing=0, epoch=T0)


@pytest.fixture(scope="module")
def day_over_miyun(leoedge):
    return ContactSchedule.build(leoedge, MIYUN, T0, step_s=60.0, n_steps=1440)


def _brute_force_windows(el_deg: np.ndarray, times_s: np.ndarray, min_el: float) -> list[tuple[float, float]]:
    """Windows from a fine elevation series, edges by linear interpolation (open ends clipped)."""
    vis = el_deg >= min_el
    edges = np.flatnonzero(np.diff(vis.astype(int)))
    out, start = [], (times_s[0] if vis[0] else None)
    for e in edges:
        t = times_s[e] + (min_el - el_deg[e]) / (el_deg[e + 1] - el_deg[e]) * (times_s[e + 1] - times_s[e])
        if vis[e + 1]:
            start = t
        else:
            out.append((start, t))
            start = None
    if start is not None:
        out.append((start, times_s[-1]))
    return out


def test_daily_windows_over_miyun_have_realistic_durations(day_over_miyun, leoedge):
    all_durations = []
    for i in range(leoedge.n_sats):
        wins = [w for w in day_over_miyun.windows(i, 0) if w[0] > 0 and w[1] < 86400.0]
        assert 2 <= len(wins) <= 12, f"satellite {i}: {len(wins)} passes in 24 h"
        durations = np.array([end - start for start, end, _ in wins])
        assert durations.max() <= 12.5 * 60.0
        assert np.all(durations > 0)
        assert np.all([10.0 <= m <= 90.0 for *_, m in wins])
        all_durations.extend(durations)
    all_durations = np.array(all_durations)
    assert all_durations.max() > 5.0 * 60.0  # high passes last several minutes
    assert np.median(all_durations) > 2.0 * 60.0


def test_remaining_contact_decreases_by_step_while_in_contact(day_over_miyun):
    cs = day_over_miyun
    checked = 0
    for k in range(cs.n_steps - 1):
        both = cs.visible(k) & cs.visible(k + 1)
        np.testing.assert_allclose(
            cs.remaining_contact_s(k + 1)[both], cs.remaining_contact_s(k)[both] - cs.step_s, atol=1e-9
        )
        checked += int(both.sum())
        off = ~cs.visible(k)
        assert np.all(cs.remaining_contact_s(k)[off] == 0.0)
        assert np.all(cs.remaining_contact_s(k)[~off] >= 0.0)
    assert checked > 50


def test_next_start_matches_windows(leoedge):
    cs = ContactSchedule.build(leoedge, STATIONS, T0, step_s=30.0, n_steps=240, lookahead_s=1800.0)
    n_finite = 0
    for k in range(0, cs.n_steps, 7):
        t = k * cs.step_s
        for i in range(cs.n_sats):
            if cs.visible(k)[i]:
                assert cs.next_start_s[k, i] == t and cs.time_to_next_contact_s(k)[i] == 0.0
                continue
            starts = [w[0] for s in range(STATIONS.n_stations) for w in cs.windows(i, s) if w[0] > t]
            expected = min(starts) if starts and min(starts) - t <= cs.lookahead_s else np.inf
            assert cs.next_start_s[k, i] == expected
            n_finite += np.isfinite(expected)
    assert n_finite > 20


def test_higher_min_elevation_gives_shorter_windows(leoedge):
    low = ContactSchedule.build(leoedge, MIYUN, T0, step_s=60.0, n_steps=720, min_elevation_deg=10.0)
    high = ContactSchedule.build(leoedge, MIYUN, T0, step_s=60.0, n_steps=720, min_elevation_deg=25.0)
    n_high = 0
    for i in range(leoedge.n_sats):
        wide = low.windows(i, 0)
        for start, end, peak in high.windows(i, 0):
            n_high += 1
            outer = [w for w in wide if w[0] <= start and end <= w[1]]
            assert len(outer) == 1 and end - start < outer[0][1] - outer[0][0]
            assert peak >= 25.0
        assert len(high.windows(i, 0)) <= len(wide)
    assert n_high > 5
    assert high.visible(0).sum() <= low.visible(0).sum()
    assert (high.station >= 0).sum() < (low.station >= 0).sum()


def test_window_edges_match_a_one_second_brute_force_scan(leoedge):
    cs = ContactSchedule.build(leoedge, MIYUN, T0, step_s=30.0, n_steps=720, lookahead_s=0.0)
    fine_t = np.arange(0.0, cs.horizon_end_s + 0.5, 1.0)
    el = elevation_deg(propagate_ecef_km(leoedge, T0, fine_t), MIYUN)[..., 0]
    n_edges = 0
    for i in range(leoedge.n_sats):
        ours = [(s, e) for s, e, _ in cs.windows(i, 0)]
        truth = _brute_force_windows(el[i], fine_t, 10.0)
        long_truth = [w for w in truth if w[1] - w[0] > 20.0]  # passes shorter than the scan step may be missed
        assert len(long_truth) <= len(ours) <= len(truth)
        for start, end in long_truth:
            match = [w for w in ours if abs(w[0] - start) < 2.0 and abs(w[1] - end) < 2.0]
            assert len(match) == 1, (i, start, end, ours)
            n_edges += 2
    assert n_edges > 20


def test_per_step_values_agree_with_direct_geometry(leoedge):
    for selection in ("longest", "highest"):
        cs = ContactSchedule.build(leoedge, STATIONS, T0, step_s=20.0, n_steps=300, selection=selection)
        pos = propagate_ecef_km(leoedge, T0, cs.times_s)
        np.testing.assert_allclose(cs.positions_km, pos, atol=1e-9)
        el = elevation_deg(pos, STATIONS).transpose(1, 0, 2)  # (n_steps, n_sats, n_stations)
        visible_any = (el >= 10.0).any(-1)
        assert np.array_equal(cs.station >= 0, visible_any)
        assert visible_any.sum() > 100
        k, i = np.nonzero(visible_any)
        np.testing.assert_allclose(cs.elevation_deg[k, i], el[k, i, cs.station[k, i]], atol=1e-9)
        assert np.all(cs.elevation_deg[k, i] >= 10.0 - 1e-9)
        assert np.all(np.isnan(cs.elevation_deg[~visible_any]) & np.isnan(cs.window_end_s[~visible_any]))
        assert np.all((cs.slant_range_km[k, i] > 400.0) & (cs.slant_range_km[k, i] < 2500.0))
        t = cs.times_s[k]
        assert np.all((cs.window_end_s[k, i] >= t) & (cs.window_end_s[k, i] <= cs.horizon_end_s))
        if selection == "highest":
            np.testing.assert_allclose(cs.elevation_deg[k, i], el[k, i].max(-1), atol=1e-9)
        else:  # the chosen contact ends no earlier than any other visible one
            for kk, ii in zip(k[::5], i[::5]):
                ends = [w[1] for s in np.flatnonzero(el[kk, ii] >= 10.0)
                        for w in cs.windows(ii, s) if w[0] <= cs.times_s[kk] <= w[1]]
                assert cs.window_end_s[kk, ii] == max(ends)


def test_window_end_is_capped_at_the_horizon():
    sat = from_elements([550.0], 53.0, [0.0], [0.0], T0)
    lat, lon = 0.0, 0.0
    r = propagate_ecef_km(sat, T0, [0.0])[0, 0]
    lon = float(np.rad2deg(np.arctan2(r[1], r[0])))
    lat = float(np.rad2deg(np.arcsin(r[2] / np.linalg.norm(r))))
    under = GroundStations.from_list([("under", lat, lon)])
    cs = ContactSchedule.build(sat, under, T0, step_s=10.0, n_steps=6, lookahead_s=0.0)
    assert cs.visible(0)[0]
    assert cs.window_end_s[0, 0] == cs.horizon_end_s == 60.0
    assert cs.windows(0, 0)[0][0] == 0.0
    lat_s, lon_s = cs.subpoint_lat_lon_deg(0)
    assert abs(lon_s[0] - lon) < 0.01 and abs(lat_s[0] - lat) < 0.3  # geodetic vs geocentric latitude


def test_decayed_satellites_are_reported_not_returned_as_garbage():
    c = from_elements([550.0, 180.0], 53.0, [0.0, 10.0], 0.0, T0, bstar=[0.0, 2.0], min_plane_size=1)
    with pytest.warns(SGP4ErrorWarning, match="SAT-0001"):
        cs = ContactSchedule.build(c, STATIONS, T0, step_s=600.0, n_steps=200)
    assert cs.valid_sat.tolist() == [True, False]
    assert np.isnan(cs.positions_km[1]).all() and np.isfinite(cs.positions_km[0]).all()
    assert np.all(cs.station[:, 1] == -1) and np.all(np.isinf(cs.next_start_s[:, 1]))
    assert (cs.station[:, 0] >= 0).any()
    with pytest.raises(ValueError, match="SGP4 failed"):
        ContactSchedule.build(c, STATIONS, T0, step_s=600.0, n_steps=200, errors="raise")


@pytest.mark.parametrize(
    "kwargs, word",
    [
        (dict(selection="nearest"), "longest"),
        (dict(n_steps=0), "n_steps"),
        (dict(step_s=-1.0), "step_s"),
        (dict(min_elevation_deg=95.0), "min_elevation_deg"),
        (dict(lookahead_s=-5.0), "lookahead_s"),
        (dict(start_utc=datetime(2024, 1, 1)), "start_utc"),
    ],
)
def test_build_validation(leoedge, kwargs, word):
    args = dict(constellation=leoedge, stations=MIYUN, start_utc=T0, step_s=10.0, n_steps=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=word):
        ContactSchedule.build(**args)


@pytest.mark.slow
def test_starlink_scale_schedule(starlink, orbits_t0):
    """~5,000 satellites x 100 stations x 300 one-second steps, chunked in time."""
    cities = load_cities()
    with warnings.catch_warnings():
        warnings.simplefilter("error", SGP4ErrorWarning)
        cs = ContactSchedule.build(starlink, cities, orbits_t0, step_s=1.0, n_steps=300)
    for k in (0, 157, 299):
        el = elevation_deg(cs.positions_km[:, k], cities)
        assert np.array_equal(cs.station[k] >= 0, (el >= 10.0).any(-1))
