"""Train A3C (independent per-satellite learners) on the three LEOEdge loads and compare with baselines.

Budget per load: ``--timesteps`` env steps summed over ``--workers`` workers, stopped earlier
after ``--minutes`` of wall time (default 150 000 steps / 10 min on 2 cores; at ~90 steps/s per
worker the time limit is what binds). Then the greedy A3C policy, ``leoedge`` (the paper's
scheduler), ``random`` (offload with probability 0.5), ``local`` and ``threshold`` each run
``--eval-episodes`` episodes on the same task streams (env seeds ``EVAL_SEED + i``, never used in
training), on the default env (default reward, whatever ``--env-set`` shaped training).

``--actions binary`` (default) trains with the hold logit masked (``A3CConfig.mask_hold``): the
learners decide local vs offload, the paper's binary A3C action; ``--actions all`` keeps hold.

Writes ``docs/img/a3c_<load>_curve.png`` (training return per episode and its moving average),
``docs/img/a3c_<load>_episodes.csv`` (training log), ``docs/img/a3c_eval.csv`` (evaluation, one
row per policy, load and episode), ``docs/img/a3c_runs.json`` (per load: budget, wall time and the
command that made it; merged across invocations) and ``docs/results_a3c.md`` (generated; any text
below the line ``<!-- notes -->`` of the existing file is kept).

Example (Normal load only, ~11 min)::

    OMP_NUM_THREADS=1 python experiments/train_a3c.py --loads normal --minutes 10
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

import agents.a3c  # noqa: E402,F401  (registers the "a3c" policy)
from agents.a3c.config import A3CConfig  # noqa: E402
from agents.a3c.train import train  # noqa: E402
from satgym.policies import make_policy  # noqa: E402

EVAL_SEED = 900_000
BASELINES = ("leoedge", "random", "local", "threshold")
NOTES_MARK = "<!-- notes -->"


def evaluate(spec: str, load: str, episode_steps: int, seeds: list[int]) -> list[dict]:
    """One row per episode: return, mean execution time, edge load, failures."""
    from satgym.evaluation import run_episode

    policy = make_policy(spec)
    fields = ("seed", "return", "mean_execution_time_s", "mean_edge_load", "failed", "completed", "generated")
    return [{"policy": spec.split(":")[0], "load": load, **{k: r[k] for k in fields}}
            for r in (run_episode(policy, load, seed, episode_steps) for seed in seeds)]


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
    p.add_argument("--actions", default="binary", choices=("binary", "all"),
                   help="binary: local/offload only (hold masked, the paper's A3C); all: also hold")
    p.add_argument("--env-set", action="append", default=[], metavar="KEY=VALUE",
                   help="env override for training (repeatable); evaluation uses the default env")
    p.add_argument("--skip-train", action="store_true", help="evaluate RUNS/<load> again, no training")
    args = p.parse_args(argv)
    from agents.overrides import parse_env_set, validate

    overrides = parse_env_set(args.env_set)
    validate(overrides)
    img = Path(args.img)
    img.mkdir(parents=True, exist_ok=True)
    loads = [s for s in args.loads.split(",") if s]
    seeds = [EVAL_SEED + i for i in range(args.eval_episodes)]
    eval_path = img / "a3c_eval.csv"
    evals = pd.read_csv(eval_path) if eval_path.exists() else pd.DataFrame()
    runs_path = img / "a3c_runs.json"
    runs = json.loads(runs_path.read_text()) if runs_path.exists() else {}
    command = "OMP_NUM_THREADS=1 python experiments/train_a3c.py " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    for load in loads:
        out = Path(args.runs) / load
        if not args.skip_train:
            cfg = A3CConfig(load=load, episode_steps=args.episode_steps, workers=args.workers,
                            total_steps=args.timesteps, seed=args.seed, max_minutes=args.minutes, progress_every_s=60,
                            mask_hold=args.actions == "binary", overrides=overrides)
            info = train(cfg, out)
            runs[load] = {**{k: info[k] for k in ("global_step", "episodes", "wall_s")}, "command": command,
                          "actions": args.actions, "overrides": overrides, "workers": args.workers,
                          "episode_steps": args.episode_steps, "seed": args.seed}
            shutil.copy(out / "episodes.csv", img / f"a3c_{load}_episodes.csv")
            plot_curve(out / "episodes.csv", img / f"a3c_{load}_curve.png", load)
        elif load in runs:
            runs[load]["eval_command"] = command
        rows = evaluate(f"a3c:{out}", load, args.episode_steps, seeds)
        for b in BASELINES:
            rows += evaluate(b, load, args.episode_steps, seeds)
        if not evals.empty:
            evals = evals[evals["load"] != load]
        evals = pd.concat([evals, pd.DataFrame(rows)], ignore_index=True)
        evals.to_csv(eval_path, index=False)
        runs_path.write_text(json.dumps(runs, indent=1, sort_keys=True))
    write_results(args, evals, runs)
    return 0


def write_results(args, evals: pd.DataFrame, runs: dict) -> None:
    """Regenerate ``--results`` from all loads' evaluations and run infos (kept text: below NOTES_MARK)."""
    order = {"a3c": 0, **{b: i + 1 for i, b in enumerate(BASELINES)}}
    table = (evals.groupby(["load", "policy"], sort=False)[["return", "mean_execution_time_s", "mean_edge_load", "failed"]]
             .mean().reset_index())
    table["_l"] = table["load"].map({"light": 0, "normal": 1, "heavy": 2})
    table["_p"] = table["policy"].map(order).fillna(99)
    table = table.sort_values(["_l", "_p"])
    n_eval = evals.groupby(["load", "policy"]).size().max()
    seeds = sorted(evals["seed"].unique())
    lines = ["# A3C results (independent per-satellite learners)", "",
             "<!-- generated by experiments/train_a3c.py: edit only below the notes mark -->", "",
             "Commands (one per load; evaluation always on the default env, i.e. the default reward):", "", "```"]
    for load in ("light", "normal", "heavy"):
        if load in runs:
            lines.append(f"# {load}\n{runs[load]['command']}")
    lines += ["```", "",
              "Training: Hogwild workers on 2 shared CPU cores, asynchronous per env copy (each worker steps all "
              "satellites and updates every satellite's learner). Evaluation: greedy A3C vs baselines, "
              f"{n_eval} episodes each on the same task streams (env seeds {seeds[0]}..{seeds[-1]}, unseen in "
              "training), 200-step episodes; means below.", ""]
    for load in ("light", "normal", "heavy"):
        if load in runs:
            info = runs[load]
            extra = f", actions {info.get('actions', 'all')}"
            if info.get("overrides"):
                extra += f", env overrides {info['overrides']}"
            lines.append(f"- {load}: {info['global_step']} env steps, {info['episodes']} episodes, "
                         f"{info['wall_s']:.0f} s, {info.get('workers', '?')} workers{extra}")
    lines += ["", "| load | policy | return | mean execution time (s) | mean edge load | failed |",
              "|---|---|---:|---:|---:|---:|"]
    for r in table.itertuples():
        name = f"**{r.policy}**" if r.policy == "a3c" else r.policy
        lines.append(f"| {r.load} | {name} | {r._3:.3f} | {r.mean_execution_time_s:.3f} | {r.mean_edge_load:.4f} | "
                     f"{r.failed:.1f} |")
    lines += [""] + [f"![A3C {load}](img/a3c_{load}_curve.png)" for load in ("light", "normal", "heavy")
                     if load in set(evals["load"])]
    lines += ["", "Data: `docs/img/a3c_eval.csv`, `docs/img/a3c_<load>_episodes.csv`, `docs/img/a3c_runs.json`.", ""]
    path = Path(args.results)
    notes = ""
    if path.exists() and NOTES_MARK in path.read_text():
        notes = path.read_text().split(NOTES_MARK, 1)[1]
    path.write_text("\n".join(lines) + "\n" + NOTES_MARK + (notes if notes else "\n"))


if __name__ == "__main__":
    sys.exit(main())
