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

_WINDOW = 2  # candidates per side of a satellite's phase in an adjacent plane
_KEY_STRIDE = 8.0  # sort key = plane row * stride + phase in [0, 2 pi] (< stride)
_TWO_PI = 2.0 * np.pi
_SCAN_ALL_BELOW = 2000  # n_sats x largest plane up to which at() simply tests every pair


def _project(axes: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Coordinates of points ``p`` ``(3, n)`` on the axes ``(3 axes, 3 components, n)``."""
    return tuple(a[0] * p[0] + a[1] * p[1] + a[2] * p[2] for a in axes)


def _window_bound_km(rho_km: np.ndarray, offset_km: np.ndarray, gap_rad: np.ndarray,
                     rho_lo_km: np.ndarray, rho_hi_km: np.ndarray, offset_hi_km: np.ndarray) -> np.ndarray:
    """Lower bound on the distance from a point (in-plane radius ``rho_km``, out-of-plane offset
    ``offset_km``) to any point whose phase differs by at least ``gap_rad`` (<= pi), with in-plane
    radius in ``[rho_lo_km, rho_hi_km]`` and out-of-plane offset at most ``offset_hi_km``."""
    rho_c = np.clip(rho_km * np.cos(gap_rad), rho_lo_km, rho_hi_km)
    # law of cosines in the form that does not cancel for small gaps, plus the normal part
    in_plane2 = (rho_km - rho_c) ** 2 + 4.0 * rho_km * rho_c * np.sin(0.5 * gap_rad) ** 2
    return np.sqrt(in_plane2 + np.maximum(offset_km - offset_hi_km, 0.0) ** 2)


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
        self._plane_idx = plane_idx
        self._by_plane = np.argsort(plane_idx, kind="stable")
        self._plane_start = np.r_[0, np.cumsum(sizes)[:-1]]
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
        for arr in (self.intra_plane, self.plane_west_east, self._adjacent_of_sat, self._members,
                    self._plane_idx, self._by_plane, self._plane_start):
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

        Exact without testing every pair: each plane gets a frame from its satellites'
        positions (normal = axis of least spread), its satellites are sorted by phase angle in
        that frame, and satellite ``i`` tests only the ``2 * _WINDOW`` satellites of the
        adjacent plane whose phases bracket its own phase in that plane's frame. Every other
        satellite of the plane is at least :func:`_window_bound_km` away, so the candidate answer
        is final when the best candidate (or, if none links, the range limit) is below that
        bound; the few rows where it is not (irregular planes) are redone over the whole plane.
        Small constellations test every pair. Between two satellites equally far (to rounding)
        the pick may differ from a scan of the plane in slot order.
        """
        pos = self._check(positions_km)
        finite = np.isfinite(pos).all(axis=1)
        xyz = np.where(finite[:, None], pos, 0.0).T.copy()  # (3, n_sats), NaN rows zeroed
        if self.n_sats * self._members.shape[1] <= _SCAN_ALL_BELOW:  # small: test every pair
            inter = np.full((self.n_sats, 2), -1, dtype=np.int64)
            dist_out = np.full((self.n_sats, 2), np.inf)
            i, side = np.nonzero(finite[:, None] & (self._adjacent_of_sat >= 0))
            q = self._adjacent_of_sat[i, side]
            inter[i, side], dist_out[i, side] = self._scan_planes(xyz, finite, i, q)
            return inter, dist_out
        frames = self._plane_frames(xyz)  # (3 axes, 3 components, n_planes)

        # phase angle, in-plane radius and out-of-plane offset of each satellite in its plane
        sats = np.flatnonzero(finite)
        plane = self._plane_idx[sats]
        u, v, w = _project(frames.take(plane, axis=2), xyz.take(sats, axis=1))
        key = plane * _KEY_STRIDE + (np.arctan2(v, u) + np.pi)
        order = np.argsort(key)
        key, sats, plane = key[order], sats[order], plane[order]
        theta = key - plane * _KEY_STRIDE
        rho, w = np.hypot(u, v)[order], np.abs(w)[order]
        n_planes = self.plane_ids.size
        start = np.searchsorted(key, np.arange(n_planes + 1) * _KEY_STRIDE)
        count = np.diff(start)
        rho_lo, rho_hi, w_hi = np.full(n_planes, np.inf), np.zeros(n_planes), np.zeros(n_planes)
        filled = count > 0
        if filled.any():
            rho_lo[filled] = np.minimum.reduceat(rho, start[:-1][filled])
            rho_hi[filled] = np.maximum.reduceat(rho, start[:-1][filled])
            w_hi[filled] = np.maximum.reduceat(w, start[:-1][filled])

        # queries (satellite i, side) with a non-empty adjacent plane q, in phase order so that
        # the search keys come nearly sorted (much faster searchsorted)
        side = np.repeat(np.arange(2), sats.size)
        q = self._adjacent_of_sat[np.tile(sats, 2), side]
        keep = (q >= 0) & (count[q] > 0)
        i, side, q = np.tile(sats, 2)[keep], side[keep], q[keep]
        m, first = count[q], start[q]
        p1 = xyz.take(i, axis=1)
        u, v, w = _project(frames.take(q, axis=2), p1)
        phi = np.arctan2(v, u) + np.pi
        r = np.searchsorted(key, q * _KEY_STRIDE + phi) - first  # insertion rank in plane q
        cand = sats.take(first + (r + np.arange(-_WINDOW, _WINDOW)[:, None]) % m)  # (2 W, n_q)
        d = xyz.take(cand, axis=1) - p1[:, None]
        dist = np.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])  # as np.linalg.norm
        dist[dist > self.max_isl_range_km] = np.inf
        k = np.argmin(dist, axis=0)
        rows = np.arange(k.size)
        best, best_j = dist[k, rows], cand[k, rows]
        # Line of sight only for the nearest candidate (where it is blocked a farther one might
        # not be: the row is left to the full search below), and only if it is longer than
        # 2 sqrt(r_min^2 - R^2): a chord that short between radii >= r_min clears radius R.
        radius = np.sqrt(xyz[0] * xyz[0] + xyz[1] * xyz[1] + xyz[2] * xyz[2])
        r_min = np.minimum(radius.take(i), radius.take(best_j))
        with np.errstate(invalid="ignore"):
            clear = best <= 2.0 * np.sqrt(r_min**2 - self.clearance_radius_km**2) - 1.0  # 1 km margin
        check = np.flatnonzero(np.isfinite(best) & ~clear)
        blocked = np.zeros(k.size, dtype=bool)
        blocked[check] = np.isinf(self._link_dist_km(p1[:, check], d[:, k[check], check]))

        # satellites outside the window are at least `gap` away in phase
        hi, lo = r + _WINDOW, r - _WINDOW - 1
        gap_hi = theta[first + hi % m] - phi + _TWO_PI * (hi >= m)
        gap_lo = phi - theta[first + lo % m] + _TWO_PI * (lo < 0)
        gap = np.clip(np.minimum(gap_hi, gap_lo), 0.0, np.pi)
        bound = _window_bound_km(np.hypot(u, v), np.abs(w), gap, rho_lo[q], rho_hi[q], w_hi[q])
        bound[m <= 2 * _WINDOW] = np.inf  # the window holds the whole plane
        reach = np.minimum(best, self.max_isl_range_km)
        unsure = ~(reach < bound * (1.0 - 1e-9) - 1e-6) | blocked

        inter = np.full((self.n_sats, 2), -1, dtype=np.int64)
        dist_out = np.full((self.n_sats, 2), np.inf)
        inter[i, side] = np.where(np.isfinite(best), best_j, -1)
        dist_out[i, side] = best
        if unsure.any():
            i, side = i[unsure], side[unsure]
            inter[i, side], dist_out[i, side] = self._scan_planes(xyz, finite, i, q[unsure])
        return inter, dist_out

    def at_rows(self, positions_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`at` for many instants at once: ``positions_km`` ``(n_sats, n_rows, 3)`` gives
        ``inter`` ``(n_rows, n_sats, 2)`` and its distances. Small constellations are scanned in
        one vectorised pass (the same arithmetic as :meth:`at`, so the same answers); larger ones
        call :meth:`at` row by row."""
        pos = np.asarray(positions_km, dtype=np.float64)
        if pos.ndim != 3 or pos.shape[0] != self.n_sats or pos.shape[2] != 3:
            raise ValueError(f"positions_km must have shape ({self.n_sats}, n_rows, 3), got {pos.shape}")
        n_rows = pos.shape[1]
        if self.n_sats * self._members.shape[1] > _SCAN_ALL_BELOW:
            rows = [self.at(pos[:, r]) for r in range(n_rows)]
            return np.stack([r[0] for r in rows]), np.stack([r[1] for r in rows])
        finite = np.isfinite(pos).all(axis=2).T  # (n_rows, n_sats)
        xyz = np.where(finite.T[..., None], pos, 0.0).transpose(2, 1, 0)  # (3, n_rows, n_sats)
        inter = np.full((n_rows, self.n_sats, 2), -1, dtype=np.int64)
        dist_out = np.full((n_rows, self.n_sats, 2), np.inf)
        i, side = np.nonzero(self._adjacent_of_sat >= 0)
        if i.size == 0:
            return inter, dist_out
        cand = self._members[self._adjacent_of_sat[i, side]]  # (n_q, largest plane)
        c0 = np.maximum(cand, 0)
        p1 = xyz[:, :, i, None]
        dist = self._link_dist_km(p1, xyz[:, :, c0] - p1)  # (n_rows, n_q, largest plane)
        dist[(cand < 0)[None] | ~finite[:, c0]] = np.inf
        k = np.argmin(dist, axis=2)
        best = np.take_along_axis(dist, k[..., None], axis=2)[..., 0]
        ok = np.isfinite(best) & finite[:, i]
        inter[:, i, side] = np.where(ok, cand[np.arange(i.size), k], -1)
        dist_out[:, i, side] = np.where(finite[:, i], best, np.inf)
        return inter, dist_out

    def intra_visible_rows(self, positions_km: np.ndarray) -> np.ndarray:
        """:meth:`intra_visible` for ``(n_sats, n_rows, 3)`` positions: ``(n_rows, n_sats, 2)``."""
        xyz = np.asarray(positions_km, dtype=np.float64).transpose(2, 1, 0)  # (3, n_rows, n_sats)
        p1 = xyz[..., None]
        d = xyz[:, :, np.maximum(self.intra_plane, 0)] - p1
        return (self.intra_plane >= 0)[None] & (self._link_dist_km(p1, d) < np.inf)

    def _scan_planes(self, xyz: np.ndarray, finite: np.ndarray, i: np.ndarray,
                     q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest linkable satellite of plane row ``q`` for each satellite ``i``, testing every
        member of the plane; returns its index (-1 if none) and distance (inf if none)."""
        cand = self._members[q]  # (n, largest plane), padded with -1
        p1 = xyz[:, i, None]
        dist = self._link_dist_km(p1, xyz[:, np.maximum(cand, 0)] - p1)
        dist[(cand < 0) | ~finite[np.maximum(cand, 0)]] = np.inf
        k = np.argmin(dist, axis=1)
        rows = np.arange(k.size)
        best = dist[rows, k]
        return np.where(np.isfinite(best), cand[rows, k], -1), best

    def intra_dist_km(self, positions_km: np.ndarray) -> np.ndarray:
        """Distance to the fore/aft intra-plane neighbour, ``(n_sats, 2)`` (NaN where -1)."""
        _, d = self._intra_offsets(positions_km)
        dist = np.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2])  # as np.linalg.norm
        return np.where(self.intra_plane >= 0, dist, np.nan)

    def intra_visible(self, positions_km: np.ndarray) -> np.ndarray:
        """Whether each intra-plane link is within range with line of sight, ``(n_sats, 2)`` bool."""
        p1, d = self._intra_offsets(positions_km)
        return (self.intra_plane >= 0) & (self._link_dist_km(p1, d) < np.inf)

    def _intra_offsets(self, positions_km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Positions ``(3, n_sats, 1)`` and offsets to the fore/aft neighbours ``(3, n_sats, 2)``."""
        xyz = self._check(positions_km).T
        p1 = xyz[:, :, None]
        return p1, xyz.take(np.maximum(self.intra_plane, 0), axis=1) - p1

    def _plane_frames(self, xyz: np.ndarray) -> np.ndarray:
        """Per plane, orthonormal axes (two in-plane, then the normal) from the positions
        ``xyz`` ``(3, n_sats)``; returns ``(3 axes, 3 components, n_planes)``.

        Any orthonormal frame keeps :meth:`at` exact; a good one (the normal is the axis of
        least spread of the plane's positions) keeps its candidate window small.
        """
        pts = xyz[:, self._by_plane]
        scatter = np.add.reduceat(pts[:, None, :] * pts[None, :, :], self._plane_start, axis=2)
        _, vecs = np.linalg.eigh(np.moveaxis(scatter, 2, 0))  # ascending; columns are vectors
        return np.moveaxis(vecs[:, :, ::-1], 0, 2).transpose(1, 0, 2)

    def _link_dist_km(self, p1: np.ndarray, d: np.ndarray) -> np.ndarray:
        """Length of links ``p1 -> p1 + d`` (components first, ``(3, ...)``, broadcast), inf where
        out of range or without line of sight: :meth:`link_ok`'s arithmetic, on components."""
        dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
        dist = np.sqrt(dd)
        with np.errstate(invalid="ignore", divide="ignore"):
            s = -(p1[0] * d[0] + p1[1] * d[1] + p1[2] * d[2]) / dd
        s = np.where(dd > 0, np.clip(s, 0.0, 1.0), 0.0)
        c = p1 + s * d
        clear = c[0] * c[0] + c[1] * c[1] + c[2] * c[2] >= self.clearance_radius_km**2
        return np.where((dist <= self.max_isl_range_km) & clear, dist, np.inf)
