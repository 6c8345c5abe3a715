"""Vectorised SGP4 propagation to TEME and Earth-fixed (ITRS) positions.

One :meth:`sgp4.api.SatrecArray.sgp4` call covers the whole (satellite x time) grid. Satellites
that SGP4 flags (error codes 1-6, e.g. 6 = decayed) at any requested time get an all-NaN row and
an :class:`SGP4ErrorWarning` naming them (``errors="warn"``, default), or a ``ValueError``
(``errors="raise"``).

Example:
    >>> from datetime import datetime, timezone
    >>> import numpy as np
    >>> from satgym.core.orbits import walker_delta
    >>> t0 = datetime(2024, 1, 1, tzinfo=timezone.utc)
    >>> c = walker_delta(550.0, 53.0, 2, 3, 1, epoch=t0)
    >>> r = propagate_ecef_km(c, t0, np.arange(0.0, 600.0, 60.0))
    >>> r.shape, bool(np.allclose(np.linalg.norm(r, axis=-1), 6928, atol=15))
    ((6, 10, 3), True)
"""

from __future__ import annotations

import warnings
from datetime import datetime

import numpy as np
from sgp4.api import SGP4_ERRORS, SatrecArray

from .constellation import Constellation
from .frames import gmst_rad, julian_date, teme_to_ecef_km

__all__ = [
    "SGP4ErrorWarning",
    "propagate_teme_km",
    "propagate_ecef_km",
    "propagate_teme_raw_km",
    "report_sgp4_errors",
    "time_grid_jd",
]


class SGP4ErrorWarning(UserWarning):
    """Some satellites could not be propagated (their positions are NaN)."""


def time_grid_jd(start_utc: datetime, times_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Julian-date pairs ``(jd, fr)`` for ``times_s`` seconds after ``start_utc``."""
    jd0, fr0 = julian_date(start_utc)
    times_s = np.asarray(times_s, dtype=float)
    if times_s.ndim != 1:
        raise ValueError(f"times_s must be 1-D, got shape {times_s.shape}")
    if not np.all(np.isfinite(times_s)):
        raise ValueError("times_s must be finite")
    return np.full(times_s.shape, jd0), fr0 + times_s / 86400.0


def propagate_teme_raw_km(
    constellation: Constellation, jd: np.ndarray, fr: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """TEME positions ``(n_sats, n_times, 3)`` and the SGP4 error codes ``(n_sats, n_times)``, unmasked."""
    err, r, _ = SatrecArray(list(constellation.satrecs)).sgp4(jd, fr)
    return r, err


def report_sgp4_errors(constellation: Constellation, err: np.ndarray, errors: str, stacklevel: int = 3) -> np.ndarray:
    """Warn about (or raise for) satellites with a non-zero SGP4 error; return their boolean mask."""
    if errors not in ("warn", "raise"):
        raise ValueError(f"errors must be 'warn' or 'raise', got {errors!r}")
    bad_mask = np.any(err != 0, axis=tuple(range(1, err.ndim)))
    bad = np.flatnonzero(bad_mask)
    if bad.size:
        codes = sorted({int(c) for c in np.unique(err[bad]) if c})
        detail = "; ".join(f"{c}: {SGP4_ERRORS.get(c, 'unknown')}" for c in codes)
        names = ", ".join(constellation.names[i] for i in bad[:10]) + (" ..." if bad.size > 10 else "")
        msg = f"SGP4 failed for {bad.size} satellite(s) [{names}] (codes {detail})"
        if errors == "raise":
            raise ValueError(msg)
        warnings.warn(msg + "; their positions are NaN", SGP4ErrorWarning, stacklevel=stacklevel)
    return bad_mask


def _propagate(
    constellation: Constellation, jd: np.ndarray, fr: np.ndarray, errors: str
) -> np.ndarray:
    if errors not in ("warn", "raise"):
        raise ValueError(f"errors must be 'warn' or 'raise', got {errors!r}")
    r, err = propagate_teme_raw_km(constellation, jd, fr)
    r[report_sgp4_errors(constellation, err, errors, stacklevel=4)] = np.nan
    return r


def propagate_teme_km(
    constellation: Constellation, start_utc: datetime, times_s: np.ndarray, errors: str = "warn"
) -> np.ndarray:
    """TEME positions (km), shape ``(n_sats, n_times, 3)``, at ``start_utc + times_s``."""
    jd, fr = time_grid_jd(start_utc, times_s)
    return _propagate(constellation, jd, fr, errors)


def propagate_ecef_km(
    constellation: Constellation, start_utc: datetime, times_s: np.ndarray, errors: str = "warn"
) -> np.ndarray:
    """Earth-fixed ITRS positions (km), shape ``(n_sats, n_times, 3)`` float64.

    TEME -> ITRS by the GMST rotation with UT1 = UTC and no polar motion (< ~0.1 km error for
    2024 epochs, see :mod:`.frames`).
    """
    jd, fr = time_grid_jd(start_utc, times_s)
    r_teme = _propagate(constellation, jd, fr, errors)
    return teme_to_ecef_km(r_teme, gmst_rad(jd, fr))
