"""The reward's components: the hold charge in the advantage (Eq. 2) and the latency term."""

import numpy as np
import pytest

import satgym
from satgym.leoedge.codes import F_ARRIVAL

HOLD_STEPS = 4


def _env(reward):
    return satgym.parallel_env("leoedge", {"episode": {"steps": 60}, "reward": reward}, load="heavy")


def _offload_one_after_holding(shift_arrival_to_now: bool) -> float:
    """Hold everything until a satellite in contact has a task held HOLD_STEPS steps, offload just
    that one and return the step's advantage. With ``shift_arrival_to_now`` the task's arrival is
    first moved to the current decision instant (so it was never held)."""
    # linear F, a large T_ref: the argument stays positive, so F is linear in the hold charge
    env = _env({"operator": "linear", "alpha": 0.5, "time_ref_s": 1000.0})
    env.reset(seed=3)
    hold = {a: np.full(4, 2, dtype=np.int64) for a in env.agents}
    sim = env.sim
    for _ in range(59):
        row_k = sim.contact_row()
        t = sim.time_s
        for i in range(sim.n_sats):
            r = sim.slots[i, 0]
            if r < 0 or sim.schedule.access[row_k, i] < 0:
                continue
            arrival = sim.tasks.F[r, F_ARRIVAL]
            if t - np.ceil(arrival) < HOLD_STEPS:
                continue
            if shift_arrival_to_now:
                sim.tasks.F[r, F_ARRIVAL] = t
            actions = {a: v.copy() for a, v in hold.items()}
            actions[env.agents[i]][0] = 1
            _, _, _, _, infos = env.step(actions)
            return infos[env.agents[0]]["rewards"]["advantage"], t - np.ceil(arrival)
        env.step(hold)
    pytest.fail("no satellite in contact with a held task in 60 steps")


def test_time_a_task_was_held_is_charged_to_its_offload():
    fresh, _ = _offload_one_after_holding(True)
    held, waited = _offload_one_after_holding(False)
    assert waited >= HOLD_STEPS
    # F linear: the advantage drops by alpha * held time / T_ref (and the rest is identical)
    assert fresh - held == pytest.approx(0.5 * waited / 1000.0, rel=1e-6)


def test_latency_component_sums_to_the_episode_execution_time():
    env = _env({"latency_weight": 2.0, "time_ref_s": 4.0, "advantage_weight": 0.0})
    env.reset(seed=1)
    rng = np.random.default_rng(0)
    total, adv = 0.0, 0.0
    while env.agents:
        actions = {a: rng.integers(0, 2, size=4) for a in env.agents}
        _, rew, _, _, infos = env.step(actions)
        comp = infos[env.possible_agents[0]]["rewards"]
        total += comp["latency"]
        adv += comp["advantage"]
    em = env.episode_metrics()
    assert em["completed"] > 0
    expected = -2.0 * em["mean_execution_time_s"] * em["completed"] / (4.0 * env.sim.n_sats)
    assert total == pytest.approx(expected, rel=1e-9)
    assert adv == 0.0  # advantage_weight 0 switches the paper's term off


@pytest.mark.parametrize("key", ["latency_weight", "advantage_weight"])
def test_negative_weights_are_rejected_by_name(key):
    with pytest.raises(ValueError, match=f"reward.{key}"):
        _env({key: -1.0})


def _episode_rewards(reward_cfg, seed=2, steps=80):
    env = satgym.parallel_env("leoedge", {"episode": {"steps": steps}, "reward": reward_cfg}, load="heavy")
    env.reset(seed=seed)
    rng = np.random.default_rng(0)
    per_agent, shared, infos_ok = [], [], True
    while env.agents:
        actions = {a: rng.integers(0, 3, size=4) for a in env.agents}
        _, rew, _, _, infos = env.step(actions)
        per_agent.append([rew[a] for a in env.possible_agents])
        shared.append(sum(env.shared_reward_components.values()))
        infos_ok &= all(rew[a] == pytest.approx(sum(infos[a]["rewards"].values())) for a in env.possible_agents)
    return np.array(per_agent), np.array(shared), infos_ok


def test_local_ratio_splits_the_shared_reward_into_shares_that_sum_to_it():
    cfg = {"latency_weight": 1.0, "failure_penalty": 2.0}
    shared_r, shared_s, _ = _episode_rewards(cfg)
    assert np.allclose(shared_r, shared_r[:, :1]) and np.allclose(shared_r[:, 0], shared_s)  # local_ratio 0
    own_r, own_s, ok = _episode_rewards({**cfg, "local_ratio": 1.0})
    assert ok
    assert np.allclose(own_s, shared_s)  # same dynamics, same shared reward
    assert np.allclose(own_r.sum(axis=1), shared_s)  # the shares sum to the shared reward
    assert not np.allclose(own_r, own_r[:, :1])  # and differ between satellites
    mix_r, _, ok = _episode_rewards({**cfg, "local_ratio": 0.25})
    assert ok and np.allclose(mix_r, 0.75 * shared_r + 0.25 * own_r)


def test_single_satellite_view_gets_its_own_reward_central_view_the_shared_one():
    import gymnasium

    cfg = {"episode": {"steps": 30}, "reward": {"latency_weight": 1.0, "local_ratio": 1.0}}
    single = gymnasium.make("satgym/LEOEdge-Single-v2", config=cfg, agent=3).unwrapped
    central = gymnasium.make("satgym/LEOEdge-Central-v2", config=cfg).unwrapped
    single.reset(seed=1)
    central.reset(seed=1)
    for _ in range(30):
        _, r, _, _, info = single.step(single.action_space.sample())
        assert r == pytest.approx(sum(info["rewards"].values()))
        _, rc, _, _, _ = central.step(central.action_space.sample())
        assert rc == pytest.approx(sum(central.par.shared_reward_components.values()))


def test_local_ratio_outside_unit_interval_is_rejected():
    with pytest.raises(ValueError, match="reward.local_ratio"):
        _env({"local_ratio": 1.5})
