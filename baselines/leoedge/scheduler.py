"""The centralised LEOEdge search (policy ``leoedge-search``): the price loop of Algorithms 1-3
run at one node over the whole task x container value matrix, then a search (four candidate
fills, a swap improvement, restarts: :mod:`baselines.leoedge.rounding`, :mod:`~baselines.leoedge.improve`).
It is *not* the paper's distributed algorithm (that is :mod:`baselines.leoedge.protocol`, policy
``leoedge``); it is kept as a strong centralised reference between the protocol and the MILP.

Each iteration of the price loop is one synchronous exchange on every layer pair:

1. downward: LBS -> satellites (``mu_k``, ``lambda_S``), LBS -> servers (``mu``),
   servers -> containers (``eta_{s,k}``, ``nu_o``);
2. every role computes its best response (Eqs. 18, 20, 22);
3. upward: containers -> server (``y3``, ``Q_o``), servers -> LBS (``y2``, ``Q_s``),
   satellites -> LBS (``y1``);
4. servers update ``eta_s`` (Eq. 19), the LBS updates ``mu`` and ``lambda`` (Eqs. 21, 23).

Before the first iteration every container's reduced advantages ``F - nu_o u_k`` initialise
``eta`` and ``mu`` ("bid" start). Stations are independent: each stops on its own when all its prices move by
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
from numba import njit

from baselines.leoedge.improve import restart_improve, swap_improve
from baselines.leoedge.layout import Layout, build_layout
from baselines.leoedge.roles import (container_allocate, lbs_update_prices, satellite_offload,
                                     server_allocate, server_update_prices)
from baselines.leoedge.rounding import round_and_repair
from baselines.offloading_problem import OffloadProblem

__all__ = ["DualPrices", "LEOEdgeResult", "leoedge_schedule"]


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


@njit(cache=True)
def _extrapolate(q: np.ndarray, x: np.ndarray, x_prev: np.ndarray, beta: np.ndarray,
                 owner: np.ndarray) -> None:
    """Nesterov point of a price holder: ``q = max(x + beta_S (x - x_prev), 0)``."""
    for i in range(x.size):
        v = x[i] + beta[owner[i]] * (x[i] - x_prev[i])
        q[i] = v if v >= 0.0 else 0.0


@njit(cache=True)
def _progress(move: np.ndarray, turn: np.ndarray, acc: np.ndarray, x_new: np.ndarray,
              x_old: np.ndarray, q: np.ndarray, owner: np.ndarray) -> None:
    """Per station: largest price move, and ``(q - new) . (new - old)`` (momentum restart).

    ``acc`` is a work buffer: each price kind is summed on its own, then added to
    ``turn`` (a fixed summation order).
    """
    acc[:] = 0.0
    for i in range(x_new.size):
        d = x_new[i] - x_old[i]
        a = abs(d)
        s = owner[i]
        if a > move[s]:
            move[s] = a
        acc[s] += (q[i] - x_new[i]) * d
    for s in range(turn.size):
        turn[s] += acc[s]


@njit(cache=True)
def _commit(x: np.ndarray, x_prev: np.ndarray, x_new: np.ndarray, running: np.ndarray,
            owner: np.ndarray) -> None:
    """``x_prev <- x``; ``x <- x_new`` where the owner station still runs."""
    for i in range(x.size):
        x_prev[i] = x[i]
        if running[owner[i]]:
            x[i] = x_new[i]


@njit(cache=True)
def _price_iterations(eta: np.ndarray, nu: np.ndarray, mu: np.ndarray, lam: np.ndarray,
                      pair_cont: np.ndarray, pair_ts: np.ndarray, pair_value: np.ndarray,
                      pair_load: np.ndarray, ts_task: np.ndarray, task_active: np.ndarray,
                      task_station: np.ndarray, top_coef: np.ndarray,
                      station_base: np.ndarray, station_active: np.ndarray,
                      container_station: np.ndarray, residual: np.ndarray, load_cap: float,
                      s_eta: np.ndarray, s_nu: np.ndarray, s_mu: np.ndarray,
                      s_lam: np.ndarray, rho: float, tol: float, max_iter: int,
                      momentum: bool) -> tuple[np.ndarray, np.ndarray]:
    """The synchronous exchanges of Algs. 1-3 until every station settles.

    Updates the prices ``eta, nu, mu, lam`` in place; returns per station the
    iteration count and whether it is still running (not converged).
    """
    n_sta = lam.size
    sta_eta = task_station[ts_task]
    sta_lam = np.arange(n_sta)
    running = station_active.copy()
    iters = np.zeros(n_sta, dtype=np.int64)
    t_mom = np.ones(n_sta)
    t_next = np.empty(n_sta)
    beta = np.zeros(n_sta)
    move = np.empty(n_sta)
    turn = np.empty(n_sta)
    p_eta, p_nu, p_mu, p_lam = eta.copy(), nu.copy(), mu.copy(), lam.copy()
    q_eta, q_nu, q_mu, q_lam = (np.empty_like(eta), np.empty_like(nu), np.empty_like(mu),
                                np.empty_like(lam))
    n_eta, n_nu, n_mu, n_lam = (np.empty_like(eta), np.empty_like(nu), np.empty_like(mu),
                                np.empty_like(lam))
    y1, y2, y3 = np.zeros(mu.size), np.zeros(eta.size), np.zeros(pair_ts.size)
    buf_t, buf_o, buf_k, buf_s = (np.empty(eta.size), np.empty(nu.size), np.empty(mu.size),
                                  np.empty(n_sta))
    for _ in range(max_iter):
        if not running.any():
            break
        for s in range(n_sta):
            t_next[s] = (1.0 + np.sqrt(1.0 + 4.0 * t_mom[s] * t_mom[s])) / 2.0
            if momentum:
                beta[s] = (t_mom[s] - 1.0) / t_next[s]
        _extrapolate(q_eta, eta, p_eta, beta, sta_eta)
        _extrapolate(q_nu, nu, p_nu, beta, container_station)
        _extrapolate(q_mu, mu, p_mu, beta, task_station)
        _extrapolate(q_lam, lam, p_lam, beta, sta_lam)
        # downward pushes, then best responses (Eqs. 18, 20, 22)
        for p in range(pair_ts.size):                          # containers, Eq. 18
            y3[p] = container_allocate(pair_value[p], pair_load[p], q_nu[pair_cont[p]],
                                       q_eta[pair_ts[p]], rho)
        for t in range(ts_task.size):                          # servers, Eq. 20
            y2[t] = server_allocate(q_eta[t], q_mu[ts_task[t]], rho)
        for k in range(mu.size):                               # satellites, Eq. 22
            y1[k] = (satellite_offload(q_mu[k], top_coef[k], q_lam[task_station[k]], rho)
                     if task_active[k] else 0.0)
        # upward pushes, then price updates (Eqs. 19, 21, 23)
        server_update_prices(n_eta, n_nu, q_eta, q_nu, y3, y2, pair_ts, pair_cont,
                             pair_load, residual, s_eta, s_nu, buf_t, buf_o)
        lbs_update_prices(n_mu, n_lam, q_mu, q_lam, y2, y1, ts_task, task_station, top_coef,
                          station_base, load_cap, s_mu, s_lam, buf_k, buf_s)
        for k in range(mu.size):
            if not task_active[k]:
                n_mu[k] = 0.0
        move[:] = 0.0
        turn[:] = 0.0       # (q - new) . (new - old) > 0: restart momentum
        _progress(move, turn, buf_s, n_eta, eta, q_eta, sta_eta)
        _progress(move, turn, buf_s, n_nu, nu, q_nu, container_station)
        _progress(move, turn, buf_s, n_mu, mu, q_mu, task_station)
        _progress(move, turn, buf_s, n_lam, lam, q_lam, sta_lam)
        for s in range(n_sta):
            iters[s] += running[s]
        _commit(eta, p_eta, n_eta, running, sta_eta)            # converged stations freeze
        _commit(nu, p_nu, n_nu, running, container_station)
        _commit(mu, p_mu, n_mu, running, task_station)
        _commit(lam, p_lam, n_lam, running, sta_lam)
        for s in range(n_sta):
            running[s] = running[s] and move[s] > tol
            t_mom[s] = 1.0 if turn[s] > 0.0 else t_next[s]
    return iters, running


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
    mu = np.where(lay.task_active, mu, 0.0)
    iters, running = _price_iterations(
        eta, nu, mu, lam, lay.pair_cont, lay.pair_ts, lay.pair_value, lay.pair_load,
        lay.ts_task, lay.task_active, lay.task_station, lay.task_top_coef, lay.station_base,
        lay.station_active, p.container_station, p.residual, p.load_cap, s_eta, s_nu, s_mu,
        s_lam, rho_abs, tol_abs, max_iter, momentum)
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
                                       lay.task_station, p.container_station, restarts,
                                       pairs=p.pairs)
    return LEOEdgeResult(decision, p.objective(decision), y1, y2, y3,
                         DualPrices(lam, nu, mu, eta), int(iters.max(initial=0)), iters,
                         bool(not running.any()), lay)
