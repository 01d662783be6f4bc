"""detect_anomaly: forward errors, failing derivatives and non-finite gradients name the
op, the numbers and the user's line that created the node."""

from __future__ import annotations

import inspect

import pytest

import autograd
from autograd import Value, detect_anomaly


def this_line() -> int:
    frame = inspect.currentframe()
    assert frame is not None and frame.f_back is not None
    return frame.f_back.f_lineno


def test_forward_error_names_the_users_line() -> None:
    with detect_anomaly(), pytest.raises(ValueError) as caught:
        line = this_line() + 1
        Value(-1.0).log()
    message = str(caught.value)
    assert "log: input must be > 0, got -1.0" in message
    assert f"test_anomaly.py:{line} in test_forward_error_names_the_users_line" in message
    assert "Value(-1.0).log()" in message


def test_failing_derivative_names_where_the_node_was_created() -> None:
    with detect_anomaly():
        x = Value(0.0)
        line = this_line() + 1
        y = x.sqrt()
        with pytest.raises(ZeroDivisionError) as caught:
            (y * 2.0).backward()
    message = str(caught.value)
    assert "sqrt: the derivative" in message
    assert "'sqrt' created at " in message and f"test_anomaly.py:{line}" in message
    assert "y = x.sqrt()" in message


def test_non_finite_gradient_names_op_numbers_and_line() -> None:
    with detect_anomaly():
        x = Value(1e200, label="x")
        line = this_line() + 1
        y = x * 1e100
        with pytest.raises(OverflowError) as caught:
            y.backward(gradient=1e300)
    message = str(caught.value)
    assert "the gradient of input 0 of 'mul' is not finite" in message
    assert "upstream 1e+300 × local derivative 1e+100" in message
    assert f"test_anomaly.py:{line}" in message
    assert x.grad == 0.0  # a failed pass leaves the leaves as they were


def test_outside_the_block_errors_are_plain_and_nothing_is_recorded() -> None:
    with pytest.raises(ValueError) as caught:
        Value(-1.0).log()
    assert "test_anomaly.py" not in str(caught.value)
    with detect_anomaly():
        assert autograd.is_anomaly_enabled()
        Value(1.0) * 2.0
    assert not autograd.is_anomaly_enabled()
    assert not autograd.anomaly.ANOMALY.sites  # dropped when the block ends


def test_anomaly_mode_gives_the_same_gradients() -> None:
    def build() -> tuple[Value, list[Value]]:
        xs = [Value(v) for v in (0.3, -1.2, 2.0)]
        out = (xs[0] * xs[1] + xs[2].tanh()).sigmoid() * autograd.sum(xs)
        return out, xs

    plain, plain_xs = build()
    plain.backward()
    with detect_anomaly():
        checked, checked_xs = build()
        checked.backward()
    assert [x.grad for x in checked_xs] == [x.grad for x in plain_xs]


def test_an_error_type_that_takes_other_arguments_is_raised_as_it_is() -> None:
    class Odd(ValueError):
        def __init__(self, code: int, text: str) -> None:
            super().__init__(f"{code}: {text}")

    class Raising(autograd.Function):
        @staticmethod
        def forward(ctx: object, x: float) -> float:
            return x

        @staticmethod
        def backward(ctx: object, grad_output: float) -> float:
            raise Odd(7, "no derivative here")

    with detect_anomaly():
        y = Raising.apply(Value(1.0))
        with pytest.raises(ValueError, match="no derivative here"):
            y.backward()
