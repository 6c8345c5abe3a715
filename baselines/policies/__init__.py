"""Scheduling policies behind one interface (:class:`Policy`) and a name registry.

>>> from baselines.policies import make_policy
>>> [make_policy(n).name for n in ("threshold", "workload", "local", "leoedge")]
['threshold', 'workload', 'local', 'leoedge']
"""

from __future__ import annotations

from baselines.policies.base import (POLICIES, ObservationPolicy, Policy, as_rule, make_policy,
                                     obs_matrix, reachable, register_policy, to_actions)
from baselines.policies.round_policies import LEOEdgePolicy, OraclePolicy, RoundPolicy
from baselines.policies.rules import ConstantPolicy, RandomPolicy, ThresholdPolicy, WorkloadPolicy

__all__ = [
    "POLICIES",
    "ConstantPolicy",
    "LEOEdgePolicy",
    "ObservationPolicy",
    "OraclePolicy",
    "Policy",
    "RandomPolicy",
    "RoundPolicy",
    "ThresholdPolicy",
    "WorkloadPolicy",
    "as_rule",
    "make_policy",
    "obs_matrix",
    "reachable",
    "register_policy",
    "to_actions",
]

import baselines.aamec.policies  # noqa: E402,F401  registers the aamec_* policies (AA-MEC family, issue 13)
