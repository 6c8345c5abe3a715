"""The records the compiled step kernels take: a few named groups of arrays and constants instead
of dozens of positional arguments (numba compiles a ``NamedTuple`` as a typed record, so a field
is reached by name and the call site cannot mix two arguments up).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Clock(NamedTuple):
    """The step being simulated: ``[t_s, t_end_s)``, its row in the per-episode grids, the slot
    length, the grids' row count, and the seed of the kernels' random draws."""

    t_s: float
    t_end_s: float
    row: int
    slot_s: float
    n_rows: int
    seed: int


class TaskArrays(NamedTuple):
    """The task table's float and int matrices (columns in :mod:`satgym.leoedge.codes`) and the
    number of rows in use."""

    F: np.ndarray
    I: np.ndarray
    n: int


class Satellites(NamedTuple):
    """Per satellite ``(n_sats,)``: when its processor and ground-link FIFOs drain (mutated), its
    per-unit inference time c(m_i) and accuracy a_i, and its cluster's load as last received."""

    proc_busy_s: np.ndarray
    link_busy_s: np.ndarray
    exec_s: np.ndarray
    accuracy: np.ndarray
    ground_seen: np.ndarray


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
