"""Versioned Gymnasium ids (idempotent registration).

===================================  =======================================================
id                                   what
===================================  =======================================================
``satgym/LEOEdge-Central-v2``        ``leoedge`` (the paper's regime), one controller for all 10 satellites
``satgym/LEOEdge-Single-v2``         ``leoedge``, one satellite; the others follow a rule
``satgym/LEOEdgeMiyun-Central-v2``   ``leoedge-miyun`` (one station, its own cluster), centralised
``satgym/LEOEdgeMiyun-Single-v2``    ``leoedge-miyun``, one satellite
``satgym/Starlink-Central-v2``       Starlink preset (~5,300 satellites), centralised
``satgym/Starlink-Single-v2``        Starlink preset, one satellite
``satgym/AAMEC-Central-v0``          ``aamec`` (Iridium NEXT, gateways and aircraft with MEC), one controller for 66 satellites
``satgym/AAMEC-Single-v0``           ``aamec``, one satellite; the others send to their cheapest MEC
``satgym/AAMECWalker-Central-v0``    ``aamec-walker`` (the constellation as a Walker star), centralised
``satgym/AAMECWalker-Single-v0``     ``aamec-walker``, one satellite
===================================  =======================================================

All accept ``config=`` (nested overrides or a YAML path) and ``load=`` (light/normal/heavy; for
AA-MEC the task rate lambda, 80/90/100 tasks/s). Each
family lists its ids in its package (``satgym.leoedge.ENV_IDS``); :data:`ENV_IDS` merges them.

Version history: v2 (this version): the LEOEdge family's random retransmission counts come from
each simulator's own generator (SplitMix64, :mod:`satgym.core.rng`, seeded once per episode from
the env's RNG) instead of numba's global Mersenne Twister re-seeded twice per step: the same
distributions (the link model of Eq. 1 is unchanged, the task streams are the same for a seed),
different draws for a seed, so trajectories differ from v1's. v1: ``leoedge`` is the paper's regime (several stations and
geostationary relays feeding one cluster, calibrated edge and tasks); the single-Miyun geometry
moved to ``leoedge-miyun``; every preset charges the propagation and backhaul delay of the access
path to uploads, result returns and the advantage estimate, and observes ``via_relay`` and
``path_delay_s``. v0: the first release (``leoedge`` was today's ``leoedge-miyun``). The AA-MEC
family (``satgym.aamec.ENV_IDS``) starts at v0.
"""

from __future__ import annotations

import gymnasium

from satgym.scenarios import FAMILIES

ENV_IDS: dict[str, tuple[str, dict]] = {}
for _family in FAMILIES.values():
    ENV_IDS.update(_family.load(_family.env_ids))


def register_envs() -> None:
    """Register every family's ids with Gymnasium (idempotent)."""
    for env_id, (entry, kwargs) in ENV_IDS.items():
        if env_id not in gymnasium.registry:
            gymnasium.register(id=env_id, entry_point=entry, kwargs=kwargs, disable_env_checker=False)
