"""The geometry of an AA-MEC episode: satellites (SGP4), gateways and flights at every snapshot.

>>> import numpy as np
>>> from satgym.aamec.presets import make_config
>>> sc = Scenario(make_config("aamec", {"episode": {"steps": 3}}))
>>> sc.reset(np.random.default_rng(1))
>>> sc.sat_km.shape, sc.ac_km.shape, sc.gateways.names[:2]
((66, 4, 3), (100, 4, 3), ('Beijing', 'Fairbanks'))
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np

from satgym.aamec.config import GATEWAYS, AAMECConfig
from satgym.aamec.constellation import build_constellation
from satgym.aamec.flights import Flights, draw_flights
from satgym.aamec.topology import Topology, build_topology, isl_candidates
from satgym.core.orbits import GroundStations, inter_plane_pairs, propagate_ecef_km

__all__ = ["Scenario"]


class Scenario:
    """Positions of every node at snapshots ``k = 0..steps`` (``k * snapshot_s`` after the start).

    Satellite positions for a start time are propagated once and reused by later episodes with the
    same start (``episode.start = "fixed"``), with the episode's stable inter-plane ISL partners
    (paired at the start, :func:`~satgym.core.orbits.inter_plane_pairs`). Topologies are built on demand and kept for the episode.
    """

    def __init__(self, cfg: AAMECConfig) -> None:
        self.cfg = cfg
        self.constellation, self.isl = build_constellation(cfg.constellation)
        self.gateways = GroundStations.from_list([(n, *GATEWAYS[n], 0.0) for n in cfg.gateways.names])
        self.gw_km, self.gw_up = self.gateways.ecef_km(), self.gateways.up()
        self.n_sats, self.n_gateways, self.n_aircraft = self.constellation.n_sats, self.gateways.n_stations, cfg.aircraft.count
        self.times_s = np.arange(cfg.episode.steps + 1) * cfg.episode.snapshot_s
        self._base_utc = datetime.fromisoformat(cfg.episode.start_utc).replace(tzinfo=timezone.utc)
        self._sat_cache: tuple[datetime, np.ndarray, tuple[np.ndarray, np.ndarray]] | None = None
        self._topologies: dict[int, Topology] = {}
        self.start_utc = self._base_utc
        self.flights: Flights | None = None

    def reset(self, rng: np.random.Generator) -> None:
        """New episode: start time (``episode.start``) and flights from ``rng``."""
        ep = self.cfg.episode
        offset = float(rng.uniform(0.0, ep.start_window_s)) if ep.start == "random" else 0.0
        self.start_utc = self._base_utc + timedelta(seconds=round(offset))
        if self._sat_cache is None or self._sat_cache[0] != self.start_utc:
            pos = propagate_ecef_km(self.constellation, self.start_utc, self.times_s, errors="raise")
            pairs = isl_candidates(self.isl, *inter_plane_pairs(self.constellation, self.isl, pos[:, 0]))
            self._sat_cache = (self.start_utc, pos, pairs)
        self.sat_km, self.isl_pairs = self._sat_cache[1], self._sat_cache[2]
        self.flights = draw_flights(self.cfg.aircraft, rng)
        self.ac_km, self.ac_up = self.flights.ecef_km(self.times_s)
        self._topologies = {}

    def topology(self, k: int) -> Topology:
        """The network of snapshot ``k``."""
        if k not in self._topologies:
            self._topologies[k] = build_topology(self.cfg, self.isl, self.isl_pairs, self.sat_km[:, k], self.gw_km,
                                                 self.gw_up, self.ac_km[:, k], self.ac_up[:, k])
        return self._topologies[k]

    @property
    def mec_nodes(self) -> np.ndarray:
        """Node ids of the MEC servers: every gateway, then the aircraft that carry one."""
        assert self.flights is not None, "reset() first"
        ac0 = self.n_sats + self.n_gateways
        return np.r_[self.n_sats + np.arange(self.n_gateways), ac0 + np.flatnonzero(self.flights.has_mec)]
