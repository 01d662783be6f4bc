"""The compiled engine's graphs pinned to the reference's: ``autograd.fast.native`` against
``autograd.value`` and ``autograd.backprop``.

Random graphs built the same way in both engines get the same gradients on every node, bit
for bit, in the same topological order, through ``backward()``, ``backward_steps()`` and a
second pass, onto leaves that held gradients before. Every kind of node reads as the
reference's does (``data grad label op parents is_leaf`` and the ``_op _a _b _stamp`` the
ops and the backward pass read). Nodes are 64 bytes, outside the cyclic collector, and
freed the moment their graph is dropped, at any depth. ``backward()`` hands the pass to
the reference where the reference must run (a hook in the graph, anomaly mode, a tracer,
a derivative that is not finite), and a user's ``autograd.Function`` is the same op in both.
"""

from __future__ import annotations

import copy
import gc
import math
import sys
import tracemalloc
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import repeat
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import autograd
from autograd import backprop, function, ops
from autograd import value as reference
from autograd.function import Function, FunctionBackward, FunctionCtx
from tests.autograd.fast.native_helpers import (
    ENGINES,
    Layer,
    Native,
    Reference,
    _native,
    affine,
    all_bits,
    bits,
    grads,
    in_both,
    nary,
    native,
    native_backward_installed,
    outcome,
    raised,
    reference_loop,
)
from tests.autograd.fast.roads import counting_calls, fast_road_taken
from tests.autograd.test_function import MulSin

# The C pass installed as the fast backward for each test, whichever engine runs.
pytestmark = pytest.mark.usefixtures("compiled_backward")

# -- random graphs -----------------------------------------------------------------------

# Each builder takes the nodes so far and the numbers drawn for it; most stay inside their
# op's domain (log(x² + 1)), so that most graphs build. Those that do not must fail alike.
UNARY: dict[str, Callable[[Any], Any]] = {
    "neg": lambda x: -x,
    "exp∘tanh": lambda x: x.tanh().exp(),
    "log(x²+1)": lambda x: (x * x + 1.0).log(),
    "log1p(x²)": lambda x: (x * x).log1p(),
    "sqrt(x²+0.5)": lambda x: (x * x + 0.5).sqrt(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "abs": lambda x: x.abs(),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "clamp": lambda x: x.clamp(-0.5, 0.75),
    "x*x": lambda x: x * x,
    "x**2": lambda x: x**2,
    "x**3": lambda x: x**3,
    "x**0": lambda x: x**0,
    "(x²+1)**-1.5": lambda x: (x * x + 1.0) ** -1.5,
    "sqrt": lambda x: x.sqrt(),  # raises for x < 0; sqrt'(0) raises
    "log": lambda x: x.log(),  # raises for x <= 0
}
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "a/(b²+1)": lambda a, b: a / (b * b + 1.0),
    "(a²+1)**tanh b": lambda a, b: (a * a + 1.0) ** b.tanh(),
    "a/b": lambda a, b: a / b,
}
WITH_NUMBER: dict[str, Callable[[Any, float], Any]] = {
    "x+c": lambda x, c: x + c,
    "c+x": lambda x, c: c + x,
    "x-c": lambda x, c: x - c,
    "c-x": lambda x, c: c - x,
    "x*c": lambda x, c: x * c,
    "c*x": lambda x, c: c * x,
    "x/c": lambda x, c: x / c,
    "c/(x²+1)": lambda x, c: c / (x * x + 1.0),
    "|c|**tanh x": lambda x, c: abs(c) ** x.tanh(),
    "clamp(min=c)": lambda x, c: x.clamp(min=c),
}
MANY: dict[str, Callable[[Sequence[Any]], Any]] = {
    "sum": lambda xs: nary(ops.SUM, xs),
    "mean": lambda xs: nary(ops.MEAN, xs),
    "dot": lambda xs: nary(ops.DOT, xs if len(xs) % 2 else xs[:-1]),
}

Program = dict[str, Any]
NUMBERS = st.one_of(
    st.floats(0.1, 2.0), st.floats(-2.0, -0.1), st.integers(1, 3), st.integers(-3, -1),
    st.sampled_from([1.0, -1.0, 0.5, -0.0]),  # -0.0: x * -0.0, and x / -0.0 raises
)  # fmt: skip
LEAVES = st.one_of(st.floats(-2.0, 2.0), st.sampled_from([0.0, -0.0, 1.0, -1.0, 5e-324, 1e-310]))
KINDS = ["unary", "binary", "number", "many", "layer", "call"]


