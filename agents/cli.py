"""``satgym train``: train satgym agents (RLlib PPO variants, A3C, Stable-Baselines3).

``--algo ppo`` (default; shared-parameter multi-agent PPO), ``mappo`` (centralised critic),
``ippo`` (one module per satellite) run on RLlib's new API stack (:mod:`agents.rllib.train`);
``a3c`` dispatches to ``agents.a3c.train.run`` and ``sb3-ppo|sb3-a2c|sb3-supersuit`` to
``agents.sb3.train.run``. Nothing heavy is imported until the subcommand runs.

Example::

    satgym train --algo ppo --scenario leoedge --load heavy --iterations 20 --out runs/ppo_heavy
    satgym train --resume runs/ppo_heavy/checkpoints/latest --iterations 5     # 5 more, same settings
    satgym train --algo ppo --load heavy --env-set reward.latency_weight=1 --env-set reward.advantage_weight=0

``--env-set KEY=VALUE`` (repeatable) overrides the env config for training, for every algo
(dotted keys, values parsed as YAML; see :mod:`agents.overrides`). Unknown keys are rejected
before training starts. The overrides are saved with the checkpoint (RLlib ``satgym_marl.json``,
A3C ``config.json``/``checkpoint.pt``, SB3 ``sb3_meta.json``); evaluation (``satgym compare``)
builds its own env, i.e. the default reward.

``--resume PATH`` continues the run of any algo's checkpoint with that checkpoint's settings;
a flag that differs from them is an error naming it (:mod:`agents.resume`). A flag an algo
would ignore (``--mask-hold`` with PPO, ``--timesteps`` with RLlib ...) is an error too.

>>> p = argparse.ArgumentParser(); sub = p.add_subparsers(dest="command")
>>> add_parser(sub)
>>> a = p.parse_args(["train", "--algo", "ippo", "--iterations", "2"])
>>> (a.algo, a.iterations, a.handler is run)
('ippo', 2, True)
>>> p.parse_args(["train", "--env-set", "reward.latency_weight=1", "--env-set", "reward.advantage_weight=0"]).env_set
[(['reward', 'latency_weight'], 1), (['reward', 'advantage_weight'], 0)]
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

ALGOS = ("ppo", "mappo", "ippo", "a3c", "sb3-ppo", "sb3-a2c", "sb3-supersuit")
# algo -> module exposing run(args) -> int
BACKENDS = {"ppo": "agents.rllib.train", "mappo": "agents.rllib.train", "ippo": "agents.rllib.train",
            "a3c": "agents.a3c.train", "sb3-ppo": "agents.sb3.train", "sb3-a2c": "agents.sb3.train",
            "sb3-supersuit": "agents.sb3.train"}


RLLIB = ("ppo", "mappo", "ippo")
SB3 = ("sb3-ppo", "sb3-a2c", "sb3-supersuit")
#: flags that only some algos read (dest -> algos); given for another algo they are an error, not ignored
ONLY_FOR = {"num_env_runners": RLLIB, "num_cpus": RLLIB, "address": RLLIB, "checkpoint_every": RLLIB,
            "train_batch": RLLIB, "minibatch": RLLIB, "epochs": RLLIB, "lr": (*RLLIB, "a3c"),
            "timesteps": ("a3c", *SB3), "workers": ("a3c", *SB3), "mask_hold": ("a3c",), "asynchrony": ("a3c",),
            "binary": (*RLLIB, *SB3), "action_mask": RLLIB, "estimates": RLLIB, "bc_teacher": RLLIB,
            "bc_episodes": RLLIB, "bc_epochs": RLLIB, "entropy_coeff": RLLIB}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """``satgym train``. Flags left unset take the algorithm's defaults, or the checkpoint's with ``--resume``."""
    p = subparsers.add_parser("train", help="train RL agents (RLlib PPO/MAPPO/IPPO, A3C, SB3)",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("--algo", choices=ALGOS, default=None,
                   help="ppo: shared-parameter multi-agent PPO (default); mappo: centralised critic; "
                        "ippo: one policy per satellite; a3c; sb3-ppo, sb3-a2c, sb3-supersuit "
                        "(with --resume: the checkpoint's)")
    p.add_argument("--scenario", default=None, help="scenario preset (default leoedge)")
    p.add_argument("--load", default=None, choices=("light", "normal", "heavy"), help="task load (default normal)")
    p.add_argument("--iterations", type=int, default=None,
                   help="RLlib: training iterations (default 10); A3C: episodes per worker; SB3: episodes")
    p.add_argument("--timesteps", type=int, default=None,
                   help="A3C: env steps over all workers; SB3: timesteps (default 20000; not with --iterations)")
    p.add_argument("--episode-steps", type=int, default=None, help="steps per training episode (default 200)")
    p.add_argument("--seed", type=int, default=None, help="run seed (default 0)")
    p.add_argument("--out", default=None,
                   help="output dir: checkpoints, metrics/episode logs, tb/ (default runs/train; with --resume "
                        "the checkpoint's run dir)")
    p.add_argument("--resume", default=None, metavar="PATH",
                   help="continue the run of this checkpoint (RLlib OUT/checkpoints/latest, A3C or SB3 run dir) for "
                        "--iterations/--timesteps more: its algo, scenario, load, --env-set overrides, episode steps, "
                        "seed, action options and hyper-parameters (a flag that differs is an error); counters "
                        "continue, logs are appended to, and the new segment draws fresh seeds")
    p.add_argument("--num-env-runners", type=int, default=None,
                   help="RLlib remote env runners (default 0: sample in the driver, where an env failure ends the "
                        "run; >= 1: a failed runner is restarted with the current weights and the iteration "
                        "still samples a full batch)")
    p.add_argument("--num-cpus", type=int, default=None,
                   help="RLlib: CPUs of the local Ray (default: all cores of this machine); one per env runner")
    p.add_argument("--address", default=None, help="RLlib: attach to an existing Ray cluster instead of a local one")
    p.add_argument("--workers", type=int, default=None,
                   help="A3C worker processes (default 2); SB3 env copies (default 1)")
    p.add_argument("--asynchrony", default=None, choices=("env", "satellite"),
                   help="A3C: env (default): each worker updates every satellite's learner from its env copy; "
                        "satellite: learner k only by worker k %% workers (one worker per satellite: per-satellite "
                        "asynchrony)")
    p.add_argument("--checkpoint-every", type=int, default=None,
                   help="RLlib: checkpoint every K iterations (default 10)")
    p.add_argument("--train-batch", type=int, default=None, help="RLlib: env steps per iteration (default 1000)")
    p.add_argument("--minibatch", type=int, default=None,
                   help="RLlib: SGD minibatch, <= --train-batch (default half of it)")
    p.add_argument("--epochs", type=int, default=None, help="RLlib: SGD epochs per iteration (default 4)")
    p.add_argument("--lr", type=float, default=None, help="RLlib: learning rate (default 3e-4); A3C (default 5e-4)")
    p.add_argument("--env-set", action="append", default=[], type=_env_set_item, metavar="KEY=VALUE",
                   help="env config override for training, repeatable; dotted KEY, YAML VALUE "
                        "(e.g. --env-set reward.latency_weight=1 --env-set reward.advantage_weight=0)")
    p.add_argument("--mask-hold", action=argparse.BooleanOptionalAction, default=None,
                   help="A3C: decide only local/offload (the paper's binary action; the hold logit is masked)")
    p.add_argument("--binary", action=argparse.BooleanOptionalAction, default=None,
                   help="RLlib, SB3: decide only local/offload (the paper's binary action; A3C: --mask-hold)")
    p.add_argument("--action-mask", action=argparse.BooleanOptionalAction, default=None,
                   help="RLlib: mask the logits of empty decision slots and unreachable offloads "
                        "(default: on for the LEOEdge family, off for the others)")
    p.add_argument("--estimates", action=argparse.BooleanOptionalAction, default=None,
                   help="RLlib: per-slot on-board and edge completion estimates as extra features")
    p.add_argument("--bc-teacher", default=None, metavar="POLICY",
                   help="RLlib: warm start by behaviour cloning from this registered policy's decisions (e.g. leoedge), "
                        "with a critic warm-up and reward/value normalisation (agents.rllib.imitation)")
    p.add_argument("--bc-episodes", type=int, default=None, help="RLlib: teacher episodes for --bc-teacher (default 20)")
    p.add_argument("--bc-epochs", type=int, default=None, help="RLlib: behaviour-cloning epochs (default 30)")
    p.add_argument("--entropy-coeff", type=float, default=None, help="RLlib: PPO entropy coefficient (default 0.01)")
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(handler=run)


def _env_set_item(item: str):
    """argparse ``type`` of ``--env-set``: ``(path, value)``; a malformed item is an argparse error."""
    from agents.overrides import parse_item

    try:
        return parse_item(item)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--env-set: ")) from None


def env_overrides(args: argparse.Namespace) -> dict:
    """The nested override dict of ``args.env_set``, validated against ``args.scenario``.

    ValueError naming the key if it is unknown (raised before any backend is imported).
    """
    from agents.overrides import set_nested, validate

    out: dict = {}
    for path, value in getattr(args, "env_set", None) or ():  # (path, value) pairs from _env_set_item
        set_nested(out, path, value)
    validate(out, getattr(args, "scenario", "leoedge") or "leoedge")
    return out


def check_flags(args: argparse.Namespace) -> None:
    """ValueError naming a flag that the chosen algo would ignore (see :data:`ONLY_FOR`), or a local
    Ray too small for ``--num-env-runners`` (one CPU each)."""
    from agents.resume import flag

    for dest, algos in ONLY_FOR.items():
        if getattr(args, dest, None) is not None and args.algo not in algos:
            raise ValueError(f"{flag(dest)}: only for --algo {', '.join(algos)} (got --algo {args.algo})")
    if args.address and args.num_cpus is not None:
        raise ValueError("--num-cpus: sizes a local Ray only (not with --address)")
    runners = args.num_env_runners or 0
    if args.algo in RLLIB and not args.address:
        from satgym.ray_session import machine_cpus

        cpus = args.num_cpus or machine_cpus()
        if runners > cpus:
            raise ValueError(f"--num-env-runners: {runners} env runners need {runners} CPUs (one each), the local Ray "
                             f"has {cpus} (--num-cpus); lower --num-env-runners or raise --num-cpus")


def run(args: argparse.Namespace) -> int:
    """Resolve the flags (``--resume``: from the checkpoint) and dispatch to the backend of the algo.

    Every error in the flags (an unknown ``--env-set`` key, a flag the algo would ignore, a flag
    that differs from the resumed checkpoint's) is reported before a backend is imported.
    """
    from agents.resume import resolve

    try:
        args.overrides = env_overrides(args)  # unknown keys fail here, before anything is imported or trained
        resolve(args)                         # --resume: the checkpoint's algo and settings
        args.algo = args.algo or ALGOS[0]
        check_flags(args)
    except ValueError as exc:
        print(f"satgym train: {exc}", file=sys.stderr)
        return 2
    if not args.address:  # a local Ray stays on loopback; Ray reads this at import time
        from satgym.ray_session import loopback_env

        loopback_env()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    module = BACKENDS[args.algo]
    try:
        backend = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            print(f"satgym train: --algo {args.algo} needs {module}, which is not installed in this "
                  f"checkout", file=sys.stderr)
            return 2
        if exc.name in ("ray", "torch", "stable_baselines3", "supersuit"):
            print(f"satgym train: --algo {args.algo} needs the '{exc.name}' package: pip install -e '.[rl]'",
                  file=sys.stderr)
            return 2
        raise
    return int(backend.run(args) or 0)
