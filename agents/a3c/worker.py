"""One asynchronous A3C worker: its own env copy, a local model, Hogwild updates of the shared one.

Per rollout of at most ``n_steps`` env steps the worker syncs its local copy from the shared
model, samples every satellite's ``K`` slot decisions from that satellite's learner, and computes
for each satellite ``k`` it *owns* (shared reward ``r_t``, own value ``V_k``) the n-step return
``R_t = r_t + gamma * R_{t+1}`` bootstrapped from ``V_k(s_T)`` (also at the time limit: a
truncation, not a terminal state). The loss of learner ``k`` is
``-log pi_k(a_t|s_t) * (R_t - V_k(s_t)) - beta * H(pi_k) + c_v * (R_t - V_k(s_t))^2``, where
``log pi`` and ``H`` sum over the *occupied* decision slots only (empty slots are ignored by the
env). Gradients are clipped per learner, written into the shared parameters of the owned learners
only, and the shared Adam steps without a lock (Hogwild; Adam skips parameters without a gradient).

A worker owns every satellite (``asynchrony="env"``) or the satellites ``k`` with
``k % workers == rank`` (``asynchrony="satellite"``); the others act with the current shared
weights but are not trained by this worker. See :class:`~agents.a3c.config.A3CConfig`.

With ``mask_hold`` the hold logit is masked (:func:`agents.a3c.model.mask_hold`) before sampling,
so the learners only choose local or offload and the policy gradient never pushes on hold.

**Seeds.** The worker's sampling seed is :func:`agents.resume.segment_seed` of the run seed, the
global step at which the segment started, the rank and the incarnation (restart count), so
neither a restarted worker nor a resumed run repeats an earlier worker's draws. Its ``j``-th
episode is episode ``n = first_episode + rank + workers * j`` of the run, with env seed
:func:`~agents.a3c.config.episode_seed` ``(seed, n)``; a restarted worker continues at its ``j``.

**Reporting** goes through the worker's own pipe (no lock shared with other workers, so a killed
worker cannot block them): ``("episode", row)``, ``("done", rank)`` or ``("error", text)``. Steps
are counted in the worker's own slot of a shared array (no lock either).
"""

from __future__ import annotations

import os
import time
import traceback
from typing import Any

import numpy as np

EPISODE_FIELDS = ("worker", "incarnation", "episode", "env_seed", "global_step", "return", "mean_execution_time_s",
                  "mean_edge_load", "failed", "completed", "generated", "wall_s")


def slot_present_index(K: int) -> np.ndarray:
    """Observation indices of the ``slot{k}_present`` fields.

    >>> slot_present_index(2).tolist()
    [22, 27]
    """
    from satgym.leoedge.observation import field_names

    names = field_names(K)
    return np.array([names.index(f"slot{k}_present") for k in range(K)])


def owned_satellites(n_sats: int, rank: int, workers: int, asynchrony: str) -> list[int]:
    """The satellites whose learners worker ``rank`` updates.

    >>> owned_satellites(5, 1, 2, "env"), owned_satellites(5, 1, 2, "satellite")
    ([0, 1, 2, 3, 4], [1, 3])
    """
    if asynchrony == "satellite":
        return list(range(rank, n_sats, workers))
    return list(range(n_sats))


def worker_main(rank: int, incarnation: int, cfg_dict: dict[str, Any], shared_model, opt_state: list[dict],
                steps, started, segment: dict[str, int], conn, stop) -> None:
    """Process entry point. ``steps[rank]``/``started[rank]``: env steps taken and episodes started by
    this rank in this segment; ``segment``: ``first_episode``, ``step0`` (global step at its start)."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        _run(rank, incarnation, cfg_dict, shared_model, opt_state, steps, started, segment, conn, stop)
        conn.send(("done", rank))
    except Exception:  # report, so the parent knows why (it restarts the worker or ends the run)
        conn.send(("error", f"worker {rank}:\n{traceback.format_exc()}"))
    finally:
        conn.close()


def _run(rank, incarnation, cfg_dict, shared_model, opt_state, steps, started, segment, conn, stop) -> None:
    import torch
    from torch.distributions import Categorical

    import satgym
    from agents.a3c.config import A3CConfig, episode_seed
    from agents.a3c.model import SatelliteLearners, mask_hold, squash
    from agents.a3c.shared_adam import SharedAdam
    from agents.resume import segment_seed

    torch.set_num_threads(1)
    cfg = A3CConfig(**cfg_dict)
    torch.manual_seed(segment_seed(cfg.seed, segment["step0"], rank + 1, incarnation))
    env = satgym.parallel_env(cfg.scenario, cfg.env_overrides(), load=cfg.load)
    agents = list(env.possible_agents)
    local = SatelliteLearners(**shared_model.spec())
    opt = SharedAdam(shared_model.parameters(), lr=cfg.lr, shared_state=opt_state)
    present_idx = torch.as_tensor(slot_present_index(local.K))
    owned = set(owned_satellites(len(agents), rank, cfg.workers, cfg.asynchrony))
    own = torch.zeros(len(agents))
    own[sorted(owned)] = 1.0
    t0 = time.perf_counter()

    def new_episode() -> tuple[int, int, np.ndarray]:
        j = started[rank]
        started[rank] = j + 1
        n = segment["first_episode"] + rank + cfg.workers * j
        seed = episode_seed(cfg.seed, n)
        obs, _ = env.reset(seed=seed)
        return n, seed, np.stack([obs[a] for a in agents])

    episode, seed, m = new_episode()
    ep_return = 0.0
    while sum(steps[:]) < cfg.total_steps and not stop.value:
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
            policy_loss = policy_loss - (logps[t] * adv.detach() * own).sum()
            value_loss = value_loss + (adv.pow(2) * own).sum()
            entropy = entropy + (ents[t] * own).sum()
        loss = policy_loss + cfg.value_coef * value_loss - cfg.entropy_coef * entropy
        local.zero_grad(set_to_none=True)
        loss.backward()
        for k in owned:                                          # independent learners: clip each
            torch.nn.utils.clip_grad_norm_(local.learners[k].parameters(), cfg.max_grad_norm)
        for k, (net, shared_net) in enumerate(zip(local.learners, shared_model.learners)):
            for lp, sp in zip(net.parameters(), shared_net.parameters()):
                sp.grad = lp.grad if k in owned else None        # Adam skips the learners this worker does not own
        opt.step()                                               # Hogwild: no lock
        steps[rank] += len(rewards)                              # this rank's own slot: no lock needed
        if done:
            em = env.episode_metrics()
            conn.send(("episode", {
                "worker": rank, "incarnation": incarnation, "episode": episode, "env_seed": seed,
                "global_step": segment["step0"] + sum(steps[:]), "return": ep_return,
                "mean_execution_time_s": em["mean_execution_time_s"], "mean_edge_load": em["mean_edge_load"],
                "failed": em["failed"], "completed": em["completed"], "generated": em["generated"],
                "wall_s": time.perf_counter() - t0,
            }))
            ep_return = 0.0
            episode, seed, m = new_episode()
