"""Optimisation of ``autograd.backprop.backward``: the same chain rule, with fewer steps.

The reference runs ``backward_steps`` to the end: for every edge of the graph a
``Step`` record, a hook check, a finiteness check. This loop does the same arithmetic in
the same order (tests pin the gradients to the reference's, bit for bit on the core
ops), and nothing else:

- an op of one input is asked for ``derivative(node)``, a float, not a tuple;
- a leaf's gradient is checked for overflow once, at the end of the pass, instead of at
  every step (an overflow anywhere reaches some leaf as inf or nan);
- through an ``AffineLayer`` (``autograd.fast.layer``) a whole layer call is one step:
  its neurons hand their gradients to the call, the call passes Σⱼ δⱼwⱼᵢ to each input,
  and the weights' gradients are added for all the calls at once after the loop (equal
  to the reference within 1e-12: the sums run in another order).

It declines, leaving the pass to the reference, when a hooked Value is in the graph and
when a gradient overflowed, so that the reference computes the overflowing products in
the ops' exact forms or names the op that overflowed.
"""

from __future__ import annotations

from math import isfinite
from operator import attrgetter

from autograd.fast.layer import PENDING, discard_pending, flush_pending
from autograd.fast.traversal import check_inputs_unchanged, order_and_leaves
from autograd.hooks import HOOKS
from autograd.protocol import Node
from autograd.value import MANY_INPUTS, Value

grad_of = attrgetter("grad")


def backward(root: Node, gradient: float) -> bool:
    """``autograd.backprop.backward(root, gradient)``, faster; False (with every leaf's
    gradient as it was) where the reference must run instead."""
    if not isinstance(root, Value):
        return False
    order, leaves, maybe_stale, visit = order_and_leaves(root)
    if HOOKS and any(value._visit is visit for value in HOOKS):  # type: ignore[attr-defined]
        return False  # a hooked Value is in the graph
    if maybe_stale:  # some node is older than the latest .data assignment
        check_inputs_unchanged(order)
    if not order:  # the root is a leaf
        root.grad += gradient
        return True
    before = list(map(grad_of, leaves))  # to put back exactly (-0.0 too) if it declines
    held: list[tuple[Value, float]] = []
    if any(before):  # scanned in C: usually no leaf holds a gradient yet
        held = [(leaf, leaf.grad) for leaf in leaves if leaf.grad]
        for leaf, _ in held:
            leaf.grad = 0.0
    root.grad = gradient
    many = MANY_INPUTS
    try:
        for node in order:
            upstream = node.grad
            b = node._b
            if b is None:
                node._a.grad += node._op.derivative(node) * upstream
            elif b is not many:
                da, db = node._op.local_derivatives(node)  # type: ignore[union-attr]
                node._a.grad += da * upstream
                b.grad += db * upstream
            elif node.__class__ is Value and node._a.__class__ is tuple:  # type: ignore[comparison-overlap]
                local = node._op.local_derivatives(node)
                for parent, derivative in zip(node._a, local, strict=True):
                    parent.grad += derivative * upstream
            else:  # a layer's neuron or a layer call: the layer applies the chain rule
                node._op.backward(node, upstream)  # type: ignore[union-attr]
        if PENDING:
            flush_pending()
    except (ArithmeticError, ValueError):
        # A derivative that fails here fails in the reference too, which says where.
        _put_back(leaves, before)
        return False
    except BaseException:
        _put_back(leaves, before)
        raise
    if not all(map(isfinite, map(grad_of, leaves))):  # scanned in C
        _put_back(leaves, before)
        return False
    for leaf, grad in held:
        leaf.grad += grad
    return True


def _put_back(leaves: list[Value], before: list[float]) -> None:
    """The leaves' gradients as they were before the pass."""
    discard_pending()
    for leaf, grad in zip(leaves, before, strict=True):
        leaf.grad = grad
