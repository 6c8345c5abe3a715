"""Building a slot's :class:`~satgym.arctic.problem.SlotProblem`: per-resource-block rates from the
link budget, candidate (access, computing) pairs ranked by best-case delay, and result paths (the
rules are in :mod:`satgym.arctic.problem`)."""

from __future__ import annotations

import numpy as np

from satgym.arctic.config import ArcticConfig
from satgym.arctic.fleet import Fleet
from satgym.arctic.problem import SlotProblem
from satgym.arctic.sky import SlotGeometry
from satgym.arctic.topology import Routes
from satgym.core.constants import SPEED_OF_LIGHT_KM_S
from satgym.core.radio import LinkBudget

__all__ = ["build_problem", "link_budget"]

_CPU_EPS = 1e-9


def link_budget(cfg: ArcticConfig) -> LinkBudget:
    """The users' uplink budget (satellite antenna gain per satellite, given at evaluation)."""
    r = cfg.radio
    return LinkBudget(carrier_ghz=r.carrier_ghz, rb_bandwidth_hz=r.rb_bandwidth_khz * 1e3, tx_power_w=r.user_power_w,
                      tx_gain_dbi=r.user_gain_dbi, rx_gain_dbi=0.0, noise_density_dbm_hz=r.noise_density_dbm_hz,
                      rician_k=r.rician_k)


def build_problem(cfg: ArcticConfig, fleet: Fleet, budget: LinkBudget, geo: SlotGeometry, routes: Routes,
                  fading: np.ndarray, users: np.ndarray, task_bits: np.ndarray, rb_free: np.ndarray,
                  cpu_free: np.ndarray) -> SlotProblem:
    """The slot's problem for the active ``users`` (rows of ``geo``), their tasks of ``task_bits``,
    this slot's small-scale gains ``fading`` ``(n_tasks, n_region)`` and the free resources."""
    cc = cfg.candidates
    n, big_n, m = users.size, cc.n_candidates, cc.result_paths
    cycles = cfg.tasks.cycles_per_bit * task_bits  # X_u in cycles (printed "cycles/second"; Sec. VI: cycles/bit)
    deadline = np.full(n, cfg.tasks.deadline_s)
    shape = (n, big_n)
    out = {
        "access": np.full(shape, -1, np.int64), "compute": np.full(shape, -1, np.int64),
        "elevation_deg": np.zeros(shape), "rate_per_rb_bps": np.zeros(shape), "access_end_s": np.zeros(shape),
        "uplink_km": np.zeros(shape), "isl_km": np.zeros(shape), "best_case_s": np.full(shape, np.inf),
        "fp_sat": np.full((*shape, m), -1, np.int64), "fp_prop_s": np.full((*shape, m), np.inf),
        "fp_start_s": np.full((*shape, m), np.inf), "fp_end_s": np.full((*shape, m), -np.inf),
    }
    energy_norm = np.ones(n)
    region = geo.region
    # small-scale gain and the satellite's antenna: the SNR scales with both (Eq. 6)
    gain = fading * 10.0 ** (fleet.antenna_gain_dbi[region] / 10.0)
    rate = budget.rate_per_rb_bps(geo.range_km, gain) if n else np.zeros((0, region.size))
    src_row = np.full(fleet.n_sats, -1, np.int64)
    src_row[routes.sources] = np.arange(routes.sources.size)
    nodes = routes.nodes
    free_cpu_nodes = cpu_free[nodes]
    speed_nodes = np.where(free_cpu_nodes > _CPU_EPS, free_cpu_nodes * fleet.cpu_hz[nodes], 0.0)
    for i in range(n):
        now = np.flatnonzero((geo.v_start_s[i] == 0.0) & (geo.v_end_s[i] > 0.0))
        sats = region[now]
        now = now[(rb_free[sats] > 0) & (rate[i, now] > 0) & (src_row[sats] >= 0)]
        if now.size == 0 or nodes.size == 0:
            continue
        a_sat, a_row, a_rng = region[now], src_row[region[now]], geo.range_km[i, now]
        dist = routes.dist_local_km[a_row]  # (n_access, n_nodes)
        cols = np.flatnonzero(np.isfinite(dist).any(axis=0) & (speed_nodes > 0))  # reachable, with CPU left
        dist = dist[:, cols]
        up_best = task_bits[i] / (rb_free[a_sat] * rate[i, now])
        fp_now = ((dist + a_rng[:, None]) / SPEED_OF_LIGHT_KM_S).min(axis=0)
        best = (up_best[:, None] + (a_rng[:, None] + dist) / SPEED_OF_LIGHT_KM_S
                + (cycles[i] / speed_nodes[cols] + fp_now)[None, :])
        acc, node = np.nonzero(np.isfinite(best))
        vals = best[acc, node]
        order = np.lexsort((nodes[cols[node]], vals, a_sat[acc]))  # per access satellite, best first
        acc, node, vals = acc[order], node[order], vals[order]
        first = np.r_[True, acc[1:] != acc[:-1]]
        rank = np.arange(acc.size) - np.maximum.accumulate(np.where(first, np.arange(acc.size), 0))
        keep = rank < cc.per_access
        acc, node, vals = acc[keep], node[keep], vals[keep]
        order = np.lexsort((nodes[cols[node]], a_sat[acc], vals))[:big_n]  # ties: lower satellite indices first
        acc, node, vals = acc[order], node[order], vals[order]
        c = len(order)
        comp = nodes[cols[node]]
        out["access"][i, :c] = a_sat[acc]
        out["compute"][i, :c] = comp
        out["elevation_deg"][i, :c] = geo.elevation_deg[i, now[acc]]
        out["rate_per_rb_bps"][i, :c] = rate[i, now[acc]]
        out["access_end_s"][i, :c] = geo.v_end_s[i, now[acc]]
        out["uplink_km"][i, :c] = a_rng[acc]
        out["isl_km"][i, :c] = dist[acc, node]
        out["best_case_s"][i, :c] = vals
        _result_paths(out, i, comp, geo, routes, src_row, deadline[i], m)
        # rho^max_u of Eq. 19 (unspecified; "maximum power consumption"): the largest energy any
        # candidate could cost, p zeta / r (Eq. 10) + kappa X F^2 (Eq. 12 at the full CPU share)
        energy_norm[i] = float(np.max(cfg.radio.user_power_w * task_bits[i] / rate[i, now[acc]]
                                      + cfg.compute.kappa_w_s3_per_cycle3 * cycles[i] * fleet.cpu_hz[comp] ** 2))
    return SlotProblem(
        time_s=geo.time_s, users=users, task_bits=task_bits, cycles=cycles, deadline_s=deadline, **out,
        energy_norm_j=energy_norm, rb_free=rb_free, rb_budget=fleet.resource_blocks, cpu_free=cpu_free,
        cpu_hz=fleet.cpu_hz, kind=fleet.kind, tx_power_w=cfg.radio.user_power_w,
        kappa=cfg.compute.kappa_w_s3_per_cycle3, cpu_levels=cfg.compute.cpu_share_levels,
        alpha_energy=cfg.reward.alpha_energy, alpha_delay=cfg.reward.alpha_delay)


