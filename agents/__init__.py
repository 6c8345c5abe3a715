"""Learning agents for satgym: RLlib PPO variants (:mod:`agents.rllib`), A3C, SB3.

Importing this package registers the trained-agent policy factories with the scheduling-policy
registry, so ``make_policy("marl:PATH")`` and ``satgym compare --policies marl:PATH`` work. It
imports neither Ray nor torch: the factory loads them only when a policy is built.

>>> from baselines.policies import POLICIES
>>> {"marl", "a3c", "sb3"} <= set(POLICIES)
True
"""

from __future__ import annotations

import agents.a3c  # noqa: F401  registers "a3c" on import (no torch until a policy is built)
import agents.sb3  # noqa: F401  registers "sb3"
from agents.rllib.registry import marl_factory, register

register()

__all__ = ["marl_factory"]
