"""The AA-MEC MILP oracles: the path formulation equals the paper's link formulation on small
instances; on the real scenario the plans respect Eqs. 24-26 and the MEC capacity; static keeps
its destinations; the oracle beats the trivial policy."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

import satgym
from baselines.aamec.columns import build_columns
from baselines.aamec.ifecs_milp import solve_ifecs
from baselines.aamec.offloading_milp import solve_offloading
from baselines.aamec.path_milp import solve_columns
from satgym.policies import make_policy
from satgym.aamec.routing import path_feeder, transit_mask
from satgym.aamec.topology import Topology
from satgym.core.network import LinkSet, build_network


def tiny_topology(rng: np.random.Generator) -> Topology:
    """6 satellites (ring + chords), 2 gateways, 3 aircraft; random capacities."""
    S, G, A = 6, 2, 3
    pos = rng.normal(size=(S + G + A, 3)) * 100.0 + np.array([7000.0, 0, 0])
    isl_a, isl_b = [0, 1, 2, 3, 4, 5, 0, 1], [1, 2, 3, 4, 5, 0, 3, 4]
    feeders = [(0, 0), (1, 0), (3, 1), (4, 1), (5, 1)]
    el = np.full((S, G), np.nan)
    for s, g in feeders:
        el[s, g] = 30.0 + s
    net = build_network(("satellite", "gateway", "aircraft"), [0] * S + [1] * G + [2] * A, pos, [
        LinkSet("sat_sat", isl_a, isl_b, rng.choice([8.0, 15.0, 40.0], size=len(isl_a))),
        LinkSet("sat_aircraft", [2, 5, 3], [8, 9, 10], rng.choice([6.0, 20.0], size=3)),
        LinkSet("sat_gateway", [s for s, _ in feeders], [S + g for _, g in feeders], rng.choice([10.0, 30.0], size=5)),
        LinkSet("aircraft_aircraft", [8], [9], 12.0),
        LinkSet("aircraft_gateway", [10], [S + 1], 9.0),
    ], link_types=("sat_sat", "sat_aircraft", "sat_gateway", "aircraft_aircraft", "aircraft_gateway"))
    return Topology(net=net, n_sats=S, n_gateways=G, n_aircraft=A, feeder_elevation_deg=el)


def link_formulation(topo, sources, data, tasks, weights, extra, mec_nodes, mec_cap, drop_cost):
    """The paper's form: binary x[f, arc] with flow conservation, z[f, m], u[f], y[s', g]."""
    net = topo.net
    S, G = topo.n_sats, topo.n_gateways
    arcs = np.flatnonzero(transit_mask(topo))
    F, E, M = len(sources), arcs.size, mec_nodes.size
    feeder_arcs = [k for k, a in enumerate(arcs) if net.node_kind[net.dst[a]] == 1 and net.src[a] < S]
    Y = len(feeder_arcs)
    nx_, nz = F * E, F * M
    n = nx_ + nz + F + Y
    ix = lambda f, k: f * E + k                      # noqa: E731
    iz = lambda f, m: nx_ + f * M + m                # noqa: E731
    iu = lambda f: nx_ + nz + f                      # noqa: E731
    rows, lo, hi = [], [], []

    def row(entries, low, high):
        r = np.zeros(n)
        for i, v in entries:
            r[i] += v
        rows.append(r)
        lo.append(low)
        hi.append(high)

    for f in range(F):
        row([(iz(f, m), 1.0) for m in range(M)] + [(iu(f), 1.0)], 1.0, 1.0)
        for v in range(net.n_nodes):  # Eq. 22: out - in = [v = src](1 - u) - z[v]
            e = [(ix(f, k), 1.0) for k, a in enumerate(arcs) if net.src[a] == v]
            e += [(ix(f, k), -1.0) for k, a in enumerate(arcs) if net.dst[a] == v]
            if v == sources[f]:
                e.append((iu(f), 1.0))
                row(e, 1.0, 1.0)
                continue
            e += [(iz(f, m), 1.0) for m in range(M) if mec_nodes[m] == v]
            row(e, 0.0, 0.0)
    for k, a in enumerate(arcs):  # Eq. 24
        row([(ix(f, k), data[f]) for f in range(F)], -np.inf, net.capacity_mbps[a])
    for g in range(G):  # Eq. 25
        row([(nx_ + nz + F + q, 1.0) for q, k in enumerate(feeder_arcs) if net.dst[arcs[k]] == S + g], -np.inf, 1.0)
    for q, k in enumerate(feeder_arcs):  # Eq. 26
        for f in range(F):
            row([(ix(f, k), 1.0), (nx_ + nz + F + q, -1.0)], -np.inf, 0.0)
    for m in range(M):  # MEC capacity
        row([(iz(f, m), tasks[f]) for f in range(F)], -np.inf, mec_cap[m])
    c = np.zeros(n)
    for f in range(F):
        for k, a in enumerate(arcs):
            c[ix(f, k)] = weights[f][a]
        for m in range(M):
            c[iz(f, m)] = extra[f]
        c[iu(f)] = drop_cost
    res = milp(c, constraints=LinearConstraint(sp.csr_matrix(np.array(rows)), lo, hi), integrality=np.ones(n),
               bounds=Bounds(0, 1), options={"mip_rel_gap": 1e-9})
    assert res.status == 0
    return res.fun


@pytest.mark.parametrize("seed", range(6))
def test_path_formulation_equals_the_link_formulation(seed):
    rng = np.random.default_rng(seed)
    topo = tiny_topology(rng)
    net = topo.net
    sources = np.array([0, 2, 5])
    data = rng.choice([4.0, 7.0, 12.0], size=3)
    tasks = data / 0.4
    mec_nodes = np.array([6, 7, 9])
    mec_cap = rng.choice([20.0, 40.0, 100.0], size=3)
    weights = np.stack([d / net.capacity_mbps + 2 * net.delay_s for d in data])
    extra = tasks * 25.0 / 71120.0
    drop = 50.0
    ref = link_formulation(topo, sources, data, tasks, weights, extra, mec_nodes, mec_cap, drop)
    cols = build_columns(topo, sources, weights, [mec_nodes] * 3, extra, k_paths=60)
    chosen, obj, status, _, gap = solve_columns(cols, 3, data, net.capacity_mbps, topo.n_sats, drop, mec_nodes=mec_nodes,
                                           flow_tasks=tasks, mec_capacity=mec_cap, mip_rel_gap=1e-9)
    assert status == "optimal" and gap <= 1e-9 and obj == pytest.approx(ref, rel=1e-7, abs=1e-9)
    # the chosen columns are feasible: capacities and one feeder per gateway
    used = chosen[chosen >= 0]
    load = np.zeros(net.n_arcs)
    feeder = {}
    for c in used:
        load[cols.arcs[c]] += data[cols.flow[c]]
        j, s = path_feeder(topo, cols.nodes[c])
        if j >= 0:
            assert feeder.setdefault(j, s) == s
    assert np.all(load <= net.capacity_mbps + 1e-9)


@pytest.fixture(scope="module")
def heavy_snapshot():
    env = satgym.parallel_env("aamec", {"episode": {"steps": 3}, "aircraft": {"mec_ratio": 0.2}}, load="heavy")
    env.reset(seed=0)
    return env


def test_oracle_plan_respects_the_constraints_in_the_env(heavy_snapshot):
    env = heavy_snapshot
    env.reset(seed=0)
    v = env.snapshot()
    sol = solve_offloading(v)
    assert sol.status == "optimal"
    offloading = v.excess_per_s > 0
    assert np.all(sol.destinations[offloading] >= 0) and np.all(sol.destinations[~offloading] == -1)
    net = v.topology.net
    load = np.zeros(net.n_arcs)
    tasks = np.zeros(v.mec_nodes.size)
    for s in np.flatnonzero(offloading):
        load[net.path_arcs(sol.routes[s])] += v.data_mbit[s]
        tasks[np.searchsorted(v.mec_nodes, sol.destinations[s])] += v.excess_per_s[s]
        j, sat = path_feeder(v.topology, sol.routes[s])
        if j >= 0:
            assert sol.feeders[j] == sat                                   # Eq. 26
    assert np.all(load <= net.capacity_mbps + 1e-6)                        # Eq. 24
    assert np.all(tasks <= v.mec_capacity_per_s)                           # MEC capacity
    env.set_plan(sol.destinations, sol.routes, sol.feeders)
    _, _, _, _, infos = env.step({})
    m = infos["sat_0"]["metrics"]
    assert m["failed_link_capacity"] == m["failed_mec_capacity"] == m["failed_no_route"] == 0
    assert m["routed_flows"] == int(offloading.sum())


def test_mec_capacity_constraint_binds():
    env = satgym.parallel_env("aamec", {"episode": {"steps": 1}, "aircraft": {"mec_ratio": 0.0},
                                        "compute": {"mec_clock_ghz": 0.15}}, load="heavy")  # 152 tasks/s per MEC
    env.reset(seed=0)
    v = env.snapshot()
    sol = solve_offloading(v, top_destinations=10)
    tasks = np.bincount(np.searchsorted(v.mec_nodes, sol.destinations[sol.destinations >= 0]),
                        weights=v.excess_per_s[sol.destinations >= 0], minlength=v.mec_nodes.size)
    assert np.all(tasks <= v.mec_capacity_per_s) and tasks.max() > 0.8 * v.mec_capacity_per_s[0]
    cheapest = np.bincount(v.candidates.ranked[v.excess_per_s > 0, 0], weights=v.excess_per_s[v.excess_per_s > 0],
                           minlength=v.mec_nodes.size)
    assert cheapest.max() > v.mec_capacity_per_s[0]  # without the constraint a server would be overloaded


def test_static_keeps_destinations_and_terrestrial_uses_gateways_only():
    env = satgym.parallel_env("aamec", {"episode": {"steps": 3}}, load="heavy")
    obs, infos = env.reset(seed=4)
    static = make_policy("aamec_static")
    static.reset(env, seed=4)
    first = None
    while env.agents:
        obs, _, _, _, infos = env.step(static.act(env, obs, infos))
        dest = env.sim.last.destinations
        if first is None:
            first = dest.copy()
        both = (first >= 0) & (dest >= 0)
        assert both.sum() > 20 and np.array_equal(dest[both], first[both])
    env.reset(seed=4)
    terrestrial = make_policy("aamec_terrestrial")
    obs, infos = env.reset(seed=4)
    terrestrial.reset(env, seed=4)
    env.step(terrestrial.act(env, obs, infos))
    dest = env.sim.last.destinations
    S, G = env.sim.n_sats, env.sim.n_gateways
    assert np.all((dest == -1) | ((dest >= S) & (dest < S + G)))


def test_oracle_beats_the_trivial_policies():
    """Decisions matter: on the same task stream the oracle's completion time and flow latency are
    clearly below those of everyone-to-their-cheapest-MEC and of a random MEC."""
    def run(name):
        env = satgym.parallel_env("aamec", {"episode": {"steps": 4}}, load="heavy")
        obs, infos = env.reset(seed=5)
        p = make_policy(name)
        p.reset(env, seed=5)
        while env.agents:
            obs, _, _, _, infos = env.step(p.act(env, obs, infos))
        return env.episode_metrics()

    oracle, cheapest, random = run("aamec_dynamic"), run("aamec_cheapest"), run("aamec_random")
    assert oracle["mean_completion_s"] < 0.9 * cheapest["mean_completion_s"]
    assert oracle["mean_flow_latency_s"] < 0.9 * random["mean_flow_latency_s"]
    assert oracle["failed"] <= cheapest["failed"]


def test_ifecs_oracle_meets_packet_delay_budgets_and_capacities():
    env = satgym.parallel_env("aamec", {"episode": {"steps": 1}, "aircraft": {"count": 30, "mec_ratio": 0.2}})
    env.reset(seed=2)
    v = env.snapshot()
    services = env.config.ifecs.services
    sol = solve_ifecs(v, services, top_destinations=4)
    budget = np.array([s.delay_budget_ms / 1e3 for s in services])
    served = sol.dest >= 0
    assert served.mean() > 0.95
    assert np.all(sol.packet_latency_s[served] <= budget[sol.service[served]] + 1e-12)          # Eq. 10
    mec_aircraft = np.isin(v.topology.aircraft_nodes[sol.aircraft], v.mec_nodes)
    own = sol.dest == v.topology.aircraft_nodes[sol.aircraft]
    assert np.all(sol.latency_s[own] == 0.0) and np.all(own[mec_aircraft])  # a MEC aircraft serves itself
    np.testing.assert_allclose(sol.demand_mbps, v.ifecs_mbps[sol.aircraft, sol.service])      # Eq. 1
