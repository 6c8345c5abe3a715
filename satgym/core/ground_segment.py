"""The ground segment: access points (ground stations and geostationary data relays), the edge
clusters they are backhauled to, and the per-episode access schedule of every satellite.

A satellite reaches an edge cluster (LBS -> servers -> containers) through an *access point*:

* a **ground station** it sees above the minimum elevation (the contact windows of
  :class:`~satgym.core.orbits.ContactSchedule`), then terrestrial fibre from the station to the
  cluster's site (great-circle distance x ``route_factor`` at ``fibre_km_s``);
* a **geostationary relay** (TDRSS / Tianlian / EDRS) in line of sight, whose feeder link lands at
  one of the segment's stations, then that station's fibre to the cluster. Its one-way delay is
  both radio hops (LEO-GEO and GEO-feeder, at the speed of light) plus the fibre.

Each station belongs to one cluster (``per_station``: every station its own cluster, as in the
Starlink preset; ``shared``: every station backhauled to one cluster). A relay belongs to its
feeder's cluster. While several access points of the satellite's cluster are in view the
satellite hands over between them without losing its connection, so the *connection window*
(T_a of Eq. 27: the time left until the satellite can no longer reach its cluster) is the union of
the windows of the cluster's access points. With one access point per cluster this is exactly the
station's contact window.

Per step the satellite uses a station when one is in view (chosen by the contact schedule's
``selection`` rule: the station whose window ends last, or the highest), otherwise the relay
whose window ends last.

``contact="always"`` is the literal idealisation of the LEOEdge paper's "communication time
92.75-104.56 min" (the orbital period): every satellite is connected at every instant to its
nearest station, with the real (through-the-Earth) distance as the slant range. Never a default.

Example:
    >>> from datetime import datetime, timezone
    >>> import numpy as np
    >>> from satgym.core.orbits import GroundStations, walker_delta
    >>> from satgym.core.orbits.relays import GeoRelays
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> leo = walker_delta(600.0, 97.8, 5, 2, 1, epoch=t0)
    >>> st = GroundStations.from_list([("Miyun", 40.45, 116.86, 0.1), ("Kashi", 39.5, 75.93, 1.3)])
    >>> seg = GroundSegment.build(st, clusters="shared", cluster_site="Miyun",
    ...                           relays=GeoRelays(("TL-77E",), np.array([77.0])), relay_feeders=("Kashi",))
    >>> seg.n_access_points, seg.n_clusters, seg.ap_cluster.tolist()
    (3, 1, [0, 0, 0])
    >>> round(float(seg.ap_delay_s[2]), 3)   # GEO -> Kashi radio hop + Kashi -> Miyun fibre
    0.15
    >>> acc = AccessSchedule.build(leo, seg, t0, step_s=10.0, n_steps=60)
    >>> acc.access.shape, bool((acc.connected == (acc.access >= 0)).all())
    ((60, 10), True)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numba import njit

from satgym.core.constants import SPEED_OF_LIGHT_KM_S
from satgym.core.orbits import ContactSchedule, GroundStations
from satgym.core.orbits.constellation import Constellation
from satgym.core.orbits.contacts import _time_grid
from satgym.core.orbits.relays import GeoRelays, relay_clearance_km, relay_windows

__all__ = ["AccessSchedule", "CONTACT_MODES", "CLUSTER_MODES", "GroundSegment", "great_circle_km"]

MEAN_EARTH_RADIUS_KM = 6371.0088
CONTACT_MODES = ("geometry", "always")
CLUSTER_MODES = ("per_station", "shared")
KIND_STATION, KIND_RELAY = 0, 1


def great_circle_km(lat1_deg, lon1_deg, lat2_deg, lon2_deg) -> np.ndarray:
    """Great-circle distance on the mean Earth sphere (haversine), km."""
    p1, p2 = np.deg2rad(lat1_deg), np.deg2rad(lat2_deg)
    dl = np.deg2rad(np.asarray(lon2_deg) - np.asarray(lon1_deg))
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2.0 * MEAN_EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


@dataclass(frozen=True, eq=False)
class GroundSegment:
    """Static layout: access points (stations first, then relays), clusters and fixed delays.

    Attributes:
        stations: the ground stations.
        relays: the geostationary relays (None: none).
        relay_feeder: ``(n_relays,)`` index of each relay's feeder station.
        station_cluster: ``(n_stations,)`` cluster of each station.
        cluster_site: ``(n_clusters,)`` station index where each cluster stands.
        ap_cluster, ap_kind, ap_delay_s: per access point (stations then relays): its cluster,
            ``KIND_STATION``/``KIND_RELAY``, and the fixed one-way delay from the access point to
            the cluster (fibre; for relays also the GEO-feeder radio hop), s.
        backhaul_km: ``(n_stations,)`` fibre route length from each station to its cluster.
    """

    stations: GroundStations
    relays: GeoRelays | None
    relay_feeder: np.ndarray
    station_cluster: np.ndarray
    cluster_site: np.ndarray
    ap_cluster: np.ndarray
    ap_kind: np.ndarray
    ap_delay_s: np.ndarray
    backhaul_km: np.ndarray
    feeder_elevation_deg: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @classmethod
    def build(cls, stations: GroundStations, clusters: str = "per_station", cluster_site: str = "",
              route_factor: float = 1.5, fibre_km_s: float = 204_000.0, relays: GeoRelays | None = None,
              relay_feeders: tuple[str, ...] = (), feeder_min_elevation_deg: float = 5.0) -> GroundSegment:
        """Lay out the segment; every error names the offending field and the valid values."""
        if clusters not in CLUSTER_MODES:
            raise ValueError(f"ground.clusters: {clusters!r} is not valid; choose one of {', '.join(CLUSTER_MODES)}")
        if not route_factor >= 1.0:
            raise ValueError(f"ground.backhaul_route_factor: must be >= 1 (a fibre route is never shorter "
                             f"than the great circle), got {route_factor}")
        if not fibre_km_s > 0:
            raise ValueError(f"ground.backhaul_fibre_km_s: must be > 0, got {fibre_km_s}")
        names = list(stations.names)
        n_st = len(names)
        if clusters == "per_station":
            if cluster_site:
                raise ValueError("ground.cluster_site: only meaningful with ground.clusters='shared'")
            station_cluster = np.arange(n_st)
            site = np.arange(n_st)
        else:
            site_name = cluster_site or names[0]
            if site_name not in names:
                raise ValueError(f"ground.cluster_site: {site_name!r} is not a station of the scenario; "
                                 f"choose one of {', '.join(names[:20])}")
            station_cluster = np.zeros(n_st, dtype=np.int64)
            site = np.array([names.index(site_name)])
        s_site = site[station_cluster]
        backhaul_km = route_factor * great_circle_km(stations.lat_deg, stations.lon_deg,
                                                     stations.lat_deg[s_site], stations.lon_deg[s_site])
        st_delay = backhaul_km / fibre_km_s
        n_rel = 0 if relays is None else relays.n_relays
        if len(relay_feeders) != n_rel:
            raise ValueError(f"relays.satellites: every relay needs a feeder station ({n_rel} relays, "
                             f"{len(relay_feeders)} feeders)")
        feeder = np.zeros(n_rel, dtype=np.int64)
        feeder_el = np.zeros(n_rel)
        rel_delay = np.zeros(n_rel)
        if n_rel:
            for k, f in enumerate(relay_feeders):
                if f not in names:
                    raise ValueError(f"relays.satellites[{k}].feeder: {f!r} is not a station of the scenario; "
                                     f"choose one of {', '.join(names[:20])}")
                feeder[k] = names.index(f)
            el, rng = relays.feeder_look(stations.ecef_km()[feeder], stations.up()[feeder])
            low = np.flatnonzero(el < feeder_min_elevation_deg)
            if low.size:
                k = int(low[0])
                raise ValueError(
                    f"relays.satellites[{k}].feeder: {names[feeder[k]]!r} sees relay {relays.names[k]!r} "
                    f"(lon {relays.lon_deg[k]:g} deg) at {el[k]:.1f} deg elevation, below "
                    f"relays.feeder_min_elevation_deg={feeder_min_elevation_deg:g}; choose a feeder under the relay")
            feeder_el = el
            rel_delay = rng / SPEED_OF_LIGHT_KM_S + st_delay[feeder]
        arrays = dict(
            relay_feeder=feeder, station_cluster=station_cluster.astype(np.int64),
            cluster_site=site.astype(np.int64),
            ap_cluster=np.concatenate([station_cluster, station_cluster[feeder]]).astype(np.int64),
            ap_kind=np.r_[np.full(n_st, KIND_STATION), np.full(n_rel, KIND_RELAY)].astype(np.int64),
            ap_delay_s=np.concatenate([st_delay, rel_delay]),
            backhaul_km=backhaul_km, feeder_elevation_deg=feeder_el,
        )
        for a in arrays.values():
            a.setflags(write=False)
        return cls(stations=stations, relays=relays if n_rel else None, **arrays)

    @property
    def n_stations(self) -> int:
        return self.stations.n_stations

    @property
    def n_relays(self) -> int:
        return 0 if self.relays is None else self.relays.n_relays

    @property
    def n_access_points(self) -> int:
        return self.n_stations + self.n_relays

    @property
    def n_clusters(self) -> int:
        return int(self.cluster_site.size)

    @property
    def ap_names(self) -> tuple[str, ...]:
        return self.stations.names + (() if self.relays is None else self.relays.names)


def _merge(key: np.ndarray, start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of intervals per key: merged (key, start, end) sorted by (key, start)."""
    if key.size == 0:
        return key.astype(np.int64), start.astype(float), end.astype(float)
    order = np.lexsort((start, key))
    k = np.ascontiguousarray(key[order], dtype=np.int64)
    s = np.ascontiguousarray(start[order], dtype=np.float64)
    e = np.ascontiguousarray(end[order], dtype=np.float64)
    n = _merge_sorted(k, s, e)
    return k[:n], s[:n], e[:n]


