"""Every op of the engine, one row each in ``OPS``: how to apply it, sample inputs inside its
domain, its value and its derivatives in closed form (written out here, not taken from the
engine), edge cases, and the errors for bad input.

The tests below the table are parametrized over it: the value at each sample (bit for bit
where the engine does the same float operation or calls the same ``math`` function), the
closed-form derivatives, central differences (``autograd.gradcheck`` and
``numerical_gradient``), PyTorch in float64 (marked ``torch``), the edge cases (signed
zeros, relu'(0) = 0, abs'(0) = 0, d(x**0)/dx = 0, tanh(±1000), sigmoid(-1000), ...) by hand
and against PyTorch, and each error's exact type and message. After the table come the
tests of one op that a table row cannot hold; last, the ops that hold a number
(``x * 2``, ``1 - x``, ...): how they show the number, share ops between nodes (in a fresh
interpreter), and never confuse 0.0 with -0.0 or True with 1.0.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, detect_anomaly, gradcheck, no_grad, numerical_gradient, ops
from tests.helpers import ROOT, assert_named_error

# Closed forms vs the engine: a few ulps at most; central differences (eps = 1e-6) agree to
# about 1e-6 relative (3e-6 at worst in float64). Against PyTorch (other implementations of
# the same functions: last-bit differences), relative with a floor for results that are ~0. Edges
# are exact numbers (0, 1, 4e-18, 1e300): relative only, so that a 0 must be a 0.
VALUE_REL, VALUE_ABS = 1e-12, 1e-15
GRAD_ABS = 1e-14
NUMERIC_REL, NUMERIC_ABS = 1e-5, 1e-6
TORCH_REL, TORCH_ABS = 1e-12, 1e-15
EDGE_REL = 1e-10


def bits(x: float) -> str:
    """``x`` exactly, sign of zero included: equal texts mean equal floats, bit for bit."""
    return float.hex(x)


# -- the table ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    """A point where the op is defined by convention or where a naive formula would fail."""

    point: tuple[Any, ...]
    value: float  # by hand; compared bit for bit (sign of zero included) when ``exact``
    grads: tuple[float, ...] | None = None  # by hand; None: the value only
    why: str = ""
    exact: bool = True
    torch: bool = True  # also checked against PyTorch


@dataclass(frozen=True)
class Error:
    """Bad input: ``point`` raises exactly ``error`` with ``message`` (a regex) in its text,
    in the forward pass, or (``in_backward``) only when the derivative is taken."""

    point: tuple[Any, ...]
    error: type[Exception]
    message: str
    in_backward: bool = False


@dataclass(frozen=True)
class Row:
    """One op. A point holds the data of the op's Value inputs, then (for an op that holds
    numbers: ``x * c``, ``x ** n``, clamp's bounds) those numbers, which are not Values."""

    text: str  # how it is written: the row's id
    name: str  # Value.op
    apply: Callable[..., Any]  # (Values..., numbers...) -> the node; tensors too
    value: Callable[..., float]  # the expected value, from plain floats
    grads: Callable[..., tuple[float, ...]]  # ∂/∂ each Value input, by hand
    points: tuple[tuple[Any, ...], ...]
    edges: tuple[Edge, ...] = ()
    errors: tuple[Error, ...] = ()
    values: int | None = None  # how many entries of a point are Values (None: all of them)
    exact: bool = True  # the value bit for bit at every point
    rel: float = 1e-12  # derivatives vs the closed form
    op_class: type[ops.Op] | None = None  # for the ops that hold a number
    shown: Callable[[str], str] | None = None  # such an op's text, from the number's text
    torch_apply: Callable[..., Any] | None = None  # (torch, tensors..., numbers...) if not apply

    def split(self, point: tuple[Any, ...]) -> tuple[tuple[float, ...], tuple[Any, ...]]:
        n = len(point) if self.values is None else self.values
        return point[:n], point[n:]

    def derivative(self, x: float, c: Any) -> float:
        """d/dx of an op of one Value and one number (``x * c``, ``c - x``, ...)."""
        return self.grads(x, c)[0]

    def __str__(self) -> str:
        return self.text


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def sign(x: float) -> float:
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


def clamped(x: float, low: float | None, high: float | None) -> float:
    return min(max(x, -math.inf if low is None else low), math.inf if high is None else high)


def pow_derivative(x: float, n: float) -> float:
    """d(xⁿ)/dx by hand: n·x^(n-1), and 0 for n = 0 (x⁰ is the constant 1)."""
    return 0.0 if n == 0 else n * math.pow(x, n - 1)


def dot_parts(v: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...], Any]:
    """w₁…wₙ, x₁…xₙ, b, from the inputs in dot's order."""
    n = (len(v) - 1) // 2
    return v[:n], v[n : 2 * n], v[-1]


def one(*xs: float) -> tuple[float, ...]:
    return tuple((x,) for x in xs)  # type: ignore[misc]


S_40 = math.exp(-40.0) / (1.0 + math.exp(-40.0))  # sigmoid(-40), about 4.2e-18
BINARY_POINTS = ((2.0, 3.0), (-1.5, 0.25), (0.0, -4.0), (7.0, -0.5), (1e-3, 1e3))
XS = [0.1, -2.5, 3.0]
CS: list[float] = [2, 0.5, -0.3, 1e-3, 7]  # ints among them on purpose
# numbers written on the left of x (3 - x, 2.5 - x, 1 + x, ...) at other points
NUMBER_POINTS = tuple((x, c) for x in XS for c in CS) + tuple(
    (x, c) for x in (-2.0, 0.5, 4.0) for c in (3, 2.5, 1)
)
# (x, c) pairs at the edges of floats, each form's value bit for bit as plain Python's
EDGE_PAIRS: list[tuple[float, Any]] = [
    (0.1, 0.2),  # inexact decimals
    (1e308, 1.5),  # close to the largest float, not beyond it
    (-1.7e308, -1.0),
    (5e-324, 1e-300),  # the smallest subnormal; x * c underflows to 0
    (1e-300, 1e-20),
    (2.0**53, 1),
    (3.0, 2**53 + 1),  # an int that rounds to a float, as in plain arithmetic
    (0.3, -0.1),
]
DIVISION = r"^div\b.*division"
LARGE = (1e6, -12345.678, 100.0)  # sin and cos far from 0: the same numbers as math's


def number_row(
    text: str,
    name: str,
    apply: Callable[[Any, Any], Any],
    derivative: Callable[[float, float], float],
    op_class: type[ops.WithConstant],
    shown: Callable[[str], str],
    signed_zeros: tuple[tuple[float, float, float], ...] = (),
    errors: tuple[Error, ...] = (),
) -> Row:
    """A binary operator with a number c on one side: plain float arithmetic is the reference,
    bit for bit (``apply`` works on Values, floats and tensors alike)."""
    edges = tuple(
        # PyTorch computes c / x as c * (1 / x), which overflows for a subnormal x
        Edge((x, c), apply(x, c), why="as plain Python", torch=(text, x) != ("c / x", 5e-324))
        for x, c in EDGE_PAIRS
    ) + tuple(Edge((x, c), z, why=f"signed zero at x={x!r}, c={c!r}") for x, c, z in signed_zeros)
    return Row(
        text, name, apply, apply, lambda x, c: (derivative(x, float(c)),), NUMBER_POINTS,
        edges=edges, errors=errors, values=1, rel=1e-14, op_class=op_class, shown=shown,
    )  # fmt: skip


