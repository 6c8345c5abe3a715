"""The execution-time reward (``reward.execution_time_weight``), the cluster-scope overload term, and
a sanity check of every reward: does it order LEOEdge, local-only and random as their execution
times do?"""

from __future__ import annotations

import numpy as np
import pytest

import satgym
from satgym.leoedge.codes import F_ARRIVAL, F_DECIDED, F_DONE, I_CHARGED, I_ROUTE, I_SAT, R_LOCAL
from satgym.leoedge.config import RewardConfig
from satgym.leoedge.reward import RewardModel

EXEC = {"execution_time_weight": 1.0, "advantage_weight": 0.0, "failure_penalty": 0.0, "local_ratio": 1.0}
STEPS = 15  # fewer than the simulator's compaction period: every row stays in the table


def _env(reward, steps=STEPS, load="heavy"):
    return satgym.parallel_env("leoedge", {"episode": {"steps": steps}, "reward": reward}, load=load)


def test_default_components_are_unchanged_and_the_new_term_is_opt_in():
    env = _env({})
    env.reset(seed=0)
    _, _, _, _, infos = env.step({a: np.zeros(4, np.int64) for a in env.agents})
    assert set(infos["sat_0"]["rewards"]) == {"advantage", "latency", "overload", "failure"}
    env = _env(EXEC)
    env.reset(seed=0)
    _, _, _, _, infos = env.step({a: np.zeros(4, np.int64) for a in env.agents})
    assert "execution_time" in infos["sat_0"]["rewards"]


def test_an_on_board_task_is_charged_its_realised_time_at_its_decision_to_its_satellite():
    env = _env(EXEC)
    env.reset(seed=4)
    sim, n = env.sim, env.sim.n_sats
    charged_steps = 0
    while env.agents:
        t = sim.time_s
        _, rewards, _, _, _ = env.step({a: np.zeros(4, np.int64) for a in env.agents})  # all local
        T = sim.tasks
        rows = np.flatnonzero((T.F[: T.n, F_DECIDED] == t) & (T.I[: T.n, I_ROUTE] == R_LOCAL))
        expected = np.zeros(n)
        np.add.at(expected, T.I[rows, I_SAT], T.F[rows, F_DONE] - T.F[rows, F_ARRIVAL])
        if env.agents:  # the last step also charges the tasks still pending
            got = np.array([-rewards[f"sat_{i}"] * n for i in range(n)])   # w = 1, T_ref = 1, local_ratio = 1
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)
            charged_steps += int(expected.sum() > 0)
    assert charged_steps > 5


def test_every_generated_task_is_charged_once_or_estimated_at_the_end():
    env = _env(EXEC)
    env.reset(seed=2)
    rng = np.random.default_rng(0)
    while env.agents:
        env.step({a: rng.integers(0, 3, size=4) for a in env.agents})
    sim = env.sim
    charged = int(sim.tasks.I[: sim.tasks.n, I_CHARGED].sum())
    assert charged + int(sim._open_count.sum()) == env.episode_metrics()["generated"]
    assert sim._open_count.sum() > 0 and np.all(sim._open_sat >= 0)


def test_shares_sum_to_the_shared_term_and_weights_scale_it():
    env = _env({**EXEC, "local_ratio": 0.5})
    env.reset(seed=1)
    rng = np.random.default_rng(1)
    while env.agents:
        _, rewards, _, _, infos = env.step({a: rng.integers(0, 2, size=4) for a in env.agents})
        shared = env.shared_reward_components["execution_time"]
        own = sum(infos[a]["rewards"]["execution_time"] for a in infos)
        # (1 - lam) * R * n + lam * sum of the shares (= R)
        assert own == pytest.approx(0.5 * shared * len(infos) + 0.5 * shared, rel=1e-9, abs=1e-12)


def test_failure_charge_must_cover_the_longest_hold():
    with pytest.raises(ValueError, match="reward.failure_charge_s"):
        satgym.parallel_env("leoedge", {"reward": {**EXEC, "failure_charge_s": 10.0}, "tasks": {"max_hold_s": 30.0}})
    with pytest.raises(ValueError, match="reward.overload_scope"):
        RewardConfig(overload_scope="station")


