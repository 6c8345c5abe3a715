"""Per-episode satellite-ground contact schedule (computed once per episode, queried every step).

Example:
    >>> from datetime import datetime, timezone
    >>> from satgym.core.orbits import walker_delta, MIYUN, ContactSchedule
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> c = walker_delta(550.0, 53.0, 6, 10, 1, epoch=t0)
    >>> cs = ContactSchedule.build(c, MIYUN, t0, step_s=10.0, n_steps=360)
    >>> cs.station.shape, cs.remaining_contact_s(0).shape
    ((360, 60), (60,))
    >>> bool(((cs.station >= 0) == (cs.elevation_deg >= 10.0)).all())
    True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ._contact_scan import scan_contacts
from .constellation import Constellation
from .frames import as_utc, ecef_to_geodetic
from .geometry import pair_elevation_range
from .ground import GroundStations
from .propagation import report_sgp4_errors

__all__ = ["ContactSchedule", "SELECTIONS"]

SELECTIONS = ("longest", "highest")


def _time_grid(step_s: float, n_steps: int, end_s: float, scan_step_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Scan grid containing every step time, spaced <= scan_step_s, ending at ``end_s``."""
    sub = max(1, math.ceil(step_s / scan_step_s - 1e-9))
    inner = np.arange((n_steps - 1) * sub + 1) / sub * step_s
    inner[::sub] = np.arange(n_steps) * step_s  # step times exactly k * step_s
    last = inner[-1]
    n_out = math.ceil((end_s - last) / scan_step_s - 1e-9) if end_s > last else 0
    outer = last + np.arange(1, n_out + 1) * ((end_s - last) / max(n_out, 1))
    if n_out:
        outer[-1] = end_s
    return np.concatenate((inner, outer)), np.arange(n_steps) * sub


def _longest_window(
    win: dict[str, np.ndarray], by_sat: np.ndarray, j: np.ndarray, q_sat: np.ndarray, q_row: np.ndarray
) -> np.ndarray:
    """Window (index into ``win``) covering each query row whose end is latest, -1 if none.

    ``j`` is, per query, the last window (in ``by_sat`` order) of that satellite starting at or
    before the query row. The prefix maximum of (end, pass maximum) over windows sorted by
    first row is the covering window that lasts longest, if it still covers the row.
    """
    n_win = by_sat.size
    by_score = np.lexsort((win["max_elevation_deg"], win["end_s"]))
    rank = np.empty(n_win, dtype=np.int64)
    rank[by_score] = np.arange(n_win)
    best = np.maximum.accumulate(win["sat"][by_sat] * n_win + rank[by_sat])  # per-satellite prefix max
    jc = np.maximum(j, 0)
    ok = (j >= 0) & (win["sat"][by_sat][jc] == q_sat)
    w = by_score[np.clip(best[jc] - q_sat * n_win, 0, n_win - 1)]
    ok &= win["last_row"][w] >= q_row
    return np.where(ok, w, -1)


