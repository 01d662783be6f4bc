"""Neuron, Layer, Linear and MLP: outputs worked out with numpy, gradients against
central differences and PyTorch, the two graph shapes, inputs, ``predict``, and moving a
trained model to PyTorch (initialisation and seeds are in test_init.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest

import autograd
from autograd import Value, gradcheck, topological_order
from nn import MLP, Layer, Linear, Module, Neuron
from tests.nn.random_weights import random_mlp_init

REL = 1e-10  # against torch and numpy: different summation orders, same float64 math
ABS = 1e-13  # floor for results that cancel to ~0

ACTS: dict[str | None, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    None: lambda z: z,
}


def data(out: Value | list[Value]) -> np.ndarray:
    return np.array([v.data for v in (out if isinstance(out, list) else [out])])


def grads(values: Sequence[Value]) -> np.ndarray:
    return np.array([v.grad for v in values])


def mlp_forward(
    weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray, act: str | None
) -> np.ndarray:
    """The MLP by hand: the activation after every layer but the last."""
    h = np.asarray(x, dtype=np.float64)
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        h = w @ h + b
        if i < len(weights) - 1:
            h = ACTS[act](h)
    return h


# -- outputs by hand ----------------------------------------------------------------------


def test_linear_computes_w_x_plus_b() -> None:
    rng = np.random.default_rng(0)
    w, b, x = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=4)
    for graph in ("compact", "fine"):
        model = Linear(4, 3, init={"weight": w, "bias": b}, graph=graph)
        out = model(x.tolist())
        assert isinstance(out, list) and len(out) == 3
        np.testing.assert_allclose(data(out), w @ x + b, rtol=1e-12)


def test_linear_without_bias() -> None:
    w, x = np.array([[1.5, -2.0], [0.25, 4.0]]), [2.0, 3.0]
    for graph in ("compact", "fine"):
        model = Linear(2, 2, bias=False, init={"weight": w}, graph=graph)
        assert model.bias is None
        assert list(model.state_dict()) == ["weight"]
        assert data(model(x)).tolist() == [1.5 * 2 - 2.0 * 3, 0.25 * 2 + 4.0 * 3]


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", None])
@pytest.mark.parametrize("graph", ["compact", "fine"])
def test_neuron_applies_its_activation(act: str | None, graph: str) -> None:
    neuron = Neuron(3, activation=act, seed=0, graph=graph)  # type: ignore[arg-type]
    neuron.load_state_dict({"w": [0.5, -1.0, 2.0], "b": 0.25})
    for x in ([1.0, 2.0, 0.5], [-1.0, 0.5, -0.75]):  # z = 0.75 and z = -2.5
        z = 0.5 * x[0] - 1.0 * x[1] + 2.0 * x[2] + 0.25
        out = neuron(x)
        assert isinstance(out, Value)
        expected = {
            "relu": max(z, 0.0),
            "tanh": math.tanh(z),
            "sigmoid": 1.0 / (1.0 + math.exp(-z)),
            None: z,
        }[act]
        assert out.data == pytest.approx(expected, rel=1e-14, abs=1e-300)


def test_layer_is_independent_neurons() -> None:
    layer = Layer(3, 4, activation="tanh", seed=1)
    x = np.array([0.3, -1.2, 0.8])
    out = layer(x.tolist())
    assert isinstance(out, list) and len(out) == 4
    for neuron, v in zip(layer.neurons, out, strict=True):
        w = np.array([p.data for p in neuron.w])
        assert v.data == pytest.approx(math.tanh(float(w @ x) + neuron.b.data), rel=1e-14)


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", None])
def test_mlp_matches_numpy(act: str | None) -> None:
    rng = np.random.default_rng(3)
    sizes = [3, 5, 4, 2]
    state = random_mlp_init(rng, sizes)
    model = MLP(3, sizes[1:], activation=act, init=state)  # type: ignore[arg-type]
    ws = [state[f"layers.{i}.weight"] for i in range(3)]
    bs = [state[f"layers.{i}.bias"] for i in range(3)]
    for _ in range(5):
        x = rng.normal(size=3)
        np.testing.assert_allclose(
            data(model(x)), mlp_forward(ws, bs, x, act), rtol=1e-12, atol=ABS
        )


def test_mlp_hidden_layer_of_one() -> None:
    model = MLP(2, [1, 3], init={
        "layers.0.weight": [[2.0, -1.0]], "layers.0.bias": [0.5],
        "layers.1.weight": [[1.0], [-2.0], [3.0]], "layers.1.bias": [0.0, 1.0, -1.0],
    })  # fmt: skip
    h = max(2.0 * 1.0 - 1.0 * 0.5 + 0.5, 0.0)  # 2.0
    assert data(model([1.0, 0.5])).tolist() == [h, -2.0 * h + 1.0, 3.0 * h - 1.0]


def test_one_output_is_a_value_several_are_a_list() -> None:
    x = [0.5, -0.5]
    assert isinstance(Linear(2, 1, seed=0)(x), Value)
    assert isinstance(Layer(2, 1, seed=0)(x), Value)
    assert isinstance(MLP(2, [3, 1], seed=0)(x), Value)
    assert isinstance(Neuron(2, seed=0)(x), Value)
    for model in (Linear(2, 3, seed=0), Layer(2, 3, seed=0), MLP(2, [4, 3], seed=0)):
        out = model(x)
        assert isinstance(out, list) and len(out) == 3
        assert all(isinstance(v, Value) for v in out)


# -- gradients ----------------------------------------------------------------------------


def weighted_sum(out: Value | list[Value], c: Sequence[float]) -> Value:
    outs = out if isinstance(out, list) else [out]
    return autograd.sum([v * ci for v, ci in zip(outs, c, strict=True)])


@pytest.mark.parametrize("graph", ["compact", "fine"])
def test_gradcheck_every_module(graph: str) -> None:
    rng = np.random.default_rng(5)
    models: list[tuple[Module, int, int]] = [
        (Linear(3, 2, seed=1, graph=graph), 3, 2),  # type: ignore[arg-type]
        (Linear(3, 2, bias=False, seed=1, graph=graph), 3, 2),  # type: ignore[arg-type]
        (Neuron(3, activation="tanh", seed=1, graph=graph), 3, 1),  # type: ignore[arg-type]
        (Layer(3, 2, activation="sigmoid", seed=1, graph=graph), 3, 2),  # type: ignore[arg-type]
        (MLP(3, [4, 2], activation="tanh", seed=1, graph=graph), 3, 2),  # type: ignore[arg-type]
    ]
    for model, nin, nout in models:
        xs = [Value(float(v)) for v in rng.normal(size=nin)]
        c = rng.normal(size=nout).tolist()
        inputs = model.parameters() + xs

        def loss(*_: Value, model: Module = model, xs: list[Value] = xs, c: Any = c) -> Value:
            return weighted_sum(model(xs), c)

        assert gradcheck(loss, inputs)
        assert all(p.grad == 0.0 for p in inputs)  # gradcheck leaves grads as they were


def torch_sequential(torch: Any, model: MLP, act: str | None) -> Any:
    """The same network in torch, float64, with model's weights loaded."""
    mods: list[Any] = []
    for i, layer in enumerate(model.layers):
        mods.append(torch.nn.Linear(layer.in_features, layer.out_features))
        if i < len(model.layers) - 1 and act is not None:
            mods.append(
                {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "sigmoid": torch.nn.Sigmoid}[act]()
            )
    seq = torch.nn.Sequential(*mods).double()
    linears = [m for m in seq if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for ours, theirs in zip(model.layers, linears, strict=True):
            theirs.weight.copy_(
                torch.tensor([[w.data for w in row] for row in ours.weight], dtype=torch.float64)
            )
            assert ours.bias is not None
            theirs.bias.copy_(torch.tensor([b.data for b in ours.bias], dtype=torch.float64))
    return seq, linears


@pytest.mark.torch
@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid", None])
@pytest.mark.parametrize("graph", ["compact", "fine"])
def test_mlp_values_and_gradients_match_torch(torch: Any, act: str | None, graph: str) -> None:
    rng = np.random.default_rng(11)
    model = MLP(4, [6, 5, 3], activation=act, seed=2, graph=graph)  # type: ignore[arg-type]
    seq, linears = torch_sequential(torch, model, act)
    for _ in range(3):
        x = rng.normal(size=4)
        c = rng.normal(size=3)
        model.zero_grad()
        seq.zero_grad()
        xs = [Value(float(v)) for v in x]
        out = model(xs)
        weighted_sum(out, c.tolist()).backward()
        tx = torch.tensor(x, requires_grad=True)
        tout = seq(tx)
        (tout * torch.tensor(c)).sum().backward()
        np.testing.assert_allclose(data(out), tout.detach().numpy(), rtol=REL, atol=ABS)
        np.testing.assert_allclose(grads(xs), tx.grad.numpy(), rtol=REL, atol=ABS)
        for ours, theirs in zip(model.layers, linears, strict=True):
            assert ours.bias is not None
            np.testing.assert_allclose(
                [[w.grad for w in row] for row in ours.weight],
                theirs.weight.grad.numpy(),
                rtol=REL,
                atol=ABS,
            )
            np.testing.assert_allclose(
                grads(ours.bias), theirs.bias.grad.numpy(), rtol=REL, atol=ABS
            )


@pytest.mark.torch
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(torch: Any, bias: bool) -> None:
    rng = np.random.default_rng(12)
    model = Linear(5, 3, bias=bias, seed=4)
    theirs = torch.nn.Linear(5, 3, bias=bias).double()
    theirs.load_state_dict({k: torch.tensor(v) for k, v in model.state_dict().items()})
    x, c = rng.normal(size=5), rng.normal(size=3)
    out = model(x.tolist())
    weighted_sum(out, c.tolist()).backward()
    tout = theirs(torch.tensor(x))
    (tout * torch.tensor(c)).sum().backward()
    np.testing.assert_allclose(data(out), tout.detach().numpy(), rtol=REL, atol=ABS)
    np.testing.assert_allclose(
        [[w.grad for w in row] for row in model.weight], theirs.weight.grad.numpy(), rtol=REL
    )
    if bias:
        assert model.bias is not None
        np.testing.assert_allclose(grads(model.bias), theirs.bias.grad.numpy(), rtol=REL)


@pytest.mark.torch
@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid"])
def test_layer_and_neuron_match_torch(torch: Any, act: str) -> None:
    rng = np.random.default_rng(13)
    layer = Layer(4, 3, activation=act, seed=6)  # type: ignore[arg-type]
    theirs = torch.nn.Linear(4, 3).double()
    with torch.no_grad():
        theirs.weight.copy_(
            torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
        )
        theirs.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
    f = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}[act]
    x, c = rng.normal(size=4), rng.normal(size=3)
    out = layer(x.tolist())
    weighted_sum(out, c.tolist()).backward()
    tout = f(theirs(torch.tensor(x)))
    (tout * torch.tensor(c)).sum().backward()
    np.testing.assert_allclose(data(out), tout.detach().numpy(), rtol=REL, atol=ABS)
    for i, neuron in enumerate(layer.neurons):
        np.testing.assert_allclose(
            grads(neuron.w), theirs.weight.grad[i].numpy(), rtol=REL, atol=ABS
        )
        assert neuron.b.grad == pytest.approx(float(theirs.bias.grad[i]), rel=REL, abs=ABS)


