"""The Iridium NEXT constellation of a scenario: Walker star or the operational satellites of the
shipped CelesTrak group, with its ISL neighbour table (no links across the counter-rotating seam).

>>> from satgym.aamec.presets import make_config
>>> c, isl = build_constellation(make_config("aamec").constellation)
>>> c.n_sats, c.n_planes, isl.plane_west_east.tolist()   # planes by RAAN; the seam: 99 deg | 301 deg
(66, 6, [[5, 1], [0, 2], [1, 3], [2, -1], [-1, 5], [4, 0]])
>>> star, star_isl = build_constellation(make_config("aamec-walker").constellation)
>>> star_isl.plane_west_east.tolist()                    # RAAN 0..150 deg: the seam 150 deg | 0 deg
[[-1, 1], [0, 2], [1, 3], [2, 4], [3, 5], [4, -1]]
"""

from __future__ import annotations

from datetime import datetime, timezone

from satgym.aamec.config import ConstellationConfig
from satgym.core.orbits import (Constellation, NeighbourTable, data_path, load_tle, select_operational,
                                walker_star)

__all__ = ["build_constellation"]

_WALKER_EPOCH = datetime(2024, 1, 13, tzinfo=timezone.utc)


def build_constellation(cfg: ConstellationConfig, epoch: datetime | None = None) -> tuple[Constellation, NeighbourTable]:
    """The constellation and its ISL neighbour table.

    ``source="tle"`` keeps the satellites :func:`~satgym.core.orbits.select_operational` finds
    (operational shell within ``altitude_tolerance_km`` of the median, at most ``sats_per_plane``
    per plane, surplus spares dropped by even phasing) and requires ``n_planes x sats_per_plane``
    of them; the shipped group gives 66 of its 80 objects (13 parked/drifting lower, 1 spare
    2.3 deg behind an active satellite). ``source="walker_star"``: circular orbits at
    ``altitude_km``, RAANs spread over 180 deg, phasing ``phasing``.
    """
    if cfg.source == "walker_star":
        c = walker_star(cfg.altitude_km, cfg.inclination_deg, cfg.n_planes, cfg.sats_per_plane, cfg.phasing,
                        epoch or _WALKER_EPOCH)
    else:
        path = data_path(cfg.file) if not cfg.file.startswith(("/", ".")) else cfg.file
        group = load_tle(path)
        keep, _ = select_operational(group, cfg.sats_per_plane, cfg.altitude_tolerance_km)
        want = cfg.n_planes * cfg.sats_per_plane
        if keep.size != want:
            raise ValueError(f"constellation.file: {cfg.file!r} has {keep.size} operational satellites, "
                             f"expected n_planes x sats_per_plane = {want}")
        c = group.subset(keep)
    return c, NeighbourTable(c, max_isl_range_km=cfg.max_isl_range_km)
