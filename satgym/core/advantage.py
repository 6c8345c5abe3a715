"""Offloading-advantage operator F of LEOEdge Eqs. 2-4.

``F(alpha * Delta_c(i) + (1 - alpha) * Delta_a(i))`` with
``Delta_c(i) = c(m_i) - c(m_e) - d_{n_i}`` (Eq. 3, a time saving, here divided by a reference time
so that it is dimensionless and comparable with accuracies) and ``Delta_a(i) = a_s - a_i`` (Eq. 4).
F is concave and zero for a negative argument (Sec. V). Registered operators:

=============  ===========================  =====================
name           F(x), x >= 0                 F'(x), x > 0
=============  ===========================  =====================
``log1p``      log(1 + x)  (default)        1 / (1 + x)
``linear``     x                            1
``sqrt``       sqrt(x)                      1 / (2 sqrt(x))
``saturating`` 1 - exp(-x)                  exp(-x)
=============  ===========================  =====================
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Array = np.ndarray


def _pos(x: Array) -> Array:
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)


OPERATORS: dict[str, tuple[Callable[[Array], Array], Callable[[Array], Array]]] = {
    "log1p": (lambda x: np.log1p(_pos(x)), lambda x: np.where(np.asarray(x) > 0, 1.0 / (1.0 + _pos(x)), 0.0)),
    "linear": (lambda x: _pos(x), lambda x: (np.asarray(x) > 0).astype(np.float64)),
    "sqrt": (
        lambda x: np.sqrt(_pos(x)),
        lambda x: np.where(np.asarray(x) > 0, 0.5 / np.sqrt(np.maximum(_pos(x), 1e-12)), 0.0),
    ),
    "saturating": (lambda x: -np.expm1(-_pos(x)), lambda x: np.where(np.asarray(x) > 0, np.exp(-_pos(x)), 0.0)),
}


def operator(name: str) -> Callable[[Array], Array]:
    """F by name; unknown names raise ``ValueError`` listing the valid ones."""
    if name not in OPERATORS:
        raise ValueError(f"reward.operator: {name!r} is not valid; choose one of {', '.join(OPERATORS)}")
    return OPERATORS[name][0]


def operator_derivative(name: str) -> Callable[[Array], Array]:
    operator(name)
    return OPERATORS[name][1]


def advantage_argument(
    delta_c_s: Array, delta_a: Array, alpha: float, time_ref_s: float
) -> Array:
    """The argument of F: alpha * Delta_c / T_ref + (1 - alpha) * Delta_a (Eqs. 2-5)."""
    return alpha * np.asarray(delta_c_s) / time_ref_s + (1.0 - alpha) * np.asarray(delta_a)
