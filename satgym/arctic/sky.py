"""What the users see at a slot: every satellite's position, and for the active users the elevation,
range and visibility window ``(v_start, v_end)`` (Sec. III) of each satellite near the site.

Per slot, all satellites are propagated once (SGP4, :class:`~satgym.arctic.fleet.Fleet`); the
*region* is the satellites whose elevation seen from the site centre is within a margin of the
threshold (a user up to ``users.radius_km`` away, or the satellite's motion over the deadline,
cannot change the elevation by more), and only they are propagated over the deadline horizon on
the ``visibility.sample_s`` grid. Windows are relative to the slot start and found by
:func:`satgym.core.visibility.visibility_windows_s`; ranges are those at the slot start.

>>> from satgym.arctic.presets import make_config
>>> from satgym.arctic.fleet import Fleet
>>> cfg = make_config("arctic")
>>> sky = Sky(Fleet.build(cfg), cfg)
>>> sky.reset(np.random.default_rng(0))
>>> geo = sky.at(60.0, np.array([3, 17]))
>>> geo.elevation_deg.shape == geo.v_start_s.shape == (2, geo.region.size)
True
>>> bool(np.all((geo.elevation_deg >= 25.0) == (geo.v_start_s == 0.0)))   # visible now <=> window open at 0
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from satgym.arctic.codes import KIND_CODES
from satgym.arctic.config import ArcticConfig, parse_epoch
from satgym.arctic.fleet import Fleet
from satgym.core.orbits.frames import WGS72_MU_KM3_S2, WGS84_A_KM, geodetic_to_ecef_km, geodetic_up
from satgym.core.orbits.geometry import pair_elevation_range
from satgym.core.placement import points_in_disc
from satgym.core.visibility import visibility_windows_s

__all__ = ["SlotGeometry", "Sky"]


@dataclass(frozen=True)
class SlotGeometry:
    """Geometry of one slot. ``region`` indexes the fleet; per-user arrays are ``(n_active, n_region)``."""

    time_s: float
    positions_km: np.ndarray  # (n_sats, 3), every satellite at the slot start
    region: np.ndarray
    elevation_deg: np.ndarray
    range_km: np.ndarray
    v_start_s: np.ndarray
    v_end_s: np.ndarray


class Sky:
    """Users around the site and the geometry of each slot (positions cached per slot time)."""

    def __init__(self, fleet: Fleet, cfg: ArcticConfig) -> None:
        self.fleet, self.cfg = fleet, cfg
        self.threshold_deg = cfg.visibility.min_elevation_deg
        self.sample_times_s = np.arange(0.0, cfg.horizon_s + 1e-9, cfg.visibility.sample_s)
        u = cfg.users
        self.site_ecef_km = geodetic_to_ecef_km(u.site_lat_deg, u.site_lon_deg, u.site_alt_km)
        self.site_up = geodetic_up(u.site_lat_deg, u.site_lon_deg)
        self.margin_deg = self._margin_deg()
        self.start_utc: datetime = parse_epoch(cfg.episode.epoch_utc)
        self.user_lat_deg = np.zeros(u.count)
        self.user_lon_deg = np.zeros(u.count)
        self.user_ecef_km = np.zeros((u.count, 3))
        self.user_up = np.zeros((u.count, 3))
        self._cache: tuple[float, np.ndarray] | None = None

    def _margin_deg(self) -> float:
        """Largest elevation difference between the site centre at the slot start and a user at any
        time of the horizon: a ground offset D tilts the horizon by D / R_E and moves the satellite's
        direction by at most D / h_min; the satellite's own angular rate is at most v / h_min."""
        h = max(self.fleet.min_altitude_km, 100.0)
        d = self.cfg.users.radius_km
        v = np.sqrt(WGS72_MU_KM3_S2 / (WGS84_A_KM + h))
        return float(np.rad2deg(d / h + d / WGS84_A_KM + v / h * self.cfg.horizon_s)) + 0.5

    def reset(self, rng: np.random.Generator, start_utc: datetime | None = None) -> None:
        """Place the users (uniform by area within ``users.radius_km``) and set the episode start."""
        u = self.cfg.users
        self.user_lat_deg, self.user_lon_deg = points_in_disc(rng, u.site_lat_deg, u.site_lon_deg, u.radius_km, u.count)
        self.user_ecef_km = geodetic_to_ecef_km(self.user_lat_deg, self.user_lon_deg, np.full(u.count, u.site_alt_km))
        self.user_up = geodetic_up(self.user_lat_deg, self.user_lon_deg)
        if start_utc is not None:
            self.start_utc = start_utc
        self._cache = None

    def positions_km(self, time_s: float) -> np.ndarray:
        """Every satellite's position at ``time_s`` after the episode start, ``(n_sats, 3)``."""
        if self._cache is None or self._cache[0] != time_s:
            self._cache = (time_s, self.fleet.positions_km(self.start_utc, np.array([time_s]))[:, 0])
        return self._cache[1]

    def site_elevation_deg(self, positions_km: np.ndarray) -> np.ndarray:
        return pair_elevation_range(positions_km, self.site_ecef_km, self.site_up)[0]

    def at(self, time_s: float, active: np.ndarray) -> SlotGeometry:
        """Geometry of the slot starting at ``time_s`` for the ``active`` users (indices)."""
        pos = self.positions_km(time_s)
        region = np.flatnonzero(self.site_elevation_deg(pos) >= self.threshold_deg - self.margin_deg)
        later = self.fleet.positions_km(self.start_utc + timedelta(seconds=time_s), self.sample_times_s[1:], region)
        track = np.concatenate([pos[region][:, None, :], later], axis=1)  # (n_region, n_samples, 3)
        el, rng = pair_elevation_range(track[None, :, :, :], self.user_ecef_km[active][:, None, None, :],
                                       self.user_up[active][:, None, None, :])
        start, end = visibility_windows_s(el, self.sample_times_s, self.threshold_deg)
        return SlotGeometry(time_s=time_s, positions_km=pos, region=region, elevation_deg=el[..., 0],
                            range_km=rng[..., 0], v_start_s=start, v_end_s=end)

    def visible_counts(self, geo: SlotGeometry) -> np.ndarray:
        """Satellites of each kind (columns in :data:`KIND_CODES` order) at or above the threshold
        now, for each active user of ``geo``: ``(n_active, n_kinds)`` (only region satellites can be)."""
        seen = geo.v_start_s == 0.0
        kind = self.fleet.kind[geo.region]
        return np.stack([seen[:, kind == k].sum(axis=1) for k in KIND_CODES.values()], axis=1)
