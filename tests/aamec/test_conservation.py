"""Every generated task is completed on board, completed at a MEC, or failed with a reason (none in
flight at the end of a snapshot), property-tested over configs, actions and plans."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import satgym
from satgym.aamec.simulator import FAIL_REASONS

configs = st.fixed_dictionaries({
    "tasks": st.fixed_dictionaries({"load": st.sampled_from(["light", "normal", "heavy"]),
                                    "deadline_s": st.sampled_from([0.05, 0.3, 1.0]),
                                    "task_mbit": st.sampled_from([0.4, 4.0])}),
    "aircraft": st.fixed_dictionaries({"mec_ratio": st.sampled_from([0.0, 0.2, 0.4, 1.0]),
                                       "count": st.sampled_from([0, 20, 100])}),
    # small capacities force link and MEC drops
    "links": st.fixed_dictionaries({"sat_sat_mbps": st.sampled_from([5.0, 125.0]),
                                    "sat_gateway_mbps": st.sampled_from([20.0, 500.0])}),
    "compute": st.fixed_dictionaries({"mec_cores": st.sampled_from([4]), "task_minstr": st.sampled_from([25.0, 2000.0])}),
    "episode": st.fixed_dictionaries({"steps": st.just(3), "destinations": st.integers(1, 6),
                                      "snapshot_s": st.sampled_from([1.0, 300.0])}),
})


@settings(max_examples=12, deadline=None)
@given(cfg=configs, seed=st.integers(0, 2**16), action_seed=st.integers(0, 2**16), use_plan=st.booleans())
def test_conservation_every_step(cfg, seed, action_seed, use_plan):
    env = satgym.parallel_env("aamec", cfg)
    rng = np.random.default_rng(action_seed)
    env.reset(seed=seed)
    sim = env.sim
    reasons = {r: 0 for r in FAIL_REASONS}
    while env.agents:
        net = env.snapshot().topology.net
        if use_plan:  # a plan with random MEC destinations (or none) and env routing
            dest = np.where(rng.random(sim.n_sats) < 0.8, rng.choice(sim.mec_nodes, sim.n_sats), -1)
            env.set_plan(destinations=dest)
        _, _, _, _, infos = env.step({a: rng.integers(0, env.action_space(a).n) for a in env.agents})
        m = infos["sat_0"]["metrics"]
        assert m["generated"] == m["completed_onboard"] + m["completed_edge"] + m["failed"] + m["in_flight"]
        assert m["failed"] == sum(m[f"failed_{r}"] for r in FAIL_REASONS)
        assert all(m[f"failed_{r}"] >= 0 for r in FAIL_REASONS)
        out = sim.last
        assert np.all(out.failed_tasks <= out.excess_tasks) and np.all(out.failed_tasks >= 0)
        assert m["failed"] == int(out.failed_tasks.sum())
        assert np.all(out.flows.arc_carried_mbps <= net.capacity_mbps + 1e-9)  # no link carries more than B
        for r in FAIL_REASONS:
            reasons[r] += m[f"failed_{r}"]
        routed = np.isfinite(out.completion_s)
        assert np.all(out.completion_s[routed] >= out.flow_latency_s[routed])  # Eq. 20 >= Eq. 5
    e = env.episode_metrics()
    assert e["generated"] == e["completed"] + e["failed"] + e["in_flight"]
    assert e["completed"] == e["completed_onboard"] + e["completed_edge"]
    assert e["failed_by_reason"] == reasons
    assert sum(e["flows_by_location"].values()) == e["flows"]


def test_each_failure_reason_occurs():
    """The reasons are reachable: tiny links and servers, short deadlines, no offload, empty slots."""
    seen = set()
    cases = [
        ({"links": {"sat_sat_mbps": 1.0, "sat_gateway_mbps": 1.0, "sat_aircraft_mbps": 1.0}}, 1),
        ({"compute": {"task_minstr": 5000.0}, "aircraft": {"mec_ratio": 0.0}}, 1),
        ({"tasks": {"deadline_s": 0.001}}, 1),
        ({}, 0),
        ({"aircraft": {"mec_ratio": 0.0}, "episode": {"destinations": 12}}, 12),
    ]
    for overrides, action in cases:
        env = satgym.parallel_env("aamec", {**overrides, "episode": {**overrides.get("episode", {}), "steps": 1}},
                                  load="heavy")
        env.reset(seed=0)
        _, _, _, _, infos = env.step({a: action for a in env.agents})
        m = infos["sat_0"]["metrics"]
        seen |= {r for r in FAIL_REASONS if m[f"failed_{r}"] > 0}
    assert seen == set(FAIL_REASONS)
