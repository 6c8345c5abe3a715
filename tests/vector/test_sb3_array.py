"""The array-backed SB3 VecEnv: every satellite of every env is one sub-env; PPO learns on it
(smoke: a few hundred steps; the learning check is experiments/sb3_array_learning.py)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("stable_baselines3")


def test_array_vec_env_passes_sb3_checks_and_trains():
    from stable_baselines3 import PPO

    from agents.sb3.array_vec_env import make_array_vec_env

    venv = make_array_vec_env("leoedge", n_envs=2, config={"episode": {"steps": 6}})
    venv.seed(0)
    obs = venv.reset()
    assert obs.shape == (20, 42) and np.isfinite(obs).all()
    for _ in range(6):
        obs, r, done, infos = venv.step(np.ones((20, 4), dtype=np.int64))
    assert done.all() and "terminal_observation" in infos[3] and "episode_metrics" in infos[0]
    assert "episode" in infos[0]  # VecMonitor
    model = PPO("MlpPolicy", venv, n_steps=8, batch_size=80, n_epochs=1, seed=0, device="cpu")
    model.learn(total_timesteps=320)
    assert model.num_timesteps >= 320
