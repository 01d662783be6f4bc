"""Each op's value and derivative at chosen points.

Values are checked against the ``math`` module, derivatives against formulas derived
by hand (written out below, not taken from the engine) and against central differences
through ``autograd.numerical_gradient`` and ``autograd.gradcheck``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from autograd import Value, gradcheck, numerical_gradient

# Analytic values and derivatives agree with plain-float formulas to rounding error;
# central differences (eps = 1e-6) agree to about 1e-6 relative (FACTS.md: 3e-6).
EXACT = 1e-12
NUMERIC_REL = 1e-5
NUMERIC_ABS = 1e-6


def _close(a: float, b: float, rel: float = EXACT, abs_: float = 1e-15) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _sign(x: float) -> float:
    return 1.0 if x > 0 else -1.0 if x < 0 else 0.0


# name -> (apply to a Value, reference value, hand-derived derivative, sample points)
UNARY: dict[
    str,
    tuple[
        Callable[[Value], Value],
        Callable[[float], float],
        Callable[[float], float],
        tuple[float, ...],
    ],
] = {
    "neg": (lambda v: -v, lambda x: -x, lambda x: -1.0, (-2.5, 0.0, 0.75, 4.0)),
    "exp": (Value.exp, math.exp, math.exp, (-3.0, -0.5, 0.0, 1.3, 5.0)),
    "log": (Value.log, math.log, lambda x: 1.0 / x, (0.05, 0.5, 1.0, 2.5, 100.0)),
    "tanh": (
        Value.tanh,
        math.tanh,
        lambda x: 1.0 / math.cosh(x) ** 2,  # sech² x, not 1 - tanh² as the engine writes it
        (-2.0, -0.3, 0.0, 0.8, 3.0),
    ),
    "sigmoid": (
        Value.sigmoid,
        _sigmoid,
        lambda x: math.exp(-x) / (1.0 + math.exp(-x)) ** 2,
        (-4.0, -1.0, 0.0, 0.5, 3.0),
    ),
    "relu": (
        Value.relu,
        lambda x: max(0.0, x),
        lambda x: 1.0 if x > 0 else 0.0,
        (-2.0, -0.1, 0.1, 3.0),
    ),
    "sqrt": (
        Value.sqrt,
        math.sqrt,
        lambda x: 1.0 / (2.0 * math.sqrt(x)),
        (0.01, 0.5, 1.0, 4.0, 10.0),
    ),
    "abs": (Value.abs, abs, _sign, (-3.0, -0.5, 0.5, 2.0)),
    "sin": (Value.sin, math.sin, math.cos, (-2.0, 0.0, 0.7, math.pi / 2, 3.0)),
    "cos": (Value.cos, math.cos, lambda x: -math.sin(x), (-2.0, 0.0, 0.7, math.pi, 3.0)),
}

UNARY_CASES = [
    pytest.param(name, x, id=f"{name}({x:g})") for name, spec in UNARY.items() for x in spec[3]
]


@pytest.mark.parametrize(("name", "x"), UNARY_CASES)
def test_unary_value_and_derivative(name: str, x: float) -> None:
    apply, reference, derivative, _ = UNARY[name]
    v = Value(x)
    out = apply(v)
    assert out.op == name
    assert out.parents == (v,)
    assert _close(out.data, reference(x))
    out.backward()
    assert _close(v.grad, derivative(x), abs_=1e-14)


@pytest.mark.parametrize(("name", "x"), UNARY_CASES)
def test_unary_derivative_matches_central_difference(name: str, x: float) -> None:
    apply, _, derivative, _ = UNARY[name]
    v = Value(x)
    numeric = numerical_gradient(apply, [v], 0)
    assert v.data == x  # numerical_gradient restores the input
    assert math.isclose(numeric, derivative(x), rel_tol=NUMERIC_REL, abs_tol=NUMERIC_ABS)
    assert gradcheck(apply, [x])


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


# -- binary ops with two Values --------------------------------------------------------

# name -> (operator, reference, (∂/∂a, ∂/∂b) by hand)
BINARY: dict[
    str,
    tuple[
        Callable[[Value, Value], Value],
        Callable[[float, float], float],
        Callable[[float, float], tuple[float, float]],
    ],
] = {
    "add": (lambda a, b: a + b, lambda a, b: a + b, lambda a, b: (1.0, 1.0)),
    "sub": (lambda a, b: a - b, lambda a, b: a - b, lambda a, b: (1.0, -1.0)),
    "mul": (lambda a, b: a * b, lambda a, b: a * b, lambda a, b: (b, a)),
    "div": (lambda a, b: a / b, lambda a, b: a / b, lambda a, b: (1.0 / b, -a / (b * b))),
}

BINARY_POINTS = [(2.0, 3.0), (-1.5, 0.25), (0.0, -4.0), (7.0, -0.5), (1e-3, 1e3)]


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize(("a", "b"), BINARY_POINTS)
def test_binary_value_and_derivatives(name: str, a: float, b: float) -> None:
    apply, reference, partials = BINARY[name]
    va, vb = Value(a), Value(b)
    out = apply(va, vb)
    assert out.op == name
    assert out.parents == (va, vb)
    assert _close(out.data, reference(a, b))
    out.backward()
    da, db = partials(a, b)
    assert _close(va.grad, da)
    assert _close(vb.grad, db)
    assert gradcheck(apply, [a, b])


# -- powers ------------------------------------------------------------------------------

POW_CASES = [
    (2.0, (-3.0, -0.5, 0.0, 1.5, 4.0)),
    (3.0, (-2.0, 0.0, 0.5, 2.0)),
    (0.5, (0.01, 0.25, 1.0, 9.0)),
    (-1.0, (-2.0, -0.5, 0.5, 4.0)),
    (0.0, (-3.0, 0.0, 0.5, 2.0)),
    (-2.0, (-1.5, 0.25, 1.0, 3.0)),
]


def _pow_derivative(x: float, n: float) -> float:
    """d(xⁿ)/dx by hand: n·x^(n-1), and 0 for n = 0 (x⁰ is the constant 1)."""
    return 0.0 if n == 0 else n * math.pow(x, n - 1)


@pytest.mark.parametrize(
    ("n", "x"),
    [pytest.param(n, x, id=f"({x:g})**{n:g}") for n, xs in POW_CASES for x in xs],
)
def test_pow_number_exponent(n: float, x: float) -> None:
    v = Value(x)
    out = v**n
    assert out.op == "pow"
    assert out.parents == (v,)
    assert _close(out.data, math.pow(x, n))
    out.backward()
    assert _close(v.grad, _pow_derivative(x, n))
    if not (n in (0.5, -1.0, -2.0) and abs(x) < 0.1):  # stay clear of steep regions
        numeric = numerical_gradient(lambda t: t**n, [Value(x)], 0)
        assert math.isclose(numeric, _pow_derivative(x, n), rel_tol=NUMERIC_REL, abs_tol=1e-6)


@pytest.mark.parametrize("n", [2, 3, -1, 0, -2])
def test_pow_int_exponent_same_as_float(n: int) -> None:
    v = Value(1.75)
    out = v**n
    assert _close(out.data, 1.75**n)
    out.backward()
    assert _close(v.grad, _pow_derivative(1.75, float(n)))


@pytest.mark.parametrize(("a", "b"), [(2.0, 3.0), (0.5, -1.5), (3.0, 0.5), (1.0, 2.0), (7.5, 0.0)])
def test_pow_value_exponent(a: float, b: float) -> None:
    va, vb = Value(a), Value(b)
    out = va**vb
    assert out.op == "pow"
    assert out.parents == (va, vb)
    assert _close(out.data, math.pow(a, b))
    out.backward()
    # ∂(aᵇ)/∂a = b·a^(b-1);  ∂(aᵇ)/∂b = aᵇ·ln a
    assert _close(va.grad, 0.0 if b == 0 else b * math.pow(a, b - 1))
    assert _close(vb.grad, math.pow(a, b) * math.log(a))
    assert gradcheck(lambda p, q: p**q, [a, b])


@pytest.mark.parametrize("base", [2.0, 0.5, math.e, 10.0])
@pytest.mark.parametrize("x", [-1.5, 0.0, 0.75, 3.0])
def test_rpow_number_base(base: float, x: float) -> None:
    v = Value(x)
    out = base**v
    assert out.op == "pow"
    assert out.parents == (v,)  # the constant base is part of the op, like x ** 2's exponent
    assert _close(out.data, math.pow(base, x))
    out.backward()
    assert _close(v.grad, math.pow(base, x) * math.log(base))  # d(bˣ)/dx = bˣ ln b
    assert gradcheck(lambda t: base**t, [x])


def test_rpow_int_base() -> None:
    v = Value(3.0)
    out = 2**v
    assert out.data == 8.0
    out.backward()
    assert _close(v.grad, 8.0 * math.log(2.0))


# -- number on the left ------------------------------------------------------------------

# expression -> (apply, the number on the left, value by hand, derivative by hand, op)
REVERSED: dict[
    str,
    tuple[
        Callable[[Value], Value],
        float,
        Callable[[float], float],
        Callable[[float], float],
        str,
    ],
] = {
    "3 - x": (lambda x: 3 - x, 3.0, lambda x: 3.0 - x, lambda x: -1.0, "sub"),
    "3 / x": (lambda x: 3 / x, 3.0, lambda x: 3.0 / x, lambda x: -3.0 / (x * x), "div"),
    "2 * x": (lambda x: 2 * x, 2.0, lambda x: 2.0 * x, lambda x: 2.0, "mul"),
    "1 + x": (lambda x: 1 + x, 1.0, lambda x: 1.0 + x, lambda x: 1.0, "add"),
    "2.5 - x": (lambda x: 2.5 - x, 2.5, lambda x: 2.5 - x, lambda x: -1.0, "sub"),
    "0.5 / x": (lambda x: 0.5 / x, 0.5, lambda x: 0.5 / x, lambda x: -0.5 / (x * x), "div"),
}


@pytest.mark.parametrize("expr", sorted(REVERSED))
@pytest.mark.parametrize("x", [-2.0, 0.5, 4.0])
def test_reversed_operands(expr: str, x: float) -> None:
    apply, number, value, derivative, op = REVERSED[expr]
    v = Value(x)
    out = apply(v)
    assert out.op == op
    # the number is part of the op, not a node (as in PyTorch): one input, x; the op
    # shows the number where it was written (3 - x is drawn "3-", not "-3")
    assert out.parents == (v,)
    assert out._op.constant == number  # type: ignore[union-attr]
    shown = out._op.describe()  # type: ignore[union-attr]
    assert shown.startswith(f"{number:g}") or (op in ("mul", "add") and f"{number:g}" in shown)
    assert _close(out.data, value(x))
    out.backward()
    assert _close(v.grad, derivative(x))
    assert gradcheck(apply, [x])


def test_number_on_the_left_accepts_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    v = Value(2.0)
    out = np.float64(3.0) - v  # numpy defers to Value.__rsub__ for an unknown type
    assert isinstance(out, Value)
    assert out.data == 1.0


# -- composite expressions ----------------------------------------------------------------


def test_composite_expression_hand_and_numeric() -> None:
    def f(a: Value, b: Value) -> Value:
        return (a * b + a.exp()).tanh() / (b**2 + 1) - (a - b).sigmoid() * b.sin()

    a0, b0 = 0.3, -0.7
    a, b = Value(a0), Value(b0)
    out = f(a, b)
    # by hand: f = t / q - s·sin b with u = a b + eᵃ, t = tanh u, q = b² + 1, s = σ(a - b)
    u = a0 * b0 + math.exp(a0)
    t = math.tanh(u)
    q = b0 * b0 + 1.0
    s = _sigmoid(a0 - b0)
    assert _close(out.data, t / q - s * math.sin(b0))
    dt = 1.0 - t * t
    ds = s * (1.0 - s)
    dfa = dt * (b0 + math.exp(a0)) / q - ds * math.sin(b0)
    dfb = dt * a0 / q - t * 2.0 * b0 / (q * q) + ds * math.sin(b0) - s * math.cos(b0)
    out.backward()
    assert _close(a.grad, dfa)
    assert _close(b.grad, dfb)
    assert gradcheck(f, [a0, b0])
    assert math.isclose(numerical_gradient(f, [a, b], 0), dfa, rel_tol=NUMERIC_REL)
    assert math.isclose(numerical_gradient(f, [a, b], 1), dfb, rel_tol=NUMERIC_REL)


def test_gradcheck_same_leaf_twice() -> None:
    x = Value(1.5)
    assert gradcheck(lambda p, q: p * q + p.exp(), [x, x])
    assert x.grad == 0.0  # gradcheck leaves the inputs' grads as they were


def test_gradcheck_restores_grads() -> None:
    x = Value(0.4)
    x.grad = 7.0
    assert gradcheck(lambda t: t.tanh() * t, [x])
    assert x.grad == 7.0
    assert x.data == 0.4


# -- edge cases from the spec ---------------------------------------------------------------


@pytest.mark.parametrize("x", [1000.0, -1000.0, 50.0, -50.0])
def test_tanh_saturates_without_overflow(x: float) -> None:
    v = Value(x)
    out = v.tanh()
    assert out.data == math.copysign(1.0, x)
    out.backward()
    assert v.grad == 0.0


@pytest.mark.parametrize(("x", "expected"), [(1000.0, 1.0), (-1000.0, 0.0)])
def test_sigmoid_extremes_are_finite(x: float, expected: float) -> None:
    v = Value(x)
    out = v.sigmoid()
    assert out.data == expected
    out.backward()
    assert v.grad == 0.0
    assert math.isfinite(v.grad)


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
    assert _close(out.data, reference, abs_=0.0)
    out.backward()
    assert _close(v.grad, reference * (1.0 - reference), abs_=1e-300)


def test_relu_derivative_at_zero_is_zero() -> None:
    v = Value(0.0)
    out = v.relu()
    assert out.data == 0.0
    out.backward()
    assert v.grad == 0.0


def test_abs_derivative_at_zero_is_zero() -> None:
    v = Value(0.0)
    out = v.abs()
    assert out.data == 0.0
    out.backward()
    assert v.grad == 0.0


@pytest.mark.parametrize("x", [0.0, -0.0, 1.0, -3.5, 1e-300, 1e300])
def test_pow_zero_exponent(x: float) -> None:
    v = Value(x)
    out = v**0
    assert out.data == 1.0
    out.backward()
    assert v.grad == 0.0


def test_zero_to_the_zero_is_one() -> None:
    assert 0.0**0 == 1.0  # Python's convention, which the engine must follow
    assert (Value(0.0) ** 0).data == 1.0
    assert (Value(0.0) ** 0.0).data == 1.0
    assert (Value(0.0) ** Value(0.0)).data == 1.0


def test_square_at_zero_has_zero_derivative() -> None:
    v = Value(0.0)
    out = v**2
    out.backward()
    assert out.data == 0.0
    assert v.grad == 0.0


@pytest.mark.parametrize("x", [-2.0, 0.0, 1.5])
def test_x_times_x(x: float) -> None:
    v = Value(x)
    out = v * v
    assert out.parents == (v, v)
    assert out.parents[0] is v and out.parents[1] is v
    assert out.data == x * x
    out.backward()
    assert v.grad == 2.0 * x


@pytest.mark.parametrize(("x", "n"), [(-8.0, 3), (-8.0, 3.0), (-2.0, 2), (-2.0, -1), (-3.0, -2.0)])
def test_negative_base_integer_exponent(x: float, n: float) -> None:
    v = Value(x)
    out = v**n
    assert out.data == x**n
    assert isinstance(out.data, float)
    out.backward()
    assert _close(v.grad, n * x ** (n - 1))


def test_minus_eight_cubed() -> None:
    out = Value(-8.0) ** 3
    assert out.data == -512.0


@pytest.mark.parametrize("b", [2.0, 3.0, 1.0, 0.5])
def test_zero_base_value_exponent_gradient_is_zero(b: float) -> None:
    # PyTorch: d(0ᵇ)/db = 0ᵇ · ln 0 is taken as 0 when the base is 0 (torch.pow(0., x)).
    x = Value(b)
    out = 0.0**x
    assert out.data == 0.0
    out.backward()
    assert x.grad == 0.0


@pytest.mark.parametrize("b", [2.0, 3.0, 1.0])
def test_zero_base_value_both_values(b: float) -> None:
    a, x = Value(0.0), Value(b)
    out = a**x
    out.backward()
    assert x.grad == 0.0
    assert a.grad == b * math.pow(0.0, b - 1.0)  # ∂(aᵇ)/∂a = b·a^(b-1) at a = 0


def test_pow_exponent_derivative_zero_exponent() -> None:
    # aᵇ at b = 0: value 1, ∂/∂a = 0, ∂/∂b = ln a
    a, b = Value(2.0), Value(0.0)
    out = a**b
    out.backward()
    assert out.data == 1.0
    assert a.grad == 0.0
    assert _close(b.grad, math.log(2.0))


def test_sin_cos_large_arguments_match_math() -> None:
    for x in (1e6, -12345.678, 100.0):
        s, c = Value(x).sin(), Value(x).cos()
        assert s.data == math.sin(x)
        assert c.data == math.cos(x)


# The op of an exponent seen before is reused (a fast path in Value.__pow__); whole
# exponents >= 1 compute x ** n directly. Each case runs twice, so the second run takes it.
@pytest.mark.parametrize("n", [2, 2.0, 3, 1, 0.5, -1, -2.0, 0])
@pytest.mark.parametrize("x", [-1.5, 0.75, 2.0])
def test_repeated_constant_exponents_give_the_same_values_and_derivatives(
    x: float, n: float
) -> None:
    if x < 0.0 and not float(n).is_integer():
        return  # not real: covered by the error tests
    for _ in range(2):
        v = Value(x)
        out = v**n
        assert out.data == float(x) ** float(n)
        out.backward()
        expected = 0.0 if n == 0 else float(n) * float(x) ** (float(n) - 1.0)
        assert v.grad == pytest.approx(expected, rel=1e-15)
        assert v.grad == pytest.approx(numerical_gradient(lambda y: y**n, [Value(x)], 0), rel=1e-6)


@pytest.mark.parametrize(
    ("base", "n", "error", "pattern"),
    [
        (1e200, 2, OverflowError, r"pow.*1e\+200"),
        (10.0, 400, OverflowError, r"pow"),
        (-8.0, 1 / 3, ValueError, r"pow.*-8\.0"),
        (0.0, -1, ZeroDivisionError, r"pow.*division"),
    ],
)
def test_repeated_constant_exponents_still_name_pow_in_errors(
    base: float, n: float, error: type[Exception], pattern: str
) -> None:
    for _ in range(2):
        with pytest.raises(error, match=pattern):
            _ = Value(base) ** n
