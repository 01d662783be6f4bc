"""Turning user input into the finite Python floats that a Value holds."""

from __future__ import annotations

import numbers


def as_finite_float(x: object, where: str) -> float:
    """Return ``x`` as a finite float, or raise naming ``where`` and the offending value.

    Accepts ``int``, ``float`` and numpy real scalars (anything registered as
    ``numbers.Real``). Rejects ``bool`` (almost always a mistake in arithmetic),
    complex numbers, strings, ``None``, and NaN or infinite values.
    """
    value: float
    if type(x) is float:
        value = x
    elif type(x) is int or (not isinstance(x, bool) and isinstance(x, numbers.Real)):
        try:
            value = float(x)
        except OverflowError:
            raise OverflowError(f"{where}: {short_repr(x)} is too large for a float") from None
    else:
        raise TypeError(
            f"{where}: expected a real number (int, float or numpy real scalar), "
            f"got {type(x).__name__} {short_repr(x)}"
        )
    if value - value:  # inf - inf and nan - nan are nan, which is truthy
        raise ValueError(f"{where}: expected a finite number, got {value!r}")
    return value


def short_repr(x: object, limit: int = 60) -> str:
    """``repr(x)``, cut to ``limit`` characters so that a huge input cannot flood a message."""
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."
