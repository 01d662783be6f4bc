"""Each op's math as the explorer shows it, read from where the op states it: its docstring.

Every op in ``autograd.ops`` opens its docstring with its forward formula and its local
derivatives, ``Multiplication f(a, b) = a · b;  ∂f/∂a = b, ∂f/∂b = a.`` (an op of one input
writes ``f'(x) = …``; an op of n inputs ``∂f/∂xᵢ = …``). This module parses those
sentences, so the explorer's formulas and the code's documentation are one text; an op
whose docstring states no formula (a user's own ``Function``) gets None, and the explorer
shows its numbers alone.

``with_numbers`` puts a step's numbers into its derivative: for ``∂f/∂a = b`` at b = 3 it
gives ``b = 3``; for tanh at x = 1, ``1 - 0.761594² = 0.419974`` (six significant digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograd import ops
from autograd.protocol import Node

__all__ = ["OpMath", "derivative_of", "math_of", "with_numbers"]


@dataclass(frozen=True)
class OpMath:
    """An op's formulas: ``forward`` (``f(a, b) = a · b``) and, by input symbol, each
    local derivative's right-hand side (``{"a": "b", "b": "a"}``; ``{"x": …}`` for an op
    of one input; ``{"wᵢ": …, "xᵢ": …, "b": …}`` for a neuron)."""

    forward: str
    derivatives: dict[str, str]


_FORWARD = re.compile(r"\b(f(?:\([^)]*\))? = [^;]+?)(?:;|\.(?:\s|$)|,?\s+with z = |: a )")
_PARTIAL = re.compile(r"∂f/∂(\S+?) = (.+?)(?=,\s+∂f/∂|\.(?:\s|$)|$)")
_PRIME = re.compile(r"f'\(x\) = (.+?)(?=\.(?:\s|$)|$)")
_AFFINE_Z = re.compile(r"with z = ([^.]+)\.")


def _docstrings(op: object) -> list[str]:
    """The docstrings, each on one line, of the classes of ``autograd.ops`` that ``op`` is
    an instance of, nearest first (an optimisation's subclass adds no math of its own)."""
    return [
        " ".join(op_class.__doc__.split())
        for op_class in type(op).__mro__
        if op_class.__module__ == ops.__name__ and op_class.__doc__
    ]


def math_of(op: object) -> OpMath | None:
    """The formulas ``op``'s docstring states (see the module docstring), or None."""
    forward = None
    derivatives: dict[str, str] = {}
    for text in _docstrings(op):  # a neuron with relu states its derivatives in Affine's
        if forward is None and (found := _FORWARD.search(text)):
            forward = found.group(1).rstrip(" .")
            if z := _AFFINE_Z.search(text):
                forward += f" with z = {z.group(1).strip()}"
        if not derivatives:
            derivatives = {symbol: rhs.strip() for symbol, rhs in _PARTIAL.findall(text)}
            if prime := _PRIME.search(text):
                derivatives["x"] = prime.group(1).strip()
    if forward is None or not derivatives:
        return None
    return OpMath(forward, derivatives)


def _input_symbol(op: object, out: Node, position: int) -> str:
    """The symbol an op's docstring uses for input ``position``: a/b, x, or xᵢ/wᵢ/b."""
    if isinstance(op, ops.BinaryOp):
        return "ab"[position]
    if isinstance(op, ops.UnaryOp):
        return "x"
    n = len(out.parents)
    if isinstance(op, ops.Affine | ops.Dot):
        half = n // 2
        if position < half:
            return "wᵢ"
        return "xᵢ" if position < 2 * half else "b"
    return "xᵢ"


def _index(op: object, out: Node, position: int) -> str:
    """Input ``position``'s subscript among the n-ary op's xᵢ (or a neuron's wᵢ and xᵢ),
    counted from 1 as the docstrings count: ``₃``."""
    half = len(out.parents) // 2
    i = position % half if isinstance(op, ops.Affine | ops.Dot) and half else position
    return str(i + 1).translate(_SUBSCRIPTS)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def derivative_of(op: object, out: Node, position: int) -> str | None:
    """``∂f/∂a = b``: the derivative of ``out`` by its input ``position``, in symbols (an
    n-ary op's ``∂f/∂xᵢ = 1/n`` with i put in: ``∂f/∂x₂ = 1/n``)."""
    found = math_of(op)
    if found is None:
        return None
    symbol = _input_symbol(op, out, position)
    expression = found.derivatives.get(symbol)
    if expression is None:
        return None
    text = f"f'(x) = {expression}" if symbol == "x" else f"∂f/∂{symbol} = {expression}"
    return text.replace("ᵢ", _index(op, out, position)) if "ᵢ" in symbol else text


def _number(x: float) -> str:
    text = f"{x + 0.0:.6g}"
    return f"({text})" if text.startswith("-") else text


def _symbol_values(op: object, out: Node, position: int) -> dict[str, float]:
    """The numbers of the symbols a derivative of ``op`` may use, at the node ``out``."""
    inputs = out.parents
    values: dict[str, float] = {"f(x)": out._data, "f": out._data}
    if isinstance(op, ops.BinaryOp):
        values.update(a=inputs[0]._data, b=inputs[1]._data)
    elif isinstance(op, ops.UnaryOp):
        values["x"] = inputs[0]._data
        for attribute, symbol in (("constant", "c"), ("exponent", "n"), ("base", "c")):
            number = getattr(op, attribute, None)
            if isinstance(number, float | int):
                values[symbol] = float(number)
        for bound in ("low", "high"):
            number = getattr(op, bound, None)
            if isinstance(number, float | int):
                values[bound] = float(number)
    else:
        values["n"] = float(len(inputs))
        if isinstance(op, ops.Affine | ops.Dot):
            half = len(inputs) // 2
            i = position % half if position < 2 * half else None
            if i is not None:
                sub = _index(op, out, position)
                values.update({f"x{sub}": inputs[half + i]._data, f"w{sub}": inputs[i]._data})
            slope = 1.0
            if isinstance(op, ops.Affine) and op.activation is not None:
                slope = op.activation.slope(out._data)
            values["act'"] = slope
        else:
            values[f"x{_index(op, out, position)}"] = inputs[position]._data
    return values


_POWERS = {"⁻ˣ": "^(-x)", "ˣ": "^x", "ⁿ": "^n"}
_REMARK = re.compile(
    r"\s*\([^()]*\b(?:for|at|raises|everywhere)\b[^()]*\)$|,\s+(?:infinite|with)\b.*$"
)
_WORDS = re.compile(r"\b(for|else|with|if|infinite|sign|raises)\b")


def with_numbers(op: object, out: Node, position: int, local: float) -> str | None:
    """The derivative of ``out`` by input ``position`` with its numbers put in, ending
    with the value ``local`` the op computed: ``b = 3``; ``1 - 0.761594² = 0.419974``;
    ``x = 0.5 → 1`` where the formula has cases. None when the op states no formula."""
    derivative = derivative_of(op, out, position)
    if derivative is None:
        return None
    derivative = _REMARK.sub("", derivative)  # "(0 everywhere for n = 0)", ", infinite at 0"
    expression = derivative.split(" = ")[-1]  # the last form: in the symbols we have numbers for
    for superscript, power in _POWERS.items():
        expression = expression.replace(superscript, power)
    values = _symbol_values(op, out, position)
    names = sorted(values, key=len, reverse=True)  # f(x) before f, act' before a
    pattern = re.compile(
        "|".join(rf"(?<![A-Za-z_∂]){re.escape(name)}(?![A-Za-z_(ᵢ'₀-₉])" for name in names)
    )
    used = [match.group(0) for match in pattern.finditer(expression)]
    result = f"{local + 0.0:.6g}"
    if _WORDS.search(expression):  # cases: "1 for x > 0, else 0"
        shown = dict.fromkeys(used)
        where = ", ".join(f"{name} = {values[name] + 0.0:.6g}" for name in shown)
        return f"{where} → {result}" if where else result
    if not used:  # a constant: "1"
        return result
    if len(used) == 1 and expression.strip() == used[0]:
        return f"{used[0]} = {result}"
    substituted = pattern.sub(lambda match: _number(values[match.group(0)]), expression)
    return f"{substituted} = {result}"
