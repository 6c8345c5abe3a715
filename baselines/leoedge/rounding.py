"""Rounding of the relaxed LEOEdge decisions with a feasibility repair.

The relaxed ``y1, y3`` of Eqs. 18-22 are turned into one container per task
(or local) by capacity-checked proposal rounds, vectorised over tasks:

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

__all__ = ["propose_rounds", "round_and_repair"]

_TOL = 1e-12


def propose_rounds(pair_task: np.ndarray, pair_cont: np.ndarray, score: np.ndarray,
                   task_load: np.ndarray, residual: np.ndarray, decision: np.ndarray) -> None:
    """Greedy proposal rounds over candidate pairs; updates ``decision``/``residual`` in place."""
    while True:
        free = (decision[pair_task] < 0) & (task_load[pair_task] <= residual[pair_cont] + _TOL)
        idx = np.nonzero(free)[0]
        if idx.size == 0:
            return
        by_task = idx[np.lexsort((-score[idx], pair_task[idx]))]
        first = np.ones(by_task.size, dtype=bool)
        first[1:] = pair_task[by_task[1:]] != pair_task[by_task[:-1]]
        prop = by_task[first]                                   # one proposal per task
        prop = prop[np.lexsort((-score[prop], pair_cont[prop]))]
        cont = pair_cont[prop]
        w = task_load[pair_task[prop]]
        cum = np.cumsum(w)
        start = np.ones(prop.size, dtype=bool)
        start[1:] = cont[1:] != cont[:-1]
        offset = np.maximum.accumulate(np.where(start, cum - w, 0.0))
        accept = (cum - offset) <= residual[cont] + _TOL        # prefix that fits
        decision[pair_task[prop[accept]]] = cont[accept]
        residual -= np.bincount(cont[accept], weights=w[accept], minlength=residual.size)


def _station_objective(decision: np.ndarray, pair_task: np.ndarray, pair_cont: np.ndarray,
                       pair_value: np.ndarray, task_station: np.ndarray,
                       n_stations: int) -> np.ndarray:
    hit = decision[pair_task] == pair_cont
    return np.bincount(task_station[pair_task[hit]], weights=pair_value[hit],
                       minlength=n_stations)


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
    n_tasks = y1.size
    scale = max(float(pair_value.max(initial=0.0)), 1e-12)
    u_pair = task_load[pair_task]
    reduced = pair_value - nu[pair_cont] * u_pair
    plan = (y1[pair_task] >= 0.5) & (y3 > 0.0)
    phases = [[(plan, y3 + 1e-6 * pair_value / scale), (None, reduced)]]
    if best_of:
        phases += [[(None, reduced)], [(None, pair_value)],
                   [(None, pair_value / np.maximum(u_pair, 1e-12))]]
    best = np.full(n_tasks, -1, dtype=np.int64)
    best_obj = np.full(n_stations, -np.inf)
    for seq in phases:
        decision = np.full(n_tasks, -1, dtype=np.int64)
        res = np.array(residual, dtype=float)
        for mask, score in seq:
            m = slice(None) if mask is None else mask
            propose_rounds(pair_task[m], pair_cont[m], score[m], task_load, res, decision)
        obj = _station_objective(decision, pair_task, pair_cont, pair_value, task_station,
                                 n_stations)
        better = obj > best_obj + 1e-12
        take = better[task_station]
        best[take] = decision[take]
        best_obj = np.where(better, obj, best_obj)
    return best
