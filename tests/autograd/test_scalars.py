"""``autograd.scalars``: what becomes the Python float a Value holds (ints, floats, numpy real
scalars, exactly), and what is refused, naming where."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from autograd import Value
from tests.helpers import assert_named_error, each_named_error


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (3, 3.0),
        (-7, -7.0),
        (0, 0.0),
        (2.5, 2.5),
        (-0.0, -0.0),
        (10**20, 1e20),
        (np.float64(1.25), 1.25),
        (np.float32(0.1), float(np.float32(0.1))),  # the float32 value, exactly
        (np.int64(-42), -42.0),
        (np.int32(7), 7.0),
        (np.float16(0.5), 0.5),
    ],
    ids=lambda v: f"{type(v).__name__}({v!r})",
)
def test_value_stores_a_python_float(given: object, expected: float) -> None:
    v = Value(given)  # type: ignore[arg-type]
    assert type(v.data) is float
    assert v.data == expected
    assert math.copysign(1.0, v.data) == math.copysign(1.0, expected)


def test_float32_is_not_rounded_to_a_decimal() -> None:
    v = Value(np.float32(0.1))
    assert v.data != 0.1  # float32(0.1) is 0.100000001490116...
    assert v.data == pytest.approx(0.1, rel=1e-7)


# (call, exception type, regex the message must match)
BAD_VALUES: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
    ("Value(str)", lambda: Value("1"), TypeError, r"Value.*str"),  # type: ignore[arg-type]
    ("Value(None)", lambda: Value(None), TypeError, r"Value.*None"),  # type: ignore[arg-type]
    ("Value(complex)", lambda: Value(1 + 2j), TypeError, r"Value.*complex"),  # type: ignore[arg-type]
    ("Value(True)", lambda: Value(True), TypeError, r"Value.*bool"),
    ("Value(list)", lambda: Value([1.0]), TypeError, r"Value"),  # type: ignore[arg-type]
    ("Value(nan)", lambda: Value(float("nan")), ValueError, r"Value.*nan"),
    ("Value(inf)", lambda: Value(float("inf")), ValueError, r"Value.*inf"),
    ("Value(-inf)", lambda: Value(float("-inf")), ValueError, r"Value.*inf"),
    ("Value(10**400)", lambda: Value(10**400), OverflowError, r"Value"),
]


@each_named_error(BAD_VALUES)
def test_bad_values_are_refused_naming_value(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    assert_named_error(call, error, message)
