"""Orbital-plane inference and in-plane ordering for loaded element sets.

TLE epochs in one CelesTrak group differ by days and a Starlink node regresses by about
-4.5 deg/day, so right ascensions of the ascending node (RAAN) are first brought to a common
epoch with the J2 secular rate (:func:`nodal_regression_deg_per_day`). Satellites are then
grouped into inclination shells (single-linkage on inclination) and, inside a shell, into planes
(circular single-linkage on RAAN). Groups smaller than ``min_plane_size`` (drifting spares,
satellites being raised) are merged into the plane whose orbit normal is closest, if it is
within ``MAX_MERGE_DEG``; otherwise they stay planes of their own.

Example:
    >>> import numpy as np
    >>> shell, plane = infer_planes(np.array([53.0, 53.0, 53.0, 53.0]),
    ...                             np.array([95.0, 94.2, 359.9, 0.3]), min_plane_size=1)
    >>> plane.tolist(), shell.tolist()
    ([1, 1, 0, 0], [0, 0, 0, 0])
"""

from __future__ import annotations

import numpy as np

from .frames import WGS72_J2, WGS72_MU_KM3_S2, WGS72_RADIUS_KM

__all__ = ["nodal_regression_deg_per_day", "infer_planes", "slots_from_arg_latitude", "sun_synchronous_inclination_deg"]

MAX_MERGE_DEG = 20.0  # a small group farther than this (orbit-normal angle) from every plane stays alone


def nodal_regression_deg_per_day(
    semi_major_axis_km: np.ndarray | float,
    inclination_deg: np.ndarray | float,
    eccentricity: np.ndarray | float = 0.0,
) -> np.ndarray:
    """J2 secular RAAN rate dOmega/dt = -3/2 n J2 (R/p)^2 cos i, in deg/day (WGS72 constants).

    >>> round(float(nodal_regression_deg_per_day(6928.137, 53.0)), 2)
    -4.49
    """
    a = np.asarray(semi_major_axis_km, dtype=float)
    n_rad_s = np.sqrt(WGS72_MU_KM3_S2 / a**3)
    p = a * (1.0 - np.asarray(eccentricity, dtype=float) ** 2)
    rate = -1.5 * n_rad_s * WGS72_J2 * (WGS72_RADIUS_KM / p) ** 2 * np.cos(np.deg2rad(inclination_deg))
    return np.rad2deg(rate) * 86400.0


SUN_RAAN_DEG_PER_DAY = 360.0 / 365.2422  # the mean Sun's motion in right ascension


def sun_synchronous_inclination_deg(altitude_km: np.ndarray | float) -> np.ndarray:
    """Inclination of a circular sun-synchronous orbit: the J2 nodal regression equals the
    mean Sun's motion, cos i = -(dOmega/dt)_sun / (3/2 n J2 (R/a)^2) (WGS72 constants).

    >>> [round(float(x), 2) for x in sun_synchronous_inclination_deg([500.0, 700.0])]
    [97.4, 98.19]
    """
    a = WGS72_RADIUS_KM + np.asarray(altitude_km, dtype=float)
    n_rad_s = np.sqrt(WGS72_MU_KM3_S2 / a**3)
    sun_rad_s = np.deg2rad(SUN_RAAN_DEG_PER_DAY) / 86400.0
    cos_i = -sun_rad_s / (1.5 * n_rad_s * WGS72_J2 * (WGS72_RADIUS_KM / a) ** 2)
    return np.rad2deg(np.arccos(cos_i))


def _linear_clusters(values: np.ndarray, tolerance: float) -> np.ndarray:
    """Single-linkage 1-D clusters: labels ordered by value; a gap > tolerance starts a new one."""
    order = np.argsort(values, kind="stable")
    breaks = np.r_[0, np.diff(values[order]) > tolerance].astype(int)
    labels = np.empty(values.size, dtype=np.int64)
    labels[order] = np.cumsum(breaks)
    return labels


def _circular_clusters(angles_deg: np.ndarray, tolerance: float) -> np.ndarray:
    """Single-linkage clusters on the circle (degrees), labels ordered by angle from the widest gap."""
    a = np.mod(angles_deg, 360.0)
    order = np.argsort(a, kind="stable")
    sorted_a = a[order]
    gaps = np.diff(np.r_[sorted_a, sorted_a[0] + 360.0])
    if gaps.size == 1 or np.all(gaps <= tolerance):
        return np.zeros(a.size, dtype=np.int64)
    start = (int(np.argmax(gaps)) + 1) % a.size  # the widest gap always separates clusters
    rolled = np.roll(order, -start)
    breaks = np.r_[0, np.roll(gaps, -start)[:-1] > tolerance].astype(int)
    labels = np.empty(a.size, dtype=np.int64)
    labels[rolled] = np.cumsum(breaks)
    return labels


