"""``autograd.AffineLayer``: m neurons yⱼ = act(wⱼ·x + bⱼ), one node each.

Values are checked against the formula worked out with ``math``, gradients against
central differences (``gradcheck``) and PyTorch in float64; the fast ``backward()`` is
checked against the per-edge ``backward_steps()`` and the compact nn graphs against the
fine (micrograd) ones built from the same numbers. Sample points keep every relu input
away from its kink at 0.
"""

from __future__ import annotations

import gc
import math
import re
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import autograd.fast.layer
import autograd.hooks
import nn
from autograd import AffineLayer, Value, gradcheck, no_grad, ops, topological_order
from autograd.drawing import node_names
from autograd.fast import layer as fast_layer
from nn import MLP, Layer, Linear, Neuron
from nn import functional as F
from tests.autograd.fast.layer_helpers import (
    ACTIVATIONS,
    COEFFS,
    OP_NAMES,
    WeakValue,
    assert_close,
    close,
    flat,
    grads,
    leaf_rows,
    leaves,
    no_hooks_left_behind,  # noqa: F401  # an autouse fixture
    tensor,
    torch_act,
)
from tests.helpers import assert_named_error

# -- helpers -------------------------------------------------------------------------------


def act(name: str | None, z: float) -> float:
    if name == "relu":
        return max(z, 0.0)
    if name == "tanh":
        return math.tanh(z)
    if name == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z))
    return z


def act_prime(name: str | None, z: float) -> float:
    if name == "relu":
        return 1.0 if z > 0.0 else 0.0
    if name == "tanh":
        return 1.0 - math.tanh(z) ** 2
    if name == "sigmoid":
        s = 1.0 / (1.0 + math.exp(-z))
        return s * (1.0 - s)
    return 1.0


def problem(
    m: int, n: int, seed: int, margin: float = 0.1
) -> tuple[list[list[float]], list[float], list[float]]:
    """Weights (m × n), biases (m) and inputs (n) with every wⱼ·x and wⱼ·x + bⱼ at least
    ``margin`` from 0 (away from relu's kink) and at least one of them positive."""
    rng = np.random.default_rng(seed)
    while True:
        w = rng.uniform(-1.0, 1.0, (m, n))
        b = rng.uniform(-0.5, 0.5, m)
        x = rng.uniform(-1.5, 1.5, n)
        z_bias, z_plain = w @ x + b, w @ x
        if (
            min(np.abs(z_bias).min(), np.abs(z_plain).min()) > margin
            and z_bias.max() > 0
            and z_plain.max() > 0
        ):
            return w.tolist(), b.tolist(), x.tolist()


def weighted(outputs: Sequence[Value]) -> Value:
    """Σⱼ cⱼ yⱼ with distinct cⱼ, one node."""
    return autograd.sum([c * y for c, y in zip(COEFFS, outputs, strict=False)])


def torch_layer(torch: Any, w: Any, b: Any, x: Any, activation: str | None) -> Any:
    return torch_act(torch, activation)(torch.nn.functional.linear(x, w, b))


# -- the node: values, parents, local derivatives ------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("bias", [True, False])
def test_each_output_is_one_node_with_weights_inputs_and_bias_as_parents(
    activation: str | None, bias: bool
) -> None:
    w, b, x = problem(3, 4, seed=1)
    rows, biases, xs = leaf_rows(w), leaves(b), leaves(x)
    outs = AffineLayer(rows, biases if bias else None, activation)(xs)
    assert len(outs) == 3
    for j, out in enumerate(outs):
        assert out.op == OP_NAMES[activation]
        assert not out.is_leaf
        expected_parents = (*rows[j], *xs, *([biases[j]] if bias else []))
        assert len(out.parents) == len(expected_parents) == 2 * 4 + bias
        assert all(p is q for p, q in zip(out.parents, expected_parents, strict=True))
        z = sum(wi * xi for wi, xi in zip(w[j], x, strict=True)) + (b[j] if bias else 0.0)
        assert close(out.data, act(activation, z))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_local_derivatives_are_slope_times_x_then_slope_times_w_then_slope(
    activation: str | None,
) -> None:
    w, b, x = problem(2, 3, seed=2)
    rows, biases, xs = leaf_rows(w), leaves(b), leaves(x)
    outs = AffineLayer(rows, biases, activation)(xs)
    for j, out in enumerate(outs):
        z = sum(wi * xi for wi, xi in zip(w[j], x, strict=True)) + b[j]
        slope = act_prime(activation, z)
        assert out._op is not None
        local = out._op.local_derivatives(out)
        assert_close(local, [slope * v for v in x] + [slope * v for v in w[j]] + [slope])


def test_numbers_among_the_inputs_become_leaves_shared_by_every_neuron() -> None:
    rows = leaf_rows([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]])
    outs = AffineLayer(rows, None, "tanh")([0.5, 2, np.float64(-1.0)])
    inputs = outs[0].parents[3:]
    assert [v.data for v in inputs] == [0.5, 2.0, -1.0]
    assert all(v.is_leaf for v in inputs)
    assert all(p is q for p, q in zip(outs[1].parents[3:], inputs, strict=True))
    weighted(outs).backward()
    for i, xi in enumerate(inputs):  # ∂/∂xᵢ = Σⱼ cⱼ tanh'(zⱼ) wⱼᵢ
        expected = 0.0
        for j, row in enumerate(rows):
            z = sum(wv.data * xv.data for wv, xv in zip(row, inputs, strict=True))
            expected += COEFFS[j] * act_prime("tanh", z) * row[i].data
        assert close(xi.grad, expected)


