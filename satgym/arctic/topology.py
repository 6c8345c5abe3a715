"""The satellite network of a slot (Sec. III: the graph G(S, E) of satellites and ISLs) and the
shortest paths K between the satellites the users can reach.

Links: within each layer the "+Grid" of :func:`satgym.core.isl.grid_pairs` (inter-plane partners
fixed at the episode start), and in the hybrid architecture ``isl.cross_layer_links`` links from
every MEO satellite to its nearest LEO satellites (:func:`satgym.core.isl.cross_layer_pairs`, per
slot). A link is usable while within ``isl.max_range_km`` with line of sight above
``isl.clearance_altitude_km``.

Routes are shortest by length (Dijkstra, :mod:`scipy.sparse.csgraph`, on a
:class:`satgym.core.network.Network`) from each *source* (a satellite some active user sees within
the deadline) and at most ``isl.max_path_km`` long. A node farther than that in a straight line
from every source cannot be on such a route, so the graph is cut to the nodes within that distance
of a source first: exact, and the search stays local.

>>> from satgym.arctic.presets import make_config
>>> from satgym.arctic.fleet import Fleet
>>> cfg = make_config("arctic")
>>> fleet = Fleet.build(cfg)
>>> topo = Topology(fleet, cfg)
>>> pos = fleet.positions_km(fleet.epoch, np.array([0.0]))[:, 0]
>>> topo.reset(pos)
>>> routes = topo.routes(pos, np.array([0, 5300]))
>>> float(routes.dist_km(0, 0)), bool(np.isfinite(routes.dist_km(1, routes.nodes)).sum() > 1)
(0.0, True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import dijkstra

from satgym.arctic.codes import KIND_CODES
from satgym.arctic.config import ArcticConfig
from satgym.arctic.fleet import Fleet
from satgym.core.isl import cross_layer_pairs, grid_pairs, usable_links
from satgym.core.network import LinkSet, build_network
from satgym.core.orbits.frames import WGS84_A_KM
from satgym.core.orbits.neighbours import NeighbourTable

__all__ = ["Routes", "Topology"]

#: nominal optical ISL capacity; unused here (ISL transmission time is neglected, Sec. III-D a))
ISL_CAPACITY_MBPS = 100_000.0


@dataclass(frozen=True)
class Routes:
    """Shortest path lengths from ``sources`` (fleet indices) to the ``nodes`` of the cut graph."""

    sources: np.ndarray
    nodes: np.ndarray
    local: np.ndarray  # (n_sats,) position of each satellite in ``nodes``, -1 if cut
    dist_local_km: np.ndarray  # (n_sources, n_nodes), inf where unreachable within the limit
    n_links: int

    def dist_km(self, source_row: np.ndarray | int, sats: np.ndarray | int) -> np.ndarray:
        """Path length from ``sources[source_row]`` to fleet satellites ``sats`` (broadcast), inf if
        there is no route within the limit."""
        local = self.local[np.asarray(sats)]
        out = self.dist_local_km[np.asarray(source_row), np.maximum(local, 0)]
        return np.where(local >= 0, out, np.inf)


class Topology:
    """ISL graph of the fleet: fixed "+Grid" pairs per episode, usable links and routes per slot."""

    def __init__(self, fleet: Fleet, cfg: ArcticConfig) -> None:
        self.fleet, self.cfg = fleet, cfg
        isl = cfg.isl
        self.clearance_km = WGS84_A_KM + isl.clearance_altitude_km
        self.tables = tuple(NeighbourTable(c, max_isl_range_km=isl.max_range_km, atmosphere_km=isl.clearance_altitude_km)
                            for c in fleet.constellations)
        self.leo = np.flatnonzero(fleet.kind == KIND_CODES["leo"])
        self.meo = np.flatnonzero(fleet.kind == KIND_CODES["meo"])
        self.grid_a = np.zeros(0, np.int64)
        self.grid_b = np.zeros(0, np.int64)

    def reset(self, positions_km: np.ndarray) -> None:
        """Fix each layer's inter-plane partners at the episode start (``positions_km`` ``(n_sats, 3)``)."""
        a, b = [], []
        for layer, (c, table) in enumerate(zip(self.fleet.constellations, self.tables)):
            off = self.fleet.offsets[layer]
            la, lb = grid_pairs(c, table, positions_km[off:off + c.n_sats])
            a.append(la + off)
            b.append(lb + off)
        pairs = np.unique(np.sort(np.stack([np.concatenate(a), np.concatenate(b)], axis=1), axis=1), axis=0)
        self.grid_a, self.grid_b = pairs[:, 0], pairs[:, 1]

    def routes(self, positions_km: np.ndarray, sources: np.ndarray) -> Routes:
        """Shortest paths (by length, at most ``isl.max_path_km``) from ``sources`` at ``positions_km``."""
        isl = self.cfg.isl
        sources = np.asarray(sources, dtype=np.int64)
        if sources.size == 0:
            return Routes(sources, np.zeros(0, np.int64), np.full(self.fleet.n_sats, -1), np.zeros((0, 0)), 0)
        pos = positions_km
        near = _within(pos, pos[sources], isl.max_path_km)
        near[sources] = True
        nodes = np.flatnonzero(near)
        local = np.full(self.fleet.n_sats, -1, dtype=np.int64)
        local[nodes] = np.arange(nodes.size)
        keep = near[self.grid_a] & near[self.grid_b]
        a, b = self.grid_a[keep], self.grid_b[keep]
        ok, _ = usable_links(pos, a, b, isl.max_range_km, self.clearance_km)
        links = [LinkSet("isl", local[a[ok]], local[b[ok]], ISL_CAPACITY_MBPS)]
        meo = self.meo[near[self.meo]]
        if meo.size and self.leo.size and isl.cross_layer_links:
            i, j, _ = cross_layer_pairs(pos[meo], pos[self.leo], isl.cross_layer_links, isl.max_range_km, self.clearance_km)
            up, low = meo[i], self.leo[j]
            inside = near[low]
            links.append(LinkSet("cross_layer", local[up[inside]], local[low[inside]], ISL_CAPACITY_MBPS))
        net = build_network(tuple(KIND_CODES), self.fleet.kind[nodes], pos[nodes], links)
        dist = dijkstra(net.matrix(net.distance_km), directed=True, indices=local[sources], limit=isl.max_path_km)
        return Routes(sources, nodes, local, np.atleast_2d(dist), net.n_arcs // 2)


def _within(points_km: np.ndarray, centres_km: np.ndarray, radius_km: float) -> np.ndarray:
    """Which points lie within ``radius_km`` of some centre (NaN points: none), by
    ``|p - c|^2 = |p|^2 + |c|^2 - 2 p.c`` in one matrix product (a 1 km margin absorbs its rounding)."""
    p = np.where(np.isfinite(points_km), points_km, 1e9)
    d2 = centres_km @ p.T
    d2 *= -2.0
    d2 += (centres_km * centres_km).sum(axis=1)[:, None]
    return d2.min(axis=0) + (p * p).sum(axis=1) <= (radius_km + 1.0) ** 2
