"""Picking the operational satellites out of a CelesTrak group (spares, raising, parked objects).

A group such as ``iridium-NEXT`` lists every object of the programme: the 66 satellites in
service, in-orbit spares (parked lower, or flying near an active slot at the operational
altitude) and satellites being raised or lowered. :func:`select_operational` keeps

1. the satellites within ``altitude_tolerance_km`` of the group's median altitude (the
   operational shell; parked and drifting objects are tens to hundreds of km lower);
2. in each plane, at most ``sats_per_plane`` of them: while a plane has more, the satellite whose
   removal leaves the most even spacing in argument of latitude is dropped (a spare flying a few
   degrees from an active satellite is the one that breaks the 360/k pattern).

Arguments of latitude are measured from the propagated SGP4 state (position and velocity at
``when``), so element sets with different epochs compare correctly.

Example:
    >>> from satgym.core.orbits import data_path, load_tle
    >>> iridium = load_tle(data_path("tle/iridium-next.tle"))
    >>> keep, dropped = select_operational(iridium, sats_per_plane=11)
    >>> keep.size, len(dropped), sorted(set(dropped.values()))
    (66, 14, ['altitude', 'off-slot'])
    >>> [n for n, why in dropped.items() if why == "off-slot"]
    ['IRIDIUM 105']
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from sgp4.api import SatrecArray

from .constellation import Constellation
from .frames import as_utc, julian_date

__all__ = ["arg_latitude_deg", "select_operational"]


def arg_latitude_deg(constellation: Constellation, when: datetime | None = None) -> np.ndarray:
    """Osculating argument of latitude (deg in [0, 360)) of every satellite at ``when``
    (default: the constellation epoch), from the SGP4 position and velocity (TEME)."""
    when = constellation.epoch if when is None else as_utc(when, "when")
    jd, fr = julian_date(when)
    err, r, v = SatrecArray(list(constellation.satrecs)).sgp4(np.array([jd]), np.array([fr]))
    r, v = r[:, 0], v[:, 0]
    h = np.cross(r, v)
    node = np.cross(np.array([0.0, 0.0, 1.0]), h)
    node_norm = np.linalg.norm(node, axis=1, keepdims=True)
    node = np.where(node_norm > 1e-9, node / np.maximum(node_norm, 1e-300), np.array([1.0, 0.0, 0.0]))
    m = np.cross(h / np.linalg.norm(h, axis=1, keepdims=True), node)
    u = np.rad2deg(np.arctan2(np.einsum("ij,ij->i", r, m), np.einsum("ij,ij->i", r, node)))
    return np.where(err[:, 0] == 0, np.mod(u, 360.0), np.nan)


def _spacing_error(u_deg: np.ndarray) -> float:
    """Sum of squared deviations of the circular gaps from 360/k."""
    s = np.sort(u_deg)
    gaps = np.diff(np.r_[s, s[0] + 360.0])
    return float(np.sum((gaps - 360.0 / s.size) ** 2))


def select_operational(constellation: Constellation, sats_per_plane: int, altitude_tolerance_km: float = 10.0,
                       when: datetime | None = None) -> tuple[np.ndarray, dict[str, str]]:
    """Indices of the operational satellites (sorted) and ``{name: reason}`` of those left out
    (``"altitude"``: off the operational shell; ``"off-slot"``: surplus in a full plane).

    Planes with fewer than ``sats_per_plane`` operational satellites keep what they have (check
    the count if the caller needs a complete pattern).
    """
    if int(sats_per_plane) != sats_per_plane or sats_per_plane < 1:
        raise ValueError(f"sats_per_plane: must be a positive integer, got {sats_per_plane!r}")
    if not altitude_tolerance_km > 0:
        raise ValueError(f"altitude_tolerance_km: must be > 0, got {altitude_tolerance_km!r}")
    alt = constellation.altitude_km
    shell = np.abs(alt - np.median(alt)) <= altitude_tolerance_km
    dropped = {constellation.names[i]: "altitude" for i in np.flatnonzero(~shell)}
    u = arg_latitude_deg(constellation, when)
    keep = []
    for p in np.unique(constellation.plane[shell]):
        members = list(np.flatnonzero(shell & (constellation.plane == p)))
        while len(members) > sats_per_plane:
            errors = [_spacing_error(u[np.delete(members, k)]) for k in range(len(members))]
            out = members.pop(int(np.argmin(errors)))
            dropped[constellation.names[out]] = "off-slot"
        keep += members
    return np.array(sorted(keep), dtype=np.int64), dropped
