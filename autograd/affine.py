"""A layer of neurons that read the same inputs: yⱼ = act(wⱼ·x + bⱼ), one node per neuron.

``AffineLayer(weights, biases, activation)(inputs)`` returns one Value per neuron. Each
is an ordinary node to everything that reads the graph: its ``parents`` are
(wⱼ₁ … wⱼₙ, x₁ … xₙ, bⱼ), in that order, and its op states the local derivatives

    ∂yⱼ/∂wⱼᵢ = act'(zⱼ)·xᵢ,   ∂yⱼ/∂xᵢ = act'(zⱼ)·wⱼᵢ,   ∂yⱼ/∂bⱼ = act'(zⱼ),

where zⱼ = wⱼ·x + bⱼ, so ``backward_steps()``, hooks, anomaly mode and drawings see one
chain-rule step per (neuron, input) pair.

``backward()`` takes a shorter road with the same arithmetic up to rounding. The
neurons of one call hang from a hidden node, the *layer call*, that holds the inputs.
Each neuron hands the call its gradient δⱼ = ∂L/∂yⱼ · act'(zⱼ); once all of them have
(the call comes after them in topological order), the inputs receive
∂L/∂xᵢ = Σⱼ δⱼ wⱼᵢ, one sum per input. The weights, which are leaves and so are needed
by nothing later in the pass, wait: after the pass, each layer adds
∂L/∂wⱼᵢ = Σ_calls δⱼ xᵢ and ∂L/∂bⱼ = Σ_calls δⱼ for all its calls at once, as one matrix
product (δ rows stacked) ᵀ × (input rows stacked) in numpy. A call whose δ are all
zero (a sample past the hinge margin, a dead relu) is skipped.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from itertools import repeat
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from autograd import ops
from autograd.anomaly import ANOMALY, record
from autograd.grad_mode import GRAD_MODE
from autograd.value import DATA_CLOCK, MANY_INPUTS, Value, _constant, _leaf, _new

if TYPE_CHECKING:
    from collections.abc import Callable

_multiply = operator.mul
_data_of = operator.attrgetter("_data")

ACTIVATIONS = ("relu", "tanh", "sigmoid", None)


def _relu_values(z: list[float]) -> list[float]:
    return [v if v > 0.0 else 0.0 for v in z]


def _tanh_values(z: list[float]) -> list[float]:
    return list(map(math.tanh, z))


def _sigmoid_values(z: list[float]) -> list[float]:
    return [ops.SIGMOID.forward(v) for v in z]


_FORWARD: dict[str | None, Callable[[list[float]], list[float]] | None] = {
    "relu": _relu_values,
    "tanh": _tanh_values,
    "sigmoid": _sigmoid_values,
    None: None,
}


class _LayerCall:
    """The hidden node between one call's inputs and its neurons (never a ``Value``).

    It has the slots the graph traversal reads: ``_a`` (the inputs), ``_b``, ``_op``
    (the layer), ``_stamp``, ``_visit``, and ``grad``, which during a backward pass holds
    the list of δⱼ its neurons hand it.
    """

    __slots__ = ("_a", "_b", "_op", "_stamp", "_visit", "grad", "inputs_data", "columns")

    _a: tuple[Value, ...]
    _b: object
    _op: AffineLayer
    _stamp: int
    _visit: object
    grad: float | list[float]
    inputs_data: list[float]  # x as of the forward pass, for the weights' gradients
    columns: list[list[float]]  # the weights' data, by input, as of the forward pass


class AffineOutput(ops.Op):
    """Neuron j of an ``AffineLayer``: f(wⱼ, x, bⱼ) = act(wⱼ₁x₁ + … + wⱼₙxₙ + bⱼ).

    Inputs are ordered wⱼ₁…wⱼₙ, x₁…xₙ, then bⱼ (if the layer has biases);
    ∂f/∂wⱼᵢ = act'·xᵢ, ∂f/∂xᵢ = act'·wⱼᵢ, ∂f/∂bⱼ = act', with act' read from the output
    (relu' = 1 where the output is positive, else 0; tanh' = 1 - y²; sigmoid' = y(1 - y)).
    """

    __slots__ = ("index",)
    name = "affine"
    symbol = "w·x+b"
    activation: ClassVar[str | None] = None

    # An op knows only its neuron's index; the layer is reached through the output's layer
    # call, so that layers and ops hold no reference cycle (a dropped layer is freed at once)
    # and one op per (activation, index) serves every layer.
    def __init__(self, index: int) -> None:
        self.index = index

    @staticmethod
    def slope(y: float) -> float:
        """act'(z), written in terms of the output y = act(z)."""
        return 1.0

    def parents_of(self, out: Value) -> tuple[Value, ...]:
        """(wⱼ₁ … wⱼₙ, x₁ … xₙ, bⱼ) of the neuron ``out``."""
        call: _LayerCall = out._a  # type: ignore[assignment]
        layer, inputs = call._op, call._a
        bias = () if layer.biases is None else (layer.biases[self.index],)
        return (*layer.weights[self.index], *inputs, *bias)

    def local_derivatives(self, out: Value) -> tuple[float, ...]:
        slope = self.slope(out._data)
        call: _LayerCall = out._a  # type: ignore[assignment]
        layer, inputs = call._op, call._a
        by_weight = [slope * x._data for x in inputs]
        by_input = [slope * w._data for w in layer.weights[self.index]]
        return (*by_weight, *by_input, *(() if layer.biases is None else (slope,)))

    def backward(self, out: Value, upstream: float) -> None:
        """Hand δⱼ = upstream · act'(zⱼ) to the layer call (see the module's docstring)."""
        call: _LayerCall = out._a  # type: ignore[assignment]
        deltas = call.grad
        if deltas.__class__ is float:  # the first of this call's neurons in this pass
            deltas = call.grad = [0.0] * len(call._op.weights)
        deltas[self.index] = upstream * self.slope(out._data)  # type: ignore[index]


class _ReluOutput(AffineOutput):
    __slots__ = ()
    name = "affine_relu"
    symbol = "relu(w·x+b)"
    activation = "relu"

    def backward(self, out: Value, upstream: float) -> None:
        call: _LayerCall = out._a  # type: ignore[assignment]
        deltas = call.grad
        if deltas.__class__ is float:
            deltas = call.grad = [0.0] * len(call._op.weights)
        if out._data > 0.0:
            deltas[self.index] = upstream  # type: ignore[index]

    @staticmethod
    def slope(y: float) -> float:
        return 1.0 if y > 0.0 else 0.0


class _TanhOutput(AffineOutput):
    __slots__ = ()
    name = "affine_tanh"
    symbol = "tanh(w·x+b)"
    activation = "tanh"

    @staticmethod
    def slope(y: float) -> float:
        return 1.0 - y * y


class _SigmoidOutput(AffineOutput):
    __slots__ = ()
    name = "affine_sigmoid"
    symbol = "sigmoid(w·x+b)"
    activation = "sigmoid"

    @staticmethod
    def slope(y: float) -> float:
        return y * (1.0 - y)


_OUTPUT_OPS: dict[str | None, type[AffineOutput]] = {
    "relu": _ReluOutput,
    "tanh": _TanhOutput,
    "sigmoid": _SigmoidOutput,
    None: AffineOutput,
}

_OUTPUT_OP_CACHE: dict[str | None, list[AffineOutput]] = {}


def _output_ops(activation: str | None, count: int) -> tuple[AffineOutput, ...]:
    """The ops of neurons 0 … count - 1 with ``activation``, shared by all layers."""
    made = _OUTPUT_OP_CACHE.setdefault(activation, [])
    op_type = _OUTPUT_OPS[activation]
    made.extend(op_type(j) for j in range(len(made), count))
    return tuple(made[:count])


# Layers holding weight gradients that this backward pass has not yet added.
PENDING: list[AffineLayer] = []


class AffineLayer:
    """m neurons reading the same n inputs: yⱼ = act(Σᵢ wⱼᵢ xᵢ + bⱼ) for j = 1 … m.

    ``weights`` is m rows of n leaf Values, ``biases`` m leaf Values or None, and
    ``activation`` one of ``"relu"``, ``"tanh"``, ``"sigmoid"`` or None. Calling the
    layer on n inputs (Values or numbers) returns the m outputs as Values, one node each
    (see the module's docstring for how ``backward()`` goes through them).

    The layer reads its weights' ``.data`` once and keeps it until some ``.data`` is
    assigned anywhere; replace a weight by assigning its ``.data``, not the Value.
    """

    __slots__ = (
        "weights",
        "biases",
        "activation",
        "_outputs",
        "_activate",
        "_data_at",
        "_rows",
        "_columns",
        "_bias_data",
        "_pending_deltas",
        "_pending_inputs",
        "_visit",
    )

    def __init__(
        self,
        weights: Sequence[Sequence[Value]],
        biases: Sequence[Value] | None = None,
        activation: str | None = None,
    ) -> None:
        if activation not in ACTIVATIONS:
            raise ValueError(
                f"AffineLayer: activation must be 'relu', 'tanh', 'sigmoid' or None, "
                f"got {activation!r}"
            )
        rows = tuple(tuple(row) for row in weights)
        if not rows or not rows[0]:
            raise ValueError("AffineLayer: needs at least one row of at least one weight")
        if any(len(row) != len(rows[0]) for row in rows):
            raise ValueError("AffineLayer: every row of weights must have the same length")
        bias = None if biases is None else tuple(biases)
        if bias is not None and len(bias) != len(rows):
            raise ValueError(f"AffineLayer: {len(rows)} rows of weights but {len(bias)} biases")
        for value in (*(w for row in rows for w in row), *(bias or ())):
            if not isinstance(value, Value) or not value.is_leaf:
                raise TypeError(
                    f"AffineLayer: weights and biases must be leaf Values, got {value!r}"
                )
        self.weights = rows
        self.biases = bias
        self.activation = activation
        self._outputs = _output_ops(activation, len(rows))
        self._activate = _FORWARD[activation]
        self._data_at = -1
        self._rows: list[list[float]] = []
        self._columns: list[list[float]] = []
        self._bias_data: list[float] = []
        self._pending_deltas: list[list[float]] = []
        self._pending_inputs: list[list[float]] = []
        self._visit: object = None

    @property
    def in_features(self) -> int:
        return len(self.weights[0])

    @property
    def out_features(self) -> int:
        return len(self.weights)

    def parameters(self) -> tuple[Value, ...]:
        """Every weight (row by row), then every bias."""
        return (*(w for row in self.weights for w in row), *(self.biases or ()))

    def _read_parameters(self) -> None:
        """Copy the parameters' data, if any ``.data`` was assigned since the last copy."""
        self._rows = [[w._data for w in row] for row in self.weights]
        self._columns = [list(column) for column in zip(*self._rows, strict=True)]
        self._bias_data = (
            [b._data for b in self.biases] if self.biases is not None else [0.0] * len(self._rows)
        )
        self._data_at = DATA_CLOCK.now

    def __call__(self, inputs: Sequence[Value | float]) -> list[Value]:
        """The m outputs act(wⱼ·x + bⱼ) for the n ``inputs`` (numbers become leaves)."""
        xs: tuple[Value, ...] = tuple(inputs)  # type: ignore[arg-type]  # checked below
        if len(xs) != len(self.weights[0]):
            raise ValueError(f"affine: expected {len(self.weights[0])} inputs, got {len(xs)}")
        if not all(map(isinstance, xs, repeat(Value))):  # numbers among them: make leaves
            xs = tuple(x if isinstance(x, Value) else _constant(x, self._outputs[0]) for x in xs)
        if self._data_at != DATA_CLOCK.now:
            self._read_parameters()
        data = list(map(_data_of, xs))
        z = [
            sum(map(_multiply, row, data), b)
            for row, b in zip(self._rows, self._bias_data, strict=False)
        ]
        if not all(map(math.isfinite, z)):
            j = next(j for j, v in enumerate(z) if not math.isfinite(v))
            raise OverflowError(
                f"{self._outputs[j].name}: the sum of {len(data)} products overflowed a float "
                f"(neuron {j})"
            )
        activate = self._activate
        if activate is not None:
            z = activate(z)
        now = DATA_CLOCK.now
        if not GRAD_MODE.enabled:
            return [_leaf(y) for y in z]
        call = _new(_LayerCall)
        call._a = xs
        call._b = MANY_INPUTS
        call._op = self
        call._stamp = now
        call._visit = None
        call.grad = 0.0
        call.inputs_data = data
        call.columns = self._columns
        outputs = []
        for y, op in zip(z, self._outputs, strict=False):
            out: Value = _new(Value)
            out._data = y
            out.grad = 0.0
            out.label = None
            out._a = call  # type: ignore[assignment]
            out._b = MANY_INPUTS
            out._op = op
            out._stamp = now
            out._visit = None
            outputs.append(out)
        if ANOMALY.enabled:
            for out in outputs:
                record(out)
        return outputs

    def backward(self, call: _LayerCall, deltas: float | list[float]) -> None:
        """∂L/∂xᵢ += Σⱼ δⱼ wⱼᵢ for each input now; the weights' share waits for ``flush``."""
        if deltas.__class__ is float or not any(deltas):  # type: ignore[arg-type]
            return
        for x, column in zip(call._a, call.columns, strict=False):
            x.grad += sum(map(_multiply, column, deltas))  # type: ignore[arg-type]
        if not self._pending_deltas:
            PENDING.append(self)
        self._pending_deltas.append(deltas)  # type: ignore[arg-type]
        self._pending_inputs.append(call.inputs_data)

    def flush(self) -> None:
        """Add ∂L/∂wⱼᵢ = Σ δⱼ xᵢ and ∂L/∂bⱼ = Σ δⱼ over the calls this pass went through."""
        deltas = np.array(self._pending_deltas)
        weight_grads = (deltas.T @ np.array(self._pending_inputs)).tolist()
        self._pending_deltas = []
        self._pending_inputs = []
        for row, grads in zip(self.weights, weight_grads, strict=True):
            for w, g in zip(row, grads, strict=True):
                w.grad += g
        if self.biases is not None:
            for b, g in zip(self.biases, deltas.sum(axis=0).tolist(), strict=True):
                b.grad += g

    def discard(self) -> None:
        """Forget the pending gradients of an abandoned pass."""
        self._pending_deltas = []
        self._pending_inputs = []

    def __repr__(self) -> str:
        return (
            f"AffineLayer(in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.biases is not None}, activation={self.activation!r})"
        )


def flush_pending() -> None:
    """Add the weight gradients every layer has been holding back in this pass."""
    for layer in PENDING:
        layer.flush()
    PENDING.clear()


def discard_pending() -> None:
    for layer in PENDING:
        layer.discard()
    PENDING.clear()
