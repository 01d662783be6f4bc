"""``backward()``: reuse, diamonds, repeated calls, depth, order, stale data, memory, the chain
rule through several ops by hand, and random expression graphs against central differences
and against PyTorch (the steps one by one are in test_backprop_steps.py)."""

from __future__ import annotations

import gc
import math
import subprocess
import sys
import textwrap
import tracemalloc
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, gradcheck, no_grad, numerical_gradient, topological_order
from tests.autograd.expressions import (
    ALL_OPS,
    INPUT_BOUND,
    LIMIT,
    RandomChooser,
    Recipe,
    build_recipe,
    cases,
    evaluate,
    inputs_for,
    kink_clearance,
    kink_inputs,
    recipes,
    replay,
    replay_all,
)


class WeakValue(Value):
    """A leaf that can be weakly referenced (Value's __slots__ leave out __weakref__)."""

    __slots__ = ("__weakref__",)


def _close(a: float, b: float, rel: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


# -- reuse and diamonds ------------------------------------------------------------------


def test_x_times_x() -> None:
    x = Value(-1.5)
    y = x * x
    y.backward()
    assert x.grad == -3.0


def test_x_plus_x() -> None:
    x = Value(4.0)
    y = x + x
    y.backward()
    assert y.data == 8.0
    assert x.grad == 2.0


def test_node_used_by_three_consumers() -> None:
    x = Value(0.7)
    y = x * 2 + x.exp() + x.sin()
    y.backward()
    assert _close(y.data, 1.4 + math.exp(0.7) + math.sin(0.7))
    assert _close(x.grad, 2.0 + math.exp(0.7) + math.cos(0.7))


def test_interior_node_used_by_three_consumers() -> None:
    x = Value(0.4)
    a = x * 3  # interior, consumed three times
    y = a.tanh() + a * a + a.sigmoid()
    y.backward()
    a0 = 1.2
    s = 1.0 / (1.0 + math.exp(-a0))
    da = (1.0 - math.tanh(a0) ** 2) + 2.0 * a0 + s * (1.0 - s)
    assert _close(a.grad, da)
    assert _close(x.grad, 3.0 * da)


def test_diamond_from_leaf() -> None:
    a = Value(0.6)
    b = a.tanh()
    c = a.exp()
    d = b * c
    d.backward()
    t, e = math.tanh(0.6), math.exp(0.6)
    assert _close(d.data, t * e)
    assert _close(b.grad, e)
    assert _close(c.grad, t)
    assert _close(a.grad, (1.0 - t * t) * e + t * e)


def test_diamond_from_interior_node() -> None:
    x = Value(0.5)
    a = x * 3
    b = a.sin()
    c = a**2
    d = b + c
    d.backward()
    assert d.grad == 1.0
    assert b.grad == 1.0
    assert c.grad == 1.0
    assert _close(a.grad, math.cos(1.5) + 3.0)
    assert _close(x.grad, 3.0 * (math.cos(1.5) + 3.0))


def test_nested_diamonds_against_hand_gradient() -> None:
    # f(x, y) = (x·y + x)·(x·y - y) = u·v; ∂f/∂x = (y + 1)·v + u·y, ∂f/∂y = x·v + u·(x - 1)
    x, y = Value(1.5), Value(-2.0)
    p = x * y
    f = (p + x) * (p - y)
    f.backward()
    u, v = 1.5 * -2.0 + 1.5, 1.5 * -2.0 + 2.0
    assert f.data == u * v
    assert _close(x.grad, (-2.0 + 1.0) * v + u * -2.0)
    assert _close(y.grad, 1.5 * v + u * (1.5 - 1.0))
    assert _close(p.grad, v + u)


def test_mlp_like_expression_against_gradcheck() -> None:
    def f(w1: Value, w2: Value, b: Value) -> Value:
        h1 = (w1 * 0.5 + b).tanh()
        h2 = (w2 * -1.5 + b).relu()
        return (h1 * w2 + h2 * w1 - 1.0) ** 2

    assert autograd.gradcheck(f, [0.3, -0.8, 0.1])
    assert autograd.gradcheck(f, [1.2, -2.0, 0.4])


# -- backward twice, scaled, on a leaf ---------------------------------------------------


def test_backward_twice_doubles_leaves_and_keeps_interior() -> None:
    x, w = Value(2.0), Value(-3.0)
    h = x * w  # -6
    t = h.tanh()
    out = t * 4.0
    out.backward()
    first = {"x": x.grad, "w": w.grad, "h": h.grad, "t": t.grad, "out": out.grad}
    out.backward()
    # leaves with a single contribution double exactly
    assert x.grad == 2.0 * first["x"]
    assert w.grad == 2.0 * first["w"]
    # interior nodes are recomputed from zero: the same as the first time
    assert h.grad == first["h"]
    assert t.grad == first["t"]
    assert out.grad == first["out"] == 1.0
    # and the first pass was right
    assert t.grad == 4.0
    assert _close(h.grad, 4.0 * (1.0 - math.tanh(-6.0) ** 2))
    assert _close(first["x"], -3.0 * 4.0 * (1.0 - math.tanh(-6.0) ** 2))


def test_backward_twice_with_reuse() -> None:
    x = Value(3.0)
    a = x * x
    b = a + x
    b.backward()
    assert x.grad == 7.0
    assert a.grad == 1.0
    b.backward()
    assert x.grad == 14.0
    assert a.grad == 1.0
    assert b.grad == 1.0


def test_backward_from_interior_after_root() -> None:
    x = Value(1.0)
    a = x * 2
    b = a * 5
    b.backward()
    assert a.grad == 5.0 and x.grad == 10.0
    x.grad = 0.0
    a.backward()  # a is now the root: its grad becomes 1
    assert a.grad == 1.0
    assert x.grad == 2.0


@pytest.mark.parametrize("g", [2.5, -1.0, 0.0, 1e-3])
def test_backward_gradient_scales(g: float) -> None:
    x = Value(0.3)
    y = x.exp() * x
    y.backward(gradient=g)
    assert y.grad == g
    assert _close(x.grad, g * (math.exp(0.3) * 0.3 + math.exp(0.3)))


def test_backward_gradient_accepts_int_and_numpy() -> None:
    np = pytest.importorskip("numpy")
    x = Value(2.0)
    (x * 3).backward(gradient=2)
    assert x.grad == 6.0
    (x * 3).backward(gradient=np.float64(0.5))
    assert x.grad == 7.5


def test_backward_on_leaf_adds_one() -> None:
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0
    x.backward()
    assert x.grad == 2.0
    x.grad = 0.25
    x.backward(gradient=2.5)
    assert x.grad == 2.75


def test_leaf_grads_accumulate_across_graphs() -> None:
    x = Value(2.0)
    (x * 3).backward()
    (x * x).backward()
    assert x.grad == 3.0 + 4.0


# -- depth and width ---------------------------------------------------------------------


def test_million_node_chain() -> None:
    x = Value(1.0)
    c = Value(1.0000001)
    n = x
    steps = 1_000_000
    for _ in range(steps):
        n = n * c
    # y = x·cᴺ: ∂y/∂x = cᴺ, ∂y/∂c = N·x·c^(N-1)
    assert math.isclose(n.data, 1.0000001**steps, rel_tol=1e-9)
    n.backward()
    assert math.isclose(x.grad, 1.0000001**steps, rel_tol=1e-9)
    assert math.isclose(c.grad, steps * 1.0000001 ** (steps - 1), rel_tol=1e-8)
    assert n.grad == 1.0


def test_deep_chain_with_constants() -> None:
    x = Value(0.5)
    n = x
    for _ in range(200_000):
        n = n + 0.0
    n = n * 3.0
    n.backward()
    assert n.data == 1.5
    assert x.grad == 3.0


def test_sum_of_100k_values() -> None:
    vals = [Value(float(i % 7)) for i in range(100_000)]
    total = sum(vals)
    assert isinstance(total, Value)
    assert total.data == sum(float(i % 7) for i in range(100_000))
    total.backward()
    assert all(v.grad == 1.0 for v in vals)


def test_wide_graph_sum_of_products() -> None:
    xs = [Value(0.001 * i) for i in range(20_000)]
    w = Value(2.0)
    total = sum(x * w for x in xs)
    total.backward()  # type: ignore[union-attr]
    assert all(x.grad == 2.0 for x in xs)
    assert _close(w.grad, sum(0.001 * i for i in range(20_000)), rel=1e-9)


# -- topological order ---------------------------------------------------------------------


def _reachable_interior(root: Value) -> Iterator[Value]:
    """Every non-leaf reachable from root, found by a plain traversal of .parents."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not node.is_leaf:
            yield node
        stack.extend(node.parents)


def test_topological_order() -> None:
    x, y = Value(1.0), Value(2.0)
    a = x * y
    b = a.tanh()
    c = a + x
    d = b * c
    e = d + b
    root = e.exp()
    order = topological_order(root)
    assert order[0] is root
    ids = [id(n) for n in order]
    assert len(ids) == len(set(ids))  # each node once
    assert all(not n.is_leaf for n in order)  # no leaves
    expected = {id(n) for n in _reachable_interior(root)}
    assert set(ids) == expected
    assert expected == {id(n) for n in (a, b, c, d, e, root)}
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            if not parent.is_leaf:
                assert position[id(node)] < position[id(parent)]


def test_topological_order_of_leaf_is_empty() -> None:
    assert topological_order(Value(1.0)) == []


def test_topological_order_deep() -> None:
    x = Value(1.0)
    n = x
    nodes = []
    for _ in range(50_000):
        n = n + 1.0
        nodes.append(n)
    order = topological_order(n)
    assert len(order) == 50_000
    assert all(a is b for a, b in zip(order, reversed(nodes), strict=True))


def test_topological_order_with_repeated_inputs() -> None:
    x = Value(2.0)
    a = x * x
    b = a * a
    c = b + a
    order = topological_order(c)
    assert [id(n) for n in order] == [id(c), id(b), id(a)]


# -- stale data -----------------------------------------------------------------------------


def test_assigning_leaf_data_before_backward_raises() -> None:
    x, w = Value(2.0), Value(3.0)
    y = x * w
    x.data = 5.0
    with pytest.raises(RuntimeError, match="'mul'"):
        y.backward()


def test_assigning_leaf_data_deep_in_graph_raises() -> None:
    x = Value(0.5)
    y = ((x.tanh() * 2.0) + 1.0).exp()
    x.data = 0.6
    with pytest.raises(RuntimeError, match="'tanh'"):
        y.backward()


def test_stale_input_detected_when_later_ops_were_added() -> None:
    # y was computed from x = 3; x then changes; more graph is built on top of y.
    # y's inputs are newer than y, so backward cannot give a consistent gradient.
    x = Value(3.0)
    y = x * x
    x.data = 5.0
    z = y + 1.0
    with pytest.raises(RuntimeError, match="'mul'"):
        z.backward()


def test_training_loop_update_then_rebuild() -> None:
    # fit w·x + b to y = 2x + 1 on x = 0..4 (FACTS.md: first step gives w = 1.4, b = 0.5)
    w, b = Value(0.0), Value(0.0)
    xs, ys = [0.0, 1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 5.0, 7.0, 9.0]
    lr = 0.05
    losses = []
    for _ in range(3):
        loss = sum((w * x + b - y) ** 2 for x, y in zip(xs, ys, strict=True)) / len(xs)
        w.grad = b.grad = 0.0
        loss.backward()  # type: ignore[union-attr]
        losses.append(loss.data)  # type: ignore[union-attr]
        w.data -= lr * w.grad
        b.data -= lr * b.grad
        if len(losses) == 1:
            # by hand: dL/dw = -2/5·Σ x·y = -28, dL/db = -2/5·Σ y = -10
            assert _close(w.data, 1.4)
            assert _close(b.data, 0.5)
    assert losses[0] == 33.0
    assert losses[2] < losses[1] < losses[0]


def test_backward_after_update_of_unrelated_leaf() -> None:
    x, other = Value(2.0), Value(1.0)
    y = x * 3
    other.data = 7.0  # not an input of y
    y.backward()
    assert x.grad == 3.0


# -- overflow in backward -------------------------------------------------------------------


def test_leaf_gradient_overflow_raises() -> None:
    x = Value(1.0)
    y = x * 1e300
    assert y.data == 1e300
    with pytest.raises(OverflowError, match="backward"):
        y.backward(gradient=1e300)


def test_interior_gradient_overflow_raises() -> None:
    x = Value(1e-300)
    y = x * 1e200  # 1e-100
    z = y * 1e200  # 1e100
    w = z * 1e200  # 1e300: every forward value is finite
    assert math.isfinite(w.data)
    # ∂w/∂y = 1e400 overflows
    with pytest.raises(OverflowError, match="mul"):
        w.backward()


def test_gradient_through_tiny_values_is_finite() -> None:
    x = Value(1e-300)
    y = (x * 1e200) * 1e100
    y.backward()
    assert _close(x.grad, 1e300)


# -- bad calls: (call, exception type, regex the message must match) ---------------------
BAD_BACKWARD: list[tuple[str, Callable[[], object], type[BaseException], str]] = [
    (
        "gradient overflow",
        lambda: (Value(1.0) * 1e300).backward(gradient=1e300),
        OverflowError,
        r"backward",
    ),
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
]


@pytest.mark.parametrize(
    ("call", "exc", "pattern"),
    [pytest.param(call, exc, pattern, id=name) for name, call, exc, pattern in BAD_BACKWARD],
)
def test_bad_backward_calls_raise_naming_backward(
    call: Callable[[], object], exc: type[BaseException], pattern: str
) -> None:
    with pytest.raises(exc, match=pattern) as info:
        call()
    assert type(info.value) is exc  # the type itself, not a subclass such as a bare assert's
    assert not isinstance(info.value, AssertionError)


# -- memory: no reference cycles -------------------------------------------------------------


def _build_and_drop(n_terms: int) -> weakref.ref[WeakValue]:
    x = WeakValue(0.5, label="x")
    ws = [Value(0.01 * (i % 13) - 0.05) for i in range(n_terms)]
    total = sum(((x * w).tanh() + w.exp() * x) ** 2 for w in ws)
    total.backward()  # type: ignore[union-attr]
    assert x.grad != 0.0
    ref = weakref.ref(x)
    del x, ws, total
    return ref


def test_graph_freed_without_cyclic_gc() -> None:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        count_before = gc.get_count()[0]
        ref = _build_and_drop(5_000)
        assert ref() is None  # freed by reference counting alone
        # every tracked object allocated was also freed (gen-0 count is allocations - frees)
        assert gc.get_count()[0] - count_before < 100
    finally:
        if was_enabled:
            gc.enable()


def test_memory_returns_to_baseline() -> None:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        _build_and_drop(200)  # warm up caches (op table, interned floats, code objects)
        baseline, _ = tracemalloc.get_traced_memory()
        ref = _build_and_drop(5_000)
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        if was_enabled:
            gc.enable()
    assert ref() is None
    assert peak - baseline > 1_000_000  # the graph really was big
    assert current - baseline < 20_000  # and all of it was given back without gc


def test_leaf_kept_alive_only_while_graph_lives() -> None:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        x = WeakValue(1.0)
        y = (x * 2).exp()
        ref = weakref.ref(x)
        del x
        assert ref() is not None  # the graph still holds the leaf
        assert y.parents[0].parents[0] is ref()
        del y
        assert ref() is None
    finally:
        if was_enabled:
            gc.enable()


def test_no_grad_result_does_not_hold_inputs() -> None:
    x = WeakValue(1.0)
    with no_grad():
        y = x * 2
    ref = weakref.ref(x)
    del x
    assert ref() is None
    assert y.data == 2.0


def test_deep_chain_deallocation_does_not_crash() -> None:
    # in a child process, so a crash in deallocation shows as a failed test, not a dead run
    code = textwrap.dedent(
        """
        import gc, sys
        sys.setrecursionlimit(1000)
        gc.disable()
        from autograd import Value
        x = Value(1.0)
        n = x
        for _ in range(100_000):
            n = n + 1.0
        n.backward()
        assert x.grad == 1.0
        del n
        n = x
        for _ in range(100_000):
            n = n.tanh()
        del n
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_deep_chain_deallocation_in_process() -> None:
    x = Value(1.0)
    n = x
    for _ in range(100_000):
        n = n * 1.0
    del n  # no RecursionError while freeing
    assert x.data == 1.0


def test_node_reached_again_through_a_later_consumer_waits_for_it() -> None:
    # v3 feeds v4 = v3*v3, v5 = v4 + 0.5 and v6 = v3 / v5: the traversal meets v3 from
    # v6 before it meets v4, and must still finish v4 (and v5) before v3's turn.
    def f(v0: Value) -> Value:
        v3 = (v0 - 0.5).abs().abs()
        return v3 / (v3 * v3 + 0.5) + v0 * v0

    x = Value(0.0)
    f(x).backward()
    # by hand at x = 0: v3 = 0.5, v3' = -1; d/dv3 [v3/(v3²+0.5)] = (0.5 - v3²)/(v3²+0.5)²
    by_hand = (0.5 - 0.25) / (0.75**2) * -1.0 + 0.0
    assert x.grad == pytest.approx(by_hand, rel=1e-12)
    assert gradcheck(f, [0.0])


# -- the chain rule through several ops, by hand ---------------------------------------------

NUMERIC_REL = 1e-5  # central differences (eps = 1e-6) agree to about 1e-6 relative


def test_composite_expression_hand_and_numeric() -> None:
    def f(a: Value, b: Value) -> Value:
        return (a * b + a.exp()).tanh() / (b**2 + 1) - (a - b).sigmoid() * b.sin()

    a0, b0 = 0.3, -0.7
    a, b = Value(a0), Value(b0)
    out = f(a, b)
    # by hand: f = t / q - s·sin b with u = a b + eᵃ, t = tanh u, q = b² + 1, s = σ(a - b)
    u = a0 * b0 + math.exp(a0)
    t = math.tanh(u)
    q = b0 * b0 + 1.0
    s = _sigmoid(a0 - b0)
    assert _close(out.data, t / q - s * math.sin(b0))
    dt = 1.0 - t * t
    ds = s * (1.0 - s)
    dfa = dt * (b0 + math.exp(a0)) / q - ds * math.sin(b0)
    dfb = dt * a0 / q - t * 2.0 * b0 / (q * q) + ds * math.sin(b0) - s * math.cos(b0)
    out.backward()
    assert _close(a.grad, dfa)
    assert _close(b.grad, dfb)
    assert gradcheck(f, [a0, b0])
    assert math.isclose(numerical_gradient(f, [a, b], 0), dfa, rel_tol=NUMERIC_REL)
    assert math.isclose(numerical_gradient(f, [a, b], 1), dfb, rel_tol=NUMERIC_REL)


# -- random expression graphs (see tests/autograd/expressions.py) ------------------------------
# Gradients from backward() against central differences, twice over: with autograd.gradcheck
# (the engine's forward pass) and with a difference quotient of a plain-float evaluation
# through the math module, which shares no code with the engine.

# relu and abs have a kink at 0: a central difference straddling it measures neither
# one-sided slope. 1e-3 is a thousand eps, far enough for the slopes the builder allows.
KINK_CLEARANCE = 1e-3


EPS, ATOL, RTOL = 1e-6, 1e-5, 1e-3  # gradcheck's defaults (torch.autograd.gradcheck's)


def central_difference(recipe: Recipe, xs: Sequence[float], i: int) -> float:
    """(f(x + eps e_i) - f(x - eps e_i)) / (2 eps), evaluated without the engine."""
    above, below = list(xs), list(xs)
    above[i] += EPS
    below[i] -= EPS
    return (evaluate(recipe, above)[-1] - evaluate(recipe, below)[-1]) / (2.0 * EPS)


@settings(max_examples=500, deadline=None, derandomize=True)
@given(case=cases())
def test_backward_matches_central_differences(case: tuple[Recipe, list[float]]) -> None:
    recipe, xs = case
    assume(kink_clearance(recipe, xs) >= KINK_CLEARANCE)
    note(recipe.source())

    def fn(*inputs: Value) -> Value:
        out: Value = replay(recipe, inputs)
        return out

    assert gradcheck(fn, xs)  # raises AssertionError itself, naming the input

    leaves = [Value(x) for x in xs]
    replay(recipe, leaves).backward()
    for i, leaf in enumerate(leaves):
        numeric = central_difference(recipe, xs, i)
        assert abs(leaf.grad - numeric) <= ATOL + RTOL * abs(numeric), (i, leaf.grad, numeric)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(case=cases())
def test_backward_twice_doubles_leaf_grads_exactly(case: tuple[Recipe, list[float]]) -> None:
    recipe, xs = case
    note(recipe.source())
    leaves = [Value(x) for x in xs]
    nodes: list[Value] = replay_all(recipe, leaves)
    nodes[-1].backward()
    first = [leaf.grad for leaf in leaves]
    interior = [node.grad for node in nodes[recipe.n_inputs :]]
    nodes[-1].backward()
    # Leaves accumulate (as in PyTorch): the same total added again, so exactly twice it.
    assert [leaf.grad for leaf in leaves] == [2.0 * g for g in first]
    # Interior nodes start from zero on each call: the same numbers again, not doubled.
    assert [node.grad for node in nodes[recipe.n_inputs :]] == interior


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


Unary = tuple[Callable[[Value], Value], Callable[[float], float], Callable[[float], float]]


Combine = tuple[Callable[[Value, Value], Value], Callable[[float, float], tuple[float, float]]]


# name: (the op on Values, f, f'), f and f' written out by hand, not taken from the engine.
DERIVATIVES: dict[str, Unary] = {
    "tanh": (Value.tanh, math.tanh, lambda x: 1.0 - math.tanh(x) ** 2),
    "sin": (Value.sin, math.sin, math.cos),
    "cos": (Value.cos, math.cos, lambda x: -math.sin(x)),
    "exp": (Value.exp, math.exp, math.exp),
    "sigmoid": (Value.sigmoid, _sigmoid, lambda x: _sigmoid(x) * (1.0 - _sigmoid(x))),
    "square": (lambda v: v * v, lambda x: x * x, lambda x: 2.0 * x),
    "cube": (lambda v: v**3, lambda x: x**3, lambda x: 3.0 * x * x),
}


UNARY_NAMES = sorted(DERIVATIVES)


# out = combine(p, q), with ∂out/∂p and ∂out/∂q
COMBINE: dict[str, Combine] = {
    "add": (lambda p, q: p + q, lambda p, q: (1.0, 1.0)),
    "sub": (lambda p, q: p - q, lambda p, q: (1.0, -1.0)),
    "mul": (lambda p, q: p * q, lambda p, q: (q, p)),
    "div": (
        lambda p, q: p / (q * q + 1.0),
        lambda p, q: (1.0 / (q * q + 1.0), -2.0 * p * q / (q * q + 1.0) ** 2),
    ),
}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    x=st.floats(-INPUT_BOUND, INPUT_BOUND),
    h=st.sampled_from(UNARY_NAMES),
    f=st.sampled_from(UNARY_NAMES),
    g=st.sampled_from(UNARY_NAMES),
    combine=st.sampled_from(sorted(COMBINE)),
)
def test_diamond_gradient_is_the_sum_over_both_paths(
    x: float, h: str, f: str, g: str, combine: str
) -> None:
    """x → u = h(x) → p = f(u), q = g(u) → out = combine(p, q).

    ∂out/∂u = ∂out/∂p · f'(u) + ∂out/∂q · g'(u)   (one term per path)
    ∂out/∂x = ∂out/∂u · h'(x)
    """
    leaf = Value(x)
    u = DERIVATIVES[h][0](leaf)
    p, q = DERIVATIVES[f][0](u), DERIVATIVES[g][0](u)
    out = COMBINE[combine][0](p, q)
    out.backward()

    u_ = DERIVATIVES[h][1](x)
    p_, q_ = DERIVATIVES[f][1](u_), DERIVATIVES[g][1](u_)
    d_p, d_q = COMBINE[combine][1](p_, q_)
    via_p, via_q = d_p * DERIVATIVES[f][2](u_), d_q * DERIVATIVES[g][2](u_)
    expected_u = via_p + via_q
    expected_x = expected_u * DERIVATIVES[h][2](x)
    # Products of the same factors in a different order: equal up to a few roundings.
    # abs_tol: where the two paths cancel, the sum is ~1e-16 of its terms, not 0.
    assert math.isclose(p.grad, d_p, rel_tol=1e-12, abs_tol=1e-13)
    assert math.isclose(q.grad, d_q, rel_tol=1e-12, abs_tol=1e-13)
    assert math.isclose(u.grad, expected_u, rel_tol=1e-12, abs_tol=1e-13)
    assert math.isclose(leaf.grad, expected_x, rel_tol=1e-12, abs_tol=1e-13)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(data=st.data())
