"""The compiled engine's ops pinned to the reference's, bit for bit: ``autograd.fast.native``
against ``autograd.value`` and ``autograd.ops``.

For every op the node's value, its local derivatives (``node._op.local_derivatives(node)``)
and the gradients ``backward()`` leaves on its inputs are the reference's, as floats that
are equal and of equal sign (-0.0 is not 0.0); where the reference raises, the compiled
engine raises the same type with the same message. Each op is checked on a grid of edge
inputs (signed zeros, subnormals, the largest floats, negative bases) and on inputs that
hypothesis draws. ``backward()`` of the compiled node takes the C road wherever the
reference's derivatives and contributions are finite, and hands the pass to the reference
elsewhere (which then computes or raises exactly); which road it took is checked too.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import autograd
from autograd import ops
from tests.autograd.fast.native_helpers import (
    EDGES,
    Native,
    Reference,
    affine,
    all_bits,
    bits,
    grads,
    in_both,
    nary,
    outcome,
    raised,
    reference_loop,
)
from tests.autograd.fast.roads import fast_road_taken

# The C pass installed as the fast backward for each test, whichever engine runs.
pytestmark = pytest.mark.usefixtures("compiled_backward")

FINITE = st.floats(allow_nan=False, allow_infinity=False)
FLOATS = st.one_of(FINITE, st.floats(-4.0, 4.0), st.sampled_from(EDGES))
NUMBERS = st.one_of(FLOATS, st.integers(-4, 4))  # a number on one side of an op
EXPONENTS = [0, 1, 2, 3, -1, -2, -3, 0.0, 1.0, 2.0, 3.0, 0.5, -0.5, 1.5, 2.5, -1.5, 1 / 3, 10]
EXPONENTS += [0.1, 7, 1000, -1000]


# -- one node in both engines ------------------------------------------------------------

Make = Callable[[Any], tuple[Any, Sequence[Any]]]
"""Given an engine's Value class, build one node: (the node, the leaves it was built from)."""


def positions(node: Any, leaves: Sequence[Any]) -> list[Any]:
    """Each input of ``node`` as the index of the leaf it is, or, for a number the builder
    made a leaf of, that leaf's value."""
    found = []
    for parent in node.parents:
        at = [i for i, leaf in enumerate(leaves) if leaf is parent]
        found.append(at[0] if at else bits(parent.data))
    return found


def local_derivatives(node: Any) -> list[tuple[type, float, float]]:
    """What the backward pass asks the node's op of ops.py for: ∂node/∂input, each input."""
    return all_bits(node._op.local_derivatives(node))


def assert_same_node(make: Make, gradient: float = 1.0, where: str = "") -> None:
    """The node ``make`` builds is the reference's in the compiled engine: the same value or
    error, op, inputs, local derivatives, and gradients after ``backward(gradient)``; and
    the compiled ``backward()`` took the C road exactly where every local derivative and
    every upstream × local is finite and the reference's pass succeeds."""
    made_ref = outcome(lambda: make(Reference))
    made_nat = outcome(lambda: make(Native))
    if raised(made_ref):
        assert made_nat == made_ref, where
        return
    assert not raised(made_nat), f"{where}: {made_nat}"
    (ref, ref_leaves), (nat, nat_leaves) = made_ref[1], made_nat[1]
    assert type(nat) is Native and type(ref) is Reference, where
    assert bits(nat.data) == bits(ref.data), where
    assert (nat.op, type(nat._op)) == (ref.op, type(ref._op)), where
    assert positions(nat, nat_leaves) == positions(ref, ref_leaves), where

    local_ref, local_nat = (
        outcome(lambda: local_derivatives(ref)),
        outcome(lambda: local_derivatives(nat)),
    )
    assert local_nat == local_ref, where

    with reference_loop():
        back_ref = outcome(lambda: ref.backward(gradient))
    with fast_road_taken() as answers:
        back_nat = outcome(lambda: nat.backward(gradient))
    assert back_nat == back_ref, where
    assert grads(nat.parents) == grads(ref.parents), where
    assert grads(nat_leaves) == grads(ref_leaves), where

    finite = not raised(local_ref) and all(
        math.isfinite(d) and math.isfinite(gradient * d) for _, d, _ in local_ref[1]
    )
    assert answers == [finite and not raised(back_ref)], f"{where}: roads {answers}"


