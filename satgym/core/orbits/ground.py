"""Ground stations on the WGS84 ellipsoid, the shipped station lists and the Miyun station.

Example:
    >>> gs = GroundStations.concat(MIYUN, load_cities(3))
    >>> gs.names
    ('Miyun', 'Tokyo', 'Delhi', 'Shanghai')
    >>> gs.ecef_km().shape
    (4, 3)
    >>> load_starlink_gateways().n_stations, load_starlink_gateways(unique=False).n_stations
    (222, 261)
"""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .data import data_path
from .frames import geodetic_to_ecef_km, geodetic_up

__all__ = ["GroundStations", "load_cities", "load_starlink_gateways", "MIYUN"]


@dataclass(frozen=True, eq=False)
class GroundStations:
    """Named sites with WGS84 geodetic latitude/longitude (deg) and height above the ellipsoid (km).

    Arrays are read-only with shape ``(n_stations,)``; longitudes are wrapped into [-180, 180).
    """

    names: tuple[str, ...]
    lat_deg: np.ndarray
    lon_deg: np.ndarray
    alt_km: np.ndarray

    def __post_init__(self) -> None:
        names = tuple(self.names)
        n = len(names)
        if n == 0:
            raise ValueError("names: at least one ground station is required")
        if not all(isinstance(x, str) for x in names):
            raise ValueError("names must be strings")
        object.__setattr__(self, "names", names)
        for field in ("lat_deg", "lon_deg", "alt_km"):
            arr = np.array(getattr(self, field), dtype=np.float64).reshape(-1)
            if arr.shape != (n,):
                raise ValueError(f"{field} must have shape ({n},), got {arr.shape}")
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{field} must be finite")
            if field == "lon_deg":
                arr = np.where((arr < -180.0) | (arr >= 180.0), np.mod(arr + 180.0, 360.0) - 180.0, arr)
            arr.setflags(write=False)
            object.__setattr__(self, field, arr)
        if np.any(np.abs(self.lat_deg) > 90.0):
            raise ValueError("lat_deg must lie in [-90, 90]")
        if np.any((self.alt_km < -1.0) | (self.alt_km > 100.0)):
            raise ValueError("alt_km must lie in [-1, 100] km (it is in km, not m)")

    @property
    def n_stations(self) -> int:
        return len(self.names)

    def ecef_km(self) -> np.ndarray:
        """Earth-fixed (ITRS) positions, shape ``(n_stations, 3)``."""
        return geodetic_to_ecef_km(self.lat_deg, self.lon_deg, self.alt_km)

    def up(self) -> np.ndarray:
        """Unit ellipsoid normals (local zenith), shape ``(n_stations, 3)``."""
        return geodetic_up(self.lat_deg, self.lon_deg)

    def subset(self, indices: Sequence[int] | np.ndarray | slice) -> GroundStations:
        idx = np.atleast_1d(np.arange(self.n_stations)[indices])
        return GroundStations(tuple(self.names[i] for i in idx), self.lat_deg[idx],
                              self.lon_deg[idx], self.alt_km[idx])

    @classmethod
    def from_list(cls, entries: Iterable[Sequence]) -> GroundStations:
        """From ``(name, lat_deg, lon_deg)`` or ``(name, lat_deg, lon_deg, alt_km)`` tuples.

        >>> GroundStations.from_list([("Kashgar", 39.5, 76.0, 1.3), ("Sanya", 18.3, 109.5)]).alt_km.tolist()
        [1.3, 0.0]
        """
        rows = [tuple(e) for e in entries]
        for row in rows:
            if len(row) not in (3, 4):
                raise ValueError(f"station entry must be (name, lat_deg, lon_deg[, alt_km]), got {row!r}")
        return cls(
            names=tuple(str(r[0]) for r in rows),
            lat_deg=np.array([float(r[1]) for r in rows]),
            lon_deg=np.array([float(r[2]) for r in rows]),
            alt_km=np.array([float(r[3]) if len(r) == 4 else 0.0 for r in rows]),
        )

    @classmethod
    def concat(cls, *groups: GroundStations) -> GroundStations:
        """Stations of all ``groups`` in order."""
        if not groups:
            raise ValueError("concat needs at least one GroundStations")
        return cls(
            names=tuple(n for g in groups for n in g.names),
            lat_deg=np.concatenate([g.lat_deg for g in groups]),
            lon_deg=np.concatenate([g.lon_deg for g in groups]),
            alt_km=np.concatenate([g.alt_km for g in groups]),
        )


MIYUN = GroundStations.from_list([("Miyun", 40.45, 116.86, 0.1)])
"""Miyun ground station near Beijing (40.45 N, 116.86 E, 0.1 km)."""


def load_cities(n: int | None = None) -> GroundStations:
    """The ``n`` most populous cities (Hypatia top-100 list, 2025 estimate; all of them if None)."""
    if n is not None and (int(n) != n or not 1 <= n <= 100):
        raise ValueError(f"n must be an integer in [1, 100] or None, got {n!r}")
    path = data_path("ground_stations/cities-top100.txt")
    with path.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r]
    rows = rows[:n] if n is not None else rows
    return GroundStations.from_list((r[1], r[2], r[3], float(r[4]) / 1000.0) for r in rows)


def load_starlink_gateways(unique: bool = True) -> GroundStations:
    """Starlink gateways from StarPerf's list (261 entries).

    The 39 "Mega" sites appear twice (Ka and E band) at identical coordinates; ``unique=True``
    keeps the first entry per coordinate (222 sites, names = description). With
    ``unique=False`` all 261 entries are kept and names get a ``" [Ka]"``/``" [E]"`` suffix.
    """
    root = ET.parse(data_path("ground_stations/starlink-gateways.xml")).getroot()
    seen: set[tuple[str, str]] = set()
    rows = []
    for gs in root:
        key = (gs.findtext("Latitude", "").strip(), gs.findtext("Longitude", "").strip())
        name = gs.findtext("Description", gs.tag).strip()
        if unique:
            if key in seen:
                continue
            seen.add(key)
        else:
            name = f"{name} [{gs.findtext('Frequency', '?').strip()}]"
        rows.append((name, float(key[0]), float(key[1]), 0.0))
    return GroundStations.from_list(rows)