@st.composite
def programs(draw: st.DrawFn) -> Program:
    """How to build a graph: leaves (with the gradients they hold), then steps that each
    apply an op to earlier nodes (so nodes are shared), make a layer of neurons over fresh
    leaf weights and call it, or call an earlier layer again; then the root, the sum of
    the last few nodes, and the gradient backward() starts from."""
    leaves = draw(st.lists(LEAVES, min_size=1, max_size=5))
    held = draw(st.lists(st.sampled_from([0.0, -0.0, 0.5, -1.25]), min_size=5, max_size=5))
    steps: list[tuple[Any, ...]] = []
    count = len(leaves)  # of the nodes so far
    layers: list[tuple[int, int, int]] = []  # each layer's step, inputs and outputs
    for _ in range(draw(st.integers(1, 25))):
        node = st.integers(0, count - 1)
        kind = draw(st.sampled_from(KINDS if layers else KINDS[:-1]))
        if kind == "unary":
            steps.append((kind, draw(st.sampled_from(sorted(UNARY))), draw(node)))
        elif kind == "binary":
            steps.append((kind, draw(st.sampled_from(sorted(BINARY))), draw(node), draw(node)))
        elif kind == "number":
            steps.append(
                (kind, draw(st.sampled_from(sorted(WITH_NUMBER))), draw(node), draw(NUMBERS))
            )
        elif kind == "many":
            name = draw(st.sampled_from(sorted(MANY)))
            steps.append((kind, name, draw(st.lists(node, min_size=1, max_size=6))))
        elif kind == "layer":
            m, n = draw(st.integers(1, 3)), draw(st.integers(1, 3))
            layers.append((len(steps), n, m))
            steps.append((
                kind,
                draw(st.sampled_from([None, "relu", "tanh", "sigmoid"])),
                draw(st.lists(LEAVES, min_size=m * (n + 1), max_size=m * (n + 1))),
                (m, n, draw(st.booleans())),  # outputs, inputs, with biases
                draw(st.lists(node, min_size=n, max_size=n)),
            ))  # fmt: skip
        else:
            made, n, m = draw(st.sampled_from(layers))
            steps.append((kind, made, draw(st.lists(node, min_size=n, max_size=n))))
        count += m if kind in ("layer", "call") else 1
    return {
        "leaves": leaves,
        "held": held[: len(leaves)],
        "steps": steps,
        "root": draw(st.integers(1, 4)),
        "gradient": draw(st.sampled_from([1.0, -0.5, 2.0, -0.0, 1e300])),
    }


def made_layer(V: Any, activation: str | None, weights: list[float], shape: Any) -> Layer:
    m, n, with_biases = shape
    values = iter(weights)
    rows = [[V(next(values)) for _ in range(n)] for _ in range(m)]
    biases = [V(next(values)) for _ in range(m)] if with_biases else None
    return Layer(V, rows, biases, activation)


def build(V: Any, program: Program) -> list[Any]:
    """The program's nodes in the engine of ``V``: its leaves, the nodes of each step, the
    root last."""
    nodes = [V(x, label=f"x{i}") for i, x in enumerate(program["leaves"])]
    for leaf, grad in zip(nodes, program["held"], strict=True):
        leaf.grad = grad
    layers: dict[int, Layer] = {}  # by the step that made them
    for step, (kind, name, *args) in enumerate(program["steps"]):
        if kind == "unary":
            nodes.append(UNARY[name](nodes[args[0]]))
        elif kind == "binary":
            nodes.append(BINARY[name](nodes[args[0]], nodes[args[1]]))
        elif kind == "number":
            nodes.append(WITH_NUMBER[name](nodes[args[0]], args[1]))
        elif kind == "many":
            nodes.append(MANY[name]([nodes[i] for i in args[0]]))
        elif kind == "layer":  # name: the activation
            layers[step] = made_layer(V, name, *args[:2])
            nodes.extend(layers[step]([nodes[i] for i in args[2]]))
        else:  # a call: name is the step that made the layer
            nodes.extend(layers[name]([nodes[i] for i in args[0]]))
    nodes.append(nary(ops.SUM, nodes[-program["root"] :]))
    return nodes


def every_node(nodes: list[Any]) -> list[Any]:
    """Every Value reachable from the root (the last of ``nodes``), each once, in the order
    a depth-first walk over ``parents`` meets them: the numbers ops made leaves too."""
    seen: dict[int, Any] = {}
    stack = [nodes[-1]]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(reversed(node.parents))
    return list(seen.values())


def index_of(nodes: list[Any]) -> Callable[[Any], int]:
    at = {id(node): i for i, node in enumerate(nodes)}
    return lambda node: at[id(node)]


def steps_seen(steps: Sequence[backprop.Step], nodes: list[Any]) -> list[tuple[Any, ...]]:
    """The steps of a pass, each node named by its place in ``nodes``."""
    place = index_of(nodes)
    return [
        (s.index, place(s.node), s.position, place(s.input), *all_bits(
            (s.upstream, s.local, s.contribution, s.input_grad)
        ))
        for s in steps
    ]  # fmt: skip


def c_road_expected(steps: Sequence[backprop.Step]) -> bool:
    """The C road is taken where every local derivative and every upstream × local of the
    reference's pass is finite (elsewhere the reference's exact forms are needed)."""
    return all(math.isfinite(s.local) and math.isfinite(s.upstream * s.local) for s in steps)


