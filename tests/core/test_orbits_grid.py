"""inter_plane_pairs: one partner per adjacent plane, none across the seam, the closest pairing."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest

from satgym.core.orbits import NeighbourTable, inter_plane_pairs, propagate_ecef_km, walker_delta, walker_star

T0 = datetime(2024, 1, 13, tzinfo=timezone.utc)


@pytest.mark.parametrize("make, planes, per_plane, pairs", [
    (lambda: walker_star(781.0, 86.4, 6, 11, 3, T0), 6, 11, 5 * 11),     # seam: 5 plane pairs
    (lambda: walker_delta(550.0, 53.0, 8, 10, 1, T0), 8, 10, 8 * 10),    # delta: the ring of planes closes
])
def test_one_to_one_partners_between_adjacent_planes(make, planes, per_plane, pairs):
    c = make()
    table = NeighbourTable(c)
    pos = propagate_ecef_km(c, T0, [0.0])[:, 0]
    a, b = inter_plane_pairs(c, table, pos)
    assert a.size == pairs
    east = dict(zip(table.plane_ids.tolist(), table.plane_west_east[:, 1].tolist()))
    assert all(east[int(c.plane[i])] == int(c.plane[j]) for i, j in zip(a, b))
    assert np.bincount(a, minlength=c.n_sats).max() == 1 and np.bincount(b, minlength=c.n_sats).max() == 1
    # no other one-to-one pairing of a plane pair is shorter in total (checked against cyclic shifts)
    for p in range(planes):
        q = east[p]
        if q < 0:
            continue
        sel = c.plane[a] == p
        total = np.linalg.norm(pos[a[sel]] - pos[b[sel]], axis=1).sum()
        wp, eq = np.flatnonzero(c.plane == p), np.flatnonzero(c.plane == q)
        shifts = [np.linalg.norm(pos[wp] - pos[np.roll(eq, k)], axis=1).sum() for k in range(per_plane)]
        assert total <= min(shifts) + 1e-6


def test_bad_positions():
    c = walker_star(781.0, 86.4, 2, 3, 0, T0)
    with pytest.raises(ValueError, match="positions_km"):
        inter_plane_pairs(c, NeighbourTable(c), np.zeros((5, 3)))
