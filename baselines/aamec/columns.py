"""Candidate (destination, path) columns of the AA-MEC MILPs (offloading Eqs. 20-26, IFECS Eqs. 7-13).

The paper writes the routing per link (binary x_ij with flow conservation, Eqs. 9 / 22). Here it is
enumerated as paths (the standard path formulation of the same single-path problem): for each
flow and allowed MEC destination, the ``k`` shortest loopless paths for that flow's link weights
(its shortest-path tree, then Yen through :meth:`satgym.core.network.Network.k_shortest_paths`),
plus, for a gateway, the cheapest path through each visible feeder satellite and through its
cheapest DA2G aircraft, so that every gateway matching (Eqs. 12 / 25) has a column. With all paths
this is the link formulation; ``tests/aamec/test_milp.py`` checks the optimum against the link
formulation on small instances. Gateways are endpoints (no path passes through one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from satgym.aamec.routing import path_feeder, transit_mask
from satgym.aamec.topology import Topology
from satgym.core.network import path_from_predecessors

__all__ = ["Columns", "build_columns"]


@dataclass(frozen=True, eq=False)
class Columns:
    """``C`` columns: flow, destination node, node/arc paths, cost (s), and the feeder
    ``(gateway index, satellite)`` a column uses (-1, -1 if none)."""

    flow: np.ndarray
    dest: np.ndarray
    nodes: list[np.ndarray]
    arcs: list[np.ndarray]
    cost_s: np.ndarray
    feeder_gateway: np.ndarray
    feeder_sat: np.ndarray

    @property
    def n(self) -> int:
        return int(self.flow.size)

    def subset(self, keep: np.ndarray) -> Columns:
        """The columns where ``keep`` (bool) holds."""
        idx = np.flatnonzero(keep)
        return Columns(flow=self.flow[idx], dest=self.dest[idx], nodes=[self.nodes[i] for i in idx],
                       arcs=[self.arcs[i] for i in idx], cost_s=self.cost_s[idx],
                       feeder_gateway=self.feeder_gateway[idx], feeder_sat=self.feeder_sat[idx])


def build_columns(topo: Topology, sources: np.ndarray, weights: np.ndarray, destinations: Sequence[np.ndarray],
                  extra_cost_s: np.ndarray, k_paths: int = 1, top: int | None = None) -> Columns:
    """Columns of flows ``f`` from node ``sources[f]`` with arc ``weights[f]`` (s per arc) to the
    nodes of ``destinations[f]`` (only the ``top`` cheapest reachable ones if given); a column costs
    the sum of its arc weights plus ``extra_cost_s[f]``. A destination equal to the source is a
    column without links (a MEC aircraft serving its own flow)."""
    net = topo.net
    S, G = topo.n_sats, topo.n_gateways
    mask = transit_mask(topo)
    da2g = net.link_types.index("aircraft_gateway")
    flow, dest, nodes, arcs, cost, fg, fs = [], [], [], [], [], [], []
    for f, src in enumerate(np.asarray(sources, dtype=np.int64)):
        w = weights[f]
        targets = np.asarray(destinations[f], dtype=np.int64)
        if targets.size == 0:
            continue
        tree = net.shortest_paths(w, [int(src)], arc_mask=mask)
        if top is not None:
            d = np.where(targets == src, 0.0, tree.dist[0, targets])
            order = np.argsort(d, kind="stable")[:top]
            targets = targets[order[np.isfinite(d[order])]]
        seen: set[tuple[int, ...]] = set()
        for node in targets:
            node = int(node)
            if node == src:
                paths = [np.array([node], dtype=np.int64)]
            else:
                paths = [tree.path(0, node)]
            if k_paths > 1 and node != src:
                paths += net.k_shortest_paths(w, int(src), node, k_paths, arc_mask=mask)[1][1:]
            j = node - S
            if 0 <= j < G:  # a path through every feeder, and through the cheapest DA2G aircraft
                for sat in np.flatnonzero(np.isfinite(topo.feeder_elevation_deg[:, j])):
                    p = tree.path(0, int(sat))
                    if p.size:
                        paths.append(np.r_[p, node])
                into = np.flatnonzero((net.dst == node) & (net.link_type == da2g))
                if into.size:
                    c = tree.dist[0, net.src[into]] + w[into]
                    best = int(np.argmin(c))
                    if np.isfinite(c[best]):
                        paths.append(np.r_[path_from_predecessors(tree.pred[0], int(src), int(net.src[into[best]])), node])
            for p in paths:
                key = tuple(int(x) for x in p)
                if (len(key) < 2 and key != (src,)) or key in seen:
                    continue
                seen.add(key)
                a = net.path_arcs(p)
                gj, gs = path_feeder(topo, np.asarray(p))
                flow.append(f)
                dest.append(node)
                nodes.append(np.asarray(p, dtype=np.int64))
                arcs.append(a)
                cost.append(float(w[a].sum() + extra_cost_s[f]))
                fg.append(gj)
                fs.append(gs)
    as_int = (lambda xs: np.asarray(xs, dtype=np.int64))
    return Columns(flow=as_int(flow), dest=as_int(dest), nodes=nodes, arcs=arcs, cost_s=np.asarray(cost, dtype=float),
                   feeder_gateway=as_int(fg), feeder_sat=as_int(fs))
