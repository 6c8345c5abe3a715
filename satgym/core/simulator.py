"""The satellite-ground inference simulator: one scenario, stepped in slots of ``slot_s``.

Time ``t_k = k * slot_s`` from the episode start. At ``t_k`` every satellite decides, for each of its
first ``decision_slots`` pending tasks, to run it locally (0), offload it (1) or hold it (2). The
simulator then advances to ``t_{k+1}``: uploads that reach a station are placed on containers by the
ground scheduler, containers execute FIFO, results return (Case I), outcomes whose time has come are
resolved, and the tasks that arrived during the slot become pending. All state is numpy arrays over
satellites, tasks and containers; the only loops run over a task's rank within its satellite or
station (a handful per step).

Every task ends completed, or failed with a reason from :data:`satgym.core.tasks.FAIL_REASONS`, or is
in flight: ``generated == completed + failed + in_flight`` after every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from satgym.config.schema import ScenarioConfig
from satgym.core import orbits
from satgym.core.advantage import advantage_argument, operator
from satgym.core.catalogue import assign_processors
from satgym.core.fifo import busy_in_window, serve_fifo
from satgym.core.ground_cluster import GroundCluster, make_scheduler, place
from satgym.core.links import propagation_s, sampled_transfer_s, shannon_rate_mbps
from satgym.core.metrics import EpisodeMetrics, resolved_stats
from satgym.core.return_path import plan_returns
from satgym.core.tasks import FAIL_REASONS, Route, Stage, TaskTable, generate_arrivals
from satgym.core.transmission import LinkState, delivery_estimate_s, plan_routes
from satgym.core.world import build_constellation, build_stations, parse_epoch

LOCAL, OFFLOAD, HOLD = 0, 1, 2
NEIGHBOUR_REFRESH_S = 10.0


@dataclass
class StepOutcome:
    reward_components: dict[str, float]
    metrics: dict


class Simulator:
    """State and dynamics of one scenario. ``reset(rng)`` then ``step(actions)``."""

    def __init__(self, cfg: ScenarioConfig) -> None:
        self.cfg = cfg
        self.constellation = build_constellation(cfg.constellation)
        self.stations = build_stations(cfg.stations)
        self.n_sats = self.constellation.n_sats
        self.n_stations = len(self.stations.names)
        self.compute = assign_processors(
            self.n_sats, cfg.compute.processors, cfg.compute.model, cfg.compute.models
        )
        self.edge_exec_s = cfg.compute.edge_exec_ms / 1000.0
        self.ground = GroundCluster(cfg.ground, self.n_stations)
        self.scheduler = make_scheduler(cfg.ground.scheduler)
        self.neighbours = orbits.NeighbourTable(
            self.constellation, max_isl_range_km=cfg.links.max_isl_range_km
        )
        self.epoch = parse_epoch(cfg.constellation.epoch_utc)
        self.slot_s = cfg.episode.slot_s
        self.n_steps = cfg.episode.steps
        self.K = cfg.episode.decision_slots
        self._F = operator(cfg.reward.operator)
        self.schedule: orbits.ContactSchedule | None = None

    # ------------------------------------------------------------------ reset
    def reset(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.start_utc = self._choose_start(rng)
        self.schedule = orbits.ContactSchedule.build(
            self.constellation,
            self.stations,
            self.start_utc,
            step_s=self.slot_s,
            n_steps=self.n_steps + 1,
            min_elevation_deg=self.cfg.stations.min_elevation_deg,
            lookahead_s=self.cfg.stations.lookahead_s,
            selection=self.cfg.stations.selection,
        )
        self.k = 0
        self.time_s = 0.0
        self.tasks = TaskTable(capacity=max(1024, 8 * self.n_sats))
        self.next_id = 0
        self.proc_busy = np.zeros(self.n_sats)
        self.link_busy = np.zeros(self.n_sats)
        self.proc_load = np.zeros(self.n_sats)
        self.ground.reset()
        self.ground_seen = np.zeros(self.n_sats)  # mean station load as last received
        self.ground_seen_at = np.full(self.n_sats, -np.inf)
        self.metrics = EpisodeMetrics(self.ground.n_containers)
        self._refresh_neighbours()
        self._add_arrivals(-self.slot_s, 0.0)
        self._receive_ground_state()

    def _choose_start(self, rng: np.random.Generator):
        ep = self.cfg.episode
        if ep.start == "epoch":
            return self.epoch + timedelta(seconds=ep.offset_s)
        start = self.epoch + timedelta(seconds=ep.offset_s + float(rng.random()) * ep.start_window_s)
        if ep.start == "random":
            return start
        # next_contact: scan a day ahead on a coarse grid for the first satellite-station contact
        coarse = orbits.ContactSchedule.build(
            self.constellation, self.stations, start, step_s=20.0, n_steps=4320,
            min_elevation_deg=self.cfg.stations.min_elevation_deg, lookahead_s=20.0,
            selection=self.cfg.stations.selection,
        )
        visible = np.flatnonzero((coarse.station >= 0).any(axis=1))
        if len(visible) == 0:
            return start
        return start + timedelta(seconds=max(float(visible[0]) * 20.0 - ep.lead_s, 0.0))

    # ------------------------------------------------------------ observables
    def contact_row(self, t: float | None = None) -> int:
        t = self.time_s if t is None else t
        return int(min(max(round(t / self.slot_s), 0), self.n_steps))

    def ground_rate_mbps(self, row: int) -> np.ndarray:
        sched = self.schedule
        visible = sched.station[row] >= 0
        if self.cfg.links.model == "fixed":
            rate = np.full(self.n_sats, self.cfg.links.ground_rate_mbps)
        else:
            lk = self.cfg.links
            rate = shannon_rate_mbps(
                np.nan_to_num(sched.slant_range_km[row], nan=1e9),
                lk.bandwidth_mhz, lk.tx_power_w, lk.gain_at_1m, lk.noise_w,
            )
        return np.where(visible, rate, 0.0)

    def link_state(self) -> LinkState:
        row = self.contact_row()
        return LinkState(
            remaining_contact_s=self.schedule.remaining_contact_s(row),
            ground_rate_mbps=self.ground_rate_mbps(row),
            link_backlog_s=np.maximum(self.link_busy - self.time_s, 0.0),
            same_orbit=self.same_orbit,
            other_orbit=self.other_orbit,
        )

    def pending_slots(self) -> np.ndarray:
        """(n_sats, K) live-row indices of each satellite's first K pending tasks (-1 = empty)."""
        out = np.full((self.n_sats, self.K), -1, dtype=np.int64)
        rows = np.flatnonzero(self.tasks["stage"] == Stage.PENDING)
        if len(rows) == 0:
            return out
        from satgym.core.fifo import rank_within_group

        sat = self.tasks["sat"][rows]
        order, rank = rank_within_group(sat, self.tasks["arrival_s"][rows])
        keep = rank < self.K
        out[sat[keep], rank[keep]] = rows[keep]
        return out

    def in_flight(self) -> int:
        return len(self.tasks)

    # ------------------------------------------------------------------- step
    def step(self, actions: np.ndarray) -> StepOutcome:
        """Apply (n_sats, K) actions in {0 local, 1 offload, 2 hold} and advance one slot."""
        t, t_end = self.time_s, self.time_s + self.slot_s
        slots = self.pending_slots()
        present = slots >= 0
        rows, act = slots[present], np.asarray(actions)[present]
        adv = self._offload(rows[act == OFFLOAD], t)
        self._run_local(rows[act == LOCAL], t)

        self._ground_arrivals(t_end)
        self._edge_finishes(t_end)
        self._measure_load(t, t_end)
        step_stats = self._resolve(t_end)
        expired = self._expire(t_end)
        self.k += 1
        self.time_s = t_end
        new = self._add_arrivals(t, t_end)
        if self.k % max(1, int(round(NEIGHBOUR_REFRESH_S / self.slot_s))) == 0:
            self._refresh_neighbours()
        self._receive_ground_state()

        failed_now = sum(step_stats["failed"].values()) + expired
        over = np.maximum(self.ground.occupancy - self.cfg.ground.load_cap, 0.0)  # Eq. 6
        rc = self.cfg.reward
        reward_components = {
            "advantage": float(adv),
            "overload": -rc.overload_penalty * float(over.sum()),
            "failure": -rc.failure_penalty * float(failed_now),
        }
        step_metrics = {
            "time_s": self.time_s,
            "generated": new,
            "completed": step_stats["completed"],
            "failed": failed_now,
            "in_flight": self.in_flight(),
            "mean_execution_time_s": (
                step_stats["e2e_sum_s"] / step_stats["completed"] if step_stats["completed"] else float("nan")
            ),
            "edge_load": float(self.ground.occupancy.mean()),
            "container_load": self.ground.occupancy,
            "satellites_in_contact": int((self.schedule.station[self.contact_row()] >= 0).sum()),
        }
        return StepOutcome(reward_components, step_metrics)

    # --------------------------------------------------------------- decisions
    def _run_local(self, rows: np.ndarray, t: float) -> None:
        if len(rows) == 0:
            return
        T = self.tasks
        sat = T["sat"][rows]
        service = T["work"][rows] * self.compute.exec_s[sat]
        start, finish = serve_fifo(sat, np.full(len(rows), t), service, self.proc_busy)
        T["stage"][rows] = Stage.DONE_KNOWN
        T["decided_s"][rows] = t
        T["route"][rows] = Route.LOCAL
        T["exec_start_s"][rows] = start
        T["exec_finish_s"][rows] = finish
        T["accuracy"][rows] = self.compute.accuracy[sat]
        self._finish(rows, finish)

    def _finish(self, rows: np.ndarray, done_s: np.ndarray) -> None:
        """Outcome known at ``done_s``; a result after the deadline is a failure."""
        T = self.tasks
        T["done_s"][rows] = done_s
        T["stage"][rows] = Stage.DONE_KNOWN
        late = done_s > T["deadline_s"][rows]
        self._fail(rows[late], "deadline", done_s[late])

    def _fail(self, rows: np.ndarray, reason: str, at_s: np.ndarray | float) -> None:
        T = self.tasks
        T["failed"][rows] = True
        T["fail_reason"][rows] = FAIL_REASONS.index(reason)
        T["done_s"][rows] = at_s
        T["stage"][rows] = Stage.DONE_KNOWN

    def _offload(self, rows: np.ndarray, t: float) -> float:
        """Plan and start the uploads of offloaded tasks; returns the Eq. 2 advantage sum."""
        if len(rows) == 0:
            return 0.0
        T, lk, tr = self.tasks, self.cfg.links, self.cfg.transmission
        from satgym.core.fifo import rank_within_group

        sat_all = T["sat"][rows]
        _, rank = rank_within_group(sat_all, T["arrival_s"][rows])
        row_k = self.contact_row()
        window_end = self.schedule.window_end_s
        station_now = self.schedule.station[row_k]
        advantage = 0.0
        local_rows = []
        for r in range(int(rank.max()) + 1):
            rr = rows[rank == r]
            sat = T["sat"][rr]
            links = self.link_state()
            exec_s = T["work"][rr] * self.edge_exec_s
            if tr.seamless:
                route, link_sat = plan_routes(
                    sat, T["input_mbit"][rr], T["result_mbit"][rr], T["needs_return"][rr], exec_s,
                    links, lk.ground_loss, lk.isl_rate_mbps, lk.isl_loss,
                )
            else:
                route = np.full(len(rr), Route.DIRECT, dtype=np.int8)
                link_sat = sat.copy()
            rerouted = route == Route.LOCAL
            local_rows.append(rr[rerouted])
            self.metrics.rerouted_local += int(rerouted.sum())
            go = ~rerouted
            rr, sat, route, link_sat, exec_s = rr[go], sat[go], route[go], link_sat[go], exec_s[go]
            if len(rr) == 0:
                continue
            advantage += self._advantage(rr, sat, exec_s, links, route, link_sat)
            rate = links.ground_rate_mbps[link_sat]
            loss = np.where(route == Route.DIRECT, lk.ground_loss, 1 - (1 - lk.isl_loss) * (1 - lk.ground_loss))
            rate = np.where(route == Route.DIRECT, rate, np.minimum(rate, lk.isl_rate_mbps))
            T["decided_s"][rr] = t
            T["route"][rr] = route
            T["relay"][rr] = np.where(route == Route.DIRECT, -1, link_sat)
            T["link_sat"][rr] = link_sat
            self.metrics.messages["satellite_lbs"] += 2 * len(rr)  # offload request + placement ack
            in_contact = rate > 0
            ready = np.full(len(rr), t)
            if not in_contact.all():
                # only possible with planning off: wait for the next contact, or fail
                if tr.on_contact_loss == "fail":
                    self._fail(rr[~in_contact], "no_contact", t)
                    keep = in_contact
                else:
                    ready = np.where(in_contact, t, self.schedule.next_start_s[row_k][link_sat])
                    rate = np.where(in_contact, rate, lk.ground_rate_mbps)
                    unknown = ~np.isfinite(ready)  # no contact within the look-ahead: in flight
                    T["stage"][rr[unknown]] = Stage.UPLINK
                    T["ground_arrival_s"][rr[unknown]] = np.inf
                    keep = ~unknown
                rr, link_sat, rate, loss, ready = rr[keep], link_sat[keep], rate[keep], loss[keep], ready[keep]
            if len(rr) == 0:
                continue
            tx = sampled_transfer_s(T["input_mbit"][rr], rate, loss, lk.packet_bits, self.rng)
            start, finish = serve_fifo(link_sat, ready, tx, self.link_busy)
            row_at_start = np.minimum(np.ceil(start / self.slot_s - 1e-9).astype(np.int64), self.n_steps)
            end = window_end[row_at_start, link_sat]
            station = self.schedule.station[row_at_start, link_sat]
            lost = (finish > end) | (station < 0)
            T["stage"][rr] = Stage.UPLINK
            T["station"][rr] = np.where(station >= 0, station, station_now[link_sat])
            slant = self.schedule.slant_range_km[row_at_start, link_sat]
            T["ground_arrival_s"][rr] = finish + propagation_s(np.nan_to_num(slant, nan=0.0))
            if lost.any():
                self._contact_lost_upload(rr[lost], link_sat[lost], start[lost], finish[lost], end[lost])
        if local_rows:
            self._run_local(np.concatenate(local_rows), t)
        return advantage

    def _contact_lost_upload(self, rows, link_sat, start, finish, end) -> None:
        T = self.tasks
        end = np.fmax(end, start)  # NaN (no contact at the start) -> lost at once
        if self.cfg.transmission.on_contact_loss == "fail":
            self.link_busy[link_sat] = np.minimum(self.link_busy[link_sat], np.maximum(end, self.time_s))
            self._fail(rows, "contact_lost_upload", end)
            return
        # wait: resume the remaining transfer at the link satellite's next contact
        row_end = np.minimum(np.ceil(end / self.slot_s).astype(np.int64), self.n_steps)
        nxt = self.schedule.next_start_s[row_end, link_sat]
        resumed = nxt + (finish - end)
        T["ground_arrival_s"][rows] = resumed  # inf when no further contact is known: stays in flight
        self.link_busy[link_sat] = np.maximum(self.link_busy[link_sat], np.where(np.isfinite(resumed), resumed, 0))

    def _advantage(self, rows, sat, exec_s, links: LinkState, route, link_sat) -> float:
        """Eqs. 2-4 for the tasks offloaded now, from what the satellite knows at decision time."""
        T = self.tasks
        t_local = np.maximum(self.proc_busy[sat] - self.time_s, 0.0) + T["work"][rows] * self.compute.exec_s[sat]
        lk = self.cfg.links
        relay = route != Route.DIRECT
        rate = np.where(relay, np.minimum(links.ground_rate_mbps[link_sat], lk.isl_rate_mbps), links.ground_rate_mbps[link_sat])
        loss = np.where(relay, 1 - (1 - lk.isl_loss) * (1 - lk.ground_loss), lk.ground_loss)
        deliver = delivery_estimate_s(T["input_mbit"][rows], T["result_mbit"][rows], T["needs_return"][rows], exec_s, rate, loss)
        t_edge = links.link_backlog_s[link_sat] + deliver + np.where(T["needs_return"][rows], 0.0, exec_s)
        t_edge = t_edge + self.ground_seen[sat] * self.cfg.ground.load_window_s  # expected queueing
        delta_c = t_local - t_edge  # Eq. 3 with queueing on both sides
        delta_a = self.cfg.compute.edge_accuracy - self.compute.accuracy[sat]  # Eq. 4
        arg = advantage_argument(delta_c, delta_a, self.cfg.reward.alpha, self.cfg.reward.time_ref_s)
        return float(self._F(arg).sum())

    # ------------------------------------------------------------- the ground
    def _ground_arrivals(self, t_end: float) -> None:
        T = self.tasks
        rows = np.flatnonzero((T["stage"] == Stage.UPLINK) & (T["ground_arrival_s"] < t_end))
        if len(rows) == 0:
            return
        rows = rows[np.argsort(T["ground_arrival_s"][rows], kind="stable")]
        arrival = T["ground_arrival_s"][rows]
        exec_s = T["work"][rows] * self.edge_exec_s
        station = T["station"][rows]
        container = place(self.scheduler, self.ground, T["id"][rows], station, arrival, exec_s, self.rng)
        start, finish = serve_fifo(container, arrival, exec_s, self.ground.busy_until)
        T["container"][rows] = container
        T["exec_start_s"][rows] = start
        T["exec_finish_s"][rows] = finish
        T["stage"][rows] = Stage.EDGE
        T["accuracy"][rows] = self.cfg.compute.edge_accuracy
        self.metrics.messages["lbs_server"] += 2 * len(rows)  # dispatch + completion report
        self.metrics.messages["server_container"] += 2 * len(rows)

    def _edge_finishes(self, t_end: float) -> None:
        T = self.tasks
        rows = np.flatnonzero((T["stage"] == Stage.EDGE) & (T["exec_finish_s"] < t_end))
        if len(rows) == 0:
            return
        finish = T["exec_finish_s"][rows]
        back = T["needs_return"][rows]
        self._finish(rows[~back], finish[~back])  # Case II: the result stays on the ground
        rows, finish = rows[back], finish[back]
        if len(rows) == 0:
            return
        done, ok = plan_returns(self, rows, finish)
        self._finish(rows[ok], done[ok])
        if self.cfg.transmission.on_contact_loss == "fail":
            self._fail(rows[~ok], "contact_lost_return", finish[~ok])
            return
        waiting, known = rows[~ok], np.isfinite(done[~ok])
        self._finish(waiting[known], done[~ok][known])  # returned at the satellite's next contact
        T["stage"][waiting[~known]] = Stage.DONE_KNOWN  # no contact within the look-ahead:
        T["done_s"][waiting[~known]] = np.inf  # stays in flight

    def _measure_load(self, t: float, t_end: float) -> None:
        T = self.tasks
        edge = np.flatnonzero(T["container"] >= 0)
        busy = busy_in_window(
            T["container"][edge], T["exec_start_s"][edge], T["exec_finish_s"][edge], t, t_end,
            self.ground.n_containers,
        )
        self.ground.occupancy = busy / (t_end - t)  # L_o: CPU occupancy over the slot
        self.metrics.load_sum += self.ground.occupancy
        self.metrics.steps += 1
        local = np.flatnonzero(T["route"] == Route.LOCAL)
        self.proc_load = busy_in_window(
            T["sat"][local], T["exec_start_s"][local], T["exec_finish_s"][local], t, t_end, self.n_sats
        ) / (t_end - t)

    def _receive_ground_state(self) -> None:
        """Satellites in contact receive their station's mean load; others keep a stale copy."""
        row = self.contact_row()
        st = self.schedule.station[row]
        visible = st >= 0
        per_station = self.ground.occupancy.reshape(self.n_stations, -1).mean(axis=1)
        self.ground_seen[visible] = per_station[st[visible]]
        self.ground_seen_at[visible] = self.time_s
        self.metrics.messages["satellite_lbs"] += int(visible.sum())

    # ------------------------------------------------------------ bookkeeping
    def _resolve(self, t_end: float) -> dict:
        T = self.tasks
        done = (T["stage"] == Stage.DONE_KNOWN) & (T["done_s"] <= t_end)
        cols = {k: T[k][done] for k in T.cols}
        stats = resolved_stats(cols)
        m = self.metrics
        m.completed += stats["completed"]
        m.completed_local += stats["completed_local"]
        m.completed_edge += stats["completed_edge"]
        m.e2e_sum_s += stats["e2e_sum_s"]
        m.accuracy_sum += stats["accuracy_sum"]
        for r, c in stats["failed"].items():
            m.failed[r] += c
        for p, v in stats["parts"].items():
            m.time_sums[p] += v
        T.keep(~done)
        return stats

    def _expire(self, t_end: float) -> int:
        T = self.tasks
        pending = T["stage"] == Stage.PENDING
        old = pending & (
            (t_end - T["arrival_s"] > self.cfg.tasks.max_hold_s) | (T["deadline_s"] <= t_end)
        )
        n = int(old.sum())
        if n:
            self.metrics.failed["expired"] += n
            T.keep(~old)
        return n

    def _add_arrivals(self, t0: float, t1: float) -> int:
        hour = (self.start_utc + timedelta(seconds=t0)).hour
        new = generate_arrivals(self.cfg.tasks, self.n_sats, t0, t1, hour, self.rng)
        m = len(new["sat"])
        if m:
            new["id"] = np.arange(self.next_id, self.next_id + m)
            self.next_id += m
            self.tasks.append(**new)
        self.metrics.generated += m
        return m

    def _refresh_neighbours(self) -> None:
        row = self.contact_row()
        pos = self.schedule.positions_km[:, row]
        same = self.neighbours.intra_plane.copy()
        ok_same = np.asarray(self.neighbours.intra_dist_km(pos)) <= self.cfg.links.max_isl_range_km
        self.same_orbit = np.where(ok_same & (same >= 0), same, -1)
        inter, _ = self.neighbours.at(pos)
        self.other_orbit = inter

    def episode_metrics(self) -> dict:
        return self.metrics.summary(self.in_flight())
