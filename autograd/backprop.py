"""The backward pass: order the graph, then apply the chain rule node by node.

For a node ``out`` with inputs ``x₁ … xₙ`` and upstream gradient ∂L/∂out, each input
receives the contribution ∂L/∂out · ∂out/∂xᵢ, summed over every node that uses it.
No recursion anywhere: graphs of any depth work.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from math import isfinite
from operator import attrgetter
from typing import Any

from autograd.affine import (
    PENDING,
    AffineLayer,
    LayerCall,
    discard_pending,
    flush_pending,
    materialize,
)
from autograd.anomaly import ANOMALY, created_at
from autograd.hooks import HOOKS, run_hooks
from autograd.value import DATA_CLOCK, MANY_INPUTS, Value

grad_of = attrgetter("grad")


def topological_order(root: Value) -> list[Value]:
    """Every non-leaf node that ``root`` depends on, ``root`` first, each before its inputs.

    An iterative depth-first search: a node is emitted only after all of its inputs,
    then the list is reversed, so every node comes after all the nodes that consume
    it and its gradient is complete when its turn comes. Leaves are not listed.
    """
    materialize(root)  # every neuron of a layer as a Value
    order, _, _ = _order_and_leaves(root, zero_grads=False)
    return [node for node in order if node.__class__ is Value]  # without hidden layer calls


def _order_and_leaves(
    root: Value, zero_grads: bool = True
) -> tuple[list[Value], list[Value], bool]:
    """``topological_order(root)``, the leaves it reaches, and whether any node was built
    before the latest assignment to some ``.data`` (and so may be stale).

    Sets every interior node's ``.grad`` to 0.0 (unless ``zero_grads`` is False, as for
    ``topological_order``, which leaves gradients alone); leaves are listed once each. The order
    also holds the hidden layer calls of ``autograd.affine`` (not Values), each after its
    neurons and before its inputs; the leaves include the weights of those layers.
    """
    order: list[Value] = []
    leaves: list[Value] = []
    if root._op is None:
        return order, [root], False
    now = DATA_CLOCK.now
    maybe_stale = False
    visit = object()  # this pass's mark: a node is new to this pass unless it holds it
    opened = object()  # held by a node expanded but not yet emitted (its inputs pending)
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
            if zero_grads:  # interior gradients are recomputed from zero on every backward
                node.grad = 0.0
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
    return order, leaves, maybe_stale


def check_inputs_unchanged(order: list[Value]) -> None:
    """Raise if a leaf's ``.data`` was assigned after a node that uses it was built.

    The local derivatives read the inputs' current data, so a changed input would
    silently give the gradient of a different graph.
    """
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
    raise RuntimeError(
        f"backward: {which} of '{op}' ({parent.label or 'a leaf'}, now {parent._data!r}) was "
        f"assigned a new .data after '{op}' was computed; run the forward pass again before "
        f"calling backward()"
    )


@dataclass(frozen=True, slots=True)
class Step:
    """One application of the chain rule in a backward pass.

    ``node`` received gradient ``upstream`` = ∂root/∂node; its input number ``position``,
    ``input``, has local derivative ``local`` = ∂node/∂input, so it receives
    ``contribution`` = upstream · local, after which its gradient is ``input_grad``
    (for a leaf: the sum over this pass so far; a gradient it held before the pass is
    added once the pass ends).
    """

    index: int
    node: Value
    position: int
    input: Value
    upstream: float
    local: float
    contribution: float
    input_grad: float


def _begin(
    root: Value, gradient: float
) -> tuple[list[Value], list[Value], list[tuple[Value, float]]]:
    """Order the graph, zero this pass's gradients and seed the root's.

    Each leaf's gradient from a pass is summed from zero, then added to what it held
    (``held``), so two identical passes give exactly twice the first (as in PyTorch).
    """
    order, leaves, maybe_stale = _order_and_leaves(root)
    if maybe_stale:  # some node is older than the latest .data assignment
        check_inputs_unchanged(order)
    if not order:
        return order, leaves, []
    held = []
    if any(map(grad_of, leaves)):  # scanned in C: usually no leaf holds a gradient yet
        held = [(leaf, leaf.grad) for leaf in leaves if leaf.grad]
        for leaf, _ in held:
            leaf.grad = 0.0
    root.grad = gradient
    return order, leaves, held


def _end(order: list[Value], leaves: list[Value], held: list[tuple[Value, float]]) -> None:
    """Run leaf hooks, add what leaves held before the pass, check for overflow."""
    if HOOKS:
        for leaf in leaves:
            leaf.grad = run_hooks(leaf, leaf.grad)
    for leaf, grad in held:
        leaf.grad += grad
    # An overflow anywhere reaches some leaf as inf or nan (inf * 0 is nan), so one check
    # per leaf (scanned in C) catches them all.
    if not all(map(isfinite, map(grad_of, leaves))):
        raise _overflow_error(order, next(leaf for leaf in leaves if not isfinite(leaf.grad)))


def _restore(leaves: list[Value], held: list[tuple[Value, float]]) -> None:
    """A failed or abandoned pass leaves the leaves' gradients as they were."""
    for leaf in leaves:
        leaf.grad = 0.0
    for leaf, grad in held:
        leaf.grad = grad


