"""Every differentiable operation, one class each: its forward value and its local derivatives.

An op's ``forward`` maps input floats to the output float and raises, naming the op,
on input outside its domain. Its ``local_derivatives(out)`` returns ∂out/∂input for
each input of the node ``out``, in the order of ``out.parents``; an op of one input states
its one derivative as ``derivative(out)``, a float. The backward pass multiplies these
by the upstream gradient (the chain rule); nothing else knows the calculus, so a
debugger breakpoint on ``Mul.local_derivatives`` (or ``Tanh.derivative``) stops exactly
where the derivative of a product (or of tanh) is taken.

The activations a layer applies (relu, tanh, sigmoid) state their derivative in terms of
their output, ``slope(y)``, and ``Affine`` is a whole neuron, act(w·x + b), whose local
derivatives use that slope: the calculus of a layer lives here too.

Where a local derivative overflows a float but its product with the upstream gradient
need not (1/x at x = 5e-324, times 1e-300), ``contributions(out, upstream)`` computes the
product in a form that stays finite (upstream / x), as PyTorch does.

Derivatives at the edges follow PyTorch: relu'(0) = 0, abs'(0) = 0, d(x**0)/dx = 0.
Derivatives that are infinite (sqrt at 0, x**0.5 at 0) raise ZeroDivisionError
instead of returning inf.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from functools import partial
from typing import ClassVar

from autograd.protocol import Node
from autograd.scalars import as_finite_float

__all__ = [
    "ABS",
    "ADD",
    "AFFINE",
    "COS",
    "DIV",
    "DOT",
    "EXP",
    "LOG",
    "LOG1P",
    "MEAN",
    "MUL",
    "NEG",
    "POW",
    "RELU",
    "SIGMOID",
    "SIN",
    "SQRT",
    "SUB",
    "SUM",
    "TANH",
    "AddConstant",
    "Affine",
    "AffineRelu",
    "AffineSigmoid",
    "AffineTanh",
    "BinaryOp",
    "Clamp",
    "ConstantDiv",
    "ConstantSub",
    "DivConstant",
    "MulConstant",
    "NaryOp",
    "Op",
    "PowConstantBase",
    "PowConstantExponent",
    "SubConstant",
    "UnaryOp",
    "WithConstant",
    "clamp_between",
    "constant_text",
    "overflow_error",
    "pow_constant_exponent",
]  # fmt: skip


class Op:
    """Base of all ops. ``name`` is what ``Value.op`` reports; ``symbol`` is drawn in graphs."""

    __slots__ = ()
    name: ClassVar[str] = ""
    symbol: ClassVar[str] = ""

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        """∂out/∂input for each input of ``out``, in the order of ``out.parents``."""
        raise NotImplementedError

    def contributions(self, out: Node, upstream: float) -> tuple[float, ...]:
        """upstream · ∂out/∂input for each input: what the chain rule sends each input.

        The backward pass asks for this only where upstream × local derivative is not
        finite; an op whose derivative is a quotient overrides it to divide last, so that
        the result is finite wherever the true product is."""
        return tuple(upstream * local for local in self.local_derivatives(out))

    def describe(self) -> str:
        """Short text for graphs and traces, e.g. ``*`` or ``**2``."""
        return self.symbol or self.name

    def __repr__(self) -> str:
        return f"<op {self.name}>"


class UnaryOp(Op):
    """An op of one input ``x``. ``forward(x)`` may be a builtin such as ``math.tanh``;
    ``derivative(out)`` is f'(x) at the node ``out`` (a float: the one local derivative).
    """

    __slots__ = ()
    forward: Callable[[float], float]

    def derivative(self, out: Node) -> float:
        """f'(x) for the input x of the node ``out``."""
        raise NotImplementedError

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        return (self.derivative(out),)


class BinaryOp(Op):
    """An op of two inputs ``a`` and ``b``. ``forward(a, b)`` may be a builtin such as
    ``operator.mul``: the node builder checks every binary result for overflow (a float
    operation that overflows gives inf, silently), so ``forward`` need not.
    """

    __slots__ = ()
    forward: Callable[[float, float], float]


