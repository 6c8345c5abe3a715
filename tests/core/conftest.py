"""Shared fixtures for the core tests (orbits: no-network guard and loaded constellations)."""

from __future__ import annotations

import socket
from datetime import datetime, timezone

import pytest


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly if anything tries to download (skyfield loaders) or open a socket."""
    import skyfield.iokit

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(skyfield.iokit, "download", refuse)
    monkeypatch.setattr(skyfield.iokit.Loader, "download", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="session")
def orbits_t0() -> datetime:
    """An episode start near the epochs of the shipped 2024-01 TLE files."""
    return datetime(2024, 1, 13, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def iridium():
    from satgym.core.orbits import data_path, load_tle

    return load_tle(data_path("tle/iridium-next.tle"))


@pytest.fixture(scope="session")
def starlink():
    from satgym.core.orbits import data_path, load_tle

    return load_tle(data_path("tle/starlink.tle"), name_prefix="STARLINK")
