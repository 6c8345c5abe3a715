"""Rounding of the relaxed LEOEdge decisions with a feasibility repair.

The relaxed ``y1, y3`` of Eqs. 18-22 are turned into one container per task
(or local) by capacity-checked proposal rounds (loops compiled with numba):

1. every unassigned task proposes to its best container that still has room
   for it (``u_k <= P - L_o``); each container accepts proposals in score order
   while the cumulative load fits; rejected tasks propose again next round;
2. phase 1 uses the relaxed plan (tasks with ``y1 >= 1/2``, score ``y3``);
   phase 2 fills the remaining room with any task of positive advantage, by
   reduced value ``F - nu_o u_k`` (the final container prices).

Because a container only accepts what fits, the caps of Eq. 6 (and so Eq. 8)
hold by construction.

>>> import numpy as np
>>> d = np.full(2, -1); res = np.array([0.5])
>>> propose_rounds(np.array([0, 1]), np.array([0, 0]), np.array([2.0, 1.0]),
...                np.array([0.3, 0.3]), res, d)
>>> d, res
(array([ 0, -1]), array([0.2]))
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["propose_rounds", "round_and_repair"]

_TOL = 1e-12


@njit(cache=True)
def propose_rounds(pair_task: np.ndarray, pair_cont: np.ndarray, score: np.ndarray,
                   task_load: np.ndarray, residual: np.ndarray, decision: np.ndarray) -> None:
    """Greedy proposal rounds over candidate pairs; updates ``decision``/``residual`` in place.

    Per round: every unassigned task proposes its best-scoring pair with room
    (ties: first pair); proposals are ordered by (container, score descending,
    task) and each container accepts the prefix whose cumulative load fits.
    Sums run in one fixed order (one running ``cumsum`` over all proposals;
    per-container accepted loads summed, then subtracted), so results are reproducible.
    """
    n_tasks, n_cont = decision.size, residual.size
    best = np.full(n_tasks, -1, dtype=np.int64)
    taken = np.zeros(n_cont)
    while True:
        n_prop = 0
        for p in range(pair_task.size):
            k = pair_task[p]
            if decision[k] < 0 and task_load[k] <= residual[pair_cont[p]] + _TOL:
                b = best[k]
                if b < 0:
                    n_prop += 1
                    best[k] = p
                elif score[p] > score[b]:
                    best[k] = p
        if n_prop == 0:
            return
        prop = np.empty(n_prop, dtype=np.int64)            # one proposal per task, by task
        j = 0
        for k in range(n_tasks):
            if best[k] >= 0:
                prop[j] = best[k]
                best[k] = -1
                j += 1
        neg = np.empty(n_prop)
        for j in range(n_prop):
            neg[j] = -score[prop[j]]
        prop = prop[np.argsort(neg, kind="mergesort")]      # score descending, stable
        count = np.zeros(n_cont + 1, dtype=np.int64)       # stable counting sort by container
        for j in range(n_prop):
            count[pair_cont[prop[j]] + 1] += 1
        for o in range(n_cont):
            count[o + 1] += count[o]
        order = np.empty(n_prop, dtype=np.int64)
        for j in range(n_prop):
            o = pair_cont[prop[j]]
            order[count[o]] = prop[j]
            count[o] += 1
        cum, offset, prev = 0.0, 0.0, -1
        taken[:] = 0.0
        for j in range(n_prop):
            p = order[j]
            k, o = pair_task[p], pair_cont[p]
            w = task_load[k]
            cum += w
            if o != prev:                                    # first proposal to container o
                start = cum - w
                offset = offset if offset >= start else start
                prev = o
            if cum - offset <= residual[o] + _TOL:           # prefix that fits
                decision[k] = o
                taken[o] += w
        for o in range(n_cont):
            residual[o] -= taken[o]


@njit(cache=True)
def _station_objective(decision: np.ndarray, pair_task: np.ndarray, pair_cont: np.ndarray,
                       pair_value: np.ndarray, task_station: np.ndarray,
                       n_stations: int) -> np.ndarray:
    out = np.zeros(n_stations)
    for p in range(pair_task.size):
        if decision[pair_task[p]] == pair_cont[p]:
            out[task_station[pair_task[p]]] += pair_value[p]
    return out


@njit(cache=True)
def _propose_subset(mask: np.ndarray, pair_task: np.ndarray, pair_cont: np.ndarray,
                    score: np.ndarray, task_load: np.ndarray, residual: np.ndarray,
                    decision: np.ndarray) -> None:
    """``propose_rounds`` on the pairs where ``mask`` holds (in pair order)."""
    idx = np.nonzero(mask)[0]
    propose_rounds(pair_task[idx], pair_cont[idx], score[idx], task_load, residual, decision)


@njit(cache=True)
def _round_candidates(pair_task: np.ndarray, pair_cont: np.ndarray, pair_value: np.ndarray,
                      task_load: np.ndarray, residual: np.ndarray, y1: np.ndarray,
                      y3: np.ndarray, nu: np.ndarray, task_station: np.ndarray,
                      n_stations: int, best_of: bool, scale: float) -> np.ndarray:
    """Candidates ``plan``, ``reduced``, ``value``, ``density`` (see ``round_and_repair``)."""
    n_tasks, n_pairs = y1.size, pair_task.size
    u_pair = np.empty(n_pairs)
    reduced = np.empty(n_pairs)
    plan = np.empty(n_pairs, dtype=np.bool_)
    plan_score = np.empty(n_pairs)
    density = np.empty(n_pairs)
    for p in range(n_pairs):
        u = task_load[pair_task[p]]
        u_pair[p] = u
        reduced[p] = pair_value[p] - nu[pair_cont[p]] * u      # F - nu_o u_k
        plan[p] = (y1[pair_task[p]] >= 0.5) and (y3[p] > 0.0)   # relaxed plan
        plan_score[p] = y3[p] + 1e-6 * pair_value[p] / scale
        density[p] = pair_value[p] / (u if u >= 1e-12 else 1e-12)
    best = np.full(n_tasks, -1, dtype=np.int64)
    best_obj = np.full(n_stations, -np.inf)
    decision = np.empty(n_tasks, dtype=np.int64)
    res = np.empty(residual.size)
    for cand in range(4 if best_of else 1):
        decision[:] = -1
        res[:] = residual
        if cand == 0:                                       # plan, then fill by reduced value
            _propose_subset(plan, pair_task, pair_cont, plan_score, task_load, res, decision)
            propose_rounds(pair_task, pair_cont, reduced, task_load, res, decision)
        elif cand == 1:
            propose_rounds(pair_task, pair_cont, reduced, task_load, res, decision)
        elif cand == 2:
            propose_rounds(pair_task, pair_cont, pair_value, task_load, res, decision)
        else:
            propose_rounds(pair_task, pair_cont, density, task_load, res, decision)
        obj = _station_objective(decision, pair_task, pair_cont, pair_value, task_station,
                                 n_stations)
        for k in range(n_tasks):                            # each LBS keeps its best
            s = task_station[k]
            if obj[s] > best_obj[s] + 1e-12:
                best[k] = decision[k]
        for s in range(n_stations):
            if obj[s] > best_obj[s] + 1e-12:
                best_obj[s] = obj[s]
    return best


def round_and_repair(pair_task: np.ndarray, pair_cont: np.ndarray, pair_value: np.ndarray,
                     task_load: np.ndarray, residual: np.ndarray, y1: np.ndarray,
                     y3: np.ndarray, nu: np.ndarray, task_station: np.ndarray,
                     n_stations: int, best_of: bool = True) -> np.ndarray:
    """Integral decision (container or -1) from relaxed ``y1``, ``y3`` and prices ``nu``.

    Candidate roundings, each a sequence of proposal phases:

    * ``plan``: relaxed plan (``y1 >= 1/2``, score ``y3``), then fill by reduced value;
    * ``reduced``: fill by reduced value ``F - nu_o u_k`` only;
    * ``value`` / ``density``: price-free fills by ``F`` and by ``F / u_k``.

    With ``best_of`` each station's LBS keeps the candidate that scores best on
    its own tasks (stations share no container, so mixing them stays feasible);
    otherwise only ``plan`` is used.
    """
    scale = max(float(pair_value.max(initial=0.0)), 1e-12)
    return _round_candidates(pair_task, pair_cont, np.asarray(pair_value, dtype=float),
                             np.asarray(task_load, dtype=float),
                             np.asarray(residual, dtype=float), y1, y3, nu, task_station,
                             int(n_stations), bool(best_of), scale)
