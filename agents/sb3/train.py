"""Stable-Baselines3 agents (``satgym train --algo sb3-ppo|sb3-a2c|sb3-supersuit``).

* ``sb3-ppo`` / ``sb3-a2c``: PPO / A2C on a Gymnasium view (``--view central``, the default: one
  controller, action ``MultiDiscrete([3] * n_sats * K)``; or ``--view single`` with ``--agent``);
* ``sb3-supersuit``: PPO with parameter sharing on the PettingZoo env through SuperSuit (every
  satellite is one sub-env of an SB3 ``VecEnv``; one network decides for each satellite from its
  own observation).

Writes to ``--out``: ``model.zip`` (``model.save``), ``sb3_meta.json`` (what the ``sb3`` policy
needs to rebuild the observation/action mapping, and the run's settings and counters),
``progress.csv`` and TensorBoard events (SB3 logger), ``episodes.csv`` (return, mean execution
time, edge load, failures per episode), and a progress line.

``--resume PATH`` (a run directory or its ``model.zip``) continues that run for ``--timesteps``
more: its settings (a differing flag is an error naming it, :mod:`agents.resume`), weights,
optimiser and timestep count; ``episodes.csv`` and ``progress.csv`` are appended to; the envs and
the sampling are reseeded from the run's seed and the timestep count (:func:`agents.resume.
segment_seed`), so the resumed segment does not replay the first one's episodes.

Example::

    python -m agents.sb3.train --algo sb3-ppo --load normal --timesteps 20000 --episode-steps 200 --out runs/ppo
    python -m agents.sb3.train --resume runs/ppo --timesteps 20000

``workers`` sets the number of env copies (DummyVecEnv / SuperSuit concatenation, in-process);
``iterations`` (episodes) is the budget when ``timesteps`` is not given. Deterministic given
``--seed`` (single process).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

from agents.sb3.envs import METRIC_FIELDS

ALGOS = ("sb3-ppo", "sb3-a2c", "sb3-supersuit")
MODEL_FILE, META_FILE = "model.zip", "sb3_meta.json"
#: what a resumed run keeps from its checkpoint (``sb3_meta.json``)
PINNED = ("algo", "view", "scenario", "load", "episode_steps", "seed", "agent", "others_policy", "n_envs", "overrides",
          "binary")


def _callback(out: Path, n_agents: int, first_episode: int = 0, append: bool = False, every_s: float = 10.0,
              verbose: bool = True):
    """The ``episodes.csv`` writer; ``append``: continue the file of a resumed run at ``first_episode``."""
    from stable_baselines3.common.callbacks import BaseCallback

    fields = ("episode", "timesteps", "return", *METRIC_FIELDS, "wall_s")

    class EpisodeCSV(BaseCallback):
        """One ``episodes.csv`` row per finished episode (SuperSuit: per env copy, not per agent)."""

        def _on_training_start(self) -> None:
            path = out / "episodes.csv"
            header = not (append and path.exists())
            self.fh = path.open("w" if header else "a", newline="")
            self.w = csv.DictWriter(self.fh, fieldnames=fields)
            if header:
                self.w.writeheader()
            self.n, self.t0, self.last, self.recent = first_episode, time.perf_counter(), time.perf_counter(), []

        def _on_step(self) -> bool:
            for i, info in enumerate(self.locals.get("infos", [])):
                if "episode_metrics" in info and "episode" in info and i % n_agents == 0:
                    ret = float(info["episode"]["r"])
                    self.w.writerow({"episode": self.n, "timesteps": self.num_timesteps, "return": ret,
                                     **info["episode_metrics"], "wall_s": time.perf_counter() - self.t0})
                    self.n += 1
                    self.recent = (self.recent + [ret])[-20:]
            now = time.perf_counter()
            if verbose and now - self.last > every_s:
                mean_r = sum(self.recent) / len(self.recent) if self.recent else float("nan")
                print(f"[sb3] timesteps {self.num_timesteps} episodes {self.n} return(last 20) {mean_r:.3f} "
                      f"{now - self.t0:.0f}s", flush=True)
                self.last = now
            return True

        def _on_training_end(self) -> None:
            self.fh.close()

    return EpisodeCSV()


def _logger(out: Path, append: bool):
    """SB3's CSV + TensorBoard logger; ``append``: ``progress.csv`` continues (SB3's own CSV writer
    truncates it)."""
    from stable_baselines3.common.logger import CSVOutputFormat, Logger, make_output_format

    class AppendingCSV(CSVOutputFormat):
        def __init__(self, filename: Path) -> None:  # noqa: D107  (CSVOutputFormat's fields, file kept)
            keep = append and filename.exists() and filename.stat().st_size > 0
            self.file = open(filename, "r+" if keep else "w+")
            self.keys = next(csv.reader([self.file.readline()])) if keep else []
            self.file.seek(0, 2)
            self.separator, self.quotechar = ",", '"'

    return Logger(folder=str(out), output_formats=[AppendingCSV(out / "progress.csv"),
                                                   make_output_format("tensorboard", str(out))])


def train_sb3(algo: str, out: str | Path, timesteps: int, scenario: str = "leoedge", load: str | None = "normal",
              episode_steps: int = 200, seed: int = 0, n_envs: int = 1, view: str = "central", agent: int = 0,
              others_policy: str = "local", resume: str | Path | None = None, verbose: bool = True,
              overrides: dict[str, Any] | None = None, binary: bool = False) -> Path:
    """Train for ``timesteps`` (more, with ``resume``) and save; returns the path of ``model.zip``.

    ``binary``: the paper's local/offload action (hold removed from the action space,
    :func:`agents.sb3.envs.binary_space`). ``overrides``: nested env-config overrides (``satgym train --env-set``; ``episode.steps`` is set
    from ``episode_steps``), saved in the meta file. ``resume``: a run directory or ``model.zip``
    whose run to continue; the other arguments must equal its :data:`PINNED` settings (ValueError
    naming the first that differs), except ``timesteps``, ``out`` and ``verbose``.
    """
    import torch
    from stable_baselines3 import A2C, PPO
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.vec_env import DummyVecEnv

    from agents.sb3.envs import make_supersuit_vec_env, make_view_env

    if algo not in ALGOS:
        raise ValueError(f"algo: {algo!r} is not valid; choose one of {', '.join(ALGOS)}")
    if algo == "sb3-supersuit":
        view = "supersuit"
    meta = {"algo": algo, "view": view, "scenario": scenario, "load": load, "episode_steps": episode_steps,
            "seed": seed, "agent": agent, "others_policy": others_policy, "n_envs": n_envs,
            "overrides": dict(overrides or {}), "binary": bool(binary)}
    saved: dict[str, Any] = {}
    if resume:
        from agents.resume import merge

        model_path = Path(resume) / MODEL_FILE if Path(resume).is_dir() else Path(resume)
        saved = json.loads((model_path.parent / META_FILE).read_text())
        merge({k: saved[k] for k in PINNED if k in saved}, {k: meta[k] for k in PINNED})
    torch.set_num_threads(1)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from satgym.config.builder import with_episode_steps

    config = with_episode_steps(overrides, episode_steps)
    if algo == "sb3-supersuit":
        venv = make_supersuit_vec_env(scenario, load, config, num_vec_envs=n_envs, binary=binary)
        n_agents, cls = venv.num_envs // n_envs, PPO
        kwargs: dict[str, Any] = {"n_steps": max(8, min(64, timesteps // venv.num_envs)), "batch_size": 64}
    else:
        extra = {"agent": agent, "others_policy": others_policy} if view == "single" else {}
        venv = DummyVecEnv([lambda: Monitor(make_view_env(view, scenario, load, config, binary, **extra))] * n_envs)
        n_agents = 1
        if algo == "sb3-ppo":
            cls, kwargs = PPO, {"n_steps": max(8, min(256, timesteps // n_envs)), "batch_size": 64}
        else:
            cls, kwargs = A2C, {}
    meta["class"] = cls.__name__
    first_episode = 0
    if resume:
        from agents.resume import segment_seed

        model = cls.load(model_path, env=venv, device="cpu")
        model.set_random_seed(segment_seed(seed, model.num_timesteps))  # envs and sampling: a new segment
        first_episode = int(saved.get("episodes", 0))
    else:
        model = cls("MlpPolicy", venv, seed=seed, device="cpu", verbose=0, **kwargs)
    model.set_logger(_logger(out, append=bool(resume)))
    callback = _callback(out, n_agents, first_episode, append=bool(resume), verbose=verbose)
    model.learn(total_timesteps=int(timesteps), callback=callback, reset_num_timesteps=not resume)
    path = out / MODEL_FILE
    model.save(path)
    meta.update(timesteps=int(model.num_timesteps), episodes=int(callback.n))
    (out / META_FILE).write_text(json.dumps(meta, indent=2))
    venv.close()
    if verbose:
        print(f"[sb3] done: {model.num_timesteps} timesteps -> {path}", flush=True)
    return path


def run(args: argparse.Namespace) -> int:
    """``satgym train --algo sb3-*`` entry point (``--resume``: the checkpoint's settings, :mod:`agents.resume`)."""
    from agents.resume import resolve

    g = lambda name, default=None: getattr(args, name, None) if getattr(args, name, None) is not None else default  # noqa: E731
    try:
        resolve(args)
        timesteps, iterations = g("timesteps"), g("iterations")
        if timesteps is not None and iterations is not None:
            raise ValueError(f"--timesteps and --iterations: give one of them (got {timesteps} and {iterations})")
    except ValueError as exc:
        print(f"satgym train: {exc}", file=sys.stderr)
        return 2
    algo = g("algo", "sb3-ppo")
    episode_steps = int(g("episode_steps", 200))
    if timesteps is None:
        timesteps = int(iterations) * episode_steps * (10 if algo == "sb3-supersuit" else 1) if iterations else 20_000
    out = g("out") or f"runs/{algo}_{g('load', 'normal')}_s{g('seed', 0)}"
    train_sb3(algo, out, int(timesteps), scenario=g("scenario", "leoedge"), load=g("load", "normal"),
              episode_steps=episode_steps, seed=int(g("seed", 0)), n_envs=int(g("workers", 1)),
              view=g("view", "central"), agent=int(g("agent", 0)), others_policy=g("others_policy", "local"),
              resume=g("resume"), verbose=not g("quiet", False), overrides=g("overrides"), binary=bool(g("binary", False)))
    return 0


def main(argv: list[str] | None = None) -> int:
    from agents.overrides import parse_args

    p = argparse.ArgumentParser(prog="python -m agents.sb3.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--algo", default=None, choices=ALGOS, help="default sb3-ppo (with --resume: the checkpoint's)")
    p.add_argument("--scenario", default=None, help="default leoedge")
    p.add_argument("--load", default=None, choices=("light", "normal", "heavy"), help="default normal")
    p.add_argument("--timesteps", type=int, default=None, help="SB3 timesteps (SuperSuit: agent-steps; default 20000)")
    p.add_argument("--iterations", type=int, default=None, help="episodes, instead of --timesteps")
    p.add_argument("--episode-steps", type=int, default=None, help="default 200")
    p.add_argument("--seed", type=int, default=None, help="default 0")
    p.add_argument("--out", default=None)
    p.add_argument("--resume", default=None, help="model.zip or run directory to continue from")
    p.add_argument("--workers", type=int, default=None, help="env copies (in-process; default 1)")
    p.add_argument("--view", default=None, choices=("central", "single"), help="default central")
    p.add_argument("--agent", type=int, default=None, help="controlled satellite of --view single (default 0)")
    p.add_argument("--env-set", action="append", default=[], metavar="KEY=VALUE",
                   help="env config override for training, repeatable (e.g. reward.latency_weight=1)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return run(parse_args(p, argv))


if __name__ == "__main__":
    sys.exit(main())
