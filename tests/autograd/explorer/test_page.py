"""The explorer's page, read as markup: one self-contained file that loads nothing from
outside, its data the engine's and safe inside the page, every user string shown as text,
the static picture of the final gradients for where scripts do not run, and Jupyter's
frame around it."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value
from autograd.drawing import _number
from autograd.explorer import build
from autograd.explorer.page import Explorer, script_json
from tests.helpers import assert_named_error

EVIL = '</script><script>alert(1)</script><img src=x onerror="alert(2)"> & {a|b}'


def _tour(label: str = "c") -> Value:
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, label)
    a.grad = 0.5  # a gradient held before the pass: added at the end
    loss = (a * b + c).tanh() * c
    loss.label = "L"
    return loss


class _Page(HTMLParser):
    """The elements of a page, each with its attributes, and the text of each script."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.texts: list[str] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        else:
            self.texts.append(data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def _embedded(page: str) -> Any:
    (data,) = [
        text for attrs, text in _parse(page).scripts if attrs.get("type") == "application/json"
    ]
    return json.loads(data)


@pytest.fixture(scope="module")
def explorer() -> Explorer:
    graph, numbers = build(_tour())
    return Explorer(graph, [numbers])


def test_one_page_with_everything_inline(explorer: Explorer) -> None:
    page = explorer.html()
    parsed = _parse(page)
    assert page.startswith("<!doctype html>\n") and page.rstrip().endswith("</html>")
    tags = [tag for tag, _ in parsed.tags]
    assert tags.count("svg") == 1 and tags.count("style") == 1
    assert [attrs.get("type") for attrs, _ in parsed.scripts] == ["application/json", None, None]
    assert "window.StepgradExplorer" in parsed.scripts[1][1]
    assert "StepgradExplorer.mount(" in parsed.scripts[2][1]
    assert 'id="node-v0"' in page and 'id="edge-0"' in page


def test_nothing_is_loaded_from_outside(explorer: Explorer) -> None:
    page = explorer.html()
    for tag, attrs in _parse(page).tags:
        for name in ("src", "href", "xlink:href", "srcset", "action", "data"):
            assert attrs.get(name) is None, (tag, name, attrs)
        assert tag not in ("link", "img", "iframe", "object", "embed", "base"), tag
    lowered = page.lower()
    for loader in ("@import", "fetch(", "xmlhttprequest", "import(", "url(", "websocket"):
        assert loader not in lowered, loader
    # the only URLs are the SVG's namespace names, which load nothing
    assert set(re.findall(r"https?://[^\s\"'<>)]+", page)) <= {
        "http://www.w3.org/2000/svg",
        "http://www.w3.org/1999/xlink",
    }


def test_the_data_is_the_builds_and_safe_inside_a_script(explorer: Explorer) -> None:
    page = explorer.html()
    assert _embedded(page) == {"graph": explorer.graph, "passes": explorer.passes}
    (raw,) = re.findall(
        r'<script type="application/json" id="stepgrad-data">(.*?)</script>', page, re.S
    )
    assert not set("<>&") & set(raw)
    assert json.loads(script_json({"s": "</script>&<!--"})) == {"s": "</script>&<!--"}
    assert script_json("<&>") == '"\\u003c\\u0026\\u003e"'
    assert_named_error(lambda: script_json(float("nan")), ValueError, "not JSON compliant")


def test_every_user_string_is_text() -> None:
    graph, numbers = build(_tour(label=EVIL))
    graph["title"] = EVIL
    explorer = Explorer(graph, [numbers])
    for page in (explorer.html(), html.unescape(_srcdoc(explorer._repr_html_()))):
        parsed = _parse(page)
        assert len(parsed.scripts) == 3  # the data, the explorer, its mount: no other
        assert "img" not in [tag for tag, _ in parsed.tags]
        assert EVIL in parsed.texts  # in the title and the static picture, as text
        names = [node["name"] for node in _embedded(page)["graph"]["nodes"]]
        assert names.count(EVIL) == 1


def _srcdoc(frame: str) -> str:
    found = re.fullmatch(r'<iframe srcdoc="([^"]*)" .*></iframe>', frame, re.S)
    assert found is not None, frame[:200]
    return found[1]


def _static_texts(page: str) -> dict[str, str]:
    """The data and grad text of each node of the page's static picture, by node id."""
    found: dict[str, str] = {}
    for node_id, body in re.findall(
        r'<g id="(node-v\d+)" class="node value[^"]*"[^>]*>(.*?)</g>', page, re.S
    ):
        for role, text in re.findall(r'class="(data|grad)">([^<]*)<', body):
            found[f"{node_id} {role}"] = html.unescape(text)
    return found


def test_without_scripts_the_page_shows_the_final_gradients(explorer: Explorer) -> None:
    texts = _static_texts(explorer.html())
    numbers = explorer.passes[0]
    assert len(texts) == 2 * len(explorer.graph["nodes"])
    for i, node in enumerate(explorer.graph["nodes"]):
        assert texts[f"node-{node['id']} data"] == f"data {_number(numbers['data'][i])}"
        assert texts[f"node-{node['id']} grad"] == f"grad {_number(numbers['final'][i])}"
    assert numbers["final"][3] == numbers["why"][3]["total"]
    assert "The graph after the whole backward pass (7 chain-rule steps)" in explorer.html()


def test_in_jupyter_a_frame_of_its_own_and_the_static_picture(explorer: Explorer) -> None:
    frame = explorer._repr_html_()
    assert html.unescape(_srcdoc(frame)) == explorer.html()
    assert 'sandbox="allow-scripts"' in frame and "width: 100%" in frame
    bundle = explorer._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/svg+xml", "text/plain"}
    assert bundle["text/html"] == frame
    svg = bundle["image/svg+xml"]
    assert svg.startswith(
        '<svg style="max-width: 100%; height: auto" xmlns="http://www.w3.org/2000/svg"'
    )
    assert svg.endswith("</svg>") and _static_texts(svg) == _static_texts(explorer.html())
    assert bundle["text/plain"] == repr(explorer)


def test_the_repr_says_what_it_shows_and_how_to_save() -> None:
    graph, numbers = build(_tour())
    assert repr(Explorer(graph, [numbers])) == (
        "<autograd.Explorer of 7 values, 7 steps; .save('page.html') writes the page, "
        ".html() is its text>"
    )
    X, y = nn.data.make_moons(3, noise=0.1, seed=1, signed=True)
    model = nn.MLP(2, [3, 1], seed=2)
    loss = nn.functional.hinge_loss([model(x) for x in X], y)
    graph, numbers = build(loss, dict(model.named_parameters()), view="neuron")
    shown = repr(Explorer(graph, [numbers, numbers]))
    assert re.fullmatch(
        r"<autograd.Explorer of \d+ values, \d+ steps in each of 2 passes; .*>", shown
    )


def test_save_writes_the_page_or_the_picture(explorer: Explorer, tmp_path: Path) -> None:
    page = explorer.save(tmp_path / "loss.html")
    assert page == tmp_path / "loss.html" and page.read_text("utf-8") == explorer.html()
    picture = explorer.save(tmp_path / "loss.svg")
    assert picture.read_text("utf-8") == explorer.static_svg()
    assert_named_error(
        lambda: explorer.save(tmp_path / "loss.png"), ValueError, r"should end in \.html"
    )


def test_bad_passes_are_named_errors() -> None:
    graph, numbers = build(_tour())
    assert_named_error(lambda: Explorer(graph, []), TypeError, "non-empty list of passes")
    assert_named_error(lambda: Explorer(graph, numbers), TypeError, "got dict")  # type: ignore[arg-type]
    _, more = build(_tour() * 2.0)
    assert_named_error(
        lambda: Explorer(graph, [numbers, more]),
        ValueError,
        "pass 1 has 8 entries in 'data' for a graph of 7 nodes",
    )
    assert_named_error(lambda: Explorer(graph, [numbers], pass_=1), ValueError, "got 1")
    assert_named_error(
        lambda: Explorer({"nodes": []}, [numbers]),
        ValueError,
        "^Explorer: the graph lacks 'title', 'edges'; make the graph and its passes with "
        "autograd.explorer.build$",
    )
    partial = {key: value for key, value in numbers.items() if key != "why"}
    assert_named_error(lambda: Explorer(graph, [partial]), ValueError, "pass 0 lacks 'why'")
