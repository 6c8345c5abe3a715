"""Train independent per-satellite A3C learners (``satgym train --algo a3c``).

Writes to ``--out``: ``checkpoint.pt`` (model and shared-Adam state dicts, network spec, the run's
counters), ``config.json`` (the :class:`~agents.a3c.config.A3CConfig`), ``episodes.csv`` (one row
per finished worker episode: worker and its incarnation, run-wide episode index and env seed,
return, mean execution time, edge load, failures ...), and prints a progress line.

**Budget.** ``--timesteps N`` env steps summed over workers, or ``--iterations I`` episodes per
worker (``I * episode_steps * workers`` steps; not both); ``--max-minutes`` stops earlier.

**What is asynchronous.** Each worker process steps its own env copy; with ``--asynchrony env``
(default) it decides for every satellite and updates every satellite's learner (Hogwild over env
copies, the satellites of one copy in lockstep); with ``--asynchrony satellite`` it updates only
its own satellites' learners, so each learner learns from one worker's interactions at that
worker's pace (one worker per satellite: ``--workers`` = number of satellites). See
:class:`~agents.a3c.config.A3CConfig`.

**Resume.** ``--resume PATH`` continues the run of that checkpoint: its config (a differing flag
is an error naming it), weights, shared-Adam state, global step and episode numbering; rows are
appended to ``episodes.csv``; the new segment's workers draw fresh seeds (below).

**Fault tolerance.** A worker that dies (killed, crashed, or raised) is restarted from the shared
model (a checkpoint is written first), up to ``max_worker_restarts`` times per segment; one more
death stops the run with a final checkpoint and an error naming the worker.

**Determinism.** Network initialisation (``--seed``), every worker's sampling seed
(:func:`agents.resume.segment_seed` of the seed, the segment's first global step, the rank and the
restart count) and every episode's task stream (episode ``n`` of the run, numbered over workers,
restarts and resumes, has env seed :func:`~agents.a3c.config.episode_seed` ``(seed, n)``) follow
``--seed``. With ``--workers 1`` a segment is reproducible bit for bit; with more workers the
Hogwild interleaving of updates and which worker runs which episode depend on OS scheduling.

Example::

    python -m agents.a3c.train --load normal --workers 2 --timesteps 20000 --episode-steps 200 --out runs/a3c
    python -m agents.a3c.train --resume runs/a3c --timesteps 20000      # 20000 more, same settings
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import os
from multiprocessing import connection as mp_connection
import sys
import time
from pathlib import Path
from typing import Any

from agents.a3c.config import ASYNCHRONY, RUN_CONTROL, A3CConfig
from agents.a3c.worker import EPISODE_FIELDS, worker_main

CHECKPOINT = "checkpoint.pt"


def config_from_args(args: argparse.Namespace) -> A3CConfig:
    """Map the shared ``satgym train`` namespace to :class:`A3CConfig` (missing or None: the defaults).

    Every attribute named like an ``A3CConfig`` field is taken (``satgym train --resume`` fills them
    from the checkpoint, :func:`agents.resume.resolve`); the budget is ``timesteps`` or else
    ``iterations`` episodes per worker (ValueError if both are given).
    """
    names = [f.name for f in dataclasses.fields(A3CConfig)]
    given = {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}
    timesteps, iterations = getattr(args, "timesteps", None), getattr(args, "iterations", None)
    if timesteps is not None and iterations is not None:
        raise ValueError(f"--timesteps and --iterations: give one of them (got {timesteps} and {iterations})")
    base = A3CConfig()
    if timesteps is not None:
        given["total_steps"] = int(timesteps)
    elif iterations is not None:
        given["total_steps"] = (int(iterations) * int(given.get("episode_steps", base.episode_steps))
                                * int(given.get("workers", base.workers)))
    return A3CConfig(**given)


def save_checkpoint(out: Path, model, opt, cfg: A3CConfig, global_step: int, episodes: int, next_episode: int) -> Path:
    """``checkpoint.pt``: weights, shared-Adam state, network spec, config and the run's counters
    (env steps, finished episodes, the first episode index a resumed run may use)."""
    import torch

    path = out / CHECKPOINT
    tmp = out / (CHECKPOINT + ".tmp")
    state = [{k: v.clone() for k, v in s.items()} for s in opt.shared_state()]
    torch.save({"model": model.state_dict(), "optim": state, "spec": model.spec(), "global_step": global_step,
                "episodes": episodes, "next_episode": next_episode, "config": cfg.to_dict()}, tmp)
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


class _Workers:
    """The worker processes of one run segment, each with its own pipe; restarts a dead one."""

    def __init__(self, ctx, cfg: A3CConfig, model, opt, segment: dict[str, int]) -> None:
        self.ctx, self.cfg, self.model, self.opt, self.segment = ctx, cfg, model, opt, segment
        self.steps = ctx.Array("q", cfg.workers, lock=False)     # env steps per rank (each rank writes its own)
        self.started = ctx.Array("q", cfg.workers, lock=False)   # episodes started per rank
        self.stop = ctx.RawValue("b", 0)                         # lock-free: a killed worker holds no lock
        self.incarnation = [0] * cfg.workers
        self.live: dict[Any, tuple[int, Any]] = {}                # pipe -> (rank, process)
        self.restarts = 0

    def start(self, rank: int) -> None:
        recv, send = self.ctx.Pipe(duplex=False)
        proc = self.ctx.Process(target=worker_main, name=f"a3c-worker-{rank}", daemon=True,
                                args=(rank, self.incarnation[rank], self.cfg.to_dict(), self.model,
                                      self.opt.shared_state(), self.steps, self.started, self.segment, send, self.stop))
        proc.start()
        send.close()  # the worker holds the only write end: its death shows as EOF here
        self.live[recv] = (rank, proc)

    def global_step(self) -> int:
        return self.segment["step0"] + sum(self.steps[:])

    def next_episode(self) -> int:
        """First episode index no worker of this segment has used (a resumed run starts there)."""
        return self.segment["first_episode"] + self.cfg.workers * max(self.started[:])

    def budget_done(self) -> bool:
        return sum(self.steps[:]) >= self.cfg.total_steps

    def poll(self, timeout: float):
        """Yield ``(rank, kind, payload)`` for the messages ready within ``timeout``; a worker whose
        pipe closed without ``done`` yields ``("died", reason)`` and is removed from ``live``."""
        for conn in mp_connection.wait(list(self.live), timeout=timeout):
            rank, proc = self.live[conn]
            try:
                kind, payload = conn.recv()
            except Exception:  # EOF (the process is gone) or a message cut off by its death
                proc.join(timeout=10)
                kind, payload = "died", f"worker {rank} died (exit code {proc.exitcode})"
            if kind == "error":  # the worker's traceback: its last line first
                kind, payload = "died", f"worker {rank} raised {payload.strip().splitlines()[-1]}\n{payload}"
            if kind in ("done", "died"):
                del self.live[conn]
                conn.close()
                proc.join(timeout=10)
            yield rank, kind, payload

    def shutdown(self) -> None:
        self.stop.value = 1
        for conn, (_, proc) in list(self.live.items()):
            proc.join(timeout=30)
            if proc.is_alive():
                proc.terminate()
            conn.close()
        self.live.clear()


def train(cfg: A3CConfig, out: str | os.PathLike, resume: str | os.PathLike | None = None,
          verbose: bool = True) -> dict:
    """Run A3C for ``cfg.total_steps`` env steps (more, if ``resume``).

    Returns ``{"checkpoint", "global_step", "episodes", "restarts", "wall_s"}``. With ``resume`` the
    run continues from that checkpoint: its weights, shared-Adam state and counters; ``cfg`` must
    equal the checkpoint's config except for :data:`~agents.a3c.config.RUN_CONTROL` fields (ValueError
    naming the field). A worker that dies is restarted from the shared model (up to
    ``cfg.max_worker_restarts`` times); one more death stops the run, writes the final checkpoint and
    raises RuntimeError naming the worker.
    """
    import torch
    import torch.multiprocessing as mp

    import satgym
    from agents.a3c.model import SatelliteLearners
    from agents.a3c.shared_adam import SharedAdam
    from agents.resume import merge

    torch.set_num_threads(1)
    out = Path(out)
    probe = satgym.parallel_env(cfg.scenario, cfg.env_overrides(), load=cfg.load)
    n_sats, obs_dim = len(probe.possible_agents), probe.observation_space(probe.possible_agents[0]).shape[0]
    K = len(probe.action_space(probe.possible_agents[0]).nvec)
    if cfg.asynchrony == "satellite" and cfg.workers > n_sats:
        raise ValueError(f"workers: asynchrony='satellite' has at most one worker per satellite ({n_sats}), "
                         f"got {cfg.workers}")
    ck = load_checkpoint(resume) if resume else None
    if ck is not None:  # the checkpoint's settings, not new ones
        merge({k: v for k, v in ck["config"].items() if k not in RUN_CONTROL},
              {k: v for k, v in cfg.to_dict().items() if k not in RUN_CONTROL})
    torch.manual_seed(cfg.seed)
    model = SatelliteLearners(n_sats, obs_dim, K, cfg.hidden)
    model.share_memory()
    opt = SharedAdam(model.parameters(), lr=cfg.lr)
    segment = {"first_episode": 0, "step0": 0}
    episodes = 0
    if ck is not None:
        model.load_state_dict(ck["model"])
        for dst, src in zip(opt.shared_state(), ck["optim"]):
            for k, v in src.items():
                dst[k].copy_(v)
        segment = {"first_episode": int(ck.get("next_episode", ck["episodes"])), "step0": int(ck["global_step"])}
        episodes = int(ck["episodes"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps({**cfg.to_dict(), "spec": model.spec()}, indent=2))

    workers = _Workers(mp.get_context(cfg.start_method), cfg, model, opt, segment)
    csv_path = out / "episodes.csv"
    new_file = not (ck is not None and csv_path.exists())
    fh = csv_path.open("w" if new_file else "a", newline="")
    writer = csv.DictWriter(fh, fieldnames=EPISODE_FIELDS)
    if new_file:
        writer.writeheader()

    def checkpoint() -> Path:
        return save_checkpoint(out, model, opt, cfg, workers.global_step(), episodes, workers.next_episode())

    t0 = last_ck = last_prog = time.perf_counter()
    recent: list[float] = []
    failure = None
    try:
        for r in range(cfg.workers):
            workers.start(r)
        while workers.live:
            for rank, kind, payload in workers.poll(timeout=0.5):
                if kind == "episode":
                    writer.writerow(payload)
                    fh.flush()
                    episodes += 1
                    recent = (recent + [payload["return"]])[-20:]
                elif kind == "died" and not (workers.stop.value or workers.budget_done()):
                    if workers.restarts >= cfg.max_worker_restarts:
                        failure = (f"{payload}\nA3C stopped: the worker died after {workers.restarts} restart(s) "
                                   f"(max_worker_restarts={cfg.max_worker_restarts})")
                        workers.stop.value = 1
                        continue
                    workers.restarts += 1
                    workers.incarnation[rank] += 1
                    checkpoint()
                    if verbose:
                        print(f"[a3c] {payload.splitlines()[0]}; restarted from the shared model "
                              f"(restart {workers.restarts}/{cfg.max_worker_restarts})", flush=True)
                    workers.start(rank)
            now = time.perf_counter()
            if cfg.max_minutes is not None and now - t0 > 60 * cfg.max_minutes:
                workers.stop.value = 1
            if now - last_ck > cfg.checkpoint_every_s:
                checkpoint()
                last_ck = now
            if verbose and now - last_prog > cfg.progress_every_s:
                mean_r = sum(recent) / len(recent) if recent else float("nan")
                print(f"[a3c] steps {workers.global_step()}/{segment['step0'] + cfg.total_steps} episodes {episodes} "
                      f"return(last 20) {mean_r:.3f} {now - t0:.0f}s", flush=True)
                last_prog = now
    finally:
        workers.shutdown()
        fh.close()
    path = checkpoint()
    wall = time.perf_counter() - t0
    if failure:
        raise RuntimeError(f"{failure}; final checkpoint: {path} ({workers.global_step()} steps)")
    if verbose:
        print(f"[a3c] done: {workers.global_step()} steps, {episodes} episodes in {wall:.0f}s -> {path}", flush=True)
    return {"checkpoint": str(path), "global_step": workers.global_step(), "episodes": episodes,
            "restarts": workers.restarts, "wall_s": wall}


def run(args: argparse.Namespace) -> int:
    """``satgym train --algo a3c`` entry point (``--resume``: the checkpoint's settings, :mod:`agents.resume`)."""
    from agents.resume import resolve

    try:
        resolve(args)
        cfg = config_from_args(args)
    except ValueError as exc:
        print(f"satgym train: {exc}", file=sys.stderr)
        return 2
    out = getattr(args, "out", None) or f"runs/a3c_{cfg.load}_s{cfg.seed}"
    try:
        train(cfg, out, resume=getattr(args, "resume", None) or None, verbose=not getattr(args, "quiet", False))
    except RuntimeError as exc:
        print(f"satgym train: {exc}", file=sys.stderr)
        return 1
    return 0


def add_arguments(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The module's own flags (unset ones: the :class:`A3CConfig` defaults, or the checkpoint's on ``--resume``)."""
    p.add_argument("--scenario", default=None, help="scenario preset (default leoedge)")
    p.add_argument("--load", default=None, choices=("light", "normal", "heavy"), help="task load (default normal)")
    p.add_argument("--iterations", type=int, default=None, help="episodes per worker (instead of --timesteps)")
    p.add_argument("--timesteps", type=int, default=None, help="env steps summed over workers (default 20000)")
    p.add_argument("--episode-steps", type=int, default=None, help="steps per episode (default 200)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--out", default=None)
    p.add_argument("--resume", default=None, help="checkpoint file or run directory to continue from")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default 2)")
    p.add_argument("--asynchrony", default=None, choices=ASYNCHRONY,
                   help="env: each worker updates every learner (default); "
                        "satellite: learner k only by worker k %% workers")
    p.add_argument("--max-worker-restarts", type=int, default=None, help="restarts of dead workers per run (default 3)")
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--n-steps", type=int, default=None, help="rollout length of the n-step returns")
    p.add_argument("--entropy-coef", type=float, default=None)
    p.add_argument("--max-minutes", type=float, default=None)
    p.add_argument("--start-method", default=None, choices=("spawn", "fork", "forkserver"))
    p.add_argument("--mask-hold", action=argparse.BooleanOptionalAction, default=None,
                   help="decide only local/offload (the paper's binary action; the hold logit is masked)")
    p.add_argument("--env-set", action="append", default=[], metavar="KEY=VALUE",
                   help="env config override for training, repeatable (e.g. reward.latency_weight=1)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    return p


def main(argv: list[str] | None = None) -> int:
    from agents.overrides import parse_args

    p = add_arguments(argparse.ArgumentParser(prog="python -m agents.a3c.train", description=__doc__.split("\n\n")[0]))
    return run(parse_args(p, argv))


if __name__ == "__main__":
    sys.exit(main())