def test_layer_reports_its_sizes_and_parameters_in_order() -> None:
    rows, biases = leaf_rows([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), leaves([7.0, 8.0])
    layer = AffineLayer(rows, biases, "sigmoid")
    assert (layer.in_features, layer.out_features) == (3, 2)
    assert all(p is q for p, q in zip(layer.parameters(), [*flat(rows), *biases], strict=True))
    assert len(AffineLayer(rows).parameters()) == 6
    assert "activation='sigmoid'" in repr(layer)


# -- gradients: central differences and PyTorch --------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize(("m", "n"), [(1, 1), (1, 4), (3, 1), (3, 2), (2, 5), (5, 5)])
def test_gradcheck(activation: str | None, bias: bool, m: int, n: int) -> None:
    w, b, x = problem(m, n, seed=10 * m + n)
    k = m * n + (m if bias else 0)

    def fn(*values: Value) -> Value:
        rows = [values[j * n : (j + 1) * n] for j in range(m)]
        biases = values[m * n : k] if bias else None
        return weighted(AffineLayer(rows, biases, activation)(values[k:]))

    assert gradcheck(fn, [v for row in w for v in row] + (b if bias else []) + x)


@pytest.mark.torch
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("bias", [True, False])
def test_matches_torch_linear(activation: str | None, bias: bool, torch: Any) -> None:
    w, b, x = problem(4, 3, seed=5)
    rows, biases, xs = leaf_rows(w), leaves(b), leaves(x)
    outs = AffineLayer(rows, biases if bias else None, activation)(xs)
    weighted(outs).backward()

    tw, tb, tx = tensor(torch, w), tensor(torch, b), tensor(torch, x)
    ty = torch_layer(torch, tw, tb if bias else None, tx, activation)
    (ty * torch.tensor(COEFFS[:4], dtype=torch.float64)).sum().backward()

    assert_close([o.data for o in outs], ty.tolist())
    assert_close(grads(flat(rows)), tw.grad.flatten().tolist())
    assert_close(grads(xs), tx.grad.tolist())
    if bias:
        assert_close(grads(biases), tb.grad.tolist())
    assert any(g != 0.0 for g in grads(flat(rows)))


@pytest.mark.torch
def test_two_layers_with_interior_inputs_and_l2_on_the_weights_match_torch(torch: Any) -> None:
    """Inputs are x², sin x and the outputs of a previous layer; the first layer's weights
    and a bias are also used by an L2 term, so their gradients combine the layer's batched
    share with ordinary edges."""
    w1 = [[0.8, -0.6], [0.3, 0.9], [-0.7, 0.4]]
    b1 = [0.1, -0.2, 0.3]
    w2 = [[1.1, -0.9, 0.5], [-0.4, 0.6, 1.2]]
    b2 = [0.2, -0.15]
    x = [0.9, -1.3]

    rows1, biases1, rows2, biases2, a = (
        leaf_rows(w1),
        leaves(b1),
        leaf_rows(w2),
        leaves(b2),
        leaves(x),
    )
    inputs = [a[0] * a[0], a[1].sin()]
    h = AffineLayer(rows1, biases1, "tanh")(inputs)
    y = AffineLayer(rows2, biases2, "relu")(h)
    l2 = autograd.sum([v * v for v in flat(rows1)]) + biases1[0] * biases1[0]
    loss = weighted(y) + 0.1 * l2
    loss.backward()

    tw1, tb1, tw2, tb2, ta = (tensor(torch, v) for v in (w1, b1, w2, b2, x))
    tinputs = torch.stack([ta[0] * ta[0], ta[1].sin()])
    th = torch_layer(torch, tw1, tb1, tinputs, "tanh")
    tz2 = torch.nn.functional.linear(th, tw2, tb2)
    assert tz2.abs().min().item() > 0.05  # the sample is away from relu's kink
    assert tz2.max().item() > 0.0  # and some relu is live
    ty = torch.relu(tz2)
    tl2 = (tw1 * tw1).sum() + tb1[0] * tb1[0]
    tloss = (ty * torch.tensor(COEFFS[:2], dtype=torch.float64)).sum() + 0.1 * tl2
    tloss.backward()

    assert close(loss.data, tloss.item())
    assert_close(grads(flat(rows1)), tw1.grad.flatten().tolist())
    assert_close(grads(biases1), tb1.grad.tolist())
    assert_close(grads(flat(rows2)), tw2.grad.flatten().tolist())
    assert_close(grads(biases2), tb2.grad.tolist())
    assert_close(grads(a), ta.grad.tolist())


@pytest.mark.torch
def test_one_layer_applied_to_its_own_outputs_matches_torch(torch: Any) -> None:
    w = [[0.5, -0.8, 0.3], [0.9, 0.2, -0.6], [-0.4, 0.7, 0.8]]
    b = [0.1, -0.3, 0.2]
    x = [0.6, -1.1, 0.4]
    rows, biases, xs = leaf_rows(w), leaves(b), leaves(x)
    layer = AffineLayer(rows, biases, "sigmoid")
    y1 = layer(xs)
    y2 = layer(y1)
    loss = weighted(y2) + y1[0] * y2[2]
    loss.backward()

    tw, tb, tx = tensor(torch, w), tensor(torch, b), tensor(torch, x)
    ty1 = torch_layer(torch, tw, tb, tx, "sigmoid")
    ty2 = torch_layer(torch, tw, tb, ty1, "sigmoid")
    tloss = (ty2 * torch.tensor(COEFFS[:3], dtype=torch.float64)).sum() + ty1[0] * ty2[2]
    tloss.backward()

    assert close(loss.data, tloss.item())
    assert_close(grads(flat(rows)), tw.grad.flatten().tolist())
    assert_close(grads(biases), tb.grad.tolist())
    assert_close(grads(xs), tx.grad.tolist())


@pytest.mark.torch
def test_repeated_input_and_a_weight_used_as_an_input_match_torch(torch: Any) -> None:
    w = [[0.5, -0.8, 0.3], [0.9, 0.2, -0.6]]
    b = [0.1, -0.3]
    rows, biases, a = leaf_rows(w), leaves(b), Value(0.7)
    outs = AffineLayer(rows, biases, "tanh")([a, a, rows[1][2]])
    weighted(outs).backward()

    tw, tb, ta = tensor(torch, w), tensor(torch, b), tensor(torch, 0.7)
    tx = torch.stack([ta, ta, tw[1, 2]])
    ty = torch_layer(torch, tw, tb, tx, "tanh")
    (ty * torch.tensor(COEFFS[:2], dtype=torch.float64)).sum().backward()

    assert_close(grads(flat(rows)), tw.grad.flatten().tolist())
    assert_close(grads(biases), tb.grad.tolist())
    assert close(a.grad, ta.grad.item())


@pytest.mark.torch
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_one_layer_over_many_samples_with_mse_matches_torch(
    activation: str | None, torch: Any
) -> None:
    rng = np.random.default_rng(7)
    w, b = rng.uniform(-1, 1, (3, 4)), rng.uniform(-0.5, 0.5, 3)
    x = rng.uniform(-1.5, 1.5, (9, 4))
    assert np.abs(x @ w.T + b).min() > 0.02  # away from relu's kink
    targets = rng.uniform(-1, 1, (9, 3))
    rows, biases = leaf_rows(w.tolist()), leaves(b.tolist())
    layer = AffineLayer(rows, biases, activation)
    samples = [leaves(row) for row in x.tolist()]
    outs = [y for xs in samples for y in layer(xs)]
    loss = F.mse_loss(outs, targets.flatten().tolist())
    loss.backward()

    tw, tb, tx = tensor(torch, w), tensor(torch, b), tensor(torch, x)
    ty = torch_layer(torch, tw, tb, tx, activation)
    tloss = torch.nn.functional.mse_loss(ty, torch.tensor(targets))
    tloss.backward()

    assert close(loss.data, tloss.item())
    assert_close(grads(flat(rows)), tw.grad.flatten().tolist())
    assert_close(grads(biases), tb.grad.tolist())
    assert_close([v.grad for xs in samples for v in xs], tx.grad.flatten().tolist())


# -- the fast backward() against the per-edge path and the fine graph ----------------------


def _two_layer_graph(activation: str | None) -> tuple[Value, list[Value], list[Value]]:
    """A loss over 4 samples through two layers, L2 on the weights: (root, leaves, interior
    nodes) built from the same numbers on every call."""
    rng = np.random.default_rng(11)
    w1, b1 = rng.uniform(-1, 1, (3, 2)).tolist(), rng.uniform(-0.5, 0.5, 3).tolist()
    w2, b2 = rng.uniform(-1, 1, (2, 3)).tolist(), rng.uniform(-0.5, 0.5, 2).tolist()
    rows1, biases1, rows2, biases2 = leaf_rows(w1), leaves(b1), leaf_rows(w2), leaves(b2)
    first, second = AffineLayer(rows1, biases1, activation), AffineLayer(rows2, biases2, None)
    xs = [leaves(row) for row in rng.uniform(-1.5, 1.5, (4, 2)).tolist()]
    interior: list[Value] = []
    terms = []
    for sample in xs:
        inputs = [sample[0] * sample[1], sample[1]]
        h = first(inputs)
        y = second(h)
        interior += [inputs[0], *h, *y]
        terms.append((y[0] - 0.5) ** 2 + y[1].tanh())
    root = autograd.mean(terms) + 0.01 * autograd.sum([v * v for v in flat(rows1)])
    all_leaves = [*flat(rows1), *biases1, *flat(rows2), *biases2, *(v for s in xs for v in s)]
    return root, all_leaves, interior


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_fast_backward_matches_backward_steps(activation: str | None) -> None:
    root, leaves_fast, interior_fast = _two_layer_graph(activation)
    root.backward()
    root_steps, leaves_steps, interior_steps = _two_layer_graph(activation)
    steps = list(root_steps.backward_steps())
    assert steps  # the per-edge path really ran
    assert all(step.node.__class__ is Value for step in steps)
    assert_close(grads(leaves_fast), grads(leaves_steps))
    assert_close(grads(interior_fast), grads(interior_steps))
    assert any(g != 0.0 for g in grads(leaves_fast))


def _samples(n: int, features: int, seed: int) -> tuple[list[list[float]], list[float]]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, (n, features)).tolist()
    labels = [1.0 if v > 0 else -1.0 for v in rng.uniform(-1, 1, n)]
    return x, labels


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("loss_name", ["hinge", "mse"])
def test_mlp_compact_matches_fine(activation: str, loss_name: str) -> None:
    state = MLP(3, [5, 4, 1], activation=activation, seed=3).state_dict()  # type: ignore[arg-type]
    x, labels = _samples(10, 3, seed=4)
    results = []
    for graph in ("compact", "fine"):
        model = MLP(3, [5, 4, 1], activation=activation, init=state, graph=graph)  # type: ignore[arg-type]
        scores = [model(row) for row in x]
        loss = F.hinge_loss(scores, labels) if loss_name == "hinge" else F.mse_loss(scores, labels)
        loss.backward()
        ops = {node.op or "" for node in topological_order(loss)}
        results.append((loss.data, grads(model.parameters()), ops))
    (compact_loss, compact_grads, compact_ops), (fine_loss, fine_grads, fine_ops) = results
    assert f"affine_{activation}" in compact_ops and "affine" in compact_ops
    assert not any(op.startswith("affine") for op in fine_ops)
    assert close(compact_loss, fine_loss)
    assert_close(compact_grads, fine_grads)
    assert any(g != 0.0 for g in fine_grads)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("bias", [True, False])
