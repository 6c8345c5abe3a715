"""Train the learned policies of issue 16 on the paper's regime: ours and the paper's two learning baselines.

Configurations (``--config``), each trained per load (``--loads``) and training seed (``--seeds``):

* ``ours``: shared-parameter PPO (RLlib, new API stack) with action masking, the binary
  local/offload action, per-slot on-board/edge estimate features, warm-started by behaviour
  cloning from ``--teacher`` (default ``leoedge-search``, the centralised search: the shipped
  policies cloned it, when it was still named ``leoedge``) with a critic warm-up and reward / value
  normalisation (:mod:`agents.rllib.imitation`), then fine-tuned on the execution-time reward
  :data:`EXEC_REWARD` (each task's realised end-to-end time charged to the satellite that decided
  it, failures at 30 s, open tasks charged at the end; the cluster's mean load above P = 0.5
  penalised with weight 3; ``local_ratio = 1``: each satellite's own share);
* ``marl``: the paper's MARL baseline: shared-parameter PPO from scratch, binary action, the
  paper's reward (the env's default: offloading advantage, Eqs. 2-4, and the per-container
  overload and failure penalties), action masking on;
* ``a3c``: the paper's A3C baseline: one learner per satellite (:mod:`agents.a3c`), binary action
  (``mask_hold``), the paper's reward, ``--a3c-minutes`` of wall time with ``--a3c-workers``.

Budget (defaults): RLlib 200-step training episodes, ``--iterations`` x 2,000 env steps
(20,000 agent steps) per run, PPO 5 epochs of 500-step minibatches, gamma 0.99, lambda 0.95;
ours: lr 3e-4, entropy 0, 20 teacher episodes, 30 BC epochs; marl: lr 3e-4, entropy 0.01.
Outputs: ``OUT/<config>/<load>/seed<k>/`` (RLlib run or A3C run) and ``OUT/<config>/runs.json``
(per run: the command, settings, wall time, final checkpoint; merged across invocations).

Example::

    OMP_NUM_THREADS=1 nice -n 5 python experiments/train_learned.py --config ours --loads heavy --seeds 0,1,2
    OMP_NUM_THREADS=1 python experiments/eval_paired.py --loads heavy \\
        --policies 'ours=marl:runs/learned/ours/{load}/seed{seed}/checkpoints/latest' --train-seeds 0,1,2
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from pathlib import Path

for _key, _value in (("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0"), ("RAY_USAGE_STATS_ENABLED", "0"),
                     ("OMP_NUM_THREADS", "1")):
    os.environ.setdefault(_key, _value)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: the execution-time reward ``ours`` trains on (satgym.leoedge.reward; the env's default is the paper's)
EXEC_REWARD = {"reward": {"execution_time_weight": 1.0, "advantage_weight": 0.0, "latency_weight": 0.0,
                          "failure_penalty": 0.0, "failure_charge_s": 30.0, "overload_scope": "cluster",
                          "overload_penalty": 3.0, "local_ratio": 1.0}}
CONFIGS = ("ours", "marl", "a3c")
PPO = {"episode_steps": 200, "train_batch": 2000, "minibatch": 500, "epochs": 5}


def rllib_settings(config: str, load: str, seed: int, teacher: str = "leoedge-search", bc_episodes: int = 20):
    """The :class:`~agents.rllib.config.TrainSettings` of an RLlib configuration."""
    from agents.rllib.config import TrainSettings

    if config == "ours":
        return TrainSettings(load=load, seed=seed, **PPO, lr=3e-4, entropy_coeff=0.0, overrides=EXEC_REWARD,
                             action_mask=True, binary=True, estimates=True, bc_teacher=teacher,
                             bc_episodes=bc_episodes, bc_epochs=30)
    if config == "marl":
        return TrainSettings(load=load, seed=seed, **PPO, lr=3e-4, entropy_coeff=0.01, action_mask=True, binary=True)
    raise ValueError(f"config: {config!r} is not an RLlib configuration; choose one of ours, marl")


def plot_curves(root: Path, loads: list[str], png: str) -> None:
    """Training curves of every ``root/<load>/seed*/metrics.csv``: the env's mean execution time and
    edge load of the training episodes (stochastic policy) against env steps, one line per seed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    fig, axes = plt.subplots(2, len(loads), figsize=(4.2 * len(loads), 6), squeeze=False)
    for j, load in enumerate(loads):
        for path in sorted((root / load).glob("seed*/metrics.csv")):
            df = pd.read_csv(path)
            for i, col in enumerate(("mean_execution_time_s", "mean_edge_load")):
                axes[i, j].plot(df["env_steps"], df[col], marker=".", label=path.parent.name)
        axes[0, j].set_title(f"{load} load")
        axes[0, j].set_ylabel("mean execution time (s)")
        axes[1, j].set_ylabel("mean edge load")
        axes[1, j].set_xlabel("env steps (after the warm start)")
        axes[0, j].legend(fontsize=8)
        for ax in axes[:, j]:
            ax.grid(alpha=0.3)
    fig.suptitle(f"{root.name}: training episodes (200 steps, stochastic policy)")
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config", required=True, choices=CONFIGS)
    p.add_argument("--loads", default="light,normal,heavy")
    p.add_argument("--seeds", default="0,1,2", help="training seeds")
    p.add_argument("--iterations", type=int, default=20, help="RLlib PPO iterations (x 2,000 env steps)")
    p.add_argument("--teacher", default="leoedge-search", help="ours: the policy whose decisions are cloned")
    p.add_argument("--bc-episodes", type=int, default=20)
    p.add_argument("--a3c-minutes", type=float, default=5.0)
    p.add_argument("--a3c-workers", type=int, default=1)
    p.add_argument("--out", default="runs/learned")
    p.add_argument("--plot", default=None, metavar="PNG", help="only draw the training curves of OUT/<config> (RLlib)")
    args = p.parse_args(argv)
    loads = [x for x in args.loads.split(",") if x]
    seeds = [int(x) for x in args.seeds.split(",") if x]
    root = Path(args.out) / args.config
    if args.plot:
        plot_curves(root, loads, args.plot)
        return 0
    root.mkdir(parents=True, exist_ok=True)
    runs_path = root / "runs.json"
    runs = json.loads(runs_path.read_text()) if runs_path.exists() else {}
    command = "OMP_NUM_THREADS=1 nice -n 5 python experiments/train_learned.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:]))
    ray = owned = None
    if args.config != "a3c":
        from satgym.ray_session import init_ray

        ray, owned = init_ray(None, 1)
    try:
        for load in loads:
            for seed in seeds:
                out = root / load / f"seed{seed}"
                t0 = time.perf_counter()
                if args.config == "a3c":
                    from agents.a3c.config import A3CConfig
                    from agents.a3c.train import train as train_a3c

                    cfg = A3CConfig(load=load, episode_steps=PPO["episode_steps"], workers=args.a3c_workers,
                                    total_steps=10_000_000, seed=seed, max_minutes=args.a3c_minutes,
                                    progress_every_s=60, mask_hold=True)
                    info = train_a3c(cfg, out)
                    result = {"checkpoint": str(out), "global_step": info["global_step"], "settings": cfg.to_dict()}
                else:
                    from agents.rllib.config import settings_dict
                    from agents.rllib.train import read_meta, train

                    s = rllib_settings(args.config, load, seed, args.teacher, args.bc_episodes)
                    ckpt = train("ppo", s, args.iterations, str(out), checkpoint_every=10)["checkpoint"]
                    meta = read_meta(ckpt)
                    result = {"checkpoint": ckpt, "settings": settings_dict(s) | meta.get("settings", {}),
                              "imitation": meta.get("imitation"), "iterations": args.iterations}
                single = (f"OMP_NUM_THREADS=1 nice -n 5 python experiments/train_learned.py --config {args.config} "
                          f"--loads {load} --seeds {seed} --out {args.out} " + (
                              f"--a3c-minutes {args.a3c_minutes:g} --a3c-workers {args.a3c_workers}" if args.config == "a3c"
                              else f"--iterations {args.iterations}" + (
                                  f" --teacher {args.teacher} --bc-episodes {args.bc_episodes}"
                                  if args.config == "ours" else "")))
                runs[f"{load}/seed{seed}"] = {**result, "command": command, "run_command": single, "load": load,
                                              "seed": seed, "wall_s": round(time.perf_counter() - t0, 1)}
                runs_path.write_text(json.dumps(runs, indent=1, sort_keys=True, default=str))
                print(f"{args.config} {load} seed {seed}: {runs[f'{load}/seed{seed}']['wall_s']:.0f} s -> "
                      f"{result['checkpoint']}", flush=True)
    finally:
        if owned:
            ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
