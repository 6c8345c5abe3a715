"""Inference tasks: arrivals (Sec. IX-C load profiles) and the task table.

Every task is a row of two numpy matrices, one of floats and one of integers (so the compiled step
kernels take two arrays, not twenty). A task is *pending* (waiting for its satellite's decision),
*in flight* (running on board, uploading, queued or running at the edge, returning its result) or
*resolved* (completed, or failed with a reason). Rows stay in slot order (and in arrival order per
satellite); resolved rows are compacted away every few steps, so a step costs O(tasks in flight).
"""

from __future__ import annotations

import functools

import numpy as np

from numba import njit
from scipy.special import gammaln

from satgym.leoedge.config import TaskConfig
from satgym.leoedge.codes import (
    F_ARRIVAL, F_DEADLINE, F_INPUT, F_RESULT, F_WORK, FCOL, FLOAT_COLUMNS, I_ID, I_RETURN, I_SAT, I_STAGE,
    ICOL, INT_COLUMNS, RESOLVED,
)


_FDEF = np.array(list(FLOAT_COLUMNS.values()))
_IDEF = np.array(list(INT_COLUMNS.values()), dtype=np.int64)


def _blank(capacity: int) -> tuple[np.ndarray, np.ndarray]:
    """Default-filled matrices in column-major order: the kernels' scans read a column (the stage)
    for every row and the rest only for the few rows that match."""
    F = np.empty((capacity, len(_FDEF)), order="F")
    I = np.empty((capacity, len(_IDEF)), dtype=np.int64, order="F")
    F[:] = _FDEF
    I[:] = _IDEF
    return F, I


