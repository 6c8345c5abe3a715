"""The LEOEdge family's batched core for the array API (:class:`satgym.vector.ArrayEnv`).

B simulators of one scenario, each with its own state (:class:`~satgym.leoedge.step_kernel.StepState`),
stepped by one compiled loop: for every env the same compiled step as the PettingZoo env
(:func:`satgym.leoedge.step_kernel.step`), the same observation builder
(:func:`~satgym.leoedge.observation.observe_state`) and reward terms
(:func:`~satgym.leoedge.reward.reward_terms`, :func:`~satgym.leoedge.reward.mix`), written straight
into ``(B, ...)`` arrays. Python runs only for what a step cannot do compiled (new kernel seeds,
the next chunk of the task stream, a larger task table: flagged by the previous step, about once in
64 steps per env) and for resets.
"""

from __future__ import annotations

import numpy as np
from gymnasium import spaces
from gymnasium.utils import seeding
from numba import njit, typed

from satgym.config.validation import check_threads
from satgym.core.spin_team import SpinTeam, claim, job_done, last_done, next_job, wait_ready
from satgym.core.messages import HEADER_B, ID_B, TASK_B, VALUE_B
from satgym.leoedge import observation as obs_spec
from satgym.leoedge import step_kernel as sk
from satgym.leoedge.codes import FAIL_REASONS
from satgym.leoedge.config import ScenarioConfig
from satgym.leoedge.ground_cluster import LeastLoaded
from satgym.leoedge.metrics import TIME_PARTS, EpisodeMetrics
from satgym.leoedge.reward import RewardModel, mix, reward_terms
from satgym.leoedge.simulator import Simulator
from satgym.leoedge.step_advance import S_ACCURACY, S_COMPLETED, S_E2E, S_EDGE, S_FAIL0, S_LOCAL, S_WAIT

__all__ = ["LEOEdgeArrayCore", "METRICS"]

#: the step metrics of the array API, one column each
METRICS = ("generated", "completed", "failed", "in_flight", "edge_load", "satellites_in_contact")


@njit(cache=True, error_model="numpy")
def _step_env(b, states, actions, obs, rewards, components, metrics, truncated, prep, reward_args):
    """Step env ``b``: the simulator, then its observation and reward, into row b of the buffers
    (every buffer, scratch included, has a row per env: envs may be stepped on several threads)."""
    params, lam, adv_sat, own, parts = reward_args
    st = states[b]
    sk.step(st, actions[b])
    obs_spec.observe_state(st, obs[b])
    ints, floats, bufs, cont = st[0], st[1], st[12], st[10]
    stats, e2e_sat, failed_sat = bufs[2], bufs[3], bufs[4]
    failed = 0
    for j in range(len(FAIL_REASONS)):
        failed += np.int64(stats[S_FAIL0 + j])
    charged = bufs[9]
    reward_terms(bufs[0][:ints[sk.IX_OFFLOADED]], stats[S_E2E], e2e_sat, failed, failed_sat, cont[1],
                 (charged[0], charged[1], charged[2]), params, adv_sat[b], components[b], own[b])
    mix(components[b], own[b], lam, rewards[b], parts[b])
    m = metrics[b]
    m[0], m[1], m[2] = ints[sk.IX_NEW], stats[S_COMPLETED], failed
    m[3], m[4], m[5] = ints[sk.IX_LIVE], floats[sk.FX_EDGE_LOAD], ints[sk.IX_IN_CONTACT]
    truncated[b] = ints[sk.IX_K] >= ints[sk.IX_N_STEPS]
    prep[b] = ints[sk.IX_PREP]


@njit(cache=True, error_model="numpy", nogil=True)
def _batch_step(states, actions, obs, rewards, components, metrics, truncated, prep, reward_args):
    """Step every env, one after the other, without holding the GIL (one thread; with more, see
    :func:`_claim_envs`: each env's step reads and writes only its own state and rows, so which
    thread steps it does not change the result)."""
    for b in range(len(states)):
        _step_env(b, states, actions, obs, rewards, components, metrics, truncated, prep, reward_args)


