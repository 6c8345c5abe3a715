"""Imitation warm start of the PPO module: behaviour cloning from a scheduling policy, a critic
warm-up on the returns of its decisions, and reward and value normalisation.

A documented pretraining of the very module PPO then fine-tunes (:class:`~agents.rllib.module.
SatPPOModule`), instead of RLlib's offline BC / MARWIL (they need a recorded dataset in RLlib's
episode format and a Ray Data pipeline; here the teacher runs in the loop and the data fit in
memory):

1. :func:`collect`: a teacher (any registered policy, e.g. ``leoedge-search``, the shipped
   policies' teacher) drives the training env (same scenario, load, episode length and overrides,
   so the same training reward) for a few episodes on seeds of its own; every agent step gives
   the module's observation, the teacher's action and the agent's training reward, turned into
   discounted returns (``gamma``, within the episode);
2. reward normalisation (:func:`reward_scale`): the learner's rewards are multiplied by one fixed
   scale, ``1 / std`` of the teacher's discounted returns (``env_config["reward_scale"]``, saved
   with the checkpoint), so returns are of order one;
3. :func:`pretrain`: the actor by cross-entropy on the teacher's choices (masked logits: empty
   slots and unreachable offloads carry no loss; a teacher choice the mask forbids is relabelled
   ``local``, what the env does with it), the critic by regression on the scaled returns (the
   critic warm-up: PPO starts with a value function of the policy it starts from), with value
   normalisation: the critic's net predicts the standardised return, ``value_shift`` /
   ``value_scale`` (module buffers, saved with the weights) hold the mean and std.

>>> import gymnasium as gym
>>> from agents.rllib.module import SatPPOModule
>>> demo = collect("local", {"load": "light", "episode_steps": 5}, seeds=[3], gamma=0.9)
>>> demo["obs"].shape[0] == 5 * 10, demo["actions"].shape[1]
(True, 4)
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["collect", "pretrain", "reward_scale"]


def collect(teacher: str, env_config: dict[str, Any], seeds: list[int], gamma: float) -> dict[str, np.ndarray]:
    """Demonstrations of ``teacher`` on the training env of ``env_config`` (keys of
    :data:`agents.rllib.env.ENV_KEYS`), one episode per seed: ``obs`` (N, obs_dim) as the module
    sees them (the global state appended with ``critic_state``), ``actions`` (N, K), ``returns``
    (N,) discounted training rewards to the episode's end, ``agent`` (N,) agent index; unscaled."""
    from agents.rllib.env import make_parallel_env
    from satgym.policies import make_policy

    env = make_parallel_env({k: v for k, v in env_config.items() if k not in ("critic_state", "reward_scale")})
    policy = make_policy(teacher)
    obs_rows, act_rows, ret_rows, agent_rows = [], [], [], []
    for seed in seeds:
        obs, infos = env.reset(seed=int(seed))
        policy.reset(env, seed=int(seed))
        agents = list(env.agents)
        ep_obs, ep_act, ep_rew = [], [], []
        while env.agents:
            actions = policy.act(env, obs, infos)
            o = np.stack([obs[a] for a in agents])
            if env_config.get("critic_state"):
                o = np.concatenate([o, np.tile(env.state(), (len(agents), 1))], axis=1)
            ep_obs.append(o)
            ep_act.append(np.stack([np.asarray(actions[a], dtype=np.int64) for a in agents]))
            obs, rewards, _, _, infos = env.step(actions)
            ep_rew.append(np.array([rewards[a] for a in agents], dtype=np.float64))
        rew = np.stack(ep_rew)                                   # (T, n_agents)
        ret = np.zeros_like(rew)
        acc = np.zeros(rew.shape[1])
        for k in range(len(rew) - 1, -1, -1):
            acc = rew[k] + gamma * acc
            ret[k] = acc
        obs_rows.append(np.concatenate(ep_obs))
        act_rows.append(np.concatenate(ep_act))
        ret_rows.append(ret.reshape(-1))
        agent_rows.append(np.tile(np.arange(len(agents)), len(rew)))
    return {"obs": np.concatenate(obs_rows).astype(np.float32), "actions": np.concatenate(act_rows),
            "returns": np.concatenate(ret_rows), "agent": np.concatenate(agent_rows)}


