"""Random placement of ground points (users, terminals) around a site.

:func:`points_in_disc` draws points uniformly by area within a great-circle radius of a site: the
distance is ``radius sqrt(U)``, the bearing uniform, and the point is the destination along that
great circle on a sphere of the WGS84 mean radius (for radii of a few hundred km the difference
from the ellipsoid is metres, far below what a user's position changes).

>>> import numpy as np
>>> lat, lon = points_in_disc(np.random.default_rng(2), 62.0, -77.5, 50.0, 20_000)
>>> d = great_circle_km(62.0, -77.5, lat, lon)
>>> bool(d.max() <= 50.0), round(float(np.mean(d <= 25.0)), 2)     # a quarter of the area inside half the radius
(True, 0.25)
"""

from __future__ import annotations

import numpy as np

__all__ = ["MEAN_EARTH_RADIUS_KM", "great_circle_km", "points_in_disc"]

MEAN_EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius of the WGS84 ellipsoid


def great_circle_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Great-circle distance (haversine) on the mean-radius sphere, km."""
    p1, p2 = np.deg2rad(lat1_deg), np.deg2rad(lat2_deg)
    dl = np.deg2rad(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * MEAN_EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def points_in_disc(rng: np.random.Generator, lat_deg: float, lon_deg: float, radius_km: float,
                   n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform by area within ``radius_km`` of ``(lat_deg, lon_deg)``: ``(lat, lon)`` in
    degrees, longitudes in [-180, 180)."""
    if radius_km < 0:
        raise ValueError(f"radius_km: must be >= 0, got {radius_km!r}")
    dist = radius_km * np.sqrt(rng.random(n)) / MEAN_EARTH_RADIUS_KM  # angular distance
    bearing = rng.random(n) * 2.0 * np.pi
    p0, l0 = np.deg2rad(lat_deg), np.deg2rad(lon_deg)
    p = np.arcsin(np.sin(p0) * np.cos(dist) + np.cos(p0) * np.sin(dist) * np.cos(bearing))
    lam = l0 + np.arctan2(np.sin(bearing) * np.sin(dist) * np.cos(p0), np.cos(dist) - np.sin(p0) * np.sin(p))
    return np.rad2deg(p), (np.rad2deg(lam) + 180.0) % 360.0 - 180.0
