"""Offloading advantage operators F (LEOEdge, Eq. 2): a thin view over :mod:`satgym.core.advantage`.

The operators themselves are defined once, in ``satgym.core.advantage`` (the env's reward uses
them); this module keeps the baselines' names (``ADVANTAGE_OPERATORS``, ``get_advantage_operator``,
``offloading_advantage``) and wraps each operator with its derivative in one object.

The paper asks for an operator that is concave and equal to zero when its argument
``z = alpha * Delta_c + (1 - alpha) * Delta_a`` (Eqs. 2-5) is negative. A function that vanishes on
``(-inf, 0)`` and is positive somewhere cannot be concave on the whole real line, so every operator
is ``F(z) = f(max(z, 0))`` with ``f`` concave, non-decreasing and ``f(0) = 0``.

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

from satgym.core import advantage as core

__all__ = [
    "ADVANTAGE_OPERATORS",
    "AdvantageOperator",
    "get_advantage_operator",
    "offloading_advantage",
]

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class AdvantageOperator:
    """A named operator F with its derivative F' (zero for negative arguments, Eq. 2).

    >>> float(get_advantage_operator("linear")(np.array(2.0)))
    2.0
    """

    name: str
    value: ArrayFn
    derivative: ArrayFn

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.value(z)


ADVANTAGE_OPERATORS: dict[str, AdvantageOperator] = {
    name: AdvantageOperator(name, value, derivative) for name, (value, derivative) in core.OPERATORS.items()
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