@njit(cache=True)
def _merge_sorted(k, s, e):
    """In place: merge overlapping intervals of equal key (sorted by key, start); returns the count."""
    w = 0
    for r in range(1, len(k)):
        if k[r] == k[w] and s[r] <= e[w]:
            if e[r] > e[w]:
                e[w] = e[r]
        else:
            w += 1
            k[w], s[w], e[w] = k[r], s[r], e[r]
    return w + 1


@dataclass(frozen=True, eq=False)
class AccessSchedule:
    """Per step ``(n_steps, n_sats)``: how each satellite reaches an edge cluster.

    Attributes:
        access: access point in use (stations ``0..n_stations-1``, relays after them), -1: none.
        cluster: its cluster (-1: none).
        window_end_s: end of the connection window to that cluster (handover between the
            cluster's access points included; capped at ``horizon_end_s``); NaN when unconnected.
        next_start_s: ``t`` while connected, else the start of the next connection (inf beyond
            the look-ahead).
        slant_range_km: distance to the access point (the LEO-GEO range for a relay), NaN if none.
        elevation_deg: elevation of the station in use (NaN for relays and when unconnected).
        delay_s: one-way propagation + backhaul delay to the cluster (0 when unconnected).
        positions_km: ``(n_sats, n_steps, 3)`` Earth-fixed satellite positions.
        contacts: the station contact schedule underneath.
        relay_windows: ``sat``, ``relay``, ``start_s``, ``end_s`` of every relay window found.
    """

    segment: GroundSegment
    contact_mode: str
    step_s: float
    n_steps: int
    horizon_end_s: float
    access: np.ndarray
    cluster: np.ndarray
    window_end_s: np.ndarray
    next_start_s: np.ndarray
    slant_range_km: np.ndarray
    elevation_deg: np.ndarray
    delay_s: np.ndarray
    positions_km: np.ndarray
    contacts: ContactSchedule
    relay_windows: dict[str, np.ndarray]

    @property
    def connected(self) -> np.ndarray:
        return self.access >= 0

    @property
    def start_utc(self) -> datetime:
        return self.contacts.start_utc

    @classmethod
    def build(cls, constellation: Constellation, segment: GroundSegment, start_utc: datetime, step_s: float,
              n_steps: int, min_elevation_deg: float = 10.0, lookahead_s: float = 3600.0,
              selection: str = "longest", contact: str = "geometry", grazing_altitude_km: float = 100.0,
              ) -> AccessSchedule:
        if contact not in CONTACT_MODES:
            raise ValueError(f"stations.contact: {contact!r} is not valid; choose one of {', '.join(CONTACT_MODES)}")
        cs = ContactSchedule.build(constellation, segment.stations, start_utc, step_s=step_s, n_steps=n_steps,
                                   min_elevation_deg=min_elevation_deg, lookahead_s=lookahead_s,
                                   selection=selection, keep_grid_positions=segment.n_relays > 0)
        n_sats = constellation.n_sats
        t = np.arange(n_steps) * float(step_s)
        horizon = cs.horizon_end_s
        pos = cs.positions_km
        empty = {"sat": np.zeros(0, np.int64), "relay": np.zeros(0, np.int64), "start_s": np.zeros(0),
                 "end_s": np.zeros(0)}
        if contact == "always":
            st = segment.stations
            d = np.linalg.norm(pos.transpose(1, 0, 2)[:, :, None, :] - st.ecef_km()[None, None], axis=-1)
            access = np.where(np.isfinite(d).all(axis=-1), np.argmin(np.nan_to_num(d, nan=np.inf), axis=-1), -1)
            ok = access >= 0
            slant = np.where(ok, np.take_along_axis(d, np.maximum(access, 0)[..., None], -1)[..., 0], np.nan)
            el_all = np.full(access.shape, np.nan)
            return cls._assemble(segment, contact, step_s, n_steps, horizon, access,
                                 np.where(ok, horizon, np.nan), np.where(ok, t[:, None], np.inf), slant, el_all,
                                 pos, cs, empty)
        station_win = {"sat": cs.window_table["sat"], "ap": cs.window_table["station"],
                       "start_s": cs.window_table["start_s"], "end_s": cs.window_table["end_s"]}
        access = cs.station.copy()
        slant = cs.slant_range_km.copy()
        rwin = empty
        if segment.n_relays:
            # the relays' line of sight on the contact scan's grid (every step, <= 10 s apart)
            grid, rows = cs.grid_s, _time_grid(float(step_s), n_steps, horizon, 10.0)[1]
            clearance = np.empty((n_sats, grid.size, segment.n_relays))
            rel_pos = segment.relays.ecef_km()
            for a in range(0, n_sats, 256):  # bounded memory at constellation scale
                b = min(a + 256, n_sats)
                clearance[a:b] = relay_clearance_km(cs.grid_positions_km[a:b], rel_pos)
            rwin = relay_windows(clearance, grid, grazing_altitude_km)
            vis = clearance[:, rows, :] >= grazing_altitude_km  # (n_sats, n_steps, n_rel)
            # the visible relay whose window ends last, where no station is in view
            r_end = np.full(vis.shape, -np.inf)
            for r in range(segment.n_relays):
                m = rwin["relay"] == r
                key = rwin["sat"][m] * (horizon + 1.0) * 4 + rwin["start_s"][m]
                q = np.arange(n_sats)[:, None] * (horizon + 1.0) * 4 + t[None, :]
                j = np.searchsorted(key, q, side="right") - 1
                jj = np.maximum(j, 0)
                same = (j >= 0) & (rwin["sat"][m][jj] == np.arange(n_sats)[:, None]) if m.any() else np.zeros(q.shape, bool)
                ends = rwin["end_s"][m][jj] if m.any() else np.zeros(q.shape)
                r_end[:, :, r] = np.where(vis[:, :, r] & same, ends, -np.inf)
            best = np.argmax(r_end, axis=-1).T  # (n_steps, n_sats)
            has_rel = (np.max(r_end, axis=-1) > -np.inf).T
            use_rel = (access < 0) & has_rel
            access = np.where(use_rel, segment.n_stations + best, access)
            leo_geo = np.linalg.norm(pos.transpose(1, 0, 2)[:, :, None, :] - rel_pos[None, None], axis=-1)
            slant = np.where(use_rel, np.take_along_axis(leo_geo, best[..., None], -1)[..., 0], slant)
            station_win = {k: np.concatenate([station_win[k], v]) for k, v in
                           (("sat", rwin["sat"]), ("ap", rwin["relay"] + segment.n_stations),
                            ("start_s", rwin["start_s"]), ("end_s", rwin["end_s"]))}
        # connection windows: union of the windows of each (satellite, cluster)'s access points
        n_cl = segment.n_clusters
        key = station_win["sat"] * n_cl + segment.ap_cluster[station_win["ap"]]
        m_key, m_start, m_end = _merge(key, station_win["start_s"], station_win["end_s"])
        cl = np.where(access >= 0, segment.ap_cluster[np.maximum(access, 0)], -1)
        q_key = np.arange(n_sats)[None, :] * n_cl + np.maximum(cl, 0)
        j = _last_at_or_before(m_key, m_start, q_key, t[:, None])
        ok = (access >= 0) & (j >= 0)
        window_end = np.where(ok, m_end[np.maximum(j, 0)] if m_end.size else 0.0, np.nan)
        window_end = np.where(access >= 0, np.minimum(np.where(ok, window_end, t[:, None]), horizon), np.nan)
        # next connection of any cluster: union per satellite
        s_key, s_start, _ = _merge(station_win["sat"], station_win["start_s"], station_win["end_s"])
        q_sat = np.broadcast_to(np.arange(n_sats)[None, :], access.shape)
        jn = _first_after(s_key, s_start, q_sat, t[:, None])
        jc = np.minimum(jn, max(s_key.size - 1, 0))
        has_next = (jn < s_key.size) & (s_key[jc] == q_sat) if s_key.size else np.zeros(access.shape, bool)
        nxt = s_start[jc] if s_key.size else np.zeros(access.shape)
        has_next &= nxt - t[:, None] <= lookahead_s
        next_start = np.where(access >= 0, t[:, None], np.where(has_next, nxt, np.inf))
        elevation = np.where((access >= 0) & (access < segment.n_stations), cs.elevation_deg, np.nan)
        return cls._assemble(segment, contact, step_s, n_steps, horizon, access, window_end, next_start,
                             slant, elevation, pos, cs, rwin)

    @classmethod
    def _assemble(cls, segment, contact, step_s, n_steps, horizon, access, window_end, next_start, slant,
                  elevation, pos, cs, rwin) -> AccessSchedule:
        ok = access >= 0
        a0 = np.maximum(access, 0)
        delay = np.where(ok, np.nan_to_num(slant) / SPEED_OF_LIGHT_KM_S + segment.ap_delay_s[a0], 0.0)
        arrays = dict(
            access=access.astype(np.int64), cluster=np.where(ok, segment.ap_cluster[a0], -1).astype(np.int64),
            window_end_s=window_end.astype(float), next_start_s=next_start.astype(float),
            slant_range_km=np.where(ok, slant, np.nan), elevation_deg=elevation.astype(float), delay_s=delay,
        )
        for a in arrays.values():
            a.setflags(write=False)
        return cls(segment=segment, contact_mode=contact, step_s=float(step_s), n_steps=int(n_steps),
                   horizon_end_s=float(horizon), positions_km=pos, contacts=cs, relay_windows=rwin, **arrays)

    # ------------------------------------------------------------------ queries
    def _check_step(self, step: int) -> int:
        if int(step) != step or not 0 <= step < self.n_steps:
            raise ValueError(f"step must be an integer in [0, {self.n_steps}), got {step!r}")
        return int(step)

    def remaining_contact_s(self, step: int) -> np.ndarray:
        """T_a(i) of LEOEdge Eq. 27: connection time left to the satellite's cluster (0 if none)."""
        k = self._check_step(step)
        return np.where(self.access[k] >= 0, self.window_end_s[k] - k * self.step_s, 0.0)

    def time_to_next_contact_s(self, step: int) -> np.ndarray:
        """Seconds until a connection starts (0 while connected, inf beyond the look-ahead)."""
        k = self._check_step(step)
        return self.next_start_s[k] - k * self.step_s

    def subpoint_lat_lon_deg(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """Geodetic latitude and longitude of each satellite's sub-point at ``step``."""
        return self.contacts.subpoint_lat_lon_deg(self._check_step(step))

    def path_shares(self) -> dict[str, float]:
        """Share of satellite-steps connected directly, through a relay, and not at all."""
        n = self.access.size
        direct = int(((self.access >= 0) & (self.access < self.segment.n_stations)).sum())
        relay = int((self.access >= self.segment.n_stations).sum())
        return {"direct": direct / n, "relay": relay / n, "none": (n - direct - relay) / n}


def _first_after(keys: np.ndarray, starts: np.ndarray, q_key: np.ndarray, q_t: np.ndarray) -> np.ndarray:
    """Position of the first interval after ``(q_key, q_t)`` in (key, start) order: keys
    ``> q_key``, or ``== q_key`` with ``start > q_t``. ``keys``/``starts`` are sorted by (key, start)."""
    q_key, q_t = np.broadcast_arrays(q_key, q_t)
    lo = np.searchsorted(keys, q_key.ravel(), side="left")
    hi = np.searchsorted(keys, q_key.ravel(), side="right")
    out = _bisect_right(np.ascontiguousarray(starts, dtype=np.float64), lo, hi,
                        np.ascontiguousarray(q_t.ravel(), dtype=np.float64))
    return out.reshape(q_key.shape)


@njit(cache=True)
def _bisect_right(starts, lo, hi, t):
    """For each query q, the first index in ``[lo[q], hi[q])`` with ``starts > t[q]`` (else hi[q])."""
    out = np.empty(len(t), np.int64)
    for q in range(len(t)):
        a, b = lo[q], hi[q]
        while a < b:
            mid = (a + b) // 2
            if starts[mid] <= t[q]:
                a = mid + 1
            else:
                b = mid
        out[q] = a
    return out


def _last_at_or_before(keys: np.ndarray, starts: np.ndarray, q_key: np.ndarray, q_t: np.ndarray) -> np.ndarray:
    """Index of the last interval with ``key == q_key`` and ``start <= q_t`` (-1 if none).

    ``keys``/``starts`` are sorted by (key, start)."""
    q_key, q_t = np.broadcast_arrays(q_key, q_t)
    if keys.size == 0:
        return np.full(q_key.shape, -1, dtype=np.int64)
    j = _first_after(keys, starts, q_key, q_t) - 1
    jc = np.maximum(j, 0)
    return np.where((j >= 0) & (keys[jc] == q_key), j, -1)


def connected_share(constellation: Constellation, segment: GroundSegment, start_utc: datetime,
                    duration_s: float = 86_400.0, step_s: float = 10.0, **kwargs) -> dict[str, float]:
    """Share of satellite-time with a path to an edge cluster over ``duration_s`` (default: a day),
    sampled every ``step_s`` seconds: ``{"direct", "relay", "none", "connected"}``."""
    n = int(math.ceil(duration_s / step_s))
    acc = AccessSchedule.build(constellation, segment, start_utc, step_s=step_s, n_steps=n, lookahead_s=0.0, **kwargs)
    shares = acc.path_shares()
    shares["connected"] = shares["direct"] + shares["relay"]
    return shares
