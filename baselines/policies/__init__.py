"""Scheduling policies of the LEOEdge family (registered by name: :func:`satgym.policies.make_policy`).

>>> from satgym.policies import make_policy
>>> [make_policy(n).name for n in ("threshold", "workload", "local", "leoedge", "leoedge-search")]
['threshold', 'workload', 'local', 'leoedge', 'leoedge-search']
"""

from __future__ import annotations

from baselines.policies.base import ObservationPolicy, obs_matrix, reachable, to_actions
from baselines.policies.distributed import LEOEdgePolicy
from baselines.policies.round_policies import LEOEdgeSearchPolicy, OraclePolicy, RoundPolicy
from baselines.policies.rules import (ConstantPolicy, EarliestFinishPolicy, RandomPolicy, ThresholdPolicy,
                                      WorkloadPolicy)

__all__ = [
    "ConstantPolicy",
    "EarliestFinishPolicy",
    "LEOEdgePolicy",
    "LEOEdgeSearchPolicy",
    "ObservationPolicy",
    "OraclePolicy",
    "RandomPolicy",
    "RoundPolicy",
    "ThresholdPolicy",
    "WorkloadPolicy",
    "obs_matrix",
    "reachable",
    "to_actions",
]
