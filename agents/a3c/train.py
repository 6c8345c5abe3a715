"""Train independent per-satellite A3C learners (``satgym train --algo a3c``).

Writes to ``--out``: ``checkpoint.pt`` (model and shared-Adam state dicts, network spec, step
count), ``config.json`` (the :class:`~agents.a3c.config.A3CConfig`), ``episodes.csv`` (one row per
finished worker episode: return, mean execution time, edge load, failures ...), and prints a
progress line.

**Budget.** ``--timesteps N`` env steps summed over workers; without it ``--iterations I`` episodes
per worker (``I * episode_steps * workers`` steps); ``--max-minutes`` stops earlier.

**Determinism.** Network initialisation, every worker's action sampling (torch seed
``seed + SEED_STRIDE * (rank + 1)``) and every episode's task stream (env seed
``seed + SEED_STRIDE * (rank + 1) + episode``) follow ``--seed``. With ``--workers 1`` a run is
reproducible bit for bit; with more workers the Hogwild interleaving of updates depends on OS
scheduling, so runs with the same seed see the same task streams but not identical weights.

Example::

    python -m agents.a3c.train --load normal --workers 2 --timesteps 20000 --episode-steps 200 --out runs/a3c

``num_env_runners`` and ``address`` (Ray options of other algorithms) are accepted and ignored.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import queue as queue_mod
import sys
import time
from pathlib import Path
from typing import Any

from agents.a3c.config import A3CConfig
from agents.a3c.worker import EPISODE_FIELDS, worker_main

CHECKPOINT = "checkpoint.pt"


def config_from_args(args: argparse.Namespace) -> A3CConfig:
    """Map the shared ``satgym train`` namespace (missing attributes: defaults) to :class:`A3CConfig`."""
    g = lambda name, default=None: getattr(args, name, None) if getattr(args, name, None) is not None else default  # noqa: E731
    base = A3CConfig()
    episode_steps = int(g("episode_steps", base.episode_steps))
    workers = int(g("workers", base.workers))
    if g("timesteps") is not None:
        total = int(g("timesteps"))
    elif g("iterations") is not None:
        total = int(g("iterations")) * episode_steps * workers
    else:
        total = base.total_steps
    kwargs: dict[str, Any] = dict(scenario=g("scenario", base.scenario), load=g("load", base.load),
                                  episode_steps=episode_steps, workers=workers, total_steps=total,
                                  seed=int(g("seed", base.seed)))
    for name in ("lr", "n_steps", "gamma", "entropy_coef", "hidden", "max_minutes", "start_method", "reward_scale",
                 "checkpoint_every_s", "progress_every_s", "mask_hold"):
        if g(name) is not None:
            kwargs[name] = g(name)
    if g("overrides") is not None:
        kwargs["overrides"] = g("overrides")
    return A3CConfig(**kwargs)


def save_checkpoint(out: Path, model, opt, cfg: A3CConfig, global_step: int, episodes: int) -> Path:
    import torch

    path = out / CHECKPOINT
    tmp = out / (CHECKPOINT + ".tmp")
    state = [{k: v.clone() for k, v in s.items()} for s in opt.shared_state()]
    torch.save({"model": model.state_dict(), "optim": state, "spec": model.spec(), "global_step": global_step,
                "episodes": episodes, "config": cfg.to_dict()}, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | os.PathLike) -> dict:
    """The checkpoint dict; ``path`` is the file or the run directory."""
    import torch

    p = Path(path)
    if p.is_dir():
        p = p / CHECKPOINT
    if not p.exists():
        raise FileNotFoundError(f"a3c checkpoint: {p} does not exist")
    return torch.load(p, map_location="cpu", weights_only=False)


def train(cfg: A3CConfig, out: str | os.PathLike, resume: str | os.PathLike | None = None, verbose: bool = True) -> dict:
    """Run A3C; returns ``{"checkpoint", "global_step", "episodes", "wall_s"}``."""
    import torch
    import torch.multiprocessing as mp

    import satgym
    from agents.a3c.model import SatelliteLearners
    from agents.a3c.shared_adam import SharedAdam

    torch.set_num_threads(1)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    probe = satgym.parallel_env(cfg.scenario, cfg.env_overrides(), load=cfg.load)
    n_sats, obs_dim = len(probe.possible_agents), probe.observation_space(probe.possible_agents[0]).shape[0]
    K = len(probe.action_space(probe.possible_agents[0]).nvec)
    torch.manual_seed(cfg.seed)
    model = SatelliteLearners(n_sats, obs_dim, K, cfg.hidden)
    model.share_memory()
    opt = SharedAdam(model.parameters(), lr=cfg.lr)
    step0, episodes = 0, 0
    if resume:
        ck = load_checkpoint(resume)
        model.load_state_dict(ck["model"])
        for dst, src in zip(opt.shared_state(), ck["optim"]):
            for k, v in src.items():
                dst[k].copy_(v)
        step0, episodes = int(ck["global_step"]), int(ck["episodes"])
    (out / "config.json").write_text(json.dumps({**cfg.to_dict(), "spec": model.spec()}, indent=2))

    ctx = mp.get_context(cfg.start_method)
    counter, lock, q, stop = ctx.Value("q", 0), ctx.Lock(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=worker_main, args=(r, cfg.to_dict(), model, opt.shared_state(), counter, lock, q, stop),
                         daemon=True) for r in range(cfg.workers)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    csv_path = out / "episodes.csv"
    new_file = not (resume and csv_path.exists())
    fh = csv_path.open("w" if new_file else "a", newline="")
    writer = csv.DictWriter(fh, fieldnames=EPISODE_FIELDS)
    if new_file:
        writer.writeheader()
    last_ck = last_prog = t0
    recent: list[float] = []
    finished, error = 0, None
    try:
        while finished < cfg.workers:
            try:
                kind, payload = q.get(timeout=0.5)
            except queue_mod.Empty:
                kind, payload = None, None
                if not any(p.is_alive() for p in procs):
                    error = error or "A3C workers exited without reporting"
                    break
            if kind == "episode":
                payload["global_step"] += step0
                writer.writerow(payload)
                fh.flush()
                episodes += 1
                recent = (recent + [payload["return"]])[-20:]
            elif kind == "done":
                finished += 1
            elif kind == "error":
                error = payload
                stop.set()
            now = time.perf_counter()
            if cfg.max_minutes is not None and now - t0 > 60 * cfg.max_minutes:
                stop.set()
            if now - last_ck > cfg.checkpoint_every_s:
                save_checkpoint(out, model, opt, cfg, step0 + counter.value, episodes)
                last_ck = now
            if verbose and now - last_prog > cfg.progress_every_s:
                mean_r = sum(recent) / len(recent) if recent else float("nan")
                print(f"[a3c] steps {step0 + counter.value}/{step0 + cfg.total_steps} episodes {episodes} "
                      f"return(last 20) {mean_r:.3f} {now - t0:.0f}s", flush=True)
                last_prog = now
    finally:
        stop.set()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
        fh.close()
    if error:
        raise RuntimeError(error)
    path = save_checkpoint(out, model, opt, cfg, step0 + counter.value, episodes)
    wall = time.perf_counter() - t0
    if verbose:
        print(f"[a3c] done: {step0 + counter.value} steps, {episodes} episodes in {wall:.0f}s -> {path}", flush=True)
    return {"checkpoint": str(path), "global_step": step0 + counter.value, "episodes": episodes, "wall_s": wall}


def run(args: argparse.Namespace) -> int:
    """``satgym train --algo a3c`` entry point."""
    cfg = config_from_args(args)
    out = getattr(args, "out", None) or f"runs/a3c_{cfg.load}_s{cfg.seed}"
    resume = getattr(args, "resume", None)
    if resume is True:
        resume = out
    train(cfg, out, resume=resume or None, verbose=not getattr(args, "quiet", False))
    return 0


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    p.add_argument("--scenario", default="leoedge")
    p.add_argument("--load", default="normal", choices=("light", "normal", "heavy"))
    p.add_argument("--iterations", type=int, default=None, help="episodes per worker (if --timesteps is not given)")
    p.add_argument("--timesteps", type=int, default=None, help="env steps summed over workers")
    p.add_argument("--episode-steps", type=int, default=200)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None)
    p.add_argument("--resume", default=None, help="checkpoint file or run directory to continue from")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--n-steps", type=int, default=None, help="rollout length of the n-step returns")
    p.add_argument("--entropy-coef", type=float, default=None)
    p.add_argument("--max-minutes", type=float, default=None)
    p.add_argument("--start-method", default=None, choices=("spawn", "fork", "forkserver"))
    p.add_argument("--mask-hold", action="store_true", default=None,
                   help="decide only local/offload (the paper's binary action; the hold logit is masked)")
    p.add_argument("--env-set", action="append", default=[], metavar="KEY=VALUE",
                   help="env config override for training, repeatable (e.g. reward.latency_weight=1)")
    return p


def main(argv: list[str] | None = None) -> int:
    from agents.overrides import parse_env_set, validate

    p = add_arguments(argparse.ArgumentParser(prog="python -m agents.a3c.train", description=__doc__.split("\n\n")[0]))
    args = p.parse_args(argv)
    try:
        args.overrides = parse_env_set(args.env_set)
        validate(args.overrides, args.scenario)
    except ValueError as exc:
        p.error(str(exc))
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
