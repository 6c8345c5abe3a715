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
The scalar functions are what the simulator's compiled step calls; :func:`plan_routes` and
:func:`delivery_estimate_s` are their array versions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from satgym.core.columns import R_DIRECT, R_LOCAL, R_OTHER_ORBIT, R_SAME_ORBIT
from satgym.core.jit import task_helper
from satgym.core.links import relay_loss


@dataclass
class LinkState:
    """What the planner needs to know about every satellite at decision time (arrays (n_sats,))."""

    remaining_contact_s: np.ndarray  # T_a, 0 when out of contact
    ground_rate_mbps: np.ndarray  # l(n_i, S), 0 when out of contact
    link_backlog_s: np.ndarray  # queued uplink work
    same_orbit: np.ndarray  # (n_sats, 2) neighbour indices, -1 none / no line of sight
    other_orbit: np.ndarray  # (n_sats, 2)


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
def plan_route(i, input_mbit, result_mbit, needs_return, edge_exec_s, remaining_s, rate_mbps,
               backlog_s, same_orbit, other_orbit, ground_loss, isl_rate_mbps, isl_loss):
    """(route, link satellite) for one task of satellite ``i`` (Alg. 4)."""
    d = backlog_s[i] + delivery_estimate(input_mbit, result_mbit, needs_return, edge_exec_s, rate_mbps[i], ground_loss)
    if d <= remaining_s[i]:  # lines 4-7
        return R_DIRECT, i
    two_hop_loss = relay_loss(isl_loss, ground_loss)  # Eq. 28 two-hop success
    for pass_ in range(2):  # 0: idle same-orbit neighbours (lines 10-13), 1: other orbit (16-24)
        nbrs = same_orbit if pass_ == 0 else other_orbit
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


@njit(cache=True)
def _plan_many(sat, input_mbit, result_mbit, needs_return, edge_exec_s, remaining, rate, backlog,
               same, other, ground_loss, isl_rate, isl_loss):
    n = len(sat)
    route = np.empty(n, np.int8)
    link = np.empty(n, np.int64)
    for q in range(n):
        route[q], link[q] = plan_route(sat[q], input_mbit[q], result_mbit[q], needs_return[q], edge_exec_s[q],
                                       remaining, rate, backlog, same, other, ground_loss, isl_rate, isl_loss)
    return route, link


def plan_routes(sat, input_mbit, result_mbit, needs_return, edge_exec_s, links: LinkState,
                ground_loss: float, isl_rate_mbps: float, isl_loss: float) -> tuple[np.ndarray, np.ndarray]:
    """Array version of :func:`plan_route` (link backlogs held fixed): routes and link satellites."""
    f = lambda x: np.ascontiguousarray(x, dtype=np.float64)
    return _plan_many(
        np.asarray(sat, dtype=np.int64), f(input_mbit), f(result_mbit), np.asarray(needs_return, dtype=np.bool_),
        f(edge_exec_s), f(links.remaining_contact_s), f(links.ground_rate_mbps), f(links.link_backlog_s),
        np.asarray(links.same_orbit, dtype=np.int64), np.asarray(links.other_orbit, dtype=np.int64),
        float(ground_loss), float(isl_rate_mbps), float(isl_loss),
    )


def delivery_estimate_s(input_mbit, result_mbit, needs_return, edge_exec_s, rate_mbps, loss) -> np.ndarray:
    """Array version of :func:`delivery_estimate`."""
    args = np.broadcast_arrays(*(np.asarray(x, dtype=np.float64) for x in
                                 (input_mbit, result_mbit, needs_return, edge_exec_s, rate_mbps, loss)))
    f = [a.ravel() for a in args]
    out = [delivery_estimate(f[0][k], f[1][k], bool(f[2][k]), f[3][k], f[4][k], f[5][k]) for k in range(f[0].size)]
    return np.array(out, dtype=np.float64).reshape(args[0].shape)
