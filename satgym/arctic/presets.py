"""Presets of the Arctic family: data, not subclasses (Almekhlafi et al., Sec. VI).

* ``arctic``: the hybrid LEO-MEO architecture. LEO: the real Starlink element set shipped in
  ``satgym/data/tle/starlink.tle`` (2024-01 CelesTrak snapshot, 5,285 satellites), 25 resource
  blocks and 5 GHz per satellite. MEO: 30 satellites at 2,100 km in 3 planes inclined 86, 88 and
  90 deg, 10 per plane, 50 resource blocks and 10 GHz each. The paper gives neither RAANs nor
  phasing; we spread the planes' ascending nodes evenly over 180 deg (0, 60, 120 deg at the
  epoch: near-polar planes then cross every longitude twice per orbit, the Walker-star pattern)
  and shift each plane by 12 deg in argument of latitude (Walker phasing F = 1: 360 / 30).
  100 users within 50 km of Ivujivik (62 N, 77.5 W: the village and its surroundings), Poisson(5)
  active per 1 s slot, tasks of 1 or 2 Mbit at 1000 cycles/bit with a 3 s deadline, 17 dBm user
  terminals with 5 dBi antennas, 20 dBi satellite antennas, 180 kHz resource blocks at 2 GHz,
  Rician K = 10, noise -174 dBm/Hz, kappa = 1e-28, alpha_1 = alpha_2 = 0.1, elevation threshold
  25 deg. Episodes of 60 slots start at a random time of the day after the element sets' epoch.
* ``arctic-leo``: the same with ``architecture="leo-only"`` (Starlink alone).
* ``arctic-meo``: the same with ``architecture="meo-only"`` (the MEO layer alone).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from satgym.arctic.config import ArcticConfig, LayerConfig
from satgym.config.builder import config_from_presets

__all__ = ["MEO_LAYER", "PRESETS", "STARLINK_LAYER", "make_config"]

STARLINK_LAYER = LayerConfig(name="starlink", kind="leo", source="file", file="starlink.tle", name_prefix="STARLINK",
                             resource_blocks=25, cpu_ghz=5.0, antenna_gain_dbi=20.0)
MEO_LAYER = LayerConfig(name="meo", kind="meo", source="planes", altitude_km=2100.0,
                        inclination_deg=(86.0, 88.0, 90.0), raan_deg=(0.0, 60.0, 120.0), sats_per_plane=10,
                        phase_offset_deg=12.0, resource_blocks=50, cpu_ghz=10.0, antenna_gain_dbi=20.0)


def _arctic() -> ArcticConfig:
    return ArcticConfig(name="arctic", architecture="hybrid", layers=(STARLINK_LAYER, MEO_LAYER))


def _arctic_leo() -> ArcticConfig:
    return replace(_arctic(), name="arctic-leo", architecture="leo-only")


def _arctic_meo() -> ArcticConfig:
    return replace(_arctic(), name="arctic-meo", architecture="meo-only")


PRESETS = {"arctic": _arctic, "arctic-leo": _arctic_leo, "arctic-meo": _arctic_meo}


def make_config(scenario: str | ArcticConfig = "arctic",
                overrides: Mapping[str, Any] | str | os.PathLike[str] | None = None) -> ArcticConfig:
    """An Arctic preset (by name) or config, with nested overrides (a dict or a YAML path).

    >>> make_config("arctic-meo", {"radio": {"carrier_ghz": 1.6}}).radio.carrier_ghz
    1.6
    """
    return config_from_presets(PRESETS, ArcticConfig, scenario, overrides)
