"""Inter-satellite-link neighbour tables."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satgym.core.orbits import neighbours
from satgym.core.orbits import (NeighbourTable, line_of_sight, propagate_ecef_km, walker_delta,
                                walker_star)

pytestmark = pytest.mark.usefixtures("no_network")

T0 = datetime(2024, 1, 1, tzinfo=timezone.utc)


def test_intra_plane_neighbours_are_adjacent_slots():
    c = walker_delta(550.0, 53.0, n_planes=5, sats_per_plane=9, phasing=1, epoch=T0)
    nt = NeighbourTable(c)
    fore, aft = nt.intra_plane[:, 0], nt.intra_plane[:, 1]
    assert np.all(c.plane[fore] == c.plane) and np.all(c.plane[aft] == c.plane)
    assert np.all(c.slot_in_plane[fore] == (c.slot_in_plane + 1) % 9)
    assert np.all(c.slot_in_plane[aft] == (c.slot_in_plane - 1) % 9)
    assert np.all(fore != np.arange(c.n_sats)) and np.all(aft != np.arange(c.n_sats))
    dist = nt.intra_dist_km(propagate_ecef_km(c, T0, [0.0])[:, 0])
    chord = 2.0 * 6928.137 * np.sin(np.pi / 9)  # 40 deg apart on a 550 km orbit
    np.testing.assert_allclose(dist, chord, rtol=0.01)


def test_single_satellite_planes_have_no_intra_links():
    c = walker_delta(np.linspace(500, 700, 10), 53.0, n_planes=10, sats_per_plane=1, phasing=0, epoch=T0)
    nt = NeighbourTable(c)
    assert np.all(nt.intra_plane == -1)
    assert np.all(np.isnan(nt.intra_dist_km(propagate_ecef_km(c, T0, [0.0])[:, 0])))


def test_inter_plane_neighbours_are_nearest_in_adjacent_planes_without_self_links():
    c = walker_delta(550.0, 53.0, n_planes=12, sats_per_plane=10, phasing=1, epoch=T0)
    nt = NeighbourTable(c)
    pos = propagate_ecef_km(c, T0, [0.0])[:, 0]
    inter, dist = nt.at(pos)
    assert np.all(inter != np.arange(c.n_sats)[:, None])
    assert (inter >= 0).mean() > 0.9
    for side, shift in ((0, -1), (1, 1)):
        ok = inter[:, side] >= 0
        assert np.all(c.plane[inter[ok, side]] == (c.plane[ok] + shift) % 12)  # Walker delta wraps
        for i in np.flatnonzero(ok)[::7]:
            members = np.flatnonzero(c.plane == (c.plane[i] + shift) % 12)
            d = np.linalg.norm(pos[members] - pos[i], axis=1)
            assert inter[i, side] == members[np.argmin(d)]
            assert dist[i, side] == pytest.approx(d.min())
    assert np.all(np.isinf(dist[inter < 0]))


def test_walker_star_seam_is_not_linked():
    c = walker_star(780.0, 86.4, n_planes=6, sats_per_plane=11, phasing=0, epoch=T0)
    nt = NeighbourTable(c)
    assert nt.plane_west_east[0, 0] == -1 and nt.plane_west_east[5, 1] == -1
    assert nt.plane_west_east[2].tolist() == [1, 3]
    delta = NeighbourTable(walker_delta(550.0, 53.0, 6, 4, 1, epoch=T0))
    assert delta.plane_west_east[0].tolist() == [5, 1]


def test_isl_blocked_when_the_earth_is_in_the_way():
    r = 6928.137
    p1 = np.array([r, 0.0, 0.0])
    assert not line_of_sight(p1, -p1, 6458.137)  # opposite sides of the Earth
    assert line_of_sight(p1, np.array([r * np.cos(0.3), r * np.sin(0.3), 0.0]), 6458.137)
    # 2 planes x 2 satellites, 180 deg apart in each plane: every candidate link crosses the Earth
    c = walker_delta(550.0, 0.0, n_planes=1, sats_per_plane=2, phasing=0, epoch=T0)
    nt = NeighbourTable(c, max_isl_range_km=1e5)
    pos = propagate_ecef_km(c, T0, [0.0])[:, 0]
    assert not nt.intra_visible(pos).any()
    c2 = walker_delta(550.0, 53.0, n_planes=2, sats_per_plane=2, phasing=0, epoch=T0)
    inter, dist = NeighbourTable(c2, max_isl_range_km=1e5).at(propagate_ecef_km(c2, T0, [0.0])[:, 0])
    pos2 = propagate_ecef_km(c2, T0, [0.0])[:, 0]
    for i in range(4):
        for side in range(2):
            j = inter[i, side]
            if j >= 0:
                assert line_of_sight(pos2[i], pos2[j], 6458.137)
            else:
                others = np.flatnonzero(c2.plane != c2.plane[i])
                assert not any(line_of_sight(pos2[i], pos2[k], 6458.137) for k in others)


def test_range_limit_and_nan_positions():
    c = walker_delta(550.0, 53.0, n_planes=12, sats_per_plane=10, phasing=1, epoch=T0)
    pos = propagate_ecef_km(c, T0, [0.0])[:, 0]
    inter_near, dist_near = NeighbourTable(c, max_isl_range_km=1500.0).at(pos)
    assert np.all(dist_near[inter_near >= 0] <= 1500.0)
    assert (inter_near < 0).sum() > (NeighbourTable(c).at(pos)[0] < 0).sum()
    pos[3] = np.nan
    inter, _ = NeighbourTable(c).at(pos)
    assert np.all(inter[3] == -1) and not np.any(inter == 3)
    with pytest.raises(ValueError, match="positions_km"):
        NeighbourTable(c).at(pos[:5])


@pytest.mark.slow
def test_starlink_neighbours(starlink, orbits_t0):
    pos = propagate_ecef_km(starlink, orbits_t0, [0.0])[:, 0]
    nt = NeighbourTable(starlink)
    inter, dist = nt.at(pos)
    assert (inter >= 0).mean() > 0.8
    assert np.all(dist[inter >= 0] <= 5000.0)
    assert np.all(inter != np.arange(starlink.n_sats)[:, None])


def _brute_force_inter(nt: NeighbourTable, plane: np.ndarray,
                       pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Reference for ``NeighbourTable.at``: every satellite of each adjacent plane is tested."""
    inter = np.full((plane.size, 2), -1)
    dist = np.full((plane.size, 2), np.inf)
    for i in range(plane.size):
        row = np.searchsorted(nt.plane_ids, plane[i])
        for side in range(2):
            members = np.flatnonzero(plane == nt.plane_west_east[row, side])
            if nt.plane_west_east[row, side] < 0 or members.size == 0:
                continue
            d = np.linalg.norm(pos[members] - pos[i], axis=1)
            ok = (d <= nt.max_isl_range_km) & line_of_sight(pos[i], pos[members], nt.clearance_radius_km)
            if ok.any():
                k = int(np.argmin(np.where(ok, d, np.inf)))
                inter[i, side], dist[i, side] = members[k], d[k]
    return inter, dist


