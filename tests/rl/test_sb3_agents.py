"""SB3 agents: tiny PPO / A2C runs on the Central view and a SuperSuit run through ``run(args)``;
the ``sb3`` policy loads each saved model and acts on the PettingZoo env."""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import gymnasium as gym
import numpy as np
import pytest
import torch

import satgym
from agents.sb3.envs import make_supersuit_vec_env, squash_obs
from agents.sb3.train import run
from satgym.policies import make_policy, policy_names

torch.set_num_threads(1)


def _args(algo: str, out, timesteps: int) -> argparse.Namespace:
    return argparse.Namespace(algo=algo, scenario="leoedge", load="normal", iterations=None, episode_steps=20,
                              seed=0, out=str(out), resume=None, num_env_runners=None, address=None, workers=1,
                              timesteps=timesteps)


def _acts_on_env(spec: str) -> None:
    policy = make_policy(spec)
    env = satgym.parallel_env("leoedge", {"episode": {"steps": 5}}, load="normal")
    obs, infos = env.reset(seed=3)
    policy.reset(env, seed=3)
    while env.agents:
        actions = policy.act(env, obs, infos)
        assert set(actions) == set(env.agents)
        assert all(env.action_space(a).contains(v) for a, v in actions.items())
        obs, _, _, _, infos = env.step(actions)


@pytest.mark.parametrize("algo", ["sb3-ppo", "sb3-a2c"])
def test_central_view_run_saves_model_and_policy_acts(algo, tmp_path):
    assert run(_args(algo, tmp_path, 64)) == 0
    for name in ("model.zip", "sb3_meta.json", "progress.csv", "episodes.csv"):
        assert (tmp_path / name).exists(), name
    assert any(f.name.startswith("events.out.tfevents") for f in tmp_path.iterdir())
    assert len((tmp_path / "episodes.csv").read_text().splitlines()) >= 2   # >= one 20-step episode logged
    _acts_on_env(f"sb3:{tmp_path}")


def test_central_model_matches_gym_view(tmp_path):
    run(_args("sb3-a2c", tmp_path, 20))
    from stable_baselines3 import A2C

    model = A2C.load(tmp_path / "model.zip", device="cpu")
    env = gym.make("satgym/LEOEdge-Central-v2", config={"episode": {"steps": 20}})
    obs, _ = env.reset(seed=0)
    action, _ = model.predict(squash_obs(obs), deterministic=True)
    assert env.action_space.contains(np.asarray(action, dtype=np.int64))


def test_supersuit_parameter_sharing_run(tmp_path):
    venv = make_supersuit_vec_env(config={"episode": {"steps": 5}})
    assert venv.num_envs == 10
    venv.close()
    assert run(_args("sb3-supersuit", tmp_path, 400)) == 0
    assert (tmp_path / "model.zip").exists()
    _acts_on_env(f"sb3:{tmp_path / 'model.zip'}")


def test_sb3_is_a_registered_policy():
    assert "sb3" in policy_names()
    with pytest.raises(FileNotFoundError):
        make_policy("sb3:/nonexistent/model.zip")


def test_resume_continues_the_checkpoints_run_with_new_episodes(tmp_path, capsys):
    import csv
    import json

    from satgym.tools.cli import main

    out = tmp_path / "run"
    common = ["train", "--episode-steps", "20", "--timesteps", "40", "--quiet"]
    assert main([*common, "--algo", "sb3-ppo", "--load", "heavy", "--env-set", "tasks.deadline_s=9",
                 "--out", str(out)]) == 0
    assert main([*common, "--resume", str(out), "--load", "light"]) == 2          # differs: error, nothing trained
    assert "--load" in capsys.readouterr().err
    assert main([*common, "--resume", str(out), "--env-set", "tasks.deadline_s=8"]) == 2
    assert "--env-set" in capsys.readouterr().err
    assert json.loads((out / "sb3_meta.json").read_text())["timesteps"] == 40
    assert main([*common, "--resume", str(out / "model.zip")]) == 0                # its algo, load and overrides
    meta = json.loads((out / "sb3_meta.json").read_text())
    assert (meta["algo"], meta["load"], meta["overrides"]) == ("sb3-ppo", "heavy", {"tasks": {"deadline_s": 9}})
    assert meta["timesteps"] == 80 and meta["episodes"] == 4
    with open(out / "episodes.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["episode"]) for r in rows] == [0, 1, 2, 3]
    assert [int(r["timesteps"]) for r in rows] == [20, 40, 60, 80]
    # the resumed segment's first episode is a new task stream, not the run's first episode again
    assert rows[2]["generated"] != rows[0]["generated"]
    with open(out / "progress.csv", newline="") as f:
        progress = list(csv.DictReader(f))
    assert [int(r["time/total_timesteps"]) for r in progress][-2:] == [40, 80]   # appended, one header
