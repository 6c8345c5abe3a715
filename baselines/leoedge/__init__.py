"""LEOEdge's scheduler (Sec. VI, Algs. 1-3): the distributed protocol (:mod:`~baselines.leoedge.protocol`,
policy ``leoedge``) and the centralised search (:mod:`~baselines.leoedge.scheduler`, ``leoedge-search``)."""

from __future__ import annotations

from baselines.leoedge.roles import stale_price_decision
from baselines.leoedge.scheduler import DualPrices, LEOEdgeResult, leoedge_schedule

__all__ = ["DualPrices", "LEOEdgeResult", "leoedge_schedule",
           "stale_price_decision"]
