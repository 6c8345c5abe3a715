"""Where a satellite's offloaded tasks can go and how they get there (the environment's routing).

* **Link weights** of a flow of D Mbit/s: ``D / B_ij + 2 d_ij / c`` per arc, its transmission time
  (Eq. 18) plus the round-trip propagation that the completion time counts (Eq. 20). Gateways are
  endpoints: no route passes through one (arcs out of a gateway are masked).
* **Candidates**: one Dijkstra (``scipy.sparse.csgraph``) per offloading satellite with its own
  weights gives the cost of reaching every node; a MEC's single-flow completion estimate adds the
  computation time of the flow alone (Eq. 19). The ``K`` cheapest MEC nodes are the agent's
  destinations. A gateway is reached through whichever feeder satellite (or DA2G aircraft) is
  cheapest for that flow: optimistic, because the gateway matching comes later.
* **Gateway matching** (Eqs. 12/25: a gateway links to at most one satellite): once the
  destinations are known, each gateway picks the visible satellite that minimises the summed
  cost of the flows sent to it (a flow may still arrive by DA2G if cheaper); a gateway without
  flows points at its highest satellite.
* **Paths** follow each flow's shortest-path tree to the matched feeder (or DA2G aircraft, or the
  aircraft MEC).

>>> import numpy as np
>>> from satgym.aamec.presets import make_config
>>> from satgym.aamec.scenario import Scenario
>>> sc = Scenario(make_config("aamec")); sc.reset(np.random.default_rng(0))
>>> topo, mec = sc.topology(0), sc.mec_nodes
>>> excess = np.full(66, 10); data = excess * 0.4
>>> cand = find_candidates(topo, mec, excess, data, excess * 25.0 / 71120.0, K=4)
>>> cand.ranked.shape, bool(np.all(np.diff(np.take_along_axis(cand.cost_s, cand.ranked, 1), axis=1) >= 0))
((66, 4), True)
>>> dest = mec[cand.ranked[:, 0]]                       # everyone to its cheapest MEC
>>> feeders, paths = match_and_route(topo, cand, dest, data)
>>> all(p[0] == s and p[-1] == dest[s] for s, p in enumerate(paths))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from satgym.aamec.topology import Topology
from satgym.core.network import ShortestPaths, path_from_predecessors, transmission_s

__all__ = ["Candidates", "completion_weights", "find_candidates", "match_and_route", "path_feeder", "transit_mask",
           "walk_all"]


def completion_weights(topo: Topology, data_mbit: float) -> np.ndarray:
    """Per-arc cost of a flow of ``data_mbit`` per second: D / B (Eq. 18) + 2 d / c (Eq. 20)."""
    net = topo.net
    return transmission_s(data_mbit, net.capacity_mbps) + 2.0 * net.delay_s


def transit_mask(topo: Topology) -> np.ndarray:
    """Arcs a route may use: all but those leaving a gateway (gateways are endpoints)."""
    return topo.net.node_kind[topo.net.src] != topo.net.kinds.index("gateway")


@dataclass(frozen=True, eq=False)
class Candidates:
    """Per-snapshot routing state of the offloading satellites.

    ``rows[s]``: row of satellite ``s`` in ``dist``/``pred`` (-1: no excess, no row);
    ``dist`` ``(F, n_nodes)``: network cost (s) from the satellite to every node, ``pred`` its
    predecessor tree; ``cost_s`` ``(S, M)``: single-flow completion estimate to every MEC (inf if
    unreachable or nothing to offload); ``ranked`` ``(S, K)``: indices into the MEC list, cheapest
    first (-1 where fewer are reachable).
    """

    rows: np.ndarray
    dist: np.ndarray
    pred: np.ndarray
    cost_s: np.ndarray
    ranked: np.ndarray

    def tree(self, s: int) -> ShortestPaths:
        r = int(self.rows[s])
        if r < 0:
            raise ValueError(f"satellite {s} has nothing to offload in this snapshot")
        return ShortestPaths(np.array([s]), self.dist[r:r + 1], self.pred[r:r + 1])


def find_candidates(topo: Topology, mec_nodes: np.ndarray, excess: np.ndarray, data_mbit: np.ndarray,
                    compute_s: np.ndarray, K: int) -> Candidates:
    """Shortest-path trees of the satellites with ``excess > 0`` and their ``K`` cheapest MECs.

    ``compute_s[s]``: the flow's computation time at a MEC alone (Eq. 19)."""
    net = topo.net
    S, n = topo.n_sats, net.n_nodes
    sats = np.flatnonzero(np.asarray(excess) > 0)
    rows = np.full(S, -1, dtype=np.int64)
    rows[sats] = np.arange(sats.size)
    dist = np.full((sats.size, n), np.inf)
    pred = np.full((sats.size, n), -9999, dtype=np.int32)
    mask = transit_mask(topo)
    for r, s in enumerate(sats):
        sp = net.shortest_paths(completion_weights(topo, float(data_mbit[s])), [s], arc_mask=mask)
        dist[r], pred[r] = sp.dist[0], sp.pred[0]
    cost = np.full((S, mec_nodes.size), np.inf)
    cost[sats] = dist[:, mec_nodes] + np.asarray(compute_s, dtype=float)[sats, None]
    k = min(K, mec_nodes.size)
    order = np.argsort(cost, axis=1, kind="stable")[:, :k]
    ranked = np.where(np.isfinite(np.take_along_axis(cost, order, 1)), order, -1)
    if k < K:
        ranked = np.concatenate([ranked, np.full((S, K - k), -1, dtype=ranked.dtype)], axis=1)
    return Candidates(rows=rows, dist=dist, pred=pred, cost_s=cost, ranked=ranked.astype(np.int64))