OPS: list[Row] = [
    # -- two Values ----------------------------------------------------------------------
    Row(
        "add", "add", lambda a, b: a + b, lambda a, b: a + b, lambda a, b: (1.0, 1.0),
        BINARY_POINTS, errors=(Error((1e308, 1e308), OverflowError, r"^add: 1e\+308 \+ 1e\+308"),),
    ),
    Row(
        "sub", "sub", lambda a, b: a - b, lambda a, b: a - b, lambda a, b: (1.0, -1.0),
        BINARY_POINTS, errors=(Error((-1e308, 1e308), OverflowError, r"^sub:"),),
    ),
    Row(
        "mul", "mul", lambda a, b: a * b, lambda a, b: a * b, lambda a, b: (b, a), BINARY_POINTS,
        errors=(Error((1e200, 1e200), OverflowError, r"mul.*1e\+200"),),
    ),
    Row(
        "div", "div", lambda a, b: a / b, lambda a, b: a / b,
        lambda a, b: (1.0 / b, -a / (b * b)), BINARY_POINTS,
        errors=(
            Error((1.0, 0.0), ZeroDivisionError, r"div.*division"),
            Error((0.0, -0.0), ZeroDivisionError, DIVISION),
            Error((1e300, 1e-300), OverflowError, r"^div:"),
        ),
    ),
    Row(
        "a ** b", "pow", lambda a, b: a**b, lambda a, b: a**b,
        # ∂(aᵇ)/∂a = b·a^(b-1) (0 for b = 0);  ∂(aᵇ)/∂b = aᵇ·ln a
        lambda a, b: (pow_derivative(a, b), math.pow(a, b) * math.log(a)),
        ((2.0, 3.0), (0.5, -1.5), (3.0, 0.5), (1.0, 2.0), (7.5, 0.0)),
        edges=(
            Edge((2.0, 3.0), 8.0, (12.0, 8.0 * math.log(2.0))),
            Edge((2.0, 0.0), 1.0, (0.0, math.log(2.0)), "∂/∂a = 0, ∂/∂b = ln a at b = 0"),
            Edge((0.0, 0.0), 1.0, (0.0, 0.0), "0 ** 0 = 1, and ∂/∂b = 0 at a = 0"),
            Edge((0.0, 2.0), 0.0, (0.0, 0.0), "∂(0ᵇ)/∂b = 0 (PyTorch)"),
            Edge((0.0, 3.0), 0.0, (0.0, 0.0)),
            Edge((0.0, 1.0), 0.0, (1.0, 0.0), "∂(aᵇ)/∂a = b·a^(b-1) = 1 at a = 0, b = 1"),
        ),
        errors=(
            Error((-8.0, 0.5), ValueError, r"pow.*-8\.0"),
            Error((0.0, -2.0), ZeroDivisionError, r"pow"),
            Error((10.0, 400.0), OverflowError, r"pow"),
            Error((-2.0, 2.0), ValueError, r"pow.*-2\.0", in_backward=True),
            Error((0.0, 0.5), ZeroDivisionError, r"pow", in_backward=True),
        ),
    ),
    # -- a Value and a number, the number part of the op -----------------------------------
    number_row(
        "x + c", "add", lambda x, c: x + c, lambda x, c: 1.0, ops.AddConstant, "+{}".format,
        signed_zeros=((-0.0, 0.0, 0.0), (-0.0, -0.0, -0.0)),
        errors=(
            Error((2.0, "a"), TypeError, r"add.*str"),
            Error((2.0, math.nan), ValueError, r"add.*nan"),
            Error((1e308, 1e308), OverflowError, r"^add:.*1e\+308"),
        ),
    ),
    number_row(
        "c + x", "add", lambda x, c: c + x, lambda x, c: 1.0, ops.AddConstant, "+{}".format,
        signed_zeros=((-0.0, 0.0, 0.0),),
        errors=(
            Error((2.0, "a"), TypeError, r"add"),
            Error((1e308, 1e308), OverflowError, r"^add:"),
            Error((1.0, 10**400), OverflowError, r"^add:"),  # too large for a float at all
        ),
    ),
    number_row(
        "x - c", "sub", lambda x, c: x - c, lambda x, c: 1.0, ops.SubConstant, "-{}".format,
        signed_zeros=((-0.0, 0.0, -0.0), (-0.0, -0.0, 0.0)),
        errors=(
            Error((2.0, "a"), TypeError, r"sub"),
            Error((-1e308, 1e308), OverflowError, r"^sub:"),
        ),
    ),
    number_row(
        "c - x", "sub", lambda x, c: c - x, lambda x, c: -1.0, ops.ConstantSub, "{}-".format,
        signed_zeros=((0.0, -0.0, -0.0), (0.0, 0.0, 0.0)),
        errors=(
            Error((2.0, math.inf), ValueError, r"sub.*inf"),
            Error((-1e308, 1e308), OverflowError, r"^sub:"),
            Error((-1e308, 1e308), OverflowError, r"1e\+308 - -1e\+308 overflows"),
        ),
    ),
    number_row(
        "x * c", "mul", lambda x, c: x * c, lambda x, c: c, ops.MulConstant, "*{}".format,
        signed_zeros=((2.0, -0.0, -0.0), (-2.0, 0.0, -0.0), (-2.0, -0.0, 0.0)),
        errors=(
            Error((2.0, None), TypeError, r"mul.*None"),
            Error((2.0, 1 + 1j), TypeError, r"mul.*complex"),
            Error((2.0, True), TypeError, r"mul.*bool"),
            Error((2.0, math.inf), ValueError, r"mul.*inf"),
            Error((1e200, 1e200), OverflowError, r"mul.*1e\+200"),
            Error((1e308, 10), OverflowError, r"^mul:"),
            Error((1e308, 10), OverflowError, r"1e\+308 \* 10.0 overflows"),
            Error((-1e308, 1e10), OverflowError, r"^mul:"),
            Error((2.0, 10**400), OverflowError, r"^mul:"),  # too large for a float at all
        ),
    ),
    number_row(
        "c * x", "mul", lambda x, c: c * x, lambda x, c: c, ops.MulConstant, "*{}".format,
        signed_zeros=((2.0, -0.0, -0.0),),
        errors=(
            Error((1e308, 10), OverflowError, r"^mul:"),
            Error((1e308, -1e10), OverflowError, r"^mul:"),
        ),
    ),
    number_row(
        "x / c", "div", lambda x, c: x / c, lambda x, c: 1.0 / c, ops.DivConstant, "/{}".format,
        errors=(
            Error((2.0, [1]), TypeError, r"div"),
            Error((1.0, 0), ZeroDivisionError, r"div.*division"),
            Error((3.0, 0), ZeroDivisionError, DIVISION),
            Error((3.0, 0.0), ZeroDivisionError, DIVISION),
            Error((3.0, -0.0), ZeroDivisionError, DIVISION),
            Error((0.0, 0.0), ZeroDivisionError, DIVISION),
            Error((3.0, np.float64(0.0)), ZeroDivisionError, DIVISION),
            Error((3.0, np.int64(0)), ZeroDivisionError, DIVISION),
            Error((1e308, 1e-10), OverflowError, r"^div:"),
            Error((1e300, 1e-300), OverflowError, r"div"),
        ),
    ),
    number_row(
        "c / x", "div", lambda x, c: c / x, lambda x, c: -c / (x * x), ops.ConstantDiv,
        "{}/".format, signed_zeros=((-2.0, 0.0, -0.0), (-2.0, -0.0, 0.0)),
        errors=(
            Error((0.0, 1), ZeroDivisionError, r"div.*division"),
            Error((0.0, 4), ZeroDivisionError, DIVISION),
            Error((-0.0, 4.0), ZeroDivisionError, DIVISION),
            Error((0.0, 0.0), ZeroDivisionError, DIVISION),
            Error((0.0, np.float64(4.0)), ZeroDivisionError, DIVISION),
            Error((1e-10, 1e300), OverflowError, r"^div:"),
            Error((1e-10, 1e300), OverflowError, r"1e\+300 / 1e-10"),
            Error((1e-10, -1e300), OverflowError, r"^div:"),
        ),
    ),
    Row(
        "x ** n", "pow", lambda x, n: x**n, lambda x, n: float(x) ** float(n),
        lambda x, n: (pow_derivative(x, float(n)),),
        tuple((x, n) for n, xs in [
            (2.0, (-3.0, -0.5, 0.0, 1.5, 4.0)),
            (3.0, (-2.0, 0.0, 0.5, 2.0)),
            (0.5, (0.01, 0.25, 1.0, 9.0)),
            (-1.0, (-2.0, -0.5, 0.5, 4.0)),
            (0.0, (-3.0, 0.0, 0.5, 2.0)),
            (-2.0, (-1.5, 0.25, 1.0, 3.0)),
        ] for x in xs)
        + tuple((1.75, n) for n in (2, 3, -1, 0, -2))  # int exponents, as floats
        + ((-8.0, 3), (-8.0, 3.0), (-2.0, 2), (-2.0, -1), (-3.0, -2.0)),  # negative bases
        edges=(
            *(
                Edge((x, 0), 1.0, (0.0,), "d(x**0)/dx = 0")
                for x in (0.0, -0.0, 1.0, -3.5, 1e-300, 1e300, -2.0)
            ),
            Edge((0.0, 0.0), 1.0, (0.0,), "0 ** 0.0 = 1"),
            Edge((0.0, 1), 0.0, (1.0,), "d(x**1)/dx = 1 at x = 0"),
            Edge((0.0, 1.5), 0.0, (0.0,), "d(x**1.5)/dx = 0 at x = 0"),
            Edge((0.0, 2), 0.0, (0.0,), "d(x**2)/dx = 0 at x = 0"),
            Edge((-2.0, 3), -8.0, (12.0,)),
            Edge((-8.0, 3), -512.0, (192.0,)),
            Edge((-2.0, -2), 0.25, (0.25,)),
        ),
        errors=(
            Error((2.0, "a"), TypeError, r"pow.*str"),
            Error((2.0, math.nan), ValueError, r"pow.*nan"),
            Error((2.0, math.inf), ValueError, r"pow.*inf"),
            Error((-8.0, 1 / 3), ValueError, r"pow.*-8\.0"),  # never a complex number
            Error((0.0, -1), ZeroDivisionError, r"pow.*division"),
            Error((0.0, -0.5), ZeroDivisionError, r"pow"),
            Error((10.0, 400), OverflowError, r"pow"),
            Error((1e200, 2), OverflowError, r"pow.*1e\+200"),
            Error((0.0, 0.5), ZeroDivisionError, r"pow", in_backward=True),  # 0.5 / sqrt(0)
        ),
        values=1, op_class=ops.PowConstantExponent,
    ),
    Row(
        "c ** x", "pow", lambda x, c: c**x, lambda x, c: float(c) ** float(x),
        lambda x, c: (math.pow(c, x) * math.log(c),),  # d(cˣ)/dx = cˣ ln c
        tuple((x, c) for c in (2.0, 0.5, math.e, 10.0) for x in (-1.5, 0.0, 0.75, 3.0)),
        edges=(
            Edge((3.0, 2), 8.0, (8.0 * math.log(2.0),), "an int base"),
            Edge((0.0, 0.0), 1.0, (0.0,), "d(0**y)/dy = 0 at y = 0"),
            *(
                Edge((y, 0.0), 0.0, (0.0,), "d(0**y)/dy = 0 (PyTorch)")
                for y in (2.0, 3.0, 1.0, 0.5)
            ),
        ),
        errors=(
            Error((0.5, -8.0), ValueError, r"pow.*-8\.0"),
            Error((400.0, 10.0), OverflowError, r"pow"),
            Error((2.0, -8.0), ValueError, r"pow.*-8\.0", in_backward=True),  # ln(-8)
        ),
        values=1, op_class=ops.PowConstantBase,
    ),
    # -- one Value -------------------------------------------------------------------------
    Row("neg", "neg", lambda x: -x, lambda x: -x, lambda x: (-1.0,), one(-2.5, 0.0, 0.75, 4.0)),
    Row(
        "exp", "exp", lambda x: x.exp(), math.exp, lambda x: (math.exp(x),),
        one(-3.0, -0.5, 0.0, 1.3, 5.0),
        edges=(Edge((709.0,), math.exp(709.0), (math.exp(709.0),), "exp(709), near the top"),),
        errors=(Error((800.0,), OverflowError, r"exp.*800"),),
    ),
    Row(
        "log", "log", lambda x: x.log(), math.log, lambda x: (1.0 / x,),
        one(0.05, 0.5, 1.0, 2.5, 100.0),
        edges=(Edge((1e-300,), math.log(1e-300), (1e300,), "log(1e-300)"),),
        errors=(
            Error((0.0,), ValueError, r"log.*0\.0"),
            Error((-1.0,), ValueError, r"log.*-1\.0"),  # not a bare 'math domain error'
        ),
    ),
    Row(
        "log1p", "log1p", lambda x: x.log1p(), math.log1p, lambda x: (1.0 / (1.0 + x),),
        one(-0.9, -1e-12, 0.0, 1e-300, 0.5, 40.0),
        edges=(Edge((1e-17,), 1e-17, (1.0,), "exact where log(1 + x) is 0"),),
        errors=(Error((-1.0,), ValueError, r"log1p: input must be > -1, got -1\.0"),),
        rel=1e-15,
    ),
    Row(
        "clamp", "clamp", lambda x, low, high: x.clamp(low, high), clamped,
        lambda x, low, high: (0.0 if x != clamped(x, low, high) else 1.0,),
        ((0.5, 0.0, 1.0), (-0.5, 0.0, 1.0), (1.5, 0.0, 1.0), (-3.0, None, 2.0), (3.0, None, 2.0),
         (-3.0, -1.0, None), (0.25, -1.0, 1.0), (-2.0, -1.0, 1.0), (3.0, -1.0, 1.0)),
        edges=(  # at a bound the derivative is 1, as in PyTorch
            Edge((0.0, 0.0, 1.0), 0.0, (1.0,), "at the lower bound"),
            Edge((1.0, 0.0, 1.0), 1.0, (1.0,), "at the upper bound"),
            Edge((-1.0, -1.0, 1.0), -1.0, (1.0,), "at the lower bound"),
            Edge((1.0, -1.0, 1.0), 1.0, (1.0,), "at the upper bound"),
        ),
        errors=(
            Error((1.0, None, None), ValueError, "clamp: give min, max or both"),
            Error((1.0, 2.0, 1.0), ValueError, r"clamp: min \(2\.0\)"),
            Error((1.0, "a", None), TypeError, "clamp"),
            Error((1.0, None, math.nan), ValueError, "clamp"),
        ),
        values=1, op_class=ops.Clamp,
    ),
    Row(
        "tanh", "tanh", lambda x: x.tanh(), math.tanh,
        lambda x: (1.0 / math.cosh(x) ** 2,),  # sech² x, not 1 - tanh² as the engine writes it
        one(-2.0, -0.3, 0.0, 0.8, 3.0),
        edges=tuple(
            Edge((x,), math.copysign(1.0, x), (0.0,), f"tanh({x:g}) saturates")
            for x in (1000.0, -1000.0, 50.0, -50.0)
        ),
    ),
    Row(
        "sigmoid", "sigmoid", lambda x: x.sigmoid(), sigmoid,
        lambda x: (math.exp(-x) / (1.0 + math.exp(-x)) ** 2,), one(-4.0, -1.0, 0.0, 0.5, 3.0),
        edges=(
            Edge((1000.0,), 1.0, (0.0,), "sigmoid(1000)"),
            Edge((-1000.0,), 0.0, (0.0,), "sigmoid(-1000): e^1000 never computed"),
            Edge((-40.0,), S_40, (S_40 * (1.0 - S_40),), "sigmoid(-40), tiny but not 0"),
        ),
        exact=False,  # e^x / (1 + e^x) below 0, where the reference is 1 / (1 + e^-x)
    ),
    Row(
        "relu", "relu", lambda x: x.relu(), lambda x: max(0.0, x),
        lambda x: (1.0 if x > 0 else 0.0,),
        one(-2.0, -0.1, 0.1, 3.0), edges=(Edge((0.0,), 0.0, (0.0,), "relu'(0) = 0"),),
    ),
    Row(
        "sqrt", "sqrt", lambda x: x.sqrt(), math.sqrt, lambda x: (1.0 / (2.0 * math.sqrt(x)),),
        one(0.01, 0.5, 1.0, 4.0, 10.0),
        edges=(Edge((1e-300,), 1e-150, (5e149,), "sqrt(1e-300)", exact=False),),
        errors=(
            Error((-1.0,), ValueError, r"sqrt.*-1\.0"),
            Error((0.0,), ZeroDivisionError, r"sqrt", in_backward=True),  # sqrt'(0) is infinite
        ),
    ),
    Row(
        "abs", "abs", lambda x: x.abs(), abs, lambda x: (sign(x),), one(-3.0, -0.5, 0.5, 2.0),
        edges=(Edge((0.0,), 0.0, (0.0,), "abs'(0) = 0"), Edge((-2.0,), 2.0, (-1.0,))),
    ),
    Row(
        "sin", "sin", lambda x: x.sin(), math.sin, lambda x: (math.cos(x),),
        one(-2.0, 0.0, 0.7, math.pi / 2, 3.0),
        edges=tuple(Edge((x,), math.sin(x), why="large argument") for x in LARGE),
    ),
    Row(
        "cos", "cos", lambda x: x.cos(), math.cos, lambda x: (-math.sin(x),),
        one(-2.0, 0.0, 0.7, math.pi, 3.0),
        edges=tuple(Edge((x,), math.cos(x), why="large argument") for x in LARGE),
    ),
    # -- many Values: one node --------------------------------------------------------------
    Row(
        "sum", "sum", lambda *xs: autograd.sum(xs), lambda *xs: sum(xs, 0.0),
        lambda *xs: (1.0,) * len(xs), ((1.0,), (0.0, 1.0, 2.0, 3.0, 4.0), (0.25, -1.5, 2.0, 3.75)),
        errors=(
            Error((), ValueError, r"sum: needs at least one value"),
            Error((1e308, 1e308), OverflowError, r"sum"),
        ),
        torch_apply=lambda torch, *xs: torch.stack(xs).sum(),
    ),
    Row(
        "mean", "mean", lambda *xs: autograd.mean(xs), lambda *xs: sum(xs, 0.0) / len(xs),
        lambda *xs: (1.0 / len(xs),) * len(xs), ((1.0, 2.0, 6.0), (0.25, -1.5, 2.0, 3.75), (4.0,)),
        errors=(Error((), ValueError, r"mean: needs at least one value"),),
        torch_apply=lambda torch, *xs: torch.stack(xs).mean(),
    ),
    Row(
        "dot", "dot", lambda *v: autograd.dot(*dot_parts(v)),
        lambda *v: sum(map(lambda w, x: w * x, *dot_parts(v)[:2]), v[-1]),
        lambda *v: (*dot_parts(v)[1], *dot_parts(v)[0], 1.0),  # ∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1
        ((0.5, -1.0, 2.0, 3.0, 0.25), (0.1, -0.2, 0.3, 0.4, -0.5), (1.5, -2.0, 0.0)),
        errors=(Error((1e308, 1e308, 10.0, 10.0, 0.0), OverflowError, r"^dot: the sum of 2"),),
        torch_apply=lambda torch, *v: sum(map(lambda w, x: w * x, *dot_parts(v)[:2])) + v[-1],
    ),
]  # fmt: skip
OPS_BY_TEXT = {row.text: row for row in OPS}
# The ops that hold a number c: x + c, c + x, x - c, c - x, x * c, c * x, x / c, c / x.
FORMS = [
    row for row in OPS if row.op_class is not None and issubclass(row.op_class, ops.WithConstant)
]
FORM = {form.text: form for form in FORMS}
ZERO_FORMS = [form for form in FORMS if form.text != "x / c"]  # defined for c = 0
# Every op but these can fail for some finite input (outside its domain, or overflowing).
NEVER_FAIL = {"neg", "tanh", "sigmoid", "relu", "abs", "sin", "cos"}


