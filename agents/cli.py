"""``satgym train``: train satgym agents (RLlib PPO variants, A3C, Stable-Baselines3).

``--algo ppo`` (default; shared-parameter multi-agent PPO), ``mappo`` (centralised critic),
``ippo`` (one module per satellite) run on RLlib's new API stack (:mod:`agents.rllib.train`);
``a3c`` dispatches to ``agents.a3c.train.run`` and ``sb3-ppo|sb3-a2c|sb3-supersuit`` to
``agents.sb3.train.run``. Nothing heavy is imported until the subcommand runs.

Example::

    satgym train --algo ppo --scenario leoedge --load heavy --iterations 20 --out runs/ppo_heavy
    satgym train --algo mappo --iterations 5 --resume runs/mappo/checkpoints/latest --out runs/mappo
    satgym train --algo ppo --load heavy --env-set reward.latency_weight=1 --env-set reward.advantage_weight=0

``--env-set KEY=VALUE`` (repeatable) overrides the env config for training, for every algo
(dotted keys, values parsed as YAML; see :mod:`agents.overrides`). Unknown keys are rejected
before training starts. The overrides are saved with the checkpoint (RLlib ``satgym_marl.json``,
A3C ``config.json``/``checkpoint.pt``, SB3 ``sb3_meta.json``); evaluation (``satgym compare``)
builds its own env, i.e. the default reward.

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

from agents.rllib.registry import register as _register_policies

_register_policies()  # marl:PATH for `satgym compare` (works even if `agents` is a namespace package)

ALGOS = ("ppo", "mappo", "ippo", "a3c", "sb3-ppo", "sb3-a2c", "sb3-supersuit")
# algo -> module exposing run(args) -> int
BACKENDS = {"ppo": "agents.rllib.train", "mappo": "agents.rllib.train", "ippo": "agents.rllib.train",
            "a3c": "agents.a3c.train", "sb3-ppo": "agents.sb3.train", "sb3-a2c": "agents.sb3.train",
            "sb3-supersuit": "agents.sb3.train"}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("train", help="train RL agents (RLlib PPO/MAPPO/IPPO, A3C, SB3)",
                              description=__doc__.split("\n\n")[0])
    p.add_argument("--algo", choices=ALGOS, default="ppo",
                   help="ppo: shared-parameter multi-agent PPO (default); mappo: centralised critic; "
                        "ippo: one policy per satellite; a3c; sb3-ppo, sb3-a2c, sb3-supersuit")
    p.add_argument("--scenario", default="leoedge", help="scenario preset (default leoedge)")
    p.add_argument("--load", default="normal", choices=("light", "normal", "heavy"), help="task load")
    p.add_argument("--iterations", type=int, default=10, help="training iterations (RLlib)")
    p.add_argument("--episode-steps", type=int, default=200, help="steps per training episode (default 200)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="runs/train", help="output dir: checkpoints, metrics.csv, tb/")
    p.add_argument("--resume", default=None, metavar="PATH", help="continue from this checkpoint for --iterations more (keeps its algo, scenario, load and "
                        "RLlib config; new rows are appended to OUT/metrics.csv)")
    p.add_argument("--num-env-runners", type=int, default=0,
                   help="RLlib remote env runners (0: sample in the driver; local Ray uses at most 2 CPUs)")
    p.add_argument("--address", default=None, help="attach to an existing Ray cluster instead of a local one")
    p.add_argument("--workers", type=int, default=2, help="A3C worker processes")
    p.add_argument("--timesteps", type=int, default=20_000, help="SB3 total timesteps")
    p.add_argument("--checkpoint-every", type=int, default=10, help="RLlib: checkpoint every K iterations")
    p.add_argument("--train-batch", type=int, default=None, help="RLlib: env steps per iteration (default 1000)")
    p.add_argument("--minibatch", type=int, default=None, help="RLlib: SGD minibatch, <= --train-batch (default half of it)")
    p.add_argument("--epochs", type=int, default=None, help="RLlib: SGD epochs per iteration (default 4)")
    p.add_argument("--lr", type=float, default=None, help="RLlib: learning rate (default 3e-4)")
    p.add_argument("--env-set", action="append", default=[], type=_env_set_item, metavar="KEY=VALUE",
                   help="env config override for training, repeatable; dotted KEY, YAML VALUE "
                        "(e.g. --env-set reward.latency_weight=1 --env-set reward.advantage_weight=0)")
    p.add_argument("--mask-hold", action="store_true",
                   help="A3C: decide only local/offload (the paper's binary action; the hold logit is masked)")
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


def run(args: argparse.Namespace) -> int:
    """Dispatch to the backend of ``args.algo`` (imported only now)."""
    module = BACKENDS[args.algo]
    try:
        if args.algo in ("ppo", "mappo", "ippo") and getattr(args, "resume", None) and getattr(args, "env_set", None):
            raise ValueError("--env-set: not with --resume (an RLlib checkpoint keeps the env it was trained on)")
        args.overrides = env_overrides(args)  # unknown keys fail here, before anything is imported or trained
    except ValueError as exc:
        print(f"satgym train: {exc}", file=sys.stderr)
        return 2
    if not args.address:  # a local Ray stays on loopback; Ray reads this at import time
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
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
