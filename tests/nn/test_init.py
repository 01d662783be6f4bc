"""``nn.init`` and ``seed=``: the initialisations (PyTorch's default, micrograd's, zeros, given
values), seeded and global generators, and bad arguments."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import nn
from nn import MLP, Layer, Linear, Module, Neuron
from tests.nn.random_weights import random_mlp_init


def test_default_init_is_torchs_uniform_bound() -> None:
    model = Linear(400, 50, seed=0)
    state = model.state_dict()
    bound = 1.0 / math.sqrt(400)
    w, b = state["weight"].ravel(), state["bias"]
    assert np.all(np.abs(w) <= bound) and np.all(np.abs(b) <= bound)
    assert len(np.unique(w)) == w.size and len(np.unique(b)) == b.size
    # spread of U(-a, a): max |w| near a, standard deviation a / √3, mean 0
    assert np.abs(w).max() > 0.99 * bound
    assert np.std(w) == pytest.approx(bound / math.sqrt(3), rel=0.03)
    assert abs(np.mean(w)) < 0.02 * bound
    assert np.abs(b).max() > 0.8 * bound


def test_default_init_bounds_per_layer_of_an_mlp() -> None:
    model = MLP(3, [16, 9, 2], seed=1)
    for layer, fan_in in zip(model.layers, (3, 16, 9), strict=True):
        bound = 1.0 / math.sqrt(fan_in)
        w = np.array([[v.data for v in row] for row in layer.weight])
        assert layer.bias is not None
        b = np.array([v.data for v in layer.bias])
        assert np.all(np.abs(w) <= bound) and np.all(np.abs(b) <= bound)
        assert np.abs(w).max() > 0.5 * bound
        assert len(np.unique(w)) == w.size


def test_micrograd_init() -> None:
    model = Linear(50, 40, init="micrograd", seed=0)
    state = model.state_dict()
    w = state["weight"]
    assert np.all(np.abs(w) <= 1.0)
    assert np.abs(w).max() > 0.99
    assert np.std(w) == pytest.approx(1 / math.sqrt(3), rel=0.03)
    assert np.all(state["bias"] == 0.0)
    neuron = Neuron(2000, seed=0)
    nw = neuron.state_dict()["w"]
    assert np.all(np.abs(nw) <= 1.0) and np.abs(nw).max() > 0.99
    assert neuron.b.data == 0.0
    mlp = MLP(20, [30, 2], init="micrograd", seed=0)
    assert all(np.all(v == 0.0) for k, v in mlp.state_dict().items() if k.endswith("bias"))
    assert mlp.state_dict()["layers.0.weight"].max() > 0.9


def test_zeros_init() -> None:
    for model in (Linear(3, 2, init="zeros"), MLP(3, [4, 2], init="zeros", seed=5)):
        assert all(np.all(v == 0.0) for v in model.state_dict().values())


def test_mapping_init_gives_exactly_those_values() -> None:
    w = [[0.1, 0.2, 0.3], [1 / 3, -2.5, 1e-300]]
    model = Linear(3, 2, init={"weight": w, "bias": [7.0, -0.0]})
    assert model.state_dict()["weight"].tolist() == w
    assert model.state_dict()["bias"].tolist() == [7.0, 0.0]
    state = random_mlp_init(np.random.default_rng(0), [2, 3, 1])
    mlp = MLP(2, [3, 1], init=state)
    for key, array in mlp.state_dict().items():
        assert np.array_equal(array, state[key])
    with pytest.raises(ValueError):
        Linear(3, 2, init={"weight": w})  # bias missing
    with pytest.raises(ValueError):
        Linear(3, 2, init={"weight": np.zeros((3, 2)), "bias": [0.0, 0.0]})


@pytest.mark.parametrize("bad", ["kaiming", "Default", "", "zero", None, 0.5])
def test_bad_init_raises_value_error(bad: Any) -> None:
    with pytest.raises(ValueError, match="init"):
        Linear(2, 2, init=bad)
    with pytest.raises(ValueError, match="init"):
        MLP(2, [2, 1], init=bad)


@pytest.mark.parametrize(
    "build",
    [
        lambda s: Linear(4, 3, seed=s),
        lambda s: Linear(4, 3, init="micrograd", seed=s),
        lambda s: Neuron(4, seed=s),
        lambda s: Layer(4, 3, seed=s),
        lambda s: MLP(4, [3, 2], seed=s),
    ],
    ids=["Linear", "Linear(micrograd)", "Neuron", "Layer", "MLP"],
)
def test_seeds(build: Callable[[int | None], Module]) -> None:
    def weights(model: Module) -> list[float]:
        return [p.data for p in model.parameters() if p.data != 0.0]

    assert weights(build(7)) == weights(build(7))
    assert weights(build(7)) != weights(build(8))
    nn.manual_seed(1234)
    first = weights(build(None))
    second = weights(build(None))
    nn.manual_seed(1234)
    assert weights(build(None)) == first
    assert first != second  # unseeded models drawn one after the other differ


def test_neurons_and_layers_of_one_seed_differ() -> None:
    layer = Layer(3, 4, seed=1)
    rows = [tuple(p.data for p in n.w) for n in layer.neurons]
    assert len(set(rows)) == 4
    mlp = MLP(4, [4, 4, 4], seed=0)
    s = mlp.state_dict()
    assert not np.array_equal(s["layers.1.weight"], s["layers.2.weight"])


def test_bad_seed_raises_type_error() -> None:
    with pytest.raises(TypeError):
        Linear(2, 2, seed="1")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        nn.manual_seed(1.5)  # type: ignore[arg-type]