def text_of(point: tuple[Any, ...]) -> str:
    return ", ".join(repr(v) for v in point)


def build(row: Row, point: tuple[Any, ...]) -> tuple[list[Value], Value]:
    """Leaves for the point's Value inputs, and the op applied to them and its numbers."""
    data, numbers = row.split(point)
    leaves = [Value(x) for x in data]
    return leaves, row.apply(*leaves, *numbers)


def on_tensors(torch: Any, row: Row, point: tuple[Any, ...]) -> tuple[list[Any], Any]:
    """The same with float64 tensors (numbers as floats, as PyTorch takes them)."""
    data, numbers = row.split(point)
    tensors = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in data]
    numbers = tuple(c if c is None else float(c) for c in numbers)
    if row.torch_apply is not None:
        return tensors, row.torch_apply(torch, *tensors, *numbers)
    return tensors, row.apply(*tensors, *numbers)


def torch_grad(t: Any) -> float:
    """A tensor's .grad as a float; torch leaves it None for an input the output ignores."""
    return 0.0 if t.grad is None else float(t.grad.item())


def edge_close(ours: float, expected: float) -> bool:
    return ours == expected or math.isclose(ours, expected, rel_tol=EDGE_REL, abs_tol=0.0)


POINTS = [pytest.param(row, p, id=f"{row.text} at {text_of(p)}") for row in OPS for p in row.points]
EDGES = [
    pytest.param(row, e, id=f"{row.text} at {text_of(e.point)}{': ' + e.why if e.why else ''}")
    for row in OPS
    for e in row.edges
]
TORCH_EDGES = [param for param in EDGES if param.values[1].torch]  # type: ignore[union-attr]
ERRORS = [
    pytest.param(row, e, id=f"{row.text} at {text_of(e.point)}: {e.error.__name__}")
    for row in OPS
    for e in row.errors
]


