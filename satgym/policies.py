"""The policy interface and the one registry of policies: scheduling baselines (``baselines``),
trained agents (``agents``) and a user's own.

A policy drives every agent of a satgym ``ParallelEnv`` through the env's public API::

    policy = make_policy("threshold")
    obs, infos = env.reset(seed=0)
    policy.reset(env, seed=0)
    while env.agents:
        obs, rewards, terms, truncs, infos = env.step(policy.act(env, obs, infos))

Packages register their policies as entry points of the group ``satgym.policies`` (see
``pyproject.toml``), so nothing here imports them: a name is loaded when it is first asked for.
:func:`register_policy` adds one at run time (a user's policy, a test's). ``"name:ARG"`` passes
``ARG`` as the factory's first argument (``marl:runs/ppo/checkpoints/latest``).

>>> {"leoedge", "local", "offload", "threshold", "workload", "random", "oracle"} <= set(policy_names())
True
>>> make_policy("local").name
'local'
>>> make_policy("nope")
Traceback (most recent call last):
...
ValueError: policy: 'nope' is not valid; choose one of ...
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = ["ENTRY_POINT_GROUP", "Policy", "make_policy", "policy_names", "register_policy"]

ENTRY_POINT_GROUP = "satgym.policies"


@runtime_checkable
class Policy(Protocol):
    """What the evaluation loop and users call: ``reset`` after ``env.reset``, ``act`` once per step
    (``{agent: action}`` for the agents in ``obs``)."""

    name: str

    def reset(self, env: Any, seed: int | None = None) -> None: ...

    def act(self, env: Any, obs: dict[str, np.ndarray], infos: dict[str, dict]) -> dict[str, np.ndarray]: ...


_RUNTIME: dict[str, Callable[..., Policy]] = {}


def _entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def policy_names() -> list[str]:
    """Every registered policy name (entry points and run-time registrations), sorted."""
    return sorted(set(_entry_points()) | set(_RUNTIME))


def register_policy(name: str, factory: Callable[..., Policy], overwrite: bool = False) -> None:
    """Register ``factory(*args, **kwargs) -> Policy`` under ``name`` at run time."""
    if ":" in name or not name:
        raise ValueError(f"register_policy: name {name!r} must be non-empty and contain no ':'")
    if not overwrite and (name in _entry_points() or _RUNTIME.get(name, factory) is not factory):
        raise ValueError(f"register_policy: {name!r} is already registered")
    _RUNTIME[name] = factory


def policy_factory(name: str) -> Callable[..., Policy]:
    """The factory registered under ``name`` (loaded from its entry point on first use)."""
    if name in _RUNTIME:
        return _RUNTIME[name]
    eps = _entry_points()
    if name not in eps:
        raise ValueError(f"policy: {name!r} is not valid; choose one of {', '.join(policy_names())}")
    return eps[name].load()


def make_policy(spec: str, **kwargs: Any) -> Policy:
    """Build a policy by name; ``"name:ARG"`` passes ``ARG`` (e.g. a checkpoint path) first."""
    name, sep, arg = spec.partition(":")
    factory = policy_factory(name)
    return factory(arg, **kwargs) if sep else factory(**kwargs)
