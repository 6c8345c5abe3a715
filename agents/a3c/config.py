"""A3C hyper-parameters and run settings, one frozen dataclass (validated).

>>> A3CConfig(workers=2).n_steps
20
>>> A3CConfig(workers=0)
Traceback (most recent call last):
...
ValueError: workers: must be >= 1, got 0
>>> episode_seed(0, 0), episode_seed(0, 1), episode_seed(5, 1)
(100003, 200006, 200011)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from satgym.config.builder import with_episode_steps


@dataclass(frozen=True)
class A3CConfig:
    """Everything a run needs; saved as ``config.json`` next to the checkpoint.

    ``total_steps`` counts environment steps summed over workers (each step decides for all
    satellites), for this run segment (a resumed run trains ``total_steps`` more). Episodes are
    numbered over the whole run (:func:`episode_seed` gives each its env seed), so no task stream is
    used twice, across workers, worker restarts and resumes.

    ``asynchrony``: what runs asynchronously.

    * ``"env"`` (default): each worker process steps its own env copy with every satellite and
      updates every satellite's learner from that copy (Hogwild over env copies: the satellites of
      one worker move in lockstep);
    * ``"satellite"``: learner ``k`` is updated only by worker ``k % workers``, from that worker's
      own env copy, in which the other satellites act with the current shared weights (sampled, no
      gradient). With ``workers == n_sats`` every satellite learns from its own, separate
      environment interactions at its own pace (the LEOEdge paper's description of its A3C
      baseline, Sec. IX); with fewer workers, the satellites of one worker share its cadence.

    ``mask_hold``: the learners decide only between 0 local and 1 offload (the LEOEdge paper's
    binary A3C action); the logit of 2 hold is masked to -inf in training and at evaluation.
    ``overrides``: nested env-config overrides for training (``satgym train --env-set``).
    ``max_worker_restarts``: a worker process that dies (killed, crashed, or raised) is restarted
    from the shared model up to this many times per run segment; one more death ends the run with
    a final checkpoint and an error naming the worker.
    """

    scenario: str = "leoedge"
    load: str = "normal"
    overrides: dict[str, Any] = field(default_factory=dict)
    episode_steps: int = 200
    workers: int = 2
    total_steps: int = 20_000
    n_steps: int = 20            # rollout length of the n-step returns
    gamma: float = 0.99
    lr: float = 5e-4
    entropy_coef: float = 0.01
    value_coef: float = 0.5
    max_grad_norm: float = 10.0
    hidden: int = 64
    reward_scale: float = 1.0
    seed: int = 0
    max_minutes: float | None = None
    checkpoint_every_s: float = 60.0
    progress_every_s: float = 10.0
    start_method: str = "spawn"
    mask_hold: bool = False
    asynchrony: str = "env"
    max_worker_restarts: int = 3

    def __post_init__(self) -> None:
        for name in ("episode_steps", "workers", "total_steps", "n_steps", "hidden"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name}: must be >= 1, got {getattr(self, name)}")
        if not 0.0 < self.gamma <= 1.0:
            raise ValueError(f"gamma: must be in (0, 1], got {self.gamma}")
        if self.lr <= 0:
            raise ValueError(f"lr: must be > 0, got {self.lr}")
        if self.load not in ("light", "normal", "heavy"):
            raise ValueError(f"load: {self.load!r} is not valid; choose one of light, normal, heavy")
        if self.asynchrony not in ASYNCHRONY:
            raise ValueError(f"asynchrony: {self.asynchrony!r} is not valid; choose one of {', '.join(ASYNCHRONY)}")
        if self.max_worker_restarts < 0:
            raise ValueError(f"max_worker_restarts: must be >= 0, got {self.max_worker_restarts}")
        if self.start_method not in ("spawn", "fork", "forkserver"):
            raise ValueError(f"start_method: {self.start_method!r} is not valid; choose one of spawn, fork, forkserver")

    def env_overrides(self) -> dict[str, Any]:
        """The env config: ``overrides`` with ``episode.steps`` set (a deep-enough copy)."""
        return with_episode_steps(self.overrides, self.episode_steps)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


SEED_STRIDE = 100_003
ASYNCHRONY = ("env", "satellite")
#: fields a resumed run may change (budget, resources, reporting); every other field is the checkpoint's
RUN_CONTROL = ("workers", "total_steps", "max_minutes", "checkpoint_every_s", "progress_every_s", "start_method",
               "max_worker_restarts")


def episode_seed(seed: int, episode: int) -> int:
    """Env seed of episode ``episode`` (numbered over the whole run) of the run seeded ``seed``."""
    return seed + SEED_STRIDE * (episode + 1)