@njit(cache=True, error_model="numpy", nogil=True)
def _claim_envs(ctrl, g, n, states, actions, obs, rewards, components, metrics, truncated, prep, reward_args):
    """Step the envs of job ``g`` that no other thread has claimed, one at a time, each once the
    caller has marked it ready (:mod:`satgym.core.spin_team`), until all ``n`` are claimed."""
    while True:
        b = claim(ctrl)
        if b >= n:
            return
        if wait_ready(ctrl, g, b):  # (False: the caller's preparation raised; the env is left as it is)
            _step_env(b, states, actions, obs, rewards, components, metrics, truncated, prep, reward_args)


@njit(cache=True, error_model="numpy", nogil=True)
def _serve(ctrl, w, spin, n, states, actions, obs, rewards, components, metrics, truncated, prep, reward_args):
    """Worker ``w`` of a :class:`~satgym.core.spin_team.SpinTeam`: claims and steps envs at every
    published job, until it stops or falls asleep (returned)."""
    seen = last_done(ctrl, w)
    while True:
        g = next_job(ctrl, w, seen, spin)
        if g < 0:
            return g
        _claim_envs(ctrl, g, n, states, actions, obs, rewards, components, metrics, truncated, prep, reward_args)
        job_done(ctrl, w, g)
        seen = g


class LEOEdgeArrayCore:
    """:class:`satgym.vector.ArrayCore` of the LEOEdge family (every preset: ``leoedge``,
    ``leoedge-miyun``, ``starlink``). ``threads`` > 1: the envs are stepped on that many threads
    (the caller and ``threads - 1`` workers handed each step through atomic flags,
    :class:`satgym.core.spin_team.SpinTeam`, kept until :meth:`close`), each thread claiming the
    next env not yet claimed, so the share follows the work; the results are the same as on one
    thread. The workers spin ~0.25 ms on their core after a step before they sleep."""

    metric_names = METRICS

    def __init__(self, config: ScenarioConfig, n_envs: int, threads: int = 1) -> None:
        if n_envs < 1:
            raise ValueError(f"n_envs: must be at least 1, got {n_envs}")
        self.threads = min(check_threads(threads), n_envs)
        self._team: SpinTeam | None = None  # the worker threads, started at the first step
        self.config = config
        self.sims = [Simulator(config) for _ in range(n_envs)]
        if not isinstance(self.sims[0].scheduler, LeastLoaded):
            raise ValueError(f"ground.scheduler: {config.ground.scheduler!r} runs in Python between the step's "
                             "halves; the array API steps the default 'least_loaded' LBS only")
        sim = self.sims[0]
        self.n_envs, self.n_agents, K = n_envs, sim.n_sats, sim.K
        low, high = obs_spec.bounds(K)
        self.observation_space = spaces.Box(low, high, dtype=np.float32)
        self.action_space = spaces.MultiDiscrete(np.full(K, 3, dtype=np.int64))
        self.obs = np.zeros((n_envs, sim.n_sats, low.size), dtype=np.float32)
        self.rewards = np.zeros((n_envs, sim.n_sats))
        self.metrics = np.zeros((n_envs, len(METRICS)))
        self.truncated = np.zeros(n_envs, dtype=bool)
        self._prep = np.zeros(n_envs, dtype=np.int64)
        self._actions = np.zeros((n_envs, sim.n_sats, K), dtype=np.int64)  # what the workers read
        model = RewardModel(config.reward, sim.n_sats, config.ground.load_cap, sim.n_clusters, config.tasks.max_hold_s)
        self.reward_names = model.names  # as the PettingZoo env's infos[agent]["rewards"]
        self.components = np.zeros((n_envs, len(model.names)))
        lam = float(config.reward.local_ratio)
        self._reward_args = (model.params, lam, np.zeros((n_envs, sim.n_sats)),
                             np.zeros((n_envs, *model._own.shape)), np.zeros((n_envs, sim.n_sats, len(model.names))))
        self.rngs = [seeding.np_random(None)[0] for _ in range(n_envs)]
        self._states = None  # numba typed list of the envs' step states, built at the first step

    def reset_env(self, b: int, seed: int | None) -> None:
        """As the PettingZoo env's ``reset(seed)``: a new generator from ``seed``, else the env's own."""
        if seed is not None:
            self.rngs[b] = seeding.np_random(seed)[0]
        sim = self.sims[b]
        sim.reset(self.rngs[b])
        obs_spec.observe(sim, self.obs[b])
        self.metrics[b] = 0.0
        self._prep[b] = 1
        self.truncated[b] = False
        if self._states is not None:
            self._states[b] = sim.state

    def step(self, actions: np.ndarray) -> None:
        if self._states is None:
            self._states = typed.List([sim.state for sim in self.sims])
            self._states[0] = self.sims[0].state  # compiles the list's setitem now, not mid-run (seconds)
        need = np.flatnonzero(self._prep)  # (read before any env's step writes its new flag)
        if self.threads == 1:
            for b in need:
                self._prepare_env(b)
            _batch_step(self._states, actions, *self._buffers())
            return
        self._actions[...] = actions
        args = (self._states, self._actions, *self._buffers())
        if self._team is None:
            self._team = SpinTeam(_serve, [(self.n_envs, *args)] * (self.threads - 1), "satgym-array")
        team = self._team
        ready_upto = [*need.tolist(), self.n_envs]  # once env need[j] is prepared, envs < ready_upto[j + 1]

        def own_share() -> None:
            # the envs that need it prepared in order, each marked ready (with the envs up to the
            # next one that needs preparing) as soon as it is; the workers claim and step the
            # ready ones meanwhile, then this thread joins them
            team.mark_ready(ready_upto[0])
            for b, upto in zip(need, ready_upto[1:]):
                self._prepare_env(b)
                team.mark_ready(upto)
            _claim_envs(team.ctrl, team.generation, self.n_envs, *args)

        team.run(own_share)

    def _prepare_env(self, b: int) -> None:
        """The next chunk of env b's task stream, or a larger table (its flag is set)."""
        sim = self.sims[b]
        if sim.prepare_step():
            self._states[b] = sim.state

    def _buffers(self) -> tuple:
        return (self.obs, self.rewards, self.components, self.metrics, self.truncated, self._prep, self._reward_args)

    def close(self) -> None:
        if self._team is not None:
            self._team.close()
            self._team = None

    def episode_metrics(self, b: int) -> dict:
        return episode_metrics(self.sims[b])


