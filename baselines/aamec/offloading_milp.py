"""The paper's satellite-offloading optimisation (Eqs. 20-26) for one snapshot, as a MILP (HiGHS).

Flows: the satellites with excess tasks (Eqs. 16-17). Columns (:mod:`.columns`): each satellite's
cheapest ``top_destinations`` MEC nodes (or its fixed one, the static approach) with the paths of
its flow. Model (:func:`~baselines.aamec.path_milp.solve_columns`):

* objective (Eq. 20): sum of the flows' completion times alone, sum over the path of D_s / B_ij
  (Eq. 18) + 2 d_ij / c, plus n_s I / MIPS (Eq. 19);
* Eq. 21 (one destination per satellite), 22 (paths), 24 (link capacity), 25 (one satellite per
  gateway), 26 (flows to a gateway through its feeder), and the MEC capacity constraint the paper
  defines (C_MEC in tasks, Table 7) but does not write: sum of n_s over the flows to m <= C_m;
* Eq. 23 (completion within ``deadline_s``) as a priority: a column above the deadline costs
  ``late_penalty_s`` more, so every flow that can meet its deadline does, and a flow that cannot
  still goes on its fastest route (counted late by the env) rather than being dropped, which a hard
  Eq. 23 would do (or leave the snapshot infeasible);
* not offloading costs ``drop_cost_s``, far above any route: used only when no column fits.

>>> import numpy as np, satgym
>>> env = satgym.parallel_env("aamec", {"episode": {"steps": 2}})
>>> _ = env.reset(seed=0)
>>> sol = solve_offloading(env.snapshot(), top_destinations=4)
>>> sol.status, bool(np.all(sol.destinations[env.snapshot().excess_per_s > 0] >= 0))
('optimal', True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from baselines.aamec.columns import build_columns
from baselines.aamec.path_milp import solve_columns
from satgym.aamec.routing import completion_weights
from satgym.aamec.simulator import NONE, SnapshotView

__all__ = ["OffloadingSolution", "solve_offloading"]


@dataclass(frozen=True, eq=False)
class OffloadingSolution:
    """``destinations`` ``(S,)`` MEC node (-1: none), ``routes`` ``(S,)`` node paths or None,
    ``feeders`` ``(G,)`` (-1: free), the objective (s) and solver facts."""

    destinations: np.ndarray
    routes: list[np.ndarray | None]
    feeders: np.ndarray
    objective_s: float
    status: str
    solve_time_s: float
    columns_time_s: float
    n_columns: int
    mip_gap: float = 0.0


def allowed_destinations(view: SnapshotView, sats: np.ndarray, top: int, fixed: dict[int, int] | None = None,
                         mec_filter: np.ndarray | None = None) -> list[np.ndarray]:
    """MEC nodes each satellite may use: its ``top`` cheapest (single-flow cost, among
    ``mec_filter``), or its fixed MEC index."""
    cost = view.candidates.cost_s
    out = []
    for s in sats:
        if fixed is not None and int(s) in fixed:
            out.append(view.mec_nodes[[fixed[int(s)]]])
            continue
        c = np.where(mec_filter, cost[s], np.inf) if mec_filter is not None else cost[s]
        order = np.argsort(c, kind="stable")[:top]
        out.append(view.mec_nodes[order[np.isfinite(c[order])]])
    return out


def solve_offloading(view: SnapshotView, top_destinations: int = 12, k_paths: int = 1,
                     fixed_destinations: dict[int, int] | None = None, mec_filter: np.ndarray | None = None,
                     late_penalty_s: float = 100.0, drop_cost_s: float = 10_000.0,
                     time_limit_s: float = 60.0, mip_rel_gap: float = 1e-4) -> OffloadingSolution:
    """Solve the snapshot. ``fixed_destinations``: satellite -> MEC index (the static approach);
    ``mec_filter`` ``(M,)`` bool: the MEC servers allowed (e.g. gateways only)."""
    topo = view.topology
    S, G = topo.n_sats, topo.n_gateways
    dest = np.full(S, NONE, dtype=np.int64)
    routes: list[np.ndarray | None] = [None] * S
    feeders = np.full(G, -1, dtype=np.int64)
    sats = np.flatnonzero(view.excess_per_s > 0)
    if sats.size == 0:
        return OffloadingSolution(dest, routes, feeders, 0.0, "optimal", 0.0, 0.0, 0)
    t0 = time.perf_counter()
    weights = np.stack([completion_weights(topo, float(view.data_mbit[s])) for s in sats])
    cols = build_columns(topo, sats, weights, allowed_destinations(view, sats, top_destinations, fixed_destinations,
                                                                   mec_filter), view.compute_s[sats], k_paths)
    t_cols = time.perf_counter() - t0
    cost = cols.cost_s + np.where(cols.cost_s > view.deadline_s, late_penalty_s, 0.0)
    chosen, objective, status, t_solve, gap = solve_columns(
        cols, sats.size, view.data_mbit[sats], topo.net.capacity_mbps, S, drop_cost_s, mec_nodes=view.mec_nodes,
        flow_tasks=view.excess_per_s[sats], mec_capacity=view.mec_capacity_per_s, cost_s=cost,
        time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap)
    for f in np.flatnonzero(chosen >= 0):
        c, s = chosen[f], int(sats[f])
        dest[s] = int(cols.dest[c])
        routes[s] = cols.nodes[c]
        if cols.feeder_gateway[c] >= 0:
            feeders[cols.feeder_gateway[c]] = cols.feeder_sat[c]
    return OffloadingSolution(dest, routes, feeders, objective, status, t_solve, t_cols, cols.n, gap)
