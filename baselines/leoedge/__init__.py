"""LEOEdge three-layer distributed dual scheduler (Sec. VI, Algs. 1-3)."""

from __future__ import annotations

from baselines.leoedge.roles import stale_price_decision
from baselines.leoedge.scheduler import LAYER_PAIRS, DualPrices, LEOEdgeResult, leoedge_schedule

__all__ = ["LAYER_PAIRS", "DualPrices", "LEOEdgeResult", "leoedge_schedule",
           "stale_price_decision"]
