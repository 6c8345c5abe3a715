"""The LEOEdge env's reward: named components, computed in the env layer from what the simulator
reports each step (:class:`~satgym.leoedge.simulator.StepOutcome`), with weights from
``reward`` in the scenario config.

* ``advantage``: ``advantage_weight`` x the sum over the step's offloads of the offloading-advantage
  operator F(alpha * Delta_c / T_ref + (1 - alpha) * Delta_a) (Eqs. 2-4), Delta_c = estimated
  local minus edge completion time at the decision, with the time the task was held charged to the
  offload (our extension: otherwise holding until a contact and then offloading earns an advantage
  for a task that is already late), Delta_a = a_s - a_i;
* ``latency``: ``-latency_weight`` x the execution times of the tasks completed in the step /
  (T_ref x n_satellites);
* ``overload``: ``-overload_penalty`` x sum over containers of max(0, L_o - P) (Eq. 6);
* ``failure``: ``-failure_penalty`` per task failed in the step.

With ``local_ratio = lam > 0`` agent i gets ``(1 - lam) R + lam R_i``, ``R_i`` its own share of
every term (its offloads, its completed and failed tasks, 1/n of the overload), the shares summing
to ``R`` (as MPE's ``local_ratio``).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from satgym.leoedge.advantage import advantage_operator, compiled_advantage
from satgym.leoedge.config import RewardConfig

__all__ = ["COMPONENTS", "RewardModel"]

COMPONENTS = ("advantage", "latency", "overload", "failure")


@njit(cache=True)
def _advantage(decisions, alpha, time_ref_s, op, adv_sat):
    """Sum of F over the step's offloads (rows of ``decisions``), and per satellite in ``adv_sat``."""
    adv_sat[:] = 0.0
    total = 0.0
    for q in range(decisions.shape[0]):
        t_edge = decisions[q, 2] + decisions[q, 3]  # the estimate plus the time the task was held
        arg = alpha * (decisions[q, 1] - t_edge) / time_ref_s + (1.0 - alpha) * decisions[q, 4]  # Eqs. 2-5
        gain = compiled_advantage(arg, op)
        total += gain
        adv_sat[int(decisions[q, 0])] += gain
    return total


class RewardModel:
    """Turns a step's raw quantities into the named reward components (module docstring)."""

    def __init__(self, cfg: RewardConfig, n_sats: int, load_cap: float) -> None:
        self.cfg, self.n_sats, self.load_cap = cfg, n_sats, load_cap
        self.op = advantage_operator(cfg.operator).code
        self._adv_sat = np.zeros(n_sats)

    def components(self, out) -> tuple[dict[str, float], dict[str, np.ndarray] | None]:
        """(shared components, per-satellite shares or None when ``local_ratio == 0``)."""
        rc, n = self.cfg, self.n_sats
        adv = _advantage(out.decisions, rc.alpha, rc.time_ref_s, self.op, self._adv_sat)
        over = np.maximum(out.occupancy - self.load_cap, 0.0)  # Eq. 6
        shared = {
            "advantage": rc.advantage_weight * adv,
            "latency": -rc.latency_weight * out.e2e_sum_s / (rc.time_ref_s * n),
            "overload": -rc.overload_penalty * float(over.sum()),
            "failure": -rc.failure_penalty * float(out.failed),
        }
        if rc.local_ratio <= 0.0:
            return shared, None
        own = {
            "advantage": rc.advantage_weight * self._adv_sat,
            "latency": -rc.latency_weight * out.sat_e2e_s / (rc.time_ref_s * n),
            "overload": np.full(n, shared["overload"] / n),
            "failure": -rc.failure_penalty * out.sat_failed,
        }
        return shared, own
