"""``satgym train`` on the Arctic family: one tiny RLlib PPO iteration on the PettingZoo env (100
user agents), and --env-set validation against the Arctic config."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ray


def test_one_ppo_iteration_on_arctic(ray_session, tmp_path) -> None:
    from agents.rllib.config import TrainSettings
    from agents.rllib.train import train

    s = TrainSettings(scenario="arctic-meo", episode_steps=2, train_batch=64, minibatch=32, epochs=1, hiddens=[16],
                      overrides={"visibility": {"min_elevation_deg": 10.0}})
    out = train("ppo", s, iterations=1, out=str(tmp_path), quiet=True)
    assert out["rows"][0]["env_steps"] >= 64 and (tmp_path / "metrics.csv").exists()


def test_env_set_is_validated_against_the_arctic_config() -> None:
    from agents.overrides import validate

    validate({"visibility": {"min_elevation_deg": 50.0}}, "arctic")
    with pytest.raises(ValueError, match=r"visibility\.min_elevation_deg"):
        validate({"visibility": {"min_elevation_deg": 95.0}}, "arctic")
    with pytest.raises(ValueError, match="unknown key.*'alpha'"):
        validate({"reward": {"alpha": 0.5}}, "arctic")
