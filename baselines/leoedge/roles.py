"""Per-layer updates of the LEOEdge primal-dual scheduler (Eqs. 18-23, Algs. 1-3).

Each function is one role, vectorised over all nodes of that role, and reads
only what the algorithms let that role receive from its neighbour layers:

==============  ================================  =======================================
role            holds                             receives
==============  ================================  =======================================
container o     ``y3[k, o]`` (Eq. 18)             ``eta_{s,k}``, ``nu_o`` from its server
server s        ``y2[k, s]``, ``eta_s`` (19, 20)  ``y3``, ``Q_o`` from containers; ``mu`` from LBS
LBS of S        ``mu_k``, ``lambda_S`` (21, 23)   ``y2`` from servers; ``y1`` from satellites
satellite i     ``y1[k]`` (Eq. 22)                ``mu_k``, ``lambda_S`` from the LBS
==============  ================================  =======================================

Documented choices (the extracted equations are garbled):

* Relaxation (Eq. 10): ``F`` is applied to ``z`` and multiplied by ``y``, i.e.
  the objective is ``sum F(z[k,o]) y3[k,o]``; this equals Eq. 10 on binary y
  and is the tightest concave relaxation. Every layer adds a proximal term
  ``-(rho/2) y^2`` so that each role's best response is unique and continuous
  in the prices (smoothed dual, which makes the price iteration converge).
* Coupling (Eq. 8): the layer constraints are imposed per task,
  ``sum_{o in s} y3[k,o] <= y2[k,s]`` (price ``eta_{s,k}``, Eq. 19) and
  ``sum_s y2[k,s] <= y1[k]`` (price ``mu_k``, Eq. 21); multiplied by ``u_k``
  and summed over tasks they give the load inequalities of Eq. 8. The
  container caps of Eq. 6 get prices ``nu_o`` kept by the server (the paper's
  ``eta_o``), and ``g_S(y1) <= P`` gets ``lambda_S`` (Eq. 23).
* Signs/steps: all prices follow projected dual *descent*,
  ``p <- max(0, p + gamma * violation)`` (Eq. 19 prints a minus because it
  writes the multiplier with the opposite sign). ``gamma``, ``gamma'`` and
  ``gamma''`` are per-row diagonal steps ``theta * rho / (r_row * c_max)``
  (Pock-Chambolle preconditioning, ``r_row`` = row abs sum, ``c_max`` = max
  column abs sum), which keeps the smoothed dual step below ``2/L``.
  The ``1/S`` factors of Eqs. 12-13 are absorbed in these steps.

>>> import numpy as np
>>> satellite_offload(np.array([1.0, 0.2]), np.array([0.1, 0.1]), np.array([0.0, 0.0]), 0.5)
array([1. , 0.4])
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "container_allocate",
    "lbs_update_prices",
    "satellite_offload",
    "server_allocate",
    "server_update_prices",
    "stale_price_decision",
]


def container_allocate(value: np.ndarray, load: np.ndarray, nu_pair: np.ndarray,
                       eta_pair: np.ndarray, rho: float) -> np.ndarray:
    """Containers: best response ``y3`` for fixed ``eta_s`` and ``nu_o`` (Eq. 18).

    ``argmax_{y in [0,1]} (F - nu_o u_k - eta_{s,k}) y - rho/2 y^2``, over pairs.
    """
    return np.clip((value - nu_pair * load - eta_pair) / rho, 0.0, 1.0)  # Eq. 18


def server_allocate(eta: np.ndarray, mu_ts: np.ndarray, rho: float) -> np.ndarray:
    """Servers: best response ``y2`` for fixed ``eta_s`` and LBS price ``mu`` (Eq. 20)."""
    return np.clip((eta - mu_ts) / rho, 0.0, 1.0)  # Eq. 20


def satellite_offload(mu: np.ndarray, top_coef: np.ndarray, lam_task: np.ndarray,
                      rho: float) -> np.ndarray:
    """Satellites: relaxed offload share ``y1`` from ``mu_k`` and ``lambda_S`` (Eq. 22).

    ``argmax (mu_k - lambda_S u_k / O_S) y - rho/2 y^2``; ``top_coef = u_k / O_S``.
    """
    return np.clip((mu - lam_task * top_coef) / rho, 0.0, 1.0)  # Eq. 22


def server_update_prices(eta: np.ndarray, nu: np.ndarray, y3: np.ndarray, y2: np.ndarray,
                         pair_ts: np.ndarray, pair_cont: np.ndarray, pair_load: np.ndarray,
                         residual: np.ndarray, step_eta: np.ndarray,
                         step_nu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Servers: update ``eta_s`` from the containers' pushes (Eq. 19, Alg. 1 l. 19).

    ``eta_{s,k} += gamma' (sum_{o in s} y3[k,o] - y2[k,s])`` and the container-cap
    part ``nu_o += gamma' (sum_k u_k y3[k,o] - (P - L_o(Q_o)))`` (Eq. 6), projected on >= 0.
    """
    placed = np.bincount(pair_ts, weights=y3, minlength=eta.size)
    eta_new = np.maximum(eta + step_eta * (placed - y2), 0.0)               # Eq. 19
    added = np.bincount(pair_cont, weights=y3 * pair_load, minlength=nu.size)
    nu_new = np.maximum(nu + step_nu * (added - residual), 0.0)             # Eqs. 6, 19
    return eta_new, nu_new


