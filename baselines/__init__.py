"""Scheduling baselines for satgym.

The solvers (``leoedge_schedule``, ``solve_milp``, ``OffloadProblem``) are pure numpy/scipy; the
env-facing policies live in :mod:`baselines.policies` and are registered by name as entry points
(build them with :func:`satgym.policies.make_policy`).
"""

from __future__ import annotations

from baselines.leoedge import DualPrices, LEOEdgeResult, leoedge_schedule, stale_price_decision
from baselines.milp_oracle import MilpResult, MilpTooLargeError, solve_milp
from baselines.offloading_problem import OffloadProblem, random_problem

__all__ = [
    "DualPrices",
    "LEOEdgeResult",
    "MilpResult",
    "MilpTooLargeError",
    "OffloadProblem",
    "leoedge_schedule",
    "random_problem",
    "solve_milp",
    "stale_price_decision",
]