def test_gradients_reach_input_values() -> None:
    w = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, -1.0]])
    model = Linear(3, 2, init={"weight": w, "bias": [0.0, 0.0]})
    xs = [Value(1.0), Value(2.0), Value(3.0)]
    weighted_sum(model(xs), [1.0, 10.0]).backward()
    assert grads(xs).tolist() == (w[0] + 10.0 * w[1]).tolist()
    # through an MLP too, and the same input Value may appear twice
    mlp = MLP(2, [3, 1], activation="tanh", seed=0)
    a = Value(0.4)
    out = mlp([a, a])
    assert isinstance(out, Value)
    out.backward()
    assert a.grad != 0.0
    assert gradcheck(lambda v: mlp([v, v]), [Value(0.4)])  # type: ignore[arg-type, return-value]


# -- graph="fine" and graph="compact" -------------------------------------------------------


def make(cls: str, graph: str) -> Module:
    return {
        "Linear": lambda: Linear(4, 3, seed=9, graph=graph),
        "Linear(bias=False)": lambda: Linear(4, 3, bias=False, seed=9, graph=graph),
        "Neuron": lambda: Neuron(4, activation="sigmoid", seed=9, graph=graph),
        "Layer": lambda: Layer(4, 3, seed=9, graph=graph),
        "MLP": lambda: MLP(4, [5, 3], activation="tanh", seed=9, graph=graph),
    }[cls]()  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("cls", ["Linear", "Linear(bias=False)", "Neuron", "Layer", "MLP"])
