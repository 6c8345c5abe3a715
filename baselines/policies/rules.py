"""Rule baselines of LEOEdge Sec. IX: threshold, workload, local-only, offload-all, random.

All decide from the observation matrix (vectorised over satellites and slots); out of reach of
every station an offload becomes local (see :class:`~baselines.policies.base.ObservationPolicy`).

* **threshold** (Sec. IX-C: "offloads all AI inference computations with an *estimated
  execution time* higher than a given threshold"). ``threshold`` (``per="task"``, default)
  offloads a task whose estimated on-board execution time ``work_units x c(m_i)`` exceeds
  ``threshold_s``. The estimate is the task's own execution (what the satellite knows from its
  model's profile before running it), not its queue: the scheme is static, which is the paper's
  point ("scheduling based on a fixed threshold struggles to adapt"). ``threshold_s = 2`` s is
  the execution time of the average paper-regime task (55 units) on the slowest catalogue
  processor (Snapdragon 695, 37.5 ms per inference): a task even the slowest satellite runs in
  about the average time stays on board. ``threshold_unit`` is the literal per-inference reading
  (``per="unit"``): ``c(m_i) > 20 ms``; every catalogue processor is slower than 20 ms per
  MobileNetV3 inference (22-38 ms), so it offloads every reachable task (= ``offload``).
* **workload**: offload while the station's mean container CPU occupancy, as last received
  (``ground_load_seen``), is below ``load_threshold`` (50 %).
* **local**: never offload (the "no edge" reference of Fig. 8). **offload**: always offload.
* **earliest_finish**: offload where the estimated edge completion beats the on-board one.
* **random**: offload with probability ``p_offload`` from the policy's own seeded RNG (never
  the env's, so task streams stay identical across policies).

>>> import numpy as np
>>> from satgym.leoedge.observation import SAT_FIELDS, SLOT_FIELDS
>>> m = np.zeros((1, len(SAT_FIELDS) + 2 * len(SLOT_FIELDS)), dtype=np.float32)
>>> m[0, 2], m[0, 6] = 0.03, 1.0                       # c(m_i) = 30 ms, in contact
>>> m[0, len(SAT_FIELDS) + 2] = 80                     # slot 0: 80 units = 2.4 s on board
>>> m[0, len(SAT_FIELDS) + len(SLOT_FIELDS) + 2] = 20  # slot 1: 20 units = 0.6 s
>>> ThresholdPolicy().decide_gated(m, 2)               # 2.4 s > 2 s: offload; 0.6 s: local
array([[1, 0]])
>>> threshold_unit().decide_gated(m, 2)                 # 30 ms per inference > 20 ms: offload
array([[1, 1]])
"""

from __future__ import annotations

import numpy as np

from baselines.policies.base import HOLD, LOCAL, OFFLOAD, ObservationPolicy
from satgym.leoedge.observation import SAT_FIELDS, SLOT_FIELDS, sat_field, slot_field

__all__ = ["ConstantPolicy", "EarliestFinishPolicy", "RandomPolicy", "ThresholdPolicy", "WorkloadPolicy", "hold",
           "local", "offload", "slot_matrix", "threshold_unit"]

_SLOT = {name: j for j, (name, *_rest) in enumerate(SLOT_FIELDS)}


def slot_matrix(m: np.ndarray, K: int, name: str) -> np.ndarray:
    """``(n, K)`` values of slot field ``name`` for every satellite and slot."""
    slots = m[:, len(SAT_FIELDS):len(SAT_FIELDS) + K * len(SLOT_FIELDS)]
    return slots.reshape(m.shape[0], K, len(SLOT_FIELDS))[:, :, _SLOT[name]].astype(np.float64)


class ThresholdPolicy(ObservationPolicy):
    """Offload a task whose estimated local execution time exceeds the threshold (module docstring).

    >>> ThresholdPolicy(per="unit", threshold_s=0.02).per
    'unit'
    """

    name = "threshold"

    def __init__(self, threshold_s: float = 2.0, per: str = "task", gate_reach: bool = True) -> None:
        if per not in ("unit", "task"):
            raise ValueError(f"per: {per!r} is not valid; choose one of unit, task")
        if not threshold_s >= 0:
            raise ValueError(f"threshold_s: must be >= 0, got {threshold_s}")
        super().__init__(gate_reach)
        self.threshold_s, self.per = float(threshold_s), per

    def decide(self, m: np.ndarray, K: int) -> np.ndarray:
        c_local = sat_field(m, "exec_s_per_unit").astype(np.float64)[:, None]
        work = slot_matrix(m, K, "work_units")
        estimate = c_local * (work if self.per == "task" else np.ones_like(work))
        return np.where(estimate > self.threshold_s, OFFLOAD, LOCAL)


