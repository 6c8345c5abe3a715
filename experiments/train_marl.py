"""Train shared-parameter MARL (RLlib PPO) on the three loads; learning curves and a learning check.

Budget (documented, fits ~10 min per load on 2 shared CPU cores): ``leoedge`` scenario, 200-step
training episodes, 80 iterations x 2,000 env steps (= 160,000 env steps, 1.6 M agent steps per
load), PPO with 5 epochs of 500-step minibatches, lr 3e-4, gamma 0.99, GAE lambda 0.95, entropy
0.01, 64x64 tanh MLP actor and critic (:class:`agents.rllib.module.SatPPOModule`), one sampler in
the driver (``num_env_runners=0``).

Training reward: the env's default (offloading advantage + overload/failure penalties) unless
``--env-set KEY=VALUE`` (repeatable) overrides the env config, e.g. the execution-time reward
``--env-set reward.latency_weight=1 --env-set reward.advantage_weight=0``; the overrides are saved
with the checkpoint. ``--algo mappo`` trains the centralised-critic variant; ``--lr`` and
``--entropy`` change those two PPO settings.

Learning check (``--eval-load``, default normal; comma-separated or ``all``): after the budget,
the greedy trained policy (``marl:CHECKPOINT``), ``leoedge``, ``random``, ``threshold`` and
``local`` (``--baselines``, from ``baselines.policies.make_policy``) run the same evaluation
episodes (seeds ``--eval-seeds``, 200 steps, identical task streams) on the DEFAULT env and
reward, and the script prints the mean episode return (the default shared reward summed over
steps; RLlib's ``episode_return_mean`` sums the training reward over the 10 satellites as well),
mean execution time, edge load and failed tasks.

Outputs in ``--out``: ``<load>/`` (RLlib run: metrics.csv, tb/, checkpoints/),
``learning_curves.csv`` + ``learning_curves.png`` (the loads of this invocation),
``learning_check.csv`` (means) and ``learning_check_episodes.csv`` (per episode), merged by load.

Example::

    python experiments/train_marl.py --loads normal --iterations 80 --out runs/marl
    python experiments/train_marl.py --loads light,normal,heavy --out runs/marl
    python experiments/train_marl.py --loads normal --skip-train --out runs/marl   # evaluate only
    python experiments/train_marl.py --loads heavy --eval-load heavy --out runs/marl_lat \
        --env-set reward.latency_weight=1 --env-set reward.advantage_weight=0
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

import numpy as np

# before anything imports ray: a local Ray then stays on loopback (Ray reads these at import time)
for _key, _value in (("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0"), ("RAY_USAGE_STATS_ENABLED", "0"),
                     ("OMP_NUM_THREADS", "1")):
    os.environ.setdefault(_key, _value)

BUDGET = {"iterations": 80, "episode_steps": 200, "train_batch": 2000, "minibatch": 500, "epochs": 5,
          "lr": 3e-4}
BASELINES = ("leoedge", "random", "threshold", "local")  # local: never offloads (advantage reward 0 by construction)
EVAL_SEEDS = (1000, 1001, 1002, 1003, 1004)
CURVE_COLUMNS = ("episode_return_mean", "mean_execution_time_s", "mean_edge_load", "failed")


def train_load(load: str, out: str, iterations: int, seed: int = 0, algo: str = "ppo",
               overrides: dict[str, Any] | None = None, lr: float = BUDGET["lr"],
               entropy_coeff: float = 0.01) -> str:
    """Train shared PPO (or MAPPO) on one load with env ``overrides``; returns the final checkpoint path."""
    from agents.rllib.config import TrainSettings
    from agents.rllib.train import train

    s = TrainSettings(load=load, episode_steps=BUDGET["episode_steps"], seed=seed,
                      train_batch=BUDGET["train_batch"], minibatch=BUDGET["minibatch"], epochs=BUDGET["epochs"],
                      lr=lr, entropy_coeff=entropy_coeff, overrides=dict(overrides or {}))
    return train(algo, s, iterations, os.path.join(out, load), checkpoint_every=20)["checkpoint"]


def evaluate(spec: str, load: str, seeds: tuple[int, ...] = EVAL_SEEDS, steps: int = 200) -> dict[str, Any]:
    """Mean over ``seeds`` of one episode each: return, execution time, edge load, failures.

    Every policy runs on the DEFAULT env (default reward): the return is the paper's reward whatever
    reward the policy was trained on; execution time and edge load do not depend on the reward.
    """
    from satgym.evaluation import run_episode
    from satgym.policies import make_policy

    policy = make_policy(spec)
    fields = ("seed", "return", "mean_execution_time_s", "mean_edge_load", "failed", "completed")
    rows = [{k: r[k] for k in fields} for r in (run_episode(policy, load, seed, steps) for seed in seeds)]
    keys = [k for k in rows[0] if k != "seed"]
    out = {k: float(np.mean([r[k] for r in rows])) for k in keys}
    out["per_episode"] = rows
    out["return_std"] = float(np.std([r["return"] for r in rows]))
    out["exec_std"] = float(np.std([r["mean_execution_time_s"] for r in rows]))
    return {"policy": spec.split(":")[0], "load": load, "episodes": len(seeds), **out}


def learning_check(checkpoint: str, load: str, seeds: tuple[int, ...],
                   baselines: tuple[str, ...] = BASELINES) -> list[dict[str, Any]]:
    """The trained policy vs ``baselines`` on the same seeds (printed as a table)."""
    results = [evaluate(spec, load, seeds) for spec in (f"marl:{checkpoint}", *baselines)]
    print(f"\nlearning check, load={load}, {len(seeds)} episodes x 200 steps, seeds {list(seeds)}")
    print(f"{'policy':<10} {'return':>16} {'exec time (s)':>14} {'edge load':>10} {'failed':>7} {'completed':>9}")
    for r in results:
        print(f"{r['policy']:<10} {r['return']:>9.1f} ± {r['return_std']:<5.1f} {r['mean_execution_time_s']:>14.3f} "
              f"{r['mean_edge_load']:>10.3f} {r['failed']:>7.1f} {r['completed']:>9.1f}")
    return results


def plot_curves(curves: "Any", path: str, title: str = "shared-parameter PPO on leoedge (RLlib, 200-step episodes)") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(CURVE_COLUMNS), figsize=(4.2 * len(CURVE_COLUMNS), 3.4))
    for ax, col in zip(axes, CURVE_COLUMNS):
        for load, df in curves.groupby("load", sort=False):
            ax.plot(df["env_steps"], df[col], label=load)
        ax.set_xlabel("env steps")
        ax.set_title(col)
        ax.grid(alpha=0.3)
    axes[0].legend(title="load")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--loads", default="light,normal,heavy")
    p.add_argument("--iterations", type=int, default=BUDGET["iterations"])
    p.add_argument("--out", default="runs/marl")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-load", default="normal",
                   help="load(s) of the learning check, comma-separated; 'all' = every --loads entry ('' to skip)")
    p.add_argument("--eval-seeds", default=",".join(map(str, EVAL_SEEDS)))
    p.add_argument("--baselines", default=",".join(BASELINES), help="policies evaluated beside the trained one")
    p.add_argument("--skip-train", action="store_true", help="reuse OUT/<load>/checkpoints/latest")
    p.add_argument("--algo", default="ppo", choices=("ppo", "mappo"), help="shared PPO or MAPPO")
    p.add_argument("--lr", type=float, default=BUDGET["lr"], help="PPO learning rate (default 3e-4)")
    p.add_argument("--entropy", type=float, default=0.01, help="PPO entropy coefficient (default 0.01)")
    p.add_argument("--env-set", action="append", default=[], metavar="KEY=VALUE",
                   help="env override for TRAINING (repeatable), e.g. reward.latency_weight=1; "
                        "evaluation always uses the default env and reward")
    args = p.parse_args(argv)
    import pandas as pd

    from agents.overrides import parse_env_set, validate
    from satgym.ray_session import init_ray

    overrides = parse_env_set(args.env_set)
    validate(overrides)  # unknown keys fail here, before Ray starts

    loads = [x for x in args.loads.split(",") if x]
    os.makedirs(args.out, exist_ok=True)
    checkpoints = {}
    if not args.skip_train:
        ray, owned = init_ray(None)
        try:
            for load in loads:
                t0 = time.perf_counter()
                checkpoints[load] = train_load(load, args.out, args.iterations, args.seed, args.algo, overrides,
                                               lr=args.lr, entropy_coeff=args.entropy)
                print(f"{load}: trained in {time.perf_counter() - t0:.0f} s -> {checkpoints[load]}", flush=True)
        finally:
            if owned:
                ray.shutdown()
    for load in loads:
        checkpoints.setdefault(load, os.path.join(args.out, load, "checkpoints", "latest"))
    frames = [pd.read_csv(os.path.join(args.out, load, "metrics.csv")).assign(load=load) for load in loads
              if os.path.exists(os.path.join(args.out, load, "metrics.csv"))]
    if frames:
        curves = pd.concat(frames, ignore_index=True)
        curves.to_csv(os.path.join(args.out, "learning_curves.csv"), index=False)
        title = f"{'shared-parameter PPO' if args.algo == 'ppo' else 'MAPPO'} on leoedge (RLlib, 200-step episodes)"
        if overrides:
            title += "\ntrained with " + " ".join(args.env_set)
        plot_curves(curves, os.path.join(args.out, "learning_curves.png"), title)
        print(f"wrote {os.path.join(args.out, 'learning_curves.png')}")
    eval_loads = loads if args.eval_load == "all" else [x for x in args.eval_load.split(",") if x]
    if eval_loads:
        seeds = tuple(int(x) for x in args.eval_seeds.split(","))
        baselines = tuple(x for x in args.baselines.split(",") if x)
        results = []
        for load in eval_loads:
            checkpoints.setdefault(load, os.path.join(args.out, load, "checkpoints", "latest"))
            results += learning_check(checkpoints[load], load, seeds, baselines)
        episodes = pd.DataFrame([{"policy": r["policy"], "load": r["load"], **e} for r in results
                                 for e in r.pop("per_episode")])
        for name, new in (("learning_check.csv", pd.DataFrame(results)), ("learning_check_episodes.csv", episodes)):
            path = os.path.join(args.out, name)
            if os.path.exists(path):  # keep the other loads' rows of earlier invocations
                old = pd.read_csv(path)
                new = pd.concat([old[~old["load"].isin(eval_loads)], new], ignore_index=True)
            new.to_csv(path, index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
