"""AA-MEC scenario configuration: frozen dataclasses with units in the field names (presets as data
in :mod:`satgym.aamec.presets`).

The paper's numbers (von Mankowski et al., "Design and Optimization of Aerial-Aided Multi-Access
Edge Computing towards 6G") are the defaults: Table 1 (gateways), Table 4 / Eq. 15 (compute),
Table 5 (link capacities), Sec. 6 (5-min snapshots over 4 h). Inputs our copy of the paper does
not give are documented where they are set (:data:`TABLE3`, :class:`TaskConfig`).

>>> from satgym.aamec.presets import make_config
>>> cfg = make_config("aamec", {"tasks": {"load": "heavy"}, "aircraft": {"mec_ratio": 0.4}})
>>> cfg.tasks.rate_per_s, cfg.compute.sat_tasks_per_s, cfg.compute.mec_tasks_per_s
(100.0, 80, 2844)
>>> make_config("aamec", {"gateways": {"names": ["Rome", "Paris"]}})
Traceback (most recent call last):
...
ValueError: gateways.names: 'Paris' is not valid; choose one of 'Beijing', 'Fairbanks', 'Iqaluit', 'Izhevsk', 'Longyearbyen', 'Punta Arenas', 'Rome', 'Tempe', 'Wahiawa', 'Yellowknife'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from satgym.config.validation import check_choice, check_non_negative, check_positive, check_range

__all__ = [
    "AAMECConfig",
    "AircraftConfig",
    "ComputeConfig",
    "ConstellationConfig",
    "EpisodeConfig",
    "GATEWAYS",
    "GatewayConfig",
    "IFECSConfig",
    "LOAD_RATES",
    "LinkConfig",
    "RewardConfig",
    "ServiceSpec",
    "TABLE3",
    "TaskConfig",
]

# Table 1: Iridium NEXT gateways (each deploys a MEC server, Sec. 6). "Ischewsk" in Table 1 is
# Izhevsk (Table 9 spells it so).
GATEWAYS: dict[str, tuple[float, float]] = {
    "Beijing": (39.92, 116.388),
    "Fairbanks": (64.838, -147.716),
    "Iqaluit": (63.733, -68.5),
    "Izhevsk": (56.85, 53.204),
    "Longyearbyen": (79.0, 17.66),
    "Punta Arenas": (-53.315, -71.58),
    "Rome": (41.9, 12.483),
    "Tempe": (33.415, -111.909),
    "Wahiawa": (21.503, -158.024),
    "Yellowknife": (62.45, -114.35),
}

# Satellite task arrival rate lambda (Eq. 14) per load profile, tasks/s per satellite. Not in our
# copy of the paper (Fig. 3b / Fig. 7 show three values). Chosen around the on-board capacity of
# 80 tasks/s (Table 4): at 80 about half the satellites exceed it in a snapshot, at 100 almost all
# do (Sec. 6.3, Table 10: "as soon as we saturate the local computing capabilities").
LOAD_RATES: dict[str, float] = {"light": 80.0, "normal": 90.0, "heavy": 100.0}


@dataclass(frozen=True)
class ServiceSpec:
    """One IFECS service (a row of Table 3): share of IFECS users rho_k, rate per user beta_k
    (Eq. 1), packet size (Eq. 3) and the packet delay bound (Eq. 10)."""

    name: str = "service"
    qci: int = 9
    user_share: float = 0.25
    rate_mbps_per_user: float = 0.1
    packet_bytes: int = 1500
    delay_budget_ms: float = 300.0

    def __post_init__(self) -> None:
        check_range(f"ifecs.services[{self.name}].user_share", self.user_share, 0.0, 1.0)
        check_non_negative(f"ifecs.services[{self.name}].rate_mbps_per_user", self.rate_mbps_per_user)
        check_positive(f"ifecs.services[{self.name}].packet_bytes", self.packet_bytes)
        check_positive(f"ifecs.services[{self.name}].delay_budget_ms", self.delay_budget_ms)


# Table 3 is not in our copy of the paper. Reconstruction: delay budgets are the 3GPP QCI packet
# delay budgets of TS 23.203 Table 6.1.7 (the paper cites ETSI TS 123 203 v13.6.0, [27]):
# web = QCI 8 (TCP-based www, 300 ms), gaming = QCI 3 (real-time gaming, 50 ms), VoIP = QCI 1
# (conversational voice, 100 ms), video = QCI 4 (buffered streaming, 300 ms). Packet sizes: MTU
# 1500 B for web and video, 150 B game updates, 200 B VoIP (G.711, 20 ms frames, 160 B + 40 B
# IP/UDP/RTP). Per-user rates: VoIP 80 kbit/s (G.711 with headers), gaming 0.1 Mbit/s, web
# 0.5 Mbit/s; the video rate and the user shares are chosen so that video is 67.5 % of the traffic,
# the share the paper states (Sec. 6.2): 0.35 * 1.44 / (0.45 * 0.5 + 0.1 * 0.1 + 0.1 * 0.08 +
# 0.35 * 1.44) = 0.675.
TABLE3: tuple[ServiceSpec, ...] = (
    ServiceSpec("web", 8, 0.45, 0.5, 1500, 300.0),
    ServiceSpec("gaming", 3, 0.10, 0.1, 150, 50.0),
    ServiceSpec("voip", 1, 0.10, 0.08, 200, 100.0),
    ServiceSpec("video", 4, 0.35, 1.44, 1500, 300.0),
)


@dataclass(frozen=True)
class ConstellationConfig:
    """Iridium NEXT (Sec. 3.1): 66 satellites, 6 planes of 11 at 781 km.

    ``source``: ``"tle"`` (the shipped CelesTrak ``iridium-NEXT`` group, reduced to the operational
    satellites by :func:`satgym.core.orbits.select_operational`) or ``"walker_star"`` (circular
    orbits, RAANs over 180 deg, adjacent planes half a slot apart: phasing F = 3 of T = 66).
    ISLs: fore/aft in the plane and the nearest satellite of each adjacent plane within
    ``max_isl_range_km`` with line of sight; none across the counter-rotating seam.
    """

    source: str = "tle"
    file: str = "tle/iridium-next.tle"
    altitude_tolerance_km: float = 10.0
    altitude_km: float = 781.0
    inclination_deg: float = 86.4
    n_planes: int = 6
    sats_per_plane: int = 11
    phasing: int = 3
    max_isl_range_km: float = 5000.0

    SOURCES = ("tle", "walker_star")

    def __post_init__(self) -> None:
        check_choice("constellation.source", self.source, self.SOURCES)
        check_positive("constellation.altitude_tolerance_km", self.altitude_tolerance_km)
        check_range("constellation.altitude_km", self.altitude_km, 160.0, 2000.0)
        check_range("constellation.inclination_deg", self.inclination_deg, 0.0, 180.0)
        check_positive("constellation.n_planes", self.n_planes)
        check_positive("constellation.sats_per_plane", self.sats_per_plane)
        check_range("constellation.phasing", self.phasing, 0, self.n_planes - 1)
        check_positive("constellation.max_isl_range_km", self.max_isl_range_km)
        if self.source == "tle" and not self.file:
            raise ValueError("constellation.file: required when source='tle'")


@dataclass(frozen=True)
class GatewayConfig:
    """Which Table 1 gateways exist (each with a MEC server), and their satellite visibility.

    Each gateway is linked to at most one satellite at a time (Eqs. 12, 25); which one is the
    gateway matching (the environment's, or a policy's plan). 8.2 deg is Iridium's minimum
    elevation angle.
    """

    names: tuple[str, ...] = tuple(GATEWAYS)
    min_elevation_deg: float = 8.2

    def __post_init__(self) -> None:
        if not self.names:
            raise ValueError("gateways.names: at least one gateway is needed")
        for name in self.names:
            check_choice("gateways.names", name, tuple(GATEWAYS))
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"gateways.names: a gateway is listed twice in {self.names!r}")
        check_range("gateways.min_elevation_deg", self.min_elevation_deg, 0.0, 89.0)


@dataclass(frozen=True)
class AircraftConfig:
    """Flights between real city pairs (the shipped top-100 city list), flown along great circles
    at cruise speed and altitude; a fraction ``mec_ratio`` of them carries a MEC server (Sec. 6:
    0, 0.2, 0.4). Passengers per aircraft: triangular on [132, 853] with mode 180 (Sec. 5.1).

    Only city pairs at least ``min_route_km`` apart are flown (long-haul flights); an aircraft that
    reaches its destination flies back.
    Each aircraft has ``satellite_terminals`` satellite terminals pointed at the highest satellites
    in view (elevation >= ``min_elevation_deg``). Air-to-air links reach ``a2a_max_range_km``
    (L-DACS A2A: 200 NM), direct air-to-ground links to a gateway ``da2g_max_range_km`` (slant
    range; our choice, a large DA2G cell) above ``da2g_min_elevation_deg``.
    """

    count: int = 100
    mec_ratio: float = 0.2
    cruise_speed_kmh: float = 900.0
    cruise_altitude_km: float = 10.7
    min_route_km: float = 5000.0
    cities: int = 100
    passengers_min: int = 132
    passengers_mode: int = 180
    passengers_max: int = 853
    satellite_terminals: int = 1
    min_elevation_deg: float = 8.2
    a2a_max_range_km: float = 370.0
    da2g_max_range_km: float = 300.0
    da2g_min_elevation_deg: float = 0.5

    def __post_init__(self) -> None:
        check_non_negative("aircraft.count", self.count)
        check_range("aircraft.mec_ratio", self.mec_ratio, 0.0, 1.0)
        check_positive("aircraft.cruise_speed_kmh", self.cruise_speed_kmh)
        check_range("aircraft.cruise_altitude_km", self.cruise_altitude_km, 0.1, 20.0)
        check_positive("aircraft.min_route_km", self.min_route_km)
        check_range("aircraft.cities", self.cities, 2, 100)
        check_positive("aircraft.passengers_min", self.passengers_min)
        if not self.passengers_min <= self.passengers_mode <= self.passengers_max:
            raise ValueError(
                "aircraft.passengers_mode: need passengers_min <= passengers_mode <= passengers_max, got "
                f"{self.passengers_min}, {self.passengers_mode}, {self.passengers_max}"
            )
        check_range("aircraft.satellite_terminals", self.satellite_terminals, 1, 8)
        check_range("aircraft.min_elevation_deg", self.min_elevation_deg, 0.0, 89.0)
        check_non_negative("aircraft.a2a_max_range_km", self.a2a_max_range_km)
        check_non_negative("aircraft.da2g_max_range_km", self.da2g_max_range_km)
        check_range("aircraft.da2g_min_elevation_deg", self.da2g_min_elevation_deg, 0.0, 89.0)


@dataclass(frozen=True)
class LinkConfig:
    """Link capacities of Table 5, Mbps."""

    sat_sat_mbps: float = 125.0
    sat_aircraft_mbps: float = 112.0
    sat_gateway_mbps: float = 500.0
    aircraft_aircraft_mbps: float = 45.0
    aircraft_gateway_mbps: float = 75.0

    def __post_init__(self) -> None:
        for name in ("sat_sat_mbps", "sat_aircraft_mbps", "sat_gateway_mbps", "aircraft_aircraft_mbps",
                     "aircraft_gateway_mbps"):
            check_positive(f"links.{name}", getattr(self, name))


@dataclass(frozen=True)
class ComputeConfig:
    """Processors of Table 4; capacity in MIPS = f x IPC x cores (Eq. 15).

    ``task_minstr``: million instructions per task. Table 4's "Tasks" column (80 and 2844 for
    2000 and 71 120 MIPS) implies 25 MI per task, so capacities are in tasks per second.
    """

    sat_clock_ghz: float = 1.0  # ARM Cortex-A8
    sat_ipc: float = 2.0
    sat_cores: int = 1
    mec_clock_ghz: float = 2.8  # ARM Cortex-A73
    mec_ipc: float = 6.35
    mec_cores: int = 4
    task_minstr: float = 25.0

    def __post_init__(self) -> None:
        for name in ("sat_clock_ghz", "sat_ipc", "sat_cores", "mec_clock_ghz", "mec_ipc", "mec_cores", "task_minstr"):
            check_positive(f"compute.{name}", getattr(self, name))

    @property
    def sat_mips(self) -> float:
        return self.sat_clock_ghz * 1e3 * self.sat_ipc * self.sat_cores  # Eq. 15

    @property
    def mec_mips(self) -> float:
        return self.mec_clock_ghz * 1e3 * self.mec_ipc * self.mec_cores  # Eq. 15

    @property
    def sat_tasks_per_s(self) -> int:
        return int(math.floor(self.sat_mips / self.task_minstr + 1e-9))

    @property
    def mec_tasks_per_s(self) -> int:
        return int(math.floor(self.mec_mips / self.task_minstr + 1e-9))


@dataclass(frozen=True)
class TaskConfig:
    """Satellite tasks (Sec. 5.2). In every snapshot satellite s draws its task rate
    N_s ~ Poisson(lambda) tasks/s (Eq. 14); the excess over its on-board capacity is offloaded as
    a flow of ``task_mbit`` per task (Eqs. 16-17) that must complete within ``deadline_s`` (Eq. 23).

    The paper's task size ("processes ... MB"), deadline ("... ms") and the lambda values are not
    in our copy. Our values: 0.4 Mbit (50 kB) per task and 1 s, so that one satellite's excess at
    lambda = 100 (about 20 tasks/s, 8 Mbps) fits a 125 Mbps ISL many times over and the ISLs stay
    feasible when the flows of a region converge on one gateway; lambda from :data:`LOAD_RATES`
    (``load``) or ``arrival_rate_per_s`` with ``load="custom"``.
    """

    load: str = "normal"
    arrival_rate_per_s: float = 0.0
    task_mbit: float = 0.4
    deadline_s: float = 1.0

    LOADS = ("light", "normal", "heavy", "custom")

    def __post_init__(self) -> None:
        check_choice("tasks.load", self.load, self.LOADS)
        if self.load == "custom":
            check_positive("tasks.arrival_rate_per_s", self.arrival_rate_per_s)
        else:
            check_non_negative("tasks.arrival_rate_per_s", self.arrival_rate_per_s)
        check_positive("tasks.task_mbit", self.task_mbit)
        check_positive("tasks.deadline_s", self.deadline_s)

    @property
    def rate_per_s(self) -> float:
        """lambda of Eq. 14, tasks/s per satellite."""
        return self.arrival_rate_per_s if self.load == "custom" else LOAD_RATES[self.load]


@dataclass(frozen=True)
class IFECSConfig:
    """In-flight entertainment and connectivity (Sec. 5.1): a share ``user_ratio`` (rho) of the
    passengers use IFECS, split over the services of :data:`TABLE3` (Eq. 1). rho is not in our copy
    (the paper cites [7]); 0.1 is an in-flight Wi-Fi take rate of the order airlines report."""

    user_ratio: float = 0.1
    services: tuple[ServiceSpec, ...] = TABLE3

    def __post_init__(self) -> None:
        check_range("ifecs.user_ratio", self.user_ratio, 0.0, 1.0)
        if not self.services:
            raise ValueError("ifecs.services: at least one service is needed")
        share = sum(s.user_share for s in self.services)
        if abs(share - 1.0) > 1e-6:
            raise ValueError(f"ifecs.services: the user_share values must sum to 1, got {share:g}")
        names = [s.name for s in self.services]
        if len(set(names)) != len(names):
            raise ValueError(f"ifecs.services: service names must be unique, got {names}")


@dataclass(frozen=True)
class RewardConfig:
    """Shared reward terms (see the env docstring): ``latency_weight`` per second of mean
    completion time (Eq. 20) of the offloaded flows, ``drop_penalty`` per flow's worth of dropped
    or late tasks (a fully dropped flow costs ``drop_penalty`` seconds-equivalent)."""

    latency_weight: float = 1.0
    drop_penalty: float = 2.0

    def __post_init__(self) -> None:
        check_non_negative("reward.latency_weight", self.latency_weight)
        check_non_negative("reward.drop_penalty", self.drop_penalty)


@dataclass(frozen=True)
class EpisodeConfig:
    """Snapshots every ``snapshot_s`` (5 min, Sec. 5/6), ``steps`` of them (48 = 4 h).

    ``start``: ``"fixed"`` (``start_utc``) or ``"random"`` (``start_utc`` plus a uniform offset in
    [0, ``start_window_s``) from the reset RNG). The paper's window is 2021-08-18 12:00-16:00 UTC;
    ours is the same time of day on 2024-01-13, within a day of the shipped element sets (SGP4 is
    accurate near its epochs). ``destinations``: K, the MEC candidates offered to each agent.
    """

    snapshot_s: float = 300.0
    steps: int = 48
    start_utc: str = "2024-01-13T12:00:00"
    start: str = "fixed"
    start_window_s: float = 86_400.0
    destinations: int = 8

    STARTS = ("fixed", "random")

    def __post_init__(self) -> None:
        check_positive("episode.snapshot_s", self.snapshot_s)
        check_positive("episode.steps", self.steps)
        check_choice("episode.start", self.start, self.STARTS)
        check_positive("episode.start_window_s", self.start_window_s)
        check_range("episode.destinations", self.destinations, 1, 64)
        from datetime import datetime

        try:
            datetime.fromisoformat(self.start_utc)
        except (TypeError, ValueError):
            raise ValueError(f"episode.start_utc: expected an ISO time like '2024-01-13T12:00:00', got {self.start_utc!r}") from None


@dataclass(frozen=True)
class AAMECConfig:
    """A complete AA-MEC scenario. Build with :func:`make_config`."""

    name: str = "aamec"
    constellation: ConstellationConfig = field(default_factory=ConstellationConfig)
    gateways: GatewayConfig = field(default_factory=GatewayConfig)
    aircraft: AircraftConfig = field(default_factory=AircraftConfig)
    links: LinkConfig = field(default_factory=LinkConfig)
    compute: ComputeConfig = field(default_factory=ComputeConfig)
    tasks: TaskConfig = field(default_factory=TaskConfig)
    ifecs: IFECSConfig = field(default_factory=IFECSConfig)
    reward: RewardConfig = field(default_factory=RewardConfig)
    episode: EpisodeConfig = field(default_factory=EpisodeConfig)
