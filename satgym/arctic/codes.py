"""Codes of the Arctic family, written once: what becomes of a task, and the layer kinds.

A task is generated when its user is active in a slot. It is *declined* (the agent offloads
nothing, or names an empty candidate), *refused* (the request exceeds the resource blocks left at
the access satellite or the CPU share left at the computing satellite), or *admitted*. An admitted
task is *in flight* until it *completes* (result delivered within the deadline) or *fails* for the
first constraint of Sec. III it violates:

==================  ======================================================================
``ACCESS_LOST``     the upload does not end inside the access satellite's window (Eq. 16)
``DEADLINE``        the result is not back by the deadline (Eq. 15)
``NO_RETURN_PATH``  no listed result path's satellite sees the user when it is ready (Eqs. 17-18)
==================  ======================================================================
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["FAIL_REASONS", "KIND_CODES", "Outcome"]


class Outcome(IntEnum):
    """Final state of a task (``IN_FLIGHT`` until it is resolved)."""

    IN_FLIGHT = 0
    COMPLETED = 1
    DECLINED = 2
    REFUSED_RESOURCE_BLOCKS = 3
    REFUSED_CPU = 4
    ACCESS_LOST = 5
    DEADLINE = 6
    NO_RETURN_PATH = 7


#: failure reasons (every outcome but in flight, completed and declined), by metric name
FAIL_REASONS = {o.name.lower(): o for o in Outcome if o not in (Outcome.IN_FLIGHT, Outcome.COMPLETED, Outcome.DECLINED)}
#: layer kind -> code in the per-satellite ``kind`` arrays
KIND_CODES = {"leo": 0, "meo": 1}
