"""``autograd.fast.backward`` pinned to the reference engine (``autograd.backprop``).

On graphs of the core ops the fast loop gives the reference's gradients bit for bit;
through ``AffineLayer``s (the default ``nn`` graph) the gradients agree within 1e-12
relative. The fast loop steps aside (the reference runs) under a tracer, in anomaly
mode, when a hooked Value is in the graph, and when a gradient overflows; a hook on a
Value outside the graph does not make it.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd import Value, backprop, ops
from autograd.drawing import _walk
from autograd.fast import backward as fast
from nn import functional as F
from tests.autograd.fast.roads import counting_calls, fast_road_taken

# The Python engine's optimisation; the compiled engine replaces it (see tests/conftest.py).
pytestmark = pytest.mark.python_engine

UNARY: list[Callable[[Value], Value]] = [
    Value.tanh,
    Value.sigmoid,
    Value.relu,
    Value.abs,
    Value.sin,
    Value.cos,
    lambda x: -x,
    lambda x: x**2,
    lambda x: x**3,
    lambda x: (x * x + 1.0).log(),
    lambda x: (x * x + 0.5).sqrt(),
    lambda x: x.tanh().exp(),
    lambda x: 2.0 ** x.tanh(),
    lambda x: x * 1.5,
    lambda x: 0.25 - x,
    lambda x: x / 3.0,
    lambda x: 2.0 / (x * x + 1.0),
    lambda x: (x * x + 1.0) ** 0.5,
    lambda x: x.clamp(-0.5, 0.5),
    lambda x: (x + 0.3).log1p() if x.data > -1.0 else x,
]
BINARY: list[Callable[[Value, Value], Value]] = [
    lambda a, b: a + b,
    lambda a, b: a - b,
    lambda a, b: a * b,
    lambda a, b: a / (b * b + 1.0),
    lambda a, b: (a * a + 1.0) ** b.tanh(),
]
MANY: list[Callable[[list[Value]], Value]] = [
    autograd.sum,
    autograd.mean,
    lambda xs: autograd.dot(xs[: len(xs) // 2 or 1], xs[len(xs) // 2 :][: len(xs) // 2 or 1]),
]


@st.composite
def graphs(draw: st.DrawFn) -> tuple[Value, list[Value]]:
    """A random graph of the core ops: leaves, then nodes built from earlier nodes (so
    that nodes are shared), then the sum of the last few as the root."""
    values = draw(st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=5))
    leaves = [Value(v, label=f"x{i}") for i, v in enumerate(values)]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, 30))):
        kind = draw(st.sampled_from(["unary", "binary", "many"]))
        pick = st.integers(0, len(nodes) - 1)
        if kind == "unary":
            node = draw(st.sampled_from(UNARY))(nodes[draw(pick)])
        elif kind == "binary":
            node = draw(st.sampled_from(BINARY))(nodes[draw(pick)], nodes[draw(pick)])
        else:
            chosen = [nodes[i] for i in draw(st.lists(pick, min_size=2, max_size=6))]
            if len(chosen) % 2:
                chosen = chosen[:-1]
            node = draw(st.sampled_from(MANY))(chosen)
        nodes.append(node)
    root = autograd.sum(nodes[-draw(st.integers(1, min(4, len(nodes)))) :])
    return root, leaves


def reference_backward(root: Value, gradient: float = 1.0) -> None:
    for _ in backprop.backward_steps(root, gradient):
        pass


def bits(x: float) -> str:
    return x.hex()  # tells -0.0 from 0.0, and any difference in the last bit


@given(graphs(), st.lists(st.floats(-3.0, 3.0), min_size=5, max_size=5), st.floats(-2.0, 2.0))
@settings(max_examples=150, deadline=None)
def test_the_fast_loop_gives_the_reference_gradients_bit_for_bit(
    graph: tuple[Value, list[Value]], held: list[float], seed: float
) -> None:
    root, _ = graph
    nodes = _walk(root)  # every Value reachable from root
    leaves = [node for node in nodes if node.is_leaf]  # numbers in sum/dot are leaves too
    for leaf, grad in zip(leaves, held, strict=False):  # leaves accumulate onto these
        leaf.grad = grad
    for leaf in leaves[len(held) :]:
        leaf.grad = 0.0
    assert fast.backward(root, seed)
    by_fast = [bits(node.grad) for node in nodes]
    for leaf, grad in zip(leaves, [*held, *[0.0] * len(leaves)], strict=False):
        leaf.grad = grad
    reference_backward(root, seed)
    assert [bits(node.grad) for node in nodes] == by_fast


def test_micrograds_fine_graph_of_an_mlp_is_bit_for_bit() -> None:
    X, y = nn.data.make_moons(12, noise=0.1, seed=3, signed=True)
    model = nn.MLP(2, [4, 4, 1], seed=1, graph="fine")
    loss = F.hinge_loss([model(row) for row in X], y.tolist())
    loss.backward()
    by_fast = [bits(p.grad) for p in model.parameters()]
    model.zero_grad()
    reference_backward(loss)
    assert [bits(p.grad) for p in model.parameters()] == by_fast


def relative_error(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("sizes", [[1], [3, 1], [5, 4, 2], [16, 16, 1]])
def test_through_layers_the_gradients_agree_within_1e_12(activation: Any, sizes: list[int]) -> None:
    X, y = nn.data.make_moons(20, noise=0.2, seed=sum(sizes), signed=True)
    model = nn.MLP(2, sizes, activation=activation, seed=len(sizes))
    loss = autograd.mean(
        [(v - t) ** 2 for row, t in zip(X, y, strict=True) for v in out(model(row))]
    )
    loss.backward()  # the fast road: layer calls, deferred neurons, weights after the pass
    by_fast = [p.grad for p in model.parameters()]
    assert any(by_fast)
    model.zero_grad()
    reference_backward(loss)  # every neuron a Value, every edge a chain-rule step
    by_reference = [p.grad for p in model.parameters()]
    assert max(map(relative_error, by_fast, by_reference)) <= 1e-12


def out(result: Value | list[Value]) -> list[Value]:
    return result if isinstance(result, list) else [result]


# -- when the fast loop steps aside -----------------------------------------------------


def mlp_loss() -> tuple[nn.MLP, Value]:
    model = nn.MLP(2, [3, 1], seed=0)
    return model, (model([1.0, -2.0]) - 1.0) ** 2  # type: ignore[operator]


def test_under_a_tracer_backward_runs_the_reference_on_a_default_mlp() -> None:
    model, loss = mlp_loss()
    with counting_calls(ops.Affine, "local_derivatives") as calls:
        loss.backward()
        assert calls == []  # the fast road: no neuron is asked for its derivatives
        fast_grads = [p.grad for p in model.parameters()]
        model.zero_grad()
        sys.settrace(lambda frame, event, arg: None)  # what a debugger does
        try:
            loss.backward()
        finally:
            sys.settrace(None)
    assert len(calls) == 4  # 3 hidden neurons and the output neuron, one call each
    traced = [p.grad for p in model.parameters()]
    assert max(map(relative_error, fast_grads, traced)) <= 1e-12


def test_a_hook_outside_the_graph_leaves_the_fast_road_open() -> None:
    stray = Value(0.0)
    handle = stray.register_hook(lambda g: g * 2)
    try:
        _, loss = mlp_loss()
        with fast_road_taken() as answers, counting_calls(ops.Affine, "local_derivatives") as calls:
            loss.backward()
        assert answers == [True] and calls == []
    finally:
        handle.remove()


def test_a_hook_inside_the_graph_sends_the_pass_to_the_reference() -> None:
    model, loss = mlp_loss()
    weight = model.layers[1].weight[0][0]
    seen: list[float] = []
    handle = weight.register_hook(lambda g: seen.append(g))
    try:
        with fast_road_taken() as answers:
            loss.backward()
    finally:
        handle.remove()
    assert answers == [False]
    assert seen == [weight.grad] and weight.grad != 0.0


def test_in_anomaly_mode_backward_runs_the_reference() -> None:
    _, loss = mlp_loss()
    counted = counting_calls(ops.Affine, "local_derivatives")
    with fast_road_taken() as answers, counted as calls, autograd.detect_anomaly():
        loss.backward()
    assert answers == [] and len(calls) == 4


def test_an_overflow_is_left_to_the_reference_which_names_the_op() -> None:
    x = Value(1e200, label="x")
    y = x * 1e100
    with fast_road_taken() as answers, pytest.raises(OverflowError) as caught:
        y.backward(gradient=1e300)
    assert answers == [False]
    assert "input 0 of 'mul' is not finite" in str(caught.value)
    assert "input x = 1e+200" in str(caught.value)
    assert x.grad == 0.0


def test_a_finite_answer_needs_the_exact_form_and_gets_it() -> None:
    x = Value(5e-324)
    with fast_road_taken() as answers:
        (x.log() * 1e-300).backward()
    assert answers == [False]  # the fast loop's 1/x overflowed: the reference took over
    assert x.grad == 1e-300 / 5e-324
    assert math.isfinite(x.grad)


def test_a_declined_pass_puts_back_a_held_negative_zero_as_it_was() -> None:
    x, y = Value(0.0), Value(2.0)
    y.grad = -0.0
    assert fast.backward(x.sqrt() * y, 1.0) is False  # sqrt'(0) is infinite: declined
    assert math.copysign(1.0, y.grad) == -1.0 and y.grad == 0.0