def test_shared_input_gradient_sums_every_use(data: st.DataObject) -> None:
    """Random recipe, but its inputs are all one leaf: its grad is the sum over inputs.

    Passing the same Value for every input makes every use of every input a use of one
    leaf; the chain rule says its gradient is the sum of the separate partials.
    """
    recipe = data.draw(recipes())
    x = data.draw(inputs_for(1))[0]
    xs = [x] * recipe.n_inputs
    note(recipe.source())
    separate = [Value(v) for v in xs]
    replay(recipe, separate).backward()
    shared = Value(x)
    replay(recipe, [shared] * recipe.n_inputs).backward()
    total = math.fsum(leaf.grad for leaf in separate)
    assert math.isclose(shared.grad, total, rel_tol=1e-12, abs_tol=1e-12)


def test_generator_uses_every_op_reuses_nodes_and_respects_domains() -> None:
    """The recipes are what the tests above rely on (checked on seeded recipes)."""
    seen: set[str] = set()
    for seed in range(300):
        recipe = build_recipe(RandomChooser(seed))
        seen |= recipe.ops()
        uses = recipe.uses()
        inputs = range(recipe.n_inputs)
        interior = range(recipe.n_inputs, recipe.output + 1)
        assert any(uses[i] >= 2 for i in inputs), recipe  # an input used twice (x * x)
        assert any(uses[i] >= 2 for i in interior), recipe  # an interior node used twice
        assert all(uses[i] >= 1 for i in range(recipe.output)), recipe  # no dead ends
        assert all(i < recipe.n_inputs + k for k, s in enumerate(recipe.steps) for i in s.args)
        for xs in ([-INPUT_BOUND] * recipe.n_inputs, [INPUT_BOUND] * recipe.n_inputs):
            assert all(abs(v) <= LIMIT for v in evaluate(recipe, xs)), recipe
    assert seen == ALL_OPS