def test_the_table_has_a_row_for_every_op_and_an_error_for_every_op_that_can_fail() -> None:
    names = {row.name for row in OPS}
    assert names == {
        "add", "sub", "mul", "div", "pow", "neg", "exp", "log", "log1p", "clamp", "tanh",
        "sigmoid", "relu", "sqrt", "abs", "sin", "cos", "sum", "mean", "dot",
    }  # fmt: skip
    assert len(OPS_BY_TEXT) == len(OPS)  # one row each
    assert {row.text for row in OPS if not row.errors} == NEVER_FAIL
    assert len(ERRORS) >= 25
    assert all(row.points for row in OPS)


@pytest.mark.parametrize(("row", "point"), POINTS)
def test_value(row: Row, point: tuple[Any, ...]) -> None:
    leaves, out = build(row, point)
    assert out.op == row.name
    assert not out.is_leaf
    assert out.parents == tuple(leaves)  # in order; the numbers are part of the op, not nodes
    expected = row.value(*point)
    assert isinstance(out.data, float)
    if row.exact:
        assert bits(out.data) == bits(expected)
    else:
        assert math.isclose(out.data, expected, rel_tol=VALUE_REL, abs_tol=VALUE_ABS)


@pytest.mark.parametrize(("row", "point"), POINTS)
def test_derivatives_are_the_closed_form(row: Row, point: tuple[Any, ...]) -> None:
    leaves, out = build(row, point)
    out.backward()
    assert out.grad == 1.0
    for leaf, expected in zip(leaves, row.grads(*point), strict=True):
        assert math.isclose(leaf.grad, expected, rel_tol=row.rel, abs_tol=GRAD_ABS)


