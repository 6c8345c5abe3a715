"""Train A3C (independent per-satellite learners) on the three LEOEdge loads and compare with baselines.

Budget per load: ``--timesteps`` env steps summed over ``--workers`` workers, stopped earlier
after ``--minutes`` of wall time (default 150 000 steps / 10 min on 2 cores; at ~90 steps/s per
worker the time limit is what binds). Then the greedy A3C policy, ``random`` (offload with
probability 0.5), ``local`` and ``threshold`` each run ``--eval-episodes`` episodes on the same
task streams (env seeds ``EVAL_SEED + i``, never used in training).

Writes ``docs/img/a3c_<load>_curve.png`` (training return per episode and its moving average),
``docs/img/a3c_<load>_episodes.csv`` (training log), ``docs/img/a3c_eval.csv`` (evaluation, one
row per policy, load and episode) and ``docs/results_a3c.md``.

Example (Normal load only, ~11 min)::

    OMP_NUM_THREADS=1 python experiments/train_a3c.py --loads normal --minutes 10
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

import agents.a3c  # noqa: E402,F401  (registers the "a3c" policy)
import satgym  # noqa: E402
from agents.a3c.config import A3CConfig  # noqa: E402
from agents.a3c.train import train  # noqa: E402
from baselines.policies import make_policy  # noqa: E402

EVAL_SEED = 900_000
BASELINES = ("random", "local", "threshold")


def evaluate(spec: str, load: str, episode_steps: int, seeds: list[int]) -> list[dict]:
    """One row per episode: return, mean execution time, edge load, failures."""
    rows = []
    policy = make_policy(spec)
    for seed in seeds:
        env = satgym.parallel_env("leoedge", {"episode": {"steps": episode_steps}}, load=load)
        obs, infos = env.reset(seed=seed)
        policy.reset(env, seed=seed)
        ret = 0.0
        while env.agents:
            obs, rew, _, _, infos = env.step(policy.act(env, obs, infos))
            ret += float(next(iter(rew.values())))
        em = env.episode_metrics()
        rows.append({"policy": spec.split(":")[0], "load": load, "seed": seed, "return": ret,
                     "mean_execution_time_s": em["mean_execution_time_s"], "mean_edge_load": em["mean_edge_load"],
                     "failed": em["failed"], "completed": em["completed"], "generated": em["generated"]})
    return rows


def plot_curve(csv_path: Path, png: Path, load: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = pd.read_csv(csv_path).sort_values("global_step")
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.5))
    ax[0].plot(df["global_step"], df["return"], ".", alpha=0.25, ms=3, label="episode")
    ax[0].plot(df["global_step"], df["return"].rolling(25, min_periods=1).mean(), label="moving avg (25)")
    ax[0].set(xlabel="env steps (all workers)", ylabel="episode return", title=f"A3C training, {load} load")
    ax[0].legend()
    ax[1].plot(df["global_step"], df["mean_execution_time_s"].rolling(25, min_periods=1).mean(), color="C2")
    ax[1].set(xlabel="env steps (all workers)", ylabel="mean execution time (s)", title="moving avg (25)")
    fig.tight_layout()
    fig.savefig(png, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--loads", default="light,normal,heavy")
    p.add_argument("--minutes", type=float, default=10.0, help="wall-time cap per load")
    p.add_argument("--timesteps", type=int, default=150_000)
    p.add_argument("--episode-steps", type=int, default=200)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-episodes", type=int, default=5)
    p.add_argument("--runs", default="runs/a3c_exp")
    p.add_argument("--img", default=str(ROOT / "docs" / "img"))
    p.add_argument("--results", default=str(ROOT / "docs" / "results_a3c.md"))
    args = p.parse_args(argv)
    img = Path(args.img)
    img.mkdir(parents=True, exist_ok=True)
    loads = [s for s in args.loads.split(",") if s]
    seeds = [EVAL_SEED + i for i in range(args.eval_episodes)]
    eval_path = img / "a3c_eval.csv"
    evals = pd.read_csv(eval_path) if eval_path.exists() else pd.DataFrame()
    runs = {}
    for load in loads:
        cfg = A3CConfig(load=load, episode_steps=args.episode_steps, workers=args.workers,
                        total_steps=args.timesteps, seed=args.seed, max_minutes=args.minutes, progress_every_s=60)
        out = Path(args.runs) / load
        info = train(cfg, out)
        runs[load] = info
        shutil.copy(out / "episodes.csv", img / f"a3c_{load}_episodes.csv")
        plot_curve(out / "episodes.csv", img / f"a3c_{load}_curve.png", load)
        rows = evaluate(f"a3c:{out}", load, args.episode_steps, seeds)
        for b in BASELINES:
            rows += evaluate(b, load, args.episode_steps, seeds)
        if not evals.empty:
            evals = evals[evals["load"] != load]
        evals = pd.concat([evals, pd.DataFrame(rows)], ignore_index=True)
        evals.to_csv(eval_path, index=False)
    write_results(args, evals, runs)
    return 0


def write_results(args, evals: pd.DataFrame, runs: dict) -> None:
    table = (evals.groupby(["load", "policy"], sort=False)[["return", "mean_execution_time_s", "mean_edge_load", "failed"]]
             .mean().reset_index())
    lines = ["# A3C results (independent per-satellite learners)", "",
             "Command:", "", "```",
             f"OMP_NUM_THREADS=1 python experiments/train_a3c.py --loads {args.loads} --minutes {args.minutes:g} "
             f"--timesteps {args.timesteps} --episode-steps {args.episode_steps} --workers {args.workers} "
             f"--seed {args.seed} --eval-episodes {args.eval_episodes}", "```", "",
             f"Training: {args.workers} Hogwild workers on 2 shared CPU cores, {args.episode_steps}-step episodes. "
             f"Evaluation: greedy A3C vs baselines, {args.eval_episodes} episodes each on the same task streams "
             f"(env seeds {EVAL_SEED}..{EVAL_SEED + args.eval_episodes - 1}, unseen in training); means below.", ""]
    for load, info in runs.items():
        lines.append(f"- {load}: {info['global_step']} env steps, {info['episodes']} episodes, {info['wall_s']:.0f} s")
    lines += ["", "| load | policy | return | mean execution time (s) | mean edge load | failed |",
              "|---|---|---:|---:|---:|---:|"]
    for r in table.itertuples():
        lines.append(f"| {r.load} | {r.policy} | {r._3:.3f} | {r.mean_execution_time_s:.3f} | {r.mean_edge_load:.4f} | "
                     f"{r.failed:.1f} |")
    lines += [""] + [f"![A3C {load}](img/a3c_{load}_curve.png)" for load in sorted(set(evals["load"]))]
    lines += ["", "Data: `docs/img/a3c_eval.csv`, `docs/img/a3c_<load>_episodes.csv`.", ""]
    Path(args.results).write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