def test_linear_compact_matches_fine(activation: str | None, bias: bool) -> None:
    rng = np.random.default_rng(21)
    init: dict[str, object] = {"weight": rng.uniform(-1, 1, (3, 4))}
    if bias:
        init["bias"] = rng.uniform(-0.5, 0.5, 3)
    x, _ = _samples(6, 4, seed=22)
    results = []
    for graph in ("compact", "fine"):
        model = Linear(4, 3, bias=bias, init=init, graph=graph)
        outs = [y for row in x for y in model.forward_with(row, activation)]  # type: ignore[arg-type]
        loss = weighted(outs[:8]) + autograd.sum(outs[8:]) ** 2
        loss.backward()
        results.append((loss.data, grads(model.parameters())))
    assert close(results[0][0], results[1][0])
    assert_close(results[0][1], results[1][1])
    assert any(g != 0.0 for g in results[1][1])


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", None])
def test_micrograd_layer_and_neuron_compact_match_fine(activation: str | None) -> None:
    x, _ = _samples(5, 4, seed=31)
    results = []
    for graph in ("compact", "fine"):
        layer = Layer(4, 3, activation=activation, seed=9, graph=graph)  # type: ignore[arg-type]
        neuron = Neuron(4, activation=activation, seed=10, graph=graph)  # type: ignore[arg-type]
        outs = [y for row in x for y in layer(row)]
        singles = [neuron(row) for row in x]
        loss = weighted(outs[:8]) + autograd.sum(outs[8:]) + weighted(singles)
        loss.backward()
        state = [*layer.state_dict().values(), *neuron.state_dict().values()]
        results.append((loss.data, grads([*layer.parameters(), *neuron.parameters()]), state))
    assert all(np.array_equal(a, b) for a, b in zip(results[0][2], results[1][2], strict=True))
    assert close(results[0][0], results[1][0])
    assert_close(results[0][1], results[1][1])
    assert any(g != 0.0 for g in results[1][1])


def test_mlp_fuses_its_hidden_activation_into_the_neurons() -> None:
    model = MLP(2, [3, 3, 2], activation="sigmoid", seed=0)
    outs = model([0.5, -0.25])
    assert isinstance(outs, list)
    ops = [node.op for node in topological_order(autograd.sum(outs))]
    assert ops == ["sum", "affine", "affine", *["affine_sigmoid"] * 6]


# -- repeated passes, stale data, no_grad -------------------------------------------------


def test_backward_twice_doubles_leaves_exactly_and_recomputes_interior_nodes() -> None:
    w, b, x = problem(3, 2, seed=41)
    rows, biases, a = leaf_rows(w), leaves(b), leaves(x)
    squared = a[0] * a[0]
    outs = AffineLayer(rows, biases, "tanh")([squared, a[1]])
    loss = weighted(outs) + 0.1 * autograd.sum([v * v for v in flat(rows)])
    all_leaves = [*flat(rows), *biases, *a]
    loss.backward()
    first_leaves, first_outs, first_squared = grads(all_leaves), grads(outs), squared.grad
    assert all(g != 0.0 for g in first_outs)
    loss.backward()
    assert grads(all_leaves) == [2.0 * g for g in first_leaves]
    assert grads(outs) == first_outs
    assert squared.grad == first_squared


