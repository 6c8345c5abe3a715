"""Aircraft: flights between real city pairs along great circles, at cruise speed and altitude.

Every flight of an episode is drawn at reset from the episode's RNG: a city pair at least
``min_route_km`` apart (the shipped top-100 city list), where along the route the aircraft is at
the start, a passenger count (triangular on [132, 853], mode 180, Sec. 5.1) and whether it carries
a MEC server (exactly ``round(mec_ratio x count)`` aircraft, the first of a random permutation, so
that with the same seed the MEC aircraft of ratio 0.2 are among those of ratio 0.4 and everything
else is identical). An aircraft that reaches its destination turns around and flies back (the
number of aircraft stays constant however long the episode; with the default 5000 km routes and
4 h episodes most never do).

The route is a great circle on a sphere of the mean Earth radius; its points are flown at the same
geodetic latitude/longitude (a < 0.2 deg difference from the ellipsoid's geodesic).

>>> import numpy as np
>>> from satgym.aamec.config import AircraftConfig
>>> f = draw_flights(AircraftConfig(count=5, mec_ratio=0.4), np.random.default_rng(0))
>>> f.n_aircraft, int(f.has_mec.sum()), bool(np.all(f.route_km >= 5000.0))
(5, 2, True)
>>> lat, lon = f.lat_lon_deg(np.array([0.0, 600.0]))
>>> km = great_circle_km(lat[:, 0], lon[:, 0], lat[:, 1], lon[:, 1])
>>> np.round(km, 3).tolist()                                # ten minutes at 900 km/h
[150.0, 150.0, 150.0, 150.0, 150.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from satgym.aamec.config import AircraftConfig
from satgym.core.orbits import load_cities
from satgym.core.orbits.frames import geodetic_to_ecef_km, geodetic_up

__all__ = ["EARTH_MEAN_RADIUS_KM", "Flights", "draw_flights", "great_circle_km"]

EARTH_MEAN_RADIUS_KM = 6371.0088


def _unit(lat_deg: np.ndarray, lon_deg: np.ndarray) -> np.ndarray:
    lat, lon = np.deg2rad(lat_deg), np.deg2rad(lon_deg)
    return np.stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)), axis=-1)


def great_circle_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance on the mean-radius sphere (km), broadcast.

    >>> round(float(great_circle_km(0.0, 0.0, 0.0, 90.0)), 1)
    10007.6
    """
    a, b = _unit(np.asarray(lat1), np.asarray(lon1)), _unit(np.asarray(lat2), np.asarray(lon2))
    cos = np.clip(np.einsum("...k,...k->...", a, b), -1.0, 1.0)
    sin = np.linalg.norm(np.cross(a, b), axis=-1)
    return EARTH_MEAN_RADIUS_KM * np.arctan2(sin, cos)


@dataclass(frozen=True, eq=False)
class Flights:
    """The aircraft of an episode (arrays of shape ``(n_aircraft,)`` unless noted).

    ``origin_unit``/``heading_unit`` ``(n, 3)``: the origin and the direction of travel there (unit
    vectors on the sphere); ``route_km``: origin-destination distance; ``flown_km``: position along
    the out-and-back cycle ``[0, 2 route_km)`` at the episode start.
    """

    origin: tuple[str, ...]
    destination: tuple[str, ...]
    origin_unit: np.ndarray
    heading_unit: np.ndarray
    route_km: np.ndarray
    flown_km: np.ndarray
    speed_km_s: float
    altitude_km: float
    passengers: np.ndarray
    has_mec: np.ndarray

    @property
    def n_aircraft(self) -> int:
        return int(self.route_km.shape[0])

    def lat_lon_deg(self, times_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Latitude and longitude (deg), ``(n_aircraft, n_times)``, ``times_s`` after the start."""
        cycle = np.mod(self.flown_km[:, None] + np.asarray(times_s, dtype=float)[None, :] * self.speed_km_s,
                       2.0 * self.route_km[:, None])
        along = np.where(cycle > self.route_km[:, None], 2.0 * self.route_km[:, None] - cycle, cycle)  # flying back
        angle = (along / EARTH_MEAN_RADIUS_KM)[..., None]
        p = np.cos(angle) * self.origin_unit[:, None, :] + np.sin(angle) * self.heading_unit[:, None, :]
        return (np.rad2deg(np.arcsin(np.clip(p[..., 2], -1.0, 1.0))), np.rad2deg(np.arctan2(p[..., 1], p[..., 0])))

    def ecef_km(self, times_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Earth-fixed positions and local zenith unit vectors, each ``(n_aircraft, n_times, 3)``."""
        lat, lon = self.lat_lon_deg(times_s)
        return geodetic_to_ecef_km(lat, lon, np.full(lat.shape, self.altitude_km)), geodetic_up(lat, lon)


def draw_flights(cfg: AircraftConfig, rng: np.random.Generator) -> Flights:
    """Draw ``cfg.count`` flights (city pairs at least ``min_route_km`` apart)."""
    cities = load_cities(cfg.cities)
    unit = _unit(cities.lat_deg, cities.lon_deg)
    dist = EARTH_MEAN_RADIUS_KM * np.arccos(np.clip(unit @ unit.T, -1.0, 1.0))
    i, j = np.nonzero(dist >= cfg.min_route_km)
    n = cfg.count
    if n and i.size == 0:
        raise ValueError(f"aircraft.min_route_km: no pair of the {cfg.cities} most populous cities is "
                         f"{cfg.min_route_km:g} km apart")
    pick = rng.integers(0, max(i.size, 1), size=n)
    a, b = unit[i[pick]], unit[j[pick]]
    route = dist[i[pick], j[pick]]
    flown = rng.uniform(0.0, 2.0, size=n) * route
    passengers = np.rint(rng.triangular(cfg.passengers_min, cfg.passengers_mode, cfg.passengers_max, size=n))
    mec = np.zeros(n, dtype=bool)
    mec[rng.permutation(n)[: int(round(cfg.mec_ratio * n))]] = True
    # great circle a -> b: p(s) = cos(s/R) a + sin(s/R) t with t the unit tangent at a towards b
    t = b - np.einsum("ij,ij->i", a, b)[:, None] * a
    t /= np.maximum(np.linalg.norm(t, axis=1, keepdims=True), 1e-300)
    names = cities.names
    return Flights(origin=tuple(names[k] for k in i[pick]), destination=tuple(names[k] for k in j[pick]),
                   origin_unit=a, heading_unit=t, route_km=route, flown_km=flown, speed_km_s=cfg.cruise_speed_kmh / 3600.0,
                   altitude_km=cfg.cruise_altitude_km, passengers=passengers.astype(np.int64), has_mec=mec)
