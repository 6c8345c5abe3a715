"""Task arrivals and the admitted tasks in flight.

Arrivals (Sec. VI): in every slot ``N ~ Poisson(lambda)`` users (at most all of them) are active,
drawn uniformly without replacement; each has one task of ``zeta`` bits drawn uniformly from
``tasks.size_mbit``. The stream has its own generators (seeded from the env's at reset) that also
draw the slot's small-scale fading and the order in which requests are served, and nothing they
draw depends on the agents' actions: every policy faces the same tasks and channels.

>>> from satgym.arctic.presets import make_config
>>> stream = TaskStream(make_config("arctic"), 0)
>>> users, bits = stream.arrivals()
>>> users.tolist(), (bits / 1e6).tolist()
([17, 64, 80], [2.0, 2.0, 2.0])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from satgym.arctic.config import ArcticConfig

__all__ = ["InFlight", "TaskStream"]


class TaskStream:
    """The slot-by-slot draws that do not depend on the agents: arrivals, fading, service order.

    Arrivals and the service order come from one generator; the small-scale fading of each layer
    from its own generator (keyed by the layer's position in ``cfg.layers``), drawn for every
    satellite of the layer, so that a seed gives the same tasks and the same channels whatever
    the architecture or the elevation threshold (runs are paired across them)."""

    def __init__(self, cfg: ArcticConfig, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        self.n_users = cfg.users.count
        self.mean_active = cfg.tasks.mean_active
        self.sizes_bits = np.asarray(cfg.tasks.size_mbit) * 1e6
        self.layer_rngs = {layer.name: np.random.default_rng([seed, k]) for k, layer in enumerate(cfg.layers)}

    def arrivals(self) -> tuple[np.ndarray, np.ndarray]:
        """Active users (sorted) and their task sizes in bits."""
        n = min(int(self.rng.poisson(self.mean_active)), self.n_users)
        users = np.sort(self.rng.choice(self.n_users, size=n, replace=False))
        return users, self.rng.choice(self.sizes_bits, size=n)

    def fading(self, budget, n_active: int, layers: dict[str, int]) -> np.ndarray:
        """Rician power gains ``(n_active, sum of layer sizes)`` for the active ``layers``
        (name -> number of satellites, in fleet order), from each layer's own generator."""
        blocks = [budget.fading(self.layer_rngs[name], (n_active, n)) for name, n in layers.items()]
        return np.concatenate(blocks, axis=1) if blocks else np.zeros((n_active, 0))

    def service_order(self, n: int) -> np.ndarray:
        """The order in which the slot's requests are served (a uniform permutation)."""
        return self.rng.permutation(n)


@dataclass
class InFlight:
    """Admitted tasks not yet resolved and the resources they hold (absolute episode times, s)."""

    task_id: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    user: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    access: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    compute: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    n_rb: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    share: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rb_until_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cpu_until_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    resolve_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    outcome: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    delay_s: np.ndarray = field(default_factory=lambda: np.zeros(0))
    energy_tx_j: np.ndarray = field(default_factory=lambda: np.zeros(0))
    energy_comp_j: np.ndarray = field(default_factory=lambda: np.zeros(0))
    compute_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    access_kind: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))

    COLUMNS = ("task_id", "user", "access", "compute", "n_rb", "share", "rb_until_s", "cpu_until_s", "resolve_s",
               "outcome", "delay_s", "energy_tx_j", "energy_comp_j", "compute_kind", "access_kind")

    def __len__(self) -> int:
        return int(self.task_id.size)

    def append(self, **cols: np.ndarray) -> None:
        for name in self.COLUMNS:
            setattr(self, name, np.concatenate([getattr(self, name), np.asarray(cols[name], dtype=getattr(self, name).dtype)]))

    def pop_resolved(self, time_s: float) -> dict[str, np.ndarray]:
        """Remove and return the tasks resolved by ``time_s``."""
        done = self.resolve_s <= time_s + 1e-12
        out = {name: getattr(self, name)[done] for name in self.COLUMNS}
        for name in self.COLUMNS:
            setattr(self, name, getattr(self, name)[~done])
        return out

    def held(self, time_s: float, n_sats: int) -> tuple[np.ndarray, np.ndarray]:
        """Resource blocks ``(n_sats,)`` and CPU shares ``(n_sats,)`` still held at ``time_s``."""
        rb = self.rb_until_s > time_s + 1e-12
        cpu = self.cpu_until_s > time_s + 1e-12
        return (np.bincount(self.access[rb], weights=self.n_rb[rb], minlength=n_sats).astype(np.int64),
                np.bincount(self.compute[cpu], weights=self.share[cpu], minlength=n_sats))
