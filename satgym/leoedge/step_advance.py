"""The time-advance half of a step, compiled: ground arrivals, containers, result return, loads,
and resolving outcomes whose time has come.

Result return (Case I, LEOEdge Sec. VII-B): when a container finishes a task whose result must go
back, the station first tries the link the raw data came over (the satellite itself, or its
relay). If that satellite is no longer in contact long enough, the seamless scheme looks for a new
link: the satellite directly, then its same-orbit neighbours, then its other-orbit neighbours (Alg.
4's order). Stations share results over terrestrial backhaul, so any access point (station or
geostationary relay) in view of the chosen satellite can send it; the result takes that access
point's path delay (fibre, radio propagation) plus its transfer time. Without the seamless scheme only the original link is tried. A result that
finds no link fails (``contact_lost_return``) or waits for the satellite's next contact.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from satgym.core.jit import task_helper
from satgym.core.links import relay_loss, transfer_time_s
from satgym.leoedge.codes import (
    DONE_KNOWN, EDGE, EXPIRED, F_ACCURACY, F_ARRIVAL, F_DEADLINE, F_DECIDED, F_DONE, F_GARRIVAL,
    F_RESULT, F_WORK, F_XFINISH, F_XSTART, FAIL_REASONS, I_CONTAINER, I_FAILED, I_LINK, I_REASON, I_RELAY,
    I_RESERVED, I_RETURN, I_SAT, I_STAGE, I_STATION, LOST_RETURN, PENDING, RESOLVED, UPLINK,
)
from satgym.leoedge.records import (
    CLOCK_N_ROWS, CLOCK_RNG, CLOCK_SLOT, CLOCK_T, CLOCK_T_END, CONT_BUSY, CONT_OCCUPANCY, EDGE_ACCURACY,
    EDGE_EXEC, EDGE_MAX_HOLD, GRID_ACCESS, GRID_DELAY, GRID_NEXT_START, GRID_RATE, GRID_WINDOW_END, ISL_OTHER,
    ISL_SAME, LINK_GROUND_LOSS, LINK_ISL_LOSS, LINK_ISL_RATE, LINK_NOMINAL_RATE, LINK_PACKET_BITS, LINK_SEAMLESS,
    LINK_WAIT, TASK_F, TASK_I, TASK_N,
)
from satgym.leoedge.step_dispatch import fail, finish

# layout of the stats vector filled by :func:`advance`: counts and sums, then one count per
# failure reason (in FailReason order), then the number of tasks resolved
STATS = ("completed", "completed_local", "completed_edge", "e2e_sum_s", "accuracy_sum",
         "wait_decision", "upload", "queue", "execution", "result_return", *FAIL_REASONS, "resolved")
S_COMPLETED, S_LOCAL, S_EDGE, S_E2E, S_ACCURACY = 0, 1, 2, 3, 4
S_WAIT, S_UPLOAD, S_QUEUE, S_EXECUTION, S_RETURN = 5, 6, 7, 8, 9
S_FAIL0 = STATS.index(FAIL_REASONS[0])
S_RESOLVED = STATS.index("resolved")


@njit(cache=True, error_model="numpy")
def ground_arrivals(F, I, first, n, t_end):
    """Rows whose upload reaches the station before ``t_end``, in order of arrival, and the first
    row still uploading. Rows leave the upload stage for good, so the scan starts at ``first``
    (the first uploading row found last time)."""
    count = 0
    first_found = n
    for r in range(first, n):
        if I[r, I_STAGE] == UPLINK:
            if first_found == n:
                first_found = r
            if F[r, F_GARRIVAL] < t_end:
                count += 1
    rows = np.empty(count, np.int64)
    q = 0
    for r in range(first_found, n):
        if q == count:
            break
        if I[r, I_STAGE] == UPLINK and F[r, F_GARRIVAL] < t_end:
            # stable insertion by arrival time (ties keep row order, as a stable sort would)
            x = F[r, F_GARRIVAL]
            b = q
            while b > 0 and F[rows[b - 1], F_GARRIVAL] > x:
                rows[b] = rows[b - 1]
                b -= 1
            rows[b] = r
            q += 1
    return rows, first_found


@njit(cache=True, error_model="numpy")
def least_loaded(busy_until, site, arrival_s, exec_s, per_cluster, servers, per_server):
    """LBS: the server with the least total backlog, then its container with the least backlog,
    decided arrival by arrival (the LBS sees the queues its earlier choices built)."""
    busy = busy_until.copy()
    out = np.empty(len(site), np.int64)
    for q in range(len(site)):
        out[q] = _least_loaded_one(busy, site[q] * per_cluster, arrival_s[q], exec_s[q], servers, per_server)
    return out


@task_helper
def _least_loaded_one(busy, base, t, exec_s, servers, per_server):
    """One arrival at ``t`` on the cluster whose containers start at ``base``: the server with the
    least total backlog, then its container with the least backlog, which ``busy`` then holds
    ``exec_s`` longer. Returns the container."""
    best_server, best_load = 0, np.inf
    for sv in range(servers):
        load = 0.0
        for c in range(per_server):
            load += max(busy[base + sv * per_server + c] - t, 0.0)
        if load < best_load:
            best_server, best_load = sv, load
    g_best, b_best = -1, np.inf
    for c in range(per_server):
        g = base + best_server * per_server + c
        b = max(busy[g] - t, 0.0)
        if b < b_best:
            g_best, b_best = g, b
    busy[g_best] = max(busy[g_best], t) + exec_s
    return g_best


@njit(cache=True, error_model="numpy")
def place_least_loaded(F, I, rows, ap_cluster, busy_until, edge_exec_unit_s, per_cluster, servers, per_server,
                       container_cluster):
    """The default LBS for the uploads ``rows`` reaching their clusters now (:func:`least_loaded`,
    in arrival order), then each policy reservation (``I_RESERVED``) that names a container of the
    task's own cluster replaces the LBS's choice."""
    n = len(rows)
    if n == 0:
        return rows
    busy = busy_until.copy()  # the LBS's view of the queues, with its own earlier choices
    out = np.empty(n, np.int64)
    for q in range(n):
        r = rows[q]
        site = ap_cluster[I[r, I_STATION]]
        out[q] = _least_loaded_one(busy, site * per_cluster, F[r, F_GARRIVAL], F[r, F_WORK] * edge_exec_unit_s,
                                   servers, per_server)
        c = I[r, I_RESERVED]
        if c >= 0 and container_cluster[c] == site:
            out[q] = c
    return out


@task_helper
def _overlap(a, b, t0, t1):
    return max(min(b, t1) - max(a, t0), 0.0)


@njit(cache=True, error_model="numpy")
def advance(clock, rows, containers, tasks, cont, grid, isl, links, edge, tally):
    """Serve the ``rows`` reaching the cluster on their ``containers``, finish executions, return
    results, measure the container loads over the step and resolve outcomes up to its end.
    ``tally`` = (stats, sat_e2e, sat_failed) receives the step's statistics (:data:`STATS`) and,
    per satellite, the execution time of its tasks completed and the number failed."""
    stats, sat_e2e, sat_failed = tally
    F, I, n = tasks[TASK_F], tasks[TASK_I], tasks[TASK_N]
    t, t_end = clock[CLOCK_T], clock[CLOCK_T_END]
    busy_until, occupancy = cont[CONT_BUSY], cont[CONT_OCCUPANCY]
    edge_exec_unit_s, edge_accuracy, max_hold_s = edge[EDGE_EXEC], edge[EDGE_ACCURACY], edge[EDGE_MAX_HOLD]
    two_hop_loss = relay_loss(links[LINK_ISL_LOSS], links[LINK_GROUND_LOSS])  # Eq. 28
    # 1. uploads reaching the cluster: FIFO on the chosen container
    for q in range(len(rows)):
        r, c = rows[q], containers[q]
        start = max(F[r, F_GARRIVAL], busy_until[c])
        busy_until[c] = start + F[r, F_WORK] * edge_exec_unit_s
        I[r, I_CONTAINER] = c
        F[r, F_XSTART] = start
        F[r, F_XFINISH] = busy_until[c]
        F[r, F_ACCURACY] = edge_accuracy
        I[r, I_STAGE] = EDGE
    stats[:] = 0.0
    sat_e2e[:] = 0.0
    sat_failed[:] = 0.0
    occupancy[:] = 0.0
    span = t_end - t
    cands = np.empty(6, np.int64)
    for r in range(n):
        stage = I[r, I_STAGE]
        if stage == RESOLVED:  # resolved by t: its execution ended before this slot
            continue
        # 2. executions that end in this slot (Case II: done; Case I: return the result)
        if stage == EDGE and F[r, F_XFINISH] < t_end:
            done_exec = F[r, F_XFINISH]
            if I[r, I_RETURN] == 0:
                finish(F, I, r, done_exec)
            else:
                _return_result(F, I, r, done_exec, cands, clock, grid, isl, links, two_hop_loss)
            stage = I[r, I_STAGE]
        # 3. CPU occupancy over the slot
        c = I[r, I_CONTAINER]
        if c >= 0:
            occupancy[c] += _overlap(F[r, F_XSTART], F[r, F_XFINISH], t, t_end) / span
        # 4. resolve outcomes whose time has come
        if stage == DONE_KNOWN and F[r, F_DONE] <= t_end:
            I[r, I_STAGE] = RESOLVED
            stats[S_RESOLVED] += 1
            if I[r, I_FAILED] == 1:
                stats[S_FAIL0 + I[r, I_REASON]] += 1
                sat_failed[I[r, I_SAT]] += 1
                continue
            stats[S_COMPLETED] += 1
            stats[S_E2E] += F[r, F_DONE] - F[r, F_ARRIVAL]
            sat_e2e[I[r, I_SAT]] += F[r, F_DONE] - F[r, F_ARRIVAL]
            stats[S_ACCURACY] += F[r, F_ACCURACY]
            stats[S_WAIT] += F[r, F_DECIDED] - F[r, F_ARRIVAL]
            stats[S_EXECUTION] += F[r, F_XFINISH] - F[r, F_XSTART]
            if c >= 0:
                stats[S_EDGE] += 1
                stats[S_UPLOAD] += F[r, F_GARRIVAL] - F[r, F_DECIDED]
                stats[S_QUEUE] += F[r, F_XSTART] - F[r, F_GARRIVAL]
                stats[S_RETURN] += F[r, F_DONE] - F[r, F_XFINISH]
            else:
                stats[S_LOCAL] += 1
                stats[S_QUEUE] += F[r, F_XSTART] - F[r, F_DECIDED]
        # 5. pending tasks held too long or past their deadline
        elif stage == PENDING and (t_end - F[r, F_ARRIVAL] > max_hold_s or F[r, F_DEADLINE] <= t_end):
            fail(F, I, r, EXPIRED, t_end)
            I[r, I_STAGE] = RESOLVED
            stats[S_FAIL0 + EXPIRED] += 1
            stats[S_RESOLVED] += 1
            sat_failed[I[r, I_SAT]] += 1
    for c in range(len(occupancy)):
        occupancy[c] = min(occupancy[c], 1.0)


@task_helper
def _return_result(F, I, r, done_exec, cands, clock, grid, isl, links, two_hop_loss):
    i = I[r, I_SAT]
    slot_s, n_rows = clock[CLOCK_SLOT], clock[CLOCK_N_ROWS]
    access, window_end_s, rate_mbps = grid[GRID_ACCESS], grid[GRID_WINDOW_END], grid[GRID_RATE]
    ground_loss = links[LINK_GROUND_LOSS]
    row = min(int(np.ceil(done_exec / slot_s - 1e-9)), n_rows - 1)
    size = F[r, F_RESULT]
    cands[0] = I[r, I_LINK]
    m = 1
    if links[LINK_SEAMLESS]:
        same, other = isl[ISL_SAME], isl[ISL_OTHER]
        cands[1], cands[2], cands[3] = i, same[i, 0], same[i, 1]
        cands[4], cands[5] = other[i, 0], other[i, 1]
        m = 6
    for q in range(m):
        j = cands[q]
        if j < 0 or access[row, j] < 0:
            continue
        relay = j != i
        rate = min(rate_mbps[row, j], links[LINK_ISL_RATE]) if relay else rate_mbps[row, j]
        loss = two_hop_loss if relay else ground_loss
        if rate <= 0.0 or done_exec + size / (rate * (1.0 - loss)) > window_end_s[row, j]:
            continue
        if relay:
            I[r, I_RELAY] = j
        # back over the cluster's fibre and the access point's radio path, then the transfer
        tx = transfer_time_s(size, rate, loss, links[LINK_PACKET_BITS], clock[CLOCK_RNG])
        finish(F, I, r, done_exec + grid[GRID_DELAY][row, j] + tx)
        return
    if not links[LINK_WAIT]:
        fail(F, I, r, LOST_RETURN, done_exec)
        return
    after = window_end_s[row, i] if access[row, i] >= 0 else done_exec
    row2 = min(int(np.ceil(after / slot_s)), n_rows - 1)
    nxt = grid[GRID_NEXT_START][row2, i]
    if np.isfinite(nxt):
        finish(F, I, r, nxt + size / (links[LINK_NOMINAL_RATE] * (1.0 - ground_loss)))
    else:  # no contact within the look-ahead: in flight until the episode ends
        I[r, I_STAGE] = DONE_KNOWN
        F[r, F_DONE] = np.inf


@njit(cache=True, error_model="numpy")
def receive_ground_load(cluster, per_cluster_load, t, seen, seen_at):
    """Satellites connected to a cluster (``cluster >= 0``) receive its mean container load at
    ``t``; the others keep their stale copy. Returns how many are connected."""
    n = 0
    for i in range(len(cluster)):
        if cluster[i] >= 0:
            seen[i] = per_cluster_load[cluster[i]]
            seen_at[i] = t
            n += 1
    return n
