"""``satgym compare``: run scheduling policies on identical task streams and compare them.

Every (policy, load, seed, episode) is one run: ``env.reset(seed)`` then the policy drives all
satellites until truncation. Runs are spread over cores with Ray tasks (a local Ray on loopback by
default, an existing cluster with ``--address``) or run in-process with ``--no-ray``. Output in
``--out``: ``steps.<fmt>`` (one row per step), ``episodes.<fmt>`` (one row per run),
``summary.md`` (the policy x load table) and the figures ``fig7_edge_load.png``,
``fig8_execution_time.png``, ``fig9_messages.png`` (LEOEdge Figs. 7-9).

Example::

    satgym compare --scenario leoedge --load light,normal,heavy \\
        --policies leoedge,threshold,workload,local --seeds 0,1,2 --steps 600 --out runs/cmp

Episode ``j`` of seed ``s`` resets with seed ``s + 100003 j`` (``--episodes 1``: seed ``s``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import numpy as np

from satgym.core.messages import LAYER_PAIRS

LOADS = ("light", "normal", "heavy")
EPISODE_SEED_STRIDE = 100_003


def _csv_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def run_one(spec: dict[str, Any]) -> dict[str, Any]:
    """One episode of one policy (:func:`satgym.evaluation.run_episode`). ``spec``: scenario,
    overrides, load, policy, seed, episode, steps.

    Returns ``{"steps": {column: list}, "episode": {column: value}}`` (plain data, so it travels
    through Ray and into pandas).
    """
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from satgym.evaluation import run_episode

    seed = int(spec["seed"]) + EPISODE_SEED_STRIDE * int(spec.get("episode", 0))
    row = run_episode(spec["policy"], spec["load"], seed, spec.get("steps") or None, scenario=spec["scenario"],
                      overrides=spec.get("overrides"), record_steps=True)
    per_step = row.pop("per_step")
    tags = {"policy": spec["policy"], "load": spec["load"], "seed": int(spec["seed"]),
            "episode": int(spec.get("episode", 0))}
    episode = {**row, **tags}
    n = len(per_step.get("step", []))
    steps = {**{k: [v] * n for k, v in tags.items()}, **per_step}
    return {"steps": steps, "episode": episode}


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="compare", unit="run", disable=not enabled)


def _init_ray(address: str | None, workers: int | None):
    """A local Ray on loopback with ``workers`` CPUs (default: all cores), or the cluster at ``address``.

    The same start, with the same import-order guard, as ``satgym train`` (:mod:`satgym.ray_session`).
    """
    from satgym.ray_session import init_ray, loopback_env

    loopback_env()  # before Ray is imported
    try:
        import ray  # noqa: F401
    except ModuleNotFoundError:
        raise SystemExit(
            "satgym compare: spreading runs over cores needs Ray (pip install 'satgym[rl]'); "
            "or pass --no-ray to run in this process"
        ) from None
    try:
        return init_ray(address, workers)
    except (RuntimeError, ValueError) as exc:
        raise SystemExit(f"satgym compare: {exc}") from None


def run_all(specs: list[dict], use_ray: bool = True, address: str | None = None,
            workers: int | None = None, progress: bool = True) -> list[dict]:
    """Run every spec (in-process, or as Ray tasks), results in the order of ``specs``."""
    results: list[dict | None] = [None] * len(specs)
    bar = _progress(len(specs), progress)
    if not use_ray:
        for i, spec in enumerate(specs):
            results[i] = run_one(spec)
            bar.update(1)
        bar.close()
        return results  # type: ignore[return-value]
    ray, owned = _init_ray(address, workers)
    try:
        remote = ray.remote(num_cpus=1)(run_one)
        refs = {remote.remote(spec): i for i, spec in enumerate(specs)}
        pending = list(refs)
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            for ref in done:
                results[refs[ref]] = ray.get(ref)
                bar.update(1)
    finally:
        bar.close()
        if owned:
            ray.shutdown()
    return results  # type: ignore[return-value]


def ci95(values) -> float:
    """Half-width of the 95 % confidence interval of the mean (Student's t over the runs)."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return float("nan")
    return float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))


def summary_table(episodes) -> "Any":
    """Policy x load means over seeds/episodes (a pandas DataFrame), with 95 % confidence
    half-widths of the execution time and the edge load."""
    cols = {"mean_execution_time_s": "mean", "ci95_execution_time_s": ("mean_execution_time_s", ci95),
            "mean_edge_load": "mean", "ci95_edge_load": ("mean_edge_load", ci95), "max_edge_load": "mean",
            "mean_accuracy": "mean", "generated": "mean", "completed": "mean", "completed_edge": "mean",
            "failed": "mean", "msg_satellite_lbs": "mean", "msg_lbs_server": "mean",
            "msg_server_container": "mean", "bytes_satellite_lbs": "mean", "runs": ("seed", "count")}
    cols = {k: v for k, v in cols.items() if (v[0] if isinstance(v, tuple) else k) in episodes}
    spec = {k: (v if isinstance(v, tuple) else (k, v)) for k, v in cols.items()}
    table = episodes.groupby(["policy", "load"], sort=False).agg(**spec)
    return table.reset_index()


def to_markdown(table) -> str:
    """Markdown table (no tabulate dependency)."""
    def fmt(v: Any) -> str:
        if isinstance(v, (float, np.floating)):
            return f"{v:.3f}" if abs(v) < 100 else f"{v:.0f}"
        return str(v)

    head = "| " + " | ".join(table.columns) + " |"
    sep = "|" + "---|" * len(table.columns)
    rows = ["| " + " | ".join(fmt(v) for v in r) + " |" for r in table.itertuples(index=False)]
    return "\n".join([head, sep, *rows])


