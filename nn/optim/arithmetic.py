"""One optimizer update as numbers, and the helpers that write it out as arithmetic.

An ``Update`` is what one ``step()`` did to one parameter: its value before and after,
its gradient, the optimizer's state for it before and after, and the hyperparameters of
its group at that step. Each optimizer writes its own rule out from an ``Update``
(``Optimizer.arithmetic``), SGD's as ``w ← 0 − 0.05 × (−28) = 1.4``: every number shown
is one the optimizer computed or held, rounded to six significant digits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["MINUS", "Update", "gradient_lines", "number", "operand", "superscript"]

MINUS = "−"  # U+2212, the minus sign of printed arithmetic


@dataclass(frozen=True)
class Update:
    """What one optimizer step did to one parameter p.

    ``before`` and ``after`` are p's value, ``grad`` is ∂L/∂p as ``step()`` read it,
    ``state_before`` and ``state_after`` the optimizer's floats for p (``{}`` before the
    first step), ``hyper`` its group's hyperparameters at that step (``lr``, ``betas``, ...).
    """

    before: float
    grad: float
    after: float
    state_before: Mapping[str, float] = field(default_factory=dict)
    state_after: Mapping[str, float] = field(default_factory=dict)
    hyper: Mapping[str, Any] = field(default_factory=dict)


def number(x: float) -> str:
    """``x`` to six significant digits, with a true minus sign: ``1.4``, ``−28``,
    ``1e-08``, ``0.000123457``."""
    text = f"{x:.6g}"
    return MINUS + text[1:] if text.startswith("-") else text


def operand(x: float) -> str:
    """``number(x)``, in parentheses when negative, to stand after an operator: ``(−28)``."""
    text = number(x)
    return f"({text})" if text.startswith(MINUS) else text


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript(n: int) -> str:
    """``n`` in superscript digits: ``superscript(12) == "¹²"``."""
    return str(n).translate(_SUPERSCRIPTS)


def gradient_lines(
    update: Update, symbol: str, *, decay_in_gradient: bool
) -> tuple[float, list[str]]:
    """The gradient a rule uses, g, and the lines that show where it came from: ∂L/∂p,
    negated with ``maximize``, plus λ·p with a (coupled) weight decay λ."""
    hyper = update.hyper
    g = -update.grad if hyper.get("maximize") else update.grad
    sign = MINUS if hyper.get("maximize") else ""
    lines = [f"g = {sign}∂L/∂{symbol} = {number(g)}"]
    decay = float(hyper.get("weight_decay", 0.0))
    if decay != 0 and decay_in_gradient:
        decayed = g + decay * update.before
        lines.append(
            f"g ← {number(g)} + {number(decay)} × {operand(update.before)} = {number(decayed)}"
        )
        g = decayed
    return g, lines
