"""One whole simulator step as a single compiled call (the orchestration of
:meth:`satgym.leoedge.simulator.Simulator.step`), so that the PettingZoo env and the batched array
API (:mod:`satgym.leoedge.array`, which calls it for B envs inside one compiled loop) run exactly
the same code.

A step: decisions (:func:`~satgym.leoedge.step_dispatch.dispatch`), uploads reaching the ground
(:func:`~satgym.leoedge.step_advance.ground_arrivals`), the LBS
(:func:`~satgym.leoedge.step_advance.place_least_loaded`, or a Python scheduler between
:func:`decide` and :func:`finish`), containers, result returns and resolution
(:func:`~satgym.leoedge.step_advance.advance`), compaction of resolved rows, the next slot's
arrivals, the ground load each satellite receives, and the next decision slots.

What cannot run compiled (drawing the next chunk of the task stream, growing the task table)
is done by the simulator *before* a step, when the flag ``ints[IX_PREP]`` set by the previous
step (or the reset) says it is needed. The kernels' random draws come from the state's own
generator (``rng``, :mod:`satgym.core.rng`), which dispatch and advance draw from in turn.

The state is one plain tuple of arrays and constants (:class:`StepState`); scalars that change are
entries of the ``ints`` / ``floats`` arrays, so the kernel updates them in place.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from satgym.core.jit import np_sum
from satgym.leoedge.attribution import charge_known, open_estimates
from satgym.leoedge.records import EDGE_EXEC, SAT_EXEC, SAT_PROC_BUSY
from satgym.leoedge.step_advance import S_RESOLVED, STATS, advance, ground_arrivals, place_least_loaded, \
    receive_ground_load
from satgym.leoedge.step_dispatch import dispatch, pending_slots
from satgym.leoedge.tasks import _FDEF, _IDEF, _append_rows, _compact

COMPACT_EVERY = 16  # steps between removals of resolved rows

# entries of the ``ints`` state array
(IX_K, IX_LIVE, IX_FIRST_PENDING, IX_FIRST_UPLINK, IX_CHUNK_FIRST, IX_PREP, IX_N_STEPS,
 IX_ISL_EVERY, IX_OFFLOADED, IX_REROUTED, IX_PLACED, IX_NEW, IX_IN_CONTACT, N_INTS) = range(14)
# entries of the ``floats`` state array
FX_TIME, FX_SLOT, FX_EDGE_LOAD, N_FLOATS = range(4)
# episode totals (``totals`` array): the STATS sums, then these counts
E_GENERATED, E_OFFLOADED, E_REROUTED, E_PLACED, E_IN_CONTACT, E_STEPS = range(len(STATS), len(STATS) + 6)
N_TOTALS = len(STATS) + 6


class StepState(NamedTuple):
    """Everything a step reads and writes (the kernels get it as a plain tuple).

    ``ints`` / ``floats``: the scalars above; ``rng``: the simulator's generator (a
    :mod:`satgym.core.rng` state, seeded at reset); ``tasks``: (F, I,
    count) of the task table; ``chunk``: (columns, offsets) of the drawn task-stream chunk;
    ``sats``, ``grid``, ``links``, ``edge``, ``cont``: the records of :mod:`satgym.leoedge.records`;
    ``isl_all``: the same- and other-orbit neighbours at every refresh instant
    ``(n_refresh, n_sats, 2)``; ``lbs``: the default LBS's layout; ``bufs``: per-step outputs and
    episode totals, last the reward attribution's per-satellite (known times, known failures,
    open-task estimates, open count) (:mod:`satgym.leoedge.attribution`); ``extra``: (cluster
    grid, station elevation grid, number of stations)."""

    ints: np.ndarray
    floats: np.ndarray
    rng: np.ndarray
    tasks: tuple
    chunk: tuple
    sats: tuple
    grid: tuple
    isl_all: tuple
    links: tuple
    edge: tuple
    cont: tuple
    lbs: tuple
    bufs: tuple
    extra: tuple


@njit(cache=True, error_model="numpy", inline="always")
def neighbours_now(st):
    """(same-orbit, other-orbit) ISL neighbours in use at the current step (refreshed every
    ``isl_every`` steps)."""
    ints, isl_all = st[0], st[7]
    j = ints[IX_K] // ints[IX_ISL_EVERY]
    return isl_all[0][j], isl_all[1][j]


@njit(cache=True, error_model="numpy", inline="always")
def _clock(st):
    ints, floats = st[0], st[1]
    k, n_steps = ints[IX_K], ints[IX_N_STEPS]
    t, slot_s = floats[FX_TIME], floats[FX_SLOT]
    row_k = k if k <= n_steps else n_steps
    return (t, t + slot_s, row_k, slot_s, n_steps + 1, st[2])


@njit(cache=True, error_model="numpy", inline="always")
def decide(st, actions):
    """The decision half: (n_sats, K) actions, then the uploads reaching the ground by the step's
    end, in arrival order (their rows)."""
    ints, tasks, sats, grid, links, edge, bufs = st[0], st[3], st[5], st[6], st[8], st[9], st[12]
    F, I, count = tasks
    decisions, counts, slots = bufs[0], bufs[1], bufs[5]
    clock = _clock(st)
    n = count[0]
    dispatch(clock, actions, slots, (F, I, n), sats, grid, neighbours_now(st), links, edge, (decisions, counts))
    ints[IX_OFFLOADED], ints[IX_REROUTED] = counts[0], counts[1]
    rows, first_uplink = ground_arrivals(F, I, min(ints[IX_FIRST_UPLINK], ints[IX_FIRST_PENDING]), n, clock[1])
    ints[IX_FIRST_UPLINK] = first_uplink
    return rows


@njit(cache=True, error_model="numpy", inline="always")
def place(st, rows):
    """The default LBS (least loaded server, then container), policy reservations honoured."""
    F, I, _ = st[3]
    ap_cluster, per_cluster, servers, per_server, container_cluster, _n = st[11]
    return place_least_loaded(F, I, rows, ap_cluster, st[10][0], st[9][0], per_cluster, servers, per_server,
                              container_cluster)


@njit(cache=True, error_model="numpy", inline="always")
def finish(st, rows, containers):
    """The time-advance half: containers, results, resolution, then the next slot's arrivals,
    the ground load the satellites receive and their next decision slots."""
    ints, floats, tasks, chunk, grid, links, edge, cont, lbs, bufs, extra = (st[0], st[1], st[3], st[4], st[6],
                                                                             st[8], st[9], st[10], st[11], st[12],
                                                                             st[13])
    F, I, count = tasks
    _dec, _counts, stats, e2e_sat, failed_sat, slots, pending_count, totals, load_sum, charged = bufs
    clock = _clock(st)
    n = count[0]
    advance(clock, rows, containers, (F, I, n), cont, grid, neighbours_now(st), links, edge,
            (stats, e2e_sat, failed_sat))
    charge_known(F, I, n, charged[0], charged[1])  # outcomes known this step, to the deciding satellite
    occupancy = cont[1]
    for j in range(len(STATS)):
        totals[j] += stats[j]
    totals[E_OFFLOADED] += ints[IX_OFFLOADED]
    totals[E_REROUTED] += ints[IX_REROUTED]
    totals[E_PLACED] += len(rows)
    totals[E_STEPS] += 1
    for c in range(len(occupancy)):
        load_sum[c] += occupancy[c]
    ints[IX_PLACED] = len(rows)
    live = ints[IX_LIVE] - np.int64(stats[S_RESOLVED])
    k = ints[IX_K] + 1
    ints[IX_K] = k
    floats[FX_TIME] = clock[1]
    if n > 2 * live + 1024 or k % COMPACT_EVERY == 0:  # keep scans O(live tasks)
        n = _compact(F, I, n, _FDEF, _IDEF)
        ints[IX_FIRST_PENDING] = 0
        ints[IX_FIRST_UPLINK] = 0
    cols, offsets = chunk
    j = k - ints[IX_CHUNK_FIRST]
    a, b = offsets[j], offsets[j + 1]
    if b > a:
        _append_rows(F, I, n, a, b, cols)
        n += b - a
    count[0] = n
    ints[IX_NEW] = b - a
    totals[E_GENERATED] += b - a
    ints[IX_LIVE] = live + (b - a)
    edge_load = np_sum(occupancy) / len(occupancy)
    floats[FX_EDGE_LOAD] = edge_load
    ints[IX_IN_CONTACT] = receive(st, edge_load)
    totals[E_IN_CONTACT] += ints[IX_IN_CONTACT]
    update_slots(st)
    if k >= ints[IX_N_STEPS]:  # the episode's end: the tasks still open, estimated
        sats = st[5]
        open_estimates(F, I, n, clock[1], sats[SAT_PROC_BUSY], sats[SAT_EXEC], edge[EDGE_EXEC], charged[2], charged[3])
    ints[IX_PREP] = needs_prep(st)


@njit(cache=True, error_model="numpy", inline="always")
def receive(st, edge_load):
    """Satellites connected to a cluster receive its mean container load (the mean over all
    containers when there is one cluster); returns how many are connected."""
    ints, floats, sats, cont, lbs, extra = st[0], st[1], st[5], st[10], st[11], st[13]
    occupancy, n_clusters, per_cluster = cont[1], lbs[5], lbs[1]
    loads = np.empty(n_clusters)
    if n_clusters == 1:
        loads[0] = edge_load
    else:
        for c in range(n_clusters):
            loads[c] = np_sum(occupancy, c * per_cluster, per_cluster) / per_cluster
    row = min(ints[IX_K], ints[IX_N_STEPS])
    return receive_ground_load(extra[0][row], loads, floats[FX_TIME], sats[4], sats[5])


@njit(cache=True, error_model="numpy", inline="always")
def update_slots(st):
    ints, tasks, bufs = st[0], st[3], st[12]
    slots, pending_count = bufs[5], bufs[6]
    ints[IX_FIRST_PENDING] = pending_slots(tasks[1], ints[IX_FIRST_PENDING], tasks[2][0], slots, pending_count)


@njit(cache=True, error_model="numpy", inline="always")
def needs_prep(st):
    """1 if the next step needs the next chunk of the task stream or a larger table."""
    ints, tasks, chunk = st[0], st[3], st[4]
    k = ints[IX_K]
    if k >= ints[IX_N_STEPS]:
        return 0
    offsets = chunk[1]
    j = k + 1 - ints[IX_CHUNK_FIRST]
    if j + 1 >= len(offsets):
        return 1
    return 1 if tasks[2][0] + offsets[j + 1] - offsets[j] > tasks[0].shape[0] else 0


@njit(cache=True, error_model="numpy")
def step(st, actions):
    """One whole step with the default LBS."""
    rows = decide(st, actions)
    finish(st, rows, place(st, rows))
