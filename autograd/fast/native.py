"""Optimisation: the compiled engine (``_native.c``), wired to the reference it mirrors.

``_native.Value`` is the node of ``autograd.value`` written in C: the same attributes
(``data grad label parents op is_leaf``, and ``_data _a _b _op _stamp`` that the ops
read), the same operators and functions, built the same way and computing the same
doubles, in 64 bytes and outside the cyclic garbage collector. ``_native.backward`` is
``autograd.backprop.backward`` over such nodes. This module connects them to the Python
engine:

- it gives the C module the objects it works with: the ops of ``autograd.ops`` (a node's
  ``_op`` is one of them, so the explorer, drawings and ``backward_steps()`` read the
  reference's math), the sentinels of ``autograd.value``, the flags of ``no_grad()`` and
  ``detect_anomaly()``, the table of hooks;
- it gives the C type the reference's own methods where speed does not matter
  (``backward``, ``backward_steps``, ``register_hook``, ``__repr__``): one source for them;
- ``forward_in_python`` is what C asks whenever an op's value is out of the ordinary,
  so that every error (and every unusual result) is the reference's own;
- ``node``, ``nary``, ``constant``, ``unrecorded`` and ``AffineLayer`` build nodes of this
  type for the rest of the package (``autograd.engine`` picks them).

Importing it raises ImportError where the extension was not built (no C compiler).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from autograd import ops
from autograd import value as reference
from autograd.anomaly import ANOMALY, in_forward, record
from autograd.fast import _native
from autograd.fast import backward as python_fast_path
from autograd.fast.layer import LayerOfNeurons, checked_parameters, overflow_error
from autograd.grad_mode import GRAD_MODE
from autograd.hooks import HOOKS
from autograd.protocol import Node
from autograd.scalars import as_finite_float

if TYPE_CHECKING:
    from autograd.value import Number, Value
else:
    Value = _native.Value

NODE_BYTES: int = _native.NODE_BYTES
_data_of = attrgetter("_data")


def forward_in_python(op: ops.Op, a: Any, b: Any, checks_result: bool) -> float:
    """``op``'s value at the inputs ``a`` and ``b`` as the reference computes it, raising
    the reference's error where it raises one (with its labels and anomaly site).

    ``b`` is None for an op of one input (or of an input and a number, which ``op``
    holds), MANY_INPUTS when ``a`` is the tuple of inputs. ``checks_result``: the
    reference checks the result of a binary operator for overflow (value.py's
    ``_binary_operator``), of ``_unary`` not (those ops raise themselves).
    """
    if b is reference.MANY_INPUTS:  # value.py's _nary
        try:
            total: float = op.forward(tuple(map(_data_of, a)))  # type: ignore[attr-defined]
        except (ArithmeticError, ValueError) as error:
            raise in_forward(error, op) from None
        return total
    try:
        if b is None:
            data: float = op.forward(a._data)  # type: ignore[attr-defined]
        else:
            data = op.forward(a._data, b._data)  # type: ignore[attr-defined]
    except (ArithmeticError, ValueError) as error:
        raise in_forward(reference._naming_labels(error, a, b), op) from None
    if checks_result and data - data:  # inf - inf is nan, and nan is truthy: it overflowed
        overflow = reference._overflow_error(op, a, b)
        raise in_forward(reference._naming_labels(overflow, a, b), op)
    return data


_native.setup(
    {
        "ADD": ops.ADD,
        "SUB": ops.SUB,
        "MUL": ops.MUL,
        "DIV": ops.DIV,
        "POW": ops.POW,
        "NEG": ops.NEG,
        "EXP": ops.EXP,
        "LOG": ops.LOG,
        "LOG1P": ops.LOG1P,
        "TANH": ops.TANH,
        "SIGMOID": ops.SIGMOID,
        "RELU": ops.RELU,
        "SQRT": ops.SQRT,
        "ABS": ops.ABS,
        "SIN": ops.SIN,
        "COS": ops.COS,
        "SUM": ops.SUM,
        "MEAN": ops.MEAN,
        "DOT": ops.DOT,
        "AFFINE": ops.AFFINE[None],
        "AFFINE_RELU": ops.AFFINE["relu"],
        "AFFINE_TANH": ops.AFFINE["tanh"],
        "AFFINE_SIGMOID": ops.AFFINE["sigmoid"],
        # the op a node of a Value and a number c reports as its _op, made from c
        "ADD_C": ops.AddConstant,
        "SUB_C": ops.SubConstant,
        "C_SUB": ops.ConstantSub,
        "MUL_C": ops.MulConstant,
        "DIV_C": ops.DivConstant,
        "C_DIV": ops.ConstantDiv,
        "POW_C": ops.pow_constant_exponent,
        "clamp": ops.clamp_between,
        "rpow": ops.PowConstantBase,
        "MANY_INPUTS": reference.MANY_INPUTS,
        "UNRECORDED": reference.UNRECORDED,
        "GRAD_MODE": GRAD_MODE,
        "ANOMALY": ANOMALY,
        "DATA_CLOCK": reference.DATA_CLOCK,
        "HOOKS": HOOKS,
        "as_finite_float": as_finite_float,
        "forward_in_python": forward_in_python,
        "record": record,
        # C adds floats left to right, as sum() did before Python 3.12 (which compensates
        # its rounding); on 3.12 and later the sums of many inputs are left to Python
        "plain_sum": sys.version_info < (3, 12),
    }
)

# The reference's own methods, where C would gain nothing: one source for each.
for _name in ("backward", "backward_steps", "_check_recorded", "register_hook", "__repr__"):
    setattr(_native.Value, _name, reference.Value.__dict__[_name])
_native.Value.__doc__ = reference.Value.__doc__


def backward(root: Node, gradient: float) -> bool:
    """``autograd.backprop.backward`` in C for a graph of compiled Values (the Python
    fast path for a graph of the reference's); False to leave the pass to the reference."""
    if isinstance(root, _native.Value):
        done: bool = _native.backward(root, gradient)
        return done
    return python_fast_path.backward(root, gradient)


# -- the builders the rest of the package uses (autograd.engine) ------------------------


def node(data: float, op: ops.Op, a: object, b: object) -> Value:
    """value.py's ``_node``: a node of ``op`` whose value was computed elsewhere (an
    ``autograd.Function``), its inputs a tuple with ``b`` MANY_INPUTS, or one Value."""
    made: Value = _native.node(data, op, a, b)
    return made


def constant(x: object, op: ops.Op) -> Value:
    """value.py's ``_constant``: ``x`` if it is a Value, else a new leaf of the number."""
    if isinstance(x, _native.Value):
        return x  # type: ignore[return-value]
    made: Value = _native.Value(as_finite_float(x, op.name))  # type: ignore[assignment]
    return made


def unrecorded(data: float) -> Value:
    """value.py's ``_unrecorded``: a leaf computed while recording was off."""
    made: Value = _native.unrecorded(data)
    return made


def nary(op: ops.NaryOp, values: Iterable[Value | Number]) -> Value:
    """value.py's ``_nary``: the node ``op(x₁, …, xₙ)``; numbers become leaves."""
    inputs = tuple(values)
    if not inputs:
        raise ValueError(f"{op.name}: needs at least one value, got none")
    if not all(map(isinstance, inputs, repeat(_native.Value))):
        inputs = tuple(constant(v, op) for v in inputs)
    made: Value = _native.many(op, inputs)
    return made


class AffineLayer(LayerOfNeurons):
    """``autograd.fast.layer.AffineLayer`` for compiled Values: m neurons reading the same
    n inputs, yⱼ = act(Σᵢ wⱼᵢ xᵢ + bⱼ), each one node of the core's neuron op
    (``ops.Affine``, ``ops.AffineRelu``, ...) over (wⱼ₁ … wⱼₙ, x₁ … xₙ, bⱼ).

    The graph is the one the Python layer shows; the Python layer's shortcuts (a hidden
    node per call, neurons made only when looked at) are not needed here, where a node
    and its backward step cost little: ``hidden`` is the call itself.
    """

    __slots__ = ("weights", "biases", "activation", "_op", "_rows")

    def __init__(
        self,
        weights: Sequence[Sequence[Value]],
        biases: Sequence[Value] | None = None,
        activation: str | None = None,
    ) -> None:
        self.weights, self.biases = checked_parameters(weights, biases, activation, _native.Value)
        self.activation = activation
        self._op = ops.AFFINE[activation]
        # each neuron's row and bias, (wⱼ₁ … wⱼₙ, bⱼ): one tuple that all its nodes share
        biases_or_none = self.biases or repeat(None)
        self._rows = tuple(
            (*row, *(() if b is None else (b,)))
            for row, b in zip(self.weights, biases_or_none, strict=False)
        )

    def __call__(self, inputs: Sequence[Value | float]) -> list[Value]:
        """The m outputs act(wⱼ·x + bⱼ) for the n ``inputs`` (numbers become leaves)."""
        xs = tuple(inputs)
        if not all(map(isinstance, xs, repeat(_native.Value))):
            xs = tuple(constant(x, self._op) for x in xs)
        if len(xs) != len(self.weights[0]):
            raise ValueError(f"affine: expected {len(self.weights[0])} inputs, got {len(xs)}")
        outputs = _native.layer(self._op, self._rows, xs)
        if outputs is None:  # sums left to Python (3.12 and later): one node at a time
            n = len(xs)
            outputs = [nary(self._op, (*row[:n], *xs, *row[n:])) for row in self._rows]
        elif outputs.__class__ is int:  # the index of the neuron whose sum overflowed
            raise overflow_error(self._op, len(xs), outputs)
        return outputs  # type: ignore[no-any-return]

    hidden = __call__  # what nn.MLP chains its layers with

    def __repr__(self) -> str:
        return (
            f"AffineLayer(in_features={self.in_features}, out_features={self.out_features}, "
            f"activation={self.activation!r})"
        )
