"""Each op's formulas come from its docstring, and with their numbers put in they give the
derivative the op computes."""

from __future__ import annotations

import inspect
import math
import re

import pytest

import autograd
import nn
from autograd import Value, ops
from autograd.explorer.formulas import derivative_of, math_of, with_numbers


def _samples() -> list[Value]:
    """A node of every op of ``autograd.ops``, at numbers away from any edge."""
    a, b = Value(1.7, label="a"), Value(0.6, label="b")
    model = nn.MLP(2, [2, 1], seed=1)
    neurons = [model([0.3, -0.8])]
    for act in ("relu", "tanh", "sigmoid"):
        neurons.append(nn.Neuron(2, activation=act, seed=2)([0.3, -0.8]))
    return [
        a + b, a - b, a * b, a / b, a**b, a**3, a**0.5, 2.0**a, a * 2.5, a + 1.5, a - 1.5,
        1.5 - a, a / 4.0, 4.0 / a, -a, a.exp(), a.log(), a.log1p(), a.clamp(0.0, 1.0),
        a.clamp(0.0, 2.0), a.tanh(), a.sigmoid(), a.relu(), (-a).relu(), a.sqrt(), abs(a),
        abs(-a), a.sin(), a.cos(), autograd.sum([a, b, a]), autograd.mean([a, b]),
        autograd.dot([a, b], [b, a], 0.5), *neurons,
    ]  # fmt: skip


def _concrete_op_classes() -> set[type]:
    return {
        c
        for _, c in inspect.getmembers(ops, inspect.isclass)
        if issubclass(c, ops.Op) and c.__module__ == ops.__name__ and c.name
    }


def test_every_op_states_its_math_in_its_docstring() -> None:
    covered = set()
    for node in _samples():
        op = node._op
        found = math_of(op)
        assert found is not None, f"{type(op).__name__} states no formula"
        assert found.forward.startswith("f")
        covered.update(c for c in type(op).__mro__ if c in _concrete_op_classes())
        for position in range(len(node.parents)):
            assert derivative_of(op, node, position) is not None
    assert covered == _concrete_op_classes()  # a new op without a formula fails here


_PYTHON = [  # the docstrings' notation, as Python
    ("·", "*"), ("²", "**2"), ("^", "**"), ("2√", "2*math.sqrt "), ("ln ", "math.log "),
    ("cos ", "math.cos "), ("sin ", "math.sin "), ("tanh", "math.tanh"),
]  # fmt: skip


def _evaluate(text: str) -> float:
    for notation, python in _PYTHON:
        text = text.replace(notation, python)
    text = re.sub(r"math\.(log|cos|sin|tanh|sqrt) (\(?[-\d.]+\)?)", r"math.\1(\2)", text)
    return float(eval(text, {"math": math}))


def test_the_numbers_put_in_give_the_local_derivative() -> None:
    checked = 0
    for node in _samples():
        op = node._op
        for position, local in enumerate(op.local_derivatives(node)):
            shown = with_numbers(op, node, position, local)
            assert shown is not None
            assert shown.endswith(f"{local + 0.0:.6g}")
            if "→" in shown:  # a formula with cases: "x = -1.7 → 0"
                continue
            expression, _, _ = shown.rpartition(" = ")
            if not expression or re.fullmatch(r"[\w'ᵢ₀-₉]+|f\(x\)", expression):
                continue  # "b = 0.6": the symbol's value
            assert _evaluate(expression) == pytest.approx(local, rel=1e-5), shown
            checked += 1
    assert checked >= 15


def test_an_n_ary_ops_inputs_are_numbered_as_in_its_docstring() -> None:
    a, b = Value(2.0), Value(3.0)
    node = autograd.dot([a, b], [b, a], 1.0)
    op = node._op
    texts = [derivative_of(op, node, i) for i in range(5)]
    assert texts == ["∂f/∂w₁ = x₁", "∂f/∂w₂ = x₂", "∂f/∂x₁ = w₁", "∂f/∂x₂ = w₂", "∂f/∂b = 1"]
    assert with_numbers(op, node, 1, 2.0) == "x₂ = 2"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda a: a * Value(-3.0), "b = -3"),
        (lambda a: a.tanh(), "1 - 0.935409² = 0.12501"),
        (lambda a: (-a).relu(), "x = -1.7 → 0"),
        (lambda a: a**3, "3·1.7^(3-1) = 8.67"),
        (lambda a: a / Value(-7.0), "1/(-7) = -0.142857"),
    ],
)
def test_with_numbers_reads_as_the_formula(make: object, expected: str) -> None:
    node = make(Value(1.7))  # type: ignore[operator]
    assert with_numbers(node._op, node, 0, node._op.local_derivatives(node)[0]) == expected