@pytest.mark.parametrize(("row", "point"), POINTS)
def test_derivatives_match_central_differences(row: Row, point: tuple[Any, ...]) -> None:
    data, numbers = row.split(point)

    def fn(*inputs: Value) -> Value:
        out: Value = row.apply(*inputs, *numbers)
        return out

    assert gradcheck(fn, list(data))
    leaves = [Value(x) for x in data]
    for i, expected in enumerate(row.grads(*point)):
        numeric = numerical_gradient(fn, leaves, i)
        assert leaves[i].data == data[i]  # numerical_gradient restores the input
        assert math.isclose(numeric, expected, rel_tol=NUMERIC_REL, abs_tol=NUMERIC_ABS)


@pytest.mark.torch
@pytest.mark.parametrize(("row", "point"), POINTS)
def test_matches_torch(row: Row, point: tuple[Any, ...], torch: Any) -> None:
    leaves, out = build(row, point)
    out.backward()
    tensors, tout = on_tensors(torch, row, point)
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=TORCH_REL, abs_tol=TORCH_ABS)
    for leaf, t in zip(leaves, tensors, strict=True):
        assert math.isclose(leaf.grad, torch_grad(t), rel_tol=TORCH_REL, abs_tol=TORCH_ABS)


@pytest.mark.parametrize(("row", "edge"), EDGES)
def test_edges_by_hand(row: Row, edge: Edge) -> None:
    leaves, out = build(row, edge.point)
    if edge.exact:
        assert bits(out.data) == bits(edge.value)  # the sign of a zero too
    else:
        assert edge_close(out.data, edge.value)
    if edge.grads is not None:
        out.backward()
        for leaf, expected in zip(leaves, edge.grads, strict=True):
            assert edge_close(leaf.grad, expected), (leaf.grad, expected)
            assert math.isfinite(leaf.grad)


@pytest.mark.torch
@pytest.mark.parametrize(("row", "edge"), TORCH_EDGES)
def test_edges_match_torch(row: Row, edge: Edge, torch: Any) -> None:
    tensors, tout = on_tensors(torch, row, edge.point)
    assert edge_close(tout.item(), edge.value), (tout.item(), edge.value)
    if edge.grads is not None:
        tout.backward()
        for t, expected in zip(tensors, edge.grads, strict=True):
            assert edge_close(torch_grad(t), expected), (torch_grad(t), expected)


@pytest.mark.parametrize(("row", "error"), ERRORS)
def test_errors(row: Row, error: Error) -> None:
    data, numbers = row.split(error.point)
    for _ in range(2):  # the same again: nothing cached on the way changes that
        if error.in_backward:
            out = row.apply(*[Value(x) for x in data], *numbers)
            assert math.isfinite(out.data)  # the forward pass is fine
            assert_named_error(out.backward, error.error, error.message)
        else:
            assert_named_error(
                lambda: row.apply(*[Value(x) for x in data], *numbers), error.error, error.message
            )


# -- one op at a time: what a row cannot hold -----------------------------------------


def test_abs_builtin_is_the_abs_op() -> None:
    v = Value(-1.25)
    out = abs(v)
    assert out.op == "abs"
    assert out.data == 1.25
    out.backward()
    assert v.grad == -1.0


def test_unary_plus_returns_the_same_value() -> None:
    v = Value(2.0)
    assert +v is v


def test_sigmoid_minus_745() -> None:
    v = Value(-745.0)
    out = v.sigmoid()
    # σ(x) = eˣ/(1 + eˣ) ≈ eˣ for very negative x; math.exp(-745) is the smallest subnormal
    assert out.data == math.exp(-745.0)
    assert out.data > 0.0
    out.backward()
    assert math.isfinite(v.grad)
    assert 0.0 <= v.grad <= math.exp(-745.0)


@pytest.mark.parametrize("x", [-30.0, -10.0, 10.0, 30.0, 700.0, -700.0])
def test_sigmoid_matches_stable_reference_far_out(x: float) -> None:
    v = Value(x)
    out = v.sigmoid()
    reference = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
    assert math.isclose(out.data, reference, rel_tol=1e-12, abs_tol=0.0)
    out.backward()
    assert math.isclose(v.grad, reference * (1.0 - reference), rel_tol=1e-12, abs_tol=1e-300)


def test_zero_to_the_zero_is_one() -> None:
    assert 0.0**0 == 1.0  # Python's convention, which the engine must follow
    assert (Value(0.0) ** 0).data == 1.0
    assert (Value(0.0) ** 0.0).data == 1.0
    assert (Value(0.0) ** Value(0.0)).data == 1.0


@pytest.mark.parametrize("x", [-2.0, 0.0, 1.5])
def test_mul_of_a_value_by_itself(x: float) -> None:
    v = Value(x)
    out = v * v
    assert out.parents == (v, v)
    assert out.parents[0] is v and out.parents[1] is v
    assert out.data == x * x
    out.backward()
    assert v.grad == 2.0 * x


# The op of an exponent seen before is reused (a fast path in Value.__pow__); whole
# exponents >= 1 compute x ** n directly. Each case runs twice, so the second run takes it.
@pytest.mark.parametrize(
    ("x", "n"),
    [
        (x, n)
        for n in [2, 2.0, 3, 1, 0.5, -1, -2.0, 0]
        for x in [-1.5, 0.75, 2.0]
        if not (x < 0.0 and not float(n).is_integer())  # not real: an error row of the table
    ],
)
def test_repeated_constant_exponents_give_the_same_values_and_derivatives(
    x: float, n: float
) -> None:
    for _ in range(2):
        v = Value(x)
        out = v**n
        assert out.data == float(x) ** float(n)
        out.backward()
        expected = 0.0 if n == 0 else float(n) * float(x) ** (float(n) - 1.0)
        assert v.grad == pytest.approx(expected, rel=1e-15)
        assert v.grad == pytest.approx(numerical_gradient(lambda y: y**n, [Value(x)], 0), rel=1e-6)


def test_negative_base_fractional_power_never_complex() -> None:
    assert isinstance((-8.0) ** (1 / 3), complex)  # what plain Python does
    with pytest.raises(ValueError, match="pow"):
        Value(-8.0) ** (1 / 3)


