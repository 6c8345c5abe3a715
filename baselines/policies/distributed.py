"""LEOEdge, the paper's scheduler, as a distributed protocol each step (policy ``leoedge``).

The roles of :mod:`baselines.leoedge.protocol` persist across steps, each with its own state; a
step is one scheduling round:

1. every container records its own occupancy (``env.container_state()``, its own entry) and drops
   reservations whose task should have arrived;
2. every satellite connected to a cluster (``env.cluster_of()``, its own entry) describes its
   candidate tasks from its own observation row
   (:func:`~baselines.policies.env_problem.satellite_descriptors`), estimates each one's advantage
   with an idle edge and proposes the ones Eq. 22 accepts at the last prices it received;
3. the proposals travel on the satellite's access path (its ``path_delay_s``, lost with its
   ``ground_loss``); the containers value the forwarded descriptors against their own queue and
   reservations (:func:`~baselines.leoedge.protocol.container_values`); the ground layers run the
   price iteration and the rounding; allocations travel back on the same path;
4. a satellite offloads the tasks it was allocated, with the container reserved
   (``env.reserve_containers``: the LBS places them there on arrival); its other tasks run locally;
5. a satellite whose proposal or allocation was lost decides alone on its last prices: it
   offloads the tasks it proposed without a reservation (the LBS places them on arrival); a
   satellite with no cluster applies Eq. 22 to its last prices
   (:func:`~baselines.policies.round_policies.decide_alone`).

Every message goes through a :class:`~satgym.core.messages.MessageBus` and is added to the env's
counts (``env.record_messages``). The bus draws the losses from a generator seeded by ``reset``.
``last_round`` holds the round over *all* candidates as one :class:`~baselines.OffloadProblem` and
``last_decision`` the ground's decision on it (-1 for tasks not proposed or not allocated;
``last_reserved``: only the allocations that reached their satellite), so the decision can be
scored against the MILP on the same round; building that problem is analysis, the protocol never
uses it.

>>> import satgym
>>> env = satgym.parallel_env("leoedge", {"episode": {"steps": 3}}, load="heavy")
>>> obs, infos = env.reset(seed=0)
>>> policy = LEOEdgePolicy(); policy.reset(env, seed=0)
>>> sorted(policy.act(env, obs, infos)) == sorted(env.agents)
True
>>> policy.last_messages.delivered["satellite_lbs"] > 0
True
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from baselines.leoedge.protocol import ProtocolSettings, RoundResult, Roles, advantage_args, container_values, run_round
from baselines.leoedge.roles import satellite_offload
from baselines.offloading_problem import OffloadProblem
from baselines.policies.base import OFFLOAD
from baselines.policies.env_problem import RoundInputs, decision_frame, default_horizon_s, satellite_descriptors
from baselines.policies.round_policies import decide_alone
from satgym.core.messages import MessageBus, MessageLog
from satgym.leoedge.advantage import advantage_operator
from satgym.leoedge.observation import sat_field

__all__ = ["LEOEdgePolicy"]


class LEOEdgePolicy:
    """LEOEdge's three-layer distributed dual scheduler, one protocol round per step (module
    docstring). ``settings``: :class:`~baselines.leoedge.protocol.ProtocolSettings` or its fields as
    keywords; ``space_loss`` the loss probability of every satellite-ground message (None: the
    satellite's link loss, ``ground_loss`` in its observation); ``drop_space=True`` loses them all
    (study switches)."""

    name = "leoedge"

    def __init__(self, horizon_s: float | None = None, settings: ProtocolSettings | None = None,
                 space_loss: float | None = None, drop_space: bool = False, **setting_fields: Any) -> None:
        if horizon_s is not None and not horizon_s > 0:
            raise ValueError(f"horizon_s: must be > 0, got {horizon_s}")
        if space_loss is not None and not 0.0 <= space_loss <= 1.0:
            raise ValueError(f"space_loss: must be in [0, 1] or None, got {space_loss}")
        self.space_loss = space_loss
        if settings is not None and setting_fields:
            raise ValueError("give either settings or its fields as keywords, not both")
        self.horizon_s_arg, self.drop_space = horizon_s, drop_space
        self.settings = settings or ProtocolSettings(**setting_fields)
        self.last_round: RoundInputs | None = None
        self.last_decision: np.ndarray | None = None
        self.last_reserved: np.ndarray | None = None
        self.last_result: RoundResult | None = None
        self.last_messages = MessageLog()

    def reset(self, env: Any, seed: int | None = None) -> None:
        lay = env.ground_layout()
        self.horizon_s = self.horizon_s_arg or default_horizon_s(env)
        self.slot_s = float(lay["slot_s"])
        self.per_cluster = int(lay["servers_per_cluster"] * lay["containers_per_server"])
        self.load_cap = float(lay["load_cap"])
        self.roles = Roles.build(len(env.possible_agents), np.asarray(lay["container_cluster"]),
                                 np.asarray(lay["container_server"]), int(lay["n_clusters"]),
                                 history_rows=int(round(self.horizon_s / self.slot_s)))
        self.log = MessageLog()
        self.bus = MessageBus(np.random.default_rng([0 if seed is None else seed, 0x1EED]), self.log,
                              self.settings.lan_delay_s, drop_space=self.drop_space,
                              retries=self.settings.retries)
        self.steps = 0
        self.last_round, self.last_decision, self.last_result, self.last_messages = None, None, None, MessageLog()

    def act(self, env: Any, obs: dict[str, np.ndarray], infos: dict[str, dict]) -> dict[str, np.ndarray]:
        if not obs:
            return {}
        agents, rows, m, task_ids, out = decision_frame(env, obs, infos)
        K = env.sim.K
        now = self.steps * self.slot_s
        self.steps += 1
        rc, cs = env.config.reward, env.container_state()
        cont = self.roles.containers
        cont.observe(cs["occupancy"], now)                                                   # 1.
        d = satellite_descriptors(env, m, task_ids)                                          # 2.
        sats = self.roles.satellites
        # the satellite's own estimate: F with an idle edge, Eq. 22 at its last prices
        f_idle = advantage_operator(rc.operator).value(advantage_args(d, np.zeros(1), rc.alpha, rc.time_ref_s)[:, 0])
        u = d.edge_exec_s / (2.0 * self.horizon_s)
        own_max = np.zeros(len(agents))
        np.maximum.at(own_max, d.sat, f_idle)
        rho = self.settings.rho * np.maximum(own_max[d.sat], 1e-12)
        g = rows[d.sat]
        y1 = satellite_offload(f_idle, u / self.per_cluster, sats.lam_seen[g], rho)          # Eq. 22
        proposed = np.flatnonzero((y1 >= 0.5) & (f_idle > 0.0))
        p = d.take(proposed)
        queue = cs["backlog_s"] + cont.reserved_s()
        busy_past = cont.history.sum(axis=0) * self.slot_s
        value, load0, u_p = container_values(                                                # 3.
            p, queue, busy_past, self.horizon_s, cont.container_cluster, self.load_cap, rc.alpha, rc.time_ref_s,
            rc.operator, self.settings.fit_filter)
        n_all = len(env.possible_agents)
        cluster, delay, loss = np.full(n_all, -1), np.full(n_all, np.nan), np.zeros(n_all)
        cluster[rows] = np.asarray(env.cluster_of())[rows]
        linked = cluster[rows] >= 0
        delay[rows[linked]] = sat_field(m, "path_delay_s").astype(np.float64)[linked]
        loss[rows] = sat_field(m, "ground_loss").astype(np.float64) if self.space_loss is None else self.space_loss
        r = run_round(self.roles, replace(p, sat=rows[p.sat]), value, u_p, load0, self.load_cap, cluster, delay,
                      loss, self.bus, self.settings, t_s=now)
        placed = r.container >= 0
        cont.book(r.container[placed], p.edge_exec_s[placed], now + p.t_up_s[placed])
        alloc = placed & r.delivered                                                         # 4.
        out[p.sat[alloc], p.slot[alloc]] = OFFLOAD
        if alloc.any():
            env.reserve_containers(p.task_id[alloc], r.container[alloc])
        alone = ~r.delivered                                                                 # 5.
        out[p.sat[alone], p.slot[alone]] = OFFLOAD
        no_cluster = ~linked
        if no_cluster.any():
            out[no_cluster] = decide_alone(env, m[no_cluster], K, sats.lam_seen[rows[no_cluster]],
                                           sats.kappa_seen[rows[no_cluster]], self.settings.rho, self.horizon_s,
                                           self.per_cluster)
        env.record_messages(r.log)
        self.last_result, self.last_messages = r, r.log
        self._record_round(env, d, proposed, r, queue, busy_past)
        return dict(zip(agents, out))

    def _record_round(self, env: Any, d, proposed: np.ndarray, r: RoundResult, queue: np.ndarray,
                      busy_past: np.ndarray) -> None:
        """``last_round`` / ``last_decision``: the round over all candidates, for analysis."""
        empty = np.zeros(0)
        if d.n == 0:
            self.last_round = RoundInputs(None, d.sat, d.slot, d.task_id, empty, empty)
            self.last_decision = self.last_reserved = None
            return
        lay, rc = env.ground_layout(), env.config.reward
        problem = OffloadProblem(
            satellite=d.sat, station=d.cluster, container_station=lay["container_cluster"],
            container_server=lay["container_server"], advantage_arg=advantage_args(d, queue, rc.alpha, rc.time_ref_s),
            task_load=d.edge_exec_s / (2.0 * self.horizon_s), container_load0=(busy_past + queue) / (2.0 * self.horizon_s),
            load_cap=self.load_cap, advantage=rc.operator)
        decision = np.full(d.n, -1, np.int64)
        decision[proposed] = r.container
        self.last_round = RoundInputs(problem, d.sat, d.slot, d.task_id, d.edge_exec_s, d.t_up_s)
        self.last_decision = decision
        self.last_reserved = decision.copy()                  # the placements the satellites learned
        self.last_reserved[proposed[~r.delivered]] = -1
