"""Time-chunked, sparse scan of satellite-station visibility (the engine of :class:`ContactSchedule`).

The scan walks an increasing time grid in chunks. For each chunk it propagates all satellites
once (one ``SatrecArray.sgp4`` call), keeps only (satellite, station) pairs that can possibly
be above the minimum elevation at some grid time of the chunk (a conservative cone test with a
k-d tree), evaluates their elevation, and turns elevation crossings into contact windows whose
edges are refined by linear interpolation of elevation between grid points. Nothing of shape
(n_times, n_sats, n_stations) is ever allocated; the only dense (n_sats x n_stations) arrays are
the open-window bookkeeping.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from scipy.spatial import cKDTree

from .constellation import Constellation
from .frames import WGS84_B_KM, gmst_rad, teme_to_ecef_km
from .geometry import pair_elevation_range
from .ground import GroundStations
from .propagation import propagate_teme_raw_km, time_grid_jd

_CHUNK_MAX_ROWS = 32
_CHUNK_MAX_S = 160.0
_SMALL_PAIRS = 256  # satellite-station pairs below which one long chunk is cheapest
_GEODETIC_TILT_DEG = 0.2  # max angle between the WGS84 normal and the geocentric radial (0.1924 deg)
_CONE_MARGIN_DEG = 0.5


@dataclass(frozen=True, eq=False)
class ScanResult:
    """Contact windows sorted by (satellite, station, start) plus per-step data."""

    sat: np.ndarray  # (n_windows,) int
    station: np.ndarray
    start_s: np.ndarray  # refined start (grid start if the contact is open at t=0)
    end_s: np.ndarray  # refined end (grid end if still open there)
    max_elevation_deg: np.ndarray  # max over grid points inside the window
    first_row: np.ndarray  # first grid row with elevation >= min
    last_row: np.ndarray  # last grid row with elevation >= min
    positions_km: np.ndarray  # (n_sats, n_steps, 3) at the step rows
    highest_station: np.ndarray | None  # (n_steps, n_sats) highest visible station, -1 if none
    sgp4_error: np.ndarray  # (n_sats, n_grid) SGP4 error codes


def _chunks(grid_s: np.ndarray, n_pairs: int = 1 << 30) -> list[tuple[int, int]]:
    """Row ranges scanned together. Large sets use short chunks so that the k-d tree prunes most
    satellite-station pairs; small sets (few pairs) gain nothing from pruning and use long ones."""
    max_rows, max_s = (_CHUNK_MAX_ROWS, _CHUNK_MAX_S) if n_pairs > _SMALL_PAIRS else (1024, np.inf)
    out, a, g = [], 0, grid_s.size
    while a < g:
        t_from = grid_s[a - 1] if a else grid_s[0]
        b = a + 1
        while b < g and b - a < max_rows and grid_s[b] - t_from <= max_s:
            b += 1
        out.append((a, b))
        a = b
    return out


def _candidate_pairs(
    pos_km: np.ndarray, st_unit: np.ndarray, st_tree: cKDTree, min_radius_km: float, min_el_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs that may be visible at some row of ``pos_km`` (n_sats, n_rows, 3): (sat idx, station idx)."""
    radius = np.linalg.norm(pos_km, axis=-1)
    r_max = np.nanmax(radius) if np.any(np.isfinite(radius)) else np.nan
    if not np.isfinite(r_max):
        return np.empty(0, np.int64), np.empty(0, np.int64)
    unit = pos_km / radius[..., None]
    ref = pos_km.shape[1] // 2
    cos_move = np.einsum("nrk,nk->nr", unit, unit[:, ref])
    move = np.arccos(np.clip(np.nanmin(cos_move) if np.any(np.isfinite(cos_move)) else 1.0, -1.0, 1.0))
    eps_g = np.deg2rad(min_el_deg - _GEODETIC_TILT_DEG)
    lam = np.arccos(min(min_radius_km * np.cos(eps_g) / r_max, 1.0)) - eps_g
    cone = min(lam + move + np.deg2rad(_CONE_MARGIN_DEG), np.pi)
    sat_unit = np.nan_to_num(unit[:, ref], nan=10.0)  # failed satellites: far from every station
    pairs = cKDTree(sat_unit).sparse_distance_matrix(
        st_tree, 2.0 * np.sin(cone / 2.0), output_type="ndarray"
    )
    pid = np.sort(pairs["i"].astype(np.int64) * st_unit.shape[0] + pairs["j"])
    return pid // st_unit.shape[0], pid % st_unit.shape[0]


def _interp_crossing(t_lo, t_hi, el_lo, el_hi, eps):
    """Time where the linear interpolation of elevation between two grid points equals ``eps``."""
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.clip((eps - el_lo) / (el_hi - el_lo), 0.0, 1.0)
    return t_lo + (t_hi - t_lo) * frac