@given(programs())
@settings(max_examples=200, deadline=None)
def test_a_random_graph_gets_the_references_gradients_on_every_node(program: Program) -> None:
    built_ref = outcome(lambda: build(Reference, program))
    built_nat = outcome(lambda: build(Native, program))
    if raised(built_ref):
        event(f"the graph does not build: {built_ref[1].__name__}")
        assert built_nat == built_ref
        return
    ref, nat = every_node(built_ref[1]), every_node(built_nat[1])
    assert [bits(n.data) for n in nat] == [bits(n.data) for n in ref]
    assert [index_of(nat)(n) for n in backprop.topological_order(nat[0])] == [
        index_of(ref)(n) for n in backprop.topological_order(ref[0])
    ]
    gradient = program["gradient"]
    ref_steps = outcome(lambda: list(ref[0].backward_steps(gradient)))
    with fast_road_taken() as answers:
        passed = outcome(lambda: nat[0].backward(gradient))
    event("the reference's pass raises" if raised(ref_steps) else f"the C road: {answers}")
    if raised(ref_steps):  # the same error, leaves as they were, interior nodes alike
        assert passed == ref_steps and answers == [False]
        assert grads(nat) == grads(ref)
        return
    assert not raised(passed), passed
    assert answers == [c_road_expected(ref_steps[1])]
    assert grads(nat) == grads(ref)

    with reference_loop():  # a second pass: leaves accumulate, interior nodes start again
        ref[0].backward(gradient)
    nat[0].backward(gradient)
    assert grads(nat) == grads(ref)


@given(programs())
@settings(max_examples=100, deadline=None)
def test_backward_steps_on_a_compiled_graph_are_the_references_steps(program: Program) -> None:
    built_ref = outcome(lambda: build(Reference, program))
    if raised(built_ref):
        return
    ref = every_node(built_ref[1])
    steps = outcome(lambda: steps_seen(list(ref[0].backward_steps(program["gradient"])), ref))
    by_steps = every_node(build(Native, program))
    assert (
        outcome(lambda: steps_seen(list(by_steps[0].backward_steps(program["gradient"])), by_steps))
        == steps
    )
    if raised(steps):
        return
    by_backward = every_node(build(Native, program))
    by_backward[0].backward(program["gradient"])
    assert grads(by_steps) == grads(by_backward) == grads(ref)


# -- the node ----------------------------------------------------------------------------


def op_read(op: ops.Op | None) -> Any:
    """An op as comparable data: its class, name, the numbers it holds, its description."""
    if op is None:
        return None
    held = [getattr(op, name) for name in ("constant", "exponent", "base", "low", "high")
            if hasattr(op, name)]  # fmt: skip
    return (type(op), op.name, [None if c is None else bits(c) for c in held], op.describe())


def read(node: Any, known: list[Any]) -> dict[str, Any]:
    """Everything a node shows, with the nodes it holds named by their place in ``known``
    and the sentinels by name."""
    sentinels = {id(reference.MANY_INPUTS): "MANY_INPUTS", id(reference.UNRECORDED): "UNRECORDED"}
    place = index_of(known)

    def held(x: Any) -> Any:
        if x is None or id(x) in sentinels:
            return None if x is None else sentinels[id(x)]
        return tuple(map(place, x)) if type(x) is tuple else place(x)

    return {
        "data": bits(node.data),
        "_data": bits(node._data),
        "grad": bits(node.grad),
        "label": node.label,
        "op": node.op,
        "parents": [place(p) for p in node.parents],
        "is_leaf": node.is_leaf,
        "_op": op_read(node._op),
        "_a": held(node._a),
        "_b": held(node._b),
        "_stamp": node._stamp,
        "repr": repr(node),
        "item": bits(node.item()),
        "float": bits(float(node)),
    }


def unrecorded(a: Any, b: Any) -> Any:
    with autograd.no_grad():
        return (a * 3.0).tanh()


def a_functions_node(a: Any, b: Any) -> Any:
    with engine_of_functions(type(a)):
        return MulSin.apply(a, b)


# Every kind of node, built from two leaves a (labelled) and b.
NODES: dict[str, Callable[[Any, Any], Any]] = {
    "a leaf": lambda a, b: a,
    "a leaf of an int": lambda a, b: type(a)(-3),
    "a leaf of -0.0": lambda a, b: type(a)(-0.0, label="z"),
    "an unrecorded leaf": unrecorded,
    "a * b": lambda a, b: a * b,
    "a * a": lambda a, b: a * a,
    "a ** b": lambda a, b: a**b,
    "a * 2.5": lambda a, b: a * 2.5,
    "-0.0 * a": lambda a, b: -0.0 * a,
    "1 - a": lambda a, b: 1 - a,
    "a - 1": lambda a, b: a - 1,
    "4 / a": lambda a, b: 4 / a,
    "a / 4": lambda a, b: a / 4,
    "a ** 2": lambda a, b: a**2,
    "a ** -0.5": lambda a, b: a**-0.5,
    "2 ** a": lambda a, b: 2**a,
    "-a": lambda a, b: -a,
    "tanh": lambda a, b: a.tanh(),
    "clamp": lambda a, b: a.clamp(max=0.0),
    "sum": lambda a, b: nary(ops.SUM, [a, b, a]),
    "mean": lambda a, b: nary(ops.MEAN, [a, b]),
    "dot": lambda a, b: nary(ops.DOT, [a, b, a]),
    "affine_tanh": lambda a, b: affine(type(a), "tanh", [[a]], [b], None)[0],
    "affine_relu with a bias": lambda a, b: affine(type(a), "relu", [[b]], [b], [a])[0],
    "a Function": a_functions_node,
}


