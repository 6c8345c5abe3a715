"""Building blocks of the LEOEdge-family scheduling policies.

Every policy follows :class:`satgym.policies.Policy` and is registered by name as an entry point
(``pyproject.toml``, group ``satgym.policies``); build one with :func:`satgym.policies.make_policy`.
It drives all satellites of a :class:`~satgym.leoedge.env.SatelliteEdgeEnv` through the env's
public API: ``act`` returns ``{agent: int array of length K}`` with entries from
:class:`~satgym.leoedge.codes.Action` (0 local, 1 offload, 2 hold). Policies that decide from the
observation matrix alone subclass :class:`ObservationPolicy` (``decide(obs_matrix) -> (n, K)``);
policies that need the ground hooks (``env.container_state()``, ``env.reserve_containers`` ...)
implement ``act`` directly.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from satgym.leoedge.codes import Action
from satgym.leoedge.observation import sat_field

__all__ = ["HOLD", "LOCAL", "OFFLOAD", "ObservationPolicy", "obs_matrix", "reachable", "to_actions"]

LOCAL, OFFLOAD, HOLD = int(Action.LOCAL), int(Action.OFFLOAD), int(Action.HOLD)
_RELAY_FIELDS = ("relay_same_orbit_fore", "relay_same_orbit_aft", "relay_other_orbit_1", "relay_other_orbit_2")


def obs_matrix(obs: dict[str, np.ndarray]) -> np.ndarray:
    """``(n_agents, obs_dim)`` matrix in the dict's agent order (the env's ``agents`` order).

    >>> obs_matrix({"sat_0": np.zeros(3), "sat_1": np.ones(3)}).shape
    (2, 3)
    """
    return np.stack(list(obs.values())) if obs else np.zeros((0, 0))


def to_actions(agents: list[str], matrix: np.ndarray) -> dict[str, np.ndarray]:
    """``{agent: row}`` with int64 rows, the env's action format."""
    matrix = np.asarray(matrix, dtype=np.int64)
    return dict(zip(agents, matrix))


def reachable(m: np.ndarray) -> np.ndarray:
    """(n,) bool: the satellite can reach a station now, directly or through a relay in contact.

    >>> from satgym.leoedge.observation import SAT_FIELDS
    >>> m = np.zeros((2, len(SAT_FIELDS))); m[1, 6] = 1.0     # sat 1 in contact
    >>> reachable(m)
    array([False,  True])
    """
    ok = sat_field(m, "in_contact") > 0
    for name in _RELAY_FIELDS:
        ok = ok | (sat_field(m, name) > 0)
    return ok


class ObservationPolicy(ABC):
    """A policy whose decisions depend only on the observation matrix (and its own RNG).

    Out of reach of every station (not in contact, no relay in contact) an offload becomes local:
    the next contact is minutes away (``time_to_next_contact_s``), so holding would only add
    waiting time and risk expiry after ``tasks.max_hold_s``; ``gate_reach=False`` turns this off
    and lets the env's planner decide (Alg. 4 runs such tasks locally anyway).
    """

    name = "observation"

    def __init__(self, gate_reach: bool = True) -> None:
        self.gate_reach = gate_reach
        self.rng = np.random.default_rng()

    def reset(self, env: Any = None, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)

    @abstractmethod
    def decide(self, m: np.ndarray, K: int) -> np.ndarray:
        """``(n, K)`` actions from the ``(n, obs_dim)`` observation matrix."""

    def decide_gated(self, m: np.ndarray, K: int) -> np.ndarray:
        out = np.asarray(self.decide(m, K), dtype=np.int64)
        if self.gate_reach and out.size:
            out = np.where((out == OFFLOAD) & ~reachable(m)[:, None], LOCAL, out)
        return out

    def act(self, env: Any, obs: dict[str, np.ndarray], infos: dict[str, dict]) -> dict[str, np.ndarray]:
        if not obs:
            return {}
        return to_actions(list(obs), self.decide_gated(obs_matrix(obs), env.sim.K))