def test_fine_and_compact_give_the_same_values_and_gradients(cls: str) -> None:
    fine, compact = make(cls, "fine"), make(cls, "compact")
    assert all(
        np.array_equal(a, b)
        for a, b in zip(fine.state_dict().values(), compact.state_dict().values(), strict=True)
    )
    x = [0.7, -1.3, 0.2, 2.1]
    c = [0.5, -2.0, 1.5]
    results = []
    for model in (fine, compact):
        xs = [Value(v) for v in x]
        out = model(xs)
        n = 1 if isinstance(out, Value) else len(out)
        weighted_sum(out, c[:n]).backward()
        results.append((data(out), grads(model.parameters()), grads(xs)))
    for got_fine, got_compact in zip(results[0], results[1], strict=True):
        np.testing.assert_allclose(got_fine, got_compact, rtol=1e-12, atol=1e-15)
    assert np.any(results[0][1] != 0.0)


def micrograd_nodes(root: Any) -> int:
    """Non-leaf nodes of a micrograd graph."""
    seen, stack, count = set(), [root], 0
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        count += node._op != ""
        stack.extend(node._prev)
    return count


@pytest.mark.micrograd
def test_fine_graph_has_micrograds_node_count(micrograd: Any) -> None:
    micrograd_nn = micrograd.nn
    ours = MLP(3, [4, 5, 1], graph="fine", seed=0)
    theirs = micrograd_nn.MLP(3, [4, 5, 1])
    for layer, their_layer in zip(ours.layers, theirs.layers, strict=True):
        assert layer.bias is not None
        for row, b, neuron in zip(layer.weight, layer.bias, their_layer.neurons, strict=True):
            for w, their_w in zip(row, neuron.w, strict=True):
                their_w.data = w.data
            neuron.b.data = b.data
    x = [0.5, -1.5, 2.0]
    out, their_out = ours(x), theirs(x)
    assert isinstance(out, Value)
    # per neuron: n mul + n add, plus relu on hidden layers
    expected = 4 * (2 * 3 + 1) + 5 * (2 * 4 + 1) + 1 * (2 * 5)
    assert len(topological_order(out)) == expected
    assert micrograd_nodes(their_out) == expected
    assert out.data == pytest.approx(their_out.data, rel=1e-12, abs=1e-15)