class NaryOp(Op):
    """An op of any number of inputs; ``forward`` takes their values as one tuple."""

    __slots__ = ()
    forward: Callable[[tuple[float, ...]], float]


def _overflow(op: str, expression: str) -> OverflowError:
    return OverflowError(f"{op}: {expression} overflows a float (beyond ±1.8e308)")


def overflow_error(op: BinaryOp, a: float, b: float) -> OverflowError:
    """The error for ``op(a, b)`` overflowing to inf."""
    return _overflow(op.name, f"{a!r} {op.symbol} {b!r}")


def _sum_of_floats(xs: tuple[float, ...], op: str = "sum") -> float:
    total = sum(xs, 0.0)
    if total - total:
        raise _overflow(op, f"the sum of {len(xs)} values")
    return total


class Add(BinaryOp):
    """Addition f(a, b) = a + b;  ∂f/∂a = 1, ∂f/∂b = 1."""

    name = "add"
    symbol = "+"

    forward = staticmethod(operator.add)

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        return (1.0, 1.0)


class Sub(BinaryOp):
    """Subtraction f(a, b) = a - b;  ∂f/∂a = 1, ∂f/∂b = -1."""

    name = "sub"
    symbol = "-"

    forward = staticmethod(operator.sub)

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        return (1.0, -1.0)


class Mul(BinaryOp):
    """Multiplication f(a, b) = a · b;  ∂f/∂a = b, ∂f/∂b = a."""

    name = "mul"
    symbol = "*"

    forward = staticmethod(operator.mul)

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        return (out._b._data, out._a._data)


class Div(BinaryOp):
    """Division f(a, b) = a / b;  ∂f/∂a = 1/b, ∂f/∂b = -a/b² = -f/b."""

    name = "div"
    symbol = "/"

    @staticmethod
    def forward(a: float, b: float) -> float:
        if b == 0.0:
            raise ZeroDivisionError(f"div: division by zero: {a!r} / {b!r}")
        return a / b

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        b = out._b._data
        return (1.0 / b, -out._data / b)

    def contributions(self, out: Node, upstream: float) -> tuple[float, ...]:
        b = out._b._data
        return (upstream / b, -(upstream * out._data) / b)


def constant_text(c: float) -> str:
    """A constant as ops show it: ``2`` for 2.0, ``-0`` for -0.0, ``0.5``, ``1e+300``."""
    text = repr(c)
    return text[:-2] if text.endswith(".0") else text


class WithConstant(UnaryOp):
    """A binary op with a number ``c`` on one side (``x ⊙ c``, or ``c ⊙ x`` when
    ``constant_first``): one input, x. As in PyTorch, the number is part of the op, not a
    node of the graph, so it gets no gradient and ``(x * 2).parents == (x,)``.

    Where the result can only go wrong by overflowing, ``forward`` is a builtin (a
    ``functools.partial``) and the node builder checks for overflow, as for BinaryOp.
    """

    __slots__ = ("constant",)
    constant_first: ClassVar[bool] = False

    def __init__(self, constant: float) -> None:
        self.constant = constant

    def describe(self) -> str:
        c = constant_text(self.constant)
        return f"{c}{self.symbol}" if self.constant_first else f"{self.symbol}{c}"

    def overflow_error(self, x: float) -> OverflowError:
        """The error for ``forward(x)`` overflowing to inf."""
        a, b = (self.constant, x) if self.constant_first else (x, self.constant)
        return _overflow(self.name, f"{a!r} {self.symbol} {b!r}")

    def __repr__(self) -> str:
        return f"<op {self.name} {self.describe()}>"


