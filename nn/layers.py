"""Models built from Values: ``Neuron`` and ``Layer`` (micrograd's), ``Linear`` (PyTorch's)
and ``MLP``.

A neuron computes act(w₁x₁ + … + wₙxₙ + b). By default (``graph="compact"``) each
neuron is one node, act(w·x + b), built by an ``autograd.AffineLayer`` for all the
neurons of a layer at once; ``graph="fine"`` builds it as micrograd does, one ``*`` and
one ``+`` per input and a separate activation node, for drawing and stepping through
every scalar operation. Both give the same values, and gradients equal to rounding.

A module with one output returns a Value; with several, a list of Values. All four are
registered for saving and loading (``nn.saveable.register``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from itertools import repeat
from typing import Any, Literal

import numpy as np

import autograd
from autograd import Value
from nn import init as initial
from nn.module import Module, Outputs
from nn.saveable import register

Activation = Literal["relu", "tanh", "sigmoid"] | None
Graph = Literal["compact", "fine"]
Init = Literal["default", "micrograd", "zeros"] | Mapping[str, object]

_ACTIVATIONS: dict[str | None, Callable[[Value], Value] | None] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    None: None,
}


def _activation(name: object, where: str) -> Callable[[Value], Value] | None:
    if name not in _ACTIVATIONS:
        raise ValueError(
            f"{where}: activation must be 'relu', 'tanh', 'sigmoid' or None, got {name!r}"
        )
    return _ACTIVATIONS[name]


def _check_graph(graph: object, where: str) -> None:
    if graph not in ("compact", "fine"):
        raise ValueError(f"{where}: graph must be 'compact' or 'fine', got {graph!r}")


def _check_size(value: object, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"{where}: {what} must be a positive int, got {value!r}")
    return int(value)


def as_inputs(x: object, n: int, where: str) -> Sequence[Value]:
    """``x`` (a list of numbers or Values, a 1-D numpy row, or one number when n = 1) as n
    Values; numbers become leaves once here, to be shared by every neuron that reads them."""
    if isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise ValueError(f"{where}: expected a 1-D row of {n} inputs, got shape {x.shape}")
        items: list[object] = x.tolist()
    elif isinstance(x, list | tuple):
        if len(x) == n and all(map(isinstance, x, repeat(Value))):
            return x  # already Values: used as they are
        items = list(x)
    elif isinstance(x, Value | int | float | np.integer | np.floating) and not isinstance(x, bool):
        items = [x]
    else:
        raise TypeError(
            f"{where}: expected a list of numbers or Values, or a numpy row; got {type(x).__name__}"
        )
    if len(items) != n:
        raise ValueError(f"{where}: expected {n} inputs, got {len(items)}")
    return [item if isinstance(item, Value) else Value(item) for item in items]  # type: ignore[arg-type]


def fine_affine(weights: Sequence[Value], inputs: Sequence[Value], bias: Value | None) -> Value:
    """w·x + b as micrograd builds it: a chain of * and +, one node per scalar op,
    ((b + w₁x₁) + w₂x₂) + … (without a bias, (w₁x₁ + w₂x₂) + …)."""
    if len(weights) != len(inputs) or not weights:
        raise ValueError(f"fine_affine: {len(weights)} weights for {len(inputs)} inputs")
    products = list(map(operator.mul, weights, inputs))  # the loops in C: the same nodes
    total: Value = sum(products[1:], products[0]) if bias is None else sum(products, bias)
    return total


def _one_or_list(outputs: list[Value]) -> Value | list[Value]:
    return outputs[0] if len(outputs) == 1 else Outputs(outputs)


def _fine_layer(
    rows: Sequence[Sequence[Value]],
    biases: Sequence[Value | None],
    inputs: Sequence[Value],
    activation: Callable[[Value], Value] | None,
) -> list[Value]:
    outputs = [fine_affine(row, inputs, b) for row, b in zip(rows, biases, strict=True)]
    return outputs if activation is None else [activation(v) for v in outputs]


class _AffineLayers:
    """The ``AffineLayer`` a module's compact graph uses, one per activation, made again
    if the module's weight rows or biases were replaced by other Values."""

    def __init__(self) -> None:
        self._built: dict[str | None, tuple[object, object, autograd.AffineLayer, bool]] = {}

    def get(
        self,
        rows: Sequence[Sequence[Value]],
        biases: Sequence[Value] | None,
        activation: str | None,
    ) -> autograd.AffineLayer:
        built = self._built.get(activation)
        if built is not None and built[3] and built[0] is rows and built[1] is biases:
            return built[2]  # the same tuples as last time: tuples cannot have been edited
        if built is None or not _same_values(built[2], rows, biases):
            layer = autograd.AffineLayer(rows, biases, activation)
        else:
            layer = built[2]
        frozen = (
            rows.__class__ is tuple
            and all(row.__class__ is tuple for row in rows)
            and (biases is None or biases.__class__ is tuple)
        )
        self._built[activation] = (rows, biases, layer, frozen)
        return layer