def test_node_counts_by_formula() -> None:
    x = [0.5, -1.5, 2.0]
    neuron = Neuron(3, activation="tanh", graph="fine", seed=0)
    assert len(topological_order(neuron(x))) == 3 + 3 + 1
    assert len(topological_order(Neuron(3, activation=None, graph="fine", seed=0)(x))) == 6
    no_bias = Linear(3, 1, bias=False, graph="fine", seed=0)(x)
    assert isinstance(no_bias, Value)
    assert len(topological_order(no_bias)) == 3 + 2  # w0x0 + w1x1 + w2x2
    # compact: one node per neuron, its activation included
    model = MLP(3, [4, 5, 1], graph="compact", seed=0)
    compact = model(x)
    assert isinstance(compact, Value)
    order = topological_order(compact)
    assert len(order) == 4 + 5 + 1
    assert compact.op == "affine" and len(compact.parents) == 5 + 5 + 1
    assert [node.op for node in order] == ["affine"] + ["affine_relu"] * 9
    hidden = order[1]
    assert hidden.parents[:4] == model.layers[1].weight[0]
    assert hidden.parents[-1] is model.layers[1].bias[0]


# -- inputs -------------------------------------------------------------------------------


def test_inputs_as_lists_tuples_numpy_rows_and_values() -> None:
    model = Linear(3, 2, seed=0)
    expected = data(model([1.0, 2.0, 3.0]))
    for x in (
        [1, 2, 3],
        (1.0, 2.0, 3.0),
        np.array([1.0, 2.0, 3.0]),
        np.array([1, 2, 3]),
        np.array([1.0, 2.0, 3.0], dtype=np.float32),
        [np.float64(1.0), np.int64(2), 3.0],
        [Value(1.0), 2.0, Value(3.0)],
    ):
        assert data(model(x)).tolist() == expected.tolist()
    one = Linear(1, 1, init={"weight": [[2.0]], "bias": [0.5]})
    assert data(one(3.0)).tolist() == [6.5]
    assert data(one([3.0])).tolist() == [6.5]


