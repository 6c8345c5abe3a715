"""The offloading-advantage operators F (Eq. 2): one definition for the reward and the schedulers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from satgym.leoedge.advantage import OPERATOR_NAMES, Operator, advantage_operator, compiled_advantage


@pytest.mark.parametrize("name", OPERATOR_NAMES)
def test_zero_for_negative_arguments(name: str) -> None:
    z = -np.logspace(-6, 3, 50)
    op = advantage_operator(name)
    assert np.all(op(z) == 0.0)
    assert np.all(op.derivative(z) == 0.0)
    assert op(np.array(0.0)) == 0.0


@pytest.mark.parametrize("name", OPERATOR_NAMES)
@settings(max_examples=60, deadline=None)
@given(a=st.floats(0, 50), b=st.floats(0, 50), t=st.floats(0, 1))
def test_concave_and_nondecreasing_on_positive_half_line(name: str, a: float, b: float, t: float) -> None:
    f = advantage_operator(name)
    mid = f(np.array(t * a + (1 - t) * b))
    chord = t * f(np.array(a)) + (1 - t) * f(np.array(b))
    assert mid >= chord - 1e-9                                   # concavity (Eq. 2)
    assert f(np.array(max(a, b))) >= f(np.array(min(a, b))) - 1e-12


@pytest.mark.parametrize("name", OPERATOR_NAMES)
def test_derivative_matches_finite_difference(name: str) -> None:
    z = np.linspace(0.05, 5.0, 40)
    op = advantage_operator(name)
    h = 1e-6
    fd = (op(z + h) - op(z - h)) / (2 * h)
    np.testing.assert_allclose(op.derivative(z), fd, rtol=1e-4)
    assert np.all(np.diff(op.derivative(z)) <= 1e-12)          # F' non-increasing


@pytest.mark.parametrize("name", OPERATOR_NAMES)
def test_compiled_operator_is_the_same_function(name: str) -> None:
    op = advantage_operator(name)
    z = np.concatenate([-np.logspace(-3, 2, 20), [0.0], np.logspace(-6, 2, 60)])
    # numba's log1p / expm1 and numpy's may differ in the last bit
    np.testing.assert_allclose([compiled_advantage(float(x), op.code) for x in z], op(z), rtol=1e-15, atol=0)
    assert op.code == int(Operator[name.upper()])


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(ValueError, match="log1p, linear, sqrt, saturating"):
        advantage_operator("relu")