def assert_same_op(build: Callable[..., Any], *data: float, gradient: float = 1.0) -> None:
    """``build(*leaves)`` over leaves holding ``data``: the same node in both engines."""

    def make(V: Any) -> tuple[Any, list[Any]]:
        leaves = [V(x) for x in data]
        return build(*leaves), leaves

    assert_same_node(make, gradient, where=f"at {data!r}, gradient {gradient!r}")


# -- ops of two Values -------------------------------------------------------------------

BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "a + b": operator.add,
    "a - b": operator.sub,
    "a * b": operator.mul,
    "a / b": operator.truediv,
    "a ** b": operator.pow,
}
binary_ops = pytest.mark.parametrize("build", BINARY.values(), ids=BINARY.keys())


@binary_ops
def test_an_op_of_two_values_at_the_edges(build: Callable[[Any, Any], Any]) -> None:
    for a in EDGES:
        for b in EDGES:
            assert_same_op(build, a, b)


@binary_ops
def test_an_op_of_two_values_with_negative_bases_and_whole_exponents(
    build: Callable[[Any, Any], Any],
) -> None:
    for a in [-2.0, -0.5, -1.0, -3.0, -0.0, 0.0]:
        for b in [float(n) for n in EXPONENTS]:
            assert_same_op(build, a, b)


@binary_ops
@given(a=FLOATS, b=FLOATS, gradient=st.sampled_from([1.0, -0.5, 3.0, 1e300]))
@settings(deadline=None)
def test_an_op_of_two_values_is_the_reference_bit_for_bit(
    build: Callable[[Any, Any], Any], a: float, b: float, gradient: float
) -> None:
    assert_same_op(build, a, b, gradient=gradient)


# -- ops of a Value and a number ---------------------------------------------------------

WITH_NUMBER: dict[str, Callable[[Any, Any], Any]] = {
    "x + c": lambda x, c: x + c,
    "c + x": lambda x, c: c + x,
    "x - c": lambda x, c: x - c,
    "c - x": lambda x, c: c - x,
    "x * c": lambda x, c: x * c,
    "c * x": lambda x, c: c * x,
    "x / c": lambda x, c: x / c,
    "c / x": lambda x, c: c / x,
    "x ** c": lambda x, c: x**c,
    "c ** x": lambda x, c: c**x,
    "x.clamp(min=c)": lambda x, c: x.clamp(min=c),
    "x.clamp(max=c)": lambda x, c: x.clamp(max=c),
    "x.clamp(-|c|, |c|)": lambda x, c: x.clamp(-abs(c), abs(c)),
}
number_ops = pytest.mark.parametrize("build", WITH_NUMBER.values(), ids=WITH_NUMBER.keys())


@number_ops
def test_an_op_with_a_number_at_the_edges(build: Callable[[Any, Any], Any]) -> None:
    for x in EDGES:
        for c in [*EDGES, 0, 1, -1, 2, 3]:
            assert_same_op(lambda v, c=c: build(v, c), x)


@pytest.mark.parametrize("n", EXPONENTS, ids=repr)
def test_x_to_a_number_at_the_edges_and_at_negative_bases(n: float) -> None:
    for x in [*EDGES, -3.0, -0.25, 10.0, 1e-100, 1e100]:
        assert_same_op(lambda v: v**n, x)


@number_ops
@given(x=FLOATS, c=NUMBERS, gradient=st.sampled_from([1.0, -2.0, 1e-300]))
@settings(deadline=None)
@example(x=10.0, c=1e308, gradient=1.0)  # overflows
@example(x=5e-324, c=0.5, gradient=1.0)
def test_an_op_with_a_number_is_the_reference_bit_for_bit(
    build: Callable[[Any, Any], Any], x: float, c: float, gradient: float
) -> None:
    assert_same_op(lambda v: build(v, c), x, gradient=gradient)


def numbers_held(op: ops.Op) -> list[Any]:
    """The numbers an op of a Value and a number holds (None for a clamp's missing bound)."""
    held = [getattr(op, name) for name in ("constant", "exponent", "base", "low", "high")
            if hasattr(op, name)]  # fmt: skip
    return [None if c is None else bits(c) for c in held]


