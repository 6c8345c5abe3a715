"""RLlib callback: the env's own episode metrics next to the episode return; fresh seeds for
re-created env runners.

At ``on_episode_end`` the vector env has not auto-reset yet (RLlib resets on the next step), so
``episode_metrics()`` of the wrapped satgym env still describes the episode that just ended. The
values are reduced (mean) by the ``MetricsLogger`` and show up in ``result["env_runners"]`` under
the keys of :data:`EPISODE_KEYS` prefixed with ``satgym_``.

A failed remote env runner is re-created by Ray from its constructor, i.e. with the seed it
started with, so it would replay the task streams and action draws of its first episodes. At
``on_env_runners_recreated`` each re-created runner gets a seed derived from the run's seed, the
env steps sampled so far and the restart count (:func:`agents.resume.segment_seed`) before it
samples. (RLlib 2.60 keeps the runner's seed in ``EnvRunner._seed`` and seeds the env at the
first reset only, ``_needs_initial_reset``.)

Example::

    >>> sorted(EPISODE_KEYS)[:2]
    ['completed', 'failed']
"""

from __future__ import annotations

from typing import Any

from ray.rllib.callbacks.callbacks import RLlibCallback

EPISODE_KEYS = ("mean_execution_time_s", "mean_edge_load", "failed", "completed", "generated",
                "mean_accuracy", "rerouted_local")
PREFIX = "satgym_"


def satgym_env(env: Any, env_index: int) -> Any:
    """The satgym ParallelEnv inside RLlib's vector env (``envs[i].unwrapped.par_env``)."""
    sub = env.envs[env_index].unwrapped if hasattr(env, "envs") else env
    return getattr(sub, "par_env", sub)


def reseed_runner(runner: Any, seed: int) -> None:
    """Give an env runner that has not sampled yet the seed ``seed + worker_index`` (env and sampling)."""
    from ray.rllib.utils.debug import update_global_seed_if_necessary

    runner._seed = int(seed) + int(runner.worker_index or 0)
    runner._needs_initial_reset = True
    update_global_seed_if_necessary(runner.config.framework_str, runner._seed)


class SatgymMetricsCallback(RLlibCallback):
    """Logs ``episode_metrics()`` of every finished episode (mean over the iteration); reseeds
    re-created env runners."""

    def on_env_runners_recreated(self, *, algorithm: Any, env_runner_group: Any, env_runner_indices: list[int],
                                 is_evaluation: bool, **kwargs: Any) -> None:
        from ray.rllib.utils.metrics import ENV_RUNNER_RESULTS, NUM_ENV_STEPS_SAMPLED_LIFETIME

        from agents.resume import segment_seed

        if algorithm.config.seed is None:
            return
        sampled = int(algorithm.metrics.peek((ENV_RUNNER_RESULTS, NUM_ENV_STEPS_SAMPLED_LIFETIME), default=0))
        seed = segment_seed(algorithm.config.seed, sampled + 1, env_runner_group.num_remote_worker_restarts())
        env_runner_group.foreach_env_runner(lambda runner: reseed_runner(runner, seed),
                                            remote_worker_ids=env_runner_indices, local_env_runner=False)

    def on_episode_end(self, *, episode: Any, env_runner: Any = None, metrics_logger: Any = None,
                       env: Any = None, env_index: int = 0, **kwargs: Any) -> None:
        if metrics_logger is None or env is None:
            return
        metrics = satgym_env(env, env_index).episode_metrics()
        for key in EPISODE_KEYS:
            if key in metrics:
                metrics_logger.log_value(PREFIX + key, float(metrics[key]), reduce="mean", window=100)
