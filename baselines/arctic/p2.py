"""The paper's per-slot problem P2 (Almekhlafi et al., Eqs. 21-30) over the env's candidate paths,
solved exactly with cvxpy and HiGHS after discretising resource blocks and CPU shares.

P2 is mixed-integer convex: binaries i_{u,k} (offloading path) and y_{u,k} (result path), the
fractions b (resource blocks) and f (CPU share), and the epigraph variables
vartheta >= 1 / b and varphi >= 1 / f (Eqs. 21-22) made exact for offloaded tasks and zero
otherwise by the disjunctive constraints (26)-(29). The env allocates whole resource blocks and
CPU shares on a grid (``b B_s = n``, ``f = l / C``), so here b and f range over that grid: one
binary ``z`` per resource-block count ``n`` and ``w`` per CPU level ``l`` of each (task, path),
with ``sum_n z = i`` and ``sum_l w = i`` (Eqs. 5, 8 and 20c-d). Then
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

Grid points that cannot meet (15)-(16) even with the most of the other resource are left out
(they could only be chosen infeasibly), and so are counts above what the satellite has left. A
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


def _columns(p: SlotProblem, max_rb: int):
    """The binaries of P2 on the grid, as index arrays: paths (i, k), RB counts, CPU levels, result paths."""
    C = p.cpu_levels
    rows, cand = np.nonzero(p.valid)
    acc, comp = p.access[rows, cand], p.compute[rows, cand]
    bits, cycles, deadline = p.task_bits[rows], p.cycles[rows], p.deadline_s[rows] - _MARGIN_S
    r = p.rate_per_rb_bps[rows, cand]
    f_hz = p.cpu_hz[comp]
    op = p.op_prop_s(rows, cand)
    uplink = p.uplink_km[rows, cand] / SPEED_OF_LIGHT_KM_S
    fp_min = np.where(p.fp_sat[rows, cand] >= 0, p.fp_prop_s[rows, cand], np.inf).min(axis=1)
    n_hi = np.minimum(p.rb_free[acc], max_rb)
    l_hi = np.floor(p.cpu_free[comp] * C + 1e-9).astype(np.int64)
    # least resources that can still meet (15)-(16) with the most of the other one
    slack = deadline - op - fp_min
    with np.errstate(divide="ignore", invalid="ignore"):
        comp_best = cycles / (np.maximum(l_hi, 1) / C * f_hz)
        up_budget = np.minimum(slack - comp_best, p.access_end_s[rows, cand] - _MARGIN_S - uplink)
        n_lo = np.where(up_budget > 0, np.ceil(bits / (r * up_budget) - 1e-9), np.inf)
        tr_best = bits / (np.maximum(n_hi, 1) * r)
        comp_budget = slack - tr_best
        l_lo = np.where(comp_budget > 0, np.ceil(cycles * C / (f_hz * comp_budget) - 1e-9), np.inf)
    n_lo, l_lo = np.maximum(n_lo, 1), np.maximum(l_lo, 1)
    ok = (n_lo <= n_hi) & (l_lo <= l_hi) & (l_hi >= 1)
    paths = np.flatnonzero(ok)
    zp = np.concatenate([np.full(int(n_hi[q] - n_lo[q] + 1), q) for q in paths]) if paths.size else np.zeros(0, np.int64)
    zn = np.concatenate([np.arange(int(n_lo[q]), int(n_hi[q]) + 1) for q in paths]) if paths.size else np.zeros(0, np.int64)
    wp = np.concatenate([np.full(int(l_hi[q] - l_lo[q] + 1), q) for q in paths]) if paths.size else np.zeros(0, np.int64)
    wl = np.concatenate([np.arange(int(l_lo[q]), int(l_hi[q]) + 1) for q in paths]) if paths.size else np.zeros(0, np.int64)
    yp, ym = np.nonzero(p.fp_sat[rows, cand] >= 0)
    keep_y = ok[yp]
    return rows, cand, acc, comp, paths, (zp, zn), (wp, wl), (yp[keep_y], ym[keep_y])


def solve_p2(p: SlotProblem, max_rb: int, time_limit_s: float = 30.0, mip_rel_gap: float = 1e-7) -> P2Solution:
    """Solve the slot's discretised P2 (module docstring) with cvxpy + HiGHS; ``max_rb`` caps the
    resource blocks one request may ask for (the env's action range). ``mip_rel_gap`` is HiGHS's
    optimality tolerance (its default, 1e-4, would leave up to ~1e-3 of Eq. 19 on the table)."""
    import cvxpy as cp

    t0 = time.perf_counter()
    rows, cand, acc, comp, paths, (zp, zn), (wp, wl), (yp, ym) = _columns(p, max_rb)
    if paths.size == 0:
        return _empty("optimal", time.perf_counter() - t0)
    nq, C = rows.size, p.cpu_levels
    bits, cycles, deadline = p.task_bits[rows], p.cycles[rows], p.deadline_s[rows]
    r = p.rate_per_rb_bps[rows, cand]
    f_hz = p.cpu_hz[comp]
    rho_max = p.energy_norm_j[rows]

    def sel(idx, n_cols, values=None):  # (nq x n_cols) matrix with entry values[j] at (idx[j], j)
        vals = np.ones(idx.size) if values is None else values
        return sp.csr_matrix((vals, (idx, np.arange(idx.size))), shape=(nq, n_cols))

    x = cp.Variable(nq, boolean=True)  # i_{u,k}
    z = cp.Variable(zp.size, boolean=True)  # b_{u,k} B_s = n (RB count on the grid)
    w = cp.Variable(wp.size, boolean=True)  # f_{u,k} = l / C (CPU level on the grid)
    y = cp.Variable(yp.size, boolean=True)  # y_{u,k,m}
    tau_tr = sel(zp, zp.size, bits[zp] / (zn * r[zp])) @ z  # Eq. 24: zeta vartheta / (B_s r)
    tau_comp = sel(wp, wp.size, cycles[wp] * C / (wl * f_hz[wp])) @ w  # Eq. 25: X varphi / F
    op = p.op_prop_s(rows, cand)
    ready = tau_tr + tau_comp + cp.multiply(op, x)
    fp_prop = p.fp_prop_s[rows[yp], cand[yp], ym]
    tau_fp = sel(yp, yp.size, fp_prop) @ y  # Eq. 14
    user_rows = sp.csr_matrix((np.ones(nq), (rows, np.arange(nq))), shape=(p.n_tasks, nq))
    unused = np.setdiff1d(np.arange(nq), paths)
    cons = [
        user_rows @ x <= 1,  # (1)
        sel(zp, zp.size) @ z == x,  # (5) with (20c): one RB count per offloaded task, none otherwise
        sel(wp, wp.size) @ w == x,  # (8) with (20d)
        sel(yp, yp.size) @ y == x,  # (2)-(3)
        ready + tau_fp <= cp.multiply(deadline - _MARGIN_S, x),  # (15)
    ]
    if unused.size:
        cons.append(x[unused] == 0)
    sats_a, a_idx = np.unique(acc, return_inverse=True)
    cons.append(sp.csr_matrix((zn.astype(float), (a_idx[zp], np.arange(zp.size))), shape=(sats_a.size, zp.size)) @ z
                <= p.rb_free[sats_a])  # (4)
    sats_c, c_idx = np.unique(comp, return_inverse=True)
    cons.append(sp.csr_matrix((wl / C, (c_idx[wp], np.arange(wp.size))), shape=(sats_c.size, wp.size)) @ w
                <= p.cpu_free[sats_c] + 1e-9)  # (7)
    end = p.access_end_s[rows, cand]
    fin = np.flatnonzero(np.isfinite(end))
    if fin.size:
        uplink = p.uplink_km[rows, cand] / SPEED_OF_LIGHT_KM_S
        cons.append(tau_tr[fin] + cp.multiply(uplink[fin], x[fin]) <= cp.multiply(end[fin] - _MARGIN_S, x[fin]))  # (16)
    pick = sp.csr_matrix((np.ones(yp.size), (np.arange(yp.size), yp)), shape=(yp.size, nq))  # y -> its path
    ready_y = pick @ ready
    fp_end, fp_start = p.fp_end_s[rows[yp], cand[yp], ym], p.fp_start_s[rows[yp], cand[yp], ym]
    big_m = float(deadline.max()) + 1.0
    fin_y = np.flatnonzero(np.isfinite(fp_end))
    if fin_y.size:
        cons.append(ready_y[fin_y] + cp.multiply(fp_prop[fin_y] + big_m, y[fin_y])
                    <= fp_end[fin_y] - _MARGIN_S + big_m)  # (17)
    cons.append(cp.multiply(fp_start + _MARGIN_S, y) <= ready_y)  # (18)
    energy = ((p.tx_power_w * bits / r / rho_max) @ x  # Eq. 10, normalised by rho^max
              + (p.kappa * cycles[wp] * (wl / C * f_hz[wp]) ** 2 / rho_max[wp]) @ w)  # Eq. 12
    delay = (1.0 / deadline) @ (ready + tau_fp)  # Eq. 15's terms over tau^max
    objective = cp.sum(x) - p.alpha_energy * energy - p.alpha_delay * delay  # Eq. 19
    prob = cp.Problem(cp.Maximize(objective), cons)
    prob.solve(solver=cp.HIGHS, time_limit=time_limit_s, mip_rel_gap=mip_rel_gap, output_flag=False)
    solve_s = time.perf_counter() - t0
    status = {"optimal": "optimal", "optimal_inaccurate": "optimal", "user_limit": "time_limit"}.get(prob.status, prob.status)
    if x.value is None:
        return _empty(status, solve_s)
    chosen = np.flatnonzero(x.value > 0.5)
    zv, wv, yv = z.value > 0.5, w.value > 0.5, y.value > 0.5
    n_of, l_of, m_of = (np.zeros(nq, np.int64) for _ in range(3))
    n_of[zp[zv]], l_of[wp[wv]], m_of[yp[yv]] = zn[zv], wl[wv], ym[yv]
    return P2Solution(rows=rows[chosen], cand=cand[chosen], n_rb=n_of[chosen], cpu_level=l_of[chosen],
                      fp_index=m_of[chosen], objective=float(prob.value), status=status, solve_s=solve_s,
                      n_binaries=nq + zp.size + wp.size + yp.size)