def test_cluster_scope_does_not_punish_a_single_offload():
    occupancy = np.zeros(12)
    occupancy[3] = 1.0                          # one task fills one container's 1 s window
    container = RewardModel(RewardConfig(), 10, 0.5, n_clusters=1)
    cluster = RewardModel(RewardConfig(overload_scope="cluster"), 10, 0.5, n_clusters=1)
    assert container.overload(occupancy) == pytest.approx(0.5)
    assert cluster.overload(occupancy) == 0.0
    assert cluster.overload(np.full(12, 0.75)) == pytest.approx(container.overload(np.full(12, 0.75)))
    two = RewardModel(RewardConfig(overload_scope="cluster"), 10, 0.5, n_clusters=2)
    assert two.overload(np.r_[np.full(6, 0.9), np.zeros(6)]) == pytest.approx(0.4 * 6)


# --------------------------------------------------------------------------- sanity: reward vs metric
SANITY_SEEDS = range(10)
SANITY_STEPS = 120
POLICIES = ("leoedge", "local", "random")


@pytest.fixture(scope="module")
def sanity_runs():
    """Per policy and seed: the episode's execution time and every reward, from one run with all
    components switched on (``local_ratio = 0``: the shared reward; the components are reported
    separately, so each reward is a sum of some of them)."""
    from satgym.policies import make_policy

    cfg = {"advantage_weight": 1.0, "latency_weight": 1.0, "execution_time_weight": 1.0}
    cluster = RewardModel(RewardConfig(overload_scope="cluster"), 10, 0.5, n_clusters=1)
    out = {}
    for name in POLICIES:
        policy = make_policy(name)
        for seed in SANITY_SEEDS:
            env = _env(cfg, steps=SANITY_STEPS, load="normal")
            obs, infos = env.reset(seed=seed)
            policy.reset(env, seed=seed)
            sums: dict[str, float] = {}
            while env.agents:
                obs, _, _, _, infos = env.step(policy.act(env, obs, infos))
                comp = dict(env.shared_reward_components)
                comp["overload_cluster"] = -cluster.overload(np.asarray(infos["sat_0"]["metrics"]["container_load"]))
                for k, v in comp.items():
                    sums[k] = sums.get(k, 0.0) + v
            rewards = {
                "paper": sums["advantage"] + sums["overload"] + sums["failure"],
                "latency": sums["latency"] + sums["overload"] + sums["failure"],
                "execution_time": sums["execution_time"] + sums["overload_cluster"],
            }
            out[name, seed] = (env.episode_metrics()["mean_execution_time_s"], rewards)
    return out


def _order(values: dict[str, float], reverse: bool) -> list[str]:
    return sorted(values, key=values.get, reverse=reverse)


@pytest.mark.parametrize("reward", ["execution_time", "latency"])
def test_rewards_aligned_with_execution_time_order_policies_as_it_does(sanity_runs, reward):
    exec_mean = {p: np.mean([sanity_runs[p, s][0] for s in SANITY_SEEDS]) for p in POLICIES}
    ret_mean = {p: np.mean([sanity_runs[p, s][1][reward] for s in SANITY_SEEDS]) for p in POLICIES}
    assert _order(ret_mean, reverse=True) == _order(exec_mean, reverse=False)   # higher return = faster
    if reward == "execution_time":  # and on every seed it ranks the fastest policy first
        for s in SANITY_SEEDS:
            exec_s = {p: sanity_runs[p, s][0] for p in POLICIES}
            ret_s = {p: sanity_runs[p, s][1][reward] for p in POLICIES}
            assert _order(ret_s, True)[0] == _order(exec_s, False)[0], s


def test_the_papers_reward_is_not_an_execution_time_measure(sanity_runs):
    """Not meant to order by execution time: the paper's reward (offloading advantage, Eqs. 2-4,
    minus Eq. 6's per-container overload) scores offloads by their estimated gain at the decision
    and charges a container for every slot a task fills more than P of; running on board scores 0
    and its queues are never charged. So local-only, the slowest policy by far, gets the highest
    return under normal load."""
    exec_mean = {p: np.mean([sanity_runs[p, s][0] for s in SANITY_SEEDS]) for p in POLICIES}
    ret_mean = {p: np.mean([sanity_runs[p, s][1]["paper"] for s in SANITY_SEEDS]) for p in POLICIES}
    assert _order(exec_mean, False)[-1] == "local"
    assert _order(ret_mean, True)[0] == "local"
