"""The native PettingZoo ``ParallelEnv``: every satellite is an agent."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from satgym.family_env import FamilyParallelEnv
from satgym.core.messages import MessageLog
from satgym.leoedge.config import ScenarioConfig
from satgym.leoedge.presets import make_config
from satgym.leoedge.codes import Action
from satgym.leoedge.reward import RewardModel
from satgym.leoedge.simulator import Simulator
from satgym.leoedge import observation as obs_spec


def _obs_table() -> str:
    rows = [f"    {i:<5} {name:<26} {unit:<9} [{lo:g}, {hi:g}]" for i, (name, unit, lo, hi) in enumerate(obs_spec.SAT_FIELDS)]
    base = len(obs_spec.SAT_FIELDS)
    rows += [
        f"    {base}+5k+{j:<2} slot k {name:<19} {unit:<9} [{lo:g}, {hi:g}]"
        for j, (name, unit, lo, hi) in enumerate(obs_spec.SLOT_FIELDS)
    ]
    return "\n".join(rows)


class SatelliteEdgeEnv(FamilyParallelEnv):
    __doc__ = f"""Satellite-ground cooperative AI inference (LEOEdge, IEEE JSAC 2024), PettingZoo parallel API.

    **Description.** LEO satellites generate AI inference tasks (Sec. IX-C load profiles) and decide,
    task by task, whether to run them on their own processor (c(m_i), a_i from the Table II/III
    catalogue) or offload them to an edge cluster on the ground (LBS -> servers -> containers
    running the larger ground model c(m_e), a_s). A satellite reaches a cluster through an access
    point: a ground station in view (then fibre to the cluster) or a geostationary data relay in
    line of sight (then the relay's feeder station and its fibre); see
    :mod:`satgym.core.ground_segment`. Visibility and the remaining connection time T_a (Eq. 27)
    come from SGP4 orbits and the real geometry of stations and relays. Offloads follow the seamless transmission planner (Alg. 4): direct, an idle same-orbit
    relay, the best other-orbit relay, or back to local execution. Results of Case I tasks return to
    the satellite (Eqs. 29-30).

    **Agents.** ``sat_<k>`` for every satellite, all present for the whole episode (out-of-contact
    satellites keep acting).

    **Action space.** ``MultiDiscrete([3] * K)`` per agent, ``K = episode.decision_slots``: one entry
    per decision slot, i.e. for the agent's K oldest pending tasks (observation slots 0..K-1):

    * ``0``: run locally (FIFO on the on-board processor);
    * ``1``: offload. In contact, or with a relay in contact, the planner picks the route; if no
      route can deliver within the contact window the task runs locally (Alg. 4, counted as
      ``rerouted_local``). With ``transmission.seamless=False`` an out-of-contact offload waits for
      the next contact or fails (``transmission.on_contact_loss``);
    * ``2``: hold: keep the task pending for the next step (e.g. until the next contact). A task
      held longer than ``tasks.max_hold_s`` (or past its deadline) fails as ``expired``.

    Entries for empty slots are ignored. An agent missing from the action dict holds all its tasks.
    An action outside the space raises ``ValueError`` and leaves the state unchanged.

    **Observation space.** ``Box(float32)`` of length ``{len(obs_spec.SAT_FIELDS)} + 5K`` per agent:

    ::

    {_obs_table()}

    ``in_contact`` is 1 while the satellite can reach a cluster (directly or through a relay,
    ``via_relay``). ``ground_load_seen`` is its cluster's mean container load as last received:
    fresh while in contact, stale (with its age) while out of contact, the paper's history-based
    estimate. ``remaining_contact_s`` is T_a(i), the connection time left (handovers between the
    cluster's access points included); ``time_to_next_contact_s`` is 0 in contact and capped at
    one day; ``elevation_deg`` is the station's (0 through a relay); ``path_delay_s`` is the
    one-way propagation and fibre delay to the cluster on the current path.

    **Rewards.** One shared reward (cooperative), the sum of named components reported in
    ``infos[agent]["rewards"]``:

    * ``advantage``: ``advantage_weight`` times the sum over tasks offloaded this step of the
      offloading-advantage operator F(alpha * Delta_c / T_ref + (1 - alpha) * Delta_a) (Eqs. 2-4),
      Delta_c = estimated local minus edge completion time (queues included; the time a task was
      held is charged to the offload), F from ``reward.operator``;
    * ``latency``: ``-latency_weight * sum(execution times of the tasks completed this step) /
      (T_ref * n_satellites)`` (0 by default; a reward aligned with the execution-time metric);
    * ``overload``: ``-overload_penalty * sum_o max(0, L_o - P)`` (Eq. 6 cap P = ``ground.load_cap``);
    * ``failure``: ``-failure_penalty`` per task that failed this step;
    * ``execution_time`` (listed only with ``execution_time_weight > 0``):
      ``-execution_time_weight * (end-to-end times of the tasks whose completion became known this
      step + failure_charge_s per task whose failure did + at the last step the estimated times
      of the tasks still open) / (T_ref * n_satellites)``, each task charged once, to the satellite
      that decided it (an on-board task at its decision); ``reward.overload_scope="cluster"``
      applies P to the cluster's mean occupancy instead of each container's.

    With ``reward.local_ratio = lam > 0`` (as MPE's ``local_ratio``) agent i instead gets
    ``(1 - lam) * R + lam * R_i``, where ``R_i`` is satellite i's share of each term: the
    advantage of its own offloads, the latency of its own completed tasks, its own failures and
    ``1/n`` of the overload term, so that the shares sum to ``R``; ``infos[agent]["rewards"]``
    then holds that agent's mixed terms.

    **Termination and truncation.** Tasks never terminate the episode; every agent is truncated
    after ``episode.steps`` steps (the time limit). Tasks still in flight then are reported as such.

    **Info.** ``infos[agent]``: ``rewards`` (components), ``metrics`` (step metrics shared by all
    agents: generated, completed, failed (and by reason), in flight, mean execution time of the
    tasks completed in the step (``None`` if none), edge load, per-container load, cumulative
    messages delivered and their bytes per layer pair), ``task_ids`` (the ids of the tasks in the
    agent's decision slots, -1 if empty). :meth:`episode_metrics` gives the episode totals (failures
    by reason, time breakdown, messages delivered, lost and their bytes per layer pair).

    **Messages.** Counted on the wire, in one unit for every policy (:mod:`satgym.core.messages`):
    the env's own messages (an offload request with the task's descriptor and the LBS's placement
    ack per offloaded task, the cluster's load report to each connected satellite per step, a
    dispatch down and a completion report up per task reaching the cluster), plus whatever a
    policy's protocol sends (:meth:`record_messages`).

    **Arguments.** ``scenario`` (preset name or :class:`~satgym.config.ScenarioConfig`),
    ``config`` (nested overrides or a YAML path), ``render_mode`` (``"rgb_array"``, ``"ansi"``).

    **Version history.** v1: the ``leoedge`` preset is the paper's regime (stations and
    geostationary relays backhauled to one edge cluster; ``leoedge-miyun`` keeps the earlier
    single-station geometry); uploads, result returns and the advantage estimate include the access
    path's propagation and backhaul delay; observation fields ``via_relay`` and ``path_delay_s``
    added (indices 20, 21); ``station_of()`` replaced by ``cluster_of()`` / ``access_of()``.
    v0: initial release.
    """

    metadata = {"name": "satgym_v1", "render_modes": ["rgb_array", "ansi"], "is_parallelizable": True}

    def __init__(
        self,
        scenario: str | ScenarioConfig = "leoedge",
        config: dict[str, Any] | str | None = None,
        render_mode: str | None = None,
    ) -> None:
        self._init_render_and_rng(render_mode)
        self.config = make_config(scenario, config)
        self.sim = Simulator(self.config)
        self.reward_model = RewardModel(self.config.reward, self.sim.n_sats, self.config.ground.load_cap,
                                        self.sim.n_clusters, self.config.tasks.max_hold_s)
        self.possible_agents = [f"sat_{k}" for k in range(self.sim.n_sats)]
        self.agents: list[str] = []
        self._index = {a: k for k, a in enumerate(self.possible_agents)}
        K = self.sim.K
        low, high = obs_spec.bounds(K)
        self._obs_space = spaces.Box(low, high, dtype=np.float32)
        self._act_space = spaces.MultiDiscrete(np.full(K, 3, dtype=np.int64))
        self.observation_spaces = {a: self._obs_space for a in self.possible_agents}
        self.action_spaces = {a: self._act_space for a in self.possible_agents}
        n_c = self.sim.ground.n_containers
        s_low = np.concatenate([np.tile(low, self.sim.n_sats), np.zeros(2 * n_c + 1, np.float32)])
        s_high = np.concatenate([np.tile(high, self.sim.n_sats), np.full(2 * n_c + 1, np.inf, np.float32)])
        self.state_space = spaces.Box(s_low, s_high, dtype=np.float32)
        self._obs = np.zeros((self.sim.n_sats, low.size), dtype=np.float32)
        self._last_metrics: dict = {}
        self.shared_reward_components: dict[str, float] = {}  # the last step's shared terms

    def reset(self, seed: int | None = None, options: dict | None = None):
        self._seed(seed)
        self.sim.reset(self.np_random)
        self.agents = list(self.possible_agents)
        self._slots = self.sim.pending_slots()
        self._obs = obs_spec.observe(self.sim)
        self._last_metrics = {}
        infos = self._infos({}, {})
        return self._obs_dict(), infos

    def step(self, actions: dict[str, Any]):
        if not self.agents:
            raise RuntimeError("step() called after the episode ended; call reset() first")
        matrix = self._action_matrix(actions)
        out = self.sim.step(matrix)
        self._slots = self.sim.pending_slots()
        self._obs = obs_spec.observe(self.sim)
        self._last_metrics = out.metrics
        truncated = self.sim.k >= self.sim.n_steps
        obs = self._obs_dict()
        terminations = dict.fromkeys(self.agents, False)
        truncations = dict.fromkeys(self.agents, truncated)
        shared, own = self.reward_model.components(out)
        infos = self._infos(shared, out.metrics)
        self.shared_reward_components = shared
        if own is None:  # fully shared
            rewards = dict.fromkeys(self.agents, float(sum(shared.values())))
        else:
            lam = self.config.reward.local_ratio
            parts = {k: (1.0 - lam) * v + lam * own[k] for k, v in shared.items()}
            total = sum(parts.values())
            rewards = dict(zip(self.agents, total.tolist()))
            for i, a in enumerate(self.agents):
                infos[a]["rewards"] = {k: float(v[i]) for k, v in parts.items()}
        if truncated:
            self.agents = []
        return obs, rewards, terminations, truncations, infos

    # -------------------------------------------------------------- helpers
    def _action_matrix(self, actions: dict[str, Any]) -> np.ndarray:
        """Validate all actions at once (vectorised) and lay them out as (n_sats, K)."""
        n, K = self.sim.n_sats, self.sim.K
        matrix = np.full((n, K), int(Action.HOLD), dtype=np.int64)
        if not actions:
            return matrix
        try:
            if len(actions) == n and list(actions) == self.possible_agents:
                idx = slice(None)  # the common case: every agent, in order
            else:
                idx = np.fromiter((self._index[a] for a in actions), dtype=np.int64, count=len(actions))
        except KeyError:
            unknown = [a for a in actions if a not in self._index][:5]
            raise ValueError(f"actions: unknown agent(s) {unknown}; agents are sat_0..sat_{n - 1}") from None
        try:
            values = np.asarray(list(actions.values()))
        except ValueError:
            values = np.empty(0)
        bad = None
        if values.shape != (len(actions), K) or values.dtype.kind not in "iuf":
            bad = next((a for a, v in actions.items() if np.shape(v) != (K,) or np.asarray(v).dtype.kind not in "iuf"), None)
        else:
            ok = (values >= 0) & (values <= 2)
            if values.dtype.kind == "f":
                ok &= values == np.round(values)
            if not ok.all():
                bad = list(actions)[int(np.flatnonzero(~ok.all(axis=1))[0])]
        if bad is not None:
            raise ValueError(
                f"actions[{bad!r}]: {actions[bad]!r} is not in the action space MultiDiscrete([3]*{K}); "
                "each entry must be 0 (local), 1 (offload) or 2 (hold)"
            )
        matrix[idx] = values
        return matrix

    def _obs_dict(self) -> dict[str, np.ndarray]:
        return dict(zip(self.agents, self._obs))

    def _infos(self, rewards: dict, metrics: dict) -> dict[str, dict]:
        slots = self._slots
        ids = np.where(slots >= 0, self.sim.tasks.I[np.maximum(slots, 0), 0], -1)  # column 0: task id
        return {a: {"rewards": rewards, "metrics": metrics, "task_ids": row} for a, row in zip(self.agents, ids)}

    def state(self) -> np.ndarray:
        g = self.sim.ground
        return np.concatenate(
            [self._obs.ravel(), g.occupancy, g.backlog_s(self.sim.time_s), [self.sim.time_s]]
        ).astype(np.float32)

    # ------------------------------------------------- hooks for scheduling policies
    def ground_layout(self) -> dict:
        """Static layout of the ground segment, for policies that place tasks themselves."""
        g, cfg = self.sim.ground, self.config
        return {
            "n_clusters": g.n_clusters,
            "station_names": list(self.sim.stations.names),
            "access_point_names": list(self.sim.segment.ap_names),
            "servers_per_cluster": cfg.ground.servers,
            "containers_per_server": cfg.ground.containers_per_server,
            "container_cluster": g.container_cluster.copy(),
            "container_server": g.container_server.copy(),
            "edge_exec_s_per_unit": self.sim.edge_exec_s,
            "edge_accuracy": cfg.compute.edge_accuracy,
            "load_cap": cfg.ground.load_cap,
            "load_window_s": cfg.ground.load_window_s,
            "slot_s": cfg.episode.slot_s,
        }

    def container_state(self) -> dict[str, np.ndarray]:
        """Current CPU occupancy L_o (last slot) and queued work (s) of every container."""
        g = self.sim.ground
        return {"occupancy": g.occupancy.copy(), "backlog_s": g.backlog_s(self.sim.time_s)}

    def cluster_of(self) -> np.ndarray:
        """The edge cluster each satellite can reach now, directly or through a relay (-1: none)."""
        return self.sim.schedule.cluster[self.sim.contact_row()].copy()

    def access_of(self) -> np.ndarray:
        """The access point each satellite uses now: a station index, ``n_stations + k`` for
        relay ``k`` (names in ``ground_layout()["access_point_names"]``), -1 for none."""
        return self.sim.schedule.access[self.sim.contact_row()].copy()

    def reserve_containers(self, task_ids: np.ndarray, containers: np.ndarray) -> None:
        """Ground-scheduler hook: place these tasks (ids from ``infos[agent]["task_ids"]``) on
        these global containers when they reach the station, instead of the LBS default."""
        self.sim.reserve(task_ids, containers)

    def record_messages(self, log: MessageLog) -> None:
        """Add the messages a policy exchanged between layers, as counted on its own message bus
        (:class:`satgym.core.messages.MessageLog`: sent, delivered and bytes per layer pair), e.g.
        the distributed scheduler's proposals, prices and allocations."""
        if not isinstance(log, MessageLog):
            raise TypeError(f"log: expected a satgym.core.messages.MessageLog, got {type(log).__name__}")
        self.sim.metrics.messages.merge(log)

    def episode_metrics(self) -> dict:
        """Totals since reset: tasks by outcome and failure reason, times, load, messages."""
        return self.sim.episode_metrics()

    def render(self):
        if self.render_mode is None:
            return None
        from satgym.leoedge.render import render_ansi, render_rgb

        return render_rgb(self) if self.render_mode == "rgb_array" else render_ansi(self)

    def close(self) -> None:
        pass
