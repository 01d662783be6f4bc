"""Gradient hooks: ``Value.register_hook(fn)`` as in PyTorch.

A hook is called with the gradient of its Value once that gradient is complete in a
backward pass (for a leaf: this pass's gradient, before it is added to ``.grad``), and
may return a replacement, which is then what flows on (and, for a leaf, what is added).

Hooks live in a table keyed by Value rather than on every node, so a graph without hooks
pays nothing for them, and neither does a graph that none of the hooked Values is in.
A registered hook keeps its Value alive until ``handle.remove()``.
"""

from __future__ import annotations

from collections.abc import Callable

from autograd.protocol import Node
from autograd.scalars import as_finite_float

Hook = Callable[[float], "float | None"]

HOOKS: dict[Node, list[Hook]] = {}


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` unregisters the hook (once is enough)."""

    __slots__ = ("_hook", "_value")

    def __init__(self, value: Node, hook: Hook) -> None:
        self._value: Node | None = value
        self._hook = hook

    def remove(self) -> None:
        value, self._value = self._value, None
        if value is None:
            return
        hooks = HOOKS.get(value, [])
        if self._hook in hooks:
            hooks.remove(self._hook)
        if not hooks:
            HOOKS.pop(value, None)


def register_hook(value: Node, hook: Hook) -> RemovableHandle:
    if not callable(hook):
        raise TypeError(f"register_hook: expected a function, got {type(hook).__name__}")
    HOOKS.setdefault(value, []).append(hook)
    return RemovableHandle(value, hook)


def run_hooks(value: Node, grad: float) -> float:
    """``grad`` passed through ``value``'s hooks in the order they were registered."""
    for hook in tuple(HOOKS.get(value, ())):  # a copy: a hook may remove itself
        replaced = hook(grad)
        if replaced is not None:
            grad = as_finite_float(replaced, "hook")
    return grad
