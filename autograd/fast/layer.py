"""Optimisation: a layer of neurons that read the same inputs, yⱼ = act(wⱼ·x + bⱼ).

``AffineLayer(weights, biases, activation)(inputs)`` returns one Value per neuron. Each
is an ordinary node to everything that reads the graph: its ``parents`` are
(wⱼ₁ … wⱼₙ, x₁ … xₙ, bⱼ), in that order, and its op is the core's neuron op
(``ops.Affine``, ``ops.AffineRelu``, ...), whose ``local_derivatives`` state

    ∂yⱼ/∂wⱼᵢ = act'(zⱼ)·xᵢ,   ∂yⱼ/∂xᵢ = act'(zⱼ)·wⱼᵢ,   ∂yⱼ/∂bⱼ = act'(zⱼ),

where zⱼ = wⱼ·x + bⱼ. So the reference backward pass (``autograd.backprop``: stepping,
hooks, anomaly mode, a debugger), and drawings, see one chain-rule step per
(neuron, input) pair.

``autograd.fast.backward`` takes a shorter road with the same arithmetic up to rounding
(tests pin it to the reference within 1e-12). The neurons of one call hang from a hidden
node, the *layer call*, that holds the inputs. Each neuron hands the call its gradient
∂L/∂yⱼ; once all of them have (the call comes after them in topological order), the
call forms δⱼ = ∂L/∂yⱼ · act'(zⱼ) and the inputs receive ∂L/∂xᵢ = Σⱼ δⱼ wⱼᵢ, one sum per
input. The weights, which are leaves and so are needed by nothing later in the pass,
wait: after the pass, each layer adds ∂L/∂wⱼᵢ = Σ_calls δⱼ xᵢ and ∂L/∂bⱼ = Σ_calls δⱼ for
all its calls at once, as one matrix product (δ rows stacked)ᵀ × (input rows stacked) in
numpy. A call whose δ are all zero (a sample past the hinge margin, a dead relu) is
skipped.

``AffineLayer.hidden`` goes one step further for layers that feed another layer: it
makes no Value per neuron. The next call's input is then the call itself, and its
backward hands the list of ∂L/∂xᵢ straight to that call. The neurons become Values, with
the gradients the last pass gave them, the first time anything reads the graph Value by
Value (``parents``): the graph a person sees is the same either way.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from itertools import repeat
from typing import TypeAlias

import numpy as np

from autograd import ops
from autograd.anomaly import ANOMALY, record
from autograd.grad_mode import GRAD_MODE
from autograd.value import DATA_CLOCK, MANY_INPUTS, Value, _constant, _new, _unrecorded

_multiply = operator.mul
_add = operator.add
_data_of = operator.attrgetter("_data")


class LayerCall:
    """The hidden node between one call's inputs and its neurons (never a ``Value``).

    It has the slots the graph traversal reads: ``_a`` (the inputs: Values, or, for a
    layer fed by ``AffineLayer.hidden``, a 1-tuple of the previous call, whose neurons
    become Values only when someone asks for them), ``_b``, ``_op`` (the layer),
    ``_stamp``, ``_visit``, and ``grad``, which in a backward pass gathers ∂L/∂yⱼ for each
    of its neurons.
    """

    __slots__ = (
        "_a",
        "_b",
        "_op",
        "_stamp",
        "_visit",
        "grad",
        "inputs_data",
        "outputs_data",
        "columns",
    )

    _a: tuple[Value | LayerCall, ...]
    _b: object
    _op: AffineLayer
    _stamp: int
    _visit: object
    grad: float | list[float]
    inputs_data: list[float]  # x as of the forward pass, for the weights' gradients
    outputs_data: list[float]  # y, for act'(z) and for the next layer's inputs
    columns: list[list[float]]  # the weights' data, by input, as of the forward pass


def _is_deferred(inputs: tuple[Value | LayerCall, ...]) -> bool:
    """Whether a call's inputs are a previous call whose neurons are not yet Values."""
    return len(inputs) == 1 and inputs[0].__class__ is LayerCall


def _inputs_of(call: LayerCall) -> tuple[Value, ...]:
    """A call's inputs as Values, making the previous call's neurons Values if they were
    deferred (with the gradients the last backward pass gave them)."""
    inputs = call._a
    if _is_deferred(inputs):
        source: LayerCall = inputs[0]  # type: ignore[assignment]
        call._a = inputs = tuple(_neurons(source))
    return inputs  # type: ignore[return-value]