@pytest.mark.parametrize(
    "model",
    [Linear(3, 2, seed=0), Neuron(3, seed=0), Layer(3, 2, seed=0), MLP(3, [4, 1], seed=0)],
    ids=["Linear", "Neuron", "Layer", "MLP"],
)
def test_wrong_input_length_names_both_sizes(model: Module) -> None:
    for x in ([1.0] * 5, np.zeros(5), [1.0, 2.0]):
        with pytest.raises(ValueError) as error:
            model(x)
        message = str(error.value)
        assert re.search(r"\b3\b", message), message
        assert re.search(rf"\b{len(x)}\b", message), message
    with pytest.raises(ValueError):
        model(np.zeros((1, 3)))  # a 2-D array is not a row


@pytest.mark.parametrize(
    "bad",
    [
        "abc",
        None,
        {"a": 1.0},
        {1.0, 2.0, 3.0},
        [1.0, "2", 3.0],
        [1.0, None, 3.0],
        [True, 1.0, 2.0],
        [1j, 1.0, 2.0],
    ],
    ids=["str", "None", "dict", "set", "str item", "None item", "bool item", "complex item"],
)
def test_wrong_input_types_raise_type_error(bad: object) -> None:
    for model in (
        Linear(3, 2, seed=0),
        MLP(3, [2, 1], seed=0),
        Neuron(3, seed=0),
        Layer(3, 2, seed=0),
    ):
        with pytest.raises(TypeError):
            model(bad)
    with pytest.raises(TypeError):
        Linear(1, 1, seed=0)(True)


def test_non_finite_inputs_raise_value_error() -> None:
    with pytest.raises(ValueError):
        Linear(2, 1, seed=0)([1.0, float("nan")])
    with pytest.raises(ValueError):
        Linear(2, 1, seed=0)(np.array([np.inf, 1.0]))


# -- constructor arguments --------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: Linear(0, 2),
        lambda: Linear(2, -1),
        lambda: Linear(2.0, 2),  # type: ignore[arg-type]
        lambda: Linear(True, 2),
        lambda: Neuron(0),
        lambda: Layer(2, 0),
        lambda: MLP(2, []),
        lambda: MLP(2, [3, 0]),
        lambda: MLP(2, "31"),  # type: ignore[arg-type]
        lambda: Neuron(2, activation="softmax"),  # type: ignore[arg-type]
        lambda: MLP(2, [1], activation="gelu"),  # type: ignore[arg-type]
        lambda: Linear(2, 2, graph="medium"),  # type: ignore[arg-type]
        lambda: Neuron(2, graph="dense"),  # type: ignore[arg-type]
    ],
)
def test_bad_constructor_arguments_raise_value_error(build: Callable[[], Module]) -> None:
    with pytest.raises(ValueError):
        build()


# -- predict --------------------------------------------------------------------------------