class WorkloadPolicy(ObservationPolicy):
    """Offload while the last received mean container occupancy is below ``load_threshold``.

    >>> from satgym.leoedge.observation import SAT_FIELDS
    >>> m = np.zeros((2, len(SAT_FIELDS) + 5)); m[:, 6] = 1; m[:, 17] = [0.3, 0.7]
    >>> WorkloadPolicy().decide_gated(m, 1)
    array([[1],
           [0]])
    """

    name = "workload"

    def __init__(self, load_threshold: float = 0.5, gate_reach: bool = True) -> None:
        super().__init__(gate_reach)
        self.load_threshold = float(load_threshold)

    def decide(self, m: np.ndarray, K: int) -> np.ndarray:
        low = sat_field(m, "ground_load_seen") < self.load_threshold
        return np.repeat(np.where(low, OFFLOAD, LOCAL)[:, None], K, axis=1)


class ConstantPolicy(ObservationPolicy):
    """The same action for every task: ``local`` (0), ``offload`` (1) or ``hold`` (2)."""

    def __init__(self, action: int, name: str, gate_reach: bool = True) -> None:
        if action not in (LOCAL, OFFLOAD, HOLD):
            raise ValueError(f"action: must be 0, 1 or 2, got {action}")
        super().__init__(gate_reach)
        self.action, self.name = action, name

    def decide(self, m: np.ndarray, K: int) -> np.ndarray:
        return np.full((m.shape[0], K), self.action, dtype=np.int64)


class RandomPolicy(ObservationPolicy):
    """Offload with probability ``p_offload`` (own RNG, seeded by ``reset(env, seed)``).

    >>> p = RandomPolicy(); p.reset(None, seed=3); a = p.decide(np.zeros((4, 1)), 2)
    >>> p.reset(None, seed=3); bool((p.decide(np.zeros((4, 1)), 2) == a).all())
    True
    """

    name = "random"

    def __init__(self, p_offload: float = 0.5, gate_reach: bool = True) -> None:
        if not 0.0 <= p_offload <= 1.0:
            raise ValueError(f"p_offload: must be in [0, 1], got {p_offload}")
        super().__init__(gate_reach)
        self.p_offload = float(p_offload)

    def decide(self, m: np.ndarray, K: int) -> np.ndarray:
        return (self.rng.random((m.shape[0], K)) < self.p_offload).astype(np.int64)


def threshold_unit(threshold_s: float = 0.02, gate_reach: bool = True) -> ThresholdPolicy:
    """The literal per-inference reading: offload where ``c(m_i)`` exceeds 20 ms."""
    policy = ThresholdPolicy(threshold_s, per="unit", gate_reach=gate_reach)
    policy.name = "threshold_unit"
    return policy


def local(gate_reach: bool = True) -> ConstantPolicy:
    """Never offload (the "no edge" reference of Fig. 8)."""
    return ConstantPolicy(LOCAL, "local", gate_reach)


def offload(gate_reach: bool = True) -> ConstantPolicy:
    """Offload every task that can reach the edge."""
    return ConstantPolicy(OFFLOAD, "offload", gate_reach)


def hold(gate_reach: bool = True) -> ConstantPolicy:
    """Hold every task (until it expires): a test of the env's expiry."""
    return ConstantPolicy(HOLD, "hold", gate_reach)


class EarliestFinishPolicy(ObservationPolicy):
    """Offload a task when the estimated edge completion (link backlog + transfer + path delay +
    edge execution) beats the on-board queue + execution, slot by slot (each decision updates the
    queue the next one sees). The demo's default.

    >>> m = np.zeros((1, len(SAT_FIELDS) + len(SLOT_FIELDS)), dtype=np.float32)
    >>> m[0, [2, 4, 6, 10]] = 0.03, 0.02, 1.0, 10.0           # c(m_i), c(m_e), in contact, 10 Mbps
    >>> m[0, len(SAT_FIELDS)], m[0, len(SAT_FIELDS) + 2] = 1, 50   # a task of 50 units
    >>> EarliestFinishPolicy().decide_gated(m, 1)              # 1.0 s at the edge vs 1.5 s on board
    array([[1]])
    """

    name = "earliest_finish"

    def decide(self, m: np.ndarray, K: int) -> np.ndarray:
        out = np.zeros((m.shape[0], K), dtype=np.int64)
        local_q = sat_field(m, "proc_backlog_s").astype(np.float64)
        rate = sat_field(m, "ground_rate_mbps").astype(np.float64)
        loss = sat_field(m, "ground_loss").astype(np.float64)
        link_q = sat_field(m, "link_backlog_s").astype(np.float64)
        delay = sat_field(m, "path_delay_s").astype(np.float64)
        for k in range(K):
            present = slot_field(m, k, "present") > 0
            work = slot_field(m, k, "work_units").astype(np.float64)
            local = local_q + work * sat_field(m, "exec_s_per_unit")
            with np.errstate(divide="ignore", invalid="ignore"):
                tx = np.where(rate > 0, slot_field(m, k, "input_mbit") / (rate * (1 - loss)), np.inf)
            edge = link_q + tx + delay + work * sat_field(m, "edge_exec_s_per_unit")
            off = present & (edge < local)
            out[off, k] = OFFLOAD
            local_q = np.where(present & ~off, local, local_q)
            link_q = np.where(off, link_q + tx, link_q)
        return out
