import dataclasses

import pytest

from satgym.scenarios import PRESETS, make_config


def test_presets_build():
    for name in PRESETS:
        assert make_config(name).name == name


def test_nested_override_keeps_the_rest():
    base = make_config("leoedge")
    cfg = make_config("leoedge", {"links": {"ground_rate_mbps": 20}})
    assert cfg.links.ground_rate_mbps == 20.0
    assert cfg.links.isl_rate_mbps == base.links.isl_rate_mbps
    assert cfg.constellation == base.constellation


@pytest.mark.parametrize(
    "overrides, match",
    [
        ({"scenery": {}}, "unknown key.*'scenery'.*valid keys"),
        ({"links": {"ground_rate": 5}}, "links: unknown key.*ground_rate_mbps"),
        ({"links": {"ground_rate_mbps": -1}}, "links.ground_rate_mbps: must be > 0"),
        ({"tasks": {"load": "extreme"}}, "tasks.load.*'light', 'normal', 'heavy'"),
        ({"reward": {"operator": "cubic"}}, "reward.operator.*log1p"),
        ({"reward": {"alpha": 1.5}}, r"reward.alpha: must be in \[0.0, 1.0\]"),
        ({"ground": {"servers": 0}}, "ground.servers: must be > 0"),
        ({"episode": {"start": "sunrise"}}, "episode.start.*next_contact"),
        ({"links": {"ground_rate_mbps": "fast"}}, "links.ground_rate_mbps: expected a number"),
        ({"tasks": {"work_min": 10, "work_max": 5}}, "tasks.work_max"),
    ],
)
def test_bad_values_raise_naming_the_field(overrides, match):
    with pytest.raises(ValueError, match=match):
        make_config("leoedge", overrides)


def test_unknown_scenario_lists_presets():
    with pytest.raises(ValueError, match="scenario: 'moon'.*'leoedge'"):
        make_config("moon")


def test_failed_override_changes_nothing():
    base = make_config("leoedge")
    with pytest.raises(ValueError):
        make_config(base, {"links": {"ground_rate_mbps": 20, "isl_loss": 2.0}})
    assert base.links.ground_rate_mbps == 10.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        base.links.ground_rate_mbps = 1.0  # type: ignore[misc]


def test_yaml_override(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text("tasks:\n  load: heavy\nreward:\n  alpha: 0.25\n")
    cfg = make_config("leoedge", p)
    assert cfg.tasks.load == "heavy" and cfg.reward.alpha == 0.25
    bad = tmp_path / "bad.yaml"
    bad.write_text("tasks:\n  lod: heavy\n")
    with pytest.raises(ValueError, match="tasks: unknown key"):
        make_config("leoedge", bad)
