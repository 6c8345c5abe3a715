"""RLlib callback that logs the env's own episode metrics next to the episode return.

At ``on_episode_end`` the vector env has not auto-reset yet (RLlib resets on the next step), so
``episode_metrics()`` of the wrapped satgym env still describes the episode that just ended. The
values are reduced (mean) by the ``MetricsLogger`` and show up in ``result["env_runners"]`` under
the keys of :data:`EPISODE_KEYS` prefixed with ``satgym_``.

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


class SatgymMetricsCallback(RLlibCallback):
    """Logs ``episode_metrics()`` of every finished episode (mean over the iteration)."""

    def on_episode_end(self, *, episode: Any, env_runner: Any = None, metrics_logger: Any = None,
                       env: Any = None, env_index: int = 0, **kwargs: Any) -> None:
        if metrics_logger is None or env is None:
            return
        metrics = satgym_env(env, env_index).episode_metrics()
        for key in EPISODE_KEYS:
            if key in metrics:
                metrics_logger.log_value(PREFIX + key, float(metrics[key]), reduce="mean", window=100)
