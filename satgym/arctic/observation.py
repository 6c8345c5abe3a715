"""The Arctic env's observation: one row per user, its task and its candidate offloading paths
(the fields are written once here; bounds and the docstring table are derived from them).

Row of an agent = ``TASK_FIELDS`` then, for each of the ``N`` candidates, ``CANDIDATE_FIELDS``.
An idle user's row is all zeros; so are an active user's unused candidate slots (``valid`` 0).
Values beyond a bound (a very strong fade's rate) are clipped to it.
"""

from __future__ import annotations

import numpy as np

from satgym.arctic.codes import KIND_CODES
from satgym.arctic.config import ArcticConfig
from satgym.arctic.problem import SlotProblem
from satgym.core.constants import SPEED_OF_LIGHT_KM_S
from satgym.core.radio import LinkBudget

__all__ = ["CANDIDATE_FIELDS", "TASK_FIELDS", "bounds", "observe", "table"]

# (name, unit, low, high); a high of None is filled from the config by bounds()
TASK_FIELDS = (
    ("active", "0/1", 0.0, 1.0),
    ("task_mbit", "Mbit", 0.0, None),
    ("task_gcycles", "Gcycles", 0.0, None),
    ("deadline_s", "s", 0.0, None),
    ("active_users", "count", 0.0, None),
)
CANDIDATE_FIELDS = (
    ("valid", "0/1", 0.0, 1.0),
    ("access_is_meo", "0/1", 0.0, 1.0),
    ("compute_is_meo", "0/1", 0.0, 1.0),
    ("access_elevation_deg", "deg", 0.0, 90.0),
    ("rate_per_rb_mbps", "Mbit/s", 0.0, None),
    ("access_window_s", "s", 0.0, None),
    ("offload_prop_ms", "ms", 0.0, None),
    ("free_resource_blocks", "count", 0.0, None),
    ("resource_block_budget", "count", 0.0, None),
    ("free_cpu_share", "share", 0.0, 1.0),
    ("compute_ghz", "GHz", 0.0, None),
    ("result_prop_ms", "ms", 0.0, None),
    ("best_case_delay_s", "s", 0.0, None),
)
#: observed small-scale gains are clipped at this |g|^2 (a Rician K = 10 channel exceeds 5 with
#: probability below 1e-12)
_MAX_FADING = 20.0


def _highs(cfg: ArcticConfig) -> dict[str, float]:
    layers = cfg.active_layers
    budget = LinkBudget(cfg.radio.carrier_ghz, cfg.radio.rb_bandwidth_khz * 1e3, cfg.radio.user_power_w,
                        cfg.radio.user_gain_dbi, max(lc.antenna_gain_dbi for lc in layers), cfg.radio.noise_density_dbm_hz)
    nearest_km = 150.0  # below any satellite's range (lowest perigees of the element sets are ~200 km)
    prop_ms = 1e3 * (2.0 * 50_000.0 + cfg.isl.max_path_km) / SPEED_OF_LIGHT_KM_S
    return {
        "task_mbit": max(cfg.tasks.size_mbit), "task_gcycles": max(cfg.tasks.size_mbit) * cfg.tasks.cycles_per_bit / 1e3,
        "deadline_s": cfg.tasks.deadline_s, "active_users": float(cfg.users.count),
        "rate_per_rb_mbps": float(budget.rate_per_rb_bps(nearest_km, _MAX_FADING)) / 1e6,
        "access_window_s": cfg.horizon_s, "offload_prop_ms": prop_ms, "result_prop_ms": prop_ms,
        "free_resource_blocks": float(cfg.max_resource_blocks), "resource_block_budget": float(cfg.max_resource_blocks),
        "compute_ghz": max(lc.cpu_ghz for lc in layers), "best_case_delay_s": 10.0 * cfg.tasks.deadline_s,
    }


def bounds(cfg: ArcticConfig) -> tuple[np.ndarray, np.ndarray]:
    """``(low, high)`` float32 vectors of one agent's observation."""
    highs = _highs(cfg)
    fields = list(TASK_FIELDS) + list(CANDIDATE_FIELDS) * cfg.candidates.n_candidates
    low = np.array([f[2] for f in fields], dtype=np.float32)
    high = np.array([f[3] if f[3] is not None else highs[f[0]] for f in fields], dtype=np.float32)
    return low, high


def table() -> str:
    """The observation table of the env docstring."""
    rows = [f"    {i:<9} {name:<24} {unit:<8}" for i, (name, unit, _, _) in enumerate(TASK_FIELDS)]
    base = len(TASK_FIELDS)
    rows += [f"    {base}+{len(CANDIDATE_FIELDS)}j+{k:<3} {name:<24} {unit:<8}" for k, (name, unit, _, _) in enumerate(CANDIDATE_FIELDS)]
    return "\n".join(rows)


def observe(p: SlotProblem, n_users: int, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """The observation matrix ``(n_users, obs_dim)`` float32 of a slot's problem."""
    n_t, n_c = len(TASK_FIELDS), p.n_candidates
    obs = np.zeros((n_users, n_t + n_c * len(CANDIDATE_FIELDS)), dtype=np.float32)
    if p.n_tasks == 0:
        return obs
    u = p.users
    obs[u, 0] = 1.0
    obs[u, 1] = p.task_bits / 1e6
    obs[u, 2] = p.cycles / 1e9
    obs[u, 3] = p.deadline_s
    obs[u, 4] = p.n_tasks
    valid = p.valid
    acc, comp = np.maximum(p.access, 0), np.maximum(p.compute, 0)
    meo = KIND_CODES["meo"]
    cand = np.stack([
        np.ones_like(p.rate_per_rb_bps),
        p.kind[acc] == meo,
        p.kind[comp] == meo,
        p.elevation_deg,
        p.rate_per_rb_bps / 1e6,
        p.access_end_s,
        1e3 * (p.uplink_km + p.isl_km) / SPEED_OF_LIGHT_KM_S,
        p.rb_free[acc],
        p.rb_budget[acc],
        p.cpu_free[comp],
        p.cpu_hz[comp] / 1e9,
        1e3 * p.fp_prop_s[..., 0],
        p.best_case_s,
    ], axis=-1)
    cand = np.where(valid[..., None], cand, 0.0)  # windows beyond the horizon (inf) are clipped below
    obs[u, n_t:] = cand.reshape(p.n_tasks, -1)
    return np.clip(obs, low, high)