@pytest.mark.parametrize("which", ["weight", "bias", "input"])
@pytest.mark.parametrize("root_is_output", [True, False])
def test_assigning_data_after_the_forward_makes_backward_raise_naming_the_op(
    which: str, root_is_output: bool
) -> None:
    w, b, x = problem(2, 3, seed=43)
    rows, biases, xs = leaf_rows(w), leaves(b), leaves(x)
    outs = AffineLayer(rows, biases, "tanh")(xs)
    root = outs[0] if root_is_output else weighted(outs)
    target = {"weight": rows[0][1], "bias": biases[0], "input": xs[2]}[which]
    target.data = target.data + 0.25
    assert_named_error(root.backward, RuntimeError, r"'affine_tanh'")
    assert all(g == 0.0 for g in grads([*flat(rows), *biases, *xs]))


@pytest.mark.torch
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_a_new_forward_after_an_update_uses_the_new_data(
    activation: str | None, torch: Any
) -> None:
    w, b, x = problem(3, 3, seed=45, margin=0.3)
    rows, biases = leaf_rows(w), leaves(b)
    params = [*flat(rows), *biases]
    layer = AffineLayer(rows, biases, activation)
    weighted(layer(leaves(x))).backward()
    for p in params:  # an SGD step, as an optimizer takes it
        p.data = p.data - 0.05 * p.grad
        p.grad = 0.0
    w_new = [[v.data for v in row] for row in rows]
    b_new = [v.data for v in biases]
    assert w_new != w  # the step changed something
    xs = leaves(x)
    outs = layer(xs)
    weighted(outs).backward()

    tw, tb, tx = tensor(torch, w_new), tensor(torch, b_new), tensor(torch, x)
    assert torch.nn.functional.linear(tx, tw, tb).abs().min().item() > 0.05
    ty = torch_layer(torch, tw, tb, tx, activation)
    (ty * torch.tensor(COEFFS[:3], dtype=torch.float64)).sum().backward()
    assert_close([o.data for o in outs], ty.tolist())
    assert_close(grads(flat(rows)), tw.grad.flatten().tolist())
    assert_close(grads(biases), tb.grad.tolist())
    assert_close(grads(xs), tx.grad.tolist())


def test_linear_after_an_optimizer_step_matches_a_fresh_fine_linear() -> None:
    rng = np.random.default_rng(47)
    init = {"weight": rng.uniform(-1, 1, (2, 3)), "bias": rng.uniform(-0.5, 0.5, 2)}
    model = Linear(3, 2, init=init)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    x, _ = _samples(4, 3, seed=48)
    for _ in range(3):
        optimizer.zero_grad()
        loss = autograd.sum([weighted(model.forward_with(row, "tanh")) for row in x])
        loss.backward()
        optimizer.step()
    optimizer.zero_grad()
    loss = autograd.sum([weighted(model.forward_with(row, "tanh")) for row in x])
    loss.backward()
    reference = Linear(3, 2, init=model.state_dict(), graph="fine")
    expected = autograd.sum([weighted(reference.forward_with(row, "tanh")) for row in x])
    expected.backward()
    assert not np.array_equal(model.state_dict()["weight"], init["weight"])
    assert close(loss.data, expected.data)
    assert_close(grads(model.parameters()), grads(reference.parameters()))


def test_a_graph_mixing_outputs_from_before_and_after_an_update_raises() -> None:
    rows, biases = leaf_rows([[0.5, -0.4], [0.3, 0.8]]), leaves([0.1, -0.2])
    layer = AffineLayer(rows, biases, "sigmoid")
    old = layer([0.6, 0.9])
    rows[1][0].data = 0.35
    new = layer([0.6, 0.9])
    assert new[1].data != old[1].data and new[0].data == old[0].data
    assert_named_error((old[1] + new[0]).backward, RuntimeError, r"'affine_sigmoid'")
    (old[0] + new[1]).backward()  # old[0] does not read the changed weight: not stale
    assert rows[1][0].grad != 0.0 and rows[0][0].grad != 0.0


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_under_no_grad_outputs_are_leaves_with_the_right_values(activation: str | None) -> None:
    w, b, x = problem(3, 2, seed=49)
    rows, biases, xs = leaf_rows(w), leaves(b), leaves(x)
    layer = AffineLayer(rows, biases, activation)
    with no_grad():
        outs = layer(xs)
    for j, out in enumerate(outs):
        z = sum(wi * xi for wi, xi in zip(w[j], x, strict=True)) + b[j]
        assert out.is_leaf and out.parents == () and out.op is None
        assert close(out.data, act(activation, z))
    with pytest.raises(RuntimeError, match="computed under no_grad"):  # as PyTorch raises
        outs[0].backward()
    assert all(g == 0.0 for g in grads([*flat(rows), *biases, *xs]))
    assert not layer(xs)[0].is_leaf  # recording is back on afterwards


# -- zero gradients and partial use -------------------------------------------------------


@pytest.mark.torch
def test_outputs_multiplied_by_zero_contribute_nothing_and_match_torch(torch: Any) -> None:
    w, b, x = problem(3, 2, seed=51)
    rows, biases = leaf_rows(w), leaves(b)
    layer = AffineLayer(rows, biases, "tanh")
    dead, live = leaves(x), leaves([v * 0.5 for v in x])
    loss = weighted(layer(dead)) * 0.0 + weighted(layer(live))
    loss.backward()
    assert grads(dead) == [0.0, 0.0]

    tw, tb = tensor(torch, w), tensor(torch, b)
    tdead, tlive = tensor(torch, x), tensor(torch, [v * 0.5 for v in x])
    c = torch.tensor(COEFFS[:3], dtype=torch.float64)
    tloss = (torch_layer(torch, tw, tb, tdead, "tanh") * c).sum() * 0.0 + (
        torch_layer(torch, tw, tb, tlive, "tanh") * c
    ).sum()
    tloss.backward()
    assert_close(grads(flat(rows)), tw.grad.flatten().tolist())
    assert_close(grads(biases), tb.grad.tolist())
    assert_close(grads(live), tlive.grad.tolist())


