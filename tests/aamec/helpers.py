"""Shared helpers for the AA-MEC tests."""

from __future__ import annotations

import numpy as np

import satgym

PRESETS = ("aamec", "aamec-walker")
ENV_IDS = ("satgym/AAMEC-Central-v0", "satgym/AAMEC-Single-v0", "satgym/AAMECWalker-Central-v0",
           "satgym/AAMECWalker-Single-v0")


def short_env(scenario: str = "aamec", overrides: dict | None = None, steps: int = 4, **kwargs):
    cfg = {"episode": {"steps": steps}}
    for key, val in (overrides or {}).items():
        cfg[key] = {**cfg.get(key, {}), **val}
    return satgym.parallel_env(scenario, cfg, **kwargs)


def random_actions(env, rng: np.random.Generator) -> dict:
    return {a: rng.integers(0, env.action_space(a).n) for a in env.agents}


def rollout(env, seed: int, action_seed: int = 123) -> list:
    """(obs matrix, reward, metrics) per step of a whole episode with seeded random actions."""
    rng = np.random.default_rng(action_seed)
    obs, _ = env.reset(seed=seed)
    traj = [np.stack(list(obs.values()))]
    while env.agents:
        obs, rew, term, trunc, info = env.step(random_actions(env, rng))
        traj.append((np.stack(list(obs.values())), next(iter(rew.values())),
                     tuple(sorted((k, v) for k, v in next(iter(info.values()))["metrics"].items()))))
    traj.append(tuple(sorted((k, str(v)) for k, v in env.episode_metrics().items())))
    return traj