def walk_all(pred: np.ndarray, rows: np.ndarray, sources: np.ndarray, targets: np.ndarray,
             max_hops: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Walk many predecessor chains at once: ``(hops, nodes)`` with ``nodes`` ``(n, max_len + 1)``
    holding each path from target back to source (padded with -1); ``hops = -1`` if unreachable."""
    node = np.asarray(targets, dtype=np.int64).copy()
    n = node.size
    out = [node.copy()]
    hops = np.zeros(n, dtype=np.int64)
    alive = node != np.asarray(sources)
    for _ in range(max_hops):
        if not alive.any():
            break
        nxt = np.where(alive, pred[rows, np.maximum(node, 0)], -1)
        hops += alive
        dead = alive & (nxt < 0)
        hops[dead] = -1
        alive &= ~dead
        node = np.where(alive, nxt, -1)
        out.append(node.copy())
        alive &= node != sources
    return hops, np.stack(out, axis=1)


def _gateway_costs(topo: Topology, cand: Candidates, sats: np.ndarray, j: int, data_mbit: np.ndarray):
    """Cost of each flow (satellites ``sats``) to gateway ``j`` via every feeder candidate
    ``(F, n_feeders)`` and via its best DA2G aircraft ``(F,)`` (with that aircraft)."""
    net = topo.net
    g = topo.n_sats + j
    feeders = np.flatnonzero(np.isfinite(topo.feeder_elevation_deg[:, j]))
    rows = cand.rows[sats]
    d = data_mbit[sats][:, None]
    a_f = net.arc(feeders, g)
    via = cand.dist[rows][:, feeders] + d / net.capacity_mbps[a_f][None, :] + 2.0 * net.delay_s[a_f][None, :]
    into = np.flatnonzero((net.dst == g) & (net.link_type == net.link_types.index("aircraft_gateway")))
    if into.size:
        ac = net.src[into]
        c = cand.dist[rows][:, ac] + d / net.capacity_mbps[into][None, :] + 2.0 * net.delay_s[into][None, :]
        best = np.argmin(c, axis=1)
        da2g, da2g_ac = c[np.arange(len(sats)), best], ac[best]
    else:
        da2g, da2g_ac = np.full(len(sats), np.inf), np.full(len(sats), -1)
    return feeders, via, da2g, da2g_ac


def match_and_route(topo: Topology, cand: Candidates, dest_node: np.ndarray, data_mbit: np.ndarray,
                    feeders: np.ndarray | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
    """The gateway matching and each satellite's node path to ``dest_node[s]`` (-1: none; empty
    path if unreachable). ``feeders`` ``(G,)`` fixes the satellite of a gateway (entries >= 0);
    the others are matched here."""
    S, G = topo.n_sats, topo.n_gateways
    dest_node = np.asarray(dest_node, dtype=np.int64)
    chosen = np.full(G, -1, dtype=np.int64) if feeders is None else np.asarray(feeders, dtype=np.int64).copy()
    paths: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * S
    routed = np.flatnonzero((dest_node >= 0) & (cand.rows >= 0))
    for j in range(G):
        g = S + j
        sats = routed[dest_node[routed] == g]
        fd, via, da2g, da2g_ac = _gateway_costs(topo, cand, sats, j, data_mbit)
        if chosen[j] < 0 and fd.size:  # not fixed by the caller: the environment's matching
            el = topo.feeder_elevation_deg[fd, j]
            total = np.minimum(via, da2g[:, None]).sum(axis=0) if sats.size else np.zeros(fd.size)
            total = np.where(np.isfinite(total), total, np.inf)
            chosen[j] = fd[np.lexsort((-el, total))[0]]
        k = np.flatnonzero(fd == chosen[j])
        via_chosen = via[:, k[0]] if k.size else np.full(sats.size, np.inf)
        for f, s in enumerate(sats):
            r = cand.rows[s]
            if via_chosen[f] <= da2g[f] and np.isfinite(via_chosen[f]):
                paths[s] = np.r_[path_from_predecessors(cand.pred[r], s, int(chosen[j])), g]
            elif np.isfinite(da2g[f]):
                paths[s] = np.r_[path_from_predecessors(cand.pred[r], s, int(da2g_ac[f])), g]
    ac = routed[dest_node[routed] >= S + G]
    if ac.size:
        hops, nodes = walk_all(cand.pred, cand.rows[ac], ac, dest_node[ac])
        for f, s in enumerate(ac):
            if hops[f] >= 0:
                paths[s] = nodes[f, : hops[f] + 1][::-1].copy()
    return chosen, paths


def path_feeder(topo: Topology, path: np.ndarray) -> tuple[int, int]:
    """``(gateway index, feeder satellite)`` if ``path`` ends satellite -> gateway, else ``(-1, -1)``."""
    if path.size >= 2 and topo.n_sats <= path[-1] < topo.n_sats + topo.n_gateways and path[-2] < topo.n_sats:
        return int(path[-1] - topo.n_sats), int(path[-2])
    return -1, -1