class TaskTable:
    """Rows of tasks: ``F`` (float64) and ``I`` (int64) column-major matrices with amortised growth."""

    def __init__(self, capacity: int = 1024) -> None:
        self._count = np.zeros(1, dtype=np.int64)  # rows in use, an array so compiled steps update it
        self.F, self.I = _blank(capacity)

    @property
    def n(self) -> int:
        return int(self._count[0])

    @n.setter
    def n(self, value: int) -> None:
        self._count[0] = value

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, name: str) -> np.ndarray:
        """A column view over the rows in use (resolved rows included until compaction)."""
        if name in FCOL:
            return self.F[: self.n, FCOL[name]]
        return self.I[: self.n, ICOL[name]]

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
        self.n = _compact(self.F, self.I, self.n, _FDEF, _IDEF)

    def _grow(self, need: int) -> None:
        cap = max(need, 2 * len(self.F))
        F, I = _blank(cap)
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
    starts, so there are pending tasks at the first decision). Tasks come out slot by slot, and
    within a slot satellite by satellite in arrival order; ids count up in that order.

    All randomness comes from the stream's own numpy generator, drawn vectorised per chunk in a
    fixed order (Poisson counts per slot and satellite, by inversion of the CDF, then the uniforms for arrival times, work
    and Case I, then the normals of the size spread); a compiled pass assembles the columns.
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
        # Poisson CDFs of the per-slot count, one row per hour of the day (one row without the
        # time-of-day profile), padded with 1.0 (never below a uniform in [0, 1))
        base = np.full(24 if cfg.time_of_day else 1, 1.0 / cfg.mean_interarrival_s)
        if cfg.time_of_day:
            base = base * TIME_OF_DAY_CURVE
        cdfs = [poisson_cdf(float(lam)) for lam in base * slot_s]
        self._cdf_table = np.ones((len(cdfs), max(len(c) for c in cdfs)))
        for h, cdf in enumerate(cdfs):
            self._cdf_table[h, :len(cdf)] = cdf

    def append_slot(self, table: TaskTable, j: int) -> int:
        """Append the tasks arriving in slot ``j`` to ``table`` (j = 0, 1, 2, ...); returns how many."""
        if j >= self._first + len(self._offsets) - 1:
            self._draw(j)
        a, b = self._offsets[j - self._first], self._offsets[j - self._first + 1]
        if b > a:
            if table.n + (b - a) > len(table.F):
                table._grow(table.n + (b - a))
            _append_rows(table.F, table.I, table.n, a, b, self._cols)
            table.n += b - a
        return int(b - a)

    def ensure(self, j: int, table: TaskTable) -> bool:
        """Make slot ``j`` appendable by a compiled step: its chunk drawn, room for its tasks in
        ``table``. Returns whether arrays were replaced (a new chunk or a grown table)."""
        changed = False
        if j >= self._first + len(self._offsets) - 1:
            changed = self._draw(j)
        a, b = self._offsets[j - self._first], self._offsets[j - self._first + 1]
        if table.n + (b - a) > len(table.F):
            table._grow(table.n + (b - a))
            changed = True
        return changed

    def _draw(self, first: int) -> bool:
        """Draw the chunk of slots from ``first``; returns whether its buffers are new arrays."""
        cfg, c, dt, rng = self.cfg, self.chunk, self.slot_s, self.rng
        u_count = rng.random((c, self.n_sats))
        # Poisson(rate * dt) by inversion of the CDF of each slot's hour
        counts, m = _poisson_counts(u_count, self._cdf_table, cfg.time_of_day, self.start_hour_utc, first, dt)
        u = rng.random((3, m))  # arrival time within the slot, work, Case I
        z = rng.standard_normal(m)  # log-normal size spread
        new = self._reserve(m, c)
        _assemble_chunk(first, dt, counts, u, z, float(cfg.work_min), float(cfg.work_max), cfg.input_mbit_per_unit,
                        cfg.result_mbit_per_unit, cfg.size_spread, cfg.return_probability, cfg.deadline_s,
                        self.next_id, self._cols, self._offsets)
        self.next_id += m
        self._first = first
        return new

    def _reserve(self, m: int, c: int) -> bool:
        """Room for a chunk of ``m`` tasks over ``c`` slots in the stream's buffers, which are
        written in place while they are large enough (a compiled step holding them then needs no
        new view of the state); returns whether the buffers were replaced."""
        old = getattr(self, "_cols", None)
        new = old is None or m > len(old[0]) or c + 1 != len(self._offsets)
        if new:
            cap = max(m, 2 * len(old[0]) if old is not None else m)
            self._cols = tuple(np.empty(cap, dtype=dtype) for dtype in _CHUNK_DTYPES)
            self._offsets = np.empty(c + 1, dtype=np.int64)
        return new


@functools.lru_cache(maxsize=256)
def poisson_cdf(lam: float) -> np.ndarray:
    """CDF of Poisson(lam) at 0, 1, ..., up to where the tail is below double precision (the last
    entry is set to 1, so inversion needs no bound check). Cached per rate (read-only)."""
    k_max = int(lam + 12.0 * np.sqrt(lam) + 40)
    k = np.arange(k_max + 1)
    log_pmf = k * np.log(lam) - lam - gammaln(k + 1) if lam > 0 else np.where(k == 0, 0.0, -np.inf)
    cdf = np.cumsum(np.exp(log_pmf))
    cdf[-1] = 1.0
    cdf.flags.writeable = False
    return cdf


@njit(cache=True, error_model="numpy")
def _poisson_counts(u, cdf_table, time_of_day, start_hour, first, dt):
    """Task counts per (slot, satellite) of a chunk from the uniforms ``u``: the number of CDF
    entries at or below each uniform, the CDF of the slot's hour of the day (``(start_hour + (slot
    - 1) dt / 3600) mod 24``; row 0 without the profile). Returns (counts, their sum)."""
    c, n_sats = u.shape
    counts = np.empty((c, n_sats), np.int64)
    total = 0
    for j in range(c):
        h = int(((start_hour + (first + j - 1) * dt / 3600.0) % 24.0)) if time_of_day else 0
        cdf = cdf_table[h]
        for i in range(n_sats):
            k = np.searchsorted(cdf, u[j, i], side="right")
            counts[j, i] = k
            total += k
    return counts, total


