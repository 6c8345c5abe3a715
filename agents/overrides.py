"""Env-config overrides from the command line (``satgym train --env-set KEY=VALUE``).

``KEY`` is a dotted path into the scenario config (``reward.latency_weight``), ``VALUE`` is parsed
with ``yaml.safe_load`` (``1`` -> int, ``0.5`` -> float, ``true`` -> bool, ``[1, 2]`` -> list,
anything else a string). The items are merged into the nested override dict that
``satgym.parallel_env(scenario, overrides, load=...)`` takes; :func:`validate` builds the
scenario config once so that an unknown key fails *before* any training starts.

Trained policies (``marl:PATH``, ``a3c:PATH``, ``sb3:PATH``) store the overrides they were trained
with. Evaluation (``satgym compare``, ``experiments/train_*.py``) runs every policy on the env the
harness builds, i.e. the DEFAULT reward, so returns stay comparable across policies; the reward
keys only shape training. :func:`non_reward` gives the overrides that change the env itself
(tasks, links, ...); a policy evaluated on an env without them is warned about it.

>>> parse_env_set(["reward.latency_weight=1", "reward.advantage_weight=0.0", "episode.steps=50"])
{'reward': {'latency_weight': 1, 'advantage_weight': 0.0}, 'episode': {'steps': 50}}
>>> parse_env_set(["reward.latency_weight"])
Traceback (most recent call last):
...
ValueError: --env-set: 'reward.latency_weight' is not KEY=VALUE (e.g. reward.latency_weight=1)
>>> non_reward({'reward': {'latency_weight': 1}, 'tasks': {'rate': 2}})
{'tasks': {'rate': 2}}
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

#: keys that only shape the reward (training signal), not the dynamics the policy acts in
REWARD_SECTION = "reward"


def parse_item(item: str) -> tuple[list[str], Any]:
    """``"a.b=VALUE"`` -> ``(["a", "b"], yaml.safe_load("VALUE"))``; ValueError if malformed."""
    import yaml

    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"--env-set: {item!r} is not KEY=VALUE (e.g. reward.latency_weight=1)")
    path = key.split(".")
    if any(not part for part in path):
        raise ValueError(f"--env-set: {key!r} is not a dotted key (e.g. reward.latency_weight)")
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as exc:
        raise ValueError(f"--env-set: the value of {key!r} is not valid YAML: {raw!r} ({exc})") from None
    if value is None:
        raise ValueError(f"--env-set: {key!r} has no value (write {key}=VALUE)")
    return path, value


def set_nested(target: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """Set ``target[path[0]][path[1]]... = value`` (creating dicts); returns ``target``."""
    node = target
    for i, part in enumerate(path[:-1]):
        nxt = node.setdefault(part, {})
        if not isinstance(nxt, dict):
            raise ValueError(f"--env-set: {'.'.join(path[:i + 1])!r} is set to a value and used as a section")
        node = nxt
    if isinstance(node.get(path[-1]), dict):
        raise ValueError(f"--env-set: {'.'.join(path)!r} is a section; set one of its keys")
    node[path[-1]] = value
    return target


def parse_env_set(items: Iterable[str] | None, base: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Merge ``KEY=VALUE`` items (later ones win) into a copy of ``base``."""
    out = copy.deepcopy(dict(base or {}))
    for item in items or ():
        set_nested(out, *parse_item(item))
    return out


def validate(overrides: Mapping[str, Any], scenario: str = "leoedge") -> None:
    """Build the scenario config with ``overrides``: ValueError naming an unknown key or bad value."""
    from satgym.scenarios import make_config

    if not overrides:
        return
    try:
        make_config(scenario, dict(overrides))
    except (ValueError, TypeError) as exc:
        raise ValueError(f"--env-set: {exc}") from None


def parse_args(parser: Any, argv: list[str] | None = None) -> Any:
    """``parser.parse_args(argv)`` with its ``--env-set`` items merged into a validated ``args.overrides``
    (the modules' own command lines, ``python -m agents.a3c.train`` ...); a bad item is an argparse error."""
    args = parser.parse_args(argv)
    try:
        args.overrides = parse_env_set(args.env_set)
        validate(args.overrides, getattr(args, "scenario", None) or "leoedge")
    except ValueError as exc:
        parser.error(str(exc))
    return args


def non_reward(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overrides outside the ``reward`` section (they change what the policy acts in)."""
    return {k: copy.deepcopy(v) for k, v in (overrides or {}).items() if k != REWARD_SECTION}


def warn_if_env_differs(name: str, overrides: Mapping[str, Any] | None, env: Any) -> bool:
    """Warn (once per call) when ``env`` lacks the non-reward ``overrides`` a policy was trained with.

    ``episode.steps`` is ignored (evaluation picks its own episode length). Returns True if it warned.
    """
    import warnings

    from satgym.config.builder import to_dict

    rest = non_reward(overrides)
    rest.get("episode", {}).pop("steps", None)
    rest = {k: v for k, v in rest.items() if v != {}}
    cfg = getattr(getattr(env, "unwrapped", env), "config", None)
    if not rest or cfg is None:
        return False
    try:
        current = to_dict(cfg)
    except Exception:  # an env without a dataclass config: nothing to compare
        return False

    def differs(want: Mapping[str, Any], have: Mapping[str, Any]) -> bool:
        for k, v in want.items():
            h = have.get(k) if isinstance(have, Mapping) else None
            if isinstance(v, Mapping) and isinstance(h, Mapping):
                if differs(v, h):
                    return True
            elif h != v:
                return True
        return False

    if differs(rest, current):
        warnings.warn(f"{name}: trained with env overrides {rest} that the evaluation env does not have; "
                      "its actions are evaluated on a different env than it was trained on", stacklevel=2)
        return True
    return False