@pytest.mark.parametrize("build", NODES.values(), ids=NODES.keys())
def test_a_node_reads_as_the_references(build: Callable[[Any, Any], Any]) -> None:
    def made(V: Any) -> list[Any]:
        a, b = V(2.0, label="a"), V(-0.5)
        return [a, b, build(a, b)]

    ref, nat = made(Reference), made(Native)
    assert type(nat[-1]) is Native
    for label in ["y", None, "z"]:  # as built, then set, reset and set again
        with engine_of_functions(Reference):  # (a Function's op describes itself so)
            by_reference = [read(n, ref) for n in ref]
        with engine_of_functions(Native):
            by_native = [read(n, nat) for n in nat]
        assert by_native == by_reference
        ref[-1].label = nat[-1].label = label


def test_the_ops_of_the_fixed_kinds_are_the_reference_ops_themselves() -> None:
    a, b = Native(0.5), Native(2.0)
    assert (a * b)._op is ops.MUL and (a**b)._op is ops.POW and (-a)._op is ops.NEG
    assert a.tanh()._op is ops.TANH and a.exp()._op is ops.EXP and abs(a)._op is ops.ABS
    assert nary(ops.SUM, [a, b])._op is ops.SUM
    assert affine(Native, "relu", [[a]], [b], [a])[0]._op is ops.AFFINE["relu"]
    assert (a**2)._op is ops.pow_constant_exponent(2)


def test_the_sentinels_are_the_references_own() -> None:
    x = Native(1.0)
    with autograd.no_grad():
        unrecorded = x * 2.0
    assert unrecorded._b is reference.UNRECORDED and unrecorded._a is None
    assert unrecorded.is_leaf and unrecorded._op is None and unrecorded.parents == ()
    assert native.unrecorded(2.0)._b is reference.UNRECORDED
    many = nary(ops.MEAN, [x, x])
    assert many._b is reference.MANY_INPUTS and many._a == (x, x) and many.parents is many._a
    constant = x * 2.0
    assert constant._b is None and constant._a is x and type(constant._op) is ops.MulConstant


@pytest.mark.parametrize("V", ENGINES)
def test_plus_x_is_x(V: Any) -> None:
    x = V(1.0)
    assert +x is x


def test_detach_is_a_new_leaf_with_the_same_data_and_label() -> None:
    for V in (Reference, Native):
        y = V(-0.0, label="y") * 3.0
        y.label = "y3"
        d = y.detach()
        assert type(d) is V and d is not y and d.is_leaf and d.parents == ()
        assert (bits(d.data), d.label, bits(d.grad)) == (bits(-0.0), "y3", bits(0.0))


def test_grad_accepts_ints_and_floats() -> None:
    ref, nat = Reference(1.0), Native(1.0)
    for grad in [3, -0.0, 2.5, -7]:
        ref.grad = nat.grad = grad
        assert nat.grad == ref.grad and math.copysign(1, nat.grad) == math.copysign(1, ref.grad)
    ref.grad = nat.grad = 3
    with reference_loop():
        (ref * 2.0).backward()
    (nat * 2.0).backward()
    assert grads([nat]) == grads([ref]) == [bits(5.0)]


def test_a_number_assigned_to_grad_is_kept_as_a_float_and_anything_else_refused() -> None:
    """Where the two differ on purpose: the compiled Value holds its gradient as a float, so
    an int reads back as a float (the reference's slot keeps the int: 3 and 3.0 are the
    same gradient), and a non-number is a TypeError naming Value.grad at once (the
    reference's slot takes it, and backward() fails later)."""
    ref, nat = Reference(1.0), Native(1.0)
    ref.grad = nat.grad = 3
    assert type(nat.grad) is float and nat.grad == ref.grad == 3
    assert repr(nat) == "Value(1.0, grad=3.0)" and repr(ref) == "Value(1.0, grad=3)"
    for bad in ["a", None, True]:
        with pytest.raises(TypeError, match=r"^Value\.grad: expected a real number"):
            nat.grad = bad
    assert nat.grad == 3.0


