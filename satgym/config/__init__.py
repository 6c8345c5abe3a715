"""Typed configuration machinery shared by every scenario family: nested overrides from dicts or
YAML with strict key checking (:mod:`satgym.config.builder`) and validators that name the field
and the valid values (:mod:`satgym.config.validation`).

A family's own config classes and presets live in its package (``satgym.leoedge.config``,
``satgym.leoedge.presets``); :func:`satgym.make_config` finds the family of a preset name.

>>> with_episode_steps({"tasks": {"load": "heavy"}}, 50)
{'tasks': {'load': 'heavy'}, 'episode': {'steps': 50}}
"""

from __future__ import annotations

from satgym.config.builder import load_yaml, override, to_dict, with_episode_steps, with_load

__all__ = ["load_yaml", "override", "to_dict", "with_episode_steps", "with_load"]
