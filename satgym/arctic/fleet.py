"""The satellites of a scenario's active layers as one fleet: SGP4 satellites from every layer
concatenated, with each satellite's layer, kind, resource blocks, CPU and antenna gain as arrays
``(n_sats,)``, and vectorised SGP4 propagation of all of them or of a subset.

Element sets are loaded once per process (the Starlink set takes about half a second).

>>> from satgym.arctic.presets import make_config
>>> fleet = Fleet.build(make_config("arctic"))
>>> fleet.n_sats, fleet.layer_names, int(fleet.resource_blocks.max()), float(fleet.cpu_hz.max())
(5315, ('starlink', 'meo'), 50, 10000000000.0)
>>> pos = fleet.positions_km(fleet.epoch, np.array([0.0, 1.0]))
>>> pos.shape, bool(abs(np.linalg.norm(pos[-1, 0]) - 8478.0) < 10.0)      # a MEO satellite at 6378 + 2100 km
((5315, 2, 3), True)
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
from sgp4.api import SatrecArray

from satgym.arctic.codes import KIND_CODES
from satgym.arctic.config import ArcticConfig, LayerConfig, parse_epoch
from satgym.core import orbits
from satgym.core.orbits.frames import gmst_rad, teme_to_ecef_km
from satgym.core.orbits.propagation import report_sgp4_errors, time_grid_jd

__all__ = ["Fleet", "layer_constellation"]


@lru_cache(maxsize=16)
def layer_constellation(layer: LayerConfig, epoch_utc: str) -> orbits.Constellation:
    """The SGP4 satellites of one layer (cached: configs are immutable)."""
    if layer.source == "file":
        path = layer.file if os.path.exists(layer.file) else str(orbits.data_path(f"tle/{layer.file}"))
        return orbits.load_elements(path, name_prefix=layer.name_prefix or None, max_sats=layer.max_sats or None)
    n_planes, k = len(layer.inclination_deg), layer.sats_per_plane
    plane = np.repeat(np.arange(n_planes), k)
    slot = np.tile(np.arange(k), n_planes)
    arg_lat = slot * 360.0 / k + plane * layer.phase_offset_deg  # circular: mean anomaly = argument of latitude
    c = orbits.from_elements(np.full(plane.size, layer.altitude_km), np.asarray(layer.inclination_deg)[plane],
                             np.asarray(layer.raan_deg)[plane], arg_lat, parse_epoch(epoch_utc), plane=plane,
                             names=[f"{layer.name.upper()}-P{p}-S{s:02d}" for p, s in zip(plane, slot)])
    if layer.max_sats:
        c = c.subset(np.arange(min(layer.max_sats, c.n_sats)))
    return c


@dataclass(frozen=True, eq=False)
class Fleet:
    """Satellites of the active layers; satellite ``i`` of layer ``l`` is ``offsets[l] + i``."""

    constellations: tuple[orbits.Constellation, ...]
    layer_names: tuple[str, ...]
    offsets: np.ndarray
    layer: np.ndarray
    kind: np.ndarray
    resource_blocks: np.ndarray
    cpu_hz: np.ndarray
    antenna_gain_dbi: np.ndarray
    epoch: datetime

    @classmethod
    def build(cls, cfg: ArcticConfig) -> Fleet:
        layers = cfg.active_layers
        cons = tuple(layer_constellation(layer, cfg.episode.epoch_utc) for layer in layers)
        sizes = np.array([c.n_sats for c in cons])
        layer = np.repeat(np.arange(len(layers)), sizes)

        def per_sat(values, dtype):
            return np.asarray(values, dtype=dtype)[layer]

        return cls(
            constellations=cons,
            layer_names=tuple(lc.name for lc in layers),
            offsets=np.r_[0, np.cumsum(sizes)],
            layer=layer,
            kind=per_sat([KIND_CODES[lc.kind] for lc in layers], np.int64),
            resource_blocks=per_sat([lc.resource_blocks for lc in layers], np.int64),
            cpu_hz=per_sat([lc.cpu_ghz * 1e9 for lc in layers], float),
            antenna_gain_dbi=per_sat([lc.antenna_gain_dbi for lc in layers], float),
            epoch=parse_epoch(cfg.episode.epoch_utc),
        )

    def __post_init__(self) -> None:
        satrecs = [s for c in self.constellations for s in c.satrecs]
        object.__setattr__(self, "_satrecs", satrecs)
        object.__setattr__(self, "_all", SatrecArray(satrecs))
        for arr in (self.offsets, self.layer, self.kind, self.resource_blocks, self.cpu_hz, self.antenna_gain_dbi):
            arr.setflags(write=False)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        for key in ("_satrecs", "_all"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    @property
    def n_sats(self) -> int:
        return int(self.offsets[-1])

    @property
    def min_altitude_km(self) -> float:
        return float(min(c.altitude_km.min() for c in self.constellations))

    def positions_km(self, start_utc: datetime, times_s: np.ndarray,
                     subset: np.ndarray | None = None) -> np.ndarray:
        """Earth-fixed positions ``(n, n_times, 3)`` of every satellite, or of ``subset`` (indices),
        at ``start_utc + times_s`` (one vectorised SGP4 call; failed satellites are NaN, with a
        warning)."""
        jd, fr = time_grid_jd(start_utc, np.asarray(times_s, dtype=float))
        if subset is None:
            err, r, _ = self._all.sgp4(jd, fr)  # type: ignore[attr-defined]
        else:
            sats = self._satrecs  # type: ignore[attr-defined]
            err, r, _ = SatrecArray([sats[i] for i in subset]).sgp4(jd, fr)
        bad = report_sgp4_errors(_Named(self, subset), err, "warn")
        r[bad] = np.nan
        return teme_to_ecef_km(r, gmst_rad(jd, fr))

    def names(self, index: np.ndarray | int) -> list[str]:
        idx = np.atleast_1d(index)
        return [self.constellations[self.layer[i]].names[i - self.offsets[self.layer[i]]] for i in idx]


class _Named:
    """The ``names`` of a fleet subset, for SGP4 error messages."""

    def __init__(self, fleet: Fleet, subset: np.ndarray | None) -> None:
        self.names = _LazyNames(fleet, subset)


class _LazyNames:
    def __init__(self, fleet: Fleet, subset: np.ndarray | None) -> None:
        self.fleet, self.subset = fleet, subset

    def __getitem__(self, i: int) -> str:
        return self.fleet.names(i if self.subset is None else self.subset[i])[0]
