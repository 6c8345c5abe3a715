"""Aerial-aided multi-access edge computing over Iridium NEXT (AA-MEC).

von Mankowski et al., "Design and Optimization of Aerial-Aided Multi-Access Edge Computing
towards 6G": 66 Iridium NEXT satellites, the ten Iridium gateways with MEC servers (Table 1) and
aircraft flying real city pairs, a fraction of them carrying a MEC server. Satellites offload the
tasks they cannot run on board to a MEC node over a multi-hop satellite-aerial-terrestrial network
that changes every 5-minute snapshot.

>>> import satgym
>>> env = satgym.parallel_env("aamec", {"episode": {"steps": 2}})
>>> obs, infos = env.reset(seed=0)
>>> len(env.agents)
66

Modules: :mod:`.config` (scenario), :mod:`.presets`, :mod:`.constellation`, :mod:`.flights` (aircraft),
:mod:`.topology` (the per-snapshot network), :mod:`.traffic` (tasks and IFECS flows),
:mod:`.routing` (candidate destinations, gateway matching), :mod:`.flows` (what a snapshot's flows
experience), :mod:`.simulator`, and the RL layer :mod:`.env`, :mod:`.observation`, :mod:`.reward`,
:mod:`.views`.
"""

from __future__ import annotations

#: Gymnasium ids of the family: id -> (entry point, kwargs)
ENV_IDS: dict[str, tuple[str, dict]] = {
    "satgym/AAMEC-Central-v0": ("satgym.aamec.views:CentralisedEnv", {"scenario": "aamec"}),
    "satgym/AAMEC-Single-v0": ("satgym.aamec.views:SingleSatelliteEnv", {"scenario": "aamec"}),
    "satgym/AAMECWalker-Central-v0": ("satgym.aamec.views:CentralisedEnv", {"scenario": "aamec-walker"}),
    "satgym/AAMECWalker-Single-v0": ("satgym.aamec.views:SingleSatelliteEnv", {"scenario": "aamec-walker"}),
}
