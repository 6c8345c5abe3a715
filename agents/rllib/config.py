"""PPO configurations (new API stack) for the three multi-agent variants.

* ``ppo``: parameter sharing, one module ``"shared"`` drives every satellite;
* ``mappo``: like ``ppo`` but the critic sees the global state (env ``critic_state=True``,
  actor restricted to the agent's own observation, see :mod:`agents.rllib.module`);
* ``ippo``: independent learners, one module per satellite (module id = agent id).

Every variant takes the module options of :class:`TrainSettings` (action masking, on by default;
the paper's binary action; per-slot estimate features) and the imitation warm start
(``bc_teacher``, :mod:`agents.rllib.imitation`, run by :func:`agents.rllib.train.train`).

With ``num_env_runners >= 1`` a failed env runner is re-created by Ray and restored by RLlib with
the learner's current weights (``restart_failed_env_runners``), and an iteration does not end
before it has sampled ``train_batch`` env steps (``min_sample_timesteps_per_iteration``); the
re-created runner gets a fresh seed (:class:`~agents.rllib.callbacks.SatgymMetricsCallback`). With
``num_env_runners=0`` the driver samples and an env failure ends the run.

Example::

    >>> cfg = build_config("ppo", TrainSettings(episode_steps=20, train_batch=200))
    >>> cfg.train_batch_size_per_learner
    200
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ray.rllib.algorithms.ppo import PPOConfig
from ray.rllib.core.rl_module.multi_rl_module import MultiRLModuleSpec
from ray.rllib.core.rl_module.rl_module import RLModuleSpec

from agents.rllib.callbacks import SatgymMetricsCallback
from agents.rllib.env import ENV_NAME, env_creator, register
from agents.rllib.module import SatPPOModule

RLLIB_ALGOS = ("ppo", "mappo", "ippo")
SHARED = "shared"


@dataclass
class TrainSettings:
    """What a training run needs besides the algorithm name (units: env steps)."""

    scenario: str = "leoedge"
    load: str = "normal"
    episode_steps: int = 200
    seed: int = 0
    num_env_runners: int = 0
    train_batch: int = 1000        # env steps per iteration (x agents = agent steps)
    minibatch: int | None = None   # SGD minibatch (<= train_batch; default train_batch // 2)
    epochs: int = 4
    lr: float = 3e-4
    gamma: float = 0.99
    entropy_coeff: float = 0.01
    hiddens: list[int] = field(default_factory=lambda: [64, 64])
    fault_tolerant: bool = True
    overrides: dict[str, Any] = field(default_factory=dict)
    # masked logits for empty decision slots and unreachable offloads; None: on for the LEOEdge
    # family, whose observation the mask is read from, off for the others (resolve_action_mask)
    action_mask: bool | None = None
    binary: bool = False           # the paper's local/offload decision (hold masked)
    estimates: bool = False        # per-slot on-board / edge completion estimates as features
    bc_teacher: str = ""           # imitation warm start from this policy's decisions ("" = none)
    bc_episodes: int = 20          # teacher episodes (of episode_steps) for the warm start
    bc_epochs: int = 30            # passes over the demonstrations
    reward_scale: float = 1.0      # rewards x this for the learner (set from the demonstrations with bc_teacher)


def shared_mapping(agent_id: str, episode: Any = None, **kwargs: Any) -> str:
    """Every satellite uses the shared module."""
    return SHARED


def own_mapping(agent_id: str, episode: Any = None, **kwargs: Any) -> str:
    """Each satellite has its own module (IPPO)."""
    return agent_id


def env_config(algo: str, s: TrainSettings) -> dict[str, Any]:
    return {"scenario": s.scenario, "load": s.load, "episode_steps": s.episode_steps,
            "overrides": s.overrides, "critic_state": algo == "mappo", "reward_scale": s.reward_scale}


def resolve_action_mask(s: TrainSettings) -> bool:
    """``s.action_mask``, with ``None`` resolved: on for the LEOEdge family (the mask reads its
    decision slots and reach flags), off for the other families."""
    from satgym.scenarios import family_of

    return family_of(s.scenario).name == "leoedge" if s.action_mask is None else bool(s.action_mask)


def model_config(s: TrainSettings) -> dict[str, Any]:
    """The module's ``model_config`` for these settings (:class:`~agents.rllib.module.SatPPOModule`)."""
    return {"hiddens": list(s.hiddens), "action_mask": resolve_action_mask(s), "binary": s.binary,
            "estimates": s.estimates}


def build_config(algo: str, s: TrainSettings) -> PPOConfig:
    """A :class:`PPOConfig` for ``algo`` in :data:`RLLIB_ALGOS` (registers the env)."""
    if algo not in RLLIB_ALGOS:
        raise ValueError(f"algo: {algo!r} is not valid; choose one of {', '.join(RLLIB_ALGOS)}")
    register()
    env_cfg = env_config(algo, s)
    probe = env_creator(env_cfg)
    agents = list(probe.possible_agents)
    mc = model_config(s)
    if algo == "mappo":
        mc["actor_obs_dim"] = probe.local_obs_dim
    module_ids = agents if algo == "ippo" else [SHARED]
    spec = MultiRLModuleSpec(rl_module_specs={
        mid: RLModuleSpec(module_class=SatPPOModule, model_config=dict(mc)) for mid in module_ids})
    config = (
        PPOConfig()
        .environment(ENV_NAME, env_config=env_cfg)
        .env_runners(num_env_runners=s.num_env_runners, num_envs_per_env_runner=1,
                     rollout_fragment_length="auto", num_cpus_per_env_runner=1)
        .multi_agent(policies=set(module_ids),
                     policy_mapping_fn=own_mapping if algo == "ippo" else shared_mapping)
        .rl_module(rl_module_spec=spec)
        .training(train_batch_size_per_learner=s.train_batch, minibatch_size=settings_dict(s)["minibatch"],
                  num_epochs=s.epochs, lr=s.lr, gamma=s.gamma, lambda_=0.95, entropy_coeff=s.entropy_coeff,
                  vf_clip_param=1e4)
        .callbacks(SatgymMetricsCallback)
        # an iteration ends only once a full batch was sampled in it: one whose runner died mid-way
        # restores the runner and samples on, instead of counting an empty or short iteration
        .reporting(min_sample_timesteps_per_iteration=s.train_batch)
        .debugging(seed=s.seed)
    )
    if s.fault_tolerant:
        config = config.fault_tolerance(restart_failed_env_runners=True)
    return config


def settings_dict(s: TrainSettings) -> dict[str, Any]:
    """The settings as saved with a checkpoint (``minibatch`` and ``action_mask`` resolved to the
    values the run uses)."""
    return {**asdict(s), "minibatch": min(s.minibatch or s.train_batch // 2, s.train_batch),
            "action_mask": resolve_action_mask(s)}
