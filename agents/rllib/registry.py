"""The ``marl`` policy factory (an entry point of ``satgym.policies``; no Ray import until a policy is built).

>>> from satgym.policies import policy_names
>>> "marl" in policy_names()
True
"""

from __future__ import annotations

from typing import Any


def marl_factory(path: str = "", **kwargs: Any):
    """``marl:PATH``: greedy actions of an RLlib checkpoint (:class:`agents.rllib.policy.MarlPolicy`)."""
    from agents.rllib.policy import marl_factory as factory

    return factory(path, **kwargs)