def test_assigning_data_advances_the_clock_and_the_leafs_stamp_as_the_reference_does() -> None:
    clock = reference.DATA_CLOCK
    for V in (Reference, Native):
        x = V(1.0)
        built = x * 2.0
        start = clock.now
        assert x._stamp == built._stamp <= start
        x.data = 4
        assert clock.now == start + 1 and x._stamp == clock.now and bits(x.data) == bits(4.0)
        x.data = -0.0
        assert clock.now == start + 2 and x._stamp == clock.now and bits(x.data) == bits(-0.0)
        assert built._stamp < x._stamp
        assert (x * 2.0)._stamp == clock.now


def test_backward_of_a_leaf_adds_the_gradient_to_what_it_held() -> None:
    for held in [0.0, -0.0, 1.5]:
        ref, nat = Reference(2.0), Native(2.0)
        ref.grad = nat.grad = held
        with reference_loop():
            ref.backward(-0.0)
        with fast_road_taken() as answers:
            nat.backward(-0.0)
        assert answers == [True] and grads([nat]) == grads([ref])


# -- memory ------------------------------------------------------------------------------


def test_a_node_is_64_bytes() -> None:
    assert _native.NODE_BYTES == 64 == native.NODE_BYTES


def chain(x: Any, length: int) -> Any:
    y = x
    for _ in repeat(None, length):  # (range would keep its last int alive)
        y = y * 1.0
    return y


def test_a_chain_of_10_000_nodes_takes_64_bytes_a_node_and_gives_it_all_back() -> None:
    _native.release_memory()
    tracemalloc.start()
    try:
        x = Native(1.0)  # (a leaf: the engine asks whether tracemalloc is tracing)
        start, _ = tracemalloc.get_traced_memory()
        y = chain(x, 10_000)
        built, _ = tracemalloc.get_traced_memory()
        del y  # freed at once (its slabs kept for the next nodes, as pymalloc keeps pools)
        dropped, _ = tracemalloc.get_traced_memory()
        y = chain(x, 10_000)  # built in the memory kept
        rebuilt, _ = tracemalloc.get_traced_memory()
        del y
        _native.release_memory()
        end, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    slack = 1024  # the interpreter's own bookkeeping, not nodes (8 bytes a node is 80_000)
    assert 64 * 10_000 - slack <= built - start <= 64 * 10_000 + slack
    assert dropped - start <= slack and abs(rebuilt - built) <= slack
    assert end - start <= slack


SLAB_NODES = 1023  # the nodes of one 64 KiB slab (its header takes one node's place)


