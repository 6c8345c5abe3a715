"""Environment plumbing for Stable-Baselines3: observation squashing, episode metrics in ``info``,
the Gymnasium views and the SuperSuit vector env of the PettingZoo env.

Observations have unbounded fields (seconds, Mbit, counts); :func:`squash_obs`
(``sign(x) * log1p(|x|)``) is stateless, so a saved model needs no normalisation statistics.

>>> env = make_view_env("central", config={"episode": {"steps": 5}})
>>> obs, _ = env.reset(seed=0)
>>> obs.shape, env.action_space.shape
((420,), (40,))
>>> venv = make_supersuit_vec_env(config={"episode": {"steps": 5}})
>>> venv.num_envs, venv.observation_space.shape
(10, (42,))
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from pettingzoo.utils import BaseParallelWrapper

#: ``env.episode_metrics()`` fields reported in ``info["episode_metrics"]`` at the end of an episode
METRIC_FIELDS = ("mean_execution_time_s", "mean_edge_load", "failed", "completed", "generated")
VIEWS = ("central", "single")


def squash_obs(x: np.ndarray) -> np.ndarray:
    """``sign(x) * log1p(|x|)`` as float32.

    >>> [round(v, 2) for v in squash_obs(np.array([0.0, 1.0, 86400.0])).tolist()]
    [0.0, 0.69, 11.37]
    """
    x = np.asarray(x, dtype=np.float32)
    return (np.sign(x) * np.log1p(np.abs(x))).astype(np.float32)


def _squashed_box(box: spaces.Box) -> spaces.Box:
    return spaces.Box(-np.inf, np.inf, shape=box.shape, dtype=np.float32)


def binary_space(space: spaces.MultiDiscrete) -> spaces.MultiDiscrete:
    """The paper's binary decision: every entry 0 (local) or 1 (offload), never 2 (hold); the
    values mean the same in the env, so actions pass through unchanged.

    >>> binary_space(spaces.MultiDiscrete([3, 3])).nvec.tolist()
    [2, 2]
    """
    return spaces.MultiDiscrete(np.minimum(space.nvec, 2))


def _episode_metrics(env: Any) -> dict[str, float]:
    """The :data:`METRIC_FIELDS` of ``env.episode_metrics()`` (NaN for those another family does not report)."""
    em = env.episode_metrics()
    return {k: float("nan") if em.get(k) is None else float(em[k]) for k in METRIC_FIELDS}


class SquashView(gym.Wrapper):
    """Squashed observations; ``info["episode_metrics"]`` at truncation; ``binary``: the action
    space without hold (:func:`binary_space`)."""

    def __init__(self, env: gym.Env, binary: bool = False) -> None:
        super().__init__(env)
        self.observation_space = _squashed_box(env.observation_space)
        if binary:
            self.action_space = binary_space(env.action_space)

    def reset(self, **kwargs):
        obs, info = self.env.reset(**kwargs)
        return squash_obs(obs), info

    def step(self, action):
        obs, r, term, trunc, info = self.env.step(action)
        if term or trunc:
            info = {**info, "episode_metrics": _episode_metrics(self.env.unwrapped)}
        return squash_obs(obs), r, term, trunc, info


class SquashParallel(BaseParallelWrapper):
    """PettingZoo wrapper: squashed observations; ``infos[agent]["episode_metrics"]`` at truncation.

    Built from ``(scenario, config, load)`` and pickled as those arguments: SuperSuit's
    ``concat_vec_envs_v1`` copies the env with cloudpickle, and the SGP4 ``Satrec`` objects inside
    the simulator do not pickle (each copy is rebuilt instead).
    """

    def __init__(self, scenario: str = "leoedge", config: dict | None = None, load: str | None = None,
                 binary: bool = False) -> None:
        import satgym

        self._args = (scenario, config, load, binary)
        env = satgym.parallel_env(scenario, config, load=load)
        super().__init__(env)
        self.metadata = env.metadata
        self._spaces = {a: _squashed_box(env.observation_space(a)) for a in env.possible_agents}
        self._actions = {a: binary_space(env.action_space(a)) if binary else env.action_space(a)
                         for a in env.possible_agents}

    @property
    def possible_agents(self):
        return self.env.possible_agents

    @property
    def agents(self):
        return self.env.agents

    def observation_space(self, agent):
        return self._spaces[agent]

    def action_space(self, agent):
        return self._actions[agent]

    def __reduce__(self):
        return (SquashParallel, self._args)

    def reset(self, seed=None, options=None):
        obs, infos = self.env.reset(seed=seed, options=options)
        return {a: squash_obs(o) for a, o in obs.items()}, infos

    def step(self, actions):
        obs, rew, term, trunc, infos = self.env.step(actions)
        if trunc and all(trunc.values()):
            em = _episode_metrics(self.env.unwrapped)
            infos = {a: {**i, "episode_metrics": em} for a, i in infos.items()}
        return {a: squash_obs(o) for a, o in obs.items()}, rew, term, trunc, infos


def view_id(scenario: str, view: str) -> str:
    """Gymnasium id of a view, e.g. ``satgym/LEOEdge-Central-v2``.

    >>> view_id("leoedge", "central")
    'satgym/LEOEdge-Central-v2'
    """
    from satgym.registration import ENV_IDS

    if view not in VIEWS:
        raise ValueError(f"view: {view!r} is not valid; choose one of {', '.join(VIEWS)}")
    ids = [i for i, (_, kwargs) in ENV_IDS.items() if kwargs.get("scenario") == scenario and f"-{view.capitalize()}-" in i]
    if not ids:
        have = sorted({kw["scenario"] for i, (_, kw) in ENV_IDS.items() if f"-{view.capitalize()}-" in i})
        raise ValueError(f"scenario: {scenario!r} has no {view} Gymnasium view; choose one of {', '.join(have)}")
    return ids[0]


def make_view_env(view: str = "central", scenario: str = "leoedge", load: str | None = None,
                  config: dict | None = None, binary: bool = False, **kwargs: Any) -> gym.Env:
    """``gymnasium.make`` of a view, wrapped in :class:`SquashView` (``kwargs``: e.g. ``agent=``)."""
    import satgym  # noqa: F401  (registers the ids)

    return SquashView(gym.make(view_id(scenario, view), load=load, config=config, **kwargs), binary)


def make_supersuit_vec_env(scenario: str = "leoedge", load: str | None = None, config: dict | None = None,
                           num_vec_envs: int = 1, binary: bool = False):
    """Parameter sharing: every satellite of ``num_vec_envs`` env copies is one SB3 sub-env.

    ``supersuit.pettingzoo_env_to_vec_env_v1`` + ``concat_vec_envs_v1(num_cpus=0,
    base_class="stable_baselines3")`` (SuperSuit 3.11), then ``VecMonitor``. SuperSuit's SB3
    wrapper predates SB3 2's ``VecEnv.seed`` (it calls a missing ``ConcatVecEnv.seed``), so the
    wrapper gets the seeding of :class:`_SeedOnReset`: ``seed(s)`` is applied at the next reset,
    copy ``i`` of the env getting ``s + i``.
    """
    import supersuit as ss
    from stable_baselines3.common.vec_env import VecMonitor

    par = SquashParallel(scenario, config, load, binary)
    venv = ss.pettingzoo_env_to_vec_env_v1(par)
    venv = ss.concat_vec_envs_v1(venv, num_vec_envs, num_cpus=0, base_class="stable_baselines3")
    venv.__class__ = _seed_on_reset_class(type(venv))
    return VecMonitor(venv)


def _seed_on_reset_class(base: type) -> type:
    class _SeedOnReset(base):
        _next_seed: int | None = None

        def seed(self, seed: int | None = None):
            self._next_seed = seed
            return [None if seed is None else seed + i for i in range(self.num_envs)]

        def reset(self, seed: int | None = None, options: dict | None = None):
            seed = self._next_seed if seed is None else seed
            self._next_seed = None
            observations, self.reset_infos = self.venv.reset(seed=seed, options=options)
            return observations

    return _SeedOnReset
