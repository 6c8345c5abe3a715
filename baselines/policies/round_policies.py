"""Centralised policies that solve one scheduling round per step: the LEOEdge search
(``leoedge-search``) and the MILP oracle (``oracle``). The paper's distributed protocol is
:mod:`baselines.policies.distributed` (``leoedge``).

Each step (see :mod:`baselines.policies.env_problem` for how the round is built):

1. the satellites connected to a cluster put their pending tasks into one
   :class:`~baselines.OffloadProblem` (advantage ``z`` per task and container, load increment ``u``,
   current loads, cap ``P``), assembled at one node;
2. the round is solved: :func:`~baselines.leoedge_schedule` warm-started with the last round's
   prices (``leoedge-search``), or :func:`~baselines.solve_milp` (``oracle``, small instances only);
3. tasks given a container are offloaded (action 1) and the container is reserved through
   ``env.reserve_containers`` (the LBS places them there on arrival); the others run locally;
4. ``leoedge-search`` sends what a centralised scheduler needs through a message bus and records
   it with ``env.record_messages``: each connected satellite's candidates to the LBS, the
   descriptors down to every container of the cluster, every container's values back up, the
   placements down and each satellite's allocation with the prices (control messages are assumed
   reliable: retransmitted, counted once). The oracle is a reference, not a protocol: no messages;
5. satellites with no cluster decide on their own from the last prices they received
   (:func:`decide_alone`; zero prices for the oracle).

>>> import satgym
>>> env = satgym.parallel_env("leoedge", {"episode": {"steps": 3}}, load="heavy")
>>> obs, infos = env.reset(seed=0)
>>> policy = LEOEdgeSearchPolicy(); policy.reset(env, seed=0)
>>> sorted(policy.act(env, obs, infos)) == sorted(env.agents)
True
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from satgym.core.messages import HEADER_B, ID_B, TASK_B, VALUE_B, MessageBus, MessageLog
from satgym.leoedge.advantage import advantage_operator
from baselines.leoedge import DualPrices, leoedge_schedule, stale_price_decision
from baselines.milp_oracle import MilpTooLargeError, solve_milp
from baselines.offloading_problem import OffloadProblem
from baselines.policies.base import LOCAL, OFFLOAD, reachable
from baselines.policies.env_problem import RoundInputs, decision_frame, build_round, default_horizon_s, stale_advantage

__all__ = ["LEOEdgeSearchPolicy", "OraclePolicy", "RoundPolicy", "decide_alone"]


def decide_alone(env: Any, m: np.ndarray, K: int, lam: np.ndarray, kappa: np.ndarray, rho: float,
                 horizon_s: float, per_cluster: int) -> np.ndarray:
    """(n, K) actions of satellites deciding on their own (``lam``, ``kappa``: the last prices
    each received): Eq. 22 per task on its own advantage estimate (:func:`~baselines.stale_price_decision`);
    they offload only if they reach a station, directly or through a relay in contact (the env's
    planner then routes it, Alg. 4), else run locally: never hold, the next contact is minutes away
    and a held task only waits (and expires after ``tasks.max_hold_s``)."""
    out = np.full((m.shape[0], K), LOCAL, dtype=np.int64)
    go = reachable(m)
    if not go.any():
        return out
    z, edge_exec, present = stale_advantage(env, m[go], K)
    F = advantage_operator(env.config.reward.operator).value(z)
    u = edge_exec / (2.0 * horizon_s)  # as in build_round's windowed load
    rho_abs = rho * max(float(F.max(initial=0.0)), 1e-12)
    # Eq. 22 per task, with its satellite's last lambda and kappa (elementwise)
    offload = stale_price_decision(F.ravel(), u.ravel(), per_cluster, np.repeat(lam[go], K),
                                   np.repeat(kappa[go], K), rho_abs)
    out[go] = np.where(offload.reshape(-1, K) & present, OFFLOAD, LOCAL)
    return out


class RoundPolicy(ABC):
    """Shared step logic; subclasses implement :meth:`solve`."""

    name = "round"

    def __init__(self, horizon_s: float | None = None, rho: float = 0.05) -> None:
        if horizon_s is not None and not horizon_s > 0:
            raise ValueError(f"horizon_s: must be > 0, got {horizon_s}")
        self.horizon_s_arg, self.rho = horizon_s, rho
        self.last_round: RoundInputs | None = None
        self.last_decision: np.ndarray | None = None
        self.last_messages = MessageLog()

    @abstractmethod
    def solve(self, problem: OffloadProblem) -> tuple[np.ndarray, DualPrices | None]:
        """(decision (K,), prices or None)."""

    def messages(self, env: Any, rnd: RoundInputs, decision: np.ndarray, connected: np.ndarray) -> MessageLog:
        """The messages of one round (none: a reference solver)."""
        return MessageLog()

    def reset(self, env: Any, seed: int | None = None) -> None:
        lay = env.ground_layout()
        n = len(env.possible_agents)
        self.horizon_s = self.horizon_s_arg or default_horizon_s(env)
        self.slot_s = float(lay["slot_s"])
        self.container_station = np.asarray(lay["container_cluster"])  # the paper's S is a cluster
        self.n_stations = int(lay["n_clusters"])
        self.per_station = int(lay["servers_per_cluster"] * lay["containers_per_server"])
        self.prices: DualPrices | None = None
        self.seen_lam = np.zeros(n)          # last lambda_S each satellite received
        self.seen_kappa = np.zeros(n)        # last cheapest container price received
        self.steps = 0
        # reserved tasks not yet at the station: container, edge work (s), estimated arrival (s)
        self.book = (np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
        # each container's occupancy over the last H seconds (one row per slot), for its load
        self.history = np.zeros((max(1, int(round(self.horizon_s / self.slot_s))), self.container_station.size))
        self.last_round, self.last_decision, self.last_messages = None, None, MessageLog()

    def _committed(self, now: float, n_containers: int) -> np.ndarray:
        cont, work, arrive = self.book
        keep = arrive > now
        self.book = (cont[keep], work[keep], arrive[keep])
        return np.bincount(cont[keep], weights=work[keep], minlength=n_containers)

    def act(self, env: Any, obs: dict[str, np.ndarray], infos: dict[str, dict]) -> dict[str, np.ndarray]:
        if not obs:
            return {}
        agents, rows, m, task_ids, out = decision_frame(env, obs, infos)
        K = env.sim.K
        now = self.steps * self.slot_s
        self.steps += 1
        committed = self._committed(now, self.container_station.size)
        self.history = np.roll(self.history, 1, axis=0)
        self.history[0] = env.container_state()["occupancy"]
        busy_past = self.history.sum(axis=0) * self.slot_s
        rnd = build_round(env, m, task_ids, committed, self.horizon_s, busy_past)
        self.last_round, self.last_decision, self.last_messages = rnd, None, MessageLog()
        station = np.asarray(env.cluster_of())[rows]
        here = station >= 0
        if rnd.problem is not None:
            decision, prices = self.solve(rnd.problem)
            off = decision >= 0
            out[rnd.sat[off], rnd.slot[off]] = OFFLOAD
            if off.any():
                env.reserve_containers(rnd.task_id[off], decision[off])
                self.book = tuple(np.concatenate([b, x]) for b, x in zip(
                    self.book, (decision[off], rnd.edge_exec_s[off], now + rnd.upload_s[off])))
            if prices is not None:
                self.prices = prices
            self.last_decision = decision
            self.last_messages = self.messages(env, rnd, decision, here)
            env.record_messages(self.last_messages)
        # every satellite connected to a cluster receives its prices (broadcast with the round)
        if self.prices is not None and here.any():
            kappa = self.prices.load_price(self.container_station, self.n_stations)
            self.seen_lam[rows[here]] = self.prices.lam[station[here]]
            self.seen_kappa[rows[here]] = kappa[station[here]]
        alone = ~here
        if alone.any():
            out[alone] = decide_alone(env, m[alone], K, self.seen_lam[rows[alone]], self.seen_kappa[rows[alone]],
                                      self.rho, self.horizon_s, self.per_station)
        return dict(zip(agents, out))


class LEOEdgeSearchPolicy(RoundPolicy):
    """The centralised LEOEdge search each step (module docstring), warm-started: the price loop of
    Algs. 1-3 and a search over the whole value matrix at one node. Not the paper's algorithm (that
    is ``leoedge``, :class:`~baselines.policies.distributed.LEOEdgePolicy`)."""

    name = "leoedge-search"

    def __init__(self, horizon_s: float | None = None, rho: float = 0.05, **schedule_kwargs: Any) -> None:
        super().__init__(horizon_s, rho)
        self.schedule_kwargs = schedule_kwargs
        self.last_result = None

    def solve(self, problem: OffloadProblem):
        warm = self.prices if self.prices is not None and self.prices.nu.shape == (problem.n_containers,) else None
        r = leoedge_schedule(problem, warm_start=warm, rho=self.rho, **self.schedule_kwargs)
        self.last_result = r
        return r.decision, r.prices

    def messages(self, env: Any, rnd: RoundInputs, decision: np.ndarray, connected: np.ndarray) -> MessageLog:
        """A centralised round on the wire (module docstring, step 4)."""
        log = MessageLog()
        bus = MessageBus(np.random.default_rng(0), log)
        p = rnd.problem
        sats, per_sat = np.unique(rnd.sat, return_counts=True)
        n_sat = np.zeros(connected.size, np.int64)
        n_sat[sats] = per_sat
        reliable = np.zeros(int(connected.sum()))
        bus.space("satellite_lbs", 0.0, HEADER_B + TASK_B * per_sat, np.zeros(sats.size), np.zeros(sats.size))
        per_cluster = np.bincount(p.station, minlength=p.n_stations)
        cont_cluster, cont_server = p.container_station, p.container_server
        srv_cluster = p.server_station
        srv_live = per_cluster[srv_cluster] > 0
        cont_live = per_cluster[cont_cluster] > 0
        per_srv_cont = np.bincount(cont_server, minlength=srv_cluster.size)
        bus.lan("lbs_server", 0.0, HEADER_B + TASK_B * per_cluster[srv_cluster[srv_live]])          # descriptors down
        bus.lan("server_container", 0.0, HEADER_B + TASK_B * per_cluster[cont_cluster[cont_live]])
        bus.lan("server_container", 0.0, HEADER_B + VALUE_B * per_cluster[cont_cluster[cont_live]])  # values up
        bus.lan("lbs_server", 0.0, HEADER_B + VALUE_B * (per_cluster[srv_cluster] * per_srv_cont)[srv_live])
        placed = decision[decision >= 0]
        if placed.size:                                                                         # placements down
            per_srv = np.bincount(cont_server[placed], minlength=srv_cluster.size)
            per_cont = np.bincount(placed, minlength=cont_cluster.size)
            bus.lan("lbs_server", 0.0, HEADER_B + ID_B * per_srv[per_srv > 0])
            bus.lan("server_container", 0.0, HEADER_B + ID_B * per_cont[per_cont > 0])
        bus.space("satellite_lbs", 0.0, HEADER_B + 2 * VALUE_B + ID_B * n_sat[connected], reliable, reliable)
        return log


class OraclePolicy(RoundPolicy):
    """The same rounds solved exactly by HiGHS (``solve_milp``); small instances only.

    Raises ``ValueError`` at ``reset`` when a round could exceed ``max_binaries`` (satellites x K x
    containers per station), ``MilpTooLargeError`` if a round still does. No messages are
    recorded: the oracle is a centralised reference, not a protocol.
    """

    name = "oracle"

    def __init__(self, horizon_s: float | None = None, time_limit_s: float = 10.0,
                 max_binaries: int = 20_000) -> None:
        super().__init__(horizon_s)
        self.time_limit_s, self.max_binaries = time_limit_s, max_binaries

    def reset(self, env: Any, seed: int | None = None) -> None:
        super().reset(env, seed)
        worst = len(env.possible_agents) * env.sim.K * self.per_station
        if worst > self.max_binaries:
            raise ValueError(
                f"oracle: rounds of up to {worst} binaries exceed max_binaries={self.max_binaries}; "
                "the MILP oracle is for small scenarios (e.g. leoedge), use 'leoedge' at this scale")

    def solve(self, problem: OffloadProblem):
        r = solve_milp(problem, time_limit_s=self.time_limit_s, max_binaries=self.max_binaries)
        return r.decision, None


__all__ += ["MilpTooLargeError"]