def lbs_update_prices(mu: np.ndarray, lam: np.ndarray, y2: np.ndarray, y1: np.ndarray,
                      ts_task: np.ndarray, task_station: np.ndarray, top_coef: np.ndarray,
                      station_base: np.ndarray, load_cap: float, step_mu: np.ndarray,
                      step_lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LBS: update ``mu`` (Eq. 21, Alg. 2 l. 16) and ``lambda`` (Eq. 23, Alg. 3 l. 17).

    ``mu_k += gamma' (sum_s y2[k,s] - y1[k])`` and
    ``lambda_S += gamma'' (g_S(Q_S, y1) - P)`` with
    ``g_S = L_S(Q_S) + sum_k u_k y1_k / O_S`` (Eq. 11), both projected on >= 0.
    """
    routed = np.bincount(ts_task, weights=y2, minlength=mu.size)
    mu_new = np.maximum(mu + step_mu * (routed - y1), 0.0)                  # Eq. 21
    g_top = station_base + np.bincount(task_station, weights=top_coef * y1,
                                       minlength=lam.size)                  # Eq. 11
    lam_new = np.maximum(lam + step_lam * (g_top - load_cap), 0.0)          # Eq. 23
    return mu_new, lam_new


def stale_price_decision(advantage: np.ndarray, task_load: np.ndarray, n_containers: int,
                         lam: float, load_price: float, rho: float = 0.0) -> np.ndarray:
    """Offload decision of a satellite out of contact, from the last prices it received.

    A new task has no ``mu_k`` yet, so the satellite estimates it from its own
    advantage ``F(z_k)`` and the last station load price ``kappa`` (the
    cheapest container price the LBS broadcast): ``mu_k ~ F(z_k) - kappa u_k``.
    It then applies Eq. 22 and offloads iff the relaxed share ``y1 >= 1/2``,
    i.e. ``F(z_k) - (kappa + lambda / O_S) u_k >= rho / 2``. Deterministic, and
    monotone: a higher ``lambda`` or ``kappa`` never adds offloads.

    >>> stale_price_decision(np.array([0.5, 0.5]), np.array([0.1, 0.4]), 12, 0.0, 1.0)
    array([ True,  True])
    >>> stale_price_decision(np.array([0.5, 0.5]), np.array([0.1, 0.4]), 12, 0.0, 2.0)
    array([ True, False])
    """
    if n_containers < 1:
        raise ValueError("n_containers must be >= 1")
    adv = np.asarray(advantage, dtype=float)
    u = np.asarray(task_load, dtype=float)
    mu_hat = adv - load_price * u                                            # mu_k estimate
    y1 = satellite_offload(mu_hat, u / n_containers, np.full_like(u, lam), max(rho, 1e-12))
    return (y1 >= 0.5) & (adv > 0.0)                                         # Eq. 22, rounded