class Recording(MLP):
    """An MLP that keeps every output its forward produced."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outputs: list[Value] = []

    def forward(self, x: object) -> Value | list[Value]:
        out = super().forward(x)
        self.outputs.extend(out if isinstance(out, list) else [out])
        return out


def test_predict_shapes_and_values() -> None:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(6, 3))
    for nouts, shape in (([4, 1], (6,)), ([4, 2], (6, 2))):
        state = random_mlp_init(rng, [3, *nouts])
        model = MLP(3, nouts, init=state)
        got = model.predict(X)
        assert isinstance(got, np.ndarray)
        assert got.shape == shape and got.dtype == np.float64
        ws = [state[f"layers.{i}.weight"] for i in range(2)]
        bs = [state[f"layers.{i}.bias"] for i in range(2)]
        expected = np.array([mlp_forward(ws, bs, x, "relu") for x in X]).reshape(shape)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=ABS)
        called = np.array([data(model(x)) for x in X]).reshape(shape)
        assert np.array_equal(got, called)
    assert Linear(3, 1, seed=0).predict(X.tolist()).shape == (6,)


def test_predict_with_no_rows_keeps_the_output_width() -> None:
    assert MLP(3, [4, 1], seed=0).predict(np.zeros((0, 3))).shape == (0,)
    assert MLP(3, [4, 2], seed=0).predict(np.zeros((0, 3))).shape == (0, 2)


def test_predict_builds_no_graph() -> None:
    model = Recording(3, [4, 2], seed=0)
    X = np.random.default_rng(0).normal(size=(5, 3))
    normal = model(X[0])
    assert isinstance(normal, list)
    assert len(topological_order(normal[0])) > 0  # a normal call builds a graph
    model.outputs.clear()
    got = model.predict(X)
    assert len(model.outputs) == 5 * 2
    assert all(v.is_leaf and topological_order(v) == [] for v in model.outputs)
    assert all(isinstance(x, float) for x in got.ravel().tolist())
    assert all(p.grad == 0.0 for p in model.parameters())
    assert autograd.is_grad_enabled()
    assert topological_order(model(X[0])[0]) != []  # recording is on again afterwards


def test_predict_rejects_non_2d_input() -> None:
    model = MLP(3, [2, 1], seed=0)
    for bad in (np.zeros(3), np.zeros((2, 3, 1)), 1.0):
        with pytest.raises(ValueError, match="2-D"):
            model.predict(bad)
    with pytest.raises(ValueError):
        model.predict(np.zeros((4, 2)))  # rows of the wrong length
    assert autograd.is_grad_enabled()


# -- graduating to PyTorch -------------------------------------------------------------------


@pytest.mark.torch
def test_trained_mlp_moves_to_torch(torch: Any) -> None:
    model = MLP(2, [8, 8, 1], seed=0)
    # a few steps of training so the weights are not just the initial draw
    X = np.random.default_rng(1).normal(size=(20, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    for _ in range(3):
        model.zero_grad()
        preds = [model(x) for x in X]
        loss = autograd.mean([(p - t) ** 2 for p, t in zip(preds, y, strict=True)])  # type: ignore[operator]
        loss.backward()
        for p in model.parameters():
            p.data -= 0.1 * p.grad
    seq = torch.nn.Sequential(
        torch.nn.Linear(2, 8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 1),
    ).double()
    state = {
        re.sub(r"^layers\.(\d+)\.", lambda m: f"{2 * int(m[1])}.", k): torch.from_numpy(v)
        for k, v in model.state_dict().items()
    }
    result = seq.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    with torch.no_grad():
        theirs = seq(torch.from_numpy(X)).numpy()
    assert theirs.shape == (20, 1)
    np.testing.assert_allclose(model.predict(X), theirs[:, 0], rtol=1e-12, atol=1e-15)


def test_backward_on_several_outputs_says_what_to_do() -> None:
    layer = Linear(2, 3, seed=0)
    outputs = layer([1.0, 2.0])
    assert isinstance(outputs, list) and len(outputs) == 3
    with pytest.raises(RuntimeError, match=r"returned 3 outputs(.|\n)*call it on a loss"):
        outputs.backward()  # type: ignore[attr-defined]
    assert all(p.grad == 0.0 for p in layer.parameters())
    one = Linear(2, 1, seed=0)([1.0, 2.0])
    one.backward()  # one output is a Value: fine
