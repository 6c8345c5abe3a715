"""Index structure of one round for the three-layer LEOEdge scheduler (Fig. 4).

Flattens the problem into the arrays each layer iterates over:

* pairs ``p``: eligible (task k, container o) pairs, where containers hold ``y3`` (Eq. 18);
* task-server pairs ``t``: (task k, server s) with at least one eligible container
  of ``s``, where servers hold ``y2`` and the per-task part of ``eta_s`` (Eqs. 19-20);
* tasks ``k``: satellites hold ``y1`` (Eq. 22), the LBS of the task's station holds
  ``mu_k`` (Eq. 21); stations hold ``lambda`` (Eq. 23).

>>> import numpy as np
>>> from baselines.offloading_problem import random_problem
>>> lay = build_layout(random_problem(np.random.default_rng(0), n_tasks=10))
>>> int(lay.pair_ts.max()) + 1 == lay.ts_task.size
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baselines.offloading_problem import OffloadProblem

__all__ = ["Layout", "build_layout"]


@dataclass(frozen=True, eq=False)
class Layout:
    """Flat index arrays of a round (see module docstring)."""

    pair_task: np.ndarray        # (P,) k of pair p
    pair_cont: np.ndarray        # (P,) o of pair p
    pair_ts: np.ndarray          # (P,) task-server index t of pair p
    pair_value: np.ndarray       # (P,) F(z[k, o]) (Eq. 2)
    pair_load: np.ndarray        # (P,) u_k
    ts_task: np.ndarray          # (T,) k of task-server pair t
    ts_server: np.ndarray        # (T,) s of task-server pair t
    task_active: np.ndarray      # (K,) task has at least one eligible pair
    task_station: np.ndarray     # (K,) station (0 for inactive tasks, masked anyway)
    task_top_coef: np.ndarray    # (K,) u_k / O_S: d g_S / d y1_k (Eqs. 11, 23)
    station_active: np.ndarray   # (n_stations,) station has an active task
    station_base: np.ndarray     # (n_stations,) L_S with nothing offloaded


def build_layout(p: OffloadProblem) -> Layout:
    """Build the flat index arrays of problem ``p`` (vectorised)."""
    pk, po = p.pairs
    ps = p.container_server[po]
    key = pk * p.n_servers + ps
    uniq, pair_ts = np.unique(key, return_inverse=True)
    ts_task, ts_server = uniq // p.n_servers, uniq % p.n_servers
    active = np.zeros(p.n_tasks, dtype=bool)
    active[pk] = True
    sta = np.maximum(p.station, 0)
    n_cont = np.bincount(p.container_station, minlength=p.n_stations)
    station_active = np.zeros(p.n_stations, dtype=bool)
    station_active[sta[active]] = True
    _, _, base = p.loads(np.full(p.n_tasks, -1))
    coef = np.where(active, p.task_load / np.maximum(n_cont[sta], 1), 0.0)
    return Layout(
        pair_task=pk, pair_cont=po, pair_ts=pair_ts.reshape(-1),
        pair_value=p.value[pk, po], pair_load=p.task_load[pk],
        ts_task=ts_task, ts_server=ts_server, task_active=active, task_station=sta,
        task_top_coef=coef, station_active=station_active, station_base=base,
    )
