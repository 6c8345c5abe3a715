"""Scenario configuration: typed presets with nested overrides.

>>> cfg = make_config("leoedge", {"tasks": {"load": "heavy"}})
>>> cfg.tasks.mean_interarrival_s
1.0
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from satgym.config.builder import load_yaml, override, to_dict, with_episode_steps
from satgym.config.presets import PRESETS
from satgym.config.schema import (
    LOAD_PROFILES,
    ComputeConfig,
    ConstellationConfig,
    EpisodeConfig,
    GroundConfig,
    LinkConfig,
    RelayConfig,
    RelaySpec,
    RewardConfig,
    ScenarioConfig,
    StationSpec,
    StationsConfig,
    TaskConfig,
    TransmissionConfig,
)
from satgym.config.validation import check_choice

__all__ = [
    "LOAD_PROFILES",
    "PRESETS",
    "ComputeConfig",
    "ConstellationConfig",
    "EpisodeConfig",
    "GroundConfig",
    "LinkConfig",
    "RelayConfig",
    "RelaySpec",
    "RewardConfig",
    "ScenarioConfig",
    "StationSpec",
    "StationsConfig",
    "TaskConfig",
    "TransmissionConfig",
    "make_config",
    "to_dict",
    "with_episode_steps",
]


def make_config(
    scenario: str | ScenarioConfig = "leoedge",
    overrides: Mapping[str, Any] | str | os.PathLike[str] | None = None,
) -> ScenarioConfig:
    """A preset (by name) or a given config, with nested overrides (a dict or a YAML path)."""
    if isinstance(scenario, ScenarioConfig):
        base = scenario
    else:
        check_choice("scenario", scenario, tuple(PRESETS))
        base = PRESETS[scenario]()
    if overrides is None:
        return base
    if isinstance(overrides, (str, os.PathLike)):
        overrides = load_yaml(overrides)
    return override(base, overrides)
