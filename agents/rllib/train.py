"""Train satgym agents with RLlib PPO (new API stack): ``satgym train --algo ppo|mappo|ippo``.

Each iteration prints one progress line and appends a row to ``OUT/metrics.csv`` and TensorBoard
(``OUT/tb``): episode return (summed over satellites), the env's own metrics (mean execution
time, edge load, failed and completed tasks, from :class:`~agents.rllib.callbacks.
SatgymMetricsCallback`) and the PPO losses. Checkpoints go to ``OUT/checkpoints/iter_NNNNN``
every ``--checkpoint-every`` iterations and at the end (``save_to_path``), each with a
``satgym_marl.json`` that the ``marl`` policy reads; ``--resume PATH`` continues from one.

Example::

    satgym train --algo ppo --scenario leoedge --load heavy --iterations 20 --out runs/ppo_heavy
    satgym compare --no-ray --policies marl:runs/ppo_heavy/checkpoints/latest,threshold --load heavy
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import tempfile
import time
from typing import Any

from agents.rllib.callbacks import EPISODE_KEYS, PREFIX
from agents.rllib.config import RLLIB_ALGOS, TrainSettings, build_config, env_config, register

META_FILE = "satgym_marl.json"


LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0", "OMP_NUM_THREADS": "1"}


def loopback_env() -> None:
    """Set the env vars that keep a local Ray on loopback. Must run before ``import ray``: Ray
    reads ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER`` at import time, and with it unset (Linux) it
    replaces ``_node_ip_address="127.0.0.1"`` by the host's external address."""
    for key, value in LOOPBACK_ENV.items():
        os.environ.setdefault(key, value)


def init_ray(address: str | None = None, num_cpus: int = 2):
    """Attach to ``address`` or start a local Ray on loopback (at most ``num_cpus``); reuse a running one.

    Returns ``(ray, owned)``; shut Ray down only if ``owned``.
    """
    import ray
    from ray._private import ray_constants

    if ray.is_initialized():
        return ray, False
    if address:
        ray.init(address=address, log_to_driver=False)
        return ray, True
    if ray_constants.ENABLE_RAY_CLUSTER:
        raise RuntimeError("init_ray: Ray was imported before RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 was set, so "
                           "it would listen on the external address; call agents.rllib.train.loopback_env() "
                           "(or export the variable) before importing ray")
    ray.init(num_cpus=num_cpus, include_dashboard=False, _node_ip_address="127.0.0.1",
             _temp_dir=tempfile.mkdtemp(prefix="ray", dir="/tmp"), log_to_driver=False)
    return ray, True


def summarize(result: dict[str, Any]) -> dict[str, float]:
    """The per-iteration row written to CSV/TensorBoard."""
    runners = result.get("env_runners", {}) or {}
    row: dict[str, float] = {
        "iteration": result.get("training_iteration", 0),
        "env_steps": runners.get("num_env_steps_sampled_lifetime", 0),
        "episodes": runners.get("num_episodes_lifetime", 0),
        "episode_return_mean": runners.get("episode_return_mean", float("nan")),
        "episode_len_mean": runners.get("episode_len_mean", float("nan")),
    }
    for key in EPISODE_KEYS:
        row[key] = runners.get(PREFIX + key, float("nan"))
    learners = result.get("learners", {}) or {}
    for name in ("policy_loss", "vf_loss", "entropy", "mean_kl_loss"):
        vals = [v[name] for k, v in learners.items() if isinstance(v, dict) and name in v and k != "__all_modules__"]
        row[name] = float(sum(vals) / len(vals)) if vals else float("nan")
    return {k: float(v) if v is not None else float("nan") for k, v in row.items()}


def save(algo: Any, out: str, meta: dict[str, Any]) -> str:
    """``save_to_path`` into ``OUT/checkpoints/iter_NNNNN`` (+ meta), mirrored to ``.../latest``."""
    path = os.path.abspath(os.path.join(out, "checkpoints", f"iter_{algo.iteration:05d}"))
    algo.save_to_path(path)
    with open(os.path.join(path, META_FILE), "w") as f:
        json.dump(meta, f, indent=1)
    latest = os.path.join(out, "checkpoints", "latest")
    if os.path.islink(latest) or os.path.exists(latest):
        os.unlink(latest) if os.path.islink(latest) else shutil.rmtree(latest)
    os.symlink(os.path.basename(path), latest)
    return path