class _ComputedInC(WithConstant):
    """A number's op whose ``forward`` is ``builtin(first_operand(c), x)``, bound once as a
    ``functools.partial``: computed in C, and only ever wrong by overflowing."""

    __slots__ = ("forward",)
    builtin: ClassVar[Callable[[float, float], float]]

    def __init__(self, constant: float) -> None:
        super().__init__(constant)
        self.forward = partial(type(self).builtin, self.first_operand(constant))

    @staticmethod
    def first_operand(c: float) -> float:
        return c


class AddConstant(_ComputedInC):
    """x + c, or c + x, for a number c: f(x) = x + c;  f'(x) = 1."""

    __slots__ = ()
    name = "add"
    symbol = "+"
    builtin = operator.add  # c + x is x + c, exactly

    def derivative(self, out: Node) -> float:
        return 1.0


class SubConstant(_ComputedInC):
    """x - c for a number c: f(x) = x - c;  f'(x) = 1."""

    __slots__ = ()
    name = "sub"
    symbol = "-"
    builtin = operator.add

    @staticmethod
    def first_operand(c: float) -> float:
        return -c  # x + (-c) is x - c, exactly

    def derivative(self, out: Node) -> float:
        return 1.0


class ConstantSub(_ComputedInC):
    """c - x for a number c: f(x) = c - x;  f'(x) = -1."""

    __slots__ = ()
    name = "sub"
    symbol = "-"
    constant_first = True
    builtin = operator.sub

    def derivative(self, out: Node) -> float:
        return -1.0


class MulConstant(_ComputedInC):
    """x · c, or c · x, for a number c: f(x) = c·x;  f'(x) = c."""

    __slots__ = ()
    name = "mul"
    symbol = "*"
    builtin = operator.mul

    def derivative(self, out: Node) -> float:
        return self.constant


class DivConstant(WithConstant):
    """x / c for a number c: f(x) = x / c;  f'(x) = 1/c. ZeroDivisionError for c = 0."""

    __slots__ = ()
    name = "div"
    symbol = "/"

    def forward(self, x: float) -> float:
        if self.constant == 0.0:
            raise ZeroDivisionError(f"div: division by zero: {x!r} / {self.constant!r}")
        return x / self.constant

    def derivative(self, out: Node) -> float:
        return 1.0 / self.constant

    def contributions(self, out: Node, upstream: float) -> tuple[float, ...]:
        return (upstream / self.constant,)


class ConstantDiv(WithConstant):
    """c / x for a number c: f(x) = c / x;  f'(x) = -c/x² = -f(x)/x. ZeroDivisionError
    for x = 0."""

    __slots__ = ()
    name = "div"
    symbol = "/"
    constant_first = True

    def forward(self, x: float) -> float:
        if x == 0.0:
            raise ZeroDivisionError(f"div: division by zero: {self.constant!r} / {x!r}")
        return self.constant / x

    def derivative(self, out: Node) -> float:
        return -out._data / out._a._data

    def contributions(self, out: Node, upstream: float) -> tuple[float, ...]:
        return (-(upstream * out._data) / out._a._data,)


class Neg(UnaryOp):
    """Negation f(x) = -x;  f'(x) = -1."""

    name = "neg"
    symbol = "-"
    forward = staticmethod(operator.neg)

    def derivative(self, out: Node) -> float:
        return -1.0


def _power(a: float, b: float) -> float:
    """a ** b over the reals, or an error naming pow: never a complex number."""
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(
            f"pow: 0.0 cannot be raised to a negative power ({b!r}): that is a division by zero"
        )
    if a < 0.0 and not b.is_integer():
        raise ValueError(
            f"pow: a negative base ({a!r}) to a non-integer power ({b!r}) is not a real number"
        )
    try:
        out: float = a**b
    except OverflowError:
        raise _overflow("pow", f"{a!r} ** {b!r}") from None
    return out


def _positive_integer_power(n: float) -> Callable[[float], float]:
    """x ** n for a whole n >= 1, which only fails by overflowing (the common case of **)."""

    def power(x: float) -> float:
        try:
            result: float = x**n
        except OverflowError:
            raise _overflow("pow", f"{x!r} ** {n!r}") from None
        return result

    return power


