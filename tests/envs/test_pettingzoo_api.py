"""PettingZoo compliance on every preset, plus the checks PettingZoo's helpers skip."""

import numpy as np
import pytest
from pettingzoo.test import parallel_api_test, parallel_seed_test

import satgym
from satgym.core.messages import MessageLog
from satgym.scenarios import PRESETS
from tests.envs.helpers import random_actions, rollout, same, short_env

PRESET_STEPS = {"leoedge": 40, "leoedge-miyun": 40, "starlink": 3, "aamec": 3, "aamec-walker": 3, "arctic": 4,
                "arctic-leo": 4, "arctic-meo": 6}


@pytest.mark.parametrize("preset", list(PRESETS))
def test_parallel_api(preset):
    env = short_env(preset, {"episode": {"steps": PRESET_STEPS[preset]}})
    parallel_api_test(env, num_cycles=PRESET_STEPS[preset] + 5)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_parallel_seed(preset):
    parallel_seed_test(lambda: short_env(preset, {"episode": {"steps": PRESET_STEPS[preset]}}))


def test_aec_view_api():
    from pettingzoo.test import api_test

    env = satgym.env("leoedge", {"episode": {"steps": 15}})
    api_test(env, num_cycles=20)


def test_agents_is_a_copy_and_spaces_are_cached():
    env = short_env()
    env.reset(seed=0)
    assert env.agents is not env.possible_agents and env.agents == env.possible_agents
    a = env.possible_agents[0]
    assert env.observation_space(a) is env.observation_space(a)
    assert env.action_space(a) is env.action_space(a)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_observations_in_space_finite_float32_whole_episode(preset):
    env = short_env(preset, {"episode": {"steps": PRESET_STEPS[preset]}})
    rng = np.random.default_rng(0)
    obs, _ = env.reset(seed=1)
    space = env.observation_space(env.possible_agents[0])
    while True:
        mat = np.stack(list(obs.values()))
        assert mat.dtype == np.float32
        assert np.all(np.isfinite(mat))
        assert np.all(mat >= space.low) and np.all(mat <= space.high)
        assert all(space.contains(o) for o in list(obs.values())[:50])
        if not env.agents:
            break
        obs, *_ = env.step(random_actions(env, rng))
        if not obs:
            break
    state = env.state()
    assert env.state_space.contains(state)


def test_full_episode_determinism_and_seed_sensitivity():
    a = rollout(short_env(), seed=7)
    b = rollout(short_env(), seed=7)
    c = rollout(short_env(), seed=8)

    assert len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    assert not all(same(x, y) for x, y in zip(a, c))


def test_reset_without_seed_continues_the_stream():
    env = short_env()
    env.reset(seed=3)
    first = env.sim.start_utc
    env.reset()
    assert env.sim.start_utc != first  # a new episode, not a replay
    env2 = short_env()
    env2.reset(seed=3)
    env2.reset()
    assert env2.sim.start_utc == env.sim.start_utc


def test_truncation_ends_every_agent_and_step_after_end_raises():
    env = short_env(overrides={"episode": {"steps": 3}})
    env.reset(seed=0)
    for _ in range(3):
        obs, rew, term, trunc, info = env.step({})
    assert all(trunc.values()) and not any(term.values()) and env.agents == []
    with pytest.raises(RuntimeError, match="reset"):
        env.step({})


def test_info_reports_named_reward_components_that_sum_to_the_reward():
    env = short_env(overrides={"tasks": {"load": "heavy"}})
    env.reset(seed=2)
    rng = np.random.default_rng(0)
    for _ in range(20):
        obs, rew, term, trunc, info = env.step(random_actions(env, rng))
        comp = info["sat_0"]["rewards"]
        assert set(comp) == {"advantage", "latency", "overload", "failure"}
        assert rew["sat_0"] == pytest.approx(sum(comp.values()))
        assert len(set(rew.values())) == 1  # shared reward


def test_policy_hooks_place_tasks_and_count_messages():
    env = short_env(overrides={"tasks": {"load": "heavy"}, "episode": {"steps": 200}})
    obs, infos = env.reset(seed=4)
    layout = env.ground_layout()
    assert len(layout["container_cluster"]) == 12
    target = 7
    placed = 0
    for _ in range(200):
        ids = np.concatenate([infos[a]["task_ids"] for a in env.agents])
        ids = ids[ids >= 0]
        env.reserve_containers(ids, np.full(len(ids), target))
        obs, rew, term, trunc, infos = env.step({a: np.ones(4, dtype=np.int64) for a in env.agents})
        T = env.sim.tasks
        on = T["container"][T["container"] >= 0]
        assert np.all(on == target)
        placed += len(on)
        if not env.agents:
            break
    assert placed > 0
    before = env.episode_metrics()
    log = MessageLog()
    log.add("lbs_server", sent=5, delivered=4, nbytes=400)
    env.record_messages(log)
    after = env.episode_metrics()
    assert after["messages"]["lbs_server"] == before["messages"]["lbs_server"] + 4
    assert after["message_bytes"]["lbs_server"] == before["message_bytes"]["lbs_server"] + 400
    assert after["messages_lost"]["lbs_server"] == before["messages_lost"]["lbs_server"] + 1
    with pytest.raises(TypeError, match="MessageLog"):
        env.record_messages({"lbs_server": 5})
    with pytest.raises(ValueError, match="satellite_lbs"):
        log.add("sat_moon", 1, 1, 1)


def test_task_stream_is_identical_whatever_the_policy():
    """Same seed, very different policies (and a random LBS): the same tasks arrive."""
    def arrivals(policy, scheduler):
        env = short_env(overrides={"tasks": {"load": "heavy"}, "ground": {"scheduler": scheduler},
                                   "episode": {"steps": 60}})
        env.reset(seed=11)
        seen = []
        while env.agents:
            _, _, _, _, infos = env.step({a: np.full(4, policy) for a in env.agents})
            m, T = infos["sat_0"]["metrics"]["generated"], env.sim.tasks
            new = slice(T.n - m, T.n)  # arrivals are appended last
            seen.append((T["id"][new].tolist(), T["sat"][new].tolist(), T["arrival_s"][new].tolist(),
                         T["work"][new].tolist(), T["input_mbit"][new].tolist()))
        return seen

    a = arrivals(0, "least_loaded")
    assert arrivals(1, "random") == a
    assert arrivals(2, "round_robin") == a


def test_adaptive_models_come_from_the_generated_profiles():
    from satgym.adaptive import adaptive_profile

    env = short_env(overrides={"compute": {"models": "adaptive", "model": "shufflenetv2"}})
    sim = env.sim
    for k in range(sim.n_sats):
        lat_ms, acc = adaptive_profile(sim.compute.processor[k], "shufflenetv2")
        assert sim.compute.exec_s[k] == pytest.approx(lat_ms / 1000) and sim.compute.accuracy[k] == pytest.approx(acc)
    original = short_env(overrides={"compute": {"model": "shufflenetv2"}}).sim
    assert not np.allclose(original.compute.exec_s, sim.compute.exec_s)
