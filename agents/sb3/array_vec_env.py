"""An SB3 ``VecEnv`` over the array API in which every satellite of every env is one sub-env
(parameter sharing, as SuperSuit's Markov vector env, without its per-agent Python work): sub-env
``b * n_agents + i`` is satellite ``i`` of env ``b``. Observations are squashed
(:func:`agents.sb3.envs.squash_obs`); an env's episode end is every one of its satellites' done,
with ``terminal_observation`` and (for satellite 0) ``episode_metrics`` in ``infos``.

>>> venv = make_array_vec_env("leoedge", n_envs=2, config={"episode": {"steps": 5}})
>>> venv.num_envs, venv.observation_space.shape
(20, (42,))
"""

from __future__ import annotations

from typing import Any

import numpy as np
from stable_baselines3.common.vec_env.base_vec_env import VecEnv

from agents.sb3.envs import METRIC_FIELDS, _squashed_box, squash_obs

__all__ = ["ArrayVecEnv", "make_array_vec_env"]


class ArrayVecEnv(VecEnv):
    def __init__(self, array) -> None:
        self.array = array
        self.B, self.n = array.n_envs, array.n_agents
        super().__init__(self.B * self.n, _squashed_box(array.single_observation_space), array.single_action_space)
        self._actions: np.ndarray | None = None
        self._seed: int | None = None
        self._empty = [{} for _ in range(self.B * self.n)]

    def reset(self):
        obs, _ = self.array.reset(seed=self._seed)
        self._seed = None
        return squash_obs(obs.reshape(self.num_envs, -1))

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = np.asarray(actions).reshape(self.B, self.n, *self.array.action_shape)

    def step_wait(self):
        obs, rewards, terms, truncs, info = self.array.step(self._actions)
        dones = (terms | truncs).reshape(-1)
        infos: list[dict[str, Any]] = self._empty
        if info["_final"].any():
            infos = [{} for _ in range(self.num_envs)]
            final = squash_obs(info["final_obs"].reshape(self.num_envs, -1))
            for b in np.flatnonzero(info["_final"]):
                em = info["episode_metrics"][b]
                for i in range(self.n):
                    k = b * self.n + i
                    infos[k] = {"terminal_observation": final[k], "TimeLimit.truncated": bool(truncs[b, i])}
                infos[b * self.n]["episode_metrics"] = {f: float(em[f]) for f in METRIC_FIELDS if f in em}
        return squash_obs(obs.reshape(self.num_envs, -1)), rewards.reshape(-1).astype(np.float32), dones, infos

    def seed(self, seed: int | None = None):
        self._seed = seed
        return [None if seed is None else seed + b for b in range(self.B)]

    def close(self) -> None:
        self.array.close()

    def get_attr(self, attr_name, indices=None):
        return [getattr(self.array, attr_name, None) for _ in self._indices(indices)]

    def set_attr(self, attr_name, value, indices=None) -> None:
        raise NotImplementedError("the array-backed VecEnv has no per-sub-env attributes")

    def env_method(self, method_name, *args, indices=None, **kwargs):
        raise NotImplementedError("the array-backed VecEnv has no per-sub-env methods")

    def env_is_wrapped(self, wrapper_class, indices=None):
        return [False for _ in self._indices(indices)]

    def _indices(self, indices):
        if indices is None:
            return range(self.num_envs)
        return [indices] if isinstance(indices, int) else indices


def make_array_vec_env(scenario: str = "leoedge", n_envs: int = 1, config: dict | None = None,
                       load: str | None = None, threads: int = 1):
    """:class:`ArrayVecEnv` over ``satgym.array_env(scenario, n_envs, config, load, threads)``, in
    ``VecMonitor``."""
    import satgym
    from stable_baselines3.common.vec_env import VecMonitor

    return VecMonitor(ArrayVecEnv(satgym.array_env(scenario, n_envs, config, load, threads=threads)))