@pytest.mark.torch
def test_hinge_with_samples_past_the_margin_and_dead_relus_matches_torch(torch: Any) -> None:
    w1 = [[1.2, -0.7], [-0.9, 1.1], [0.6, 0.8], [-1.0, -0.5]]
    b1 = [0.15, -0.1, 0.05, 0.2]
    w2 = [[1.3, -1.1, 0.9, -0.8]]
    b2 = [0.05]
    x, labels = _samples(12, 2, seed=54)
    x.append([-0.8, -0.9])  # a sample that kills some relus
    labels.append(1.0)
    rows1, biases1, rows2, biases2 = leaf_rows(w1), leaves(b1), leaf_rows(w2), leaves(b2)
    hidden, out = AffineLayer(rows1, biases1, "relu"), AffineLayer(rows2, biases2, None)
    samples = [leaves(row) for row in x]
    scores = [out(hidden(xs))[0] for xs in samples]
    loss = F.hinge_loss(scores, labels)
    loss.backward()

    tw1, tb1, tw2, tb2, tx = (tensor(torch, v) for v in (w1, b1, w2, b2, x))
    tz1 = torch.nn.functional.linear(tx, tw1, tb1)
    assert tz1.abs().min().item() > 0.02  # away from relu's kink
    assert (tz1 < 0).any().item()  # some relus are dead
    ts = torch.nn.functional.linear(torch.relu(tz1), tw2, tb2).squeeze(1)
    margins = 1.0 - torch.tensor(labels, dtype=torch.float64) * ts
    assert margins.abs().min().item() > 0.02  # away from the hinge's kink
    past = int((margins < 0).sum().item())
    assert 2 <= past <= len(x) - 2  # some samples send back zero gradient, some do not
    tloss = torch.relu(margins).mean()
    tloss.backward()

    assert close(loss.data, tloss.item())
    assert_close(grads(flat(rows1)), tw1.grad.flatten().tolist())
    assert_close(grads(biases1), tb1.grad.tolist())
    assert_close(grads(flat(rows2)), tw2.grad.flatten().tolist())
    assert_close(grads(biases2), tb2.grad.tolist())
    assert_close([v.grad for xs in samples for v in xs], tx.grad.flatten().tolist())


def test_a_call_whose_relus_are_all_dead_gives_its_inputs_zero() -> None:
    rows, biases = leaf_rows([[1.0, 0.5], [0.5, 1.0]]), leaves([0.1, 0.2])
    layer = AffineLayer(rows, biases, "relu")
    dead, live = leaves([-1.0, -2.0]), leaves([1.0, 2.0])
    loss = weighted(layer(dead)) + weighted(layer(live))
    loss.backward()
    assert grads(dead) == [0.0, 0.0]
    # live: both relus active, so ∂/∂w_ji = c_j x_i, ∂/∂b_j = c_j, ∂/∂x_i = Σ_j c_j w_ji
    assert grads(flat(rows)) == [1.0, 2.0, -1.5, -3.0]
    assert grads(biases) == [1.0, -1.5]
    assert grads(live) == [1.0 - 0.75, 0.5 - 1.5]


@pytest.mark.torch
def test_using_only_some_outputs_then_all_of_them_in_a_new_graph_matches_torch(torch: Any) -> None:
    w, b, x = problem(3, 2, seed=55)
    rows, biases = leaf_rows(w), leaves(b)
    params = [*flat(rows), *biases]
    layer = AffineLayer(rows, biases, "tanh")
    layer(leaves(x))[0].backward()
    assert grads(flat(rows[1:])) == [0.0] * 4 and grads(biases[1:]) == [0.0, 0.0]
    first = grads(params)
    for p in params:
        p.grad = 0.0
    weighted(layer(leaves(x))).backward()
    second = grads(params)

    tw, tb, tx = tensor(torch, w), tensor(torch, b), tensor(torch, x)
    torch_layer(torch, tw, tb, tx, "tanh")[0].backward()
    assert_close(first, [*tw.grad.flatten().tolist(), *tb.grad.tolist()])
    tw.grad, tb.grad = None, None
    ty = torch_layer(torch, tw, tb, tx, "tanh")
    (ty * torch.tensor(COEFFS[:3], dtype=torch.float64)).sum().backward()
    assert_close(second, [*tw.grad.flatten().tolist(), *tb.grad.tolist()])


@pytest.mark.torch
def test_a_second_root_over_the_same_call_does_not_reuse_the_first_passes_gradients(
    torch: Any,
) -> None:
    w, b, x = problem(3, 2, seed=57)
    rows, biases, xs = leaf_rows(w), leaves(b), leaves(x)
    all_leaves = [*flat(rows), *biases, *xs]
    outs = AffineLayer(rows, biases, "sigmoid")(xs)
    weighted(outs).backward()
    for v in all_leaves:
        v.grad = 0.0
    (outs[1] * 3.0).backward()  # the same call; neurons 0 and 2 are not in this graph

    tw, tb, tx = tensor(torch, w), tensor(torch, b), tensor(torch, x)
    (torch_layer(torch, tw, tb, tx, "sigmoid")[1] * 3.0).backward()
    assert_close(grads(all_leaves), [*tw.grad.flatten().tolist(), *tb.grad.tolist(), *tx.grad])
    assert grads(rows[0]) == [0.0, 0.0] and grads(rows[2]) == [0.0, 0.0]


# -- bad input ------------------------------------------------------------------------------


def test_wrong_number_of_inputs_names_affine() -> None:
    layer = AffineLayer(leaf_rows([[1.0, 2.0]]), None, "relu")
    assert_named_error(lambda: layer([1.0]), ValueError, r"affine.*expected 2 inputs, got 1")
    assert_named_error(lambda: layer([1.0, 2.0, 3.0]), ValueError, r"affine")


@pytest.mark.parametrize(
    "make",
    [
        lambda: AffineLayer([[Value(1.0) * 2.0]]),
        lambda: AffineLayer([[Value(1.0), 2.0]]),  # type: ignore[list-item]
        lambda: AffineLayer([[Value(1.0)]], [Value(1.0).tanh()]),
        lambda: AffineLayer([[Value(1.0)]], [0.5]),  # type: ignore[list-item]
    ],
    ids=["non-leaf weight", "number weight", "non-leaf bias", "number bias"],
)
def test_weights_and_biases_must_be_leaf_values(make: Callable[[], object]) -> None:
    assert_named_error(make, TypeError, r"AffineLayer")


@pytest.mark.parametrize(
    "make",
    [
        lambda: AffineLayer([[Value(1.0), Value(2.0)], [Value(3.0)]]),
        lambda: AffineLayer([[Value(1.0)], [Value(2.0)]], [Value(0.0)]),
        lambda: AffineLayer([]),
        lambda: AffineLayer([[]]),
        lambda: AffineLayer([[Value(1.0)]], None, "softmax"),
        lambda: AffineLayer([[Value(1.0)]], None, "Relu"),
    ],
    ids=["ragged rows", "bias count", "no rows", "empty row", "unknown activation", "case"],
)
def test_bad_shapes_and_activations_are_value_errors_naming_affine_layer(
    make: Callable[[], object],
) -> None:
    assert_named_error(make, ValueError, r"AffineLayer")


