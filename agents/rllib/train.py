"""Train satgym agents with RLlib PPO (new API stack): ``satgym train --algo ppo|mappo|ippo``.

Each iteration prints one progress line and appends a row to ``OUT/metrics.csv`` and TensorBoard
(``OUT/tb``): episode return (summed over satellites), the env's own metrics (mean execution
time, edge load, failed and completed tasks, from :class:`~agents.rllib.callbacks.
SatgymMetricsCallback`) and the PPO losses. Checkpoints go to ``OUT/checkpoints/iter_NNNNN``
every ``--checkpoint-every`` iterations and at the end (``save_to_path``), each with a
``satgym_marl.json`` (algo, env config, PPO settings, iteration) that the ``marl`` policy reads.
``--resume PATH`` continues the run of one (:func:`restore`): its own config and counters, rows
appended to ``metrics.csv``, a fresh seed for the new segment. Ray starts through
:func:`satgym.ray_session.init_ray` (loopback; ``--num-cpus``, default all cores).

Example::

    satgym train --algo ppo --scenario leoedge --load heavy --iterations 20 --out runs/ppo_heavy
    satgym compare --no-ray --policies marl:runs/ppo_heavy/checkpoints/latest,threshold --load heavy
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
import shutil
import time
from typing import Any

from agents.rllib.callbacks import EPISODE_KEYS, PREFIX
from agents.rllib.config import RLLIB_ALGOS, TrainSettings, build_config, env_config, register, settings_dict
from agents.rllib.policy import META_FILE
from satgym.ray_session import init_ray, loopback_env  # noqa: F401  (re-exported: the one Ray start)


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
    """``save_to_path`` into ``OUT/checkpoints/iter_NNNNN`` (+ meta with the iteration), mirrored to ``.../latest``."""
    path = os.path.abspath(os.path.join(out, "checkpoints", f"iter_{algo.iteration:05d}"))
    algo.save_to_path(path)
    with open(os.path.join(path, META_FILE), "w") as f:
        json.dump({**meta, "iteration": int(algo.iteration)}, f, indent=1)
    latest = os.path.join(out, "checkpoints", "latest")
    if os.path.islink(latest) or os.path.exists(latest):
        os.unlink(latest) if os.path.islink(latest) else shutil.rmtree(latest)
    os.symlink(os.path.basename(path), latest)
    return path


def settings_from_args(args: argparse.Namespace) -> TrainSettings:
    """``TrainSettings`` from a ``satgym train`` namespace (missing or None: the defaults)."""
    names = [f.name for f in dataclasses.fields(TrainSettings) if f.name != "overrides"]
    kwargs = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    return TrainSettings(**kwargs, overrides=dict(getattr(args, "overrides", None) or {}))


def read_meta(path: str) -> dict[str, Any]:
    with open(os.path.join(path, META_FILE)) as f:
        return json.load(f)


def restore(path: str, num_env_runners: int | None = None):
    """Continue the run of checkpoint ``path``: the checkpoint's own ``AlgorithmConfig`` (env, module,
    PPO settings) with a fresh seed for this segment, then its state (weights, optimiser, iteration
    and step counters). ``num_env_runners``: a new number of remote runners (None: the checkpoint's).

    The segment seed is :func:`agents.resume.segment_seed` of the run's seed and the checkpoint's
    iteration: the env runners reset their envs with it, so no task stream of earlier segments is
    replayed. The env is registered again (needed in a fresh process).
    """
    import pickle

    from ray.rllib.algorithms.algorithm import Algorithm
    from ray.rllib.algorithms.algorithm_config import AlgorithmConfig

    from agents.resume import segment_seed

    register()
    path = os.path.abspath(path)
    meta = read_meta(path)
    with open(os.path.join(path, Algorithm.CLASS_AND_CTOR_ARGS_FILE_NAME), "rb") as f:
        config = AlgorithmConfig.from_state(pickle.load(f)["ctor_args_and_kwargs"][0][0])
    seed = (meta.get("settings") or {}).get("seed", config.seed)
    iteration = meta.get("iteration", int(os.path.basename(os.path.realpath(path)).rpartition("_")[2] or 0))
    config.debugging(seed=segment_seed(seed, iteration))
    if num_env_runners is not None:
        config.env_runners(num_env_runners=num_env_runners)
    return Algorithm.from_checkpoint(path, config=config)


def build_or_restore(algo_name: str, s: TrainSettings, resume: str | None):
    """A new Algorithm, or the run of checkpoint ``resume`` continued (:func:`restore`)."""
    if resume:
        return restore(resume, s.num_env_runners)
    return build_config(algo_name, s).build_algo()


BC_SEED_BASE = 7_000_000  # demonstration episodes: BC_SEED_BASE + 1000 * run seed + i (no evaluation seed)


def demonstration_seeds(s: TrainSettings) -> list[int]:
    """Env seeds of the teacher's episodes for the run seeded ``s.seed``."""
    return [BC_SEED_BASE + 1000 * s.seed + i for i in range(s.bc_episodes)]


def imitation_warm_start(algo_name: str, s: TrainSettings) -> tuple[TrainSettings, dict[str, Any]]:
    """Demonstrations of ``s.bc_teacher`` on the training env; returns the settings with the reward
    scale measured on them (:func:`agents.rllib.imitation.reward_scale`) and the demonstrations."""
    from agents.rllib.imitation import collect, reward_scale

    demo = collect(s.bc_teacher, env_config(algo_name, s), demonstration_seeds(s), s.gamma)
    return dataclasses.replace(s, reward_scale=reward_scale(demo)), demo


def pretrain_modules(algo: Any, algo_name: str, s: TrainSettings, demo: dict[str, Any]) -> dict[str, Any]:
    """Behaviour cloning and critic warm-up of the learner's modules (:func:`agents.rllib.imitation.pretrain`),
    then the env runners get the weights. IPPO: each satellite's module on its own rows."""
    import numpy as np

    from agents.rllib.imitation import pretrain

    agents = sorted(set(int(a) for a in demo["agent"]))

    def fit(learner: Any) -> dict[str, Any]:
        out = {}
        for mid in learner.module.keys():
            rows = demo if mid == "shared" else {
                k: v[demo["agent"] == int(mid.rpartition("_")[2])] for k, v in demo.items()}
            out[mid] = pretrain(learner.module[mid], rows, scale=s.reward_scale, epochs=s.bc_epochs, seed=s.seed)
        return out

    stats = [r.get() for r in algo.learner_group.foreach_learner(fit)][0]  # one (local) learner
    algo.env_runner_group.sync_weights(from_worker_or_learner_group=algo.learner_group, inference_only=True)
    summary = {k: float(np.mean([v[k] for v in stats.values()])) for k in next(iter(stats.values()))}
    return {**summary, "teacher": s.bc_teacher, "episodes": s.bc_episodes, "agents": len(agents)}


def train(algo_name: str, s: TrainSettings, iterations: int, out: str, resume: str | None = None,
          checkpoint_every: int = 10, quiet: bool = False) -> dict[str, Any]:
    """Train for ``iterations`` more iterations; returns ``{"rows": [...], "checkpoint": path}``.

    With ``resume`` the run of that checkpoint continues (:func:`restore`): ``algo_name`` and ``s``
    must match what it was trained with (ValueError naming the field; ``s.num_env_runners`` may
    differ), its iteration and step counters go on and rows are appended to ``OUT/metrics.csv``.
    """
    from agents.resume import merge

    if algo_name not in RLLIB_ALGOS:
        raise ValueError(f"algo: {algo_name!r} is not valid; choose one of {', '.join(RLLIB_ALGOS)}")
    demo = None
    if s.bc_teacher and not resume:
        if not quiet:
            print(f"[{algo_name}] imitation warm start: {s.bc_episodes} episodes of {s.bc_teacher}", flush=True)
        s, demo = imitation_warm_start(algo_name, s)
    settings = settings_dict(s)
    if resume:  # the checkpoint knows what it was trained on
        saved = read_meta(resume)
        merge({"algo": saved["algo"]}, {"algo": algo_name})
        merge({k: v for k, v in saved.get("settings", {}).items() if k != "num_env_runners"},
              {k: v for k, v in settings.items() if k != "num_env_runners"})
        env_cfg = saved["env_config"]
    else:
        env_cfg = env_config(algo_name, s)
    meta = {"algo": algo_name, "env_config": env_cfg, "settings": settings,
            "mapping": "own" if algo_name == "ippo" else "shared"}
    os.makedirs(out, exist_ok=True)
    from torch.utils.tensorboard import SummaryWriter

    writer = SummaryWriter(os.path.join(out, "tb"))
    csv_path = os.path.join(out, "metrics.csv")
    if not resume and os.path.exists(csv_path):
        os.remove(csv_path)  # a fresh run starts a fresh curve; --resume appends
    algo = build_or_restore(algo_name, s, resume)
    rows: list[dict[str, float]] = []
    path = None
    try:
        if demo is not None:
            meta["imitation"] = pretrain_modules(algo, algo_name, s, demo)
            save(algo, out, meta)  # iter_00000: the warm-started module before any PPO update
            if not quiet:
                im = meta["imitation"]
                print(f"[{algo_name}] warm start: agreement {im['agreement']:.3f} on {im['decisions']:.0f} decisions, "
                      f"bc loss {im['bc_loss']:.3f}, value loss {im['value_loss']:.3f}, reward scale "
                      f"{s.reward_scale:.4g}", flush=True)
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
    """Entry point of ``satgym train`` for the RLlib algorithms (``--resume``: :mod:`agents.resume`)."""
    from agents.resume import resolve

    resolve(args)
    ray, owned = init_ray(args.address, getattr(args, "num_cpus", None))
    kwargs = {"checkpoint_every": args.checkpoint_every} if getattr(args, "checkpoint_every", None) is not None else {}
    try:
        train(args.algo, settings_from_args(args), args.iterations if args.iterations is not None else 10,
              args.out or "runs/train", resume=args.resume, quiet=getattr(args, "quiet", False), **kwargs)
    finally:
        if owned:
            ray.shutdown()
    return 0
