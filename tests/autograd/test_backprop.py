"""``backward()``: reuse, diamonds, repeated calls, depth, order, stale data, memory, bad calls
(whole expressions, by hand and random, are in test_backprop_expressions.py; the steps one by
one in test_backprop_steps.py)."""

from __future__ import annotations

import gc
import math
import subprocess
import sys
import textwrap
import tracemalloc
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import autograd
from autograd import Value, gradcheck, no_grad, topological_order
from tests.helpers import assert_named_error, each_named_error, release_kept_memory


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
    import numpy as np

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
    # fit w·x + b to y = 2x + 1 on x = 0..4 (the first step gives w = 1.4, b = 0.5)
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


@each_named_error(BAD_BACKWARD)
def test_bad_backward_calls_raise_naming_backward(
    call: Callable[[], object], error: type[BaseException], message: str
) -> None:
    assert_named_error(call, error, message)


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
    release_kept_memory()  # (the compiled engine's empty slabs: the same state each time)
    tracemalloc.start()
    try:
        _build_and_drop(200)  # warm up caches (op table, interned floats, code objects)
        release_kept_memory()
        baseline, _ = tracemalloc.get_traced_memory()
        ref = _build_and_drop(5_000)
        current, peak = tracemalloc.get_traced_memory()
        kept = release_kept_memory() * 64  # what the compiled engine keeps for new nodes
        released, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        if was_enabled:
            gc.enable()
    assert ref() is None
    assert peak - baseline > 500_000  # the graph really was big
    assert current - baseline < 20_000 + kept  # all of it freed without gc (some kept for reuse)
    assert released - baseline < 20_000  # and all of it given back


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


# -- finite answers -------------------------------------------------------------------------

TINY = 5e-324  # the smallest subnormal: 1/TINY overflows a float


def torch_grad(torch: Any, build: Any) -> float:
    x = torch.tensor(TINY, dtype=torch.float64, requires_grad=True)
    build(x).backward()
    return float(x.grad)


CASES = {
    "log times a tiny number": (lambda x: x.log() * 1e-300, 1e-300 / TINY),
    "x times log x": (lambda x: x * x.log(), math.log(TINY) + 1.0),
    "division by a subnormal": (lambda x: (x / TINY) * 1e-300, 1e-300 / TINY),
    "c over x": (lambda x: (1e-300 / (x * 1e300)) * 1e-300, None),
}


def test_a_small_power_of_a_subnormal_is_finite_where_torch_says_inf() -> None:
    # d/dx x**0.01 = 0.01 x**-0.99, beyond a float at x = 5e-324; times 1e-300 it is not
    # (torch 2.13 multiplies in that order and gives inf).
    x = Value(TINY)
    ((x**0.01) * 1e-300).backward()
    expected_log = math.log(0.01) - 0.99 * math.log(TINY) + math.log(1e-300)
    assert math.isclose(math.log(x.grad), expected_log, rel_tol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(CASES))
def test_a_finite_chain_rule_product_is_finite(name: str, torch: Any) -> None:
    build, expected = CASES[name]
    x = Value(TINY)
    build(x).backward()
    assert math.isfinite(x.grad)
    if expected is not None:
        assert math.isclose(x.grad, expected, rel_tol=1e-12)
    assert math.isclose(x.grad, torch_grad(torch, build), rel_tol=1e-12)


@pytest.mark.torch
def test_division_of_zero_by_a_subnormal_gives_torchs_answer(torch: Any) -> None:
    x = Value(0.0)
    ((x / TINY) * 1e-300).backward()
    assert x.grad == 1e-300 / TINY
    z = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    ((z / TINY) * 1e-300).backward()
    assert math.isclose(x.grad, float(z.grad), rel_tol=1e-12)


def test_stepping_shows_the_overflowing_local_derivative_and_the_exact_contribution() -> None:
    x = Value(TINY, label="x")
    loss = x.log() * 1e-300
    steps = list(loss.backward_steps())
    log_step = steps[-1]
    assert log_step.node.op == "log" and log_step.input is x
    assert log_step.upstream == 1e-300
    assert log_step.local == math.inf  # 1/x, beyond a float
    assert log_step.contribution == 1e-300 / TINY  # upstream / x, computed as a quotient
    assert x.grad == log_step.contribution


def test_a_product_that_really_overflows_still_raises_naming_the_op() -> None:
    x = Value(1e-200, label="x")
    y = 1 / x  # its derivative, -1/x² = -1e400, is beyond a float, and so is the gradient
    with pytest.raises(OverflowError, match=r"input 0 of 'div' is not finite(.|\n)*x = 1e-200"):
        y.backward()
    assert x.grad == 0.0
