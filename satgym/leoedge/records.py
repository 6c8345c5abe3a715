"""The records the compiled step kernels take: a few named groups of arrays and constants instead
of dozens of positional arguments.

Each record is a ``NamedTuple`` (its fields are its documentation and how Python code builds it).
The kernels receive it as a plain tuple (``tuple(record)``: numba types a plain tuple of arrays
and numbers on its fast path, a named tuple field by field, which costs microseconds per call) and
read a field through the index constants below, derived from the record's own field names.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Clock(NamedTuple):
    """The step being simulated: ``[t_s, t_end_s)``, its row in the per-episode grids, the slot
    length, the grids' row count, and the simulator's generator (a :mod:`satgym.core.rng` state,
    advanced by the kernels' random draws)."""

    t_s: float
    t_end_s: float
    row: int
    slot_s: float
    n_rows: int
    rng: np.ndarray


class TaskArrays(NamedTuple):
    """The task table's float and int matrices (columns in :mod:`satgym.leoedge.codes`) and the
    number of rows in use."""

    F: np.ndarray
    I: np.ndarray
    n: int


class Satellites(NamedTuple):
    """Per satellite ``(n_sats,)``: when its processor and ground-link FIFOs drain (mutated), its
    per-unit inference time c(m_i) and accuracy a_i, its cluster's load as last received and the
    time it was received, and its processor's load over the last slot (mutated)."""

    proc_busy_s: np.ndarray
    link_busy_s: np.ndarray
    exec_s: np.ndarray
    accuracy: np.ndarray
    ground_seen: np.ndarray
    ground_seen_at_s: np.ndarray
    proc_load: np.ndarray


class AccessGrid(NamedTuple):
    """Per step row and satellite ``(n_rows, n_sats)`` (:class:`satgym.core.ground_segment.AccessSchedule`):
    access point in use (-1 none), connection window end, next connection start, one-way delay to
    the cluster, and link rate."""

    access: np.ndarray
    window_end_s: np.ndarray
    next_start_s: np.ndarray
    delay_s: np.ndarray
    rate_mbps: np.ndarray


class Neighbours(NamedTuple):
    """ISL neighbours ``(n_sats, 2)``: same-orbit fore/aft and other-orbit (-1: none)."""

    same_orbit: np.ndarray
    other_orbit: np.ndarray


class LinkParams(NamedTuple):
    """Transmission settings: Alg. 4 on/off, wait (else fail) when a contact is lost, loss rates,
    ISL rate, packet size, and the rate assumed for a transfer that waits for the next contact."""

    seamless: bool
    wait_mode: bool
    ground_loss: float
    isl_rate_mbps: float
    isl_loss: float
    packet_bits: float
    nominal_rate_mbps: float


class EdgeParams(NamedTuple):
    """The ground model (c(m_e) per unit, a_s), the load window of the queue estimate, and how
    long a task may stay undecided."""

    exec_unit_s: float
    accuracy: float
    load_window_s: float
    max_hold_s: float


class Containers(NamedTuple):
    """Per container: when its FIFO drains (mutated) and its CPU occupancy over the last slot."""

    busy_until_s: np.ndarray
    occupancy: np.ndarray


#: columns of the per-offload decision records the dispatch kernel fills (the reward's inputs)
DECISION_FIELDS = ("sat", "t_local_s", "t_edge_s", "held_s", "delta_accuracy")


def _ix(record: type, *names: str) -> tuple[int, ...]:
    return tuple(record._fields.index(name) for name in names)


CLOCK_T, CLOCK_T_END, CLOCK_ROW, CLOCK_SLOT, CLOCK_N_ROWS, CLOCK_RNG = _ix(
    Clock, "t_s", "t_end_s", "row", "slot_s", "n_rows", "rng")
TASK_F, TASK_I, TASK_N = _ix(TaskArrays, "F", "I", "n")
SAT_PROC_BUSY, SAT_LINK_BUSY, SAT_EXEC, SAT_ACCURACY, SAT_GROUND_SEEN, SAT_SEEN_AT, SAT_PROC_LOAD = _ix(
    Satellites, "proc_busy_s", "link_busy_s", "exec_s", "accuracy", "ground_seen", "ground_seen_at_s", "proc_load")
GRID_ACCESS, GRID_WINDOW_END, GRID_NEXT_START, GRID_DELAY, GRID_RATE = _ix(
    AccessGrid, "access", "window_end_s", "next_start_s", "delay_s", "rate_mbps")
ISL_SAME, ISL_OTHER = _ix(Neighbours, "same_orbit", "other_orbit")
LINK_SEAMLESS, LINK_WAIT, LINK_GROUND_LOSS, LINK_ISL_RATE, LINK_ISL_LOSS, LINK_PACKET_BITS, LINK_NOMINAL_RATE = _ix(
    LinkParams, "seamless", "wait_mode", "ground_loss", "isl_rate_mbps", "isl_loss", "packet_bits", "nominal_rate_mbps")
EDGE_EXEC, EDGE_ACCURACY, EDGE_LOAD_WINDOW, EDGE_MAX_HOLD = _ix(
    EdgeParams, "exec_unit_s", "accuracy", "load_window_s", "max_hold_s")
CONT_BUSY, CONT_OCCUPANCY = _ix(Containers, "busy_until_s", "occupancy")
