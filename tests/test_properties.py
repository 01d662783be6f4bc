"""Property tests over random expression graphs (see ``expressions.py``).

Gradients from ``backward()`` are checked against central differences, twice over:
with ``autograd.gradcheck`` (the engine's forward pass) and with our own difference
quotient of a plain-float evaluation through the math module, which shares no code
with the engine.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from autograd import Value, gradcheck
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
    recipes,
    replay,
    replay_all,
)

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