def _power_base_derivative(a: float, b: float) -> float:
    """∂(a ** b)/∂a = b · a^(b-1), which is 0 everywhere when b = 0."""
    if b == 0.0:
        return 0.0
    if a == 0.0 and b < 1.0:
        raise ZeroDivisionError(
            f"pow: the derivative b * a**(b-1) is infinite at a = 0.0 with b = {b!r}"
        )
    try:
        derivative: float = b * a ** (b - 1.0)
    except OverflowError:  # |a ** (b-1)| beyond a float: the derivative is ±inf (see below)
        negative = (b < 0.0) != (a < 0.0 and (b - 1.0) % 2.0 == 1.0)
        return -math.inf if negative else math.inf
    return derivative


def _power_base_contribution(upstream: float, a: float, b: float, out: float) -> float:
    """upstream · b · a^(b-1) computed as (upstream · b · a^b) / a, finite wherever the
    product is even where a^(b-1) alone overflows (a tiny, b < 1)."""
    if b == 0.0:
        return 0.0
    return (upstream * b * out) / a


class Pow(BinaryOp):
    """Power with a Value exponent f(a, b) = a^b;  ∂f/∂a = b·a^(b-1), ∂f/∂b = a^b · ln a.

    ∂f/∂b is 0 where a = 0 (as in PyTorch) and undefined over the reals where a < 0:
    asking for it raises ValueError.
    """

    name = "pow"
    symbol = "**"

    forward = staticmethod(_power)

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        a, b = out._a._data, out._b._data
        if a > 0.0:
            d_exponent = out._data * math.log(a)
        elif a == 0.0:
            d_exponent = 0.0
        else:
            raise ValueError(
                f"pow: the derivative with respect to the exponent, a**b * ln(a), "
                f"is not real for a negative base a = {a!r} (b = {b!r})"
            )
        return (_power_base_derivative(a, b), d_exponent)

    def contributions(self, out: Node, upstream: float) -> tuple[float, ...]:
        a, b = out._a._data, out._b._data
        d_exponent = self.local_derivatives(out)[1]
        return (_power_base_contribution(upstream, a, b, out._data), upstream * d_exponent)


class PowConstantExponent(UnaryOp):
    """Power with a constant exponent n: f(x) = xⁿ;  f'(x) = n·x^(n-1) (0 everywhere for n = 0)."""

    name = "pow"
    __slots__ = ("exponent", "forward")

    def __init__(self, exponent: float) -> None:
        self.exponent = exponent
        if exponent.is_integer() and exponent >= 1.0:  # x ** n is real for every x
            self.forward = _positive_integer_power(exponent)
        else:
            self.forward = self._any_power

    def describe(self) -> str:
        return f"**{constant_text(self.exponent)}"

    def _any_power(self, x: float) -> float:
        return _power(x, self.exponent)

    def derivative(self, out: Node) -> float:
        return _power_base_derivative(out._a._data, self.exponent)

    def contributions(self, out: Node, upstream: float) -> tuple[float, ...]:
        self.derivative(out)  # raises where the derivative is infinite (x = 0, n < 1)
        return (_power_base_contribution(upstream, out._a._data, self.exponent, out._data),)

    def __repr__(self) -> str:
        return f"<op pow {self.exponent!r}>"


class PowConstantBase(UnaryOp):
    """Power of a constant base c: f(x) = cˣ;  f'(x) = cˣ · ln c.

    f'(x) is 0 for c = 0 (as in PyTorch) and not real for c < 0: asking for it raises
    ValueError. The base is a constant, not an input, so no derivative is taken for it.
    """

    name = "pow"
    __slots__ = ("base",)

    def __init__(self, base: float) -> None:
        self.base = base

    def describe(self) -> str:
        return f"{constant_text(self.base)}**"

    def forward(self, x: float) -> float:
        return _power(self.base, x)

    def derivative(self, out: Node) -> float:
        c = self.base
        if c > 0.0:
            return out._data * math.log(c)
        if c == 0.0:
            return 0.0
        raise ValueError(
            f"pow: the derivative of c**x, c**x * ln(c), is not real for a negative base "
            f"c = {c!r} (x = {out._a._data!r})"
        )

    def __repr__(self) -> str:
        return f"<op pow base {self.base!r}>"


