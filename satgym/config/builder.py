"""Build frozen config dataclasses from nested dicts / YAML with strict key checking.

Overrides are merged deeply: ``{"links": {"ground_rate_mbps": 20}}`` changes one field and keeps
the rest of the preset. Unknown keys raise ``ValueError`` listing the valid keys of that section.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Mapping
from typing import Any

import yaml


def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _coerce(path: str, hint: Any, value: Any, current: Any) -> Any:
    """Turn a YAML/dict value into the field's declared type."""
    origin = typing.get_origin(hint)
    if dataclasses.is_dataclass(hint):
        if isinstance(value, hint):
            return value
        if not isinstance(value, Mapping):
            raise ValueError(f"{path}: expected a mapping of {hint.__name__} fields, got {value!r}")
        if current is not None:
            return override(current, value, path)
        return _build(hint, value, path)
    if origin is tuple:
        args = typing.get_args(hint)
        if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple)):
            raise ValueError(f"{path}: expected a list, got {value!r}")
        item_hint = args[0]
        return tuple(_coerce(f"{path}[{i}]", item_hint, v, None) for i, v in enumerate(value))
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{path}: expected a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ValueError(f"{path}: expected an integer, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{path}: expected true or false, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ValueError(f"{path}: expected a string, got {value!r}")
        return value
    return value


def _build(cls: type, values: Mapping[str, Any], path: str) -> Any:
    """A new ``cls`` from a mapping (list items such as stations and relays): unknown keys and
    missing required fields raise, naming them."""
    types = _field_types(cls)
    unknown = sorted(set(values) - set(types))
    if unknown:
        raise ValueError(f"{path}: unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"valid keys are {', '.join(sorted(types))}")
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    missing = [name for name in required if name not in values]
    if missing:
        raise ValueError(f"{path}: missing required key(s) {', '.join(map(repr, missing))}")
    return cls(**{k: _coerce(f"{path}.{k}", types[k], v, None) for k, v in values.items()})


def override(base: Any, changes: Mapping[str, Any], path: str = "") -> Any:
    """Return a copy of dataclass ``base`` with nested ``changes`` applied (validated)."""
    types = _field_types(type(base))
    unknown = sorted(set(changes) - set(types))
    if unknown:
        where = path or type(base).__name__
        raise ValueError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"valid keys are {', '.join(sorted(types))}"
        )
    updates = {}
    for key, value in changes.items():
        sub = f"{path}.{key}" if path else key
        updates[key] = _coerce(sub, types[key], value, getattr(base, key))
    return dataclasses.replace(base, **updates)


def load_yaml(source: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a YAML override file (a mapping at the top level)."""
    with open(source, encoding="utf-8") as fh:
        data = yaml.safe_load(fh) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{source}: the top level of a scenario YAML must be a mapping")
    return dict(data)


def to_dict(cfg: Any) -> dict[str, Any]:
    """Plain nested dict (for logging and YAML dumps)."""
    return dataclasses.asdict(cfg)


def with_episode_steps(overrides: Mapping[str, Any] | None, steps: int | None) -> dict[str, Any]:
    """A deep copy of nested ``overrides`` with ``episode.steps`` set to ``steps`` (unless None/0).

    >>> base = {"reward": {"alpha": 0.7}, "episode": {"start": "epoch"}}
    >>> with_episode_steps(base, 50)
    {'reward': {'alpha': 0.7}, 'episode': {'start': 'epoch', 'steps': 50}}
    >>> base["episode"]
    {'start': 'epoch'}
    """
    import copy

    out = copy.deepcopy(dict(overrides or {}))
    if steps:
        out.setdefault("episode", {})["steps"] = int(steps)
    return out



def with_load(config: Mapping[str, Any] | str | os.PathLike[str] | None, load: str | None):
    """``config`` (a dict or a YAML path) with ``tasks.load`` set to ``load`` (unchanged if None).

    >>> with_load({"tasks": {"deadline_s": 5.0}}, "heavy")
    {'tasks': {'deadline_s': 5.0, 'load': 'heavy'}}
    """
    if load is None:
        return config
    if isinstance(config, (str, os.PathLike)):
        config = load_yaml(config)
    merged = dict(config or {})
    merged["tasks"] = {**dict(merged.get("tasks", {})), "load": load}
    return merged


def config_from_presets(presets: Mapping[str, Any], config_class: type, scenario: Any,
                        overrides: Mapping[str, Any] | str | os.PathLike[str] | None = None) -> Any:
    """A family's ``make_config``: the preset ``scenario`` of ``presets`` (name -> factory) or a
    given ``config_class`` instance, with nested overrides (a dict or a YAML path); ``ValueError``
    naming the field on a bad name, key or value.

    >>> import dataclasses
    >>> @dataclasses.dataclass(frozen=True)
    ... class C:
    ...     rate_mbps: float = 1.0
    >>> config_from_presets({"slow": C}, C, "slow", {"rate_mbps": 2}).rate_mbps
    2.0
    """
    from satgym.config.validation import check_choice

    if isinstance(scenario, config_class):
        base = scenario
    else:
        check_choice("scenario", scenario, tuple(presets))
        base = presets[scenario]()
    if overrides is None:
        return base
    if isinstance(overrides, (str, os.PathLike)):
        overrides = load_yaml(overrides)
    return override(base, overrides)

