"""Per-satellite observation vectors, built from simulator arrays in one vectorised pass.

The table below is the observation spec (also reproduced in the env docstring).
"""

from __future__ import annotations

import numpy as np

from satgym.core.simulator import Simulator

# (name, unit, low, high). Bounds are physical: inf where the quantity is unbounded.
SAT_FIELDS: tuple[tuple[str, str, float, float], ...] = (
    ("proc_backlog_s", "s", 0.0, np.inf),
    ("proc_load", "fraction", 0.0, 1.0),
    ("exec_s_per_unit", "s", 0.0, np.inf),
    ("accuracy", "fraction", 0.0, 1.0),
    ("edge_exec_s_per_unit", "s", 0.0, np.inf),
    ("edge_accuracy", "fraction", 0.0, 1.0),
    ("in_contact", "0/1", 0.0, 1.0),
    ("remaining_contact_s", "s", 0.0, np.inf),
    ("time_to_next_contact_s", "s", 0.0, np.inf),
    ("elevation_deg", "deg", 0.0, 90.0),
    ("ground_rate_mbps", "Mbps", 0.0, np.inf),
    ("ground_loss", "fraction", 0.0, 1.0),
    ("link_backlog_s", "s", 0.0, np.inf),
    ("relay_same_orbit_fore", "0/1", 0.0, 1.0),
    ("relay_same_orbit_aft", "0/1", 0.0, 1.0),
    ("relay_other_orbit_1", "0/1", 0.0, 1.0),
    ("relay_other_orbit_2", "0/1", 0.0, 1.0),
    ("ground_load_seen", "fraction", 0.0, 1.0),
    ("ground_load_age_s", "s", 0.0, np.inf),
    ("pending_tasks", "count", 0.0, np.inf),
)
SLOT_FIELDS: tuple[tuple[str, str, float, float], ...] = (
    ("present", "0/1", 0.0, 1.0),
    ("input_mbit", "Mbit", 0.0, np.inf),
    ("work_units", "count", 0.0, np.inf),
    ("needs_return", "0/1", 0.0, 1.0),
    ("waited_s", "s", 0.0, np.inf),
)
AGE_CAP_S = 86_400.0


def field_names(decision_slots: int) -> list[str]:
    names = [f[0] for f in SAT_FIELDS]
    for k in range(decision_slots):
        names += [f"slot{k}_{f[0]}" for f in SLOT_FIELDS]
    return names


def bounds(decision_slots: int) -> tuple[np.ndarray, np.ndarray]:
    fields = list(SAT_FIELDS) + list(SLOT_FIELDS) * decision_slots
    low = np.array([f[2] for f in fields], dtype=np.float32)
    high = np.array([f[3] for f in fields], dtype=np.float32)
    return low, high


def observe(sim: Simulator, slots: np.ndarray) -> np.ndarray:
    """(n_sats, obs_dim) float32 observation matrix at the current time."""
    t = sim.time_s
    row = sim.contact_row()
    sched = sim.schedule
    visible = sched.station[row] >= 0
    links = sim.link_state()
    relay_ok = lambda nb: (nb >= 0) & np.where(nb >= 0, sched.station[row][np.maximum(nb, 0)] >= 0, False)
    T = sim.tasks
    pending_count = np.bincount(T["sat"][T["stage"] == 0], minlength=sim.n_sats)
    to_next = np.where(visible, 0.0, np.minimum(sched.time_to_next_contact_s(row), AGE_CAP_S))
    sat_part = np.column_stack(
        [
            np.maximum(sim.proc_busy - t, 0.0),
            np.clip(sim.proc_load, 0.0, 1.0),
            sim.compute.exec_s,
            sim.compute.accuracy,
            np.full(sim.n_sats, sim.edge_exec_s),
            np.full(sim.n_sats, sim.cfg.compute.edge_accuracy),
            visible,
            links.remaining_contact_s,
            to_next,
            np.where(visible, np.nan_to_num(sched.elevation_deg[row], nan=0.0), 0.0),
            links.ground_rate_mbps,
            np.full(sim.n_sats, sim.cfg.links.ground_loss),
            links.link_backlog_s,
            relay_ok(links.same_orbit[:, 0]),
            relay_ok(links.same_orbit[:, 1]),
            relay_ok(links.other_orbit[:, 0]),
            relay_ok(links.other_orbit[:, 1]),
            np.clip(sim.ground_seen, 0.0, 1.0),
            np.minimum(t - sim.ground_seen_at, AGE_CAP_S),
            pending_count,
        ]
    )
    present = slots >= 0
    r = np.where(present, slots, 0)
    slot_part = np.stack(
        [
            present,
            np.where(present, T["input_mbit"][r] if len(T) else 0.0, 0.0),
            np.where(present, T["work"][r] if len(T) else 0.0, 0.0),
            np.where(present, T["needs_return"][r] if len(T) else 0.0, 0.0),
            np.where(present, np.maximum(t - T["arrival_s"][r], 0.0) if len(T) else 0.0, 0.0),
        ],
        axis=2,
    ).reshape(sim.n_sats, -1)
    return np.concatenate([sat_part, slot_part], axis=1).astype(np.float32)
