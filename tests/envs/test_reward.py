"""The reward's components: the hold charge in the advantage (Eq. 2) and the latency term."""

import numpy as np
import pytest

import satgym
from satgym.core.columns import F_ARRIVAL

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
            if r < 0 or sim.schedule.station[row_k, i] < 0:
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
