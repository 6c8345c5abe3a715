"""LBS-side 1-swap improvement of a feasible integral decision.

After rounding, each station's LBS tries, for every task left local (highest
advantage first), to make room for it in one of its containers by ejecting
one assigned task of lower value there, and re-placing the ejected task in
another container of the station where it fits. A swap is applied only when
it raises the station's Eq. 7 objective and every cap (Eq. 6) still holds, so
feasibility is preserved.

1-swaps stop at local optima of the multi-container packing (e.g. when the
optimum moves two small tasks one way and a large one the other to make room).
``restart_improve`` therefore restarts from several perturbed roundings
(proposal rounds by ``F / u^beta`` times log-normal noise, a fixed seed, so the
result is deterministic), improves each by 1-swaps and keeps, per station, the
best. Stations are independent and are processed one by
one; the loops are compiled with numba (``@njit(cache=True)``).

>>> import numpy as np
>>> value = np.array([[1.0, 0.0], [3.0, 0.5]])   # task 1 is worth more in container 0
>>> load = np.array([0.5, 0.5]); residual = np.array([0.0, 0.0])
>>> d = np.array([0, -1])
>>> swap_improve(d, value, load, residual, np.array([0, 0]), np.array([0, 0]))
>>> d, residual
(array([-1,  0]), array([0., 0.]))
"""

from __future__ import annotations

import numpy as np
from numba import njit

from baselines.leoedge.rounding import propose_rounds

__all__ = ["restart_improve", "swap_improve"]

_TOL = 1e-12


@njit(cache=True)
def _station_swaps(d: np.ndarray, vs: np.ndarray, u: np.ndarray, res: np.ndarray,
                   max_passes: int) -> None:
    """Swaps inside one station: ``vs`` (n_k, n_o) values, ``d`` local container ids.

    Waiting tasks are visited by best value, descending (stable sort: equal
    values in task order).
    """
    n_k, n_o = vs.shape
    row_max = np.zeros(n_k)
    for j in range(n_k):
        for o in range(n_o):
            if vs[j, o] > row_max[j]:
                row_max[j] = vs[j, o]
    assigned = np.empty(n_k, dtype=np.int64)
    gain = np.empty(n_k)
    re_o = np.empty(n_k, dtype=np.int64)
    for _ in range(max_passes):
        improved = False
        waiting = np.nonzero((d < 0) & (row_max > 0.0))[0]
        waiting = waiting[np.argsort(-row_max[waiting], kind="mergesort")]
        for j in waiting:
            o_fit, v_fit = -1, -np.inf
            for o in range(n_o):
                if u[j] <= res[o] + _TOL and vs[j, o] > 0.0 and vs[j, o] > v_fit:
                    o_fit, v_fit = o, vs[j, o]
            if o_fit >= 0:                                   # plain insert
                d[j] = o_fit
                res[o_fit] = res[o_fit] - u[j]
                improved = True
                continue
            n_a = 0
            for i in range(n_k):
                if d[i] >= 0:
                    assigned[n_a] = i
                    n_a += 1
            b, g_best = -1, -np.inf
            for ia in range(n_a):
                i = assigned[ia]
                ca = d[i]
                gain[ia] = -np.inf
                if not (vs[j, ca] > 0.0 and res[ca] + u[i] >= u[j] - _TOL):
                    continue
                # re-placement of the ejected task i in another container o2 != ca
                o2, v2 = -1, 0.0
                for o in range(n_o):
                    if (o != ca and u[i] <= res[o] + _TOL and vs[i, o] > 0.0
                            and (o2 < 0 or vs[i, o] > v2)):
                        o2, v2 = o, vs[i, o]
                re_o[ia] = o2
                gain[ia] = vs[j, ca] - vs[i, ca] + v2
                if b < 0 or gain[ia] > g_best:
                    b, g_best = ia, gain[ia]
            if b < 0 or g_best <= 1e-12:
                continue
            i, o, o2 = assigned[b], d[assigned[b]], re_o[b]
            res[o] += u[i] - u[j]
            d[j] = o
            d[i] = -1
            if o2 >= 0:
                d[i] = o2
                res[o2] = res[o2] - u[i]
            improved = True
        if not improved:
            return


@njit(cache=True)
def _swap_stations(decision: np.ndarray, value: np.ndarray, task_load: np.ndarray,
                   residual: np.ndarray, task_station: np.ndarray,
                   container_station: np.ndarray, eligible: np.ndarray,
                   max_passes: int) -> None:
    """``swap_improve`` with the eligible tasks given; stations in increasing order."""
    n_sta = 0
    for k in range(task_station.size):
        if eligible[k] and task_station[k] + 1 > n_sta:
            n_sta = task_station[k] + 1
    has = np.zeros(n_sta, dtype=np.bool_)
    for k in range(task_station.size):
        if eligible[k]:
            has[task_station[k]] = True
    local = np.full(container_station.size, -1, dtype=np.int64)
    for s in range(n_sta):
        if not has[s]:
            continue
        tk = np.nonzero(eligible & (task_station == s))[0]
        co = np.nonzero(container_station == s)[0]
        for c in range(co.size):
            local[co[c]] = c
        vs = np.empty((tk.size, co.size))
        d = np.empty(tk.size, dtype=np.int64)
        for a in range(tk.size):
            for c in range(co.size):
                vs[a, c] = value[tk[a], co[c]]
            d[a] = local[decision[tk[a]]] if decision[tk[a]] >= 0 else -1
        res = np.empty(co.size)
        for c in range(co.size):
            res[c] = residual[co[c]]
        _station_swaps(d, vs, task_load[tk], res, max_passes)
        for a in range(tk.size):
            decision[tk[a]] = co[d[a]] if d[a] >= 0 else -1
        for c in range(co.size):
            residual[co[c]] = res[c]
            local[co[c]] = -1