def _neurons(call: LayerCall) -> list[Value]:
    """The Values of a call's neurons, new each time: only ``__call__`` and ``_inputs_of``
    make them, once per call."""
    grads = call.grad if call.grad.__class__ is list else None
    now = call._stamp
    outputs = []
    for j, (y, op) in enumerate(zip(call.outputs_data, call._op._outputs, strict=True)):
        # Written out, not ``value._node``: a neuron records its call whether or not
        # recording is on now (it may be asked for inside a no_grad() block).
        out: Value = _new(Value)
        out._data = y
        out.grad = grads[j] if grads is not None else 0.0
        out.label = None
        out._a = call  # type: ignore[assignment]
        out._b = MANY_INPUTS
        out._op = op
        out._stamp = now
        out._visit = None
        outputs.append(out)
    if ANOMALY.enabled:  # where the layer was called, not where its neurons are asked for
        site = ANOMALY.sites.get(call)  # type: ignore[call-overload]
        for out in outputs:
            if site is None:
                record(out)
            else:
                ANOMALY.sites[out] = site
    return outputs


class _NeuronOfLayer:
    """What a layer adds to the op of its neuron j (``ops.Affine`` and the others): the
    neuron's inputs are read from its layer call, and ``backward()``'s shortcut hands
    the neuron's gradient to the call. The op's math, ``local_derivatives``, is the core
    op's own."""

    __slots__ = ("index",)

    # An op knows only its neuron's index; the layer is reached through the output's layer
    # call, so that layers and ops hold no reference cycle (a dropped layer is freed at once)
    # and one op per (activation, index) serves every layer.
    def __init__(self, index: int) -> None:
        self.index = index

    def parents_of(self, out: Value) -> tuple[Value, ...]:
        """(wⱼ₁ … wⱼₙ, x₁ … xₙ, bⱼ) of the neuron ``out``."""
        call: LayerCall = out._a  # type: ignore[assignment]
        layer, inputs = call._op, _inputs_of(call)
        bias = () if layer.biases is None else (layer.biases[self.index],)
        return (*layer.weights[self.index], *inputs, *bias)

    def backward(self, out: Value, upstream: float) -> None:
        """Hand ∂L/∂yⱼ to the layer call, which applies the chain rule for all its neurons."""
        call: LayerCall = out._a  # type: ignore[assignment]
        grads = call.grad
        if grads.__class__ is float:  # the first of this call's neurons in this pass
            grads = call.grad = [0.0] * len(call.outputs_data)
        grads[self.index] += upstream  # type: ignore[index]


class _Neuron(_NeuronOfLayer, ops.Affine):
    __slots__ = ()


class _ReluNeuron(_NeuronOfLayer, ops.AffineRelu):
    __slots__ = ()


class _TanhNeuron(_NeuronOfLayer, ops.AffineTanh):
    __slots__ = ()


class _SigmoidNeuron(_NeuronOfLayer, ops.AffineSigmoid):
    __slots__ = ()


NeuronOp: TypeAlias = "_Neuron | _ReluNeuron | _TanhNeuron | _SigmoidNeuron"

_NEURON_OPS: dict[str | None, type[NeuronOp]] = {
    None: _Neuron,
    "relu": _ReluNeuron,
    "tanh": _TanhNeuron,
    "sigmoid": _SigmoidNeuron,
}

_NEURON_OP_CACHE: dict[str | None, list[NeuronOp]] = {}


def _neuron_ops(activation: str | None, count: int) -> tuple[NeuronOp, ...]:
    """The ops of neurons 0 … count - 1 with ``activation``, shared by all layers."""
    made = _NEURON_OP_CACHE.setdefault(activation, [])
    op_type = _NEURON_OPS[activation]
    made.extend(op_type(j) for j in range(len(made), count))
    return tuple(made[:count])


# Optimisation: an activation over a whole layer at once. The math is the core op's
# (``forward``, and ``slope`` for act'); relu's forms are written out as list
# comprehensions, which make no Python call per neuron, and tests pin them to
# ``ops.Relu.forward`` and ``ops.Relu.slope``.
def _relu_values(z: list[float]) -> list[float]:
    """yⱼ = max(0, zⱼ) for a whole layer: ``ops.Relu.forward``, written out."""
    return [v if v > 0.0 else 0.0 for v in z]