# -- against PyTorch in float64: the same graphs, op for op ----------------------------------
# Random expressions are built twice, once from Values and once from float64 tensors, with
# the same ops in the same order; every node's value, every interior node's gradient and
# every input's gradient must agree.

# Both sides evaluate the same elementary functions, but with different implementations
# (CPython's libm calls vs torch's kernels), which may differ in the last bit or two;
# across a graph of a few dozen ops that stays far below 1e-10 relative. Where a result
# is close to 0 because of cancellation (a - b with a ≈ b, sin near a multiple of π),
# a last-bit difference in the operands is a large *relative* difference in the result,
# so an absolute floor is needed: the builder keeps every node below 100 in magnitude,
# so a few ulps of the operands is ~1e-14 absolute; 1e-12 leaves room for a chain of them.
REL_TOL = 1e-10


ABS_TOL = 1e-12


def close(ours: float, theirs: float, abs_tol: float = ABS_TOL) -> bool:
    return math.isclose(ours, theirs, rel_tol=REL_TOL, abs_tol=abs_tol)


def leaf_tensor(torch: Any, x: float) -> Any:
    return torch.tensor(x, dtype=torch.float64, requires_grad=True)


def torch_grad(t: Any) -> float:
    """A tensor's .grad as a float; torch leaves it None for an input the output ignores."""
    return 0.0 if t.grad is None else float(t.grad.item())


