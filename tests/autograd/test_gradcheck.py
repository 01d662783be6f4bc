"""``autograd.gradcheck`` and ``numerical_gradient``: they leave the inputs as they were, report a
wrong gradient naming the input and both numbers, and refuse bad arguments. (Every op is
checked with them in test_ops.py.)"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pytest

from autograd import Value, gradcheck
from tests.helpers import assert_named_error, each_named_error

# (call, exception type, regex the message must match)
BAD_ARGUMENTS: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
    (
        "gradcheck fn returns float",
        lambda: gradcheck(lambda x: x.data * 2.0, [1.0]),
        TypeError,
        r"gradcheck.*float",
    ),
    (
        "gradcheck non-leaf input",
        lambda: gradcheck(lambda x: x * 2, [Value(1.0) * 3]),
        ValueError,
        r"gradcheck.*input 0.*'mul'",
    ),
    (
        "gradcheck non-leaf second input",
        lambda: gradcheck(lambda x, y: x * y, [Value(1.0), Value(2.0).tanh()]),
        ValueError,
        r"gradcheck.*input 1.*'tanh'",
    ),
    (
        "gradcheck eps=0",
        lambda: gradcheck(lambda x: x * 2, [1.0], eps=0.0),
        ValueError,
        r"gradcheck",
    ),
    (
        "gradcheck atol<0",
        lambda: gradcheck(lambda x: x * 2, [1.0], atol=-1.0),
        ValueError,
        r"gradcheck",
    ),
    (
        "gradcheck bad input type",
        lambda: gradcheck(lambda x: x * 2, ["1"]),  # type: ignore[list-item]
        TypeError,
        r"Value",
    ),
]


@each_named_error(BAD_ARGUMENTS)
def test_bad_arguments_raise_naming_gradcheck(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    assert_named_error(call, error, message)


def test_gradcheck_same_leaf_twice() -> None:
    x = Value(1.5)
    assert gradcheck(lambda p, q: p * q + p.exp(), [x, x])
    assert x.grad == 0.0  # gradcheck leaves the inputs' grads as they were


def test_gradcheck_restores_grads() -> None:
    x = Value(0.4)
    x.grad = 7.0
    assert gradcheck(lambda t: t.tanh() * t, [x])
    assert x.grad == 7.0
    assert x.data == 0.4


def test_gradcheck_reports_a_wrong_gradient() -> None:
    # x * x.data treats x.data as a constant in the graph: backward() gives x, while the
    # function's true derivative (what central differences see) is 2x.
    x0 = 1.5
    with pytest.raises(AssertionError, match="input 0") as info:
        gradcheck(lambda x: x * x.data, [x0])
    message = str(info.value)
    numbers = [float(s) for s in re.findall(r"-?\d+\.\d+(?:e[-+]?\d+)?", message)]
    assert any(n == x0 for n in numbers)  # backward's value
    assert any(math.isclose(n, 2.0 * x0, rel_tol=1e-6) for n in numbers)  # central difference


def test_gradcheck_names_the_failing_input() -> None:
    # only the second input's gradient is wrong
    with pytest.raises(AssertionError, match="input 1"):
        gradcheck(lambda a, b: a * 3.0 + b * b.data, [2.0, 0.5])


def test_gradcheck_leaves_inputs_unchanged_after_failure() -> None:
    x = Value(1.5)
    x.grad = 0.25
    with pytest.raises(AssertionError):
        gradcheck(lambda t: t * t.data, [x])
    assert x.data == 1.5
    assert x.grad == 0.25
