import numpy as np
import pytest

from satgym.core.advantage import OPERATORS, advantage_argument, operator, operator_derivative


@pytest.mark.parametrize("name", list(OPERATORS))
def test_operator_is_concave_nonnegative_and_zero_below_zero(name):
    F = operator(name)
    x = np.linspace(0, 5, 101)
    y = F(x)
    assert np.all(F(np.array([-3.0, -0.1, 0.0])) == 0.0)
    assert np.all(np.diff(y) >= 0)
    assert np.all(np.diff(y, 2) <= 1e-9)  # concave
    d = operator_derivative(name)(x[2:-1])
    np.testing.assert_allclose(d, np.gradient(F(x), x)[2:-1], rtol=0.05, atol=0.01)


def test_unknown_operator_lists_valid_names():
    with pytest.raises(ValueError, match="log1p"):
        operator("cubic")


def test_argument_combines_time_and_accuracy():
    assert advantage_argument(0.5, 0.1, 0.5, 1.0) == pytest.approx(0.3)
    assert advantage_argument(0.5, 0.1, 1.0, 0.25) == pytest.approx(2.0)