@pytest.mark.torch
@settings(max_examples=300, deadline=None, derandomize=True)
@given(case=cases())
def test_random_expressions_match_torch(case: tuple[Recipe, list[float]], torch: Any) -> None:
    recipe, xs = case
    # At a relu/abs kink either side's last-bit rounding could pick a different branch;
    # exact zeros (x - x, relu of a negative) are kept: both sides then take the same one.
    assume(all(v == 0.0 or abs(v) >= 1e-9 for v in kink_inputs(recipe, xs)))
    note(recipe.source())

    leaves = [Value(x) for x in xs]
    nodes: list[Value] = replay_all(recipe, leaves)
    nodes[-1].backward()

    tensors = [leaf_tensor(torch, x) for x in xs]
    tnodes = replay_all(recipe, tensors)
    for t in tnodes[recipe.n_inputs :]:
        t.retain_grad()
    tnodes[-1].backward()

    for k, (node, t) in enumerate(zip(nodes, tnodes, strict=True)):
        assert close(node.data, t.item()), f"value of v{k}: {node.data!r} vs torch {t.item()!r}"
    for k in range(recipe.n_inputs, len(nodes)):
        ours, theirs = nodes[k].grad, torch_grad(tnodes[k])
        assert close(ours, theirs), f"grad of v{k}: {ours!r} vs torch {theirs!r}"
    for i, (leaf, t) in enumerate(zip(leaves, tensors, strict=True)):
        ours, theirs = leaf.grad, torch_grad(t)
        assert close(ours, theirs), f"grad of input v{i}: {ours!r} vs torch {theirs!r}"


