"""Shared helpers for the AA-MEC tests (on top of the env tests' helpers)."""

from __future__ import annotations

from tests.envs.helpers import random_actions, rollout  # noqa: F401  (re-exported for the AA-MEC tests)
from tests.envs.helpers import short_env as _short_env

PRESETS = ("aamec", "aamec-walker")
ENV_IDS = ("satgym/AAMEC-Central-v0", "satgym/AAMEC-Single-v0", "satgym/AAMECWalker-Central-v0",
           "satgym/AAMECWalker-Single-v0")


def short_env(scenario: str = "aamec", overrides: dict | None = None, steps: int = 4, **kwargs):
    return _short_env(scenario, overrides, steps, **kwargs)
