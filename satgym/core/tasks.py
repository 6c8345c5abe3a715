"""Inference tasks: arrivals (Sec. IX-C load profiles) and the live task table.

Every task is a row of numpy columns. A task is *pending* (waiting for its satellite's decision),
*in flight* (running on board, uploading, queued or running at the edge, returning its result) or
*resolved* (completed, or failed with a reason). Resolved rows leave the live table each step, so
the step costs O(tasks in flight), and are summarised by :mod:`satgym.core.metrics`.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from satgym.config.schema import TaskConfig


class Stage(IntEnum):
    PENDING = 0  # waiting for an offload/local/hold decision
    LOCAL = 1  # queued or running on board; outcome time known
    UPLINK = 2  # raw data on its way to the ground station
    EDGE = 3  # queued or running in a container
    DONE_KNOWN = 4  # outcome and its time are known, resolves when the clock reaches it


class Route(IntEnum):
    NONE = -1
    LOCAL = 0
    DIRECT = 1
    SAME_ORBIT_RELAY = 2
    OTHER_ORBIT_RELAY = 3


FAIL_REASONS = (
    "contact_lost_upload",  # the upload outlived the contact window
    "contact_lost_return",  # the result could not be returned (Case I)
    "no_contact",  # offloaded while no route existed and planning was off
    "expired",  # held undecided past max_hold_s, or past its deadline
    "deadline",  # finished after its deadline
)

COLUMNS: dict[str, tuple[type, float]] = {
    "id": (np.int64, -1),
    "sat": (np.int64, -1),
    "arrival_s": (np.float64, 0.0),
    "work": (np.float64, 0.0),  # inference units (image tiles)
    "input_mbit": (np.float64, 0.0),  # t_{n_i}
    "result_mbit": (np.float64, 0.0),  # s_{n_i}
    "needs_return": (np.bool_, False),  # Case I
    "deadline_s": (np.float64, np.inf),  # absolute
    "stage": (np.int8, Stage.PENDING),
    "decided_s": (np.float64, np.nan),
    "route": (np.int8, Route.NONE),
    "relay": (np.int64, -1),
    "link_sat": (np.int64, -1),  # satellite whose ground link carries the data
    "ground_arrival_s": (np.float64, np.inf),
    "station": (np.int64, -1),
    "container": (np.int64, -1),
    "exec_start_s": (np.float64, np.nan),
    "exec_finish_s": (np.float64, np.nan),
    "done_s": (np.float64, np.inf),
    "failed": (np.bool_, False),
    "fail_reason": (np.int8, -1),
    "accuracy": (np.float64, np.nan),
}


class TaskTable:
    """Columns of the live tasks, with amortised appends and compaction."""

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self._cap = capacity
        self.cols = {k: np.full(capacity, d, dtype=t) for k, (t, d) in COLUMNS.items()}

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, name: str) -> np.ndarray:
        return self.cols[name][: self.n]

    def append(self, **values: np.ndarray) -> np.ndarray:
        """Add rows (missing columns take their defaults); returns their row indices."""
        m = len(next(iter(values.values())))
        if self.n + m > self._cap:
            self._grow(self.n + m)
        rows = np.arange(self.n, self.n + m)
        for k, (t, d) in COLUMNS.items():
            self.cols[k][rows] = values[k] if k in values else d
        self.n += m
        return rows

    def take(self, rows: np.ndarray) -> dict[str, np.ndarray]:
        return {k: v[rows].copy() for k, v in self.cols.items()}

    def keep(self, mask: np.ndarray) -> None:
        """Drop the rows where ``mask`` is False (order preserved)."""
        kept = np.flatnonzero(mask)
        for v in self.cols.values():
            v[: len(kept)] = v[kept]
        self.n = len(kept)

    def _grow(self, need: int) -> None:
        cap = max(need, 2 * self._cap)
        for k, (t, d) in COLUMNS.items():
            new = np.full(cap, d, dtype=t)
            new[: self.n] = self.cols[k][: self.n]
            self.cols[k] = new
        self._cap = cap


# Relative task rate by UTC hour for the optional time-of-day curve: Sec. IX-C's windows (Light
# 21:00-24:00, Normal 14:00-18:00, Heavy 18:00-20:00) as rates 1/7.5, 1/2 and 1/1 tasks/s, night
# hours at the light rate, morning ramping to normal; normalised to a mean of 1.
_HOURLY_RATE = np.array(
    [0.13] * 7 + [0.25, 0.35, 0.45] + [0.5] * 8 + [1.0, 1.0] + [0.5] + [0.13] * 3, dtype=np.float64
)
TIME_OF_DAY_CURVE = _HOURLY_RATE / _HOURLY_RATE.mean()


def generate_arrivals(
    cfg: TaskConfig,
    n_sats: int,
    t0_s: float,
    t1_s: float,
    utc_hour: float,
    rng: np.random.Generator,
) -> dict[str, np.ndarray]:
    """Poisson arrivals in [t0, t1) for every satellite, with sizes drawn from ``cfg``."""
    rate = 1.0 / cfg.mean_interarrival_s
    if cfg.time_of_day:
        rate *= TIME_OF_DAY_CURVE[int(utc_hour) % 24]
    counts = rng.poisson(rate * (t1_s - t0_s), size=n_sats)
    m = int(counts.sum())
    sat = np.repeat(np.arange(n_sats), counts)
    arrival = t0_s + rng.random(m) * (t1_s - t0_s)
    work = rng.integers(cfg.work_min, cfg.work_max + 1, size=m).astype(np.float64)
    jitter = rng.lognormal(0.0, cfg.size_spread, size=m) if cfg.size_spread > 0 else np.ones(m)
    deadline = arrival + cfg.deadline_s if cfg.deadline_s > 0 else np.full(m, np.inf)
    order = np.argsort(arrival, kind="stable")
    return {
        "sat": sat[order],
        "arrival_s": arrival[order],
        "work": work[order],
        "input_mbit": (work * cfg.input_mbit_per_unit * jitter)[order],
        "result_mbit": (work * cfg.result_mbit_per_unit)[order],
        "needs_return": (rng.random(m) < cfg.return_probability)[order],
        "deadline_s": deadline[order],
    }