def _assert_matches_brute_force(nt: NeighbourTable, plane: np.ndarray, pos: np.ndarray) -> None:
    """Same links as the reference; a different pick is allowed only for a tie within 1e-6 km.

    Checks both ways ``at`` works: every pair (small constellations) and the phase window."""
    ref_inter, ref_dist = _brute_force_inter(nt, plane, pos)
    for scan_all_below in (neighbours._SCAN_ALL_BELOW, 0):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(neighbours, "_SCAN_ALL_BELOW", scan_all_below)
            _assert_same_links(nt, plane, pos, *nt.at(pos), ref_inter, ref_dist)


def _assert_same_links(nt: NeighbourTable, plane: np.ndarray, pos: np.ndarray, inter: np.ndarray,
                       dist: np.ndarray, ref_inter: np.ndarray, ref_dist: np.ndarray) -> None:
    np.testing.assert_array_equal(inter < 0, ref_inter < 0)
    np.testing.assert_array_equal(np.isinf(dist), inter < 0)
    linked = inter >= 0
    np.testing.assert_allclose(dist[linked], ref_dist[linked], rtol=0.0, atol=1e-6)
    for i, side in zip(*np.nonzero(inter != ref_inter)):
        j = inter[i, side]
        assert plane[j] == plane[ref_inter[i, side]]
        assert nt.link_ok(pos[i], pos[j])
        assert np.linalg.norm(pos[j] - pos[i]) == pytest.approx(ref_dist[i, side], abs=1e-6)


@pytest.mark.parametrize("max_isl_range_km", [5000.0, 1500.0])
@pytest.mark.parametrize("t_s", [0.0, 1234.0, 4000.0])
def test_inter_plane_links_match_brute_force_walker(max_isl_range_km, t_s):
    delta = walker_delta(550.0, 53.0, 12, 20, 1, epoch=T0)
    star = walker_star(780.0, 86.4, 6, 11, 0, epoch=T0)
    for c in (delta, star):
        pos = propagate_ecef_km(c, T0, [t_s])[:, 0]
        _assert_matches_brute_force(NeighbourTable(c, max_isl_range_km=max_isl_range_km), c.plane, pos)


