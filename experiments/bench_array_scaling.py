"""How the batched array API's throughput grows with the number of envs and threads, against the
PettingZoo API of the same preset measured in the same slices (``satgym.tools.bench.bench_array_vs_pz``:
alternating slices, only step calls timed, resets between episodes untimed).

Writes a CSV and a plot of agent-steps/s against B (one line per thread count, the PettingZoo API's
band from the slices measured beside them) with the array / PettingZoo ratio at every point.

Example (the run behind the README's array-API scaling figure)::

    OMP_NUM_THREADS=1 python experiments/bench_array_scaling.py --seconds 3 --out docs/img/array_scaling
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", default="leoedge", help="a LEOEdge-family preset (threads need its compiled core)")
    p.add_argument("--envs", default="1,4,16,64,256", help="comma-separated numbers of envs B")
    p.add_argument("--threads", default=None, help="comma-separated thread counts (default: 1 and the cores)")
    p.add_argument("--seconds", type=float, default=3.0, help="timed seconds per API per point")
    p.add_argument("--out", default="array_scaling", help="output path without extension (.csv, .png)")
    p.add_argument("--replot", action="store_true", help="only redraw the plot from the CSV at --out")
    args = p.parse_args(argv)
    out = Path(args.out)
    if args.replot:
        with open(out.with_suffix(".csv")) as f:
            rows = [{k: (float(v) if "." in v else int(v)) for k, v in r.items()} for r in csv.DictReader(f)]
        _plot(rows, _n_agents(args.scenario), args.scenario, out.with_suffix(".png"))
        return
    from tqdm import tqdm

    from satgym.tools.bench import bench_array_vs_pz

    envs = [int(b) for b in args.envs.split(",")]
    cores = os.cpu_count() or 1
    threads = [int(t) for t in args.threads.split(",")] if args.threads else sorted({1, cores})
    rows = []
    points = [(t, b) for t in threads for b in envs]
    for t, b in tqdm(points, desc="array API scaling", unit="point"):
        pz, arr = bench_array_vs_pz(args.scenario, b, args.seconds, threads=min(t, b))
        rows.append({"threads": t, "n_envs": b, "pz_env_steps_per_s": pz, "array_env_steps_per_s": arr,
                     "ratio": arr / pz})
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    n_agents = _n_agents(args.scenario)
    print(f"{'threads':>7} {'B':>5} {'PZ agent-steps/s':>17} {'array agent-steps/s':>20} {'ratio':>6}")
    for r in rows:
        print(f"{r['threads']:>7} {r['n_envs']:>5} {r['pz_env_steps_per_s'] * n_agents:>17,.0f} "
              f"{r['array_env_steps_per_s'] * n_agents:>20,.0f} {r['ratio']:>6.2f}")
    _plot(rows, n_agents, args.scenario, out.with_suffix(".png"))
    print(f"wrote {out.with_suffix('.csv')} and {out.with_suffix('.png')}")


def _n_agents(scenario: str) -> int:
    import satgym

    env = satgym.parallel_env(scenario)
    return len(env.possible_agents)


def _plot(rows: list[dict], n_agents: int, scenario: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    pz = [r["pz_env_steps_per_s"] * n_agents for r in rows]
    ax.axhspan(min(pz), max(pz), color="0.85", label="PettingZoo API (range over the slices)")
    ax.axhline(20 * sorted(pz)[len(pz) // 2], color="0.4", ls="--", lw=1,
               label="20x the PettingZoo API (median; issue 15's target)")
    for t in sorted({r["threads"] for r in rows}):
        pts = [r for r in rows if r["threads"] == t]
        xs = [r["n_envs"] for r in pts]
        ys = [r["array_env_steps_per_s"] * n_agents for r in pts]
        ax.plot(xs, ys, marker="o", label=f"array API, threads={t}")
        for x, y, r in zip(xs, ys, pts):
            ax.annotate(f"{r['ratio']:.1f}x", (x, y), textcoords="offset points", xytext=(0, 6), ha="center",
                        fontsize=8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("envs stepped together (B)")
    ax.set_ylabel("agent-steps/s")
    ax.set_title(f"{scenario}: array API vs PettingZoo API (ratio to PettingZoo at each point)", fontsize=9)
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