def scan_contacts(
    constellation: Constellation,
    stations: GroundStations,
    start_utc: datetime,
    grid_s: np.ndarray,
    step_rows: np.ndarray,
    min_elevation_deg: float,
    track_highest: bool,
    grid_positions_out: np.ndarray | None = None,
) -> ScanResult:
    """Scan ``grid_s`` (increasing, seconds from ``start_utc``); ``step_rows`` are the env-step rows.
    ``grid_positions_out`` ``(n_sats, n_grid, 3)``, if given, receives the Earth-fixed positions at
    every grid time (for other geometry on the same grid, e.g. relay line of sight)."""
    n_sats, n_st, n_grid = constellation.n_sats, stations.n_stations, grid_s.size
    st_pos, st_up = stations.ecef_km(), stations.up()
    st_unit = st_pos / np.linalg.norm(st_pos, axis=-1, keepdims=True)
    st_tree = cKDTree(st_unit)
    min_radius_km = WGS84_B_KM + min(float(stations.alt_km.min()), 0.0)
    eps = float(min_elevation_deg)
    jd, fr = time_grid_jd(start_utc, grid_s)
    step_of_row = np.full(n_grid, -1, dtype=np.int64)
    step_of_row[step_rows] = np.arange(step_rows.size)

    positions = np.empty((n_sats, step_rows.size, 3))
    sgp4_error = np.zeros((n_sats, n_grid), dtype=np.int64)
    highest = np.full((step_rows.size, n_sats), -1, dtype=np.int64) if track_highest else None
    open_start = np.zeros(n_sats * n_st)
    open_first = np.zeros(n_sats * n_st, dtype=np.int64)
    open_max = np.zeros(n_sats * n_st)
    out: list[tuple[np.ndarray, ...]] = []
    prev_pos: np.ndarray | None = None

    for a, b in _chunks(grid_s, constellation.n_sats * stations.n_stations):
        r_teme, err = propagate_teme_raw_km(constellation, jd[a:b], fr[a:b])
        sgp4_error[:, a:b] = err
        pos_new = teme_to_ecef_km(r_teme, gmst_rad(jd[a:b], fr[a:b]))
        pos_new[err != 0] = np.nan
        sel = step_of_row[a:b] >= 0
        positions[:, step_of_row[a:b][sel]] = pos_new[:, sel]
        if grid_positions_out is not None:
            grid_positions_out[:, a:b] = pos_new
        has_prev = prev_pos is not None
        pos = np.concatenate((prev_pos[:, None], pos_new), axis=1) if has_prev else pos_new
        prev_pos = pos_new[:, -1]
        base, r0, n_rows = a - int(has_prev), int(has_prev), pos.shape[1]
        is_last = b == n_grid
        t = grid_s[base:b]

        pi, pj = _candidate_pairs(pos, st_unit, st_tree, min_radius_km, eps)
        if pi.size == 0:
            continue
        el, _ = pair_elevation_range(pos[pi], st_pos[pj][:, None, :], st_up[pj][:, None, :])
        vis = el >= eps  # (n_pairs, n_rows); NaN (failed satellite) is never visible
        if has_prev:  # windows open at the previous chunk's end that close before row 1
            lc = np.flatnonzero(vis[:, 0] & ~vis[:, 1])
            gc = pi[lc] * n_st + pj[lc]
            end = _interp_crossing(t[0], t[1], el[lc, 0], el[lc, 1], eps)
            out.append((pi[lc], pj[lc], open_start[gc], end, open_max[gc], open_first[gc],
                        np.full(lc.size, base)))
        p_idx, k_idx = np.nonzero(vis[:, r0:])
        if p_idx.size == 0:
            continue
        k_idx = k_idx + r0
        el_vis = el[p_idx, k_idx]
        step = step_of_row[base + k_idx]
        m = step >= 0
        if track_highest and m.any():
            key = step[m] * n_sats + pi[p_idx[m]]
            order = np.lexsort((el_vis[m], key))
            last = np.r_[np.flatnonzero(np.diff(key[order])), order.size - 1]
            pick = order[last]
            highest[step[m][pick], pi[p_idx[m]][pick]] = pj[p_idx[m]][pick]

        # runs of consecutive visible rows per pair = pieces of contact windows
        new = np.r_[True, (p_idx[1:] != p_idx[:-1]) | (k_idx[1:] != k_idx[:-1] + 1)]
        s0 = np.flatnonzero(new)
        s1 = np.r_[s0[1:] - 1, p_idx.size - 1]
        lp, ka, kb = p_idx[s0], k_idx[s0], k_idx[s1]
        seg_max = np.maximum.reduceat(el_vis, s0)
        gp = pi[lp] * n_st + pj[lp]

        cont = (ka == r0) & vis[lp, 0] & has_prev  # continues a window open at the chunk start
        start = np.where(ka == 0, t[0], _interp_crossing(t[ka - 1], t[ka], el[lp, ka - 1], el[lp, ka], eps))
        first = base + ka
        if has_prev:
            start = np.where(cont, open_start[gp], start)
            first = np.where(cont, open_first[gp], first)
            seg_max = np.where(cont, np.maximum(seg_max, open_max[gp]), seg_max)

        still_open = (kb == n_rows - 1) & (not is_last)
        open_start[gp[still_open]] = start[still_open]
        open_first[gp[still_open]] = first[still_open]
        open_max[gp[still_open]] = seg_max[still_open]

        done = ~still_open
        kb_d, lp_d = kb[done], lp[done]
        at_end = kb_d == n_rows - 1
        kn = np.minimum(kb_d + 1, n_rows - 1)
        end = np.where(at_end, t[-1], _interp_crossing(t[kb_d], t[kn], el[lp_d, kb_d], el[lp_d, kn], eps))
        out.append((pi[lp_d], pj[lp_d], start[done], end, seg_max[done], first[done], base + kb_d))

    cols = [np.concatenate(c) for c in zip(*out)] if out else [np.empty(0)] * 7
    sat, st = cols[0].astype(np.int64), cols[1].astype(np.int64)
    first_row, last_row = cols[5].astype(np.int64), cols[6].astype(np.int64)
    order = np.lexsort((first_row, st, sat))
    return ScanResult(
        sat=sat[order], station=st[order], start_s=cols[2][order], end_s=cols[3][order],
        max_elevation_deg=cols[4][order], first_row=first_row[order], last_row=last_row[order],
        positions_km=positions, highest_station=highest, sgp4_error=sgp4_error,
    )
