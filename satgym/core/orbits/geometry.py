"""Satellite-to-ground look angles (azimuth, elevation, slant range), broadcasting over satellites/times.

Elevation is measured above the local WGS84 tangent plane (geodetic normal), as skyfield's
``(sat - topos).at(t).altaz()`` does (no refraction).

Example:
    >>> import numpy as np
    >>> from satgym.core.orbits import MIYUN
    >>> overhead = MIYUN.ecef_km() + 550.0 * MIYUN.up()     # 550 km above Miyun
    >>> elevation_deg(overhead, MIYUN).round(6).tolist(), slant_range_km(overhead, MIYUN).round(6).tolist()
    ([[90.0]], [[550.0]])
"""

from __future__ import annotations

import numpy as np

from .ground import GroundStations

__all__ = ["elevation_deg", "slant_range_km", "look_angles", "pair_elevation_range"]


def pair_elevation_range(
    sat_ecef_km: np.ndarray, station_ecef_km: np.ndarray, station_up: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Elementwise (broadcast) elevation (deg) and range (km) for matching satellite/station rows."""
    d = sat_ecef_km - station_ecef_km
    up = np.einsum("...k,...k->...", d, station_up)
    range2 = np.einsum("...k,...k->...", d, d)
    horizontal = np.sqrt(np.maximum(range2 - up * up, 0.0))
    return np.rad2deg(np.arctan2(up, horizontal)), np.sqrt(range2)


def look_angles(
    sat_ecef_km: np.ndarray, stations: GroundStations
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Azimuth (deg from north, clockwise, [0, 360)), elevation (deg) and range (km).

    ``sat_ecef_km`` has shape ``(..., 3)``; each output has shape ``(..., n_stations)``.
    """
    sat = np.asarray(sat_ecef_km, dtype=float)[..., None, :]
    lat, lon = np.deg2rad(stations.lat_deg), np.deg2rad(stations.lon_deg)
    d = sat - stations.ecef_km()
    east = np.stack((-np.sin(lon), np.cos(lon), np.zeros_like(lon)), axis=-1)
    north = np.stack((-np.sin(lat) * np.cos(lon), -np.sin(lat) * np.sin(lon), np.cos(lat)), axis=-1)
    el, rng = pair_elevation_range(sat, stations.ecef_km(), stations.up())
    az = np.mod(np.rad2deg(np.arctan2((d * east).sum(-1), (d * north).sum(-1))), 360.0)
    return az, el, rng


def elevation_deg(sat_ecef_km: np.ndarray, stations: GroundStations) -> np.ndarray:
    """Elevation above each station's horizon, ``(..., 3)`` -> ``(..., n_stations)``."""
    sat = np.asarray(sat_ecef_km, dtype=float)[..., None, :]
    return pair_elevation_range(sat, stations.ecef_km(), stations.up())[0]


def slant_range_km(sat_ecef_km: np.ndarray, stations: GroundStations) -> np.ndarray:
    """Distance satellite-station, ``(..., 3)`` -> ``(..., n_stations)``."""
    sat = np.asarray(sat_ecef_km, dtype=float)[..., None, :]
    return np.linalg.norm(sat - stations.ecef_km(), axis=-1)
