"""Versioned Gymnasium ids (idempotent registration).

id                              what
==============================  ============================================================
``satgym/LEOEdge-Central-v0``   LEOEdge preset, one controller for all 10 satellites
``satgym/LEOEdge-Single-v0``    LEOEdge preset, one satellite; the others follow a rule
``satgym/Starlink-Central-v0``  Starlink preset (~5,300 satellites), centralised
``satgym/Starlink-Single-v0``   Starlink preset, one satellite
``satgym/AAMEC-Central-v0``     AA-MEC (Iridium NEXT, aircraft MEC), one controller for 66 satellites
``satgym/AAMEC-Single-v0``      AA-MEC, one satellite; the others send to their cheapest MEC
==============================  ============================================================

All accept ``config=`` (nested overrides or a YAML path) and ``load=`` (light/normal/heavy; for
AA-MEC the task rate lambda of 80/90/100 tasks/s).
=======
===================================  =======================================================
id                                   what
===================================  =======================================================
``satgym/LEOEdge-Central-v1``        ``leoedge`` (the paper's regime), one controller for all 10 satellites
``satgym/LEOEdge-Single-v1``         ``leoedge``, one satellite; the others follow a rule
``satgym/LEOEdgeMiyun-Central-v1``   ``leoedge-miyun`` (one station, its own cluster), centralised
``satgym/LEOEdgeMiyun-Single-v1``    ``leoedge-miyun``, one satellite
``satgym/Starlink-Central-v1``       Starlink preset (~5,300 satellites), centralised
``satgym/Starlink-Single-v1``        Starlink preset, one satellite
``satgym/AAMEC-Central-v0``          AA-MEC (Iridium NEXT, aircraft MEC), one controller for 66 satellites
``satgym/AAMEC-Single-v0``           AA-MEC, one satellite; the others send to their cheapest MEC
===================================  =======================================================

All accept ``config=`` (nested overrides or a YAML path) and ``load=`` (light/normal/heavy; for
AA-MEC the task rate lambda of 80/90/100 tasks/s).

Version history: v1 (this version): ``leoedge`` is the paper's regime (several stations and
geostationary relays feeding one cluster, calibrated edge and tasks); the single-Miyun geometry
moved to ``leoedge-miyun``; every preset charges the propagation and backhaul delay of the access
path to uploads, result returns and the advantage estimate, and observes ``via_relay`` and
``path_delay_s``. v0: the first release (``leoedge`` was today's ``leoedge-miyun``). The AA-MEC
ids (a separate family, ``satgym.aamec``) start at v0.
"""

from __future__ import annotations

import gymnasium

ENV_IDS: dict[str, tuple[str, dict]] = {
    "satgym/LEOEdge-Central-v1": ("satgym.envs.gym_views:CentralisedEnv", {"scenario": "leoedge"}),
    "satgym/LEOEdge-Single-v1": ("satgym.envs.gym_views:SingleSatelliteEnv", {"scenario": "leoedge"}),
    "satgym/LEOEdgeMiyun-Central-v1": ("satgym.envs.gym_views:CentralisedEnv", {"scenario": "leoedge-miyun"}),
    "satgym/LEOEdgeMiyun-Single-v1": ("satgym.envs.gym_views:SingleSatelliteEnv", {"scenario": "leoedge-miyun"}),
    "satgym/Starlink-Central-v1": ("satgym.envs.gym_views:CentralisedEnv", {"scenario": "starlink"}),
    "satgym/Starlink-Single-v1": ("satgym.envs.gym_views:SingleSatelliteEnv", {"scenario": "starlink"}),
    "satgym/AAMEC-Central-v0": ("satgym.aamec.views:CentralisedEnv", {"scenario": "aamec"}),
    "satgym/AAMEC-Single-v0": ("satgym.aamec.views:SingleSatelliteEnv", {"scenario": "aamec"}),
}


def register_envs() -> None:
    for env_id, (entry, kwargs) in ENV_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point=entry, kwargs=kwargs, disable_env_checker=False)