def _relu_deltas(grads: list[float], ys: list[float]) -> list[float]:
    """δⱼ = gⱼ · relu'(zⱼ) from the outputs yⱼ: ``ops.Relu.slope``, written out."""
    return [g if y > 0.0 else 0.0 for g, y in zip(grads, ys, strict=False)]


def _layer_forms(activation: ops.Relu | ops.Tanh | ops.Sigmoid | None) -> LayerForms:
    """(the values y = act(z), the deltas δ = g·act'(y)) of ``activation`` over a layer."""
    if activation is None:
        return _identity, _first
    if activation is ops.RELU:
        return _relu_values, _relu_deltas
    forward, slope = activation.forward, activation.slope
    return (
        lambda z: list(map(forward, z)),
        lambda grads, ys: list(map(_multiply, grads, map(slope, ys))),
    )


def _identity(z: list[float]) -> list[float]:
    return z


def _first(grads: list[float], ys: list[float]) -> list[float]:
    return grads


LayerForms: TypeAlias = tuple[
    Callable[[list[float]], list[float]], Callable[[list[float], list[float]], list[float]]
]


# What ``AffineLayer.hidden`` returns: outputs for the next layer, not yet Values.
HiddenOutputs: TypeAlias = "LayerCall"

# Layers holding weight gradients that this backward pass has not yet added.
PENDING: list[AffineLayer] = []


