"""Per-satellite observation vectors, built from simulator arrays in one vectorised pass.

The table below is the observation spec (also reproduced in the env docstring).
"""

from __future__ import annotations

import numpy as np

from numba import njit

from satgym.core.columns import F_ARRIVAL, F_INPUT, F_WORK, I_RETURN
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
    ("via_relay", "0/1", 0.0, 1.0),
    ("path_delay_s", "s", 0.0, np.inf),
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


def observe(sim: Simulator) -> np.ndarray:
    """(n_sats, obs_dim) float32 observation matrix at the current time (one compiled pass)."""
    row = sim.contact_row()
    sched = sim.schedule
    access = sched.access[row]
    via_relay = access >= sim.segment.n_stations
    return _observe(
        sim.time_s, sim.K, sim.slots, sim.pending_count, sim.tasks.F, sim.tasks.I, access, via_relay,
        sched.delay_s[row], sched.elevation_deg[row], sched.next_start_s[row], sched.window_end_s[row],
        sim.rate_grid[row],
        sim.cfg.links.ground_loss, sim.proc_busy, sim.proc_load, sim.compute.exec_s, sim.compute.accuracy,
        sim.edge_exec_s, sim.cfg.compute.edge_accuracy, sim.link_busy, sim.same_orbit, sim.other_orbit,
        sim.ground_seen, sim.ground_seen_at, len(SAT_FIELDS),
    )


@njit(cache=True)
def _observe(t, K, slots, pending_count, F, I, station, via_relay, delay, elevation, next_start, window_end, rate,
             ground_loss, proc_busy, proc_load, exec_s, accuracy, edge_exec_s, edge_accuracy, link_busy,
             same_orbit, other_orbit, ground_seen, ground_seen_at, n_sat_fields):
    n = len(station)
    out = np.zeros((n, n_sat_fields + 5 * K), np.float32)
    for i in range(n):
        vis = station[i] >= 0
        o = out[i]
        o[0] = max(proc_busy[i] - t, 0.0)
        o[1] = min(max(proc_load[i], 0.0), 1.0)
        o[2] = exec_s[i]
        o[3] = accuracy[i]
        o[4] = edge_exec_s
        o[5] = edge_accuracy
        o[6] = 1.0 if vis else 0.0
        o[7] = window_end[i] - t if vis else 0.0  # T_a (Eq. 27)
        o[8] = 0.0 if vis else min(next_start[i] - t, AGE_CAP_S)
        o[9] = elevation[i] if (vis and elevation[i] == elevation[i]) else 0.0  # NaN through a relay
        o[10] = rate[i]
        o[11] = ground_loss
        o[12] = max(link_busy[i] - t, 0.0)
        for c in range(2):
            j = same_orbit[i, c]
            o[13 + c] = 1.0 if (j >= 0 and station[j] >= 0) else 0.0
            j = other_orbit[i, c]
            o[15 + c] = 1.0 if (j >= 0 and station[j] >= 0) else 0.0
        o[17] = min(max(ground_seen[i], 0.0), 1.0)
        o[18] = min(t - ground_seen_at[i], AGE_CAP_S)
        o[19] = pending_count[i]
        o[20] = 1.0 if via_relay[i] else 0.0
        o[21] = delay[i]
        for k in range(K):
            r = slots[i, k]
            if r < 0:
                continue
            b = n_sat_fields + 5 * k
            o[b] = 1.0
            o[b + 1] = F[r, F_INPUT]
            o[b + 2] = F[r, F_WORK]
            o[b + 3] = I[r, I_RETURN]
            o[b + 4] = max(t - F[r, F_ARRIVAL], 0.0)
    return out
