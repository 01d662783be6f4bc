"""``AffineLayer.hidden``: a layer's outputs passed to the next layer without a Value per
neuron until something walks the graph Value by Value (``parents``, ``backward_steps()``,
``topological_order()``, hooks, anomaly mode, drawing).

Values and gradients are checked against PyTorch in float64, numpy and central
differences (``gradcheck``), never against the code under test; the hidden neurons'
gradients after materialisation against PyTorch's ``retain_grad()``. Sample points keep
every relu input away from its kink at 0.
"""

from __future__ import annotations

import gc
import itertools
import math
import re
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import autograd
import autograd.backprop
import autograd.fast.layer
import autograd.hooks
import nn
from autograd import AffineLayer, Value, gradcheck, no_grad, topological_order
from autograd.drawing import node_names
from autograd.fast.layer import LayerCall
from nn import MLP
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

# The Python engine's optimisation; the compiled engine replaces it (see tests/conftest.py).
pytestmark = pytest.mark.python_engine

SYMBOLS: dict[str | None, str] = {
    "relu": "relu(w·x+b)",
    "tanh": "tanh(w·x+b)",
    "sigmoid": "sigmoid(w·x+b)",
    None: "w·x+b",
}
SIZES = (3, 4, 3, 2)  # inputs, first hidden layer, second hidden layer, outputs


# -- helpers -------------------------------------------------------------------------------


def np_act(name: str | None, z: np.ndarray) -> np.ndarray:
    if name == "relu":
        return np.asarray(np.maximum(z, 0.0))
    if name == "tanh":
        return np.asarray(np.tanh(z))
    if name == "sigmoid":
        return np.asarray(1.0 / (1.0 + np.exp(-z)))
    return z


Params = list[tuple[np.ndarray, np.ndarray]]