@pytest.mark.parametrize("t_s", [0.0, 2500.0, 7200.0])
def test_inter_plane_links_match_brute_force_iridium(iridium, orbits_t0, t_s):
    pos = propagate_ecef_km(iridium, orbits_t0, [t_s])[:, 0]
    for max_isl_range_km in (5000.0, 2000.0):
        nt = NeighbourTable(iridium, max_isl_range_km=max_isl_range_km)
        _assert_matches_brute_force(nt, iridium.plane, pos)


def test_inter_plane_links_match_brute_force_irregular_planes():
    # missing satellites, orbit raising (lower, uneven altitudes) and lost positions: the windowed
    # search must fall back to the whole plane wherever its shortcut is not provably right
    rng = np.random.default_rng(7)
    full = walker_delta(550.0, 53.0, 12, 20, 1, epoch=T0)
    c = full.subset(rng.random(full.n_sats) < 0.7)
    pos = propagate_ecef_km(c, T0, [900.0])[:, 0]
    pos *= (1.0 + rng.uniform(-250.0, 20.0, c.n_sats) / np.linalg.norm(pos, axis=1))[:, None]
    pos[rng.choice(c.n_sats, 5, replace=False)] = np.nan
    for max_isl_range_km in (5000.0, 1200.0):
        _assert_matches_brute_force(NeighbourTable(c, max_isl_range_km=max_isl_range_km), c.plane, pos)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), max_isl_range_km=st.floats(300.0, 9000.0),
       n_planes=st.integers(2, 7), sats_per_plane=st.integers(1, 12))
def test_inter_plane_links_match_brute_force_for_any_positions(seed, max_isl_range_km, n_planes,
                                                                sats_per_plane):
    # positions unrelated to the planes (random directions and radii): exact all the same
    c = walker_delta(550.0, 53.0, n_planes, sats_per_plane, 1, epoch=T0)
    rng = np.random.default_rng(seed)
    direction = rng.normal(size=(c.n_sats, 3))
    radius_km = rng.uniform(6300.0, 7400.0, (c.n_sats, 1))  # some inside the clearance sphere
    pos = direction / np.linalg.norm(direction, axis=1, keepdims=True) * radius_km
    _assert_matches_brute_force(NeighbourTable(c, max_isl_range_km=max_isl_range_km), c.plane, pos)


def test_intra_plane_links_match_link_ok():
    c = walker_delta(550.0, 53.0, 3, 16, 1, epoch=T0)
    pos = propagate_ecef_km(c, T0, [0.0])[:, 0]
    pos[4] = np.nan
    nt = NeighbourTable(c)
    other = pos[nt.intra_plane]
    np.testing.assert_array_equal(nt.intra_visible(pos), nt.link_ok(pos[:, None], other))
    np.testing.assert_array_equal(nt.intra_dist_km(pos), np.linalg.norm(other - pos[:, None], axis=-1))
    assert nt.intra_visible(pos).sum() == 2 * c.n_sats - 4  # all but the links of satellite 4


@pytest.mark.slow
def test_starlink_neighbours_match_brute_force(starlink, orbits_t0):
    pos = propagate_ecef_km(starlink, orbits_t0, [1800.0])[:, 0]
    _assert_matches_brute_force(NeighbourTable(starlink), starlink.plane, pos)


def test_at_rows_and_intra_visible_rows_match_the_single_instant_calls() -> None:
    from datetime import datetime, timezone

    from satgym.core.orbits import NeighbourTable, propagate_ecef_km, walker_delta

    t0 = datetime(2024, 1, 12, tzinfo=timezone.utc)
    for c in (walker_delta(600.0, 97.8, 5, 2, 1, epoch=t0), walker_delta(550.0, 53.0, 6, 10, 1, epoch=t0)):
        table = NeighbourTable(c)
        pos = propagate_ecef_km(c, t0, np.arange(0.0, 3000.0, 100.0))
        pos[0, 3] = np.nan  # a failed satellite at one instant
        inter, dist = table.at_rows(pos)
        vis = table.intra_visible_rows(pos)
        for r in range(pos.shape[1]):
            a, d = table.at(pos[:, r])
            np.testing.assert_array_equal(inter[r], a)
            np.testing.assert_array_equal(dist[r], d)
            np.testing.assert_array_equal(vis[r], table.intra_visible(pos[:, r]))
