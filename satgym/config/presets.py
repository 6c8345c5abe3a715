"""Scenario presets: data, not subclasses.

* ``leoedge``: LEOEdge Sec. IX-A. Ten satellites at 500-700 km in two 53 deg planes: five at
  550 km and five at 650 km, 15 deg apart in argument of latitude so that same-orbit neighbours are
  within ISL range (Fig. 3's intra-plane links; a plane shares one altitude so that its spacing
  holds for days). The planes drift relative to each other (different periods), so inter-plane
  links are opportunistic, as Sec. IV-A says. One ground station at Miyun, Beijing (40.45 N, 116.86 E), 10 Mbps
  satellite-ground, 100 Mbps ISL, the eight catalogue processors, 3 servers x 4 containers.
  The paper's "communication time 92.75-104.56 min" is the orbital period at those altitudes, not a
  contact window: contacts come from the real geometry (a few minutes per pass). Episodes start
  shortly before the next contact by default; add stations (``stations.extra: "cities:20"``) to
  vary coverage.
* ``starlink``: the real Starlink element set (2024-01 CelesTrak snapshot, about 5,300 satellites)
  with 100 Starlink gateway sites, for scale.
"""

from __future__ import annotations

from satgym.config.schema import (
    ConstellationConfig,
    EpisodeConfig,
    LinkConfig,
    ScenarioConfig,
    StationSpec,
    StationsConfig,
    TaskConfig,
)

MIYUN = StationSpec("Miyun", 40.45, 116.86, 0.1)


def _leoedge() -> ScenarioConfig:
    plane = (0, 0, 0, 0, 0, 1, 1, 1, 1, 1)
    alts = tuple(550.0 if p == 0 else 650.0 for p in plane)
    raan = tuple(0.0 if p == 0 else 12.0 for p in plane)
    arg_lat = tuple(15.0 * (i % 5) + (7.5 if p else 0.0) for i, p in enumerate(plane))
    return ScenarioConfig(
        name="leoedge",
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


PRESETS = {"leoedge": _leoedge, "starlink": _starlink}
