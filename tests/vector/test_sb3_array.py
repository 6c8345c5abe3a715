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


def test_threaded_vec_env_matches_and_close_stops_its_threads():
    """threads=2 under the SB3 wrapper: the same observations and rewards as one thread, and
    ``close()`` stops the worker threads (none left running behind a training script)."""
    import threading

    from agents.sb3.array_vec_env import make_array_vec_env

    cfg = {"episode": {"steps": 8}}
    before = set(threading.enumerate())
    one = make_array_vec_env("leoedge", n_envs=3, config=cfg)
    two = make_array_vec_env("leoedge", n_envs=3, config=cfg, threads=2)
    for venv in (one, two):
        venv.seed(5)
    assert np.array_equal(one.reset(), two.reset())
    rng = np.random.default_rng(1)
    for _ in range(10):  # through an auto-reset
        acts = rng.integers(0, 3, size=(30, 4))
        a, b = one.step(acts), two.step(acts)
        assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])
    started = [t for t in threading.enumerate() if t not in before and t.name.startswith("satgym-array")]
    assert len(started) == 1  # threads=2: the caller and one worker
    two.close()
    one.close()
    assert not started[0].is_alive()
