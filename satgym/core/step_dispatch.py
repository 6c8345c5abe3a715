"""The decision half of a step, compiled: run pending tasks locally or start their uploads.

For every satellite and decision slot (satellite-major, so each satellite's tasks stay FIFO):

* ``local``: queue on the on-board processor (FIFO, ``work * c(m_i)``);
* ``offload``: route with Alg. 4 (:func:`~satgym.core.transmission.plan_route`), or back to local
  when no route fits; queue the upload on the link satellite's ground link; a transfer that
  outlives the contact window fails or waits for the next contact (``on_contact_loss``);
* ``hold``: nothing.

Random retransmission counts come from numba's generator, re-seeded from the environment's RNG
on every call, so the env's ``reset(seed)`` determines everything.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from satgym.core.columns import (
    A_HOLD, A_LOCAL, DONE_KNOWN, F_ACCURACY, F_ARRIVAL, F_DEADLINE, F_DECIDED, F_DONE, F_GARRIVAL, F_INPUT,
    F_RESULT, F_WORK, F_XFINISH, F_XSTART, I_FAILED, I_LINK, I_REASON, I_RELAY, I_RETURN, I_ROUTE,
    I_SAT, I_STAGE, I_STATION, LATE, LOST_UPLOAD, NO_CONTACT, OP_LINEAR, OP_LOG1P, OP_SQRT,
    R_DIRECT, R_LOCAL, UPLINK,
)
from satgym.core.jit import task_helper
from satgym.core.links import relay_loss, transfer_time_s
from satgym.core.transmission import delivery_estimate, plan_route


@task_helper
def advantage_operator(x, op):
    """F of Eq. 2 (same table as :mod:`satgym.core.advantage`): concave, 0 for x <= 0."""
    if not x > 0.0:
        return 0.0
    if op == OP_LOG1P:
        return np.log1p(x)
    if op == OP_LINEAR:
        return x
    if op == OP_SQRT:
        return np.sqrt(x)
    return -np.expm1(-x)


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


@njit(cache=True)
def dispatch(seed, t, slot_s, n_rows, actions, slots, F, I, proc_busy, link_busy, exec_s, accuracy,
             ground_seen, station_grid, window_end_grid, next_start_grid, delay_grid, row_k, rate_now,
             same_orbit, other_orbit, seamless, wait_mode, ground_loss, isl_rate, isl_loss,
             packet_bits, edge_exec_unit_s, edge_accuracy, alpha, time_ref_s, op, load_window_s,
             nominal_rate, out, adv_sat):
    """Apply one step's actions. ``out`` receives [advantage sum, rerouted, offloaded];
    ``adv_sat`` the advantage per satellite (its own offloads). ``station_grid`` holds the access
    point in use (station or relay, -1 none) and ``delay_grid`` the one-way propagation + backhaul
    delay to the edge cluster, per step row and satellite."""
    np.random.seed(seed)
    adv_sat[:] = 0.0
    n_sats, K = slots.shape
    backlog = np.maximum(link_busy - t, 0.0)
    remaining_now = np.zeros(n_sats)  # T_a (Eq. 27)
    for i in range(n_sats):
        if station_grid[row_k, i] >= 0:
            remaining_now[i] = window_end_grid[row_k, i] - t
    two_hop_loss = relay_loss(isl_loss, ground_loss)  # Eq. 28
    adv = 0.0
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
                route, ls = plan_route(i, inp, res, ret, ex, remaining_now, rate_now, backlog, same_orbit,
                                       other_orbit, ground_loss, isl_rate, isl_loss)
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
            t_edge += delay_grid[row_k, ls] * (2.0 if ret else 1.0)  # to the cluster (and back)
            # Eq. 2 with "hold" (our extension): the task could have run locally at its first
            # decision instant, so the time it was held is charged to the offload. Without this,
            # holding until a contact and then offloading earns an advantage for a task that is
            # already late.
            first_decision = np.ceil(F[r, F_ARRIVAL] / slot_s - 1e-9) * slot_s
            t_edge += max(t - first_decision, 0.0)
            arg = alpha * (t_local - t_edge) / time_ref_s + (1.0 - alpha) * (edge_accuracy - accuracy[i])
            gain = advantage_operator(arg, op)
            adv += gain
            adv_sat[i] += gain
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
                ready = next_start_grid[row_k, ls]
                if not np.isfinite(ready):  # no contact within the look-ahead: stays in flight
                    I[r, I_STAGE] = UPLINK
                    F[r, F_GARRIVAL] = np.inf
                    continue
                rate = nominal_rate
            tx = transfer_time_s(inp, rate, loss, packet_bits)
            start = max(ready, link_busy[ls])
            end = start + tx
            link_busy[ls] = end
            backlog[ls] = max(end - t, 0.0)
            row = min(int(np.ceil(start / slot_s - 1e-9)), n_rows - 1)
            st = station_grid[row, ls]
            window_end = window_end_grid[row, ls]
            I[r, I_STAGE] = UPLINK
            I[r, I_STATION] = st if st >= 0 else station_grid[row_k, ls]
            F[r, F_GARRIVAL] = end + delay_grid[row, ls]  # propagation and backhaul to the cluster
            if st >= 0 and end <= window_end:
                continue
            # the upload outlives the contact window
            lost_at = window_end if (st >= 0 and window_end > start) else start
            if not wait_mode:
                link_busy[ls] = min(link_busy[ls], max(lost_at, t))
                backlog[ls] = max(link_busy[ls] - t, 0.0)
                fail(F, I, r, LOST_UPLOAD, lost_at)
            else:  # resume the rest of the transfer at the link satellite's next contact
                row_e = min(int(np.ceil(lost_at / slot_s)), n_rows - 1)
                resumed = next_start_grid[row_e, ls] + (end - lost_at)
                F[r, F_GARRIVAL] = resumed
                if np.isfinite(resumed):
                    link_busy[ls] = max(link_busy[ls], resumed)
                    backlog[ls] = max(link_busy[ls] - t, 0.0)
    out[0] = adv
    out[1] = rerouted
    out[2] = offloaded


@njit(cache=True)
def pending_slots(I, first, n, n_sats, K):
    """Rows of each satellite's K oldest pending tasks, the pending counts, and the first pending
    row. Each satellite's rows are in arrival order and rows never return to pending, so the scan starts at ``first``
    (the first pending row found last time)."""
    slots = np.full((n_sats, K), -1, np.int64)
    count = np.zeros(n_sats, np.int64)
    first_found = n
    for r in range(first, n):
        if I[r, I_STAGE] == 0:  # PENDING
            if first_found == n:
                first_found = r
            s = I[r, I_SAT]
            if count[s] < K:
                slots[s, count[s]] = r
            count[s] += 1
    return slots, count, first_found
