"""The :class:`Constellation` container and analytic constellations (Walker delta/star, explicit elements).

Example:
    >>> from datetime import datetime, timezone
    >>> c = walker_delta(550.0, 53.0, n_planes=4, sats_per_plane=5, phasing=1,
    ...                  epoch=datetime(2024, 1, 1, tzinfo=timezone.utc))
    >>> c.n_sats, c.n_planes, c.plane[:6].tolist(), c.slot_in_plane[:6].tolist()
    (20, 4, [0, 0, 0, 0, 0, 1], [0, 1, 2, 3, 4, 0])
    >>> round(float(c.period_s[0]) / 60.0, 1)
    95.6
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone

import numpy as np
from sgp4.api import WGS72, Satrec

from .frames import WGS72_MU_KM3_S2, WGS84_A_KM, as_utc
from .planes import infer_planes, nodal_regression_deg_per_day, slots_from_arg_latitude

__all__ = ["Constellation", "walker_delta", "walker_star", "from_elements"]

_SGP4_EPOCH0 = datetime(1949, 12, 31, tzinfo=timezone.utc)
_JD_UNIX0 = 2440587.5


def _readonly(values: np.ndarray, dtype: type, name: str, n: int) -> np.ndarray:
    arr = np.array(values, dtype=dtype)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class Constellation:
    """A set of SGP4 satellites with plane/slot labels (arrays are read-only, shape ``(n_sats,)``).

    Attributes:
        satrecs: one :class:`sgp4.api.Satrec` per satellite.
        names: satellite names.
        plane: orbital-plane id (int >= 0; ids are kept by :meth:`subset`, so may skip values).
        slot_in_plane: order along the plane by argument of latitude at ``epoch`` (0..k-1 per
            plane; ranks from 0 deg for loaded sets, the pattern index k for Walker patterns).
        altitude_km: mean altitude from the mean motion, a - 6378.137 km with a = (mu/n^2)^(1/3).
        inclination_deg: mean inclination.
        raan_deg: mean RAAN at ``epoch`` (J2-propagated from each element-set epoch).
        shell: inclination-shell id (planes of one shell are ordered by RAAN for inter-plane links).
        epoch: representative UTC epoch (the construction epoch, or the median element-set epoch).
    """

    satrecs: tuple[Satrec, ...]
    names: tuple[str, ...]
    plane: np.ndarray
    slot_in_plane: np.ndarray
    altitude_km: np.ndarray
    inclination_deg: np.ndarray
    raan_deg: np.ndarray
    shell: np.ndarray
    epoch: datetime = field(default_factory=lambda: datetime(2024, 1, 1, tzinfo=timezone.utc))

    def __post_init__(self) -> None:
        satrecs, names = tuple(self.satrecs), tuple(self.names)
        n = len(satrecs)
        if n == 0:
            raise ValueError("satrecs must hold at least one satellite")
        if not all(isinstance(s, Satrec) for s in satrecs):
            raise ValueError("satrecs must all be sgp4.api.Satrec objects")
        if len(names) != n or not all(isinstance(x, str) for x in names):
            raise ValueError(f"names must be {n} strings, got {len(names)}")
        object.__setattr__(self, "satrecs", satrecs)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "epoch", as_utc(self.epoch, "epoch"))
        for name in ("plane", "slot_in_plane", "shell"):
            arr = _readonly(getattr(self, name), np.int64, name, n)
            if arr.min() < 0:
                raise ValueError(f"{name} must be >= 0")
            object.__setattr__(self, name, arr)
        for name in ("altitude_km", "inclination_deg", "raan_deg"):
            arr = _readonly(getattr(self, name), np.float64, name, n)
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name} must be finite")
            object.__setattr__(self, name, arr)
        if np.any(self.altitude_km <= -WGS84_A_KM):
            raise ValueError("altitude_km must be > -6378.137 (semi-major axis > 0)")
        if np.any((self.inclination_deg < 0) | (self.inclination_deg > 180)):
            raise ValueError("inclination_deg must lie in [0, 180]")
        order = np.lexsort((self.slot_in_plane, self.plane))
        p, s = self.plane[order], self.slot_in_plane[order]
        first = np.r_[True, p[1:] != p[:-1]]
        expected = np.arange(n) - np.maximum.accumulate(np.where(first, np.arange(n), 0))
        if not np.array_equal(s, expected):
            raise ValueError("slot_in_plane must number each plane's satellites 0..k-1 without repeats")

    # pickling: sgp4's Satrec objects cannot be pickled, so their elements are, and the Satrecs are
    # rebuilt with sgp4init on load (bit-identical propagation; WGS72 constants, as everywhere here)
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["satrecs"] = tuple(_satrec_elements(s) for s in self.satrecs)
        return state

    def __setstate__(self, state: dict) -> None:
        state = dict(state)
        state["satrecs"] = tuple(_satrec_from_elements(e) for e in state["satrecs"])
        self.__dict__.update(state)

    @property
    def n_sats(self) -> int:
        return len(self.satrecs)

    @property
    def n_planes(self) -> int:
        return int(np.unique(self.plane).size)

    @property
    def mean_motion_rad_s(self) -> np.ndarray:
        """Kozai mean motion of each satellite (rad/s), as in the element set."""
        return np.array([s.no_kozai for s in self.satrecs]) / 60.0

    @property
    def period_s(self) -> np.ndarray:
        """Keplerian period 2*pi/n from the mean motion (s)."""
        return 2.0 * np.pi / self.mean_motion_rad_s

    def subset(self, indices: np.ndarray | list[int] | slice) -> Constellation:
        """A new constellation with the chosen satellites (int indices or boolean mask).

        Plane and shell ids are kept; slots are renumbered 0..k-1 in their previous order.
        """
        idx = np.arange(self.n_sats)[indices]
        idx = np.atleast_1d(idx).astype(np.int64)
        if idx.size == 0:
            raise ValueError("subset(indices) selected no satellite")
        if np.unique(idx).size != idx.size:
            raise ValueError("subset(indices) must not repeat a satellite")
        plane = self.plane[idx]
        return Constellation(
            satrecs=tuple(self.satrecs[i] for i in idx),
            names=tuple(self.names[i] for i in idx),
            plane=plane,
            slot_in_plane=slots_from_arg_latitude(  # rank the old slots, mapped into [0, 360)
                plane, self.slot_in_plane[idx] * (360.0 / (self.slot_in_plane.max() + 1))
            ),
            altitude_km=self.altitude_km[idx],
            inclination_deg=self.inclination_deg[idx],
            raan_deg=self.raan_deg[idx],
            shell=self.shell[idx],
            epoch=self.epoch,
        )

    @classmethod
    def from_satrecs(
        cls,
        satrecs: list[Satrec] | tuple[Satrec, ...],
        names: list[str] | tuple[str, ...],
        *,
        plane: np.ndarray | None = None,
        shell: np.ndarray | None = None,
        epoch: datetime | None = None,
        inclination_tolerance_deg: float = 0.05,
        raan_tolerance_deg: float = 1.5,
        min_plane_size: int = 3,
    ) -> Constellation:
        """Build from initialised satrecs; planes are inferred (see :mod:`.planes`) unless given.

        ``epoch`` defaults to the median element-set epoch (rounded to the second).
        """
        satrecs = tuple(satrecs)
        if not satrecs:
            raise ValueError("satrecs must hold at least one satellite")
        jd = np.array([s.jdsatepoch + s.jdsatepochF for s in satrecs])
        if epoch is None:
            unix_s = round(float(np.median(jd) - _JD_UNIX0) * 86400.0)
            epoch = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=unix_s)
        epoch = as_utc(epoch, "epoch")
        dt_day = (epoch - datetime(1970, 1, 1, tzinfo=timezone.utc)).total_seconds() / 86400.0 + _JD_UNIX0 - jd
        n_rad_s = np.array([s.no_kozai for s in satrecs]) / 60.0
        a_km = (WGS72_MU_KM3_S2 / n_rad_s**2) ** (1.0 / 3.0)
        inc = np.rad2deg([s.inclo for s in satrecs])
        ecc = np.array([s.ecco for s in satrecs])
        raan = np.mod(
            np.rad2deg([s.nodeo for s in satrecs]) + nodal_regression_deg_per_day(a_km, inc, ecc) * dt_day,
            360.0,
        )
        # mean argument of latitude at epoch with SGP4's own secular rates (rad/min)
        u0 = np.array([s.argpo + s.mo for s in satrecs])
        u_rate = np.array([s.argpdot + s.mdot for s in satrecs])
        arg_lat = np.rad2deg(u0 + u_rate * dt_day * 1440.0)
        if plane is None:
            shell_inf, plane = infer_planes(
                inc,
                raan,
                inclination_tolerance_deg=inclination_tolerance_deg,
                raan_tolerance_deg=raan_tolerance_deg,
                min_plane_size=min_plane_size,
            )
            shell = shell_inf if shell is None else shell
        plane = np.asarray(plane, dtype=np.int64)
        if plane.shape != (len(satrecs),):
            raise ValueError(f"plane must have shape ({len(satrecs)},), got {plane.shape}")
        if shell is None:
            shell = np.zeros(len(satrecs), dtype=np.int64)
        return cls(
            satrecs=satrecs,
            names=tuple(names),
            plane=plane,
            slot_in_plane=slots_from_arg_latitude(plane, arg_lat),
            altitude_km=a_km - WGS84_A_KM,
            inclination_deg=inc,
            raan_deg=raan,
            shell=np.asarray(shell, dtype=np.int64),
            epoch=epoch,
        )


PLANE_KWARGS = ("inclination_tolerance_deg", "raan_tolerance_deg", "min_plane_size")


def check_plane_kwargs(kwargs: dict[str, float]) -> None:
    """Raise ``ValueError`` listing the valid plane-inference options if ``kwargs`` has others."""
    unknown = sorted(set(kwargs) - set(PLANE_KWARGS))
    if unknown:
        raise ValueError(f"unknown arguments {unknown}; valid: {', '.join(PLANE_KWARGS)}")


def _satrec_elements(sat: Satrec) -> tuple:
    """What :func:`_satrec_from_elements` needs to rebuild ``sat`` exactly."""
    return (sat.satnum, sat.operationmode, sat.jdsatepoch, sat.jdsatepochF, sat.bstar, sat.ndot, sat.nddot,
            sat.ecco, sat.argpo, sat.inclo, sat.mo, sat.no_kozai, sat.nodeo)


def _satrec_from_elements(elements: tuple) -> Satrec:
    satnum, mode, jd, fr, bstar, ndot, nddot, ecco, argpo, inclo, mo, no_kozai, nodeo = elements
    sat = Satrec()
    sat.sgp4init(WGS72, mode, satnum, (jd - 2433281.5) + fr, bstar, ndot, nddot, ecco, argpo, inclo, mo,
                 no_kozai, nodeo)
    sat.jdsatepoch, sat.jdsatepochF = jd, fr  # the element set's own split of the epoch
    return sat


def _circular_satrec(
    satnum: int, epoch: datetime, altitude_km: float, inclination_deg: float,
    raan_deg: float, mean_anomaly_deg: float, eccentricity: float = 0.0,
    arg_perigee_deg: float = 0.0, bstar: float = 0.0,
) -> Satrec:
    n_rad_min = np.sqrt(WGS72_MU_KM3_S2 / (WGS84_A_KM + altitude_km) ** 3) * 60.0
    sat = Satrec()
    sat.sgp4init(
        WGS72, "i", satnum, (epoch - _SGP4_EPOCH0).total_seconds() / 86400.0,
        bstar, 0.0, 0.0, eccentricity, np.deg2rad(arg_perigee_deg), np.deg2rad(inclination_deg),
        np.deg2rad(mean_anomaly_deg), n_rad_min, np.deg2rad(raan_deg),
    )
    if sat.error != 0:
        raise ValueError(f"sgp4init failed (error {sat.error}) for satellite {satnum}")
    return sat


def from_elements(
    altitude_km: np.ndarray,
    inclination_deg: np.ndarray,
    raan_deg: np.ndarray,
    mean_anomaly_deg: np.ndarray,
    epoch: datetime,
    *,
    eccentricity: np.ndarray | float = 0.0,
    arg_perigee_deg: np.ndarray | float = 0.0,
    bstar: np.ndarray | float = 0.0,
    names: list[str] | None = None,
    plane: np.ndarray | None = None,
    **plane_kwargs: float,
) -> Constellation:
    """Constellation from explicit per-satellite mean Keplerian elements (arrays, broadcast).

    ``altitude_km`` is a - 6378.137 km. Planes are inferred unless ``plane`` is given;
    ``plane_kwargs`` are the tolerances of :meth:`Constellation.from_satrecs`.

    >>> from datetime import datetime, timezone
    >>> c = from_elements([500, 600], 97.5, [0, 90], [0, 0], datetime(2024, 1, 1, tzinfo=timezone.utc),
    ...                   min_plane_size=1)
    >>> c.altitude_km.round(3).tolist(), c.n_planes
    ([500.0, 600.0], 2)
    """
    check_plane_kwargs(plane_kwargs)
    epoch = as_utc(epoch, "epoch")
    alt, inc, raan, ma, ecc, argp, bst = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(x, dtype=float)) for x in (
            altitude_km, inclination_deg, raan_deg, mean_anomaly_deg, eccentricity, arg_perigee_deg, bstar))
    )
    if alt.ndim != 1:
        raise ValueError("elements must be scalars or 1-D arrays")
    if np.any(alt <= 0) or not np.all(np.isfinite(alt)):
        raise ValueError("altitude_km must be finite and > 0")
    if np.any((inc < 0) | (inc > 180)):
        raise ValueError("inclination_deg must lie in [0, 180]")
    if np.any((ecc < 0) | (ecc >= 1)):
        raise ValueError("eccentricity must lie in [0, 1)")
    n = alt.size
    names = [f"SAT-{i:04d}" for i in range(n)] if names is None else list(names)
    if len(names) != n:
        raise ValueError(f"names must have {n} entries, got {len(names)}")
    satrecs = [
        _circular_satrec(i + 1, epoch, alt[i], inc[i], raan[i], ma[i], ecc[i], argp[i], bst[i])
        for i in range(n)
    ]
    return Constellation.from_satrecs(satrecs, names, plane=plane, epoch=epoch, **plane_kwargs)


def _walker(
    altitude_km: float | np.ndarray, inclination_deg: float, n_planes: int, sats_per_plane: int,
    phasing: int, epoch: datetime, raan_spread_deg: float, prefix: str,
) -> Constellation:
    for name, value in (("n_planes", n_planes), ("sats_per_plane", sats_per_plane)):
        if int(value) != value or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if int(phasing) != phasing or not 0 <= phasing < max(n_planes, 1):
        raise ValueError(f"phasing must be an integer in [0, n_planes), got {phasing!r}")
    if not 0 < raan_spread_deg <= 360:
        raise ValueError(f"raan_spread_deg must lie in (0, 360], got {raan_spread_deg}")
    alt_plane = np.broadcast_to(np.asarray(altitude_km, dtype=float), (n_planes,))
    total = n_planes * sats_per_plane
    p = np.repeat(np.arange(n_planes), sats_per_plane)
    k = np.tile(np.arange(sats_per_plane), n_planes)
    raan = p * raan_spread_deg / n_planes
    mean_anomaly = k * 360.0 / sats_per_plane + p * phasing * 360.0 / total
    names = [f"{prefix}-P{pi:02d}-S{ki:02d}" for pi, ki in zip(p, k)]
    c = from_elements(alt_plane[p], inclination_deg, raan, mean_anomaly, epoch, names=names, plane=p)
    return replace(c, slot_in_plane=k)  # slot k = k-th satellite of the pattern (same cyclic order)


def walker_delta(
    altitude_km: float | np.ndarray,
    inclination_deg: float,
    n_planes: int,
    sats_per_plane: int,
    phasing: int,
    epoch: datetime,
    raan_spread_deg: float = 360.0,
) -> Constellation:
    """Walker delta i:T/P/F with circular orbits (sgp4init, WGS72, no drag).

    Plane p has RAAN p*spread/P; satellite k of plane p has mean anomaly
    360*k/S + 360*F*p/T. ``altitude_km`` may be a scalar or one value per plane.
    """
    return _walker(altitude_km, inclination_deg, n_planes, sats_per_plane, phasing, epoch,
                   raan_spread_deg, "WALKER")


def walker_star(
    altitude_km: float | np.ndarray,
    inclination_deg: float,
    n_planes: int,
    sats_per_plane: int,
    phasing: int,
    epoch: datetime,
    raan_spread_deg: float = 180.0,
) -> Constellation:
    """Walker star (polar, Iridium-like): as :func:`walker_delta` with the RAANs spread over 180 deg."""
    return _walker(altitude_km, inclination_deg, n_planes, sats_per_plane, phasing, epoch,
                   raan_spread_deg, "STAR")
