"""clamp and log1p: values, derivatives (PyTorch's edges), and bad input."""

from __future__ import annotations

import math
from typing import Any

import pytest

from autograd import Value, gradcheck


@pytest.mark.parametrize(
    ("x", "low", "high", "value", "derivative"),
    [
        (0.5, 0.0, 1.0, 0.5, 1.0),
        (-0.5, 0.0, 1.0, 0.0, 0.0),
        (1.5, 0.0, 1.0, 1.0, 0.0),
        (0.0, 0.0, 1.0, 0.0, 1.0),  # at a bound the derivative is 1, as in torch
        (1.0, 0.0, 1.0, 1.0, 1.0),
        (-3.0, None, 2.0, -3.0, 1.0),
        (3.0, None, 2.0, 2.0, 0.0),
        (-3.0, -1.0, None, -1.0, 0.0),
    ],
)
def test_clamp(
    x: float, low: float | None, high: float | None, value: float, derivative: float
) -> None:
    v = Value(x)
    out = v.clamp(low, high)
    assert out.op == "clamp"
    assert out.data == value
    out.backward()
    assert v.grad == derivative


@pytest.mark.torch
def test_clamp_matches_torch_including_bounds(torch: Any) -> None:
    for x in (-2.0, -1.0, 0.25, 1.0, 3.0):
        v = Value(x)
        v.clamp(-1.0, 1.0).backward()
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        t.clamp(-1.0, 1.0).backward()
        assert v.grad == t.grad.item()


@pytest.mark.parametrize("x", [-0.9, -1e-12, 0.0, 1e-300, 0.5, 40.0])
def test_log1p_value_and_derivative(x: float) -> None:
    v = Value(x)
    out = v.log1p()
    assert out.data == math.log1p(x)
    out.backward()
    assert v.grad == pytest.approx(1.0 / (1.0 + x), rel=1e-15)


def test_log1p_is_exact_where_log_of_one_plus_x_is_not() -> None:
    assert Value(1e-17).log1p().data == 1e-17
    assert (Value(1e-17) + 1.0).log().data == 0.0


def test_gradcheck_clamp_and_log1p() -> None:
    assert gradcheck(lambda a, b: (a * b).log1p() * a.clamp(max=2.0), [0.7, 0.4])


@pytest.mark.parametrize(
    ("make", "error", "pattern"),
    [
        (lambda: Value(-1.0).log1p(), ValueError, r"log1p: input must be > -1, got -1\.0"),
        (lambda: Value(1.0).clamp(), ValueError, "clamp: give min, max or both"),
        (lambda: Value(1.0).clamp(2.0, 1.0), ValueError, r"clamp: min \(2\.0\)"),
        (lambda: Value(1.0).clamp("a"), TypeError, "clamp"),
        (lambda: Value(1.0).clamp(max=float("nan")), ValueError, "clamp"),
    ],
)
def test_bad_input(make: object, error: type[Exception], pattern: str) -> None:
    with pytest.raises(error, match=pattern):
        make()  # type: ignore[operator]
