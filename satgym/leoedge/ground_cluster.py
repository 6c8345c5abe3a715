"""Edge clusters: per cluster a load balancer (LBS) -> J servers -> O_j containers (Sec. IV-B).

A cluster is fed by one or more access points (:mod:`satgym.core.ground_segment`). Containers are
numbered globally ``cluster * C + server_in_cluster * O_j + k`` with ``C = J * O_j`` containers per
cluster. Each container is a FIFO server running the ground model
(c(m_e) per inference unit). Its workload L_o is CPU occupancy: the fraction of the last
``load_window_s`` it spent executing (what Fig. 7 plots); its *backlog* is the queued work in seconds.

Placement is pluggable: a :class:`GroundScheduler` chooses the container of every task that reaches
the cluster in a step (the LBS picks a server, the server a container). By default the LBS assigns
by instantaneous load (``least_loaded``). Policies can also reserve a container for a task before
it arrives (``Simulator.reserve``): the LEOEdge dual scheduler places tasks this way.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from satgym.leoedge.config import GroundConfig


class GroundCluster:
    """State of every cluster's containers as arrays."""

    def __init__(self, cfg: GroundConfig, n_clusters: int) -> None:
        self.cfg = cfg
        self.n_clusters = n_clusters
        self.per_cluster = cfg.servers * cfg.containers_per_server
        self.n_containers = n_clusters * self.per_cluster
        local = np.arange(self.per_cluster)
        self.container_cluster = np.repeat(np.arange(n_clusters), self.per_cluster)
        self.container_server = (
            self.container_cluster * cfg.servers + np.tile(local // cfg.containers_per_server, n_clusters)
        )
        self.n_servers = n_clusters * cfg.servers
        self.reset()

    def reset(self) -> None:
        self.busy_until = np.zeros(self.n_containers)
        self.occupancy = np.zeros(self.n_containers)  # L_o over the last load window

    def backlog_s(self, t: float) -> np.ndarray:
        return np.maximum(self.busy_until - t, 0.0)


class GroundScheduler(Protocol):
    """Chooses a global container for each arrival (arrays sorted by arrival time); ``site`` is
    the cluster each task arrives at."""

    def assign(
        self,
        cluster: GroundCluster,
        task_id: np.ndarray,
        site: np.ndarray,
        arrival_s: np.ndarray,
        exec_s: np.ndarray,
        rng: np.random.Generator,
    ) -> np.ndarray: ...


def _rank_in_cluster(site: np.ndarray) -> np.ndarray:
    """Rank of each arrival among the arrivals at its cluster (input is time-sorted)."""
    from satgym.core.fifo import rank_within_group

    _, rank = rank_within_group(site, np.arange(len(site), dtype=np.float64))
    return rank


class LeastLoaded:
    """LBS -> server with the least total backlog -> its container with the least backlog."""

    def assign(self, cluster, task_id, site, arrival_s, exec_s, rng):
        from satgym.leoedge.step_advance import least_loaded

        return least_loaded(
            cluster.busy_until, np.asarray(site, dtype=np.int64), np.asarray(arrival_s, dtype=np.float64),
            np.asarray(exec_s, dtype=np.float64), cluster.per_cluster, cluster.cfg.servers,
            cluster.cfg.containers_per_server,
        )


class RoundRobin:
    """Each cluster's LBS cycles through its containers."""

    def __init__(self) -> None:
        self._next: np.ndarray | None = None

    def assign(self, cluster, task_id, site, arrival_s, exec_s, rng):
        if self._next is None or len(self._next) != cluster.n_clusters:
            self._next = np.zeros(cluster.n_clusters, dtype=np.int64)
        rank = _rank_in_cluster(site)
        local = (self._next[site] + rank) % cluster.per_cluster
        np.add.at(self._next, site, 1)
        return site * cluster.per_cluster + local


class RandomPlacement:
    """A uniformly random container of the cluster (from the env's RNG)."""

    def assign(self, cluster, task_id, site, arrival_s, exec_s, rng):
        return site * cluster.per_cluster + rng.integers(0, cluster.per_cluster, size=len(site))


SCHEDULERS = {"least_loaded": LeastLoaded, "round_robin": RoundRobin, "random": RandomPlacement}


def make_scheduler(name: str) -> GroundScheduler:
    if name not in SCHEDULERS:
        raise ValueError(f"ground.scheduler: {name!r} is not valid; choose one of {', '.join(SCHEDULERS)}")
    return SCHEDULERS[name]()
