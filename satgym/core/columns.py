"""Integer constants for the task-table columns and codes, usable inside compiled kernels.

They mirror :data:`satgym.core.tasks.FLOAT_COLUMNS`, :data:`~satgym.core.tasks.INT_COLUMNS`,
:class:`~satgym.core.tasks.Stage`, :class:`~satgym.core.tasks.Route` and
:data:`~satgym.core.tasks.FAIL_REASONS` (``tests/core/test_tasks.py`` checks that they agree).
"""

# float columns
F_ARRIVAL, F_WORK, F_INPUT, F_RESULT, F_DEADLINE, F_DECIDED = 0, 1, 2, 3, 4, 5
F_GARRIVAL, F_XSTART, F_XFINISH, F_DONE, F_ACCURACY = 6, 7, 8, 9, 10
# int columns
I_ID, I_SAT, I_RETURN, I_STAGE, I_ROUTE, I_RELAY, I_LINK = 0, 1, 2, 3, 4, 5, 6
I_STATION, I_CONTAINER, I_FAILED, I_REASON, I_RESERVED = 7, 8, 9, 10, 11
# stages
PENDING, UPLINK, EDGE, DONE_KNOWN, RESOLVED = 0, 2, 3, 4, 5
# routes
R_LOCAL, R_DIRECT, R_SAME_ORBIT, R_OTHER_ORBIT = 0, 1, 2, 3
# failure reasons
LOST_UPLOAD, LOST_RETURN, NO_CONTACT, EXPIRED, LATE = 0, 1, 2, 3, 4
# actions
A_LOCAL, A_OFFLOAD, A_HOLD = 0, 1, 2
# advantage operators, in the order of satgym.core.advantage.OPERATORS
OP_LOG1P, OP_LINEAR, OP_SQRT, OP_SATURATING = 0, 1, 2, 3

SPEED_OF_LIGHT_KM_S = 299_792.458