def backward_steps(root: Value, gradient: float = 1.0) -> Generator[Step, None, None]:
    """The backward pass, one ``Step`` at a time, in the order ``backward()`` runs them.

    Consuming every step leaves exactly the gradients ``backward()`` gives (the same
    arithmetic in the same order). Abandoning the iteration part-way restores the leaves'
    gradients to what they were before it started.
    """
    materialize(root)  # every neuron of a layer as a Value, to step through
    order, leaves, held = _begin(root, gradient)
    if not order:  # the root is a leaf: nothing to step through
        root.grad += run_hooks(root, gradient) if HOOKS else gradient
        return
    index = 0
    checking = ANOMALY.enabled
    try:
        for node in order:
            if node.__class__ is not Value:  # a hidden layer call: its neurons did its steps
                continue
            upstream = node.grad
            if HOOKS:
                upstream = node.grad = run_hooks(node, upstream)
            try:
                local = node._op.local_derivatives(node)  # type: ignore[union-attr]
            except (ArithmeticError, ValueError) as error:
                if not checking:
                    raise
                raise type(error)(
                    f"{error}\n  ('{node.op}' created at {created_at(node)})"
                ) from error
            for position, (parent, derivative) in enumerate(zip(node.parents, local, strict=True)):
                contribution = derivative * upstream
                parent.grad += contribution
                if checking and parent.grad - parent.grad:  # inf or nan (see _end)
                    raise _anomalous_gradient(node, position, parent, upstream, derivative)
                yield Step(
                    index, node, position, parent, upstream, derivative, contribution, parent.grad
                )
                index += 1
        _end(order, leaves, held)
    except BaseException:
        _restore(leaves, held)
        raise


def backward(root: Value, gradient: float = 1.0) -> None:
    """Set ``node.grad = ∂root/∂node · gradient`` for every interior node, add it to leaves.

    Interior gradients start from zero on every call; leaves accumulate, as in PyTorch.
    Each node's inputs receive ``local derivative × upstream gradient`` (the chain rule),
    with the local derivatives from the node's op (``autograd.ops``). This is
    ``backward_steps`` without the records: with hooks registered, or in anomaly mode, it is
    exactly that.
    """
    if HOOKS or ANOMALY.enabled:
        for _ in backward_steps(root, gradient):
            pass
        return
    order, leaves, held = _begin(root, gradient)
    if not order:  # the root is a leaf
        root.grad += gradient
        return
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
            else:  # many inputs, or a layer's neuron or call: the op applies the chain rule
                node._op.backward(node, upstream)  # type: ignore[union-attr]
        if PENDING:
            flush_pending()
        _end(order, leaves, held)
    except BaseException:
        discard_pending()
        _restore(leaves, held)
        raise


def _anomalous_gradient(
    node: Value, position: int, parent: Value, upstream: float, local: float
) -> OverflowError:
    return OverflowError(
        f"backward: the gradient of input {position} of '{node.op}' is not finite: upstream "
        f"{upstream!r} × local derivative {local!r} (output {node._data!r}, input "
        f"{parent._data!r}, its gradient now {parent.grad!r})\n"
        f"  ('{node.op}' created at {created_at(node)})"
    )


def _overflow_error(order: list[Value], leaf: Value) -> OverflowError:
    """Name the first op (in backward order) whose gradient overflowed, or else the leaf."""
    for node in order:
        if node.__class__ is Value and node.grad - node.grad:
            return OverflowError(
                f"backward: the gradient reaching the output of '{node.op}' is {node.grad!r}: "
                f"it overflowed a float"
            )
    name = leaf.label or f"{leaf._data!r}"
    return OverflowError(
        f"backward: the gradient of leaf {name} is {leaf.grad!r}: it overflowed a float"
    )
