"""The README's example graph, L = (a*b + c).tanh() * c, which the tests of backward_steps and
trace work out by hand; and ``bits``, to compare floats exactly."""

from __future__ import annotations

import math

from autograd import Value

TANH4 = math.tanh(4.0)
DTANH4 = 1.0 - TANH4 * TANH4  # tanh'(4) = 1 - tanh²(4)


def readme_expression() -> tuple[Value, Value, Value, Value, Value, Value, Value]:
    """L = (a*b + c).tanh() * c with a = 2, b = -3, c = 10, and its interior nodes."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    p = a * b  # -6
    s = p + c  # 4
    t = s.tanh()
    loss = t * c
    return loss, t, s, p, a, b, c


def bits(x: float) -> str:
    """The exact bits of a float (so that 0.0 and -0.0 differ)."""
    return x.hex()
