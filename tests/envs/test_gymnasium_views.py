"""Gymnasium and SB3 checkers on every registered id, plus the views' own behaviour."""

import re

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env as gym_check_env

import satgym
from satgym.scenarios import PRESETS
from satgym.registration import ENV_IDS

STEPS = {"LEOEdge": 30, "LEOEdgeMiyun": 30, "Starlink": 3, "AAMEC": 3, "AAMECWalker": 3, "Arctic": 3, "ArcticLEO": 3,
         "ArcticMEO": 3}


def make(env_id, **kwargs):
    steps = STEPS[env_id.split("/")[1].split("-")[0]]
    return gymnasium.make(env_id, config={"episode": {"steps": steps}}, **kwargs)


def test_every_id_registered_and_every_preset_covered():
    satgym.register_envs()  # idempotent
    for env_id in ENV_IDS:
        assert env_id in gymnasium.registry
        assert re.fullmatch(r"satgym/[A-Za-z]+-[A-Za-z]+-v\d+", env_id)
        assert env_id.endswith("-v0" if env_id.startswith(("satgym/AAMEC", "satgym/Arctic")) else "-v2")  # new families start at v0; LEOEdge v2: own RNG
    covered = {kwargs["scenario"] for _, kwargs in ENV_IDS.values()}
    assert covered == set(PRESETS)


@pytest.mark.parametrize("env_id", list(ENV_IDS))
def test_gymnasium_check_env(env_id):
    env = make(env_id)
    gym_check_env(env.unwrapped, skip_render_check=True)


@pytest.mark.parametrize("env_id", list(ENV_IDS))
def test_sb3_check_env(env_id):
    from stable_baselines3.common.env_checker import check_env

    env = make(env_id)
    check_env(env.unwrapped, warn=False)


def test_views_render():
    env = make("satgym/LEOEdge-Central-v2", render_mode="rgb_array")
    env.reset(seed=0)
    img = env.render()
    assert img.ndim == 3 and img.shape[2] == 3 and img.dtype == np.uint8 and img.std() > 0
    env = make("satgym/LEOEdge-Single-v2", render_mode="ansi")
    env.reset(seed=0)
    assert "sat_0" in env.render()


def test_load_kwarg_and_bad_action():
    env = make("satgym/LEOEdge-Central-v2", load="heavy")
    assert env.unwrapped.par.config.tasks.load == "heavy"
    env.reset(seed=0)
    with pytest.raises(ValueError, match="0 local, 1 offload, 2 hold"):
        env.step(np.full(env.action_space.shape, 7))


def test_single_view_others_follow_their_policy():
    env = make("satgym/LEOEdge-Single-v2", agent=3, others_policy="offload", load="heavy")
    env.reset(seed=1)
    seen = False
    for _ in range(30):
        env.step(np.zeros(env.action_space.shape, dtype=np.int64))
        T = env.unwrapped.sim.tasks
        if len(T):
            decided = ~np.isnan(T["decided_s"])
            assert not np.any((T["sat"] == 3) & decided & (T["route"] > 0))  # agent 3 stays local
            seen |= bool(np.any((T["sat"] != 3) & decided))
    assert seen
    with pytest.raises(ValueError, match="others_policy"):
        make("satgym/LEOEdge-Single-v2", others_policy="genius")


def test_sb3_ppo_smoke_on_gymnasium_make():
    from stable_baselines3 import PPO

    env = make("satgym/LEOEdge-Central-v2")
    model = PPO("MlpPolicy", env, n_steps=32, batch_size=16, n_epochs=1, seed=0, device="cpu")
    model.learn(total_timesteps=64)
    obs, _ = env.reset(seed=0)
    action, _ = model.predict(obs, deterministic=True)
    assert env.action_space.contains(action)
