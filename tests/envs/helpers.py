"""Shared helpers for the env tests (every family: the AA-MEC tests use them too)."""

from __future__ import annotations

import numpy as np
from gymnasium import spaces

import satgym

SHORT = {"episode": {"steps": 40}}


def short_env(scenario: str = "leoedge", overrides: dict | None = None, steps: int = 40, **kwargs):
    cfg = {"episode": {"steps": steps}}
    for key, val in (overrides or {}).items():
        cfg[key] = {**cfg.get(key, {}), **val}
    return satgym.parallel_env(scenario, cfg, **kwargs)


def random_actions(env, rng: np.random.Generator) -> dict:
    """A seeded random action per live agent, for Discrete and MultiDiscrete action spaces."""
    out = {}
    for a in env.agents:
        space = env.action_space(a)
        out[a] = rng.integers(0, space.n) if isinstance(space, spaces.Discrete) else rng.integers(0, space.nvec)
    return out


def _metrics(info: dict) -> tuple:
    return tuple(sorted((k, str(v)) for k, v in next(iter(info.values()))["metrics"].items())) if info else ()


def rollout(env, seed: int, action_seed: int = 123) -> list:
    """(obs matrix, reward, step metrics) per step of a whole episode with seeded random actions,
    then the episode metrics."""
    rng = np.random.default_rng(action_seed)
    obs, _ = env.reset(seed=seed)
    traj = [np.stack(list(obs.values()))]
    while env.agents:
        obs, rew, term, trunc, info = env.step(random_actions(env, rng))
        stacked = np.stack(list(obs.values())) if obs else None
        traj.append((stacked, next(iter(rew.values())), _metrics(info)))
    traj.append(tuple(sorted((k, str(v)) for k, v in env.episode_metrics().items())))
    return traj


def same(x, y) -> bool:
    """Equality of rollout entries: arrays element-wise, tuples entry by entry."""
    if isinstance(x, tuple):
        return isinstance(y, tuple) and len(x) == len(y) and all(same(p, q) for p, q in zip(x, y))
    if isinstance(x, np.ndarray):
        return isinstance(y, np.ndarray) and np.array_equal(x, y)
    return x == y
