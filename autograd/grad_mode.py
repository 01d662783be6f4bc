"""Whether operations on Values record a graph: ``no_grad()`` turns recording off."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class _GradMode:
    """Process-wide recording switch, read by every operation when it builds its node."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


GRAD_MODE = _GradMode()


def is_grad_enabled() -> bool:
    """True when operations on Values record the graph that ``backward()`` walks."""
    return GRAD_MODE.enabled


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Within this block operations compute values but record no graph.

    Results are leaves (no parents), as in ``torch.no_grad()``. Optimizers update
    parameters this way, and inference uses it to save time and memory.
    """
    previous = GRAD_MODE.enabled
    GRAD_MODE.enabled = False
    try:
        yield
    finally:
        GRAD_MODE.enabled = previous


@contextlib.contextmanager
def enable_grad() -> Iterator[None]:
    """Turn recording back on inside a ``no_grad()`` block (``torch.enable_grad()``)."""
    previous = GRAD_MODE.enabled
    GRAD_MODE.enabled = True
    try:
        yield
    finally:
        GRAD_MODE.enabled = previous
