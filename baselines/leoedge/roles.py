"""Per-layer updates of the LEOEdge primal-dual scheduler (Eqs. 18-23, Algs. 1-3).

Each function is one role (over all nodes of that role, compiled with numba), and reads
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
from numba import njit, vectorize

__all__ = [
    "container_allocate",
    "lbs_update_prices",
    "satellite_offload",
    "server_allocate",
    "server_update_prices",
    "stale_price_decision",
]

# The best responses (Eqs. 18, 20, 22) are scalar kernels compiled as numpy ufuncs:
# vectorised over arrays from Python, called per element inside the compiled loop
# (``scheduler._price_iterations``). Clipping and projections are written as
# ``a if a > b else b`` like numpy's ``clip``/``maximum``, so both paths give
# bit-identical numbers (tested).
_F8 = "float64"


@njit(cache=True)
def _clip01(x: float) -> float:
    """``np.clip(x, 0, 1)`` for a finite scalar."""
    x = x if x > 0.0 else 0.0
    return x if x < 1.0 else 1.0


@vectorize([f"{_F8}({_F8}, {_F8}, {_F8}, {_F8}, {_F8})"], cache=True)
def container_allocate(value: float, load: float, nu: float, eta: float,
                       rho: float) -> float:
    """Containers: best response ``y3`` for fixed ``eta_s`` and ``nu_o`` (Eq. 18).

    ``argmax_{y in [0,1]} (F - nu_o u_k - eta_{s,k}) y - rho/2 y^2``, per pair.
    """
    return _clip01((value - nu * load - eta) / rho)  # Eq. 18


@vectorize([f"{_F8}({_F8}, {_F8}, {_F8})"], cache=True)
def server_allocate(eta: float, mu: float, rho: float) -> float:
    """Servers: best response ``y2`` for fixed ``eta_s`` and LBS price ``mu`` (Eq. 20)."""
    return _clip01((eta - mu) / rho)  # Eq. 20


@vectorize([f"{_F8}({_F8}, {_F8}, {_F8}, {_F8})"], cache=True)
def satellite_offload(mu: float, top_coef: float, lam: float, rho: float) -> float:
    """Satellites: relaxed offload share ``y1`` from ``mu_k`` and ``lambda_S`` (Eq. 22).

    ``argmax (mu_k - lambda_S u_k / O_S) y - rho/2 y^2``; ``top_coef = u_k / O_S``.
    """
    return _clip01((mu - lam * top_coef) / rho)  # Eq. 22


@njit(cache=True)
def server_update_prices(eta_new: np.ndarray, nu_new: np.ndarray, eta: np.ndarray,
                         nu: np.ndarray, y3: np.ndarray, y2: np.ndarray, pair_ts: np.ndarray,
                         pair_cont: np.ndarray, pair_load: np.ndarray, residual: np.ndarray,
                         step_eta: np.ndarray, step_nu: np.ndarray, placed: np.ndarray,
                         added: np.ndarray) -> None:
    """Servers: update ``eta_s`` from the containers' pushes (Eq. 19, Alg. 1 l. 19).

    ``eta_{s,k} += gamma' (sum_{o in s} y3[k,o] - y2[k,s])`` and the container-cap
    part ``nu_o += gamma' (sum_k u_k y3[k,o] - (P - L_o(Q_o)))`` (Eq. 6), projected on >= 0.
    Writes ``eta_new``, ``nu_new``; ``placed`` (T,) and ``added`` (O,) are work buffers.
    Sums run in pair order (as ``np.bincount``).
    """
    placed[:] = 0.0
    added[:] = 0.0
    for p in range(y3.size):                                   # pushes of the containers
        placed[pair_ts[p]] += y3[p]
        added[pair_cont[p]] += y3[p] * pair_load[p]
    for t in range(eta.size):
        e = eta[t] + step_eta[t] * (placed[t] - y2[t])         # Eq. 19
        eta_new[t] = e if e >= 0.0 else 0.0
    for o in range(nu.size):
        v = nu[o] + step_nu[o] * (added[o] - residual[o])      # Eqs. 6, 19
        nu_new[o] = v if v >= 0.0 else 0.0


@njit(cache=True)
def lbs_update_prices(mu_new: np.ndarray, lam_new: np.ndarray, mu: np.ndarray,
                      lam: np.ndarray, y2: np.ndarray, y1: np.ndarray, ts_task: np.ndarray,
                      task_station: np.ndarray, top_coef: np.ndarray,
                      station_base: np.ndarray, load_cap: float, step_mu: np.ndarray,
                      step_lam: np.ndarray, routed: np.ndarray, g_top: np.ndarray) -> None:
    """LBS: update ``mu`` (Eq. 21, Alg. 2 l. 16) and ``lambda`` (Eq. 23, Alg. 3 l. 17).

    ``mu_k += gamma' (sum_s y2[k,s] - y1[k])`` and
    ``lambda_S += gamma'' (g_S(Q_S, y1) - P)`` with
    ``g_S = L_S(Q_S) + sum_k u_k y1_k / O_S`` (Eq. 11), both projected on >= 0.
    Writes ``mu_new``, ``lam_new``; ``routed`` (K,) and ``g_top`` (n_stations,) are
    work buffers.
    """
    routed[:] = 0.0
    g_top[:] = 0.0
    for t in range(y2.size):                                   # pushes of the servers
        routed[ts_task[t]] += y2[t]
    for k in range(mu.size):                                   # pushes of the satellites
        g_top[task_station[k]] += top_coef[k] * y1[k]
        m = mu[k] + step_mu[k] * (routed[k] - y1[k])           # Eq. 21
        mu_new[k] = m if m >= 0.0 else 0.0
    for s in range(lam.size):
        x = lam[s] + step_lam[s] * (station_base[s] + g_top[s] - load_cap)  # Eqs. 11, 23
        lam_new[s] = x if x >= 0.0 else 0.0


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
