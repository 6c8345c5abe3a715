"""Stable inter-plane ISLs ("+Grid"): each satellite keeps one partner in each adjacent plane.

:meth:`NeighbourTable.at` gives every satellite its nearest satellite in each adjacent plane; those
picks need not be mutual (in a Walker pattern with a half-slot offset a satellite sits between two
of the next plane), so their union gives some satellites more than the two inter-plane terminals a
satellite such as Iridium's carries. :func:`inter_plane_pairs` instead pairs the satellites of two
adjacent planes one-to-one with the smallest total distance (``scipy.optimize.
linear_sum_assignment``) at given positions; kept for an episode, these are the "stable ISLs to
the neighbouring orbits" (each satellite: at most one partner per adjacent plane, none across a
seam). Whether a link is usable at a later time is a range / line-of-sight test
(:meth:`NeighbourTable.link_ok`).

Example:
    >>> from datetime import datetime, timezone
    >>> from satgym.core.orbits import NeighbourTable, propagate_ecef_km, walker_star
    >>> t0 = datetime(2024, 1, 13, tzinfo=timezone.utc)
    >>> c = walker_star(781.0, 86.4, 6, 11, 3, t0)
    >>> a, b = inter_plane_pairs(c, NeighbourTable(c), propagate_ecef_km(c, t0, [0.0])[:, 0])
    >>> a.size, int(np.bincount(np.r_[a, b], minlength=66).max())   # 5 plane pairs x 11, <= 2 each
    (55, 2)
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from .constellation import Constellation
from .neighbours import NeighbourTable

__all__ = ["inter_plane_pairs"]


def inter_plane_pairs(constellation: Constellation, table: NeighbourTable,
                      positions_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One-to-one partners between each plane and its east neighbour plane, ``(a, b)`` index arrays
    (``a`` in the western plane), by minimum total distance at ``positions_km`` ``(n_sats, 3)``."""
    pos = np.asarray(positions_km, dtype=float)
    if pos.shape != (constellation.n_sats, 3) or not np.all(np.isfinite(pos)):
        raise ValueError(f"positions_km: expected finite shape ({constellation.n_sats}, 3), got {pos.shape}")
    out_a, out_b = [], []
    for row, plane in enumerate(table.plane_ids):
        east = table.plane_west_east[row, 1]
        if east < 0:
            continue
        west_members = np.flatnonzero(constellation.plane == plane)
        east_members = np.flatnonzero(constellation.plane == east)
        cost = np.linalg.norm(pos[west_members][:, None, :] - pos[east_members][None, :, :], axis=-1)
        i, j = linear_sum_assignment(cost)
        out_a.append(west_members[i])
        out_b.append(east_members[j])
    if not out_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_a).astype(np.int64), np.concatenate(out_b).astype(np.int64)
