"""The paper's per-slot problem P2 (Almekhlafi et al., Eqs. 21-30) over the env's candidate paths,
solved exactly with cvxpy and HiGHS after discretising resource blocks and CPU shares.

P2 is mixed-integer convex: binaries i_{u,k} (offloading path) and y_{u,k} (result path), the
fractions b (resource blocks) and f (CPU share), and the epigraph variables
vartheta >= 1 / b and varphi >= 1 / f (Eqs. 21-22) made exact for offloaded tasks and zero
otherwise by the disjunctive constraints (26)-(29). The env allocates whole resource blocks and
CPU shares on a grid (``b B_s = n``, ``f = l / C``), so here b and f range over that grid: one
binary ``z`` per resource-block count ``n`` and ``w`` per CPU level ``l``, with ``sum_n z = i``
and ``sum_l w = i`` (Eqs. 5, 8 and 20c-d). A task offloads over one path at most, so its
resource-block count is kept per (task, access satellite) and its CPU level per (task, computing
satellite), shared by its paths through them: the same problem with fewer binaries. Then
``vartheta = sum_n z B_s / n`` and ``varphi = sum_l w C / l`` hold with equality on the grid and
are 0 when ``i = 0``: the disjunction (26)-(29) without a big-M or epsilon, and every remaining
constraint is linear, so the discretised P2 is a MILP (HiGHS through cvxpy), and its optimum is
the exact optimum of the slot over the env's actions.

Constraints (rows ``i`` = the slot's tasks, ``k`` = their candidates, ``m`` = result paths):

* (1) ``sum_k i_{u,k} <= 1``; (2) ``sum y <= 1`` (the paper prints (1) twice; the second is the
  result-path one); (3), read with ``y_{u,k^}`` inside its sum: ``sum_m y_{u,k,m} = i_{u,k}`` (a
  result path that starts at the computing satellite s^_k);
* (4) summed over the paths whose *access* satellite is s (printed: over all paths): its resource
  blocks <= those left (B_s minus the blocks of earlier slots' uploads);
* (7) summed over the paths whose *computing* satellite is s (printed: 1[s_k^ = s], k in U): CPU
  shares <= 1 - F-bar_s, F-bar_s the share earlier slots' tasks still hold (unspecified in the paper);
* (16) upload + uplink propagation <= v^end of the access satellite;
* (15) tau^tr + tau^OP + tau^comp + tau^FP <= tau^max;
* (17) ready + tau^FP <= v^end of the result path's satellite (big-M: deadline + 1 s, inactive
  when y = 0), (18) v^start <= ready;
* objective (Eq. 19): ``sum i - alpha_1 sum (rho^tr + rho^comp) / rho^max - alpha_2 sum delay / tau^max``
  with rho^tr = p zeta / r (Eq. 10) and rho^comp = kappa X (f F)^2 (Eq. 12; on the grid,
  ``sum_l w kappa X (l F / C)^2``).

Grid points below what every path of a group needs to meet (15)-(16) with the most of the other
resource are left out (they could only be chosen infeasibly), and so are counts above what the
satellite has left; paths that cannot meet them at all get no variable. A
margin of 1 microsecond on the time constraints keeps HiGHS's feasibility tolerance from
admitting a task the env would judge late.

>>> import satgym
>>> env = satgym.parallel_env("arctic", {"episode": {"steps": 1}})
>>> _ = env.reset(seed=3)
>>> sol = solve_p2(env.slot_problem(), env.sim.rb_levels)
>>> sol.status, sol.admitted == int(sol.cand.size)
('optimal', True)
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from satgym.arctic.problem import SlotProblem
from satgym.core.constants import SPEED_OF_LIGHT_KM_S

__all__ = ["P2Solution", "solve_p2"]

_MARGIN_S = 1e-6


@dataclass(frozen=True)
class P2Solution:
    """The offloaded tasks (rows of the problem), their candidate, resource blocks and CPU level
    (1..C), result path index, the objective (Eq. 19), and the solver's report."""

    rows: np.ndarray
    cand: np.ndarray
    n_rb: np.ndarray
    cpu_level: np.ndarray
    fp_index: np.ndarray
    objective: float
    status: str
    solve_s: float
    n_binaries: int

    @property
    def admitted(self) -> int:
        return int(self.rows.size)


