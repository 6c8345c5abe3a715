"""Export a trained RLlib policy as small files that ``marl:PATH`` loads without the RLlib checkpoint.

An RLlib checkpoint holds the learner (optimiser state), the env runners and pickled configs; to act,
the ``marl`` policy needs only the modules' weights and how to build them. :func:`export_policy`
writes into a directory:

* ``module.pt``: ``{module id: state dict}`` (torch tensors only, loaded with ``weights_only=True``);
* ``satgym_marl.json``: the checkpoint's meta (algo, env config, settings, iteration, warm start)
  plus ``module`` (observation length, action heads, the module's ``model_config``) and ``info``
  (free-form: the command that trained it, its training seed, the evaluation).

Shipped policies live in ``satgym/data/pretrained/<name>`` (``marl:pretrained/<name>``).

Example::

    python -m agents.rllib.export runs/learned/heavy/seed1/checkpoints/latest satgym/data/pretrained/leoedge-heavy \\
        --info '{"command": "...", "training_seed": 1}'
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from agents.rllib.policy import META_FILE, WEIGHTS_FILE, load_modules


def export_policy(checkpoint: str, out_dir: str, info: dict[str, Any] | None = None) -> str:
    """Write the modules of RLlib ``checkpoint`` (a ``satgym train`` checkpoint) to ``out_dir``; returns it."""
    import torch

    checkpoint = os.path.realpath(os.path.expanduser(checkpoint))
    with open(os.path.join(checkpoint, META_FILE)) as f:
        meta = json.load(f)
    modules = load_modules(checkpoint, meta)
    weights, spec = {}, None
    for mid in modules.keys():
        module = modules[mid]
        weights[mid] = {k: v.detach().clone() for k, v in module.state_dict().items()}
        spec = {"observation_dim": int(module.observation_space.shape[0]),
                "nvec": [int(n) for n in module.action_space.nvec],
                "model_config": {k: v for k, v in dict(module.model_config or {}).items()
                                 if k in ("hiddens", "actor_obs_dim", "action_mask", "binary", "estimates")}}
    os.makedirs(out_dir, exist_ok=True)
    torch.save(weights, os.path.join(out_dir, WEIGHTS_FILE))
    with open(os.path.join(out_dir, META_FILE), "w") as f:
        json.dump({**meta, "module": spec, "info": dict(info or {})}, f, indent=1, sort_keys=True)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("out_dir")
    p.add_argument("--info", default="{}", help="JSON object stored as meta['info']")
    args = p.parse_args(argv)
    print(export_policy(args.checkpoint, args.out_dir, json.loads(args.info)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
