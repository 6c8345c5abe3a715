"""Time scales, Earth models and frame rotations (TEME -> ITRS, geodetic <-> ECEF).

Conventions: km, seconds, degrees at the API; radians inside. Times are timezone-aware UTC
``datetime`` objects or (jd, fr) Julian-date pairs as used by :mod:`sgp4`.

TEME -> ITRS is the rotation about z by GMST (IAU-82, Vallado's ``gstime``) evaluated with
UT1 = UTC; polar motion is ignored. |UT1-UTC| < 0.9 s moves a LEO ground track by at most
~0.42 km (Earth's surface speed 0.465 km/s); for 2024 epochs |UT1-UTC| < 0.1 s, i.e. < 50 m.
Ignoring polar motion (< 0.5 arcsec) costs < 20 m.

Example:
    >>> from datetime import datetime, timezone
    >>> jd, fr = julian_date(datetime(2000, 1, 1, 12, tzinfo=timezone.utc))
    >>> round(jd + fr, 6)
    2451545.0
"""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
from sgp4.api import jday

__all__ = [
    "WGS72_MU_KM3_S2",
    "WGS72_RADIUS_KM",
    "WGS84_A_KM",
    "WGS84_F",
    "EARTH_ROTATION_RAD_S",
    "as_utc",
    "julian_date",
    "gmst_rad",
    "teme_to_ecef_km",
    "geodetic_to_ecef_km",
    "geodetic_up",
    "ecef_to_geodetic",
]

WGS72_MU_KM3_S2 = 398600.8  # gravitational parameter used by SGP4 (WGS72)
WGS72_RADIUS_KM = 6378.135
WGS72_J2 = 0.001082616
WGS84_A_KM = 6378.137
WGS84_F = 1.0 / 298.257223563
WGS84_B_KM = WGS84_A_KM * (1.0 - WGS84_F)
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
EARTH_ROTATION_RAD_S = 7.292115146706979e-5


def as_utc(when: datetime, field: str = "start_utc") -> datetime:
    """Return ``when`` in UTC; a naive datetime raises ``ValueError`` naming ``field``."""
    if not isinstance(when, datetime):
        raise ValueError(f"{field} must be a datetime, got {type(when).__name__}")
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError(f"{field} must be timezone-aware (UTC), got naive {when!r}")
    return when.astimezone(timezone.utc)


def julian_date(when: datetime) -> tuple[float, float]:
    """Split Julian date ``(jd, fr)`` of an aware datetime, as :func:`sgp4.api.jday`."""
    t = as_utc(when, "datetime")
    seconds = t.second + t.microsecond * 1e-6
    return jday(t.year, t.month, t.day, t.hour, t.minute, seconds)


def gmst_rad(jd: np.ndarray | float, fr: np.ndarray | float) -> np.ndarray:
    """Greenwich mean sidereal time (IAU-82) in radians for UT1 Julian date ``jd + fr``."""
    t_ut1 = ((np.asarray(jd, dtype=float) - 2451545.0) + np.asarray(fr, dtype=float)) / 36525.0
    gmst_s = (
        -6.2e-6 * t_ut1**3
        + 0.093104 * t_ut1**2
        + (876600.0 * 3600.0 + 8640184.812866) * t_ut1
        + 67310.54841
    )
    return np.mod(np.deg2rad(gmst_s / 240.0), 2.0 * np.pi)


def teme_to_ecef_km(r_teme_km: np.ndarray, gmst: np.ndarray) -> np.ndarray:
    """Rotate TEME positions ``(..., n_times, 3)`` to Earth-fixed with GMST ``(n_times,)``."""
    c, s = np.cos(gmst), np.sin(gmst)
    x, y, z = r_teme_km[..., 0], r_teme_km[..., 1], r_teme_km[..., 2]
    return np.stack((c * x + s * y, -s * x + c * y, z), axis=-1)


def geodetic_to_ecef_km(lat_deg: np.ndarray, lon_deg: np.ndarray, alt_km: np.ndarray) -> np.ndarray:
    """WGS84 geodetic coordinates to Earth-fixed Cartesian km, shape ``(..., 3)``."""
    lat, lon = np.deg2rad(lat_deg), np.deg2rad(lon_deg)
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * np.sin(lat) ** 2)
    return np.stack(
        (
            (n + alt_km) * np.cos(lat) * np.cos(lon),
            (n + alt_km) * np.cos(lat) * np.sin(lon),
            (n * (1.0 - WGS84_E2) + alt_km) * np.sin(lat),
        ),
        axis=-1,
    )


def geodetic_up(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    """Unit ellipsoid normal (local 'up') at geodetic latitude/longitude, shape ``(..., 3)``."""
    lat, lon = np.deg2rad(lat_deg), np.deg2rad(lon_deg)
    return np.stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)), axis=-1)


def ecef_to_geodetic(ecef_km: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Earth-fixed km ``(..., 3)`` to WGS84 ``(lat_deg, lon_deg, alt_km)`` (Bowring, 3 iterations)."""
    x, y, z = ecef_km[..., 0], ecef_km[..., 1], ecef_km[..., 2]
    p = np.hypot(x, y)
    lat = np.arctan2(z, p * (1.0 - WGS84_E2))
    for _ in range(3):
        n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * np.sin(lat) ** 2)
        alt = p / np.maximum(np.cos(lat), 1e-12) - n
        lat = np.arctan2(z, p * (1.0 - WGS84_E2 * n / (n + alt)))
    n = WGS84_A_KM / np.sqrt(1.0 - WGS84_E2 * np.sin(lat) ** 2)
    alt = np.where(
        np.abs(np.cos(lat)) > 1e-6,
        p / np.maximum(np.abs(np.cos(lat)), 1e-12) - n,
        np.abs(z) - WGS84_B_KM,
    )
    return np.rad2deg(lat), np.rad2deg(np.arctan2(y, x)), alt
