"""Flows on their paths (capacity sharing, drops, Eqs. 5/18-20), candidates, matching and plans."""

from __future__ import annotations

import numpy as np
import pytest

import satgym
from satgym.aamec.flows import evaluate_flows
from satgym.aamec.routing import completion_weights, path_feeder
from satgym.core.network import LinkSet, build_network, propagation_s

POS = np.array([[7000.0, 0, 0], [7000.0, 3000, 0], [7000.0, -3000, 0], [6378.0, 0, 0]])


def line_net(isl=125.0, feeder=500.0):
    # satellites 1 -> 0 and 2 -> 0, satellite 0 -> gateway 3
    return build_network(("satellite", "gateway"), [0, 0, 0, 1], POS,
                         [LinkSet("isl", [1, 2], [0, 0], isl), LinkSet("feeder", [0], [3], feeder)])


def test_alone_the_flow_gets_the_papers_latencies():
    net = line_net()
    p = [net.path_arcs([1, 0, 3])]
    out = evaluate_flows(net, p, np.array([10.0]), np.array([25.0]), np.array([0]), np.array([2844.0]), 71120.0, 25.0)
    d = net.distance_km[p[0]]
    assert out.transmission_s[0] == pytest.approx(10 / 125 + 10 / 500)             # Eq. 18: sum D / B
    assert out.propagation_s[0] == pytest.approx(float(propagation_s(d.sum())))   # Eq. 4
    assert out.computation_s[0] == pytest.approx(25 * 25.0 / 71120.0)             # Eq. 19: n I / MIPS
    assert out.flow_latency_s[0] == pytest.approx(out.transmission_s[0] + out.propagation_s[0])   # Eq. 5
    assert out.completion_s[0] == pytest.approx(out.transmission_s[0] + 2 * out.propagation_s[0]
                                                + out.computation_s[0])           # Eq. 20
    assert out.delivered_fraction[0] == 1.0 and out.served_fraction[0] == 1.0


def test_sharing_slows_and_overload_drops_proportionally():
    net = line_net(feeder=60.0)
    p = [net.path_arcs([1, 0, 3]), net.path_arcs([2, 0, 3])]
    out = evaluate_flows(net, p, np.array([40.0, 80.0]), np.array([100.0, 200.0]), np.array([0, 0]),
                         np.array([2844.0]), 71120.0, 25.0)
    # the feeder is offered 120 Mbps for 60: both flows keep half
    np.testing.assert_allclose(out.delivered_fraction, [0.5, 0.5])
    np.testing.assert_allclose(out.arc_carried_mbps[p[0][1]], 60.0)
    # on the feeder the carried 20 and 40 Mbit share 60 Mbps: 40/60 s and 60/60 s
    np.testing.assert_allclose(out.transmission_s, [40 / 125 + 40 / 60, 80 / 125 + 60 / 60])
    # MEC overload: 150 tasks/s arrive at a 100 tasks/s server
    out = evaluate_flows(net, p, np.array([1.0, 1.0]), np.array([100.0, 200.0]), np.array([0, 0]), np.array([100.0]),
                         2500.0, 25.0)
    np.testing.assert_allclose(out.served_fraction, [1 / 3, 1 / 3])
    assert out.mec_arrivals_per_s[0] == pytest.approx(300.0)


def test_candidates_are_ranked_by_single_flow_completion_time():
    env = satgym.parallel_env("aamec", {"episode": {"steps": 1}}, load="heavy")
    env.reset(seed=0)
    v = env.snapshot()
    net = v.topology.net
    for s in np.flatnonzero(v.excess_per_s > 0)[:5]:
        ranked = v.candidates.ranked[s]
        cost = v.candidates.cost_s[s, ranked[ranked >= 0]]
        assert np.all(np.diff(cost) >= 0)
        # the top candidate's cost is the cheapest path's weights + Eq. 19
        tree = v.candidates.tree(s)
        node = v.mec_nodes[ranked[0]]
        path = tree.path(0, node)
        w = completion_weights(v.topology, float(v.data_mbit[s]))
        assert cost[0] == pytest.approx(w[net.path_arcs(path)].sum() + v.compute_s[s])
        assert not np.any(net.node_kind[path[1:-1]] == 1)  # no transit through a gateway