POW_OPS: dict[float, PowConstantExponent] = {}


def pow_constant_exponent(exponent: object) -> PowConstantExponent:
    """The op ``x ** exponent`` for a number ``exponent``; a TypeError or ValueError naming
    pow for anything else. Shared between nodes for the first few hundred exponents seen.
    """
    op = POW_OPS.get(exponent) if type(exponent) is float or type(exponent) is int else None
    if op is None:
        n = as_finite_float(exponent, "pow")
        op = PowConstantExponent(n)
        if len(POW_OPS) < 256:
            POW_OPS[n] = op
    return op


class Exp(UnaryOp):
    """Exponential f(x) = eˣ;  f'(x) = eˣ = f(x)."""

    name = "exp"

    @staticmethod
    def forward(x: float) -> float:
        try:
            return math.exp(x)
        except OverflowError:
            raise OverflowError(
                f"exp: exp({x!r}) overflows a float (the largest input is about 709.78)"
            ) from None

    def derivative(self, out: Node) -> float:
        return out._data


class Log(UnaryOp):
    """Natural logarithm f(x) = ln x for x > 0;  f'(x) = 1/x."""

    name = "log"

    @staticmethod
    def forward(x: float) -> float:
        if x <= 0.0:
            raise ValueError(f"log: input must be > 0, got {x!r}")
        return math.log(x)

    def derivative(self, out: Node) -> float:
        return 1.0 / out._a._data

    def contributions(self, out: Node, upstream: float) -> tuple[float, ...]:
        return (upstream / out._a._data,)


class Log1p(UnaryOp):
    """f(x) = ln(1 + x) for x > -1, accurate for tiny x;  f'(x) = 1 / (1 + x)."""

    name = "log1p"

    @staticmethod
    def forward(x: float) -> float:
        if x <= -1.0:
            raise ValueError(f"log1p: input must be > -1, got {x!r}")
        return math.log1p(x)

    def derivative(self, out: Node) -> float:
        return 1.0 / (1.0 + out._a._data)


class Clamp(UnaryOp):
    """Clamping f(x) = min(max(x, low), high);  f'(x) = 1 for low <= x <= high, else 0.

    Either bound may be None (no bound). As in PyTorch, the derivative is 1 at a bound.
    """

    name = "clamp"
    __slots__ = ("low", "high")

    def __init__(self, low: float | None, high: float | None) -> None:
        if low is not None and high is not None and low > high:
            raise ValueError(f"clamp: min ({low!r}) must not exceed max ({high!r})")
        self.low = low
        self.high = high

    def describe(self) -> str:
        return f"clamp[{self.low}, {self.high}]"

    def forward(self, x: float) -> float:
        if self.low is not None and x < self.low:
            return self.low
        if self.high is not None and x > self.high:
            return self.high
        return x

    def derivative(self, out: Node) -> float:
        x = out._a._data
        below = self.low is not None and x < self.low
        above = self.high is not None and x > self.high
        return 0.0 if below or above else 1.0

    def __repr__(self) -> str:
        return f"<op clamp {self.low!r} {self.high!r}>"


def clamp_between(min: object = None, max: object = None) -> Clamp:
    """The op of ``x.clamp(min, max)``: either bound may be None, not both; a TypeError or
    ValueError naming clamp for a bound that is not a finite number."""
    if min is None and max is None:
        raise ValueError("clamp: give min, max or both")
    return Clamp(
        None if min is None else as_finite_float(min, "clamp"),
        None if max is None else as_finite_float(max, "clamp"),
    )


