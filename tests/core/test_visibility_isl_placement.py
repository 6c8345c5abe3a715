"""Visibility windows from sampled elevations, multi-layer ISL topologies, and user placement."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satgym.core.isl import cross_layer_pairs, grid_pairs, usable_links
from satgym.core.orbits import NeighbourTable, propagate_ecef_km, walker_delta, walker_star
from satgym.core.orbits.neighbours import line_of_sight
from satgym.core.placement import great_circle_km, points_in_disc
from satgym.core.visibility import visibility_windows_s

T0 = datetime(2024, 1, 12, tzinfo=timezone.utc)


@given(a=st.floats(-3.0, 3.0), b=st.floats(-20.0, 60.0), thr=st.floats(0.0, 50.0))
def test_windows_of_a_linear_elevation_are_exact(a, b, thr):
    """For elevation b + a t the crossing is (thr - b) / a, wherever it falls between samples."""
    t = np.arange(0.0, 4.0, 0.5)
    start, end = visibility_windows_s(b + a * t, t, thr)
    above0 = b >= thr
    cross = (thr - b) / a if a != 0 else np.inf
    if above0:
        assert start == 0.0
        expected_end = cross if (a < 0 and cross <= t[-1]) else np.inf
        if np.isfinite(expected_end) and b + a * t[-1] < thr:
            assert end == pytest.approx(expected_end, abs=1e-9)
        elif b + a * t[-1] >= thr:
            assert end == np.inf
    elif a > 0 and b + a * t[-1] >= thr:
        assert start == pytest.approx(cross, abs=1e-9) and end == np.inf
    else:
        assert start == np.inf and end == np.inf


def test_windows_rise_then_set_nan_and_bad_grid():
    t = np.arange(5.0)
    start, end = visibility_windows_s(np.array([[5.0, 15.0, 25.0, 15.0, 5.0], [np.nan] * 5]), t, 10.0)
    assert start.tolist() == [0.5, np.inf] and end.tolist() == [3.5, np.inf]
    with pytest.raises(ValueError, match="times_s"):
        visibility_windows_s(np.zeros(3), np.array([0.0, 2.0, 1.0]), 10.0)


def test_grid_pairs_give_each_satellite_at_most_four_links():
    c = walker_delta(550.0, 53.0, 10, 12, 1, T0)
    pos = propagate_ecef_km(c, T0, [0.0])[:, 0]
    a, b = grid_pairs(c, NeighbourTable(c), pos)
    degree = np.bincount(np.r_[a, b], minlength=c.n_sats)
    assert degree.max() <= 4 and degree.min() >= 3
    assert len({(int(x), int(y)) for x, y in zip(np.minimum(a, b), np.maximum(a, b))}) == a.size  # no duplicates
    ok, dist = usable_links(pos, a, b, 5000.0, 6458.137)
    table = NeighbourTable(c, max_isl_range_km=5000.0, atmosphere_km=80.0)
    assert np.array_equal(ok, table.link_ok(pos[a], pos[b]))
    assert np.allclose(dist, np.linalg.norm(pos[a] - pos[b], axis=1))


def test_cross_layer_pairs_match_a_brute_force_search():
    leo = walker_delta(550.0, 53.0, 12, 20, 1, T0)
    meo = walker_star(2100.0, 88.0, 3, 10, 1, T0)
    low, up = propagate_ecef_km(leo, T0, [0.0])[:, 0], propagate_ecef_km(meo, T0, [0.0])[:, 0]
    i, j, d = cross_layer_pairs(up, low, 4, 5000.0, 6458.137)
    for u in range(up.shape[0]):
        dist = np.linalg.norm(low - up[u], axis=1)
        ok = (dist <= 5000.0) & line_of_sight(np.broadcast_to(up[u], low.shape), low, 6458.137)
        expected = np.argsort(np.where(ok, dist, np.inf), kind="stable")[:min(4, int(ok.sum()))]
        assert sorted(j[i == u].tolist()) == sorted(expected.tolist())
    assert np.allclose(d, np.linalg.norm(up[i] - low[j], axis=1), atol=1e-6)
    with pytest.raises(ValueError, match="per_upper"):
        cross_layer_pairs(up, low, 0, 5000.0, 6458.137)


@settings(max_examples=10)
@given(seed=st.integers(0, 2**16), radius=st.floats(1.0, 300.0))
def test_points_in_disc_stay_within_the_radius(seed, radius):
    lat, lon = points_in_disc(np.random.default_rng(seed), 62.0, -77.5, radius, 500)
    assert np.all(great_circle_km(62.0, -77.5, lat, lon) <= radius * (1 + 1e-9))
    assert np.all((lon >= -180) & (lon < 180))


def test_points_in_disc_are_uniform_by_area():
    from scipy import stats

    lat, lon = points_in_disc(np.random.default_rng(0), 62.0, -77.5, 50.0, 5000)
    d = great_circle_km(62.0, -77.5, lat, lon)
    assert stats.kstest((d / 50.0) ** 2, "uniform").pvalue > 0.01  # area fraction inside d is uniform
    with pytest.raises(ValueError, match="radius_km"):
        points_in_disc(np.random.default_rng(0), 0.0, 0.0, -1.0, 3)
