"""AA-MEC presets: data, not subclasses.

* ``aamec``: the paper's system (Secs. 3-6) on the shipped Iridium NEXT element sets (the 66
  operational satellites of the CelesTrak group), the ten gateways of Table 1, 100 aircraft with
  MEC ratio 0.2, lambda = 90 tasks/s ("normal"), 48 five-minute snapshots.
* ``aamec-walker``: the same with the constellation as a Walker star (781 km, 86.4 deg, 6 x 11).

>>> make_config("aamec-walker").constellation.source
'walker_star'
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from satgym.aamec.config import AAMECConfig, ConstellationConfig
from satgym.config.builder import config_from_presets

__all__ = ["PRESETS", "make_config"]


def _aamec() -> AAMECConfig:
    return AAMECConfig(name="aamec")


def _aamec_walker() -> AAMECConfig:
    return AAMECConfig(name="aamec-walker", constellation=ConstellationConfig(source="walker_star"))


PRESETS = {"aamec": _aamec, "aamec-walker": _aamec_walker}


def make_config(scenario: str | AAMECConfig = "aamec",
                overrides: Mapping[str, Any] | str | os.PathLike[str] | None = None) -> AAMECConfig:
    """A preset (by name) or a given config, with nested overrides (a dict or a YAML path)."""
    return config_from_presets(PRESETS, AAMECConfig, scenario, overrides)