def episode_metrics(sim: Simulator) -> dict:
    """A simulator's episode metrics from the totals its compiled steps keep (equal to
    ``sim.episode_metrics()``, which the PettingZoo env accumulates step by step)."""
    tot = sim.totals
    m = EpisodeMetrics(sim.ground.n_containers)
    m.generated = int(tot[sk.E_GENERATED])
    m.completed, m.completed_local, m.completed_edge = (int(tot[j]) for j in (S_COMPLETED, S_LOCAL, S_EDGE))
    m.rerouted_local = int(tot[sk.E_REROUTED])
    m.failed = {reason: int(tot[S_FAIL0 + j]) for j, reason in enumerate(FAIL_REASONS)}
    placed = int(tot[sk.E_PLACED])
    offloaded, in_contact = int(tot[sk.E_OFFLOADED]), int(tot[sk.E_IN_CONTACT])
    task_b = 2 * HEADER_B + TASK_B + ID_B  # the messages the simulator itself sends (Simulator.outcome)
    m.messages.add("satellite_lbs", 2 * offloaded, 2 * offloaded, offloaded * task_b)
    m.messages.add("satellite_lbs", in_contact, in_contact, in_contact * (HEADER_B + VALUE_B))
    for pair in ("lbs_server", "server_container"):
        m.messages.add(pair, 2 * placed, 2 * placed, placed * task_b)
    m.time_sums = {part: float(tot[S_WAIT + j]) for j, part in enumerate(TIME_PARTS)}
    m.e2e_sum_s, m.accuracy_sum = float(tot[S_E2E]), float(tot[S_ACCURACY])
    m.load_sum = sim.load_sum.copy()
    m.steps = int(tot[sk.E_STEPS])
    return m.summary(sim.in_flight())
