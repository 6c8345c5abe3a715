"""One LEOEdge scheduling round as a decision problem (Eqs. 2-8).

K candidate tasks (the flattened ``(i, m)`` pairs of Eq. 7) may each go to at
most one container ``o`` of the ground station they can reach, or stay on
board. Offloading task ``k`` to ``o`` earns ``F(z[k, o])`` (Eq. 2) and adds
``u[k]`` to the container load ``L_o`` (linear in the number of tasks, Sec. IV-B).

Load model and the constraints of Eqs. 6 and 8 (documented choices):

* container load ``L_o = min(load0_o, P) + sum_k u_k y[k, o]``. A container
  that is already over the cap counts as exactly full, so "everything stays
  local" is always feasible;
* server load ``L_s`` = mean of ``L_o`` over its containers and station
  (cluster, LBS) load ``L_S`` = mean of ``L_s`` over its servers. With these
  definitions the second and third constraints of Eq. 8 hold with equality
  whenever every offloaded task is counted once at every layer, which is what
  an integral decision does;
* caps: ``L_o <= P`` (Eq. 6), ``L_s <= P`` and ``L_S <= P`` (Eq. 8). The
  server/station caps are implied by the container caps; they are still
  checked, and the MILP oracle carries them, so comparisons are like for like.

The objective of Eq. 7 is ``sum_{k,o} F(z[k, o]) y[k, o]``; staying local
scores 0 (the advantage is measured relative to local execution).

>>> rng = np.random.default_rng(0)
>>> p = random_problem(rng, n_tasks=6)
>>> p.n_tasks, p.n_containers, p.n_servers, p.n_stations
(6, 12, 3, 1)
>>> d = np.full(6, -1)
>>> p.check(d), p.objective(d)
([], 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from satgym.leoedge.advantage import advantage_operator

__all__ = ["OffloadProblem", "random_problem"]

_FEAS_TOL = 1e-9


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.array(a)  # private copy
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class OffloadProblem:
    """Decision problem of one scheduling round.

    Arguments (K tasks, O containers):
        satellite: (K,) int, satellite index ``i`` of each task.
        station: (K,) int, ground station the task can reach (-1: none, run locally).
        container_station: (O,) int, station of each container.
        container_server: (O,) int, global server index of each container.
        advantage_arg: (K, O) or (K,) float, ``z = alpha Dc + (1 - alpha) Da``
            (Eqs. 3-5, may depend on the container's queueing wait). A (K,)
            input is broadcast over containers.
        task_load: (K,) float >= 0, ``u_k``: load fraction the task adds to a container.
        container_load0: (O,) float >= 0, current load ``L_o(Q_o)`` (fraction of capacity).
        load_cap: float > 0, ``P`` of Eqs. 6/8.
        advantage: name of the operator F (see ``baselines.advantage``).
    """

    satellite: np.ndarray
    station: np.ndarray
    container_station: np.ndarray
    container_server: np.ndarray
    advantage_arg: np.ndarray
    task_load: np.ndarray
    container_load0: np.ndarray
    load_cap: float
    advantage: str = "log1p"

    def __post_init__(self) -> None:
        sat = np.asarray(self.satellite, dtype=np.int64).reshape(-1)
        sta = np.asarray(self.station, dtype=np.int64).reshape(-1)
        cst = np.asarray(self.container_station, dtype=np.int64).reshape(-1)
        csv = np.asarray(self.container_server, dtype=np.int64).reshape(-1)
        u = np.asarray(self.task_load, dtype=float).reshape(-1)
        l0 = np.asarray(self.container_load0, dtype=float).reshape(-1)
        k, o = sta.size, cst.size
        z = np.asarray(self.advantage_arg, dtype=float)
        if z.ndim == 1 and z.size == k:
            z = np.broadcast_to(z[:, None], (k, o))
        if sat.size != k or u.size != k:
            raise ValueError(f"satellite/task_load must have {k} entries (len(station))")
        if csv.size != o or l0.size != o:
            raise ValueError(f"container_server/container_load0 must have {o} entries")
        if z.shape != (k, o):
            raise ValueError(f"advantage_arg must have shape ({k}, {o}) or ({k},), got {z.shape}")
        if o == 0:
            raise ValueError("need at least one container")
        if np.any(sat < 0) or np.any(sta < -1) or np.any(cst < 0) or np.any(csv < 0):
            raise ValueError("indices must be >= 0 (station may be -1)")
        if not (np.all(np.isfinite(z)) and np.all(np.isfinite(u)) and np.all(np.isfinite(l0))):
            raise ValueError("advantage_arg, task_load and container_load0 must be finite")
        if np.any(u < 0) or np.any(l0 < 0):
            raise ValueError("task_load and container_load0 must be >= 0")
        if not (np.isfinite(self.load_cap) and self.load_cap > 0):
            raise ValueError(f"load_cap must be a positive number, got {self.load_cap}")
        n_srv = int(csv.max()) + 1
        srv_sta = np.full(n_srv, -1, dtype=np.int64)
        srv_sta[csv] = cst
        if np.any(srv_sta[csv] != cst):
            raise ValueError("all containers of a server must belong to the same station")
        if np.any(srv_sta < 0):
            raise ValueError("server indices must be contiguous 0..n_servers-1")
        advantage_operator(self.advantage)  # raises on unknown names
        for name, arr in (("satellite", sat), ("station", sta), ("container_station", cst),
                          ("container_server", csv), ("advantage_arg", z), ("task_load", u),
                          ("container_load0", l0)):
            object.__setattr__(self, name, _frozen(arr))
        object.__setattr__(self, "load_cap", float(self.load_cap))

    # ---- sizes -------------------------------------------------------------------
    @property
    def n_tasks(self) -> int:
        return int(self.station.size)

    @property
    def n_containers(self) -> int:
        return int(self.container_station.size)

    @cached_property
    def n_servers(self) -> int:
        return int(self.container_server.max()) + 1

    @cached_property
    def n_stations(self) -> int:
        return int(max(self.container_station.max(), self.station.max(initial=-1))) + 1

    @cached_property
    def server_station(self) -> np.ndarray:
        """(n_servers,) station of each server."""
        out = np.empty(self.n_servers, dtype=np.int64)
        out[self.container_server] = self.container_station
        return out

    # ---- values and loads --------------------------------------------------------------
    @cached_property
    def value(self) -> np.ndarray:
        """(K, O) ``F(z[k, o])`` (Eq. 2), zero where the container is unreachable."""
        v = advantage_operator(self.advantage).value(self.advantage_arg)
        reach = self.station[:, None] == self.container_station[None, :]
        return _frozen(np.where(reach, v, 0.0))

    @cached_property
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Eligible (task, container) pairs: same station and positive advantage."""
        k, o = np.nonzero(self.value > 0.0)
        return _frozen(k), _frozen(o)

    @cached_property
    def base_load(self) -> np.ndarray:
        """(O,) ``min(L_o(Q_o), P)``: over-full containers count as full."""
        return _frozen(np.minimum(self.container_load0, self.load_cap))

    @cached_property
    def residual(self) -> np.ndarray:
        """(O,) capacity left under the cap P (Eq. 6)."""
        return _frozen(self.load_cap - self.base_load)

    # ---- solutions ----------------------------------------------------------------------
    def objective(self, decision: np.ndarray) -> float:
        """Eq. 7 objective of an integral decision (container index or -1)."""
        d = np.asarray(decision, dtype=np.int64)
        off = d >= 0
        return float(self.value[np.nonzero(off)[0], d[off]].sum())

    def loads(self, decision: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Loads ``(L_o, L_s, L_S)`` after applying a decision (Eqs. 6, 8)."""
        d = np.asarray(decision, dtype=np.int64)
        off = d >= 0
        l_o = self.base_load + np.bincount(d[off], weights=self.task_load[off],
                                           minlength=self.n_containers)
        per_srv = np.bincount(self.container_server, minlength=self.n_servers)
        l_s = np.bincount(self.container_server, weights=l_o, minlength=self.n_servers) / per_srv
        per_sta = np.bincount(self.server_station, minlength=self.n_stations)
        l_sta = np.bincount(self.server_station, weights=l_s, minlength=self.n_stations)
        l_sta = np.divide(l_sta, per_sta, out=np.zeros(self.n_stations), where=per_sta > 0)
        return l_o, l_s, l_sta

    def check(self, decision: np.ndarray) -> list[str]:
        """Violations of a decision (empty list: feasible).

        >>> p = random_problem(np.random.default_rng(1), n_tasks=3)
        >>> p.check(np.array([0, 0, 99]))[0]
        'decision[2]=99 is not a container index or -1'
        """
        d = np.asarray(decision)
        if d.shape != (self.n_tasks,) or not np.issubdtype(d.dtype, np.integer):
            return [f"decision must be an integer array of shape ({self.n_tasks},)"]
        out: list[str] = []
        bad = np.nonzero((d < -1) | (d >= self.n_containers))[0]
        out += [f"decision[{k}]={d[k]} is not a container index or -1" for k in bad]
        if out:
            return out
        off = np.nonzero(d >= 0)[0]
        wrong = off[self.container_station[d[off]] != self.station[off]]
        out += [f"task {k} sent to container {d[k]} at a station it cannot reach" for k in wrong]
        l_o, l_s, l_sta = self.loads(d)
        cap = self.load_cap + _FEAS_TOL
        out += [f"container {o} load {l_o[o]:.4f} > P (Eq. 6)" for o in np.nonzero(l_o > cap)[0]]
        out += [f"server {s} load {l_s[s]:.4f} > P (Eq. 8)" for s in np.nonzero(l_s > cap)[0]]
        out += [f"station {s} load {l_sta[s]:.4f} > P (Eq. 8)" for s in np.nonzero(l_sta > cap)[0]]
        return out


def random_problem(
    rng: np.random.Generator,
    n_tasks: int,
    n_stations: int = 1,
    servers_per_station: int = 3,
    containers_per_server: int = 4,
    n_satellites: int | None = None,
    load_cap: float = 0.8,
    alpha: float = 0.5,
    advantage: str = "log1p",
    demand_ratio: float = 2.0,
    p_unreachable: float = 0.05,
) -> OffloadProblem:
    """Random round with binding caps, for tests and benchmarks.

    Per station, the free capacity under P is about the tasks' total work
    divided by ``demand_ratio``, held by a few open containers (each with room
    for a handful of tasks; the others are full), so the caps bind. ``z`` mixes a time gain (local minus edge time,
    link delay and the container's queueing wait, Eq. 3, in units of 100 ms)
    and an accuracy gain (Eq. 4, in percentage points / 10).

    >>> p = random_problem(np.random.default_rng(0), n_tasks=20, n_stations=2)
    >>> p.advantage_arg.shape
    (20, 24)
    """
    if n_tasks < 0 or n_stations < 1 or servers_per_station < 1 or containers_per_server < 1:
        raise ValueError("sizes must be positive (n_tasks >= 0)")
    n_sat = n_tasks if n_satellites is None else int(n_satellites)
    n_srv = n_stations * servers_per_station
    container_server = np.repeat(np.arange(n_srv), containers_per_server)
    container_station = container_server // servers_per_station
    o = container_server.size
    station = rng.integers(0, n_stations, size=n_tasks)
    station[rng.random(n_tasks) < p_unreachable] = -1
    satellite = rng.integers(0, max(n_sat, 1), size=n_tasks)
    u = load_cap * rng.uniform(0.05, 0.3, size=n_tasks)
    # free capacity ~ demand / demand_ratio per station, concentrated in a few
    # "open" containers (each with room for a handful of tasks); the rest are full
    demand = np.bincount(station[station >= 0], weights=u[station >= 0], minlength=n_stations)
    free_total = demand / demand_ratio
    per_station = np.bincount(container_station, minlength=n_stations)
    n_open = np.clip(np.ceil(free_total / (0.6 * load_cap)), 1, per_station).astype(np.int64)
    rank = np.empty(o, dtype=np.int64)                  # random rank within station
    perm = np.lexsort((rng.random(o), container_station))
    starts = np.concatenate([[0], np.cumsum(per_station)[:-1]])
    rank[perm] = np.arange(o) - np.repeat(starts, per_station)
    is_open = rank < n_open[container_station]
    free = np.where(is_open, free_total[container_station] / n_open[container_station], 0.0)
    free *= rng.uniform(0.7, 1.3, size=o)
    load0 = np.clip(load_cap - free, 0.0, load_cap)
    c_local = rng.uniform(0.5, 3.0, size=n_tasks)          # x100 ms
    c_edge = c_local * rng.uniform(0.1, 0.5, size=n_tasks)
    delay = rng.uniform(0.0, 1.0, size=n_tasks)            # Eq. 1
    wait = load0 / load_cap                                # queueing wait at o
    d_c = (c_local - c_edge - delay)[:, None] - wait[None, :]   # Eq. 3
    d_a = rng.uniform(-0.5, 3.0, size=n_tasks)[:, None]         # Eq. 4
    z = alpha * d_c + (1.0 - alpha) * d_a                       # Eq. 2 argument
    return OffloadProblem(satellite, station, container_station, container_server, z, u,
                          load0, load_cap, advantage)
