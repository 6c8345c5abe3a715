"""The generic :class:`~satgym.vector.array_env.ArrayCore`: B PettingZoo envs of any family,
stepped through their dict API (per-agent dicts built at this boundary only).

It is the extension point for a family that has no batched core of its own yet
(:data:`satgym.scenarios.Family.array_core` empty): the array API, its wrappers and the
registry-parametrised tests then work for the family unchanged, at the PettingZoo API's speed. A
family gets the array API's speed by writing its own core (as ``satgym.leoedge.array`` and
``satgym.aamec.array`` do) and naming it in its ``Family`` entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces

__all__ = ["ParallelEnvCore"]


class ParallelEnvCore:
    """:class:`~satgym.vector.array_env.ArrayCore` over ``make_env()`` PettingZoo ``ParallelEnv`` s.

    Requirements on the family env: every agent acts every step, all agents share one observation
    and one action space (Box; Discrete or MultiDiscrete), ``infos[agent]["rewards"]`` holds the
    shared reward components, and the episode ends for all agents at once.
    """

    metric_names: tuple[str, ...] = ()

    def __init__(self, make_env: Callable[[], Any], n_envs: int) -> None:
        if n_envs < 1:
            raise ValueError(f"n_envs: must be at least 1, got {n_envs}")
        self.envs = [make_env() for _ in range(n_envs)]
        env = self.envs[0]
        self.agent_ids = list(env.possible_agents)
        self.n_envs, self.n_agents = n_envs, len(self.agent_ids)
        self.observation_space = env.observation_space(self.agent_ids[0])
        self.action_space = env.action_space(self.agent_ids[0])
        if not isinstance(self.observation_space, spaces.Box):
            raise TypeError(f"observation_space: the array API needs a Box, got {self.observation_space}")
        self.obs = np.zeros((n_envs, self.n_agents, *self.observation_space.shape), dtype=np.float32)
        self.rewards = np.zeros((n_envs, self.n_agents))
        self.truncated = np.zeros(n_envs, dtype=bool)
        self.metrics = np.zeros((n_envs, 0))
        self.reward_names: tuple[str, ...] = ()
        self.components = np.zeros((n_envs, 0))

    def reset_env(self, b: int, seed: int | None) -> None:
        obs, infos = self.envs[b].reset(seed=seed)
        self.obs[b] = np.stack([obs[a] for a in self.agent_ids])
        self.truncated[b] = False

    def step(self, actions: np.ndarray) -> None:
        for b, env in enumerate(self.envs):
            obs, rew, term, trunc, infos = env.step(dict(zip(self.agent_ids, actions[b])))
            self.obs[b] = np.stack([obs[a] for a in self.agent_ids])
            self.rewards[b] = [rew[a] for a in self.agent_ids]
            parts = infos[self.agent_ids[0]].get("rewards", {})
            if not self.reward_names and parts:
                self.reward_names = tuple(parts)
                self.components = np.zeros((self.n_envs, len(parts)))
            if self.reward_names:
                self.components[b] = [parts[name] for name in self.reward_names]
            self.truncated[b] = any(trunc.values()) or any(term.values())

    def episode_metrics(self, b: int) -> dict:
        env = self.envs[b]
        return env.episode_metrics() if hasattr(env, "episode_metrics") else {}