def compare(args: argparse.Namespace) -> int:
    import pandas as pd

    from satgym.policies import policy_names
    from satgym.tools.compare_plots import plot_all

    loads = [x for item in args.load for x in _csv_list(item)] or ["normal"]
    policies = _csv_list(args.policies)
    for name in policies:
        if name.partition(":")[0] not in policy_names():
            raise SystemExit(f"--policies: {name!r} is not valid; choose from {', '.join(policy_names())}")
    seeds = [int(s) for s in _csv_list(args.seeds)]
    overrides = json.loads(args.config) if args.config else {}
    specs = [{"scenario": args.scenario, "overrides": overrides, "load": load, "policy": pol,
              "seed": seed, "episode": ep, "steps": args.steps}
             for load in loads for seed in seeds for ep in range(args.episodes) for pol in policies]
    results = run_all(specs, use_ray=not args.no_ray, address=args.address, workers=args.workers,
                      progress=not args.quiet)
    steps = pd.concat([pd.DataFrame(r["steps"]) for r in results], ignore_index=True)
    episodes = pd.DataFrame([r["episode"] for r in results])
    os.makedirs(args.out, exist_ok=True)
    for name, frame in (("steps", steps), ("episodes", episodes)):
        path = os.path.join(args.out, f"{name}.{args.format}")
        frame.to_parquet(path, index=False) if args.format == "parquet" else frame.to_csv(path, index=False)
    headline = _headline_metrics(args.scenario)  # a family that names its headline metrics (Arctic)
    leoedge = headline is None and "mean_edge_load" in episodes.columns
    if headline is not None:
        table = family_summary(episodes, headline)
    else:  # LEOEdge's table, or the reported columns of a family without an edge load (AA-MEC)
        table = summary_table(episodes) if leoedge else reported_summary(episodes)
    text = to_markdown(table)
    with open(os.path.join(args.out, "summary.md"), "w") as fh:
        fh.write(text + "\n")
    print(text)
    same = episodes.groupby(["load", "seed", "episode"])["generated"].nunique()
    if (same > 1).any():
        print("note: generated task counts differ across policies for the same seed "
              f"({int((same > 1).sum())} of {same.size} streams): the env's task stream depends on the policy")
    if leoedge:  # LEOEdge Figs. 7-9
        for path in plot_all(steps, episodes, args.out, load_cap=_load_cap(args.scenario, overrides)):
            print("wrote", path)
    return 0


def _headline_metrics(scenario: str) -> tuple[str, ...] | None:
    """The episode metrics a family's env names as its headline (``summary_metrics``), or None
    for the LEOEdge family's table and figures."""
    from satgym.scenarios import family_of

    fam = family_of(scenario)
    return getattr(fam.load(fam.env_class), "summary_metrics", None)


def family_summary(episodes, metrics: tuple[str, ...]) -> "Any":
    """Policy x load means over seeds/episodes of a family's headline metrics, each with the 95 %
    confidence half-width, and the number of runs."""
    spec: dict[str, Any] = {}
    for m in (m for m in metrics if m in episodes.columns):
        spec[m] = (m, "mean")
        spec[f"ci95_{m}"] = (m, ci95)
    spec["runs"] = ("seed", "count")
    return episodes.groupby(["policy", "load"], sort=False).agg(**spec).reset_index()


REPORTED_COLUMNS = ("return", "mean_flow_latency_s", "mean_completion_s", "failed", "late_flows",
                    "flows_to_aircraft_share", "mean_carried_mbps", "generated", "completed")


def reported_summary(episodes) -> "Any":
    """Policy x load means of the headline metrics of a family without an edge load (AA-MEC):
    those of :data:`REPORTED_COLUMNS` its episodes have, with 95 % confidence half-widths of the
    flow latency, and the number of runs."""
    cols: dict[str, Any] = {c: (c, "mean") for c in REPORTED_COLUMNS if c in episodes.columns}
    if "mean_flow_latency_s" in episodes.columns:
        cols["ci95_flow_latency_s"] = ("mean_flow_latency_s", ci95)
    cols["runs"] = ("seed", "count")
    return episodes.groupby(["policy", "load"], sort=False).agg(**cols).reset_index()


def _load_cap(scenario: str, overrides: dict) -> float:
    from satgym.scenarios import make_config

    return make_config(scenario, overrides or None).ground.load_cap


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser("compare", help="compare scheduling policies on identical task streams",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="leoedge", help="scenario preset (leoedge, leoedge-miyun, starlink, aamec, aamec-walker, arctic, arctic-leo, arctic-meo)")
    p.add_argument("--config", default="", help="JSON overrides, e.g. '{\"ground\": {\"load_cap\": 0.6}}'")
    p.add_argument("--load", action="append", default=[], help="light|normal|heavy (repeatable or comma list)")
    p.add_argument("--policies", default="leoedge,threshold,workload,local", help="comma list of policy names")
    p.add_argument("--episodes", type=int, default=1, help="episodes per seed")
    p.add_argument("--seeds", default="0", help="comma list of seeds")
    p.add_argument("--steps", type=int, default=0, help="steps per episode (0: the scenario's)")
    p.add_argument("--out", default="satgym-compare", help="output directory")
    p.add_argument("--format", choices=("csv", "parquet"), default="csv")
    p.add_argument("--address", default=None, help="attach to an existing Ray cluster")
    p.add_argument("--workers", type=int, default=None, help="Ray CPUs for a local run (default: all cores)")
    p.add_argument("--no-ray", action="store_true", help="run in-process, one run after another")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=compare)
    return p
