"""satgym.core.network: graph building, visibility from geometry, routing against networkx, sharing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satgym.core.network import (SPEED_OF_LIGHT_KM_S, LinkSet, build_network, elevation_pairs,
                                 line_of_sight_pairs, processor_sharing_s, propagation_s, transmission_s)
from satgym.core.orbits import GroundStations, elevation_deg
from satgym.core.orbits.frames import WGS84_A_KM

nx = pytest.importorskip("networkx")


def random_network(seed: int, n: int = 30, p: float = 0.15):
    rng = np.random.default_rng(seed)
    pos = rng.normal(size=(n, 3))
    pos = 7000.0 * pos / np.linalg.norm(pos, axis=1, keepdims=True)
    iu, ju = np.triu_indices(n, 1)
    keep = rng.random(iu.size) < p
    a, b = iu[keep], ju[keep]
    cap = rng.choice([45.0, 75.0, 112.0, 125.0, 500.0], size=a.size)
    kind = rng.integers(0, 3, size=n)
    net = build_network(("satellite", "aircraft", "gateway"), kind, pos, [LinkSet("any", a, b, cap)])
    return net, rng


def to_networkx(net, weights):
    g = nx.DiGraph()
    g.add_nodes_from(range(net.n_nodes))
    for k in range(net.n_arcs):
        g.add_edge(int(net.src[k]), int(net.dst[k]), w=float(weights[k]))
    return g


def test_build_lengths_delays_and_lookup():
    net, _ = random_network(0)
    assert net.n_arcs % 2 == 0  # undirected links are two arcs
    np.testing.assert_allclose(net.distance_km, np.linalg.norm(net.positions_km[net.dst] - net.positions_km[net.src], axis=1))
    np.testing.assert_allclose(net.delay_s, net.distance_km / SPEED_OF_LIGHT_KM_S)
    k = np.arange(net.n_arcs)
    assert np.array_equal(net.arc(net.src, net.dst), k)
    assert np.array_equal(net.arc(net.dst, net.src) >= 0, np.ones(net.n_arcs, bool))
    missing = [(u, v) for u in range(5) for v in range(5) if u != v and not np.any((net.src == u) & (net.dst == v))]
    assert all(net.arc(u, v) == -1 for u, v in missing)
    assert set(net.nodes("gateway")) == set(np.flatnonzero(net.node_kind == 2))
    assert np.all(net.arcs("any") == k)
    with pytest.raises(ValueError, match="kind.*'satellite'"):
        net.nodes("balloon")


@pytest.mark.parametrize("bad, match", [
    (dict(cap=-1.0), r"capacity_mbps\['isl'\]"),
    (dict(cap=float("nan")), r"capacity_mbps\['isl'\]"),
    (dict(a=[0, 0], b=[1, 1]), "more than once"),
    (dict(a=[1], b=[1]), "itself"),
    (dict(a=[0], b=[9]), "out of range"),
])
def test_bad_links_raise_naming_the_field(bad, match):
    pos = np.eye(3) * 7000.0
    a, b, cap = bad.get("a", [0]), bad.get("b", [1]), bad.get("cap", 125.0)
    with pytest.raises(ValueError, match=match):
        build_network(("satellite",), [0, 0, 0], pos, [LinkSet("isl", a, b, cap)])


def test_unknown_link_type_and_bad_weights():
    pos = np.eye(3) * 7000.0
    with pytest.raises(ValueError, match="link_type.*'isl'"):
        build_network(("s",), [0, 0, 0], pos, [LinkSet("laser", [0], [1], 1.0)], link_types=("isl",))
    net = build_network(("s",), [0, 0, 0], pos, [LinkSet("isl", [0], [1], 1.0)])
    with pytest.raises(ValueError, match="weights"):
        net.shortest_paths(np.array([1.0, -1.0]), [0])
    with pytest.raises(ValueError, match="weights"):
        net.shortest_paths(np.ones(3), [0])


@pytest.mark.parametrize("seed", range(5))
def test_shortest_paths_match_networkx(seed):
    net, rng = random_network(seed)
    data = rng.uniform(0.0, 20.0)  # a flow of `data` Mbit: weight = transmission + propagation (Eq. 5)
    weights = transmission_s(data, net.capacity_mbps) + net.delay_s
    g = to_networkx(net, weights)
    sources = rng.choice(net.n_nodes, size=4, replace=False)
    sp = net.shortest_paths(weights, sources)
    for r, s in enumerate(sources):
        ref = nx.single_source_dijkstra_path_length(g, int(s), weight="w")
        for v in range(net.n_nodes):
            if v in ref:
                assert sp.dist[r, v] == pytest.approx(ref[v], rel=1e-12, abs=1e-15)
                path = sp.path(r, v)
                assert path[0] == s and path[-1] == v
                assert weights[net.path_arcs(path)].sum() == pytest.approx(ref[v], rel=1e-12, abs=1e-15)
            else:
                assert np.isinf(sp.dist[r, v]) and sp.path(r, v).size == 0


@pytest.mark.parametrize("seed", range(3))
def test_k_shortest_paths_match_networkx(seed):
    net, rng = random_network(seed, n=20, p=0.25)
    weights = net.delay_s + 1e-3  # distinct enough costs
    g = to_networkx(net, weights)
    s, t = (int(x) for x in rng.choice(net.n_nodes, size=2, replace=False))
    costs, paths = net.k_shortest_paths(weights, s, t, 4)
    if not nx.has_path(g, s, t):
        assert costs.size == 0 and paths == []
        return
    ref = []
    for p in nx.shortest_simple_paths(g, s, t, weight="w"):
        ref.append(nx.path_weight(g, p, "w"))
        if len(ref) == 4:
            break
    np.testing.assert_allclose(costs, ref, rtol=1e-12)
    for c, p in zip(costs, paths):
        assert p[0] == s and p[-1] == t and len(set(p.tolist())) == len(p)  # loopless
        assert weights[net.path_arcs(p)].sum() == pytest.approx(c)


def test_arc_mask_removes_arcs_from_routing():
    pos = np.array([[7000.0, 0, 0], [0, 7000.0, 0], [0, 0, 7000.0]])
    net = build_network(("s",), [0, 0, 0], pos, [LinkSet("isl", [0, 1], [1, 2], 125.0), LinkSet("long", [0], [2], 125.0)])
    w = np.ones(net.n_arcs)
    assert net.shortest_paths(w, [0]).path(0, 2).tolist() == [0, 2]
    mask = net.link_type != net.link_types.index("long")
    assert net.shortest_paths(w, [0], arc_mask=mask).path(0, 2).tolist() == [0, 1, 2]


def test_path_arcs_rejects_unlinked_nodes_and_arc_loads_add_up():
    net, rng = random_network(1)
    sp = net.shortest_paths(net.delay_s, [0])
    reach = np.flatnonzero(np.isfinite(sp.dist[0]))[1:6]
    paths = [net.path_arcs(sp.path(0, v)) for v in reach]
    rates = rng.uniform(1, 10, size=len(paths))
    loads = net.arc_loads(paths, rates)
    assert loads.sum() == pytest.approx(sum(r * len(p) for r, p in zip(rates, paths)))
    for p, r in zip(paths, rates):
        assert np.all(loads[p] >= r - 1e-12)
    unlinked = next((u, v) for u in range(net.n_nodes) for v in range(net.n_nodes) if u != v and net.arc(u, v) < 0)
    with pytest.raises(ValueError, match="not linked"):
        net.path_arcs(list(unlinked))
    with pytest.raises(ValueError, match="rates"):
        net.arc_loads(paths, rates[:-1])


def test_line_of_sight_pairs_agree_with_brute_force_and_earth_blocks():
    rng = np.random.default_rng(3)
    pos = rng.normal(size=(40, 3))
    pos = (WGS84_A_KM + rng.uniform(0.0, 800.0, size=(40, 1))) * pos / np.linalg.norm(pos, axis=1, keepdims=True)
    i, j, d = line_of_sight_pairs(pos, None, 4000.0, WGS84_A_KM)
    got = set(zip(i.tolist(), j.tolist()))
    want = set()
    for a in range(40):
        for b in range(a + 1, 40):
            seg = pos[a] + np.linspace(0, 1, 2001)[:, None] * (pos[b] - pos[a])
            if np.linalg.norm(pos[a] - pos[b]) <= 4000.0 and np.linalg.norm(seg, axis=1).min() >= WGS84_A_KM:
                want.add((a, b))
    assert got == want and len(want) > 0
    np.testing.assert_allclose(d, np.linalg.norm(pos[i] - pos[j], axis=1))
    # antipodal points never see each other
    assert line_of_sight_pairs(np.array([[7000.0, 0, 0]]), np.array([[-7000.0, 0, 0]]), 1e5, WGS84_A_KM)[0].size == 0


def test_elevation_pairs_match_the_orbits_elevation():
    stations = GroundStations.from_list([("Rome", 41.9, 12.483), ("Punta Arenas", -53.315, -71.58),
                                         ("aircraft", 10.0, -30.0, 10.7)])
    rng = np.random.default_rng(5)
    sats = rng.normal(size=(200, 3))
    sats = (WGS84_A_KM + 781.0) * sats / np.linalg.norm(sats, axis=1, keepdims=True)
    i, j, el, rng_km = elevation_pairs(sats, stations.ecef_km(), stations.up(), 8.2)
    ref = elevation_deg(sats, stations)
    assert set(zip(i.tolist(), j.tolist())) == set(zip(*np.nonzero(ref >= 8.2)))
    np.testing.assert_allclose(el, ref[i, j])
    np.testing.assert_allclose(rng_km, np.linalg.norm(sats[i] - stations.ecef_km()[j], axis=1))
    near = elevation_pairs(sats, stations.ecef_km(), stations.up(), 8.2, max_range_km=2000.0)
    assert np.all(near[3] <= 2000.0) and near[0].size < i.size


def test_units():
    assert float(propagation_s(SPEED_OF_LIGHT_KM_S)) == 1.0
    assert float(transmission_s(125.0, 125.0)) == 1.0


def _simulate_ps(sizes: np.ndarray, capacity: float) -> np.ndarray:
    """Event-driven processor sharing: every unfinished job gets capacity / n_active."""
    left = sizes.astype(float).copy()
    done = np.zeros(sizes.size)
    t = 0.0
    active = left > 0
    while active.any():
        n = active.sum()
        step = left[active].min() * n / capacity
        t += step
        left[active] -= step * capacity / n
        finished = active & (left <= 1e-12)
        done[finished] = t
        active &= ~finished
    return done


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.floats(0.1, 50.0), min_size=1, max_size=8), groups=st.integers(1, 3),
       seed=st.integers(0, 1000))
def test_processor_sharing_matches_an_event_simulation(sizes, groups, seed):
    rng = np.random.default_rng(seed)
    size = np.array(sizes)
    group = rng.integers(0, groups, size=size.size)
    cap = rng.uniform(10.0, 500.0, size=groups)
    got = processor_sharing_s(group, size, cap)
    for g in range(groups):
        m = group == g
        if m.any():
            np.testing.assert_allclose(got[m], _simulate_ps(size[m], cap[g]), rtol=1e-9)
    alone = processor_sharing_s(np.arange(size.size), size, np.full(size.size, 125.0))
    np.testing.assert_allclose(alone, size / 125.0)  # alone on a link: Eq. 2's D / B
