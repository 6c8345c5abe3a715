"""Single-agent Gymnasium views of :class:`~satgym.leoedge.env.SatelliteEdgeEnv`.

* :class:`CentralisedEnv`: one controller decides for every satellite at once (observation: all
  satellites' observations flattened; action: all their decision slots).
* :class:`SingleSatelliteEnv`: the agent controls one satellite; the others follow a given policy
  (a name from the policy registry, :func:`satgym.policies.make_policy`, or a
  :class:`~satgym.policies.Policy` object: any scheduler, LEOEdge's included).

Both share the multi-agent env's dynamics and truncation. The centralised view gets the shared
reward; the one-satellite view gets its satellite's reward (the same, unless ``reward.local_ratio > 0``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from satgym.config.builder import with_load
from satgym.family_env import FamilyView
from satgym.leoedge.config import ScenarioConfig
from satgym.leoedge.env import SatelliteEdgeEnv
from satgym.policies import Policy, make_policy


class _View(FamilyView):
    metadata = {"render_modes": ["rgb_array", "ansi"]}

    def __init__(self, scenario: str | ScenarioConfig, config, render_mode, load: str | None) -> None:
        self._init_view(SatelliteEdgeEnv(scenario, with_load(config, load), render_mode=render_mode), render_mode)
        self.n_sats, self.K = self.par.sim.n_sats, self.par.sim.K

    def _reset_par(self, seed, options):
        super()._reset_par(seed, options)
        self._par_obs, self._par_infos = self.par._obs_dict(), self.par._infos({}, {})

    def _step_matrix(self, matrix: np.ndarray, agent: int | None = None):
        """Step the parallel env. The reward: the given agent's (its own mix when
        ``reward.local_ratio > 0``), or the shared reward for ``agent=None``."""
        actions = dict(zip(self.par.possible_agents, matrix))
        obs, rew, term, trunc, infos = self.par.step(actions)
        self._par_obs, self._par_infos = obs, infos
        if agent is None:
            components = self.par.shared_reward_components
        else:
            components = infos[self.par.possible_agents[agent]]["rewards"]
        first = infos[self.par.possible_agents[0]]
        info = {"rewards": components, "metrics": first["metrics"]}
        return float(sum(components.values())), any(trunc.values()), info


class CentralisedEnv(_View):
    """Centralised controller: observation ``n_sats * obs_dim``, action ``MultiDiscrete([3] * n_sats * K)``."""

    def __init__(self, scenario: str | ScenarioConfig = "leoedge", config: dict[str, Any] | str | None = None,
                 render_mode: str | None = None, load: str | None = None) -> None:
        super().__init__(scenario, config, render_mode, load)
        self.observation_space = self.tiled_box(self.par._obs_space, self.n_sats)
        self.action_space = spaces.MultiDiscrete(np.full(self.n_sats * self.K, 3, dtype=np.int64))

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        self._reset_par(seed, options)
        return self.par._obs.ravel().copy(), {}

    def step(self, action):
        a = np.asarray(action)
        if a.shape != (self.n_sats * self.K,) or not self.action_space.contains(a.astype(np.int64)):
            raise ValueError(
                f"action: expected {self.n_sats * self.K} entries in {{0 local, 1 offload, 2 hold}}, got {action!r}"
            )
        r, trunc, info = self._step_matrix(a.reshape(self.n_sats, self.K))
        return self.par._obs.ravel().copy(), r, False, trunc, info


class SingleSatelliteEnv(_View):
    """One satellite (``agent``) learns; the others follow ``others_policy``."""

    def __init__(self, scenario: str | ScenarioConfig = "leoedge", config: dict[str, Any] | str | None = None,
                 render_mode: str | None = None, load: str | None = None, agent: int = 0,
                 others_policy: str | Policy = "local") -> None:
        super().__init__(scenario, config, render_mode, load)
        if not 0 <= agent < self.n_sats:
            raise ValueError(f"agent: must be in [0, {self.n_sats}), got {agent}")
        self.agent = agent
        if isinstance(others_policy, str):
            try:
                others_policy = make_policy(others_policy)
            except ValueError as exc:
                raise ValueError(f"others_policy: {exc}") from None
        elif not isinstance(others_policy, Policy):
            raise ValueError(f"others_policy: expected a policy name or a satgym.policies.Policy, got {others_policy!r}")
        self.others = others_policy
        self.observation_space = self.par._obs_space
        self.action_space = self.par._act_space

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        self._reset_par(seed, options)
        self.others.reset(self.par, seed=int(self.np_random.integers(2**31)))
        return self.par._obs[self.agent].copy(), {}

    def step(self, action):
        a = np.asarray(action)
        if a.shape != (self.K,) or not self.action_space.contains(a.astype(np.int64)):
            raise ValueError(f"action: expected {self.K} entries in {{0 local, 1 offload, 2 hold}}, got {action!r}")
        acts = self.others.act(self.par, self._par_obs, self._par_infos)
        matrix = np.stack([np.asarray(acts[a_], dtype=np.int64) for a_ in self.par.possible_agents])
        matrix[self.agent] = a
        r, trunc, info = self._step_matrix(matrix, self.agent)
        return self.par._obs[self.agent].copy(), r, False, trunc, info
