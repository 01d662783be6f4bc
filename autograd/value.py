"""``Value``: one scalar in a computation graph, with its gradient."""

from __future__ import annotations

import operator
from collections.abc import Callable, Generator, Iterable
from itertools import repeat
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from autograd import backprop, hooks, ops
from autograd.anomaly import ANOMALY, in_forward, record
from autograd.grad_mode import GRAD_MODE
from autograd.scalars import as_finite_float

if TYPE_CHECKING:
    import numpy as np

    Number: TypeAlias = int | float | np.floating | np.integer
else:
    Number: TypeAlias = int | float
Operand: TypeAlias = "Value | Number"
Error = TypeVar("Error", bound=BaseException)


class _DataClock:
    """Counts assignments to ``Value.data``; every node records the count it was built at.

    A node whose input was assigned after the node was built has an input newer
    than itself, which ``backward()`` detects (see ``autograd.backprop``).
    """

    __slots__ = ("now",)

    def __init__(self) -> None:
        self.now = 0


DATA_CLOCK = _DataClock()
# What ``_b`` holds for an op of many inputs (whose tuple of inputs is in ``_a``).
MANY_INPUTS: Value = object()  # type: ignore[assignment]
# What ``_b`` holds for a leaf computed while recording was off (``no_grad``).
UNRECORDED: Value = object()  # type: ignore[assignment]


_new = object.__new__


# The node builders below run once per op, so each writes its node out in full rather
# than calling a shared helper (a Python call per node is a large part of building one).


def _binary_operator(
    op: ops.BinaryOp,
    with_number: Callable[[float], ops.UnaryOp],
    reflected: bool = False,
) -> Callable[[Value, Operand], Value]:
    """The method ``self ⊙ other`` for ``op`` ⊙, or ``other ⊙ self`` when ``reflected``.

    With a Value on both sides the new node has two inputs and ``op``. A number ``c`` is
    folded into the op instead (``with_number(c)``, e.g. ``MulConstant(c)``), as in
    PyTorch: the node has one input and the number is not a node. The node records its
    inputs and op unless recording is off (``no_grad``).
    """
    forward = op.forward
    folded: dict[float, ops.UnaryOp] = {}  # the ops of numbers seen before, by number

    def operator(self: Value, other: Operand) -> Value:
        node_op: ops.Op | None
        a: Value
        b: Value | None
        kind = other.__class__
        if kind is Value or (kind is not float and isinstance(other, Value)):  # two Values
            if reflected:
                a, b = other, self  # type: ignore[assignment]
            else:
                a, b = self, other  # type: ignore[assignment]
            node_op = op
            try:
                data = forward(a._data, b._data)  # type: ignore[union-attr]
            except (ArithmeticError, ValueError) as error:
                raise in_forward(_naming_labels(error, a, b), op) from None
        else:  # a number, folded into the op: one input, self
            node_op = folded.get(other) if kind is float else None  # type: ignore[arg-type]
            if node_op is None:
                node_op = _op_with_number(folded, with_number, other, op)
            a, b = self, None
            try:
                data = node_op.forward(self._data)
            except (ArithmeticError, ValueError) as error:
                raise in_forward(_naming_labels(error, self), node_op) from None
        if data - data:  # inf - inf is nan, and nan is truthy: the result overflowed
            raise in_forward(_naming_labels(_overflow_error(node_op, a, b), a, b), node_op)
        out: Value = _new(Value)
        out._data = data
        out.grad = 0.0
        out.label = None
        out._stamp = DATA_CLOCK.now
        out._visit = None
        if GRAD_MODE.enabled:
            out._a = a
            out._b = b  # type: ignore[assignment]
            out._op = node_op
            if ANOMALY.enabled:
                record(out)
        else:
            out._a = out._op = None  # type: ignore[assignment]
            out._b = UNRECORDED  # computed under no_grad(): a leaf, with nothing to differentiate
        return out

    operator.__name__ = operator.__qualname__ = f"__{'r' if reflected else ''}{op.name}__"
    expression = f"other {op.symbol} self" if reflected else f"self {op.symbol} other"
    operator.__doc__ = f"{expression}: {op.__doc__}"
    return operator


