"""Seamless data transmission planner (LEOEdge Sec. VII, Algorithm 4), vectorised over tasks.

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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from satgym.core.tasks import Route


@dataclass
class LinkState:
    """What the planner needs to know about every satellite at decision time (arrays (n_sats,))."""

    remaining_contact_s: np.ndarray  # T_a, 0 when out of contact
    ground_rate_mbps: np.ndarray  # l(n_i, S), 0 when out of contact
    link_backlog_s: np.ndarray  # queued uplink work
    same_orbit: np.ndarray  # (n_sats, 2) neighbour indices, -1 none / no line of sight
    other_orbit: np.ndarray  # (n_sats, 2)


def delivery_estimate_s(
    input_mbit: np.ndarray,
    result_mbit: np.ndarray,
    needs_return: np.ndarray,
    edge_exec_s: np.ndarray,
    rate_mbps: np.ndarray,
    loss: float | np.ndarray,
) -> np.ndarray:
    """Eq. 1 / 28 (Case II) or Eq. 29 / 30 (Case I) with the retransmission reading."""
    with np.errstate(divide="ignore"):
        size = input_mbit + np.where(needs_return, result_mbit, 0.0)
        d = np.where(rate_mbps > 0, size / (rate_mbps * (1.0 - loss)), np.inf)
    return d + np.where(needs_return, edge_exec_s, 0.0)


def plan_routes(
    sat: np.ndarray,
    input_mbit: np.ndarray,
    result_mbit: np.ndarray,
    needs_return: np.ndarray,
    edge_exec_s: np.ndarray,
    links: LinkState,
    ground_loss: float,
    isl_rate_mbps: float,
    isl_loss: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Route of every task (a :class:`Route`) and the satellite whose ground link carries it."""
    n = len(sat)
    route = np.full(n, Route.LOCAL, dtype=np.int8)
    link_sat = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return route, link_sat

    # 1. direct (Alg. 4 lines 4-7)
    d = links.link_backlog_s[sat] + delivery_estimate_s(
        input_mbit, result_mbit, needs_return, edge_exec_s, links.ground_rate_mbps[sat], ground_loss
    )
    direct = d <= links.remaining_contact_s[sat]
    route[direct] = Route.DIRECT
    link_sat[direct] = sat[direct]

    relay_loss = 1.0 - (1.0 - isl_loss) * (1.0 - ground_loss)

    def relay_estimates(candidates: np.ndarray, require_idle: bool) -> np.ndarray:
        ok = candidates >= 0
        j = np.where(ok, candidates, 0)
        rate = np.minimum(isl_rate_mbps, links.ground_rate_mbps[j])  # Eq. 28 bottleneck
        est = links.link_backlog_s[j] + delivery_estimate_s(
            input_mbit[:, None], result_mbit[:, None], needs_return[:, None], edge_exec_s[:, None], rate, relay_loss
        )
        fits = ok & (est <= links.remaining_contact_s[j])
        if require_idle:
            fits &= links.link_backlog_s[j] <= 0.0
        return np.where(fits, est, np.inf)

    # 2. idle same-orbit neighbour (lines 10-13)
    todo = ~direct
    if todo.any():
        est = relay_estimates(links.same_orbit[sat], require_idle=True)
        best = est.argmin(axis=1)
        use = todo & np.isfinite(est[np.arange(n), best])
        route[use] = Route.SAME_ORBIT_RELAY
        link_sat[use] = links.same_orbit[sat[use], best[use]]
        todo &= ~use
    # 3. other-orbit neighbour with the smallest estimate (lines 16-24)
    if todo.any():
        est = relay_estimates(links.other_orbit[sat], require_idle=False)
        best = est.argmin(axis=1)
        use = todo & np.isfinite(est[np.arange(n), best])
        route[use] = Route.OTHER_ORBIT_RELAY
        link_sat[use] = links.other_orbit[sat[use], best[use]]
    # 4. otherwise local (line 27): route stays LOCAL
    return route, link_sat
