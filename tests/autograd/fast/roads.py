"""Which road a backward pass took: the fast path's answers, and how often an op's
derivative method was called (the reference calls it for every node)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from autograd import backprop


@contextmanager
def counting_calls(cls: type, method: str) -> Iterator[list[object]]:
    """Count the calls of ``cls.method`` (the op's derivative: the reference calls it for
    every node; the fast loop through a layer never does)."""
    calls: list[object] = []
    original = getattr(cls, method)

    def counted(self: object, *args: object) -> object:
        calls.append(self)
        return original(self, *args)

    setattr(cls, method, counted)
    try:
        yield calls
    finally:
        setattr(cls, method, original)


@contextmanager
def fast_road_taken() -> Iterator[list[bool]]:
    """What the installed fast backward (the engine's: autograd.engine) answered on each
    pass (True: it took the pass)."""
    answers: list[bool] = []
    installed = backprop.ACCELERATOR.backward
    assert installed is not None

    def recorded(root: Any, gradient: float) -> bool:
        answers.append(installed(root, gradient))
        return answers[-1]

    backprop.accelerate(recorded)
    try:
        yield answers
    finally:
        backprop.accelerate(installed)