def _empty(status: str, solve_s: float = 0.0) -> P2Solution:
    z = np.zeros(0, np.int64)
    return P2Solution(z, z, z, z, z, 0.0, status, solve_s, 0)


def _ranges(q_group: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grid columns of groups: each group gets the values from the smallest ``lo`` of its paths to
    its ``hi``; returns (group of each column, value of each column, group's hi)."""
    n_groups = int(q_group.max()) + 1
    g_lo = np.full(n_groups, np.inf)
    np.minimum.at(g_lo, q_group, lo)
    g_hi = np.zeros(n_groups)
    np.maximum.at(g_hi, q_group, hi)
    counts = np.maximum(g_hi - g_lo + 1, 0).astype(np.int64)
    col_group = np.repeat(np.arange(n_groups), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    values = np.repeat(g_lo, counts).astype(np.int64) + (np.arange(col_group.size) - first)
    return col_group, values, g_hi


def _paths(p: SlotProblem, max_rb: int):
    """The paths that can meet (15)-(16) at some grid point, and the least RB count / CPU level each
    needs given the most of the other resource (``n_lo``, ``l_lo``) and the most it can get."""
    C = p.cpu_levels
    rows, cand = np.nonzero(p.valid)
    acc, comp = p.access[rows, cand], p.compute[rows, cand]
    bits, cycles, deadline = p.task_bits[rows], p.cycles[rows], p.deadline_s[rows] - _MARGIN_S
    r, f_hz = p.rate_per_rb_bps[rows, cand], p.cpu_hz[comp]
    uplink = p.uplink_km[rows, cand] / SPEED_OF_LIGHT_KM_S
    fp_min = np.where(p.fp_sat[rows, cand] >= 0, p.fp_prop_s[rows, cand], np.inf).min(axis=1)
    n_hi = np.minimum(p.rb_free[acc], max_rb)
    l_hi = np.floor(p.cpu_free[comp] * C + 1e-9).astype(np.int64)
    slack = deadline - p.op_prop_s(rows, cand) - fp_min
    with np.errstate(divide="ignore", invalid="ignore"):
        up_budget = np.minimum(slack - cycles / (np.maximum(l_hi, 1) / C * f_hz),
                               p.access_end_s[rows, cand] - _MARGIN_S - uplink)
        n_lo = np.where(up_budget > 0, np.ceil(bits / (r * up_budget) - 1e-9), np.inf)
        comp_budget = slack - bits / (np.maximum(n_hi, 1) * r)
        l_lo = np.where(comp_budget > 0, np.ceil(cycles * C / (f_hz * comp_budget) - 1e-9), np.inf)
    n_lo, l_lo = np.maximum(n_lo, 1), np.maximum(l_lo, 1)
    ok = (n_lo <= n_hi) & (l_lo <= l_hi) & (l_hi >= 1)
    return rows[ok], cand[ok], acc[ok], comp[ok], n_lo[ok], n_hi[ok], l_lo[ok], l_hi[ok]


def solve_p2(p: SlotProblem, max_rb: int, time_limit_s: float = 30.0, mip_rel_gap: float = 1e-7) -> P2Solution:
    """Solve the slot's discretised P2 (module docstring) with cvxpy + HiGHS; ``max_rb`` caps the
    resource blocks one request may ask for (the env's action range). ``mip_rel_gap`` is HiGHS's
    optimality tolerance (its default, 1e-4, would leave up to ~1e-3 of Eq. 19 on the table)."""
    import cvxpy as cp

    t0 = time.perf_counter()
    rows, cand, acc, comp, n_lo, n_hi, l_lo, l_hi = _paths(p, max_rb)
    nq, C = rows.size, p.cpu_levels
    if nq == 0:
        return _empty("optimal", time.perf_counter() - t0)
    # a task offloads over one path at most, so its resource-block count depends only on its access
    # satellite and its CPU level only on its computing satellite: the grid binaries are kept per
    # (task, access satellite) and per (task, computing satellite), shared by the task's paths there
    ga_key, q_ga = np.unique(np.stack([rows, acc], 1), axis=0, return_inverse=True)
    gc_key, q_gc = np.unique(np.stack([rows, comp], 1), axis=0, return_inverse=True)
    q_ga, q_gc = q_ga.ravel(), q_gc.ravel()
    zg, zn, _ = _ranges(q_ga, n_lo, n_hi)
    wg, wl, _ = _ranges(q_gc, l_lo, l_hi)
    ga_row, ga_sat, gc_row, gc_sat = ga_key[:, 0], ga_key[:, 1], gc_key[:, 0], gc_key[:, 1]
    r_ga = p.rate_per_rb_bps[rows, cand][np.unique(q_ga, return_index=True)[1]]  # r_{u,s}: the access satellite's
    bits, cycles, deadline = p.task_bits, p.cycles, p.deadline_s
    f_gc = p.cpu_hz[gc_sat]
    rho_max = p.energy_norm_j

    def sel(group: np.ndarray, n_groups: int, values=None):  # (n_groups x columns), values at (group[j], j)
        vals = np.ones(group.size) if values is None else values
        return sp.csr_matrix((vals, (group, np.arange(group.size))), shape=(n_groups, group.size))

    x = cp.Variable(nq, boolean=True)  # i_{u,k}
    z = cp.Variable(zg.size, boolean=True)  # b_{u,k} B_s = n, per (task, access satellite)
    w = cp.Variable(wg.size, boolean=True)  # f_{u,k} = l / C, per (task, computing satellite)
    yq, ym = np.nonzero(p.fp_sat[rows, cand] >= 0)
    y = cp.Variable(yq.size, boolean=True)  # y_{u,k,m}
    n_ga, n_gc = ga_key.shape[0], gc_key.shape[0]
    tau_tr = sel(zg, n_ga, bits[ga_row[zg]] / (zn * r_ga[zg])) @ z  # Eq. 24: zeta vartheta / (B_s r)
    tau_comp = sel(wg, n_gc, cycles[gc_row[wg]] * C / (wl * f_gc[wg])) @ w  # Eq. 25: X varphi / F
    op = p.op_prop_s(rows, cand)
    fp_prop = p.fp_prop_s[rows[yq], cand[yq], ym]
    q_to_ga, q_to_gc = sel(q_ga, n_ga).T, sel(q_gc, n_gc).T  # path -> its groups
    ready = q_to_ga @ tau_tr + q_to_gc @ tau_comp + cp.multiply(op, x)
    task_q, task_ga, task_gc, task_y = (sel(g, p.n_tasks) for g in (rows, ga_row, gc_row, rows[yq]))
    delay = task_ga @ tau_tr + task_gc @ tau_comp + task_q @ cp.multiply(op, x) + task_y @ cp.multiply(fp_prop, y)
    cons = [
        task_q @ x <= 1,  # (1)
        sel(zg, n_ga) @ z == sel(q_ga, n_ga) @ x,  # (5) with (20c): one RB count when offloading there
        sel(wg, n_gc) @ w == sel(q_gc, n_gc) @ x,  # (8) with (20d)
        sel(yq, nq) @ y == x,  # (2)-(3)
        delay <= deadline - _MARGIN_S,  # (15)
    ]
    sats_a, a_idx = np.unique(ga_sat, return_inverse=True)
    cons.append(sel(a_idx.ravel()[zg], sats_a.size, zn.astype(float)) @ z <= p.rb_free[sats_a])  # (4)
    sats_c, c_idx = np.unique(gc_sat, return_inverse=True)
    cons.append(sel(c_idx.ravel()[wg], sats_c.size, wl / C) @ w <= p.cpu_free[sats_c] + 1e-9)  # (7)
    end_ga = p.access_end_s[ga_row, _first_cand(rows, cand, q_ga, n_ga)]
    fin = np.flatnonzero(np.isfinite(end_ga))
    if fin.size:
        uplink = p.uplink_km[ga_row, _first_cand(rows, cand, q_ga, n_ga)] / SPEED_OF_LIGHT_KM_S
        on_ga = sel(q_ga, n_ga) @ x
        cons.append(tau_tr[fin] + cp.multiply(uplink[fin], on_ga[fin]) <= cp.multiply(end_ga[fin] - _MARGIN_S, on_ga[fin]))  # (16)
    ready_y = sel(yq, nq).T @ ready
    fp_end, fp_start = p.fp_end_s[rows[yq], cand[yq], ym], p.fp_start_s[rows[yq], cand[yq], ym]
    big_m = float(deadline.max()) + 1.0
    fin_y = np.flatnonzero(np.isfinite(fp_end))
    if fin_y.size:
        cons.append(ready_y[fin_y] + cp.multiply(fp_prop[fin_y] + big_m, y[fin_y])
                    <= fp_end[fin_y] - _MARGIN_S + big_m)  # (17)
    cons.append(cp.multiply(fp_start + _MARGIN_S, y) <= ready_y)  # (18)
    energy = ((p.tx_power_w * bits[rows] / p.rate_per_rb_bps[rows, cand] / rho_max[rows]) @ x  # Eq. 10 / rho^max
              + (p.kappa * cycles[gc_row[wg]] * (wl / C * f_gc[wg]) ** 2 / rho_max[gc_row[wg]]) @ w)  # Eq. 12
    objective = cp.sum(x) - p.alpha_energy * energy - p.alpha_delay * ((1.0 / deadline) @ delay)  # Eq. 19
    prob = cp.Problem(cp.Maximize(objective), cons)
    # one thread (runs are spread over processes) and no presolve: on these small models HiGHS's
    # presolve costs more than it saves (same optima, 2-4x faster at lambda = 5)
    prob.solve(solver=cp.HIGHS, time_limit=time_limit_s, mip_rel_gap=mip_rel_gap, threads=1, presolve="off",
               output_flag=False)
    solve_s = time.perf_counter() - t0
    status = {"optimal": "optimal", "optimal_inaccurate": "optimal", "user_limit": "time_limit"}.get(prob.status, prob.status)
    if x.value is None:
        return _empty(status, solve_s)
    chosen = np.flatnonzero(x.value > 0.5)
    n_of, l_of, m_of = np.zeros(n_ga, np.int64), np.zeros(n_gc, np.int64), np.zeros(nq, np.int64)
    zv, wv, yv = z.value > 0.5, w.value > 0.5, y.value > 0.5
    n_of[zg[zv]], l_of[wg[wv]], m_of[yq[yv]] = zn[zv], wl[wv], ym[yv]
    return P2Solution(rows=rows[chosen], cand=cand[chosen], n_rb=n_of[q_ga[chosen]], cpu_level=l_of[q_gc[chosen]],
                      fp_index=m_of[chosen], objective=float(prob.value), status=status, solve_s=solve_s,
                      n_binaries=nq + zg.size + wg.size + yq.size)


def _first_cand(rows: np.ndarray, cand: np.ndarray, q_group: np.ndarray, n_groups: int) -> np.ndarray:
    """A candidate index of each group's first path (per-(task, access) quantities are the same on all)."""
    first = np.full(n_groups, -1, np.int64)
    order = np.arange(q_group.size)[::-1]
    first[q_group[order]] = cand[order]
    return first
