"""Inference tasks: arrivals (Sec. IX-C load profiles) and the task table.

Every task is a row of two numpy matrices, one of floats and one of integers (so the compiled step
kernels take two arrays, not twenty). A task is *pending* (waiting for its satellite's decision),
*in flight* (running on board, uploading, queued or running at the edge, returning its result) or
*resolved* (completed, or failed with a reason). Rows stay in arrival order; resolved rows are
compacted away every few steps, so a step costs O(tasks in flight).
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from satgym.config.schema import TaskConfig


class Stage(IntEnum):
    PENDING = 0  # waiting for an offload/local/hold decision
    LOCAL = 1  # (unused marker kept for readability of routes)
    UPLINK = 2  # raw data on its way to the ground station
    EDGE = 3  # queued or running in a container
    DONE_KNOWN = 4  # outcome and its time are known; resolves when the clock reaches it
    RESOLVED = 5  # counted as completed or failed; removed at the next compaction


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

FLOAT_COLUMNS: dict[str, float] = {
    "arrival_s": 0.0,
    "work": 0.0,  # inference units (image tiles)
    "input_mbit": 0.0,  # t_{n_i}
    "result_mbit": 0.0,  # s_{n_i}
    "deadline_s": np.inf,  # absolute
    "decided_s": np.nan,
    "ground_arrival_s": np.inf,
    "exec_start_s": np.nan,
    "exec_finish_s": np.nan,
    "done_s": np.inf,
    "accuracy": np.nan,
}
INT_COLUMNS: dict[str, int] = {
    "id": -1,
    "sat": -1,
    "needs_return": 0,  # Case I
    "stage": int(Stage.PENDING),
    "route": int(Route.NONE),
    "relay": -1,
    "link_sat": -1,  # satellite whose ground link carries the data
    "station": -1,
    "container": -1,
    "failed": 0,
    "fail_reason": -1,
    "reserved": -1,  # container pinned by a policy (ground-scheduler hook)
}
FCOL = {name: k for k, name in enumerate(FLOAT_COLUMNS)}
ICOL = {name: k for k, name in enumerate(INT_COLUMNS)}
_FDEF = np.array(list(FLOAT_COLUMNS.values()))
_IDEF = np.array(list(INT_COLUMNS.values()), dtype=np.int64)


class TaskTable:
    """Rows of tasks: ``F`` (float64) and ``I`` (int64) matrices with amortised growth."""

    def __init__(self, capacity: int = 1024) -> None:
        self.n = 0
        self.F = np.tile(_FDEF, (capacity, 1))
        self.I = np.tile(_IDEF, (capacity, 1))

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, name: str) -> np.ndarray:
        """A column view over the rows in use (resolved rows included until compaction)."""
        if name in FCOL:
            return self.F[: self.n, FCOL[name]]
        return self.I[: self.n, ICOL[name]]

    def append_rows(self, F: np.ndarray, I: np.ndarray) -> None:
        """Add rows already in table format (from :class:`ArrivalStream`)."""
        m = len(F)
        if self.n + m > len(self.F):
            self._grow(self.n + m)
        self.F[self.n : self.n + m] = F
        self.I[self.n : self.n + m] = I
        self.n += m

    def append(self, **values: np.ndarray) -> np.ndarray:
        """Add rows (unspecified columns take their defaults); returns their row indices."""
        m = len(next(iter(values.values())))
        if self.n + m > len(self.F):
            self._grow(self.n + m)
        rows = slice(self.n, self.n + m)
        for name, v in values.items():
            if name in FCOL:
                self.F[rows, FCOL[name]] = v
            else:
                self.I[rows, ICOL[name]] = v
        self.n += m
        return np.arange(rows.start, rows.stop)

    def compact(self) -> None:
        """Drop resolved rows (order preserved) and reset the freed tail to defaults."""
        keep = np.flatnonzero(self.I[: self.n, ICOL["stage"]] != Stage.RESOLVED)
        m = len(keep)
        self.F[:m] = self.F[keep]
        self.I[:m] = self.I[keep]
        self.F[m : self.n] = _FDEF
        self.I[m : self.n] = _IDEF
        self.n = m

    def _grow(self, need: int) -> None:
        cap = max(need, 2 * len(self.F))
        F = np.tile(_FDEF, (cap, 1))
        I = np.tile(_IDEF, (cap, 1))
        F[: self.n] = self.F[: self.n]
        I[: self.n] = self.I[: self.n]
        self.F, self.I = F, I


# Relative task rate by UTC hour for the optional time-of-day curve: Sec. IX-C's windows (Light
# 21:00-24:00, Normal 14:00-18:00, Heavy 18:00-20:00) as rates 1/7.5, 1/2 and 1/1 tasks/s, night
# hours at the light rate, morning ramping to normal; normalised to a mean of 1.
_HOURLY_RATE = np.array(
    [0.13] * 7 + [0.25, 0.35, 0.45] + [0.5] * 8 + [1.0, 1.0] + [0.5] + [0.13] * 3, dtype=np.float64
)
TIME_OF_DAY_CURVE = _HOURLY_RATE / _HOURLY_RATE.mean()


class ArrivalStream:
    """Poisson task arrivals (Sec. IX-C profiles), drawn a chunk of slots at a time.

    Slot ``j`` covers ``[(j - 1) * slot_s, j * slot_s)`` (slot 0 is the one before the episode
    starts, so there are pending tasks at the first decision). Rows come out already in task-table
    format and in arrival order; ids count up from 0 in arrival order.
    """

    def __init__(self, cfg: TaskConfig, n_sats: int, slot_s: float, start_hour_utc: float,
                 rng: np.random.Generator, chunk_tasks: int = 8192) -> None:
        self.cfg, self.n_sats, self.slot_s = cfg, n_sats, slot_s
        self.start_hour_utc, self.rng = start_hour_utc, rng
        per_slot = n_sats * slot_s / cfg.mean_interarrival_s  # expected tasks per slot
        self.chunk = int(np.clip(chunk_tasks / max(per_slot, 1e-9), 1, 64))
        self.next_id = 0
        self._first = 0  # first slot of the current chunk
        self._offsets = np.zeros(1, dtype=np.int64)
        self._F = np.empty((0, len(FLOAT_COLUMNS)))
        self._I = np.empty((0, len(INT_COLUMNS)), dtype=np.int64)

    def slot(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """(F rows, I rows) of the tasks arriving in slot ``j`` (called with j = 0, 1, 2, ...)."""
        if j >= self._first + len(self._offsets) - 1:
            self._draw(j)
        a, b = self._offsets[j - self._first], self._offsets[j - self._first + 1]
        return self._F[a:b], self._I[a:b]

    def _draw(self, first: int) -> None:
        cfg, n, c, dt = self.cfg, self.n_sats, self.chunk, self.slot_s
        rate = np.full(c, 1.0 / cfg.mean_interarrival_s)
        if cfg.time_of_day:
            hours = (self.start_hour_utc + (np.arange(first, first + c) - 1) * dt / 3600.0) % 24.0
            rate = rate * TIME_OF_DAY_CURVE[hours.astype(np.int64)]
        counts = self.rng.poisson(rate[:, None] * dt, size=(c, n))
        m = int(counts.sum())
        group = np.repeat(np.arange(c * n), counts.ravel())  # slot-major, satellite-minor
        slot = group // n
        u = self.rng.random((3, m))  # arrival time within the slot, work, Case I flag
        jitter = np.exp(cfg.size_spread * self.rng.standard_normal(m))  # log-normal size spread
        order = np.argsort(slot + u[0], kind="stable")  # arrival order (slots are disjoint)
        slot, u, jitter = slot[order], u[:, order], jitter[order]
        work = np.floor(cfg.work_min + u[1] * (cfg.work_max - cfg.work_min + 1))
        arrival = (first + slot - 1 + u[0]) * dt
        F = np.empty((m, len(FLOAT_COLUMNS)))
        F[:] = _FDEF
        I = np.empty((m, len(INT_COLUMNS)), dtype=np.int64)
        I[:] = _IDEF
        F[:, FCOL["arrival_s"]] = arrival
        F[:, FCOL["work"]] = work
        F[:, FCOL["input_mbit"]] = work * cfg.input_mbit_per_unit * jitter
        F[:, FCOL["result_mbit"]] = work * cfg.result_mbit_per_unit
        if cfg.deadline_s > 0:
            F[:, FCOL["deadline_s"]] = arrival + cfg.deadline_s
        I[:, ICOL["sat"]] = group[order] - (group[order] // n) * n
        I[:, ICOL["needs_return"]] = u[2] < cfg.return_probability
        I[:, ICOL["id"]] = np.arange(self.next_id, self.next_id + m)
        self._F, self._I = F, I
        self.next_id += m
        self._offsets = np.searchsorted(slot, np.arange(c + 1))
        self._first = first
