"""Paired evaluation of learned policies against reference schedulers, with 95 % confidence intervals.

Every policy runs the same held-out episodes (env seeds ``--seeds``, ``--steps`` steps, the DEFAULT
env: identical task streams, the default reward whatever a policy was trained on). Per load and
policy the script reports the mean execution time, mean edge load, failures per episode and,
against every reference policy (``--references``, default ``leoedge,leoedge-search``: names not
registered are skipped and said so, so the same command scores against whatever ``leoedge`` is),
the paired difference of the execution time over the seeds: mean, 95 % CI (Student's t), episodes
faster, and the edge-load ratio and failure difference the issue's criterion reads.

``--policies`` entries are ``LABEL=SPEC`` (or a bare registered name); ``{load}`` and ``{seed}``
in SPEC are replaced by the load and by each of ``--train-seeds`` (one row per training seed,
labelled ``LABEL/s<seed>``, and a pooled row ``LABEL (mean of seeds)`` whose per-episode value is the
mean over the training seeds). ``--baselines`` are registered rules run beside them; ``lbs:NAME``
(a diagnostic) is NAME's offloading decisions with the load balancer's placement instead of NAME's
own container reservations.

Writes ``--csv`` (one row per policy, load and episode; rows of other loads in an existing file are
kept) and a Markdown table (``--markdown``).

Example::

    OMP_NUM_THREADS=1 python experiments/eval_paired.py --loads heavy,normal,light --seeds 100000-100019 \\
        --policies 'ours=marl:runs/learned/ours/{load}/seed{seed}/checkpoints/latest' --train-seeds 0,1,2 \\
        --baselines local,earliest_finish,threshold --csv docs/img/learned16_eval.csv
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

for _key, _value in (("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0"), ("RAY_USAGE_STATS_ENABLED", "0"),
                     ("OMP_NUM_THREADS", "1")):
    os.environ.setdefault(_key, _value)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from experiments.eval_learned import parse_seeds  # noqa: E402

FIELDS = ("mean_execution_time_s", "mean_edge_load", "failed", "completed", "completed_edge", "generated",
          "return")


class _NoReservations:
    """The env as a scheduler sees it, except that ``reserve_containers`` does nothing: the LBS
    places the tasks (least loaded on arrival)."""

    def __init__(self, env) -> None:
        self._env = env

    def __getattr__(self, name):
        return getattr(self._env, name)

    def reserve_containers(self, task_ids, containers) -> None:
        pass


class DecisionsOnly:
    """Diagnostic ``lbs:NAME``: policy NAME's offloading decisions with the LBS's placement instead
    of NAME's own container reservations (what a policy that only decides local/offload can do)."""

    def __init__(self, name: str) -> None:
        from satgym.policies import make_policy

        self.inner, self.name = make_policy(name), f"lbs:{name}"

    def reset(self, env, seed=None) -> None:
        self.inner.reset(_NoReservations(env), seed)

    def act(self, env, obs, infos):
        return self.inner.act(_NoReservations(env), obs, infos)


def run_group(label: str, spec: str, load: str, seeds: list[int], steps: int) -> list[dict]:
    """One episode per seed of ``spec`` on ``load`` (a process of its own in a pool)."""
    import torch

    torch.set_num_threads(1)
    from satgym.evaluation import run_episode
    from satgym.policies import make_policy

    policy = DecisionsOnly(spec[4:]) if spec.startswith("lbs:") else make_policy(spec)
    rows = []
    for seed in seeds:
        r = run_episode(policy, load, seed, steps)
        rows.append({"policy": label, "spec": spec, "load": load, "seed": seed, **{k: r[k] for k in FIELDS}})
    return rows


def ci95(x: np.ndarray) -> tuple[float, float]:
    """Mean and the half-width of its 95 % Student-t interval."""
    from scipy import stats

    x = np.asarray(x, dtype=float)
    if len(x) < 2:
        return float(x.mean()) if len(x) else np.nan, np.nan
    return float(x.mean()), float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x)))


def pooled(df: pd.DataFrame, groups: dict[str, list[str]]) -> pd.DataFrame:
    """Rows ``LABEL (mean of seeds)``: per load and episode seed the mean over the training seeds."""
    out = []
    for label, members in groups.items():
        sub = df[df["policy"].isin(members)]
        if sub["policy"].nunique() < 2:
            continue
        mean = sub.groupby(["load", "seed"], sort=False)[list(FIELDS)].mean().reset_index()
        out.append(mean.assign(policy=f"{label} (mean of seeds)", spec="pooled"))
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def summarize(df: pd.DataFrame, references: list[str]) -> pd.DataFrame:
    """Per load, policy and reference: means and the paired differences (module docstring)."""
    out = []
    for (load, policy), g in df.groupby(["load", "policy"], sort=False):
        own = g.set_index("seed")
        row = {"load": load, "policy": policy, "episodes": len(g),
               "exec_ms": 1000 * own["mean_execution_time_s"].mean(), "edge_load": own["mean_edge_load"].mean(),
               "failed": own["failed"].mean()}
        for ref in references:
            r = df[(df["load"] == load) & (df["policy"] == ref)].set_index("seed")
            common = own.index.intersection(r.index)
            if ref == policy or not len(common):
                continue
            d, half = ci95(1000 * (own.loc[common, "mean_execution_time_s"] - r.loc[common, "mean_execution_time_s"]))
            row.update({f"d_{ref}_ms": d, f"ci_{ref}_ms": half,
                        f"faster_{ref}": int((own.loc[common, "mean_execution_time_s"]
                                             < r.loc[common, "mean_execution_time_s"]).sum()),
                        f"load_ratio_{ref}": own.loc[common, "mean_edge_load"].mean() / r.loc[common, "mean_edge_load"].mean(),
                        f"d_failed_{ref}": (own.loc[common, "failed"] - r.loc[common, "failed"]).mean()})
        out.append(row)
    return pd.DataFrame(out)


