"""Optimisation of ``autograd.backprop.topological_order``: the same order, found faster.

The reference walks the graph with a stack of (node, inputs pushed) pairs and a set of
the nodes it has expanded. This walk gives the same order of Values (tests pin it), and
in the same pass it zeroes the interior gradients, lists the leaves, and notes whether
any node may be older than an assignment to ``.data``. It is faster because:

- a node is marked with this walk's token in its ``_visit`` slot instead of being added
  to a set, and the marks double as "expanded" and "emitted" (``opened`` / ``visit``);
- a node is pushed back only if one of its inputs is still to be expanded, and the walk
  goes straight on to that input instead of pushing it and popping it again;
- leaves are recognised and listed as they are met.

It also walks the hidden layer calls of ``autograd.fast.layer`` (each after its neurons
and before its inputs) and lists the weights of the layers it meets among the leaves.
"""

from __future__ import annotations

from typing import Any

from autograd.backprop import stale_message
from autograd.fast.layer import AffineLayer, LayerCall
from autograd.value import DATA_CLOCK, MANY_INPUTS, Value


def order_and_leaves(root: Value) -> tuple[list[Value], list[Value], bool, object]:
    """``topological_order(root)`` (with the hidden layer calls), the leaves it reaches,
    whether any node was built before the latest assignment to some ``.data`` (and so may
    be stale), and the token this walk marked every node it reached with.

    Sets every interior node's ``.grad`` to 0.0, as every backward pass does.
    """
    order: list[Value] = []
    leaves: list[Value] = []
    visit = object()  # this walk's mark: a node is new to this walk unless it holds it
    if root._op is None:
        root._visit = visit
        return order, [root], False, visit
    opened = object()  # held by a node expanded but not yet emitted (its inputs pending)
    now = DATA_CLOCK.now
    maybe_stale = False
    many = MANY_INPUTS
    stack: list[Value] = [root]
    calls: list[Value] = []  # the hidden layer calls reached
    push, pop, emit, leaf = stack.append, stack.pop, order.append, leaves.append
    while stack:
        node: Value | None = pop()
        mark = node._visit  # type: ignore[union-attr]
        if mark is opened:  # back to an expanded node: all of its inputs are emitted
            node._visit = visit  # type: ignore[union-attr]
            emit(node)  # type: ignore[arg-type]
            continue
        if mark is visit:  # pushed twice, by two consumers, and emitted already
            continue
        while node is not None:  # expand node, then go straight on to its last new input
            # Marked when expanded, not when pushed: a node pushed again by a later
            # consumer must be expanded (and emitted) before that consumer is. Unless all
            # of its inputs are done already, it is pushed again itself, under its inputs,
            # marked opened, to be emitted when they are done.
            if node._stamp != now:
                maybe_stale = True
            node.grad = 0.0  # interior gradients are recomputed from zero on every pass
            a, b = node._a, node._b
            if b is many:
                node._visit = opened
                push(node)
                node = None
                if a.__class__ is tuple:  # type: ignore[comparison-overlap]
                    for parent in a:  # the tuple of inputs
                        if parent._visit is not visit:
                            if parent._op is None:
                                parent._visit = visit
                                leaf(parent)
                            else:
                                if parent.__class__ is LayerCall:  # deferred neurons' call
                                    calls.append(parent)
                                push(parent)
                elif a._visit is not visit:  # a layer's neuron: go on to its layer call
                    calls.append(a)
                    node = a
                continue
            following = None  # the input to expand next
            if a._visit is not visit:
                if a._op is None:
                    a._visit = visit
                    leaf(a)
                else:
                    following = a
            if b is not None and b._visit is not visit:
                if b._op is None:
                    b._visit = visit
                    leaf(b)
                elif following is None:
                    following = b
                else:  # both inputs new: a waits on the stack, as if both had been pushed
                    node._visit = opened
                    push(node)
                    push(a)
                    node = b
                    continue
            if following is None:  # its inputs are done: emitted at once
                node._visit = visit
                emit(node)
                node = None
            else:
                node._visit = opened
                push(node)
                node = following
    order.reverse()
    for call in calls:  # the weights of the layers, which the calls reach without edges
        layer: AffineLayer = call._op  # type: ignore[assignment]
        if layer._visit is not visit:
            layer._visit = visit
            for parameter in layer.parameters():
                if parameter._visit is not visit:
                    parameter._visit = visit
                    leaf(parameter)
    return order, leaves, maybe_stale, visit


def check_inputs_unchanged(order: list[Value]) -> None:
    """``autograd.backprop.check_inputs_unchanged`` for an order that holds layer calls:
    a neuron not yet a Value is checked against its layer's weights."""
    node: Any  # a Value or a hidden LayerCall
    for node in order:
        if node.__class__ is LayerCall:  # the inputs shared by a layer's neurons
            op = node._op._outputs[0].name
            for x in node._a:
                if x.__class__ is LayerCall:  # neurons not yet Values: all their weights count
                    for weight in x._op.parameters():
                        if weight._stamp > x._stamp:
                            _raise_stale(x._op._outputs[0].name, "a weight", weight)
                elif x._stamp > node._stamp:
                    _raise_stale(op, "an input", x)  # type: ignore[arg-type]
        elif node._b is MANY_INPUTS and node._a.__class__ is LayerCall:  # a layer's neuron
            layer: AffineLayer = node._a._op
            j = node._op.index
            for weight in (*layer.weights[j], *(layer.biases or ())[j : j + 1]):
                if weight._stamp > node._stamp:
                    _raise_stale(node.op, "a weight", weight)
        else:
            for position, parent in enumerate(node.parents):
                if parent._stamp > node._stamp:
                    _raise_stale(node.op, f"input {position}", parent)


def _raise_stale(op: str, which: str, parent: Value) -> None:
    raise RuntimeError(stale_message(op, which, parent))
