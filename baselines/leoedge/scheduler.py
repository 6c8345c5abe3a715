"""LEOEdge distributed dual scheduler: the loop of Algorithms 1-3.

Each iteration is one synchronous exchange on every layer pair:

1. downward: LBS -> satellites (``mu_k``, ``lambda_S``), LBS -> servers (``mu``),
   servers -> containers (``eta_{s,k}``, ``nu_o``);
2. every role computes its best response (Eqs. 18, 20, 22);
3. upward: containers -> server (``y3``, ``Q_o``), servers -> LBS (``y2``, ``Q_s``),
   satellites -> LBS (``y1``);
4. servers update ``eta_s`` (Eq. 19), the LBS updates ``mu`` and ``lambda`` (Eqs. 21, 23).

Message unit: one value-vector pushed by one node to one neighbour node. So
each iteration of a station costs ``2 x`` (satellites with tasks for it) on
satellite<->LBS, ``2 x`` servers on LBS<->server and ``2 x`` containers on
server<->container. Before the first iteration every container pushes one
vector of its reduced advantages ``F - nu_o u_k`` to its server and every
server one vector (its best per task) to the LBS, to initialise ``eta`` and
``mu`` ("bid" start; one extra upward message per container and per server).
Stations are independent: each stops on its own when all its prices move by
at most ``tol * max F`` in an iteration, or at ``max_iter``.

>>> import numpy as np
>>> from baselines.offloading_problem import random_problem
>>> p = random_problem(np.random.default_rng(0), n_tasks=12)
>>> r = leoedge_schedule(p)
>>> r.converged, p.check(r.decision)
(True, [])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from baselines.leoedge.improve import restart_improve, swap_improve
from baselines.leoedge.layout import Layout, build_layout
from baselines.leoedge.roles import (container_allocate, lbs_update_prices, satellite_offload,
                                     server_allocate, server_update_prices)
from baselines.leoedge.rounding import round_and_repair
from baselines.offloading_problem import OffloadProblem

__all__ = ["DualPrices", "LEOEdgeResult", "LAYER_PAIRS", "leoedge_schedule"]

LAYER_PAIRS = ("satellite_lbs", "lbs_server", "server_container")


@dataclass(frozen=True, eq=False)
class DualPrices:
    """Prices of one round. ``lam`` (n_stations,) and ``nu`` (O,) persist across
    rounds (warm start); ``mu`` (K,) and ``eta`` (T,) are per task of this round."""

    lam: np.ndarray
    nu: np.ndarray
    mu: np.ndarray
    eta: np.ndarray

    def load_price(self, container_station: np.ndarray, n_stations: int) -> np.ndarray:
        """(n_stations,) ``kappa_S``: cheapest container price, for stale decisions."""
        out = np.full(n_stations, np.inf)
        np.minimum.at(out, container_station, self.nu)
        return np.where(np.isfinite(out), out, 0.0)


@dataclass(frozen=True, eq=False)
class LEOEdgeResult:
    """Outcome of one scheduling round (see ``leoedge_schedule``)."""

    decision: np.ndarray          # (K,) container index or -1 (local)
    objective: float              # Eq. 7 value of ``decision``
    y1: np.ndarray                # (K,) relaxed offload shares (satellites)
    y2: np.ndarray                # (T,) relaxed server shares, pairs in ``layout``
    y3: np.ndarray                # (P,) relaxed container shares, pairs in ``layout``
    prices: DualPrices
    iterations: int               # max over stations
    station_iterations: np.ndarray  # (n_stations,)
    converged: bool
    messages: dict[str, int]      # per layer pair, see module docstring
    layout: Layout


def _steps(lay: Layout, residual: np.ndarray, n_tasks: int, rho: float,
           theta: float) -> tuple[np.ndarray, ...]:
    """Diagonal dual steps ``theta rho / (row_abs_sum * c_max)`` (gamma, gamma', gamma'')."""
    c_max = max(2.0, 1.0 + float(lay.pair_load.max(initial=0.0)))
    base = theta * rho / c_max
    r_eta = np.bincount(lay.pair_ts, minlength=lay.ts_task.size) + 1.0
    r_nu = np.bincount(lay.pair_cont, weights=lay.pair_load, minlength=residual.size)
    r_mu = np.bincount(lay.ts_task, minlength=n_tasks) + 1.0
    r_lam = np.bincount(lay.task_station, weights=lay.task_top_coef,
                        minlength=lay.station_base.size)
    return (base / r_eta, base / np.maximum(r_nu, 1e-12), base / r_mu,
            base / np.maximum(r_lam, 1e-12))


def _bid_start(lay: Layout, nu: np.ndarray, n_tasks: int) -> tuple[np.ndarray, np.ndarray]:
    """``eta_{s,k} = max_{o in s} (F - nu_o u_k)^+`` and ``mu_k = max_s eta_{s,k}``."""
    reduced = np.maximum(lay.pair_value - nu[lay.pair_cont] * lay.pair_load, 0.0)
    eta = np.zeros(lay.ts_task.size)
    np.maximum.at(eta, lay.pair_ts, reduced)
    mu = np.zeros(n_tasks)
    np.maximum.at(mu, lay.ts_task, eta)
    return eta, mu


def leoedge_schedule(problem: OffloadProblem, warm_start: DualPrices | None = None,
                     rho: float = 0.05, tol: float = 1e-3, max_iter: int = 3000,
                     theta: float = 1.0, momentum: bool = True,
                     best_of: bool = True, improve: bool = True,
                     restarts: int = 16) -> LEOEdgeResult:
    """Run one LEOEdge round (Algs. 1-3) and round the result to a feasible decision.

    Args:
        problem: the round.
        warm_start: prices of the previous round; its ``lam`` and ``nu`` are
            reused (shapes must match the stations/containers), per-task
            prices are re-initialised by the bid start.
        rho: proximal weight, relative to ``max F`` (smaller: closer to the LP, slower).
        tol: stop a station when no price moves by more than ``tol * max F``.
        max_iter: iteration cap per station.
        theta: step multiplier in (0, 2).
        momentum: Nesterov extrapolation of each node's own prices (no extra messages),
            restarted per station when the step turns back (adaptive restart).
        best_of: let each LBS keep the best of several roundings (see ``rounding``).
        improve: LBS-side 1-swap improvement after rounding (see ``improve``).
        restarts: with ``improve``, the LBS also improves this many perturbed
            roundings and keeps the best per station (``improve.restart_improve``).
    """
    if not (rho > 0 and tol > 0 and max_iter >= 1 and 0 < theta < 2):
        raise ValueError("need rho > 0, tol > 0, max_iter >= 1, 0 < theta < 2")
    p, lay = problem, build_layout(problem)
    k_n, n_sta = p.n_tasks, p.n_stations
    v_max = max(float(lay.pair_value.max(initial=0.0)), 1e-12)
    rho_abs, tol_abs = rho * v_max, tol * v_max
    lam = np.zeros(n_sta)
    nu = np.zeros(p.n_containers)
    if warm_start is not None:
        if warm_start.lam.shape != (n_sta,) or warm_start.nu.shape != (p.n_containers,):
            raise ValueError("warm_start prices do not match this problem's stations/containers")
        lam, nu = np.array(warm_start.lam, dtype=float), np.array(warm_start.nu, dtype=float)
    eta, mu = _bid_start(lay, nu, k_n)
    s_eta, s_nu, s_mu, s_lam = _steps(lay, p.residual, k_n, rho_abs, theta)
    # station of every price, to freeze converged stations
    sta_eta = lay.task_station[lay.ts_task]
    sta_nu, sta_mu = p.container_station, lay.task_station
    mu = np.where(lay.task_active, mu, 0.0)
    running = lay.station_active.copy()
    iters = np.zeros(n_sta, dtype=np.int64)
    prev = (eta, nu, mu, lam)
    t_mom = np.ones(n_sta)
    owners = (sta_eta, sta_nu, sta_mu, np.arange(n_sta))
    y1 = np.zeros(k_n)
    y2 = np.zeros(lay.ts_task.size)
    y3 = np.zeros(lay.pair_task.size)
    for _ in range(max_iter):
        if not running.any():
            break
        t_next = (1.0 + np.sqrt(1.0 + 4.0 * t_mom * t_mom)) / 2.0
        beta = (t_mom - 1.0) / t_next if momentum else np.zeros(n_sta)
        q_eta, q_nu, q_mu, q_lam = (np.maximum(x + beta[st] * (x - x0), 0.0)
                                    for x, x0, st in zip((eta, nu, mu, lam), prev, owners))
        # downward pushes, then best responses (Eqs. 18, 20, 22)
        y3 = container_allocate(lay.pair_value, lay.pair_load, q_nu[lay.pair_cont],
                                q_eta[lay.pair_ts], rho_abs)
        y2 = server_allocate(q_eta, q_mu[lay.ts_task], rho_abs)
        y1 = np.where(lay.task_active,
                      satellite_offload(q_mu, lay.task_top_coef, q_lam[lay.task_station],
                                        rho_abs), 0.0)
        # upward pushes, then price updates (Eqs. 19, 21, 23)
        n_eta, n_nu = server_update_prices(q_eta, q_nu, y3, y2, lay.pair_ts, lay.pair_cont,
                                           lay.pair_load, p.residual, s_eta, s_nu)
        n_mu, n_lam = lbs_update_prices(q_mu, q_lam, y2, y1, lay.ts_task, lay.task_station,
                                        lay.task_top_coef, lay.station_base, p.load_cap,
                                        s_mu, s_lam)
        n_mu = np.where(lay.task_active, n_mu, 0.0)
        new = (n_eta, n_nu, n_mu, n_lam)
        move = np.zeros(n_sta)
        turn = np.zeros(n_sta)       # (q - new) . (new - old) > 0: restart momentum
        for x_new, x_old, q, st in zip(new, (eta, nu, mu, lam), (q_eta, q_nu, q_mu, q_lam),
                                       owners):
            np.maximum.at(move, st, np.abs(x_new - x_old))
            turn += np.bincount(st, weights=(q - x_new) * (x_new - x_old), minlength=n_sta)
        iters += running
        frozen = ~running
        new = tuple(np.where(frozen[st], x_old, x_new)
                    for x_new, x_old, st in zip(new, (eta, nu, mu, lam), owners))
        prev, (eta, nu, mu, lam) = (eta, nu, mu, lam), new
        running &= move > tol_abs
        t_mom = np.where(turn > 0.0, 1.0, t_next)
    # final best responses at the settled prices
    y3 = container_allocate(lay.pair_value, lay.pair_load, nu[lay.pair_cont],
                            eta[lay.pair_ts], rho_abs)
    y2 = server_allocate(eta, mu[lay.ts_task], rho_abs)
    y1 = np.where(lay.task_active,
                  satellite_offload(mu, lay.task_top_coef, lam[lay.task_station], rho_abs), 0.0)
    decision = round_and_repair(lay.pair_task, lay.pair_cont, lay.pair_value, p.task_load,
                                p.residual, y1, y3, nu, lay.task_station, n_sta, best_of)
    if improve:
        left = p.residual - np.bincount(decision[decision >= 0],
                                        weights=p.task_load[decision >= 0],
                                        minlength=p.n_containers)
        swap_improve(decision, p.value, p.task_load, left, lay.task_station,
                     p.container_station)
        if restarts > 0:
            decision = restart_improve(decision, np.asarray(p.value), p.task_load, p.residual,
                                       lay.task_station, p.container_station, restarts)
    act = lay.station_active
    messages = {
        "satellite_lbs": int(np.sum(2 * iters * lay.n_sat_links)),
        "lbs_server": int(np.sum((2 * iters + 1) * lay.n_servers * act)),
        "server_container": int(np.sum((2 * iters + 1) * lay.n_containers * act)),
    }
    return LEOEdgeResult(decision, p.objective(decision), y1, y2, y3,
                         DualPrices(lam, nu, mu, eta), int(iters.max(initial=0)), iters,
                         bool(not running.any()), messages, lay)
