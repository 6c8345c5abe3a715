from __future__ import annotations

import numpy as np
import pytest

import satgym
import satgym.policies as registry
from baselines.policies import LEOEdgeSearchPolicy, OraclePolicy
from satgym.core.messages import MessageLog
from satgym.policies import Policy, make_policy, policy_names, register_policy
from baselines.policies.rules import RandomPolicy, ThresholdPolicy, WorkloadPolicy
from satgym.leoedge.observation import SAT_FIELDS, SLOT_FIELDS

F = {name: i for i, (name, *_r) in enumerate(SAT_FIELDS)}
S = {name: i for i, (name, *_r) in enumerate(SLOT_FIELDS)}
K = 3


def _obs(n: int = 4, **sat_values) -> np.ndarray:
    """Hand-made observation matrix: all slots present, work 10, every satellite in contact."""
    m = np.zeros((n, len(SAT_FIELDS) + K * len(SLOT_FIELDS)), dtype=np.float32)
    m[:, F["in_contact"]] = 1.0
    m[:, F["exec_s_per_unit"]] = 0.03
    for k in range(K):
        base = len(SAT_FIELDS) + k * len(SLOT_FIELDS)
        m[:, base + S["present"]] = 1.0
        m[:, base + S["work_units"]] = 10.0 * (k + 1)
    for name, values in sat_values.items():
        m[:, F[name]] = values
    return m


def test_threshold_per_unit_and_per_task() -> None:
    m = _obs(exec_s_per_unit=[0.01, 0.019, 0.021, 0.05])
    out = ThresholdPolicy(0.02, per="unit").decide_gated(m, K)
    np.testing.assert_array_equal(out, np.repeat([[0], [0], [1], [1]], K, axis=1))
    np.testing.assert_array_equal(make_policy("threshold_unit").decide_gated(m, K), out)
    assert make_policy("threshold_unit").name == "threshold_unit"
    # per task (the default reading): work x c(m_i) = 10, 20, 30 units x 30 ms = 0.3, 0.6, 0.9 s
    out = ThresholdPolicy(0.5).decide_gated(_obs(), K)
    np.testing.assert_array_equal(out, np.tile([0, 1, 1], (4, 1)))
    # the default threshold (2 s) keeps these tasks on board; 80 units x 30 ms = 2.4 s goes
    m = _obs()
    m[:, len(SAT_FIELDS) + S["work_units"]] = 80.0
    np.testing.assert_array_equal(make_policy("threshold").decide_gated(m, K), np.tile([1, 0, 0], (4, 1)))


def test_out_of_reach_offload_becomes_local_but_relay_counts() -> None:
    m = _obs(in_contact=[1, 0, 0, 0])
    m[2, F["relay_same_orbit_fore"]] = 1.0
    m[3, F["relay_other_orbit_2"]] = 1.0
    out = make_policy("offload").act(type("E", (), {"sim": type("S", (), {"K": K})})(),
                                     {f"sat_{i}": m[i] for i in range(4)}, {})
    assert [int(out[f"sat_{i}"][0]) for i in range(4)] == [1, 0, 1, 1]
    assert (make_policy("offload", gate_reach=False).decide_gated(m, K) == 1).all()


def test_workload_offloads_below_half_load_as_last_received() -> None:
    m = _obs(ground_load_seen=[0.0, 0.49, 0.5, 0.9])
    out = WorkloadPolicy().decide_gated(m, K)
    np.testing.assert_array_equal(out[:, 0], [1, 1, 0, 0])
    assert (out == out[:, :1]).all()
    assert (WorkloadPolicy(load_threshold=0.95).decide_gated(m, K) == 1).all()


def test_local_and_offload_constants() -> None:
    m = _obs()
    assert (make_policy("local").decide_gated(m, K) == 0).all()
    assert (make_policy("offload").decide_gated(m, K) == 1).all()


def test_random_is_deterministic_per_seed_and_uses_its_own_rng() -> None:
    m = _obs(n=50)
    p = RandomPolicy()
    p.reset(None, seed=7)
    a = p.decide_gated(m, K)
    p.reset(None, seed=7)
    np.testing.assert_array_equal(a, p.decide_gated(m, K))
    p.reset(None, seed=8)
    assert not np.array_equal(a, p.decide_gated(m, K))
    assert 0.3 < a.mean() < 0.7
    state = np.random.get_state()[1].copy()
    p.decide_gated(m, K)
    np.testing.assert_array_equal(state, np.random.get_state()[1])   # global RNG untouched


def test_registry_names_errors_and_extension() -> None:
    with pytest.raises(ValueError, match="choose one of .*leoedge, leoedge-search, local, .*offload"):
        make_policy("nope")
    with pytest.raises(TypeError):
        make_policy("local", threshold_s=1.0)                            # no silent kwargs
    seen = {}

    def factory(path: str) -> Policy:
        seen["path"] = path
        return make_policy("local")

    register_policy("dummy_agent", factory)
    try:
        assert make_policy("dummy_agent:/tmp/ckpt.pt").name == "local"
        assert seen["path"] == "/tmp/ckpt.pt"
        with pytest.raises(ValueError, match="already registered"):
            register_policy("dummy_agent", lambda: None)
    finally:
        registry._RUNTIME.pop("dummy_agent")
    # the built-in schedulers need no argument (trained agents, registered by `agents`, need a path)
    for name in ("leoedge", "local", "offload", "oracle", "random", "threshold", "threshold_unit", "workload"):
        assert isinstance(make_policy(name), Policy)


