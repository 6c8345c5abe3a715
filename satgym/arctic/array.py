"""The Arctic family's core for the array API (:class:`satgym.vector.ArrayEnv`).

An Arctic step is one slot: the users' requests, the candidate paths of the slot's sky and the
admitted tasks' delays and energies. The batch is a loop over B envs, each stepped by the same
method as the PettingZoo env's ``step`` (:meth:`~satgym.arctic.env.ArcticOffloadingEnv.step_array`)
on an ``(n_users, 3)`` action array: no per-agent dicts.
"""

from __future__ import annotations

import numpy as np

from satgym.arctic.config import ArcticConfig
from satgym.arctic.env import ArcticOffloadingEnv
from satgym.arctic.reward import COMPONENTS

__all__ = ["ArcticArrayCore", "METRICS"]

#: the step metrics of the array API (keys of the env's step metrics)
METRICS = ("active_users", "admitted", "declined", "refused", "completed", "in_flight")


class ArcticArrayCore:
    """:class:`satgym.vector.ArrayCore` of the Arctic family (``arctic``, ``arctic-leo``, ``arctic-meo``)."""

    reward_names = COMPONENTS
    metric_names = METRICS

    def __init__(self, config: ArcticConfig, n_envs: int) -> None:
        if n_envs < 1:
            raise ValueError(f"n_envs: must be at least 1, got {n_envs}")
        self.envs = [ArcticOffloadingEnv(config) for _ in range(n_envs)]
        env = self.envs[0]
        self.n_envs, self.n_agents = n_envs, env.sim.n_users
        self.observation_space, self.action_space = env._obs_space, env._act_space
        self.obs = np.zeros((n_envs, self.n_agents, env._obs_space.shape[0]), dtype=np.float32)
        self.rewards = np.zeros((n_envs, self.n_agents))
        self.components = np.zeros((n_envs, len(COMPONENTS)))
        self.metrics = np.zeros((n_envs, len(METRICS)))
        self.truncated = np.zeros(n_envs, dtype=bool)

    def reset_env(self, b: int, seed: int | None) -> None:
        env = self.envs[b]
        env.reset(seed=seed)
        self.obs[b] = env._obs
        self.metrics[b] = 0.0
        self.truncated[b] = False

    def step(self, actions: np.ndarray) -> None:
        for b, env in enumerate(self.envs):
            reward, self.truncated[b], m = env.step_array(actions[b])
            self.obs[b] = env._obs
            self.rewards[b] = reward
            self.components[b] = [env.shared_reward_components[name] for name in COMPONENTS]
            self.metrics[b] = [m[name] for name in METRICS]

    def episode_metrics(self, b: int) -> dict:
        return self.envs[b].episode_metrics()
