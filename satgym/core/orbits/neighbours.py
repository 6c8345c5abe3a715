"""Inter-satellite-link (ISL) neighbour tables: fixed intra-plane fore/aft links and
nearest-satellite links to the adjacent planes, recomputed from positions each step.

An ISL needs line of sight: the segment between the satellites must stay above a sphere of
radius 6378.137 + ``atmosphere_km`` km (equatorial radius; a spherical Earth is conservative
by up to 21 km near the poles).

Example:
    >>> from datetime import datetime, timezone
    >>> from satgym.core.orbits import walker_delta, propagate_ecef_km
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> c = walker_delta(550.0, 53.0, n_planes=12, sats_per_plane=8, phasing=1, epoch=t0)
    >>> nt = NeighbourTable(c)
    >>> nt.intra_plane[:3].tolist()          # fore (slot+1), aft (slot-1) in plane 0
    [[1, 7], [2, 0], [3, 1]]
    >>> inter, dist_km = nt.at(propagate_ecef_km(c, t0, [0.0])[:, 0])
    >>> inter.shape, bool((c.plane[inter[:, 1]] == (c.plane + 1) % 12).all())
    ((96, 2), True)
"""

from __future__ import annotations

import numpy as np

from .constellation import Constellation
from .frames import WGS84_A_KM
from .planes import _circular_mean_deg

__all__ = ["NeighbourTable", "line_of_sight"]

_MAX_CANDIDATES = 2_000_000  # (satellites x plane size) evaluated per chunk