@pytest.mark.parametrize(
    ("bad", "error"),
    [("a", TypeError), (None, TypeError), (True, TypeError), (float("nan"), ValueError)],
)
def test_bad_inputs_name_the_op(bad: object, error: type[Exception]) -> None:
    layer = AffineLayer(leaf_rows([[1.0, 2.0]]), None, "relu")
    assert_named_error(lambda: layer([Value(1.0), bad]), error, r"affine_relu")  # type: ignore[list-item]


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize(
    ("w", "x"),
    [([1e200, 1e200], [1e200, 1.0]), ([1e200, -1e200], [1e200, 1e200])],
    ids=["inf", "inf - inf"],
)
def test_forward_overflow_names_the_op(
    activation: str | None, w: list[float], x: list[float]
) -> None:
    layer = AffineLayer([leaves(w)], None, activation)
    assert_named_error(lambda: layer(leaves(x)), OverflowError, re.escape(OP_NAMES[activation]))


def test_backward_overflow_raises_and_leaves_gradients_as_they_were() -> None:
    rows = leaf_rows([[1e308], [1e308]])
    x = Value(0.5)
    layer = AffineLayer(rows, None, None)
    loss = autograd.sum(layer([x]))  # ∂/∂x = 2e308: not a float
    assert_named_error(loss.backward, OverflowError, r"backward")
    assert grads([*flat(rows), x]) == [0.0, 0.0, 0.0]
    assert autograd.fast.layer.PENDING == []


def test_in_anomaly_mode_a_backward_overflow_names_the_affine_node() -> None:
    rows = leaf_rows([[1e308], [1e308]])
    x = Value(0.5)
    with autograd.detect_anomaly():
        loss = autograd.sum(AffineLayer(rows, None, None)([x]))
        assert_named_error(loss.backward, OverflowError, r"'affine'")


@pytest.mark.torch
def test_a_pass_that_fails_after_a_layer_leaves_nothing_pending_for_the_next(torch: Any) -> None:
    w, b = [[0.5, -0.8], [0.9, 0.3]], [0.1, -0.2]
    rows, biases = leaf_rows(w), leaves(b)
    layer = AffineLayer(rows, biases, "tanh")
    at_zero = Value(0.0).sqrt()  # its derivative is infinite: raises after the layer's turn
    failing = weighted(layer([at_zero, Value(0.7)]))
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        failing.backward()
    assert all(g == 0.0 for g in grads([*flat(rows), *biases]))
    assert autograd.fast.layer.PENDING == []

    weighted(layer([0.4, 0.7])).backward()
    tw, tb = tensor(torch, w), tensor(torch, b)
    ty = torch_layer(torch, tw, tb, torch.tensor([0.4, 0.7], dtype=torch.float64), "tanh")
    (ty * torch.tensor(COEFFS[:2], dtype=torch.float64)).sum().backward()
    assert_close(grads(flat(rows)), tw.grad.flatten().tolist())
    assert_close(grads(biases), tb.grad.tolist())


# -- memory -------------------------------------------------------------------------------


def test_a_graph_through_a_layer_is_freed_by_reference_counting() -> None:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        rows = [[WeakValue(0.3), WeakValue(-0.6)], [WeakValue(0.8), WeakValue(0.1)]]
        layer = AffineLayer(rows, None, "tanh")

        def build_and_drop() -> list[weakref.ref[WeakValue]]:
            inputs = [[WeakValue(0.01 * i), WeakValue(-0.5)] for i in range(2_000)]
            loss = autograd.sum([y * y for xs in inputs for y in layer(xs)])
            loss.backward()
            assert inputs[5][0].grad != 0.0
            return [weakref.ref(v) for v in (inputs[0][0], inputs[999][1], inputs[-1][0])]

        build_and_drop()  # warm up Python's free lists, which keep freed tuples uncounted
        count_before = gc.get_count()[0]
        refs = build_and_drop()
        assert all(ref() is None for ref in refs)  # freed by reference counting alone
        assert gc.get_count()[0] - count_before < 100  # so was everything else
        assert rows[0][0].grad != 0.0  # while the layer's weights live on with it
    finally:
        if was_enabled:
            gc.enable()


def test_a_dropped_layer_frees_its_weights_without_cyclic_gc() -> None:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:

        def build_and_drop() -> weakref.ref[WeakValue]:
            weight = WeakValue(0.5)
            outs = AffineLayer([[weight]], None, "relu")([Value(2.0)])
            outs[0].backward()
            assert weight.grad == 2.0
            return weakref.ref(weight)

        ref = build_and_drop()
        assert ref() is None, "the AffineLayer (or something it holds) is in a reference cycle"
    finally:
        if was_enabled:
            gc.enable()


# -- hooks, anomaly mode, steps ----------------------------------------------------------


@pytest.mark.torch
def test_hook_on_an_output_sees_its_gradient_and_replaces_it_as_torch_does(torch: Any) -> None:
    w, b, x = problem(3, 2, seed=61)
    rows, biases, xs = leaf_rows(w), leaves(b), leaves(x)
    outs = AffineLayer(rows, biases, "tanh")(xs)
    seen: list[float] = []

    def double(grad: float) -> float:
        seen.append(grad)
        return 2.0 * grad

    outs[1].register_hook(double)
    (weighted(outs) + outs[1] * outs[0]).backward()

    tw, tb, tx = tensor(torch, w), tensor(torch, b), tensor(torch, x)
    ty = list(torch_layer(torch, tw, tb, tx, "tanh").unbind(0))
    tseen: list[float] = []

    def torch_double(grad: Any) -> Any:
        tseen.append(grad.item())
        return 2.0 * grad

    ty[1].register_hook(torch_double)
    c = COEFFS
    (c[0] * ty[0] + c[1] * ty[1] + c[2] * ty[2] + ty[1] * ty[0]).backward()

    assert len(seen) == len(tseen) == 1
    assert close(seen[0], tseen[0])
    assert close(outs[1].grad, 2.0 * seen[0])  # the replacement is the output's gradient
    assert_close(grads(flat(rows)), tw.grad.flatten().tolist())
    assert_close(grads(biases), tb.grad.tolist())
    assert_close(grads(xs), tx.grad.tolist())


