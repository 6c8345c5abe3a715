"""Stable-Baselines3 agents (``satgym train --algo sb3-ppo|sb3-a2c|sb3-supersuit``).

* ``sb3-ppo`` / ``sb3-a2c``: PPO / A2C on a Gymnasium view (``--view central``, the default: one
  controller, action ``MultiDiscrete([3] * n_sats * K)``; or ``--view single`` with ``--agent``);
* ``sb3-supersuit``: PPO with parameter sharing on the PettingZoo env through SuperSuit (every
  satellite is one sub-env of an SB3 ``VecEnv``; one network decides for each satellite from its
  own observation).

Writes to ``--out``: ``model.zip`` (``model.save``), ``sb3_meta.json`` (what the ``sb3`` policy
needs to rebuild the observation/action mapping), ``progress.csv`` and TensorBoard events (SB3
logger), ``episodes.csv`` (return, mean execution time, edge load, failures per episode), and a
progress line. ``--resume PATH`` continues from a saved ``model.zip`` (or run directory).

Example::

    python -m agents.sb3.train --algo sb3-ppo --load normal --timesteps 20000 --episode-steps 200 --out runs/ppo

``iterations``, ``workers``, ``num_env_runners`` and ``address`` are accepted; ``workers`` sets
the number of env copies (DummyVecEnv / SuperSuit concatenation, in-process), the others are
ignored. Deterministic given ``--seed`` (single process).
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


def _callback(out: Path, n_agents: int, every_s: float = 10.0, verbose: bool = True):
    from stable_baselines3.common.callbacks import BaseCallback

    class EpisodeCSV(BaseCallback):
        """One ``episodes.csv`` row per finished episode (SuperSuit: per env copy, not per agent)."""

        def _on_training_start(self) -> None:
            self.fh = (out / "episodes.csv").open("w", newline="")
            self.w = csv.DictWriter(self.fh, fieldnames=("episode", "timesteps", "return", *METRIC_FIELDS, "wall_s"))
            self.w.writeheader()
            self.n, self.t0, self.last, self.recent = 0, time.perf_counter(), time.perf_counter(), []

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


def train_sb3(algo: str, out: str | Path, timesteps: int, scenario: str = "leoedge", load: str | None = "normal",
              episode_steps: int = 200, seed: int = 0, n_envs: int = 1, view: str = "central", agent: int = 0,
              others_policy: str = "local", resume: str | Path | None = None, verbose: bool = True,
              overrides: dict[str, Any] | None = None) -> Path:
    """Train and save; returns the path of ``model.zip``. ``overrides``: nested env-config overrides
    (``satgym train --env-set``; ``episode.steps`` is set from ``episode_steps``), saved in the meta file."""
    import torch
    from stable_baselines3 import A2C, PPO
    from stable_baselines3.common.logger import configure
    from stable_baselines3.common.monitor import Monitor
    from stable_baselines3.common.vec_env import DummyVecEnv

    from agents.sb3.envs import make_supersuit_vec_env, make_view_env

    if algo not in ALGOS:
        raise ValueError(f"algo: {algo!r} is not valid; choose one of {', '.join(ALGOS)}")
    torch.set_num_threads(1)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    from satgym.config import with_episode_steps

    config = with_episode_steps(overrides, episode_steps)
    if algo == "sb3-supersuit":
        venv = make_supersuit_vec_env(scenario, load, config, num_vec_envs=n_envs)
        n_agents, cls, view = venv.num_envs // n_envs, PPO, "supersuit"
        kwargs: dict[str, Any] = {"n_steps": max(8, min(64, timesteps // venv.num_envs)), "batch_size": 64}
    else:
        extra = {"agent": agent, "others_policy": others_policy} if view == "single" else {}
        venv = DummyVecEnv([lambda: Monitor(make_view_env(view, scenario, load, config, **extra))] * n_envs)
        n_agents = 1
        if algo == "sb3-ppo":
            cls, kwargs = PPO, {"n_steps": max(8, min(256, timesteps // n_envs)), "batch_size": 64}
        else:
            cls, kwargs = A2C, {}
    if resume:
        path = Path(resume)
        model = cls.load(path / MODEL_FILE if path.is_dir() else path, env=venv, device="cpu")
    else:
        model = cls("MlpPolicy", venv, seed=seed, device="cpu", verbose=0, **kwargs)
    model.set_logger(configure(str(out), ["csv", "tensorboard"]))
    model.learn(total_timesteps=int(timesteps), callback=_callback(out, n_agents, verbose=verbose),
                reset_num_timesteps=not resume)
    path = out / MODEL_FILE
    model.save(path)
    meta = {"algo": algo, "class": cls.__name__, "view": view, "scenario": scenario, "load": load,
            "episode_steps": episode_steps, "seed": seed, "agent": agent, "timesteps": int(model.num_timesteps),
            "overrides": dict(overrides or {})}
    (out / META_FILE).write_text(json.dumps(meta, indent=2))
    venv.close()
    if verbose:
        print(f"[sb3] done: {model.num_timesteps} timesteps -> {path}", flush=True)
    return path


def run(args: argparse.Namespace) -> int:
    """``satgym train --algo sb3-*`` entry point."""
    g = lambda name, default=None: getattr(args, name, None) if getattr(args, name, None) is not None else default  # noqa: E731
    algo = g("algo", "sb3-ppo")
    episode_steps = int(g("episode_steps", 200))
    timesteps = g("timesteps")
    if timesteps is None:
        timesteps = int(g("iterations", 10)) * episode_steps * (10 if algo == "sb3-supersuit" else 1)
    out = g("out") or f"runs/{algo}_{g('load', 'normal')}_s{g('seed', 0)}"
    resume = g("resume")
    if resume is True:
        resume = out
    train_sb3(algo, out, int(timesteps), scenario=g("scenario", "leoedge"), load=g("load", "normal"),
              episode_steps=episode_steps, seed=int(g("seed", 0)), n_envs=int(g("workers", 1)),
              view=g("view", "central"), agent=int(g("agent", 0)), resume=resume or None,
              verbose=not g("quiet", False), overrides=g("overrides"))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m agents.sb3.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--algo", default="sb3-ppo", choices=ALGOS)
    p.add_argument("--scenario", default="leoedge")
    p.add_argument("--load", default="normal", choices=("light", "normal", "heavy"))
    p.add_argument("--timesteps", type=int, default=None, help="SB3 timesteps (SuperSuit: agent-steps)")
    p.add_argument("--iterations", type=int, default=None, help="episodes, if --timesteps is not given")
    p.add_argument("--episode-steps", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None)
    p.add_argument("--resume", default=None, help="model.zip or run directory to continue from")
    p.add_argument("--workers", type=int, default=1, help="env copies (in-process)")
    p.add_argument("--view", default="central", choices=("central", "single"))
    p.add_argument("--agent", type=int, default=0, help="controlled satellite of --view single")
    return run(p.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
