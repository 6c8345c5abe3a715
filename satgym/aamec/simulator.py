"""The AA-MEC simulator: one step is one 5-minute snapshot of satellite task offloading (Sec. 5.2).

Per snapshot ``k``: the network of the snapshot (:mod:`.topology`), every satellite's task rate
(Eq. 14) and excess (Eqs. 16-17), its shortest-path tree and MEC candidates (:mod:`.routing`).
:meth:`AAMECSimulator.step` takes one destination per satellite (a MEC node, ``NONE`` or
``NO_ROUTE``) and optionally a :class:`Plan` (routes and gateway feeders), routes the flows, lets
them share links and servers (:mod:`.flows`) and accounts every task:

* ``generated = completed_onboard + completed_edge + failed`` (``in_flight`` is always 0: a
  snapshot's flows are resolved within the snapshot), with failures by reason
  (:data:`FAIL_REASONS`): ``not_offloaded`` (the excess was not sent), ``no_route`` (no path to the
  chosen destination), ``link_capacity`` / ``mec_capacity`` (dropped by an overloaded link or
  server), ``deadline`` (completion time above ``tasks.deadline_s``, Eq. 23).

Task counts are per snapshot: a rate of N tasks/s over ``snapshot_s`` seconds is
``round(N * snapshot_s)`` tasks. The simulator imports numpy/scipy and ``satgym.core`` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from satgym.aamec.config import AAMECConfig
from satgym.aamec.flows import FlowOutcome, evaluate_flows
from satgym.aamec.routing import Candidates, find_candidates, match_and_route, path_feeder, walk_all
from satgym.aamec.scenario import Scenario
from satgym.aamec.topology import Topology
from satgym.aamec.traffic import draw_task_rates, excess_tasks, ifecs_demand_mbps, offload_mbps

__all__ = ["AAMECSimulator", "FAIL_REASONS", "NONE", "NO_ROUTE", "Plan", "SnapshotView", "StepOutcome"]

FAIL_REASONS = ("not_offloaded", "no_route", "link_capacity", "mec_capacity", "deadline")
NONE = -1       # destination: do not offload (the excess is dropped)
NO_ROUTE = -2   # destination: an empty candidate slot was chosen


@dataclass(frozen=True)
class Plan:
    """A policy's routing for the next step (the env's ``set_plan`` hook).

    ``destinations`` ``(S,)``: MEC node per satellite, ``NONE`` for no offload (replaces the
    actions). ``routes``: per satellite a node path from the satellite to its destination, or None
    (the environment routes). ``feeders`` ``(G,)``: the satellite each gateway links to (-1: the
    environment's matching), Eq. 25.
    """

    destinations: np.ndarray | None = None
    routes: Sequence[np.ndarray | None] | None = None
    feeders: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class SnapshotView:
    """Read-only state of the current snapshot for policies (oracles) and observations."""

    k: int
    time_s: float
    topology: Topology
    mec_nodes: np.ndarray            # (M,) node ids: gateways, then MEC aircraft
    mec_capacity_per_s: np.ndarray   # (M,) tasks/s (Table 4)
    rate_per_s: np.ndarray           # (S,) N_s, Eq. 14
    excess_per_s: np.ndarray         # (S,) Eq. 16
    data_mbit: np.ndarray            # (S,) Mbit per second offloaded, Eq. 17
    compute_s: np.ndarray            # (S,) computation time of the flow alone at a MEC, Eq. 19
    candidates: Candidates
    deadline_s: float
    task_minstr: float
    mec_mips: float
    ifecs_mbps: np.ndarray           # (A, n_services) IFECS demand of every aircraft and service, Eq. 1


@dataclass(frozen=True, eq=False)
class StepOutcome:
    """Raw per-step quantities (the env turns them into rewards and observations)."""

    excess_tasks: np.ndarray       # (S,) tasks offered for offloading in the snapshot
    failed_tasks: np.ndarray       # (S,) of those, failed for any reason
    completion_s: np.ndarray       # (S,) Eq. 20 of the satellite's flow (NaN: no routed flow)
    flow_latency_s: np.ndarray     # (S,) Eq. 5 (NaN: no routed flow)
    destinations: np.ndarray       # (S,) node the flow went to (-1 none)
    paths: list[np.ndarray]        # (S,) node paths (empty: none)
    feeders: np.ndarray            # (G,) gateway matching used
    flows: FlowOutcome
    metrics: dict


@dataclass
class EpisodeTotals:
    generated: int = 0
    completed_onboard: int = 0
    completed_edge: int = 0
    failed: dict = field(default_factory=lambda: dict.fromkeys(FAIL_REASONS, 0))
    flows: int = 0
    flow_latency_s: float = 0.0
    completion_s: float = 0.0
    late_flows: int = 0
    flows_to_aircraft: int = 0
    flows_by_location: np.ndarray | None = None
    carried_mbps: float = 0.0
    offloaded_mbps: float = 0.0
    steps: int = 0


class AAMECSimulator:
    """Satellite task offloading over the snapshots of an episode."""

    def __init__(self, cfg: AAMECConfig) -> None:
        self.cfg = cfg
        self.scenario = Scenario(cfg)
        self.n_sats, self.n_gateways = self.scenario.n_sats, self.scenario.n_gateways
        self.K = cfg.episode.destinations
        self.n_steps = cfg.episode.steps
        self.dt = cfg.episode.snapshot_s
        c = cfg.compute
        self.sat_capacity, self.mec_capacity, self.mec_mips = c.sat_tasks_per_s, c.mec_tasks_per_s, c.mec_mips
        self.location_names = tuple(cfg.gateways.names) + ("aerial",)
        self.k = 0

    # ------------------------------------------------------------------ episode
    def reset(self, rng: np.random.Generator) -> None:
        """New episode: flights and start from one child stream, tasks from another, so that the task
        stream does not depend on the policy (or on the MEC ratio)."""
        flights_rng, tasks_rng = rng.spawn(2)
        self.scenario.reset(flights_rng)
        self.rates = draw_task_rates(tasks_rng, self.cfg.tasks.rate_per_s, self.n_steps + 1, self.n_sats)
        self.mec_nodes = self.scenario.mec_nodes
        self.mec_capacity_per_s = np.full(self.mec_nodes.size, float(self.mec_capacity))
        ifecs = self.cfg.ifecs
        self.ifecs_mbps = ifecs_demand_mbps(self.scenario.flights.passengers, ifecs.user_ratio, ifecs.services)
        self.k = 0
        self.totals = EpisodeTotals(flows_by_location=np.zeros(len(self.location_names), dtype=np.int64))
        self._last_util = (np.zeros(0, np.int64), np.zeros(0))
        self.last_mec_load = np.zeros(self.mec_nodes.size)
        self.last: StepOutcome | None = None
        self._prepare()

    @property
    def time_s(self) -> float:
        return float(self.k * self.dt)

    def _prepare(self) -> None:
        """Topology, excess and candidates of snapshot ``self.k``."""
        k = self.k
        topo = self.scenario.topology(k)
        rate = self.rates[k]
        excess = excess_tasks(rate, self.sat_capacity)
        data = offload_mbps(excess, self.cfg.tasks.task_mbit)
        compute = excess * self.cfg.compute.task_minstr / self.mec_mips  # Eq. 19, alone
        cand = find_candidates(topo, self.mec_nodes, excess, data, compute, self.K)
        self.view = SnapshotView(k=k, time_s=float(k * self.dt), topology=topo, mec_nodes=self.mec_nodes,
                                 mec_capacity_per_s=self.mec_capacity_per_s, rate_per_s=rate, excess_per_s=excess,
                                 data_mbit=data, compute_s=compute, candidates=cand, deadline_s=self.cfg.tasks.deadline_s,
                                 task_minstr=self.cfg.compute.task_minstr, mec_mips=self.mec_mips,
                                 ifecs_mbps=self.ifecs_mbps)

    # ------------------------------------------------------------------ plan checks
    def check_plan(self, plan: Plan) -> Plan:
        """Validate a plan against the current snapshot (``ValueError`` naming the entry)."""
        S, G = self.n_sats, self.n_gateways
        topo, net = self.view.topology, self.view.topology.net
        dest = None
        if plan.destinations is not None:
            dest = np.asarray(plan.destinations, dtype=np.int64)
            if dest.shape != (S,):
                raise ValueError(f"destinations: expected {S} entries (one per satellite), got shape {dest.shape}")
            bad = np.flatnonzero((dest != NONE) & ~np.isin(dest, self.mec_nodes))
            if bad.size:
                raise ValueError(f"destinations[{int(bad[0])}]: node {int(dest[bad[0]])} is not a MEC server; use -1 "
                                 f"(no offload) or one of the MEC nodes {self.mec_nodes.tolist()}")
        feeders = None
        if plan.feeders is not None:
            feeders = np.asarray(plan.feeders, dtype=np.int64)
            if feeders.shape != (G,):
                raise ValueError(f"feeders: expected {G} entries (one per gateway), got shape {feeders.shape}")
            for j in np.flatnonzero(feeders >= 0):
                s = int(feeders[j])
                if s >= S or not np.isfinite(topo.feeder_elevation_deg[s, j]):
                    raise ValueError(f"feeders[{j}]: satellite {s} does not see gateway "
                                     f"{self.cfg.gateways.names[j]!r} in this snapshot")
        routes = None
        if plan.routes is not None:
            if len(plan.routes) != S:
                raise ValueError(f"routes: expected {S} entries (one per satellite, None to let the env route)")
            routes = [None if r is None else np.asarray(r, dtype=np.int64) for r in plan.routes]
            fixed = np.full(G, -1, dtype=np.int64) if feeders is None else feeders.copy()
            for s, r in enumerate(routes):
                if r is None:
                    continue
                if r.size < 2 or r[0] != s:
                    raise ValueError(f"routes[{s}]: must start at satellite node {s} and have at least one link")
                end = int(dest[s]) if dest is not None else int(r[-1])
                if r[-1] != end or not np.isin(end, self.mec_nodes):
                    raise ValueError(f"routes[{s}]: must end at its destination MEC node {end}")
                if np.any(net.node_kind[r[:-1]] == net.kinds.index("gateway")):
                    raise ValueError(f"routes[{s}]: a route cannot pass through a gateway (gateways are endpoints)")
                net.path_arcs(r)  # raises naming the unlinked pair
                j, sat = path_feeder(topo, r)
                if j >= 0:
                    if fixed[j] >= 0 and fixed[j] != sat:
                        raise ValueError(f"routes[{s}]: reaches gateway {self.cfg.gateways.names[j]!r} via satellite "
                                         f"{sat}, but the gateway links to satellite {int(fixed[j])} (at most one "
                                         "satellite per gateway, Eq. 25)")
                    fixed[j] = sat
            feeders = fixed
        return Plan(destinations=dest, routes=routes, feeders=feeders)

    # ------------------------------------------------------------------ step
    def step(self, dest_node: np.ndarray, plan: Plan | None = None) -> StepOutcome:
        """Route this snapshot's flows to ``dest_node`` (or the plan's), account them, advance."""
        if self.k >= self.n_steps:
            raise RuntimeError("the episode is over; reset() first")
        v, S = self.view, self.n_sats
        topo = v.topology
        dest = np.asarray(dest_node, dtype=np.int64).copy()
        if plan is not None and plan.destinations is not None:
            dest = np.asarray(plan.destinations, dtype=np.int64).copy()
        offloading = v.excess_per_s > 0
        dest[~offloading] = NONE
        to_mec = dest >= 0
        fixed = plan.feeders if plan is not None else None
        feeders, paths = match_and_route(topo, v.candidates, np.where(to_mec, dest, -1), v.data_mbit, fixed)
        if plan is not None and plan.routes is not None:
            for s, r in enumerate(plan.routes):
                if r is not None and to_mec[s]:
                    paths[s] = np.asarray(r, dtype=np.int64)
        routed = np.flatnonzero(to_mec & np.array([p.size >= 2 for p in paths]))
        arcs = [topo.net.path_arcs(paths[s]) for s in routed]
        mec_index = np.searchsorted(self.mec_nodes, dest[routed])
        out = evaluate_flows(topo.net, arcs, v.data_mbit[routed], v.excess_per_s[routed].astype(float), mec_index,
                             self.mec_capacity_per_s, self.mec_mips, self.cfg.compute.task_minstr)
        return self._account(dest, paths, feeders, routed, mec_index, out)

    def _account(self, dest, paths, feeders, routed, mec_index, out: FlowOutcome) -> StepOutcome:
        v, S, dt = self.view, self.n_sats, self.dt
        gen = np.rint(v.rate_per_s * dt).astype(np.int64)
        local = np.rint(np.minimum(v.rate_per_s, self.sat_capacity) * dt).astype(np.int64)
        excess = gen - local
        failed = dict.fromkeys(FAIL_REASONS, 0)
        fail_s = np.zeros(S, dtype=np.int64)
        offloading = excess > 0
        none = offloading & (dest == NONE)
        failed["not_offloaded"] = int(excess[none].sum())
        unrouted = offloading & (dest != NONE) & ~np.isin(np.arange(S), routed)
        failed["no_route"] = int(excess[unrouted].sum())
        fail_s[none | unrouted] = excess[none | unrouted]
        E = excess[routed]
        delivered = np.rint(out.delivered_fraction * E).astype(np.int64)
        served = np.minimum(np.rint(out.served_fraction * E).astype(np.int64), delivered)
        completion = out.completion_s
        late = completion > self.cfg.tasks.deadline_s + 1e-12
        failed["link_capacity"] = int((E - delivered).sum())
        failed["mec_capacity"] = int((delivered - served).sum())
        failed["deadline"] = int(served[late].sum())
        completed_edge = int(served[~late].sum())
        fail_s[routed] = E - np.where(late, 0, served)
        comp_s = np.full(S, np.nan)
        lat_s = np.full(S, np.nan)
        comp_s[routed], lat_s[routed] = completion, out.flow_latency_s
        G = self.n_gateways
        loc = np.where(mec_index < G, mec_index, G)
        by_loc = np.bincount(loc, minlength=G + 1)
        carried = float(out.arc_carried_mbps.sum())
        metrics = {
            "time_s": float(v.time_s), "generated": int(gen.sum()), "completed_onboard": int(local.sum()),
            "completed_edge": completed_edge, "failed": int(sum(failed.values())),
            **{f"failed_{r}": n for r, n in failed.items()}, "in_flight": 0,
            "offloading_satellites": int(offloading.sum()), "routed_flows": int(routed.size),
            "mean_flow_latency_s": float(out.flow_latency_s.mean()) if routed.size else None,
            "mean_completion_s": float(completion.mean()) if routed.size else None,
            "late_flows": int(late.sum()), "flows_to_aircraft": int(by_loc[G]),
            "carried_mbps": carried, "offloaded_mbps": float(v.data_mbit[offloading].sum()),
            "mean_hops": float(out.hops.mean()) if routed.size else None,
        }
        t = self.totals
        t.generated += metrics["generated"]
        t.completed_onboard += metrics["completed_onboard"]
        t.completed_edge += completed_edge
        for r, n in failed.items():
            t.failed[r] += n
        t.flows += int(routed.size)
        t.flow_latency_s += float(out.flow_latency_s.sum())
        t.completion_s += float(completion.sum())
        t.late_flows += int(late.sum())
        t.flows_to_aircraft += int(by_loc[G])
        t.flows_by_location += by_loc
        t.carried_mbps += carried
        t.offloaded_mbps += metrics["offloaded_mbps"]
        t.steps += 1
        # what the agents see next step: last loads by (u, v) node pair and per MEC
        net = v.topology.net
        used = np.flatnonzero(out.arc_load_mbps > 0)
        keys = net.src[used] * net.n_nodes + net.dst[used]
        order = np.argsort(keys)
        self._last_util = (keys[order], (out.arc_load_mbps[used] / net.capacity_mbps[used])[order])
        self.last_mec_load = out.mec_arrivals_per_s / self.mec_capacity_per_s
        self.last = StepOutcome(excess_tasks=excess, failed_tasks=fail_s, completion_s=comp_s, flow_latency_s=lat_s,
                                destinations=np.where(np.isin(np.arange(S), routed), dest, NONE), paths=paths,
                                feeders=feeders, flows=out, metrics=metrics)
        self.k += 1
        self._prepare()  # after the last step: the final snapshot, for the terminal observation
        return self.last

    # ------------------------------------------------------------------ candidate paths
    def candidate_paths(self) -> dict[str, np.ndarray]:
        """Per (satellite, slot) of the current candidates: ``hops``, ``bottleneck_mbps`` and the
        largest utilisation the path's links had last step (``util_last``), each ``(S, K)``."""
        v = self.view
        cand, net = v.candidates, v.topology.net
        S, K = self.n_sats, self.K
        hops = np.zeros((S, K))
        bottleneck = np.zeros((S, K))
        util = np.zeros((S, K))
        s_idx, k_idx = np.nonzero(cand.ranked >= 0)
        if s_idx.size == 0:
            return {"hops": hops, "bottleneck_mbps": bottleneck, "util_last": util}
        targets = self.mec_nodes[cand.ranked[s_idx, k_idx]]
        h, nodes = walk_all(cand.pred, cand.rows[s_idx], s_idx, targets)
        nxt, prv = nodes[:, :-1], nodes[:, 1:]  # the walk goes target -> source
        valid = (nxt >= 0) & (prv >= 0)
        arc = np.where(valid, net.arc(np.maximum(prv, 0), np.maximum(nxt, 0)), -1)
        cap = np.where(arc >= 0, net.capacity_mbps[np.maximum(arc, 0)], np.inf)
        keys, vals = self._last_util
        key = np.maximum(prv, 0) * net.n_nodes + np.maximum(nxt, 0)
        if keys.size:
            pos = np.minimum(np.searchsorted(keys, key), keys.size - 1)
            last = np.where(valid & (keys[pos] == key), vals[pos], 0.0)
        else:
            last = np.zeros(key.shape)
        hops[s_idx, k_idx] = np.maximum(h, 0)
        bottleneck[s_idx, k_idx] = np.where(np.isfinite(cap.min(axis=1)), cap.min(axis=1), 0.0)
        util[s_idx, k_idx] = last.max(axis=1)
        return {"hops": hops, "bottleneck_mbps": bottleneck, "util_last": util}

    # ------------------------------------------------------------------ metrics
    def episode_metrics(self) -> dict:
        t = self.totals
        failed = int(sum(t.failed.values()))
        return {
            "generated": t.generated, "completed": t.completed_onboard + t.completed_edge,
            "completed_onboard": t.completed_onboard, "completed_edge": t.completed_edge, "failed": failed,
            "failed_by_reason": dict(t.failed), "in_flight": 0, "flows": t.flows,
            "mean_flow_latency_s": t.flow_latency_s / t.flows if t.flows else float("nan"),
            "mean_completion_s": t.completion_s / t.flows if t.flows else float("nan"),
            "late_flows": t.late_flows,
            "flows_to_aircraft_share": t.flows_to_aircraft / t.flows if t.flows else float("nan"),
            "flows_by_location": dict(zip(self.location_names, t.flows_by_location.tolist())),
            "mean_carried_mbps": t.carried_mbps / t.steps if t.steps else 0.0,
            "mean_offloaded_mbps": t.offloaded_mbps / t.steps if t.steps else 0.0,
            "steps": t.steps,
        }
