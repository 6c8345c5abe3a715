"""Registers the trained-agent factories (``marl``) with ``baselines.policies`` (no Ray import).

Called by ``agents/__init__.py`` and by ``agents/cli.py`` (the latter also covers an editable
install that recorded ``agents`` as a namespace package, whose ``__init__`` never runs).

>>> register()
>>> from baselines.policies import POLICIES
>>> "marl" in POLICIES
True
"""

from __future__ import annotations

from typing import Any


def marl_factory(path: str = "", **kwargs: Any):
    """``marl:PATH``: greedy actions of an RLlib checkpoint (:class:`agents.rllib.policy.MarlPolicy`)."""
    from agents.rllib.policy import marl_factory as factory

    return factory(path, **kwargs)


def register() -> None:
    """Idempotent, also if this module is imported twice (pytest's importlib mode)."""
    try:
        from baselines.policies import POLICIES, register_policy
    except ImportError:  # baselines not installed: nothing to register with
        return
    current = POLICIES.get("marl")
    same = current is not None and getattr(current, "__qualname__", "") == "marl_factory" and \
        getattr(current, "__module__", "") == __name__
    register_policy("marl", marl_factory, overwrite=same)
