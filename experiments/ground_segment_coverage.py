"""How much of the time each satellite can reach the edge cluster, and over which path.

For a scenario's constellation and ground segment, the access schedule is built over a full day
from the real geometry (SGP4, WGS84 stations, geostationary relays, 10 s steps) and every
satellite-step is counted as *direct* (a station in view), *relay* (no station, a relay in line
of sight) or *none*. The paper-regime preset must keep at least 95 % of satellite-time connected
(docs/results.md, "Ground segment"). Also shown: the same constellation with the stations only,
with the 100 shipped cities or all 222 Starlink gateway sites as stations (no relay), and the
``leoedge-miyun`` geometry. A timeline plot shows the path of every satellite over the day.

Usage::

    python experiments/ground_segment_coverage.py [--hours 24] [--step 10] [--plot docs/img/ground_segment_paths.png]
"""

from __future__ import annotations

import argparse
from datetime import timedelta

import numpy as np

from satgym.scenarios import make_config
from satgym.core.ground_segment import AccessSchedule
from satgym.leoedge.world import build_constellation, build_segment, build_stations, parse_epoch

VARIANTS = (
    ("leoedge (4 stations + 3 Tianlian relays, the preset)", "leoedge", None),
    ("leoedge constellation, 4 stations, no relay", "leoedge", {"relays": {"satellites": []}}),
    ("leoedge constellation, 100 cities as stations, no relay", "leoedge",
     {"stations": {"stations": [], "extra": "cities:100"}, "relays": {"satellites": []},
      "ground": {"cluster_site": ""}}),
    ("leoedge constellation, 222 Starlink gateway sites, no relay", "leoedge",
     {"stations": {"stations": [], "extra": "starlink_gateways:0"}, "relays": {"satellites": []},
      "ground": {"cluster_site": ""}}),
    ("leoedge-miyun (Miyun only)", "leoedge-miyun", None),
)


def access_schedule(scenario: str, overrides: dict | None, hours: float, step_s: float) -> AccessSchedule:
    cfg = make_config(scenario, overrides)
    constellation = build_constellation(cfg.constellation)
    stations = build_stations(cfg.stations)
    segment = build_segment(stations, cfg.ground, cfg.relays)
    start = parse_epoch(cfg.constellation.epoch_utc) + timedelta(seconds=cfg.episode.offset_s)
    return AccessSchedule.build(
        constellation, segment, start, step_s=step_s, n_steps=int(round(hours * 3600 / step_s)),
        min_elevation_deg=cfg.stations.min_elevation_deg, lookahead_s=0.0, selection=cfg.stations.selection,
        grazing_altitude_km=cfg.relays.grazing_altitude_km,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hours", type=float, default=24.0)
    ap.add_argument("--step", type=float, default=10.0, help="sampling step, s")
    ap.add_argument("--plot", default="", help="write the path timeline of the preset to this PNG")
    args = ap.parse_args()
    print(f"share of satellite-time over {args.hours:g} h from the epoch, sampled every {args.step:g} s\n")
    print("| ground segment | connected | direct | via relay | none | worst satellite connected |")
    print("|---|---|---|---|---|---|")
    preset = None
    for label, scenario, overrides in VARIANTS:
        acc = access_schedule(scenario, overrides, args.hours, args.step)
        sh = acc.path_shares()
        per_sat = (acc.access >= 0).mean(axis=0)
        print(f"| {label} | {sh['direct'] + sh['relay']:.1%} | {sh['direct']:.1%} | {sh['relay']:.1%} | "
              f"{sh['none']:.1%} | {per_sat.min():.1%} |")
        if preset is None:
            preset = acc
    if args.plot:
        plot_paths(preset, args.plot)
        print(f"\nwrote {args.plot}")
    return 0


def plot_paths(acc: AccessSchedule, path: str) -> None:
    """One row per satellite over the day: green direct, purple relay, white none."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    seg = acc.segment
    kind = np.where(acc.access < 0, 0, np.where(acc.access < seg.n_stations, 1, 2)).T
    hours = np.arange(acc.n_steps + 1) * acc.step_s / 3600.0
    fig, ax = plt.subplots(figsize=(9, 3.2), dpi=120)
    ax.pcolormesh(hours, np.arange(kind.shape[0] + 1), kind, cmap=ListedColormap(["white", "tab:green", "tab:purple"]),
                  vmin=0, vmax=2, shading="flat")
    ax.set_yticks(np.arange(kind.shape[0]) + 0.5, [f"sat_{k}" for k in range(kind.shape[0])], fontsize=7)
    ax.set_xlabel(f"hours after {acc.start_utc:%Y-%m-%d %H:%M} UTC")
    sh = acc.path_shares()
    ax.set_title(f"path to the edge cluster: direct (green) {sh['direct']:.1%}, "
                 f"through a Tianlian relay (purple) {sh['relay']:.1%}, none (white) {sh['none']:.1%}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":
    raise SystemExit(main())
