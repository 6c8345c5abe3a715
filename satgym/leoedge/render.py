"""Rendering: a ground-track map (``rgb_array``) and a text table (``ansi``).

matplotlib is imported inside the functions (Agg backend, no display needed).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from satgym.leoedge.env import SatelliteEdgeEnv


def _link(ax, lon0: float, lat0: float, lon1: float, lat1: float, **style) -> None:
    """A straight stroke the short way round: across the antimeridian it is drawn twice, shifted by
    360 deg, so that each map edge shows its half."""
    if lon1 - lon0 > 180.0:
        lon1 -= 360.0
    elif lon1 - lon0 < -180.0:
        lon1 += 360.0
    ax.plot([lon0, lon1], [lat0, lat1], **style)
    if not -180.0 <= lon1 <= 180.0:
        shift = 360.0 if lon1 < -180.0 else -360.0
        ax.plot([lon0 + shift, lon1 + shift], [lat0, lat1], **style)


def render_rgb(env: SatelliteEdgeEnv, width_px: int = 960, height_px: int = 540) -> np.ndarray:
    """A map (plate carree over Natural Earth coastlines): satellites at their sub-satellite points
    coloured by processor load, ground stations coloured by their cluster's mean container load,
    each cluster's site and its fibre backhaul, the geostationary relays, and the access links in
    use (green: to a station, purple dashed: to a relay)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from satgym.core.coastlines import coastlines

    sim = env.sim
    seg = sim.segment
    row = sim.contact_row()
    lat, lon = sim.schedule.subpoint_lat_lon_deg(row)
    st_lat, st_lon = np.asarray(sim.stations.lat_deg), np.asarray(sim.stations.lon_deg)
    cluster_load = sim.ground.occupancy.reshape(sim.n_clusters, -1).mean(axis=1)
    station_load = cluster_load[seg.station_cluster]
    fig = plt.Figure(figsize=(width_px / 100, height_px / 100), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_xlim(-180, 180)
    ax.set_ylim(-90, 90)
    ax.set_aspect("equal")
    ax.set_xticks(range(-180, 181, 60))
    ax.set_yticks(range(-90, 91, 30))
    ax.grid(True, lw=0.3, alpha=0.5)
    ax.set_facecolor("#eef3f8")
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    for line in coastlines():
        ax.plot(line[:, 0], line[:, 1], color="#8a8f96", lw=0.5, zorder=1)
    small = sim.n_stations < 20
    if small and sim.n_clusters < sim.n_stations:  # fibre from each station to its cluster's site
        site = seg.cluster_site[seg.station_cluster]
        for s in range(sim.n_stations):
            if site[s] != s:
                ax.plot([st_lon[s], st_lon[site[s]]], [st_lat[s], st_lat[site[s]]], color="tab:blue", lw=0.8,
                        alpha=0.5, ls=":", zorder=2)
    access = sim.schedule.access[row]
    for k in np.flatnonzero(access >= 0)[:2000]:
        s = access[k]
        if s < seg.n_stations:
            _link(ax, lon[k], lat[k], st_lon[s], st_lat[s], color="tab:green", lw=0.8, alpha=0.8, zorder=2)
        else:  # through a geostationary relay: to its sub-point on the equator
            _link(ax, lon[k], lat[k], seg.relays.lon_deg[s - seg.n_stations], 0.0, color="tab:purple",
                  lw=0.6, alpha=0.6, ls="--", zorder=2)
    if seg.n_relays:
        ax.scatter(seg.relays.lon_deg, np.zeros(seg.n_relays), marker="*", s=110, c="tab:purple",
                   edgecolors="k", linewidths=0.5, zorder=4, label="GEO data relays")
    sc = ax.scatter(lon, lat, c=np.clip(sim.proc_load, 0, 1), cmap="viridis", vmin=0, vmax=1,
                    s=22 if sim.n_sats < 200 else 2, zorder=3, label="satellites")
    ax.scatter(st_lon, st_lat, c=station_load, cmap="Reds", vmin=0, vmax=1, marker="^",
               s=60 if small else 12, edgecolors="k", linewidths=0.5, zorder=4, label="ground stations")
    if small:
        sites = seg.cluster_site
        ax.scatter(st_lon[sites], st_lat[sites], marker="s", s=120, facecolors="none", edgecolors="tab:red",
                   linewidths=1.2, zorder=5, label="edge cluster")
        for s in range(sim.n_stations):
            ax.annotate(sim.stations.names[s], (st_lon[s], st_lat[s]), xytext=(4, 4), textcoords="offset points",
                        fontsize=7)
    fig.colorbar(sc, ax=ax, fraction=0.025, pad=0.01, label="on-board processor load")
    m = env._last_metrics
    via = int((access >= seg.n_stations).sum())
    ax.set_title(
        f"{sim.start_utc:%Y-%m-%d %H:%M:%S} UTC + {sim.time_s:.0f} s   "
        f"connected: {int((access >= 0).sum())}/{sim.n_sats} ({via} via relay)   "
        f"edge load: {sim.ground.occupancy.mean():.2f}   in flight: {m.get('in_flight', sim.in_flight())}",
        fontsize=9,
    )
    ax.legend(loc="lower left", fontsize=7)
    fig.tight_layout()
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3].copy()
    return img


def render_ansi(env: SatelliteEdgeEnv, max_rows: int = 20) -> str:
    sim = env.sim
    row = sim.contact_row()
    sched = sim.schedule
    lines = [
        f"t={sim.time_s:.0f}s  step {sim.k}/{sim.n_steps}  edge load {sim.ground.occupancy.mean():.2f}  "
        f"tasks in flight {sim.in_flight()}",
        f"{'agent':<10}{'proc':<22}{'load':>6}{'queue s':>9}{'contact':>9}{'T_a s':>8}{'pending':>9}",
    ]
    pending = np.bincount(sim.tasks["sat"][sim.tasks["stage"] == 0], minlength=sim.n_sats)
    ta = sched.remaining_contact_s(row)
    for k in range(min(sim.n_sats, max_rows)):
        st = sched.access[row, k]
        lines.append(
            f"{env.possible_agents[k]:<10}{sim.compute.processor[k][:21]:<22}{sim.proc_load[k]:>6.2f}"
            f"{max(sim.proc_busy[k] - sim.time_s, 0):>9.2f}{(sim.segment.ap_names[st] if st >= 0 else '-')[:8]:>9}"
            f"{ta[k]:>8.0f}{pending[k]:>9d}"
        )
    if sim.n_sats > max_rows:
        lines.append(f"... {sim.n_sats - max_rows} more satellites")
    return "\n".join(lines)
