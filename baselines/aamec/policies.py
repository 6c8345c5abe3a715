"""AA-MEC policies, registered as entry points of ``satgym.policies`` (``pyproject.toml``;
``satgym.policies.make_policy("aamec_dynamic")`` ...).

==========================  ===================================================================
``aamec_dynamic``           the paper's dynamic approach: every snapshot, destinations, paths and
                            the gateway matching from the MILP of Eqs. 20-26
                            (:func:`~baselines.aamec.offloading_milp.solve_offloading`)
``aamec_static``            the paper's static approach: a satellite's destination is the MILP's
                            choice at its first offloading snapshot (the first snapshot for most)
                            and then kept; paths and matching re-optimised every snapshot
``aamec_terrestrial``       the dynamic MILP restricted to the gateway MEC servers (what a MEC
                            ratio of 0 allows, on the same scenario)
``aamec_nearest_gateway``   each satellite's cheapest gateway (its flow alone); environment routing
``aamec_cheapest``          each satellite's cheapest MEC (action 1); environment routing
``aamec_random``            a uniformly random present candidate
``aamec_none``              never offload (action 0)
==========================  ===================================================================

The MILP policies act through the env's documented hooks: :meth:`~satgym.aamec.env.AAMECEnv.snapshot`
and :meth:`~satgym.aamec.env.AAMECEnv.set_plan` (their destinations and routes replace the
actions; the returned actions are the matching candidate slots, 0 where the destination is not
among them). ``last_solve`` keeps the solver facts of the last step.

>>> import satgym
>>> from satgym.policies import make_policy
>>> env = satgym.parallel_env("aamec", {"episode": {"steps": 2}})
>>> obs, infos = env.reset(seed=0)
>>> policy = make_policy("aamec_dynamic"); policy.reset(env, seed=0)
>>> while env.agents:
...     obs, rewards, terms, truncs, infos = env.step(policy.act(env, obs, infos))
>>> env.episode_metrics()["failed_by_reason"]["no_route"], policy.last_solve.status
(0, 'optimal')
"""

from __future__ import annotations

from typing import Any

import numpy as np

from baselines.aamec.offloading_milp import OffloadingSolution, solve_offloading

__all__ = ["CheapestPolicy", "ConstantSlotPolicy", "DynamicOraclePolicy", "NearestGatewayPolicy",
           "RandomSlotPolicy", "StaticOraclePolicy", "no_offload", "terrestrial"]


def _slot_actions(env: Any, destinations: np.ndarray) -> dict[str, np.ndarray]:
    """Candidate slot (1..K) of each planned destination, 0 if it is not a candidate or none."""
    v = env.snapshot()
    nodes = np.where(v.candidates.ranked >= 0, v.mec_nodes[np.maximum(v.candidates.ranked, 0)], -2)
    hit = nodes == np.asarray(destinations)[:, None]
    act = np.where(hit.any(axis=1), hit.argmax(axis=1) + 1, 0)
    return {a: np.int64(act[i]) for i, a in enumerate(env.possible_agents) if a in env.agents}


class ConstantSlotPolicy:
    """Every satellite takes the same action (``aamec_none``: 0, ``aamec_cheapest``: 1)."""

    def __init__(self, action: int, name: str) -> None:
        self.action, self.name = int(action), name

    def reset(self, env: Any = None, seed: int | None = None) -> None:
        pass

    def act(self, env: Any, obs: dict, infos: dict) -> dict[str, np.int64]:
        return {a: np.int64(self.action) for a in obs}


class CheapestPolicy(ConstantSlotPolicy):
    def __init__(self) -> None:
        super().__init__(1, "aamec_cheapest")


class RandomSlotPolicy:
    """A uniformly random present candidate (no offload if none)."""

    name = "aamec_random"

    def __init__(self) -> None:
        self.rng = np.random.default_rng()

    def reset(self, env: Any = None, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)

    def act(self, env: Any, obs: dict, infos: dict) -> dict[str, np.int64]:
        out = {}
        for a in obs:
            present = np.flatnonzero(np.asarray(infos[a]["destinations"]) >= 0)
            out[a] = np.int64(self.rng.choice(present) + 1 if present.size else 0)
        return out


class NearestGatewayPolicy:
    """The cheapest gateway for each satellite's flow alone; the env routes and matches."""

    name = "aamec_nearest_gateway"

    def reset(self, env: Any = None, seed: int | None = None) -> None:
        pass

    def act(self, env: Any, obs: dict, infos: dict) -> dict[str, np.int64]:
        v = env.snapshot()
        G = v.topology.n_gateways
        cost = v.candidates.cost_s[:, :G]
        best = np.argmin(cost, axis=1)
        ok = np.isfinite(cost[np.arange(cost.shape[0]), best])
        dest = np.where(ok, v.mec_nodes[best], -1)
        env.set_plan(destinations=dest)
        return _slot_actions(env, dest)


class DynamicOraclePolicy:
    """The MILP of Eqs. 20-26 every snapshot (``gateways_only``: only the gateway MEC servers)."""

    name = "aamec_dynamic"

    def __init__(self, top_destinations: int = 12, k_paths: int = 2, gateways_only: bool = False,
                 time_limit_s: float = 60.0) -> None:
        self.top, self.k_paths, self.gateways_only, self.time_limit_s = top_destinations, k_paths, gateways_only, time_limit_s
        self.last_solve: OffloadingSolution | None = None
        if gateways_only:
            self.name = "aamec_terrestrial"

    def reset(self, env: Any = None, seed: int | None = None) -> None:
        self.last_solve = None

    def _fixed(self, env: Any) -> dict[int, int] | None:
        return None

    def act(self, env: Any, obs: dict, infos: dict) -> dict[str, np.int64]:
        v = env.snapshot()
        mec_filter = np.arange(v.mec_nodes.size) < v.topology.n_gateways if self.gateways_only else None
        sol = solve_offloading(v, top_destinations=self.top, k_paths=self.k_paths, fixed_destinations=self._fixed(env),
                               mec_filter=mec_filter, time_limit_s=self.time_limit_s)
        self.last_solve = sol
        self._solved(env, sol)
        env.set_plan(destinations=sol.destinations, routes=sol.routes, feeders=sol.feeders)
        return _slot_actions(env, sol.destinations)

    def _solved(self, env: Any, sol: OffloadingSolution) -> None:
        pass


class StaticOraclePolicy(DynamicOraclePolicy):
    """The static approach: destinations fixed after a satellite's first offloading snapshot."""

    name = "aamec_static"

    def reset(self, env: Any = None, seed: int | None = None) -> None:
        super().reset(env, seed)
        self.fixed: dict[int, int] = {}

    def _fixed(self, env: Any) -> dict[int, int]:
        return self.fixed

    def _solved(self, env: Any, sol: OffloadingSolution) -> None:
        mec = env.snapshot().mec_nodes
        for s in np.flatnonzero(sol.destinations >= 0):
            self.fixed.setdefault(int(s), int(np.searchsorted(mec, sol.destinations[s])))


def terrestrial(**kwargs: Any) -> DynamicOraclePolicy:
    """``aamec_terrestrial``: the dynamic MILP on the gateway MEC servers only."""
    return DynamicOraclePolicy(gateways_only=True, **kwargs)


def no_offload() -> ConstantSlotPolicy:
    """``aamec_none``: never offload."""
    return ConstantSlotPolicy(0, "aamec_none")
