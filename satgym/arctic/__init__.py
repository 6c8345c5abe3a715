"""The Arctic family (Almekhlafi, Lesage-Landry, Kurt: connectivity-aware task offloading for remote
northern regions over a hybrid LEO-MEO architecture): users around Ivujivik offload tasks to
Starlink and MEO satellites with on-board computing, choosing the access satellite, the computing
satellite and their share of its resource blocks and CPU.

Physics: the fleet of layers (:mod:`~satgym.arctic.fleet`), what the users see each slot
(:mod:`~satgym.arctic.sky`), the ISL network and routes (:mod:`~satgym.arctic.topology`), a slot's
problem and the delay/energy model (:mod:`~satgym.arctic.problem`, :mod:`~satgym.arctic.candidates`),
tasks and the simulator; typed config and presets (:mod:`~satgym.arctic.config`,
:mod:`~satgym.arctic.presets`); the codes written once (:mod:`~satgym.arctic.codes`). RL API: the
PettingZoo env (:mod:`~satgym.arctic.env`), its observation and reward, and the Gymnasium view
(:mod:`~satgym.arctic.views`).
"""

from __future__ import annotations

#: Gymnasium ids of the family: id -> (entry point, kwargs)
ENV_IDS: dict[str, tuple[str, dict]] = {
    "satgym/Arctic-Central-v0": ("satgym.arctic.views:CentralisedEnv", {"scenario": "arctic"}),
    "satgym/ArcticLEO-Central-v0": ("satgym.arctic.views:CentralisedEnv", {"scenario": "arctic-leo"}),
    "satgym/ArcticMEO-Central-v0": ("satgym.arctic.views:CentralisedEnv", {"scenario": "arctic-meo"}),
}