def _orbit_normals(inclination_deg: np.ndarray, raan_deg: np.ndarray) -> np.ndarray:
    i, o = np.deg2rad(inclination_deg), np.deg2rad(raan_deg)
    return np.stack((np.sin(i) * np.sin(o), -np.sin(i) * np.cos(o), np.cos(i)), axis=-1)


def _circular_mean_deg(angles_deg: np.ndarray) -> float:
    r = np.deg2rad(angles_deg)
    return float(np.mod(np.rad2deg(np.arctan2(np.sin(r).mean(), np.cos(r).mean())), 360.0))


def infer_planes(
    inclination_deg: np.ndarray,
    raan_deg: np.ndarray,
    *,
    inclination_tolerance_deg: float = 0.05,
    raan_tolerance_deg: float = 1.5,
    min_plane_size: int = 3,
) -> tuple[np.ndarray, np.ndarray]:
    """Group satellites into ``(shell, plane)`` labels (int arrays of shape ``(n_sats,)``).

    ``raan_deg`` must already refer to one common epoch. Planes are numbered by (shell mean
    inclination, plane mean RAAN); shells by mean inclination.
    """
    inc = np.asarray(inclination_deg, dtype=float)
    raan = np.mod(np.asarray(raan_deg, dtype=float), 360.0)
    if inc.shape != raan.shape or inc.ndim != 1:
        raise ValueError("inclination_deg and raan_deg must be 1-D arrays of the same length")
    if inclination_tolerance_deg <= 0 or raan_tolerance_deg <= 0:
        raise ValueError("inclination_tolerance_deg and raan_tolerance_deg must be > 0")
    if min_plane_size < 1:
        raise ValueError(f"min_plane_size must be >= 1, got {min_plane_size}")
    shell0 = _linear_clusters(inc, inclination_tolerance_deg)
    group = np.empty(inc.size, dtype=np.int64)
    n_groups = 0
    for s in range(int(shell0.max()) + 1 if inc.size else 0):
        members = np.flatnonzero(shell0 == s)
        group[members] = _circular_clusters(raan[members], raan_tolerance_deg) + n_groups
        n_groups = int(group[members].max()) + 1
    sizes = np.bincount(group, minlength=n_groups)
    big = np.flatnonzero(sizes >= min_plane_size)
    if big.size and big.size < n_groups:  # merge small groups into the nearest big plane
        normals = _orbit_normals(inc, raan)
        centre = np.stack([normals[group == g].mean(axis=0) for g in big])
        small = ~np.isin(group, big)
        centre /= np.linalg.norm(centre, axis=1, keepdims=True)
        cos_angle = normals[small] @ centre.T
        nearest = np.argmax(cos_angle, axis=1)
        close = cos_angle[np.arange(nearest.size), nearest] >= np.cos(np.deg2rad(MAX_MERGE_DEG))
        idx_small = np.flatnonzero(small)
        group[idx_small[close]] = big[nearest[close]]
    # renumber: shells by mean inclination, planes by (shell, mean RAAN)
    labels = np.unique(group)
    g_inc = np.array([inc[group == g].mean() for g in labels])
    g_raan = np.array([_circular_mean_deg(raan[group == g]) for g in labels])
    g_shell = _linear_clusters(g_inc, inclination_tolerance_deg) if labels.size else g_inc
    order = np.lexsort((g_raan, g_shell))
    plane_of_label = np.empty(labels.size, dtype=np.int64)
    plane_of_label[order] = np.arange(labels.size)
    idx = np.searchsorted(labels, group)
    return g_shell.astype(np.int64)[idx], plane_of_label[idx]


def slots_from_arg_latitude(plane: np.ndarray, arg_latitude_deg: np.ndarray) -> np.ndarray:
    """Rank satellites inside each plane by argument of latitude (0 = smallest), ``(n_sats,)`` int."""
    order = np.lexsort((np.mod(arg_latitude_deg, 360.0), plane))
    sorted_plane = plane[order]
    first = np.r_[0, np.flatnonzero(np.diff(sorted_plane)) + 1]
    starts = np.repeat(first, np.diff(np.r_[first, plane.size]))
    slot = np.empty(plane.size, dtype=np.int64)
    slot[order] = np.arange(plane.size) - starts
    return slot