def test_a_chain_of_a_million_nodes_builds_runs_backward_and_is_freed() -> None:
    x = Native(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    with fast_road_taken() as answers:
        y.backward()
    assert answers == [True] and x.grad == 1.0
    _native.release_memory()
    del y  # freed one node after another, without recursion
    # of the ~980 slabs it emptied, 256 (16 MiB) are kept for the next nodes and the rest
    # given back at once: release_memory() finds those 256 (one may be the slab in use)
    assert 255 * SLAB_NODES <= _native.release_memory() <= 256 * SLAB_NODES


def test_a_deep_chain_of_sums_and_python_ops_is_freed_without_recursion() -> None:
    x = Native(0.5)
    y = x
    for _ in range(100_000):  # a sum holds its inputs in a tuple; a clamp holds its op
        y = nary(ops.SUM, [y.clamp(-1e300, 1e300), x])
    y.backward()
    assert x.grad == 100_001.0
    _native.release_memory()
    before = _native.kept()
    del y
    assert _native.kept() - before == 200_000  # every node of it, at once
    _native.release_memory()


class WeakNative(Native):  # type: ignore[misc]
    """A compiled leaf that can be weakly referenced (Value has no __weakref__ slot)."""

    __slots__ = ("__weakref__",)


@contextmanager
def collector_disabled() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def test_a_dropped_graph_is_freed_at_once_without_the_collector() -> None:
    with collector_disabled():
        x: Any = WeakNative(0.5, label="x")
        y = ((x * 2.0).tanh() + x) ** 2
        y.backward()
        held = weakref.ref(x)
        del x
        assert held() is not None and y.parents[0].parents[1] is held()  # the graph holds it
        del y
        assert held() is None


def test_the_memory_of_a_dropped_graph_is_kept_for_the_next_one() -> None:
    _native.release_memory()
    with collector_disabled():
        x = Native(0.5)
        y = x
        for _ in range(999):
            y = (y * 0.5).sin()
        room = _native.kept()  # the slabs' room beyond the graph's 1,999 nodes
        assert room < SLAB_NODES
        del y
        assert _native.kept() == room + 1998  # every node of the graph, at once
        again = (x * 0.5).sin()
        assert _native.kept() == room + 1996
    kept = _native.kept()
    released = _native.release_memory()  # the empty slabs (not the one new nodes come from)
    assert released % SLAB_NODES == 0 and _native.kept() == kept - released
    del again


def test_nodes_are_not_tracked_by_the_collector() -> None:
    x = Native(1.0)
    for node in [x, x * 2.0, x.tanh(), nary(ops.SUM, [x, x]), x.clamp(0.0), x.detach()]:
        assert not gc.is_tracked(node)


# -- which road backward() takes ---------------------------------------------------------


def small_graph(V: Any) -> tuple[Any, list[Any]]:
    a, b = V(0.5, label="a"), V(-1.5, label="b")
    c = a * b
    return (c * c.tanh() + a * 3.0).exp(), [a, b, c]


def hooked_pass(V: Any, on: int) -> tuple[list[Any], list[float], list[bool] | None]:
    """small_graph's backward() with a hook doubling the gradient of its node ``on``: the
    gradients, what the hook saw, and the roads the compiled pass took."""
    root, held = small_graph(V)
    seen: list[float] = []

    def hook(grad: float) -> float:
        seen.append(grad)
        return 2.0 * grad

    held[on].register_hook(hook)
    if V is Reference:
        with reference_loop():
            root.backward()
        return grads(held), seen, None
    with fast_road_taken() as answers:
        root.backward()
    return grads(held), seen, answers


@pytest.mark.parametrize("on", [0, 2], ids=["on a leaf", "on an interior node"])
def test_a_hook_in_the_graph_sends_the_pass_to_the_reference_with_the_same_effect(on: int) -> None:
    by_reference, seen_by_reference, _ = hooked_pass(Reference, on)
    by_native, seen_by_native, answers = hooked_pass(Native, on)
    assert answers == [False]
    assert by_native == by_reference and seen_by_native == seen_by_reference != []


def test_a_hook_on_a_value_outside_the_graph_leaves_the_c_road_open() -> None:
    stray = Native(0.0)
    stray.register_hook(lambda g: 2.0 * g)
    root, held = small_graph(Native)
    with fast_road_taken() as answers, counting_calls(ops.Mul, "local_derivatives") as calls:
        root.backward()
    assert answers == [True] and calls == []  # C took the derivatives, not ops.py
    reference_root, reference_held = small_graph(Reference)
    with reference_loop():
        reference_root.backward()
    assert grads(held) == grads(reference_held)


def test_in_anomaly_mode_the_reference_loop_runs() -> None:
    root, held = small_graph(Native)
    counted = counting_calls(ops.Mul, "local_derivatives")
    with fast_road_taken() as answers, counted as calls, autograd.detect_anomaly():
        root.backward()
    assert answers == [] and len(calls) == 2  # a * b and c * tanh(c), one step each
    reference_root, reference_held = small_graph(Reference)
    with reference_loop():
        reference_root.backward()
    assert grads(held) == grads(reference_held)


def test_under_a_tracer_the_reference_loop_runs() -> None:
    root, _ = small_graph(Native)
    with fast_road_taken() as answers, counting_calls(ops.Mul, "local_derivatives") as calls:
        sys.settrace(lambda frame, event, arg: None)  # what a debugger does
        try:
            root.backward()
        finally:
            sys.settrace(None)
    assert answers == [] and len(calls) == 2


def test_a_derivative_that_is_not_finite_sends_the_pass_to_the_reference() -> None:
    def tiny_log(V: Any) -> list[Any]:
        x = V(5e-324)
        (x.log() * 1e-300).backward()  # 1/x overflows; 1e-300 / x does not
        return grads([x])

    with reference_loop():
        ref = outcome(lambda: tiny_log(Reference))
    with fast_road_taken() as answers:
        nat = outcome(lambda: tiny_log(Native))
    assert answers == [False]
    assert nat == ref and math.isfinite(ref[1][0][1])


def test_a_stale_input_sends_the_pass_to_the_reference_which_raises() -> None:
    x = Native(1.0, label="w")
    y = x * 2.0
    x.data = 3.0
    with fast_road_taken() as answers, pytest.raises(RuntimeError, match=r"assigned a new \.data"):
        y.backward()
    assert answers == [False]


def test_python_ops_in_the_graph_are_asked_for_their_derivative_by_c() -> None:
    x = Native(0.25)
    with fast_road_taken() as answers, counting_calls(ops.Clamp, "derivative") as calls:
        (x.clamp(0.0, 1.0) * 2.0).backward()
    assert answers == [True] and len(calls) == 1 and x.grad == 2.0


# -- a user's autograd.Function ----------------------------------------------------------


@contextmanager
def engine_of_functions(V: Any) -> Iterator[None]:
    """``autograd.Function`` building nodes of ``V``'s engine: the module reads the engine's
    ``Value`` and ``node``, which this run of the suite chose; here they are either's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(function, "Value", V)
        patch.setattr(function, "node", native.node if V is Native else reference._node)
        yield


class Reciprocal(Function):
    """f(x; c) = c / x for a constant c;  ∂f/∂x = -c/x², written to divide last."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: float, c: float) -> float:
        ctx.save_for_backward(x)
        ctx.c = c
        return c / x

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> tuple[float, None]:
        (x,) = ctx.saved_tensors
        assert x is not None
        return -(grad_output * ctx.c) / x / x, None


def through_functions(V: Any, x0: float, y0: float, gradient: float) -> list[Any]:
    """A graph with Functions among the built-in ops, built and differentiated in V's engine:
    the value and gradient of every node."""
    x, y = V(x0, label="x"), V(y0, label="y")
    with engine_of_functions(V):
        f = MulSin.apply(x, y.tanh())
        g = Reciprocal.apply(f * f + 1.0, 2.0)
        root = MulSin.apply(g, x) * y
        assert type(f._op).__bases__ == (FunctionBackward,)
        with reference_loop() if V is Reference else fast_road_taken() as answers:
            root.backward(gradient)
    nodes = [x, y, f, g, root]
    return [answers if V is Native else None, *all_bits(n.data for n in nodes), *grads(nodes)]


@given(st.floats(-3.0, 3.0), st.floats(-3.0, 3.0), st.sampled_from([1.0, -0.5, 1e-300]))
@settings(deadline=None)
def test_a_function_gives_the_same_values_and_gradients_in_both_engines(
    x: float, y: float, gradient: float
) -> None:
    ref, nat = (
        through_functions(Reference, x, y, gradient),
        through_functions(Native, x, y, gradient),
    )
    assert nat[0] == [True] and nat[1:] == ref[1:]


def test_a_function_whose_contribution_needs_its_exact_form_gets_it_in_both() -> None:
    def tiny(V: Any) -> list[Any]:
        x = V(1e-300)
        with engine_of_functions(V):
            Reciprocal.apply(x, 1e-10).backward(1e-300)  # local -1e+290, times 1e-300
        return grads([x])

    with reference_loop():
        ref = outcome(lambda: tiny(Reference))
    with fast_road_taken() as answers:
        nat = outcome(lambda: tiny(Native))
    assert answers == [False]  # the local derivative -(1e-10) / x / x overflowed in C
    assert nat == ref and math.isfinite(ref[1][0][1])


class Miscounted(Function):
    """A Function whose backward returns one gradient too many: a TypeError naming it."""

    @staticmethod
    def forward(ctx: FunctionCtx, x: float) -> float:
        return 2.0 * x

    @staticmethod
    def backward(ctx: FunctionCtx, grad_output: float) -> tuple[float, float]:
        return 2.0 * grad_output, 0.0


def test_a_functions_error_in_backward_is_the_same_in_both_and_leaves_the_leaves() -> None:
    def miscounted(V: Any) -> tuple[Any, ...]:
        x, y = V(0.5), V(-1.5)
        x.grad, y.grad = -0.0, 0.25
        with engine_of_functions(V):
            failed = outcome(lambda: (Miscounted.apply(x) * y).backward())
        return (*failed, *grads([x, y]))

    with reference_loop():
        ref = miscounted(Reference)
    with fast_road_taken() as answers:
        nat = miscounted(Native)
    assert ref[:2] == ("raised", TypeError) and "Miscounted.backward" in ref[2]
    assert nat == ref and ref[3:] == (bits(-0.0), bits(0.25))
    assert answers == []  # the error came out of the C pass itself, as the reference's would


# -- copies ------------------------------------------------------------------------------


@pytest.mark.parametrize("copied", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_a_value_copies_as_the_references_does(copied: Callable[[Any], Any]) -> None:
    def copies(V: Any) -> list[Any]:
        x = V(1.5, label="x")
        y = (x * 2.0).tanh()
        y.grad = 0.5
        known = every_node([y]) + every_node([copied(y)])  # the graph, then its copy's
        return [read(n, known) for n in known]

    ref, nat = in_both(copies)
    assert ref[0] == "value" and nat == ref


def every_kind(V: Any) -> Any:
    """One graph with a node of every kind: leaves (one labelled, one under no_grad),
    two Values, a Value and a number on either side, one Value, a Python op (clamp,
    c ** x), many inputs, and a neuron."""
    x, w = V(1.5, label="x"), V(-0.5)
    with autograd.no_grad():
        frozen = x * 3.0
    parts = [x * w, x - 2.0, 2.0 / x, x**3, (-x).tanh(), x.clamp(max=1.0), 2.0**x, frozen]
    total = nary(ops.SUM, parts, V)
    return nary(ops.AFFINE["relu"], [w, x, total, V(0.25)], V)


def structure(root: Any) -> list[tuple[Any, ...]]:
    """Every node reachable from ``root``: op, value and gradient bits, label, and the
    positions of its inputs in this list, in the order a depth-first walk meets them."""
    nodes: list[Any] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if any(node is seen for seen in nodes):
            continue
        nodes.append(node)
        stack.extend(reversed(node.parents))
    return [
        (
            node.op,
            bits(node.data),
            bits(node.grad),
            node.label,
            node.is_leaf,
            node._b is reference.UNRECORDED,
            tuple(next(i for i, seen in enumerate(nodes) if seen is p) for p in node.parents),
        )
        for node in nodes
    ]


def test_every_kind_of_node_deep_copies_and_pickles_into_the_same_graph() -> None:
    import pickle

    root = every_kind(Native)
    root.backward()
    for copied in (copy.deepcopy(root), pickle.loads(pickle.dumps(root))):
        assert copied is not root and type(copied) is Native
        assert structure(copied) == structure(root)
        assert all(c is not o for c, o in zip(copied.parents, root.parents, strict=True))
    shallow = copy.copy(root)  # as the reference's slots copy: the same inputs
    assert shallow is not root and all(map(lambda a, b: a is b, shallow.parents, root.parents))
    assert structure(shallow) == structure(root)


def test_a_copied_graph_differentiates_as_the_original() -> None:
    root = every_kind(Native)
    twin = copy.deepcopy(root)
    root.backward()
    twin.backward()
    assert structure(twin) == structure(root)


def test_a_deep_copied_model_computes_as_the_original() -> None:
    import nn

    model = nn.MLP(2, [4, 1], seed=3)
    twin = copy.deepcopy(model)
    assert twin([0.5, -1.0]).data == model([0.5, -1.0]).data
    assert all(p is not q for p, q in zip(twin.parameters(), model.parameters(), strict=True))


def test_restore_refuses_parts_that_are_not_a_node() -> None:
    x = Native(1.0)
    with pytest.raises(ValueError, match="restore: not the parts of a Value's node"):
        _native.restore(3, 1.0, 0.0, None, x, "not a Value", 0, 0)  # MUL of a string
    with pytest.raises(ValueError, match="restore: not the parts of a Value's node"):
        _native.restore(99, 1.0, 0.0, None, None, None, 0, 0)


# -- what review found: misuse that must be an error, not a crash or a leak -------------


@pytest.mark.parametrize(
    "parts",
    [
        ("AFFINE", (), "eight inputs"),  # a neuron's row shorter than its inputs
        ("SUM", (), None),  # an op of many inputs with none
        ("MEAN", (), None),
        ("DOT", "two", None),  # w·x + b of an even number of inputs
    ],
    ids=["affine-row", "sum-empty", "mean-empty", "dot-even"],
)
def test_restore_refuses_inputs_of_the_wrong_number(parts: tuple[str, Any, Any]) -> None:
    kinds = ["LEAF", "ADD", "SUB", "MUL", "DIV", "POW", "ADD_C", "SUB_C", "C_SUB", "MUL_C"]
    kinds += ["DIV_C", "C_DIV", "POW_C", "NEG", "EXP", "LOG", "LOG1P", "TANH", "SIGMOID"]
    kinds += ["RELU", "SQRT", "ABS", "SIN", "COS", "SUM", "MEAN", "DOT", "AFFINE"]
    name, a, b = parts
    inputs = (Native(1.0), Native(2.0))
    a = inputs if a == "two" else a
    b = tuple(Native(1.0) for _ in range(8)) if b == "eight inputs" else None
    with pytest.raises(ValueError, match="restore: not the parts of a Value's node"):
        _native.restore(kinds.index(name), 0.0, 0.0, None, a, b, 0, 0)


def test_a_dot_of_an_even_number_of_inputs_fails_in_backward_as_the_reference_does() -> None:
    def even_dot(V: Any) -> Any:
        a, b = V(3.0), V(5.0)
        node = nary(ops.DOT, [a, b], V)
        with reference_loop() if V is Reference else native_backward_installed():
            node.backward()
        return a.grad, b.grad

    ref, nat = in_both(even_dot)
    assert ref[:2] == ("raised", ValueError) and nat[:2] == ref[:2]


def test_a_label_is_a_str_or_none() -> None:
    x = Native(1.0, label="x")
    for bad in [{"node": x}, ["x"], 3]:
        with pytest.raises(TypeError, match=r"^Value\.label: expected a str or None, got "):
            x.label = bad  # (a node outside the collector must not hold what holds it)
        with pytest.raises(TypeError, match=r"^Value: label must be a str or None, got "):
            Native(1.0, label=bad)
    assert x.label == "x"
    x.label = None
    assert x.label is None


def test_a_subclass_can_initialise_through_super_and_a_leaf_can_be_initialised_again() -> None:
    class Parameter(Native):  # type: ignore[misc]
        __slots__ = ("extra",)

        def __init__(self, data: float, label: str | None = None) -> None:
            super().__init__(data, label)
            self.extra = 1

    p = Parameter(2.0, "p")
    assert (p.data, p.label, p.extra) == (2.0, "p", 1)
    x = Native(1.0, label="x")
    x.grad = 3.0
    x.__init__(5.0)  # type: ignore[misc]  # as the reference's __init__ does to a leaf
    assert (x.data, x.label, x.grad) == (5.0, None, 0.0)
    with pytest.raises(TypeError, match="only a leaf can be initialised again"):
        (x * 2.0).__init__(1.0)  # type: ignore[misc]


def test_a_subclass_instance_among_numbers_is_an_input_not_a_number() -> None:
    w = WeakNative(2.0)
    total = native.nary(ops.SUM, [w, 3.0])
    assert total.parents[0] is w and total.data == 5.0
