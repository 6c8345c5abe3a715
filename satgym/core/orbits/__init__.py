"""Orbits, ground stations, visibility and inter-satellite-link geometry for satgym.

Units and frames
----------------
* Distances in km, times in s, angles in degrees (names carry the unit: ``altitude_km``,
  ``step_s``, ``elevation_deg``). Epochs are timezone-aware UTC ``datetime`` objects; episode
  times are seconds after a start ``datetime``.
* SGP4 (``sgp4`` package, WGS72 constants) gives TEME positions; they are rotated to the
  Earth-fixed ITRS frame by GMST (IAU-82) with UT1 = UTC and no polar motion. For 2024
  epochs that is < ~0.1 km off a full IERS reduction (skyfield agrees to ~10 m, elevations to
  ~0.001 deg); at worst (|UT1-UTC| = 0.9 s) 0.42 km.
* Ground stations are WGS84 geodetic; elevation is measured from the ellipsoid tangent plane
  (as skyfield's ``altaz()``), without refraction.
* Accuracy is that of SGP4 with public element sets: about 1 km at epoch, growing by a few km
  per day; keep episodes within a few days of the element epochs.

Quick tour
----------
>>> from datetime import datetime, timezone
>>> import numpy as np
>>> from satgym.core.orbits import (MIYUN, ContactSchedule, NeighbourTable, data_path,
...     load_cities, load_tle, propagate_ecef_km, walker_delta, elevation_deg)
>>> iridium = load_tle(data_path("tle/iridium-next.tle"))
>>> iridium.n_sats, iridium.n_planes
(80, 6)
>>> t0 = datetime(2024, 1, 13, tzinfo=timezone.utc)
>>> pos = propagate_ecef_km(iridium, t0, np.arange(0.0, 120.0, 10.0))   # (n_sats, n_times, 3)
>>> elevation_deg(pos, load_cities(5)).shape                            # (..., n_stations)
(80, 12, 5)
>>> leo = walker_delta(np.linspace(500, 700, 10), 97.5, n_planes=10, sats_per_plane=1,
...                    phasing=0, epoch=t0)                              # LEOEdge-like
>>> cs = ContactSchedule.build(leo, MIYUN, t0, step_s=60.0, n_steps=60)
>>> cs.remaining_contact_s(0).shape, cs.time_to_next_contact_s(0).shape
((10,), (10,))
>>> inter, dist_km = NeighbourTable(leo).at(cs.positions_km[:, 0])
"""

from __future__ import annotations

from .constellation import Constellation, from_elements, walker_delta, walker_star
from .contacts import SELECTIONS, ContactSchedule
from .data import DATA_FILES, data_path
from .frames import ecef_to_geodetic, geodetic_to_ecef_km, gmst_rad, julian_date, teme_to_ecef_km
from .geometry import elevation_deg, look_angles, slant_range_km
from .grid import inter_plane_pairs
from .ground import MIYUN, GroundStations, load_cities, load_starlink_gateways
from .loaders import ELEMENT_EXTENSIONS, load_elements, load_omm, load_tle
from .neighbours import NeighbourTable, line_of_sight
from .planes import infer_planes, nodal_regression_deg_per_day, sun_synchronous_inclination_deg
from .propagation import SGP4ErrorWarning, propagate_ecef_km, propagate_teme_km
from .selection import arg_latitude_deg, select_operational

__all__ = [
    "Constellation",
    "walker_delta",
    "walker_star",
    "from_elements",
    "load_tle",
    "load_omm",
    "load_elements",
    "ELEMENT_EXTENSIONS",
    "infer_planes",
    "select_operational",
    "arg_latitude_deg",
    "nodal_regression_deg_per_day",
    "sun_synchronous_inclination_deg",
    "propagate_ecef_km",
    "propagate_teme_km",
    "SGP4ErrorWarning",
    "GroundStations",
    "load_cities",
    "load_starlink_gateways",
    "MIYUN",
    "elevation_deg",
    "slant_range_km",
    "look_angles",
    "ContactSchedule",
    "SELECTIONS",
    "NeighbourTable",
    "inter_plane_pairs",
    "line_of_sight",
    "data_path",
    "DATA_FILES",
    "julian_date",
    "gmst_rad",
    "teme_to_ecef_km",
    "geodetic_to_ecef_km",
    "ecef_to_geodetic",
]
