"""Per-snapshot network graphs of typed nodes, and routing on them (shared by every family).

A :class:`Network` is one snapshot of a multi-layer network: nodes of named kinds (satellites,
gateways, aircraft, users, ...) at Earth-fixed positions, and directed arcs (an undirected link is
two arcs) of named link types, each with a capacity (Mbps) and a length (km), hence a propagation
delay (s). The topology is fixed within a snapshot (AA-MEC Sec. 5: "within a snapshot the network
is assumed static").

Routing uses :mod:`scipy.sparse.csgraph` (Dijkstra, Yen's k shortest loopless paths); nothing here
writes its own shortest-path search. Arc weights are given per call, so one network serves any
metric: propagation delay, a flow's transmission + propagation latency (AA-MEC Eqs. 2-5), hops.

Visibility comes from geometry: :func:`line_of_sight_pairs` (range and a clear chord above a
sphere, e.g. inter-satellite or air-to-air links) and :func:`elevation_pairs` (elevation above the
lower node's local horizon, e.g. satellite-gateway or satellite-aircraft links).

Example:
    >>> import numpy as np
    >>> pos = np.array([[7000.0, 0, 0], [6900.0, 1000, 0], [6378.137, 0, 0]])   # 2 satellites, 1 gateway
    >>> kind = np.array([0, 0, 1])
    >>> net = build_network(("satellite", "gateway"), kind, pos, [
    ...     LinkSet("isl", [0], [1], 125.0), LinkSet("feeder", [0], [2], 500.0)])
    >>> net.n_nodes, net.n_arcs, net.nodes("gateway").tolist()
    (3, 4, [2])
    >>> sp = net.shortest_paths(net.delay_s, sources=[1])
    >>> sp.path(0, 2).tolist(), net.path_arcs(sp.path(0, 2)).tolist()   # node path, arc indices
    ([1, 0, 2], [1, 2])
    >>> round(float(sp.dist[0, 2]) * 1e3, 3)                            # ms of propagation
    5.427
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import dijkstra, yen

from satgym.core.orbits.geometry import pair_elevation_range
from satgym.core.orbits.neighbours import line_of_sight

__all__ = [
    "SPEED_OF_LIGHT_KM_S",
    "LinkSet",
    "Network",
    "ShortestPaths",
    "build_network",
    "elevation_pairs",
    "line_of_sight_pairs",
    "path_from_predecessors",
    "processor_sharing_s",
    "propagation_s",
    "transmission_s",
]

SPEED_OF_LIGHT_KM_S = 299_792.458


def propagation_s(distance_km: np.ndarray | float) -> np.ndarray:
    """Propagation delay d / c (AA-MEC Eq. 4), s.

    >>> float(propagation_s(299_792.458))
    1.0
    """
    return np.asarray(distance_km, dtype=float) / SPEED_OF_LIGHT_KM_S


def transmission_s(data_mbit: np.ndarray | float, capacity_mbps: np.ndarray | float) -> np.ndarray:
    """Time to push ``data_mbit`` through a link of ``capacity_mbps`` (AA-MEC Eqs. 2-3, 18), s.

    >>> float(transmission_s(10.0, 125.0))
    0.08
    """
    return np.asarray(data_mbit, dtype=float) / np.asarray(capacity_mbps, dtype=float)


@dataclass(frozen=True)
class LinkSet:
    """Links of one type between node pairs ``(a[i], b[i])`` (node indices), with one capacity or
    one per link. Undirected unless ``directed`` (then only ``a -> b``)."""

    link_type: str
    a: Sequence[int] | np.ndarray
    b: Sequence[int] | np.ndarray
    capacity_mbps: float | Sequence[float] | np.ndarray
    directed: bool = False


def _readonly(arr: np.ndarray) -> np.ndarray:
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Network:
    """One snapshot: typed nodes at positions and directed arcs with capacity and length.

    Attributes (read-only arrays):
        kinds: node kind names; ``node_kind[i]`` indexes them.
        positions_km: ``(n_nodes, 3)`` Earth-fixed positions.
        link_types: link type names; ``link_type[a]`` indexes them.
        src, dst: ``(n_arcs,)`` arc end nodes. At most one arc per ordered node pair.
        capacity_mbps: ``(n_arcs,)`` >= 0.
        distance_km: ``(n_arcs,)`` straight-line length from the positions.

    Build with :func:`build_network`.
    """

    kinds: tuple[str, ...]
    node_kind: np.ndarray
    positions_km: np.ndarray
    link_types: tuple[str, ...]
    src: np.ndarray
    dst: np.ndarray
    link_type: np.ndarray
    capacity_mbps: np.ndarray
    distance_km: np.ndarray

    def __post_init__(self) -> None:
        n = self.node_kind.shape[0]
        if self.positions_km.shape != (n, 3):
            raise ValueError(f"positions_km: expected shape ({n}, 3), got {self.positions_km.shape}")
        m = self.src.shape[0]
        for name in ("dst", "link_type", "capacity_mbps", "distance_km"):
            if getattr(self, name).shape != (m,):
                raise ValueError(f"{name}: expected shape ({m},), got {getattr(self, name).shape}")
        lookup = sparse.csr_matrix((np.arange(1, m + 1, dtype=np.int64), (self.src, self.dst)), shape=(n, n))
        if lookup.nnz != m:
            raise ValueError("links: a node pair is linked more than once (one arc per ordered pair)")
        lookup.sort_indices()
        object.__setattr__(self, "_lookup", lookup)
        # the CSR layout of the arcs, so that a weight matrix is one gather (see matrix()); the same
        # order sorts the arcs by (src, dst) key for arc()
        csr_arc = (lookup.data - 1).astype(np.int64)
        object.__setattr__(self, "_csr_arc", csr_arc)
        object.__setattr__(self, "_keys", (self.src[csr_arc] * n + self.dst[csr_arc], csr_arc))
        for name in ("node_kind", "positions_km", "src", "dst", "link_type", "capacity_mbps", "distance_km"):
            _readonly(getattr(self, name))

    @property
    def n_nodes(self) -> int:
        return int(self.node_kind.shape[0])

    @property
    def n_arcs(self) -> int:
        return int(self.src.shape[0])

    @property
    def delay_s(self) -> np.ndarray:
        """Propagation delay of every arc (Eq. 4), s."""
        return propagation_s(self.distance_km)

    def nodes(self, kind: str) -> np.ndarray:
        """Indices of the nodes of ``kind``."""
        if kind not in self.kinds:
            raise ValueError(f"kind: {kind!r} is not valid; choose one of {', '.join(map(repr, self.kinds))}")
        return np.flatnonzero(self.node_kind == self.kinds.index(kind))

    def arcs(self, link_type: str) -> np.ndarray:
        """Indices of the arcs of ``link_type``."""
        if link_type not in self.link_types:
            raise ValueError(f"link_type: {link_type!r} is not valid; choose one of "
                             f"{', '.join(map(repr, self.link_types))}")
        return np.flatnonzero(self.link_type == self.link_types.index(link_type))

    def arc(self, u: np.ndarray | int, v: np.ndarray | int) -> np.ndarray:
        """Arc index of ``u -> v`` (broadcast), -1 where there is none."""
        key = np.asarray(u, dtype=np.int64) * self.n_nodes + np.asarray(v, dtype=np.int64)
        keys, arcs = self._keys  # type: ignore[attr-defined]
        if keys.size == 0:
            return np.full(np.shape(key), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(keys, key), keys.size - 1)
        return np.where(keys[pos] == key, arcs[pos], -1).astype(np.int64)

    def matrix(self, weights: np.ndarray, arc_mask: np.ndarray | None = None) -> sparse.csr_matrix:
        """Sparse ``(n, n)`` weight matrix of the arcs (optionally only those in ``arc_mask``).

        Weights must be finite and >= 0 (a 0 weight is still an arc for csgraph); arcs outside
        ``arc_mask`` get an infinite weight, which csgraph never traverses."""
        w = np.asarray(weights, dtype=float)
        if w.shape != (self.n_arcs,):
            raise ValueError(f"weights: expected shape ({self.n_arcs},), got {w.shape}")
        if not np.all(np.isfinite(w)) or np.any(w < 0):
            raise ValueError("weights: must be finite and >= 0 on every arc")
        if arc_mask is not None:
            w = np.where(np.asarray(arc_mask, dtype=bool), w, np.inf)
        lk = self._lookup  # type: ignore[attr-defined]
        return sparse.csr_matrix((w[self._csr_arc], lk.indices, lk.indptr),  # type: ignore[attr-defined]
                                 shape=(self.n_nodes, self.n_nodes))

    def shortest_paths(self, weights: np.ndarray, sources: Sequence[int] | np.ndarray,
                       arc_mask: np.ndarray | None = None) -> ShortestPaths:
        """Dijkstra (``scipy.sparse.csgraph``) from each source with arc ``weights``."""
        src = np.atleast_1d(np.asarray(sources, dtype=np.int64))
        dist, pred = dijkstra(self.matrix(weights, arc_mask), directed=True, indices=src,
                              return_predecessors=True)
        return ShortestPaths(src, np.atleast_2d(dist), np.atleast_2d(pred))

    def k_shortest_paths(self, weights: np.ndarray, source: int, target: int, k: int,
                         arc_mask: np.ndarray | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        """The ``k`` shortest loopless paths ``source -> target`` (Yen, ``scipy.sparse.csgraph.yen``).

        Returns ``(costs, node_paths)``, fewer than ``k`` if fewer exist, none if unreachable."""
        if k < 1:
            raise ValueError(f"k: must be >= 1, got {k}")
        costs, pred = yen(self.matrix(weights, arc_mask), int(source), int(target), int(k),
                          directed=True, return_predecessors=True)
        paths = [path_from_predecessors(pred[i], int(source), int(target)) for i in range(len(costs))]
        return np.asarray(costs, dtype=float), paths

    def path_arcs(self, nodes: Sequence[int] | np.ndarray) -> np.ndarray:
        """Arc indices along a node path; ValueError if two consecutive nodes are not linked."""
        nodes = np.asarray(nodes, dtype=np.int64)
        if nodes.size < 2:
            return np.zeros(0, dtype=np.int64)
        arcs = self.arc(nodes[:-1], nodes[1:])
        if np.any(arcs < 0):
            k = int(np.flatnonzero(arcs < 0)[0])
            raise ValueError(f"path: nodes {int(nodes[k])} -> {int(nodes[k + 1])} are not linked in this snapshot")
        return arcs

    def arc_loads(self, paths: Sequence[np.ndarray], rates: np.ndarray) -> np.ndarray:
        """Total rate on every arc, ``(n_arcs,)``, of flows ``rates[i]`` along arc paths ``paths[i]``."""
        rates = np.asarray(rates, dtype=float)
        if len(paths) != rates.shape[0]:
            raise ValueError(f"rates: expected {len(paths)} entries (one per path), got {rates.shape[0]}")
        if not paths:
            return np.zeros(self.n_arcs)
        lengths = np.fromiter((len(p) for p in paths), dtype=np.int64, count=len(paths))
        flat = np.concatenate([np.asarray(p, dtype=np.int64) for p in paths]) if lengths.sum() else np.zeros(0, np.int64)
        return np.bincount(flat, weights=np.repeat(rates, lengths), minlength=self.n_arcs)


@dataclass(frozen=True)
class ShortestPaths:
    """Dijkstra results: ``dist[r, v]`` (inf if unreachable) and predecessors from ``sources[r]``."""

    sources: np.ndarray
    dist: np.ndarray
    pred: np.ndarray

    def path(self, row: int, target: int) -> np.ndarray:
        """Node path from ``sources[row]`` to ``target`` (empty if unreachable)."""
        return path_from_predecessors(self.pred[row], int(self.sources[row]), int(target))


def path_from_predecessors(pred: np.ndarray, source: int, target: int) -> np.ndarray:
    """Node path ``source -> target`` from a csgraph predecessor row (empty if unreachable)."""
    if target == source:
        return np.array([source], dtype=np.int64)
    out = [target]
    node = target
    for _ in range(pred.shape[0]):
        node = int(pred[node])
        if node < 0:
            return np.zeros(0, dtype=np.int64)
        out.append(node)
        if node == source:
            return np.array(out[::-1], dtype=np.int64)
    raise RuntimeError("predecessor row has a cycle")  # csgraph never returns one


def build_network(kinds: Sequence[str], node_kind: np.ndarray, positions_km: np.ndarray,
                  link_sets: Sequence[LinkSet], link_types: Sequence[str] | None = None) -> Network:
    """A :class:`Network` from node kinds/positions and link sets (lengths from the positions).

    ``link_types`` fixes the type order (default: order of first appearance). Capacities must be
    >= 0 (``ValueError`` naming the link type otherwise); a pair may appear in one set only.
    """
    kinds = tuple(kinds)
    node_kind = np.array(node_kind, dtype=np.int64)
    pos = np.array(positions_km, dtype=float)
    if node_kind.ndim != 1 or np.any((node_kind < 0) | (node_kind >= len(kinds))):
        raise ValueError(f"node_kind: must be a 1-D array of indices into kinds (0..{len(kinds) - 1})")
    if pos.shape != (node_kind.size, 3) or not np.all(np.isfinite(pos)):
        raise ValueError(f"positions_km: expected finite shape ({node_kind.size}, 3), got {pos.shape}")
    types = list(link_types) if link_types is not None else []
    for ls in link_sets:
        if ls.link_type not in types:
            if link_types is not None:
                raise ValueError(f"link_type: {ls.link_type!r} is not valid; choose one of {', '.join(map(repr, types))}")
            types.append(ls.link_type)
    src, dst, typ, cap = [], [], [], []
    for ls in link_sets:
        a = np.atleast_1d(np.asarray(ls.a, dtype=np.int64))
        b = np.atleast_1d(np.asarray(ls.b, dtype=np.int64))
        if a.shape != b.shape:
            raise ValueError(f"links[{ls.link_type!r}]: a and b must have the same length")
        c = np.broadcast_to(np.asarray(ls.capacity_mbps, dtype=float), a.shape)
        if np.any(~np.isfinite(c)) or np.any(c < 0):
            raise ValueError(f"capacity_mbps[{ls.link_type!r}]: must be finite and >= 0, got {c.min() if c.size else c}")
        if a.size and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= node_kind.size):
            raise ValueError(f"links[{ls.link_type!r}]: node index out of range 0..{node_kind.size - 1}")
        if np.any(a == b):
            raise ValueError(f"links[{ls.link_type!r}]: a node cannot link to itself")
        pairs = [(a, b)] if ls.directed else [(a, b), (b, a)]
        for u, v in pairs:
            src.append(u)
            dst.append(v)
            typ.append(np.full(u.size, types.index(ls.link_type), dtype=np.int64))
            cap.append(c.copy())
    cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
    s, d = cat(src, np.int64), cat(dst, np.int64)
    return Network(kinds=kinds, node_kind=node_kind, positions_km=pos, link_types=tuple(types), src=s, dst=d,
                   link_type=cat(typ, np.int64), capacity_mbps=cat(cap, float),
                   distance_km=np.linalg.norm(pos[d] - pos[s], axis=1) if s.size else np.zeros(0))


def line_of_sight_pairs(pos_a_km: np.ndarray, pos_b_km: np.ndarray | None, max_range_km: float,
                        clearance_radius_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``(i, j)`` within ``max_range_km`` whose chord clears the sphere of ``clearance_radius_km``.

    ``pos_b_km=None`` pairs the set with itself (``i < j`` only). Returns ``(i, j, distance_km)``.

    >>> a = np.array([[6390.0, 0, 0], [6390.0, 300, 0], [0, 6390.0, 0]])   # two close, one far
    >>> line_of_sight_pairs(a, None, 400.0, 6371.0)[:2]
    (array([0]), array([1]))
    """
    a = np.asarray(pos_a_km, dtype=float)
    b = a if pos_b_km is None else np.asarray(pos_b_km, dtype=float)
    d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)
    ok = d <= max_range_km
    if pos_b_km is None:
        ok &= np.triu(np.ones_like(ok), k=1).astype(bool)
    i, j = np.nonzero(ok)
    clear = line_of_sight(a[i], b[j], clearance_radius_km)
    return i[clear], j[clear], d[i[clear], j[clear]]


