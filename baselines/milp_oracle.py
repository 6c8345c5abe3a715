"""Exact oracle: one scheduling round (Eqs. 6-8) as a MILP solved by HiGHS.

Binary ``y[k, o]`` exists only for eligible pairs (task can reach the
container's station and ``F(z[k, o]) > 0``; other pairs cannot add value and
are fixed to 0). Rows: one assignment row per task (``sum_o y <= 1``), one cap
row per container (Eq. 6), per server and per station (Eq. 8, see
``baselines.offloading_problem`` for the load definitions). The matrix is built
with ``scipy.sparse`` and handed to ``scipy.optimize.milp``.

>>> from baselines.offloading_problem import random_problem
>>> p = random_problem(np.random.default_rng(0), n_tasks=8)
>>> r = solve_milp(p)
>>> r.status, p.check(r.decision)
('optimal', [])
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from baselines.offloading_problem import OffloadProblem

__all__ = ["MilpResult", "MilpTooLargeError", "solve_milp"]

_STATUS = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "error"}


class MilpTooLargeError(RuntimeError):
    """The instance exceeds ``max_binaries`` or the solver found no incumbent in time."""


@dataclass(frozen=True)
class MilpResult:
    """Outcome of ``solve_milp``.

    ``gap`` is ``(bound - objective) / max(|objective|, 1e-9)`` (0 when proved optimal);
    ``status`` is one of optimal, time_limit, infeasible, unbounded, error.
    """

    decision: np.ndarray
    objective: float
    bound: float
    gap: float
    status: str
    solve_time_s: float
    n_binaries: int


def _constraints(p: OffloadProblem, pk: np.ndarray, po: np.ndarray) -> LinearConstraint:
    n = pk.size
    u = p.task_load[pk]
    col = np.arange(n)
    n_cont_srv = np.bincount(p.container_server, minlength=p.n_servers)
    n_srv_sta = np.maximum(np.bincount(p.server_station, minlength=p.n_stations), 1)
    srv = p.container_server[po]
    sta = p.container_station[po]
    blocks = [
        sp.csr_matrix((np.ones(n), (pk, col)), shape=(p.n_tasks, n)),          # sum_o y <= 1
        sp.csr_matrix((u, (po, col)), shape=(p.n_containers, n)),              # Eq. 6
        sp.csr_matrix((u / n_cont_srv[srv], (srv, col)), shape=(p.n_servers, n)),   # Eq. 8, L_s
        sp.csr_matrix((u / n_cont_srv[srv] / n_srv_sta[sta], (sta, col)),
                      shape=(p.n_stations, n)),                                # Eq. 8, L_S
    ]
    _, l_s, l_sta = p.loads(np.full(p.n_tasks, -1))
    ub = np.concatenate([np.ones(p.n_tasks), p.residual,
                         p.load_cap - l_s, p.load_cap - l_sta]) + 1e-12
    return LinearConstraint(sp.vstack(blocks, format="csr"), -np.inf, ub)


def _repair(p: OffloadProblem, decision: np.ndarray) -> np.ndarray:
    """Make a rounded HiGHS solution pass the problem's own check.

    HiGHS accepts a row within its primal feasibility tolerance (1e-7), the problem checks loads
    against P within 1e-9: a solution that fills a container to within 1e-7 above P is
    accepted by the solver but not by :meth:`OffloadProblem.check`. Take the least valuable
    task off an over-full container until every cap holds (rarely more than one task, and only
    a tolerance-sized excess)."""
    d = decision.copy()
    while p.check(d):
        l_o, l_s, l_sta = p.loads(d)
        cap = p.load_cap + 1e-9
        over = (l_o > cap) | (l_s[p.container_server] > cap) | (l_sta[p.container_station] > cap)
        cand = np.flatnonzero((d >= 0) & over[np.maximum(d, 0)])
        if cand.size == 0:  # a violation that is not a load (cannot happen for a solver output)
            raise RuntimeError(f"HiGHS returned an infeasible decision: {p.check(d)[:3]}")
        k = cand[np.argmin(p.value[cand, d[cand]])]
        d[k] = -1
    return d


def solve_milp(problem: OffloadProblem, time_limit_s: float = 60.0,
               mip_rel_gap: float = 1e-6, max_binaries: int = 2_000_000) -> MilpResult:
    """Solve the round exactly (up to ``mip_rel_gap``) within ``time_limit_s``.

    Raises ``MilpTooLargeError`` when the instance has more than ``max_binaries``
    eligible pairs, or when HiGHS hits the time limit without any feasible
    incumbent (the instance is too big for the limit).
    """
    pk, po = problem.pairs
    n = int(pk.size)
    if n > max_binaries:
        raise MilpTooLargeError(f"{n} binaries > max_binaries={max_binaries}; "
                                "raise the limit or split the round by station")
    t0 = time.perf_counter()
    if n == 0:
        return MilpResult(np.full(problem.n_tasks, -1), 0.0, 0.0, 0.0, "optimal",
                          time.perf_counter() - t0, 0)
    c = -problem.value[pk, po]
    res = milp(c, constraints=_constraints(problem, pk, po), integrality=np.ones(n),
               bounds=Bounds(0.0, 1.0),
               options={"time_limit": float(time_limit_s), "mip_rel_gap": mip_rel_gap,
                        "disp": False})
    elapsed = time.perf_counter() - t0
    status = _STATUS.get(res.status, "error")
    if res.x is None:
        if status == "time_limit":
            raise MilpTooLargeError(f"no feasible incumbent after {time_limit_s} s "
                                    f"({n} binaries): instance too big for the time limit")
        raise RuntimeError(f"HiGHS failed: status={status} ({res.message})")
    chosen = res.x > 0.5
    decision = np.full(problem.n_tasks, -1, dtype=np.int64)
    decision[pk[chosen]] = po[chosen]
    decision = _repair(problem, decision)
    obj = problem.objective(decision)
    bound = -float(getattr(res, "mip_dual_bound", -obj) or -obj)
    bound = max(bound, obj)
    gap = 0.0 if status == "optimal" else (bound - obj) / max(abs(obj), 1e-9)
    return MilpResult(decision, obj, bound, gap, status, elapsed, n)
