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
* **random**: offload with probability ``p_offload`` from the policy's own seeded RNG (never
  the env's, so task streams stay identical across policies).

>>> import numpy as np
>>> from satgym.envs.observation import SAT_FIELDS, SLOT_FIELDS
>>> m = np.zeros((1, len(SAT_FIELDS) + 2 * len(SLOT_FIELDS)), dtype=np.float32)
>>> m[0, 2], m[0, 6] = 0.03, 1.0                       # c(m_i) = 30 ms, in contact
>>> m[0, len(SAT_FIELDS) + 2] = 80                     # slot 0: 80 units = 2.4 s on board
>>> m[0, len(SAT_FIELDS) + len(SLOT_FIELDS) + 2] = 20  # slot 1: 20 units = 0.6 s
>>> ThresholdPolicy().decide_gated(m, 2)               # 2.4 s > 2 s: offload; 0.6 s: local
array([[1, 0]])
>>> make_policy("threshold_unit").decide_gated(m, 2)   # 30 ms per inference > 20 ms: offload
array([[1, 1]])
"""

from __future__ import annotations

import numpy as np

from baselines.policies.base import HOLD, LOCAL, OFFLOAD, ObservationPolicy, make_policy, register_policy
from satgym.envs.observation import SAT_FIELDS, SLOT_FIELDS
from satgym.envs.rules import sat_field

__all__ = ["ConstantPolicy", "RandomPolicy", "ThresholdPolicy", "WorkloadPolicy", "slot_matrix"]

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

    >>> from satgym.envs.observation import SAT_FIELDS
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


register_policy("threshold", ThresholdPolicy)


def _threshold_unit(threshold_s: float = 0.02, gate_reach: bool = True) -> ThresholdPolicy:
    policy = ThresholdPolicy(threshold_s, per="unit", gate_reach=gate_reach)
    policy.name = "threshold_unit"
    return policy


register_policy("threshold_unit", _threshold_unit)
register_policy("workload", WorkloadPolicy)
register_policy("local", lambda **kw: ConstantPolicy(LOCAL, "local", **kw))
register_policy("offload", lambda **kw: ConstantPolicy(OFFLOAD, "offload", **kw))
register_policy("random", RandomPolicy)
