"""The explorer's picture: the graph laid out once by Graphviz, as SVG a page can update.

Each drawn Value is a record, its name beside its data above its gradient, coloured as
``autograd.draw`` colours it, and each op a grey oval between its inputs and its output.
The layout never changes between the steps of a pass: the data and gradient fields are
laid out for the widest number they can show (``PLACEHOLDER``) and the page rewrites only
their text.

What the page finds in the SVG (Graphviz's own ``<g class="node">``/``"edge"`` groups,
with these ids and data attributes added):

- ``<g id="node-v3" class="node value kind-parameter" data-node="3">``: Value number 3,
  whose texts carry ``class="name"``, ``"data"`` and ``"grad"``;
- ``<g id="op-v3" class="node op" data-node="3">``: the op that made it;
- ``<g id="edge-12" class="edge" data-edge="12">``: edge number 12 of the graph, from an
  input to the op that uses it (the edge a chain-rule step runs along, backwards);
- ``<g id="out-v3" class="edge out">``: from an op to the Value it made;
- ``<g id="group-0" class="cluster">``: the nodes of one ``group`` (a layer).

A node folded into another (``folded_into``: a parameter drawn inside its neuron) and the
edges from it are not drawn.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

import graphviz

from autograd import rendering
from autograd.drawing import INPUT, OP, OUTPUT, PARAMETER, PLAIN, SMALLER, _escape, _number
from autograd.explorer.data import MAX_NODES

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

PLACEHOLDER = "-0.0008888"
"""As wide as the widest number the page writes into a field: four significant digits,
as ``draw`` shows them (``-0.0001234``; ``-1.234e-05`` is narrower)."""

COLOURS = {"output": OUTPUT, "parameter": PARAMETER, "input": INPUT, "plain": PLAIN}

FEWER = (
    "show less:\n"
    "  - one sample's part of a loss over many: explore(loss, sample=0)\n"
    '  - an nn model by neuron or by layer: explore(loss, params, view="neuron") '
    '(or view="layer")\n'
    "or "
)
ADVICE = FEWER + SMALLER
"""What to do about a graph too large to lay out, which the layout's errors end with."""

Graph = Mapping[str, Any]
"""The explorer's ``graph`` (see ``autograd.explorer.data``): JSON-able dicts and lists."""


def drawn(graph: Graph) -> list[int]:
    """The numbers of the nodes the picture draws: every node not folded into another."""
    return [i for i, node in enumerate(graph["nodes"]) if node.get("folded_into") is None]


def layout(
    graph: Graph,
    *,
    max_nodes: int = MAX_NODES,
    timeout: float | None = rendering.TIMEOUT,
    rankdir: str = "auto",
) -> str:
    """The SVG element (no XML prolog) of ``graph``, laid out once, with each node's data
    and gradient fields showing ``PLACEHOLDER`` (see ``fill``) and the ids of the module
    docstring.

    ``rankdir`` is Graphviz's direction, ``"LR"`` (left to right: inputs on the left) or
    ``"TB"`` (top to bottom: inputs at the top); ``"auto"`` lays a graph of at most
    ``TWICE`` values out both ways and keeps the one that is larger when fitted into a
    landscape ``VIEW`` (a long chain reads better left to right, a bushy one top to
    bottom), and a larger graph left to right. More than ``max_nodes`` drawn Values raises
    ValueError saying what to show instead; a render that takes more than ``timeout``
    seconds (None: no limit) or fails is a RuntimeError naming the graph's size, with the
    same advice."""
    if rankdir not in ("auto", "LR", "TB"):
        raise ValueError(f"explore: rankdir must be 'auto', 'LR' or 'TB', got {rankdir!r}")
    shown = drawn(graph)
    if len(shown) > max_nodes:
        limit = "" if timeout is None else f", and the layout is stopped after {timeout:g} s"
        raise ValueError(
            f"explore: the graph has {len(shown):,} values to draw, more than "
            f"max_nodes={max_nodes}; {ADVICE}\nor pass max_nodes={len(shown)} to draw it "
            f"all: Graphviz may take minutes{limit}"
        )
    count = f"{len(shown):,} value" + ("" if len(shown) == 1 else "s")
    if rankdir != "auto":
        return _mark(_render(dot_source(graph, rankdir), count, timeout), graph)
    svg = _render(dot_source(graph, "LR"), count, timeout)
    if len(shown) <= TWICE:
        other = _render(dot_source(graph, "TB"), count, timeout)
        svg = max(svg, other, key=_fitted_scale)
    return _mark(svg, graph)


TWICE = 150
"""The most values ``layout(rankdir="auto")`` lays out both ways to choose between them."""

VIEW = (720.0, 470.0)
"""The width and height of the view the explorer's page gives the graph in a typical
window, for choosing its direction."""


def _fitted_scale(svg: str) -> float:
    """How large the drawing ``svg`` is shown when fitted into ``VIEW``."""
    box = ET.fromstring(svg).get("viewBox", "0 0 1 1").split()
    width, height = float(box[2]), float(box[3])
    return min(VIEW[0] / max(width, 1.0), VIEW[1] / max(height, 1.0))


