"""Typed configuration of the Arctic family (hybrid LEO-MEO task offloading, Almekhlafi et al.):
frozen dataclasses with units in the field names, validated in ``__post_init__``.

A scenario is an :class:`ArcticConfig`: orbital layers (any number; each with its resource blocks,
CPU and antenna), which of them the architecture uses, the users around a site, their tasks, the
uplink radio, on-board computing, inter-satellite links, the visibility threshold, how many
candidate paths an agent sees, the objective's weights and the time grid. Presets are data
(:mod:`satgym.arctic.presets`); overrides are nested dicts or YAML, unknown keys and invalid values
raise ``ValueError`` naming the field.

>>> from satgym.scenarios import make_config
>>> cfg = make_config("arctic", {"visibility": {"min_elevation_deg": 50.0}, "architecture": "leo-only"})
>>> cfg.visibility.min_elevation_deg, [layer.name for layer in cfg.active_layers]
(50.0, ['starlink'])
>>> make_config("arctic", {"visibility": {"min_elevation_deg": 95.0}})
Traceback (most recent call last):
...
ValueError: visibility.min_elevation_deg: must be in [0.0, 90.0], got 95.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timezone

from satgym.config.validation import check_choice, check_non_negative, check_positive, check_range

__all__ = [
    "ARCHITECTURES",
    "parse_epoch",
    "LAYER_KINDS",
    "ArcticConfig",
    "CandidateConfig",
    "ComputeConfig",
    "EpisodeConfig",
    "IslConfig",
    "LayerConfig",
    "RadioConfig",
    "RewardConfig",
    "TaskConfig",
    "UsersConfig",
    "VisibilityConfig",
]

#: which layers an architecture uses (Sec. VI: the hybrid scheme and its two baselines)
ARCHITECTURES = {"hybrid": ("leo", "meo"), "leo-only": ("leo",), "meo-only": ("meo",)}
LAYER_KINDS = ("leo", "meo")
#: LEO from 160 km through MEO (2,000-35,786 km) to geostationary altitude and just beyond
ALTITUDE_RANGE_KM = (160.0, 50_000.0)
#: mean number of active users per slot of the named loads (Sec. VI: Poisson with lambda = 5)
LOAD_ACTIVE_MEAN = {"light": 2.5, "normal": 5.0, "heavy": 10.0}
LOADS = (*LOAD_ACTIVE_MEAN, "custom")


def parse_epoch(text: str) -> datetime:
    """An ISO date-time as UTC (naive times are UTC).

    >>> parse_epoch("2024-01-12T12:00:00").isoformat()
    '2024-01-12T12:00:00+00:00'
    """
    try:
        when = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        raise ValueError(f"episode.epoch_utc: {text!r} is not an ISO date-time such as '2024-01-12T12:00:00'") from None
    return when.replace(tzinfo=timezone.utc) if when.tzinfo is None else when.astimezone(timezone.utc)


@dataclass(frozen=True)
class LayerConfig:
    """One orbital layer and the resources of each of its satellites.

    ``source``: ``"file"`` (a TLE/OMM element set: a shipped name such as ``"starlink.tle"`` or a
    local path, propagated with SGP4) or ``"planes"`` (circular orbits: one entry of
    ``inclination_deg`` and ``raan_deg`` per plane, ``sats_per_plane`` evenly spaced in argument of
    latitude, plane ``p`` shifted by ``p * phase_offset_deg``).
    ``kind`` (``"leo"`` or ``"meo"``) says which architectures use the layer.
    """

    name: str
    kind: str
    source: str
    file: str = ""
    name_prefix: str = ""
    max_sats: int = 0  # 0 = all
    altitude_km: float = 2100.0
    inclination_deg: tuple[float, ...] = ()
    raan_deg: tuple[float, ...] = ()
    sats_per_plane: int = 10
    phase_offset_deg: float = 0.0
    resource_blocks: int = 25  # B_s of Eq. 4
    cpu_ghz: float = 5.0  # F_s of Eqs. 11-12
    antenna_gain_dbi: float = 20.0

    SOURCES = ("file", "planes")

    def __post_init__(self) -> None:
        where = f"layers[{self.name!r}]"
        if not self.name:
            raise ValueError("layers.name: a non-empty name is required")
        check_choice(f"{where}.kind", self.kind, LAYER_KINDS)
        check_choice(f"{where}.source", self.source, self.SOURCES)
        if self.source == "file" and not self.file:
            raise ValueError(f"{where}.file: required when source='file'")
        if self.source == "planes":
            check_range(f"{where}.altitude_km", self.altitude_km, *ALTITUDE_RANGE_KM)
            if not self.inclination_deg or len(self.raan_deg) != len(self.inclination_deg):
                raise ValueError(f"{where}.raan_deg: needs one entry per plane, like inclination_deg "
                                 f"({len(self.inclination_deg)} planes), got {len(self.raan_deg)}")
            for inc in self.inclination_deg:
                check_range(f"{where}.inclination_deg", inc, 0.0, 180.0)
            if self.sats_per_plane < 1:
                raise ValueError(f"{where}.sats_per_plane: must be >= 1, got {self.sats_per_plane}")
        check_non_negative(f"{where}.max_sats", self.max_sats)
        if self.resource_blocks < 1:
            raise ValueError(f"{where}.resource_blocks: must be >= 1, got {self.resource_blocks}")
        check_positive(f"{where}.cpu_ghz", self.cpu_ghz)
        check_range(f"{where}.antenna_gain_dbi", self.antenna_gain_dbi, -30.0, 80.0)


@dataclass(frozen=True)
class UsersConfig:
    """``count`` users placed uniformly at random (by area) within ``radius_km`` of the site, drawn at
    every reset. Default site: Ivujivik as the paper gives it (62 N, 77.5 W)."""

    count: int = 100
    site_lat_deg: float = 62.0
    site_lon_deg: float = -77.5
    site_alt_km: float = 0.0
    radius_km: float = 50.0

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"users.count: must be >= 1, got {self.count}")
        check_range("users.site_lat_deg", self.site_lat_deg, -90.0, 90.0)
        check_range("users.site_lon_deg", self.site_lon_deg, -180.0, 360.0)
        check_range("users.site_alt_km", self.site_alt_km, -0.5, 10.0)
        check_range("users.radius_km", self.radius_km, 0.0, 1000.0)


@dataclass(frozen=True)
class TaskConfig:
    """Each active user has one task per slot: ``zeta`` bits drawn uniformly from ``size_mbit``,
    ``X = cycles_per_bit * zeta`` CPU cycles, deadline ``deadline_s`` (tau^max = tau^th, Sec. VI).

    Active users per slot ~ Poisson(lambda): ``load`` ``"normal"`` is the paper's lambda = 5;
    ``"light"`` / ``"heavy"`` halve / double it; ``"custom"`` uses ``active_mean``."""

    load: str = "normal"
    active_mean: float = 5.0
    size_mbit: tuple[float, ...] = (1.0, 2.0)
    cycles_per_bit: float = 1000.0
    deadline_s: float = 3.0

    def __post_init__(self) -> None:
        check_choice("tasks.load", self.load, LOADS)
        check_positive("tasks.active_mean", self.active_mean)
        if not self.size_mbit:
            raise ValueError("tasks.size_mbit: at least one task size is needed")
        for size in self.size_mbit:
            check_positive("tasks.size_mbit", size)
        check_positive("tasks.cycles_per_bit", self.cycles_per_bit)
        check_range("tasks.deadline_s", self.deadline_s, 0.01, 60.0)

    @property
    def mean_active(self) -> float:
        return self.active_mean if self.load == "custom" else LOAD_ACTIVE_MEAN[self.load]


@dataclass(frozen=True)
class RadioConfig:
    """The uplink (Eq. 6): resource blocks of ``rb_bandwidth_khz``; ``user_power_w`` per block
    (17 dBm = 0.0501 W), user antenna ``user_gain_dbi``, the satellite's from its layer, free-space
    path loss at ``carrier_ghz`` with Rician fading of factor ``rician_k`` (linear), noise density
    ``noise_density_dbm_hz``. The paper gives no carrier: S band (2 GHz, 3GPP NTN band n256's
    uplink, 1980-2010 MHz) by default; ``experiments/arctic_offloading.py`` shows how the results
    move with it."""

    carrier_ghz: float = 2.0
    rb_bandwidth_khz: float = 180.0
    user_power_w: float = 10 ** (17.0 / 10.0) / 1000.0
    user_gain_dbi: float = 5.0
    noise_density_dbm_hz: float = -174.0
    rician_k: float = 10.0

    def __post_init__(self) -> None:
        check_range("radio.carrier_ghz", self.carrier_ghz, 0.1, 100.0)
        check_positive("radio.rb_bandwidth_khz", self.rb_bandwidth_khz)
        check_positive("radio.user_power_w", self.user_power_w)
        check_range("radio.user_gain_dbi", self.user_gain_dbi, -30.0, 60.0)
        check_range("radio.noise_density_dbm_hz", self.noise_density_dbm_hz, -230.0, -100.0)
        check_non_negative("radio.rician_k", self.rician_k)


@dataclass(frozen=True)
class ComputeConfig:
    """On-board computing (Eqs. 11-12): effective switched capacitance ``kappa_w_s3_per_cycle3``
    and the grid of CPU shares an agent can request (``1/levels, 2/levels, ..., 1``)."""

    kappa_w_s3_per_cycle3: float = 1e-28
    cpu_share_levels: int = 20

    def __post_init__(self) -> None:
        check_positive("compute.kappa_w_s3_per_cycle3", self.kappa_w_s3_per_cycle3)
        if not 1 <= self.cpu_share_levels <= 1000:
            raise ValueError(f"compute.cpu_share_levels: must be in [1, 1000], got {self.cpu_share_levels}")


@dataclass(frozen=True)
class IslConfig:
    """Inter-satellite links: the "+Grid" within each layer (fore/aft in the plane, one partner per
    adjacent plane), and ``cross_layer_links`` links from each MEO satellite to its nearest LEO
    satellites (hybrid). A link needs range <= ``max_range_km`` and a chord clearing the Earth by
    ``clearance_altitude_km``. Routes are shortest by length (Sec. III: K, the shortest paths) and
    at most ``max_path_km`` long. ISL transmission time is neglected (Sec. III-D a)); propagation
    d_k / c counts."""

    max_range_km: float = 6000.0
    clearance_altitude_km: float = 80.0
    cross_layer_links: int = 4
    max_path_km: float = 5000.0

    def __post_init__(self) -> None:
        check_positive("isl.max_range_km", self.max_range_km)
        check_range("isl.clearance_altitude_km", self.clearance_altitude_km, 0.0, 1000.0)
        check_non_negative("isl.cross_layer_links", self.cross_layer_links)
        check_non_negative("isl.max_path_km", self.max_path_km)


@dataclass(frozen=True)
class VisibilityConfig:
    """A user sees a satellite while its elevation is at least ``min_elevation_deg`` (Fig. 3's
    threshold; default 25 deg, the minimum elevation of Starlink's user terminals). Windows
    ``(v_start, v_end)`` over the task deadline come from elevations sampled every ``sample_s``."""

    min_elevation_deg: float = 25.0
    sample_s: float = 1.0

    def __post_init__(self) -> None:
        check_range("visibility.min_elevation_deg", self.min_elevation_deg, 0.0, 90.0)
        check_range("visibility.sample_s", self.sample_s, 0.05, 10.0)


@dataclass(frozen=True)
class CandidateConfig:
    """What an agent chooses among: the ``n_candidates`` (access, computing) satellite pairs of
    shortest best-case delay, at most ``per_access`` per access satellite; for each, up to
    ``result_paths`` result paths (FP) by propagation delay."""

    n_candidates: int = 8
    per_access: int = 3
    result_paths: int = 4

    def __post_init__(self) -> None:
        for name in ("n_candidates", "per_access", "result_paths"):
            value = getattr(self, name)
            if not 1 <= value <= 64:
                raise ValueError(f"candidates.{name}: must be in [1, 64], got {value}")


@dataclass(frozen=True)
class RewardConfig:
    """Eq. 19 per slot: admitted tasks - alpha_1 normalised energy - alpha_2 normalised delay
    (alpha_1 = alpha_2 = 0.1, Sec. VI), with ``failure_penalty`` per refused or failing request
    (0: the paper's objective)."""

    alpha_energy: float = 0.1
    alpha_delay: float = 0.1
    failure_penalty: float = 0.0

    def __post_init__(self) -> None:
        check_range("reward.alpha_energy", self.alpha_energy, 0.0, 1.0)
        check_range("reward.alpha_delay", self.alpha_delay, 0.0, 1.0)
        check_non_negative("reward.failure_penalty", self.failure_penalty)


@dataclass(frozen=True)
class EpisodeConfig:
    """Slots of ``slot_s``; ``steps`` slots per episode. ``start``: ``"epoch"`` (``epoch_utc``
    plus ``offset_s``) or ``"random"`` (a uniform offset in ``[0, start_window_s)`` from the reset
    RNG, whole multiples of ``slot_s``)."""

    slot_s: float = 1.0
    steps: int = 60
    start: str = "random"
    epoch_utc: str = "2024-01-12T12:00:00"
    offset_s: float = 0.0
    start_window_s: float = 86_400.0

    STARTS = ("epoch", "random")

    def __post_init__(self) -> None:
        check_range("episode.slot_s", self.slot_s, 0.01, 3600.0)
        if self.steps < 1:
            raise ValueError(f"episode.steps: must be >= 1, got {self.steps}")
        check_choice("episode.start", self.start, self.STARTS)
        parse_epoch(self.epoch_utc)
        check_non_negative("episode.offset_s", self.offset_s)
        check_positive("episode.start_window_s", self.start_window_s)


@dataclass(frozen=True)
class ArcticConfig:
    """A complete Arctic scenario (build with :func:`satgym.make_config`)."""

    name: str = "custom"
    architecture: str = "hybrid"
    layers: tuple[LayerConfig, ...] = ()
    users: UsersConfig = field(default_factory=UsersConfig)
    tasks: TaskConfig = field(default_factory=TaskConfig)
    radio: RadioConfig = field(default_factory=RadioConfig)
    compute: ComputeConfig = field(default_factory=ComputeConfig)
    isl: IslConfig = field(default_factory=IslConfig)
    visibility: VisibilityConfig = field(default_factory=VisibilityConfig)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    reward: RewardConfig = field(default_factory=RewardConfig)
    episode: EpisodeConfig = field(default_factory=EpisodeConfig)

    def __post_init__(self) -> None:
        check_choice("architecture", self.architecture, tuple(ARCHITECTURES))
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layers: layer names must be unique, got {names}")
        if not self.active_layers:
            kinds = sorted({layer.kind for layer in self.layers})
            raise ValueError(f"architecture: {self.architecture!r} uses {' and '.join(ARCHITECTURES[self.architecture])} "
                             f"layers, but the scenario's layers are {kinds or 'none'}")
        if self.visibility.sample_s > self.tasks.deadline_s:
            raise ValueError(f"visibility.sample_s: must be <= tasks.deadline_s ({self.tasks.deadline_s}), "
                             f"got {self.visibility.sample_s}")

    @property
    def active_layers(self) -> tuple[LayerConfig, ...]:
        """The layers the architecture uses, in order."""
        return tuple(layer for layer in self.layers if layer.kind in ARCHITECTURES[self.architecture])

    @property
    def horizon_s(self) -> float:
        """How far ahead visibility windows are sampled: the deadline, on the sample grid."""
        return math.ceil(self.tasks.deadline_s / self.visibility.sample_s - 1e-9) * self.visibility.sample_s

    @property
    def max_resource_blocks(self) -> int:
        return max(layer.resource_blocks for layer in self.active_layers)
