"""Scenario presets: data, not subclasses.

* ``leoedge``: the LEOEdge paper's regime (Sec. IX-A), where offloading, the load cap of Eq. 6
  and coordination matter. Ten satellites at 500-700 km in five sun-synchronous planes (two per
  plane, 30 deg apart, so each has a same-orbit ISL neighbour); the ground segment of China's
  remote-sensing ground-station network (Miyun, Kashi, Sanya and the Arctic station at Kiruna)
  backhauled over fibre to one edge cluster at Miyun (3 servers x 4 containers), plus the
  Tianlian I geostationary data relays (77 E, 176.8 E, 16.65 E, feeder links to Kashi, Miyun and
  Kiruna) for the rest of the orbit. Over a day every satellite can reach the cluster 100 % of the
  time (about 9 % directly, 91 % through a relay; ``experiments/ground_segment_coverage.py``),
  which is what the paper's "communication time 92.75-104.56 min" (the orbital period) implies.
  Edge model and tasks calibrated as in :data:`LEOEDGE_CALIBRATION`. Episodes start at a random
  time of the day.
* ``leoedge-miyun``: the earlier single-station geometry: one station (Miyun) with its own
  cluster, ten satellites in two 53 deg planes (550 / 650 km), the ConvNeXt-T-class ground model
  (45 ms per inference, slower than on board), tasks of 4-40 units; episodes start 30 s before a
  contact. A satellite sees Miyun 3.3 % of a day: a near-trivial offloading problem, kept for
  comparison with earlier results.
* ``starlink``: the real Starlink element set (2024-01 CelesTrak snapshot, about 5,300
  satellites) with 100 Starlink gateway sites, each with its own cluster, for scale.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from satgym.config.builder import load_yaml, override
from satgym.config.validation import check_choice
from satgym.leoedge.config import (
    ComputeConfig,
    ConstellationConfig,
    EpisodeConfig,
    GroundConfig,
    LinkConfig,
    RelayConfig,
    RelaySpec,
    ScenarioConfig,
    StationSpec,
    StationsConfig,
    TaskConfig,
)

MIYUN = StationSpec("Miyun", 40.45, 116.86, 0.1)
# China Remote Sensing Satellite Ground Station network (AIRCAS), approximate public coordinates
RSGS_STATIONS = (
    MIYUN,
    StationSpec("Kashi", 39.50, 75.93, 1.3),
    StationSpec("Sanya", 18.31, 109.31, 0.05),
    StationSpec("Kiruna", 67.88, 21.06, 0.4),   # China's North Polar ground station, Sweden
)
# Tianlian I data-relay satellites (approximate public GEO slots), feeder stations in view of each
TIANLIAN_I = (
    RelaySpec("Tianlian I-01", 77.0, "Kashi"),
    RelaySpec("Tianlian I-02", 176.8, "Miyun"),
    RelaySpec("Tianlian I-03", 16.65, "Kiruna"),
)
# sun-synchronous inclinations at 500, 550, 600, 650, 700 km (J2, WGS72; tested against
# satgym.core.orbits.sun_synchronous_inclination_deg)
SSO_INCLINATION_DEG = {500.0: 97.40, 550.0: 97.59, 600.0: 97.79, 650.0: 97.99, 700.0: 98.19}

#: How the paper-regime preset is calibrated: (parameter, value, what it is calibrated to).
LEOEDGE_CALIBRATION: tuple[tuple[str, str, str], ...] = (
    ("arrival rates", "1/7.5, 1/2, 1 task/s per satellite",
     "Sec. IX-C: Light one task every 5-10 s, Normal about every 2 s, Heavy about every second"),
    ("on-board model", "MobileNetV3, 22.1-37.5 ms per inference, 72 %",
     "Table II 'w/o' latencies, Sec. IX-B original accuracy"),
    ("ground model", "ResNet-50 class, 20 ms per inference, 76.1 %",
     "Sec. IV-B: the server side is more powerful and runs a larger, more accurate model "
     "(a_s >= a_i); ResNet-50's 4.1 GFLOPs at ~200 GFLOP/s on the paper's 4-core 4 GHz x86 container"),
    ("task size", "10-100 inference units (uniform), 0.08 Mbit per unit",
     "Fig. 7: offload-all must be able to load the 12 containers (Sec. IX-A) to the load the "
     "paper shows for MARL under heavy load (~100 %): 10 tasks/s x 55 units x 20 ms = 11 s of "
     "container work per second, 0.92 of the cluster; an image tile of 224x224 px at ~10 kB"),
    ("satellite-ground rate", "10 Mbps, 2 % loss", "Sec. IX-A: measured at the Miyun station"),
    ("relay rate", "10 Mbps", "the same as the direct link (Tianlian's Ka-band return link carries "
     "up to 300 Mbps), so the two paths differ in delay and availability only"),
    ("load cap P", "0.5", "Sec. IX-C: CPU utilisation below 50 % does not slow execution"),
)


def _leoedge() -> ScenarioConfig:
    alts = (500.0, 550.0, 600.0, 650.0, 700.0)
    plane = tuple(p for p in range(5) for _ in range(2))
    return ScenarioConfig(
        name="leoedge",
        constellation=ConstellationConfig(
            source="elements",
            altitude_km=tuple(alts[p] for p in plane),
            inclination_deg=tuple(SSO_INCLINATION_DEG[alts[p]] for p in plane),
            raan_deg=tuple(36.0 * p for p in plane),             # planes spread over 180 deg of RAAN
            arg_latitude_deg=tuple(72.0 * p + 30.0 * (k % 2) for k, p in enumerate(plane)),
            plane=plane,
            epoch_utc="2024-01-12T12:00:00",
        ),
        # connected nearly all the time: a 15 min look-ahead for the next contact is plenty
        stations=StationsConfig(stations=RSGS_STATIONS, min_elevation_deg=10.0, lookahead_s=900.0),
        relays=RelayConfig(satellites=TIANLIAN_I, rate_mbps=10.0),
        ground=GroundConfig(clusters="shared", cluster_site="Miyun"),
        compute=ComputeConfig(edge_exec_ms=20.0, edge_accuracy=0.761),
        tasks=TaskConfig(work_min=10, work_max=100, input_mbit_per_unit=0.08, result_mbit_per_unit=0.008),
        episode=EpisodeConfig(start="random", start_window_s=86_400.0),
    )


def _leoedge_miyun() -> ScenarioConfig:
    plane = (0, 0, 0, 0, 0, 1, 1, 1, 1, 1)
    alts = tuple(550.0 if p == 0 else 650.0 for p in plane)
    raan = tuple(0.0 if p == 0 else 12.0 for p in plane)
    arg_lat = tuple(15.0 * (i % 5) + (7.5 if p else 0.0) for i, p in enumerate(plane))
    return ScenarioConfig(
        name="leoedge-miyun",
        constellation=ConstellationConfig(
            source="elements",
            altitude_km=alts,
            inclination_deg=(53.0,) * 10,
            raan_deg=raan,
            arg_latitude_deg=arg_lat,
            plane=plane,
            epoch_utc="2024-01-12T12:00:00",
        ),
        stations=StationsConfig(stations=(MIYUN,), min_elevation_deg=10.0),
        compute=ComputeConfig(edge_exec_ms=45.0, edge_accuracy=0.821),
        tasks=TaskConfig(work_min=4, work_max=40, input_mbit_per_unit=0.16),
        episode=EpisodeConfig(start="next_contact"),
    )


def _starlink() -> ScenarioConfig:
    return ScenarioConfig(
        name="starlink",
        constellation=ConstellationConfig(
            source="file", file="starlink.tle", name_prefix="STARLINK", epoch_utc="2024-01-12T12:00:00"
        ),
        stations=StationsConfig(
            stations=(), extra="starlink_gateways:100", min_elevation_deg=25.0, lookahead_s=900.0
        ),
        links=LinkConfig(isl_refresh_s=30.0),  # planes ~60 km/s apart in phase: 30 s keeps pairs current
        tasks=TaskConfig(load="heavy"),
        episode=EpisodeConfig(steps=200, start="epoch", decision_slots=2),
    )


PRESETS = {"leoedge": _leoedge, "leoedge-miyun": _leoedge_miyun, "starlink": _starlink}


def make_config(scenario: str | ScenarioConfig = "leoedge",
                overrides: Mapping[str, Any] | str | os.PathLike[str] | None = None) -> ScenarioConfig:
    """A LEOEdge-family preset (by name) or config, with nested overrides (a dict or a YAML path).

    >>> make_config("leoedge", {"tasks": {"load": "heavy"}}).tasks.mean_interarrival_s
    1.0
    """
    if isinstance(scenario, ScenarioConfig):
        base = scenario
    else:
        check_choice("scenario", scenario, tuple(PRESETS))
        base = PRESETS[scenario]()
    if overrides is None:
        return base
    if isinstance(overrides, (str, os.PathLike)):
        overrides = load_yaml(overrides)
    return override(base, overrides)