def test_math_domain_error_text_is_not_used() -> None:
    calls: list[Callable[[], Value]] = [lambda: Value(0.0).log(), lambda: Value(-1.0).sqrt()]
    for call in calls:
        with pytest.raises(ValueError) as info:
            call()
        assert "math domain error" not in str(info.value)


def test_error_leaves_no_partial_node() -> None:
    x = Value(1e200)
    with pytest.raises(OverflowError):
        _ = x * 1e200
    assert x.grad == 0.0
    assert x.data == 1e200


def test_log1p_is_exact_where_log_of_one_plus_x_is_not() -> None:
    assert Value(1e-17).log1p().data == 1e-17
    assert (Value(1e-17) + 1.0).log().data == 0.0


def test_gradcheck_clamp_and_log1p() -> None:
    assert gradcheck(lambda a, b: (a * b).log1p() * a.clamp(max=2.0), [0.7, 0.4])


def test_number_on_the_left_accepts_numpy_scalars() -> None:
    v = Value(2.0)
    out = np.float64(3.0) - v  # numpy defers to Value.__rsub__ for an unknown type
    assert isinstance(out, Value)
    assert out.data == 1.0


# -- numbers are part of their op (x * 2 has one input, x), as in PyTorch ---------------
# (x + c, c + x, x - c, c - x, x * c, c * x, x / c, c / x: the FORMS among the rows)

REL = 1e-14  # closed forms vs the engine: a few ulps at most (c / x rounds twice)


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_backward_with_a_seed_scales_the_closed_form(form: Row) -> None:
    x = Value(1.75)
    form.apply(x, 0.625).backward(-2.0)  # exact binary fractions: exact products
    assert math.isclose(x.grad, -2.0 * form.derivative(1.75, 0.625), rel_tol=REL)


@pytest.mark.parametrize(
    "c",
    [np.float64(0.75), np.float32(0.1), np.int64(3), np.int32(-2), np.float16(0.5), 4],
    ids=lambda c: f"{type(c).__name__}({c!r})",
)
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_numpy_scalars_and_ints_as_the_number(form: Row, c: Any) -> None:
    x0 = 1.25
    x = Value(x0)
    out: Value = form.apply(x, c)
    assert isinstance(out, Value)
    assert out.parents == (x,)
    assert isinstance(out._op, form.op_class)
    assert type(out._op.constant) is float
    assert out._op.constant == float(c)
    # float32(0.1) as its float64 value exactly, as Value(np.float32(0.1)) holds it
    assert bits(out.data) == bits(form.apply(x0, float(c)))
    out.backward()
    assert math.isclose(x.grad, form.derivative(x0, float(c)), rel_tol=REL)


@pytest.mark.parametrize("zeros", [(0.0, -0.0), (-0.0, 0.0)], ids=["0.0 first", "-0.0 first"])
@pytest.mark.parametrize(
    ("form", "x0"),
    [
        (form, x0)
        for form in ZERO_FORMS
        for x0 in [0.0, -0.0, 2.0, -2.0]
        if not (form.text == "c / x" and x0 == 0.0)  # 0 / 0 is a division by zero
    ],
    ids=str,
)
def test_zero_and_minus_zero_in_either_order(
    form: Row, x0: float, zeros: tuple[float, float]
) -> None:
    # 0.0 == -0.0 as dict keys: a cache of ops by number would answer one with the other
    for c in (*zeros, *zeros):
        out: Value = form.apply(Value(x0), c)
        assert bits(out.data) == bits(form.apply(x0, c)), f"{form} with x={x0!r}, c={c!r}"
        assert math.copysign(1.0, out._op.constant) == math.copysign(1.0, c)  # type: ignore[union-attr]


def test_zero_is_never_shared() -> None:
    x = Value(3.0)
    assert (x * 0.0)._op is not (x * 0.0)._op
    assert (x * -0.0)._op is not (x * -0.0)._op
    assert (0.0 - x)._op is not (0.0 - x)._op


BAD_NUMBERS: list[tuple[object, type[Exception]]] = [
    (True, TypeError),
    (False, TypeError),
    (np.True_, TypeError),
    ("2", TypeError),
    (None, TypeError),
    (1j, TypeError),
    (complex(2.0, 0.0), TypeError),
    (math.nan, ValueError),
    (math.inf, ValueError),
    (-math.inf, ValueError),
    (np.float64("nan"), ValueError),
    (np.float32("inf"), ValueError),
]