def test_each_gateway_is_reached_through_one_satellite():
    env = satgym.parallel_env("aamec", {"episode": {"steps": 6}, "aircraft": {"mec_ratio": 0.0}}, load="heavy")
    env.reset(seed=1)
    while env.agents:
        topo = env.snapshot().topology
        env.step({a: 1 for a in env.agents})
        out = env.sim.last
        via = {}
        for p in out.paths:
            j, sat = path_feeder(topo, p)
            if j >= 0:
                via.setdefault(j, set()).add(sat)
                assert out.feeders[j] == sat
        assert via and all(len(s) == 1 for s in via.values())  # Eq. 25


def test_plans_are_validated_and_applied():
    env = satgym.parallel_env("aamec", {"episode": {"steps": 2}}, load="heavy")
    env.reset(seed=0)
    v = env.snapshot()
    S, G = v.topology.n_sats, v.topology.n_gateways
    with pytest.raises(ValueError, match=r"destinations\[0\]: node 3 is not a MEC server"):
        env.set_plan(destinations=np.full(S, 3))
    with pytest.raises(ValueError, match="destinations: expected 66"):
        env.set_plan(destinations=np.full(5, -1))
    blind = int(np.flatnonzero(~np.isfinite(v.topology.feeder_elevation_deg[:, 0]))[0])
    with pytest.raises(ValueError, match=r"feeders\[0\]: satellite .* does not see gateway 'Beijing'"):
        env.set_plan(feeders=np.r_[blind, np.full(G - 1, -1)])
    s = int(np.flatnonzero(v.excess_per_s > 0)[0])
    routes = [None] * S
    routes[s] = np.array([s, s + 1])  # not a MEC at the end
    with pytest.raises(ValueError, match=f"routes\\[{s}\\]"):
        env.set_plan(routes=routes)
    # a valid plan: everybody to the first gateway they can reach, the env routes
    dest = np.full(S, -1)
    dest[s] = v.mec_nodes[v.candidates.ranked[s, 0]]
    env.set_plan(destinations=dest)
    _, _, _, _, infos = env.step({a: 1 for a in env.agents})  # the actions are replaced by the plan
    m = infos["sat_0"]["metrics"]
    assert m["routed_flows"] == 1 and m["failed_not_offloaded"] > 0
    assert env.sim.last.destinations[s] == dest[s]


def test_fixed_feeders_are_kept_and_the_others_matched():
    env = satgym.parallel_env("aamec", {"episode": {"steps": 1}, "aircraft": {"mec_ratio": 0.0}}, load="heavy")
    env.reset(seed=3)
    v = env.snapshot()
    G = v.topology.n_gateways
    el = v.topology.feeder_elevation_deg
    j = int(np.argmax(np.isfinite(el).sum(axis=0)))          # a gateway with several feeder candidates
    lowest = int(np.nanargmin(el[:, j]))                      # force its lowest satellite
    feeders = np.full(G, -1)
    feeders[j] = lowest
    dest = np.where(v.excess_per_s > 0, v.topology.n_sats + j, -1)  # everyone to that gateway
    env.set_plan(destinations=dest, feeders=feeders)
    env.step({})
    out = env.sim.last
    assert out.feeders[j] == lowest
    for p in out.paths:
        if p.size:
            assert path_feeder(v.topology, p) in ((j, lowest), (-1, -1))  # via the fixed feeder (or DA2G)
    # with no plan the env picks the feeder itself, the same for every flow
    env.reset(seed=3)
    env.step({a: 1 for a in env.agents})
    assert np.all(env.sim.last.feeders[np.isfinite(el).any(axis=0)] >= 0)
