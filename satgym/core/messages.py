"""Messages between the nodes of a satellite-ground system, counted on the wire.

A batch of messages is sent at once (one per sender-receiver pair of an exchange); each message
has a sender, a receiver, a size in bytes and a delivery time. A message between a satellite and
the ground travels on that satellite's access path: it takes the path's one-way delay and is lost
with the path's loss probability (drawn from the caller's generator); a satellite with no path
cannot send or receive. With ``retries`` > 0 the link retransmits a lost message (stop-and-wait
ARQ): the sender waits one round trip (twice the one-way delay) for the acknowledgement, then sends
again, up to ``retries`` times; every attempt is counted as sent, a delivered message once. Ground messages (load balancer, servers, containers) travel on the
cluster's LAN with a fixed delay and no loss. :class:`MessageLog` counts what was sent, what was
delivered and the bytes, per layer pair.

>>> import numpy as np
>>> log = MessageLog()
>>> bus = MessageBus(np.random.default_rng(0), log, lan_delay_s=1e-4)
>>> ok, at = bus.space("satellite_lbs", t_s=0.0, nbytes=np.array([80, 80]),
...                    delay_s=np.array([0.01, 0.27]), loss=np.array([0.0, 1.0]))
>>> ok.tolist(), [round(x, 2) for x in at.tolist()]
([True, False], [0.01, inf])
>>> log.delivered["satellite_lbs"], log.sent["satellite_lbs"], log.bytes["satellite_lbs"]
(1, 2, 80)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["HEADER_B", "ID_B", "LAYER_PAIRS", "MessageBus", "MessageLog", "TASK_B", "VALUE_B"]

LAYER_PAIRS = ("satellite_lbs", "lbs_server", "server_container")
# message sizes in bytes, shared by the env's own messages and the schedulers' protocols
HEADER_B = 32  # every message: sender, receiver, type, sequence number, time stamp
TASK_B = 64    # a task descriptor: id and 7 float64 (sizes, times, accuracy gain)
ID_B = 16      # a task id and a container (a placement, an ask, an answer, an allocation)
VALUE_B = 8    # one float64 (a price, a load, a response)


def _zeros() -> dict[str, int]:
    return dict.fromkeys(LAYER_PAIRS, 0)


@dataclass
class MessageLog:
    """Per layer pair: messages sent, messages delivered, bytes delivered."""

    sent: dict[str, int] = field(default_factory=_zeros)
    delivered: dict[str, int] = field(default_factory=_zeros)
    bytes: dict[str, int] = field(default_factory=_zeros)

    def add(self, pair: str, sent: int, delivered: int, nbytes: int) -> None:
        if pair not in self.sent:
            raise ValueError(f"layer pair: {pair!r} is not valid; choose one of {', '.join(LAYER_PAIRS)}")
        self.sent[pair] += int(sent)
        self.delivered[pair] += int(delivered)
        self.bytes[pair] += int(nbytes)

    def merge(self, other: MessageLog) -> None:
        for pair in LAYER_PAIRS:
            self.add(pair, other.sent[pair], other.delivered[pair], other.bytes[pair])

    def copy(self) -> MessageLog:
        out = MessageLog()
        out.merge(self)
        return out

    def since(self, before: MessageLog) -> MessageLog:
        """The messages logged after ``before`` (a :meth:`copy` of this log) was taken."""
        out = MessageLog()
        for pair in LAYER_PAIRS:
            out.add(pair, self.sent[pair] - before.sent[pair], self.delivered[pair] - before.delivered[pair],
                    self.bytes[pair] - before.bytes[pair])
        return out

    def lost(self) -> dict[str, int]:
        return {pair: self.sent[pair] - self.delivered[pair] for pair in LAYER_PAIRS}


class MessageBus:
    """Delivers batches of messages and logs them (see the module docstring)."""

    def __init__(self, rng: np.random.Generator, log: MessageLog, lan_delay_s: float = 1e-4,
                 drop_space: bool = False, retries: int = 0) -> None:
        if not lan_delay_s >= 0:
            raise ValueError(f"lan_delay_s: must be >= 0, got {lan_delay_s}")
        if not (isinstance(retries, (int, np.integer)) and retries >= 0):
            raise ValueError(f"retries: must be an integer >= 0, got {retries!r}")
        self.rng, self.log, self.lan_delay_s, self.drop_space = rng, log, float(lan_delay_s), drop_space
        self.retries = int(retries)

    def space(self, pair: str, t_s: float, nbytes: np.ndarray, delay_s: np.ndarray,
              loss: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Messages over satellites' access paths (one per element): (delivered, arrival time s;
        inf where lost). A NaN or infinite delay means no path: never delivered. ``drop_space``
        (a test and study switch) loses every one."""
        nbytes = np.asarray(nbytes, dtype=np.int64)
        delay = np.where(np.isfinite(delay_s), np.asarray(delay_s, dtype=np.float64), np.nan)
        path = np.isfinite(delay)
        # attempts until the first delivery (1 + retries at most): lost[:, a] for attempt a
        lost = self.rng.random((nbytes.size, 1 + self.retries)) < np.asarray(loss, dtype=np.float64)[:, None]
        lost |= self.drop_space
        ok = path & ~lost.all(axis=1)
        attempts = np.where(ok, np.argmin(lost, axis=1) + 1, 1 + self.retries)
        self.log.add(pair, int(attempts[path].sum()), int(ok.sum()), int(nbytes[ok].sum()))
        wait = np.where(path, (attempts - 1) * 2.0 * np.nan_to_num(delay) + np.nan_to_num(delay), 0.0)
        return ok, np.where(ok, t_s + wait, np.inf)

    def lan(self, pair: str, t_s: float, nbytes: np.ndarray) -> float:
        """Messages on the cluster LAN (all delivered): their arrival time."""
        nbytes = np.asarray(nbytes, dtype=np.int64)
        self.log.add(pair, nbytes.size, nbytes.size, int(nbytes.sum()))
        return t_s + self.lan_delay_s
