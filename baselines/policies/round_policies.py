"""Policies that solve one scheduling round per step: LEOEdge (dual scheduler) and the MILP oracle.

Each step (see :mod:`baselines.policies.env_problem` for how the round is built):

1. the satellites in direct contact put their pending tasks into one :class:`~baselines.OffloadProblem`
   (advantage ``z`` per task and container, load increment ``u``, current loads, cap ``P``);
2. the round is solved: :func:`~baselines.leoedge_schedule` warm-started with the last round's
   prices (``leoedge``), or :func:`~baselines.solve_milp` (``oracle``, small instances only);
3. tasks given a container are offloaded (action 1) and the container is reserved through
   ``env.reserve_containers`` (the LBS places them there on arrival); the others run locally;
4. ``leoedge`` records the scheduler's messages per layer pair via ``env.record_messages``;
5. satellites out of direct contact decide on their own from the last prices they received
   (:func:`~baselines.stale_price_decision`: ``lambda`` of their station and the cheapest container
   price ``kappa``; zero prices for the oracle). They offload only if a relay is in contact (the
   env's planner then routes it, Alg. 4), else run locally: never hold, the next contact is
   minutes away and a held task only waits (and expires after ``tasks.max_hold_s``).

>>> import satgym
>>> env = satgym.parallel_env("leoedge", {"episode": {"steps": 3}}, load="heavy")
>>> obs, infos = env.reset(seed=0)
>>> policy = LEOEdgePolicy(); policy.reset(env, seed=0)
>>> sorted(policy.act(env, obs, infos)) == sorted(env.agents)
True
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from satgym.leoedge.advantage import advantage_operator
from baselines.leoedge import DualPrices, leoedge_schedule, stale_price_decision
from baselines.milp_oracle import MilpTooLargeError, solve_milp
from baselines.offloading_problem import OffloadProblem
from baselines.policies.base import LOCAL, OFFLOAD, obs_matrix, reachable
from baselines.policies.env_problem import RoundInputs, build_round, default_horizon_s, stale_advantage

__all__ = ["LEOEdgePolicy", "OraclePolicy", "RoundPolicy"]


class RoundPolicy(ABC):
    """Shared step logic; subclasses implement :meth:`solve`."""

    name = "round"

    def __init__(self, horizon_s: float | None = None, rho: float = 0.05) -> None:
        if horizon_s is not None and not horizon_s > 0:
            raise ValueError(f"horizon_s: must be > 0, got {horizon_s}")
        self.horizon_s_arg, self.rho = horizon_s, rho
        self.last_round: RoundInputs | None = None
        self.last_decision: np.ndarray | None = None
        self.last_messages: dict[str, int] = {}

    @abstractmethod
    def solve(self, problem: OffloadProblem) -> tuple[np.ndarray, dict[str, int], DualPrices | None]:
        """(decision (K,), messages per layer pair, prices or None)."""

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
        self.last_round, self.last_decision, self.last_messages = None, None, {}

    def _committed(self, now: float, n_containers: int) -> np.ndarray:
        cont, work, arrive = self.book
        keep = arrive > now
        self.book = (cont[keep], work[keep], arrive[keep])
        return np.bincount(cont[keep], weights=work[keep], minlength=n_containers)

    def act(self, env: Any, obs: dict[str, np.ndarray], infos: dict[str, dict]) -> dict[str, np.ndarray]:
        if not obs:
            return {}
        agents = list(obs)
        rows = np.array([env.possible_agents.index(a) for a in agents])
        m = obs_matrix(obs)
        K = env.sim.K
        now = self.steps * self.slot_s
        self.steps += 1
        task_ids = np.stack([np.asarray(infos[a]["task_ids"]) for a in agents]) if infos else np.full((len(agents), K), -1)
        out = np.full((len(agents), K), LOCAL, dtype=np.int64)
        committed = self._committed(now, self.container_station.size)
        self.history = np.roll(self.history, 1, axis=0)
        self.history[0] = env.container_state()["occupancy"]
        busy_past = self.history.sum(axis=0) * self.slot_s
        rnd = build_round(env, m, task_ids, committed, self.horizon_s, busy_past)
        self.last_round, self.last_decision, self.last_messages = rnd, None, {}
        in_round = np.zeros(len(agents), dtype=bool)
        if rnd.problem is not None:
            decision, messages, prices = self.solve(rnd.problem)
            off = decision >= 0
            out[rnd.sat[off], rnd.slot[off]] = OFFLOAD
            if off.any():
                env.reserve_containers(rnd.task_id[off], decision[off])
                self.book = tuple(np.concatenate([b, x]) for b, x in zip(
                    self.book, (decision[off], rnd.edge_exec_s[off], now + rnd.upload_s[off])))
            for pair, count in messages.items():
                if count:
                    env.record_messages(pair, count)
            if prices is not None:
                self.prices = prices
            self.last_decision, self.last_messages = decision, messages
        # every satellite connected to a cluster receives its prices (broadcast with the round)
        station = np.asarray(env.cluster_of())[rows]
        here = station >= 0
        in_round[here] = True
        if self.prices is not None and here.any():
            kappa = self.prices.load_price(self.container_station, self.n_stations)
            self.seen_lam[rows[here]] = self.prices.lam[station[here]]
            self.seen_kappa[rows[here]] = kappa[station[here]]
        self._stale(env, m, K, rows, ~in_round, out)
        return dict(zip(agents, out))

    def _stale(self, env: Any, m: np.ndarray, K: int, rows: np.ndarray, alone: np.ndarray,
               out: np.ndarray) -> None:
        """Satellites out of direct contact: Eq. 22 on the last received prices; relay or local."""
        go = alone & reachable(m)
        if not go.any():
            return
        z, edge_exec, present = stale_advantage(env, m[go], K)
        F = advantage_operator(env.config.reward.operator).value(z)
        u = edge_exec / (2.0 * self.horizon_s)  # as in build_round's windowed load
        rho = self.rho * max(float(F.max(initial=0.0)), 1e-12)
        lam = np.repeat(self.seen_lam[rows[go]], K)
        kappa = np.repeat(self.seen_kappa[rows[go]], K)
        # Eq. 22 per task, with its satellite's last lambda and kappa (elementwise)
        offload = stale_price_decision(F.ravel(), u.ravel(), self.per_station, lam, kappa, rho)
        out[go] = np.where(offload.reshape(-1, K) & present, OFFLOAD, LOCAL)


class LEOEdgePolicy(RoundPolicy):
    """LEOEdge's three-layer dual scheduler each step (module docstring), warm-started."""

    name = "leoedge"

    def __init__(self, horizon_s: float | None = None, rho: float = 0.05, **schedule_kwargs: Any) -> None:
        super().__init__(horizon_s, rho)
        self.schedule_kwargs = schedule_kwargs
        self.last_result = None

    def solve(self, problem: OffloadProblem):
        warm = self.prices if self.prices is not None and self.prices.nu.shape == (problem.n_containers,) else None
        r = leoedge_schedule(problem, warm_start=warm, rho=self.rho, **self.schedule_kwargs)
        self.last_result = r
        return r.decision, dict(r.messages), r.prices


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
        return r.decision, {}, None


__all__ += ["MilpTooLargeError"]
