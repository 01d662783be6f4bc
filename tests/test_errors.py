"""Bad input: each case raises Python's own exception type with a message naming the op."""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from pathlib import Path

import pytest

import autograd
from autograd import Value, gradcheck


def _backward(build: Callable[[], Value]) -> Callable[[], None]:
    """Build a graph (which must succeed) and return a call that runs backward() on it."""

    def run() -> None:
        out = build()
        assert math.isfinite(out.data)
        out.backward()

    return run


def _assign_non_leaf() -> None:
    y = Value(2.0) * 3
    y.data = 1.0


def _assign_leaf(value: object) -> Callable[[], None]:
    def run() -> None:
        v = Value(1.0)
        v.data = value  # type: ignore[assignment]

    return run


# (call, exception type, regex the message must match)
CASES: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
    # construction
    ("Value(str)", lambda: Value("1"), TypeError, r"Value.*str"),  # type: ignore[arg-type]
    ("Value(None)", lambda: Value(None), TypeError, r"Value.*None"),  # type: ignore[arg-type]
    ("Value(complex)", lambda: Value(1 + 2j), TypeError, r"Value.*complex"),  # type: ignore[arg-type]
    ("Value(True)", lambda: Value(True), TypeError, r"Value.*bool"),
    ("Value(list)", lambda: Value([1.0]), TypeError, r"Value"),  # type: ignore[arg-type]
    ("Value(nan)", lambda: Value(float("nan")), ValueError, r"Value.*nan"),
    ("Value(inf)", lambda: Value(float("inf")), ValueError, r"Value.*inf"),
    ("Value(-inf)", lambda: Value(float("-inf")), ValueError, r"Value.*inf"),
    ("Value(10**400)", lambda: Value(10**400), OverflowError, r"Value"),
    # operands of the wrong type or not finite
    ("Value + str", lambda: Value(2.0) + "a", TypeError, r"add.*str"),  # type: ignore[operator]
    ("str + Value", lambda: "a" + Value(2.0), TypeError, r"add"),  # type: ignore[operator]
    ("Value * None", lambda: Value(2.0) * None, TypeError, r"mul.*None"),  # type: ignore[operator]
    ("Value * complex", lambda: Value(2.0) * (1 + 1j), TypeError, r"mul.*complex"),  # type: ignore[operator]
    ("Value * True", lambda: Value(2.0) * True, TypeError, r"mul.*bool"),
    ("Value - str", lambda: Value(2.0) - "a", TypeError, r"sub"),  # type: ignore[operator]
    ("Value / list", lambda: Value(2.0) / [1], TypeError, r"div"),  # type: ignore[operator]
    ("Value ** str", lambda: Value(2.0) ** "a", TypeError, r"pow.*str"),  # type: ignore[operator]
    ("Value ** nan", lambda: Value(2.0) ** float("nan"), ValueError, r"pow.*nan"),
    ("Value ** inf", lambda: Value(2.0) ** float("inf"), ValueError, r"pow.*inf"),
    ("Value + nan", lambda: Value(2.0) + float("nan"), ValueError, r"add.*nan"),
    ("Value * inf", lambda: Value(2.0) * float("inf"), ValueError, r"mul.*inf"),
    ("inf - Value", lambda: float("inf") - Value(2.0), ValueError, r"sub.*inf"),
    # outside the domain: never a complex number, never a bare 'math domain error'
    ("log(0)", lambda: Value(0.0).log(), ValueError, r"log.*0\.0"),
    ("log(-1)", lambda: Value(-1.0).log(), ValueError, r"log.*-1\.0"),
    ("sqrt(-1)", lambda: Value(-1.0).sqrt(), ValueError, r"sqrt.*-1\.0"),
    ("(-8) ** (1/3)", lambda: Value(-8.0) ** (1 / 3), ValueError, r"pow.*-8\.0"),
    ("(-8) ** Value(0.5)", lambda: Value(-8.0) ** Value(0.5), ValueError, r"pow.*-8\.0"),
    ("(-8.0) rpow Value", lambda: (-8.0) ** Value(0.5), ValueError, r"pow.*-8\.0"),
    # division by zero
    ("Value / 0", lambda: Value(1.0) / 0, ZeroDivisionError, r"div.*division"),
    ("Value / Value(0)", lambda: Value(1.0) / Value(0.0), ZeroDivisionError, r"div.*division"),
    ("1 / Value(0)", lambda: 1 / Value(0.0), ZeroDivisionError, r"div.*division"),
    ("Value(0) / Value(0)", lambda: Value(0.0) / Value(-0.0), ZeroDivisionError, r"div"),
    ("0 ** -1", lambda: Value(0.0) ** -1, ZeroDivisionError, r"pow"),
    ("0 ** -0.5", lambda: Value(0.0) ** -0.5, ZeroDivisionError, r"pow"),
    ("0 ** Value(-2)", lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, r"pow"),
    # overflow in the forward pass
    ("exp(800)", lambda: Value(800.0).exp(), OverflowError, r"exp.*800"),
    ("1e200 * 1e200", lambda: Value(1e200) * 1e200, OverflowError, r"mul.*1e\+200"),
    ("1e308 + 1e308", lambda: Value(1e308) + 1e308, OverflowError, r"add.*1e\+308"),
    ("-1e308 - 1e308", lambda: Value(-1e308) - 1e308, OverflowError, r"sub"),
    ("1e300 / 1e-300", lambda: Value(1e300) / 1e-300, OverflowError, r"div"),
    ("10 ** 400", lambda: Value(10.0) ** 400, OverflowError, r"pow"),
    ("10 ** Value(400)", lambda: Value(10.0) ** Value(400.0), OverflowError, r"pow"),
    ("10 rpow Value(400)", lambda: 10.0 ** Value(400.0), OverflowError, r"pow"),
    # errors only the backward pass can see
    (
        "sqrt'(0)",
        _backward(lambda: Value(0.0).sqrt()),
        ZeroDivisionError,
        r"sqrt",
    ),
    (
        "d/db (-2)**b",
        _backward(lambda: Value(-2.0) ** Value(2.0)),
        ValueError,
        r"pow.*-2\.0",
    ),
    (
        "d/dx x**0.5 at 0",
        _backward(lambda: Value(0.0) ** 0.5),
        ZeroDivisionError,
        r"pow",
    ),
    (
        "d/da a**Value(0.5) at 0",
        _backward(lambda: Value(0.0) ** Value(0.5)),
        ZeroDivisionError,
        r"pow",
    ),
    (
        "gradient overflow",
        lambda: (Value(1.0) * 1e300).backward(gradient=1e300),
        OverflowError,
        r"backward",
    ),
    # arguments of backward
    (
        "backward(gradient=str)",
        lambda: Value(1.0).exp().backward(gradient="x"),  # type: ignore[arg-type]
        TypeError,
        r"backward.*str",
    ),
    (
        "backward(gradient=nan)",
        lambda: Value(1.0).exp().backward(gradient=float("nan")),
        ValueError,
        r"backward.*nan",
    ),
    (
        "backward(gradient=None)",
        lambda: Value(1.0).exp().backward(gradient=None),  # type: ignore[arg-type]
        TypeError,
        r"backward",
    ),
    # .data
    ("non-leaf .data =", _assign_non_leaf, AttributeError, r"'mul'"),
    ("leaf .data = str", _assign_leaf("2"), TypeError, r"Value\.data.*str"),
    ("leaf .data = nan", _assign_leaf(float("nan")), ValueError, r"Value\.data.*nan"),
    ("leaf .data = inf", _assign_leaf(float("inf")), ValueError, r"Value\.data"),
    # gradcheck's own arguments
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