def markdown(summary: pd.DataFrame, references: list[str]) -> str:
    head = "| load | policy | exec. time [ms] | edge load | failed/ep |"
    rule = "|---|---|---:|---:|---:|"
    for ref in references:
        head += f" Δ vs {ref} [ms] (95 % CI) | faster | load ratio |"
        rule += "---:|---:|---:|"
    lines = [head, rule]
    for r in summary.to_dict("records"):
        line = f"| {r['load']} | {r['policy']} | {r['exec_ms']:.0f} | {r['edge_load']:.3f} | {r['failed']:.1f} |"
        for ref in references:
            if f"d_{ref}_ms" in r and np.isfinite(r[f"d_{ref}_ms"]):
                line += (f" {r[f'd_{ref}_ms']:+.0f} [{r[f'd_{ref}_ms'] - r[f'ci_{ref}_ms']:+.0f}, "
                         f"{r[f'd_{ref}_ms'] + r[f'ci_{ref}_ms']:+.0f}] | {r[f'faster_{ref}']}/{r['episodes']} | "
                         f"{r[f'load_ratio_{ref}']:.2f} |")
            else:
                line += " — | — | — |"
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from satgym.policies import policy_names

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--loads", default="heavy,normal,light")
    p.add_argument("--references", default="leoedge,leoedge-search",
                   help="reference schedulers (comma-separated registered names; unregistered ones are skipped)")
    p.add_argument("--policies", default="", help="LABEL=SPEC entries, comma-separated; {load}, {seed} placeholders")
    p.add_argument("--train-seeds", default="0,1,2", help="values of {seed} in --policies")
    p.add_argument("--baselines", default="local,earliest_finish,threshold")
    p.add_argument("--seeds", default="100000-100019", help="held-out env seeds")
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--jobs", type=int, default=1, help="worker processes")
    p.add_argument("--csv", default="runs/eval_paired.csv")
    p.add_argument("--markdown", default=None)
    p.add_argument("--no-run", action="store_true",
                   help="only summarise --csv for --loads against --references (e.g. against a rule)")
    args = p.parse_args(argv)
    names = set(policy_names())
    references = [r for r in args.references.split(",") if r]
    for r in [r for r in references if r not in names]:
        print(f"reference {r!r} is not a registered policy here: skipped", flush=True)
    references = [r for r in references if r in names]
    seeds = parse_seeds(args.seeds)
    loads = [x for x in args.loads.split(",") if x]
    train_seeds = [int(x) for x in args.train_seeds.split(",") if x]
    jobs, groups = [], {}
    for load in loads:
        for name in references + [b for b in args.baselines.split(",") if b]:
            jobs.append((name, name, load))
        for entry in (x for x in args.policies.split(",") if x):
            label, _, template = entry.partition("=") if "=" in entry else (entry, "", entry)
            for seed in (train_seeds if "{seed}" in template else [None]):
                spec = template.replace("{load}", load).replace("{seed}", str(seed))
                name = f"{label}/s{seed}" if seed is not None else label
                path = spec.split(":", 1)[1] if ":" in spec and not spec.startswith("lbs:") else ""
                if path and not path.startswith("pretrained/") and not os.path.exists(path):
                    print(f"skip {spec}: no such checkpoint", flush=True)
                    continue
                jobs.append((name, spec, load))
                if seed is not None:
                    groups.setdefault(label, []).append(name)
    if args.no_run:
        df = pd.read_csv(args.csv)
        df = df[df["load"].isin(loads)]
        groups = {}
        for name in df["policy"].unique():
            label, sep, _ = name.rpartition("/s")
            if sep:
                groups.setdefault(label, []).append(name)
        df = pd.concat([df, pooled(df, groups)], ignore_index=True)
        references = [r for r in args.references.split(",") if r in set(df["policy"])]
        print(markdown(summarize(df, references), references))
        return 0
    t0 = time.perf_counter()
    rows: list[dict] = []
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            futures = [pool.submit(run_group, name, spec, load, seeds, args.steps) for name, spec, load in jobs]
            for (name, _, load), f in zip(jobs, futures):
                rows += f.result()
                print(f"{load:6s} {name:<28s} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    else:
        for name, spec, load in jobs:
            rows += run_group(name, spec, load, seeds, args.steps)
            print(f"{load:6s} {name:<28s} done ({time.perf_counter() - t0:.0f} s)", flush=True)
    df = pd.DataFrame(rows)
    csv = Path(args.csv)
    if csv.exists():  # keep other loads' rows of earlier invocations
        old = pd.read_csv(csv)
        df = pd.concat([old[~old["load"].isin(loads)], df], ignore_index=True)
    csv.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(csv, index=False)
    df = pd.concat([df, pooled(df, groups)], ignore_index=True)
    table = markdown(summarize(df, references), references)
    print()
    print(table)
    if args.markdown:
        Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
        Path(args.markdown).write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
