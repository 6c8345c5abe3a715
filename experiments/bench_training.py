"""Throughput of the `leoedge` preset inside real training loops (issue: RL training).

* RLlib (new API stack): agent-steps/s while the local env runner samples (PPO, shared module):
  RLlib's default module, and satgym's own module without and with action masking (and with the
  binary action and the estimate features);
* Stable-Baselines3: env-steps/s of `PPO.learn` on `gymnasium.make("satgym/LEOEdge-Central-v2")`
  (one step = all 10 satellites decide) and agent-steps/s accordingly;
* the bare env loop with random actions, measured in the same process, as the reference.

    OMP_NUM_THREADS=1 python experiments/bench_training.py

Ray stays on loopback. Numbers are for one core on a shared machine: compare the ratios.
"""

from __future__ import annotations

import os
import time

import numpy as np  # noqa: F401

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")


import satgym

STEPS = 200  # episode length used for training


def bare_env_steps_per_s(seconds: float = 5.0) -> float:
    from satgym.tools.bench import bench_parallel

    return bench_parallel(satgym.parallel_env("leoedge", {"episode": {"steps": STEPS}}), seconds)


def rllib_sampling_rate(n_sample: int = 4000) -> float:
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.env.wrappers.pettingzoo_env import ParallelPettingZooEnv
    from ray.tune.registry import register_env

    from satgym.ray_session import init_ray

    ray, _ = init_ray(num_cpus=1)
    register_env("satgym_bench", lambda cfg: ParallelPettingZooEnv(
        satgym.parallel_env("leoedge", {"episode": {"steps": STEPS}})))
    config = (
        PPOConfig()
        .environment("satgym_bench")
        .env_runners(num_env_runners=0, rollout_fragment_length=200)
        .multi_agent(policies={"shared"}, policy_mapping_fn=lambda aid, *a, **k: "shared")
        .training(train_batch_size_per_learner=2000, minibatch_size=500, num_epochs=1)
        .rl_module(model_config={"fcnet_hiddens": [64, 64]})
    )
    return _sampling_rate(ray, config.build_algo(), n_sample)


def _sampling_rate(ray, algo, n_sample: int) -> float:
    """Agent-steps/s of ``algo``'s local env runner over ``n_sample`` env steps (after a warm-up);
    stops ``algo`` and Ray."""
    try:
        runner = algo.env_runner_group.local_env_runner
        runner.sample(num_timesteps=400)  # warm-up
        t0 = time.perf_counter()
        episodes = runner.sample(num_timesteps=n_sample)
        return sum(e.agent_steps() for e in episodes) / (time.perf_counter() - t0)
    finally:
        algo.stop()
        ray.shutdown()


def rllib_satgym_module_rate(n_sample: int = 4000, **settings) -> float:
    """Agent-steps/s of the local env runner sampling with satgym's own module
    (:class:`agents.rllib.module.SatPPOModule`; ``settings``: e.g. ``action_mask``, ``binary``,
    ``estimates``) through ``agents.rllib.config.build_config``."""
    from agents.rllib.config import TrainSettings, build_config
    from satgym.ray_session import init_ray

    ray, _ = init_ray(num_cpus=1)
    return _sampling_rate(ray, build_config("ppo", TrainSettings(episode_steps=STEPS, train_batch=2000, minibatch=500,
                                                                 epochs=1, **settings)).build_algo(), n_sample)


def sb3_rate(timesteps: int = 4096) -> float:
    import gymnasium
    from stable_baselines3 import PPO

    env = gymnasium.make("satgym/LEOEdge-Central-v2", config={"episode": {"steps": STEPS}})
    model = PPO("MlpPolicy", env, n_steps=1024, batch_size=256, n_epochs=1, seed=0, device="cpu")
    model.learn(total_timesteps=1024)  # warm-up
    t0 = time.perf_counter()
    model.learn(total_timesteps=timesteps)
    return timesteps * 10 / (time.perf_counter() - t0)  # agent-steps/s (10 satellites per step)


def bench_sb3(kind: str, timesteps: int, n_envs: int = 64) -> float:
    """Agent-steps/s of SB3 ``PPO.learn``: ``central`` on ``satgym/LEOEdge-Central-v2`` (the
    existing path, 10 agent-steps per step) or ``array`` on the array-backed VecEnv (``n_envs``
    envs, every satellite a sub-env)."""
    import gymnasium
    import torch
    from stable_baselines3 import PPO

    torch.set_num_threads(1)
    if kind == "central":
        env = gymnasium.make("satgym/LEOEdge-Central-v2", config={"episode": {"steps": 200}})
        model = PPO("MlpPolicy", env, n_steps=1024, batch_size=256, n_epochs=1, seed=0, device="cpu")
        per_step = 10
    else:
        from agents.sb3.array_vec_env import make_array_vec_env

        env = make_array_vec_env("leoedge", n_envs, {"episode": {"steps": 200}})
        model = PPO("MlpPolicy", env, n_steps=16, batch_size=2560, n_epochs=1, seed=0, device="cpu")
        per_step = 1
    model.learn(total_timesteps=max(timesteps // 4, 1))  # warm-up (compilation, first resets)
    t0 = time.perf_counter()
    before = model.num_timesteps
    model.learn(total_timesteps=timesteps, reset_num_timesteps=False)
    return (model.num_timesteps - before) * per_step / (time.perf_counter() - t0)


def main() -> None:
    bare = bare_env_steps_per_s() * 10
    sample = rllib_sampling_rate()
    unmasked = rllib_satgym_module_rate(action_mask=False)
    masked = rllib_satgym_module_rate(action_mask=True)
    full = rllib_satgym_module_rate(action_mask=True, binary=True, estimates=True)
    sb3 = sb3_rate()
    sb3_array = bench_sb3("array", 81920)
    rows = [
        ("bare env loop, random actions (agent-steps/s)", bare),
        ("SB3 PPO.learn on the array VecEnv, B=64 (agent-steps/s)", sb3_array),
        ("RLlib PPO local env runner sampling, RLlib's default module (agent-steps/s)", sample),
        ("RLlib sampling, satgym module, no masking (agent-steps/s)", unmasked),
        ("RLlib sampling, satgym module, action masking on (agent-steps/s)", masked),
        ("RLlib sampling, masking + binary + estimates (agent-steps/s)", full),
        ("SB3 PPO.learn on LEOEdge-Central-v2 (agent-steps/s)", sb3),
    ]
    width = max(len(r[0]) for r in rows)
    for name, val in rows:
        print(f"{name:<{width}}  {val:10.0f}   ({val / bare:.3f} of the bare loop)")
    print(f"SB3 array VecEnv / SB3 central view (target >= 10): {sb3_array / sb3:.1f}")


if __name__ == "__main__":
    main()