@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [pytest.param(call, exc, pattern, id=name) for name, call, exc, pattern in CASES],
)
def test_bad_input(call: Callable[[], object], exc: type[BaseException], pattern: str) -> None:
    with pytest.raises(exc, match=pattern) as info:
        call()
    assert type(info.value) is exc  # the type itself, not a subclass such as a bare assert's
    assert not isinstance(info.value, AssertionError)


def test_at_least_25_cases() -> None:
    assert len(CASES) >= 25


def test_negative_base_fractional_power_never_complex() -> None:
    assert isinstance((-8.0) ** (1 / 3), complex)  # what plain Python does
    with pytest.raises(ValueError, match="pow"):
        Value(-8.0) ** (1 / 3)


def test_math_domain_error_text_is_not_used() -> None:
    calls: list[Callable[[], Value]] = [lambda: Value(0.0).log(), lambda: Value(-1.0).sqrt()]
    for call in calls:
        with pytest.raises(ValueError) as info:
            call()
        assert "math domain error" not in str(info.value)


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


def test_error_leaves_no_partial_node() -> None:
    x = Value(1e200)
    with pytest.raises(OverflowError):
        _ = x * 1e200
    assert x.grad == 0.0
    assert x.data == 1e200


def test_no_assert_statements_in_engine() -> None:
    # bare asserts vanish under python -O and raise AssertionError otherwise; the
    # engine must raise TypeError / ValueError / ... explicitly
    package = Path(autograd.__file__).parent
    offenders = []
    for path in sorted(package.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        offenders += [
            f"{path.name}:{n.lineno}" for n in ast.walk(tree) if isinstance(n, ast.Assert)
        ]
    assert offenders == []