def _render(source: str, count: str, timeout: float | None) -> str:
    edges = rendering.count_edges(source)
    return rendering.render(
        source,
        "svg",
        timeout=timeout,
        shows=f"{count} ({edges:,} edge{'' if edges == 1 else 's'})",
        made_by="explore",
        smaller=ADVICE,
    ).decode("utf-8")


def dot_source(graph: Graph, rankdir: str = "LR") -> str:
    """The DOT text of the picture (see the module docstring)."""
    nodes = graph["nodes"]
    digraph = graphviz.Digraph(
        "explorer",
        graph_attr={"rankdir": rankdir, "fontname": "Helvetica", "bgcolor": "transparent"},
        node_attr={"fontname": "Helvetica"},
        edge_attr={"fontname": "Helvetica", "fontsize": "10"},
    )
    groups: dict[str, graphviz.Digraph] = {}
    for i in drawn(graph):
        node = nodes[i]
        group = node.get("group")
        into = digraph
        if group is not None:
            if group not in groups:
                groups[group] = graphviz.Digraph(f"cluster_{len(groups)}")
                groups[group].attr(
                    id=f"group-{len(groups) - 1}",
                    label=_escape(group),
                    fontname="Helvetica",
                    style="rounded,dashed",
                    color="#888888",
                )
            into = groups[group]
        _add_node(into, node)
    for cluster in groups.values():
        digraph.subgraph(cluster)
    for number, edge in enumerate(graph["edges"]):
        node, source = nodes[edge["node"]], nodes[edge["input"]]
        if source.get("folded_into") is not None or node.get("folded_into") is not None:
            continue
        several = len(node["inputs"]) > 1
        digraph.edge(
            source["id"],
            f"{node['id']}_op",
            id=f"edge-{number}",
            label=f"[{edge['position']}]" if several else "",
        )
    return str(digraph.source)


def _add_node(digraph: graphviz.Digraph, node: Mapping[str, Any]) -> None:
    name = node["id"]
    digraph.node(
        name,
        id=f"node-{name}",
        label=f"{{ {_escape(node['name'])} | {{ data {PLACEHOLDER} | grad {PLACEHOLDER} }} }}",
        shape="record",
        style="filled",
        fillcolor=COLOURS.get(node["kind"], PLAIN),
    )
    if node["leaf"]:
        return
    digraph.node(
        f"{name}_op",
        id=f"op-{name}",
        label=_escape(node["symbol"] or node["op"] or "?"),
        shape="oval",
        style="filled",
        fillcolor=OP,
        fontsize="13",
    )
    digraph.edge(f"{name}_op", name, id=f"out-{name}")


def _tag(element: ET.Element) -> str:
    return element.tag.rpartition("}")[2]


def _mark(svg: str, graph: Graph) -> str:
    """Graphviz's SVG with the classes and data attributes the page looks for, titles that
    name the Values, and no XML prolog or comments."""
    root = ET.fromstring(svg)  # (the prolog and comments are dropped)
    numbers = {node["id"]: i for i, node in enumerate(graph["nodes"])}
    for group in root.iter(f"{{{SVG_NS}}}g"):
        ident = group.get("id", "")
        kind, _, rest = ident.partition("-")
        if kind == "node" and rest in numbers:
            number = numbers[rest]
            node = graph["nodes"][number]
            group.set("class", f"node value kind-{node['kind']}")
            group.set("data-node", str(number))
            texts = [child for child in group if _tag(child) == "text"]
            roles = ["name"] * (len(texts) - 2) + ["data", "grad"]  # a name may be lines
            for text, role in zip(texts, roles[-len(texts) :], strict=True):
                text.set("class", role)
            _retitle(group, f"{node['name']} ({node['id']})")
        elif kind == "op" and rest in numbers:
            number = numbers[rest]
            group.set("class", "node op")
            group.set("data-node", str(number))
            _retitle(group, f"{graph['nodes'][number]['op']} making {rest}")
        elif kind == "edge" and rest.isdigit():
            group.set("data-edge", rest)
            edge = graph["edges"][int(rest)]
            source, target = graph["nodes"][edge["input"]], graph["nodes"][edge["node"]]
            _retitle(group, f"{source['name']} → [{edge['position']}] {target['name']}")
        elif kind == "out":
            group.set("class", "edge out")
    root.set("class", "stepgrad-graph")
    return ET.tostring(root, encoding="unicode")


def _retitle(group: ET.Element, title: str) -> None:
    for child in group:
        if _tag(child) == "title":
            child.text = title


def fill(svg: str, data: Sequence[float], grads: Sequence[float | None]) -> str:
    """``svg`` (from ``layout``) with node i's fields showing ``data[i]`` and ``grads[i]``
    (None: not reached, shown as ``grad —``), to four significant digits: the static
    picture of one moment of a pass."""
    root = ET.fromstring(svg)
    for group in root.iter(f"{{{SVG_NS}}}g"):
        number = group.get("data-node")
        if number is None or "value" not in group.get("class", "").split():
            continue
        i = int(number)
        for text in group:
            role = text.get("class")
            if role == "data":
                text.text = f"data {_number(data[i])}"
            elif role == "grad":
                grad = grads[i]
                text.text = "grad —" if grad is None else f"grad {_number(grad)}"
    return ET.tostring(root, encoding="unicode")
