"""Learning agents for satgym: RLlib PPO variants (:mod:`agents.rllib`), A3C, SB3.

Importing this package registers the trained-agent policy factories with the scheduling-policy
registry, so ``make_policy("marl:PATH")`` and ``satgym compare --policies marl:PATH`` work. It
imports neither Ray nor torch: the factory loads them only when a policy is built.

>>> from baselines.policies import POLICIES
>>> "marl" in POLICIES
True
"""

from __future__ import annotations

from agents.rllib.registry import marl_factory, register

register()

__all__ = ["marl_factory"]