@pytest.mark.parametrize(("bad", "error"), BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_bad_numbers_are_rejected_naming_the_op(
    form: Row, bad: object, error: type[Exception]
) -> None:
    x = Value(2.0)
    assert_named_error(lambda: form.apply(x, bad), error, rf"\b{form.name}\b")


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_bool_is_rejected_after_its_float_was_seen(form: Row) -> None:
    x = Value(2.0)
    # True == 1.0 as a dict key: once the cache holds the op for 1.0, it must still not
    # take True for 1.0 (nor False for 0.0)
    assert form.apply(x, 1.0).parents == (x,)
    assert form.apply(x, 1.0).parents == (x,)
    assert_named_error(lambda: form.apply(x, True), TypeError, rf"\b{form.name}\b")
    assert_named_error(lambda: form.apply(x, False), TypeError, rf"\b{form.name}\b")
    assert_named_error(lambda: form.apply(x, np.True_), TypeError, rf"\b{form.name}\b")


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_int_one_after_float_one_works(form: Row) -> None:
    x = Value(2.0)
    form.apply(x, 1.0)
    out: Value = form.apply(x, 1)
    assert out.parents == (x,)
    assert type(out._op.constant) is float  # type: ignore[union-attr]
    assert bits(out.data) == bits(form.apply(2.0, 1.0))


def test_errors_in_anomaly_mode_still_name_the_op() -> None:
    x = Value(0.0)
    with detect_anomaly():
        assert_named_error(lambda: x / 0, ZeroDivisionError, r"^div\b(.|\n)*in 'div' at")
        assert_named_error(lambda: 1 / x, ZeroDivisionError, r"^div\b")
        assert_named_error(lambda: Value(1e308) * 10, OverflowError, r"^mul(.|\n)*'mul'")
        assert_named_error(lambda: x - True, TypeError, r"^sub\b")


def test_gradient_overflow_through_c_over_x_raises_and_restores() -> None:
    x = Value(1e-200)
    y = 1 / x  # 1e200, finite; its derivative -1/x² = -1e400 is not
    assert y.data == 1e200
    with pytest.raises(OverflowError, match="overflows a float"):
        y.backward()
    assert x.grad == 0.0
    with detect_anomaly():
        z = 1 / x
        assert_named_error(z.backward, OverflowError, r"input 0 of 'div' is not finite")
    assert x.grad == 0.0


SHOWN: list[tuple[Any, str]] = [
    (2, "2"),
    (2.0, "2"),
    (-3.0, "-3"),
    (0.5, "0.5"),
    (0.25, "0.25"),
    (-1.5, "-1.5"),
    (1e300, "1e+300"),
    (1e-7, "1e-07"),
    (123456789, "123456789"),
    (np.float64(4.0), "4"),
    (np.int64(3), "3"),
]


@pytest.mark.parametrize(("c", "text"), SHOWN, ids=lambda v: repr(v))
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_one_parent_and_the_op_shows_the_number(form: Row, c: Any, text: str) -> None:
    x = Value(1.0)
    out: Value = form.apply(x, c)
    assert out.parents == (x,)
    assert out.parents[0] is x
    assert not out.is_leaf
    assert out.op == form.name
    assert type(out._op) is form.op_class
    assert isinstance(out._op, ops.WithConstant)
    assert out._op.constant == float(c)
    assert out._op.describe() == form.shown(text)
    assert repr(out._op) == f"<op {form.name} {form.shown(text)}>"


@pytest.mark.parametrize(
    ("make", "shown"),
    [
        (lambda x: x * 2, "*2"),
        (lambda x: 2 * x, "*2"),
        (lambda x: 1 - x, "1-"),
        (lambda x: x - 1, "-1"),
        (lambda x: x + 0.5, "+0.5"),
        (lambda x: x / 4, "/4"),
        (lambda x: 4 / x, "4/"),
        (lambda x: x / 0.25, "/0.25"),
        (lambda x: x * 1e300, "*1e+300"),
    ],
)
def test_describe_by_hand(make: Callable[[Value], Value], shown: str) -> None:
    assert make(Value(1.0))._op.describe() == shown  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("c", "text"),
    [
        (2.0, "2"),
        (-3.0, "-3"),
        (0.5, "0.5"),
        (0.1, "0.1"),
        (1e300, "1e+300"),
        (-1e300, "-1e+300"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (1e-7, "1e-07"),
        (123456789012345.0, "123456789012345"),
    ],
)
def test_constant_text(c: float, text: str) -> None:
    assert ops.constant_text(c) == text
    assert len(ops.constant_text(c)) <= 24  # never hundreds of digits


@pytest.mark.parametrize(
    ("make", "op"),
    [
        (lambda x, y: x + y, ops.ADD),
        (lambda x, y: x - y, ops.SUB),
        (lambda x, y: x * y, ops.MUL),
        (lambda x, y: x / y, ops.DIV),
    ],
)
def test_two_values_still_make_a_two_input_node(
    make: Callable[[Value, Value], Value], op: ops.Op
) -> None:
    x, y = Value(3.0), Value(-2.0)
    out = make(x, y)
    assert out.parents == (x, y)
    assert out._op is op
    assert not isinstance(out._op, ops.WithConstant)
    assert make(x, x).parents == (x, x)
    assert make(y, x).parents == (y, x)


def test_powers_keep_one_input() -> None:
    x = Value(1.5)
    cube, exp2 = x**3, 2**x
    assert cube.parents == (x,) and exp2.parents == (x,)
    assert isinstance(cube._op, ops.PowConstantExponent)
    assert isinstance(exp2._op, ops.PowConstantBase)
    assert not isinstance(cube._op, ops.WithConstant)
    assert not isinstance(exp2._op, ops.WithConstant)


def test_one_step_per_folded_node() -> None:
    x = Value(3.0)
    root = x * 2 + 1
    steps = list(root.backward_steps())
    assert len(steps) == 2  # with the numbers as nodes there were four
    assert [s.position for s in steps] == [0, 0]
    assert steps[0].node is root and steps[0].input is root.parents[0]
    assert steps[0].local == 1.0  # d(y + 1)/dy
    assert steps[1].node is root.parents[0] and steps[1].input is x
    assert steps[1].local == 2.0  # d(2x)/dx
    assert steps[1].contribution == 2.0
    assert x.grad == 2.0


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_each_form_is_one_step_with_the_closed_form_derivative(form: Row) -> None:
    x = Value(0.8)
    out: Value = form.apply(x, 2.5)
    (step,) = out.backward_steps()
    assert step.node is out and step.input is x and step.position == 0
    assert math.isclose(step.local, form.derivative(0.8, 2.5), rel_tol=REL)
    assert step.input_grad == x.grad


def test_drawing_has_no_record_for_a_number() -> None:
    x = Value(3.0, label="x")
    root = (1 - x * 2) / 4  # four Values: x, x * 2, 1 - x * 2, the root
    graph = autograd.draw(root)
    source = graph.source
    assert source.count("shape=record") == 4
    assert "4 values" in repr(graph)
    for shown in ('label="/4"', 'label="1-"', 'label="*2"'):
        assert shown in source
    # local derivatives by hand on the three edges: 1/4, -1, 2
    for local in ('label="∂ 0.25"', 'label="∂ -1"', 'label="∂ 2"'):
        assert local in source
    for number in ("data 1 ", "data 2 ", "data 4 "):  # no node for 1, 2 or 4
        assert number not in source


def test_the_number_gets_no_node_anywhere() -> None:
    x, y = Value(0.7), Value(-1.3)
    root = (2 - x) / (y + 0.5) * 3 + 1 / (x * y) - y / 4
    order = autograd.topological_order(root)
    assert len(order) == 9  # 2-x, y+.5, /, *3, x*y, 1/, +, y/4, -
    leaves = {id(p) for node in order for p in node.parents if p.is_leaf}
    assert leaves == {id(x), id(y)}


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_no_grad_makes_a_leaf_with_the_right_value(form: Row) -> None:
    x = Value(1.5)
    with no_grad():
        out: Value = form.apply(x, 4.0)
    assert out.parents == ()
    assert out.is_leaf
    assert out.op is None
    assert bits(out.data) == bits(form.apply(1.5, 4.0))
    with pytest.raises(RuntimeError, match="computed under no_grad"):  # as PyTorch raises
        out.backward()
    assert x.grad == 0.0
    assert form.apply(x, 4.0).parents == (x,)  # recording again outside the block


def test_reuse_accumulates_and_backward_twice_doubles() -> None:
    x0 = 0.7
    x = Value(x0)
    y = x * 3
    z = y * y + y * 0.5  # z = 9x² + 1.5x
    z.backward()
    assert math.isclose(y.grad, 2 * (3 * x0) + 0.5, rel_tol=REL)  # 2y + 0.5
    assert math.isclose(x.grad, 18 * x0 + 1.5, rel_tol=REL)
    first = x.grad
    z.backward()
    assert x.grad == 2 * first  # leaves accumulate, exactly
    assert math.isclose(y.grad, 2 * (3 * x0) + 0.5, rel_tol=REL)  # interior: recomputed
    assert gradcheck(lambda v: (v * 3) * (v * 3) + (v * 3) * 0.5, [x0])


def test_one_number_many_nodes() -> None:
    x = Value(1.25)
    out = x * 0.5 * 0.5 * 0.5 + 0.5 / x - (0.5 - x) * 0.5
    # d/dx: 1/8 - 0.5/x² + 0.5
    out.backward()
    assert math.isclose(x.grad, 0.125 - 0.5 / 1.25**2 + 0.5, rel_tol=REL)
    assert out.data == 1.25 * 0.5 * 0.5 * 0.5 + 0.5 / 1.25 - (0.5 - 1.25) * 0.5


def composite(x: Any, y: Any) -> Any:
    """All eight forms, x and y each used several times; for Values, floats and tensors."""
    return (2 - x) / (y + 0.5) * 3 + 1 / (x * y) - y / 4 + 0.5 * (x - 1) + (0.25 + y)


def composite_gradient(x: float, y: float) -> tuple[float, float]:
    """∂/∂x and ∂/∂y of ``composite``, by hand."""
    dx = -3 / (y + 0.5) - 1 / (x * x * y) + 0.5
    dy = -3 * (2 - x) / (y + 0.5) ** 2 - 1 / (x * y * y) - 0.25 + 1
    return dx, dy


@pytest.mark.parametrize(("x0", "y0"), [(0.7, -1.3), (2.0, 3.0), (-0.4, 0.9)])
def test_composite_closed_form_and_central_differences(x0: float, y0: float) -> None:
    x, y = Value(x0), Value(y0)
    out = composite(x, y)
    assert math.isclose(out.data, composite(x0, y0), rel_tol=REL)
    out.backward()
    dx, dy = composite_gradient(x0, y0)
    assert math.isclose(x.grad, dx, rel_tol=1e-13)
    assert math.isclose(y.grad, dy, rel_tol=1e-13)
    assert gradcheck(composite, [x0, y0])


@pytest.mark.torch
@pytest.mark.parametrize(("x0", "y0"), [(0.7, -1.3), (2.0, 3.0), (-0.4, 0.9)])
def test_composite_matches_torch(x0: float, y0: float, torch: Any) -> None:
    x, y = Value(x0), Value(y0)
    out = composite(x, y)
    out.backward()
    tx = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    ty = torch.tensor(y0, dtype=torch.float64, requires_grad=True)
    tout = composite(tx, ty)
    tout.backward()
    assert math.isclose(out.data, tout.item(), rel_tol=TORCH_REL)
    assert math.isclose(x.grad, tx.grad.item(), rel_tol=TORCH_REL)
    assert math.isclose(y.grad, ty.grad.item(), rel_tol=TORCH_REL)


@pytest.mark.torch
def test_interior_gradients_match_torch(torch: Any) -> None:
    def chain(x: Any) -> list[Any]:
        a = 3 - x
        b = a * 0.5
        c = 2 / b
        d = c + 1.5
        e = d / 4
        return [a, b, c, d, e, e - 0.125]

    nodes = chain(Value(0.4))
    nodes[-1].backward()
    t = torch.tensor(0.4, dtype=torch.float64, requires_grad=True)
    tnodes = chain(t)
    for tn in tnodes:
        tn.retain_grad()
    tnodes[-1].backward()
    for node, tn in zip(nodes, tnodes, strict=True):
        assert math.isclose(node.data, tn.item(), rel_tol=TORCH_REL)
        assert math.isclose(node.grad, tn.grad.item(), rel_tol=TORCH_REL)


def test_stale_leaf_after_x_times_2_plus_x() -> None:
    x = Value(2.0, label="x")
    root = x * 2 + x
    x.data = 5.0
    assert_named_error(root.backward, RuntimeError, r"input 1 of 'add' \(x, now 5.0\)")
    assert x.grad == 0.0
    root = x * 2 + x
    root.backward()
    assert x.grad == 3.0


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_stale_leaf_under_a_folded_node(form: Row) -> None:
    x = Value(2.0, label="x")
    out: Value = form.apply(x, 3.0)
    x.data = 5.0
    assert_named_error(out.backward, RuntimeError, rf"input 0 of '{form.name}' \(x, now 5.0\)")
    assert x.grad == 0.0
    out = form.apply(x, 3.0)
    out.backward()
    assert math.isclose(x.grad, form.derivative(5.0, 3.0), rel_tol=REL)


# -- sharing ops between nodes, in a fresh interpreter ------------------------------------

FRESH_SCRIPT = """
import json, math, sys
from autograd.value import Value  # the Python engine's cache (compiled nodes hold the number)

texts = json.loads(sys.argv[1])
forms = {t: eval("lambda x, c: " + t) for t in texts}
facts = {}
x = Value(1.5)
facts["x * 0.5 twice: one op"] = (x * 0.5)._op is (Value(-4.0) * 0.5)._op
facts["x * 2 and x * 2.0: one op"] = (x * 2)._op is (x * 2.0)._op
facts["x * 0.25: another op"] = (x * 0.25)._op is not (x * 0.5)._op
facts["x - 0.5 twice: one op"] = (x - 0.5)._op is (x - 0.5)._op
facts["0.5 - x twice: one op"] = (0.5 - x)._op is (0.5 - x)._op
facts["x * 0.0 twice: two ops"] = (x * 0.0)._op is not (x * 0.0)._op
facts["x * -0.0 twice: two ops"] = (x * -0.0)._op is not (x * -0.0)._op
facts["0.0 + x twice: two ops"] = (0.0 + x)._op is not (0.0 + x)._op

zeros = []  # [form, x, c, result]: each zero used first, then the other one
for text, f in forms.items():
    for x0 in (0.0, -0.0, 2.0, -2.0):
        if text in ("x / c", "c / x"):
            continue
        for c in (0.0, -0.0, 0.0, -0.0):
            zeros.append([text, x0, c, f(Value(x0), c).data])
x = Value(-2.0)
for c in (-0.0, 0.0, -0.0):
    zeros.append(["c / x", -2.0, c, (c / x).data])

filled = []  # [form, x, c, value, gradient]: far more numbers than the cache keeps
for text, f in forms.items():
    for k in range(300):
        c = 1000.0 + k * 0.125
        x = Value(0.75)
        out = f(x, c)
        out.backward()
        filled.append([text, 0.75, c, out.data, x.grad])
x = Value(1.5)
facts["full: a number seen early still shares"] = (x * 0.5)._op is (x * 0.5)._op
facts["full: a new number is not kept"] = (x * 5e-5)._op is not (x * 5e-5)._op
facts["full: a new number is right"] = (x * 5e-5).data == 1.5 * 5e-5
print(json.dumps({"facts": facts, "zeros": zeros, "filled": filled}))
"""


@pytest.fixture(scope="module")
def fresh() -> dict[str, Any]:
    """What a new interpreter sees: its caches hold only what the script put in them."""
    done = subprocess.run(
        [sys.executable, "-c", FRESH_SCRIPT, json.dumps([form.text for form in FORMS])],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def test_ops_are_shared_per_number_but_never_for_zero(fresh: dict[str, Any]) -> None:
    facts: dict[str, bool] = fresh["facts"]
    assert len(facts) == 11
    assert [name for name, holds in facts.items() if holds is not True] == []


def test_zeros_in_a_fresh_cache_keep_their_sign(fresh: dict[str, Any]) -> None:
    zeros = fresh["zeros"]
    assert len(zeros) == 6 * 4 * 4 + 3
    for text, x0, c, data in zeros:
        expected = FORM[text].apply(x0, c)
        assert bits(data) == bits(expected), f"{text} with x={x0!r}, c={c!r}"


def test_more_numbers_than_the_cache_keeps(fresh: dict[str, Any]) -> None:
    filled = fresh["filled"]
    assert len(filled) == len(FORMS) * 300
    for text, x0, c, data, grad in filled:
        form = FORM[text]
        assert bits(data) == bits(form.apply(x0, c)), f"{text} with c={c!r}"
        assert math.isclose(grad, form.derivative(x0, c), rel_tol=REL), f"{text} with c={c!r}"


# -- every finite pair, as plain Python would compute it ------------------------------------
# (last in the file: it puts hundreds of numbers into the caches of this process)

finite = st.floats(allow_nan=False, allow_infinity=False)


@pytest.mark.parametrize("form", FORMS, ids=str)
@settings(max_examples=150, deadline=None, derandomize=True)
@given(x0=finite, c=finite)
def test_any_finite_pair_is_plain_arithmetic_or_an_error(form: Row, x0: float, c: float) -> None:
    try:
        expected = form.apply(x0, c)
    except ZeroDivisionError:
        assert_named_error(lambda: form.apply(Value(x0), c), ZeroDivisionError, r"^div\b")
        return
    if math.isinf(expected):  # plain floats overflow silently; the engine says so
        assert_named_error(lambda: form.apply(Value(x0), c), OverflowError, rf"^{form.name}:")
        return
    assert bits(form.apply(Value(x0), c).data) == bits(expected)