#: dtypes of a chunk's columns (arrival, work, input, result, deadline, satellite, Case I, id)
_CHUNK_DTYPES = (np.float64,) * 5 + (np.int64,) * 3


@njit(cache=True, error_model="numpy")
def _assemble_chunk(first, dt, counts, u, z, work_min, work_max, input_per_unit, result_per_unit, spread, p_return,
                    deadline_s, next_id, cols, offsets):
    """Columns of the tasks of a chunk, written into ``cols`` (:data:`_CHUNK_DTYPES`, room for the
    chunk) and ``offsets`` (first task of each slot, then the count), in (slot, satellite, time)
    order: each satellite's tasks in arrival order (uniform in the slot). Work uniform over the
    integers [work_min, work_max], raw data work x input_per_unit x a log-normal spread, result
    work x result_per_unit, Case I with probability p_return. Draws: ``counts`` per slot and
    satellite, ``u`` ``(3, m)`` uniforms for the arrival time, the work and Case I, ``z`` normals
    of the size spread."""
    u_time, u_work, u_return = u[0], u[1], u[2]
    arrival, work, inp, res, deadline, sat, ret, ids = cols
    c, n_sats = counts.shape
    m = len(u_time)
    for q in range(m):
        ids[q] = next_id + q
    q = 0
    for j in range(c):
        offsets[j] = q
        for i in range(n_sats):
            k = counts[j, i]
            for a in range(k):  # arrival times within the slot, insertion-sorted in place
                x = (first + j - 1 + u_time[q + a]) * dt
                b = q + a
                while b > q and arrival[b - 1] > x:
                    arrival[b] = arrival[b - 1]
                    b -= 1
                arrival[b] = x
            for a in range(k):
                w = np.floor(work_min + u_work[q] * (work_max - work_min + 1))
                work[q] = w
                inp[q] = w * input_per_unit * np.exp(spread * z[q])
                res[q] = w * result_per_unit
                deadline[q] = arrival[q] + deadline_s if deadline_s > 0 else np.inf
                sat[q] = i
                ret[q] = 1 if u_return[q] < p_return else 0
                q += 1
    offsets[c] = q


@njit(cache=True, error_model="numpy")
def _compact(F, I, n, fdef, idef):
    """Move the rows that are not resolved to the front, in order; returns how many remain.
    Column by column (the matrices are column-major), so every pass reads and writes sequentially."""
    keep = np.empty(n, np.int64)
    w = 0
    stage = I[:, I_STAGE]
    for r in range(n):
        if stage[r] != RESOLVED:
            keep[w] = r
            w += 1
    for c in range(F.shape[1]):
        col = F[:, c]
        for j in range(w):
            col[j] = col[keep[j]]
        col[w:n] = fdef[c]
    for c in range(I.shape[1]):
        col = I[:, c]
        for j in range(w):
            col[j] = col[keep[j]]
        col[w:n] = idef[c]
    return w


@njit(cache=True, error_model="numpy")
def _append_rows(F, I, n, a, b, cols):
    """Write tasks a..b of a drawn chunk (``cols`` from :func:`_assemble_chunk`) into rows n..
    (the rest of each row holds defaults)."""
    arrival, work, input_mbit, result_mbit, deadline, sat, needs_return, ids = cols
    for q in range(a, b):
        r = n + q - a
        F[r, F_ARRIVAL] = arrival[q]
        F[r, F_WORK] = work[q]
        F[r, F_INPUT] = input_mbit[q]
        F[r, F_RESULT] = result_mbit[q]
        F[r, F_DEADLINE] = deadline[q]
        I[r, I_ID] = ids[q]
        I[r, I_SAT] = sat[q]
        I[r, I_RETURN] = needs_return[q]
