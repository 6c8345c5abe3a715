"""Satellite tasks (Sec. 5.2, Eqs. 14-17) and IFECS flows (Sec. 5.1, Eq. 1).

>>> import numpy as np
>>> n = np.array([70, 80, 95])                 # tasks/s this snapshot (Eq. 14 draws)
>>> excess_tasks(n, 80).tolist()                # Eq. 16
[0, 0, 15]
>>> offload_mbps(excess_tasks(n, 80), 0.4).tolist()   # Eq. 17
[0.0, 0.0, 6.0]
>>> from satgym.aamec.config import TABLE3
>>> d = ifecs_demand_mbps(np.array([180]), 0.1, TABLE3)  # Eq. 1, Mbps per service
>>> [round(float(x), 3) for x in d[0]], round(float(video_traffic_share(TABLE3)), 4)
([4.05, 0.18, 0.144, 9.072], 0.6747)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from satgym.aamec.config import ServiceSpec

__all__ = ["draw_task_rates", "excess_tasks", "ifecs_demand_mbps", "offload_mbps", "video_traffic_share"]


def draw_task_rates(rng: np.random.Generator, rate_per_s: float, n_snapshots: int, n_sats: int) -> np.ndarray:
    """N_s ~ Poisson(lambda) tasks/s per satellite and snapshot (Eq. 14), ``(n_snapshots, n_sats)`` int.

    Reading of Eq. 14: the paper draws "the amount of tasks a satellite needs to process during a
    snapshot" and compares it with the per-second capacity of Eq. 15 (80 tasks for 2000 MIPS), so
    the draw is the snapshot's task rate per second, held for the snapshot (the topology, and the
    flow it offloads, are fixed within a snapshot).
    """
    return rng.poisson(rate_per_s, size=(n_snapshots, n_sats)).astype(np.int64)


def excess_tasks(rate_per_s: np.ndarray, capacity_per_s: int) -> np.ndarray:
    """Tasks/s a satellite offloads: what exceeds its on-board capacity (Eq. 16)."""
    return np.maximum(np.asarray(rate_per_s, dtype=np.int64) - int(capacity_per_s), 0)


def offload_mbps(excess_per_s: np.ndarray, task_mbit: float) -> np.ndarray:
    """Lower bound of the bandwidth that carries the offloaded tasks (Eq. 17), Mbps."""
    return np.asarray(excess_per_s, dtype=float) * task_mbit


def ifecs_demand_mbps(passengers: np.ndarray, user_ratio: float, services: Sequence[ServiceSpec]) -> np.ndarray:
    """Flow demand of every aircraft and service, P_a x rho x rho_k x beta_k (Eq. 1), ``(n_aircraft, n_services)``."""
    per_user = np.array([s.user_share * s.rate_mbps_per_user for s in services])
    return np.asarray(passengers, dtype=float)[:, None] * user_ratio * per_user[None, :]


def video_traffic_share(services: Sequence[ServiceSpec]) -> float:
    """Share of the IFECS traffic that is video (the paper: 67.5 %)."""
    per_user = np.array([s.user_share * s.rate_mbps_per_user for s in services])
    video = np.array([s.name == "video" for s in services])
    return float(per_user[video].sum() / per_user.sum())
