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

from satgym.core.jit import np_sum
from satgym.leoedge.advantage import advantage_operator, compiled_advantage
from satgym.leoedge.config import RewardConfig

__all__ = ["COMPONENTS", "RewardModel"]

COMPONENTS = ("advantage", "latency", "overload", "failure", "execution_time")


@njit(cache=True, error_model="numpy")
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


@njit(cache=True, error_model="numpy")
def reward_terms(decisions, e2e_sum_s, sat_e2e_s, failed, sat_failed, occupancy, charged, params, adv_sat, shared,
                 own):
    """The components (order :data:`COMPONENTS`; ``execution_time`` only when ``shared`` has a fifth
    entry) into ``shared`` and, when ``own`` has a row per satellite, each satellite's share into
    ``own`` ``(n, len(shared))``. ``charged`` = the attribution's per-satellite (known times, known
    failures, open estimates) (:class:`~satgym.leoedge.simulator.StepOutcome`); ``params`` =
    (alpha, T_ref, operator code, advantage weight, latency weight, overload penalty, failure
    penalty, load cap, execution-time weight, failure charge s, cluster overload scope (0/1),
    number of clusters)."""
    alpha, time_ref_s, op, w_adv, w_lat, w_over, w_fail, cap, w_exec, failure_charge_s, by_cluster, n_clusters = params
    n = len(sat_e2e_s)
    adv = _advantage(decisions, alpha, time_ref_s, op, adv_sat)
    if by_cluster:  # the cap on each cluster's mean occupancy, times its containers
        per = len(occupancy) // n_clusters
        over = np.empty(n_clusters)
        for c in range(n_clusters):
            over[c] = max(np_sum(occupancy, c * per, per) / per - cap, 0.0) * per
    else:
        over = np.empty(len(occupancy))
        for c in range(len(occupancy)):
            over[c] = max(occupancy[c] - cap, 0.0)  # Eq. 6
    shared[0] = w_adv * adv
    shared[1] = -w_lat * e2e_sum_s / (time_ref_s * n)
    shared[2] = -w_over * np_sum(over)
    shared[3] = -w_fail * float(failed)
    with_time = len(shared) > 4
    if with_time:
        known_s, known_failed, open_s = charged
        own_time = np.empty(n)
        for i in range(n):
            own_time[i] = -w_exec * (known_s[i] + failure_charge_s * known_failed[i] + open_s[i]) / (time_ref_s * n)
        shared[4] = np_sum(own_time)
    if own.shape[0] == n:
        for i in range(n):
            own[i, 0] = w_adv * adv_sat[i]
            own[i, 1] = -w_lat * sat_e2e_s[i] / (time_ref_s * n)
            own[i, 2] = shared[2] / n
            own[i, 3] = -w_fail * sat_failed[i]
            if with_time:
                own[i, 4] = own_time[i]


@njit(cache=True, error_model="numpy")
def mix(shared, own, lam, rewards, parts):
    """Per-agent rewards ``(1 - lam) R + lam R_i`` (``lam = 0``: every agent gets R); ``parts``
    ``(n, 4)`` receives the mixed components when ``lam > 0``."""
    if lam <= 0.0:
        total = 0.0
        for j in range(len(shared)):
            total += shared[j]
        rewards[:] = total
        return
    for i in range(len(rewards)):
        total = 0.0
        for j in range(len(shared)):
            parts[i, j] = (1.0 - lam) * shared[j] + lam * own[i, j]
            total += parts[i, j]
        rewards[i] = total


class RewardModel:
    """Turns a step's raw quantities into the named reward components (module docstring)."""

    def __init__(self, cfg: RewardConfig, n_sats: int, load_cap: float, n_clusters: int = 1,
                 max_hold_s: float = 0.0) -> None:
        if cfg.execution_time_weight > 0 and cfg.failure_charge_s < max_hold_s:
            raise ValueError(f"reward.failure_charge_s: must be >= tasks.max_hold_s ({max_hold_s:g} s, the latency "
                             f"of the longest hold) with reward.execution_time_weight > 0, got {cfg.failure_charge_s:g}")
        self.cfg, self.n_sats, self.load_cap, self.n_clusters = cfg, n_sats, load_cap, n_clusters
        self.op = advantage_operator(cfg.operator).code
        self.params = (float(cfg.alpha), float(cfg.time_ref_s), self.op, float(cfg.advantage_weight),
                       float(cfg.latency_weight), float(cfg.overload_penalty), float(cfg.failure_penalty),
                       float(load_cap), float(cfg.execution_time_weight), float(cfg.failure_charge_s),
                       cfg.overload_scope == "cluster", int(n_clusters))
        #: the components this config reports (``execution_time`` only when its weight is positive)
        self.names = COMPONENTS if cfg.execution_time_weight > 0 else COMPONENTS[:4]
        self._adv_sat = np.zeros(n_sats)
        self._shared = np.zeros(len(self.names))
        self._own = np.zeros((n_sats if cfg.local_ratio > 0.0 else 0, len(self.names)))

    def overload(self, occupancy: np.ndarray) -> float:
        """Eq. 6's excess over the cap P, per container or per cluster (``overload_scope``)."""
        if self.cfg.overload_scope == "cluster":
            per_cluster = occupancy.reshape(self.n_clusters, -1)
            return float((np.maximum(per_cluster.mean(axis=1) - self.load_cap, 0.0) * per_cluster.shape[1]).sum())
        return float(np.maximum(occupancy - self.load_cap, 0.0).sum())  # Eq. 6

    def components(self, out) -> tuple[dict[str, float], dict[str, np.ndarray] | None]:
        """(shared components, per-satellite shares or None when ``local_ratio == 0``)."""
        reward_terms(out.decisions, out.e2e_sum_s, out.sat_e2e_s, out.failed, out.sat_failed, out.occupancy,
                     (out.sat_known_s, out.sat_known_failed, out.sat_open_s), self.params, self._adv_sat,
                     self._shared, self._own)
        shared = dict(zip(self.names, self._shared.tolist()))
        if self.cfg.local_ratio <= 0.0:
            return shared, None
        return shared, {name: self._own[:, j].copy() for j, name in enumerate(self.names)}
