"""The decision half of a step, compiled: run pending tasks locally or start their uploads.

For every satellite and decision slot (satellite-major, so each satellite's tasks stay FIFO):

* ``local``: queue on the on-board processor (FIFO, ``work * c(m_i)``);
* ``offload``: route with Alg. 4 (:func:`~satgym.leoedge.transmission.plan_route`), or back to local
  when no route fits; queue the upload on the link satellite's ground link; a transfer that
  outlives the connection window fails or waits for the next contact (``on_contact_loss``);
* ``hold``: nothing.

For every offload the kernel records what the satellite estimates at the decision (the inputs of
the reward's offloading advantage, Eqs. 2-4): its local completion time, the edge completion time,
how long the task was held, and the accuracy gain a_s - a_i (:data:`~satgym.leoedge.records.DECISION_FIELDS`).

Random retransmission counts come from the simulator's own generator (``clock``'s
:mod:`satgym.core.rng` state, seeded from the env's RNG at reset), so the env's ``reset(seed)``
determines everything.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from satgym.core.jit import task_helper
from satgym.core.links import relay_loss, transfer_time_s
from satgym.leoedge.codes import (
    A_HOLD, A_LOCAL, DONE_KNOWN, F_ACCURACY, F_ARRIVAL, F_DEADLINE, F_DECIDED, F_DONE, F_GARRIVAL, F_INPUT,
    F_RESULT, F_WORK, F_XFINISH, F_XSTART, I_FAILED, I_LINK, I_REASON, I_RELAY, I_RETURN, I_ROUTE,
    I_SAT, I_STAGE, I_STATION, LATE, LOST_UPLOAD, NO_CONTACT, PENDING, R_DIRECT, R_LOCAL, UPLINK,
)
from satgym.leoedge.records import (
    CLOCK_N_ROWS, CLOCK_RNG, CLOCK_ROW, CLOCK_SLOT, CLOCK_T, CLOCK_T_END, EDGE_ACCURACY, EDGE_EXEC, EDGE_LOAD_WINDOW,
    GRID_ACCESS, GRID_DELAY, GRID_NEXT_START, GRID_RATE, GRID_WINDOW_END, ISL_OTHER, ISL_SAME, LINK_GROUND_LOSS,
    LINK_ISL_LOSS, LINK_ISL_RATE, LINK_NOMINAL_RATE, LINK_PACKET_BITS, LINK_SEAMLESS, LINK_WAIT, SAT_ACCURACY,
    SAT_EXEC, SAT_GROUND_SEEN, SAT_LINK_BUSY, SAT_PROC_BUSY, SAT_PROC_LOAD, TASK_F, TASK_I,
)
from satgym.leoedge.transmission import delivery_estimate, plan_route


@task_helper
def fail(F, I, r, reason, at_s):
    I[r, I_FAILED] = 1
    I[r, I_REASON] = reason
    F[r, F_DONE] = at_s
    I[r, I_STAGE] = DONE_KNOWN


@task_helper
def finish(F, I, r, done_s):
    """The outcome is known and happens at ``done_s``; after the deadline it is a failure."""
    F[r, F_DONE] = done_s
    I[r, I_STAGE] = DONE_KNOWN
    if done_s > F[r, F_DEADLINE]:
        fail(F, I, r, LATE, done_s)


@task_helper
def run_local(F, I, r, t, proc_busy, exec_s, accuracy):
    i = I[r, I_SAT]
    start = max(t, proc_busy[i])
    end = start + F[r, F_WORK] * exec_s[i]
    proc_busy[i] = end
    F[r, F_DECIDED] = t
    I[r, I_ROUTE] = R_LOCAL
    F[r, F_XSTART] = start
    F[r, F_XFINISH] = end
    F[r, F_ACCURACY] = accuracy[i]
    finish(F, I, r, end)


@njit(cache=True, error_model="numpy")
def dispatch(clock, actions, slots, tasks, sats, grid, isl, links, edge, out):
    """Apply one step's actions (``(n_sats, K)`` in :class:`~satgym.leoedge.codes.Action`) to the
    tasks in each satellite's decision ``slots``. The records (:mod:`satgym.leoedge.records`) come
    as plain tuples. ``out`` = (decisions, counts): one row of ``decisions`` per offload (columns
    :data:`~satgym.leoedge.records.DECISION_FIELDS`), ``counts`` = [offloads, rerouted to local]."""
    decisions, counts = out
    rng = clock[CLOCK_RNG]
    F, I = tasks[TASK_F], tasks[TASK_I]
    t, row_k, slot_s, n_rows = clock[CLOCK_T], clock[CLOCK_ROW], clock[CLOCK_SLOT], clock[CLOCK_N_ROWS]
    proc_busy, link_busy, proc_load = sats[SAT_PROC_BUSY], sats[SAT_LINK_BUSY], sats[SAT_PROC_LOAD]
    exec_s, accuracy, ground_seen = sats[SAT_EXEC], sats[SAT_ACCURACY], sats[SAT_GROUND_SEEN]
    access, window_end_s, next_start_s = grid[GRID_ACCESS], grid[GRID_WINDOW_END], grid[GRID_NEXT_START]
    delay_s = grid[GRID_DELAY]
    rate_now = grid[GRID_RATE][row_k]
    same_orbit, other_orbit = isl[ISL_SAME], isl[ISL_OTHER]
    edge_exec_unit_s, edge_accuracy, load_window_s = edge[EDGE_EXEC], edge[EDGE_ACCURACY], edge[EDGE_LOAD_WINDOW]
    seamless, wait_mode, packet_bits = links[LINK_SEAMLESS], links[LINK_WAIT], links[LINK_PACKET_BITS]
    n_sats, K = slots.shape
    backlog = np.empty(n_sats)
    remaining_now = np.empty(n_sats)  # T_a (Eq. 27)
    for i in range(n_sats):
        backlog[i] = max(link_busy[i] - t, 0.0)
        remaining_now[i] = window_end_s[row_k, i] - t if access[row_k, i] >= 0 else 0.0
    ground_loss, isl_rate, isl_loss = links[LINK_GROUND_LOSS], links[LINK_ISL_RATE], links[LINK_ISL_LOSS]
    two_hop_loss = relay_loss(isl_loss, ground_loss)  # Eq. 28
    rerouted = 0
    offloaded = 0
    for i in range(n_sats):
        for k in range(K):
            r = slots[i, k]
            a = actions[i, k]
            if r < 0 or a == A_HOLD:
                continue
            if a == A_LOCAL:
                run_local(F, I, r, t, proc_busy, exec_s, accuracy)
                continue
            work, inp, res = F[r, F_WORK], F[r, F_INPUT], F[r, F_RESULT]
            ret = I[r, I_RETURN] == 1
            ex = work * edge_exec_unit_s
            if seamless:
                route, ls = plan_route(i, (inp, res, ret, ex), (remaining_now, rate_now, backlog),
                                       (same_orbit, other_orbit), (ground_loss, isl_rate, isl_loss))
            else:
                route, ls = R_DIRECT, i
            if route == R_LOCAL:  # Alg. 4 line 27
                rerouted += 1
                run_local(F, I, r, t, proc_busy, exec_s, accuracy)
                continue
            rate = rate_now[ls] if route == R_DIRECT else min(rate_now[ls], isl_rate)
            loss = ground_loss if route == R_DIRECT else two_hop_loss
            # Eqs. 2-4 from what the satellite knows now: Delta_c = local - edge completion estimate
            t_local = max(proc_busy[i] - t, 0.0) + work * exec_s[i]
            t_edge = backlog[ls] + delivery_estimate(inp, res, ret, ex, rate, loss)
            t_edge += (0.0 if ret else ex) + ground_seen[i] * load_window_s
            t_edge += delay_s[row_k, ls] * (2.0 if ret else 1.0)  # to the cluster (and back)
            # how long the task waited since its first decision instant (the reward charges it)
            first_decision = np.ceil(F[r, F_ARRIVAL] / slot_s - 1e-9) * slot_s
            decisions[offloaded, 0] = i
            decisions[offloaded, 1] = t_local
            decisions[offloaded, 2] = t_edge
            decisions[offloaded, 3] = max(t - first_decision, 0.0)
            decisions[offloaded, 4] = edge_accuracy - accuracy[i]
            offloaded += 1
            F[r, F_DECIDED] = t
            I[r, I_ROUTE] = route
            I[r, I_RELAY] = -1 if route == R_DIRECT else ls
            I[r, I_LINK] = ls
            ready = t
            if rate <= 0.0:  # out of contact with planning off
                if not wait_mode:
                    fail(F, I, r, NO_CONTACT, t)
                    continue
                ready = next_start_s[row_k, ls]
                if not np.isfinite(ready):  # no contact within the look-ahead: stays in flight
                    I[r, I_STAGE] = UPLINK
                    F[r, F_GARRIVAL] = np.inf
                    continue
                rate = links[LINK_NOMINAL_RATE]
            tx = transfer_time_s(inp, rate, loss, packet_bits, rng)
            start = max(ready, link_busy[ls])
            end = start + tx
            link_busy[ls] = end
            backlog[ls] = max(end - t, 0.0)
            row = min(int(np.ceil(start / slot_s - 1e-9)), n_rows - 1)
            st = access[row, ls]
            window_end = window_end_s[row, ls]
            I[r, I_STAGE] = UPLINK
            I[r, I_STATION] = st if st >= 0 else access[row_k, ls]
            F[r, F_GARRIVAL] = end + delay_s[row, ls]  # propagation and backhaul to the cluster
            if st >= 0 and end <= window_end:
                continue
            # the upload outlives the connection window
            lost_at = window_end if (st >= 0 and window_end > start) else start
            if not wait_mode:
                link_busy[ls] = min(link_busy[ls], max(lost_at, t))
                backlog[ls] = max(link_busy[ls] - t, 0.0)
                fail(F, I, r, LOST_UPLOAD, lost_at)
            else:  # resume the rest of the transfer at the link satellite's next contact
                row_e = min(int(np.ceil(lost_at / slot_s)), n_rows - 1)
                resumed = next_start_s[row_e, ls] + (end - lost_at)
                F[r, F_GARRIVAL] = resumed
                if np.isfinite(resumed):
                    link_busy[ls] = max(link_busy[ls], resumed)
                    backlog[ls] = max(link_busy[ls] - t, 0.0)
    counts[0] = offloaded
    counts[1] = rerouted
    # on-board load over the slot: tasks join a processor's FIFO only at decision instants, so it
    # is busy without a gap from t until its queue drains
    t_end = clock[CLOCK_T_END]
    for i in range(n_sats):
        busy = min(proc_busy[i], t_end) - t
        proc_load[i] = (busy if busy > 0.0 else 0.0) / (t_end - t)


@njit(cache=True, error_model="numpy")
def pending_slots(I, first, n, slots, count):
    """Rows of each satellite's K oldest pending tasks into ``slots`` ``(n_sats, K)`` (-1: empty),
    the pending counts into ``count``; returns the first pending row. Each satellite's rows are in
    arrival order and rows never return to pending, so the scan starts at ``first`` (the first
    pending row found last time)."""
    K = slots.shape[1]
    slots[:] = -1
    count[:] = 0
    first_found = n
    for r in range(first, n):
        if I[r, I_STAGE] == PENDING:
            if first_found == n:
                first_found = r
            s = I[r, I_SAT]
            if count[s] < K:
                slots[s, count[s]] = r
            count[s] += 1
    return first_found
