"""The backward pass: order the graph, then apply the chain rule node by node.

For a node ``out`` with inputs ``x₁ … xₙ`` and upstream gradient ∂L/∂out, each input
receives the contribution ∂L/∂out · ∂out/∂xᵢ, summed over every node that uses it.
No recursion anywhere: graphs of any depth work.
"""

from __future__ import annotations

from autograd.value import DATA_CLOCK, Value


def topological_order(root: Value) -> list[Value]:
    """Every non-leaf node that ``root`` depends on, ``root`` first, each before its inputs.

    An iterative depth-first search: a node is emitted only after all of its inputs,
    then the list is reversed, so every node comes after all the nodes that consume
    it and its gradient is complete when its turn comes. Leaves are not listed.
    """
    order, _ = _order_and_leaves(root)
    return order


def _order_and_leaves(root: Value) -> tuple[list[Value], list[Value]]:
    """``topological_order(root)``, and the leaves it reaches (with repeats)."""
    order: list[Value] = []
    leaves: list[Value] = []
    if root._op is None:
        return order, [root]
    seen: set[Value] = set()
    stack: list[Value | None] = [root]
    push, pop, see, emit, leaf = stack.append, stack.pop, seen.add, order.append, leaves.append
    while stack:
        node = pop()
        if node is None:  # the marker below it: all of that node's inputs are emitted
            emit(pop())  # type: ignore[arg-type]
            continue
        if node in seen:
            continue
        see(node)
        push(node)
        push(None)
        a, b = node._a, node._b
        if a._op is None:
            leaf(a)
        elif a not in seen:
            push(a)
        if b is None:
            continue
        if b._op is None:
            leaf(b)
        elif b not in seen:
            push(b)
    order.reverse()
    return order, leaves


def check_inputs_unchanged(order: list[Value]) -> None:
    """Raise if a leaf's ``.data`` was assigned after a node that uses it was built.

    The local derivatives read the inputs' current data, so a changed input would
    silently give the gradient of a different graph.
    """
    for node in order:
        for position, parent in enumerate(node.parents):
            if parent._stamp > node._stamp:
                raise RuntimeError(
                    f"backward: input {position} of '{node.op}' "
                    f"({parent.label or 'a leaf'}, now {parent._data!r}) was assigned a new "
                    f".data after '{node.op}' was computed; run the forward pass again "
                    f"before calling backward()"
                )


def _overflowed(where: str, grad: float) -> OverflowError:
    return OverflowError(f"backward: the gradient of {where} is {grad!r}: it overflowed a float")


def backward(root: Value, gradient: float = 1.0) -> None:
    """Set ``node.grad = ∂root/∂node · gradient`` for every interior node, add it to leaves.

    Interior gradients start from zero on every call; leaves accumulate, as in PyTorch.
    Each node's inputs receive ``local derivative × upstream gradient`` (the chain rule),
    with the local derivatives from the node's op (``autograd.ops``).
    """
    order, leaves = _order_and_leaves(root)
    if DATA_CLOCK.now != root._stamp:  # some .data was assigned since root was built
        check_inputs_unchanged(order)
    for node in order:
        node.grad = 0.0
    if order:
        root.grad = gradient
    else:
        root.grad += gradient
    for node in order:
        upstream = node.grad
        if upstream - upstream:  # inf or nan: inf - inf is nan, and nan is truthy
            raise _overflowed(f"the output of '{node.op}'", upstream)
        local = node._op.local_derivatives(node)  # type: ignore[union-attr]
        b = node._b
        if b is None:
            node._a.grad += local[0] * upstream
        else:
            node._a.grad += local[0] * upstream
            b.grad += local[1] * upstream
    for leaf in leaves:
        if leaf.grad - leaf.grad:
            raise _overflowed(f"leaf {leaf.label or leaf._data!r}", leaf.grad)