def _op_with_number(
    folded: dict[float, ops.UnaryOp],
    with_number: Callable[[float], ops.UnaryOp],
    number: object,
    op: ops.BinaryOp,
) -> ops.UnaryOp:
    """The op ``with_number(c)`` for ``number`` as a finite float c (a TypeError or
    ValueError naming ``op`` for anything else), shared between nodes for the first few
    hundred numbers seen. Zero is never shared: 0.0 and -0.0 are equal keys but can give
    different results (x * -0.0)."""
    c = as_finite_float(number, op.name)
    node_op = folded.get(c)
    if node_op is None:
        node_op = with_number(c)
        if c and len(folded) < 256:
            folded[c] = node_op
    return node_op


def _naming_labels(error: Error, *inputs: Value | None) -> Error:
    """``error`` raised by an op on ``inputs``, with the labels of those that have one:
    ``log: input must be > 0, got -1.0 (input 'p')``."""
    values = [x for x in inputs if x is not None]  # (None: a number folded into the op)
    labels = [repr(x.label) for x in values if x.label is not None]
    if not labels:
        return error
    which = "input" if len(values) == 1 else "inputs" if len(labels) > 1 else "one input"
    named = type(error)(f"{error} ({which} {', '.join(labels)})")
    named.__cause__ = error.__cause__
    return named


def _overflow_error(op: ops.Op, a: Value, b: Value | None) -> OverflowError:
    """The error for the node ``op(a, b)``, or ``op(a)`` with a number folded in, overflowing."""
    if isinstance(op, ops.WithConstant):
        return op.overflow_error(a._data)
    return ops.overflow_error(op, a._data, b._data)  # type: ignore[arg-type, union-attr]


