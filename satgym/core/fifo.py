"""First-come-first-served servers (satellite processors, links, containers), vectorised.

A server's state is the time it becomes free (``busy_until``). Jobs handed over together are served
in order of ready time (ties by position), each starting at ``max(ready, busy_until)``. The loop runs
over the rank of a job among those of its own server (a handful per step), never over servers.
"""

from __future__ import annotations

import numpy as np


def rank_within_group(group: np.ndarray, order_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Order jobs by (group, order_key, position); return that order and each job's rank in its group."""
    n = len(group)
    order = np.lexsort((np.arange(n), order_key, group))
    g = group[order]
    starts = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1] if n else np.zeros(0, dtype=np.int64)
    first = np.repeat(starts, np.diff(np.r_[starts, n]))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - first
    return order, rank


def serve_fifo(
    server: np.ndarray, ready_s: np.ndarray, service_s: np.ndarray, busy_until: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Serve jobs on their servers FIFO; updates ``busy_until`` in place; returns (start, finish)."""
    server = np.asarray(server, dtype=np.int64)
    start = np.empty(len(server))
    finish = np.empty(len(server))
    if len(server) == 0:
        return start, finish
    _, rank = rank_within_group(server, np.asarray(ready_s))
    for r in range(int(rank.max()) + 1):
        idx = np.flatnonzero(rank == r)
        s = server[idx]
        start[idx] = np.maximum(ready_s[idx], busy_until[s])
        finish[idx] = start[idx] + service_s[idx]
        busy_until[s] = finish[idx]
    return start, finish


def busy_in_window(
    server: np.ndarray, start_s: np.ndarray, finish_s: np.ndarray, t0: float, t1: float, n_servers: int
) -> np.ndarray:
    """Seconds each server was busy in [t0, t1) (CPU occupancy numerator)."""
    overlap = np.clip(np.minimum(finish_s, t1) - np.maximum(start_s, t0), 0.0, None)
    return np.bincount(server, weights=overlap, minlength=n_servers)[:n_servers]
