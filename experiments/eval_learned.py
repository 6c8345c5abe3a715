"""Evaluate trained policies beside LEOEdge and the heuristics, per load, on identical task streams.

Every policy runs the same episodes (env seeds ``--seeds``, ``--steps`` steps, the DEFAULT env and
reward, whatever reward a policy was trained with) and the script reports per load and policy the
mean execution time, mean edge load, failed and completed tasks, the return of the default
reward, the tasks completed at the edge, the mean time a task waits for its decision (the slot
wait plus any "hold"), and the paired difference of the execution time to ``leoedge`` (same seeds: mean and the
number of episodes in which the policy was faster).

``--policies`` entries may carry a load placeholder: ``marl:runs/marl_lat/{load}/checkpoints/latest``;
an entry whose path does not exist for a load is skipped for that load (and said so).

Writes ``--csv`` (one row per policy, load and episode), prints a Markdown table (also written
to ``--markdown`` if given) and, with ``--plot``, draws per load the mean execution time against
the mean edge load of every policy (the goal "faster than LEOEdge at the same edge load" reads off
it: below LEOEdge's point and not to its right), with the paired 95 % interval of the time (a log
time axis where a load's times span more than 10x).

Example::

    OMP_NUM_THREADS=1 python experiments/eval_learned.py --loads heavy,normal \\
        --policies 'marl:runs/marl_lat/{load}/checkpoints/latest,a3c:runs/a3c_exp/{load},leoedge,threshold,local,random' \\
        --seeds 1000-1009 --csv docs/img/rl_learned_eval.csv
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

for _key, _value in (("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0"), ("RAY_USAGE_STATS_ENABLED", "0"),
                     ("OMP_NUM_THREADS", "1")):
    os.environ.setdefault(_key, _value)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def parse_seeds(text: str) -> list[int]:
    """``"1000-1004"`` or ``"1,5,9"`` -> list of ints."""
    if "-" in text and "," not in text:
        lo, hi = (int(x) for x in text.split("-"))
        return list(range(lo, hi + 1))
    return [int(x) for x in text.split(",") if x]


def label(spec: str, load: str) -> str:
    """A short row label: ``marl (marl_lat)`` for ``marl:runs/marl_lat/heavy/...``."""
    if ":" not in spec:
        return spec
    kind, path = spec.split(":", 1)
    parts = [p for p in Path(path).parts if p not in ("runs", load, "checkpoints", "latest")]
    return f"{kind} ({parts[0]})" if parts and parts[0] != kind else kind


def run_episodes(spec: str, load: str, seeds: list[int], steps: int) -> list[dict]:
    from satgym.evaluation import run_episode
    from satgym.policies import make_policy

    policy = make_policy(spec)
    return [{"policy": label(spec, load), "spec": spec, "load": load, **run_episode(policy, load, seed, steps)}
            for seed in seeds]


def summarize(df: pd.DataFrame) -> pd.DataFrame:
    """Per load and policy: means, and the paired execution-time difference to leoedge."""
    out = []
    for (load, policy), g in df.groupby(["load", "policy"], sort=False):
        ref = df[(df["load"] == load) & (df["policy"] == "leoedge")].set_index("seed")["mean_execution_time_s"]
        own = g.set_index("seed")["mean_execution_time_s"]
        common = own.index.intersection(ref.index)
        diff = (own[common] - ref[common]) if len(common) else pd.Series(dtype=float)
        out.append({"load": load, "policy": policy, "episodes": len(g),
                    "mean_execution_time_s": g["mean_execution_time_s"].mean(),
                    "mean_edge_load": g["mean_edge_load"].mean(), "failed": g["failed"].mean(),
                    "completed": g["completed"].mean(), "return": g["return"].mean(),
                    "completed_edge": g["completed_edge"].mean(), "wait_decision_s": g["wait_decision_s"].mean(),
                    "d_exec_vs_leoedge_ms": 1000 * diff.mean() if len(diff) else np.nan,
                    "d_exec_sd_ms": 1000 * diff.std(ddof=1) if len(diff) > 1 else np.nan,
                    "faster_than_leoedge": int((diff < 0).sum()) if len(diff) else 0})
    return pd.DataFrame(out)


def markdown(summary: pd.DataFrame) -> str:
    lines = ["| load | policy | mean exec time (ms) | Δ vs LEOEdge (ms, paired ± sd) | episodes faster | mean edge load "
             "| done at edge | wait for decision (ms) | failed | return (default reward) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in summary.rename(columns={"return": "ret"}).itertuples():  # "return" is no attribute name
        d = "—" if r.policy == "leoedge" or np.isnan(r.d_exec_vs_leoedge_ms) else \
            f"{r.d_exec_vs_leoedge_ms:+.0f} ± {r.d_exec_sd_ms:.0f}"
        faster = "—" if r.policy == "leoedge" else f"{r.faster_than_leoedge}/{r.episodes}"
        lines.append(f"| {r.load} | {r.policy} | {1000 * r.mean_execution_time_s:.0f} | {d} | {faster} | "
                     f"{r.mean_edge_load:.3f} | {r.completed_edge:.0f} | {1000 * r.wait_decision_s:.0f} | {r.failed:.1f} | "
                     f"{r.ret:.1f} |")
    return "\n".join(lines)


def plot(df: pd.DataFrame, path: str | Path) -> None:
    """Per load: mean execution time vs mean edge load, one marker per policy (error bar: 95 % of
    the paired difference to LEOEdge over the same seeds, drawn around the policy's mean)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = summarize(df)
    loads = list(dict.fromkeys(summary["load"]))
    fig, axes = plt.subplots(1, len(loads), figsize=(4.6 * len(loads), 3.9), squeeze=False)
    policies = list(dict.fromkeys(summary["policy"]))
    colours = {p: plt.cm.tab10(i % 10) for i, p in enumerate(policies)}
    for ax, load in zip(axes[0], loads):
        for r in summary[summary["load"] == load].itertuples():
            n = max(r.episodes, 1)
            half = 1.96 * r.d_exec_sd_ms / np.sqrt(n) if np.isfinite(r.d_exec_sd_ms) else 0.0
            marker = "*" if r.policy == "leoedge" else "o"
            ax.errorbar(r.mean_edge_load, 1000 * r.mean_execution_time_s, yerr=half, fmt=marker, ms=11 if marker == "*" else 7,
                        color=colours[r.policy], capsize=3, label=r.policy)
        times = 1000 * summary[summary["load"] == load]["mean_execution_time_s"]
        if times.max() > 10 * times.min():  # e.g. local-only under heavy load: a log scale keeps the rest readable
            ax.set_yscale("log")
        ax.set_title(f"{load} load ({int(summary[summary['load'] == load]['episodes'].max())} episodes)")
        ax.set_xlabel("mean edge load (container CPU occupancy)")
        ax.set_ylabel("mean execution time (ms)")
        ax.grid(alpha=0.3)
    seen: dict[str, object] = {}  # every policy of every load, once (some run on one load only)
    for ax in axes[0]:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    labels, handles = list(seen), list(seen.values())
    fig.legend(handles, labels, loc="lower center", ncol=min(len(labels), 5), fontsize=8, frameon=False)
    fig.suptitle("learned policies vs LEOEdge on identical task streams (error bar: paired 95 % vs LEOEdge)")
    fig.tight_layout(rect=(0, 0.1, 1, 1))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--loads", default="heavy,normal,light")
    p.add_argument("--policies", default="leoedge,threshold,local,random",
                   help="comma-separated make_policy specs; {load} is replaced by the load")
    p.add_argument("--seeds", default="1000-1009", help="env seeds, e.g. 1000-1009 or 1,2,3")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--csv", default="runs/eval_learned.csv")
    p.add_argument("--markdown", default=None, help="also write the table to this file")
    p.add_argument("--plot", default=None, help="PNG: execution time vs edge load per load and policy")
    args = p.parse_args(argv)
    seeds = parse_seeds(args.seeds)
    frames = []
    csv_path = Path(args.csv)
    loads = [x for x in args.loads.split(",") if x]
    for load in loads:
        for template in (x for x in args.policies.split(",") if x):
            spec = template.replace("{load}", load)
            if ":" in spec and not os.path.exists(spec.split(":", 1)[1]):
                print(f"skip {spec}: no such checkpoint", flush=True)
                continue
            t0 = time.perf_counter()
            rows = run_episodes(spec, load, seeds, args.steps)
            frames.append(pd.DataFrame(rows))
            print(f"{load:6s} {rows[0]['policy']:<22s} exec {np.mean([r['mean_execution_time_s'] for r in rows]):.3f} s "
                  f"edge load {np.mean([r['mean_edge_load'] for r in rows]):.3f} ({time.perf_counter() - t0:.0f} s)",
                  flush=True)
    df = pd.concat(frames, ignore_index=True)
    if csv_path.exists():  # keep other loads' rows of earlier invocations
        old = pd.read_csv(csv_path)
        df = pd.concat([old[~old["load"].isin(loads)], df], ignore_index=True)
    csv_path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(csv_path, index=False)
    table = markdown(summarize(df))
    print()
    print(table)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(table + "\n")
    if args.plot:
        plot(df, args.plot)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
