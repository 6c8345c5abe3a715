"""One interface for every scheduling policy, and a name registry.

A policy drives all satellites of a :class:`~satgym.envs.parallel_env.SatelliteEdgeEnv` (the
PettingZoo ``ParallelEnv`` as users run it) through its public API only::

    policy = make_policy("threshold")
    obs, infos = env.reset(seed=0)
    policy.reset(env, seed=0)
    while env.agents:
        obs, rewards, terms, truncs, infos = env.step(policy.act(env, obs, infos))

``act`` returns ``{agent: int array of length K}`` with entries 0 (local), 1 (offload), 2 (hold).
Policies that decide from the observation matrix alone subclass :class:`ObservationPolicy`
(``decide(obs_matrix) -> (n, K)``); they also work as ``satgym.envs.rules`` callables through
:func:`as_rule`. Policies that need the ground hooks (``env.container_state()``,
``env.reserve_containers`` ...) implement ``act`` directly.

Names: ``make_policy("threshold", threshold_s=0.02)``; ``"name:ARG"`` passes ``ARG`` as the first
argument of the factory (reserved for trained agents: ``marl:PATH``, ``a3c:PATH``, registered later
with :func:`register_policy`).

>>> {"leoedge", "local", "offload", "threshold", "workload", "random", "oracle"} <= set(POLICIES)
True
>>> make_policy("local").name
'local'
>>> make_policy("nope")
Traceback (most recent call last):
...
ValueError: policy: 'nope' is not valid; choose one of ...
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import numpy as np

from satgym.envs.rules import sat_field

__all__ = [
    "POLICIES",
    "ObservationPolicy",
    "Policy",
    "as_rule",
    "make_policy",
    "obs_matrix",
    "reachable",
    "register_policy",
    "to_actions",
]

LOCAL, OFFLOAD, HOLD = 0, 1, 2
_RELAY_FIELDS = ("relay_same_orbit_fore", "relay_same_orbit_aft", "relay_other_orbit_1", "relay_other_orbit_2")


@runtime_checkable
class Policy(Protocol):
    """What the harness and users call. ``reset`` after ``env.reset``; ``act`` once per step."""

    name: str

    def reset(self, env: Any, seed: int | None = None) -> None: ...

    def act(self, env: Any, obs: dict[str, np.ndarray], infos: dict[str, dict]) -> dict[str, np.ndarray]: ...


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

    >>> from satgym.envs.observation import SAT_FIELDS
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


def as_rule(policy: Policy) -> Callable[[np.ndarray, int, np.random.Generator], np.ndarray]:
    """A ``satgym.envs.rules`` callable ``(obs_matrix, K, rng) -> (n, K)`` for the gym views'
    ``others_policy``. Only for observation policies (the ground-hook policies need the env).

    >>> rule = as_rule(make_policy("offload", gate_reach=False))
    >>> rule(np.zeros((2, 40)), 2, np.random.default_rng(0))
    array([[1, 1],
           [1, 1]])
    """
    if not isinstance(policy, ObservationPolicy):
        raise TypeError(f"as_rule: policy {getattr(policy, 'name', policy)!r} needs the env, not just observations")
    return lambda m, K, rng: policy.decide_gated(m, K)


POLICIES: dict[str, Callable[..., Policy]] = {}


def register_policy(name: str, factory: Callable[..., Policy], overwrite: bool = False) -> None:
    """Register ``factory(*args, **kwargs) -> Policy`` under ``name`` (idempotent for the same factory)."""
    if ":" in name or not name:
        raise ValueError(f"register_policy: name {name!r} must be non-empty and contain no ':'")
    if name in POLICIES and POLICIES[name] is not factory and not overwrite:
        raise ValueError(f"register_policy: {name!r} is already registered")
    POLICIES[name] = factory


def make_policy(spec: str, **kwargs: Any) -> Policy:
    """Build a policy by name; ``"name:ARG"`` passes ``ARG`` (e.g. a checkpoint path) first."""
    name, sep, arg = spec.partition(":")
    if name not in POLICIES:
        raise ValueError(f"policy: {name!r} is not valid; choose one of {', '.join(sorted(POLICIES))}")
    return POLICIES[name](arg, **kwargs) if sep else POLICIES[name](**kwargs)
