"""autograd.sum and autograd.mean: one node of many inputs."""

from __future__ import annotations

import math
from typing import Any

import pytest

import autograd
from autograd import Value, gradcheck, no_grad, topological_order


def test_sum_is_one_node_with_every_input_in_order() -> None:
    xs = [Value(float(i)) for i in range(5)]
    total = autograd.sum(xs)
    assert total.op == "sum"
    assert total.parents == tuple(xs)
    assert total.data == 10.0
    assert topological_order(total) == [total]


def test_sum_gradient_counts_each_use() -> None:
    x, y = Value(2.0), Value(-1.0)
    total = autograd.sum([x, x, y, x * y])  # d/dx = 1 + 1 + y, d/dy = 1 + x
    total.backward()
    assert x.grad == 2.0 + y.data
    assert y.grad == 1.0 + x.data


def test_mean_value_and_gradient() -> None:
    xs = [Value(v) for v in (1.0, 2.0, 6.0)]
    m = autograd.mean(xs)
    assert m.op == "mean"
    assert m.data == 3.0
    m.backward()
    assert all(x.grad == pytest.approx(1.0 / 3.0, rel=1e-15) for x in xs)


def test_numbers_among_the_values_become_leaves() -> None:
    x = Value(3.0)
    total = autograd.sum([x, 2, 0.5])
    assert total.data == 5.5
    assert [p.is_leaf for p in total.parents] == [True, True, True]
    assert total.parents[1].data == 2.0
    total.backward()
    assert x.grad == 1.0


def test_gradcheck_through_sum_and_mean() -> None:
    def f(a: Value, b: Value, c: Value) -> Value:
        return autograd.sum([a * b, (b * c).tanh(), a]) * autograd.mean([a, b, c, 2.0])

    assert gradcheck(f, [0.3, -1.2, 0.7])


def test_sum_of_100_000_values_is_one_node_deep() -> None:
    xs = [Value(1.0) for _ in range(100_000)]
    total = autograd.sum(xs)
    total.backward()
    assert total.data == 100_000.0
    assert all(x.grad == 1.0 for x in xs)


def test_backward_twice_doubles_leaves_exactly() -> None:
    xs = [Value(v) for v in (0.1, 0.2, 0.3)]
    total = autograd.sum([x * x for x in xs]) + autograd.mean(xs)
    total.backward()
    first = [x.grad for x in xs]
    total.backward()
    assert [x.grad for x in xs] == [2 * g for g in first]


def test_under_no_grad_the_result_is_a_leaf() -> None:
    with no_grad():
        total = autograd.sum([Value(1.0), Value(2.0)])
    assert total.is_leaf and total.data == 3.0


@pytest.mark.parametrize("reduce", [autograd.sum, autograd.mean])
def test_empty_input_is_a_value_error_naming_the_op(reduce: object) -> None:
    with pytest.raises(ValueError, match=r"(sum|mean): needs at least one value"):
        reduce([])  # type: ignore[operator]


@pytest.mark.parametrize("bad", ["a", None, 1j, True, float("nan")])
def test_bad_values_name_the_op(bad: object) -> None:
    with pytest.raises((TypeError, ValueError), match="sum"):
        autograd.sum([Value(1.0), bad])  # type: ignore[list-item]


def test_overflowing_sum_names_sum() -> None:
    with pytest.raises(OverflowError, match="sum"):
        autograd.sum([Value(1e308), Value(1e308)])


@pytest.mark.torch
def test_matches_torch(torch: Any) -> None:
    values = [0.25, -1.5, 2.0, 3.75]
    xs = [Value(v) for v in values]
    out = autograd.sum([x * x for x in xs]) * autograd.mean(xs)
    out.backward()
    ts = torch.tensor(values, dtype=torch.float64, requires_grad=True)
    expected = (ts * ts).sum() * ts.mean()
    expected.backward()
    assert math.isclose(out.data, expected.item(), rel_tol=1e-12)
    for x, g in zip(xs, ts.grad.tolist(), strict=True):
        assert math.isclose(x.grad, g, rel_tol=1e-12)


def test_dot_value_gradients_and_input_order() -> None:
    w = [Value(0.5), Value(-1.0)]
    x = [Value(2.0), Value(3.0)]
    b = Value(0.25)
    out = autograd.dot(w, x, b)
    assert out.op == "dot"
    assert out.parents == (*w, *x, b)
    assert out.data == 0.5 * 2.0 - 1.0 * 3.0 + 0.25
    out.backward()
    assert [v.grad for v in w] == [2.0, 3.0]  # ∂/∂wᵢ = xᵢ
    assert [v.grad for v in x] == [0.5, -1.0]  # ∂/∂xᵢ = wᵢ
    assert b.grad == 1.0


@pytest.mark.torch
def test_dot_with_numbers_and_reuse_matches_torch(torch: Any) -> None:
    a, c = Value(0.3), Value(-0.7)
    out = (autograd.dot([a, a, 2.0], [c, a, c], a) * c).tanh()
    out.backward()
    ta = torch.tensor(0.3, dtype=torch.float64, requires_grad=True)
    tc = torch.tensor(-0.7, dtype=torch.float64, requires_grad=True)
    expected = ((ta * tc + ta * ta + 2.0 * tc + ta) * tc).tanh()
    expected.backward()
    assert math.isclose(out.data, expected.item(), rel_tol=1e-12)
    assert math.isclose(a.grad, ta.grad.item(), rel_tol=1e-12)
    assert math.isclose(c.grad, tc.grad.item(), rel_tol=1e-12)


def test_gradcheck_dot() -> None:
    assert gradcheck(
        lambda w1, w2, x1, x2, b: autograd.dot([w1, w2], [x1, x2], b).sigmoid(),
        [0.1, -0.2, 0.3, 0.4, -0.5],
    )


@pytest.mark.parametrize(
    ("weights", "inputs", "pattern"),
    [([1.0, 2.0], [1.0], "dot: 2 weights but 1 inputs"), ([], [], "dot: needs at least one")],
)
def test_dot_bad_sizes(weights: list[float], inputs: list[float], pattern: str) -> None:
    with pytest.raises(ValueError, match=pattern):
        autograd.dot(weights, inputs)


def test_an_overflowing_mean_names_mean() -> None:
    with pytest.raises(OverflowError, match=r"^mean: the sum of 2 values overflows"):
        autograd.mean([Value(1e308), Value(1e308)])
    with pytest.raises(OverflowError, match=r"^sum: the sum of 2 values overflows"):
        autograd.sum([Value(1e308), Value(1e308)])
