"""The PettingZoo env through RLlib's real client (new API stack): one tiny PPO iteration."""

import numpy as np
import pytest

import satgym

pytestmark = pytest.mark.ray


def _creator(cfg):
    from ray.rllib.env.wrappers.pettingzoo_env import ParallelPettingZooEnv

    return ParallelPettingZooEnv(satgym.parallel_env("leoedge", {"episode": {"steps": cfg.get("steps", 20)}}))


def test_parallel_pettingzoo_wrapper_ends_episodes_and_builds_spaces():
    env = _creator({"steps": 5})
    obs, info = env.reset(seed=0)
    assert set(obs) == set(env.possible_agents)
    # spaces built from agents after reset: one entry per satellite
    assert set(env.observation_space.spaces) == set(env.possible_agents)
    for _ in range(5):
        obs, rew, term, trunc, info = env.step({a: np.zeros(4, dtype=np.int64) for a in obs})
    assert trunc["__all__"] is True and term["__all__"] is False
    assert set(obs) == set(env.possible_agents)  # the last observation reaches every agent


def test_rllib_ppo_one_iteration(ray_session):
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.tune.registry import register_env

    register_env("satgym_leoedge_smoke", _creator)
    probe = _creator({"steps": 20})
    agents = probe.possible_agents
    config = (
        PPOConfig()
        .environment("satgym_leoedge_smoke", env_config={"steps": 20})
        .env_runners(num_env_runners=0, rollout_fragment_length=20)
        .multi_agent(policies={"shared"}, policy_mapping_fn=lambda aid, *a, **k: "shared")
        .training(train_batch_size_per_learner=200, minibatch_size=100, num_epochs=1)
        .rl_module(model_config={"fcnet_hiddens": [16]})
        .debugging(seed=0)
    )
    algo = config.build_algo()
    try:
        result = algo.train()
        assert result["env_runners"]["num_env_steps_sampled_lifetime"] >= 20
        assert len(agents) == 10
    finally:
        algo.stop()