class Tanh(UnaryOp):
    """Hyperbolic tangent f(x) = tanh x;  f'(x) = 1 - tanh²x = 1 - f(x)². Never overflows."""

    name = "tanh"
    forward = staticmethod(math.tanh)

    @staticmethod
    def slope(y: float) -> float:
        """f'(x) in terms of the output y = tanh x: 1 - y²."""
        return 1.0 - y * y

    def derivative(self, out: Node) -> float:
        return self.slope(out._data)


class Sigmoid(UnaryOp):
    """Logistic function f(x) = 1 / (1 + e⁻ˣ);  f'(x) = f(x)·(1 - f(x)).

    Computed as e^x / (1 + e^x) for x < 0 so that no exponential overflows.
    """

    name = "sigmoid"

    @staticmethod
    def forward(x: float) -> float:
        if x >= 0.0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)

    @staticmethod
    def slope(y: float) -> float:
        """f'(x) in terms of the output y = f(x): y(1 - y)."""
        return y * (1.0 - y)

    def derivative(self, out: Node) -> float:
        return self.slope(out._data)


class Relu(UnaryOp):
    """Rectified linear unit f(x) = max(0, x);  f'(x) = 1 for x > 0, else 0 (0 at x = 0)."""

    name = "relu"

    @staticmethod
    def forward(x: float) -> float:
        return x if x > 0.0 else 0.0

    @staticmethod
    def slope(y: float) -> float:
        """f'(x) in terms of the output y = max(0, x): 1 where y > 0, else 0."""
        return 1.0 if y > 0.0 else 0.0

    def derivative(self, out: Node) -> float:
        return self.slope(out._data)


class Sqrt(UnaryOp):
    """Square root f(x) = √x for x >= 0;  f'(x) = 1 / (2√x), infinite at 0 (raises)."""

    name = "sqrt"

    @staticmethod
    def forward(x: float) -> float:
        if x < 0.0:
            raise ValueError(f"sqrt: input must be >= 0, got {x!r}")
        return math.sqrt(x)

    def derivative(self, out: Node) -> float:
        if out._data == 0.0:
            raise ZeroDivisionError("sqrt: the derivative 1/(2*sqrt(x)) is infinite at x = 0.0")
        return 0.5 / out._data


class Abs(UnaryOp):
    """Absolute value f(x) = |x|;  f'(x) = sign(x), with sign(0) = 0."""

    name = "abs"
    forward = staticmethod(abs)

    def derivative(self, out: Node) -> float:
        x = out._a._data
        return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


class Sin(UnaryOp):
    """Sine f(x) = sin x;  f'(x) = cos x."""

    name = "sin"
    forward = staticmethod(math.sin)

    def derivative(self, out: Node) -> float:
        return math.cos(out._a._data)


class Cos(UnaryOp):
    """Cosine f(x) = cos x;  f'(x) = -sin x."""

    name = "cos"
    forward = staticmethod(math.cos)

    def derivative(self, out: Node) -> float:
        return -math.sin(out._a._data)


class Sum(NaryOp):
    """Sum of n inputs f(x₁, …, xₙ) = x₁ + … + xₙ;  ∂f/∂xᵢ = 1.

    One node however many inputs, where a chain of n - 1 additions would be n - 1 nodes
    and n - 1 steps deep.
    """

    name = "sum"
    symbol = "Σ"
    forward = staticmethod(_sum_of_floats)

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        return (1.0,) * len(out.parents)


class Mean(NaryOp):
    """Mean of n inputs f(x₁, …, xₙ) = (x₁ + … + xₙ) / n;  ∂f/∂xᵢ = 1/n."""

    name = "mean"
    symbol = "mean"

    @staticmethod
    def forward(xs: tuple[float, ...]) -> float:
        return _sum_of_floats(xs, "mean") / len(xs)

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        n = len(out.parents)
        return (1.0 / n,) * n


