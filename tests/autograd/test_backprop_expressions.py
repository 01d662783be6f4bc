"""``backward()`` on whole expressions: the chain rule through several ops by hand, random
expression graphs (tests/autograd/expressions.py) against central differences and against
PyTorch in float64, op for op, and small expressions at the edges (one leaf used twice, a
zero reached by x - 1) by hand and against PyTorch."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from autograd import Value, gradcheck, numerical_gradient
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


def _close(a: float, b: float, rel: float = 1e-12) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=1e-15)


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
