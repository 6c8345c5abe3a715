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
* ``failure``: ``-failure_penalty`` per task failed in the step;
* ``execution_time`` (only with ``execution_time_weight > 0``, so the default components stay the
  paper's): ``-execution_time_weight`` x (the end-to-end times of the tasks whose completion
  became known in the step + ``failure_charge_s`` per task whose failure did + at the episode's
  end the estimated times of the tasks still open) / (T_ref x n_satellites). A task run on board
  is charged at its decision, an offloaded one when its result time is fixed, each to the
  satellite that decided it (:mod:`satgym.leoedge.attribution`); over an episode every task
  generated is charged once. It measures what users measure (the mean execution time, failures
  priced at least at the longest hold) with the credit where the decision was made.

``overload_scope="cluster"`` applies the cap to the cluster's mean occupancy (times its number of
containers, the same scale as the per-container sum when the load is even): one task filling one
container's 1 s window is not an overload of a cluster of 12.

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

COMPONENTS = ("advantage", "latency", "overload", "failure", "execution_time")


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

    def __init__(self, cfg: RewardConfig, n_sats: int, load_cap: float, n_clusters: int = 1,
                 max_hold_s: float = 0.0) -> None:
        if cfg.execution_time_weight > 0 and cfg.failure_charge_s < max_hold_s:
            raise ValueError(f"reward.failure_charge_s: must be >= tasks.max_hold_s ({max_hold_s:g} s, the latency "
                             f"of the longest hold) with reward.execution_time_weight > 0, got {cfg.failure_charge_s:g}")
        self.cfg, self.n_sats, self.load_cap, self.n_clusters = cfg, n_sats, load_cap, n_clusters
        self.op = advantage_operator(cfg.operator).code
        self._adv_sat = np.zeros(n_sats)

    def overload(self, occupancy: np.ndarray) -> float:
        """Eq. 6's excess over the cap P, per container or per cluster (``overload_scope``)."""
        if self.cfg.overload_scope == "cluster":
            per_cluster = occupancy.reshape(self.n_clusters, -1)
            return float((np.maximum(per_cluster.mean(axis=1) - self.load_cap, 0.0) * per_cluster.shape[1]).sum())
        return float(np.maximum(occupancy - self.load_cap, 0.0).sum())  # Eq. 6

    def components(self, out) -> tuple[dict[str, float], dict[str, np.ndarray] | None]:
        """(shared components, per-satellite shares or None when ``local_ratio == 0``)."""
        rc, n = self.cfg, self.n_sats
        adv = _advantage(out.decisions, rc.alpha, rc.time_ref_s, self.op, self._adv_sat)
        shared = {
            "advantage": rc.advantage_weight * adv,
            "latency": -rc.latency_weight * out.e2e_sum_s / (rc.time_ref_s * n),
            "overload": -rc.overload_penalty * self.overload(out.occupancy),
            "failure": -rc.failure_penalty * float(out.failed),
        }
        if rc.execution_time_weight > 0:
            sat_time = out.sat_known_s + rc.failure_charge_s * out.sat_known_failed + out.sat_open_s
            own_time = -rc.execution_time_weight * sat_time / (rc.time_ref_s * n)
            shared["execution_time"] = float(own_time.sum())
        if rc.local_ratio <= 0.0:
            return shared, None
        own = {
            "advantage": rc.advantage_weight * self._adv_sat,
            "latency": -rc.latency_weight * out.sat_e2e_s / (rc.time_ref_s * n),
            "overload": np.full(n, shared["overload"] / n),
            "failure": -rc.failure_penalty * out.sat_failed,
        }
        if rc.execution_time_weight > 0:
            own["execution_time"] = own_time
        return shared, own