class Dot(NaryOp):
    """Affine combination f(w₁…wₙ, x₁…xₙ, b) = w₁x₁ + … + wₙxₙ + b: a neuron's pre-activation.

    Inputs are ordered w₁…wₙ, x₁…xₙ, then b;  ∂f/∂wᵢ = xᵢ, ∂f/∂xᵢ = wᵢ, ∂f/∂b = 1.
    One node where the same sum written with * and + is 2n nodes.
    """

    name = "dot"
    symbol = "w·x+b"

    @staticmethod
    def forward(values: tuple[float, ...]) -> float:
        n = len(values) // 2
        total = sum(map(operator.mul, values[:n], values[n : 2 * n]), values[-1])
        if total - total:
            raise _overflow("dot", f"the sum of {n} products")
        return total

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        inputs = out.parents
        n = len(inputs) // 2
        data = operator.attrgetter("_data")
        return (*map(data, inputs[n : 2 * n]), *map(data, inputs[:n]), 1.0)


NEG, EXP, LOG, LOG1P, TANH, SIGMOID = Neg(), Exp(), Log(), Log1p(), Tanh(), Sigmoid()
RELU, SQRT, ABS, SIN, COS = Relu(), Sqrt(), Abs(), Sin(), Cos()


class Affine(NaryOp):
    """A neuron: f(w₁…wₙ, x₁…xₙ, b) = act(z) with z = w₁x₁ + … + wₙxₙ + b.

    Inputs are ordered w₁…wₙ, x₁…xₙ, then b (a neuron without a bias has 2n inputs). With
    act' written in terms of the output y (``Relu.slope``, ``Tanh.slope``, ...; 1 without
    an activation):  ∂f/∂wᵢ = act'·xᵢ,  ∂f/∂xᵢ = act'·wᵢ,  ∂f/∂b = act'.
    This is the node a layer of neurons makes for each of them.
    """

    __slots__ = ()
    name = "affine"
    symbol = "w·x+b"
    activation: ClassVar[Relu | Tanh | Sigmoid | None] = None

    def forward(self, values: tuple[float, ...]) -> float:
        n = len(values) // 2
        bias = values[-1] if len(values) % 2 else 0.0
        z = sum(map(operator.mul, values[:n], values[n : 2 * n]), bias)
        if z - z:
            raise _overflow(self.name, f"the sum of {n} products")
        return z if self.activation is None else self.activation.forward(z)

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        inputs = out.parents
        n = len(inputs) // 2
        slope = 1.0 if self.activation is None else self.activation.slope(out._data)
        by_weight = [slope * x._data for x in inputs[n : 2 * n]]  # ∂f/∂wᵢ = act'·xᵢ
        by_input = [slope * w._data for w in inputs[:n]]  # ∂f/∂xᵢ = act'·wᵢ
        return (*by_weight, *by_input, *((slope,) if len(inputs) % 2 else ()))


class AffineRelu(Affine):
    """A neuron with relu: f = max(0, w·x + b); act' = ``Relu.slope``."""

    __slots__ = ()
    name = "affine_relu"
    symbol = "relu(w·x+b)"
    activation = RELU


class AffineTanh(Affine):
    """A neuron with tanh: f = tanh(w·x + b); act' = ``Tanh.slope``."""

    __slots__ = ()
    name = "affine_tanh"
    symbol = "tanh(w·x+b)"
    activation = TANH


class AffineSigmoid(Affine):
    """A neuron with sigmoid: f = sigmoid(w·x + b); act' = ``Sigmoid.slope``."""

    __slots__ = ()
    name = "affine_sigmoid"
    symbol = "sigmoid(w·x+b)"
    activation = SIGMOID


ADD, SUB, MUL, DIV, POW = Add(), Sub(), Mul(), Div(), Pow()
SUM, MEAN, DOT = Sum(), Mean(), Dot()
AFFINE: dict[str | None, Affine] = {
    None: Affine(),
    "relu": AffineRelu(),
    "tanh": AffineTanh(),
    "sigmoid": AffineSigmoid(),
}
