"""Resuming a training run (``satgym train --resume PATH``), the same way for every algorithm.

A resumed run is the same run, continued:

* **Its settings come from the checkpoint**: scenario, load, episode length, env overrides
  (``--env-set``), seed, action options (A3C ``--mask-hold``, ``--asynchrony``), learning
  hyper-parameters (RLlib ``--train-batch``, ``--minibatch``, ``--epochs``, ``--lr``; A3C ``--lr``;
  SB3 ``--workers``, the number of env copies its rollout buffer is shaped for). A flag left out
  takes the checkpoint's value; a flag that differs from it is an error naming the flag
  (:func:`merge`). The budget (``--iterations``, ``--timesteps``: this many more), resources
  (A3C ``--workers``, ``--num-env-runners``, ``--num-cpus``, ``--address``; the checkpoint's
  runner and worker counts if left out) and output options may change.
* **Its counters continue** (RLlib iterations and env steps; A3C global steps and episode indices;
  SB3 timesteps and episode indices) and its logs are appended to; ``--out`` defaults to the
  checkpoint's run directory.
* **No random stream is replayed**: each segment draws its seeds from the run's seed and the
  checkpoint's counters (:func:`segment_seed`), so the first episode after a resume is a new one.

:func:`read_run` tells the checkpoint kinds apart by their files (no torch or Ray import):
RLlib ``OUT/checkpoints/iter_N`` (``satgym_marl.json``), A3C ``OUT`` or ``OUT/checkpoint.pt``
(``config.json``), SB3 ``OUT`` or ``OUT/model.zip`` (``sb3_meta.json``).

>>> segment_seed(7), segment_seed(7, 0, 0)          # a fresh run keeps its own seed
(7, 7)
>>> segment_seed(7, 3) == segment_seed(7, 3) != segment_seed(7, 4)
True
>>> merge({"load": "heavy", "seed": 0}, {"load": None, "seed": 0})
{'load': 'heavy', 'seed': 0}
>>> merge({"load": "heavy"}, {"load": "normal"}, {"load": "--load"})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: --load: the checkpoint was trained with 'heavy', not 'normal'; a resumed run keeps ...
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: ``satgym train`` destinations a checkpoint can pin, and their flags (others: ``--`` + dest)
FLAGS = {"overrides": "--env-set"}


def segment_seed(seed: int, *counters: int) -> int:
    """The seed of the run segment that starts at ``counters`` (checkpoint iteration, steps, ...).

    ``seed`` itself while every counter is 0 (a fresh run is seeded as before); otherwise a 31-bit
    seed drawn by ``numpy.random.SeedSequence([seed, *counters])``: distinct counters give unrelated
    streams, and there is headroom for the small offsets libraries add (RLlib adds the runner index).
    """
    if not any(counters):
        return int(seed)
    import numpy as np

    return int(np.random.SeedSequence([int(seed), *(int(c) for c in counters)]).generate_state(1)[0] >> 1)


def flag(dest: str) -> str:
    """The command-line flag of a ``satgym train`` destination.

    >>> flag("episode_steps"), flag("overrides")
    ('--episode-steps', '--env-set')
    """
    return FLAGS.get(dest, "--" + dest.replace("_", "-"))


def merge(saved: Mapping[str, Any], given: Mapping[str, Any], names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``saved`` with every key checked against ``given``: a given value (not None) must equal the saved one.

    Returns ``saved`` as a dict. ValueError naming the first differing key (by ``names[key]``, e.g. its
    flag) and both values; nothing is changed then.
    """
    names = names or {}
    for key, value in saved.items():
        want = given.get(key)
        if want is not None and want != value:
            name = names.get(key, key)
            raise ValueError(f"{name}: the checkpoint was trained with {value!r}, not {want!r}; a resumed run keeps "
                             f"the checkpoint's settings (leave {name} out)")
    return dict(saved)


