"""Access to the data files shipped in ``satgym/data`` (TLEs, OMM, ground stations).

Example:
    >>> from satgym.core.orbits import data_path
    >>> data_path("tle/iridium-next.tle").name
    'iridium-next.tle'
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

__all__ = ["data_path", "DATA_FILES"]

DATA_FILES: tuple[str, ...] = (
    "tle/iridium-next.tle",
    "tle/starlink.tle",
    "tle/oneweb.tle",
    "tle/starlink-omm-2024-05.json",
    "ground_stations/starlink-gateways.xml",
    "ground_stations/cities-top100.txt",
)


def data_path(name: str) -> Path:
    """Filesystem path of a shipped data file, e.g. ``data_path("tle/starlink.tle")``.

    Resolved with :mod:`importlib.resources`, so it works for a plain (non-editable) install.
    Raises ``FileNotFoundError`` listing the shipped files when ``name`` is unknown.
    """
    resource = resources.files("satgym") / "data"
    for part in Path(name).parts:
        resource = resource / part
    if not resource.is_file():
        raise FileNotFoundError(
            f"no shipped data file {name!r}; available: {', '.join(DATA_FILES)}"
        )
    return Path(os.fspath(resource))
