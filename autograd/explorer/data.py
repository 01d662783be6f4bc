"""The explorer's data: a graph and the numbers of one backward pass over it, from the engine.

``build(root)`` runs ``backward_steps(root)`` to the end (putting every gradient back as
it was) and records what a page needs to replay it: the graph (nodes, their inputs, one
edge per input position), and for each chain-rule step its edge, upstream × local =
contribution, and the input's gradient before and after, with the op's derivative
formula from its docstring (``autograd.explorer.formulas``) and its numbers. For each
node it records its gradient as the sum of its contributions ("why"), a central
difference of the same derivative, and, where the graph was built under
``detect_anomaly()``, the line that created it.

Gradient after step k (``frame_gradients``): the root starts at its seed and every
other node "not reached" (None); step j sets its input's gradient to ``after``; once
the last step is taken each leaf's gradient held before the pass is added, which gives
what ``backward()`` leaves.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, cast

from autograd import ops
from autograd.anomaly import ANOMALY
from autograd.backprop import Step, backward_steps, topological_order
from autograd.drawing import _walk
from autograd.engine import Value
from autograd.explorer import formulas
from autograd.explorer.views import Folding, fold, sample_part

__all__ = ["MAX_NODES", "build", "frame_gradients"]

MAX_NODES = 400
"""The most nodes ``build`` lays out unless told otherwise (Graphviz slows down past it)."""

NUMERIC_LIMIT = 3000
"""Past this many values the central differences (one forward pass per node) are left out."""

Graph = dict[str, Any]
PassNumbers = dict[str, Any]


def build(
    root: Value,
    params: Mapping[str, Value] | None = None,
    *,
    sample: int | None = None,
    view: str = "value",
    max_nodes: int = MAX_NODES,
) -> tuple[Graph, PassNumbers]:
    """The graph of ``root`` and the numbers of a backward pass from it, as JSON-able dicts.

    ``params`` names parameters (``dict(model.named_parameters())``), as ``autograd.draw``.
    ``sample=i`` explores one sample's part of a loss over many: the loss's i-th term
    (the i-th input of its mean or sum) and everything it depends on, with the gradient
    the loss passes to that term as its seed, so every gradient shown is this sample's
    share. ``view="neuron"`` draws each parameter inside the neuron that uses it (nn's
    default graph has one node per neuron); ``view="layer"`` also groups the neurons of a
    layer (by their parameters' names in ``params``). More than ``max_nodes`` nodes to
    draw raises ValueError saying how to show less. Every Value's gradient is left as it was.
    """
    if view not in ("value", "neuron", "layer"):
        raise ValueError(f"explore: view must be 'value', 'neuron' or 'layer', got {view!r}")
    if not isinstance(root, Value):
        raise TypeError(f"explore: expected a Value, got {type(root).__name__}")
    names = {id(v): name for name, v in (params or {}).items()}
    start, seed, part = root, 1.0, ""
    if sample is not None:
        start, seed, part = sample_part(root, sample)
    values = _walk(start)
    index = {id(v): i for i, v in enumerate(values)}
    folding = fold(values, index, names, view) if view != "value" else Folding.none(len(values))
    drawn = len(values) - folding.count
    if drawn > max_nodes:
        raise ValueError(
            f"explore: {drawn:,} values to draw, more than max_nodes={max_nodes}; show less:\n"
            "  - one sample's part of a loss over many: explore(loss, sample=0)\n"
            '  - a model\'s parameters inside their neurons: explore(loss, params, view="neuron")'
            ' (or view="layer")\n'
            "  - a part of the graph: explore(v) for a Value inside it\n"
            "autograd.trace(root) lists every chain-rule step of a graph of any size; or pass "
            f"max_nodes={drawn} to explore it all (the layout may take minutes)"
        )
    graph = _graph(start, values, index, names, folding, part or _title(start, len(values)))
    graph["view"] = view
    return graph, _pass_numbers(start, seed, values, index, graph["edges"])


def _title(root: Value, count: int) -> str:
    name = root.label or root.op or "value"
    return f"{name}: {count:,} value{'' if count == 1 else 's'}"


def _kind(value: Value, root: Value, names: Mapping[int, str]) -> str:
    if value is root:
        return "output"
    if id(value) in names:
        return "parameter"
    return "input" if value.is_leaf and value.label else "plain"


def _neuron_name(value: Value, names: Mapping[int, str]) -> str | None:
    """``layers.1 neuron 0`` for the neuron whose first weight is ``layers.1.weight[0, 0]``."""
    if value.is_leaf or not isinstance(value._op, ops.Affine) or len(value.parents) < 2:
        return None
    weight = names.get(id(value.parents[0]), "")
    found = re.fullmatch(r"(.*)\.weight\[(\d+), \d+\]", weight)
    return f"{found[1]} neuron {found[2]}" if found else None


def _graph(
    root: Value,
    values: list[Value],
    index: dict[int, int],
    names: Mapping[int, str],
    folding: Folding,
    title: str,
) -> Graph:
    nodes = []
    edges = []
    for i, value in enumerate(values):
        op = value._op
        math_ = None if value.is_leaf else formulas.math_of(op)
        site = ANOMALY.sites.get(value)
        nodes.append(
            {
                "id": f"v{i}",
                "name": names.get(id(value))
                or value.label
                or _neuron_name(value, names)
                or f"v{i}",
                "label": value.label,
                "op": value.op,
                "symbol": None if value.is_leaf else op.describe(),  # type: ignore[union-attr]
                "kind": _kind(value, root, names),
                "leaf": value.is_leaf,
                "inputs": [index[id(parent)] for parent in value.parents],
                "forward": None if math_ is None else math_.forward,
                "site": site,
                "folded_into": folding.host[i],
                "group": folding.group[i],
            }
        )
        for position, parent in enumerate(value.parents):
            edges.append({"node": i, "input": index[id(parent)], "position": position})
    return {"title": title, "nodes": nodes, "edges": edges}


def _pass_numbers(
    root: Value,
    seed: float,
    values: list[Value],
    index: dict[int, int],
    edges: list[dict[str, int]],
) -> PassNumbers:
    edge_of = {(edge["node"], edge["position"]): e for e, edge in enumerate(edges)}
    saved = [v.grad for v in values]
    held = [v.grad if v.is_leaf else 0.0 for v in values]
    current = [0.0] * len(values)  # each gradient as this pass has summed it so far
    current[0] = seed
    steps: list[dict[str, Any]] = []
    try:
        for taken in backward_steps(root, seed):
            target = index[id(taken.input)]
            steps.append(_step(taken, index, edge_of, current[target]))
            current[target] = taken.input_grad
        final = [v.grad for v in values]
    finally:
        for value, grad in zip(values, saved, strict=True):
            value.grad = grad
    count = len(values)
    received: list[list[int]] = [[] for _ in range(count)]  # the steps into each node
    for k, step in enumerate(steps):
        received[edges[step["edge"]]["input"]].append(k)
    # reached at its first contribution, complete at its last (the root: from the start)
    reached = [-1] + [into[0] if into else None for into in received[1:]]
    complete = [-1] + [into[-1] if into else None for into in received[1:]]
    numeric = _central_differences(root, seed, values)
    why = [
        {
            "steps": received[i],
            "held": held[i],
            "total": final[i],
            "numeric": numeric[i][0],
            "numeric_note": numeric[i][1] or _held_note(held[i]),
            "path": _path(i, received, steps, edges),
        }
        for i in range(count)
    ]
    return {
        "data": [v.data for v in values],
        "seed": seed,
        "held": held,
        "steps": steps,
        "final": final,
        "reached_at": reached,
        "complete_at": complete,
        "why": why,
    }


def _held_note(held: float) -> str | None:
    """What a leaf's central difference leaves out: the gradient it held before the pass."""
    if not held:
        return None
    return f"this pass's derivative; the total adds the {held:.6g} held before the pass"


def _step(
    step: Step, index: dict[int, int], edge_of: dict[tuple[int, int], int], before: float
) -> dict[str, Any]:
    node = step.node
    op = node._op
    return {
        "edge": edge_of[(index[id(node)], step.position)],
        "upstream": step.upstream,
        "local": step.local,
        "contribution": step.contribution,
        "before": before,
        "after": step.input_grad,
        "derivative": formulas.derivative_of(op, node, step.position),
        "numbers": formulas.with_numbers(op, node, step.position, step.local),
    }


def _path(
    i: int, received: list[list[int]], steps: list[dict[str, Any]], edges: list[dict[str, int]]
) -> list[int]:
    """Node numbers from the root to node ``i``, following at each node the user that sent
    it its largest contribution (in size)."""
    path = [i]
    while received[path[-1]] and len(path) <= len(received):
        largest = max(received[path[-1]], key=lambda k: abs(steps[k]["contribution"]))
        path.append(edges[steps[largest]["edge"]]["node"])
    path.reverse()
    return path


def _forward(value: Value, inputs: list[float]) -> float:
    """The op of ``value`` applied again to the numbers ``inputs``."""
    op = value._op
    if isinstance(op, ops.BinaryOp):
        return op.forward(inputs[0], inputs[1])
    if isinstance(op, ops.UnaryOp):
        return op.forward(inputs[0])
    if isinstance(op, ops.NaryOp):
        return op.forward(tuple(inputs))
    raise TypeError(f"'{value.op}' cannot be run again on numbers")


def _central_differences(
    root: Value, seed: float, values: list[Value]
) -> list[tuple[float | None, str | None]]:
    """For each value v, (f(v + h) - f(v - h)) / 2h · seed with f the root as a function of
    v's number (everything v depends on held fixed), h = 1e-6 · max(1, |v|); or None and why."""
    if len(values) > NUMERIC_LIMIT:
        note = f"not computed: more than {NUMERIC_LIMIT:,} values (one forward pass each)"
        return [(None, note)] * len(values)
    # inputs before the nodes that use them
    order = cast("list[Value]", list(reversed(topological_order(root))))
    results: list[tuple[float | None, str | None]] = []
    for value in values:
        h = 1e-6 * max(1.0, abs(value.data))
        try:
            above = _root_with(root, order, value, value.data + h)
            below = _root_with(root, order, value, value.data - h)
        except (ArithmeticError, ValueError, TypeError, AttributeError) as error:
            results.append((None, f"not computed: {error}"))
            continue
        estimate = (above - below) / (2.0 * h) * seed
        results.append((estimate, None) if math.isfinite(estimate) else (None, "not finite"))
    return results


def _root_with(root: Value, order: list[Value], changed: Value, number: float) -> float:
    """The root's number when ``changed`` is ``number`` instead (everything else as it is)."""
    data = {id(changed): number}
    for node in order:
        if node is changed:
            continue
        data[id(node)] = _forward(node, [data.get(id(p), p.data) for p in node.parents])
    return data.get(id(root), root.data)


def frame_gradients(graph: Graph, numbers: PassNumbers, k: int) -> list[float | None]:
    """Every node's gradient as it stands after step ``k`` (-1: only the root seeded), None
    for a node the pass has not reached yet; after the last step, what ``backward()``
    leaves (see the module docstring). The page applies the same rule."""
    steps = numbers["steps"]
    if not -1 <= k < len(steps):
        raise IndexError(f"frame_gradients: no step {k} (the pass has {len(steps)} steps)")
    grads: list[float | None] = [None] * len(graph["nodes"])
    grads[0] = numbers["seed"]
    for step in steps[: k + 1]:
        grads[graph["edges"][step["edge"]]["input"]] = step["after"]
    if k == len(steps) - 1:
        for i, node in enumerate(graph["nodes"]):
            if node["leaf"] and numbers["held"][i]:
                grads[i] = (grads[i] or 0.0) + numbers["held"][i]
    return grads
