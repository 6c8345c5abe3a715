"""The Arctic simulator: slots of task arrivals, admission against the satellites' resource
blocks and CPU, and the admitted tasks' delays, energies and outcomes (no RL API).

A step decides the current slot: each task's request (candidate, resource blocks, CPU share; or
none) is served in the slot's service order (a uniform random permutation drawn by the task
stream): a request for more resource blocks than its access satellite has left, or a larger CPU
share than its computing satellite has left, is refused; otherwise it is admitted and takes them.
Resources held by earlier slots' tasks still uploading or computing are not free (F-bar_s of
Eq. 7 is the CPU share they hold). Admitted tasks get their delays and outcome from
:func:`satgym.arctic.problem.evaluate`, and are in flight until they complete or fail. Then time
advances by one slot and the next slot's tasks, geometry and problem are drawn.

>>> from satgym.arctic.presets import make_config
>>> sim = Simulator(make_config("arctic", {"episode": {"steps": 3}}))
>>> sim.reset(np.random.default_rng(0))
>>> p = sim.problem
>>> decisions = np.tile([0, 9, 19], (sim.n_users, 1))   # everyone: first candidate, 10 RBs, full CPU
>>> out = sim.step(decisions)
>>> out.requests == p.n_tasks, out.admitted + out.declined + out.refused == out.requests
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

import numpy as np

from satgym.arctic.candidates import build_problem, link_budget
from satgym.arctic.codes import KIND_CODES, Outcome
from satgym.arctic.config import ArcticConfig
from satgym.arctic.fleet import Fleet
from satgym.arctic.metrics import EpisodeMetrics
from satgym.arctic.problem import SlotProblem, evaluate
from satgym.arctic.sky import Sky
from satgym.arctic.tasks import InFlight, TaskStream
from satgym.arctic.topology import Topology

__all__ = ["StepOutcome", "Simulator"]


@dataclass
class StepOutcome:
    """What one slot's decisions did (counts over the slot's tasks) and Eq. 19's terms of the
    feasible admissions; per-agent arrays are ``(n_users,)``."""

    requests: int = 0
    admitted: int = 0
    admitted_feasible: int = 0
    declined: int = 0
    refused: int = 0
    admitted_failing: int = 0
    energy_norm: float = 0.0  # sum over feasible admissions of (rho_tr + rho_comp) / rho^max
    delay_norm: float = 0.0  # sum over feasible admissions of delay / tau^max
    agent_feasible: np.ndarray = field(default_factory=lambda: np.zeros(0))
    agent_energy_norm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    agent_delay_norm: np.ndarray = field(default_factory=lambda: np.zeros(0))
    agent_failing: np.ndarray = field(default_factory=lambda: np.zeros(0))
    metrics: dict = field(default_factory=dict)


class Simulator:
    """State and dynamics of one Arctic scenario (arrays over satellites, tasks and users)."""

    def __init__(self, cfg: ArcticConfig) -> None:
        self.cfg = cfg
        self.fleet = Fleet.build(cfg)
        self.sky = Sky(self.fleet, cfg)
        self.topology = Topology(self.fleet, cfg)
        self.budget = link_budget(cfg)
        self.n_users = cfg.users.count
        self.n_steps = cfg.episode.steps
        self.slot_s = cfg.episode.slot_s
        self.n_candidates = cfg.candidates.n_candidates
        self.rb_levels = cfg.max_resource_blocks
        self.cpu_levels = cfg.compute.cpu_share_levels
        self.k = 0
        self.time_s = 0.0
        self.inflight = InFlight()
        self.metrics = EpisodeMetrics()
        self.stream: TaskStream | None = None
        self.problem: SlotProblem | None = None
        self.order = np.zeros(0, np.int64)
        self.visible = np.zeros((0, len(KIND_CODES)), np.int64)
        self._next_id = 0

    # ------------------------------------------------------------------ episode
    def reset(self, rng: np.random.Generator) -> None:
        ep = self.cfg.episode
        offset = ep.offset_s
        if ep.start == "random":
            offset += float(np.floor(rng.random() * ep.start_window_s / self.slot_s) * self.slot_s)
        self.sky.reset(rng, self.fleet.epoch + timedelta(seconds=offset))
        self.topology.reset(self.sky.positions_km(0.0))
        self.stream = TaskStream(self.cfg, int(rng.integers(2**63)))
        self.k, self.time_s, self._next_id = 0, 0.0, 0
        self.inflight = InFlight()
        self.metrics = EpisodeMetrics()
        self._new_slot()

    @property
    def start_utc(self):
        return self.sky.start_utc

    def resources_free(self) -> tuple[np.ndarray, np.ndarray]:
        """Resource blocks and CPU share not held by tasks in flight, ``(n_sats,)`` each."""
        rb_held, cpu_held = self.inflight.held(self.time_s, self.fleet.n_sats)
        return self.fleet.resource_blocks - rb_held, np.clip(1.0 - cpu_held, 0.0, 1.0)

    def _new_slot(self) -> None:
        stream = self.stream
        users, bits = stream.arrivals()
        deadline = self.cfg.tasks.deadline_s
        geo = self.sky.at(self.time_s, users)
        seen = (geo.v_start_s < deadline).any(axis=0) if users.size else np.zeros(geo.region.size, bool)
        routes = self.topology.routes(geo.positions_km, geo.region[seen])
        layers = dict(zip(self.fleet.layer_names, np.diff(self.fleet.offsets).tolist()))
        fading = stream.fading(self.budget, users.size, layers)[:, geo.region]
        self.order = stream.service_order(users.size)
        rb_free, cpu_free = self.resources_free()
        self.problem = build_problem(self.cfg, self.fleet, self.budget, geo, routes, fading, users, bits, rb_free, cpu_free)
        self.visible = self.sky.visible_counts(geo)

    # ------------------------------------------------------------------ step
    def step(self, decisions: np.ndarray) -> StepOutcome:
        """Decide the current slot. ``decisions`` ``(n_users, 3)`` int: candidate index
        (``n_candidates`` = decline), resource blocks - 1, CPU share level - 1; rows of users
        without a task are ignored."""
        p = self.problem
        out = StepOutcome(agent_feasible=np.zeros(self.n_users), agent_energy_norm=np.zeros(self.n_users),
                          agent_delay_norm=np.zeros(self.n_users), agent_failing=np.zeros(self.n_users))
        n = p.n_tasks
        status = np.full(n, int(Outcome.DECLINED), np.int64)
        rows_ok, cand_ok, rb_ok, share_ok = [], [], [], []
        rb_left, cpu_left = p.rb_free.copy(), p.cpu_free.copy()
        for i in self.order:
            cand, rb_idx, cpu_idx = (int(x) for x in decisions[p.users[i]])
            if cand >= self.n_candidates or p.access[i, cand] < 0:
                continue  # declined
            s, c = p.access[i, cand], p.compute[i, cand]
            n_rb, share = rb_idx + 1, (cpu_idx + 1) / self.cpu_levels
            if n_rb > rb_left[s]:
                status[i] = Outcome.REFUSED_RESOURCE_BLOCKS
            elif share > cpu_left[c] + 1e-9:
                status[i] = Outcome.REFUSED_CPU
            else:
                rb_left[s] -= n_rb
                cpu_left[c] -= share
                status[i] = Outcome.IN_FLIGHT
                rows_ok.append(i), cand_ok.append(cand), rb_ok.append(n_rb), share_ok.append(share)
        m = self.metrics
        out.requests = n
        m.generated += n
        m.visible_sum += self.visible.sum(axis=0)
        resolved_now = status[status != Outcome.IN_FLIGHT]
        m.record_outcomes(resolved_now)
        out.declined = int(np.sum(status == Outcome.DECLINED))
        out.refused = int(n - out.declined - len(rows_ok))
        refused_users = p.users[(status == Outcome.REFUSED_RESOURCE_BLOCKS) | (status == Outcome.REFUSED_CPU)]
        out.agent_failing[refused_users] += 1
        if rows_ok:
            self._admit(p, np.array(rows_ok), np.array(cand_ok), np.array(rb_ok), np.array(share_ok), out)
        # next slot
        self.k += 1
        self.time_s = self.k * self.slot_s
        done = self.inflight.pop_resolved(self.time_s)
        m.record_outcomes(done["outcome"])
        if self.k < self.n_steps:
            self._new_slot()
        else:
            self.problem = _empty(p, self.time_s, *self.resources_free())
            self.order, self.visible = np.zeros(0, np.int64), np.zeros((0, len(KIND_CODES)), np.int64)
        out.metrics = self.step_metrics(out, done)
        return out

    def _admit(self, p: SlotProblem, rows: np.ndarray, cand: np.ndarray, n_rb: np.ndarray, share: np.ndarray,
               out: StepOutcome) -> None:
        ev = evaluate(p, rows, cand, n_rb, share)
        ok = ev.completes
        users = p.users[rows]
        m, t = self.metrics, self.time_s
        e_norm = (ev.energy_tx_j + ev.energy_comp_j) / p.energy_norm_j[rows]  # Eq. 19, energy term
        d_norm = ev.delay_s / p.deadline_s[rows]  # Eq. 19, delay term
        out.admitted, out.admitted_feasible = int(rows.size), int(ok.sum())
        out.admitted_failing = int((~ok).sum())
        out.energy_norm, out.delay_norm = float(e_norm[ok].sum()), float(d_norm[ok].sum())
        np.add.at(out.agent_feasible, users[ok], 1.0)
        np.add.at(out.agent_energy_norm, users[ok], e_norm[ok])
        np.add.at(out.agent_delay_norm, users[ok], d_norm[ok])
        np.add.at(out.agent_failing, users[~ok], 1.0)
        m.admitted += out.admitted
        m.admitted_feasible += out.admitted_feasible
        m.delay_sum_s += float(ev.delay_s[ok].sum())
        m.energy_tx_sum_j += float(ev.energy_tx_j[ok].sum())
        m.energy_comp_sum_j += float(ev.energy_comp_j[ok].sum())
        access, compute = p.access[rows, cand], p.compute[rows, cand]
        m.feasible_on_meo += int(np.sum(p.kind[compute[ok]] == KIND_CODES["meo"]))
        m.feasible_via_meo_access += int(np.sum(p.kind[access[ok]] == KIND_CODES["meo"]))
        m.objective += out.admitted_feasible - p.alpha_energy * out.energy_norm - p.alpha_delay * out.delay_norm
        ids = np.arange(self._next_id, self._next_id + rows.size)
        self._next_id += rows.size
        self.inflight.append(task_id=ids, user=users, access=access, compute=compute, n_rb=n_rb, share=share,
                             rb_until_s=t + ev.rb_until_s, cpu_until_s=t + ev.cpu_until_s, resolve_s=t + ev.resolve_s,
                             outcome=ev.outcome, delay_s=ev.delay_s, energy_tx_j=ev.energy_tx_j,
                             energy_comp_j=ev.energy_comp_j, compute_kind=p.kind[compute], access_kind=p.kind[access])

    def step_metrics(self, out: StepOutcome, done: dict) -> dict:
        m = self.metrics
        completed = done["outcome"] == Outcome.COMPLETED
        return {
            "time_s": self.time_s, "active_users": out.requests, "admitted": out.admitted,
            "admitted_feasible": out.admitted_feasible, "declined": out.declined, "refused": out.refused,
            "admitted_failing": out.admitted_failing, "completed": int(completed.sum()),
            "generated_total": m.generated, "completed_total": m.completed, "failed_total": m.failed_total,
            "declined_total": m.declined, "in_flight": len(self.inflight),
            "mean_delay_s": float(done["delay_s"][completed].mean()) if completed.any() else None,
        }

    def episode_metrics(self) -> dict:
        return self.metrics.summary(len(self.inflight))


def _empty(p: SlotProblem, time_s: float, rb_free: np.ndarray, cpu_free: np.ndarray) -> SlotProblem:
    """A slot without tasks (after the last step)."""
    per_task = ("users", "task_bits", "cycles", "deadline_s", "energy_norm_j", "access", "compute", "elevation_deg",
                "rate_per_rb_bps", "access_end_s", "uplink_km", "isl_km", "best_case_s", "fp_sat", "fp_prop_s",
                "fp_start_s", "fp_end_s")
    return replace(p, time_s=time_s, rb_free=rb_free, cpu_free=cpu_free, **{k: getattr(p, k)[:0] for k in per_task})