def _same_values(
    layer: autograd.AffineLayer, rows: Sequence[Sequence[Value]], biases: Sequence[Value] | None
) -> bool:
    """Whether ``layer`` reads exactly these weight rows and biases (the same Values)."""
    if len(layer.weights) != len(rows) or not all(
        len(mine) == len(row) and all(map(operator.is_, mine, row))
        for mine, row in zip(layer.weights, rows, strict=True)
    ):
        return False
    if biases is None or layer.biases is None:
        return biases is None and layer.biases is None
    return len(biases) == len(layer.biases) and all(map(operator.is_, layer.biases, biases))


def _leaves(array: np.ndarray, label: str) -> tuple[Value, ...]:
    """Leaf Values for a 1-D array, labelled ``label[i]``."""
    return tuple(Value(float(v), label=f"{label}[{i}]") for i, v in enumerate(array))


def _leaf_rows(array: np.ndarray, label: str) -> tuple[tuple[Value, ...], ...]:
    """Leaf Values for a 2-D array, labelled ``label[i, j]`` (tuples: a layer that reads
    them keeps them, so they are replaced by assigning ``.data``, never by assignment)."""
    return tuple(
        tuple(Value(float(v), label=f"{label}[{i}, {j}]") for j, v in enumerate(row))
        for i, row in enumerate(array)
    )


@register
class Neuron(Module):
    """micrograd's neuron: act(w·x + b), with w ~ U(-1, 1) and b = 0.

    ``activation`` is ``"relu"`` (micrograd's ``nonlin=True``), ``"tanh"``, ``"sigmoid"``
    or None (linear).
    """

    def __init__(
        self,
        nin: int,
        activation: Activation = "relu",
        seed: int | None = None,
        graph: Graph = "compact",
    ) -> None:
        super().__init__()
        nin = _check_size(nin, "nin", "Neuron")
        self._act = _activation(activation, "Neuron")
        _check_graph(graph, "Neuron")
        self.activation, self.graph = activation, graph
        self.w = _leaves(initial.uniform((nin,), 1.0, initial.generator(seed)), "w")
        self.b = Value(0.0, label="b")
        self._compact = _AffineLayers()

    def forward(self, x: object) -> Value:
        inputs = as_inputs(x, len(self.w), "Neuron")
        if self.graph == "compact":
            return self._compact.get([self.w], [self.b], self.activation)(inputs)[0]
        return _fine_layer([self.w], [self.b], inputs, self._act)[0]

    def config(self) -> dict[str, Any]:
        return {"nin": len(self.w), "activation": self.activation, "graph": self.graph}

    def extra_repr(self) -> str:
        return f"nin={len(self.w)}, activation={self.activation!r}"


