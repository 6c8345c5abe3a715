"""The single-path routing MILP shared by the AA-MEC optimisations, over enumerated columns.

Binary ``x_c`` per column (flow, destination, path), ``u_f`` per flow (unserved), ``y_{s',g}`` per
(feeder satellite, gateway) some column uses. Minimise ``sum_c cost_c x_c + drop_cost sum_f u_f``
subject to

* one column or ``u_f`` per flow (Eqs. 8 / 21);
* link capacity: ``sum_{c uses e} D_f x_c <= B_e`` (Eqs. 11 / 24);
* a gateway links to at most one satellite: ``sum_{s'} y_{s',g} <= 1`` (Eqs. 12 / 25);
* a flow reaches a gateway through its feeder only: ``sum_{c of f via (s',g)} x_c <= y_{s',g}``
  (Eqs. 13 / 26);
* optionally MEC capacity: ``sum_{c to m} n_f x_c <= C_m`` (tasks/s).

Solved by HiGHS through ``scipy.optimize.milp``.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from baselines.aamec.columns import Columns

__all__ = ["ColumnSolution", "solve_columns"]

_STATUS = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "error"}


class ColumnSolution(NamedTuple):
    """Chosen column per flow (-1: unserved), objective (s), HiGHS status, solve time (s) and the
    relative MIP gap HiGHS reports (0 when proved optimal; above ``mip_rel_gap`` at a time limit)."""

    chosen: np.ndarray
    objective: float
    status: str
    solve_time_s: float
    mip_gap: float


def solve_columns(cols: Columns, n_flows: int, flow_mbps: np.ndarray, capacity_mbps: np.ndarray, n_sats: int,
                  drop_cost_s: float, mec_nodes: np.ndarray | None = None, flow_tasks: np.ndarray | None = None,
                  mec_capacity: np.ndarray | None = None, cost_s: np.ndarray | None = None,
                  time_limit_s: float = 60.0, mip_rel_gap: float = 1e-4) -> ColumnSolution:
    """Solve; ``cost_s`` overrides ``cols.cost_s`` in the objective (e.g. with a lateness penalty)."""
    C, F = cols.n, n_flows
    cost = cols.cost_s if cost_s is None else np.asarray(cost_s, dtype=float)
    uses = np.flatnonzero(cols.feeder_gateway >= 0)
    pairs, pair_of = np.unique(cols.feeder_gateway[uses] * n_sats + cols.feeder_sat[uses], return_inverse=True)
    Y = pairs.size
    n_var = C + F + Y
    col = np.arange(C)
    blocks, lo, hi = [], [], []

    def add(block_c, block_y, low, high):
        rows = block_c.shape[0]
        blocks.append(sp.hstack([block_c, sp.csr_matrix((rows, F)),
                                 block_y if block_y is not None else sp.csr_matrix((rows, Y))]))
        lo.append(low)
        hi.append(high)

    # one column or u per flow
    blocks.append(sp.hstack([sp.csr_matrix((np.ones(C), (cols.flow, col)), shape=(F, C)), sp.identity(F),
                             sp.csr_matrix((F, Y))]))
    lo.append(np.ones(F))
    hi.append(np.ones(F))
    lengths = np.fromiter((a.size for a in cols.arcs), dtype=np.int64, count=C)
    if lengths.sum():  # link capacity
        flat = np.concatenate(cols.arcs)
        used, arc_row = np.unique(flat, return_inverse=True)
        a_cap = sp.csr_matrix((np.repeat(np.asarray(flow_mbps, dtype=float)[cols.flow], lengths),
                               (arc_row, np.repeat(col, lengths))), shape=(used.size, C))
        add(a_cap, None, np.full(used.size, -np.inf), np.asarray(capacity_mbps, dtype=float)[used])
    if Y:  # one feeder per gateway; flows to a gateway through its feeder
        g_rows, g_of = np.unique(pairs // n_sats, return_inverse=True)
        add(sp.csr_matrix((g_rows.size, C)), sp.csr_matrix((np.ones(Y), (g_of, np.arange(Y))), shape=(g_rows.size, Y)),
            np.full(g_rows.size, -np.inf), np.ones(g_rows.size))
        keys, r_of = np.unique(cols.flow[uses] * Y + pair_of, return_inverse=True)
        add(sp.csr_matrix((np.ones(uses.size), (r_of, uses)), shape=(keys.size, C)),
            sp.csr_matrix((-np.ones(keys.size), (np.arange(keys.size), keys % Y)), shape=(keys.size, Y)),
            np.full(keys.size, -np.inf), np.zeros(keys.size))
    if mec_nodes is not None and flow_tasks is not None and mec_capacity is not None:
        m_of = np.searchsorted(mec_nodes, cols.dest)
        add(sp.csr_matrix((np.asarray(flow_tasks, dtype=float)[cols.flow], (m_of, col)), shape=(mec_nodes.size, C)),
            None, np.full(mec_nodes.size, -np.inf), np.asarray(mec_capacity, dtype=float))
    c_vec = np.concatenate([cost, np.full(F, float(drop_cost_s)), np.zeros(Y)])
    A = sp.vstack(blocks, format="csr")
    t0 = time.perf_counter()
    res = milp(c_vec, constraints=LinearConstraint(A, np.concatenate(lo), np.concatenate(hi) + 1e-9),
               integrality=np.ones(n_var), bounds=Bounds(0.0, 1.0),
               options={"time_limit": float(time_limit_s), "mip_rel_gap": mip_rel_gap, "disp": False})
    elapsed = time.perf_counter() - t0
    status = _STATUS.get(res.status, "error")
    if res.x is None:
        raise RuntimeError(f"HiGHS found no solution ({status}: {res.message})")
    chosen = np.full(F, -1, dtype=np.int64)
    pick = np.flatnonzero(res.x[:C] > 0.5)
    chosen[cols.flow[pick]] = pick
    gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
    return ColumnSolution(chosen, float(res.fun), status, elapsed, gap)
