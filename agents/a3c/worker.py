"""One asynchronous A3C worker: its own env copy, a local model, Hogwild updates of the shared one.

Per rollout of at most ``n_steps`` env steps the worker syncs its local copy from the shared
model, samples every satellite's ``K`` slot decisions from its own learner, and computes for
each satellite ``k`` (shared reward ``r_t``, own value ``V_k``) the n-step return
``R_t = r_t + gamma * R_{t+1}`` bootstrapped from ``V_k(s_T)`` (also at the time limit: a
truncation, not a terminal state). The loss of learner ``k`` is
``-log pi_k(a_t|s_t) * (R_t - V_k(s_t)) - beta * H(pi_k) + c_v * (R_t - V_k(s_t))^2``, where
``log pi`` and ``H`` sum over the *occupied* decision slots only (empty slots are ignored by the
env). Gradients are clipped per learner, written into the shared parameters, and the shared
Adam steps without a lock (Hogwild).

With ``mask_hold`` the hold logit is masked (:func:`agents.a3c.model.mask_hold`) before sampling,
so the learners only choose local or offload and the policy gradient never pushes on hold.
"""

from __future__ import annotations

import os
import time
import traceback
from typing import Any

import numpy as np

EPISODE_FIELDS = ("worker", "episode", "global_step", "return", "mean_execution_time_s", "mean_edge_load",
                  "failed", "completed", "generated", "wall_s")


def slot_present_index(K: int) -> np.ndarray:
    """Observation indices of the ``slot{k}_present`` fields.

    >>> slot_present_index(2).tolist()
    [22, 27]
    """
    from satgym.envs.observation import field_names

    names = field_names(K)
    return np.array([names.index(f"slot{k}_present") for k in range(K)])


def worker_main(rank: int, cfg_dict: dict[str, Any], shared_model, opt_state: list[dict], counter, lock,
                queue, stop) -> None:
    """Process entry point; reports ``("episode", row)`` / ``("done", rank)`` / ``("error", text)``."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        _run(rank, cfg_dict, shared_model, opt_state, counter, lock, queue, stop)
        queue.put(("done", rank))
    except Exception:  # report, so the parent fails loudly instead of waiting
        queue.put(("error", f"worker {rank}:\n{traceback.format_exc()}"))


def _run(rank, cfg_dict, shared_model, opt_state, counter, lock, queue, stop) -> None:
    import torch
    from torch.distributions import Categorical

    import satgym
    from agents.a3c.config import SEED_STRIDE, A3CConfig
    from agents.a3c.model import SatelliteLearners, mask_hold, squash
    from agents.a3c.shared_adam import SharedAdam

    torch.set_num_threads(1)
    cfg = A3CConfig(**cfg_dict)
    torch.manual_seed(cfg.seed + SEED_STRIDE * (rank + 1))
    env = satgym.parallel_env(cfg.scenario, cfg.env_overrides(), load=cfg.load)
    agents = list(env.possible_agents)
    local = SatelliteLearners(**shared_model.spec())
    opt = SharedAdam(shared_model.parameters(), lr=cfg.lr, shared_state=opt_state)
    present_idx = torch.as_tensor(slot_present_index(local.K))
    t0 = time.perf_counter()

    episode = 0
    obs, _ = env.reset(seed=cfg.seed + SEED_STRIDE * (rank + 1) + episode)
    m = np.stack([obs[a] for a in agents])
    ep_return = 0.0
    while counter.value < cfg.total_steps and not stop.is_set():
        local.load_state_dict(shared_model.state_dict())
        logps, ents, values, rewards = [], [], [], []
        done = False
        for _ in range(cfg.n_steps):
            x = squash(m)
            logits, v = local(x)
            dist = Categorical(logits=mask_hold(logits) if cfg.mask_hold else logits)
            a = dist.sample()                                   # (n_sats, K)
            mask = (x[:, present_idx] > 0).float()              # occupied decision slots
            logps.append((dist.log_prob(a) * mask).sum(-1))
            ents.append((dist.entropy() * mask).sum(-1))
            values.append(v)
            obs, rew, _, trunc, _ = env.step(dict(zip(agents, a.numpy())))
            r = float(rew[agents[0]])
            ep_return += r
            rewards.append(r * cfg.reward_scale)
            m = np.stack([obs[a_] for a_ in agents])
            if any(trunc.values()):
                done = True
                break
        with torch.no_grad():
            R = local(squash(m))[1]                              # bootstrap (time limit = truncation)
        policy_loss = value_loss = entropy = 0.0
        for t in reversed(range(len(rewards))):
            R = rewards[t] + cfg.gamma * R
            adv = R - values[t]
            policy_loss = policy_loss - (logps[t] * adv.detach()).sum()
            value_loss = value_loss + adv.pow(2).sum()
            entropy = entropy + ents[t].sum()
        loss = policy_loss + cfg.value_coef * value_loss - cfg.entropy_coef * entropy
        local.zero_grad(set_to_none=True)
        loss.backward()
        for net in local.learners:                               # independent learners: clip each
            torch.nn.utils.clip_grad_norm_(net.parameters(), cfg.max_grad_norm)
        for lp, sp in zip(local.parameters(), shared_model.parameters()):
            sp.grad = lp.grad
        opt.step()                                               # Hogwild: no lock
        with lock:
            counter.value += len(rewards)
            step_now = counter.value
        if done:
            em = env.episode_metrics()
            queue.put(("episode", {
                "worker": rank, "episode": episode, "global_step": step_now, "return": ep_return,
                "mean_execution_time_s": em["mean_execution_time_s"], "mean_edge_load": em["mean_edge_load"],
                "failed": em["failed"], "completed": em["completed"], "generated": em["generated"],
                "wall_s": time.perf_counter() - t0,
            }))
            episode += 1
            ep_return = 0.0
            obs, _ = env.reset(seed=cfg.seed + SEED_STRIDE * (rank + 1) + episode)
            m = np.stack([obs[a_] for a_ in agents])