def checked_parameters(
    weights: Sequence[Sequence[Value]],
    biases: Sequence[Value] | None,
    activation: str | None,
    value_type: type,
) -> tuple[tuple[tuple[Value, ...], ...], tuple[Value, ...] | None]:
    """The rows of weights and the biases of a layer as tuples, or a ValueError or
    TypeError saying what is wrong with them (every weight and bias a leaf ``value_type``,
    rows of one length, one bias per row, a known activation)."""
    if activation not in _NEURON_OPS:
        raise ValueError(
            f"AffineLayer: activation must be 'relu', 'tanh', 'sigmoid' or None, got {activation!r}"
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
        if not isinstance(value, value_type) or not value.is_leaf:
            raise TypeError(f"AffineLayer: weights and biases must be leaf Values, got {value!r}")
    return rows, bias


def overflow_error(op: ops.Op, inputs: int, neuron: int) -> OverflowError:
    """The error for neuron ``neuron``'s sum of ``inputs`` products overflowing a float."""
    return OverflowError(
        f"{op.name}: the sum of {inputs} products overflowed a float (neuron {neuron})"
    )


class LayerOfNeurons:
    """What every layer of neurons answers, in either engine: its size and parameters."""

    __slots__ = ()
    weights: tuple[tuple[Value, ...], ...]
    biases: tuple[Value, ...] | None

    @property
    def in_features(self) -> int:
        return len(self.weights[0])

    @property
    def out_features(self) -> int:
        return len(self.weights)

    def parameters(self) -> tuple[Value, ...]:
        """Every weight (row by row), then every bias."""
        return (*(w for row in self.weights for w in row), *(self.biases or ()))


class AffineLayer(LayerOfNeurons):
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
        "_deltas",
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
        rows, bias = checked_parameters(weights, biases, activation, Value)
        self.weights = rows
        self.biases = bias
        self.activation = activation
        self._outputs = _neuron_ops(activation, len(rows))
        self._activate, self._deltas = _layer_forms(self._outputs[0].activation)
        self._data_at = -1
        self._rows: list[list[float]] = []
        self._columns: list[list[float]] = []
        self._bias_data: list[float] = []
        self._pending_deltas: list[list[float]] = []
        self._pending_inputs: list[list[float]] = []
        self._visit: object = None

    def _read_parameters(self) -> None:
        """Copy the parameters' data, if any ``.data`` was assigned since the last copy."""
        self._rows = [[w._data for w in row] for row in self.weights]
        self._columns = [list(column) for column in zip(*self._rows, strict=True)]
        self._bias_data = (
            [b._data for b in self.biases] if self.biases is not None else [0.0] * len(self._rows)
        )
        self._data_at = DATA_CLOCK.now

    def __call__(self, inputs: Sequence[Value | float] | HiddenOutputs) -> list[Value]:
        """The m outputs act(wⱼ·x + bⱼ) for the n ``inputs`` (numbers become leaves; the
        ``hidden`` outputs of a previous layer are accepted too)."""
        call = self._forward(inputs)
        if call.__class__ is not LayerCall:  # under no_grad(): leaves
            return call  # type: ignore[return-value]
        return _neurons(call)

    def hidden(self, inputs: Sequence[Value | float] | HiddenOutputs) -> HiddenOutputs:
        """The outputs for another layer to read (``next_layer(layer.hidden(x))``), without
        making each a Value now: they become Values the moment anything walks the graph
        Value by Value (``parents``, ``backward_steps()``, hooks, anomaly mode, drawing),
        and ``backward()`` meanwhile passes their gradients between the layers as lists.
        What you see is the same graph; this is how ``nn.MLP`` chains its layers.
        Consumed once: give it to one layer."""
        return self._forward(inputs)

    def _forward(self, inputs: Sequence[Value | float] | HiddenOutputs) -> HiddenOutputs:
        """Compute the outputs and record the layer call (or, under no_grad, make leaves)."""
        if inputs.__class__ is LayerCall:
            source: LayerCall = inputs
            xs: tuple[Value | LayerCall, ...] = (source,)
            data = source.outputs_data
        else:
            xs = tuple(inputs)  # type: ignore[arg-type]
            if not all(map(isinstance, xs, repeat(Value))):  # numbers among them: make leaves
                xs = tuple(
                    x if isinstance(x, Value) else _constant(x, self._outputs[0]) for x in xs
                )
            data = list(map(_data_of, xs))
        if len(data) != len(self.weights[0]):
            raise ValueError(f"affine: expected {len(self.weights[0])} inputs, got {len(data)}")
        if self._data_at != DATA_CLOCK.now:
            self._read_parameters()
        z = [
            sum(map(_multiply, row, data), b)
            for row, b in zip(self._rows, self._bias_data, strict=False)
        ]
        if not all(map(math.isfinite, z)):
            j = next(j for j, v in enumerate(z) if not math.isfinite(v))
            raise overflow_error(self._outputs[j], len(data), j)
        z = self._activate(z)
        if not GRAD_MODE.enabled:
            return [_unrecorded(y) for y in z]  # type: ignore[return-value]
        call = _new(LayerCall)
        call._a = xs
        call._b = MANY_INPUTS
        call._op = self
        call._stamp = DATA_CLOCK.now
        call._visit = None
        call.grad = 0.0
        call.inputs_data = data
        call.outputs_data = z
        call.columns = self._columns
        if ANOMALY.enabled:  # the user's line, for this call's neurons whenever they are made
            record(call)  # type: ignore[arg-type]
        return call

    def backward(self, call: LayerCall, grads: float | list[float]) -> None:
        """δⱼ = ∂L/∂yⱼ · act'(zⱼ); then ∂L/∂xᵢ += Σⱼ δⱼ wⱼᵢ for each input now (or, for a
        previous layer's deferred neurons, its list of ∂L/∂y); the weights wait for ``flush``."""
        if grads.__class__ is float or not any(grads):  # type: ignore[arg-type]
            return
        deltas = self._deltas(grads, call.outputs_data)  # type: ignore[arg-type]
        if not any(deltas):  # every neuron that had a gradient is a dead relu
            return
        inputs = call._a
        if len(inputs) == 1 and inputs[0].__class__ is LayerCall:
            source: LayerCall = inputs[0]
            received = [sum(map(_multiply, column, deltas)) for column in call.columns]
            held = source.grad
            source.grad = received if held.__class__ is float else list(map(_add, held, received))  # type: ignore[arg-type]
        else:
            for x, column in zip(inputs, call.columns, strict=False):
                x.grad += sum(map(_multiply, column, deltas))
        if not self._pending_deltas:
            PENDING.append(self)
        self._pending_deltas.append(deltas)
        self._pending_inputs.append(call.inputs_data)

    def flush(self) -> None:
        """Add ∂L/∂wⱼᵢ = Σ δⱼ xᵢ and ∂L/∂bⱼ = Σ δⱼ over the calls this pass went through."""
        deltas = np.array(self._pending_deltas)
        weight_grads = (deltas.T @ np.array(self._pending_inputs)).tolist()
        self.discard()  # taken: the next pass starts from none
        for row, grads in zip(self.weights, weight_grads, strict=True):
            for w, g in zip(row, grads, strict=True):
                w.grad += g
        if self.biases is not None:
            for b, g in zip(self.biases, deltas.sum(axis=0).tolist(), strict=True):
                b.grad += g

    def discard(self) -> None:
        """Forget the pending gradients (taken by ``flush``, or of an abandoned pass)."""
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
