"""Reading batches: sequences of per-sample predictions or targets, for losses and metrics."""

from __future__ import annotations

import numbers
from collections.abc import Iterable
from typing import TypeGuard

from autograd import Value
from autograd.scalars import short_repr


def is_row(x: object) -> TypeGuard[Iterable[object]]:
    """True for a sequence of scalars (a list, tuple, numpy array...), not for a scalar or str."""
    if isinstance(x, (Value, str, bytes, numbers.Number)) or getattr(x, "ndim", 1) == 0:
        return False  # a 0-d numpy array is a scalar too (and cannot be iterated)
    return isinstance(x, Iterable)


def items(batch: object, fn: str, name: str) -> list[object]:
    """The elements of ``batch`` (a list, tuple, numpy array or other iterable), or TypeError."""
    if not is_row(batch):
        raise TypeError(
            f"{fn}: {name} must be a sequence of Values or numbers (a list, tuple or numpy "
            f"array), got {type(batch).__name__} {short_repr(batch)}"
        )
    return list(batch)
