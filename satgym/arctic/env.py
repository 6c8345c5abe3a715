"""The native PettingZoo ``ParallelEnv`` of the Arctic family: every user is an agent."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from satgym.family_env import FamilyParallelEnv
from satgym.arctic import observation as obs_spec
from satgym.arctic.codes import FAIL_REASONS
from satgym.arctic.config import ArcticConfig
from satgym.arctic.presets import make_config
from satgym.arctic.problem import SlotProblem
from satgym.arctic.reward import COMPONENTS, RewardModel
from satgym.arctic.simulator import Simulator

__all__ = ["ArcticOffloadingEnv"]


class ArcticOffloadingEnv(FamilyParallelEnv):
    __doc__ = f"""Connectivity-aware task offloading for Arctic users over a hybrid LEO-MEO network
    (Almekhlafi, Lesage-Landry, Kurt), PettingZoo parallel API.

    **Description.** Users around Ivujivik (Nunavik, 62 N) offload computing tasks to satellites
    with on-board MEC servers: Starlink (the real element set, SGP4) and a MEO layer of 30
    satellites at 2,100 km in three near-polar planes. In every slot Poisson(lambda) users are
    active, each with a task of zeta bits (X = 1000 cycles/bit, deadline tau^max). A task goes up
    to an *access* satellite that sees the user above the elevation threshold, over inter-satellite
    links (the "+Grid" in each layer, MEO-LEO links in the hybrid architecture) to a *computing*
    satellite, and its result comes back over a *result path* to a satellite that sees the user
    when it is ready (Secs. III-A, III-D). The uplink has the link budget of Eq. 6 (free-space path
    loss, Rician fading, resource blocks of 180 kHz: 25 per LEO and 50 per MEO satellite);
    computing the delay and energy of Eqs. 11-12 (5 / 10 GHz). Each access satellite's resource
    blocks and each computing satellite's CPU are shared by the tasks using them, including earlier
    slots' tasks still uploading or computing: contention is real. Architectures (``architecture``):
    hybrid, LEO-only, MEO-only.

    **Agents.** ``user_<k>`` for every user, all present for the whole episode; a user without a task
    in the slot is idle (its observation is zeros and its action is ignored).

    **Action space.** ``MultiDiscrete([N + 1, B, C])`` per agent (``N`` = ``candidates.n_candidates``,
    ``B`` = the largest resource-block budget of the active layers, ``C`` =
    ``compute.cpu_share_levels``):

    * ``a[0]``: the candidate path (observation block ``j``) to offload over, or ``N`` to decline
      (naming an empty candidate also declines);
    * ``a[1] + 1``: resource blocks requested at the access satellite (``b B_s`` of Eq. 6);
    * ``(a[2] + 1) / C``: CPU share requested at the computing satellite (``f`` of Eqs. 7, 11).

    Requests are served in a uniformly random order drawn each slot (independent of the actions).
    A request for more resource blocks than the access satellite has left, or for a larger CPU
    share than the computing satellite has left, is refused (the task fails: ``refused_*``);
    otherwise the resources are taken and the task is admitted. An admitted task completes, or fails
    as ``access_lost`` (upload outlasts the access window, Eq. 16), ``deadline`` (Eq. 15) or
    ``no_return_path`` (Eqs. 17-18). A missing agent declines. An action outside the space raises
    ``ValueError`` and leaves the state unchanged.

    **Observation space.** ``Box(float32)`` of length ``{len(obs_spec.TASK_FIELDS)} + {len(obs_spec.CANDIDATE_FIELDS)} N`` per agent
    (candidate ``j``'s fields at ``{len(obs_spec.TASK_FIELDS)} + {len(obs_spec.CANDIDATE_FIELDS)} j + k``):

    ::

    {obs_spec.table()}

    Candidates are (access, computing) pairs ranked by best-case delay
    (:mod:`satgym.arctic.problem`). ``rate_per_rb_mbps`` includes this slot's fading (the user knows
    its channel); ``access_window_s`` is v^end of the access satellite, capped at the deadline;
    ``offload_prop_ms`` is (d_u,s + d_k) / c; ``result_prop_ms`` is the shortest listed result path's
    propagation; ``free_*`` are what the satellites have left at the slot start. Bounds:
    ``observation_space(agent).low`` / ``.high`` (values beyond a bound are clipped).

    **Rewards.** One shared reward, Eq. 19 of the slot's decisions, as named components in
    ``infos[agent]["rewards"]`` ({", ".join(COMPONENTS)}; :mod:`satgym.arctic.reward`):
    feasible admissions - alpha_1 normalised energy - alpha_2 normalised delay - a failure penalty
    (0 by default). ``infos[agent]["own_rewards"]`` holds the agent's own task's terms.

    **Termination and truncation.** Never terminated; every agent is truncated after
    ``episode.steps`` slots. Tasks still in flight then are reported as such.

    **Info.** ``infos[agent]``: ``rewards``, ``own_rewards``, ``metrics`` (the step's counts: active
    users, admitted, admitted_feasible, declined, refused, admitted_failing, completed; running
    totals; ``mean_delay_s`` of the tasks completed in the step). :meth:`episode_metrics` gives
    the episode's task accounting (generated = completed + failed + declined + in flight; failures
    by reason: {", ".join(FAIL_REASONS)}) and Fig. 3's admission rate, mean delay and energy (of the
    feasible admissions) and visible LEO / MEO counts. :meth:`slot_problem` exposes the current
    slot's problem (candidates, rates, windows, result paths, free resources) for planners.

    **Arguments.** ``scenario`` (preset name or :class:`~satgym.arctic.config.ArcticConfig`),
    ``config`` (nested overrides or a YAML path), ``render_mode`` (``"ansi"`` or None).

    **Version history.** v0: initial release.
    """

    metadata = {"name": "satgym_arctic_v0", "render_modes": ["ansi"], "is_parallelizable": True}
    #: the episode metrics ``satgym compare`` tabulates for this family
    summary_metrics = ("return", "admission_rate", "completion_rate", "mean_delay_s", "mean_energy_j",
                       "mean_energy_tx_j", "mean_energy_comp_j", "mean_visible_leo", "mean_visible_meo", "failed")

    def __init__(self, scenario: str | ArcticConfig = "arctic", config: dict[str, Any] | str | None = None,
                 render_mode: str | None = None) -> None:
        self._init_render_and_rng(render_mode)
        self.config = make_config(scenario, config)
        self.sim = Simulator(self.config)
        self.reward_model = RewardModel(self.config.reward)
        n = self.sim.n_users
        self.possible_agents = [f"user_{k}" for k in range(n)]
        self.agents: list[str] = []
        self._index = {a: k for k, a in enumerate(self.possible_agents)}
        self._low, self._high = obs_spec.bounds(self.config)
        self._obs_space = spaces.Box(self._low, self._high, dtype=np.float32)
        self._nvec = np.array([self.sim.n_candidates + 1, self.sim.rb_levels, self.sim.cpu_levels], dtype=np.int64)
        self._act_space = spaces.MultiDiscrete(self._nvec)
        self.observation_spaces = {a: self._obs_space for a in self.possible_agents}
        self.action_spaces = {a: self._act_space for a in self.possible_agents}
        self.state_space = spaces.Box(np.r_[np.tile(self._low, n), 0.0].astype(np.float32),
                                      np.r_[np.tile(self._high, n), np.inf].astype(np.float32), dtype=np.float32)
        self._obs = np.zeros((n, self._low.size), dtype=np.float32)
        self.shared_reward_components: dict[str, float] = {}

    @property
    def decline_action(self) -> np.ndarray:
        """The action that declines (offloads nothing)."""
        return np.array([self.sim.n_candidates, 0, 0], dtype=np.int64)

    def reset(self, seed: int | None = None, options: dict | None = None):
        self._seed(seed)
        self.sim.reset(self.np_random)
        self.agents = list(self.possible_agents)
        self._obs = obs_spec.observe(self.sim.problem, self.sim.n_users, self._low, self._high)
        zeros = dict.fromkeys(COMPONENTS, 0.0)
        return self._obs_dict(), {a: {"rewards": zeros, "own_rewards": zeros, "metrics": {}} for a in self.agents}

    def step(self, actions: dict[str, Any]):
        if not self.agents:
            raise RuntimeError("step() called after the episode ended; call reset() first")
        out = self.sim.step(self._action_matrix(actions))
        self._obs = obs_spec.observe(self.sim.problem, self.sim.n_users, self._low, self._high)
        shared = self.reward_model.components(out)
        own = self.reward_model.own(out)
        self.shared_reward_components = shared
        truncated = self.sim.k >= self.sim.n_steps
        obs = self._obs_dict()
        total = float(sum(shared.values()))
        rewards = dict.fromkeys(self.agents, total)
        infos = {a: {"rewards": shared, "own_rewards": {k: float(v[i]) for k, v in own.items()}, "metrics": out.metrics}
                 for i, a in enumerate(self.agents)}
        terminations = dict.fromkeys(self.agents, False)
        truncations = dict.fromkeys(self.agents, truncated)
        if truncated:
            self.agents = []
        return obs, rewards, terminations, truncations, infos

    def _action_matrix(self, actions: dict[str, Any]) -> np.ndarray:
        """Validate all actions at once and lay them out as ``(n_users, 3)`` (missing: decline)."""
        n = self.sim.n_users
        matrix = np.tile(self.decline_action, (n, 1))
        if not actions:
            return matrix
        unknown = [a for a in actions if a not in self._index]
        if unknown:
            raise ValueError(f"actions: unknown agent(s) {unknown[:5]}; agents are user_0..user_{n - 1}")
        try:  # the common case: one array per agent, checked all at once
            values = np.asarray(list(actions.values()))
        except ValueError:
            values = np.empty(0)
        if (values.shape != (len(actions), 3) or values.dtype.kind not in "iuf"
                or not np.all((values == np.round(values)) & (values >= 0) & (values < self._nvec))):
            bad = next(agent for agent, v in actions.items() if not self._valid(v))
            raise ValueError(
                f"actions[{bad!r}]: {actions[bad]!r} is not in the action space MultiDiscrete({self._nvec.tolist()}): "
                f"[candidate 0..{self._nvec[0] - 2} or {self._nvec[0] - 1} to decline, resource blocks - 1, "
                f"CPU share level - 1]")
        matrix[[self._index[a] for a in actions]] = values.astype(np.int64)
        return matrix

    def _valid(self, value: Any) -> bool:
        a = np.asarray(value)
        return bool(a.shape == (3,) and a.dtype.kind in "iuf" and np.all(a == np.round(a)) and np.all(a >= 0)
                    and np.all(a < self._nvec))

    def _obs_dict(self) -> dict[str, np.ndarray]:
        return dict(zip(self.agents, self._obs))

    def state(self) -> np.ndarray:
        return np.r_[self._obs.ravel(), self.sim.time_s].astype(np.float32)

    # ------------------------------------------------- for planners and evaluation
    def slot_problem(self) -> SlotProblem:
        """The current slot's offloading problem (tasks, candidates, result paths, free resources)."""
        return self.sim.problem

    def episode_metrics(self) -> dict:
        """Totals since reset: tasks by outcome and failure reason, Fig. 3's quantities."""
        return self.sim.episode_metrics()

    def render(self):
        if self.render_mode is None:
            return None
        m, p = self.sim.episode_metrics(), self.sim.problem
        return (f"t={self.sim.time_s:.0f}s slot tasks={p.n_tasks} generated={m['generated']} "
                f"admitted_feasible={m['admitted_feasible']} completed={m['completed']} failed={m['failed']} "
                f"declined={m['declined']} in_flight={m['in_flight']}")

    def close(self) -> None:
        pass