def test_a_number_folded_into_the_op_is_the_references_op_with_that_number() -> None:
    for build in WITH_NUMBER.values():
        for c in [2.5, -0.0, 0.0, 3]:
            try:
                ref = build(Reference(0.75), c)
            except ZeroDivisionError:  # x / 0
                continue
            nat = build(Native(0.75), c)
            assert type(nat._op) is type(ref._op)
            assert numbers_held(nat._op) == numbers_held(ref._op) != []
            assert nat._op.describe() == ref._op.describe()
            assert repr(nat._op) == repr(ref._op)


# -- ops of one Value --------------------------------------------------------------------

UNARY: dict[str, Callable[[Any], Any]] = {
    "-x": operator.neg,
    "abs(x)": abs,
    "x.exp()": lambda x: x.exp(),
    "x.log()": lambda x: x.log(),
    "x.log1p()": lambda x: x.log1p(),
    "x.tanh()": lambda x: x.tanh(),
    "x.sigmoid()": lambda x: x.sigmoid(),
    "x.relu()": lambda x: x.relu(),
    "x.sqrt()": lambda x: x.sqrt(),
    "x.abs()": lambda x: x.abs(),
    "x.sin()": lambda x: x.sin(),
    "x.cos()": lambda x: x.cos(),
    "x.clamp(min=0.5)": lambda x: x.clamp(min=0.5),
    "x.clamp(max=-0.5)": lambda x: x.clamp(max=-0.5),
    "x.clamp(-1, 2)": lambda x: x.clamp(-1, 2),
    "x * x": lambda x: x * x,  # one input twice: two edges to it
    "x / x": lambda x: x / x,
    "x - x": lambda x: x - x,
    "x ** x": lambda x: x**x,
}
unary_ops = pytest.mark.parametrize("build", UNARY.values(), ids=UNARY.keys())


@unary_ops
def test_an_op_of_one_value_at_the_edges(build: Callable[[Any], Any]) -> None:
    for x in [*EDGES, -1.0 + 1e-16, 1e-300, 709.0, 1e-8, math.pi]:
        for gradient in [1.0, -0.0, 1e300]:
            assert_same_op(build, x, gradient=gradient)


@unary_ops
@given(x=FLOATS, gradient=st.sampled_from([1.0, -3.0, 0.0, 1e-300, 1e300]))
@settings(deadline=None)
def test_an_op_of_one_value_is_the_reference_bit_for_bit(
    build: Callable[[Any], Any], x: float, gradient: float
) -> None:
    assert_same_op(build, x, gradient=gradient)


def test_sqrt_at_zero_has_no_derivative_in_either_engine() -> None:
    for zero in [0.0, -0.0]:

        def backward(V: Any, zero: float = zero) -> None:
            V(zero).sqrt().backward()

        ref, nat = in_both(backward)
        assert ref[:2] == ("raised", ZeroDivisionError)
        assert nat == ref


def test_the_log_of_a_tiny_number_gets_the_exact_gradient() -> None:
    # 1/x overflows a float, upstream / x does not: the reference divides last
    assert_same_op(lambda x: x.log(), 5e-324, gradient=1e-300)
    assert_same_op(lambda x: x.log(), 1e-310, gradient=1e-10)
    x = Native(5e-324)
    x.log().backward(1e-300)
    assert x.grad == 1e-300 / 5e-324 and math.isfinite(x.grad)


def test_relu_and_abs_have_derivative_zero_at_zero() -> None:
    for zero in [0.0, -0.0]:
        for build in [UNARY["x.relu()"], UNARY["x.abs()"]]:
            assert_same_op(build, zero)
            x = Native(zero)
            build(x).backward()
            assert bits(x.grad) == bits(0.0)


# -- ops of many Values ------------------------------------------------------------------

MANY: dict[str, Callable[[Sequence[Any]], Any]] = {
    "sum": lambda xs: nary(ops.SUM, xs),
    "mean": lambda xs: nary(ops.MEAN, xs),
    "dot": lambda xs: nary(ops.DOT, xs if len(xs) % 2 else xs[:-1]),  # w₁…wₙ, x₁…xₙ, b
}
many_ops = pytest.mark.parametrize("build", MANY.values(), ids=MANY.keys())


@many_ops
@given(
    data=st.lists(FLOATS, min_size=1, max_size=7),
    gradient=st.sampled_from([1.0, -0.0, 2.0, 1e300]),
)
@settings(deadline=None)
@example(data=[1e308, 1e308], gradient=1.0)  # the sum overflows
@example(data=[-0.0, -0.0, -0.0], gradient=1.0)
@example(data=[1e308, -1e308, 5e-324], gradient=1.0)
def test_an_op_of_many_values_is_the_reference_bit_for_bit(
    build: Callable[[Sequence[Any]], Any], data: list[float], gradient: float
) -> None:
    assert_same_op(lambda *xs: build(xs), *data, gradient=gradient)


