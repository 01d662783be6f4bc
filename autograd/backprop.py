"""The backward pass: order the graph, then apply the chain rule node by node.

For a node ``out`` with inputs ``x₁ … xₙ`` and upstream gradient ∂L/∂out, each input
receives the contribution ∂L/∂out · ∂out/∂xᵢ, summed over every node that uses it.
Visiting the nodes in topological order (every node after all the nodes that use it)
means a node's gradient is complete before it is passed on. No recursion anywhere:
graphs of any depth work.

This module is the reference a learner reads and steps through: ``topological_order``,
then ``backward_steps``, the chain-rule loop. ``backward()`` runs the same loop.
It is written against the protocol in ``autograd.protocol`` and nothing else.

A faster implementation of the same pass may be installed with ``accelerate`` (the
``autograd`` package installs one): ``backward()`` then uses it, except while a
debugger or tracer is active (``sys.gettrace()``), in anomaly mode, or when it declines
(a hook in the graph, a gradient that overflowed), so that what a person steps through
is always this loop.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass
from math import isfinite

from autograd.anomaly import ANOMALY, created_at, in_backward
from autograd.hooks import HOOKS, run_hooks
from autograd.protocol import Node


def topological_order(root: Node) -> list[Node]:
    """Every non-leaf node that ``root`` depends on, ``root`` first, each before its inputs.

    A depth-first search with a stack instead of recursion: a node is expanded the first
    time it comes off the stack, pushed back marked "inputs pushed", and emitted when it
    comes off again, by which time all of its inputs have been emitted. Reversed, the
    list has every node before all of its inputs, so each node's gradient is complete
    when its turn comes. Leaves are not listed. Gradients are left as they are.
    """
    order: list[Node] = []
    expanded: set[Node] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, inputs_pushed = stack.pop()
        if inputs_pushed:  # every input of node is in order already
            order.append(node)
        elif node not in expanded and not node.is_leaf:
            expanded.add(node)
            stack.append((node, True))
            for parent in node.parents:  # the last input is expanded first
                stack.append((parent, False))
    order.reverse()
    return order


def leaves_of(root: Node, order: list[Node]) -> list[Node]:
    """The leaves the nodes of ``order`` use, each once, in the order they are first met
    (``root`` itself when it is a leaf)."""
    if root.is_leaf:
        return [root]
    leaves = {parent: None for node in order for parent in node.parents if parent.is_leaf}
    return list(leaves)


def check_inputs_unchanged(order: list[Node]) -> None:
    """Raise if an input's ``.data`` was assigned after a node that uses it was computed.

    The local derivatives read the inputs' current data, so a changed input would
    silently give the gradient of a different graph.
    """
    for node in order:
        for position, parent in enumerate(node.parents):
            if parent._stamp > node._stamp:
                raise RuntimeError(stale_message(node.op, f"input {position}", parent))


def stale_message(op: str | None, which: str, parent: Node) -> str:
    return (
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
    added once the pass ends). Where ``local`` overflows a float (inf: 1/x at a tiny x)
    but the product need not, ``contribution`` is the op's exact ``contributions``
    (upstream / x), as PyTorch computes it.
    """

    index: int
    node: Node
    position: int
    input: Node
    upstream: float
    local: float
    contribution: float
    input_grad: float

    def __repr__(self) -> str:
        """One line, ``Step(4: add → [1] c: 0.0134095 × 1 = 0.0134095, input grad 1.01274)``:
        step 4, the node ``add`` passed to its input 1, ``c``, upstream × local =
        contribution, after which c's gradient is 1.01274. A node is named ``label = op``
        or by its op; an input by its label, else by its op in parentheses, else
        ``(leaf)``. Numbers have six significant digits."""
        node = f"{self.node.label} = {self.node.op}" if self.node.label else self.node.op
        return (
            f"Step({self.index}: {node} → [{self.position}] {_input_name(self.input)}: "
            f"{_short(self.upstream)} × {_short(self.local)} = {_short(self.contribution)}, "
            f"input grad {_short(self.input_grad)})"
        )


def _input_name(node: Node) -> str:
    if node.label:
        return node.label
    return "(leaf)" if node.is_leaf else f"({node.op})"


def _short(x: float) -> str:
    return f"{x + 0.0:.6g}"  # -0.0 + 0.0 is 0.0: zero is never shown as -0


class Pass:
    """The leaves of one backward pass in progress, and the gradients they held before it.

    A pass sums each leaf's gradient from zero and adds what the leaf held once the pass
    ends, so two identical passes give exactly twice the first (as in PyTorch). One pass
    is in progress at a time: beginning another abandons an unfinished one, which puts
    its leaves' gradients back as they were before it began.
    """

    __slots__ = ("leaves", "before", "abandoned")

    def __init__(self, leaves: list[Node]) -> None:
        abandon_unfinished()
        self.leaves = leaves
        self.before = [leaf.grad for leaf in leaves]  # what each leaf held
        self.abandoned = False
        for leaf in leaves:
            if leaf.grad:  # (a leaf at 0.0 or -0.0 starts from it as it is)
                leaf.grad = 0.0
        UNFINISHED.append(self)

    def finish(self) -> None:
        """Run the leaves' hooks on this pass's gradients, then add what they held."""
        if HOOKS:
            for leaf in self.leaves:
                leaf.grad = run_hooks(leaf, leaf.grad)
        for leaf, held in zip(self.leaves, self.before, strict=True):
            if held:
                leaf.grad += held
        UNFINISHED.remove(self)

    def abandon(self) -> None:
        """Put the leaves' gradients back as they were before the pass began."""
        if self.abandoned or self not in UNFINISHED:
            return
        self.abandoned = True
        UNFINISHED.remove(self)
        for leaf, grad in zip(self.leaves, self.before, strict=True):
            leaf.grad = grad


