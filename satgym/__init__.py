"""satgym: multi-agent RL environments for satellite-ground cooperative AI inference.

>>> import satgym
>>> env = satgym.parallel_env("leoedge", load="heavy")
>>> obs, infos = env.reset(seed=0)
>>> satgym.parallel_env("aamec", load="heavy").config.tasks.rate_per_s   # AA-MEC family
100.0

``gymnasium.make("satgym/LEOEdge-Central-v1")`` works after ``import satgym``.
"""

from __future__ import annotations

from typing import Any

from satgym.config import PRESETS, ScenarioConfig, make_config
from satgym.registration import ENV_IDS, register_envs

__version__ = "0.1.0"
__all__ = ["ENV_IDS", "PRESETS", "ScenarioConfig", "env", "make_config", "make_scenario_config", "parallel_env",
           "register_envs"]


def _is_aamec(scenario: object) -> bool:
    """Whether ``scenario`` is an AA-MEC preset or config (issue 13; the lead unifies the lookup)."""
    from satgym.aamec.config import PRESETS as AAMEC_PRESETS, AAMECConfig

    return isinstance(scenario, AAMECConfig) or (isinstance(scenario, str) and scenario in AAMEC_PRESETS)


def make_scenario_config(scenario: str | Any, overrides: dict[str, Any] | str | None = None):
    """The config of a preset (or config) of any family with nested overrides; ``ValueError``
    naming the field on bad input."""
    if _is_aamec(scenario):
        from satgym.aamec.config import make_config as make_aamec_config

        return make_aamec_config(scenario, overrides)
    return make_config(scenario, overrides)


def parallel_env(
    scenario: str | ScenarioConfig = "leoedge",
    config: dict[str, Any] | str | None = None,
    render_mode: str | None = None,
    load: str | None = None,
):
    """The PettingZoo ``ParallelEnv`` (every satellite an agent) of a preset of any family:
    ``leoedge``/``starlink`` (LEOEdge) or ``aamec``/``aamec-walker`` (AA-MEC)."""
    if _is_aamec(scenario):
        from satgym.aamec.config import with_load
        from satgym.aamec.env import AAMECEnv

        return AAMECEnv(scenario, with_load(config, load), render_mode=render_mode)
    from satgym.envs.gym_views import _with_load
    from satgym.envs.parallel_env import SatelliteEdgeEnv

    return SatelliteEdgeEnv(scenario, _with_load(config, load), render_mode=render_mode)


def env(scenario: str | ScenarioConfig = "leoedge", config: dict[str, Any] | str | None = None,
        render_mode: str | None = None, load: str | None = None):
    """The AEC view (PettingZoo's ``parallel_to_aec`` over :func:`parallel_env`)."""
    from pettingzoo.utils.conversions import parallel_to_aec

    return parallel_to_aec(parallel_env(scenario, config, render_mode, load))


register_envs()