@many_ops
def test_an_op_of_many_values_at_the_edges(build: Callable[[Sequence[Any]], Any]) -> None:
    for a in EDGES:
        for b in EDGES:
            assert_same_op(lambda *xs: build(xs), a, b, -0.0)


def test_numbers_among_the_inputs_of_sum_mean_and_dot_become_leaves() -> None:
    for op in [ops.SUM, ops.MEAN, ops.DOT]:

        def make(V: Any, op: ops.NaryOp = op) -> tuple[Any, list[Any]]:
            x = V(1.5)
            return nary(op, [x, 2, -0.0]), [x]

        assert_same_node(make, where=op.name)


# -- a layer's neurons: ops.AFFINE[act] --------------------------------------------------

ACTIVATIONS = [None, "relu", "tanh", "sigmoid"]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@given(
    shape=st.tuples(st.integers(1, 3), st.integers(1, 4), st.booleans()),
    data=st.lists(st.one_of(st.floats(-3.0, 3.0), FLOATS), min_size=19, max_size=19),
    gradient=st.sampled_from([1.0, -0.25]),
)
@settings(deadline=None)
def test_a_neuron_of_a_native_affine_layer_is_the_references_affine_node(
    activation: str | None, shape: tuple[int, int, bool], data: list[float], gradient: float
) -> None:
    m, n, with_bias = shape
    for j in range(m):  # each neuron is one node; backward from each in turn

        def make(V: Any, j: int = j) -> tuple[Any, list[Any]]:
            values = iter(data)
            rows = [[V(next(values)) for _ in range(n)] for _ in range(m)]
            xs = [V(next(values)) for _ in range(n)]
            biases = [V(next(values)) for _ in range(m)] if with_bias else None
            leaves = [*(w for row in rows for w in row), *xs, *(biases or [])]
            return affine(V, activation, rows, xs, biases)[j], leaves

        assert_same_node(make, gradient, where=f"neuron {j} of {shape}, {data}")


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_native_affine_layer_at_the_edges(activation: str | None) -> None:
    for w in EDGES:
        for x in EDGES:

            def make(V: Any, w: float = w, x: float = x) -> tuple[Any, list[Any]]:
                leaves = [V(w), V(-0.0), V(x), V(x), V(-0.0)]
                rows = [leaves[:2]]
                return affine(V, activation, rows, leaves[2:4], leaves[4:])[0], leaves

            assert_same_node(make, where=f"w {w!r}, x {x!r}")


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_numbers_given_to_a_native_affine_layer_become_leaves(activation: str | None) -> None:
    def make(V: Any) -> tuple[Any, list[Any]]:
        rows = [[V(0.5), V(-1.5)], [V(2.0), V(0.25)]]
        return affine(V, activation, rows, [1.0, -2], None)[1], [*rows[0], *rows[1]]

    assert_same_node(make)


# -- errors: the reference's own, type and message ---------------------------------------


def labelled(data: float) -> Callable[[Any], Any]:
    return lambda V: V(data, label="p")


def layer_overflowing(V: Any) -> Any:
    rows = [[V(1.0), V(1.0)], [V(1e308), V(1e308)]]
    return affine(V, "tanh", rows, [V(1e308), V(1e308)], None)


def assign_a_non_leaf(V: Any) -> None:
    y = V(1.0) * 2.0
    y.data = 3.0


def backward_under_no_grad(V: Any) -> None:
    with autograd.no_grad():
        y = V(1.0, label="q") * 2.0
    y.backward()


def backward_steps_under_no_grad(V: Any) -> None:
    with autograd.no_grad():
        y = (V(1.0) * 2.0).exp()
    y.backward_steps()


def backward_after_the_input_changed(V: Any) -> None:
    w = V(1.0, label="w")
    y = (w * 2.0).tanh() + w
    w.data = 3.0
    y.backward()


