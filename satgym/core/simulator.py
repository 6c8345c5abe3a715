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

import warnings
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from satgym.config.schema import ScenarioConfig
from satgym.core import orbits
from satgym.core.advantage import OPERATORS
from satgym.core.catalogue import assign_processors
from satgym.core.columns import I_ID, I_RESERVED, I_STATION
from satgym.core.ground_cluster import GroundCluster, make_scheduler
from satgym.core.links import shannon_rate_mbps
from satgym.core.metrics import EpisodeMetrics
from satgym.core.step_advance import STATS, advance, ground_arrivals, receive_ground_load
from satgym.core.step_dispatch import dispatch, pending_slots
from satgym.core.ground_segment import KIND_RELAY, AccessSchedule
from satgym.core.tasks import FAIL_REASONS, ArrivalStream, TaskTable
from satgym.core.world import build_constellation, build_segment, build_stations, parse_epoch

LOCAL, OFFLOAD, HOLD = 0, 1, 2
COMPACT_EVERY = 16  # steps between removals of resolved rows


@dataclass
class StepOutcome:
    reward_components: dict[str, float]  # the shared reward's terms
    metrics: dict
    # with reward.local_ratio > 0: each term's share per satellite, (n_sats,) arrays summing to it
    own_reward_components: dict[str, np.ndarray] | None = None


