"""The AA-MEC network of one snapshot (Sec. 5: the graph G = (V, E) of satellites, gateways and
aircraft with the link capacities of Table 5), built from positions and visibility.

Nodes are numbered satellites ``[0, S)``, gateways ``[S, S + G)``, aircraft ``[S + G, S + G + A)``.
Links (undirected, capacities from :class:`~satgym.aamec.config.LinkConfig`):

==================  ===================================================================
``sat_sat``         ISLs: fore/aft in the plane and one stable partner in each adjacent plane
                    (:func:`~satgym.core.orbits.inter_plane_pairs`, none across the seam), used
                    while within range with line of sight (80 km atmosphere)
``sat_aircraft``    each aircraft's ``satellite_terminals`` highest satellites above
                    ``aircraft.min_elevation_deg`` at the aircraft
``sat_gateway``     every satellite above ``gateways.min_elevation_deg`` at a gateway: the feeder
                    candidates. A gateway uses at most one of them at a time (Eq. 25, the matching)
``aircraft_aircraft``  aircraft within ``a2a_max_range_km`` with line of sight over the Earth
``aircraft_gateway``   DA2G: slant range <= ``da2g_max_range_km`` above ``da2g_min_elevation_deg``
==================  ===================================================================

>>> import numpy as np
>>> from satgym.aamec.presets import make_config
>>> from satgym.aamec.scenario import Scenario
>>> sc = Scenario(make_config("aamec"))
>>> sc.reset(np.random.default_rng(0))
>>> topo = sc.topology(0)
>>> topo.net.kinds, topo.net.link_types[:3]
(('satellite', 'gateway', 'aircraft'), ('sat_sat', 'sat_aircraft', 'sat_gateway'))
>>> int(np.bincount(topo.net.src[topo.net.arcs("sat_sat")], minlength=66).max()) <= 4    # 2 intra + 2 inter
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from satgym.aamec.config import AAMECConfig
from satgym.core.network import LinkSet, Network, build_network, elevation_pairs, line_of_sight_pairs
from satgym.core.orbits import NeighbourTable
from satgym.core.orbits.frames import WGS84_A_KM

__all__ = ["LINK_TYPES", "NODE_KINDS", "Topology", "build_topology", "isl_candidates"]

NODE_KINDS = ("satellite", "gateway", "aircraft")
LINK_TYPES = ("sat_sat", "sat_aircraft", "sat_gateway", "aircraft_aircraft", "aircraft_gateway")  # Table 5 rows


@dataclass(frozen=True, eq=False)
class Topology:
    """One snapshot's network and the node ranges of each kind.

    ``feeder_elevation_deg`` ``(S, G)``: elevation of each satellite at each gateway (NaN where it
    is not a feeder candidate).
    """

    net: Network
    n_sats: int
    n_gateways: int
    n_aircraft: int
    feeder_elevation_deg: np.ndarray

    @property
    def gateway_nodes(self) -> np.ndarray:
        return self.n_sats + np.arange(self.n_gateways)

    @property
    def aircraft_nodes(self) -> np.ndarray:
        return self.n_sats + self.n_gateways + np.arange(self.n_aircraft)


def _undirected_unique(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    key = np.unique(lo.astype(np.int64) * (1 << 32) + hi)
    return key >> 32, key & ((1 << 32) - 1)


def isl_candidates(isl: NeighbourTable, inter_a: np.ndarray, inter_b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ISL of the episode once: the intra-plane ring (i, fore) and the stable inter-plane pairs."""
    n = isl.intra_plane.shape[0]
    fore = isl.intra_plane[:, 0]
    has = fore >= 0
    return _undirected_unique(np.r_[np.arange(n)[has], inter_a], np.r_[fore[has], inter_b])


def build_topology(cfg: AAMECConfig, isl: NeighbourTable, isl_pairs: tuple[np.ndarray, np.ndarray], sat_km: np.ndarray,
                   gw_km: np.ndarray, gw_up: np.ndarray, ac_km: np.ndarray, ac_up: np.ndarray) -> Topology:
    """The snapshot network from positions ``(n, 3)`` (Earth-fixed km) and local zenith vectors;
    ``isl_pairs`` from :func:`isl_candidates` (kept if in range with line of sight now)."""
    S, G, A = sat_km.shape[0], gw_km.shape[0], ac_km.shape[0]
    gw0, ac0 = S, S + G
    links = cfg.links
    ok = isl.link_ok(sat_km[isl_pairs[0]], sat_km[isl_pairs[1]])
    a_isl, b_isl = isl_pairs[0][ok], isl_pairs[1][ok]
    # satellite - aircraft: each aircraft's highest satellites
    i_sa, j_sa, el_sa, _ = elevation_pairs(sat_km, ac_km, ac_up, cfg.aircraft.min_elevation_deg)
    order = np.lexsort((-el_sa, j_sa))
    i_sa, j_sa = i_sa[order], j_sa[order]
    first = np.r_[True, j_sa[1:] != j_sa[:-1]] if j_sa.size else np.zeros(0, bool)
    rank = np.arange(j_sa.size) - np.maximum.accumulate(np.where(first, np.arange(j_sa.size), 0))
    keep = rank < cfg.aircraft.satellite_terminals
    # satellite - gateway: every feeder candidate
    i_sg, j_sg, el_sg, _ = elevation_pairs(sat_km, gw_km, gw_up, cfg.gateways.min_elevation_deg)
    feeder_el = np.full((S, G), np.nan)
    feeder_el[i_sg, j_sg] = el_sg
    # aircraft - aircraft and DA2G
    i_aa, j_aa, _ = line_of_sight_pairs(ac_km, None, cfg.aircraft.a2a_max_range_km, WGS84_A_KM)
    i_ag, j_ag, _, _ = elevation_pairs(ac_km, gw_km, gw_up, cfg.aircraft.da2g_min_elevation_deg,
                                       cfg.aircraft.da2g_max_range_km)
    net = build_network(
        NODE_KINDS, np.r_[np.zeros(S, np.int64), np.ones(G, np.int64), np.full(A, 2, np.int64)],
        np.concatenate([sat_km, gw_km, ac_km]),
        [LinkSet("sat_sat", a_isl, b_isl, links.sat_sat_mbps),
         LinkSet("sat_aircraft", i_sa[keep], ac0 + j_sa[keep], links.sat_aircraft_mbps),
         LinkSet("sat_gateway", i_sg, gw0 + j_sg, links.sat_gateway_mbps),
         LinkSet("aircraft_aircraft", ac0 + i_aa, ac0 + j_aa, links.aircraft_aircraft_mbps),
         LinkSet("aircraft_gateway", ac0 + i_ag, gw0 + j_ag, links.aircraft_gateway_mbps)],
        link_types=LINK_TYPES,
    )
    return Topology(net=net, n_sats=S, n_gateways=G, n_aircraft=A, feeder_elevation_deg=feeder_el)
