"""Turning user input into the finite Python floats that a Value holds."""

from __future__ import annotations

import math
import numbers


def as_finite_float(x: object, where: str) -> float:
    """Return ``x`` as a finite float, or raise naming ``where`` and the offending value.

    Accepts ``int``, ``float`` and numpy real scalars (anything registered as
    ``numbers.Real``). Rejects ``bool`` (almost always a mistake in arithmetic),
    complex numbers, strings, ``None``, and NaN or infinite values.
    """
    if type(x) is float:
        value = x
    elif isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(
            f"{where}: expected a real number (int, float or numpy real scalar), "
            f"got {type(x).__name__} {x!r}"
        )
    else:
        try:
            value = float(x)
        except OverflowError:
            raise OverflowError(f"{where}: {x!r} is too large for a float") from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: expected a finite number, got {value!r}")
    return value
