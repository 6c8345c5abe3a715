"""Inter-satellite link topologies for one or several orbital layers.

* Within a layer, the "+Grid": each satellite links to its fore and aft neighbours in its plane
  and to one partner in each adjacent plane (:func:`grid_pairs`; the inter-plane partners are
  :func:`satgym.core.orbits.inter_plane_pairs`, kept for an episode).
* Between two layers (e.g. MEO above LEO), each satellite of the upper layer links to its
  ``per_upper`` nearest satellites of the lower layer in range with line of sight
  (:func:`cross_layer_pairs`, recomputed per snapshot: the layers move relative to each other).

Whether a link of a fixed topology is usable at an instant is a range and line-of-sight test
(:func:`usable_links`); a usable link's length gives its propagation delay
(:func:`satgym.core.network.propagation_s`).

>>> from datetime import datetime, timezone
>>> from satgym.core.orbits import NeighbourTable, propagate_ecef_km, walker_star
>>> t0 = datetime(2024, 1, 12, tzinfo=timezone.utc)
>>> meo = walker_star(2100.0, 88.0, 3, 10, 1, t0)
>>> pos = propagate_ecef_km(meo, t0, [0.0])[:, 0]
>>> a, b = grid_pairs(meo, NeighbourTable(meo), pos)
>>> a.size                     # 30 intra-plane links + 2 plane pairs x 10 (no link across the seam)
50
>>> ok, dist = usable_links(pos, a, b, max_range_km=8000.0, clearance_radius_km=6478.137)
>>> bool(ok[:30].all()), int(ok[30:].sum())     # in-plane links always; 14 of 20 cross-plane ones now
(True, 14)
"""

from __future__ import annotations

import numpy as np

from satgym.core.orbits.constellation import Constellation
from satgym.core.orbits.grid import inter_plane_pairs
from satgym.core.orbits.neighbours import NeighbourTable, line_of_sight

__all__ = ["cross_layer_pairs", "grid_pairs", "usable_links"]

_FAR_KM = 1e7  # where a satellite without a position is put, so that it pairs with nothing usable


def grid_pairs(constellation: Constellation, table: NeighbourTable,
               positions_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Undirected "+Grid" links ``(a, b)`` (``a < b`` for intra-plane links): fore/aft in each plane,
    one-to-one partners between adjacent planes at ``positions_km`` ``(n_sats, 3)``."""
    fore = table.intra_plane[:, 0]
    i = np.flatnonzero(fore >= 0)
    lo, hi = np.minimum(i, fore[i]), np.maximum(i, fore[i])
    intra = np.unique(np.stack([lo, hi], axis=1), axis=0) if i.size else np.zeros((0, 2), np.int64)
    pos = np.where(np.isfinite(positions_km).all(axis=1, keepdims=True), positions_km, _FAR_KM)
    ia, ib = inter_plane_pairs(constellation, table, pos)
    return (np.concatenate([intra[:, 0], ia]).astype(np.int64), np.concatenate([intra[:, 1], ib]).astype(np.int64))


def usable_links(positions_km: np.ndarray, a: np.ndarray, b: np.ndarray, max_range_km: float,
                 clearance_radius_km: float, positions_b_km: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Which links ``a[i] - b[i]`` are within ``max_range_km`` with a chord clearing the sphere of
    ``clearance_radius_km``, and their lengths (km). ``positions_b_km`` holds ``b``'s positions
    when they index another array (a link between layers). Links with a NaN end are unusable."""
    pa = positions_km[a]
    pb = (positions_km if positions_b_km is None else positions_b_km)[b]
    dist = np.linalg.norm(pb - pa, axis=1)
    ok = np.isfinite(dist) & (dist <= max_range_km)
    ok[ok] = line_of_sight(pa[ok], pb[ok], clearance_radius_km)
    return ok, dist


def cross_layer_pairs(upper_km: np.ndarray, lower_km: np.ndarray, per_upper: int, max_range_km: float,
                      clearance_radius_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each satellite of the upper layer its ``per_upper`` nearest satellites of the lower
    layer in range with line of sight: ``(i_upper, j_lower, distance_km)``.

    >>> up = np.array([[0.0, 0, 8478.0]]); low = np.array([[0.0, 0, 6928.0], [0.0, 900, 6870], [0, 0, -6928]])
    >>> cross_layer_pairs(up, low, 2, 5000.0, 6478.0)[1].tolist()      # the antipodal one is hidden
    [0, 1]
    """
    if per_upper < 1:
        raise ValueError(f"per_upper: must be >= 1, got {per_upper}")
    up = np.asarray(upper_km, dtype=float)
    low = np.asarray(lower_km, dtype=float)
    low0 = np.nan_to_num(low, nan=1e9)  # unpropagated satellites: out of range
    d2 = up @ low0.T
    d2 *= -2.0
    d2 += (up * up).sum(axis=1)[:, None]
    d2 += (low0 * low0).sum(axis=1)[None, :]
    d = np.sqrt(np.maximum(d2, 0.0))
    d = np.where(np.isfinite(d) & (d <= max_range_km), d, np.inf)
    k = min(per_upper, low.shape[0])
    # nearest first; a blocked chord hands the place to the next nearest (a few candidates suffice)
    pool = min(low.shape[0], 4 * k)
    if pool < low.shape[0]:
        cand = np.argpartition(d, pool - 1, axis=1)[:, :pool]
    else:
        cand = np.tile(np.arange(low.shape[0]), (up.shape[0], 1))
    cd = np.take_along_axis(d, cand, axis=1)
    order = np.argsort(cd, axis=1, kind="stable")
    cand, cd = np.take_along_axis(cand, order, axis=1), np.take_along_axis(cd, order, axis=1)
    rows = np.repeat(np.arange(up.shape[0]), cand.shape[1])
    flat_c, flat_d = cand.ravel(), cd.ravel()
    finite = np.isfinite(flat_d)
    clear = np.zeros(flat_d.size, dtype=bool)
    clear[finite] = line_of_sight(up[rows[finite]], low[flat_c[finite]], clearance_radius_km)
    clear = clear.reshape(cand.shape)
    rank = np.cumsum(clear, axis=1)
    keep = clear & (rank <= k)
    r, c = np.nonzero(keep)
    return r.astype(np.int64), cand[r, c].astype(np.int64), cd[r, c]
