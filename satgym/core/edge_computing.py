"""On-board edge computing: time and energy of a task given a share of a processor (dynamic voltage
and frequency scaling model, as in Almekhlafi et al. Eqs. 11-12 and Leyva-Mayorga et al.).

A task of ``X`` CPU cycles given the share ``f`` in (0, 1] of a processor of ``F`` cycles/s runs at
``f F`` cycles/s:

* time ``X / (f F)`` (Eq. 11);
* energy ``kappa X (f F)^2`` (Eq. 12), with ``kappa`` the effective switched capacitance in
  W s^3 / cycle^3; W s^3 / cycle^3 x cycle x cycle^2 / s^2 = W s = J.

Example: 2 Mbit at 1000 cycles/bit on half of a 5 GHz processor, kappa = 1e-28:

>>> round(float(computation_time_s(2e9, 0.5, 5e9)), 3), round(float(computation_energy_j(1e-28, 2e9, 0.5, 5e9)), 3)
(0.8, 1.25)
"""

from __future__ import annotations

import numpy as np

__all__ = ["computation_energy_j", "computation_time_s"]


def computation_time_s(cycles: np.ndarray | float, share: np.ndarray | float,
                       capacity_hz: np.ndarray | float) -> np.ndarray:
    """X / (f F), s (Eq. 11)."""
    return np.asarray(cycles, dtype=float) / (np.asarray(share, dtype=float) * np.asarray(capacity_hz, dtype=float))


def computation_energy_j(kappa: float, cycles: np.ndarray | float, share: np.ndarray | float,
                         capacity_hz: np.ndarray | float) -> np.ndarray:
    """kappa X (f F)^2, J (Eq. 12)."""
    speed = np.asarray(share, dtype=float) * np.asarray(capacity_hz, dtype=float)
    return kappa * np.asarray(cycles, dtype=float) * speed * speed
