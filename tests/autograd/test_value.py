"""Constructing Values and the API around them: data, op, parents, identity, repr (grad modes
are in test_grad_mode.py, what becomes a Value's float in test_scalars.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from autograd import Value
from tests.helpers import assert_named_error, each_named_error

# -- construction ------------------------------------------------------------------------


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


def _assign_non_leaf() -> None:
    y = Value(2.0) * 3
    y.data = 1.0


def _assign_leaf(value: object) -> Callable[[], None]:
    def run() -> None:
        v = Value(1.0)
        v.data = value  # type: ignore[assignment]

    return run


# (call, exception type, regex the message must match)
BAD_DATA: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
    ("non-leaf .data =", _assign_non_leaf, AttributeError, r"'mul'"),
    ("leaf .data = str", _assign_leaf("2"), TypeError, r"Value\.data.*str"),
    ("leaf .data = nan", _assign_leaf(float("nan")), ValueError, r"Value\.data.*nan"),
    ("leaf .data = inf", _assign_leaf(float("inf")), ValueError, r"Value\.data"),
]


@each_named_error(BAD_DATA)
def test_bad_data_assignments_raise_naming_the_op_or_value_data(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    assert_named_error(call, error, message)


def test_an_error_in_an_op_names_the_labels_of_its_inputs() -> None:
    with pytest.raises(ValueError, match=r"^log: input must be > 0, got -1\.0 \(input 'p'\)$"):
        Value(-1.0, label="p").log()
    with pytest.raises(ZeroDivisionError, match=r"division by zero(.*)\(inputs 'a', 'b'\)$"):
        Value(1.0, label="a") / Value(0.0, label="b")
    with pytest.raises(ZeroDivisionError, match=r"\(one input 'b'\)$"):
        Value(1.0) / Value(0.0, label="b")
    with pytest.raises(OverflowError, match=r"^mul: 1e\+200 \* 1e\+200 overflows(.*)'big'"):
        Value(1e200, label="big") * 1e200
    with pytest.raises(ValueError, match=r"^log: input must be > 0, got -1\.0$"):
        Value(-1.0).log()  # no label, nothing added
