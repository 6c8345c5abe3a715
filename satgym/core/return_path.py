"""Result return for Case I tasks (LEOEdge Sec. VII-B).

When a container finishes a task whose result must go back to the satellite, the station first
tries the link the raw data came over (the satellite itself, or its relay). If that satellite is no
longer in contact long enough, the seamless scheme looks for a new link: the satellite directly,
then its same-orbit neighbours, then its other-orbit neighbours (Alg. 4's order). Stations share
results over terrestrial backhaul, so any station in view of the chosen satellite can send it.
Without the seamless scheme only the original link is tried. A result that finds no link either
fails (``contact_lost_return``) or waits for the satellite's next contact (``on_contact_loss``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from satgym.core.links import sampled_transfer_s, shannon_rate_mbps

if TYPE_CHECKING:
    from satgym.core.simulator import Simulator


def plan_returns(sim: Simulator, rows: np.ndarray, finish: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(done_s, ok): ``ok`` tasks return at ``done_s``; for the others ``done_s`` is the time the
    result would arrive at the satellite's next contact (inf if none is known)."""
    T, lk, sched = sim.tasks, sim.cfg.links, sim.schedule
    sat = T["sat"][rows]
    r = np.minimum(np.ceil(finish / sim.slot_s - 1e-9).astype(np.int64), sim.n_steps)
    size = T["result_mbit"][rows]
    if sim.cfg.transmission.seamless:
        cands = np.column_stack([T["link_sat"][rows], sat, sim.same_orbit[sat], sim.other_orbit[sat]])
    else:
        cands = T["link_sat"][rows][:, None]
    ok_c = cands >= 0
    c = np.where(ok_c, cands, 0)
    rr = np.broadcast_to(r[:, None], c.shape)
    rate_ground = np.where(sched.station[rr, c] >= 0, _rate(sim, rr, c), 0.0)
    via_relay = c != sat[:, None]
    rate = np.where(via_relay, np.minimum(rate_ground, lk.isl_rate_mbps), rate_ground)
    loss = np.where(via_relay, 1 - (1 - lk.isl_loss) * (1 - lk.ground_loss), lk.ground_loss)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.where(rate > 0, size[:, None] / (rate * (1 - loss)), np.inf)
    fits = ok_c & (rate > 0) & (finish[:, None] + est <= sched.window_end_s[rr, c])
    ok = fits.any(axis=1)
    pick = fits.argmax(axis=1)
    idx = np.arange(len(rows))
    done = np.full(len(rows), np.inf)
    if ok.any():
        chosen = pick[ok]
        tx = sampled_transfer_s(size[ok], rate[idx[ok], chosen], loss[idx[ok], chosen], lk.packet_bits, sim.rng)
        done[ok] = finish[ok] + tx
        relay_used = cands[idx[ok], chosen] != sat[ok]
        T["relay"][rows[ok]] = np.where(relay_used, cands[idx[ok], chosen], T["relay"][rows[ok]])
    # waiting: the satellite's next contact after its current window (if any) ends
    wait = ~ok
    if wait.any():
        s_w, r_w = sat[wait], r[wait]
        visible = sched.station[r_w, s_w] >= 0
        after = np.where(visible, sched.window_end_s[r_w, s_w], finish[wait])
        r2 = np.minimum(np.ceil(after / sim.slot_s).astype(np.int64), sim.n_steps)
        nxt = sched.next_start_s[r2, s_w]
        done[wait] = nxt + size[wait] / (lk.ground_rate_mbps * (1 - lk.ground_loss))
    return done, ok


def _rate(sim: Simulator, rows: np.ndarray, sats: np.ndarray) -> np.ndarray:
    if sim.cfg.links.model == "fixed":
        return np.full(sats.shape, sim.cfg.links.ground_rate_mbps)
    lk = sim.cfg.links
    slant = np.nan_to_num(sim.schedule.slant_range_km[rows, sats], nan=1e9)
    return shannon_rate_mbps(slant, lk.bandwidth_mhz, lk.tx_power_w, lk.gain_at_1m, lk.noise_w)