def reward_scale(demo: dict[str, np.ndarray]) -> float:
    """``1 / std`` of the demonstrations' discounted returns (1 if they do not vary).

    >>> reward_scale({"returns": np.array([-2.0, -4.0])})
    1.0
    """
    std = float(np.std(demo["returns"]))
    return 1.0 / std if std > 1e-8 else 1.0


def pretrain(module: Any, demo: dict[str, np.ndarray], scale: float = 1.0, epochs: int = 30, lr: float = 1e-3,
             batch: int = 512, seed: int = 0) -> dict[str, float]:
    """Fit ``module`` (a :class:`~agents.rllib.module.SatPPOModule`) to the demonstrations in place:
    actor by masked cross-entropy, critic on the returns x ``scale`` (standardised, with the
    module's ``value_shift`` / ``value_scale`` set to their mean and std). Returns the final
    losses and the agreement with the teacher on the decisions that matter (slots with a task)."""
    import torch
    from ray.rllib.core.columns import Columns

    from agents.rllib.module import LOCAL

    gen = torch.Generator().manual_seed(int(seed))
    obs = torch.as_tensor(demo["obs"], dtype=torch.float32)
    n, K, n_choices = obs.shape[0], module.K, module.nvec[0]
    actions = torch.as_tensor(demo["actions"], dtype=torch.long)
    if actions.shape[1] != K:
        raise ValueError(f"pretrain: demonstrations have {actions.shape[1]} decision slots, the module {K}")
    returns = torch.as_tensor(demo["returns"] * scale, dtype=torch.float32)
    shift, spread = returns.mean(), returns.std().clamp_min(1e-6)
    with torch.no_grad():
        module.value_shift.fill_(float(shift))
        module.value_scale.fill_(float(spread))
        # a forbidden teacher choice (e.g. an offload out of reach, run on board by the env) -> local
        probe = module.masked_logits(obs, torch.zeros(n, sum(module.nvec))).reshape(n, K, n_choices)
        allowed = probe.gather(-1, actions.clamp(0, n_choices - 1).unsqueeze(-1)).squeeze(-1) > -1.0
        actions = torch.where(allowed, actions, torch.full_like(actions, LOCAL))
        real = (probe > -1.0).sum(-1) > 1       # heads with a choice to make
    target_v = (returns - shift) / spread
    params = list(module.pi.parameters()) + list(module.vf.parameters())
    opt = torch.optim.Adam(params, lr=lr)
    module.train()
    for _ in range(int(epochs)):
        order = torch.randperm(n, generator=gen)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            batch_obs = {Columns.OBS: obs[idx]}
            logits = module._forward(batch_obs)[Columns.ACTION_DIST_INPUTS].reshape(len(idx), K, n_choices)
            logp = torch.log_softmax(logits, -1).gather(-1, actions[idx].unsqueeze(-1)).squeeze(-1)
            pi_loss = -logp.sum(-1).mean()
            v_loss = ((module.normalised_values(batch_obs) - target_v[idx]) ** 2).mean()
            opt.zero_grad()
            (pi_loss + v_loss).backward()
            opt.step()
    with torch.no_grad():
        logits = module._forward({Columns.OBS: obs})[Columns.ACTION_DIST_INPUTS].reshape(n, K, n_choices)
        greedy = logits.argmax(-1)
        agree = float((greedy == actions)[real].float().mean()) if bool(real.any()) else 1.0
        logp = torch.log_softmax(logits, -1).gather(-1, actions.unsqueeze(-1)).squeeze(-1)
        v_loss = float(((module.normalised_values({Columns.OBS: obs}) - target_v) ** 2).mean())
    return {"bc_loss": float(-logp.sum(-1).mean()), "value_loss": v_loss, "agreement": agree,
            "decisions": int(real.sum()), "samples": int(n), "return_mean": float(shift), "return_std": float(spread)}
