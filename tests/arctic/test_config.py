"""The Arctic family's config: presets, bad input named by field, the lifted altitude limit."""

from __future__ import annotations

import pytest

import satgym
from satgym.arctic.config import ArcticConfig, LayerConfig
from satgym.arctic.presets import MEO_LAYER, STARLINK_LAYER
from satgym.scenarios import family_of, make_config


def test_presets_are_the_paper_setup():
    cfg = make_config("arctic")
    assert family_of("arctic").name == "arctic" and isinstance(cfg, ArcticConfig)
    assert [lc.name for lc in cfg.active_layers] == ["starlink", "meo"]
    meo = cfg.layers[1]
    assert (meo.altitude_km, meo.inclination_deg, meo.sats_per_plane) == (2100.0, (86.0, 88.0, 90.0), 10)
    assert (STARLINK_LAYER.resource_blocks, MEO_LAYER.resource_blocks) == (25, 50)
    assert (STARLINK_LAYER.cpu_ghz, MEO_LAYER.cpu_ghz) == (5.0, 10.0)
    assert cfg.radio.user_power_w == pytest.approx(10 ** 1.7 / 1000)  # 17 dBm
    assert (cfg.radio.rb_bandwidth_khz, cfg.radio.user_gain_dbi, cfg.radio.rician_k) == (180.0, 5.0, 10.0)
    assert (cfg.users.count, cfg.users.site_lat_deg, cfg.users.site_lon_deg) == (100, 62.0, -77.5)
    assert (cfg.tasks.mean_active, cfg.tasks.size_mbit, cfg.tasks.cycles_per_bit, cfg.tasks.deadline_s) == (
        5.0, (1.0, 2.0), 1000.0, 3.0)
    assert (cfg.compute.kappa_w_s3_per_cycle3, cfg.reward.alpha_energy, cfg.reward.alpha_delay) == (1e-28, 0.1, 0.1)
    assert [lc.kind for lc in make_config("arctic-leo").active_layers] == ["leo"]
    assert [lc.kind for lc in make_config("arctic-meo").active_layers] == ["meo"]


@pytest.mark.parametrize("overrides, field", [
    ({"radio": {"user_power_w": -0.05}}, r"radio\.user_power_w: must be > 0"),
    ({"radio": {"user_power_w": 0.0}}, r"radio\.user_power_w"),
    ({"layers": [{"name": "leo", "kind": "leo", "source": "file", "file": "starlink.tle", "resource_blocks": 0}]},
     r"layers\['leo'\]\.resource_blocks: must be >= 1"),
    ({"visibility": {"min_elevation_deg": -5.0}}, r"visibility\.min_elevation_deg: must be in \[0\.0, 90\.0\]"),
    ({"visibility": {"min_elevation_deg": 90.5}}, r"visibility\.min_elevation_deg"),
    ({"architecture": "geo-only"}, r"architecture: 'geo-only' is not valid; choose one of 'hybrid', 'leo-only', 'meo-only'"),
    ({"radio": {"bandwidth": 1}}, r"unknown key.*'bandwidth'.*valid keys are carrier_ghz"),
    ({"tasks": {"load": "extreme"}}, r"tasks\.load"),
    ({"tasks": {"size_mbit": []}}, r"tasks\.size_mbit"),
    ({"compute": {"cpu_share_levels": 0}}, r"compute\.cpu_share_levels"),
    ({"candidates": {"n_candidates": 0}}, r"candidates\.n_candidates"),
    ({"episode": {"epoch_utc": "yesterday"}}, r"episode\.epoch_utc"),
])
def test_bad_input_names_the_field(overrides, field):
    base = make_config("arctic")
    with pytest.raises(ValueError, match=field):
        make_config("arctic", overrides)
    assert make_config("arctic") == base  # the preset is unchanged


def test_architecture_needs_a_layer_of_its_kind():
    with pytest.raises(ValueError, match="architecture: 'meo-only' uses meo layers, but the scenario's layers are"):
        make_config("arctic", {"architecture": "meo-only", "layers": [
            {"name": "starlink", "kind": "leo", "source": "file", "file": "starlink.tle"}]})


def test_bad_resource_blocks_reach_the_env_as_a_clear_error():
    with pytest.raises(ValueError, match=r"resource_blocks: must be >= 1, got 0"):
        satgym.parallel_env("arctic-meo", {"layers": [{**_meo_dict(), "resource_blocks": 0}]})


def _meo_dict() -> dict:
    return {"name": "meo", "kind": "meo", "source": "planes", "altitude_km": 2100.0,
            "inclination_deg": [86.0, 88.0, 90.0], "raan_deg": [0.0, 60.0, 120.0], "sats_per_plane": 10,
            "resource_blocks": 50, "cpu_ghz": 10.0}


@pytest.mark.parametrize("altitude_km", [2100.0, 8062.0, 20_200.0, 35_786.0])
def test_meo_and_higher_orbits_validate(altitude_km):
    """The altitude limit is lifted: MEO (O3b 8,062 km, GPS 20,200 km) and GEO layers validate, in
    this family and in the LEOEdge constellation config."""
    layer = LayerConfig(name="high", kind="meo", source="planes", altitude_km=altitude_km, inclination_deg=(55.0,),
                        raan_deg=(0.0,), sats_per_plane=3)
    assert layer.altitude_km == altitude_km
    cfg = satgym.make_config("leoedge", {"constellation": {"source": "walker_delta", "walker_altitude_km": altitude_km}})
    assert cfg.constellation.walker_altitude_km == altitude_km
    with pytest.raises(ValueError, match="walker_altitude_km"):
        satgym.make_config("leoedge", {"constellation": {"source": "walker_delta", "walker_altitude_km": 60_000.0}})


def test_a_scenario_may_combine_several_layers():
    gps_like = {**_meo_dict(), "name": "meo-high", "altitude_km": 20_200.0, "inclination_deg": [55.0],
                "raan_deg": [0.0], "sats_per_plane": 4, "resource_blocks": 30}
    env = satgym.parallel_env("arctic", {"layers": [_meo_dict(), gps_like], "architecture": "meo-only",
                                         "episode": {"steps": 1}})
    assert env.sim.fleet.layer_names == ("meo", "meo-high") and env.sim.fleet.n_sats == 34
    env.reset(seed=0)
    assert env.sim.fleet.resource_blocks.tolist() == [50] * 30 + [30] * 4
    assert env.action_space(env.possible_agents[0]).nvec[1] == 50
