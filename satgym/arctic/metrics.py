"""Task accounting of an Arctic episode: every generated task is completed, failed (with its
reason), declined or in flight, and the paper's Fig. 3 quantities.

Tasks are counted as *generated* when their slot is decided. ``admitted_feasible`` counts admitted
tasks that meet every constraint of Sec. III (Eqs. 15-18) - the paper's admitted tasks; their
delay and energy are known when they are admitted (the geometry is deterministic and the channel
is constant over a task), so ``admission_rate`` and the mean delay and energy of Fig. 3 are
defined even for tasks still in flight when an episode ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from satgym.arctic.codes import FAIL_REASONS, KIND_CODES, Outcome

__all__ = ["EpisodeMetrics"]


@dataclass
class EpisodeMetrics:
    generated: int = 0
    admitted: int = 0
    admitted_feasible: int = 0
    declined: int = 0
    completed: int = 0
    failed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAIL_REASONS, 0))
    delay_sum_s: float = 0.0
    energy_tx_sum_j: float = 0.0
    energy_comp_sum_j: float = 0.0
    feasible_on_meo: int = 0
    feasible_via_meo_access: int = 0
    visible_sum: np.ndarray = field(default_factory=lambda: np.zeros(len(KIND_CODES)))
    objective: float = 0.0

    @property
    def failed_total(self) -> int:
        return int(sum(self.failed.values()))

    def record_outcomes(self, outcome: np.ndarray) -> None:
        """Resolved tasks (declined, refused, completed or failed)."""
        counts = np.bincount(np.asarray(outcome, dtype=np.int64), minlength=len(Outcome))
        self.declined += int(counts[Outcome.DECLINED])
        self.completed += int(counts[Outcome.COMPLETED])
        for name, code in FAIL_REASONS.items():
            self.failed[name] += int(counts[code])

    def summary(self, in_flight: int) -> dict:
        n, f = max(self.generated, 1), max(self.admitted_feasible, 1)
        has = self.admitted_feasible > 0
        return {
            "generated": self.generated, "admitted": self.admitted, "admitted_feasible": self.admitted_feasible,
            "completed": self.completed, "declined": self.declined, "failed": self.failed_total,
            "failed_by_reason": dict(self.failed), "in_flight": in_flight,
            "admission_rate": self.admitted_feasible / n if self.generated else 0.0,
            "completion_rate": self.completed / n if self.generated else 0.0,
            "mean_delay_s": self.delay_sum_s / f if has else None,
            "mean_energy_j": (self.energy_tx_sum_j + self.energy_comp_sum_j) / f if has else None,
            "mean_energy_tx_j": self.energy_tx_sum_j / f if has else None,
            "mean_energy_comp_j": self.energy_comp_sum_j / f if has else None,
            "meo_compute_share": self.feasible_on_meo / f if has else None,
            "meo_access_share": self.feasible_via_meo_access / f if has else None,
            "mean_visible_leo": float(self.visible_sum[KIND_CODES["leo"]]) / n if self.generated else None,
            "mean_visible_meo": float(self.visible_sum[KIND_CODES["meo"]]) / n if self.generated else None,
            "objective": self.objective,
        }
