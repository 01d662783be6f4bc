"""A number operand is part of its op, as in PyTorch: ``x * 2`` has one input, x.

``x + c``, ``c + x``, ``x - c``, ``c - x``, ``x * c``, ``c * x``, ``x / c`` and ``c / x``
each make one node whose op (``AddConstant``, ``SubConstant``, ``ConstantSub``,
``MulConstant``, ``DivConstant``, ``ConstantDiv``) holds the number. Checked here: values
bit for bit against plain float arithmetic (signed zeros included), gradients against
closed forms, central differences and PyTorch, the shape of the graph (parents, steps,
drawings), the errors (bad numbers, division by zero, overflow), and the sharing of ops
between nodes, whose cache must never confuse 0.0 with -0.0 or True with 1.0.

The cache lives as long as the process, so whatever earlier tests did decides what is in
it: what depends on a fresh cache (which ops are shared, a full cache) runs in a new
interpreter.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, detect_anomaly, gradcheck, no_grad, ops
from tests.helpers import assert_named_error

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Form:
    """One way of writing a number c into an op on x."""

    text: str  # how it is written, e.g. "c - x"
    apply: Callable[[Any, Any], Any]  # x, c -> the expression: Values, floats and tensors alike
    derivative: Callable[[float, float], float]  # d/dx by hand
    op_class: type[ops.WithConstant]
    name: str  # Value.op
    shown: Callable[[str], str]  # the op's text, from the number's text

    def __str__(self) -> str:
        return self.text


FORMS = [
    Form("x + c", lambda x, c: x + c, lambda x, c: 1.0, ops.AddConstant, "add", "+{}".format),
    Form("c + x", lambda x, c: c + x, lambda x, c: 1.0, ops.AddConstant, "add", "+{}".format),
    Form("x - c", lambda x, c: x - c, lambda x, c: 1.0, ops.SubConstant, "sub", "-{}".format),
    Form("c - x", lambda x, c: c - x, lambda x, c: -1.0, ops.ConstantSub, "sub", "{}-".format),
    Form("x * c", lambda x, c: x * c, lambda x, c: c, ops.MulConstant, "mul", "*{}".format),
    Form("c * x", lambda x, c: c * x, lambda x, c: c, ops.MulConstant, "mul", "*{}".format),
    Form("x / c", lambda x, c: x / c, lambda x, c: 1.0 / c, ops.DivConstant, "div", "/{}".format),
    Form(
        "c / x",
        lambda x, c: c / x,
        lambda x, c: -c / (x * x),
        ops.ConstantDiv,
        "div",
        "{}/".format,
    ),
]
FORM = {form.text: form for form in FORMS}
# The forms that are defined for c = 0 (x / 0 is a division by zero).
ZERO_FORMS = [form for form in FORMS if form.text != "x / c"]

XS = [0.1, -2.5, 3.0]
CS: list[float] = [2, 0.5, -0.3, 1e-3, 7]  # ints among them on purpose

REL = 1e-14  # closed forms vs the engine: a few ulps at most (c / x rounds twice)
TORCH_REL = 1e-12


def bits(x: float) -> str:
    """``x`` exactly, sign of zero included: equal texts mean equal floats, bit for bit."""
    return float.hex(x)


# -- values and derivatives ---------------------------------------------------------------


@pytest.mark.parametrize("c", CS)
@pytest.mark.parametrize("x0", XS)
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_value_matches_float_arithmetic_and_gradient_the_closed_form(
    form: Form, x0: float, c: float
) -> None:
    x = Value(x0)
    out: Value = form.apply(x, c)
    assert bits(out.data) == bits(form.apply(x0, c))  # plain floats: the same IEEE operation
    out.backward()
    assert out.grad == 1.0
    assert math.isclose(x.grad, form.derivative(x0, float(c)), rel_tol=REL)


@pytest.mark.parametrize("c", CS)
@pytest.mark.parametrize("x0", XS)
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_gradient_matches_central_differences(form: Form, x0: float, c: float) -> None:
    assert gradcheck(lambda x: form.apply(x, c), [x0])


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_backward_with_a_seed_scales_the_closed_form(form: Form) -> None:
    x = Value(1.75)
    form.apply(x, 0.625).backward(-2.0)  # exact binary fractions: exact products
    assert math.isclose(x.grad, -2.0 * form.derivative(1.75, 0.625), rel_tol=REL)


@pytest.mark.parametrize(
    ("x0", "c"),
    [
        (0.1, 0.2),  # inexact decimals
        (1e308, 1.5),  # close to the largest float, not beyond it
        (-1.7e308, -1.0),
        (5e-324, 1e-300),  # the smallest subnormal; x * c underflows to 0
        (1e-300, 1e-20),
        (2.0**53, 1),
        (3.0, 2**53 + 1),  # an int that rounds to a float, as in plain arithmetic
        (0.3, -0.1),
    ],
)
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_edge_values_bit_for_bit(form: Form, x0: float, c: float) -> None:
    expected = form.apply(x0, c)
    assert math.isfinite(expected)  # the table stays within floats
    assert bits(form.apply(Value(x0), c).data) == bits(expected)


@pytest.mark.parametrize(
    "c",
    [np.float64(0.75), np.float32(0.1), np.int64(3), np.int32(-2), np.float16(0.5), 4],
    ids=lambda c: f"{type(c).__name__}({c!r})",
)
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_numpy_scalars_and_ints_as_the_number(form: Form, c: Any) -> None:
    x0 = 1.25
    x = Value(x0)
    out: Value = form.apply(x, c)
    assert isinstance(out, Value)
    assert out.parents == (x,)
    assert isinstance(out._op, form.op_class)
    assert type(out._op.constant) is float
    assert out._op.constant == float(c)
    # float32(0.1) as its float64 value exactly, as Value(np.float32(0.1)) holds it
    assert bits(out.data) == bits(form.apply(x0, float(c)))
    out.backward()
    assert math.isclose(x.grad, form.derivative(x0, float(c)), rel_tol=REL)


# -- signed zeros -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "sign"),
    [
        (lambda: Value(2.0) * -0.0, -1.0),
        (lambda: -0.0 * Value(2.0), -1.0),
        (lambda: Value(-2.0) * 0.0, -1.0),
        (lambda: Value(-2.0) * -0.0, 1.0),
        (lambda: Value(-0.0) + 0.0, 1.0),
        (lambda: 0.0 + Value(-0.0), 1.0),
        (lambda: Value(-0.0) + -0.0, -1.0),
        (lambda: Value(-0.0) - 0.0, -1.0),
        (lambda: Value(-0.0) - -0.0, 1.0),
        (lambda: -0.0 - Value(0.0), -1.0),
        (lambda: 0.0 - Value(0.0), 1.0),
        (lambda: 0.0 / Value(-2.0), -1.0),
        (lambda: -0.0 / Value(-2.0), 1.0),
    ],
)
def test_signed_zero_results_by_hand(make: Callable[[], Value], sign: float) -> None:
    out = make()
    assert out.data == 0.0
    assert math.copysign(1.0, out.data) == sign


@pytest.mark.parametrize("zeros", [(0.0, -0.0), (-0.0, 0.0)], ids=["0.0 first", "-0.0 first"])
@pytest.mark.parametrize(
    ("form", "x0"),
    [
        (form, x0)
        for form in ZERO_FORMS
        for x0 in [0.0, -0.0, 2.0, -2.0]
        if not (form.text == "c / x" and x0 == 0.0)  # 0 / 0 is a division by zero
    ],
    ids=str,
)
def test_zero_and_minus_zero_in_either_order(
    form: Form, x0: float, zeros: tuple[float, float]
) -> None:
    # 0.0 == -0.0 as dict keys: a cache of ops by number would answer one with the other
    for c in (*zeros, *zeros):
        out: Value = form.apply(Value(x0), c)
        assert bits(out.data) == bits(form.apply(x0, c)), f"{form} with x={x0!r}, c={c!r}"
        assert math.copysign(1.0, out._op.constant) == math.copysign(1.0, c)  # type: ignore[union-attr]


def test_zero_is_never_shared() -> None:
    x = Value(3.0)
    assert (x * 0.0)._op is not (x * 0.0)._op
    assert (x * -0.0)._op is not (x * -0.0)._op
    assert (0.0 - x)._op is not (0.0 - x)._op


# -- what is rejected ---------------------------------------------------------------------

BAD_NUMBERS: list[tuple[object, type[Exception]]] = [
    (True, TypeError),
    (False, TypeError),
    (np.True_, TypeError),
    ("2", TypeError),
    (None, TypeError),
    (1j, TypeError),
    (complex(2.0, 0.0), TypeError),
    (math.nan, ValueError),
    (math.inf, ValueError),
    (-math.inf, ValueError),
    (np.float64("nan"), ValueError),
    (np.float32("inf"), ValueError),
]


@pytest.mark.parametrize(("bad", "error"), BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_bad_numbers_are_rejected_naming_the_op(
    form: Form, bad: object, error: type[Exception]
) -> None:
    x = Value(2.0)
    assert_named_error(lambda: form.apply(x, bad), error, rf"\b{form.name}\b")


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_bool_is_rejected_after_its_float_was_seen(form: Form) -> None:
    x = Value(2.0)
    # True == 1.0 as a dict key: once the cache holds the op for 1.0, it must still not
    # take True for 1.0 (nor False for 0.0)
    assert form.apply(x, 1.0).parents == (x,)
    assert form.apply(x, 1.0).parents == (x,)
    assert_named_error(lambda: form.apply(x, True), TypeError, rf"\b{form.name}\b")
    assert_named_error(lambda: form.apply(x, False), TypeError, rf"\b{form.name}\b")
    assert_named_error(lambda: form.apply(x, np.True_), TypeError, rf"\b{form.name}\b")


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_int_one_after_float_one_works(form: Form) -> None:
    x = Value(2.0)
    form.apply(x, 1.0)
    out: Value = form.apply(x, 1)
    assert out.parents == (x,)
    assert type(out._op.constant) is float  # type: ignore[union-attr]
    assert bits(out.data) == bits(form.apply(2.0, 1.0))


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(3.0) / 0,
        lambda: Value(3.0) / 0.0,
        lambda: Value(3.0) / -0.0,
        lambda: Value(0.0) / 0.0,
        lambda: Value(3.0) / np.float64(0.0),
        lambda: Value(3.0) / np.int64(0),
        lambda: 4 / Value(0.0),
        lambda: 4.0 / Value(-0.0),
        lambda: 0.0 / Value(0.0),
        lambda: np.float64(4.0) / Value(0.0),
    ],
)
def test_division_by_zero(make: Callable[[], Value]) -> None:
    for _ in range(2):  # the same again: nothing cached on the way changes that
        assert_named_error(make, ZeroDivisionError, r"^div\b.*division")


@pytest.mark.parametrize(
    ("op", "make"),
    [
        ("mul", lambda: Value(1e308) * 10),
        ("mul", lambda: 10 * Value(1e308)),
        ("mul", lambda: Value(-1e308) * 1e10),
        ("mul", lambda: -1e10 * Value(1e308)),
        ("add", lambda: Value(1e308) + 1e308),
        ("add", lambda: 1e308 + Value(1e308)),
        ("sub", lambda: Value(-1e308) - 1e308),
        ("sub", lambda: 1e308 - Value(-1e308)),
        ("div", lambda: Value(1e308) / 1e-10),
        ("div", lambda: 1e300 / Value(1e-10)),
        ("div", lambda: -1e300 / Value(1e-10)),
        ("mul", lambda: Value(2.0) * 10**400),  # too large for a float at all
        ("add", lambda: 10**400 + Value(1.0)),
    ],
)
def test_overflow_raises_naming_the_op(op: str, make: Callable[[], Value]) -> None:
    assert_named_error(make, OverflowError, rf"^{op}:")


def test_overflow_message_shows_the_operands() -> None:
    assert_named_error(lambda: Value(1e308) * 10, OverflowError, r"1e\+308 \* 10.0 overflows")
    assert_named_error(
        lambda: 1e308 - Value(-1e308), OverflowError, r"1e\+308 - -1e\+308 overflows"
    )
    assert_named_error(lambda: 1e300 / Value(1e-10), OverflowError, r"1e\+300 / 1e-10")


def test_errors_in_anomaly_mode_still_name_the_op() -> None:
    x = Value(0.0)
    with detect_anomaly():
        assert_named_error(lambda: x / 0, ZeroDivisionError, r"^div\b(.|\n)*in 'div' at")
        assert_named_error(lambda: 1 / x, ZeroDivisionError, r"^div\b")
        assert_named_error(lambda: Value(1e308) * 10, OverflowError, r"^mul(.|\n)*'mul'")
        assert_named_error(lambda: x - True, TypeError, r"^sub\b")


def test_gradient_overflow_through_c_over_x_raises_and_restores() -> None:
    x = Value(1e-200)
    y = 1 / x  # 1e200, finite; its derivative -1/x² = -1e400 is not
    assert y.data == 1e200
    with pytest.raises(OverflowError, match="overflowed"):
        y.backward()
    assert x.grad == 0.0
    with detect_anomaly():
        z = 1 / x
        assert_named_error(z.backward, OverflowError, r"input 0 of 'div' is not finite")
    assert x.grad == 0.0


# -- the graph ----------------------------------------------------------------------------

SHOWN: list[tuple[Any, str]] = [
    (2, "2"),
    (2.0, "2"),
    (-3.0, "-3"),
    (0.5, "0.5"),
    (0.25, "0.25"),
    (-1.5, "-1.5"),
    (1e300, "1e+300"),
    (1e-7, "1e-07"),
    (123456789, "123456789"),
    (np.float64(4.0), "4"),
    (np.int64(3), "3"),
]


@pytest.mark.parametrize(("c", "text"), SHOWN, ids=lambda v: repr(v))
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_one_parent_and_the_op_shows_the_number(form: Form, c: Any, text: str) -> None:
    x = Value(1.0)
    out: Value = form.apply(x, c)
    assert out.parents == (x,)
    assert out.parents[0] is x
    assert not out.is_leaf
    assert out.op == form.name
    assert type(out._op) is form.op_class
    assert isinstance(out._op, ops.WithConstant)
    assert out._op.constant == float(c)
    assert out._op.describe() == form.shown(text)
    assert repr(out._op) == f"<op {form.name} {form.shown(text)}>"


@pytest.mark.parametrize(
    ("make", "shown"),
    [
        (lambda x: x * 2, "*2"),
        (lambda x: 2 * x, "*2"),
        (lambda x: 1 - x, "1-"),
        (lambda x: x - 1, "-1"),
        (lambda x: x + 0.5, "+0.5"),
        (lambda x: x / 4, "/4"),
        (lambda x: 4 / x, "4/"),
        (lambda x: x / 0.25, "/0.25"),
        (lambda x: x * 1e300, "*1e+300"),
    ],
)
def test_describe_by_hand(make: Callable[[Value], Value], shown: str) -> None:
    assert make(Value(1.0))._op.describe() == shown  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("c", "text"),
    [
        (2.0, "2"),
        (-3.0, "-3"),
        (0.5, "0.5"),
        (0.1, "0.1"),
        (1e300, "1e+300"),
        (-1e300, "-1e+300"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (1e-7, "1e-07"),
        (123456789012345.0, "123456789012345"),
    ],
)
def test_constant_text(c: float, text: str) -> None:
    assert ops.constant_text(c) == text
    assert len(ops.constant_text(c)) <= 24  # never hundreds of digits


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda x, y: x + y, ops.ADD),
        (lambda x, y: x - y, ops.SUB),
        (lambda x, y: x * y, ops.MUL),
        (lambda x, y: x / y, ops.DIV),
    ],
)
def test_two_values_still_make_a_two_input_node(
    make: Callable[[Value, Value], Value], op: ops.Op
) -> None:
    x, y = Value(3.0), Value(-2.0)
    out = make(x, y)
    assert out.parents == (x, y)
    assert out._op is op
    assert not isinstance(out._op, ops.WithConstant)
    assert make(x, x).parents == (x, x)
    assert make(y, x).parents == (y, x)


def test_powers_keep_one_input() -> None:
    x = Value(1.5)
    cube, exp2 = x**3, 2**x
    assert cube.parents == (x,) and exp2.parents == (x,)
    assert isinstance(cube._op, ops.PowConstantExponent)
    assert isinstance(exp2._op, ops.PowConstantBase)
    assert not isinstance(cube._op, ops.WithConstant)
    assert not isinstance(exp2._op, ops.WithConstant)


def test_one_step_per_folded_node() -> None:
    x = Value(3.0)
    root = x * 2 + 1
    steps = list(root.backward_steps())
    assert len(steps) == 2  # with the numbers as nodes there were four
    assert [s.position for s in steps] == [0, 0]
    assert steps[0].node is root and steps[0].input is root.parents[0]
    assert steps[0].local == 1.0  # d(y + 1)/dy
    assert steps[1].node is root.parents[0] and steps[1].input is x
    assert steps[1].local == 2.0  # d(2x)/dx
    assert steps[1].contribution == 2.0
    assert x.grad == 2.0


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_each_form_is_one_step_with_the_closed_form_derivative(form: Form) -> None:
    x = Value(0.8)
    out: Value = form.apply(x, 2.5)
    (step,) = out.backward_steps()
    assert step.node is out and step.input is x and step.position == 0
    assert math.isclose(step.local, form.derivative(0.8, 2.5), rel_tol=REL)
    assert step.input_grad == x.grad


def test_drawing_has_no_record_for_a_number() -> None:
    x = Value(3.0, label="x")
    root = (1 - x * 2) / 4  # four Values: x, x * 2, 1 - x * 2, the root
    graph = autograd.draw(root)
    source = graph.source
    assert source.count("shape=record") == 4
    assert "4 values" in repr(graph)
    for shown in ('label="/4"', 'label="1-"', 'label="*2"'):
        assert shown in source
    # local derivatives by hand on the three edges: 1/4, -1, 2
    for local in ('label="∂ 0.25"', 'label="∂ -1"', 'label="∂ 2"'):
        assert local in source
    for number in ("data 1 ", "data 2 ", "data 4 "):  # no node for 1, 2 or 4
        assert number not in source


def test_the_number_gets_no_node_anywhere() -> None:
    x, y = Value(0.7), Value(-1.3)
    root = (2 - x) / (y + 0.5) * 3 + 1 / (x * y) - y / 4
    order = autograd.topological_order(root)
    assert len(order) == 9  # 2-x, y+.5, /, *3, x*y, 1/, +, y/4, -
    leaves = {id(p) for node in order for p in node.parents if p.is_leaf}
    assert leaves == {id(x), id(y)}


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_no_grad_makes_a_leaf_with_the_right_value(form: Form) -> None:
    x = Value(1.5)
    with no_grad():
        out: Value = form.apply(x, 4.0)
    assert out.parents == ()
    assert out.is_leaf
    assert out.op is None
    assert bits(out.data) == bits(form.apply(1.5, 4.0))
    out.backward()
    assert x.grad == 0.0
    assert form.apply(x, 4.0).parents == (x,)  # recording again outside the block


# -- gradients through reuse --------------------------------------------------------------


def test_reuse_accumulates_and_backward_twice_doubles() -> None:
    x0 = 0.7
    x = Value(x0)
    y = x * 3
    z = y * y + y * 0.5  # z = 9x² + 1.5x
    z.backward()
    assert math.isclose(y.grad, 2 * (3 * x0) + 0.5, rel_tol=REL)  # 2y + 0.5
    assert math.isclose(x.grad, 18 * x0 + 1.5, rel_tol=REL)
    first = x.grad
    z.backward()
    assert x.grad == 2 * first  # leaves accumulate, exactly
    assert math.isclose(y.grad, 2 * (3 * x0) + 0.5, rel_tol=REL)  # interior: recomputed
    assert gradcheck(lambda v: (v * 3) * (v * 3) + (v * 3) * 0.5, [x0])


def test_one_number_many_nodes() -> None:
    x = Value(1.25)
    out = x * 0.5 * 0.5 * 0.5 + 0.5 / x - (0.5 - x) * 0.5
    # d/dx: 1/8 - 0.5/x² + 0.5
    out.backward()
    assert math.isclose(x.grad, 0.125 - 0.5 / 1.25**2 + 0.5, rel_tol=REL)
    assert out.data == 1.25 * 0.5 * 0.5 * 0.5 + 0.5 / 1.25 - (0.5 - 1.25) * 0.5


def composite(x: Any, y: Any) -> Any:
    """All eight forms, x and y each used several times; for Values, floats and tensors."""
    return (2 - x) / (y + 0.5) * 3 + 1 / (x * y) - y / 4 + 0.5 * (x - 1) + (0.25 + y)


def composite_gradient(x: float, y: float) -> tuple[float, float]:
    """∂/∂x and ∂/∂y of ``composite``, by hand."""
    dx = -3 / (y + 0.5) - 1 / (x * x * y) + 0.5
    dy = -3 * (2 - x) / (y + 0.5) ** 2 - 1 / (x * y * y) - 0.25 + 1
    return dx, dy


@pytest.mark.parametrize(("x0", "y0"), [(0.7, -1.3), (2.0, 3.0), (-0.4, 0.9)])
def test_composite_closed_form_and_central_differences(x0: float, y0: float) -> None:
    x, y = Value(x0), Value(y0)
    out = composite(x, y)
    assert math.isclose(out.data, composite(x0, y0), rel_tol=REL)
    out.backward()
    dx, dy = composite_gradient(x0, y0)
    assert math.isclose(x.grad, dx, rel_tol=1e-13)
    assert math.isclose(y.grad, dy, rel_tol=1e-13)
    assert gradcheck(composite, [x0, y0])


# -- PyTorch ------------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("c", CS)
@pytest.mark.parametrize("x0", XS)
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_matches_torch(form: Form, x0: float, c: float, torch: Any) -> None:
    x = Value(x0)
    out: Value = form.apply(x, c)
    out.backward()
    t = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    tout = form.apply(t, float(c))
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=TORCH_REL)
    assert math.isclose(x.grad, t.grad.item(), rel_tol=TORCH_REL)


@pytest.mark.torch
@pytest.mark.parametrize(("x0", "y0"), [(0.7, -1.3), (2.0, 3.0), (-0.4, 0.9)])
def test_composite_matches_torch(x0: float, y0: float, torch: Any) -> None:
    x, y = Value(x0), Value(y0)
    out = composite(x, y)
    out.backward()
    tx = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y0, dtype=torch.float64, requires_grad=True)
    tout = composite(tx, ty)
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=TORCH_REL)
    assert math.isclose(x.grad, tx.grad.item(), rel_tol=TORCH_REL)
    assert math.isclose(y.grad, ty.grad.item(), rel_tol=TORCH_REL)


@pytest.mark.torch
def test_interior_gradients_match_torch(torch: Any) -> None:
    def chain(x: Any) -> list[Any]:
        a = 3 - x
        b = a * 0.5
        c = 2 / b
        d = c + 1.5
        e = d / 4
        return [a, b, c, d, e, e - 0.125]

    nodes = chain(Value(0.4))
    nodes[-1].backward()
    t = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    tnodes = chain(t)
    for tn in tnodes:
        tn.retain_grad()
    tnodes[-1].backward()
    for node, tn in zip(nodes, tnodes, strict=True):
        assert math.isclose(node.data, tn.item(), rel_tol=TORCH_REL)
        assert math.isclose(node.grad, tn.grad.item(), rel_tol=TORCH_REL)


# -- stale data ---------------------------------------------------------------------------


def test_stale_leaf_after_x_times_2_plus_x() -> None:
    x = Value(2.0, label="x")
    root = x * 2 + x
    x.data = 5.0
    assert_named_error(root.backward, RuntimeError, r"input 1 of 'add' \(x, now 5.0\)")
    assert x.grad == 0.0
    root = x * 2 + x
    root.backward()
    assert x.grad == 3.0


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_stale_leaf_under_a_folded_node(form: Form) -> None:
    x = Value(2.0, label="x")
    out: Value = form.apply(x, 3.0)
    x.data = 5.0
    assert_named_error(out.backward, RuntimeError, rf"input 0 of '{form.name}' \(x, now 5.0\)")
    assert x.grad == 0.0
    out = form.apply(x, 3.0)
    out.backward()
    assert math.isclose(x.grad, form.derivative(5.0, 3.0), rel_tol=REL)


# -- sharing ops between nodes, in a fresh interpreter ------------------------------------

FRESH_SCRIPT = """
import json, math, sys
from autograd import Value

