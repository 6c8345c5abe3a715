"""Single-agent Gymnasium views of :class:`~satgym.aamec.env.AAMECEnv`.

* :class:`CentralisedEnv` (``satgym/AAMEC-Central-v0``): one controller picks every satellite's
  destination (observation: all satellites' observations flattened; action
  ``MultiDiscrete([K + 1] * 66)``), reward: the shared reward.
* :class:`SingleSatelliteEnv` (``satgym/AAMEC-Single-v0``): the agent is one satellite; the others
  follow ``others_policy`` (``"cheapest"``: their cheapest destination, ``"none"``: no offload,
  or a callable ``(obs_matrix, K, rng) -> actions``).

>>> import gymnasium, satgym
>>> env = gymnasium.make("satgym/AAMEC-Central-v0", config={"episode": {"steps": 2}})
>>> obs, info = env.reset(seed=0)
>>> obs.shape, env.action_space.shape
((4686,), (66,))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from gymnasium import spaces

from satgym.aamec import observation as obs_spec
from satgym.aamec.config import AAMECConfig
from satgym.aamec.env import AAMECEnv
from satgym.config.builder import with_load
from satgym.family_env import FamilyView

__all__ = ["OTHERS_RULES", "CentralisedEnv", "SingleSatelliteEnv"]

Rule = Callable[[np.ndarray, int, np.random.Generator], np.ndarray]


def _cheapest(m: np.ndarray, K: int, rng: np.random.Generator) -> np.ndarray:
    present = m[:, len(obs_spec.SAT_FIELDS)] > 0  # slot 0 "present"
    return np.where(present, 1, 0)


OTHERS_RULES: dict[str, Rule] = {"cheapest": _cheapest, "none": lambda m, K, rng: np.zeros(m.shape[0], np.int64)}


class _View(FamilyView):
    metadata = {"render_modes": ["ansi"]}

    def __init__(self, scenario, config, render_mode, load) -> None:
        self._init_view(AAMECEnv(scenario, with_load(config, load), render_mode=render_mode), render_mode)
        self.n_sats, self.K = self.par.sim.n_sats, self.par.sim.K

    def _reset_par(self, seed, options):
        super()._reset_par(seed, options)
        if seed is not None or not hasattr(self, "_rule_rng"):
            self._rule_rng = np.random.default_rng(self.np_random.integers(2**63))

    def _step_vector(self, vec: np.ndarray):
        obs, rew, term, trunc, infos = self.par.step(dict(zip(self.par.possible_agents, vec)))
        components = self.par.shared_reward_components
        info = {"rewards": components, "metrics": next(iter(infos.values()))["metrics"]}
        return float(sum(components.values())), any(trunc.values()), info


class CentralisedEnv(_View):
    """One controller for all satellites: observation ``66 * obs_dim``, action ``MultiDiscrete([K + 1] * 66)``."""

    def __init__(self, scenario: str | AAMECConfig = "aamec", config: dict[str, Any] | str | None = None,
                 render_mode: str | None = None, load: str | None = None) -> None:
        super().__init__(scenario, config, render_mode, load)
        self.observation_space = self.tiled_box(self.par._obs_space, self.n_sats)
        self.action_space = spaces.MultiDiscrete(np.full(self.n_sats, self.K + 1, dtype=np.int64))

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        self._reset_par(seed, options)
        return self.par._obs.ravel().copy(), {}

    def step(self, action):
        a = np.asarray(action)
        if a.shape != (self.n_sats,) or not self.action_space.contains(a.astype(np.int64)):
            raise ValueError(f"action: expected {self.n_sats} entries in 0..{self.K} (0 = no offload), got {action!r}")
        r, trunc, info = self._step_vector(a.astype(np.int64))
        return self.par._obs.ravel().copy(), r, False, trunc, info


class SingleSatelliteEnv(_View):
    """One satellite (``agent``) learns; the others follow ``others_policy``."""

    def __init__(self, scenario: str | AAMECConfig = "aamec", config: dict[str, Any] | str | None = None,
                 render_mode: str | None = None, load: str | None = None, agent: int = 0,
                 others_policy: str | Rule = "cheapest") -> None:
        super().__init__(scenario, config, render_mode, load)
        if not 0 <= agent < self.n_sats:
            raise ValueError(f"agent: must be in [0, {self.n_sats}), got {agent}")
        if isinstance(others_policy, str):
            if others_policy not in OTHERS_RULES:
                raise ValueError(f"others_policy: {others_policy!r} is not valid; choose one of "
                                 f"{', '.join(map(repr, OTHERS_RULES))} or pass a callable")
            others_policy = OTHERS_RULES[others_policy]
        self.agent = agent
        self.others = others_policy
        self.observation_space = self.par._obs_space
        self.action_space = self.par._act_space

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        self._reset_par(seed, options)
        return self.par._obs[self.agent].copy(), {}

    def step(self, action):
        a = np.asarray(action)
        if a.shape not in ((), (1,)) or not self.action_space.contains(int(a.reshape(-1)[0])):
            raise ValueError(f"action: expected one integer in 0..{self.K} (0 = no offload), got {action!r}")
        vec = np.asarray(self.others(self.par._obs, self.K, self._rule_rng), dtype=np.int64).copy()
        vec[self.agent] = int(a.reshape(-1)[0])
        r, trunc, info = self._step_vector(vec)
        return self.par._obs[self.agent].copy(), r, False, trunc, info