class Value:
    """A scalar that remembers how it was computed, so that ``backward()`` can differentiate it.

    ``Value(data, label=None)`` makes a leaf: an input or a parameter. Arithmetic on
    Values (``+ - * / **``, unary ``-``) and the methods ``exp log tanh sigmoid relu
    sqrt abs sin cos`` make new Values whose ``parents`` are their inputs, in order.
    ``backward()`` then fills ``.grad`` of every node with ∂root/∂node.
    """

    # Inputs live in two slots rather than a tuple: one object per node instead of
    # two halves the memory and the work of Python's garbage collector.
    __slots__ = ("_data", "grad", "label", "_a", "_b", "_op", "_stamp", "_visit")

    _data: float
    grad: float
    label: str | None
    # Typed as Values for the ops that read them; a leaf holds None in both (check
    # ``_op is None`` first), a one-input op holds None in ``_b``, and an op of many
    # inputs (``autograd.sum``) holds the tuple of them in ``_a`` and MANY_INPUTS in ``_b``.
    # An op that keeps its node's inputs itself holds something else in ``_a`` (with
    # MANY_INPUTS in ``_b``) and answers ``parents_of(node)``.
    _a: Value
    _b: Value
    _op: ops.Op | None  # None for a leaf
    _stamp: int  # DATA_CLOCK.now when built (or when .data was last assigned)
    # Free for a graph walk to mark the nodes it has reached, instead of a set of them.
    _visit: object

    def __init__(self, data: Number, label: str | None = None) -> None:
        self._data = as_finite_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self._a = self._b = self._op = None  # type: ignore[assignment]
        self._stamp = DATA_CLOCK.now
        self._visit = None

    # -- reading the graph -------------------------------------------------------------

    @property
    def data(self) -> float:
        """The value as a Python float. Assignable on leaves only (optimizers do this)."""
        return self._data

    @data.setter
    def data(self, value: Number) -> None:
        if self._op is not None:
            raise AttributeError(
                f"Value.data: cannot assign to the output of '{self.op}' (a non-leaf): "
                f"its gradient would no longer match its inputs; use .detach() to get a leaf"
            )
        self._data = as_finite_float(value, "Value.data")
        DATA_CLOCK.now += 1
        self._stamp = DATA_CLOCK.now

    @property
    def op(self) -> str | None:
        """Name of the op that produced this Value (``'mul'``, ``'tanh'``, ...); None for a leaf."""
        return None if self._op is None else self._op.name

    @property
    def parents(self) -> tuple[Value, ...]:
        """The op's inputs, in order and with repeats: ``(x * x).parents == (x, x)``."""
        if self._a is None:
            return ()
        if self._b is None:
            return (self._a,)
        if self._b is MANY_INPUTS:
            if self._a.__class__ is tuple:  # type: ignore[comparison-overlap]
                return self._a  # the tuple of inputs
            held: tuple[Value, ...] = self._op.parents_of(self)  # type: ignore[union-attr]
            return held  # an op that keeps its node's inputs itself
        return (self._a, self._b)

    @property
    def is_leaf(self) -> bool:
        """True for Values made by the user (or under ``no_grad()``), not by an op."""
        return self._op is None

    def item(self) -> float:
        """The value as a Python float (``torch.Tensor.item()``)."""
        return self._data

    def detach(self) -> Value:
        """A new leaf with the same value, cut off from this graph."""
        return Value(self._data, self.label)

    def __float__(self) -> float:
        return self._data

    def __repr__(self) -> str:
        extra = "" if self._op is None else f", op={self._op.name!r}"
        if self.label is not None:
            extra += f", label={self.label!r}"
        return f"Value({self._data!r}, grad={self.grad!r}{extra})"

    # -- differentiation ---------------------------------------------------------------

    def backward(self, gradient: Number = 1.0) -> None:
        """Fill ``.grad`` of every node this Value depends on with ∂self/∂node · gradient.

        Leaves accumulate (calling twice doubles their grads, as in PyTorch); every
        interior node's ``.grad`` is recomputed from zero on each call. Iterative, so
        graphs of any depth work. See ``autograd.backprop``.
        """
        self._check_recorded("backward")
        backprop.backward(self, as_finite_float(gradient, "backward"))

    def backward_steps(self, gradient: Number = 1.0) -> Generator[backprop.Step, None, None]:
        """The backward pass as a sequence of chain-rule ``Step``s (see ``autograd.Step``):
        consuming them all leaves the gradients ``backward()`` leaves."""
        self._check_recorded("backward_steps")
        return backprop.backward_steps(self, as_finite_float(gradient, "backward_steps"))

    def _check_recorded(self, where: str) -> None:
        """Raise if this Value was computed under ``no_grad()``: no graph to go back through
        (PyTorch raises too, rather than leaving every gradient at zero)."""
        if self._b is UNRECORDED:
            name = f" {self.label!r}" if self.label else ""
            raise RuntimeError(
                f"{where}: this Value{name} ({self._data!r}) was computed under no_grad(), so "
                f"no graph was recorded and no gradient can flow back from it; compute it "
                f"outside no_grad() to differentiate it"
            )

    def register_hook(self, hook: Callable[[float], float | None]) -> hooks.RemovableHandle:
        """Call ``hook(grad)`` when this Value's gradient is complete in a backward pass; a
        number it returns replaces the gradient. Returns a handle with ``.remove()``."""
        return hooks.register_hook(self, hook)

    # -- arithmetic --------------------------------------------------------------------

    __add__ = _binary_operator(ops.ADD, ops.AddConstant)
    __radd__ = _binary_operator(ops.ADD, ops.AddConstant, reflected=True)
    __sub__ = _binary_operator(ops.SUB, ops.SubConstant)
    __rsub__ = _binary_operator(ops.SUB, ops.ConstantSub, reflected=True)
    __mul__ = _binary_operator(ops.MUL, ops.MulConstant)
    __rmul__ = _binary_operator(ops.MUL, ops.MulConstant, reflected=True)
    __truediv__ = _binary_operator(ops.DIV, ops.DivConstant)
    __rtruediv__ = _binary_operator(ops.DIV, ops.ConstantDiv, reflected=True)

    def __pow__(self, exponent: Operand) -> Value:
        """``x ** n`` with a number n has one input, x; with a Value exponent it has two."""
        if exponent.__class__ is int or exponent.__class__ is float:
            op = ops.POW_OPS.get(exponent)  # the ops of exponents seen before
            if op is not None:
                return _unary(op, self)
        if isinstance(exponent, Value):
            return _power(self, exponent)
        return _unary(ops.pow_constant_exponent(exponent), self)

    def __rpow__(self, base: Number) -> Value:  # base ** self: one input, the exponent
        return _unary(ops.PowConstantBase(as_finite_float(base, "pow")), self)

    def __neg__(self) -> Value:
        return _unary(ops.NEG, self)

    def __pos__(self) -> Value:
        return self

    # -- functions ---------------------------------------------------------------------

    def exp(self) -> Value:
        """eˣ; OverflowError above x ≈ 709.78."""
        return _unary(ops.EXP, self)

    def log(self) -> Value:
        """ln x; ValueError for x <= 0."""
        return _unary(ops.LOG, self)

    def log1p(self) -> Value:
        """ln(1 + x), accurate for tiny x; ValueError for x <= -1."""
        return _unary(ops.LOG1P, self)

    def clamp(self, min: Number | None = None, max: Number | None = None) -> Value:
        """min(max(x, min), max), either bound optional (``torch.clamp``); derivative 1 inside
        [min, max] (bounds included), 0 outside."""
        return _unary(ops.clamp_between(min, max), self)

    def tanh(self) -> Value:
        """tanh x, exact at any magnitude (tanh(±1000) = ±1)."""
        return _unary(ops.TANH, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e⁻ˣ), computed without overflow."""
        return _unary(ops.SIGMOID, self)

    def relu(self) -> Value:
        """max(0, x)."""
        return _unary(ops.RELU, self)

    def sqrt(self) -> Value:
        """√x; ValueError for x < 0."""
        return _unary(ops.SQRT, self)

    def abs(self) -> Value:
        """|x|."""
        return _unary(ops.ABS, self)

    def __abs__(self) -> Value:
        return _unary(ops.ABS, self)

    def sin(self) -> Value:
        """sin x."""
        return _unary(ops.SIN, self)

    def cos(self) -> Value:
        """cos x."""
        return _unary(ops.COS, self)


def _node(data: float, op: ops.Op, a: object, b: object) -> Value:
    """A new node holding ``data``, made by ``op`` from its inputs as held in ``_a`` and
    ``_b`` (see ``Value``), unless recording is off (``no_grad``): then it is a leaf.
    (The binary operators and ``_unary`` write this out themselves, for speed.)"""
    out: Value = _new(Value)
    out._data = data
    out.grad = 0.0
    out.label = None
    out._stamp = DATA_CLOCK.now
    out._visit = None
    if GRAD_MODE.enabled:
        out._a = a  # type: ignore[assignment]
        out._b = b  # type: ignore[assignment]
        out._op = op
        if ANOMALY.enabled:
            record(out)
    else:
        out._a = out._op = None  # type: ignore[assignment]
        out._b = UNRECORDED  # computed under no_grad(): a leaf, with nothing to differentiate
    return out


def _unrecorded(data: float) -> Value:
    """A leaf holding ``data``, computed while recording was off (``no_grad``)."""
    out = Value(data)
    out._b = UNRECORDED
    return out


def _constant(x: object, op: ops.Op) -> Value:
    """A number among the inputs of an op of many inputs (``sum``, ``dot``, a layer), as a new
    leaf; a TypeError naming the op for anything else. (A binary op holds its number.)"""
    if isinstance(x, Value):
        return x
    return Value(as_finite_float(x, op.name))


def _unary(op: ops.UnaryOp, x: Value) -> Value:
    """The node ``op(x)``, recording ``x`` and ``op`` unless recording is off."""
    try:
        data = op.forward(x._data)
    except (ArithmeticError, ValueError) as error:
        raise in_forward(_naming_labels(error, x), op) from None
    out: Value = _new(Value)
    out._data = data
    out.grad = 0.0
    out.label = None
    out._stamp = DATA_CLOCK.now
    out._visit = None
    if GRAD_MODE.enabled:
        out._a = x
        out._b = None  # type: ignore[assignment]
        out._op = op
        if ANOMALY.enabled:
            record(out)
    else:
        out._a = out._op = None  # type: ignore[assignment]
        out._b = UNRECORDED  # computed under no_grad(): a leaf, with nothing to differentiate
    return out


_power = _binary_operator(ops.POW, ops.PowConstantExponent)  # (__pow__ folds numbers itself)


data_of: Callable[[Value], float] = operator.attrgetter("_data")


def _nary(op: ops.NaryOp, values: Iterable[Value | Number]) -> Value:
    """The node ``op(x₁, …, xₙ)``: numbers among the inputs become leaves."""
    inputs = tuple(values)
    if not inputs:
        raise ValueError(f"{op.name}: needs at least one value, got none")
    if not all(map(isinstance, inputs, repeat(Value))):  # numbers among them: make leaves
        inputs = tuple(v if isinstance(v, Value) else _constant(v, op) for v in inputs)
    try:
        data = op.forward(tuple(map(data_of, inputs)))  # type: ignore[arg-type]
    except (ArithmeticError, ValueError) as error:
        raise in_forward(error, op) from None
    return _node(data, op, inputs, MANY_INPUTS)
