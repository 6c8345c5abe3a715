"""The satellite-ground inference simulator: one scenario, stepped in slots of ``slot_s``.

Time ``t_k = k * slot_s`` from the episode start. At ``t_k`` every satellite decides, for each of its
first ``decision_slots`` pending tasks, to run it locally (0), offload it (1) or hold it (2). The
simulator then advances to ``t_{k+1}``: uploads that reach a station are placed on containers by the
ground scheduler, containers execute FIFO, results return (Case I), outcomes whose time has come are
resolved, and the tasks that arrived during the slot become pending. All state is numpy arrays over
satellites, tasks and containers; the only loops run over a task's rank within its satellite or
station (a handful per step).

Every task ends completed, or failed with a reason from :data:`satgym.leoedge.tasks.FAIL_REASONS`, or is
in flight: ``generated == completed + failed + in_flight`` after every step.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import timedelta

import numpy as np

from satgym.core import orbits
from satgym.core.ground_segment import KIND_RELAY, AccessSchedule
from satgym.core.links import shannon_rate_mbps
from satgym.core.messages import HEADER_B, ID_B, TASK_B, VALUE_B
from satgym.core.rng import new_state as rng_state
from satgym.leoedge.catalogue import assign_processors
from satgym.leoedge.codes import FAIL_REASONS, I_ID, I_RESERVED, I_STATION
from satgym.leoedge.config import ScenarioConfig
from satgym.leoedge.ground_cluster import GroundCluster, LeastLoaded, make_scheduler
from satgym.leoedge.metrics import EpisodeMetrics
from satgym.leoedge.records import (DECISION_FIELDS, AccessGrid, Containers, EdgeParams, LinkParams, Neighbours,
                                    Satellites)
import satgym.leoedge.step_kernel as sk
from satgym.leoedge.step_advance import (S_ACCURACY, S_COMPLETED, S_E2E, S_EDGE, S_FAIL0, S_LOCAL, S_RESOLVED, STATS,
                                         place_least_loaded)
from satgym.leoedge.step_kernel import COMPACT_EVERY, StepState  # noqa: F401  (COMPACT_EVERY: re-exported)
from satgym.leoedge.tasks import ArrivalStream, TaskTable
from satgym.leoedge.world import build_constellation, build_segment, build_stations, parse_epoch
_TIME_PARTS = ("wait_decision", "upload", "queue", "execution", "result_return")  # STATS 5..9


@dataclass
class StepOutcome:
    """What one step did, as raw quantities (the env's reward module weighs them).

    ``decisions``: one row per offload decided this step (columns ``DECISION_FIELDS``: satellite,
    estimated local and edge completion times, how long the task was held, a_s - a_i);
    ``e2e_sum_s`` / ``sat_e2e_s``: execution times (arrival to result) of the tasks completed in
    the step, in total and per satellite; ``failed`` / ``sat_failed``: tasks failed in the step;
    ``occupancy``: each container's CPU occupancy over the step; ``metrics``: the step metrics.
    Per satellite, attributed to the satellite that decided the task (:mod:`satgym.leoedge.attribution`):
    ``sat_known_s`` / ``sat_known_failed``: end-to-end times of the tasks whose completion became
    known in the step (an on-board task at its decision) and the number whose failure did;
    ``sat_open_s`` / ``sat_open``: at the episode's last step, the estimated end-to-end times and
    the number of the tasks whose outcome is still unknown (zero before).
    """

    decisions: np.ndarray
    e2e_sum_s: float
    sat_e2e_s: np.ndarray
    failed: int
    sat_failed: np.ndarray
    occupancy: np.ndarray
    metrics: dict
    sat_known_s: np.ndarray
    sat_known_failed: np.ndarray
    sat_open_s: np.ndarray
    sat_open: np.ndarray


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
            self._isl_all: tuple[np.ndarray, np.ndarray] | None = None
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
        if self._isl_all is None or len(self._isl_all[0]) != len(range(0, self.n_steps + 1, self._isl_every)):
            refresh_rows = range(0, self.n_steps + 1, self._isl_every)  # the neighbours of every refresh instant
            self._isl_all = tuple(np.ascontiguousarray(np.stack([self._neighbour_cache[r][c] for r in refresh_rows]))
                                  for c in (0, 1))
        self.start_hour_utc = self.start_utc.hour + self.start_utc.minute / 60 + self.start_utc.second / 3600
        self._ints = np.zeros(sk.N_INTS, dtype=np.int64)
        self._floats = np.zeros(sk.N_FLOATS)
        self._ints[sk.IX_N_STEPS], self._ints[sk.IX_ISL_EVERY] = self.n_steps, self._isl_every
        self._floats[sk.FX_SLOT] = self.slot_s
        self.tasks = TaskTable(capacity=max(1024, 8 * self.n_sats))
        # the task stream has its own generator (seeded from the env's), so every policy sees the
        # same tasks for the same seed, whatever else it makes the simulator draw
        arrival_rng = np.random.default_rng(int(rng.integers(2**63)))
        self.arrivals = ArrivalStream(self.cfg.tasks, self.n_sats, self.slot_s, self.start_hour_utc, arrival_rng)
        self._rng_state = rng_state(rng)  # the kernels' random draws (retransmissions), after the stream's seed
        self.proc_busy = np.zeros(self.n_sats)
        self.link_busy = np.zeros(self.n_sats)
        self.proc_load = np.zeros(self.n_sats)
        self._e2e_sat = np.zeros(self.n_sats)
        self._failed_sat = np.zeros(self.n_sats)
        self._known_sat, self._known_failed = np.zeros(self.n_sats), np.zeros(self.n_sats)
        self._open_sat, self._open_count = np.zeros(self.n_sats), np.zeros(self.n_sats)
        self.ground.reset()
        self.ground_seen = np.zeros(self.n_sats)  # mean cluster load as last received
        self.ground_seen_at = np.full(self.n_sats, -np.inf)
        self.metrics = EpisodeMetrics(self.ground.n_containers)
        self._stats = np.zeros(len(STATS))
        self._counts = np.zeros(2, dtype=np.int64)
        self._decisions = np.zeros((self.n_sats * self.K, len(DECISION_FIELDS)))
        self.slots = np.full((self.n_sats, self.K), -1, dtype=np.int64)
        self.pending_count = np.zeros(self.n_sats, dtype=np.int64)
        self.totals = np.zeros(sk.N_TOTALS)  # episode totals kept by the kernel (array API metrics)
        self.load_sum = np.zeros(self.ground.n_containers)
        self._bind_kernels()
        self._add_arrivals(0)
        self.totals[sk.E_GENERATED] = self.metrics.generated
        n = self._receive_ground_state()
        self.totals[sk.E_IN_CONTACT] = n
        sk.update_slots(self.state)
        self._ints[sk.IX_PREP] = 1

    # scalars of the step state, kept in arrays that the compiled step updates in place
    @property
    def k(self) -> int:
        return int(self._ints[sk.IX_K])

    @property
    def time_s(self) -> float:
        return float(self._floats[sk.FX_TIME])

    @property
    def _live(self) -> int:
        return int(self._ints[sk.IX_LIVE])

    @property
    def same_orbit(self) -> np.ndarray:
        return self._isl_all[0][self.k // self._isl_every]

    @property
    def other_orbit(self) -> np.ndarray:
        return self._isl_all[1][self.k // self._isl_every]

    @property
    def _isl(self) -> tuple:
        return tuple(Neighbours(self.same_orbit, self.other_orbit))

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
        """The kernels' records that stay the same objects between neighbour refreshes (arrays
        mutated in place, the episode's grids, constants), built once."""
        sched, lk, tr, cfg = self.schedule, self.cfg.links, self.cfg.transmission, self.cfg
        # the kernels take the records as plain tuples (records.py)
        self._sats = tuple(Satellites(self.proc_busy, self.link_busy, self.compute.exec_s, self.compute.accuracy,
                                      self.ground_seen, self.ground_seen_at, self.proc_load))
        self._grid = tuple(AccessGrid(sched.access, sched.window_end_s, sched.next_start_s, sched.delay_s,
                                      self.rate_grid))
        self._links = tuple(LinkParams(bool(tr.seamless), tr.on_contact_loss == "wait", float(lk.ground_loss),
                                       float(lk.isl_rate_mbps), float(lk.isl_loss), float(lk.packet_bits),
                                       float(lk.ground_rate_mbps)))
        self._edge = tuple(EdgeParams(self.edge_exec_s, float(cfg.compute.edge_accuracy),
                                      float(cfg.ground.load_window_s), float(cfg.tasks.max_hold_s)))
        self._cont = tuple(Containers(self.ground.busy_until, self.ground.occupancy))
        g = self.ground
        lbs = (self.segment.ap_cluster.astype(np.int64), g.per_cluster, g.cfg.servers, g.cfg.containers_per_server,
               g.container_cluster.astype(np.int64), self.n_clusters)
        bufs = (self._decisions, self._counts, self._stats, self._e2e_sat, self._failed_sat, self.slots,
                self.pending_count, self.totals, self.load_sum,
                (self._known_sat, self._known_failed, self._open_sat, self._open_count))
        extra = (sched.cluster, sched.elevation_deg, self.segment.n_stations)
        T = self.tasks
        chunk = (self.arrivals._cols, self.arrivals._offsets) if hasattr(self.arrivals, "_cols") else \
            ((np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, np.int64),
              np.zeros(0, np.int64), np.zeros(0, np.int64)), self.arrivals._offsets)
        self._ints[sk.IX_CHUNK_FIRST] = self.arrivals._first
        self.state = tuple(StepState(self._ints, self._floats, self._rng_state, (T.F, T.I, T._count), chunk,
                                     self._sats, self._grid, self._isl_all, self._links, self._edge, self._cont,
                                     lbs, bufs, extra))

    def prepare_step(self) -> bool:
        """Before a step: the next chunk of the task stream, a larger task table, when the state's
        flag asks for them. Returns whether the state tuple was rebuilt (new arrays)."""
        ints = self._ints
        if not ints[sk.IX_PREP]:
            return False
        ints[sk.IX_PREP] = 0
        if self.k >= self.n_steps:
            return False
        changed = self.arrivals.ensure(self.k + 1, self.tasks)
        ints[sk.IX_CHUNK_FIRST] = self.arrivals._first  # (a new chunk in the same buffers needs no new state)
        if changed:
            self._bind_kernels()
        return changed

    def step(self, actions: np.ndarray) -> StepOutcome:
        """Apply (n_sats, K) actions in {0 local, 1 offload, 2 hold} and advance one slot (one call
        of the compiled step, :mod:`satgym.leoedge.step_kernel`; a Python ground scheduler runs
        between its two halves)."""
        self.prepare_step()
        actions = np.ascontiguousarray(actions, dtype=np.int64)
        if isinstance(self.scheduler, LeastLoaded) and "_place" not in vars(self):  # (an instance hook wins)
            sk.step(self.state, actions)
        else:
            rows = sk.decide(self.state, actions)
            sk.finish(self.state, rows, self._place(rows))
        return self.outcome()

    def outcome(self) -> StepOutcome:
        """The last step's raw quantities and metrics (and the episode metrics' update)."""
        ints, stats = self._ints, self._stats
        offloaded, rerouted, placed = int(ints[sk.IX_OFFLOADED]), int(ints[sk.IX_REROUTED]), int(ints[sk.IX_PLACED])
        decisions = self._decisions[:offloaded]
        self.metrics.rerouted_local += rerouted
        # offload request (the task's descriptor) and the LBS's placement ack, on the space link;
        # counted as delivered: the link's loss is paid as retransmission in the upload time (Eq. 1)
        self.metrics.messages.add("satellite_lbs", 2 * offloaded, 2 * offloaded,
                                  offloaded * (2 * HEADER_B + TASK_B + ID_B))
        n = placed  # dispatch down (LBS -> server -> container) and completion report up
        self.metrics.messages.add("lbs_server", 2 * n, 2 * n, n * (2 * HEADER_B + TASK_B + ID_B))
        self.metrics.messages.add("server_container", 2 * n, 2 * n, n * (2 * HEADER_B + TASK_B + ID_B))
        completed, failed_now, by_reason = self._account(stats)
        new = int(ints[sk.IX_NEW])
        self.metrics.generated += new
        occupancy = self.ground.occupancy
        edge_load = float(self._floats[sk.FX_EDGE_LOAD])
        in_contact = int(ints[sk.IX_IN_CONTACT])
        self.metrics.messages.add("satellite_lbs", in_contact, in_contact, in_contact * (HEADER_B + VALUE_B))
        e2e_sum = float(stats[S_E2E])
        step_metrics = {
            "time_s": self.time_s,
            "generated": new,
            "completed": completed,
            "failed": failed_now,
            "in_flight": self._live,
            # None (not NaN, which never equals itself) when nothing completed in this step
            "mean_execution_time_s": e2e_sum / completed if completed else None,
            "edge_load": edge_load,
            "container_load": occupancy.copy(),
            "satellites_in_contact": in_contact,
            "satellites_via_relay": int(self._via_relay[min(self.k, self.n_steps)]),
            "failed_by_reason": by_reason,
            "messages": dict(self.metrics.messages.delivered),  # cumulative since reset
            "message_bytes": dict(self.metrics.messages.bytes),
        }
        return StepOutcome(decisions, e2e_sum, self._e2e_sat, failed_now, self._failed_sat,
                           occupancy, step_metrics, self._known_sat, self._known_failed, self._open_sat,
                           self._open_count)

    def _place(self, rows: np.ndarray) -> np.ndarray:
        """Containers for the uploads reaching their cluster now: policy reservations, else the LBS."""
        if len(rows) == 0:
            return rows
        T = self.tasks
        if isinstance(self.scheduler, LeastLoaded):  # the default LBS, compiled with the reservations
            g = self.ground
            return place_least_loaded(T.F, T.I, rows, self.segment.ap_cluster, g.busy_until, self.edge_exec_s,
                                      g.per_cluster, g.cfg.servers, g.cfg.containers_per_server, g.container_cluster)
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
    def _account(self, stats: np.ndarray) -> tuple[int, int, dict[str, int]]:
        """Add the step's statistics to the episode's; returns (completed, failed, failed by reason)."""
        m = self.metrics
        completed = int(stats[S_COMPLETED])
        m.completed += completed
        m.completed_local += int(stats[S_LOCAL])
        m.completed_edge += int(stats[S_EDGE])
        m.e2e_sum_s += stats[S_E2E]
        m.accuracy_sum += stats[S_ACCURACY]
        for k, part in enumerate(_TIME_PARTS):
            m.time_sums[part] += stats[5 + k]
        by_reason = {reason: int(stats[S_FAIL0 + k]) for k, reason in enumerate(FAIL_REASONS)}
        failed = 0
        for reason, c in by_reason.items():
            m.failed[reason] += c
            failed += c
        m.load_sum += self.ground.occupancy
        m.steps += 1
        return completed, failed, by_reason

    def _receive_ground_state(self) -> int:
        """Satellites connected to a cluster receive its mean container load; others keep a stale
        copy. Returns how many satellites are connected."""
        n = sk.receive(self.state, float(self.ground.occupancy.mean()))
        self.metrics.messages.add("satellite_lbs", n, n, n * (HEADER_B + VALUE_B))  # the cluster's load
        return n

    def _add_arrivals(self, slot: int) -> int:
        """Tasks that arrived in slot ``slot`` become pending (at reset; later slots in the step)."""
        m = self.arrivals.append_slot(self.tasks, slot)
        self.metrics.generated += m
        self._ints[sk.IX_LIVE] += m
        self._bind_kernels()  # the slot's chunk (and a grown table) are new arrays
        return m

    def episode_metrics(self) -> dict:
        return self.metrics.summary(self.in_flight())
