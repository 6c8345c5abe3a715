"""Gymnasium ``VectorEnv`` of the centralised view over the array API: env b's observation is all
its satellites' observations flattened, its action all their decisions (as the ``*-Central-v*``
ids), B envs per call with same-step auto-reset (``info["final_obs"]``, ``info["_final_obs"]``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from satgym.vector.array_env import ArrayEnv

__all__ = ["CentralVectorEnv"]


class CentralVectorEnv(VectorEnv):
    """``B`` centralised envs: observation ``(B, n * D)``, action ``(B, n * K)`` (LEOEdge) or
    ``(B, n)`` (one Discrete per agent), reward the shared reward ``(B,)``."""

    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP}

    def __init__(self, array: ArrayEnv) -> None:
        self.array = array
        self.num_envs, n = array.n_envs, array.n_agents
        box = array.single_observation_space
        self.single_observation_space = spaces.Box(np.tile(box.low, n), np.tile(box.high, n), dtype=np.float32)
        nvec = np.broadcast_to(array._nvec, array.action_shape) if array.action_shape else array._nvec.reshape(1)
        self.single_action_space = spaces.MultiDiscrete(np.tile(nvec, n).astype(np.int64))
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self._shape = (self.num_envs, n, *array.action_shape)

    def reset(self, *, seed: int | list[int] | None = None, options: dict | None = None):
        obs, info = self.array.reset(seed=seed)
        return obs.reshape(self.num_envs, -1).copy(), {}

    def step(self, actions: Any):
        a = np.asarray(actions)
        if a.shape != self.action_space.shape:
            raise ValueError(f"actions: expected shape {self.action_space.shape}, got {a.shape}")
        obs, rewards, terms, truncs, info = self.array.step(a.reshape(self._shape))
        out: dict[str, Any] = {"rewards": info["rewards"]}
        if info["_final"].any():
            out["final_obs"] = np.array([o.ravel().copy() if d else None
                                         for o, d in zip(info["final_obs"], info["_final"])], dtype=object)
            out["_final_obs"] = info["_final"].copy()
            out["final_info"] = {"episode_metrics": np.array(info["episode_metrics"], dtype=object),
                                 "_episode_metrics": info["_final"].copy()}
            out["_final_info"] = info["_final"].copy()
        return (obs.reshape(self.num_envs, -1).copy(), rewards[:, 0].copy(), terms.any(axis=1),
                truncs.any(axis=1), out)

    def close_extras(self, **kwargs: Any) -> None:
        self.array.close()