@pytest.mark.torch
def test_hook_on_a_weight_sees_the_whole_pass_and_its_reply_is_added(torch: Any) -> None:
    w, b, x = problem(2, 3, seed=63)
    rows, biases, xs = leaf_rows(w), leaves(b), leaves(x)
    target = rows[0][1]
    target.grad = 0.5  # held from before: the hook sees only this pass's share
    seen: list[float] = []

    def triple(grad: float) -> float:
        seen.append(grad)
        return 3.0 * grad

    target.register_hook(triple)
    outs = AffineLayer(rows, biases, "sigmoid")(xs)
    (weighted(outs) + target * target).backward()  # the weight is also used outside the layer

    tw, tb, tx = tensor(torch, w), tensor(torch, b), tensor(torch, x)
    tseen: list[float] = []
    mask = torch.ones(2, 3, dtype=torch.float64)
    mask[0, 1] = 3.0

    def torch_triple(grad: Any) -> Any:
        tseen.append(grad[0, 1].item())
        return grad * mask

    tw.register_hook(torch_triple)
    ty = torch_layer(torch, tw, tb, tx, "sigmoid")
    ((ty * torch.tensor(COEFFS[:2], dtype=torch.float64)).sum() + tw[0, 1] ** 2).backward()

    assert len(seen) == len(tseen) == 1
    assert close(seen[0], tseen[0])
    expected = tw.grad.flatten().tolist()
    expected[1] += 0.5
    assert_close(grads(flat(rows)), expected)
    assert_close(grads(biases), tb.grad.tolist())
    assert_close(grads(xs), tx.grad.tolist())


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_anomaly_mode_gives_the_same_gradients(activation: str | None) -> None:
    plain_root, plain_leaves, plain_interior = _two_layer_graph(activation)
    plain_root.backward()
    with autograd.detect_anomaly():
        root, anomaly_leaves, interior = _two_layer_graph(activation)
        root.backward()
    assert_close(grads(anomaly_leaves), grads(plain_leaves))
    assert_close(grads(interior), grads(plain_interior))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_backward_steps_take_one_step_per_weight_input_and_bias(activation: str | None) -> None:
    w, b, x = problem(2, 3, seed=65)
    rows, biases, xs = leaf_rows(w), leaves(b), leaves(x)
    out = AffineLayer(rows, biases, activation)(xs)[1]
    steps = list(out.backward_steps())
    z = sum(wi * xi for wi, xi in zip(w[1], x, strict=True)) + b[1]
    slope = act_prime(activation, z)
    assert [s.position for s in steps] == list(range(2 * 3 + 1))
    assert all(s.node is out and s.upstream == 1.0 for s in steps)
    assert all(s.input is p for s, p in zip(steps, (*rows[1], *xs, biases[1]), strict=True))
    assert_close(
        [s.local for s in steps], [slope * v for v in x] + [slope * v for v in w[1]] + [slope]
    )
    assert_close(grads([*rows[1], *xs, biases[1]]), [s.local for s in steps])
    assert grads(rows[0]) == [0.0, 0.0, 0.0]


# -- drawing and ordering ----------------------------------------------------------------


def test_draw_shows_each_neuron_with_an_edge_from_each_weight_input_and_bias() -> None:
    n = 3
    rows, biases, xs = (
        leaf_rows([[0.5, -0.2, 0.3], [0.1, 0.4, -0.6]]),
        leaves([0.2, -0.1]),
        leaves([1.0, 2.0, -1.0]),
    )
    outs = AffineLayer(rows, biases, "tanh")(xs)
    root = outs[0] * outs[1]
    source = autograd.draw(root).source
    ids = node_names(root)
    for j, out in enumerate(outs):
        op_id = ids[id(out)] + "_op"
        sources = re.findall(rf"^\s*(\w+) -> {op_id}\b", source, flags=re.MULTILINE)
        assert len(sources) == 2 * n + 1
        assert sources == [ids[id(p)] for p in (*rows[j], *xs, biases[j])]
    values = 1 + 2 + 2 * n + 2 + n  # root, neurons, weights, biases, inputs
    assert source.count("shape=record") == values  # no hidden node among them
    assert source.count("shape=oval") == 3  # ops: mul and the two neurons
    assert len(re.findall(r"->", source)) == 3 + 2 + 2 * (2 * n + 1)
    assert "LayerCall" not in source


def test_topological_order_contains_only_values() -> None:
    w, b, x = problem(3, 2, seed=67)
    rows, biases, a = leaf_rows(w), leaves(b), leaves(x)
    h = AffineLayer(rows, biases, "relu")([a[0] * a[1], a[1]])
    root = weighted(AffineLayer(leaf_rows([[0.5, -1.0, 0.25]]), None, None)(h))
    order = topological_order(root)
    assert all(type(node) is Value for node in order)
    assert [node.op for node in order] == [
        "sum",
        "mul",
        "affine",
        "affine_relu",
        "affine_relu",
        "affine_relu",
        "mul",
    ]


# -- nn modules: replacing parameters -----------------------------------------------------


def test_weight_rows_are_tuples_that_cannot_be_edited() -> None:
    linear = Linear(2, 2)
    with pytest.raises(TypeError):
        linear.weight[0] = (Value(1.0), Value(2.0))  # type: ignore[index]
    with pytest.raises(TypeError):
        linear.weight[0][0] = Value(1.0)  # type: ignore[index]
    neuron = Neuron(2)
    with pytest.raises(TypeError):
        neuron.w[0] = Value(1.0)  # type: ignore[index]


@pytest.mark.torch
def test_replacing_linear_weight_and_bias_wholesale_is_used_by_the_next_forward(torch: Any) -> None:
    linear = Linear(2, 2, seed=0)
    old = linear.parameters()
    linear([0.5, -1.0])  # builds and caches the compact layer over the old Values
    w, b = [[0.7, -0.3], [0.2, 0.9]], [0.05, -0.1]
    linear.weight = tuple(tuple(Value(v) for v in row) for row in w)
    linear.bias = tuple(Value(v) for v in b)
    outs = linear.forward_with([0.5, -1.0], "tanh")
    assert all(p is q for p, q in zip(outs[0].parents, (*linear.weight[0],), strict=False))
    weighted(outs).backward()
    assert all(p.grad == 0.0 for p in old)

    tw, tb = tensor(torch, w), tensor(torch, b)
    ty = torch_layer(torch, tw, tb, torch.tensor([0.5, -1.0], dtype=torch.float64), "tanh")
    (ty * torch.tensor(COEFFS[:2], dtype=torch.float64)).sum().backward()
    assert_close(grads(flat(linear.weight)), tw.grad.flatten().tolist())
    assert_close(grads(linear.bias), tb.grad.tolist())


def test_replacing_a_neurons_weights_in_a_layer_is_used_by_the_next_forward() -> None:
    layer = Layer(2, 2, activation=None, seed=0)
    layer([0.5, -1.0])
    old = layer.neurons[1].w
    new = (Value(0.25), Value(-0.75))
    layer.neurons[1].w = new
    outs = layer([0.5, -1.0])
    assert isinstance(outs, list)
    assert close(outs[1].data, 0.25 * 0.5 + 0.75 + layer.neurons[1].b.data)
    outs[1].backward()
    assert grads(new) == [0.5, -1.0]
    assert grads(old) == [0.0, 0.0]


# -- scale ---------------------------------------------------------------------------------


def _rotation(theta: float) -> list[list[float]]:
    return [[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]]


