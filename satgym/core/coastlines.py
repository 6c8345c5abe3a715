"""Coastlines for maps: the Natural Earth 1:110m land outlines shipped in
``satgym/data/naturalearth/land-110m.json`` (public domain, provenance in ``data/PROVENANCE.md``).

>>> lines = coastlines()
>>> len(lines) > 100, lines[0].shape[1]
(True, 2)
>>> lon, lat = np.concatenate(lines).T
>>> bool((-180 <= lon).all() and (lon <= 180).all() and (-90 <= lat).all() and (lat <= 84).all())
True
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = ["coastlines", "decode_topojson_arcs"]


def decode_topojson_arcs(topology: dict) -> list[np.ndarray]:
    """Every arc of a quantized TopoJSON topology as an ``(n, 2)`` array of (longitude, latitude)
    degrees: positions are delta-encoded integers, scaled and translated by the topology's transform."""
    scale = np.asarray(topology["transform"]["scale"], dtype=np.float64)
    translate = np.asarray(topology["transform"]["translate"], dtype=np.float64)
    return [np.cumsum(np.asarray(arc, dtype=np.float64), axis=0) * scale + translate for arc in topology["arcs"]]


@lru_cache(maxsize=1)
def coastlines() -> tuple[np.ndarray, ...]:
    """The land outlines as polylines of (longitude, latitude) degrees, split where a line crosses
    the antimeridian so that a plot never draws a stroke across the map."""
    text = resources.files("satgym").joinpath("data/naturalearth/land-110m.json").read_text(encoding="utf-8")
    out: list[np.ndarray] = []
    for arc in decode_topojson_arcs(json.loads(text)):
        cut = np.flatnonzero(np.abs(np.diff(arc[:, 0])) > 180.0) + 1
        out += [piece for piece in np.split(arc, cut) if len(piece) > 1]
    return tuple(out)