# Small expressions at the edges (the edges of each op are rows of test_ops.py's table):
# name, the function (any operands with Value's/tensor's API), inputs, and the value and
# input gradients worked out by hand.
EDGES: list[tuple[str, Callable[..., Any], Sequence[float], float, Sequence[float]]] = [
    ("relu'(0) = 0, zero reached by x - 1", lambda x: (x - 1.0).relu(), [1.0], 0.0, [0.0]),
    ("x * x at 0 (one leaf, two uses)", lambda x: x * x, [0.0], 0.0, [0.0]),
    ("x * x * x at -3 (two uses of one node)", lambda x: x * x * x, [-3.0], -27.0, [27.0]),
    ("2.5 - x, 3 / x", lambda x: (2.5 - x) * (3 / x), [2.0], 0.75, [-1.875]),
]


@pytest.mark.torch
@pytest.mark.parametrize(
    ("fn", "xs", "value", "grads"),
    [pytest.param(fn, xs, value, grads, id=name) for name, fn, xs, value, grads in EDGES],
)
def test_edges_match_torch_and_hand_values(
    fn: Callable[..., Any], xs: Sequence[float], value: float, grads: Sequence[float], torch: Any
) -> None:
    leaves = [Value(x) for x in xs]
    out = fn(*leaves)
    out.backward()
    tensors = [leaf_tensor(torch, x) for x in xs]
    tout = fn(*tensors)
    tout.backward()
    # abs_tol=0: at these points the exact numbers (0, 1, 4e-18, 1e300) are the point.
    assert close(out.data, value, abs_tol=0.0)
    assert close(tout.item(), value, abs_tol=0.0)
    for leaf, t, expected in zip(leaves, tensors, grads, strict=True):
        assert close(leaf.grad, expected, abs_tol=0.0), (leaf.grad, expected)
        assert close(torch_grad(t), expected, abs_tol=0.0), (torch_grad(t), expected)
