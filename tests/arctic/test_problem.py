"""A slot's problem: the delay/energy/outcome model (Eqs. 6-18) on hand-built cases, and the
candidates and result paths the env builds."""

from __future__ import annotations

import numpy as np
import pytest

import satgym
from satgym.arctic.codes import Outcome
from satgym.arctic.problem import SlotProblem, evaluate
from satgym.core.constants import SPEED_OF_LIGHT_KM_S


def one_task(access_end=np.inf, fp_start=(0.0, 0.0), fp_end=(np.inf, np.inf), fp_prop=(0.002, 0.004)) -> SlotProblem:
    """One 1 Mbit task (1e9 cycles, 3 s) with one candidate: access sat 0 (10 GHz) at 600 km, 1 Mbit/s
    per block; computing sat 1 (5 GHz) 1500 km away over ISLs; two result paths. Eqs. 11-12 must use
    the computing satellite's 5 GHz (Eq. 12 prints the access satellite's F_{s_k})."""
    a = np.array
    return SlotProblem(
        time_s=0.0, users=a([7]), task_bits=a([1e6]), cycles=a([1e9]), deadline_s=a([3.0]),
        access=a([[0]]), compute=a([[1]]), elevation_deg=a([[40.0]]), rate_per_rb_bps=a([[1e6]]),
        access_end_s=a([[access_end]]), uplink_km=a([[600.0]]), isl_km=a([[1500.0]]), best_case_s=a([[1.0]]),
        fp_sat=a([[[1, 0]]]), fp_prop_s=a([[list(fp_prop)]]), fp_start_s=a([[list(fp_start)]]),
        fp_end_s=a([[list(fp_end)]]), energy_norm_j=a([5.0]), rb_free=a([25, 25]), rb_budget=a([25, 25]),
        cpu_free=a([1.0, 1.0]), cpu_hz=a([10e9, 5e9]), kind=a([0, 0]), tx_power_w=0.05, kappa=1e-28, cpu_levels=20,
        alpha_energy=0.1, alpha_delay=0.1)


def ev(p, n_rb=1, share=0.5):
    return evaluate(p, np.array([0]), np.array([0]), np.array([n_rb]), np.array([share]))


def test_completed_task_by_hand():
    e = ev(one_task())
    op = 2100.0 / SPEED_OF_LIGHT_KM_S  # (d_us + d_k) / c, Eq. 13
    assert e.tau_tr_s[0] == pytest.approx(1.0)  # zeta / (n r), Eq. 9
    assert e.tau_op_prop_s[0] == pytest.approx(op)
    assert e.tau_comp_s[0] == pytest.approx(0.4)  # X / (f F), Eq. 11
    assert e.ready_s[0] == pytest.approx(1.4 + op)
    assert e.fp_index[0] == 0 and e.delay_s[0] == pytest.approx(1.402 + op)
    assert e.energy_tx_j[0] == pytest.approx(0.05 * 1e6 / 1e6)  # p zeta / r, Eq. 10
    assert e.energy_comp_j[0] == pytest.approx(1e-28 * 1e9 * (2.5e9) ** 2)  # kappa X (f F)^2, Eq. 12
    assert e.outcome[0] == Outcome.COMPLETED
    assert e.rb_until_s[0] == pytest.approx(1.0) and e.cpu_until_s[0] == pytest.approx(e.ready_s[0])
    assert e.resolve_s[0] == pytest.approx(e.delay_s[0])
    assert ev(one_task(), n_rb=4).tau_tr_s[0] == pytest.approx(0.25)


def test_each_constraint_fails_with_its_reason():
    lost = ev(one_task(access_end=0.5))  # Eq. 16: the access satellite sets mid-upload
    assert lost.outcome[0] == Outcome.ACCESS_LOST and lost.resolve_s[0] == 0.5 and lost.rb_until_s[0] == 0.5
    slow = ev(one_task(), share=0.05)  # 4 s of computing: not ready by the deadline (Eq. 15)
    assert slow.outcome[0] == Outcome.DEADLINE and slow.resolve_s[0] == 3.0 and slow.cpu_until_s[0] == 3.0
    no_fp = ev(one_task(fp_start=(2.0, 0.0), fp_end=(np.inf, 1.0)))  # rises too late / set too early
    assert no_fp.outcome[0] == Outcome.NO_RETURN_PATH and no_fp.fp_index[0] == -1
    assert no_fp.resolve_s[0] == pytest.approx(no_fp.ready_s[0])
    # ready at 2.99 s, the result path's 20 ms makes it late (Eq. 15 with tau^FP)
    share = 1e9 / (5e9 * (1.99 - 2100.0 / SPEED_OF_LIGHT_KM_S))
    late = ev(one_task(fp_prop=(0.02, 0.03)), n_rb=1, share=share)
    assert late.ready_s[0] == pytest.approx(2.99) and late.delay_s[0] == pytest.approx(3.01)
    assert late.outcome[0] == Outcome.DEADLINE and late.resolve_s[0] == 3.0


def test_result_goes_over_the_shortest_path_valid_when_ready():
    # path 0 sets at 1.3 s, before the result is ready (1.407 s): path 1 takes it (Eq. 17)
    e = ev(one_task(fp_end=(1.3, np.inf)))
    assert e.fp_index[0] == 1 and e.tau_fp_prop_s[0] == pytest.approx(0.004) and e.outcome[0] == Outcome.COMPLETED
    # path 0 rises at 1.2 s, before the result is ready: it is used (Eq. 18)
    assert ev(one_task(fp_start=(1.2, 0.0))).fp_index[0] == 0


@pytest.fixture(scope="module")
def problem():
    env = satgym.parallel_env("arctic", {"episode": {"steps": 1}, "visibility": {"min_elevation_deg": 20.0},
                                         "tasks": {"load": "heavy"}})
    env.reset(seed=11)
    return env, env.slot_problem()


def test_candidates_are_visible_reachable_and_ranked(problem):
    env, p = problem
    cfg = env.config
    assert p.n_tasks > 3 and p.valid.any(axis=1).all()
    for i in range(p.n_tasks):
        js = np.flatnonzero(p.valid[i])
        assert np.all(np.diff(p.best_case_s[i, js]) >= 0)  # ranked by best-case delay
        assert np.all(p.elevation_deg[i, js] >= cfg.visibility.min_elevation_deg)
        assert np.all(np.bincount(p.access[i, js]).max() <= cfg.candidates.per_access)
        assert np.all((p.isl_km[i, js] == 0) == (p.access[i, js] == p.compute[i, js]))
        assert np.all(p.isl_km[i, js] <= cfg.isl.max_path_km)
        # the result paths: listed by propagation, each from a satellite the user sees in time
        for j in js:
            m = p.fp_sat[i, j] >= 0
            assert m[0] and np.all(np.diff(p.fp_prop_s[i, j, m]) >= 0)
            assert np.all(p.fp_start_s[i, j, m] < p.deadline_s[i])
        # rho^max bounds the energy of every allocation
        e = evaluate(p, np.full(js.size, i), js, np.ones(js.size, int), np.ones(js.size))
        assert np.all(e.energy_tx_j + e.energy_comp_j <= p.energy_norm_j[i] * (1 + 1e-12))
    assert p.users.size == np.unique(p.users).size
    # candidates of several access satellites and, in the hybrid architecture, MEO computing
    assert np.unique(p.access[p.valid]).size >= 2 and (p.kind[p.compute[p.valid]] == 1).any()
