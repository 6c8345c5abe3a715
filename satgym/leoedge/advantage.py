"""Offloading-advantage operator F of LEOEdge Eqs. 2-4: the one definition, used by the env's
reward (compiled) and by the schedulers (numpy, with derivatives).

``F(alpha * Delta_c(i) + (1 - alpha) * Delta_a(i))`` with
``Delta_c(i) = c(m_i) - c(m_e) - d_{n_i}`` (Eq. 3, a time saving, here divided by a reference time
so that it is dimensionless and comparable with accuracies) and ``Delta_a(i) = a_s - a_i`` (Eq. 4).
The paper asks for an F that is concave and zero for a negative argument (Sec. V). A function
that vanishes on ``(-inf, 0)`` and is positive somewhere cannot be concave on the whole line, so
every operator is ``F(z) = f(max(z, 0))`` with ``f`` concave, non-decreasing and ``f(0) = 0``:

=============  ===========================  =====================
name           F(x), x >= 0                 F'(x), x > 0
=============  ===========================  =====================
``log1p``      log(1 + x)  (default)        1 / (1 + x)
``linear``     x                            1
``sqrt``       sqrt(x)                      1 / (2 sqrt(x))
``saturating`` 1 - exp(-x)                  exp(-x)
=============  ===========================  =====================

>>> op = advantage_operator("linear")
>>> op(np.array([-1.0, 0.0, 2.0]))
array([0., 0., 2.])
>>> advantage_operator("log1p").derivative(np.array([-1.0, 1.0]))
array([0. , 0.5])
>>> [o.name for o in Operator]
['LOG1P', 'LINEAR', 'SQRT', 'SATURATING']
>>> float(compiled_advantage(1.0, int(Operator.LINEAR)))
1.0
>>> advantage_operator("relu")
Traceback (most recent call last):
...
ValueError: reward.operator: 'relu' is not valid; choose one of log1p, linear, sqrt, saturating
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from satgym.core.jit import task_helper

__all__ = ["OPERATOR_NAMES", "AdvantageOperator", "Operator", "advantage_operator", "compiled_advantage"]

Array = np.ndarray


class Operator(IntEnum):
    """The operators' codes (what the compiled reward switches on); names are the lower-case member names."""

    LOG1P = 0
    LINEAR = 1
    SQRT = 2
    SATURATING = 3


OPERATOR_NAMES: tuple[str, ...] = tuple(op.name.lower() for op in Operator)
_LOG1P, _LINEAR, _SQRT = int(Operator.LOG1P), int(Operator.LINEAR), int(Operator.SQRT)


def _pos(x: Array) -> Array:
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)


_VALUE: dict[Operator, Callable[[Array], Array]] = {
    Operator.LOG1P: lambda x: np.log1p(_pos(x)),
    Operator.LINEAR: lambda x: _pos(x),
    Operator.SQRT: lambda x: np.sqrt(_pos(x)),
    Operator.SATURATING: lambda x: -np.expm1(-_pos(x)),
}
_DERIVATIVE: dict[Operator, Callable[[Array], Array]] = {
    Operator.LOG1P: lambda x: np.where(np.asarray(x) > 0, 1.0 / (1.0 + _pos(x)), 0.0),
    Operator.LINEAR: lambda x: (np.asarray(x) > 0).astype(np.float64),
    Operator.SQRT: lambda x: np.where(np.asarray(x) > 0, 0.5 / np.sqrt(np.maximum(_pos(x), 1e-12)), 0.0),
    Operator.SATURATING: lambda x: np.where(np.asarray(x) > 0, np.exp(-_pos(x)), 0.0),
}


@dataclass(frozen=True)
class AdvantageOperator:
    """A named operator F (callable on arrays) with its derivative F' (zero for x <= 0)."""

    name: str
    code: int
    value: Callable[[Array], Array]
    derivative: Callable[[Array], Array]

    def __call__(self, z: Array) -> Array:
        return self.value(z)


def advantage_operator(name: str) -> AdvantageOperator:
    """The operator called ``name``; unknown names raise and list the valid ones."""
    if name not in OPERATOR_NAMES:
        raise ValueError(f"reward.operator: {name!r} is not valid; choose one of {', '.join(OPERATOR_NAMES)}")
    op = Operator[name.upper()]
    return AdvantageOperator(name, int(op), _VALUE[op], _DERIVATIVE[op])


@task_helper
def compiled_advantage(x, code):
    """F(x) for operator ``code`` (:class:`Operator`), for compiled loops: the same functions."""
    if not x > 0.0:
        return 0.0
    if code == _LOG1P:
        return np.log1p(x)
    if code == _LINEAR:
        return x
    if code == _SQRT:
        return np.sqrt(x)
    return -np.expm1(-x)
