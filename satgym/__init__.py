"""satgym: multi-agent RL environments for satellite-ground cooperative AI inference.

>>> import satgym
>>> env = satgym.parallel_env("leoedge", load="heavy")
>>> obs, infos = env.reset(seed=0)

``gymnasium.make("satgym/LEOEdge-Central-v1")`` works after ``import satgym``.
"""

from __future__ import annotations

from typing import Any

from satgym.config import PRESETS, ScenarioConfig, make_config
from satgym.registration import ENV_IDS, register_envs

__version__ = "0.1.0"
__all__ = ["ENV_IDS", "PRESETS", "ScenarioConfig", "env", "make_config", "parallel_env", "register_envs"]


def parallel_env(
    scenario: str | ScenarioConfig = "leoedge",
    config: dict[str, Any] | str | None = None,
    render_mode: str | None = None,
    load: str | None = None,
):
    """The PettingZoo ``ParallelEnv`` (every satellite an agent)."""
    from satgym.envs.gym_views import _with_load
    from satgym.envs.parallel_env import SatelliteEdgeEnv

    return SatelliteEdgeEnv(scenario, _with_load(config, load), render_mode=render_mode)


def env(scenario: str | ScenarioConfig = "leoedge", config: dict[str, Any] | str | None = None,
        render_mode: str | None = None, load: str | None = None):
    """The AEC view (PettingZoo's ``parallel_to_aec`` over :func:`parallel_env`)."""
    from pettingzoo.utils.conversions import parallel_to_aec

    return parallel_to_aec(parallel_env(scenario, config, render_mode, load))


register_envs()
