"""How good LEOEdge's distributed decision is, on rounds of the paper-regime env where the cap binds.

Each variant drives the ``leoedge`` env (heavy load, 150 steps from a fixed start, one episode per
seed) with the distributed protocol (:class:`baselines.policies.distributed.LEOEdgePolicy`). Every
``--every`` steps from step 15 on, if the round over all candidate tasks has a binding cap (sending
every task to its best container would break one), the round is solved exactly by HiGHS and the
protocol's decision on it is scored: ratio = objective of the placements the satellites were told
about / MILP optimum (Eq. 7). The centralised search (``leoedge-search``'s scheduler, cold) is
scored on the same rounds. Per round also: price exchanges, ask rounds, messages and bytes per
layer pair, the simulated round duration.

Variants: ``lossless`` (no satellite-ground message lost: the algorithm's own quality),
``protocol`` (the defaults: messages lost at the links' 2 % loss, up to 2 retransmissions),
``no-retry`` (the same without retransmissions), the lossless ablations
``no-fit-filter`` (containers also value tasks they cannot hold), ``cold`` (no warm start of the
ground prices) and ``iter30`` (at most 30 exchanges), and ``loss0.2`` / ``loss0.5`` (that share of
satellite-ground transmissions lost, with the retransmissions: stale prices, lost proposals and
allocations).

Run:  OMP_NUM_THREADS=1 python experiments/leoedge_protocol_quality.py --seeds 0-9 \\
          --out docs/img/protocol_quality
writes ``<out>.csv`` (one row per scored round), ``<out>.md`` (the summary) and ``<out>.png``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

VARIANTS = {
    "lossless": {"space_loss": 0.0},
    "protocol": {},
    "no-retry": {"retries": 0},
    "no-fit-filter": {"fit_filter": False, "space_loss": 0.0},
    "cold": {"warm_start": False, "space_loss": 0.0},
    "iter30": {"max_iter": 30, "space_loss": 0.0},
    "loss0.2": {"space_loss": 0.2},
    "loss0.5": {"space_loss": 0.5},
}


def _seeds(text: str) -> list[int]:
    if "-" in text:
        a, b = text.split("-")
        return list(range(int(a), int(b) + 1))
    return [int(x) for x in text.split(",")]


def scored_rounds(variant: str, seed: int, steps: int, every: int) -> list[dict]:
    import satgym
    from baselines.leoedge import leoedge_schedule
    from baselines.milp_oracle import solve_milp
    from baselines.policies.distributed import LEOEdgePolicy

    kw = dict(VARIANTS[variant])
    policy = LEOEdgePolicy(space_loss=kw.pop("space_loss", None), **kw)
    env = satgym.parallel_env("leoedge", {"episode": {"start": "epoch", "offset_s": 5400.0, "steps": steps}},
                              load="heavy")
    obs, infos = env.reset(seed=seed)
    policy.reset(env, seed=seed)
    rows = []
    for k in range(steps):
        actions = policy.act(env, obs, infos)
        rnd, r = policy.last_round, policy.last_result
        if k >= 15 and k % every == 0 and rnd is not None and rnd.problem is not None:
            p = rnd.problem
            v = p.value
            if p.check(np.where(v.max(axis=1) > 0, v.argmax(axis=1), -1)):      # the cap binds
                opt = solve_milp(p).objective
                reserved = policy.last_reserved
                assert p.check(reserved) == []
                row = {"variant": variant, "seed": seed, "step": k, "tasks": p.n_tasks,
                       "proposed": int(r.reached_ground.size), "milp": opt,
                       "ratio": p.objective(reserved) / opt if opt > 0 else 1.0,
                       "search_ratio": leoedge_schedule(p).objective / opt if opt > 0 else 1.0,
                       "iterations": int(r.iterations.max(initial=0)), "ask_rounds": r.acceptance_rounds,
                       "duration_s": r.duration_s}
                for pair in r.log.delivered:
                    row[f"msg_{pair}"] = r.log.delivered[pair]
                    row[f"bytes_{pair}"] = r.log.bytes[pair]
                    row[f"lost_{pair}"] = r.log.sent[pair] - r.log.delivered[pair]
                rows.append(row)
        obs, _, _, _, infos = env.step(actions)
        if not env.agents:
            break
    return rows


def summary(frame) -> str:
    lines = ["| variant | rounds | ratio mean | 5th pct | min | search ratio mean / 5th pct | price exchanges median / p90 / max | "
             "ask rounds median | messages per round (sat-LBS / LBS-server / server-container) | kB per round (sat-LBS) | "
             "sat-LBS transmissions lost per round | round duration median (s) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for variant, g in frame.groupby("variant", sort=False):
        r = g["ratio"].to_numpy()
        s = g["search_ratio"].to_numpy()
        it = g["iterations"].to_numpy()
        lines.append(
            f"| {variant} | {len(g)} | {r.mean():.3f} | {np.percentile(r, 5):.3f} | {r.min():.3f} | "
            f"{s.mean():.3f} / {np.percentile(s, 5):.3f} | {np.median(it):.0f} / {np.percentile(it, 90):.0f} / {it.max()} | "
            f"{g['ask_rounds'].median():.0f} | {g['msg_satellite_lbs'].mean():.1f} / {g['msg_lbs_server'].mean():.0f} / "
            f"{g['msg_server_container'].mean():.0f} | {g['bytes_satellite_lbs'].mean() / 1e3:.2f} | "
            f"{g['lost_satellite_lbs'].mean():.1f} | {g['duration_s'].median():.3f} |")
    return "\n".join(lines)


def plot(frame, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for variant, g in frame.groupby("variant", sort=False):
        r = np.sort(g["ratio"].to_numpy())
        axes[0].step(r, np.arange(1, r.size + 1) / r.size, where="post", label=variant)
        axes[1].scatter(g["tasks"], g["iterations"], s=8, label=variant)
    s = np.sort(frame[frame["variant"] == frame["variant"].iloc[0]]["search_ratio"].to_numpy())
    axes[0].step(s, np.arange(1, s.size + 1) / s.size, where="post", color="k", ls="--", label="leoedge-search")
    axes[0].axvline(0.9, color="grey", lw=0.8, ls=":")
    axes[0].set_xlabel("objective / MILP optimum")
    axes[0].set_ylabel("share of rounds at or below")
    axes[0].set_title("distributed decision vs the MILP (rounds where the cap binds)")
    axes[1].set_xlabel("candidate tasks in the round")
    axes[1].set_ylabel("price exchanges")
    axes[1].set_title("exchanges to the stopping rule")
    for ax in axes:
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="0-9", help="env seeds, e.g. 0-9 or 0,3,5")
    ap.add_argument("--steps", type=int, default=150)
    ap.add_argument("--every", type=int, default=5, help="score a round every this many steps")
    ap.add_argument("--variants", default=",".join(VARIANTS), help=f"subset of {', '.join(VARIANTS)}")
    ap.add_argument("--out", default="runs/protocol_quality", help="output prefix (.csv, .md, .png)")
    args = ap.parse_args(argv)
    import os

    import pandas as pd
    from tqdm import tqdm

    variants = args.variants.split(",")
    bad = [v for v in variants if v not in VARIANTS]
    if bad:
        ap.error(f"--variants: {', '.join(bad)} not valid; choose from {', '.join(VARIANTS)}")
    rows, t0 = [], time.perf_counter()
    jobs = [(v, s) for v in variants for s in _seeds(args.seeds)]
    for v, s in tqdm(jobs, desc="episodes"):
        rows += scored_rounds(v, s, args.steps, args.every)
    frame = pd.DataFrame(rows)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    frame.to_csv(args.out + ".csv", index=False)
    text = summary(frame)
    with open(args.out + ".md", "w") as fh:
        fh.write(text + "\n")
    plot(frame, args.out + ".png")
    print(text)
    print(f"{len(frame)} rounds in {time.perf_counter() - t0:.0f} s; wrote {args.out}.csv, .md, .png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