def settings_from_args(args: argparse.Namespace) -> TrainSettings:
    s = TrainSettings(scenario=args.scenario, load=args.load, episode_steps=args.episode_steps, seed=args.seed,
                      num_env_runners=args.num_env_runners, overrides=dict(getattr(args, "overrides", None) or {}))
    for name in ("train_batch", "minibatch", "epochs", "lr"):
        if getattr(args, name, None) is not None:
            setattr(s, name, getattr(args, name))
    return s


def build_or_restore(algo_name: str, s: TrainSettings, resume: str | None):
    """A new Algorithm, or ``Algorithm.from_checkpoint(resume)`` (env re-registered first)."""
    if resume:
        from ray.rllib.algorithms.algorithm import Algorithm

        register()
        return Algorithm.from_checkpoint(os.path.abspath(resume))
    return build_config(algo_name, s).build_algo()


def train(algo_name: str, s: TrainSettings, iterations: int, out: str, resume: str | None = None,
          checkpoint_every: int = 10, quiet: bool = False) -> dict[str, Any]:
    """Train for ``iterations`` more iterations; returns ``{"rows": [...], "checkpoint": path}``."""
    if algo_name not in RLLIB_ALGOS:
        raise ValueError(f"algo: {algo_name!r} is not valid; choose one of {', '.join(RLLIB_ALGOS)}")
    os.makedirs(out, exist_ok=True)
    if resume:  # the checkpoint knows what it was trained on
        with open(os.path.join(resume, META_FILE)) as f:
            meta = json.load(f)
        algo_name = meta["algo"]
    meta = {"algo": algo_name, "env_config": env_config(algo_name, s) if not resume else meta["env_config"],
            "mapping": "own" if algo_name == "ippo" else "shared"}
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(os.path.join(out, "tb"))
    csv_path = os.path.join(out, "metrics.csv")
    if not resume and os.path.exists(csv_path):
        os.remove(csv_path)  # a fresh run starts a fresh curve; --resume appends
    algo = build_or_restore(algo_name, s, resume)
    rows: list[dict[str, float]] = []
    path = None
    try:
        for _ in range(iterations):
            t0 = time.perf_counter()
            row = summarize(algo.train())
            row["wall_s"] = time.perf_counter() - t0
            rows.append(row)
            new = not os.path.exists(csv_path)
            with open(csv_path, "a", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(row))
                if new:
                    w.writeheader()
                w.writerow(row)
            for key, value in row.items():
                if key != "iteration":
                    writer.add_scalar(f"satgym/{key}", value, int(row["iteration"]))
            writer.flush()
            if not quiet:
                print(f"[{algo_name}] iter {int(row['iteration']):4d} | steps {int(row['env_steps']):7d} | "
                      f"return {row['episode_return_mean']:9.2f} | exec {row['mean_execution_time_s']:.3f}s | "
                      f"edge load {row['mean_edge_load']:.3f} | failed {row['failed']:.1f} | "
                      f"{row['wall_s']:.1f}s", flush=True)
            if checkpoint_every and int(row["iteration"]) % checkpoint_every == 0:
                path = save(algo, out, meta)
        if path is None or not path.endswith(f"iter_{algo.iteration:05d}"):
            path = save(algo, out, meta)
    finally:
        writer.close()
        algo.stop()
    if not quiet:
        print(f"checkpoint: {path}\nmetrics: {csv_path}")
    return {"rows": rows, "checkpoint": path}


def run(args: argparse.Namespace) -> int:
    """Entry point of ``satgym train`` for the RLlib algorithms."""
    ray, owned = init_ray(args.address)
    try:
        train(args.algo, settings_from_args(args), args.iterations, args.out, resume=args.resume,
              checkpoint_every=args.checkpoint_every, quiet=getattr(args, "quiet", False))
    finally:
        if owned:
            ray.shutdown()
    return 0
