"""RLlib view of the satgym PettingZoo env (new API stack ``MultiAgentEnv``).

The env is RLlib's own :class:`ParallelPettingZooEnv` (``__all__`` set separately
for terminations and truncations, spaces built from ``agents`` after reset) with one optional
addition for the centralised critic (``--algo mappo``): ``critic_state=True`` builds
:class:`SatgymCriticStateEnv`, which appends the global
state ``env.state()`` to every agent's observation. The actor of :class:`~agents.rllib.module.
SatPPOModule` reads only the first ``local_obs_dim`` entries (the agent's own observation); the
value head reads all of them. So the policy stays decentralised at execution time and only the
critic sees the whole constellation and ground cluster (MAPPO, Yu et al. 2022).

Example::

    >>> env = env_creator({"scenario": "leoedge", "load": "light", "episode_steps": 3})
    >>> obs, _ = env.reset(seed=0)
    >>> sorted(env.observation_space.spaces) == sorted(env.possible_agents)
    True
    >>> env_creator({"episode_steps": 3, "critic_state": True}).observation_space["sat_0"].shape
    (487,)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces
from ray.rllib.env.wrappers.pettingzoo_env import ParallelPettingZooEnv

ENV_NAME = "satgym_rllib"
ENV_KEYS = ("scenario", "load", "episode_steps", "overrides", "critic_state", "reward_scale")


def make_parallel_env(cfg: dict[str, Any]):
    """The satgym ParallelEnv described by an env_config dict (keys: :data:`ENV_KEYS`)."""
    import satgym
    from satgym.config.builder import with_episode_steps

    unknown = set(cfg) - set(ENV_KEYS) - {"worker_index", "vector_index", "num_workers", "remote"}
    if unknown:
        raise ValueError(f"env_config: unknown key(s) {sorted(unknown)}; valid keys are {', '.join(ENV_KEYS)}")
    overrides = with_episode_steps(cfg.get("overrides"), cfg.get("episode_steps"))
    return satgym.parallel_env(cfg.get("scenario", "leoedge"), overrides, load=cfg.get("load", "normal"))


class SatgymEnv(ParallelPettingZooEnv):
    """``ParallelPettingZooEnv`` with rewards multiplied by ``reward_scale``."""

    def __init__(self, env, reward_scale: float = 1.0) -> None:
        super().__init__(env)
        if not reward_scale > 0:
            raise ValueError(f"env_config.reward_scale: must be > 0, got {reward_scale}")
        self.reward_scale = float(reward_scale)

    def step(self, action_dict):
        obs, rew, term, trunc, info = super().step(action_dict)
        if self.reward_scale != 1.0:
            rew = {a: r * self.reward_scale for a, r in rew.items()}
        return obs, rew, term, trunc, info


class SatgymCriticStateEnv(SatgymEnv):
    """:class:`SatgymEnv` whose observations end with the global state ``env.state()``."""

    def __init__(self, env, reward_scale: float = 1.0) -> None:
        super().__init__(env, reward_scale)
        self.local_obs_dim = int(env.observation_space(self.possible_agents[0]).shape[0])
        st = env.state_space
        self.observation_space = spaces.Dict({
            aid: spaces.Box(np.concatenate([env.observation_space(aid).low, st.low]),
                            np.concatenate([env.observation_space(aid).high, st.high]), dtype=np.float32)
            for aid in self._agent_ids
        })

    def _augment(self, obs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        state = self.par_env.state()
        return {a: np.concatenate([o, state]).astype(np.float32) for a, o in obs.items()}

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        obs, info = super().reset(seed=seed, options=options)
        return self._augment(obs), info

    def step(self, action_dict):
        obs, rew, term, trunc, info = super().step(action_dict)
        return self._augment(obs), rew, term, trunc, info


def env_creator(cfg: dict[str, Any] | None = None) -> SatgymEnv:
    """RLlib env creator (``register_env(ENV_NAME, env_creator)``)."""
    cfg = dict(cfg or {})
    par_env = make_parallel_env(cfg)
    scale = float(cfg.get("reward_scale", 1.0))
    if cfg.get("critic_state"):
        return SatgymCriticStateEnv(par_env, scale)
    return SatgymEnv(par_env, scale)


def register(name: str = ENV_NAME) -> str:
    """Register the creator with Ray Tune's registry (call again in every fresh process)."""
    from ray.tune.registry import register_env

    register_env(name, env_creator)
    return name
