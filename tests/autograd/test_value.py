"""Constructing Values and the API around them: data, op, parents, grad modes."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from autograd import Value, enable_grad, is_grad_enabled, no_grad

# -- construction ------------------------------------------------------------------------


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


def test_new_value_defaults() -> None:
    v = Value(2.0)
    assert v.grad == 0.0
    assert type(v.grad) is float
    assert v.label is None
    assert v.op is None
    assert v.parents == ()
    assert v.is_leaf


def test_label() -> None:
    v = Value(2.0, label="w")
    assert v.label == "w"
    v.label = "weight"
    assert v.label == "weight"


# -- op, parents, is_leaf ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "op"),
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "sub"),
        (lambda a, b: a * b, "mul"),
        (lambda a, b: a / b, "div"),
        (lambda a, b: a**b, "pow"),
        (lambda a, b: a**2, "pow"),
        (lambda a, b: -a, "neg"),
        (lambda a, b: a.exp(), "exp"),
        (lambda a, b: a.log(), "log"),
        (lambda a, b: a.tanh(), "tanh"),
        (lambda a, b: a.sigmoid(), "sigmoid"),
        (lambda a, b: a.relu(), "relu"),
        (lambda a, b: a.sqrt(), "sqrt"),
        (lambda a, b: a.abs(), "abs"),
        (lambda a, b: a.sin(), "sin"),
        (lambda a, b: a.cos(), "cos"),
    ],
)
def test_op_names(build: Callable[[Value, Value], Value], op: str) -> None:
    a, b = Value(2.0), Value(3.0)
    out = build(a, b)
    assert out.op == op
    assert not out.is_leaf


def test_parents_in_order() -> None:
    a, b = Value(1.0), Value(2.0)
    assert (a - b).parents == (a, b)
    assert (b - a).parents == (b, a)
    assert (a / b).parents[0] is a
    assert (a / b).parents[1] is b
    assert a.exp().parents == (a,)
    assert isinstance(a.exp().parents, tuple)


def test_parents_keep_duplicates() -> None:
    x = Value(3.0)
    y = x * x
    assert y.parents == (x, x)
    assert len(y.parents) == 2
    z = x + x
    assert z.parents[0] is x and z.parents[1] is x


def test_a_number_operand_is_part_of_the_op_not_a_parent() -> None:
    x = Value(3.0)
    y = x * 2
    assert y.parents == (x,)  # as in PyTorch, the 2 is not a node of the graph
    assert y.op == "mul"
    assert y._op.constant == 2.0  # type: ignore[union-attr]
    assert type(y._op.constant) is float  # type: ignore[union-attr]
    assert y._op.describe() == "*2"  # type: ignore[union-attr]
    assert (x * y).parents == (x, y)  # two Values: two parents


# -- item, detach, float, repr ----------------------------------------------------------


def test_item_and_float() -> None:
    v = Value(2.5) * 2
    assert v.item() == 5.0
    assert type(v.item()) is float
    assert float(v) == 5.0
    assert type(float(v)) is float


def test_detach_is_an_unconnected_leaf() -> None:
    x = Value(1.5)
    y = x.tanh()
    y.label = "h"
    d = y.detach()
    assert d is not y
    assert d.is_leaf
    assert d.op is None
    assert d.parents == ()
    assert d.data == y.data
    assert d.label == "h"
    assert d.grad == 0.0
    (d * 3).backward()
    assert d.grad == 3.0
    assert x.grad == 0.0  # nothing flowed into the original graph
    assert y.grad == 0.0


def test_detach_of_a_leaf_is_a_new_leaf() -> None:
    x = Value(1.5)
    d = x.detach()
    assert d is not x
    d.data = 9.0
    assert x.data == 1.5


def test_repr_shows_data_op_and_label() -> None:
    x = Value(1.25, label="weight_7")
    r = repr(x)
    assert "1.25" in r
    assert "weight_7" in r
    y = x * 3
    y.label = "scaled"
    r = repr(y)
    assert "3.75" in r
    assert "mul" in r
    assert "scaled" in r
    leaf_repr = repr(Value(0.5))
    assert "0.5" in leaf_repr
    assert "mul" not in leaf_repr


def test_repr_shows_grad_after_backward() -> None:
    x = Value(2.0)
    (x * 4.5).backward()
    assert "4.5" in repr(x)


# -- identity semantics ------------------------------------------------------------------


def test_no_eq_or_hash_override() -> None:
    assert Value.__eq__ is object.__eq__
    assert Value.__hash__ is object.__hash__


def test_equal_data_is_not_equal_values() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a
    assert not (a == b)  # noqa: SIM201
    assert a != b
    table = {a: "a", b: "b"}
    assert len(table) == 2
    assert table[a] == "a"
    assert table[b] == "b"
    assert len({a, b, a}) == 2


def test_comparison_with_number_is_identity_not_value() -> None:
    number: object = 1.0
    assert Value(1.0) != number
    v = Value(1.0)
    assert v in [Value(1.0), v]
    assert v not in [Value(1.0)]


def test_slots_no_dict() -> None:
    v = Value(1.0)
    assert not hasattr(v, "__dict__")
    with pytest.raises(AttributeError):
        v.some_attribute = 1  # type: ignore[attr-defined]


# -- assigning .data ---------------------------------------------------------------------


def test_data_assignable_on_leaf() -> None:
    v = Value(1.0)
    v.data = 4
    assert v.data == 4.0
    assert type(v.data) is float
    v.data = np.float32(0.5)
    assert v.data == 0.5
    assert type(v.data) is float
    v.data -= 0.25
    assert v.data == 0.25


@pytest.mark.parametrize(
    ("build", "op"),
    [
        (lambda x: x * 2, "mul"),
        (lambda x: x + 1, "add"),
        (lambda x: x.tanh(), "tanh"),
        (lambda x: x**2, "pow"),
        (lambda x: -x, "neg"),
    ],
)
def test_data_not_assignable_on_non_leaf(build: Callable[[Value], Value], op: str) -> None:
    x = Value(0.5)
    y = build(x)
    before = y.data
    with pytest.raises(AttributeError, match=f"'{op}'"):
        y.data = 1.0
    assert y.data == before


def test_data_assignment_validates() -> None:
    v = Value(1.0)
    with pytest.raises(TypeError):
        v.data = "2"  # type: ignore[assignment]
    with pytest.raises(ValueError):
        v.data = float("nan")
    assert v.data == 1.0


def test_grad_is_writable() -> None:
    v = Value(1.0)
    v.grad = 3.5
    assert v.grad == 3.5


# -- no_grad / enable_grad ---------------------------------------------------------------


def test_grad_enabled_by_default() -> None:
    assert is_grad_enabled()


def test_no_grad_results_are_leaves() -> None:
    x, w = Value(2.0), Value(-3.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * w + 1).tanh()
        z = x**2
        q = 2 - x
    assert is_grad_enabled()
    for v in (y, z, q):
        assert v.is_leaf
        assert v.op is None
        assert v.parents == ()
    assert y.data == math.tanh(2.0 * -3.0 + 1.0)
    assert z.data == 4.0
    assert q.data == 0.0
    # results computed under no_grad are ordinary leaves afterwards
    (y * 2).backward()
    assert y.grad == 2.0
    assert x.grad == 0.0
    assert w.grad == 0.0


def test_no_grad_restores_after_exception() -> None:
    with pytest.raises(ZeroDivisionError), no_grad():
        assert not is_grad_enabled()
        _ = Value(1.0) / 0.0
    assert is_grad_enabled()
    y = Value(1.0) * 2
    assert y.op == "mul"


def test_no_grad_restores_after_unrelated_exception() -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), no_grad():
        raise Boom
    assert is_grad_enabled()


def test_nested_no_grad() -> None:
    with no_grad():
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
        assert (Value(1.0) + 1).is_leaf
    assert is_grad_enabled()


def test_enable_grad_inside_no_grad() -> None:
    x = Value(2.0)
    with no_grad():
        assert (x * 3).is_leaf
        with enable_grad():
            assert is_grad_enabled()
            y = x * 3
        assert not is_grad_enabled()
        z = x * 3
    assert is_grad_enabled()
    assert y.op == "mul"
    assert y.parents[0] is x
    assert z.is_leaf
    y.backward()
    assert x.grad == 3.0


def test_enable_grad_restores_after_exception() -> None:
    with no_grad():
        with pytest.raises(ValueError), enable_grad():
            Value(-1.0).log()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_no_grad_as_update_step() -> None:
    w = Value(1.0)
    loss = (w * 3 - 6) ** 2  # d/dw = 2·(3w - 6)·3 = -18 at w = 1
    loss.backward()
    assert w.grad == -18.0
    with no_grad():
        w.data = (w - 0.1 * w.grad).data
    assert w.data == pytest.approx(2.8)
    assert w.is_leaf
