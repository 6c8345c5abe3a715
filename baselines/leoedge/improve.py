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
one; the work per station is vectorised over its tasks and containers.

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

from baselines.leoedge.rounding import propose_rounds

__all__ = ["restart_improve", "swap_improve"]

_TOL = 1e-12


def _station_swaps(d: np.ndarray, vs: np.ndarray, u: np.ndarray, res: np.ndarray,
                   max_passes: int) -> None:
    """Swaps inside one station: ``vs`` (n_k, n_o) values, ``d`` local container ids."""
    n_o = vs.shape[1]
    cols = np.arange(n_o)
    for _ in range(max_passes):
        improved = False
        waiting = np.nonzero((d < 0) & (vs.max(axis=1, initial=0.0) > 0.0))[0]
        for j in waiting[np.argsort(-vs[waiting].max(axis=1))]:
            fits = (u[j] <= res + _TOL) & (vs[j] > 0.0)
            if fits.any():                                   # plain insert
                o = int(np.argmax(np.where(fits, vs[j], -np.inf)))
                d[j], res[o] = o, res[o] - u[j]
                improved = True
                continue
            a = np.nonzero(d >= 0)[0]
            if a.size == 0:
                continue
            ca = d[a]
            ok = (vs[j, ca] > 0.0) & (res[ca] + u[a] >= u[j] - _TOL)
            if not ok.any():
                continue
            # re-placement of each ejected task i in another container o' != ca
            room = (u[a][:, None] <= res[None, :] + _TOL) & (cols[None, :] != ca[:, None])
            room &= vs[a] > 0.0
            re_val = np.where(room, vs[a], 0.0)
            re_o = np.where(room.any(axis=1), np.argmax(re_val, axis=1), -1)
            gain = np.where(ok, vs[j, ca] - vs[a, ca] + re_val.max(axis=1, initial=0.0),
                            -np.inf)
            b = int(np.argmax(gain))
            if gain[b] <= 1e-12:
                continue
            i, o, o2 = a[b], ca[b], re_o[b]
            res[o] += u[i] - u[j]
            d[j] = o
            d[i] = -1
            if o2 >= 0:
                d[i], res[o2] = o2, res[o2] - u[i]
            improved = True
        if not improved:
            return


def swap_improve(decision: np.ndarray, value: np.ndarray, task_load: np.ndarray,
                 residual: np.ndarray, task_station: np.ndarray,
                 container_station: np.ndarray, max_passes: int = 2) -> None:
    """Improve ``decision`` in place (``residual`` is updated in place too).

    ``value`` is the (K, O) advantage ``F(z)`` (0 where ineligible), ``task_station``
    the station of each task (tasks whose row of ``value`` is all 0 are ignored).
    """
    eligible = value.max(axis=1, initial=0.0) > 0.0
    for s in np.unique(task_station[eligible]):
        tk = np.nonzero(eligible & (task_station == s))[0]
        co = np.nonzero(container_station == s)[0]
        local = np.full(container_station.size, -1, dtype=np.int64)
        local[co] = np.arange(co.size)
        d = np.where(decision[tk] >= 0, local[np.maximum(decision[tk], 0)], -1)
        res = residual[co].copy()
        _station_swaps(d, value[np.ix_(tk, co)], task_load[tk], res, max_passes)
        decision[tk] = np.where(d >= 0, co[np.maximum(d, 0)], -1)
        residual[co] = res


def _station_value(decision: np.ndarray, value: np.ndarray, task_station: np.ndarray,
                   n_stations: int) -> np.ndarray:
    off = decision >= 0
    v = value[np.nonzero(off)[0], decision[off]]
    return np.bincount(task_station[off], weights=v, minlength=n_stations)


def restart_improve(decision: np.ndarray, value: np.ndarray, task_load: np.ndarray,
                    residual: np.ndarray, task_station: np.ndarray,
                    container_station: np.ndarray, restarts: int = 16, sigma: float = 0.5,
                    seed: int = 0) -> np.ndarray:
    """Best per station of ``decision`` and ``restarts`` perturbed, 1-swap-improved roundings.

    ``residual`` is the room under the cap with *nothing* offloaded (``P - L_o``).
    Every candidate is built by capacity-checked proposals, so all caps hold.

    >>> value = np.array([[1.0], [1.0], [1.5]]); load = np.array([0.5, 0.5, 0.9])
    >>> restart_improve(np.array([-1, -1, 0]), value, load, np.array([1.0]),
    ...                 np.zeros(3, int), np.zeros(1, int), restarts=4)
    array([ 0,  0, -1])
    """
    n_stations = int(max(container_station.max(initial=0), task_station.max(initial=0))) + 1
    best = np.array(decision, dtype=np.int64)
    best_obj = _station_value(best, value, task_station, n_stations)
    pk, po = np.nonzero(value > 0.0)
    if pk.size == 0 or restarts <= 0:
        return best
    rng = np.random.default_rng(seed)
    v, u = value[pk, po], np.maximum(task_load[pk], 1e-12)
    for i in range(restarts):
        beta = (i % 4) / 3.0                                  # F, F/u^(1/3), ..., F/u
        score = v / u ** beta * np.exp(sigma * rng.standard_normal(pk.size))
        d = np.full(decision.size, -1, dtype=np.int64)
        res = np.array(residual, dtype=float)
        propose_rounds(pk, po, score, task_load, res, d)
        swap_improve(d, value, task_load, res, task_station, container_station)
        obj = _station_value(d, value, task_station, n_stations)
        better = obj > best_obj + 1e-12
        take = better[task_station] & (value.max(axis=1, initial=0.0) > 0.0)
        best[take] = d[take]
        best_obj = np.where(better, obj, best_obj)
    return best
