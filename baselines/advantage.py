"""Offloading advantage operators F (LEOEdge, Eq. 2).

The paper asks for an operator that is concave and equal to zero when its
argument ``z = alpha * Delta_c + (1 - alpha) * Delta_a`` (Eqs. 2-5) is negative.
A function that vanishes on ``(-inf, 0)`` and is positive somewhere cannot be
concave on the whole real line (the chord over ``[-1, 1]`` lies above ``F(0)``),
so every operator here is ``F(z) = f(max(z, 0))`` with ``f`` concave,
non-decreasing and ``f(0) = 0``: F is concave on ``[0, inf)`` and zero below.

>>> import numpy as np
>>> offloading_advantage(np.array([-1.0, 0.0, 1.0]), "linear")
array([0., 0., 1.])
>>> get_advantage_operator("log1p").derivative(np.array([-1.0, 1.0]))
array([0. , 0.5])
>>> sorted(ADVANTAGE_OPERATORS)
['linear', 'log1p', 'saturating', 'sqrt']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ADVANTAGE_OPERATORS",
    "AdvantageOperator",
    "get_advantage_operator",
    "offloading_advantage",
]

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class AdvantageOperator:
    """A named operator F with its derivative F' (right derivative at 0).

    Both callables take and return float arrays of the same shape and are zero
    for negative arguments (Eq. 2: no benefit from a disadvantageous offload).
    """

    name: str
    value: ArrayFn
    derivative: ArrayFn

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.value(z)


def _pos(z: np.ndarray) -> np.ndarray:
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def _gate(z: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Zero the derivative where z < 0 (flat part of F)."""
    return np.where(np.asarray(z, dtype=float) < 0.0, 0.0, d)


_TINY = 1e-12

ADVANTAGE_OPERATORS: dict[str, AdvantageOperator] = {
    "log1p": AdvantageOperator(
        "log1p",
        lambda z: np.log1p(_pos(z)),
        lambda z: _gate(z, 1.0 / (1.0 + _pos(z))),
    ),
    "linear": AdvantageOperator(
        "linear",
        _pos,
        lambda z: _gate(z, np.ones_like(np.asarray(z, dtype=float))),
    ),
    "sqrt": AdvantageOperator(
        "sqrt",
        lambda z: np.sqrt(_pos(z)),
        # right derivative at 0 is +inf; clamp to a large finite slope
        lambda z: _gate(z, 0.5 / np.sqrt(np.maximum(_pos(z), _TINY))),
    ),
    "saturating": AdvantageOperator(
        "saturating",
        lambda z: -np.expm1(-_pos(z)),
        lambda z: _gate(z, np.exp(-_pos(z))),
    ),
}


def get_advantage_operator(name: str) -> AdvantageOperator:
    """Look an operator up by name; unknown names raise and list valid ones.

    >>> get_advantage_operator("sqrt").name
    'sqrt'
    """
    try:
        return ADVANTAGE_OPERATORS[name]
    except KeyError:
        valid = ", ".join(sorted(ADVANTAGE_OPERATORS))
        raise ValueError(f"unknown advantage operator {name!r}; valid names: {valid}") from None


def offloading_advantage(z: np.ndarray, name: str = "log1p") -> np.ndarray:
    """F(z) of Eq. 2 applied elementwise (``z`` from Eqs. 3-5).

    >>> float(offloading_advantage(np.array(np.e - 1.0)))
    1.0
    """
    return get_advantage_operator(name).value(np.asarray(z, dtype=float))