ERRORS: list[tuple[str, Callable[[Any], Any], type[Exception]]] = [
    # outside an op's domain
    ("log(-1)", lambda V: V(-1.0).log(), ValueError),
    ("log(0)", lambda V: V(0.0).log(), ValueError),
    ("log1p(-1)", lambda V: V(-1.0).log1p(), ValueError),
    ("sqrt(-1)", lambda V: V(-1.0).sqrt(), ValueError),
    ("0 ** -1", lambda V: V(0.0) ** -1, ZeroDivisionError),
    ("-0 ** -2.5", lambda V: V(-0.0) ** -2.5, ZeroDivisionError),
    ("0 ** Value(-1)", lambda V: V(0.0) ** V(-1.0), ZeroDivisionError),
    ("(-2) ** 0.5", lambda V: V(-2.0) ** 0.5, ValueError),
    ("(-2) ** Value(0.5)", lambda V: V(-2.0) ** V(0.5), ValueError),
    ("(-2.0) ** x", lambda V: (-2.0) ** V(0.5), ValueError),
    ("0.0 ** x at -1", lambda V: 0.0 ** V(-1.0), ZeroDivisionError),
    ("x / 0", lambda V: V(1.0) / 0, ZeroDivisionError),
    ("x / 0.0", lambda V: V(1.0) / 0.0, ZeroDivisionError),
    ("x / -0.0", lambda V: V(1.0) / -0.0, ZeroDivisionError),
    ("x / Value(0)", lambda V: V(1.0) / V(0.0), ZeroDivisionError),
    ("1 / x at 0.0", lambda V: 1 / V(0.0), ZeroDivisionError),
    ("0 / x at -0.0", lambda V: 0 / V(-0.0), ZeroDivisionError),
    ("clamp(min > max)", lambda V: V(1.0).clamp(1.0, 0.0), ValueError),
    ("clamp()", lambda V: V(1.0).clamp(), ValueError),
    ("sum of nothing", lambda V: nary(ops.SUM, [], V), ValueError),
    # overflow
    ("x * 1e308", lambda V: V(10.0) * 1e308, OverflowError),
    ("1e308 * x", lambda V: 1e308 * V(10.0), OverflowError),
    ("x + x", lambda V: V(1e308) + V(1e308), OverflowError),
    ("x - c", lambda V: V(-1e308) - 1e308, OverflowError),
    ("x / tiny", lambda V: V(1e10) / 1e-300, OverflowError),
    ("c / x", lambda V: 1e10 / V(1e-300), OverflowError),
    ("exp(1000)", lambda V: V(1000.0).exp(), OverflowError),
    ("x ** 1000", lambda V: V(10.0) ** 1000, OverflowError),
    ("x ** Value(1000)", lambda V: V(10.0) ** V(1000.0), OverflowError),
    ("10 ** x", lambda V: 10 ** V(1000.0), OverflowError),
    ("sum of two 1e308", lambda V: nary(ops.SUM, [V(1e308), V(1e308)]), OverflowError),
    ("mean of two 1e308", lambda V: nary(ops.MEAN, [V(1e308), V(1e308)]), OverflowError),
    ("dot", lambda V: nary(ops.DOT, [V(1e308), V(1e308), V(10.0), V(10.0), V(0.0)]), OverflowError),
    ("a layer's neuron", layer_overflowing, OverflowError),
    ("x * 10 ** 400", lambda V: V(1.0) * 10**400, OverflowError),
    # not a finite number
    ("x * 'a'", lambda V: V(1.0) * "a", TypeError),
    ("'a' * x", lambda V: "a" * V(1.0), TypeError),
    ("x + None", lambda V: V(1.0) + None, TypeError),
    ("x * nan", lambda V: V(1.0) * float("nan"), ValueError),
    ("x + inf", lambda V: V(1.0) + float("inf"), ValueError),
    ("x * True", lambda V: V(1.0) * True, TypeError),
    ("x ** 'a'", lambda V: V(1.0) ** "a", TypeError),
    ("'a' ** x", lambda V: "a" ** V(1.0), TypeError),
    ("x ** True", lambda V: V(1.0) ** True, TypeError),
    ("clamp('a')", lambda V: V(1.0).clamp("a"), TypeError),
    ("clamp(max=nan)", lambda V: V(1.0).clamp(max=float("nan")), ValueError),
    ("sum with 'a'", lambda V: nary(ops.SUM, [V(1.0), "a"]), TypeError),
    ("Value('a')", lambda V: V("a"), TypeError),
    ("Value(nan)", lambda V: V(float("nan")), ValueError),
    ("Value(True)", lambda V: V(True), TypeError),
    ("Value(10 ** 400)", lambda V: V(10**400), OverflowError),
    ("data = 'a'", lambda V: setattr(V(1.0), "data", "a"), TypeError),
    ("data = inf", lambda V: setattr(V(1.0), "data", float("inf")), ValueError),
    # the labels of the inputs, named
    ("log of 'p'", lambda V: labelled(-1.0)(V).log(), ValueError),
    ("x / 'p'", lambda V: V(1.0) / labelled(0.0)(V), ZeroDivisionError),
    ("'p' / 'p'", lambda V: labelled(1.0)(V) / labelled(0.0)(V), ZeroDivisionError),
    ("'p' * 1e308", lambda V: labelled(10.0)(V) * 1e308, OverflowError),
    ("2 ** 'p'", lambda V: 2.0 ** labelled(2000.0)(V), OverflowError),
    ("'p'.clamp", lambda V: labelled(1.0)(V).clamp(0, "a"), TypeError),
    # misuse
    ("data of a non-leaf", assign_a_non_leaf, AttributeError),
    ("backward under no_grad", backward_under_no_grad, RuntimeError),
    ("backward_steps under no_grad", backward_steps_under_no_grad, RuntimeError),
    ("a stale input", backward_after_the_input_changed, RuntimeError),
    # derivatives that do not exist, or overflow
    ("sqrt'(0)", lambda V: V(0.0).sqrt().backward(), ZeroDivisionError),
    ("(x ** 0.5)'(0)", lambda V: (V(0.0) ** 0.5).backward(), ZeroDivisionError),
    ("(x ** Value)' at a < 0", lambda V: (V(-2.0) ** V(2.0)).backward(), ValueError),
    ("((-2) ** x)'", lambda V: ((-2.0) ** V(2.0)).backward(), ValueError),
    ("log'(5e-324)", lambda V: labelled(5e-324)(V).log().backward(), OverflowError),
    ("(x * 1e100)' * 1e300", lambda V: (labelled(1e200)(V) * 1e100).backward(1e300), OverflowError),
    ("(x + x)' * 1e308", lambda V: (V(1.0) + V(1.0) * 2.0).backward(1e308), OverflowError),
]
errors = pytest.mark.parametrize(("do", "error"), [pytest.param(d, e, id=i) for i, d, e in ERRORS])


