"""Single-agent Gymnasium view of :class:`~satgym.arctic.env.ArcticOffloadingEnv`.

:class:`CentralisedEnv`: one controller decides for every user at once (observation: every user's
observation row, flattened; action: every user's ``[candidate, resource blocks - 1, CPU level - 1]``,
flattened), with the shared reward and the parallel env's dynamics and truncation.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from satgym.arctic.config import ArcticConfig
from satgym.arctic.env import ArcticOffloadingEnv
from satgym.config.builder import with_load
from satgym.family_env import FamilyView

__all__ = ["CentralisedEnv"]


class CentralisedEnv(FamilyView):
    """Centralised controller: observation ``n_users * obs_dim``, action ``MultiDiscrete`` of
    ``n_users`` x ``[N + 1, B, C]``."""

    metadata = {"render_modes": ["ansi"]}

    def __init__(self, scenario: str | ArcticConfig = "arctic", config: dict[str, Any] | str | None = None,
                 render_mode: str | None = None, load: str | None = None) -> None:
        self._init_view(ArcticOffloadingEnv(scenario, with_load(config, load), render_mode=render_mode), render_mode)
        n = len(self.par.possible_agents)
        self.observation_space = self.tiled_box(self.par.observation_space(self.par.possible_agents[0]), n)
        self.action_space = spaces.MultiDiscrete(np.tile(self.par._nvec, n))
        self.n_users = n

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        self._reset_par(seed, options)
        return self.par._obs.ravel().copy(), {}

    def step(self, action):
        a = np.asarray(action)
        if a.shape != self.action_space.shape or not self.action_space.contains(a.astype(np.int64)):
            raise ValueError(f"action: expected {self.action_space.shape[0]} entries, per user "
                             f"[candidate (0..{self.par._nvec[0] - 1}, {self.par._nvec[0] - 1} declines), "
                             f"resource blocks - 1, CPU level - 1] within {self.par._nvec.tolist()}; got {action!r}")
        matrix = a.astype(np.int64).reshape(self.n_users, 3)
        _, rewards, _, truncs, infos = self.par.step(dict(zip(self.par.possible_agents, matrix)))
        first = infos[self.par.possible_agents[0]]
        reward = float(sum(self.par.shared_reward_components.values()))
        info = {"rewards": first["rewards"], "metrics": first["metrics"]}
        return self.par._obs.ravel().copy(), reward, False, any(truncs.values()), info
