"""The paper's IFECS optimisation (Sec. 5.1, Eqs. 7-13) for one snapshot, as a MILP (HiGHS).

Flows: every aircraft and service (web, gaming, VoIP, video) with demand D_f = P_a rho rho_k beta_k
Mbps (Eq. 1). Destinations: the MEC servers (gateways and MEC aircraft; a MEC aircraft may serve
its own flows, without links). Model (:func:`~baselines.aamec.path_milp.solve_columns`):

* objective (Eq. 7): sum of flow latencies, Eq. 5: sum over the path of D_f / B_ij (Eq. 2) +
  d_ij / c (Eq. 4);
* Eq. 8 (one destination per flow), 9 (paths), 11 (link capacity), 12 (one satellite per gateway),
  13 (flows to a gateway through its feeder);
* Eq. 10 (packet delay): only columns whose packet latency, sum of packet / B_ij + d_ij / c (Eqs.
  3, 6), is within the service's delay budget (Table 3);
* a flow no column can carry is unserved (cost ``drop_cost_s``).

>>> import numpy as np, satgym
>>> env = satgym.parallel_env("aamec", {"episode": {"steps": 1}, "aircraft": {"count": 20, "mec_ratio": 0.4}})
>>> _ = env.reset(seed=0)
>>> sol = solve_ifecs(env.snapshot(), env.config.ifecs.services, top_destinations=3)
>>> sol.status, sol.latency_s.shape, bool(np.all(sol.dest >= 0))
('optimal', (80,), True)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from baselines.aamec.columns import Columns, build_columns
from baselines.aamec.path_milp import solve_columns
from satgym.aamec.config import ServiceSpec
from satgym.aamec.simulator import SnapshotView
from satgym.core.network import transmission_s

__all__ = ["IFECSSolution", "solve_ifecs"]


@dataclass(frozen=True, eq=False)
class IFECSSolution:
    """Per flow ``(F,)``: aircraft index, service index, demand (Mbps), destination node (-1:
    unserved), flow latency (Eq. 5, NaN if unserved), packet latency (Eq. 6); and solver facts."""

    aircraft: np.ndarray
    service: np.ndarray
    demand_mbps: np.ndarray
    dest: np.ndarray
    latency_s: np.ndarray
    packet_latency_s: np.ndarray
    feeders: np.ndarray
    objective_s: float
    status: str
    solve_time_s: float
    n_columns: int
    mip_gap: float = 0.0


def solve_ifecs(view: SnapshotView, services: Sequence[ServiceSpec], top_destinations: int = 6, k_paths: int = 1,
                drop_cost_s: float = 10_000.0, time_limit_s: float = 120.0, mip_rel_gap: float = 1e-4) -> IFECSSolution:
    """Destinations and paths of every IFECS flow of the snapshot (each flow's ``top_destinations``
    lowest-latency MEC servers are its candidates)."""
    topo = view.topology
    net = topo.net
    a, k = np.nonzero(view.ifecs_mbps > 0)
    demand = view.ifecs_mbps[a, k]
    src = topo.aircraft_nodes[a]
    weights = transmission_s(demand[:, None], net.capacity_mbps[None, :]) + net.delay_s[None, :]  # Eq. 5 per arc
    cols = build_columns(topo, src, weights, [view.mec_nodes] * src.size, np.zeros(src.size), k_paths, top_destinations)
    packet_mbit = np.array([s.packet_bytes * 8e-6 for s in services])
    budget_s = np.array([s.delay_budget_ms * 1e-3 for s in services])
    pkt = np.array([float((packet_mbit[k[f]] / net.capacity_mbps[arc] + net.delay_s[arc]).sum())  # Eqs. 3, 6
                    for f, arc in zip(cols.flow, cols.arcs)])
    keep = pkt <= budget_s[k[cols.flow]] + 1e-12  # Eq. 10
    cols, pkt = cols.subset(keep), pkt[keep]
    # flows without any column are unserved whatever the solver does: leave them out of the MILP,
    # so that their drop cost does not swamp the relative gap
    has = np.bincount(cols.flow, minlength=src.size) > 0
    index = np.cumsum(has) - 1
    cols = Columns(flow=index[cols.flow], dest=cols.dest, nodes=cols.nodes, arcs=cols.arcs, cost_s=cols.cost_s,
                   feeder_gateway=cols.feeder_gateway, feeder_sat=cols.feeder_sat)
    t0 = time.perf_counter()
    sub, objective, status, _, gap = solve_columns(cols, int(has.sum()), demand[has], net.capacity_mbps, topo.n_sats,
                                              drop_cost_s, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap)
    t_solve = time.perf_counter() - t0
    chosen = np.full(src.size, -1, dtype=np.int64)
    chosen[has] = sub
    ok = chosen >= 0
    dest = np.where(ok, cols.dest[np.maximum(chosen, 0)], -1)
    latency = np.where(ok, cols.cost_s[np.maximum(chosen, 0)], np.nan)
    packet = np.where(ok, pkt[np.maximum(chosen, 0)], np.nan)
    feeders = np.full(topo.n_gateways, -1, dtype=np.int64)
    for c in chosen[ok]:
        if cols.feeder_gateway[c] >= 0:
            feeders[cols.feeder_gateway[c]] = cols.feeder_sat[c]
    return IFECSSolution(aircraft=a, service=k, demand_mbps=demand, dest=dest, latency_s=latency,
                         packet_latency_s=packet, feeders=feeders, objective_s=objective, status=status,
                         solve_time_s=t_solve, n_columns=cols.n, mip_gap=gap)