def test_a_chain_of_2000_layers_backpropagates_without_recursion() -> None:
    depth = 2_000
    thetas = [0.001 * (k % 7) + 0.0005 for k in range(depth)]
    layers = [AffineLayer(leaf_rows(_rotation(t)), None, None) for t in thetas]
    x = leaves([0.3, -0.8])
    h: list[Value] = x
    for layer in layers:
        h = layer(h)
    c = np.array([0.7, -1.1])
    root = c[0] * h[0] + c[1] * h[1]
    root.backward()

    total = np.array(_rotation(sum(thetas)))  # rotations compose by adding angles
    assert_close([v.data for v in h], (total @ np.array([0.3, -0.8])).tolist(), rel=1e-10)
    assert_close(grads(x), (total.T @ c).tolist(), rel=1e-10)
    rest = np.array(_rotation(sum(thetas[1:])))
    first_weights = np.outer(rest.T @ c, [0.3, -0.8])  # ∂L/∂W₁ = (R_restᵀ c) xᵀ
    assert_close(grads(flat(layers[0].weights)), first_weights.flatten().tolist(), rel=1e-10)


def test_one_layer_called_2000_times_in_a_chain_sums_its_weight_gradients() -> None:
    rows, biases = leaf_rows([[0.6, -0.8], [0.8, 0.6]]), leaves([0.01, -0.02])
    layer = AffineLayer(rows, biases, None)
    x = leaves([0.3, -0.8])
    h: list[Value] = x
    for _ in range(2_000):
        h = layer(h)
    root = 0.7 * h[0] - 1.1 * h[1]
    root.backward()

    w, b = np.array([[0.6, -0.8], [0.8, 0.6]]), np.array([0.01, -0.02])
    states = [np.array([0.3, -0.8])]
    for _ in range(2_000):
        states.append(w @ states[-1] + b)
    delta = np.array([0.7, -1.1])
    grad_w, grad_b = np.zeros((2, 2)), np.zeros(2)
    for k in range(2_000, 0, -1):  # call k maps states[k-1] to states[k]
        grad_w += np.outer(delta, states[k - 1])
        grad_b += delta
        delta = w.T @ delta
    assert_close([v.data for v in h], states[-1].tolist(), rel=1e-10)
    assert_close(grads(flat(rows)), grad_w.flatten().tolist(), rel=1e-10)
    assert_close(grads(biases), grad_b.tolist(), rel=1e-10)
    assert_close(grads(x), delta.tolist(), rel=1e-10)


def test_20000_samples_through_an_mlp_match_numpy() -> None:
    model = MLP(2, [8, 8, 1], activation="tanh", seed=71)
    rng = np.random.default_rng(72)
    x = rng.uniform(-2.0, 2.0, (20_000, 2))
    t = np.sin(x[:, 0]) * x[:, 1]
    loss = F.mse_loss([model(row) for row in x], t)
    loss.backward()

    (w1, b1), (w2, b2), (w3, b3) = (
        (
            np.array([[v.data for v in row] for row in layer.weight]),
            np.array([v.data for v in layer.bias or ()]),
        )
        for layer in model.layers
    )
    h1 = np.tanh(x @ w1.T + b1)
    h2 = np.tanh(h1 @ w2.T + b2)
    s = (h2 @ w3.T + b3)[:, 0]
    d3 = (2.0 * (s - t) / len(t))[:, None]
    d2 = (d3 @ w3) * (1.0 - h2**2)
    d1 = (d2 @ w2) * (1.0 - h1**2)
    expected = [d1.T @ x, d1.sum(0), d2.T @ h1, d2.sum(0), d3.T @ h2, d3.sum(0)]

    assert close(loss.data, float(np.mean((s - t) ** 2)), rel=1e-10)
    got = [
        np.array(grads(values))
        for layer in model.layers
        for values in (flat(layer.weight), list(layer.bias or ()))
    ]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e.flatten(), rtol=1e-9, atol=1e-13)


def test_weights_replaced_inside_a_list_are_used_by_the_next_forward() -> None:
    # A user may give Linear lists instead of its tuples; an edit inside them must count.
    linear = nn.Linear(2, 1, init={"weight": [[0.5, -1.0]], "bias": [0.25]})
    linear.weight = [[Value(0.5), Value(-1.0)]]  # type: ignore[assignment]
    out = linear([1.0, 2.0])
    assert isinstance(out, Value) and out.data == 0.5 - 2.0 + 0.25
    replacement = Value(3.0)
    linear.weight[0][1] = replacement  # type: ignore[index]
    out = linear([1.0, 2.0])
    assert isinstance(out, Value) and out.data == 0.5 + 6.0 + 0.25
    out.backward()
    assert replacement.grad == 2.0


# -- the layer-wide forms of the activations, pinned to the core ops -----------------------
# Values bit for bit, signed zeros included; δ = g·act' equal as numbers (relu's
# written-out form gives +0.0 where g·0.0 gives -0.0).

EDGES = [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1.0, -1.0, 1e300, -1e300, 709.0, -745.0]
floats = st.floats(allow_nan=False, allow_infinity=False)


def bits(xs: list[float]) -> list[str]:
    return [x.hex() for x in xs]


@given(st.lists(floats, max_size=40))
def test_relu_values_are_relu_forward(z: list[float]) -> None:
    z = z + EDGES
    assert bits(fast_layer._relu_values(z)) == bits([ops.RELU.forward(v) for v in z])


@given(st.lists(st.tuples(floats, floats), max_size=40))
def test_relu_deltas_are_upstream_times_relu_slope(pairs: list[tuple[float, float]]) -> None:
    pairs = pairs + [(g, y) for g in (1.0, -2.5, 0.0, -0.0) for y in EDGES]
    grads = [g for g, _ in pairs]
    ys = [ops.RELU.forward(y) for _, y in pairs]  # outputs of relu
    expected = [g * ops.RELU.slope(y) for g, y in zip(grads, ys, strict=True)]
    # relu' is 0 or 1, so g·relu' is g or a zero: the written-out form gives g bit for bit
    # where relu' = 1, and +0.0 where it is 0 (g·0.0 is -0.0 for a negative g).
    got = fast_layer._relu_deltas(grads, ys)
    assert got == expected
    for a, b, y in zip(got, expected, ys, strict=True):
        assert a.hex() == (b.hex() if y > 0.0 else "0x0.0p+0")


@given(st.lists(st.floats(-50.0, 50.0), min_size=1, max_size=20))
def test_every_activation_over_a_layer_is_its_op(z: list[float]) -> None:
    for activation in (ops.RELU, ops.TANH, ops.SIGMOID):
        layer_values, layer_deltas = fast_layer._layer_forms(activation)
        values = layer_values(z)
        assert values == [activation.forward(v) for v in z]
        grads = [0.5 * i - 3.0 for i in range(len(z))]
        deltas = layer_deltas(grads, values)
        assert deltas == [g * activation.slope(y) for g, y in zip(grads, values, strict=True)]
    assert fast_layer._layer_forms(None)[0](z) == z
