"""RLlib training of satgym agents (new API stack): one tiny iteration per variant, checkpoints,
restore, the ``marl`` policy, and the wrapper's episode ends and spaces."""

from __future__ import annotations

import csv
import json
import os

import numpy as np
import pytest

pytestmark = pytest.mark.ray

IN_CONTACT = 6  # observation index of in_contact (SAT_FIELDS)


def tiny(**kw):
    from agents.rllib.config import TrainSettings

    return TrainSettings(load="heavy", episode_steps=20, train_batch=200, epochs=1, hiddens=[16], **kw)


@pytest.mark.parametrize("critic_state", [False, True])
def test_wrapper_ends_episodes_and_spaces_hold_out_of_contact(critic_state: bool) -> None:
    from agents.rllib.env import env_creator

    # leoedge-miyun: one station, so most satellites are out of contact (the paper regime keeps
    # every satellite connected through the relays)
    env = env_creator({"scenario": "leoedge-miyun", "load": "heavy", "episode_steps": 20,
                       "critic_state": critic_state})
    obs, _ = env.reset(seed=0)
    assert set(env.observation_space.spaces) == set(env.possible_agents) == set(obs)
    assert set(env.action_space.spaces) == set(env.possible_agents)
    seen_out = 0
    for k in range(20):
        for a, o in obs.items():
            assert env.observation_space[a].contains(o), (k, a)
            seen_out += int(o[IN_CONTACT] == 0)
        obs, rew, term, trunc, info = env.step({a: env.action_space[a].sample() for a in obs})
        assert len(set(rew.values())) == 1                       # one shared reward
        if k < 19:
            assert trunc["__all__"] is False and term["__all__"] is False
    assert trunc["__all__"] is True and term["__all__"] is False
    assert set(obs) == set(env.possible_agents)
    assert all(env.observation_space[a].contains(o) for a, o in obs.items())
    assert seen_out > 0                                          # out-of-contact satellites are in space too
    if critic_state:
        assert env.observation_space["sat_0"].shape[0] == env.local_obs_dim + env.par_env.state_space.shape[0]


@pytest.mark.parametrize("algo_name", ["ppo", "mappo", "ippo"])
def test_one_iteration_save_restore_and_marl_policy(ray_session, tmp_path, algo_name: str) -> None:
    import torch
    from ray.rllib.algorithms.algorithm import Algorithm

    import satgym
    from agents.rllib.config import build_config, env_config
    from agents.rllib.train import save, summarize
    from satgym.policies import make_policy

    algo = build_config(algo_name, tiny()).build_algo()
    try:
        result = algo.train()
        row = summarize(result)
        assert row["env_steps"] >= 200
        assert np.isfinite(row["episode_return_mean"]) and np.isfinite(row["mean_execution_time_s"])
        assert 0.0 <= row["mean_edge_load"] <= 1.0
        modules = sorted(algo.config.policies)
        assert modules == (sorted(f"sat_{k}" for k in range(10)) if algo_name == "ippo" else ["shared"])
        path = save(algo, str(tmp_path), {"algo": algo_name, "env_config": env_config(algo_name, tiny()),
                                          "mapping": "own" if algo_name == "ippo" else "shared"})
    finally:
        algo.stop()

    restored = Algorithm.from_checkpoint(path)  # the env was registered by build_config
    try:
        assert restored.iteration == 1
        module = restored.get_module(modules[0])
        dim = module.observation_space.shape[0]
        out = module.forward_inference({"obs": torch.zeros(3, dim)})
        assert tuple(out["action_dist_inputs"].shape) == (3, 12)     # MultiDiscrete([3]*4) logits
    finally:
        restored.stop()

    policy = make_policy(f"marl:{path}")
    env = satgym.parallel_env("leoedge", {"episode": {"steps": 10}}, load="heavy")
    obs, infos = env.reset(seed=1)
    policy.reset(env, seed=1)
    first = policy.act(env, obs, infos)
    assert first == {} or all(np.array_equal(v, policy.act(env, obs, infos)[a]) for a, v in first.items())  # greedy
    while env.agents:
        actions = policy.act(env, obs, infos)
        assert all(env.action_space(a).contains(v) for a, v in actions.items())
        obs, _, _, _, infos = env.step(actions)
    assert env.episode_metrics()["steps"] == 10