@register
class Layer(Module):
    """micrograd's layer: ``nout`` independent neurons reading the same inputs."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: Activation = "relu",
        seed: int | None = None,
        graph: Graph = "compact",
    ) -> None:
        super().__init__()
        nout = _check_size(nout, "nout", "Layer")
        self.activation, self.graph = activation, graph
        rng = initial.generator(seed)
        self.neurons = [
            Neuron(nin, activation, int(rng.integers(2**32)), graph) for _ in range(nout)
        ]
        self._compact = _AffineLayers()

    def forward(self, x: object) -> Value | list[Value]:
        inputs = as_inputs(x, len(self.neurons[0].w), "Layer")
        if self.graph == "compact":
            neurons = self.neurons
            layer = self._compact.get(
                [n.w for n in neurons], [n.b for n in neurons], self.activation
            )
            return _one_or_list(layer(inputs))
        return _one_or_list([neuron(inputs) for neuron in self.neurons])

    def config(self) -> dict[str, Any]:
        return {
            "nin": len(self.neurons[0].w),
            "nout": len(self.neurons),
            "activation": self.activation,
            "graph": self.graph,
        }


@register
class Linear(Module):
    """PyTorch's ``nn.Linear``: y = W x + b with ``weight`` [out, in] and ``bias`` [out].

    ``init``: ``"default"`` is PyTorch's (weight and bias ~ U(-1/√in, 1/√in)),
    ``"micrograd"`` is w ~ U(-1, 1) and b = 0, ``"zeros"`` starts every parameter at 0
    (as the worked examples do), and a mapping ``{"weight": ..., "bias": ...}`` gives values.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: Init = "default",
        seed: int | None = None,
        graph: Graph = "compact",
    ) -> None:
        super().__init__()
        self.in_features = _check_size(in_features, "in_features", "Linear")
        self.out_features = _check_size(out_features, "out_features", "Linear")
        _check_graph(graph, "Linear")
        self.graph: Graph = graph
        weight, bias_values = self._initial_values(init, bias, seed)
        self.weight = _leaf_rows(weight, "weight")
        self.bias = _leaves(bias_values, "bias") if bias_values is not None else None
        self._compact = _AffineLayers()
        if isinstance(init, Mapping):
            self.load_state_dict(init)

    def _initial_values(
        self, init: Init, bias: bool, seed: int | None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        shape = (self.out_features, self.in_features)
        if isinstance(init, Mapping) or init == "zeros":
            weight, b = np.zeros(shape), np.zeros(self.out_features)
        elif init == "default":
            rng = initial.generator(seed)
            bound = initial.linear_bound(self.in_features)
            weight = initial.uniform(shape, bound, rng)
            b = initial.uniform((self.out_features,), bound, rng)
        elif init == "micrograd":
            weight = initial.uniform(shape, 1.0, initial.generator(seed))
            b = np.zeros(self.out_features)
        else:
            raise ValueError(
                f"Linear: init must be 'default', 'micrograd', 'zeros' or a mapping of "
                f"values, got {init!r}"
            )
        return weight, (b if bias else None)

    def forward(self, x: object) -> Value | list[Value]:
        return _one_or_list(self.forward_with(x, None))

    def forward_with(self, x: object, activation: Activation) -> list[Value]:
        """act(W x + b) as a list, ``act`` fused into each neuron's node in the compact
        graph (``MLP`` applies its activation this way) or a node of its own in the fine one."""
        inputs = as_inputs(x, self.in_features, "Linear")
        if self.graph == "compact":
            return self.affine_layer(activation)(inputs)
        biases: Sequence[Value | None] = self.bias or [None] * self.out_features
        return _fine_layer(self.weight, biases, inputs, _ACTIVATIONS[activation])

    def affine_layer(self, activation: Activation = None) -> autograd.AffineLayer:
        """The ``autograd.AffineLayer`` over this layer's weights that the compact graph uses."""
        return self._compact.get(self.weight, self.bias, activation)

    def config(self) -> dict[str, Any]:
        return {
            "in_features": self.in_features,
            "out_features": self.out_features,
            "bias": self.bias is not None,
            "graph": self.graph,
        }

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


@register
class MLP(Module):
    """micrograd's ``MLP(nin, [sizes...])``: ``Linear`` layers, ``activation`` between them
    (ReLU by default) and none after the last. Equivalent to PyTorch's
    ``Sequential(Linear, ReLU, Linear, ...)``; ``init``, ``seed`` and ``graph`` as for
    ``Linear`` (a mapping ``init`` is a whole state dict: ``{"layers.0.weight": ...}``).
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: Activation = "relu",
        init: Init = "default",
        seed: int | None = None,
        graph: Graph = "compact",
    ) -> None:
        super().__init__()
        if not isinstance(nouts, Sequence) or isinstance(nouts, str) or not nouts:
            raise ValueError(f"MLP: nouts must be a non-empty list of layer sizes, got {nouts!r}")
        _activation(activation, "MLP")
        self.activation = activation
        sizes = [_check_size(nin, "nin", "MLP")] + [
            _check_size(n, "layer size", "MLP") for n in nouts
        ]
        rng = initial.generator(seed)
        layer_init: Init = "zeros" if isinstance(init, Mapping) else init
        self.layers = [
            Linear(
                sizes[i],
                sizes[i + 1],
                init=layer_init,
                seed=int(rng.integers(2**32)),
                graph=graph,
            )
            for i in range(len(nouts))
        ]
        if isinstance(init, Mapping):
            self.load_state_dict(init)

    def forward(self, x: object) -> Value | list[Value]:
        *hidden_layers, last = self.layers
        inputs = as_inputs(x, self.layers[0].in_features, "MLP")
        if last.graph == "compact":  # the hidden neurons pass from layer to layer as lists
            out: Any = inputs  # (see AffineLayer.hidden), Values as soon as anyone looks
            for layer in hidden_layers:
                out = layer.affine_layer(self.activation).hidden(out)
            return _one_or_list(last.affine_layer(None)(out))
        for layer in hidden_layers:
            inputs = layer.forward_with(inputs, self.activation)
        return _one_or_list(last.forward_with(inputs, None))

    def config(self) -> dict[str, Any]:
        return {
            "nin": self.layers[0].in_features,
            "nouts": [layer.out_features for layer in self.layers],
            "activation": self.activation,
            "graph": self.layers[0].graph,
        }

    def extra_repr(self) -> str:
        sizes = [self.layers[0].in_features] + [layer.out_features for layer in self.layers]
        return f"sizes={sizes}, activation={self.activation!r}"
