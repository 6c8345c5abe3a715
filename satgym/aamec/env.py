"""The native PettingZoo ``ParallelEnv`` of the AA-MEC family: every Iridium satellite is an agent."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from satgym.family_env import FamilyParallelEnv
from satgym.aamec import observation as obs_spec
from satgym.aamec.config import AAMECConfig
from satgym.aamec.presets import make_config
from satgym.aamec.reward import reward_components
from satgym.aamec.simulator import NO_ROUTE, NONE, AAMECSimulator, Plan, SnapshotView


def _obs_table() -> str:
    rows = [f"    {i:<8} {name:<22} {unit:<9} [{lo:g}, {hi:g}]" for i, (name, unit, lo, hi) in enumerate(obs_spec.SAT_FIELDS)]
    base, w = len(obs_spec.SAT_FIELDS), len(obs_spec.SLOT_FIELDS)
    rows += [f"    {base}+{w}k+{j:<2} slot k {name:<15} {unit:<9} [{lo:g}, {hi:g}]"
             for j, (name, unit, lo, hi) in enumerate(obs_spec.SLOT_FIELDS)]
    return "\n".join(rows)


class AAMECEnv(FamilyParallelEnv):
    __doc__ = f"""Aerial-aided MEC over Iridium NEXT (AA-MEC), PettingZoo parallel API.

    **Description.** 66 Iridium NEXT satellites (6 planes of 11 at 781 km, the shipped element sets
    or a Walker star), the ten Iridium gateways of Table 1, each with a MEC server, and aircraft on
    great-circle flights between real cities, a share ``aircraft.mec_ratio`` of them carrying a
    MEC server. One step is one 5-minute snapshot of the network (links of Table 5, visibility from
    the geometry; 48 snapshots = 4 h). In each snapshot a satellite has N ~ Poisson(lambda) tasks/s
    (Eq. 14), runs 80 of them on board (Table 4) and must offload the rest (Eqs. 16-17) to a MEC
    node over the multi-hop satellite-aerial-terrestrial network. The environment routes each flow
    on its cheapest path, matches each gateway to one satellite (Eq. 25) and lets flows share
    links and MEC servers fairly, dropping what exceeds a capacity: satellites that crowd the same
    links or server slow each other down, so the choices are coupled.

    **Agents.** ``sat_<k>`` for every satellite, present for the whole episode.

    **Action space.** ``Discrete(K + 1)`` per agent, ``K = episode.destinations``: ``0`` do not
    offload (the excess tasks are dropped, ``not_offloaded``); ``k >= 1`` send the excess to the
    k-th cheapest MEC destination of this snapshot (observation slot k - 1; an empty slot fails as
    ``no_route``). A satellite without excess ignores its action; a missing agent counts as ``0``.
    An action outside the space raises ``ValueError`` and changes nothing.

    **Observation space.** ``Box(float32)`` of length ``{len(obs_spec.SAT_FIELDS)} + {len(obs_spec.SLOT_FIELDS)}K``:

    ::

    {_obs_table()}

    Slot k describes the k-th cheapest MEC for this satellite's flow alone: ``completion_s`` is
    Eq. 20 (transmission D/B per link + round-trip propagation + computation n I / MIPS) through
    the cheapest feeder of a gateway (the matching may choose another); ``contenders`` counts the
    offloading satellites whose cheapest MEC it is now; ``mec_load_last`` and ``util_last`` are
    last step's loads (0 at reset).

    **Rewards.** One shared reward (cooperative), the sum of ``infos[agent]["rewards"]``:

    * ``latency``: ``-reward.latency_weight`` x the summed completion time (Eq. 20, with fair
      sharing) of this step's offloaded flows / number of satellites (the paper's objective);
    * ``drop``: ``-reward.drop_penalty`` x the summed share of each satellite's excess tasks that
      failed (not offloaded, no route, link or MEC overload, deadline) / number of satellites.

    **Termination and truncation.** No termination; every agent is truncated after
    ``episode.steps`` snapshots. Every task is resolved within its snapshot (none in flight).

    **Info.** ``infos[agent]``: ``rewards`` (components), ``metrics`` (the step's totals: tasks
    generated / completed on board / at the edge / failed by reason, flows, mean flow latency
    (Eq. 5) and completion time, flows to aircraft, carried link bandwidth), ``destinations`` (MEC
    node id of each slot, -1 if empty). :meth:`episode_metrics` gives the episode totals, including
    the flows per MEC location (Table 9).

    **Hooks for policies.** :meth:`snapshot` (the snapshot's network, MEC nodes, flows and
    candidates) and :meth:`set_plan` (destinations, routes and gateway feeders for the next step;
    the planned destinations replace the actions), used by the MILP oracles.

    **Arguments.** ``scenario`` (preset name, ``"aamec"`` or ``"aamec-walker"``, or an
    :class:`~satgym.aamec.config.AAMECConfig`), ``config`` (nested overrides or a YAML path),
    ``render_mode`` (``"ansi"``).

    **Version history.** v0: initial release.
    """

    metadata = {"name": "satgym_aamec_v0", "render_modes": ["ansi"], "is_parallelizable": True}

    def __init__(self, scenario: str | AAMECConfig = "aamec", config: dict[str, Any] | str | None = None,
                 render_mode: str | None = None) -> None:
        self._init_render_and_rng(render_mode)
        self.config = make_config(scenario, config)
        self.sim = AAMECSimulator(self.config)
        S, K = self.sim.n_sats, self.sim.K
        self.possible_agents = [f"sat_{k}" for k in range(S)]
        self.agents: list[str] = []
        self._index = {a: k for k, a in enumerate(self.possible_agents)}
        low, high = obs_spec.bounds(K)
        self._obs_space = spaces.Box(low, high, dtype=np.float32)
        self._act_space = spaces.Discrete(K + 1)
        self.observation_spaces = {a: self._obs_space for a in self.possible_agents}
        self.action_spaces = {a: self._act_space for a in self.possible_agents}
        n_mec = len(self.config.gateways.names) + int(round(self.config.aircraft.mec_ratio * self.config.aircraft.count))
        self.state_space = spaces.Box(np.concatenate([np.tile(low, S), np.zeros(n_mec, np.float32)]),
                                      np.concatenate([np.tile(high, S), np.full(n_mec, np.inf, np.float32)]),
                                      dtype=np.float32)
        self._obs = np.zeros((S, low.size), dtype=np.float32)
        self._plan: Plan | None = None
        self.shared_reward_components: dict[str, float] = {}

    def reset(self, seed: int | None = None, options: dict | None = None):
        self._seed(seed)
        self.sim.reset(self.np_random)
        self.agents = list(self.possible_agents)
        self._plan = None
        self._obs = obs_spec.observe(self.sim)
        return self._obs_dict(), self._infos({}, {})

    def step(self, actions: dict[str, Any]):
        if not self.agents:
            raise RuntimeError("step() called after the episode ended; call reset() first")
        reward, truncated = self.step_array(self._action_vector(actions))
        components, out = self.shared_reward_components, self.sim.last
        obs = self._obs_dict()
        rewards = dict.fromkeys(self.agents, reward)
        infos = self._infos(components, out.metrics)
        terminations = dict.fromkeys(self.agents, False)
        truncations = dict.fromkeys(self.agents, truncated)
        if truncated:
            self.agents = []
        return obs, rewards, terminations, truncations, infos

    def step_array(self, actions: np.ndarray) -> tuple[float, bool]:
        """The step on a validated ``(n_sats,)`` action vector (what :meth:`step` and the array API
        run): returns (the shared reward, truncated); observations in ``self._obs``."""
        dest = self._destinations(actions)
        plan, self._plan = self._plan, None
        out = self.sim.step(dest, plan)
        components = reward_components(out, self.config.reward, self.sim.n_sats)
        self.shared_reward_components = components
        self._obs = obs_spec.observe(self.sim)  # at truncation: the snapshot after the last one
        return float(sum(components.values())), self.sim.k >= self.sim.n_steps

    # ------------------------------------------------------------------ helpers
    def _action_vector(self, actions: dict[str, Any]) -> np.ndarray:
        S, K = self.sim.n_sats, self.sim.K
        vec = np.zeros(S, dtype=np.int64)
        for agent, a in actions.items():
            if agent not in self._index:
                raise ValueError(f"actions: unknown agent {agent!r}; agents are sat_0..sat_{S - 1}")
            arr = np.asarray(a)
            if arr.shape not in ((), (1,)) or arr.dtype.kind not in "iuf" or float(arr.reshape(-1)[0]) != int(arr.reshape(-1)[0]) \
                    or not 0 <= int(arr.reshape(-1)[0]) <= K:
                raise ValueError(f"actions[{agent!r}]: {a!r} is not in the action space Discrete({K + 1}); "
                                 f"0 = do not offload, 1..{K} = the k-th cheapest MEC destination")
            vec[self._index[agent]] = int(arr.reshape(-1)[0])
        return vec

    def _destinations(self, actions: np.ndarray) -> np.ndarray:
        ranked = self.sim.view.candidates.ranked
        slot = np.maximum(actions - 1, 0)
        chosen = ranked[np.arange(ranked.shape[0]), slot]
        mec = self.sim.mec_nodes[np.maximum(chosen, 0)]
        return np.where(actions == 0, NONE, np.where(chosen >= 0, mec, NO_ROUTE))

    def _obs_dict(self) -> dict[str, np.ndarray]:
        return dict(zip(self.agents, self._obs))

    def _infos(self, rewards: dict, metrics: dict) -> dict[str, dict]:
        ranked = self.sim.view.candidates.ranked
        dest = np.where(ranked >= 0, self.sim.mec_nodes[np.maximum(ranked, 0)], -1)
        return {a: {"rewards": rewards, "metrics": metrics, "destinations": dest[i]} for i, a in enumerate(self.agents)}

    def state(self) -> np.ndarray:
        return np.concatenate([self._obs.ravel(), self.sim.last_mec_load]).astype(np.float32)

    # ------------------------------------------------------------------ hooks for policies
    def snapshot(self) -> SnapshotView:
        """The current snapshot (network, MEC nodes and capacities, every satellite's flow, candidates)."""
        return self.sim.view

    def set_plan(self, destinations: np.ndarray | None = None, routes: list | None = None,
                 feeders: np.ndarray | None = None) -> None:
        """Plan the next step: ``destinations`` ``(66,)`` MEC node per satellite (-1: no offload;
        replaces the actions), ``routes`` per satellite a node path or None (the env routes),
        ``feeders`` ``(n_gateways,)`` the satellite each gateway links to (-1: the env matches).
        Validated now (``ValueError`` naming the entry); used by the next :meth:`step` only."""
        self._plan = self.sim.check_plan(Plan(destinations, routes, feeders))

    def episode_metrics(self) -> dict:
        """Totals since reset: tasks by outcome and failure reason, flow latency, flows per MEC location."""
        return self.sim.episode_metrics()

    def render(self):
        if self.render_mode is None:
            return None
        m = self.sim.last.metrics if self.sim.last is not None else {}
        return (f"AA-MEC snapshot {self.sim.k}/{self.sim.n_steps} t={self.sim.time_s:.0f}s "
                f"flows={m.get('routed_flows', 0)} mean flow latency={m.get('mean_flow_latency_s')} "
                f"to aircraft={m.get('flows_to_aircraft', 0)} failed={m.get('failed', 0)}")

    def close(self) -> None:
        pass
