"""satgym: multi-agent RL environments for satellite-ground cooperative AI inference.

>>> import satgym
>>> env = satgym.parallel_env("leoedge", load="heavy")
>>> obs, infos = env.reset(seed=0)
>>> satgym.parallel_env("aamec", load="heavy").config.tasks.rate_per_s   # the AA-MEC family
100.0

``gymnasium.make("satgym/LEOEdge-Central-v2")`` works after ``import satgym``.
"""

from __future__ import annotations

from typing import Any

from satgym.config.builder import with_load
from satgym.registration import ENV_IDS, register_envs
from satgym.scenarios import FAMILIES, PRESETS, family_of, make_config, make_parallel_env

__version__ = "0.1.0"
__all__ = ["ENV_IDS", "FAMILIES", "PRESETS", "array_env", "env", "family_of", "make_config", "parallel_env", "register_envs"]


def parallel_env(scenario: str | Any = "leoedge", config: dict[str, Any] | str | None = None,
                 render_mode: str | None = None, load: str | None = None):
    """The scenario family's native PettingZoo ``ParallelEnv`` for a preset name or a config.
    ``load`` sets the config's ``tasks.load`` (e.g. light / normal / heavy)."""
    return make_parallel_env(scenario, with_load(config, load), render_mode=render_mode)


def env(scenario: str | Any = "leoedge", config: dict[str, Any] | str | None = None,
        render_mode: str | None = None, load: str | None = None):
    """The AEC view (PettingZoo's ``parallel_to_aec`` over :func:`parallel_env`)."""
    from pettingzoo.utils.conversions import parallel_to_aec

    return parallel_to_aec(parallel_env(scenario, config, render_mode, load))


def array_env(scenario: str | Any = "leoedge", n_envs: int = 1, config: dict[str, Any] | str | None = None,
              load: str | None = None, threads: int = 1):
    """The batched array API (:class:`satgym.vector.ArrayEnv`): ``n_envs`` envs of a preset with
    ``(n_envs, n_agents, ...)`` observations, actions and rewards, auto-reset and per-env seeds.
    ``threads`` > 1 steps the envs on that many cores (LEOEdge family; same results)."""
    from satgym.vector import array_env as _array_env

    return _array_env(scenario, n_envs, config, load, threads=threads)


register_envs()
