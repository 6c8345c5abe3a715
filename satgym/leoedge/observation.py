"""Per-satellite observation vectors, built from simulator arrays in one vectorised pass.

The table below is the observation spec (also reproduced in the env docstring).
"""

from __future__ import annotations

import numpy as np

from numba import njit

from satgym.leoedge.codes import F_ARRIVAL, F_INPUT, F_WORK, I_RETURN
from satgym.leoedge.step_kernel import FX_TIME, IX_K, IX_N_STEPS, neighbours_now
from satgym.leoedge.records import (EDGE_ACCURACY, EDGE_EXEC, LINK_GROUND_LOSS, GRID_ACCESS, GRID_DELAY, GRID_NEXT_START, GRID_RATE, GRID_WINDOW_END, ISL_OTHER,
                                    ISL_SAME, SAT_ACCURACY, SAT_EXEC, SAT_GROUND_SEEN, SAT_LINK_BUSY, SAT_PROC_BUSY,
                                    SAT_PROC_LOAD, SAT_SEEN_AT, TASK_F, TASK_I)

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

# where each field sits in an observation row, from the tables above (the compiled builder writes
# by these names, so reordering or adding a field cannot shift another)
_SAT = {name: k for k, (name, *_rest) in enumerate(SAT_FIELDS)}
_SLOT = {name: k for k, (name, *_rest) in enumerate(SLOT_FIELDS)}
O_PROC_BACKLOG, O_PROC_LOAD, O_EXEC, O_ACCURACY = (_SAT[n] for n in ("proc_backlog_s", "proc_load",
                                                                    "exec_s_per_unit", "accuracy"))
O_EDGE_EXEC, O_EDGE_ACCURACY, O_IN_CONTACT = _SAT["edge_exec_s_per_unit"], _SAT["edge_accuracy"], _SAT["in_contact"]
O_REMAINING, O_TO_NEXT, O_ELEVATION = _SAT["remaining_contact_s"], _SAT["time_to_next_contact_s"], _SAT["elevation_deg"]
O_RATE, O_LOSS, O_LINK_BACKLOG = _SAT["ground_rate_mbps"], _SAT["ground_loss"], _SAT["link_backlog_s"]
O_RELAY_SAME, O_RELAY_OTHER = _SAT["relay_same_orbit_fore"], _SAT["relay_other_orbit_1"]  # then _aft / _2
O_LOAD_SEEN, O_LOAD_AGE, O_PENDING = _SAT["ground_load_seen"], _SAT["ground_load_age_s"], _SAT["pending_tasks"]
O_VIA_RELAY, O_PATH_DELAY = _SAT["via_relay"], _SAT["path_delay_s"]
N_SAT_FIELDS, N_SLOT_FIELDS = len(SAT_FIELDS), len(SLOT_FIELDS)
S_PRESENT, S_INPUT, S_WORK, S_RETURN, S_WAITED = (_SLOT[n] for n in ("present", "input_mbit", "work_units",
                                                                     "needs_return", "waited_s"))
assert _SAT["relay_same_orbit_aft"] == O_RELAY_SAME + 1 and _SAT["relay_other_orbit_2"] == O_RELAY_OTHER + 1


def sat_field(obs: np.ndarray, name: str) -> np.ndarray:
    """Column ``name`` of :data:`SAT_FIELDS` for every row of an observation matrix."""
    return obs[:, _SAT[name]]


def slot_field(obs: np.ndarray, k: int, name: str) -> np.ndarray:
    """Column ``name`` of :data:`SLOT_FIELDS` in decision slot ``k`` for every row."""
    return obs[:, N_SAT_FIELDS + k * N_SLOT_FIELDS + _SLOT[name]]


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


def observe(sim, out: np.ndarray | None = None) -> np.ndarray:
    """(n_sats, obs_dim) float32 observation matrix at the current time (one compiled pass over
    the simulator's step state), written into ``out`` when given."""
    if out is None:
        out = np.empty((sim.n_sats, N_SAT_FIELDS + N_SLOT_FIELDS * sim.K), np.float32)
    observe_state(sim.state, out)
    return out


