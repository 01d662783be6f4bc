"""The engine against PyTorch in float64: the same graphs, op for op, same values and gradients.

Random expressions from ``expressions.py`` are built twice, once from ``autograd.Value``s
and once from float64 tensors, with the same ops in the same order; every node's value,
every interior node's gradient and every input's gradient must agree. Then the edges
where PyTorch defines a derivative by convention (relu'(0) = 0, abs'(0) = 0,
d(x**0)/dx = 0 at 0, ∂(0**y)/∂y = 0) and where naive formulas overflow (tanh(1000),
sigmoid(-1000)), checked against numbers worked out by hand and against torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from hypothesis import assume, given, note, settings

from autograd import Value
from tests.autograd.expressions import Recipe, cases, kink_inputs, replay_all

pytestmark = pytest.mark.torch  # every test here compares with torch

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


S_40 = math.exp(-40.0) / (1.0 + math.exp(-40.0))  # sigmoid(-40), about 4.2e-18

# name, the function (any operands with Value's/tensor's API), inputs, and the value and
# input gradients worked out by hand.
EDGES: list[tuple[str, Callable[..., Any], Sequence[float], float, Sequence[float]]] = [
    ("relu'(0) = 0", lambda x: x.relu(), [0.0], 0.0, [0.0]),
    ("relu'(0) = 0, zero reached by x - 1", lambda x: (x - 1.0).relu(), [1.0], 0.0, [0.0]),
    ("abs'(0) = 0", lambda x: x.abs(), [0.0], 0.0, [0.0]),
    ("abs'(-2) = -1", lambda x: x.abs(), [-2.0], 2.0, [-1.0]),
    ("d(x**0)/dx = 0 at x = 0", lambda x: x**0, [0.0], 1.0, [0.0]),
    ("d(x**0)/dx = 0 at x = -2", lambda x: x**0, [-2.0], 1.0, [0.0]),
    ("d(x**1)/dx = 1 at x = 0", lambda x: x**1, [0.0], 0.0, [1.0]),
    ("d(x**1.5)/dx = 0 at x = 0", lambda x: x**1.5, [0.0], 0.0, [0.0]),
    ("d(x**3)/dx at x = -2", lambda x: x**3, [-2.0], -8.0, [12.0]),
    ("d(x**-2)/dx at x = -2", lambda x: x**-2, [-2.0], 0.25, [0.25]),
    ("d(0**y)/dy = 0 at y = 2", lambda y: 0.0**y, [2.0], 0.0, [0.0]),
    ("d(0**y)/dy = 0 at y = 0", lambda y: 0.0**y, [0.0], 1.0, [0.0]),
    ("d(2**y)/dy = 2**y ln 2", lambda y: 2**y, [3.0], 8.0, [8.0 * math.log(2.0)]),
    ("a**b at a = 0, b = 2", lambda a, b: a**b, [0.0, 2.0], 0.0, [0.0, 0.0]),
    ("a**b at a = 0, b = 0", lambda a, b: a**b, [0.0, 0.0], 1.0, [0.0, 0.0]),
    ("a**b at a = 2, b = 3", lambda a, b: a**b, [2.0, 3.0], 8.0, [12.0, 8.0 * math.log(2.0)]),
    ("tanh(1000)", lambda x: x.tanh(), [1000.0], 1.0, [0.0]),
    ("tanh(-1000)", lambda x: x.tanh(), [-1000.0], -1.0, [0.0]),
    ("sigmoid(-1000)", lambda x: x.sigmoid(), [-1000.0], 0.0, [0.0]),
    ("sigmoid(1000)", lambda x: x.sigmoid(), [1000.0], 1.0, [0.0]),
    # tiny but not 0, so compared without abs_tol (as every edge here)
    ("sigmoid(-40)", lambda x: x.sigmoid(), [-40.0], S_40, [S_40 * (1.0 - S_40)]),
    ("exp(709)", lambda x: x.exp(), [709.0], math.exp(709.0), [math.exp(709.0)]),
    ("log(1e-300)", lambda x: x.log(), [1e-300], math.log(1e-300), [1e300]),
    ("sqrt(1e-300)", lambda x: x.sqrt(), [1e-300], 1e-150, [5e149]),
    ("x * x at 0 (one leaf, two uses)", lambda x: x * x, [0.0], 0.0, [0.0]),
    ("x * x * x at -3 (two uses of one node)", lambda x: x * x * x, [-3.0], -27.0, [27.0]),
    ("2.5 - x, 3 / x", lambda x: (2.5 - x) * (3 / x), [2.0], 0.75, [-1.875]),
]


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