texts = json.loads(sys.argv[1])
forms = {t: eval("lambda x, c: " + t) for t in texts}
facts = {}
x = Value(1.5)
facts["x * 0.5 twice: one op"] = (x * 0.5)._op is (Value(-4.0) * 0.5)._op
facts["x * 2 and x * 2.0: one op"] = (x * 2)._op is (x * 2.0)._op
facts["x * 0.25: another op"] = (x * 0.25)._op is not (x * 0.5)._op
facts["x - 0.5 twice: one op"] = (x - 0.5)._op is (x - 0.5)._op
facts["0.5 - x twice: one op"] = (0.5 - x)._op is (0.5 - x)._op
facts["x * 0.0 twice: two ops"] = (x * 0.0)._op is not (x * 0.0)._op
facts["x * -0.0 twice: two ops"] = (x * -0.0)._op is not (x * -0.0)._op
facts["0.0 + x twice: two ops"] = (0.0 + x)._op is not (0.0 + x)._op

zeros = []  # [form, x, c, result]: each zero used first, then the other one
for text, f in forms.items():
    for x0 in (0.0, -0.0, 2.0, -2.0):
        if text in ("x / c", "c / x"):
            continue
        for c in (0.0, -0.0, 0.0, -0.0):
            zeros.append([text, x0, c, f(Value(x0), c).data])
