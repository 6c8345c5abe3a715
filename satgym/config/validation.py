"""Small validators that raise ``ValueError`` naming the field and what is allowed."""

from __future__ import annotations

import math
import os
from collections.abc import Iterable

import numpy as np


def check_choice(name: str, value: object, choices: Iterable[object]) -> None:
    choices = tuple(choices)
    if value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name}: {value!r} is not valid; choose one of {valid}")


def _check_number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name}: expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"{name}: must be finite, got {value!r}")
    return float(value)


def check_positive(name: str, value: object) -> None:
    if _check_number(name, value) <= 0:
        raise ValueError(f"{name}: must be > 0, got {value!r}")


def check_non_negative(name: str, value: object) -> None:
    if _check_number(name, value) < 0:
        raise ValueError(f"{name}: must be >= 0, got {value!r}")


def check_range(name: str, value: object, lo: float, hi: float) -> None:
    v = _check_number(name, value)
    if not lo <= v <= hi:
        raise ValueError(f"{name}: must be in [{lo}, {hi}], got {value!r}")


def check_threads(threads: int) -> int:
    """``threads`` validated: an int from 1 to the machine's cores."""
    top = os.cpu_count() or 1
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or not 1 <= threads <= top:
        raise ValueError(f"threads: must be an int from 1 to {top} (the cores of this machine), got {threads!r}")
    return int(threads)