UNFINISHED: list[Pass] = []  # the backward pass in progress, if any (at most one)


def abandon_unfinished() -> None:
    """Abandon the backward pass in progress, if there is one (see ``Pass``)."""
    for unfinished in tuple(UNFINISHED):
        unfinished.abandon()


def backward_steps(root: Node, gradient: float = 1.0) -> Generator[Step, None, None]:
    """The backward pass, one ``Step`` at a time: the chain rule, edge by edge.

    Interior gradients start from zero, the root's is ``gradient``; each node, in
    topological order, passes upstream × local derivative to each of its inputs.
    Consuming every step leaves the gradients ``backward()`` leaves. Abandoning the
    iteration part-way (``close()``, or dropping it), or beginning another backward pass
    before it ends, puts the leaves' gradients back as they were before it began; the
    interior nodes keep what they had received. A pass abandoned this way cannot resume.
    """
    order = topological_order(root)
    check_inputs_unchanged(order)
    for node in order:  # interior gradients are recomputed from zero on every pass
        node.grad = 0.0
    this_pass = Pass(leaves_of(root, order))
    try:
        root.grad = gradient  # ∂root/∂root · gradient (a leaf root: its whole pass)
        index = 0
        for node in order:
            upstream = node.grad  # complete: every node that uses node came before it
            if HOOKS:
                upstream = node.grad = run_hooks(node, upstream)
            try:
                local = node._op.local_derivatives(node)  # type: ignore[union-attr]
            except (ArithmeticError, ValueError) as error:  # a derivative undefined here
                raise in_backward(error, node) from error.__cause__
            for position, (parent, derivative) in enumerate(zip(node.parents, local, strict=True)):
                contribution = upstream * derivative  # the chain rule
                if not isfinite(contribution):
                    contribution = _exact_contribution(node, position, upstream, derivative)
                parent.grad += contribution  # summed over every node that uses parent
                if not isfinite(parent.grad):
                    raise _overflowed(node, position, parent, upstream, derivative)
                yield Step(
                    index, node, position, parent, upstream, derivative, contribution, parent.grad
                )
                if this_pass.abandoned:
                    raise RuntimeError(
                        "backward_steps: this pass was abandoned when another backward pass "
                        "began; start a new one with backward_steps()"
                    )
                index += 1
        this_pass.finish()
    except BaseException:
        this_pass.abandon()
        raise


def _exact_contribution(node: Node, position: int, upstream: float, local: float) -> float:
    """upstream × local from the op's ``contributions``, for a product that is not finite."""
    exact = node._op.contributions(node, upstream)[position]  # type: ignore[union-attr]
    if not isfinite(exact):
        raise _overflowed(node, position, node.parents[position], upstream, local)
    return exact


def _overflowed(
    node: Node, position: int, parent: Node, upstream: float, local: float
) -> OverflowError:
    name = f"{parent.label} = " if parent.label else ""
    return OverflowError(
        f"backward: the gradient of input {position} of '{node.op}' is not finite: upstream "
        f"{upstream!r} × local derivative {local!r} overflows a float (output {node._data!r}, "
        f"input {name}{parent._data!r}, its gradient before this step {parent.grad!r})"
        + (f"\n  ('{node.op}' created at {created_at(node)})" if ANOMALY.enabled else "")
    )


AcceleratedBackward = Callable[[Node, float], bool]
"""A faster ``backward()``: returns True once it has set the same gradients the steps
would, or False, before changing any leaf's gradient, to leave the pass to the steps."""


class _Accelerator:
    __slots__ = ("backward",)

    def __init__(self) -> None:
        self.backward: AcceleratedBackward | None = None


ACCELERATOR = _Accelerator()


def accelerate(backward: AcceleratedBackward | None) -> None:
    """Install a faster implementation of ``backward()`` (None removes it).

    It must leave the gradients that consuming ``backward_steps()`` leaves (its tests pin
    it to them), and decline (return False) whenever it cannot, for example when a hooked
    node is in the graph.
    """
    ACCELERATOR.backward = backward


def backward(root: Node, gradient: float = 1.0) -> None:
    """Set ``node.grad = ∂root/∂node · gradient`` for every interior node, add it to leaves.

    Interior gradients start from zero on every call; leaves accumulate, as in PyTorch.
    This is ``backward_steps`` run to the end. An installed accelerator (see ``accelerate``)
    runs instead when no debugger or tracer is active and anomaly mode is off.
    """
    abandon_unfinished()
    fast = ACCELERATOR.backward
    if fast is not None and sys.gettrace() is None and not ANOMALY.enabled and fast(root, gradient):
        return
    for _ in backward_steps(root, gradient):
        pass
