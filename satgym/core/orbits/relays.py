"""Geostationary data-relay satellites (NASA's TDRSS, China's Tianlian, ESA's EDRS) and their
line of sight to LEO satellites.

A relay satellite is modelled as ideally geostationary: fixed in the Earth-fixed frame at
``GEO_RADIUS_KM`` above its sub-satellite longitude on the equator (station-kept GEO satellites
stay within about +-0.05 deg of their slot, i.e. +-40 km, which is below the accuracy that matters
here). A LEO satellite can use the relay while the straight line between them clears the Earth by
``grazing_altitude_km`` (the relay's antennas point anywhere on the Earth disk and a little beyond:
TDRS single-access antennas cover LEO up to ~ 10 deg off nadir, more than the 8.7 deg the Earth
subtends from GEO plus the 1 deg a 700 km orbit adds).

The clearance test is exact for the WGS84 ellipsoid inflated by ``grazing_altitude_km``: scaling
the z axis by a / b maps the ellipsoid onto a sphere of radius a and straight lines onto straight
lines, so the segment-ellipsoid test becomes a segment-sphere test.

Example:
    >>> import numpy as np
    >>> from satgym.core.orbits.frames import geodetic_to_ecef_km
    >>> relays = GeoRelays(("TL-77E",), np.array([77.0]))
    >>> float(relays.ecef_km()[0, 2])
    0.0
    >>> leo_over_india = geodetic_to_ecef_km(np.array(20.0), np.array(77.0), np.array(600.0))
    >>> leo_far_side = -leo_over_india
    >>> relay_clearance_km(np.stack([leo_over_india, leo_far_side]), relays.ecef_km()).shape
    (2, 1)
    >>> bool(relay_clearance_km(leo_over_india, relays.ecef_km())[0] > 0)
    True
    >>> bool(relay_clearance_km(leo_far_side, relays.ecef_km())[0] > 0)
    False
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .frames import WGS84_A_KM, WGS84_B_KM
from .geometry import pair_elevation_range

__all__ = ["GEO_RADIUS_KM", "GeoRelays", "relay_clearance_km", "relay_windows"]

GEO_RADIUS_KM = 42_164.17  # geostationary radius (sidereal day, GM = 398600.4418 km^3/s^2)


@dataclass(frozen=True, eq=False)
class GeoRelays:
    """Named geostationary relay satellites at the given sub-satellite longitudes (deg)."""

    names: tuple[str, ...]
    lon_deg: np.ndarray

    def __post_init__(self) -> None:
        names = tuple(self.names)
        lon = np.array(self.lon_deg, dtype=np.float64).reshape(-1)
        if lon.shape != (len(names),):
            raise ValueError(f"lon_deg must have one entry per relay ({len(names)}), got {lon.shape}")
        if not np.all(np.isfinite(lon)):
            raise ValueError("lon_deg must be finite")
        lon = np.mod(lon + 180.0, 360.0) - 180.0
        lon.setflags(write=False)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "lon_deg", lon)

    @property
    def n_relays(self) -> int:
        return len(self.names)

    def ecef_km(self) -> np.ndarray:
        """Earth-fixed positions ``(n_relays, 3)`` (fixed: geostationary)."""
        lon = np.deg2rad(self.lon_deg)
        return np.stack([GEO_RADIUS_KM * np.cos(lon), GEO_RADIUS_KM * np.sin(lon), np.zeros_like(lon)], axis=-1)

    def feeder_look(self, station_ecef_km: np.ndarray, station_up: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Elevation (deg) and range (km) of each relay from its feeder station (arrays ``(n_relays, 3)``)."""
        el, rng = pair_elevation_range(self.ecef_km(), station_ecef_km, station_up)
        return el, rng


def relay_clearance_km(leo_ecef_km: np.ndarray, relay_ecef_km: np.ndarray) -> np.ndarray:
    """How far the LEO-relay line passes above the WGS84 ellipsoid, in km (negative: blocked).

    ``leo_ecef_km`` ``(..., 3)`` and ``relay_ecef_km`` ``(n_relays, 3)`` give ``(..., n_relays)``.
    Measured in the frame where the ellipsoid is a sphere of radius a (z scaled by a / b), so the
    sign is exact and the magnitude is the height of the closest point to within the flattening
    (0.3 %). NaN positions (failed propagation) give NaN.
    """
    scale = np.array([1.0, 1.0, WGS84_A_KM / WGS84_B_KM])
    p = np.asarray(leo_ecef_km, dtype=np.float64)[..., None, :] * scale
    q = np.asarray(relay_ecef_km, dtype=np.float64) * scale
    d = q - p
    dd = np.einsum("...k,...k->...", d, d)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip(-np.einsum("...k,...k->...", p, d) / dd, 0.0, 1.0)
    closest = p + s[..., None] * d
    return np.sqrt(np.einsum("...k,...k->...", closest, closest)) - WGS84_A_KM


def relay_windows(clearance_km: np.ndarray, times_s: np.ndarray, grazing_altitude_km: float
                  ) -> dict[str, np.ndarray]:
    """Visibility windows from clearances sampled on a time grid.

    ``clearance_km`` is ``(n_sats, n_times, n_relays)`` on the increasing grid ``times_s``; a
    relay is usable while the clearance is at least ``grazing_altitude_km``. Window edges are
    interpolated linearly between grid points (start 0 / end at the last grid time if already
    open / still open there). Returns arrays ``sat``, ``relay``, ``start_s``, ``end_s`` sorted by
    (sat, relay, start).
    """
    c = np.nan_to_num(np.asarray(clearance_km, dtype=np.float64) - grazing_altitude_km, nan=-1.0)
    n_sats, n_t, n_r = c.shape
    up = c >= 0.0
    pad = np.zeros((n_sats, 1, n_r), dtype=bool)
    edges = np.diff(np.concatenate([pad, up, pad], axis=1).astype(np.int8), axis=1)
    s_sat, s_row, s_rel = np.nonzero(edges == 1)   # first visible row
    e_sat, e_row, e_rel = np.nonzero(edges == -1)  # first row after the window
    order_s = np.lexsort((s_row, s_rel, s_sat))
    order_e = np.lexsort((e_row, e_rel, e_sat))
    s_sat, s_row, s_rel = s_sat[order_s], s_row[order_s], s_rel[order_s]
    e_row = e_row[order_e]

    def crossing(row_before: np.ndarray, row_after: np.ndarray, sat: np.ndarray, rel: np.ndarray) -> np.ndarray:
        c0, c1 = c[sat, row_before, rel], c[sat, row_after, rel]
        t0, t1 = times_s[row_before], times_s[row_after]
        with np.errstate(invalid="ignore", divide="ignore"):
            f = np.where(c1 != c0, -c0 / (c1 - c0), 0.0)
        return t0 + np.clip(f, 0.0, 1.0) * (t1 - t0)

    start = np.where(s_row == 0, times_s[0],
                     crossing(np.maximum(s_row - 1, 0), s_row, s_sat, s_rel))
    last = e_row - 1
    end = np.where(e_row >= n_t, times_s[-1],
                   crossing(last, np.minimum(e_row, n_t - 1), s_sat, s_rel))
    return {"sat": s_sat.astype(np.int64), "relay": s_rel.astype(np.int64), "start_s": start, "end_s": end}