def test_entry_points_name_every_scheduler_and_agent() -> None:
    assert {"leoedge", "oracle", "threshold", "threshold_unit", "workload", "local", "offload", "random",
            "earliest_finish", "marl", "a3c", "sb3"} <= set(policy_names())
    with pytest.raises(ValueError, match="already registered"):
        register_policy("leoedge", lambda: None)      # an entry point cannot be shadowed by accident


@pytest.mark.parametrize("others", ["threshold", "leoedge"])
def test_any_registered_policy_drives_the_other_satellites_of_the_single_agent_view(others: str) -> None:
    import gymnasium

    env = gymnasium.make("satgym/LEOEdge-Single-v2", agent=0, others_policy=others, load="heavy",
                         config={"episode": {"steps": 30}})
    env.reset(seed=0)
    for _ in range(30):
        obs, r, term, trunc, info = env.step(np.zeros(4, dtype=np.int64))   # satellite 0 runs locally
    par = env.unwrapped.par
    T = par.sim.tasks
    assert (T["container"][T["sat"] != 0] >= 0).any()      # the others offload
    assert not (T["container"][T["sat"] == 0] >= 0).any()   # the agent does not
    with pytest.raises(ValueError, match="others_policy"):
        gymnasium.make("satgym/LEOEdge-Single-v2", others_policy="genius")


def _episode(name: str, seed: int = 0, steps: int = 90, load: str = "heavy", policy=None, env=None):
    env = env or satgym.parallel_env("leoedge", {"episode": {"steps": steps}}, load=load)
    policy = policy or make_policy(name)
    obs, infos = env.reset(seed=seed)
    policy.reset(env, seed=seed)
    generated = []
    while env.agents:
        obs, _, _, _, infos = env.step(policy.act(env, obs, infos))
        generated.append(next(iter(infos.values()))["metrics"]["generated"])
    return env, np.array(generated)


def test_leoedge_search_caps_reservations_and_records_its_messages(monkeypatch) -> None:
    env = satgym.parallel_env("leoedge", {"episode": {"steps": 200}}, load="heavy")
    policy = LEOEdgeSearchPolicy()
    reserved: dict[int, int] = {}
    landed: dict[int, int] = {}
    recorded: list = []
    expected: list = []
    real_place, real_reserve, real_record = env.sim._place, env.reserve_containers, env.record_messages

    def place(rows):  # the simulator's placement of arriving uploads (observed, not changed)
        out = real_place(rows)
        landed.update(zip(np.asarray(env.sim.tasks["id"][rows]).tolist(), np.asarray(out).tolist()))
        return out

    def reserve(task_ids, containers):
        reserved.update(zip(np.asarray(task_ids).tolist(), np.asarray(containers).tolist()))
        real_reserve(task_ids, containers)

    def record(log):
        recorded[-1].merge(log)
        real_record(log)

    monkeypatch.setattr(env.sim, "_place", place)
    monkeypatch.setattr(env, "reserve_containers", reserve)
    monkeypatch.setattr(env, "record_messages", record)
    obs, infos = env.reset(seed=1)
    policy.reset(env, seed=1)
    cap = env.ground_layout()["load_cap"]
    rounds = 0
    while env.agents:
        recorded.append(MessageLog())
        actions = policy.act(env, obs, infos)
        if policy.last_round is not None and policy.last_round.problem is not None:
            rounds += 1
            p, r = policy.last_round.problem, policy.last_result
            assert p.load_cap == cap
            assert p.check(r.decision) == []                              # Eqs. 6, 8 in its own problem
            np.testing.assert_array_equal(r.decision, policy.last_decision)
            expected.append(policy.last_messages.delivered)
            # a centralised round: every connected satellite hears back, each container gets the descriptors
            assert policy.last_messages.delivered["satellite_lbs"] >= 2 * np.unique(p.satellite).size
            # offloaded exactly the tasks given a container
            sent = np.array([actions[f"sat_{i}"][k] for i, k in zip(p.satellite, policy.last_round.slot)])
            np.testing.assert_array_equal(sent == 1, r.decision >= 0)
        else:
            expected.append(MessageLog().delivered)
        obs, _, _, _, infos = env.step(actions)
    assert rounds > 20 and len(reserved) >= 10
    assert [r.delivered for r in recorded] == expected                    # what it sent is what the env counts
    arrived = [t for t in reserved if t in landed]
    assert len(arrived) >= 0.8 * len(reserved)
    assert all(landed[t] == reserved[t] for t in arrived)                  # tasks land where reserved
    assert env.episode_metrics()["messages"]["server_container"] >= sum(e["server_container"] for e in expected)


def test_oracle_runs_small_and_refuses_large() -> None:
    env, _ = _episode("oracle", steps=60)
    assert env.episode_metrics()["completed"] > 0
    small = satgym.parallel_env("leoedge", {"episode": {"steps": 5}})
    small.reset(seed=0)
    with pytest.raises(ValueError, match="max_binaries"):
        OraclePolicy(max_binaries=10).reset(small, seed=0)


def test_identical_task_streams_for_policies_that_never_offload() -> None:
    _, a = _episode("local", seed=3, steps=60)
    _, b = _episode("threshold", seed=3, steps=60, policy=ThresholdPolicy(threshold_s=1e9))
    np.testing.assert_array_equal(a, b)


def test_identical_task_streams_across_policies() -> None:
    """Same seed, same arrivals whatever the policy offloads (policies use their own RNG)."""
    streams = {name: _episode(name, seed=2, steps=90)[1] for name in ("local", "offload", "leoedge")}
    np.testing.assert_array_equal(streams["local"], streams["offload"])
    np.testing.assert_array_equal(streams["local"], streams["leoedge"])