def elevation_pairs(upper_km: np.ndarray, lower_km: np.ndarray, lower_up: np.ndarray, min_elevation_deg: float,
                    max_range_km: float = np.inf) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs ``(i upper, j lower)`` with ``upper[i]`` at least ``min_elevation_deg`` above the local
    horizon of ``lower[j]`` (unit zenith ``lower_up[j]``) and within ``max_range_km``.

    Returns ``(i, j, elevation_deg, range_km)``.

    >>> up = np.array([[0.0, 0, 1]]); ground = np.array([[0.0, 0, 6357.0]])
    >>> elevation_pairs(np.array([[0.0, 0, 7150.0], [7150.0, 0, 0]]), ground, up, 10.0)[0]
    array([0])
    """
    el, rng = pair_elevation_range(np.asarray(upper_km, dtype=float)[:, None, :],
                                   np.asarray(lower_km, dtype=float)[None, :, :], np.asarray(lower_up)[None, :, :])
    i, j = np.nonzero((el >= min_elevation_deg) & (rng <= max_range_km))
    return i, j, el[i, j], rng[i, j]


def processor_sharing_s(group: np.ndarray, size: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Completion time of jobs that share a server fairly (processor sharing), all present at t = 0.

    Job ``k`` of ``size[k]`` on server ``group[k]`` (capacity ``capacity[group]`` per s) finishes
    at ``sum_j min(size_j, size_k) / capacity`` over the jobs ``j`` of its server: alone, at
    ``size / capacity`` (Eq. 2's D/B); sharing, later. Used for flows that share a link and tasks
    that share a MEC server.

    >>> processor_sharing_s(np.array([0, 0, 1]), np.array([1.0, 3.0, 2.0]), np.array([1.0, 4.0])).tolist()
    [2.0, 4.0, 0.5]
    """
    group = np.asarray(group, dtype=np.int64)
    size = np.asarray(size, dtype=float)
    out = np.zeros(size.shape)
    if size.size == 0:
        return out
    order = np.lexsort((size, group))
    g, s = group[order], size[order]
    first = np.r_[True, g[1:] != g[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(g.size), 0))
    csum = np.cumsum(s)
    before = csum - np.where(start > 0, csum[start - 1], 0.0)  # sizes up to and including k in its group
    count = np.bincount(g, minlength=int(g.max()) + 1)
    end = start + count[g]
    after = (end - np.arange(g.size) - 1) * s  # the larger jobs contribute size_k each
    # equal sizes: the sort puts ties side by side, and min(s_j, s_k) = s_k either way
    out[order] = (before + after) / np.asarray(capacity, dtype=float)[g]
    return out
