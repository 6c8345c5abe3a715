"""Ground segment: per station a load balancer (LBS) -> J servers -> O_j containers (Sec. IV-B).

Containers are numbered globally ``station * C + server_in_station * O_j + k`` with
``C = J * O_j`` containers per station. Each container is a FIFO server running the ground model
(c(m_e) per inference unit). Its workload L_o is CPU occupancy: the fraction of the last
``load_window_s`` it spent executing (what Fig. 7 plots); its *backlog* is the queued work in seconds.

Placement is pluggable: a :class:`GroundScheduler` chooses the container of every task that reaches
the station in a step (the LBS picks a server, the server a container). By default the LBS assigns
by instantaneous load (``least_loaded``). Policies can also reserve a container for a task before
it arrives (``Simulator.reserve``): the LEOEdge dual scheduler places tasks this way.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from satgym.config.schema import GroundConfig


class GroundCluster:
    """State of every station's containers as arrays."""

    def __init__(self, cfg: GroundConfig, n_stations: int) -> None:
        self.cfg = cfg
        self.n_stations = n_stations
        self.per_station = cfg.servers * cfg.containers_per_server
        self.n_containers = n_stations * self.per_station
        local = np.arange(self.per_station)
        self.container_station = np.repeat(np.arange(n_stations), self.per_station)
        self.container_server = (
            self.container_station * cfg.servers + np.tile(local // cfg.containers_per_server, n_stations)
        )
        self.n_servers = n_stations * cfg.servers
        self.reset()

    def reset(self) -> None:
        self.busy_until = np.zeros(self.n_containers)
        self.occupancy = np.zeros(self.n_containers)  # L_o over the last load window

    def backlog_s(self, t: float) -> np.ndarray:
        return np.maximum(self.busy_until - t, 0.0)


class GroundScheduler(Protocol):
    """Chooses a global container for each arrival (arrays sorted by arrival time)."""

    def assign(
        self,
        cluster: GroundCluster,
        task_id: np.ndarray,
        station: np.ndarray,
        arrival_s: np.ndarray,
        exec_s: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray: ...


def _by_station_rounds(station: np.ndarray) -> np.ndarray:
    """Rank of each arrival among the arrivals of its station (input is time-sorted)."""
    from satgym.core.fifo import rank_within_group

    _, rank = rank_within_group(station, np.arange(len(station), dtype=np.float64))
    return rank


class LeastLoaded:
    """LBS -> server with the least total backlog -> its container with the least backlog."""

    def assign(self, cluster, task_id, station, arrival_s, exec_s, rng):
        from satgym.core.step_advance import least_loaded

        return least_loaded(
            cluster.busy_until, np.asarray(station, dtype=np.int64), np.asarray(arrival_s, dtype=np.float64),
            np.asarray(exec_s, dtype=np.float64), cluster.per_station, cluster.cfg.servers,
            cluster.cfg.containers_per_server,
        )


class RoundRobin:
    """Each station's LBS cycles through its containers."""

    def __init__(self) -> None:
        self._next: np.ndarray | None = None

    def assign(self, cluster, task_id, station, arrival_s, exec_s, rng):
        if self._next is None or len(self._next) != cluster.n_stations:
            self._next = np.zeros(cluster.n_stations, dtype=np.int64)
        rank = _by_station_rounds(station)
        local = (self._next[station] + rank) % cluster.per_station
        np.add.at(self._next, station, 1)
        return station * cluster.per_station + local


class RandomPlacement:
    """A uniformly random container of the station (from the env's RNG)."""

    def assign(self, cluster, task_id, station, arrival_s, exec_s, rng):
        return station * cluster.per_station + rng.integers(0, cluster.per_station, size=len(station))


SCHEDULERS = {"least_loaded": LeastLoaded, "round_robin": RoundRobin, "random": RandomPlacement}


def make_scheduler(name: str) -> GroundScheduler:
    if name not in SCHEDULERS:
        raise ValueError(f"ground.scheduler: {name!r} is not valid; choose one of {', '.join(SCHEDULERS)}")
    return SCHEDULERS[name]()