def swap_improve(decision: np.ndarray, value: np.ndarray, task_load: np.ndarray,
                 residual: np.ndarray, task_station: np.ndarray,
                 container_station: np.ndarray, max_passes: int = 2) -> None:
    """Improve ``decision`` in place (``residual`` is updated in place too).

    ``value`` is the (K, O) advantage ``F(z)`` (0 where ineligible), ``task_station``
    the station of each task (tasks whose row of ``value`` is all 0 are ignored).
    ``decision`` must be an int64 array and ``residual`` a float array (both written).
    """
    eligible = value.max(axis=1, initial=0.0) > 0.0
    _swap_stations(decision, np.asarray(value, dtype=float), np.asarray(task_load, dtype=float),
                   residual, np.asarray(task_station, dtype=np.int64),
                   np.asarray(container_station, dtype=np.int64), eligible, int(max_passes))


@njit(cache=True)
def _station_value(decision: np.ndarray, value: np.ndarray, task_station: np.ndarray,
                   n_stations: int) -> np.ndarray:
    out = np.zeros(n_stations)
    for k in range(decision.size):
        if decision[k] >= 0:
            out[task_station[k]] += value[k, decision[k]]
    return out


@njit(cache=True)
def _improved_restarts(best: np.ndarray, pk: np.ndarray, po: np.ndarray, scores: np.ndarray,
                       value: np.ndarray, task_load: np.ndarray, residual: np.ndarray,
                       task_station: np.ndarray, container_station: np.ndarray,
                       eligible: np.ndarray, n_stations: int) -> None:
    """One perturbed rounding + 1-swaps per row of ``scores``; ``best`` keeps, per
    station, the best decision seen (updated in place)."""
    best_obj = _station_value(best, value, task_station, n_stations)
    d = np.empty(best.size, dtype=np.int64)
    res = np.empty(residual.size)
    for r in range(scores.shape[0]):
        d[:] = -1
        res[:] = residual
        propose_rounds(pk, po, scores[r], task_load, res, d)
        _swap_stations(d, value, task_load, res, task_station, container_station, eligible, 2)
        obj = _station_value(d, value, task_station, n_stations)
        for k in range(best.size):
            if eligible[k] and obj[task_station[k]] > best_obj[task_station[k]] + 1e-12:
                best[k] = d[k]
        for s in range(n_stations):
            if obj[s] > best_obj[s] + 1e-12:
                best_obj[s] = obj[s]


def restart_improve(decision: np.ndarray, value: np.ndarray, task_load: np.ndarray,
                    residual: np.ndarray, task_station: np.ndarray,
                    container_station: np.ndarray, restarts: int = 16, sigma: float = 0.5,
                    seed: int = 0,
                    pairs: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Best per station of ``decision`` and ``restarts`` perturbed, 1-swap-improved roundings.

    ``residual`` is the room under the cap with *nothing* offloaded (``P - L_o``).
    Every candidate is built by capacity-checked proposals, so all caps hold.
    ``pairs`` may pass ``np.nonzero(value > 0)`` if the caller already has it.

    >>> value = np.array([[1.0], [1.0], [1.5]]); load = np.array([0.5, 0.5, 0.9])
    >>> restart_improve(np.array([-1, -1, 0]), value, load, np.array([1.0]),
    ...                 np.zeros(3, int), np.zeros(1, int), restarts=4)
    array([ 0,  0, -1])
    """
    n_stations = int(max(container_station.max(initial=0), task_station.max(initial=0))) + 1
    best = np.array(decision, dtype=np.int64)
    pk, po = np.nonzero(value > 0.0) if pairs is None else pairs
    if pk.size == 0 or restarts <= 0:
        return best
    rng = np.random.default_rng(seed)
    v, u = value[pk, po], np.maximum(task_load[pk], 1e-12)
    beta = (np.arange(restarts) % 4) / 3.0                    # F, F/u^(1/3), ..., F/u
    scores = v / u ** beta[:, None] * np.exp(sigma * rng.standard_normal((restarts, pk.size)))
    value = np.asarray(value, dtype=float)
    _improved_restarts(best, np.asarray(pk, dtype=np.int64), np.asarray(po, dtype=np.int64),
                       scores, value, np.asarray(task_load, dtype=float),
                       np.asarray(residual, dtype=float),
                       np.asarray(task_station, dtype=np.int64),
                       np.asarray(container_station, dtype=np.int64),
                       value.max(axis=1, initial=0.0) > 0.0, n_stations)
    return best
