"""Learning goes on when an RLlib env runner dies (``restart_failed_env_runners``).

Not only "a restart happened": after each kill, every iteration samples the configured batch and
reports finished episodes, the re-created runner holds the learner's current weights before it
samples (not a fresh initialisation), and it draws a seed of its own (no replay of its first
episodes).
"""

from __future__ import annotations

import numpy as np
import pytest

from agents.rllib.callbacks import SatgymMetricsCallback

pytestmark = pytest.mark.ray

BATCH = 100


class RecordRecreated(SatgymMetricsCallback):
    """Records, at the moment RLlib has restored a re-created runner (before it samples), that
    runner's weights and seed and the learner's weights."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[dict] = []

    def on_env_runners_recreated(self, *, algorithm, env_runner_group, env_runner_indices, is_evaluation, **kwargs):
        super().on_env_runners_recreated(algorithm=algorithm, env_runner_group=env_runner_group,
                                         env_runner_indices=env_runner_indices, is_evaluation=is_evaluation, **kwargs)
        (runner,) = env_runner_group.foreach_env_runner(
            lambda w: {"weights": w.get_state(components="rl_module")["rl_module"], "seed": w._seed},
            remote_worker_ids=env_runner_indices, local_env_runner=False)
        self.records.append({**runner, "learner": algorithm.learner_group.get_weights()})


def _runner_seed(algo) -> int:
    (seed,) = algo.env_runner_group.foreach_env_runner(lambda w: w._seed, local_env_runner=False)
    return seed


def _kill_the_runner(ray, algo) -> None:
    (actor,) = algo.env_runner_group._worker_manager.actors().values()
    # RLlib gives its env runners max_restarts > 0 when restart_failed_env_runners is on:
    # Ray re-creates the killed actor, RLlib probes it and pushes the current state back.
    ray.kill(actor, no_restart=False)


def _assert_learning_iteration(result) -> None:
    runners = result["env_runners"]
    assert runners["num_env_steps_sampled"] >= BATCH       # this iteration's own samples, not the lifetime sum
    assert runners["num_episodes"] >= 1                     # episodes finished in this iteration ...
    assert np.isfinite(runners["episode_return_mean"])      # ... and their return is reported
    assert result["learners"]["shared"]["num_module_steps_trained"] >= BATCH


def test_training_goes_on_with_the_current_weights_after_a_killed_env_runner(ray_session) -> None:
    from agents.rllib.config import TrainSettings, build_config

    settings = TrainSettings(load="normal", episode_steps=20, train_batch=BATCH, epochs=1, hiddens=[16],
                             num_env_runners=1, fault_tolerant=True)
    config = build_config("ppo", settings).callbacks(RecordRecreated)
    assert config.restart_failed_env_runners and config.min_sample_timesteps_per_iteration == BATCH
    algo = config.build_algo()
    try:
        _assert_learning_iteration(algo.train())
        first_seed = _runner_seed(algo)
        group = algo.env_runner_group
        for kill in (1, 2):
            before = algo.iteration
            _kill_the_runner(ray_session, algo)
            result = algo.train()   # notices the dead runner, restores it and samples a full batch
            assert result["training_iteration"] == before + 1
            _assert_learning_iteration(result)
            assert group.num_remote_worker_restarts() == kill
            assert group.num_healthy_remote_workers() == 1
            (record,) = algo.callbacks[0].records[kill - 1:]
            # the re-created runner samples with the learner's weights of that moment
            learner = record["learner"]["shared"]
            runner = record["weights"]["shared"]
            assert set(runner) <= set(learner) and any("pi" in k for k in runner)
            for name, value in runner.items():
                np.testing.assert_array_equal(value, learner[name], err_msg=name)
            # ... and a seed of its own (Ray re-creates it from its constructor: the first seed)
            assert record["seed"] == _runner_seed(algo) != first_seed
        assert len({r["seed"] for r in algo.callbacks[0].records}) == 2
        _assert_learning_iteration(algo.train())
    finally:
        algo.stop()
