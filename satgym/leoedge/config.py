"""Typed scenario configuration: frozen dataclasses with units in the field names.

A scenario is a :class:`ScenarioConfig`, built from a preset (:mod:`satgym.leoedge.presets`) plus
overrides given as a nested ``dict`` or a YAML file. Every field is validated in ``__post_init__``;
unknown keys and invalid values raise ``ValueError`` naming the field and the valid choices, and a
failed override leaves the preset untouched (configs are immutable).

Example::

    >>> from satgym.scenarios import make_config
    >>> cfg = make_config("leoedge", {"tasks": {"load": "heavy"}, "reward": {"alpha": 0.7}})
    >>> cfg.tasks.load, cfg.reward.alpha
    ('heavy', 0.7)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from satgym.leoedge.advantage import OPERATOR_NAMES
from satgym.config.validation import (
    check_choice,
    check_positive,
    check_range,
    check_non_negative,
)

LOAD_PROFILES = ("light", "normal", "heavy", "custom")
GROUND_SCHEDULERS = ("least_loaded", "round_robin", "random")  # satgym.leoedge.ground_cluster.SCHEDULERS
# Sec. IX-C: mean seconds between tasks per satellite (Light: one every 5-10 s, Normal: about one
# every 2 s, Heavy: about one per second).
LOAD_INTERARRIVAL_S = {"light": 7.5, "normal": 2.0, "heavy": 1.0}


@dataclass(frozen=True)
class StationSpec:
    """One ground station (WGS84 geodetic)."""

    name: str
    lat_deg: float
    lon_deg: float
    alt_km: float = 0.0

    def __post_init__(self) -> None:
        check_range("stations.lat_deg", self.lat_deg, -90.0, 90.0)
        check_range("stations.lon_deg", self.lon_deg, -180.0, 360.0)
        check_range("stations.alt_km", self.alt_km, -0.5, 10.0)


@dataclass(frozen=True)
class ConstellationConfig:
    """Where the satellites come from.

    ``source``: ``"elements"`` (explicit per-satellite circular orbits below), ``"walker_delta"``,
    ``"walker_star"``, or ``"file"`` (a TLE/OMM file: a shipped name such as ``"starlink.tle"`` or a
    local path).
    """

    source: str = "elements"
    # explicit elements (source="elements"): one entry per satellite
    altitude_km: tuple[float, ...] = ()
    inclination_deg: tuple[float, ...] = ()
    raan_deg: tuple[float, ...] = ()
    arg_latitude_deg: tuple[float, ...] = ()
    plane: tuple[int, ...] = ()
    # walker (source="walker_delta"/"walker_star")
    walker_altitude_km: float = 550.0
    walker_inclination_deg: float = 53.0
    n_planes: int = 6
    sats_per_plane: int = 10
    phasing: int = 1
    # file (source="file")
    file: str = ""
    name_prefix: str = ""
    max_sats: int = 0  # 0 = all
    epoch_utc: str = "2024-01-12T12:00:00"

    SOURCES = ("elements", "walker_delta", "walker_star", "file")
    # LEO (from 160 km) through MEO (2,000-35,786 km) to geostationary and just beyond
    ALTITUDE_RANGE_KM = (160.0, 50_000.0)

    def __post_init__(self) -> None:
        check_choice("constellation.source", self.source, self.SOURCES)
        if self.source == "elements":
            n = len(self.altitude_km)
            if n == 0:
                raise ValueError("constellation.altitude_km: needs one altitude per satellite")
            for name in ("inclination_deg", "raan_deg", "arg_latitude_deg", "plane"):
                if len(getattr(self, name)) != n:
                    raise ValueError(
                        f"constellation.{name}: needs {n} entries (one per satellite, like "
                        f"altitude_km), got {len(getattr(self, name))}"
                    )
            for alt in self.altitude_km:
                check_range("constellation.altitude_km", alt, *self.ALTITUDE_RANGE_KM)
        if self.source.startswith("walker"):
            check_range("constellation.walker_altitude_km", self.walker_altitude_km, *self.ALTITUDE_RANGE_KM)
            check_range("constellation.walker_inclination_deg", self.walker_inclination_deg, 0, 180)
            check_positive("constellation.n_planes", self.n_planes)
            check_positive("constellation.sats_per_plane", self.sats_per_plane)
        if self.source == "file" and not self.file:
            raise ValueError("constellation.file: required when source='file'")
        check_non_negative("constellation.max_sats", self.max_sats)


@dataclass(frozen=True)
class StationsConfig:
    """Ground stations: explicit ``stations`` plus optional shipped lists.

    ``extra``: ``""``, ``"cities:N"`` (the N most populous cities) or ``"starlink_gateways:N"``
    (N=0: all unique gateway sites).
    ``contact``: ``"geometry"`` (visibility from the orbits, the default) or ``"always"``: the
    literal idealisation of the LEOEdge paper's "communication time 92.75-104.56 min" (the orbital
    period), every satellite connected to its nearest station at every instant. Never a preset's
    default: it removes the contact windows the scheduling problem is about.
    """

    stations: tuple[StationSpec, ...] = ()
    extra: str = ""
    min_elevation_deg: float = 10.0
    selection: str = "longest"
    lookahead_s: float = 3600.0
    contact: str = "geometry"

    SELECTIONS = ("longest", "highest")
    CONTACTS = ("geometry", "always")  # satgym.core.ground_segment.CONTACT_MODES

    def __post_init__(self) -> None:
        check_range("stations.min_elevation_deg", self.min_elevation_deg, 0.0, 89.0)
        check_choice("stations.selection", self.selection, self.SELECTIONS)
        check_choice("stations.contact", self.contact, self.CONTACTS)
        check_positive("stations.lookahead_s", self.lookahead_s)
        if self.extra:
            kind, _, n = self.extra.partition(":")
            check_choice("stations.extra", kind, ("cities", "starlink_gateways"))
            if n and not n.isdigit():
                raise ValueError(f"stations.extra: count after ':' must be an integer, got {n!r}")
        if not self.stations and not self.extra:
            raise ValueError("stations: at least one ground station is needed (stations or extra)")


@dataclass(frozen=True)
class RelaySpec:
    """One geostationary data-relay satellite and the station its feeder link lands at."""

    name: str
    lon_deg: float
    feeder: str

    def __post_init__(self) -> None:
        check_range("relays.satellites.lon_deg", self.lon_deg, -180.0, 360.0)
        if not self.feeder:
            raise ValueError("relays.satellites.feeder: the name of a station of the scenario is required")


@dataclass(frozen=True)
class RelayConfig:
    """Geostationary data relay (NASA's TDRSS, China's Tianlian, ESA's EDRS): the path LEO
    missions use when no ground station is in view (``satgym.core.ground_segment``).

    A satellite in line of sight of a relay (the line clears the Earth by ``grazing_altitude_km``)
    and out of view of every station sends to the relay at ``rate_mbps``; the relay forwards over
    its feeder link to ``feeder`` and the feeder's fibre to the edge cluster. Propagation delay of
    both radio hops from the real geometry. Every user in view of a relay is served (the relay's
    channel count is not modelled).
    """

    satellites: tuple[RelaySpec, ...] = ()
    rate_mbps: float = 10.0
    grazing_altitude_km: float = 100.0
    feeder_min_elevation_deg: float = 5.0

    def __post_init__(self) -> None:
        check_positive("relays.rate_mbps", self.rate_mbps)
        check_range("relays.grazing_altitude_km", self.grazing_altitude_km, 0.0, 1000.0)
        check_range("relays.feeder_min_elevation_deg", self.feeder_min_elevation_deg, 0.0, 89.0)
        names = [r.name for r in self.satellites]
        if len(set(names)) != len(names):
            raise ValueError(f"relays.satellites: relay names must be unique, got {names}")


@dataclass(frozen=True)
class LinkConfig:
    """Satellite-ground and inter-satellite links (Eqs. 1, 24-26, 28).

    ``model``: ``"fixed"`` (``ground_rate_mbps``) or ``"shannon"`` (Remark 1, Eqs. 24-25, with the
    slant range from the real geometry as the distance).
    """

    model: str = "fixed"
    ground_rate_mbps: float = 10.0
    ground_loss: float = 0.02
    isl_rate_mbps: float = 100.0
    isl_loss: float = 0.01
    max_isl_range_km: float = 5000.0
    isl_refresh_s: float = 10.0  # how often the opportunistic inter-plane neighbours are recomputed
    packet_bits: int = 12_000
    # Shannon model (Eqs. 24-25)
    bandwidth_mhz: float = 2.0
    tx_power_w: float = 10.0
    gain_at_1m: float = 1e-3  # beta of Eq. 24, linear
    noise_w: float = 1e-13  # "alpha" (noise power) of Eq. 25

    MODELS = ("fixed", "shannon")

    def __post_init__(self) -> None:
        check_choice("links.model", self.model, self.MODELS)
        check_positive("links.ground_rate_mbps", self.ground_rate_mbps)
        check_positive("links.isl_rate_mbps", self.isl_rate_mbps)
        check_range("links.ground_loss", self.ground_loss, 0.0, 0.95)
        check_range("links.isl_loss", self.isl_loss, 0.0, 0.95)
        check_positive("links.max_isl_range_km", self.max_isl_range_km)
        check_positive("links.isl_refresh_s", self.isl_refresh_s)
        check_positive("links.packet_bits", self.packet_bits)
        for name in ("bandwidth_mhz", "tx_power_w", "gain_at_1m", "noise_w"):
            check_positive(f"links.{name}", getattr(self, name))


@dataclass(frozen=True)
class ComputeConfig:
    """On-board processors and the deployed models (Sec. IV-B, Tables II/III).

    ``processors``: catalogue names assigned to satellites in turn (empty: the whole catalogue).
    ``model``: the inference network, ``"mobilenetv3"`` or ``"shufflenetv2"``.
    ``models``: ``"original"`` (the tables' "w/o" latency, original accuracy) or ``"adaptive"``
    (the per-processor models of adaptive modelling).
    The ground model runs in every container: ``edge_exec_ms`` per inference unit, accuracy
    ``edge_accuracy`` (a_s >= a_i, Sec. IV-B: the printed a_s <= a_i is a typo). Defaults: a
    ConvNeXt-T-class network (82.1 % ImageNet top-1, 4.5 GFLOPs, at least as accurate as every
    satellite model of Tables II/III) on the paper's 4-core 4 GHz x86 container at about
    100 GFLOP/s effective: 45 ms per inference.
    """

    processors: tuple[str, ...] = ()
    model: str = "mobilenetv3"
    models: str = "original"
    edge_exec_ms: float = 45.0
    edge_accuracy: float = 0.821

    MODEL_NAMES = ("mobilenetv3", "shufflenetv2")
    MODEL_SOURCES = ("original", "adaptive")

    def __post_init__(self) -> None:
        check_choice("compute.model", self.model, self.MODEL_NAMES)
        check_choice("compute.models", self.models, self.MODEL_SOURCES)
        check_positive("compute.edge_exec_ms", self.edge_exec_ms)
        check_range("compute.edge_accuracy", self.edge_accuracy, 0.0, 1.0)


@dataclass(frozen=True)
class GroundConfig:
    """Edge clusters: LBS -> servers -> containers (Sec. IV-B, IX-A), and how stations reach them.

    ``clusters``: ``"per_station"`` (every station has its own cluster) or ``"shared"`` (every
    station is backhauled over terrestrial fibre to one cluster at ``cluster_site``, a station
    name; default the first station). Fibre delay: great-circle distance x
    ``backhaul_route_factor`` / ``backhaul_fibre_km_s`` (light in silica, c / 1.468).
    """

    servers: int = 3
    containers_per_server: int = 4
    load_cap: float = 0.5  # P of Eq. 6
    load_window_s: float = 1.0  # CPU occupancy L_o is measured over this window
    scheduler: str = "least_loaded"
    clusters: str = "per_station"
    cluster_site: str = ""
    backhaul_route_factor: float = 1.5
    backhaul_fibre_km_s: float = 204_000.0

    CLUSTERS = ("per_station", "shared")  # satgym.core.ground_segment.CLUSTER_MODES

    def __post_init__(self) -> None:
        check_choice("ground.clusters", self.clusters, self.CLUSTERS)
        if self.cluster_site and self.clusters != "shared":
            raise ValueError("ground.cluster_site: only meaningful with ground.clusters='shared'")
        check_range("ground.backhaul_route_factor", self.backhaul_route_factor, 1.0, 10.0)
        check_positive("ground.backhaul_fibre_km_s", self.backhaul_fibre_km_s)
        check_positive("ground.servers", self.servers)
        check_positive("ground.containers_per_server", self.containers_per_server)
        check_range("ground.load_cap", self.load_cap, 0.0, 1.0)
        check_positive("ground.load_window_s", self.load_window_s)
        check_choice("ground.scheduler", self.scheduler, GROUND_SCHEDULERS)


@dataclass(frozen=True)
class TaskConfig:
    """Task arrivals (Sec. IX-C load profiles) and task sizes.

    A task is an inference job of ``work`` units (image tiles): local time ``work * c(m_i)``, edge
    time ``work * c(m_e)``; raw data ``work * input_mbit_per_unit`` (times a log-normal spread) and a
    result of ``work * result_mbit_per_unit``.
    """

    load: str = "normal"
    interarrival_s: float = 0.0  # used when load="custom"
    time_of_day: bool = False
    work_min: int = 4
    work_max: int = 40
    input_mbit_per_unit: float = 0.16
    size_spread: float = 0.3  # sigma of the log-normal size jitter
    result_mbit_per_unit: float = 0.008
    return_probability: float = 0.5  # Case I share (result returns to the satellite)
    deadline_s: float = 0.0  # 0 = no deadline
    max_hold_s: float = 30.0

    def __post_init__(self) -> None:
        check_choice("tasks.load", self.load, LOAD_PROFILES)
        if self.load == "custom":
            check_positive("tasks.interarrival_s", self.interarrival_s)
        check_positive("tasks.work_min", self.work_min)
        if self.work_max < self.work_min:
            raise ValueError(
                f"tasks.work_max: must be >= work_min ({self.work_min}), got {self.work_max}"
            )
        check_positive("tasks.input_mbit_per_unit", self.input_mbit_per_unit)
        check_non_negative("tasks.size_spread", self.size_spread)
        check_non_negative("tasks.result_mbit_per_unit", self.result_mbit_per_unit)
        check_range("tasks.return_probability", self.return_probability, 0.0, 1.0)
        check_non_negative("tasks.deadline_s", self.deadline_s)
        check_positive("tasks.max_hold_s", self.max_hold_s)

    @property
    def mean_interarrival_s(self) -> float:
        if self.load == "custom":
            return self.interarrival_s
        return LOAD_INTERARRIVAL_S[self.load]


@dataclass(frozen=True)
class TransmissionConfig:
    """Seamless data transmission (Sec. VII, Algorithm 4).

    ``seamless``: plan direct / same-orbit relay / other-orbit relay / local (Alg. 4).
    ``on_contact_loss``: what happens to a transfer that outlives its contact window when planning
    is off or its estimate was wrong: ``"fail"`` or ``"wait"`` (resume at the next contact).
    """

    seamless: bool = True
    on_contact_loss: str = "fail"

    CONTACT_LOSS = ("fail", "wait")

    def __post_init__(self) -> None:
        check_choice("transmission.on_contact_loss", self.on_contact_loss, self.CONTACT_LOSS)


@dataclass(frozen=True)
class RewardConfig:
    """Shared reward: offloading-advantage operator (Eqs. 2-4) minus penalties."""

    operator: str = "log1p"
    alpha: float = 0.5
    time_ref_s: float = 1.0  # Delta_c is divided by this reference time
    overload_penalty: float = 1.0  # per unit of load above the cap P, per container, per step
    failure_penalty: float = 1.0  # per failed task
    advantage_weight: float = 1.0  # weight of the Eqs. 2-4 advantage term (the paper's reward)
    # per second of realised execution time (arrival to result) of the tasks completed in the
    # step, divided by time_ref_s and the number of satellites; 0 = the paper's reward. A
    # learning-friendly option aligned with the mean execution time metric.
    latency_weight: float = 0.0
    # agent i gets (1 - local_ratio) * shared + local_ratio * its own share (the terms restricted to
    # its own tasks, 1/n of the overload term; the shares sum to the shared reward), like MPE's
    # local_ratio. 0 = the paper's fully shared reward.
    local_ratio: float = 0.0
    # per second of realised execution time of every task, charged when its outcome becomes known
    # (an on-board task at its decision) to the satellite that decided it, a failed task charged
    # failure_charge_s, the tasks still open at the episode's end charged an estimate
    # (satgym.leoedge.attribution); divided by time_ref_s and the number of satellites. 0 = off.
    execution_time_weight: float = 0.0
    # what a failed task costs in the execution_time term, s: at least tasks.max_hold_s (the
    # latency of the longest hold), so that letting a task expire is never cheaper than running it
    failure_charge_s: float = 30.0
    # where Eq. 6's cap P applies in the overload term: "container" (each container's occupancy,
    # the paper's reading) or "cluster" (the cluster's mean occupancy x its containers: a single
    # task filling one container's window costs nothing while the cluster is under the cap)
    overload_scope: str = "container"

    OVERLOAD_SCOPES = ("container", "cluster")

    def __post_init__(self) -> None:
        check_choice("reward.operator", self.operator, OPERATOR_NAMES)
        check_range("reward.alpha", self.alpha, 0.0, 1.0)
        check_positive("reward.time_ref_s", self.time_ref_s)
        check_non_negative("reward.overload_penalty", self.overload_penalty)
        check_non_negative("reward.failure_penalty", self.failure_penalty)
        check_non_negative("reward.advantage_weight", self.advantage_weight)
        check_non_negative("reward.latency_weight", self.latency_weight)
        check_range("reward.local_ratio", self.local_ratio, 0.0, 1.0)
        check_non_negative("reward.execution_time_weight", self.execution_time_weight)
        check_non_negative("reward.failure_charge_s", self.failure_charge_s)
        check_choice("reward.overload_scope", self.overload_scope, self.OVERLOAD_SCOPES)


@dataclass(frozen=True)
class EpisodeConfig:
    """Time grid and episode start.

    ``start``: ``"epoch"`` (start at ``constellation.epoch_utc`` + ``offset_s``), ``"random"`` (a
    uniform offset in [0, ``start_window_s``) drawn from the reset RNG) or ``"next_contact"`` (like
    random, then moved to ``lead_s`` before the next satellite-station contact).
    """

    slot_s: float = 1.0
    steps: int = 600
    start: str = "next_contact"
    offset_s: float = 0.0
    start_window_s: float = 86_400.0
    lead_s: float = 30.0
    decision_slots: int = 4

    STARTS = ("epoch", "random", "next_contact")

    def __post_init__(self) -> None:
        check_positive("episode.slot_s", self.slot_s)
        check_positive("episode.steps", self.steps)
        check_choice("episode.start", self.start, self.STARTS)
        check_non_negative("episode.offset_s", self.offset_s)
        check_positive("episode.start_window_s", self.start_window_s)
        check_non_negative("episode.lead_s", self.lead_s)
        check_range("episode.decision_slots", self.decision_slots, 1, 64)


@dataclass(frozen=True)
class ScenarioConfig:
    """A complete scenario. Build with :func:`satgym.make_config` (or :func:`satgym.leoedge.presets.make_config`)."""

    name: str = "custom"
    constellation: ConstellationConfig = field(default_factory=ConstellationConfig)
    stations: StationsConfig = field(
        default_factory=lambda: StationsConfig(stations=(StationSpec("Miyun", 40.45, 116.86, 0.1),))
    )
    relays: RelayConfig = field(default_factory=RelayConfig)
    links: LinkConfig = field(default_factory=LinkConfig)
    compute: ComputeConfig = field(default_factory=ComputeConfig)
    ground: GroundConfig = field(default_factory=GroundConfig)
    tasks: TaskConfig = field(default_factory=TaskConfig)
    transmission: TransmissionConfig = field(default_factory=TransmissionConfig)
    reward: RewardConfig = field(default_factory=RewardConfig)
    episode: EpisodeConfig = field(default_factory=EpisodeConfig)
