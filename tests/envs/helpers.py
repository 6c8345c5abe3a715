"""Shared helpers for the env tests."""

from __future__ import annotations

import numpy as np

import satgym

SHORT = {"episode": {"steps": 40}}


def short_env(scenario: str = "leoedge", overrides: dict | None = None, **kwargs):
    cfg = {"episode": {"steps": 40}}
    for key, val in (overrides or {}).items():
        cfg[key] = {**cfg.get(key, {}), **val}
    return satgym.parallel_env(scenario, cfg, **kwargs)


def random_actions(env, rng: np.random.Generator) -> dict:
    return {a: rng.integers(0, 3, size=env.action_space(a).shape) for a in env.agents}


def rollout(env, seed: int, action_seed: int = 123) -> list:
    """(obs matrix, reward, metrics) per step of a whole episode with seeded random actions."""
    rng = np.random.default_rng(action_seed)
    obs, _ = env.reset(seed=seed)
    traj = [np.stack(list(obs.values()))]
    while env.agents:
        obs, rew, term, trunc, info = env.step(random_actions(env, rng))
        if obs:
            traj.append((np.stack(list(obs.values())), next(iter(rew.values()))))
        else:
            traj.append(next(iter(rew.values())))
    traj.append(env.episode_metrics())
    return traj
