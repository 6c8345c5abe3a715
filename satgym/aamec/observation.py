"""Per-satellite observation vectors of the AA-MEC env (the table is the spec; the env docstring shows it).

Own fields, then ``K`` candidate slots (the satellite's cheapest MEC destinations this snapshot,
cheapest first).
"""

from __future__ import annotations

import numpy as np

from satgym.aamec.simulator import AAMECSimulator
from satgym.core.orbits import ecef_to_geodetic

__all__ = ["SAT_FIELDS", "SLOT_FIELDS", "bounds", "field_names", "observe"]

# (name, unit, low, high); high is inf where the quantity is unbounded
SAT_FIELDS: tuple[tuple[str, str, float, float], ...] = (
    ("arrival_tasks_per_s", "tasks/s", 0.0, np.inf),   # N_s, Eq. 14
    ("excess_tasks_per_s", "tasks/s", 0.0, np.inf),    # Eq. 16
    ("offload_mbps", "Mbps", 0.0, np.inf),             # Eq. 17
    ("lat_deg", "deg", -90.0, 90.0),
    ("lon_deg", "deg", -180.0, 180.0),
    ("gateways_in_view", "count", 0.0, np.inf),
    ("episode_progress", "fraction", 0.0, 1.0),
)
SLOT_FIELDS: tuple[tuple[str, str, float, float], ...] = (
    ("present", "0/1", 0.0, 1.0),
    ("is_aircraft", "0/1", 0.0, 1.0),
    ("completion_s", "s", 0.0, np.inf),       # Eq. 20 for this flow alone (optimistic feeder)
    ("hops", "count", 0.0, np.inf),
    ("bottleneck_mbps", "Mbps", 0.0, np.inf),  # smallest link capacity on the path
    ("contenders", "count", 0.0, np.inf),      # offloading satellites whose cheapest MEC this is
    ("mec_load_last", "fraction", 0.0, np.inf),  # tasks that reached it last step / its capacity
    ("util_last", "fraction", 0.0, np.inf),    # largest last-step load / capacity on the path's links
)


def field_names(K: int) -> list[str]:
    names = [f[0] for f in SAT_FIELDS]
    for k in range(K):
        names += [f"slot{k}_{f[0]}" for f in SLOT_FIELDS]
    return names


def bounds(K: int) -> tuple[np.ndarray, np.ndarray]:
    fields = list(SAT_FIELDS) + list(SLOT_FIELDS) * K
    return (np.array([f[2] for f in fields], dtype=np.float32), np.array([f[3] for f in fields], dtype=np.float32))


def observe(sim: AAMECSimulator) -> np.ndarray:
    """``(n_sats, obs_dim)`` float32 observation matrix of the current snapshot."""
    v = sim.view
    S, K, G = sim.n_sats, sim.K, sim.n_gateways
    cand = v.candidates
    lat, lon, _ = ecef_to_geodetic(sim.scenario.sat_km[:, v.k])
    own = np.stack([v.rate_per_s, v.excess_per_s, v.data_mbit, lat, lon,
                    np.isfinite(v.topology.feeder_elevation_deg).sum(axis=1),
                    np.full(S, min(sim.k / sim.n_steps, 1.0))], axis=1)
    ranked = cand.ranked
    present = ranked >= 0
    m = np.maximum(ranked, 0)
    best = ranked[:, 0]
    contenders = np.bincount(best[best >= 0], minlength=sim.mec_nodes.size)
    paths = sim.candidate_paths()
    slots = np.stack([
        present,
        present & (m >= G),
        np.where(present, np.take_along_axis(cand.cost_s, m, 1), 0.0),
        paths["hops"],
        paths["bottleneck_mbps"],
        np.where(present, contenders[m], 0),
        np.where(present, sim.last_mec_load[m], 0.0),
        paths["util_last"],
    ], axis=2).reshape(S, K * len(SLOT_FIELDS))
    out = np.concatenate([own, slots], axis=1).astype(np.float32)
    return np.clip(out, *bounds(K))
