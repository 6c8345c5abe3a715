"""Scenario families and their presets: the one place where a preset name leads to its family.

A family is a subpackage with a typed config and presets as data (``<family>.config``,
``<family>.presets``) and a native PettingZoo env (``<family>.env``). Adding a family adds a line
here and files in its own package; it edits no other family.

>>> sorted(PRESETS)
['aamec', 'aamec-walker', 'arctic', 'arctic-leo', 'arctic-meo', 'leoedge', 'leoedge-miyun', 'starlink']
>>> family_of("starlink").name
'leoedge'
>>> make_config("leoedge", {"tasks": {"load": "heavy"}}).tasks.load
'heavy'
>>> family_of("atlantis")
Traceback (most recent call last):
...
ValueError: scenario: 'atlantis' is not valid; choose one of 'leoedge', 'leoedge-miyun', 'starlink', 'aamec', 'aamec-walker', 'arctic', 'arctic-leo', 'arctic-meo'
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from satgym.config.validation import check_choice

__all__ = ["FAMILIES", "PRESETS", "Family", "family_of", "make_config", "make_parallel_env"]


@dataclass(frozen=True)
class Family:
    """A scenario family: where its presets, config maker, config class, env and Gymnasium ids
    live (``module:attribute``, loaded when first needed)."""

    name: str
    presets: str
    make_config: str
    config_class: str
    env_class: str
    env_ids: str
    #: the family's batched core for the array API (``satgym.vector.ArrayCore``); empty: the
    #: generic core that steps the family's PettingZoo envs (``satgym.vector.ParallelEnvCore``)
    array_core: str = ""

    def load(self, ref: str) -> Any:
        module, _, attr = ref.partition(":")
        return getattr(importlib.import_module(module), attr)


FAMILIES: dict[str, Family] = {
    "leoedge": Family("leoedge", "satgym.leoedge.presets:PRESETS", "satgym.leoedge.presets:make_config",
                      "satgym.leoedge.config:ScenarioConfig", "satgym.leoedge.env:SatelliteEdgeEnv",
                      "satgym.leoedge:ENV_IDS",
                      "satgym.leoedge.array:LEOEdgeArrayCore"),
    "aamec": Family("aamec", "satgym.aamec.presets:PRESETS", "satgym.aamec.presets:make_config",
                    "satgym.aamec.config:AAMECConfig", "satgym.aamec.env:AAMECEnv", "satgym.aamec:ENV_IDS",
                    "satgym.aamec.array:AAMECArrayCore"),
    "arctic": Family("arctic", "satgym.arctic.presets:PRESETS", "satgym.arctic.presets:make_config",
                     "satgym.arctic.config:ArcticConfig", "satgym.arctic.env:ArcticOffloadingEnv",
                     "satgym.arctic:ENV_IDS"),
}


def _all_presets() -> dict[str, tuple[Family, Callable[[], Any]]]:
    out: dict[str, tuple[Family, Callable[[], Any]]] = {}
    for fam in FAMILIES.values():
        for name, factory in fam.load(fam.presets).items():
            if name in out:
                raise RuntimeError(f"preset {name!r} is defined by two families ({out[name][0].name}, {fam.name})")
            out[name] = (fam, factory)
    return out


_PRESETS = _all_presets()
#: every preset of every family: name -> factory returning its config
PRESETS: dict[str, Callable[[], Any]] = {name: factory for name, (_, factory) in _PRESETS.items()}


def family_of(scenario: str | Any) -> Family:
    """The family of a preset name or of a config object."""
    if isinstance(scenario, str):
        check_choice("scenario", scenario, tuple(PRESETS))
        return _PRESETS[scenario][0]
    for fam in FAMILIES.values():
        if isinstance(scenario, fam.load(fam.config_class)):
            return fam
    raise ValueError(f"scenario: expected a preset name ({', '.join(PRESETS)}) or a family config, "
                     f"got {type(scenario).__name__}")


def make_config(scenario: str | Any = "leoedge",
                overrides: Mapping[str, Any] | str | os.PathLike[str] | None = None) -> Any:
    """A preset (by name) or a given config, with nested overrides (a dict or a YAML path).
    Unknown keys and invalid values raise ``ValueError`` naming the field; the preset is unchanged."""
    fam = family_of(scenario)  # validates the name / type
    return fam.load(fam.make_config)(scenario, overrides)


def make_parallel_env(scenario: str | Any = "leoedge", config: Mapping[str, Any] | str | None = None,
                      render_mode: str | None = None):
    """The family's native PettingZoo ``ParallelEnv`` for a preset or config."""
    fam = family_of(scenario)
    return fam.load(fam.env_class)(scenario, config, render_mode=render_mode)