@njit(cache=True, error_model="numpy", inline="always")
def observe_state(st, out):
    """The observation rows of a step state (:class:`satgym.leoedge.step_kernel.StepState`) into ``out``."""
    ints, floats, tasks, sats, grid, links, edge, bufs, extra = st[0], st[1], st[3], st[5], st[6], st[8], st[9], \
        st[12], st[13]
    row = min(ints[IX_K], ints[IX_N_STEPS])
    view = (extra[2], extra[1][row], links[LINK_GROUND_LOSS], edge[EDGE_EXEC], edge[EDGE_ACCURACY])
    slots = bufs[5]
    _observe(floats[FX_TIME], row, slots.shape[1], slots, bufs[6], (tasks[0], tasks[1], tasks[2][0]), sats, grid,
             neighbours_now(st), view, out)


@njit(cache=True, error_model="numpy")
def _observe(t, row, K, slots, pending_count, tasks, sats, grid, isl, view, out):
    """The observation rows; records as in :mod:`satgym.leoedge.records` (plain tuples), ``view`` =
    (number of stations: an access point at or above it is a relay, station elevation deg, ground loss,
    c(m_e) s per unit, a_s)."""
    F, I = tasks[TASK_F], tasks[TASK_I]
    proc_busy, link_busy, proc_load = sats[SAT_PROC_BUSY], sats[SAT_LINK_BUSY], sats[SAT_PROC_LOAD]
    exec_s, accuracy = sats[SAT_EXEC], sats[SAT_ACCURACY]
    ground_seen, ground_seen_at = sats[SAT_GROUND_SEEN], sats[SAT_SEEN_AT]
    station, window_end = grid[GRID_ACCESS][row], grid[GRID_WINDOW_END][row]
    next_start, delay, rate = grid[GRID_NEXT_START][row], grid[GRID_DELAY][row], grid[GRID_RATE][row]
    same_orbit, other_orbit = isl[ISL_SAME], isl[ISL_OTHER]
    n_stations, elevation, ground_loss, edge_exec_s, edge_accuracy = view
    n = len(station)
    out[:] = 0.0
    for i in range(n):
        vis = station[i] >= 0
        o = out[i]
        o[O_PROC_BACKLOG] = max(proc_busy[i] - t, 0.0)
        o[O_PROC_LOAD] = min(max(proc_load[i], 0.0), 1.0)
        o[O_EXEC] = exec_s[i]
        o[O_ACCURACY] = accuracy[i]
        o[O_EDGE_EXEC] = edge_exec_s
        o[O_EDGE_ACCURACY] = edge_accuracy
        o[O_IN_CONTACT] = 1.0 if vis else 0.0
        o[O_REMAINING] = window_end[i] - t if vis else 0.0  # T_a (Eq. 27)
        o[O_TO_NEXT] = 0.0 if vis else min(next_start[i] - t, AGE_CAP_S)
        o[O_ELEVATION] = elevation[i] if (vis and elevation[i] == elevation[i]) else 0.0  # NaN through a relay
        o[O_RATE] = rate[i]
        o[O_LOSS] = ground_loss
        o[O_LINK_BACKLOG] = max(link_busy[i] - t, 0.0)
        for c in range(2):
            j = same_orbit[i, c]
            o[O_RELAY_SAME + c] = 1.0 if (j >= 0 and station[j] >= 0) else 0.0
            j = other_orbit[i, c]
            o[O_RELAY_OTHER + c] = 1.0 if (j >= 0 and station[j] >= 0) else 0.0
        o[O_LOAD_SEEN] = min(max(ground_seen[i], 0.0), 1.0)
        o[O_LOAD_AGE] = min(t - ground_seen_at[i], AGE_CAP_S)
        o[O_PENDING] = pending_count[i]
        o[O_VIA_RELAY] = 1.0 if station[i] >= n_stations else 0.0
        o[O_PATH_DELAY] = delay[i]
        for k in range(K):
            r = slots[i, k]
            if r < 0:
                continue
            b = N_SAT_FIELDS + N_SLOT_FIELDS * k
            o[b + S_PRESENT] = 1.0
            o[b + S_INPUT] = F[r, F_INPUT]
            o[b + S_WORK] = F[r, F_WORK]
            o[b + S_RETURN] = I[r, I_RETURN]
            o[b + S_WAITED] = max(t - F[r, F_ARRIVAL], 0.0)
