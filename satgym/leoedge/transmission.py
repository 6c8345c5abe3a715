"""Seamless data transmission planner (LEOEdge Sec. VII, Algorithm 4), compiled with numba.

For each offloaded task of satellite ``i`` the planner picks the first feasible route:

1. **direct** if the estimated delivery time fits the remaining contact time ``T_a(i)`` (Eq. 27);
2. an **idle same-orbit neighbour** ``j`` as relay, if its estimate (Eq. 28 / 30) fits;
3. the **other-orbit neighbour** with the smallest estimate that fits (Alg. 4 line 24 takes the
   minimum; the text's "max" is a typo);
4. otherwise the task **runs locally** (Alg. 4 line 27).

Estimates: Case II (no result return) ``d = t / (l (1 - p))`` (Eq. 1, physical reading, see
:mod:`satgym.core.links`); Case I adds the result and the ground execution,
``d' = (t + s) / (l (1 - p)) + c(m_e)`` (Eq. 29), and through a relay ``min(k_ij, l)`` and the
two-hop loss (Eqs. 28, 30). Two readings of the paper that we make physical and test:

* the relay must deliver within *its own* remaining contact ``T_a(j)`` (the printed ``T_a(i)``
  cannot be right when ``i``'s window is the one that is too short), and
* a satellite's queued uploads delay a new one, so the link backlog is added to each estimate and
  "idle" means an empty link queue for same-orbit relays (Sec. VII-A).

A satellite that is out of contact has ``T_a(i) = 0``: it can still offload through a relay.
Both functions are called from the compiled dispatch kernel, once per offloaded task.
"""

from __future__ import annotations

import numpy as np

from satgym.leoedge.codes import R_DIRECT, R_LOCAL, R_OTHER_ORBIT, R_SAME_ORBIT
from satgym.core.jit import task_helper
from satgym.core.links import relay_loss


@task_helper
def delivery_estimate(input_mbit, result_mbit, needs_return, edge_exec_s, rate_mbps, loss):
    """Eq. 1 / 28 (Case II) or Eq. 29 / 30 (Case I), with the retransmission reading."""
    if rate_mbps <= 0.0:
        return np.inf
    size = input_mbit + (result_mbit if needs_return else 0.0)
    d = size / (rate_mbps * (1.0 - loss))
    if needs_return:
        d += edge_exec_s  # Eq. 29: wait for the ground execution before the result returns
    return d


@task_helper
def plan_route(i, task, now, isl, link):
    """(route, link satellite) for one task of satellite ``i`` (Alg. 4).

    ``task`` = (input Mbit, result Mbit, needs return, edge execution s); ``now`` = per-satellite
    (remaining contact T_a s, ground rate Mbps, link backlog s) arrays; ``isl`` = (same-orbit,
    other-orbit) neighbour tables; ``link`` = (ground loss, ISL rate Mbps, ISL loss).
    """
    input_mbit, result_mbit, needs_return, edge_exec_s = task
    remaining_s, rate_mbps, backlog_s = now
    ground_loss, isl_rate_mbps, isl_loss = link
    d = backlog_s[i] + delivery_estimate(input_mbit, result_mbit, needs_return, edge_exec_s, rate_mbps[i], ground_loss)
    if d <= remaining_s[i]:  # lines 4-7
        return R_DIRECT, i
    two_hop_loss = relay_loss(isl_loss, ground_loss)  # Eq. 28 two-hop success
    for pass_ in range(2):  # 0: idle same-orbit neighbours (lines 10-13), 1: other orbit (16-24)
        nbrs = isl[0] if pass_ == 0 else isl[1]
        best, best_d = -1, np.inf
        for c in range(nbrs.shape[1]):
            j = nbrs[i, c]
            if j < 0 or (pass_ == 0 and backlog_s[j] > 0.0):
                continue
            rate = min(isl_rate_mbps, rate_mbps[j])  # Eq. 28 bottleneck
            dj = backlog_s[j] + delivery_estimate(input_mbit, result_mbit, needs_return, edge_exec_s, rate, two_hop_loss)
            if dj <= remaining_s[j] and dj < best_d:
                best, best_d = j, dj
        if best >= 0:
            return (R_SAME_ORBIT if pass_ == 0 else R_OTHER_ORBIT), best
    return R_LOCAL, -1  # line 27: execute locally
