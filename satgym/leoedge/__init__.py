"""The LEOEdge family (IEEE JSAC 2024): LEO satellites decide, task by task, whether to run an AI
inference task on board or offload it to an edge cluster on the ground.

Physics: :mod:`~satgym.leoedge.simulator` (state and step), the compiled kernels
(:mod:`~satgym.leoedge.step_dispatch`, :mod:`~satgym.leoedge.step_advance`), tasks, the ground
cluster, Alg. 4 (:mod:`~satgym.leoedge.transmission`), the processor catalogue; typed config and
presets (:mod:`~satgym.leoedge.config`, :mod:`~satgym.leoedge.presets`); the codes written once
(:mod:`~satgym.leoedge.codes`). RL API: the PettingZoo env (:mod:`~satgym.leoedge.env`), its
observation, reward and rendering, and the Gymnasium views (:mod:`~satgym.leoedge.views`).
"""

from __future__ import annotations

#: Gymnasium ids of the family: id -> (entry point, kwargs)
ENV_IDS: dict[str, tuple[str, dict]] = {
    "satgym/LEOEdge-Central-v2": ("satgym.leoedge.views:CentralisedEnv", {"scenario": "leoedge"}),
    "satgym/LEOEdge-Single-v2": ("satgym.leoedge.views:SingleSatelliteEnv", {"scenario": "leoedge"}),
    "satgym/LEOEdgeMiyun-Central-v2": ("satgym.leoedge.views:CentralisedEnv", {"scenario": "leoedge-miyun"}),
    "satgym/LEOEdgeMiyun-Single-v2": ("satgym.leoedge.views:SingleSatelliteEnv", {"scenario": "leoedge-miyun"}),
    "satgym/Starlink-Central-v2": ("satgym.leoedge.views:CentralisedEnv", {"scenario": "starlink"}),
    "satgym/Starlink-Single-v2": ("satgym.leoedge.views:SingleSatelliteEnv", {"scenario": "starlink"}),
}
