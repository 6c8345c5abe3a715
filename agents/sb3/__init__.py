"""Stable-Baselines3 agents: PPO/A2C on the Gymnasium views, PPO with parameter sharing via SuperSuit.

Public API::

    from agents.sb3 import train_sb3, SB3Policy
    train_sb3("sb3-ppo", out="runs/ppo", timesteps=20_000, load="normal")
    policy = make_policy("sb3:runs/ppo")      # satgym.policies.make_policy (entry point "sb3")

Command line: ``python -m agents.sb3.train --help`` or ``satgym train --algo sb3-ppo``.

>>> from satgym.policies import policy_names
>>> "sb3" in policy_names()
True
"""

from __future__ import annotations

from typing import Any

from agents.sb3.policy import SB3Policy, sb3_factory

__all__ = ["SB3Policy", "sb3_factory", "train_sb3"]


def train_sb3(*args: Any, **kwargs: Any):
    """:func:`agents.sb3.train.train_sb3` (imported lazily: it pulls in torch and SB3)."""
    from agents.sb3.train import train_sb3 as _train

    return _train(*args, **kwargs)
