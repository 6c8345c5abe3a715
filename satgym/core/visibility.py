"""Visibility windows ``(v_start, v_end)`` of satellites seen from ground points over a short
horizon, from elevations sampled on a time grid (crossings of the elevation threshold located by
linear interpolation between samples).

``v_start`` is the first time the elevation reaches the threshold (the first sample time if it is
already above it; ``inf`` if it never does within the samples), ``v_end`` the first time after
``v_start`` that it drops below (``inf`` if it is still above at the last sample: the window lasts
beyond the sampled horizon; both are ``inf`` for a satellite never above the threshold). Elevation changes smoothly (a LEO pass takes minutes), so one-second
samples locate a crossing to well under a tenth of a second.

>>> times = np.array([0.0, 1.0, 2.0, 3.0])
>>> el = np.array([[12.0, 11.0, 9.0, 8.0],      # setting: drops below 10 deg at 1.5 s
...                [5.0, 8.0, 11.0, 14.0],      # rising: reaches 10 deg at 5/3 s, still up at 3 s
...                [1.0, 2.0, 3.0, 4.0]])       # never
>>> start, end = visibility_windows_s(el, times, 10.0)
>>> start.round(3).tolist(), end.round(3).tolist()
([0.0, 1.667, inf], [1.5, inf, inf])
"""

from __future__ import annotations

import numpy as np

__all__ = ["visibility_windows_s"]


def _crossing(el: np.ndarray, t: np.ndarray, idx: np.ndarray, threshold: float) -> np.ndarray:
    """Time at which the elevation crosses ``threshold`` between samples ``idx - 1`` and ``idx``."""
    prev = np.maximum(idx - 1, 0)
    e0 = np.take_along_axis(el, prev[..., None], axis=-1)[..., 0]
    e1 = np.take_along_axis(el, idx[..., None], axis=-1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(e1 != e0, (threshold - e0) / (e1 - e0), 0.0)
    return t[prev] + np.clip(frac, 0.0, 1.0) * (t[idx] - t[prev])


def visibility_windows_s(elevation_deg: np.ndarray, times_s: np.ndarray,
                         threshold_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """``(v_start, v_end)`` in the units of ``times_s`` for elevation series ``(..., n_times)``.

    ``times_s`` must be strictly increasing; NaN elevations (satellites SGP4 could not propagate)
    count as below the threshold.
    """
    el = np.asarray(elevation_deg, dtype=float)
    t = np.asarray(times_s, dtype=float)
    if t.ndim != 1 or el.shape[-1:] != t.shape or t.size < 2 or np.any(np.diff(t) <= 0):
        raise ValueError(f"times_s: need a strictly increasing 1-D grid matching elevation_deg's last axis "
                         f"(got {t.shape} for {el.shape})")
    el = np.nan_to_num(el, nan=-90.0)
    above = el >= threshold_deg
    n = t.size
    ever = above.any(axis=-1)
    first = np.argmax(above, axis=-1)
    start = np.where(first == 0, t[0], _crossing(el, t, first, threshold_deg))
    start = np.where(ever, start, np.inf)
    after = ~above & (np.arange(n) > first[..., None])
    drops = after.any(axis=-1)
    last = np.argmax(after, axis=-1)
    end = np.where(drops & ever, _crossing(el, t, last, threshold_deg), np.inf)
    return start, end
