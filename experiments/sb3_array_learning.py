"""Learning check of the array-backed SB3 VecEnv (issue 15): SB3 PPO with parameter sharing
(every satellite of every env copy one sub-env) trained on

* ``supersuit``: the existing path, SuperSuit's Markov vector env over the PettingZoo env
  (:func:`agents.sb3.envs.make_supersuit_vec_env`), and
* ``array``: :class:`agents.sb3.array_vec_env.ArrayVecEnv` over ``satgym.array_env``,

with the same PPO settings, the same number of samples (agent-steps) and the same seeds, then
both evaluated the same way: the deterministic policy on the PettingZoo env (every satellite
acting with the shared policy), mean episode return (the shared reward summed over the episode)
over fixed evaluation seeds. The untrained policy of each seed is evaluated as well, so the
table shows that training moved the return, and by how much on each path.

    OMP_NUM_THREADS=1 nice -n 5 python experiments/sb3_array_learning.py

Both paths give each sub-env the same observation, reward and reset seeds (copy b seeded s + b),
so they differ only in how a finished episode's last observation reaches PPO's bootstrap.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

import satgym
from agents.sb3.array_vec_env import make_array_vec_env
from agents.sb3.envs import make_supersuit_vec_env, squash_obs

SCENARIO, LOAD, STEPS = "leoedge", "normal", 100
PPO_ARGS = {"n_steps": 64, "batch_size": 640, "n_epochs": 4, "learning_rate": 3e-4}


def evaluate(model, seeds: range) -> float:
    """Mean episode return of the deterministic shared policy on the PettingZoo env."""
    returns = []
    for seed in seeds:
        env = satgym.parallel_env(SCENARIO, {"episode": {"steps": STEPS}}, load=LOAD)
        obs, _ = env.reset(seed=seed)
        total = 0.0
        while env.agents:
            x = squash_obs(np.stack([obs[a] for a in env.agents]))
            acts, _ = model.predict(x, deterministic=True)
            obs, rew, _, _, _ = env.step(dict(zip(env.agents, acts)))
            total += float(np.mean(list(rew.values())))
        returns.append(total)
    return float(np.mean(returns))


def train(path: str, seed: int, samples: int, n_envs: int):
    """(untrained return, trained return, seconds, agent-steps/s) of one PPO run."""
    import torch
    from stable_baselines3 import PPO

    torch.set_num_threads(1)
    config = {"episode": {"steps": STEPS}}
    if path == "array":
        venv = make_array_vec_env(SCENARIO, n_envs, config, load=LOAD)
    else:
        venv = make_supersuit_vec_env(SCENARIO, LOAD, config, num_vec_envs=n_envs)
    model = PPO("MlpPolicy", venv, seed=seed, device="cpu", verbose=0, **PPO_ARGS)
    eval_seeds = range(10_000, 10_004)
    before = evaluate(model, eval_seeds)
    t0 = time.perf_counter()
    model.learn(total_timesteps=samples)
    dt = time.perf_counter() - t0
    after = evaluate(model, eval_seeds)
    venv.close()
    return before, after, dt, model.num_timesteps / dt


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--samples", type=int, default=409_600, help="agent-steps of training per run")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--n-envs", type=int, default=8, help="env copies (x 10 satellites = SB3 sub-envs)")
    args = p.parse_args(argv)
    rows = {}
    for path in ("array", "supersuit"):
        runs = [train(path, seed, args.samples, args.n_envs) for seed in range(args.seeds)]
        rows[path] = np.array(runs)
        for seed, (b, a, dt, rate) in enumerate(runs):
            print(f"{path:9s} seed {seed}: return {b:8.2f} -> {a:8.2f}  ({dt:5.1f} s, {rate:7.0f} agent-steps/s)",
                  flush=True)
    print(f"\n{args.samples} agent-steps per run, {args.seeds} seeds, {args.n_envs} env copies x 10 satellites, "
          f"{SCENARIO} load {LOAD}, {STEPS}-step episodes; evaluation: 4 episodes (seeds 10000-10003)")
    print("| path | untrained return | trained return (mean +- sd over seeds) | training agent-steps/s |")
    print("|---|---|---|---|")
    for path, r in rows.items():
        print(f"| {path} | {r[:, 0].mean():.2f} +- {r[:, 0].std(ddof=1):.2f} | {r[:, 1].mean():.2f} +- "
              f"{r[:, 1].std(ddof=1):.2f} | {r[:, 3].mean():.0f} |")


if __name__ == "__main__":
    main()
