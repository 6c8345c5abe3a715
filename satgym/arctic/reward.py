"""The Arctic env's reward: Eq. 19 of the slot's decisions as named components, with the weights of
``reward`` in the scenario config.

* ``admitted``: the number of tasks admitted this slot that meet every constraint of Sec. III
  (Eqs. 15-18), i.e. the paper's admitted tasks;
* ``energy``: ``-alpha_1`` x the sum over them of (rho^tr + rho^comp) / rho^max (Eqs. 10, 12);
  rho^max_u is the largest energy any candidate of the task could cost (full CPU share on the
  computing satellite, the candidate's per-block rate), so each term is at most 1;
* ``delay``: ``-alpha_2`` x the sum over them of their delay / tau^max (Eqs. 9-15);
* ``failure``: ``-failure_penalty`` per request refused for lack of resources or admitted but
  violating a constraint (0 by default: Eq. 19 counts only feasible admissions).

With ``failure_penalty = 0`` the slot's reward is Eq. 19's objective of the slot's decisions, so
the episode return is the sum of the per-slot objectives the oracle maximises. Every agent gets the
shared reward (the system objective); ``infos[agent]["own_rewards"]`` holds the terms of its own task.
"""

from __future__ import annotations

import numpy as np

from satgym.arctic.config import RewardConfig

__all__ = ["COMPONENTS", "RewardModel"]

COMPONENTS = ("admitted", "energy", "delay", "failure")


class RewardModel:
    def __init__(self, cfg: RewardConfig) -> None:
        self.cfg = cfg

    def components(self, out) -> dict[str, float]:
        """Shared components of a :class:`~satgym.arctic.simulator.StepOutcome`."""
        c = self.cfg
        return {
            "admitted": float(out.admitted_feasible),  # Eq. 19, first term
            "energy": -c.alpha_energy * out.energy_norm,  # Eq. 19, second term
            "delay": -c.alpha_delay * out.delay_norm,  # Eq. 19, third term
            "failure": -c.failure_penalty * float(out.refused + out.admitted_failing),
        }

    def own(self, out) -> dict[str, np.ndarray]:
        """The same terms restricted to each agent's own task, ``(n_users,)`` each."""
        c = self.cfg
        return {
            "admitted": out.agent_feasible,
            "energy": -c.alpha_energy * out.agent_energy_norm,
            "delay": -c.alpha_delay * out.agent_delay_norm,
            "failure": -c.failure_penalty * out.agent_failing,
        }
