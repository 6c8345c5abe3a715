"""The batched array API: B independent envs of one scenario stepped at once, with arrays.

:class:`ArrayEnv` is family-agnostic. It holds a family's :class:`ArrayCore` (the family's own
simulator step for B envs, :data:`satgym.scenarios.Family.array_core`) and adds what every family
shares: per-env seeding, validation of the action array (a clear ``ValueError`` naming the entry
and the valid values, before anything changes), and auto-reset of the envs whose episode ended.

>>> import numpy as np, satgym
>>> venv = satgym.array_env("leoedge", n_envs=4, config={"episode": {"steps": 3}})
>>> obs, info = venv.reset(seed=0)                      # env b is seeded with 0 + b
>>> obs.shape, venv.action_shape                          # (B, n_agents, obs_dim), per-agent action
((4, 10, 42), (4,))
>>> actions = np.zeros((4, 10, 4), dtype=np.int64)         # every task of every satellite runs locally
>>> obs, rewards, terminations, truncations, info = venv.step(actions)
>>> rewards.shape, truncations.shape
((4, 10), (4, 10))

The PettingZoo env of the same preset, reset with the same seed and given the same actions,
produces bit-identical observations and rewards (``tests/vector/test_array_env.py``): both run the
family's core, the array API only without per-agent dicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from gymnasium import spaces
from numba import njit

__all__ = ["ArrayCore", "ArrayEnv"]


class ArrayCore(Protocol):
    """What a family implements to be stepped in batches (one object for B envs).

    Buffers (written in place by :meth:`reset_env` and :meth:`step`): ``obs`` ``(B, n, D)``
    float32, ``rewards`` ``(B, n)`` float64, ``components`` ``(B, C)`` float64 (the shared reward
    components named ``reward_names``), ``truncated`` ``(B,)`` bool. ``metrics`` ``(B, M)``: the
    step metrics named ``metric_names``.
    """

    n_envs: int
    n_agents: int
    observation_space: spaces.Box        # one agent's
    action_space: spaces.Space           # one agent's: MultiDiscrete or Discrete
    reward_names: tuple[str, ...]
    metric_names: tuple[str, ...]
    obs: np.ndarray
    rewards: np.ndarray
    components: np.ndarray
    truncated: np.ndarray
    metrics: np.ndarray

    def reset_env(self, b: int, seed: int | None) -> None:
        """Reset env ``b`` (``seed=None``: continue its generator, as the PettingZoo env's reset)."""

    def step(self, actions: np.ndarray) -> None:
        """Step every env with validated ``(B, n, *action_shape)`` int64 actions."""

    def episode_metrics(self, b: int) -> dict:
        """Env ``b``'s episode metrics (as the PettingZoo env's ``episode_metrics()``)."""


class ArrayEnv:
    """B envs of one scenario with array observations, actions and rewards, and auto-reset.

    ``reset(seed)``: ``seed`` an int (env b gets ``seed + b``), a sequence of B ints, or None.
    ``step(actions)``: ``actions`` ``(B, n_agents, *action_shape)`` integers in the action space.
    Returns ``obs`` ``(B, n, D)``, ``rewards`` ``(B, n)``, ``terminations`` and ``truncations``
    ``(B, n)`` bool and ``info``: ``rewards`` (component name -> ``(B,)``), ``metrics`` (name ->
    ``(B,)``), and for envs whose episode ended in this step (``info["_final"]`` ``(B,)`` bool)
    ``final_obs`` (their last observation, the returned ``obs`` being the first of the next
    episode: same-step auto-reset) and ``episode_metrics`` (a dict per env, None for the others).

    The arrays returned are the env's buffers, overwritten by the next call: copy what you keep.
    """

    def __init__(self, core: ArrayCore) -> None:
        self.core = core
        self.n_envs, self.n_agents = core.n_envs, core.n_agents
        self.single_observation_space = core.observation_space
        self.single_action_space = core.action_space
        space = core.action_space
        if isinstance(space, spaces.MultiDiscrete):
            self.action_shape, self._nvec = tuple(space.shape), np.asarray(space.nvec, dtype=np.int64)
        elif isinstance(space, spaces.Discrete):
            self.action_shape, self._nvec = (), np.asarray(int(space.n), dtype=np.int64)
        else:
            raise TypeError(f"action_space: {space} is not Discrete or MultiDiscrete")
        self._full_shape = (self.n_envs, self.n_agents, *self.action_shape)
        self._nvec_flat = np.broadcast_to(self._nvec, self.action_shape).reshape(-1).copy()  # one agent's
        self._terminations = np.zeros((self.n_envs, self.n_agents), dtype=bool)
        self._truncations = np.zeros((self.n_envs, self.n_agents), dtype=bool)
        self._started = False

    # ------------------------------------------------------------------ API
    def reset(self, seed: int | Sequence[int] | None = None, options: dict | None = None):
        seeds = self._seeds(seed)
        for b in range(self.n_envs):
            self.core.reset_env(b, seeds[b])
        self._started = True
        return self.core.obs, {"metrics": self._metrics()}

    def step(self, actions: Any):
        if not self._started:
            raise RuntimeError("step() called before reset()")
        acts = self.validate(actions)
        core = self.core
        core.step(acts)
        done = core.truncated.copy()
        self._truncations[:] = done[:, None]
        info: dict[str, Any] = {"rewards": dict(zip(core.reward_names, core.components.T)),
                                "metrics": self._metrics(), "_final": done}
        if done.any():
            final = np.zeros_like(core.obs)
            final[done] = core.obs[done]
            info["final_obs"] = final
            info["episode_metrics"] = [core.episode_metrics(b) if done[b] else None for b in range(self.n_envs)]
            for b in np.flatnonzero(done):
                core.reset_env(int(b), None)
        return core.obs, core.rewards, self._terminations, self._truncations, info

    def episode_metrics(self, b: int) -> dict:
        return self.core.episode_metrics(b)

    def close(self) -> None:
        """Release the core's resources (its worker threads, if any)."""
        close = getattr(self.core, "close", None)
        if close is not None:
            close()

    # ------------------------------------------------------------------ checks
    def validate(self, actions: Any) -> np.ndarray:
        """The actions as a contiguous int64 array, or ``ValueError`` naming the first bad entry."""
        a = np.asarray(actions)
        if a.shape != self._full_shape:
            raise ValueError(f"actions: expected shape {self._full_shape} (n_envs, n_agents"
                             f"{', ' + str(self.action_shape[0]) if self.action_shape else ''}), got {a.shape}")
        if a.dtype.kind not in "iub":
            if a.dtype.kind != "f" or not np.array_equal(a, np.round(a)):
                raise ValueError(f"actions: expected integers, got dtype {a.dtype}")
        a = np.ascontiguousarray(a, dtype=np.int64)
        first = _first_out_of_range(a.reshape(-1, self._nvec_flat.size), self._nvec_flat)
        if first >= 0:
            idx = tuple(int(i) for i in np.unravel_index(first, a.shape))
            hi = self._nvec if self._nvec.ndim == 0 else self._nvec[idx[2:]]
            raise ValueError(f"actions[{', '.join(map(str, idx))}] (env {idx[0]}, agent {idx[1]}): {int(a[idx])} "
                             f"is not in the action space {self.single_action_space}; valid values 0..{int(hi) - 1}")
        return a

    def _seeds(self, seed: int | Sequence[int] | None) -> list[int | None]:
        B = self.n_envs
        if seed is None:
            return [None] * B
        if isinstance(seed, (int, np.integer)):
            return [int(seed) + b for b in range(B)]
        seeds = list(seed)
        if len(seeds) != B or not all(isinstance(s, (int, np.integer)) or s is None for s in seeds):
            raise ValueError(f"seed: expected an int, None or {B} ints (one per env), got {seed!r}")
        return [None if s is None else int(s) for s in seeds]

    def _metrics(self) -> dict[str, np.ndarray]:
        return dict(zip(self.core.metric_names, self.core.metrics.T))


@njit(cache=True)
def _first_out_of_range(a, nvec):
    """The flat index of the first entry of the ``(agents, len(nvec))`` array ``a`` outside
    ``0 .. nvec - 1``, or -1 (one pass, no temporaries)."""
    n, k = a.shape
    for i in range(n):
        for j in range(k):
            if a[i, j] < 0 or a[i, j] >= nvec[j]:
                return i * k + j
    return -1