@errors
def test_an_error_is_the_references_own(do: Callable[[Any], Any], error: type) -> None:
    ref, nat = in_both(do)
    assert ref[:2] == ("raised", error), ref
    assert nat == ref


@errors
def test_in_anomaly_mode_an_error_names_the_same_line(
    do: Callable[[Any], Any], error: type
) -> None:
    def anomalous(V: Any) -> Any:
        with autograd.detect_anomaly():
            return do(V)

    ref, nat = in_both(anomalous)
    assert ref[:2] == ("raised", error), ref
    assert nat == ref


def test_anomaly_mode_adds_the_users_line_to_a_forward_error() -> None:
    def forward(V: Any) -> Any:
        with autograd.detect_anomaly():
            return V(-1.0).log()  # this line

    ref, nat = in_both(forward)
    assert nat == ref
    assert f"(in 'log' at {__file__}:" in ref[2] and "this line" in ref[2]


def test_anomaly_mode_adds_the_creating_line_to_a_backward_error() -> None:
    def backward(V: Any) -> Any:
        with autograd.detect_anomaly():
            root = V(0.0).sqrt()  # created here
            root.backward()

    ref, nat = in_both(backward)
    assert nat == ref
    assert "('sqrt' created at" in ref[2] and "created here" in ref[2]


def test_a_third_argument_to_pow_is_a_type_error_in_both() -> None:
    ref, nat = in_both(lambda V: pow(V(2.0), 2, 3))
    assert ref[:2] == nat[:2] == ("raised", TypeError)


def test_an_error_in_backward_leaves_the_leaves_as_they_were() -> None:
    x, y = Native(0.0), Native(2.0)
    x.grad, y.grad = 0.25, -0.0
    root = x.sqrt() * y
    with fast_road_taken() as answers, pytest.raises(ZeroDivisionError):
        root.backward()
    assert answers == [False]  # C declined, the reference raised
    assert grads([x, y]) == [bits(0.25), bits(-0.0)]