class Simulator:
    """State and dynamics of one scenario. ``reset(rng)`` then ``step(actions)``."""

    def __init__(self, cfg: ScenarioConfig) -> None:
        self.cfg = cfg
        self.constellation = build_constellation(cfg.constellation)
        self.stations = build_stations(cfg.stations)
        self.segment = build_segment(self.stations, cfg.ground, cfg.relays)
        self.n_sats = self.constellation.n_sats
        self.n_stations = len(self.stations.names)
        self.n_clusters = self.segment.n_clusters
        self.compute = assign_processors(
            self.n_sats, cfg.compute.processors, cfg.compute.model, cfg.compute.models
        )
        self.edge_exec_s = cfg.compute.edge_exec_ms / 1000.0
        self.ground = GroundCluster(cfg.ground, self.n_clusters)
        self.scheduler = make_scheduler(cfg.ground.scheduler)
        self.neighbours = orbits.NeighbourTable(
            self.constellation, max_isl_range_km=cfg.links.max_isl_range_km
        )
        self.epoch = parse_epoch(cfg.constellation.epoch_utc)
        self.slot_s = cfg.episode.slot_s
        self.n_steps = cfg.episode.steps
        self.K = cfg.episode.decision_slots
        self._op = list(OPERATORS).index(cfg.reward.operator)
        self.schedule: AccessSchedule | None = None
        self._schedule_start = None  # the schedule is kept while episodes start at the same time

    # ------------------------------------------------------------------ reset
    def reset(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.start_utc = self._choose_start(rng)
        if self._schedule_start != self.start_utc:  # propagate once per distinct episode start
            self.schedule = AccessSchedule.build(
                self.constellation,
                self.segment,
                self.start_utc,
                step_s=self.slot_s,
                n_steps=self.n_steps + 1,
                min_elevation_deg=self.cfg.stations.min_elevation_deg,
                lookahead_s=self.cfg.stations.lookahead_s,
                selection=self.cfg.stations.selection,
                contact=self.cfg.stations.contact,
                grazing_altitude_km=self.cfg.relays.grazing_altitude_km,
            )
            self.rate_grid = self._rate_grid()
            self._via_relay = (self.schedule.access >= self.n_stations).sum(axis=1)
            self._schedule_start = self.start_utc
            self._neighbour_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # per grid row
        self._isl_every = max(1, int(round(self.cfg.links.isl_refresh_s / self.slot_s)))
        rows = [r for r in range(0, self.n_steps + 1, self._isl_every) if r not in self._neighbour_cache]
        if rows:  # the episode's ISL geometry, once per start time, all refresh instants in one pass
            pos = self.schedule.positions_km[:, rows]
            same = self.neighbours.intra_plane
            ok_same = self.neighbours.intra_visible_rows(pos)
            inter, _ = self.neighbours.at_rows(pos)
            for j, row in enumerate(rows):
                self._neighbour_cache[row] = (
                    np.ascontiguousarray(np.where(ok_same[j] & (same >= 0), same, -1), dtype=np.int64),
                    np.ascontiguousarray(inter[j], dtype=np.int64),
                )
        self.start_hour_utc = self.start_utc.hour + self.start_utc.minute / 60 + self.start_utc.second / 3600
        self.k = 0
        self.time_s = 0.0
        self.tasks = TaskTable(capacity=max(1024, 8 * self.n_sats))
        # the task stream has its own generator (seeded from the env's), so every policy sees the
        # same tasks for the same seed, whatever else it makes the simulator draw
        arrival_rng = np.random.default_rng(int(rng.integers(2**63)))
        self.arrivals = ArrivalStream(self.cfg.tasks, self.n_sats, self.slot_s, self.start_hour_utc, arrival_rng)
        self.proc_busy = np.zeros(self.n_sats)
        self.link_busy = np.zeros(self.n_sats)
        self.proc_load = np.zeros(self.n_sats)
        self._adv_sat = np.zeros(self.n_sats)  # per satellite, for the local rewards
        self._e2e_sat = np.zeros(self.n_sats)
        self._failed_sat = np.zeros(self.n_sats)
        self.ground.reset()
        self.ground_seen = np.zeros(self.n_sats)  # mean station load as last received
        self.ground_seen_at = np.full(self.n_sats, -np.inf)
        self.metrics = EpisodeMetrics(self.ground.n_containers)
        self._live = 0
        self._seeds: list[int] = []
        self._first_pending = self._first_uplink = 0
        self._refresh_neighbours()
        self._add_arrivals(0)
        self._receive_ground_state()
        self._update_slots()

    def _choose_start(self, rng: np.random.Generator):
        ep = self.cfg.episode
        if ep.start == "epoch":
            return self.epoch + timedelta(seconds=ep.offset_s)
        start = self.epoch + timedelta(seconds=ep.offset_s + float(rng.random()) * ep.start_window_s)
        if ep.start == "random":
            return start
        # next_contact: scan ahead (an hour at a time, up to a day) for the first contact
        scan_s = 20.0
        grid = np.arange(0.0, 3600.0, scan_s)
        for hour in range(24):
            t0 = start + timedelta(hours=hour)
            with warnings.catch_warnings():  # decayed satellites are reported by the episode's schedule
                warnings.simplefilter("ignore", orbits.SGP4ErrorWarning)
                pos = orbits.propagate_ecef_km(self.constellation, t0, grid)
            with np.errstate(invalid="ignore"):
                visible = (orbits.elevation_deg(pos, self.stations) >= self.cfg.stations.min_elevation_deg).any(axis=(0, 2))
            if visible.any():
                return t0 + timedelta(seconds=max(float(grid[np.argmax(visible)]) - ep.lead_s, 0.0))
        return start

    def _rate_grid(self) -> np.ndarray:
        """Satellite-ground rate l(n_i, S) at every step (0 out of contact): the station link
        (fixed or Shannon from the slant range), or the relay's rate through a relay."""
        sched, lk = self.schedule, self.cfg.links
        visible = sched.access >= 0
        via_relay = visible & (self.segment.ap_kind[np.maximum(sched.access, 0)] == KIND_RELAY)
        if lk.model == "fixed":
            rate = np.full(visible.shape, lk.ground_rate_mbps)
        else:
            slant = np.nan_to_num(sched.slant_range_km, nan=1e9)
            rate = shannon_rate_mbps(slant, lk.bandwidth_mhz, lk.tx_power_w, lk.gain_at_1m, lk.noise_w)  # Eq. 25
        rate = np.where(via_relay, self.cfg.relays.rate_mbps, rate)
        return np.where(visible, rate, 0.0)

    # ------------------------------------------------------------ observables
    def contact_row(self, t: float | None = None) -> int:
        t = self.time_s if t is None else t
        return int(min(max(round(t / self.slot_s), 0), self.n_steps))

    def pending_slots(self) -> np.ndarray:
        """(n_sats, K) task-table rows of each satellite's first K pending tasks (-1 = empty)."""
        return self.slots

    def in_flight(self) -> int:
        return self._live

    def reserve(self, task_ids: np.ndarray, containers: np.ndarray) -> None:
        """Pin tasks (by id) to global containers before they reach their station."""
        task_ids = np.asarray(task_ids, dtype=np.int64)
        containers = np.asarray(containers, dtype=np.int64)
        if task_ids.shape != containers.shape:
            raise ValueError("reserve: task_ids and containers must have the same length")
        bad = (containers < 0) | (containers >= self.ground.n_containers)
        if bad.any():
            raise ValueError(
                f"reserve: container index {int(containers[bad][0])} is out of range [0, {self.ground.n_containers})"
            )
        ids = self.tasks["id"]
        rows = np.searchsorted(ids, task_ids)  # rows stay in id (= arrival) order
        ok = (rows < len(ids)) & (ids[np.minimum(rows, len(ids) - 1)] == task_ids) if len(ids) else np.zeros(len(task_ids), bool)
        self.tasks.I[rows[ok], I_RESERVED] = containers[ok]

    # ------------------------------------------------------------------- step
    def _bind_kernels(self) -> None:
        """Arguments of the step kernels that stay the same objects between neighbour refreshes
        (arrays mutated in place, schedule grids, constants), bound once."""
        sched, lk, tr, cfg = self.schedule, self.cfg.links, self.cfg.transmission, self.cfg
        links = (tr.seamless, tr.on_contact_loss == "wait", lk.ground_loss, lk.isl_rate_mbps, lk.isl_loss,
                 float(lk.packet_bits))
        self._dispatch_args = (
            self.proc_busy, self.link_busy, self.compute.exec_s, self.compute.accuracy, self.ground_seen,
            sched.access, sched.window_end_s, sched.next_start_s, sched.delay_s,
        )
        self._dispatch_tail = (
            self.same_orbit, self.other_orbit, *links, self.edge_exec_s, cfg.compute.edge_accuracy,
            cfg.reward.alpha, cfg.reward.time_ref_s, self._op, cfg.ground.load_window_s, lk.ground_rate_mbps,
        )
        self._advance_tail = (
            self.ground.busy_until, self.edge_exec_s, cfg.compute.edge_accuracy, self.ground.occupancy,
            sched.access, sched.window_end_s, sched.next_start_s, self.rate_grid, sched.delay_s,
            self.same_orbit, self.other_orbit, *links, lk.ground_rate_mbps, self.slot_s, self.n_steps + 1,
            cfg.tasks.max_hold_s,
        )
        self._stats = np.zeros(len(STATS))
        self._out = np.zeros(3)


    def step(self, actions: np.ndarray) -> StepOutcome:
        """Apply (n_sats, K) actions in {0 local, 1 offload, 2 hold} and advance one slot."""
        t, t_end, T = self.time_s, self.time_s + self.slot_s, self.tasks
        row_k = self.contact_row()
        seed = self._next_seed()
        out, stats = self._out, self._stats
        dispatch(seed, t, self.slot_s, self.n_steps + 1, np.ascontiguousarray(actions, dtype=np.int64), self.slots,
                 T.F, T.I, *self._dispatch_args, row_k, self.rate_grid[row_k], *self._dispatch_tail, out,
                 self._adv_sat)
        adv, rerouted, offloaded = float(out[0]), int(out[1]), int(out[2])
        # on-board load over the slot: tasks join a processor's FIFO only at decision instants, so
        # it is busy without a gap from t until its queue drains
        np.clip(np.minimum(self.proc_busy, t_end) - t, 0.0, None, out=self.proc_load)
        self.proc_load /= t_end - t
        self.metrics.rerouted_local += rerouted
        self.metrics.messages["satellite_lbs"] += 2 * offloaded  # offload request + placement ack

        rows, self._first_uplink = ground_arrivals(T.F, T.I, min(self._first_uplink, self._first_pending), T.n, t_end)
        containers = self._place(rows)
        advance(seed ^ 0x2545F491, t, t_end, T.F, T.I, T.n, rows, containers, *self._advance_tail, stats,
                self._e2e_sat, self._failed_sat)
        self.metrics.messages["lbs_server"] += 2 * len(rows)  # dispatch + completion report
        self.metrics.messages["server_container"] += 2 * len(rows)
        step_stats = self._account(stats)
        self.k += 1
        self.time_s = t_end
        if T.n > 2 * self._live + 1024 or self.k % COMPACT_EVERY == 0:  # keep scans O(live tasks)
            T.compact()
            self._first_pending = self._first_uplink = 0
        new = self._add_arrivals(self.k)
        if self.k % self._isl_every == 0:
            self._refresh_neighbours()
        edge_load = float(self.ground.occupancy.mean())
        in_contact = self._receive_ground_state(edge_load)
        self._update_slots()

        failed_now = step_stats["failed"]
        over = np.maximum(self.ground.occupancy - self.cfg.ground.load_cap, 0.0)  # Eq. 6
        rc = self.cfg.reward
        reward_components = {
            "advantage": rc.advantage_weight * adv,
            "latency": -rc.latency_weight * step_stats["e2e_sum_s"] / (rc.time_ref_s * self.n_sats),
            "overload": -rc.overload_penalty * float(over.sum()),
            "failure": -rc.failure_penalty * float(failed_now),
        }
        own = None
        if rc.local_ratio > 0.0:  # each satellite's share: sums over satellites to the shared terms
            n = self.n_sats
            own = {
                "advantage": rc.advantage_weight * self._adv_sat,
                "latency": -rc.latency_weight * self._e2e_sat / (rc.time_ref_s * n),
                "overload": np.full(n, reward_components["overload"] / n),
                "failure": -rc.failure_penalty * self._failed_sat,
            }
        completed = step_stats["completed"]
        step_metrics = {
            "time_s": self.time_s,
            "generated": new,
            "completed": completed,
            "failed": failed_now,
            "in_flight": self._live,
            # None (not NaN, which never equals itself) when nothing completed in this step
            "mean_execution_time_s": step_stats["e2e_sum_s"] / completed if completed else None,
            "edge_load": edge_load,
            "container_load": self.ground.occupancy.copy(),
            "satellites_in_contact": in_contact,
            "satellites_via_relay": int(self._via_relay[self.contact_row()]),
            "failed_by_reason": step_stats["failed_by_reason"],
            "messages": dict(self.metrics.messages),  # cumulative since reset
        }
        return StepOutcome(reward_components, step_metrics, own)

    def _next_seed(self) -> int:
        """Seed for the kernels' generator, from the env's RNG (drawn 64 at a time)."""
        if not self._seeds:
            self._seeds = self.rng.integers(2**31, size=64).tolist()[::-1]
        return self._seeds.pop()

    def _place(self, rows: np.ndarray) -> np.ndarray:
        """Containers for the uploads reaching their cluster now: policy reservations, else the LBS."""
        if len(rows) == 0:
            return np.zeros(0, dtype=np.int64)
        T = self.tasks
        site = self.segment.ap_cluster[T.I[rows, I_STATION]]  # the cluster behind the access point
        arrival = T["ground_arrival_s"][rows]
        exec_s = T["work"][rows] * self.edge_exec_s
        containers = np.asarray(
            self.scheduler.assign(self.ground, T.I[rows, I_ID], site, arrival, exec_s, self.rng), dtype=np.int64
        )
        reserved = T.I[rows, I_RESERVED]
        use = (reserved >= 0) & (self.ground.container_cluster[np.maximum(reserved, 0)] == site)
        containers[use] = reserved[use]
        return containers

    # ------------------------------------------------------------ bookkeeping
    def _account(self, stats: np.ndarray) -> dict:
        s = dict(zip(STATS, stats.tolist()))
        m = self.metrics
        m.completed += int(s["completed"])
        m.completed_local += int(s["completed_local"])
        m.completed_edge += int(s["completed_edge"])
        m.e2e_sum_s += s["e2e_sum_s"]
        m.accuracy_sum += s["accuracy_sum"]
        for part in m.time_sums:
            m.time_sums[part] += s[part]
        by_reason = {reason: int(s[reason]) for reason in FAIL_REASONS}
        for reason, c in by_reason.items():
            m.failed[reason] += c
        failed = sum(by_reason.values())
        m.load_sum += self.ground.occupancy
        m.steps += 1
        self._live -= int(s["resolved"])
        return {"completed": int(s["completed"]), "failed": failed, "failed_by_reason": by_reason,
                "e2e_sum_s": s["e2e_sum_s"]}

    def _update_slots(self) -> None:
        self.slots, self.pending_count, self._first_pending = pending_slots(
            self.tasks.I, self._first_pending, self.tasks.n, self.n_sats, self.K
        )

    def _receive_ground_state(self, mean_load: float | None = None) -> int:
        """Satellites connected to a cluster receive its mean container load; others keep a stale
        copy. Returns how many satellites are connected."""
        if self.n_clusters == 1:
            per_cluster = np.array([self.ground.occupancy.mean() if mean_load is None else mean_load])
        else:
            per_cluster = self.ground.occupancy.reshape(self.n_clusters, -1).mean(axis=1)
        n = receive_ground_load(self.schedule.cluster[self.contact_row()], per_cluster, self.time_s,
                                self.ground_seen, self.ground_seen_at)
        self.metrics.messages["satellite_lbs"] += n
        return n

    def _add_arrivals(self, slot: int) -> int:
        """Tasks that arrived in slot ``slot`` become pending."""
        m = self.arrivals.append_slot(self.tasks, slot)
        self.metrics.generated += m
        self._live += m
        return m

    def _neighbours_at(self, row: int) -> tuple[np.ndarray, np.ndarray]:
        """(same-orbit, other-orbit) ISL neighbours at a grid row: geometry only, so computed once
        per episode start and row, like the contact schedule, and reused by later resets."""
        if row not in self._neighbour_cache:
            pos = self.schedule.positions_km[:, row]
            same = self.neighbours.intra_plane
            ok_same = np.asarray(self.neighbours.intra_visible(pos))
            inter, _ = self.neighbours.at(pos)
            self._neighbour_cache[row] = (
                np.ascontiguousarray(np.where(ok_same & (same >= 0), same, -1), dtype=np.int64),
                np.ascontiguousarray(inter, dtype=np.int64),
            )
        return self._neighbour_cache[row]

    def _refresh_neighbours(self) -> None:
        self.same_orbit, self.other_orbit = self._neighbours_at(self.contact_row())
        self._bind_kernels()

    def episode_metrics(self) -> dict:
        return self.metrics.summary(self.in_flight())