@dataclass(frozen=True, eq=False)
class ContactSchedule:
    """Which ground station each satellite talks to at each step, and for how long.

    Per-step arrays have shape ``(n_steps, n_sats)``; step ``k`` is at ``t = k * step_s``
    seconds after ``start_utc``. A station is visible when its elevation is >= ``min_elevation_deg``.

    Attributes:
        station: chosen visible station (-1 if none): ``"longest"`` = the one whose current
            contact ends last (ties: higher pass maximum), ``"highest"`` = highest elevation now.
        elevation_deg, slant_range_km: to the chosen station (NaN if none).
        window_end_s: episode time at which the contact with ``station`` ends, linearly
            interpolated between scan points; capped at ``horizon_end_s`` (NaN if none visible).
        next_start_s: start of the next contact with any station for a satellite with none
            visible (inf if none starts within ``lookahead_s``); equals ``t`` while in contact.
        positions_km: Earth-fixed satellite positions, ``(n_sats, n_steps, 3)``.
        valid_sat: False for satellites SGP4 could not propagate (they never have contact).
        window_table: every contact window found up to ``horizon_end_s``: arrays ``sat``,
            ``station``, ``start_s`` (0 if already open at t=0), ``end_s``, ``max_elevation_deg``
            (max over scan points), sorted by (sat, station, start).

    Crossing times come from a scan grid that contains every step time and is never coarser
    than ``scan_step_s`` (default 10 s), so edges are accurate to well under a second for LEO;
    passes shorter than ``scan_step_s`` can be missed.
    """

    stations: GroundStations
    start_utc: datetime
    step_s: float
    n_steps: int
    min_elevation_deg: float
    lookahead_s: float
    selection: str
    station: np.ndarray
    elevation_deg: np.ndarray
    slant_range_km: np.ndarray
    window_end_s: np.ndarray
    next_start_s: np.ndarray
    positions_km: np.ndarray
    valid_sat: np.ndarray
    window_table: dict[str, np.ndarray]
    grid_s: np.ndarray | None = None
    grid_positions_km: np.ndarray | None = None

    @classmethod
    def build(
        cls,
        constellation: Constellation,
        stations: GroundStations,
        start_utc: datetime,
        step_s: float,
        n_steps: int,
        min_elevation_deg: float = 10.0,
        lookahead_s: float = 3600.0,
        selection: str = "longest",
        scan_step_s: float = 10.0,
        errors: str = "warn",
        keep_grid_positions: bool = False,
    ) -> ContactSchedule:
        """Propagate and scan the whole episode (plus ``lookahead_s``) once.

        ``errors``: satellites SGP4 fails on get NaN positions, no contacts and an
        :class:`~.propagation.SGP4ErrorWarning` (``"warn"``), or a ``ValueError`` (``"raise"``).
        ``keep_grid_positions``: also keep the scan grid (``grid_s``) and the positions on it
        (``grid_positions_km``, ``(n_sats, n_grid, 3)``) for other geometry on the same grid.
        """
        start_utc = as_utc(start_utc, "start_utc")
        if not (step_s > 0 and math.isfinite(step_s)):
            raise ValueError(f"step_s must be a positive number, got {step_s!r}")
        if int(n_steps) != n_steps or n_steps < 1:
            raise ValueError(f"n_steps must be a positive integer, got {n_steps!r}")
        if not 0.0 <= min_elevation_deg < 90.0:
            raise ValueError(f"min_elevation_deg must lie in [0, 90), got {min_elevation_deg!r}")
        if not (lookahead_s >= 0 and math.isfinite(lookahead_s)):
            raise ValueError(f"lookahead_s must be finite and >= 0, got {lookahead_s!r}")
        if selection not in SELECTIONS:
            raise ValueError(f"selection must be one of {SELECTIONS}, got {selection!r}")
        if not scan_step_s > 0:
            raise ValueError(f"scan_step_s must be > 0, got {scan_step_s!r}")
        if errors not in ("warn", "raise"):
            raise ValueError(f"errors must be 'warn' or 'raise', got {errors!r}")
        n_steps = int(n_steps)
        end_s = n_steps * step_s + lookahead_s
        grid, step_rows = _time_grid(float(step_s), n_steps, end_s, float(scan_step_s))
        grid_pos = np.empty((constellation.n_sats, grid.size, 3)) if keep_grid_positions else None
        scan = scan_contacts(
            constellation, stations, start_utc, grid, step_rows, float(min_elevation_deg),
            track_highest=selection == "highest", grid_positions_out=grid_pos,
        )
        bad = report_sgp4_errors(constellation, scan.sgp4_error, errors, stacklevel=3)
        positions = scan.positions_km
        positions[bad] = np.nan
        if grid_pos is not None:
            grid_pos[bad] = np.nan
            grid_pos.setflags(write=False)
        keep = ~bad[scan.sat]
        win = {k: getattr(scan, k)[keep] for k in
               ("sat", "station", "start_s", "end_s", "max_elevation_deg", "first_row", "last_row")}
        n_sats, n_st, n_grid = constellation.n_sats, stations.n_stations, grid.size
        t = np.arange(n_steps) * float(step_s)
        q_sat = np.broadcast_to(np.arange(n_sats), (n_steps, n_sats))
        q_row = np.broadcast_to(step_rows[:, None], (n_steps, n_sats))

        # windows ordered by (sat, first_row, start): prefix maxima give "longest", next starts
        by_sat = np.lexsort((win["start_s"], win["first_row"], win["sat"]))
        n_win = by_sat.size
        sat_sorted = win["sat"][by_sat]
        j_after = np.searchsorted(sat_sorted * n_grid + win["first_row"][by_sat],
                                  q_sat * n_grid + q_row, side="right")
        if n_win == 0:
            w = np.full((n_steps, n_sats), -1, dtype=np.int64)
        elif selection == "longest":
            w = _longest_window(win, by_sat, j_after - 1, q_sat, q_row)
        else:
            hi = np.where(bad[None, :], -1, scan.highest_station)
            pair_key = (win["sat"] * n_st + win["station"]) * n_grid + win["first_row"]
            j = np.searchsorted(pair_key, (q_sat * n_st + hi) * n_grid + q_row, side="right") - 1
            w = np.where(hi >= 0, j, -1)
        visible = w >= 0
        w0 = np.maximum(w, 0)
        pick = (lambda a: a[w0]) if n_win else (lambda a: np.zeros(w.shape))
        station = np.where(visible, pick(win["station"]), -1)
        window_end = np.where(visible, pick(win["end_s"]), np.nan)

        st_pos, st_up = stations.ecef_km(), stations.up()
        s_idx = np.maximum(station, 0).astype(np.int64)
        el, rng = pair_elevation_range(positions.transpose(1, 0, 2), st_pos[s_idx], st_up[s_idx])

        jn = np.minimum(j_after, max(n_win - 1, 0))
        if n_win:
            nxt = win["start_s"][by_sat][jn]
            has_next = (j_after < n_win) & (sat_sorted[jn] == q_sat) & (nxt - t[:, None] <= lookahead_s)
        else:
            nxt, has_next = np.zeros(w.shape), np.zeros(w.shape, dtype=bool)
        next_start = np.where(visible, t[:, None], np.where(has_next, nxt, np.inf))

        out = {k: win[k] for k in ("sat", "station", "start_s", "end_s", "max_elevation_deg")}
        arrays = dict(
            station=station.astype(np.int64),
            elevation_deg=np.where(visible, el, np.nan),
            slant_range_km=np.where(visible, rng, np.nan),
            window_end_s=window_end,
            next_start_s=next_start,
            positions_km=positions,
            valid_sat=~bad,
        )
        for arr in list(arrays.values()) + list(out.values()):
            arr.setflags(write=False)
        return cls(
            stations=stations, start_utc=start_utc, step_s=float(step_s), n_steps=n_steps,
            min_elevation_deg=float(min_elevation_deg), lookahead_s=float(lookahead_s),
            selection=selection, window_table=out, grid_s=grid if keep_grid_positions else None,
            grid_positions_km=grid_pos, **arrays,
        )

    @property
    def n_sats(self) -> int:
        return self.station.shape[1]

    @property
    def horizon_end_s(self) -> float:
        """Last scanned time: ``n_steps * step_s + lookahead_s``."""
        return self.n_steps * self.step_s + self.lookahead_s

    @property
    def times_s(self) -> np.ndarray:
        return np.arange(self.n_steps) * self.step_s

    def _check_step(self, step: int) -> int:
        if int(step) != step or not 0 <= step < self.n_steps:
            raise ValueError(f"step must be an integer in [0, {self.n_steps}), got {step!r}")
        return int(step)

    def visible(self, step: int) -> np.ndarray:
        """Whether each satellite sees at least one station at ``step``, ``(n_sats,)`` bool."""
        return self.station[self._check_step(step)] >= 0

    def remaining_contact_s(self, step: int) -> np.ndarray:
        """T_a(i) of LEOEdge Eq. 27: contact time left with the chosen station (0 if none)."""
        k = self._check_step(step)
        return np.where(self.station[k] >= 0, self.window_end_s[k] - k * self.step_s, 0.0)

    def time_to_next_contact_s(self, step: int) -> np.ndarray:
        """Seconds until a station becomes visible (0 while in contact, inf beyond the lookahead)."""
        k = self._check_step(step)
        return self.next_start_s[k] - k * self.step_s

    def subpoint_lat_lon_deg(self, step: int) -> tuple[np.ndarray, np.ndarray]:
        """Geodetic latitude and longitude of each satellite's sub-point at ``step``."""
        lat, lon, _ = ecef_to_geodetic(self.positions_km[:, self._check_step(step)])
        return lat, lon

    def windows(self, sat: int, station: int) -> list[tuple[float, float, float]]:
        """Contact windows ``(start_s, end_s, max_elevation_deg)`` of one satellite-station pair."""
        if not 0 <= sat < self.n_sats or not 0 <= station < self.stations.n_stations:
            raise ValueError(f"sat must be in [0, {self.n_sats}) and station in [0, {self.stations.n_stations})")
        tab = self.window_table
        m = np.flatnonzero((tab["sat"] == sat) & (tab["station"] == station))
        return [(float(tab["start_s"][i]), float(tab["end_s"][i]), float(tab["max_elevation_deg"][i])) for i in m]
