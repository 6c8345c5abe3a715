"""Scheduling baselines for satgym.

The solvers (``leoedge_schedule``, ``solve_milp``, ``OffloadProblem``) are pure numpy/scipy. The
env-facing policies (``make_policy``, ``Policy``, ... from :mod:`baselines.policies`) are exported
lazily, so ``import baselines`` does not import the env.

>>> import baselines
>>> baselines.make_policy("local").name
'local'
"""

from __future__ import annotations

from baselines.advantage import ADVANTAGE_OPERATORS, get_advantage_operator, offloading_advantage
from baselines.leoedge import DualPrices, LEOEdgeResult, leoedge_schedule, stale_price_decision
from baselines.milp_oracle import MilpResult, MilpTooLargeError, solve_milp
from baselines.offloading_problem import OffloadProblem, random_problem

__all__ = [
    "ADVANTAGE_OPERATORS",
    "DualPrices",
    "LEOEdgeResult",
    "MilpResult",
    "MilpTooLargeError",
    "OffloadProblem",
    "get_advantage_operator",
    "leoedge_schedule",
    "offloading_advantage",
    "random_problem",
    "solve_milp",
    "stale_price_decision",
    # lazily from baselines.policies
    "POLICIES",
    "LEOEdgePolicy",
    "OraclePolicy",
    "Policy",
    "as_rule",
    "make_policy",
    "register_policy",
]

_LAZY = {"POLICIES", "LEOEdgePolicy", "OraclePolicy", "Policy", "as_rule", "make_policy", "register_policy"}


def __getattr__(name: str):
    if name in _LAZY:
        from baselines import policies

        return getattr(policies, name)
    raise AttributeError(f"module 'baselines' has no attribute {name!r}")
