"""Train shared-parameter MARL (RLlib PPO) on the three loads; learning curves and a learning check.

Budget (documented, fits ~10 min per load on 2 shared CPU cores): ``leoedge`` scenario, 200-step
training episodes, 80 iterations x 2,000 env steps (= 160,000 env steps, 1.6 M agent steps per
load), PPO with 5 epochs of 500-step minibatches, lr 3e-4, gamma 0.99, GAE lambda 0.95, entropy
0.01, 64x64 tanh MLP actor and critic (:class:`agents.rllib.module.SatPPOModule`), one sampler in
the driver (``num_env_runners=0``).

Learning check (``--eval-load``, default normal): after the budget, the greedy trained policy
(``marl:CHECKPOINT``), ``random``, ``threshold`` and ``local`` (from ``baselines.policies.make_policy``) run
the same evaluation episodes (seeds ``--eval-seeds``, 200 steps, identical task streams), and the
script prints the mean episode return (the shared reward summed over steps; RLlib's
``episode_return_mean`` sums it over the 10 satellites as well), mean execution time, edge load
and failed tasks.

Outputs in ``--out``: ``<load>/`` (RLlib run: metrics.csv, tb/, checkpoints/),
``learning_curves.csv`` + ``learning_curves.png`` (all loads), ``learning_check.csv``.

Example::

    python experiments/train_marl.py --loads normal --iterations 80 --out runs/marl
    python experiments/train_marl.py --loads light,normal,heavy --out runs/marl
    python experiments/train_marl.py --loads normal --skip-train --out runs/marl   # evaluate only
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
BASELINES = ("random", "threshold", "local")  # local: never offloads (advantage reward 0 by construction)
EVAL_SEEDS = (1000, 1001, 1002, 1003, 1004)
CURVE_COLUMNS = ("episode_return_mean", "mean_execution_time_s", "mean_edge_load", "failed")


def train_load(load: str, out: str, iterations: int, seed: int = 0) -> str:
    """Train shared PPO on one load; returns the final checkpoint path."""
    from agents.rllib.config import TrainSettings
    from agents.rllib.train import train

    s = TrainSettings(load=load, episode_steps=BUDGET["episode_steps"], seed=seed,
                      train_batch=BUDGET["train_batch"], minibatch=BUDGET["minibatch"], epochs=BUDGET["epochs"],
                      lr=BUDGET["lr"])
    return train("ppo", s, iterations, os.path.join(out, load), checkpoint_every=20)["checkpoint"]


def evaluate(spec: str, load: str, seeds: tuple[int, ...] = EVAL_SEEDS, steps: int = 200) -> dict[str, Any]:
    """Mean over ``seeds`` of one episode each: return, execution time, edge load, failures."""
    import satgym
    from agents.rllib.registry import register
    from baselines.policies import make_policy

    register()  # marl:PATH (also when `agents` resolves as a namespace package)
    policy = make_policy(spec)
    rows = []
    for seed in seeds:
        env = satgym.parallel_env("leoedge", {"episode": {"steps": steps}}, load=load)
        obs, infos = env.reset(seed=seed)
        policy.reset(env, seed=seed)
        ret = 0.0
        while env.agents:
            obs, rewards, _, _, infos = env.step(policy.act(env, obs, infos))
            ret += float(next(iter(rewards.values()))) if rewards else 0.0
        m = env.episode_metrics()
        rows.append({"return": ret, "mean_execution_time_s": m["mean_execution_time_s"],
                     "mean_edge_load": m["mean_edge_load"], "failed": m["failed"], "completed": m["completed"]})
    keys = rows[0].keys()
    out = {k: float(np.mean([r[k] for r in rows])) for k in keys}
    out["return_std"] = float(np.std([r["return"] for r in rows]))
    return {"policy": spec.split(":")[0], "load": load, "episodes": len(seeds), **out}


def learning_check(checkpoint: str, load: str, seeds: tuple[int, ...]) -> list[dict[str, Any]]:
    """The trained policy vs :data:`BASELINES` on the same seeds (printed as a table)."""
    results = [evaluate(spec, load, seeds) for spec in (f"marl:{checkpoint}", *BASELINES)]
    print(f"\nlearning check, load={load}, {len(seeds)} episodes x 200 steps, seeds {list(seeds)}")
    print(f"{'policy':<10} {'return':>16} {'exec time (s)':>14} {'edge load':>10} {'failed':>7} {'completed':>9}")
    for r in results:
        print(f"{r['policy']:<10} {r['return']:>9.1f} ± {r['return_std']:<5.1f} {r['mean_execution_time_s']:>14.3f} "
              f"{r['mean_edge_load']:>10.3f} {r['failed']:>7.1f} {r['completed']:>9.1f}")
    return results


def plot_curves(curves: "Any", path: str) -> None:
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
    fig.suptitle("shared-parameter PPO on leoedge (RLlib, 200-step episodes)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--loads", default="light,normal,heavy")
    p.add_argument("--iterations", type=int, default=BUDGET["iterations"])
    p.add_argument("--out", default="runs/marl")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-load", default="normal", help="load of the learning check ('' to skip)")
    p.add_argument("--eval-seeds", default=",".join(map(str, EVAL_SEEDS)))
    p.add_argument("--skip-train", action="store_true", help="reuse OUT/<load>/checkpoints/latest")
    args = p.parse_args(argv)
    import pandas as pd

    from agents.rllib.train import init_ray

    loads = [x for x in args.loads.split(",") if x]
    os.makedirs(args.out, exist_ok=True)
    checkpoints = {}
    if not args.skip_train:
        ray, owned = init_ray(None)
        try:
            for load in loads:
                t0 = time.perf_counter()
                checkpoints[load] = train_load(load, args.out, args.iterations, args.seed)
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
        plot_curves(curves, os.path.join(args.out, "learning_curves.png"))
        print(f"wrote {os.path.join(args.out, 'learning_curves.png')}")
    if args.eval_load:
        seeds = tuple(int(x) for x in args.eval_seeds.split(","))
        results = learning_check(checkpoints[args.eval_load], args.eval_load, seeds)
        pd.DataFrame(results).to_csv(os.path.join(args.out, "learning_check.csv"), index=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