def _result_paths(out: dict, i: int, comp: np.ndarray, geo: SlotGeometry, routes: Routes, src_row: np.ndarray,
                  deadline_s: float, m: int) -> None:
    """Fill row ``i``'s result paths for its candidates' computing satellites ``comp``."""
    seen = np.flatnonzero(geo.v_start_s[i] < deadline_s)
    sats = geo.region[seen]
    seen, sats = seen[src_row[sats] >= 0], sats[src_row[sats] >= 0]
    if seen.size == 0:
        return
    prop = (routes.dist_km(src_row[sats][None, :], comp[:, None]) + geo.range_km[i, seen][None, :]) / SPEED_OF_LIGHT_KM_S
    start, end = geo.v_start_s[i, seen], geo.v_end_s[i, seen]
    whole = (start == 0.0) & np.isinf(end)  # visible over the whole horizon: nothing after it is needed
    for j in range(comp.size):
        order = np.lexsort((sats, prop[j]))
        order = order[np.isfinite(prop[j, order])]
        cover = np.flatnonzero(whole[order])
        if cover.size:
            order = order[:cover[0] + 1]
        order = order[:m]
        q = order.size
        out["fp_sat"][i, j, :q] = sats[order]
        out["fp_prop_s"][i, j, :q] = prop[j, order]
        out["fp_start_s"][i, j, :q] = start[order]
        out["fp_end_s"][i, j, :q] = end[order]
