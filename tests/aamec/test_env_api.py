"""AA-MEC env API beyond the registry-parametrised checks of tests/envs (PettingZoo parallel_api_test
and parallel_seed_test, obs in space, Gymnasium and SB3 checkers run there on every preset and id):
whole-episode determinism, heavy-load spaces, rewards, bad actions, the task stream, the views."""

from __future__ import annotations

import gymnasium
import numpy as np
import pytest

import satgym
from satgym.aamec.observation import SAT_FIELDS, SLOT_FIELDS, field_names
from satgym.registration import ENV_IDS as ALL_IDS
from tests.aamec.helpers import ENV_IDS, PRESETS, random_actions, rollout, short_env
from tests.envs.helpers import same


def test_aec_view_api():
    from pettingzoo.test import api_test

    api_test(satgym.env("aamec", {"episode": {"steps": 2}}), num_cycles=3)


@pytest.mark.parametrize("preset", PRESETS)
def test_observations_in_space_finite_float32_whole_episode(preset):
    env = short_env(preset, {"tasks": {"load": "heavy"}, "aircraft": {"mec_ratio": 0.4}}, steps=6)
    rng = np.random.default_rng(0)
    obs, _ = env.reset(seed=1)
    space = env.observation_space(env.possible_agents[0])
    while True:
        mat = np.stack(list(obs.values()))
        assert mat.dtype == np.float32 and np.all(np.isfinite(mat))
        assert np.all(mat >= space.low) and np.all(mat <= space.high)
        assert all(space.contains(o) for o in obs.values())
        if not env.agents:
            break
        obs, *_ = env.step(random_actions(env, rng))
    assert env.state_space.contains(env.state())
    assert len(field_names(env.sim.K)) == space.shape[0] == len(SAT_FIELDS) + env.sim.K * len(SLOT_FIELDS)


def test_agents_copy_spaces_cached_and_truncation():
    env = short_env(steps=2)
    env.reset(seed=0)
    assert env.agents is not env.possible_agents and env.agents == env.possible_agents
    a = env.possible_agents[0]
    assert env.observation_space(a) is env.observation_space(a) and env.action_space(a) is env.action_space(a)
    for _ in range(2):
        obs, rew, term, trunc, info = env.step({})
    assert all(trunc.values()) and not any(term.values()) and env.agents == []
    with pytest.raises(RuntimeError, match="reset"):
        env.step({})


def test_full_episode_determinism_and_seed_sensitivity():
    a = rollout(short_env(steps=5), seed=7)
    b = rollout(short_env(steps=5), seed=7)
    c = rollout(short_env(steps=5), seed=8)

    assert len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    assert not all(same(x, y) for x, y in zip(a, c))


def test_reset_without_seed_continues_the_stream():
    env = short_env(steps=2)
    env.reset(seed=3)
    first = env.sim.rates.copy()
    env.reset()
    assert not np.array_equal(env.sim.rates, first)
    env2 = short_env(steps=2)
    env2.reset(seed=3)
    env2.reset()
    assert np.array_equal(env2.sim.rates, env.sim.rates)


def test_rewards_are_named_shared_and_sum():
    env = short_env(overrides={"tasks": {"load": "heavy"}}, steps=3)
    env.reset(seed=2)
    rng = np.random.default_rng(0)
    while env.agents:
        obs, rew, term, trunc, info = env.step(random_actions(env, rng))
        comp = info["sat_0"]["rewards"]
        assert set(comp) == {"latency", "drop"} and all(v <= 0 for v in comp.values())
        assert rew["sat_0"] == pytest.approx(sum(comp.values())) and len(set(rew.values())) == 1


@pytest.mark.parametrize("bad", [7 + 2, -1, 1.5, "x", [1, 2]])
def test_bad_action_raises_and_changes_nothing(bad):
    env = short_env(steps=3)
    env.reset(seed=0)
    before = (env.sim.k, env.sim.totals.generated)
    actions = {a: 1 for a in env.agents}
    actions["sat_5"] = bad
    with pytest.raises(ValueError, match="sat_5"):
        env.step(actions)
    assert (env.sim.k, env.sim.totals.generated) == before
    with pytest.raises(ValueError, match="unknown agent"):
        env.step({"sat_99": 0})
    env.step(actions | {"sat_5": 0})  # still usable


def test_task_stream_is_identical_whatever_the_policy_and_mec_ratio():
    def rates(actions, ratio):
        env = short_env(overrides={"aircraft": {"mec_ratio": ratio}}, steps=3)
        env.reset(seed=11)
        seen = []
        while env.agents:
            seen.append(env.snapshot().rate_per_s.copy())
            env.step({a: actions for a in env.agents})
        return np.stack(seen)

    ref = rates(1, 0.2)
    assert np.array_equal(rates(0, 0.2), ref) and np.array_equal(rates(3, 0.4), ref)


def test_every_id_registered_and_covered():
    aamec_ids = {k for k, (entry, _) in ALL_IDS.items() if "aamec" in entry}
    assert aamec_ids == set(ENV_IDS)
    for env_id in ENV_IDS:
        assert env_id in gymnasium.registry


@pytest.mark.parametrize("env_id", ENV_IDS[:2])
def test_sb3_check_env_at_heavy_load(env_id):
    """(tests/envs runs the Gymnasium and SB3 checkers on every id at the default load.)"""
    sb3 = pytest.importorskip("stable_baselines3.common.env_checker")
    env = gymnasium.make(env_id, config={"episode": {"steps": 3}, "aircraft": {"mec_ratio": 0.4}}, load="heavy").unwrapped
    sb3.check_env(env, warn=False)


def test_gym_views_step_and_validate():
    env = gymnasium.make("satgym/AAMEC-Single-v0", config={"episode": {"steps": 2}}, agent=4, others_policy="none")
    obs, _ = env.reset(seed=0)
    obs, r, term, trunc, info = env.step(1)
    assert set(info["rewards"]) == {"latency", "drop"} and not trunc
    with pytest.raises(ValueError, match="action"):
        env.step(99)
    with pytest.raises(ValueError, match="others_policy"):
        gymnasium.make("satgym/AAMEC-Single-v0", others_policy="greedy")
    central = gymnasium.make("satgym/AAMEC-Central-v0", config={"episode": {"steps": 2}})
    obs, _ = central.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        central.step(np.zeros(3, dtype=np.int64))
