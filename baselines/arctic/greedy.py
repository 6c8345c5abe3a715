"""The highest-elevation greedy baseline: tasks in turn (by user index) take the highest satellite
they can use.

For each task, its candidates are tried from the highest access elevation down (on equal
elevation, computing on the access satellite itself first, then by best-case delay). On a
candidate the task takes the allocation that completes (Eqs. 15-18, checked with
:func:`satgym.arctic.problem.evaluate`) with the least resources - the smallest
``n / B_s + l / C`` of resource blocks and CPU share, then the shortest delay - among what is
left after the tasks before it. A task with no such candidate is declined.

>>> import satgym
>>> env = satgym.parallel_env("arctic", {"episode": {"steps": 1}})
>>> _ = env.reset(seed=3)
>>> p = env.slot_problem()
>>> rows, cand, n_rb, lvl = greedy_allocation(p, env.sim.rb_levels)
>>> bool(evaluate(p, rows, cand, n_rb, lvl / p.cpu_levels).completes.all())
True
"""

from __future__ import annotations

import numpy as np

from satgym.arctic.problem import SlotProblem, evaluate

__all__ = ["greedy_allocation"]


def greedy_allocation(p: SlotProblem, max_rb: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(rows, candidates, resource blocks, CPU levels 1..C)`` of the greedy's offloaded tasks."""
    C = p.cpu_levels
    rb_left, cpu_left = p.rb_free.copy(), p.cpu_free.copy()
    out: list[tuple[int, int, int, int]] = []
    for i in range(p.n_tasks):
        js = np.flatnonzero(p.valid[i])
        order = np.lexsort((p.best_case_s[i, js], p.compute[i, js] != p.access[i, js], -p.elevation_deg[i, js]))
        for j in js[order]:
            s, c = p.access[i, j], p.compute[i, j]
            n_max, l_max = int(min(rb_left[s], max_rb)), int(np.floor(cpu_left[c] * C + 1e-9))
            if n_max < 1 or l_max < 1:
                continue
            n, lvl = np.meshgrid(np.arange(1, n_max + 1), np.arange(1, l_max + 1), indexing="ij")
            n, lvl = n.ravel(), lvl.ravel()
            ev = evaluate(p, np.full(n.size, i), np.full(n.size, j), n, lvl / C)
            ok = np.flatnonzero(ev.completes)
            if ok.size == 0:
                continue
            use = n[ok] / p.rb_budget[s] + lvl[ok] / C
            best = ok[np.lexsort((ev.delay_s[ok], use))[0]]
            rb_left[s] -= n[best]
            cpu_left[c] -= lvl[best] / C
            out.append((i, int(j), int(n[best]), int(lvl[best])))
            break
    cols = np.array(out, dtype=np.int64).reshape(-1, 4)
    return cols[:, 0], cols[:, 1], cols[:, 2], cols[:, 3]
