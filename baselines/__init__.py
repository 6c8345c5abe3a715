"""Scheduling baselines for satgym (pure numpy/scipy, no RL imports)."""

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
]