def test_cli_trains_writes_metrics_and_resumes(ray_session, tmp_path, capsys) -> None:
    from satgym.tools.cli import main

    out = tmp_path / "run"
    common = ["train", "--episode-steps", "20", "--train-batch", "200", "--epochs", "1", "--checkpoint-every", "1"]
    assert main([*common, "--algo", "ppo", "--load", "light", "--iterations", "1", "--out", str(out),
                 "--env-set", "reward.latency_weight=1"]) == 0
    assert "[ppo] iter    1" in capsys.readouterr().out
    latest = out / "checkpoints" / "latest"
    assert (latest / "satgym_marl.json").exists()
    meta = json.loads((latest / "satgym_marl.json").read_text())  # --env-set is saved with the checkpoint
    assert meta["env_config"]["overrides"] == {"reward": {"latency_weight": 1}}
    assert meta["iteration"] == 1 and meta["settings"]["train_batch"] == 200
    # a flag that differs from the checkpoint's is an error naming it (before Ray or RLlib is touched)
    for flag in (["--load", "heavy"], ["--env-set", "reward.latency_weight=2"], ["--algo", "mappo"],
                 ["--train-batch", "100"], ["--seed", "3"]):
        assert main([*common, "--resume", str(latest), "--iterations", "1", *flag]) == 2
        assert flag[0] in capsys.readouterr().err
    # the same flags, or none: the checkpoint's load and overrides, --out defaults to its run directory
    assert main(["train", "--resume", str(latest), "--iterations", "1", "--train-batch", "200", "--quiet"]) == 0
    meta = json.loads((latest / "satgym_marl.json").read_text())
    assert meta["iteration"] == 2 and meta["env_config"]["load"] == "light"
    assert meta["env_config"]["overrides"] == {"reward": {"latency_weight": 1}}
    with open(out / "metrics.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(float(r["iteration"])) for r in rows] == [1, 2]
    assert [int(float(r["env_steps"])) for r in rows] == [200, 400]
    assert {"episode_return_mean", "mean_execution_time_s", "mean_edge_load", "failed"} <= set(rows[0])
    assert any(name.startswith("events") for name in os.listdir(out / "tb"))
    # the trained policy is evaluated by `satgym compare` through Ray tasks (worker processes
    # must register `marl` themselves) on the same task stream as a baseline
    from satgym.tools.compare import run_all

    specs = [{"scenario": "leoedge", "load": "light", "policy": p, "seed": 3, "steps": 10}
             for p in (f"marl:{latest}", "local")]
    results = run_all(specs, use_ray=True, progress=False)
    assert results[0]["episode"]["generated"] == results[1]["episode"]["generated"] > 0


def _first_episode_generated(env_cfg: dict, seed: int) -> int:
    """Tasks generated in one episode of the task stream of ``seed`` (the stream has its own generator)."""
    from agents.rllib.env import make_parallel_env

    env = make_parallel_env(env_cfg)
    env.reset(seed=seed)
    while env.agents:
        env.step({a: np.zeros(4, dtype=np.int64) for a in env.agents})
    return int(env.episode_metrics()["generated"])


def test_resume_continues_counters_and_samples_a_new_task_stream(ray_session, tmp_path) -> None:
    from agents.rllib.callbacks import satgym_env
    from agents.rllib.config import TrainSettings, build_config, env_config, settings_dict
    from agents.rllib.train import restore, save, summarize

    algo_name = "mappo"
    s = TrainSettings(load="heavy", episode_steps=20, train_batch=20, epochs=1, hiddens=[16])
    cfg = env_config(algo_name, s)
    algo = build_config(algo_name, s).build_algo()       # one iteration = one episode of 20 steps
    try:
        first = summarize(algo.train())
        first_seed = satgym_env(algo.env_runner.env, 0).np_random_seed
        path = save(algo, str(tmp_path), {"algo": algo_name, "env_config": cfg, "settings": settings_dict(s),
                                          "mapping": "shared"})
    finally:
        algo.stop()
    resumed = restore(path)
    try:
        assert resumed.iteration == 1 and resumed.config.env_config == cfg
        row = summarize(resumed.train())
        seed = satgym_env(resumed.env_runner.env, 0).np_random_seed
    finally:
        resumed.stop()
    assert (row["iteration"], row["env_steps"]) == (2, 40)                   # counters go on
    assert first["generated"] == _first_episode_generated(cfg, first_seed)   # the first run's first episode ...
    assert seed != first_seed                                                # ... is not sampled again
    assert _first_episode_generated(cfg, seed) != first["generated"]


def test_cli_reports_missing_backends(tmp_path, capsys, monkeypatch) -> None:
    import agents.cli
    from satgym.tools.cli import main

    monkeypatch.setitem(agents.cli.BACKENDS, "a3c", "agents.not_built_yet.train")
    assert main(["train", "--algo", "a3c", "--out", str(tmp_path)]) == 2
    assert "agents.not_built_yet.train" in capsys.readouterr().err
