"""Batched envs: the array API (:class:`ArrayEnv`, B envs of one scenario with ``(B, n_agents,
...)`` arrays) and its Gymnasium vector view (:class:`CentralVectorEnv`).

:func:`array_env` builds the array API of any preset: the family's own batched core when its
:class:`~satgym.scenarios.Family` entry names one (``array_core``), else
:class:`ParallelEnvCore` over the family's PettingZoo env.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satgym.config.builder import with_load
from satgym.scenarios import family_of, make_config
from satgym.config.validation import check_threads
from satgym.vector.array_env import ArrayCore, ArrayEnv
from satgym.vector.parallel_core import ParallelEnvCore

#: families whose batched core can step its envs on several threads (``threads=``)
THREADED_FAMILIES = ("leoedge",)

__all__ = ["THREADED_FAMILIES", "ArrayCore", "ArrayEnv", "CentralVectorEnv", "ParallelEnvCore", "array_env", "make_core"]


def make_core(scenario: str | Any = "leoedge", n_envs: int = 1, config: Mapping[str, Any] | str | None = None,
              load: str | None = None, generic: bool = False, threads: int = 1) -> ArrayCore:
    """The family's batched core for ``n_envs`` envs (``generic=True``: the PettingZoo-backed one).
    ``threads`` > 1 steps the envs on that many threads (families whose core is compiled:
    :data:`THREADED_FAMILIES`); the results do not depend on it. The worker threads spin ~0.25 ms
    on their cores after every step before they sleep, live until ``close()``, and are not copied
    into a forked process (:mod:`satgym.core.spin_team`)."""
    if isinstance(n_envs, bool) or not isinstance(n_envs, int) or n_envs < 1:
        raise ValueError(f"n_envs: must be an int >= 1, got {n_envs!r}")
    threads = check_threads(threads)
    fam = family_of(scenario)
    if threads != 1 and (generic or fam.name not in THREADED_FAMILIES):
        raise ValueError(f"threads: the {fam.name!r} family's array core steps its envs on one thread; "
                         f"threads > 1 is supported for {', '.join(THREADED_FAMILIES)} (got {threads!r})")
    cfg = make_config(scenario, with_load(config, load))
    if fam.array_core and not generic:
        core = fam.load(fam.array_core)
        return core(cfg, n_envs, threads=threads) if fam.name in THREADED_FAMILIES else core(cfg, n_envs)
    env_class = fam.load(fam.env_class)
    return ParallelEnvCore(lambda: env_class(cfg), n_envs)


def array_env(scenario: str | Any = "leoedge", n_envs: int = 1, config: Mapping[str, Any] | str | None = None,
              load: str | None = None, threads: int = 1) -> ArrayEnv:
    """:class:`ArrayEnv` of ``n_envs`` envs of a preset (name or config) with overrides;
    ``threads``: see :func:`make_core`."""
    return ArrayEnv(make_core(scenario, n_envs, config, load, threads=threads))


def __getattr__(name: str):
    if name == "CentralVectorEnv":
        from satgym.vector.gym_vector import CentralVectorEnv

        return CentralVectorEnv
    raise AttributeError(name)
