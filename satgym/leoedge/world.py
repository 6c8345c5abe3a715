"""Turn a scenario's constellation and station configs into orbital objects (static per env)."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import numpy as np

from satgym.leoedge.config import ConstellationConfig, GroundConfig, RelayConfig, StationsConfig
from satgym.core import orbits
from satgym.core.ground_segment import GroundSegment
from satgym.core.orbits.relays import GeoRelays


def parse_epoch(text: str) -> datetime:
    try:
        dt = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"constellation.epoch_utc: not an ISO-8601 time: {text!r}") from exc
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def build_constellation(cfg: ConstellationConfig) -> orbits.Constellation:
    epoch = parse_epoch(cfg.epoch_utc)
    if cfg.source == "elements":
        return orbits.from_elements(
            altitude_km=np.array(cfg.altitude_km),
            inclination_deg=np.array(cfg.inclination_deg),
            raan_deg=np.array(cfg.raan_deg),
            mean_anomaly_deg=np.array(cfg.arg_latitude_deg),  # circular: M = argument of latitude
            epoch=epoch,
            plane=np.array(cfg.plane),
        )
    if cfg.source in ("walker_delta", "walker_star"):
        make = orbits.walker_delta if cfg.source == "walker_delta" else orbits.walker_star
        return make(
            altitude_km=cfg.walker_altitude_km,
            inclination_deg=cfg.walker_inclination_deg,
            n_planes=cfg.n_planes,
            sats_per_plane=cfg.sats_per_plane,
            phasing=cfg.phasing,
            epoch=epoch,
        )
    path = cfg.file if os.path.exists(cfg.file) else str(orbits.data_path(f"tle/{cfg.file}"))
    return orbits.load_elements(
        path, name_prefix=cfg.name_prefix or None, max_sats=cfg.max_sats or None
    )


def build_stations(cfg: StationsConfig) -> orbits.GroundStations:
    parts = []
    if cfg.stations:
        parts.append(
            orbits.GroundStations.from_list(
                [(s.name, s.lat_deg, s.lon_deg, s.alt_km) for s in cfg.stations]
            )
        )
    if cfg.extra:
        kind, _, n = cfg.extra.partition(":")
        count = int(n) if n else None
        if kind == "cities":
            parts.append(orbits.load_cities(count))
        else:
            gws = orbits.load_starlink_gateways(unique=True)
            parts.append(gws if not count else gws.subset(np.arange(min(count, len(gws.names)))))
    return orbits.GroundStations.concat(*parts) if len(parts) > 1 else parts[0]


def build_segment(stations: orbits.GroundStations, ground: GroundConfig, relays: RelayConfig) -> GroundSegment:
    """Access points (stations, relays) and the clusters they are backhauled to."""
    geo = None
    if relays.satellites:
        geo = GeoRelays(tuple(r.name for r in relays.satellites), np.array([r.lon_deg for r in relays.satellites]))
    return GroundSegment.build(
        stations, clusters=ground.clusters, cluster_site=ground.cluster_site,
        route_factor=ground.backhaul_route_factor, fibre_km_s=ground.backhaul_fibre_km_s, relays=geo,
        relay_feeders=tuple(r.feeder for r in relays.satellites),
        feeder_min_elevation_deg=relays.feeder_min_elevation_deg,
    )
