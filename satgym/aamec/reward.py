"""Named reward components of the AA-MEC env from the simulator's raw per-step quantities.

>>> import numpy as np
>>> from types import SimpleNamespace
>>> from satgym.aamec.config import RewardConfig
>>> out = SimpleNamespace(completion_s=np.array([0.2, np.nan, 0.6]), excess_tasks=np.array([300, 0, 600]),
...                       failed_tasks=np.array([0, 0, 300]))
>>> {k: round(v, 4) for k, v in reward_components(out, RewardConfig(), 3).items()}
{'latency': -0.2667, 'drop': -0.3333}
"""

from __future__ import annotations

from typing import Any

import numpy as np

from satgym.aamec.config import RewardConfig

__all__ = ["REWARD_COMPONENTS", "reward_components"]

REWARD_COMPONENTS = ("latency", "drop")


def reward_components(out: Any, cfg: RewardConfig, n_sats: int) -> dict[str, float]:
    """``latency``: minus ``latency_weight`` x the summed completion time (Eq. 20, the objective) of
    the step's routed flows, per satellite; ``drop``: minus ``drop_penalty`` x the summed share of
    each satellite's offered excess that failed (any reason), per satellite."""
    latency = -cfg.latency_weight * float(np.nansum(out.completion_s)) / n_sats
    excess = np.asarray(out.excess_tasks, dtype=float)
    share = np.divide(out.failed_tasks, excess, out=np.zeros_like(excess), where=excess > 0)
    drop = -cfg.drop_penalty * float(share.sum()) / n_sats
    return {"latency": latency, "drop": drop}
