"""Independent per-satellite A3C learners (the LEOEdge paper's learning baseline), in torch.

Each satellite ``sat_k`` has its own advantage actor-critic learner (separate parameters, its own
observation, the shared reward) in shared memory with a shared Adam. Worker processes
(``torch.multiprocessing``) update them asynchronously, Hogwild style. What is asynchronous is the
env copy: by default each worker steps its own env copy with all satellites and updates every
learner from it (the satellites of one copy move in lockstep); ``asynchrony="satellite"`` has each
learner updated by one worker only, which with one worker per satellite gives every satellite its
own environment interactions (the LEOEdge paper's description). A dead worker is restarted from
the shared model; ``--resume`` continues a run without replaying its task streams
(:mod:`agents.a3c.train`).

Public API::

    from agents.a3c import A3CConfig, train, A3CPolicy
    train(A3CConfig(load="normal", total_steps=20_000), out="runs/a3c")
    policy = make_policy("a3c:runs/a3c")      # satgym.policies.make_policy (entry point "a3c")

Command line: ``python -m agents.a3c.train --help`` or ``satgym train --algo a3c``.

>>> from satgym.policies import policy_names
>>> "a3c" in policy_names()
True
"""

from __future__ import annotations

from agents.a3c.config import A3CConfig
from agents.a3c.policy import A3CPolicy, a3c_factory

__all__ = ["A3CConfig", "A3CPolicy", "a3c_factory", "train"]


def train(*args, **kwargs):
    """:func:`agents.a3c.train.train` (imported lazily: it pulls in torch)."""
    from agents.a3c.train import train as _train

    return _train(*args, **kwargs)
