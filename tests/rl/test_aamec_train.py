"""``satgym train`` on the AA-MEC family: one tiny RLlib PPO iteration, and --env-set validation."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ray


def test_one_ppo_iteration_on_aamec(ray_session, tmp_path) -> None:
    from agents.rllib.config import TrainSettings
    from agents.rllib.train import train

    s = TrainSettings(scenario="aamec", load="heavy", episode_steps=4, train_batch=64, minibatch=32, epochs=1,
                      hiddens=[16], overrides={"reward": {"drop_penalty": 1.0}})
    out = train("ppo", s, iterations=1, out=str(tmp_path), quiet=True)
    assert out["rows"][0]["env_steps"] >= 64 and (tmp_path / "metrics.csv").exists()


def test_env_set_is_validated_against_the_aamec_config() -> None:
    from agents.overrides import validate

    validate({"aircraft": {"mec_ratio": 0.4}}, "aamec")
    with pytest.raises(ValueError, match="aircraft.mec_ratio"):
        validate({"aircraft": {"mec_ratio": 2.0}}, "aamec")
    with pytest.raises(ValueError, match="unknown key.*'alpha'"):
        validate({"reward": {"alpha": 0.5}}, "aamec")
