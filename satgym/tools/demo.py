"""``satgym demo``: a few hundred steps of a preset with a simple rule, metrics and two PNGs.

    satgym demo --scenario leoedge --load normal --steps 300 --out satgym-demo
"""

from __future__ import annotations

import argparse
import json
import os



def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="run a short episode, print metrics, write a map and a load curve")
    p.add_argument("--scenario", default="leoedge")
    p.add_argument("--load", default="normal", choices=["light", "normal", "heavy"])
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--policy", default="leoedge",
                   help="a registered policy (satgym.policies.policy_names()), e.g. leoedge, threshold, local")
    p.add_argument("--out", default="satgym-demo", help="output folder for the PNGs and metrics.json")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    import satgym
    from satgym.policies import make_policy

    env = satgym.parallel_env(args.scenario, {"episode": {"steps": args.steps}}, render_mode="rgb_array", load=args.load)
    policy = make_policy(args.policy)
    obs, infos = env.reset(seed=args.seed)
    policy.reset(env, seed=args.seed)
    sim = env.sim
    print(
        f"{args.scenario} ({policy.name}): {sim.n_sats} satellites, {sim.n_stations} station(s), "
        f"{sim.segment.n_relays} relay(s), "
        f"{sim.ground.n_containers} containers; start {sim.start_utc:%Y-%m-%d %H:%M:%S} UTC; load {args.load}"
    )
    series = {k: [] for k in ("time_s", "edge_load", "in_contact", "in_flight", "reward")}
    total_reward = 0.0
    frame = None
    for _ in tqdm(range(args.steps), desc="simulating", unit="step"):
        obs, rewards, _, trunc, infos = env.step(policy.act(env, obs, infos))
        m = next(iter(infos.values()))["metrics"]
        r = next(iter(rewards.values()))
        total_reward += r
        for key, val in (("time_s", m["time_s"]), ("edge_load", m["edge_load"]),
                         ("in_contact", m["satellites_in_contact"]), ("in_flight", m["in_flight"]), ("reward", r)):
            series[key].append(val)
        # the map: the first step past mid-episode with a satellite in contact (queues have built up)
        if frame is None and m["satellites_in_contact"] and m["time_s"] >= args.steps * sim.slot_s / 2:
            frame = env.render()
        if not env.agents:
            break
    summary = env.episode_metrics()
    summary["return"] = total_reward
    os.makedirs(args.out, exist_ok=True)
    _print_summary(summary)
    _plot(series, os.path.join(args.out, "load_curve.png"), args)
    import matplotlib.image

    matplotlib.image.imsave(os.path.join(args.out, "map.png"), frame if frame is not None else env.render())
    with open(os.path.join(args.out, "metrics.json"), "w") as fh:
        json.dump(summary, fh, indent=2)
    print(f"wrote {args.out}/map.png, {args.out}/load_curve.png, {args.out}/metrics.json")
    return 0


def _print_summary(s: dict) -> None:
    print(f"tasks: generated {s['generated']}, completed {s['completed']} "
          f"({s['completed_local']} on board, {s['completed_edge']} at the edge), "
          f"failed {s['failed']}, in flight {s['in_flight']}")
    reasons = ", ".join(f"{k} {v}" for k, v in s["failed_by_reason"].items() if v)
    if reasons:
        print(f"failures: {reasons}")
    print(f"mean execution time {s['mean_execution_time_s'] * 1000:.0f} ms, mean accuracy {s['mean_accuracy']:.3f}, "
          f"mean edge load {s['mean_edge_load']:.3f}, return {s['return']:.2f}")
    parts = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in s["mean_time_parts_s"].items())
    print(f"time per completed task: {parts}")
    print("messages: " + ", ".join(f"{k} {v}" for k, v in s["messages"].items()))


def _plot(series: dict, path: str, args) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 3.5))
    ax.plot(series["time_s"], series["edge_load"], lw=1, label="edge load (mean CPU occupancy)")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("edge load")
    ax.set_ylim(0, 1)
    ax2 = ax.twinx()
    ax2.step(series["time_s"], series["in_contact"], where="post", color="tab:orange", lw=1, label="satellites in contact")
    ax2.set_ylabel("satellites in contact")
    ax2.set_ylim(0, max(1, max(series["in_contact"], default=0)) + 0.5)
    ax2.yaxis.get_major_locator().set_params(integer=True)
    lines = ax.get_legend_handles_labels()[0] + ax2.get_legend_handles_labels()[0]
    ax.legend(lines, [h.get_label() for h in lines], loc="upper left", fontsize=8)  # inside, clear of the title
    ax.set_title(f"{args.scenario}, {args.load} load, policy {args.policy}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
