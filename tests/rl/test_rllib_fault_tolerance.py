"""Training goes on when an RLlib env runner dies (restart_failed_env_runners)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.ray


def test_training_survives_a_killed_env_runner(ray_session) -> None:
    import time

    from agents.rllib.config import TrainSettings, build_config

    settings = TrainSettings(load="normal", episode_steps=20, train_batch=100, epochs=1, hiddens=[16],
                             num_env_runners=1, fault_tolerant=True)
    config = build_config("ppo", settings)
    assert config.restart_failed_env_runners
    algo = config.build_algo()
    try:
        before = algo.train()["env_runners"]["num_env_steps_sampled_lifetime"]
        assert before >= 100
        group = algo.env_runner_group
        (actor,) = group._worker_manager.actors().values()
        # RLlib gives its env runners max_restarts > 0 when restart_failed_env_runners is on:
        # Ray re-creates the killed actor and RLlib probes it and pushes the current weights back.
        ray_session.kill(actor, no_restart=False)
        deadline = time.monotonic() + 45.0  # the failure is noticed, Ray re-creates the runner, RLlib restores it
        while time.monotonic() < deadline:
            algo.train()
            if group.num_remote_worker_restarts() >= 1 and group.num_healthy_remote_workers() == 1:
                break
            time.sleep(1.0)
        assert group.num_remote_worker_restarts() >= 1
        assert group.num_healthy_remote_workers() == 1
        final = algo.train()  # the restored runner samples again
        assert final["env_runners"]["num_env_steps_sampled_lifetime"] >= before + 100
        assert final["training_iteration"] >= 3
    finally:
        algo.stop()
