"""What the element-wise modules (activations, ``Dropout``) accept and give back.

They take what ``nn``'s layers return, one Value or a list of Values, and also a number,
a list of numbers or a 1-D numpy row (what a model's first module is given), and give
back the same shape: one Value for one, a list for a list.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autograd import Value
from nn.module import Outputs

Elements = Value | list[Value]


def as_values(x: object, where: str) -> tuple[list[Value], bool]:
    """The elements of ``x`` as Values (numbers become leaves) and whether ``x`` was one
    element rather than a list. TypeError or ValueError naming ``where`` otherwise."""
    if isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise ValueError(
                f"{where}: expected a Value or a 1-D row, got an array of shape {x.shape}"
            )
        items: list[object] = x.tolist()
        single = False
    elif isinstance(x, list | tuple):
        items, single = list(x), False
    else:
        items, single = [x], True
    return [_as_value(item, i, where) for i, item in enumerate(items)], single


def _as_value(item: object, index: int, where: str) -> Value:
    if isinstance(item, Value):
        return item
    if isinstance(item, bool) or not isinstance(item, int | float | np.integer | np.floating):
        raise TypeError(
            f"{where}: expected a Value, a number, or a list of them; "
            f"got {type(item).__name__} {item!r} at position {index}"
        )
    try:
        return Value(item)
    except ValueError as error:  # not finite
        raise ValueError(f"{where}: input {index}: {error}") from None


def apply(x: object, function: Callable[[Value], Value], where: str) -> Elements:
    """``function`` on every element of ``x``, in ``x``'s shape (see ``as_values``); a
    list comes back as ``Outputs``, which says what to do when asked for ``backward()``."""
    values, single = as_values(x, where)
    outputs = [function(v) for v in values]
    return outputs[0] if single else Outputs(outputs)
