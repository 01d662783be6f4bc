"""What the backward pass asks of a node and of its op.

``autograd.backprop`` (the topological order and the chain-rule loop) is written against
these two protocols and nothing else, in the way minitorch's ``Variable`` protocol works:
anything that implements them takes part in ``backward()`` and ``backward_steps()``
without the pass naming it. ``Value`` is the node learners build; an op is one class in
``autograd.ops``.

The chain rule at a node ``out`` with inputs x₁ … xₙ and upstream gradient ∂L/∂out asks
its op for the local derivatives ∂out/∂xᵢ and sends each input ∂L/∂out · ∂out/∂xᵢ.
"""

from __future__ import annotations

from typing import Protocol


class Op(Protocol):
    """An operation: its name, and the local derivatives at a node it made."""

    @property
    def name(self) -> str:
        """What ``Value.op`` reports: ``'mul'``, ``'tanh'``, ..."""
        ...

    def local_derivatives(self, out: Node) -> tuple[float, ...]:
        """∂out/∂xᵢ for each input xᵢ of the node ``out``, in the order of ``out.parents``."""
        ...

    def contributions(self, out: Node, upstream: float) -> tuple[float, ...]:
        """upstream · ∂out/∂xᵢ for each input, computed so that it is finite wherever the
        product is, even where a local derivative alone overflows a float (1/x at a tiny x)."""
        ...


class Node(Protocol):
    """A node of the graph: a value, a gradient, its inputs in order, the op that made it.

    ``_data``, ``_a`` and ``_b`` are what an op reads to take its derivatives: the node's
    value and its first two inputs (an op of more inputs reads ``parents``). ``_stamp``
    says when the node was computed (or, for a leaf, last assigned), so that the pass can
    tell that an input changed after a node that uses it was computed.
    """

    grad: float
    label: str | None

    @property
    def _data(self) -> float: ...

    @property
    def _a(self) -> Node: ...

    @property
    def _b(self) -> Node: ...

    @property
    def _op(self) -> Op | None: ...

    @property
    def _stamp(self) -> int: ...

    @property
    def parents(self) -> tuple[Node, ...]:
        """The op's inputs, in order and with repeats; () for a leaf."""
        ...

    @property
    def is_leaf(self) -> bool:
        """True for a node no op made (an input or a parameter)."""
        ...

    @property
    def op(self) -> str | None:
        """The name of the op that made the node; None for a leaf."""
        ...