def numpy_forward(
    params: Params, acts: Sequence[str | None], bias: bool, x: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Pre-activations and activations of every layer, samples as rows."""
    zs, hs = [], []
    h = x
    for (w, b), name in zip(params, acts, strict=True):
        z = h @ w.T + (b if bias else 0.0)
        h = np_act(name, z)
        zs.append(z)
        hs.append(h)
    return zs, hs


def problem(
    acts: Sequence[str | None], samples: int, seed: int, margin: float = 0.05
) -> tuple[Params, np.ndarray]:
    """Weights and biases for ``SIZES`` and ``samples`` input rows with every relu input at
    least ``margin`` from 0, with or without the biases, and some relu of each layer live."""
    rng = np.random.default_rng(seed)
    while True:
        params = [
            (rng.uniform(-1.0, 1.0, (m, n)), rng.uniform(-0.5, 0.5, m))
            for n, m in itertools.pairwise(SIZES)
        ]
        x = rng.uniform(-1.5, 1.5, (samples, SIZES[0]))
        good = True
        for bias in (True, False):
            zs, _ = numpy_forward(params, acts, bias, x)
            for z, name in zip(zs, acts, strict=True):
                if name == "relu" and (np.abs(z).min() < margin or z.max() <= 0.0):
                    good = False
        if good:
            return params, x


@dataclass
class Chain:
    """``layer3(layer2.hidden(layer1.hidden(x)))`` for each sample, from leaves."""

    rows: list[list[list[Value]]]
    biases: list[list[Value] | None]
    layers: list[AffineLayer]
    inputs: list[list[Value]]
    outputs: list[list[Value]]

    def parameters(self) -> list[Value]:
        """Layer by layer: weights row by row, then biases (torch's flattening order)."""
        return [p for layer in self.layers for p in layer.parameters()]

    def loss(self) -> Value:
        """Σ cₛⱼ yₛⱼ + ½ Σ yₛⱼ² over samples s and outputs j."""
        ys = [y for out in self.outputs for y in out]
        terms = [COEFFS[k % len(COEFFS)] * y + 0.5 * (y * y) for k, y in enumerate(ys)]
        return autograd.sum(terms)


def build_chain(params: Params, acts: Sequence[str | None], bias: bool, x: np.ndarray) -> Chain:
    rows = [leaf_rows(w.tolist()) for w, _ in params]
    biases = [leaves(b.tolist()) if bias else None for _, b in params]
    layers = [AffineLayer(r, b, a) for r, b, a in zip(rows, biases, acts, strict=True)]
    inputs = [leaves(row) for row in x.tolist()]
    first, second, third = layers
    outputs = [third(second.hidden(first.hidden(xs))) for xs in inputs]
    return Chain(rows, biases, layers, inputs, outputs)


@dataclass
class TorchChain:
    weights: list[Any]
    biases: list[Any]
    x: Any
    hidden: list[Any]  # the two hidden layers' activations, with retain_grad()
    y: Any
    loss: Any

    def parameter_grads(self) -> list[float]:
        out: list[float] = []
        for w, b in zip(self.weights, self.biases, strict=True):
            out += w.grad.flatten().tolist()
            if b is not None:
                out += b.grad.tolist()
        return out


def torch_layers(
    torch: Any, params: Params, acts: Sequence[str | None], bias: bool, x: np.ndarray
) -> tuple[list[Any], list[Any], Any, list[Any], Any]:
    """The three layers in torch, float64: (weights, biases, inputs, the two hidden layers'
    outputs, which keep their gradients, and the output)."""
    weights = [tensor(torch, w) for w, _ in params]
    biases = [tensor(torch, b) if bias else None for _, b in params]
    tx = tensor(torch, x)
    h = tx
    hidden = []
    for k, (w, b, name) in enumerate(zip(weights, biases, acts, strict=True)):
        h = torch_act(torch, name)(torch.nn.functional.linear(h, w, b))
        if k < 2:
            h.retain_grad()
            hidden.append(h)
    return weights, biases, tx, hidden, h


def torch_chain(
    torch: Any, params: Params, acts: Sequence[str | None], bias: bool, x: np.ndarray
) -> TorchChain:
    """The same computation in torch, float64, backward done."""
    weights, biases, tx, hidden, h = torch_layers(torch, params, acts, bias, x)
    ys = h.flatten()
    c = torch.tensor([COEFFS[k % len(COEFFS)] for k in range(ys.numel())], dtype=torch.float64)
    loss = (c * ys + 0.5 * ys * ys).sum()
    loss.backward()
    return TorchChain(weights, biases, tx, hidden, h, loss)


def inputs_of(neuron: Value, n: int) -> tuple[Value, ...]:
    """The n inputs among a neuron's parents (wⱼ₁ … wⱼₙ, x₁ … xₙ, bⱼ)."""
    return neuron.parents[n : 2 * n]


def hidden_neurons(chain: Chain, sample: int) -> tuple[tuple[Value, ...], tuple[Value, ...]]:
    """The first and second hidden layer's neurons of one sample, made Values by asking."""
    second = inputs_of(chain.outputs[sample][0], SIZES[2])
    first = inputs_of(second[0], SIZES[1])
    return first, second


def is_deferred(neuron: Value) -> bool:
    """Whether the layer call a neuron hangs from reads a previous call not yet Values."""
    call: Any = neuron._a
    return call.__class__ is LayerCall and len(call._a) == 1 and call._a[0].__class__ is LayerCall


# -- 1. values and gradients against torch -------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("act3", ACTIVATIONS)
@pytest.mark.parametrize("act2", ACTIVATIONS)
@pytest.mark.parametrize("act1", ACTIVATIONS)
def test_three_layers_through_hidden_match_torch(
    act1: str | None, act2: str | None, act3: str | None, bias: bool, torch: Any
) -> None:
    acts = (act1, act2, act3)
    params, x = problem(acts, samples=3, seed=1)
    chain = build_chain(params, acts, bias, x)
    assert all(is_deferred(out[0]) for out in chain.outputs)
    loss = chain.loss()
    loss.backward()

    t = torch_chain(torch, params, acts, bias, x)
    assert close(loss.data, t.loss.item())
    assert_close([y.data for out in chain.outputs for y in out], t.y.flatten().tolist())
    assert_close(grads(chain.parameters()), t.parameter_grads())
    assert_close([v.grad for xs in chain.inputs for v in xs], t.x.grad.flatten().tolist())
    assert any(g != 0.0 for g in grads(flat(chain.rows[0])))  # the first layer learns


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_three_layers_through_hidden_pass_gradcheck(activation: str) -> None:
    params, x = problem((activation, activation, None), samples=1, seed=2, margin=0.1)
    shapes = [(w.shape, len(b)) for w, b in params]
    numbers = [v for w, b in params for v in (*w.flatten().tolist(), *b.tolist())]
    numbers += x[0].tolist()

    def fn(*values: Value) -> Value:
        at = 0
        layers = []
        for (m, n), k in shapes:
            rows = [values[at + j * n : at + (j + 1) * n] for j in range(m)]
            at += m * n
            layers.append((rows, values[at : at + k]))
            at += k
        first, second, third = (
            AffineLayer(r, b, a)
            for (r, b), a in zip(layers, (activation, activation, None), strict=True)
        )
        out = third(second.hidden(first.hidden(values[at:])))
        return out[0] * 1.5 - out[1] * out[1]

    assert gradcheck(fn, numbers)


def _torch_mlp(torch: Any, model: MLP, activation: str) -> Any:
    """``torch.nn.Sequential(Linear, act, Linear, act, Linear)`` with ``model``'s weights."""
    act_module = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}
    modules: list[Any] = []
    for k, layer in enumerate(model.layers):
        if k:
            modules.append(act_module[activation]())
        modules.append(torch.nn.Linear(layer.in_features, layer.out_features))
    sequential = torch.nn.Sequential(*modules).double()
    state = model.state_dict()
    sequential.load_state_dict(
        {
            f"{2 * k}.{name}": torch.tensor(state[f"layers.{k}.{name}"], dtype=torch.float64)
            for k in range(len(model.layers))
            for name in ("weight", "bias")
        }
    )
    return sequential


@pytest.mark.torch
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_matches_torch_sequential(activation: str, torch: Any) -> None:
    model = MLP(3, [5, 4, 2], activation=activation, seed=7)  # type: ignore[arg-type]
    rng = np.random.default_rng(8)
    x = rng.uniform(-2.0, 2.0, (6, 3))
    targets = rng.uniform(-1.0, 1.0, (6, 2))
    outs = [model(row) for row in x]
    assert all(isinstance(out, list) and is_deferred(out[0]) for out in outs)
    scores = [y for out in outs if isinstance(out, list) for y in out]
    loss = F.mse_loss(scores, targets.flatten().tolist())
    loss.backward()

    sequential = _torch_mlp(torch, model, activation)
    tx = torch.tensor(x, dtype=torch.float64)
    pre = [tx]
    for module in sequential:
        pre.append(module(pre[-1]))
    for z in pre[1::2][:-1]:  # the hidden pre-activations
        assert z.abs().min().item() > 1e-6  # away from relu's kink
    tloss = torch.nn.functional.mse_loss(pre[-1], torch.tensor(targets, dtype=torch.float64))
    tloss.backward()

    assert close(loss.data, tloss.item())
    assert_close([s.data for s in scores], pre[-1].flatten().tolist())
    named = dict(sequential.named_parameters())
    for name, _, values in model.named_tensors():
        k, kind = name.split(".")[1:]
        assert_close(grads(values), named[f"{2 * int(k)}.{kind}"].grad.flatten().tolist())
    assert any(g != 0.0 for g in grads(model.layers[0].weight[0]))


# -- 2. materialisation --------------------------------------------------------------------


@pytest.mark.parametrize(("act1", "act2"), [("tanh", "relu"), ("relu", "sigmoid"), (None, "tanh")])
def test_parents_make_the_hidden_neurons_values_once_with_the_right_data(
    act1: str | None, act2: str | None
) -> None:
    acts = (act1, act2, None)
    params, x = problem(acts, samples=2, seed=3)
    chain = build_chain(params, acts, True, x)
    _, (h1, h2, _) = numpy_forward(params, acts, True, x)
    for s, out in enumerate(chain.outputs):
        assert is_deferred(out[0])
        parents = out[0].parents
        assert parents is out[0].parents or all(  # asked twice: the same Values
            p is q for p, q in zip(parents, out[0].parents, strict=True)
        )
        assert len(parents) == 2 * SIZES[2] + 1
        assert all(p is q for p, q in zip(parents[: SIZES[2]], chain.rows[2][0], strict=True))
        assert parents[-1] is chain.biases[2][0]  # type: ignore[index]
        second = parents[SIZES[2] : 2 * SIZES[2]]
        assert all(type(v) is Value and not v.is_leaf for v in second)
        assert [v.op for v in second] == [OP_NAMES[act2]] * SIZES[2]
        assert_close([v.data for v in second], h2[s].tolist())
        # every output neuron of the sample reads the same Values
        for other in out[1:]:
            assert all(p is q for p, q in zip(inputs_of(other, SIZES[2]), second, strict=True))
        first = inputs_of(second[0], SIZES[1])
        assert [v.op for v in first] == [OP_NAMES[act1]] * SIZES[1]
        assert_close([v.data for v in first], h1[s].tolist())
        for neuron in second[1:]:
            assert all(p is q for p, q in zip(inputs_of(neuron, SIZES[1]), first, strict=True))
        assert all(
            p is q for p, q in zip(inputs_of(first[0], SIZES[0]), chain.inputs[s], strict=True)
        )
        assert all(
            p is q for p, q in zip(first[2].parents[: SIZES[0]], chain.rows[0][2], strict=True)
        )


def test_hidden_returns_no_values_until_asked() -> None:
    params, x = problem(("relu", "relu", None), samples=1, seed=4)
    first = AffineLayer(leaf_rows(params[0][0].tolist()), leaves(params[0][1].tolist()), "relu")
    hidden = first.hidden(leaves(x[0].tolist()))
    assert isinstance(hidden, LayerCall)
    assert not isinstance(hidden, Value | list | tuple)


@pytest.mark.torch
def test_hidden_neurons_made_after_a_fast_backward_carry_their_gradients(torch: Any) -> None:
    acts = ("tanh", "relu", "sigmoid")
    params, x = problem(acts, samples=3, seed=5)
    chain = build_chain(params, acts, True, x)
    chain.loss().backward()
    assert all(is_deferred(out[0]) for out in chain.outputs)  # backward() made no Values
    t = torch_chain(torch, params, acts, True, x)
    assert_close(grads(chain.parameters()), t.parameter_grads())
    for s in range(len(x)):
        first, second = hidden_neurons(chain, s)
        assert_close(grads(second), t.hidden[1].grad[s].tolist())
        assert_close(grads(first), t.hidden[0].grad[s].tolist())
        assert any(g != 0.0 for g in grads(first))


@pytest.mark.torch
def test_hidden_neurons_made_before_backward_get_their_gradients_from_it(torch: Any) -> None:
    acts = ("relu", "tanh", None)
    params, x = problem(acts, samples=3, seed=6)
    chain = build_chain(params, acts, False, x)
    first0, second0 = hidden_neurons(chain, 0)  # sample 0 only: the others stay deferred
    assert grads([*first0, *second0]) == [0.0] * (SIZES[1] + SIZES[2])
    assert is_deferred(chain.outputs[1][0]) and not is_deferred(chain.outputs[0][0])
    chain.loss().backward()

    t = torch_chain(torch, params, acts, False, x)
    assert_close(grads(second0), t.hidden[1].grad[0].tolist())
    assert_close(grads(first0), t.hidden[0].grad[0].tolist())
    assert_close(grads(chain.parameters()), t.parameter_grads())
    assert_close([v.grad for xs in chain.inputs for v in xs], t.x.grad.flatten().tolist())
    for s in (1, 2):  # made afterwards, from the lists the pass left
        first, second = hidden_neurons(chain, s)
        assert_close(grads(second), t.hidden[1].grad[s].tolist())
        assert_close(grads(first), t.hidden[0].grad[s].tolist())


@pytest.mark.torch
def test_topological_order_after_backward_leaves_the_passes_gradients(torch: Any) -> None:
    """``topological_order`` makes the hidden neurons Values, which must then hold the
    gradients the last pass gave them, as ``parents`` and drawing make them."""
    acts = ("tanh", "relu", None)
    params, x = problem(acts, samples=2, seed=29)
    chain = build_chain(params, acts, True, x)
    loss = chain.loss()
    loss.backward()
    order = topological_order(loss)
    t = torch_chain(torch, params, acts, True, x)
    for s in range(len(x)):
        first, second = hidden_neurons(chain, s)
        assert_close(grads(second), t.hidden[1].grad[s].tolist())
        assert_close(grads(first), t.hidden[0].grad[s].tolist())
    # the comparisons above are not all between zeros
    assert any(g != 0.0 for s in range(len(x)) for n in hidden_neurons(chain, s) for g in grads(n))
    assert order[0] is loss and loss.grad == 1.0  # ∂loss/∂loss, as backward() left it


# -- 3. stepping and ordering --------------------------------------------------------------


def _mlp_graph(model: MLP, seed: int) -> tuple[Value, list[Value]]:
    """An mse loss over 5 samples plus an L2 term on some first-layer weights, and the
    scores."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2.0, 2.0, (5, 3))
    targets = rng.uniform(-1.0, 1.0, 5)
    scores = [model(row) for row in x]
    assert all(isinstance(s, Value) for s in scores)
    loss = F.mse_loss(scores, targets.tolist()) + 0.01 * autograd.sum(
        [p * p for p in model.layers[0].weight[0]]
    )
    return loss, [s for s in scores if isinstance(s, Value)]


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_backward_steps_on_a_deferred_mlp_graph_give_backwards_gradients(activation: str) -> None:
    model = MLP(3, [4, 3, 1], activation=activation, seed=9)  # type: ignore[arg-type]
    _mlp_graph(model, seed=10)[0].backward()
    fast = grads(model.parameters())
    model.zero_grad()

    root, scores = _mlp_graph(model, seed=10)
    assert all(is_deferred(s) for s in scores)
    steps = list(root.backward_steps())
    stepped = grads(model.parameters())
    assert_close(stepped, fast)
    assert any(g != 0.0 for g in grads(model.layers[0].parameters()))
    assert {OP_NAMES[activation], "affine"} <= {step.node.op for step in steps}
    order = topological_order(root)
    assert len(steps) == sum(len(node.parents) for node in order)
    assert [step.index for step in steps] == list(range(len(steps)))


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_topological_order_lists_every_hidden_neuron_and_only_values(activation: str) -> None:
    model = MLP(3, [4, 3, 1], activation=activation, seed=11)  # type: ignore[arg-type]
    root, scores = _mlp_graph(model, seed=12)
    assert all(is_deferred(s) for s in scores)  # not yet Values
    order = topological_order(root)
    assert all(type(node) is Value for node in order)
    ops = [node.op for node in order]
    assert ops.count(OP_NAMES[activation]) == 5 * (4 + 3)  # samples × hidden sizes
    assert ops.count("affine") == 5
    assert len({id(node) for node in order}) == len(order)
    assert order[0] is root
    assert order == topological_order(root)  # the same Values when asked again
    position = {id(node): k for k, node in enumerate(order)}
    for node in order:  # each node before its inputs
        for parent in node.parents:
            if not parent.is_leaf:
                assert position[id(parent)] > position[id(node)]


# -- 4. drawing ----------------------------------------------------------------------------


def test_draw_shows_the_hidden_neurons() -> None:
    model = MLP(2, [3, 2, 1], activation="relu", seed=13)
    x = [0.5, -0.25]
    out = model(x)
    assert isinstance(out, Value) and is_deferred(out)
    source = autograd.draw(out).source
    assert source.count(f'label="{SYMBOLS["relu"]}"') == 3 + 2
    assert source.count(f'label="{SYMBOLS[None]}"') == 1
    parameters = 3 * 2 + 3 + 2 * 3 + 2 + 1 * 2 + 1
    assert source.count("shape=record") == 1 + (3 + 2) + parameters + 2
    assert "LayerCall" not in source


def _record_grad(source: str, node_id: str) -> str:
    """The grad shown in the record of node ``node_id``."""
    pattern = rf"^\s*{node_id} \[label=\"\{{ [^|]* \| data [^|]* \| grad ([^ ]+) \}}\""
    match = re.search(pattern, source, re.M)
    assert match, node_id
    return match.group(1)


@pytest.mark.torch
def test_draw_after_backward_shows_the_hidden_neurons_gradients(torch: Any) -> None:
    model = MLP(2, [3, 2, 1], activation="tanh", seed=14)
    x = [0.5, -0.25]
    out = model(x)
    assert isinstance(out, Value)
    out.backward()
    source = autograd.draw(out).source
    ids = node_names(out)

    sequential = _torch_mlp(torch, model, "tanh")
    h = torch.tensor(x, dtype=torch.float64)
    hidden = []
    for k, module in enumerate(sequential):
        h = module(h)
        if k in (1, 3):
            h.retain_grad()
            hidden.append(h)
    h.sum().backward()

    second = inputs_of(out, 2)
    first = inputs_of(second[0], 3)
    for neurons, th in ((first, hidden[0]), (second, hidden[1])):
        for neuron, g in zip(neurons, th.grad.tolist(), strict=True):
            assert close(neuron.grad, g)
            assert _record_grad(source, ids[id(neuron)]) == f"{g + 0.0:.4g}"
    assert any(g != 0.0 for g in grads(first))


# -- 5. stale data -------------------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize(
    ("which", "op"),
    [
        ("first weight", "affine_relu"),
        ("first bias", "affine_relu"),
        ("middle weight", "affine_relu"),
        ("last weight", "affine"),
        ("last bias", "affine"),
        ("input", "affine_relu"),
    ],
)
@pytest.mark.parametrize("made", [False, True], ids=["deferred", "materialised"])
def test_assigning_data_after_the_forward_makes_backward_raise(
    which: str, op: str, made: bool, torch: Any
) -> None:
    model = MLP(3, [4, 3, 1], activation="relu", seed=15)
    rng = np.random.default_rng(16)
    x = rng.uniform(-2.0, 2.0, (4, 3))
    targets = rng.uniform(-1.0, 1.0, 4)
    inputs = [leaves(row) for row in x.tolist()]
    loss = F.mse_loss([model(xs) for xs in inputs], targets.tolist())
    if made:
        topological_order(loss)
    first, middle, last = model.layers
    assert first.bias is not None and last.bias is not None
    target = {
        "first weight": first.weight[1][2],
        "first bias": first.bias[3],
        "middle weight": middle.weight[0][1],
        "last weight": last.weight[0][2],
        "last bias": last.bias[0],
        "input": inputs[2][1],
    }[which]
    target.data = target.data + 0.125
    assert_named_error(loss.backward, RuntimeError, rf"'{op}'")
    assert all(g == 0.0 for g in grads(model.parameters()))
    assert autograd.fast.layer.PENDING == []

    inputs = [leaves(row) for row in x.tolist()]
    x_new = np.array([[v.data for v in xs] for xs in inputs])
    if which == "input":  # the assigned input is read again by the new forward
        inputs[2][1].data = target.data
        x_new[2, 1] = target.data
    loss = F.mse_loss([model(xs) for xs in inputs], targets.tolist())
    loss.backward()

    sequential = _torch_mlp(torch, model, "relu")
    tx = tensor(torch, x_new)
    tloss = torch.nn.functional.mse_loss(
        sequential(tx).squeeze(1), torch.tensor(targets, dtype=torch.float64)
    )
    tloss.backward()
    assert close(loss.data, tloss.item())
    named = dict(sequential.named_parameters())
    for name, _, values in model.named_tensors():
        k, kind = name.split(".")[1:]
        assert_close(grads(values), named[f"{2 * int(k)}.{kind}"].grad.flatten().tolist())
    assert_close([v.grad for xs in inputs for v in xs], tx.grad.flatten().tolist())


# -- 6. two passes -------------------------------------------------------------------------


@pytest.mark.torch
def test_backward_twice_doubles_parameters_and_hidden_neurons_hold_one_pass(torch: Any) -> None:
    acts = ("sigmoid", "tanh", "relu")
    params, x = problem(acts, samples=3, seed=17)
    once = build_chain(params, acts, True, x)
    once.loss().backward()
    twice = build_chain(params, acts, True, x)
    loss = twice.loss()
    loss.backward()
    loss.backward()

    assert grads(twice.parameters()) == [2.0 * g for g in grads(once.parameters())]
    inputs_once = [v.grad for xs in once.inputs for v in xs]
    assert [v.grad for xs in twice.inputs for v in xs] == [2.0 * g for g in inputs_once]
    t = torch_chain(torch, params, acts, True, x)
    assert_close(grads(twice.parameters()), [2.0 * g for g in t.parameter_grads()])
    for s in range(len(x)):
        first, second = hidden_neurons(twice, s)
        first_once, second_once = hidden_neurons(once, s)
        assert grads(second) == grads(second_once)
        assert grads(first) == grads(first_once)
        assert_close(grads(second), t.hidden[1].grad[s].tolist())
        assert_close(grads(first), t.hidden[0].grad[s].tolist())
    assert any(g != 0.0 for g in grads(hidden_neurons(twice, 0)[0]))

    loss.backward()  # a third pass, the neurons now Values: still one pass's gradient
    for s in range(len(x)):
        first, _ = hidden_neurons(twice, s)
        assert_close(grads(first), t.hidden[0].grad[s].tolist())
    assert_close(grads(twice.parameters()), [3.0 * g for g in t.parameter_grads()])


# -- 7. zero gradients ---------------------------------------------------------------------


def _hinge_problem(past_all: bool) -> tuple[Params, np.ndarray, np.ndarray]:
    """A relu MLP (``SIZES`` with one output) and samples, some relus dead; every sample
    past the margin (``past_all``) or some past it and some not."""
    rng = np.random.default_rng(18)
    sizes = (*SIZES[:-1], 1)
    while True:
        params = [
            (rng.uniform(-1.0, 1.0, (m, n)), rng.uniform(-0.5, 0.5, m))
            for n, m in itertools.pairwise(sizes)
        ]
        x = rng.uniform(-1.5, 1.5, (10, sizes[0]))
        zs, hs = numpy_forward(params, ("relu", "relu", None), True, x)
        if min(np.abs(z).min() for z in zs[:2]) < 0.05 or not all((z < 0).any() for z in zs[:2]):
            continue
        scores = hs[-1][:, 0]
        if np.abs(scores).min() < 0.05:
            continue
        labels = np.sign(scores)
        if past_all:  # scale the last layer: every y·s at least 1.5
            scale = 1.5 / np.abs(scores).min()
            params[-1] = (params[-1][0] * scale, params[-1][1] * scale)
            return params, x, labels
        labels[::3] *= -1.0  # these are on the wrong side: inside the margin
        margins = 1.0 - labels * scores
        if np.abs(margins).min() > 0.05 and (margins < 0).any():
            return params, x, labels


@pytest.mark.torch
@pytest.mark.parametrize("past_all", [True, False], ids=["all past the margin", "some"])
def test_hinge_with_samples_past_the_margin_and_dead_relus_match_torch(
    past_all: bool, torch: Any
) -> None:
    params, x, labels = _hinge_problem(past_all)
    acts = ("relu", "relu", None)
    rows = [leaf_rows(w.tolist()) for w, _ in params]
    biases = [leaves(b.tolist()) for _, b in params]
    layers = [AffineLayer(r, b, a) for r, b, a in zip(rows, biases, acts, strict=True)]
    inputs = [leaves(row) for row in x.tolist()]
    scores = [layers[2](layers[1].hidden(layers[0].hidden(xs)))[0] for xs in inputs]
    l2 = autograd.sum([w * w for r in rows for w in flat(r)])
    loss = F.hinge_loss(scores, labels.tolist()) + 0.01 * l2
    loss.backward()

    tw, tb, tx, hidden, h = torch_layers(torch, params, acts, True, x)
    hinge = torch.relu(1.0 - torch.tensor(labels, dtype=torch.float64) * h[:, 0]).mean()
    tloss = hinge + 0.01 * sum((w * w).sum() for w in tw)
    tloss.backward()

    assert close(loss.data, tloss.item())
    for r, b, w_t, b_t in zip(rows, biases, tw, tb, strict=True):
        assert_close(grads(flat(r)), w_t.grad.flatten().tolist())
        assert_close(grads(b), b_t.grad.tolist())
    assert_close([v.grad for xs in inputs for v in xs], tx.grad.flatten().tolist())
    for s in range(len(x)):
        second = inputs_of(scores[s], SIZES[2])
        first = inputs_of(second[0], SIZES[1])
        assert_close(grads(second), hidden[1].grad[s].tolist())
        assert_close(grads(first), hidden[0].grad[s].tolist())
    if past_all:  # the L2 term alone: 0.02·w for weights, nothing for biases or inputs
        for r, (w, _) in zip(rows, params, strict=True):
            assert_close(grads(flat(r)), (0.02 * w).flatten().tolist())
        assert all(g == 0.0 for b in biases for g in grads(b))
        assert all(v.grad == 0.0 for xs in inputs for v in xs)
    else:
        assert any(g != 0.0 for g in grads(biases[0]))


def test_a_sample_whose_second_layer_relus_are_all_dead_sends_nothing_back() -> None:
    rows1, rows2 = leaf_rows([[1.0, 0.5], [0.5, 1.0]]), leaf_rows([[-1.0, -1.0], [-2.0, 0.5]])
    biases1, biases2 = leaves([0.1, 0.2]), leaves([-0.1, -0.5])
    first, second = AffineLayer(rows1, biases1, "relu"), AffineLayer(rows2, biases2, "relu")
    third = AffineLayer(leaf_rows([[1.5, -2.0]]), leaves([0.25]), None)
    a = leaves([1.0, 2.0])  # h1 = (2.1, 2.7), live: second-layer z = (-4.9, -3.35), dead
    b = leaves([-1.0, -2.0])  # h1 = (0, 0), dead: second-layer z = (-0.1, -0.5), dead
    out_a = third(second.hidden(first.hidden(a)))[0]
    out_b = third(second.hidden(first.hidden(b)))[0]
    (out_a * 3.0 + out_b).backward()
    assert grads(a) == [0.0, 0.0] and grads(b) == [0.0, 0.0]
    assert grads(flat(rows1)) == [0.0] * 4 and grads(biases1) == [0.0, 0.0]
    assert grads(flat(rows2)) == [0.0] * 4 and grads(biases2) == [0.0, 0.0]
    assert grads(third.parameters()) == [0.0, 0.0, 4.0]  # h2 = 0 for both samples
    h2 = inputs_of(out_a, 2)
    assert [v.data for v in h2] == [0.0, 0.0] and grads(h2) == [4.5, -6.0]
    h1 = inputs_of(h2[0], 2)
    assert_close([v.data for v in h1], [2.1, 2.7])
    assert grads(h1) == [0.0, 0.0]


# -- 8. hooks and anomaly mode: the stepping path ------------------------------------------


@pytest.fixture
def stepped(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the backward passes that went through ``backward_steps``."""
    calls: list[int] = []
    original = autograd.backprop.backward_steps

    def counting(root: Value, gradient: float = 1.0) -> Iterator[autograd.Step]:
        calls.append(1)
        return original(root, gradient)

    monkeypatch.setattr(autograd.backprop, "backward_steps", counting)
    return calls


@pytest.mark.torch
@pytest.mark.parametrize("where", ["output", "first weight", "hidden neuron"])
def test_a_hook_sends_backward_through_the_steps_and_matches_torch(
    where: str, stepped: list[int], torch: Any
) -> None:
    acts = ("tanh", "relu", "sigmoid")
    params, x = problem(acts, samples=3, seed=19)
    chain = build_chain(params, acts, True, x)
    loss = chain.loss()
    seen: list[float] = []

    def double(grad: float) -> float:
        seen.append(grad)
        return 2.0 * grad

    if where == "output":
        chain.outputs[1][0].register_hook(double)
    elif where == "first weight":
        chain.rows[0][2][1].register_hook(double)
    else:
        first, _ = hidden_neurons(chain, 2)
        first[1].register_hook(double)
    loss.backward()
    assert stepped == [1]

    weights = [tensor(torch, w) for w, _ in params]
    biases = [tensor(torch, b) for _, b in params]
    tx = tensor(torch, x)
    tseen: list[float] = []
    h = tx
    hidden = []
    for w, b, name in zip(weights, biases, acts, strict=True):
        h = torch_act(torch, name)(torch.nn.functional.linear(h, w, b))
        h.retain_grad()
        hidden.append(h)
    at = {"output": (2, (1, 0)), "first weight": (None, (2, 1)), "hidden neuron": (0, (2, 1))}
    layer, index = at[where]
    hooked = weights[0] if layer is None else hidden[layer]
    mask = torch.ones_like(hooked)
    mask[index] = 2.0

    def torch_double(grad: Any) -> Any:
        tseen.append(grad[index].item())
        return grad * mask

    hooked.register_hook(torch_double)
    ys = h.flatten()
    c = torch.tensor([COEFFS[k % len(COEFFS)] for k in range(ys.numel())], dtype=torch.float64)
    (c * ys + 0.5 * ys * ys).sum().backward()

    assert len(seen) == len(tseen) == 1
    assert close(seen[0], tseen[0])
    params_grads = []
    for w, b in zip(weights, biases, strict=True):
        params_grads += [*w.grad.flatten().tolist(), *b.grad.tolist()]
    assert_close(grads(chain.parameters()), params_grads)
    assert_close([v.grad for xs in chain.inputs for v in xs], tx.grad.flatten().tolist())
    for s in range(len(x)):
        first, second = hidden_neurons(chain, s)
        assert_close(grads(first), hidden[0].grad[s].tolist())
        assert_close(grads(second), hidden[1].grad[s].tolist())


def test_without_hooks_backward_does_not_step(stepped: list[int]) -> None:
    acts = ("tanh", "relu", None)
    params, x = problem(acts, samples=2, seed=20)
    chain = build_chain(params, acts, True, x)
    chain.loss().backward()
    assert stepped == []
    assert all(is_deferred(out[0]) for out in chain.outputs)


@pytest.mark.torch
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_anomaly_mode_steps_and_matches_torch(
    activation: str, stepped: list[int], torch: Any
) -> None:
    acts = (activation, activation, None)
    params, x = problem(acts, samples=3, seed=21)
    with autograd.detect_anomaly():
        chain = build_chain(params, acts, True, x)
        chain.loss().backward()
    assert stepped == [1]
    t = torch_chain(torch, params, acts, True, x)
    assert_close(grads(chain.parameters()), t.parameter_grads())
    assert_close([v.grad for xs in chain.inputs for v in xs], t.x.grad.flatten().tolist())
    for s in range(len(x)):
        first, second = hidden_neurons(chain, s)
        assert_close(grads(first), t.hidden[0].grad[s].tolist())
        assert_close(grads(second), t.hidden[1].grad[s].tolist())


def test_anomaly_mode_names_an_overflow_in_a_deferred_layer() -> None:
    first = AffineLayer(leaf_rows([[1e308], [1e308]]), None, None)
    second = AffineLayer(leaf_rows([[1.0, 1.0]]), None, None)
    x = Value(0.5)
    with autograd.detect_anomaly():
        out = second(first.hidden([x]))[0]
        assert_named_error(out.backward, OverflowError, r"'affine'")
    assert x.grad == 0.0


# -- 9. no_grad ----------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_hidden_under_no_grad_returns_leaves(activation: str | None) -> None:
    acts = (activation, activation, None)
    params, x = problem(acts, samples=1, seed=22)
    rows = [leaf_rows(w.tolist()) for w, _ in params]
    biases = [leaves(b.tolist()) for _, b in params]
    layers = [AffineLayer(r, b, a) for r, b, a in zip(rows, biases, acts, strict=True)]
    xs = leaves(x[0].tolist())
    _, (h1, h2, y) = numpy_forward(params, acts, True, x)
    with no_grad():
        hidden: Any = layers[0].hidden(xs)  # a list of leaves, not deferred neurons
        deeper: Any = layers[1].hidden(hidden)
        outs = layers[2](deeper)
    for got, want in ((hidden, h1), (deeper, h2), (outs, y)):
        assert isinstance(got, list)
        assert all(type(v) is Value and v.is_leaf and v.parents == () for v in got)
        assert_close([v.data for v in got], want[0].tolist())
    # the leaves feed a layer outside no_grad like any other inputs
    again = layers[2](deeper)
    assert all(p is q for p, q in zip(inputs_of(again[0], SIZES[2]), deeper, strict=True))
    again[0].backward()
    assert_close(grads(deeper), params[2][0][0].tolist())
    assert all(g == 0.0 for r in rows[:2] for g in grads(flat(r)))


@pytest.mark.torch
def test_mlp_under_no_grad_gives_leaves_with_torchs_values(torch: Any) -> None:
    model = MLP(3, [5, 4, 2], activation="tanh", seed=23)
    rows = np.random.default_rng(24).uniform(-2.0, 2.0, (4, 3))
    with no_grad():
        outs = [model(row) for row in rows]
    got = []
    for out in outs:
        assert isinstance(out, list)
        assert all(type(v) is Value and v.is_leaf and v.op is None for v in out)
        got += [v.data for v in out]
    with torch.no_grad():
        want = _torch_mlp(torch, model, "tanh")(torch.tensor(rows, dtype=torch.float64))
    assert_close(got, want.flatten().tolist())
    assert isinstance(outs[0], list)
    with pytest.raises(RuntimeError, match="computed under no_grad"):  # as PyTorch raises
        outs[0][0].backward()
    assert all(g == 0.0 for g in grads(model.parameters()))


# -- 10. freed by reference counting -------------------------------------------------------


@pytest.mark.parametrize("made", ["deferred", "made before backward", "made after backward"])
def test_a_graph_through_two_hidden_layers_is_freed_by_reference_counting(made: str) -> None:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        model = MLP(2, [3, 3, 1], activation="tanh", seed=25)

        def build_and_drop() -> list[weakref.ref[WeakValue]]:
            inputs = [[WeakValue(0.01 * i), WeakValue(-0.5)] for i in range(300)]
            outs = [model(xs) for xs in inputs]
            loss = autograd.sum([y * y for y in outs if isinstance(y, Value)])
            if made == "made before backward":
                topological_order(loss)
            loss.backward()
            if made == "made after backward":
                assert len(topological_order(loss)) > 300 * 7
            assert inputs[5][0].grad != 0.0
            return [weakref.ref(v) for v in (inputs[0][0], inputs[150][1], inputs[-1][0])]

        build_and_drop()  # warm up Python's free lists, which keep freed tuples uncounted
        count_before = gc.get_count()[0]
        refs = build_and_drop()
        assert all(ref() is None for ref in refs)  # freed by reference counting alone
        assert gc.get_count()[0] - count_before < 100  # so was everything else
        assert model.layers[0].weight[0][0].grad != 0.0  # the model lives on
    finally:
        if was_enabled:
            gc.enable()


def test_hidden_outputs_never_used_are_freed_by_reference_counting() -> None:
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        layer = AffineLayer([[WeakValue(0.5), WeakValue(-0.25)]], None, "relu")

        def build_and_drop() -> weakref.ref[WeakValue]:
            x = WeakValue(1.0)
            AffineLayer([[Value(2.0)]], None, None)(layer.hidden([x, Value(0.5)]))
            return weakref.ref(x)

        build_and_drop()
        count_before = gc.get_count()[0]
        ref = build_and_drop()
        assert ref() is None
        assert gc.get_count()[0] - count_before < 20
    finally:
        if was_enabled:
            gc.enable()


# -- 11. depth -----------------------------------------------------------------------------


def _rotation(theta: float) -> list[list[float]]:
    return [[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]]


def test_a_chain_of_1000_hidden_layers_backpropagates_without_recursion() -> None:
    depth = 1_000
    thetas = [0.002 * (k % 5) + 0.0007 for k in range(depth)]
    layers = [AffineLayer(leaf_rows(_rotation(t)), None, None) for t in thetas]
    x = leaves([0.3, -0.8])
    h: Any = x
    for layer in layers[:-1]:
        h = layer.hidden(h)
    y = layers[-1](h)
    c = np.array([0.7, -1.1])
    root = c[0] * y[0] + c[1] * y[1]
    root.backward()

    total = np.array(_rotation(sum(thetas)))  # rotations compose by adding angles
    assert_close([v.data for v in y], (total @ np.array([0.3, -0.8])).tolist(), rel=1e-10)
    assert_close(grads(x), (total.T @ c).tolist(), rel=1e-10)
    rest = np.array(_rotation(sum(thetas[1:])))
    first_weights = np.outer(rest.T @ c, [0.3, -0.8])  # ∂L/∂W₁ = (R_restᵀ c) xᵀ
    assert_close(grads(flat(layers[0].weights)), first_weights.flatten().tolist(), rel=1e-10)

    middle: Sequence[Value] = y
    for _ in range(500):  # back to the outputs of layers[499], made Values on the way
        middle = inputs_of(middle[0], 2)
    # ∂L/∂(the outputs of layers[k]) = R(θ_{k+1} + … + θ_last)ᵀ c
    assert_close(grads(middle), (np.array(_rotation(sum(thetas[500:]))).T @ c).tolist(), 1e-10)
    order = topological_order(root)  # makes the other 499 layers' neurons, iteratively
    assert len(order) == 3 + 2 * depth
    assert [node.op for node in order].count("affine") == 2 * depth


def test_a_chain_of_1000_tanh_hidden_layers_matches_numpy() -> None:
    depth = 1_000
    rng = np.random.default_rng(26)
    ws = rng.uniform(-1.2, 1.2, (depth, 2, 2))
    bs = rng.uniform(-0.3, 0.3, (depth, 2))
    layers = [
        AffineLayer(leaf_rows(w.tolist()), leaves(b.tolist()), "tanh")
        for w, b in zip(ws, bs, strict=True)
    ]
    x = leaves([0.4, -0.9])
    h: Any = x
    for layer in layers[:-1]:
        h = layer.hidden(h)
    y = layers[-1](h)
    root = 0.7 * y[0] - 1.1 * y[1]
    root.backward()

    states = [np.array([0.4, -0.9])]
    for w, b in zip(ws, bs, strict=True):
        states.append(np.tanh(w @ states[-1] + b))
    upstream = np.array([0.7, -1.1])
    grad_w, grad_b = np.zeros_like(ws), np.zeros_like(bs)
    for k in range(depth - 1, -1, -1):
        delta = upstream * (1.0 - states[k + 1] ** 2)
        grad_w[k] = np.outer(delta, states[k])
        grad_b[k] = delta
        upstream = ws[k].T @ delta
    assert_close([v.data for v in y], states[-1].tolist(), rel=1e-10)
    assert_close(grads(x), upstream.tolist(), rel=1e-9)
    for k in (0, 1, depth // 2, depth - 1):
        assert_close(grads(flat(layers[k].weights)), grad_w[k].flatten().tolist(), rel=1e-9)
        assert_close(grads(layers[k].biases or ()), grad_b[k].tolist(), rel=1e-9)


# -- 12. training --------------------------------------------------------------------------


def test_fit_trains_a_small_mlp() -> None:
    X, y = nn.data.make_moons(40, noise=0.1, seed=27, signed=True)
    model = MLP(2, [8, 8, 1], activation="relu", seed=28)
    with no_grad():
        initial = F.hinge_loss([model(row) for row in X], y.tolist()).data
    history = nn.fit(
        model,
        X,
        y,
        loss=F.hinge_loss,
        optimizer=nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
        epochs=30,
        verbose=0,
    )
    losses = history["loss"]
    assert len(losses) == 30
    assert close(losses[0], initial)  # the first epoch's loss is the untrained model's
    assert losses[-1] < 0.5 * losses[0]
    assert all(b < a for a, b in itertools.pairwise(losses[:10]))
    with no_grad():
        final = F.hinge_loss([model(row) for row in X], y.tolist()).data
    assert final < 0.5 * initial


def test_anomaly_mode_names_the_line_that_called_the_hidden_layer() -> None:
    # The hidden neurons become Values only when backward() steps through them (anomaly
    # mode steps): the line to blame is the one that called the layer, not backward()'s.
    x = Value(1e300)
    first = AffineLayer([[Value(1e-300)]], None, "tanh")  # h = tanh(1), fine
    second = AffineLayer([[Value(1e10)]], None, None)  # out = 1e10 · h, fine
    with autograd.detect_anomaly():
        h = first.hidden([x])  # the hidden layer's line
        out = second(h)[0]
        # ∂out/∂w₁ = 1e10 · tanh'(1) · x = about 4e309: not a float
        with pytest.raises(OverflowError) as caught:
            out.backward()
    message = str(caught.value)
    assert "'affine_tanh'" in message
    assert "h = first.hidden([x])" in message
    assert "out.backward()" not in message
    assert autograd.anomaly.ANOMALY.sites == {}  # dropped when the block ended