def resolve(args: Any) -> Any:
    """Fill a ``satgym train`` namespace from the checkpoint of ``args.resume`` (no-op without one).

    Sets ``args.algo`` and every setting the checkpoint pins (:func:`read_run`); resources it does not
    pin (RLlib ``num_env_runners``, A3C ``workers``) and ``args.out`` (the checkpoint's run directory)
    only if they are unset. ValueError naming the flag if ``--algo``, ``--env-set``
    or another pinned flag was given with a different value. Idempotent (each backend calls it again).
    """
    if not getattr(args, "resume", None):
        return args
    run = read_run(args.resume)
    if getattr(args, "algo", None) not in (None, run["algo"]):
        raise ValueError(f"--algo: {args.resume!r} is a checkpoint of --algo {run['algo']}, not {args.algo} "
                         f"(leave --algo out to continue it)")
    given = {key: getattr(args, key, None) for key in run["values"]}
    given["overrides"] = getattr(args, "overrides", None) or None  # no --env-set: {} means "not given"
    for key, value in merge(run["values"], given, {k: flag(k) for k in run["values"]}).items():
        setattr(args, key, value)
    args.algo = run["algo"]
    for key, value in {**run["resources"], "out": run["run_dir"]}.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    return args


def read_run(path: str | os.PathLike) -> dict[str, Any]:
    """What a checkpoint was trained with: ``{"algo", "run_dir", "values", "resources"}``.

    ``values`` maps ``satgym train`` destinations (``scenario``, ``load``, ``episode_steps``,
    ``overrides``, ``seed``, ``lr``, ...) to the checkpoint's values, which a resumed run keeps;
    ``resources`` the ones it may change (defaults for it); ``run_dir`` is the ``--out`` of the run
    that wrote it. ValueError if ``path`` is not a satgym checkpoint.
    """
    from agents.a3c.train import CHECKPOINT
    from agents.rllib.policy import META_FILE as RLLIB_META
    from agents.sb3.train import META_FILE as SB3_META, MODEL_FILE

    p = Path(path).expanduser()
    if (p / RLLIB_META).is_file():
        return _rllib_run(p, json.loads((p / RLLIB_META).read_text()))
    a3c = p / CHECKPOINT if p.is_dir() else p
    if a3c.name == CHECKPOINT and a3c.is_file():
        return _a3c_run(a3c)
    sb3 = p / MODEL_FILE if p.is_dir() else p
    if sb3.name == MODEL_FILE and (sb3.parent / SB3_META).is_file():
        return _sb3_run(sb3.parent, json.loads((sb3.parent / SB3_META).read_text()))
    raise ValueError(f"--resume: {str(path)!r} is not a satgym checkpoint; give an RLlib OUT/checkpoints/iter_N "
                     f"(or .../latest), an A3C run directory or its {CHECKPOINT}, or an SB3 run directory or its "
                     f"{MODEL_FILE}")


def _rllib_run(path: Path, meta: dict[str, Any]) -> dict[str, Any]:
    env = meta["env_config"]
    values = {"scenario": env["scenario"], "load": env["load"], "episode_steps": env["episode_steps"],
              "overrides": dict(env.get("overrides") or {})}
    settings = dict(meta.get("settings") or {})
    resources = {"num_env_runners": settings.pop("num_env_runners")} if "num_env_runners" in settings else {}
    values.update(settings)
    parent = path.absolute().parent
    run_dir = parent.parent if parent.name == "checkpoints" else parent
    return {"algo": meta["algo"], "run_dir": str(run_dir), "values": values, "resources": resources}


def _a3c_run(checkpoint: Path) -> dict[str, Any]:
    from agents.a3c.config import RUN_CONTROL

    config_json = checkpoint.parent / "config.json"
    if config_json.is_file():
        cfg = json.loads(config_json.read_text())
    else:  # a checkpoint copied without its config.json: the config inside it
        from agents.a3c.train import load_checkpoint

        cfg = load_checkpoint(checkpoint)["config"]
    cfg.pop("spec", None)
    values = {k: v for k, v in cfg.items() if k not in RUN_CONTROL}
    return {"algo": "a3c", "run_dir": str(checkpoint.absolute().parent), "values": values,
            "resources": {"workers": cfg["workers"]}}


def _sb3_run(run_dir: Path, meta: dict[str, Any]) -> dict[str, Any]:
    values = {k: meta[k] for k in ("scenario", "load", "episode_steps", "seed", "view", "agent", "others_policy",
                                   "binary") if k in meta}
    values["overrides"] = dict(meta.get("overrides") or {})
    if "n_envs" in meta:
        values["workers"] = meta["n_envs"]
    return {"algo": meta["algo"], "run_dir": str(run_dir.absolute()), "values": values, "resources": {}}