x = Value(-2.0)
for c in (-0.0, 0.0, -0.0):
    zeros.append(["c / x", -2.0, c, (c / x).data])

filled = []  # [form, x, c, value, gradient]: far more numbers than the cache keeps
for text, f in forms.items():
    for k in range(300):
        c = 1000.0 + k * 0.125
        x = Value(0.75)
        out = f(x, c)
        out.backward()
        filled.append([text, 0.75, c, out.data, x.grad])
x = Value(1.5)
facts["full: a number seen early still shares"] = (x * 0.5)._op is (x * 0.5)._op
facts["full: a new number is not kept"] = (x * 5e-5)._op is not (x * 5e-5)._op
facts["full: a new number is right"] = (x * 5e-5).data == 1.5 * 5e-5
print(json.dumps({"facts": facts, "zeros": zeros, "filled": filled}))
"""


@pytest.fixture(scope="module")
def fresh() -> dict[str, Any]:
    """What a new interpreter sees: its caches hold only what the script put in them."""
    done = subprocess.run(
        [sys.executable, "-c", FRESH_SCRIPT, json.dumps([form.text for form in FORMS])],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_ops_are_shared_per_number_but_never_for_zero(fresh: dict[str, Any]) -> None:
    facts: dict[str, bool] = fresh["facts"]
    assert len(facts) == 11
    assert [name for name, holds in facts.items() if holds is not True] == []


def test_zeros_in_a_fresh_cache_keep_their_sign(fresh: dict[str, Any]) -> None:
    zeros = fresh["zeros"]
    assert len(zeros) == 6 * 4 * 4 + 3
    for text, x0, c, data in zeros:
        expected = FORM[text].apply(x0, c)
        assert bits(data) == bits(expected), f"{text} with x={x0!r}, c={c!r}"


def test_more_numbers_than_the_cache_keeps(fresh: dict[str, Any]) -> None:
    filled = fresh["filled"]
    assert len(filled) == len(FORMS) * 300
    for text, x0, c, data, grad in filled:
        form = FORM[text]
        assert bits(data) == bits(form.apply(x0, c)), f"{text} with c={c!r}"
        assert math.isclose(grad, form.derivative(x0, c), rel_tol=REL), f"{text} with c={c!r}"


# -- every finite pair, as plain Python would compute it ------------------------------------
# (last in the file: it puts hundreds of numbers into the caches of this process)

finite = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("form", FORMS, ids=str)
@settings(max_examples=150, deadline=None, derandomize=True)
@given(x0=finite, c=finite)
def test_any_finite_pair_is_plain_arithmetic_or_an_error(form: Form, x0: float, c: float) -> None:
    try:
        expected = form.apply(x0, c)
    except ZeroDivisionError:
        assert_named_error(lambda: form.apply(Value(x0), c), ZeroDivisionError, r"^div\b")
        return
    if math.isinf(expected):  # plain floats overflow silently; the engine says so
        assert_named_error(lambda: form.apply(Value(x0), c), OverflowError, rf"^{form.name}:")
        return
    assert bits(form.apply(Value(x0), c).data) == bits(expected)