def line_of_sight(p1_km: np.ndarray, p2_km: np.ndarray, clearance_radius_km: float) -> np.ndarray:
    """Whether segments ``p1 -> p2`` (broadcast ``(..., 3)``) stay outside the sphere of ``clearance_radius_km``."""
    d = p2_km - p1_km
    dd = np.einsum("...k,...k->...", d, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip(-np.einsum("...k,...k->...", p1_km, d) / dd, 0.0, 1.0)
    s = np.where(dd > 0, s, 0.0)
    closest = p1_km + s[..., None] * d
    return np.einsum("...k,...k->...", closest, closest) >= clearance_radius_km**2


class NeighbourTable:
    """ISL candidates of a constellation.

    Attributes:
        intra_plane: ``(n_sats, 2)`` int, fore (slot + 1) and aft (slot - 1) neighbour in the
            same plane (wrapping), -1 if the plane has a single satellite.
        plane_west_east: ``(n_planes, 2)`` int, adjacent plane ids (lower / higher RAAN in the
            same shell), -1 at a seam. Rows follow ``plane_ids``.
        plane_ids: sorted unique plane ids of the constellation.

    ``wrap=None`` links the first and last plane of a shell (by RAAN) unless the largest RAAN
    gap looks like a Walker-star seam (> 90 deg and > 2.5x the median of the other gaps).
    """

    def __init__(
        self,
        constellation: Constellation,
        max_isl_range_km: float = 5000.0,
        atmosphere_km: float = 80.0,
        wrap: bool | None = None,
    ) -> None:
        if not max_isl_range_km > 0:
            raise ValueError(f"max_isl_range_km must be > 0, got {max_isl_range_km!r}")
        if not atmosphere_km >= 0:
            raise ValueError(f"atmosphere_km must be >= 0, got {atmosphere_km!r}")
        self.max_isl_range_km = float(max_isl_range_km)
        self.clearance_radius_km = WGS84_A_KM + float(atmosphere_km)
        self.n_sats = constellation.n_sats
        self.plane_ids, plane_idx = np.unique(constellation.plane, return_inverse=True)
        n_planes = self.plane_ids.size

        # members[q, slot] = satellite index (padded with -1)
        sizes = np.bincount(plane_idx, minlength=n_planes)
        self._members = np.full((n_planes, sizes.max()), -1, dtype=np.int64)
        self._members[plane_idx, constellation.slot_in_plane] = np.arange(self.n_sats)
        size = sizes[plane_idx]
        slot = constellation.slot_in_plane
        fore = self._members[plane_idx, (slot + 1) % size]
        aft = self._members[plane_idx, (slot - 1) % size]
        self.intra_plane = np.where((size > 1)[:, None], np.stack((fore, aft), axis=1), -1)

        adjacent = np.full((n_planes, 2), -1, dtype=np.int64)
        shell_of_plane = np.array([constellation.shell[plane_idx == q][0] for q in range(n_planes)])
        raan = np.array([_circular_mean_deg(constellation.raan_deg[plane_idx == q]) for q in range(n_planes)])
        for s in np.unique(shell_of_plane):
            qs = np.flatnonzero(shell_of_plane == s)
            if qs.size < 2:
                continue
            qs = qs[np.argsort(raan[qs])]
            gaps = np.diff(np.r_[raan[qs], raan[qs[0]] + 360.0])  # gaps[i]: qs[i] -> qs[i+1]
            big = int(np.argmax(gaps))
            others = np.delete(gaps, big)
            do_wrap = wrap if wrap is not None else not (
                gaps[big] > 90.0 and gaps[big] > 2.5 * np.median(others))
            east = np.roll(qs, -1)
            west = np.roll(qs, 1)
            adjacent[qs, 1] = east
            adjacent[qs, 0] = west
            if not do_wrap:  # cut the seam at the largest gap
                adjacent[qs[big], 1] = -1
                adjacent[qs[(big + 1) % qs.size], 0] = -1
        self.plane_west_east = np.where(adjacent >= 0, self.plane_ids[np.maximum(adjacent, 0)], -1)
        self._adjacent_of_sat = adjacent[plane_idx]  # (n_sats, 2) plane row indices
        for arr in (self.intra_plane, self.plane_west_east, self._adjacent_of_sat, self._members):
            arr.setflags(write=False)

    def _check(self, positions_km: np.ndarray) -> np.ndarray:
        pos = np.asarray(positions_km, dtype=float)
        if pos.shape != (self.n_sats, 3):
            raise ValueError(f"positions_km must have shape ({self.n_sats}, 3), got {pos.shape}")
        return pos

    def link_ok(self, p1_km: np.ndarray, p2_km: np.ndarray) -> np.ndarray:
        """Range and line-of-sight test for links ``p1 -> p2`` (NaN positions fail)."""
        dist = np.linalg.norm(p2_km - p1_km, axis=-1)
        return (dist <= self.max_isl_range_km) & line_of_sight(p1_km, p2_km, self.clearance_radius_km)

    def at(self, positions_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest linkable satellite in the west and east adjacent plane, and its distance.

        ``positions_km``: ``(n_sats, 3)`` Earth-fixed (or any common frame). Returns
        ``inter`` ``(n_sats, 2)`` int (-1 if none in range with line of sight) and
        ``inter_dist_km`` ``(n_sats, 2)`` (inf where -1).
        """
        pos = self._check(positions_km)
        inter = np.full((self.n_sats, 2), -1, dtype=np.int64)
        dist_out = np.full((self.n_sats, 2), np.inf)
        width = self._members.shape[1]
        rows = max(1, _MAX_CANDIDATES // width)
        for side in (0, 1):
            for a in range(0, self.n_sats, rows):
                sl = slice(a, min(a + rows, self.n_sats))
                adj = self._adjacent_of_sat[sl, side]
                cand = np.where((adj >= 0)[:, None], self._members[np.maximum(adj, 0)], -1)
                p1 = pos[sl][:, None, :]
                p2 = pos[np.maximum(cand, 0)]
                dist = np.linalg.norm(p2 - p1, axis=-1)
                ok = (cand >= 0) & (dist <= self.max_isl_range_km)
                ok &= line_of_sight(p1, p2, self.clearance_radius_km)
                dist = np.where(ok, dist, np.inf)
                k = np.argmin(dist, axis=1)
                best = dist[np.arange(k.size), k]
                inter[sl, side] = np.where(np.isfinite(best), cand[np.arange(k.size), k], -1)
                dist_out[sl, side] = best
        return inter, dist_out

    def intra_dist_km(self, positions_km: np.ndarray) -> np.ndarray:
        """Distance to the fore/aft intra-plane neighbour, ``(n_sats, 2)`` (NaN where -1)."""
        pos = self._check(positions_km)
        other = pos[np.maximum(self.intra_plane, 0)]
        return np.where(self.intra_plane >= 0, np.linalg.norm(other - pos[:, None], axis=-1), np.nan)

    def intra_visible(self, positions_km: np.ndarray) -> np.ndarray:
        """Whether each intra-plane link is within range with line of sight, ``(n_sats, 2)`` bool."""
        pos = self._check(positions_km)
        other = pos[np.maximum(self.intra_plane, 0)]
        return (self.intra_plane >= 0) & self.link_ok(pos[:, None], other)
