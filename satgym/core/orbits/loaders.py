"""Loaders for element sets: 2-/3-line TLE files and CelesTrak OMM (JSON, CSV, XML).

Every loader returns a :class:`~.constellation.Constellation` with planes inferred from the
elements (see :mod:`.planes`). A malformed file raises ``ValueError`` naming the file and the
line (TLE) or record (OMM).

Example:
    >>> from satgym.core.orbits import data_path, load_tle
    >>> iridium = load_tle(data_path("tle/iridium-next.tle"))
    >>> iridium.n_sats, iridium.n_planes
    (80, 6)
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from sgp4 import omm
from sgp4.api import Satrec

from .constellation import Constellation, check_plane_kwargs

__all__ = ["load_tle", "load_omm", "load_elements", "ELEMENT_EXTENSIONS"]

TLE_EXTENSIONS = (".tle", ".txt", ".2le", ".3le")
OMM_EXTENSIONS = (".json", ".csv", ".xml")
ELEMENT_EXTENSIONS = TLE_EXTENSIONS + OMM_EXTENSIONS


def _checksum_ok(line: str) -> bool:
    total = sum(int(c) if c.isdigit() else (1 if c == "-" else 0) for c in line[:68])
    return line[68].isdigit() and total % 10 == int(line[68])


def _check_tle_line(path: Path, lineno: int, line: str, number: str) -> None:
    where = f"{path}:{lineno}"
    if not line.startswith(number + " "):
        raise ValueError(f"{where}: expected TLE line {number}, got {line[:30]!r}")
    if len(line) < 69:
        raise ValueError(f"{where}: TLE line {number} has {len(line)} characters, expected 69")
    if not _checksum_ok(line):
        raise ValueError(f"{where}: TLE line {number} checksum mismatch")


def _filter(names: list[str], prefix: str | None, max_sats: int | None) -> list[int]:
    if max_sats is not None and (int(max_sats) != max_sats or max_sats < 1):
        raise ValueError(f"max_sats must be a positive integer or None, got {max_sats!r}")
    keep = [i for i, n in enumerate(names) if prefix is None or n.upper().startswith(prefix.upper())]
    return keep[:max_sats] if max_sats is not None else keep


def load_tle(
    path: str | os.PathLike,
    name_prefix: str | None = None,
    max_sats: int | None = None,
    **plane_kwargs: float,
) -> Constellation:
    """Load a 2- or 3-line TLE file (name lines optional; blank lines ignored).

    ``name_prefix="STARLINK"`` keeps only names starting with it (case-insensitive; 2-line
    entries are named ``NORAD <satnum>``); ``max_sats`` keeps the first ones after filtering.
    ``plane_kwargs``: ``inclination_tolerance_deg``, ``raan_tolerance_deg``, ``min_plane_size``.
    """
    check_plane_kwargs(plane_kwargs)
    path = Path(path)
    raw = path.read_text(encoding="utf-8").splitlines()
    lines = [(i + 1, ln.rstrip()) for i, ln in enumerate(raw) if ln.strip()]
    names: list[str] = []
    pairs: list[tuple[int, str, str]] = []
    k = 0
    while k < len(lines):
        lineno, line = lines[k]
        name = None
        if not line.startswith("1 "):
            name = line[2:].strip() if line.startswith("0 ") else line.strip()
            k += 1
            if k >= len(lines):
                raise ValueError(f"{path}:{lineno}: name line {name!r} is not followed by TLE lines")
            lineno, line = lines[k]
        if k + 1 >= len(lines):
            raise ValueError(f"{path}:{lineno}: TLE line 1 is not followed by line 2")
        lineno2, line2 = lines[k + 1]
        _check_tle_line(path, lineno, line, "1")
        _check_tle_line(path, lineno2, line2, "2")
        if line[2:7] != line2[2:7]:
            raise ValueError(f"{path}:{lineno2}: catalogue numbers differ between lines 1 and 2")
        names.append(name if name else f"NORAD {line[2:7].strip()}")
        pairs.append((lineno, line, line2))
        k += 2
    if not pairs:
        raise ValueError(f"{path}: no TLE found")
    keep = _filter(names, name_prefix, max_sats)
    if not keep:
        raise ValueError(f"{path}: no satellite name starts with {name_prefix!r}")
    satrecs = []
    for i in keep:
        lineno, l1, l2 = pairs[i]
        try:
            sat = Satrec.twoline2rv(l1, l2)
        except ValueError as exc:
            raise ValueError(f"{path}:{lineno}: cannot parse TLE ({exc})") from exc
        if sat.error != 0:
            raise ValueError(f"{path}:{lineno}: SGP4 initialisation error {sat.error}")
        satrecs.append(sat)
    return Constellation.from_satrecs(satrecs, [names[i] for i in keep], **plane_kwargs)


def _omm_records(path: Path) -> list[dict[str, str]]:
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8") as f:
        if suffix == ".json":
            try:
                data = json.load(f)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{exc.lineno}: invalid JSON ({exc.msg})") from exc
            if isinstance(data, dict):
                data = [data]
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise ValueError(f"{path}: expected a JSON list of OMM records")
            return data
        if suffix == ".csv":
            return list(csv.DictReader(f))
        return list(omm.parse_xml(f))


def load_omm(
    path: str | os.PathLike,
    name_prefix: str | None = None,
    max_sats: int | None = None,
    **plane_kwargs: float,
) -> Constellation:
    """Load CelesTrak OMM/GP elements (``.json`` list of dicts, ``.csv`` or ``.xml``) via :mod:`sgp4.omm`.

    Errors name the file and the record (0-based index; CSV: file line number).
    """
    check_plane_kwargs(plane_kwargs)
    path = Path(path)
    if path.suffix.lower() not in OMM_EXTENSIONS:
        raise ValueError(f"{path}: OMM extension must be one of {OMM_EXTENSIONS}")
    records = _omm_records(path)
    if not records:
        raise ValueError(f"{path}: no OMM record found")
    names = [str(r.get("OBJECT_NAME", "")).strip() for r in records]
    keep = _filter(names, name_prefix, max_sats)
    if not keep:
        raise ValueError(f"{path}: no OBJECT_NAME starts with {name_prefix!r}")
    satrecs = []
    for i in keep:
        where = f"{path}: line {i + 2}" if path.suffix.lower() == ".csv" else f"{path}: record {i}"
        fields = {k: str(v) for k, v in records[i].items()}
        if "EPOCH" in fields and "." not in fields["EPOCH"]:
            fields["EPOCH"] += ".0"
        sat = Satrec()
        try:
            omm.initialize(sat, fields)
        except KeyError as exc:
            raise ValueError(f"{where}: missing OMM field {exc.args[0]}") from exc
        except ValueError as exc:
            raise ValueError(f"{where}: bad OMM value ({exc})") from exc
        if sat.error != 0:
            raise ValueError(f"{where}: SGP4 initialisation error {sat.error}")
        satrecs.append(sat)
    return Constellation.from_satrecs(
        satrecs, [names[i] or f"NORAD {satrecs[j].satnum}" for j, i in enumerate(keep)], **plane_kwargs
    )


def load_elements(
    path: str | os.PathLike,
    name_prefix: str | None = None,
    max_sats: int | None = None,
    **plane_kwargs: float,
) -> Constellation:
    """Load TLE (``.tle .txt .2le .3le``) or OMM (``.json .csv .xml``) elements by file extension."""
    suffix = Path(path).suffix.lower()
    if suffix in TLE_EXTENSIONS:
        return load_tle(path, name_prefix, max_sats, **plane_kwargs)
    if suffix in OMM_EXTENSIONS:
        return load_omm(path, name_prefix, max_sats, **plane_kwargs)
    raise ValueError(f"{path}: unknown element-file extension {suffix!r}; valid: {', '.join(ELEMENT_EXTENSIONS)}")
