"""The AA-MEC family's core for the array API (:class:`satgym.vector.ArrayEnv`).

One AA-MEC step is a 5-minute network snapshot (routing, flow sharing; tens of milliseconds), so
the batch is a loop over B envs, each stepped by the same method as the PettingZoo env's
``step`` (:meth:`~satgym.aamec.env.AAMECEnv.step_array`) on an action vector: no per-agent dicts.
"""

from __future__ import annotations

import numpy as np

from satgym.aamec.config import AAMECConfig
from satgym.aamec.env import AAMECEnv
from satgym.aamec.reward import REWARD_COMPONENTS

__all__ = ["AAMECArrayCore", "METRICS"]

#: the step metrics of the array API (keys of the env's step metrics)
METRICS = ("generated", "completed_onboard", "completed_edge", "failed", "routed_flows")


class AAMECArrayCore:
    """:class:`satgym.vector.ArrayCore` of the AA-MEC family (``aamec``, ``aamec-walker``)."""

    reward_names = REWARD_COMPONENTS
    metric_names = METRICS

    def __init__(self, config: AAMECConfig, n_envs: int) -> None:
        if n_envs < 1:
            raise ValueError(f"n_envs: must be at least 1, got {n_envs}")
        self.envs = [AAMECEnv(config) for _ in range(n_envs)]
        env = self.envs[0]
        self.n_envs, self.n_agents = n_envs, env.sim.n_sats
        self.observation_space, self.action_space = env._obs_space, env._act_space
        self.obs = np.zeros((n_envs, self.n_agents, env._obs_space.shape[0]), dtype=np.float32)
        self.rewards = np.zeros((n_envs, self.n_agents))
        self.components = np.zeros((n_envs, len(REWARD_COMPONENTS)))
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
            reward, self.truncated[b] = env.step_array(actions[b])
            self.obs[b] = env._obs
            self.rewards[b] = reward
            self.components[b] = [env.shared_reward_components[name] for name in REWARD_COMPONENTS]
            m = env.sim.last.metrics
            self.metrics[b] = [m[name] for name in METRICS]
            if self.truncated[b]:
                env.agents = []

    def episode_metrics(self, b: int) -> dict:
        return self.envs[b].episode_metrics()
