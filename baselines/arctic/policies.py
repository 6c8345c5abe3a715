"""Policies of the Arctic family (registered by name: :func:`satgym.policies.make_policy`).

* ``arctic_oracle``: the paper's optimisation, problem P2 solved exactly per slot
  (:func:`baselines.arctic.p2.solve_p2`, cvxpy + HiGHS);
* ``arctic_greedy``: highest elevation first (:func:`baselines.arctic.greedy.greedy_allocation`);
* ``arctic_random``: a uniformly random action for every user (own generator, seeded by ``reset``);
* ``arctic_decline``: never offloads (the trivial floor).

Every policy reads the env through its public API (``slot_problem()``, the action space) and
answers ``{agent: action}`` for the agents in ``obs``.

>>> import satgym
>>> from satgym.policies import make_policy
>>> env = satgym.parallel_env("arctic", {"episode": {"steps": 2}})
>>> obs, infos = env.reset(seed=1)
>>> policy = make_policy("arctic_greedy"); policy.reset(env, seed=1)
>>> actions = policy.act(env, obs, infos)
>>> sorted(actions) == sorted(env.agents), all(env.action_space(a).contains(v) for a, v in actions.items())
(True, True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from baselines.arctic.greedy import greedy_allocation
from baselines.arctic.p2 import solve_p2

__all__ = ["DeclinePolicy", "GreedyElevationPolicy", "P2OraclePolicy", "RandomArcticPolicy"]


def _actions(env: Any, obs: dict, rows: np.ndarray, cand: np.ndarray, n_rb: np.ndarray,
             cpu_level: np.ndarray) -> dict[str, np.ndarray]:
    """Decline for everyone, then the given allocations for the tasks' users."""
    decline = env.decline_action
    out = {a: decline.copy() for a in obs}
    users = env.slot_problem().users
    for i, k, n, lvl in zip(rows, cand, n_rb, cpu_level):
        out[env.possible_agents[users[i]]] = np.array([k, n - 1, lvl - 1], dtype=np.int64)
    return out


class P2OraclePolicy:
    """Problem P2 per slot (Eqs. 21-30) over the env's candidates; ``last`` holds the last slot's
    :class:`~baselines.arctic.p2.P2Solution` (objective, status, solve time)."""

    name = "arctic_oracle"

    def __init__(self, time_limit_s: float = 30.0) -> None:
        self.time_limit_s = float(time_limit_s)
        self.last = None

    def reset(self, env: Any, seed: int | None = None) -> None:
        self.last = None

    def act(self, env: Any, obs: dict, infos: dict) -> dict[str, np.ndarray]:
        sol = solve_p2(env.slot_problem(), env.sim.rb_levels, self.time_limit_s)
        self.last = sol
        return _actions(env, obs, sol.rows, sol.cand, sol.n_rb, sol.cpu_level)


class GreedyElevationPolicy:
    """Each task in turn takes the highest-elevation satellite it can complete on, with the least
    resources that meet its deadline."""

    name = "arctic_greedy"

    def reset(self, env: Any, seed: int | None = None) -> None:
        pass

    def act(self, env: Any, obs: dict, infos: dict) -> dict[str, np.ndarray]:
        rows, cand, n_rb, lvl = greedy_allocation(env.slot_problem(), env.sim.rb_levels)
        return _actions(env, obs, rows, cand, n_rb, lvl)


class RandomArcticPolicy:
    """A uniformly random action for every agent."""

    name = "arctic_random"

    def __init__(self) -> None:
        self.rng = np.random.default_rng()

    def reset(self, env: Any, seed: int | None = None) -> None:
        self.rng = np.random.default_rng(seed)

    def act(self, env: Any, obs: dict, infos: dict) -> dict[str, np.ndarray]:
        return {a: self.rng.integers(0, env.action_space(a).nvec) for a in obs}


class DeclinePolicy:
    """Never offloads."""

    name = "arctic_decline"

    def reset(self, env: Any, seed: int | None = None) -> None:
        pass

    def act(self, env: Any, obs: dict, infos: dict) -> dict[str, np.ndarray]:
        return {a: env.decline_action for a in obs}
