"""AA-MEC scenario config: the paper's tables as defaults, presets, clear errors on bad input."""

from __future__ import annotations

import pytest

import satgym
from satgym.aamec.config import GATEWAYS, LOAD_RATES, TABLE3
from satgym.aamec.presets import PRESETS, make_config
from satgym.config.builder import with_load
from satgym.aamec.traffic import video_traffic_share


def test_defaults_are_the_papers_tables():
    cfg = make_config("aamec")
    assert set(cfg.gateways.names) == set(GATEWAYS) and len(GATEWAYS) == 10           # Table 1
    assert GATEWAYS["Punta Arenas"] == (-53.315, -71.58) and GATEWAYS["Izhevsk"] == (56.85, 53.204)
    c = cfg.compute                                                                  # Table 4, Eq. 15
    assert (c.sat_mips, c.mec_mips, c.sat_tasks_per_s, c.mec_tasks_per_s) == (2000.0, 71120.0, 80, 2844)
    links = cfg.links                                                                # Table 5
    assert (links.sat_sat_mbps, links.sat_aircraft_mbps, links.sat_gateway_mbps, links.aircraft_aircraft_mbps,
            links.aircraft_gateway_mbps) == (125.0, 112.0, 500.0, 45.0, 75.0)
    assert (cfg.episode.snapshot_s, cfg.episode.steps) == (300.0, 48)               # Sec. 6: 5 min over 4 h
    a = cfg.aircraft
    assert (a.passengers_min, a.passengers_mode, a.passengers_max) == (132, 180, 853)
    assert (cfg.constellation.n_planes, cfg.constellation.sats_per_plane, cfg.constellation.altitude_km) == (6, 11, 781.0)


def test_table3_reconstruction_keeps_video_at_67_5_percent_and_uses_qci_budgets():
    assert video_traffic_share(TABLE3) == pytest.approx(0.675, abs=5e-4)
    budgets = {s.name: (s.qci, s.delay_budget_ms) for s in TABLE3}
    assert budgets == {"web": (8, 300.0), "gaming": (3, 50.0), "voip": (1, 100.0), "video": (4, 300.0)}
    assert sum(s.user_share for s in TABLE3) == pytest.approx(1.0)


@pytest.mark.parametrize("overrides, field", [
    ({"gateways": {"names": ["Rome", "Atlantis"]}}, "gateways.names: 'Atlantis' is not valid"),
    ({"gateways": {"names": ["Rome", "Rome"]}}, "gateways.names"),
    ({"links": {"sat_sat_mbps": -125.0}}, "links.sat_sat_mbps"),
    ({"links": {"aircraft_gateway_mbps": 0}}, "links.aircraft_gateway_mbps"),
    ({"aircraft": {"mec_ratio": 1.2}}, r"aircraft.mec_ratio: must be in \[0.0, 1.0\]"),
    ({"aircraft": {"mec_ratio": -0.1}}, "aircraft.mec_ratio"),
    ({"aircraft": {"passengers_mode": 900}}, "aircraft.passengers_mode"),
    ({"tasks": {"load": "extreme"}}, "tasks.load: 'extreme' is not valid"),
    ({"tasks": {"load": "custom"}}, "tasks.arrival_rate_per_s"),
    ({"constellation": {"source": "starlink"}}, "constellation.source"),
    ({"ifecs": {"services": [{"name": "web", "user_share": 0.5}]}}, "user_share values must sum to 1"),
    ({"episode": {"start_utc": "noon"}}, "episode.start_utc"),
    ({"compute": {"mec_cores": 0}}, "compute.mec_cores"),
    ({"aircraft": {"speed": 900}}, "unknown key.*'speed'.*valid keys are"),
])
def test_bad_input_names_the_field(overrides, field):
    with pytest.raises(ValueError, match=field):
        make_config("aamec", overrides)
    with pytest.raises(ValueError, match=field):
        satgym.parallel_env("aamec", overrides)


def test_presets_loads_and_overrides():
    assert set(PRESETS) == {"aamec", "aamec-walker"}
    assert make_config("aamec-walker").constellation.source == "walker_star"
    assert [make_config("aamec", with_load(None, load)).tasks.rate_per_s for load in LOAD_RATES] == [80.0, 90.0, 100.0]
    assert make_config("aamec", {"tasks": {"load": "custom", "arrival_rate_per_s": 120}}).tasks.rate_per_s == 120.0
    with pytest.raises(ValueError, match="scenario: 'nope'"):
        make_config("nope")


def test_yaml_overrides(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("aircraft: {mec_ratio: 0.4, count: 30}\ntasks: {load: heavy}\n")
    cfg = make_config("aamec", str(path))
    assert (cfg.aircraft.mec_ratio, cfg.aircraft.count, cfg.tasks.rate_per_s) == (0.4, 30, 100.0)
    assert satgym.parallel_env("aamec", str(path), load="light").config.tasks.load == "light"
