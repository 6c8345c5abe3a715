"""Per-step and per-episode metrics (Sec. IX-C): edge workload, execution time, accuracy, task
counts with failure reasons, and messages between layers.

Conservation holds at every step: ``generated == completed + failed + in_flight``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from satgym.core.messages import LAYER_PAIRS, MessageLog
from satgym.leoedge.codes import FAIL_REASONS

TIME_PARTS = ("wait_decision", "upload", "queue", "execution", "result_return")


@dataclass
class EpisodeMetrics:
    n_containers: int
    generated: int = 0
    completed: int = 0
    completed_local: int = 0
    completed_edge: int = 0
    rerouted_local: int = 0
    failed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAIL_REASONS, 0))
    messages: MessageLog = field(default_factory=MessageLog)
    time_sums: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TIME_PARTS, 0.0))
    e2e_sum_s: float = 0.0
    accuracy_sum: float = 0.0
    load_sum: np.ndarray | None = None
    steps: int = 0

    def __post_init__(self) -> None:
        if self.load_sum is None:
            self.load_sum = np.zeros(self.n_containers)

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())

    def summary(self, in_flight: int) -> dict:
        done = max(self.completed, 1)
        steps = max(self.steps, 1)
        return {
            "generated": self.generated,
            "completed": self.completed,
            "completed_local": self.completed_local,
            "completed_edge": self.completed_edge,
            "failed": self.failed_total,
            "failed_by_reason": dict(self.failed),
            "in_flight": in_flight,
            "rerouted_local": self.rerouted_local,
            "mean_execution_time_s": self.e2e_sum_s / done if self.completed else float("nan"),
            "mean_time_parts_s": {k: v / done for k, v in self.time_sums.items()},
            "mean_accuracy": self.accuracy_sum / done if self.completed else float("nan"),
            "mean_edge_load": float(self.load_sum.mean() / steps),
            "mean_container_load": (self.load_sum / steps).tolist(),
            "messages": dict(self.messages.delivered),
            "message_bytes": dict(self.messages.bytes),
            "messages_lost": self.messages.lost(),
            "steps": self.steps,
        }
