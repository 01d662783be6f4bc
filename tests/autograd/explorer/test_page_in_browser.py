"""The explorer's page in a real browser (headless Chromium): what it shows at each step is
what the engine computes after that many steps of ``backward_steps()``, and its controls
work: arrow keys, Home/End, buttons, the slider, play, the URL fragment, the step table,
the "why" panel, pan and zoom, and a page without scripts. Screenshots of the pages go to
/tmp/explorer-shots/ for a person to look at."""

from __future__ import annotations

import base64
import math
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd import Value, backward_steps
from autograd.drawing import _number, _walk
from autograd.explorer import build, frame_gradients
from autograd.explorer.page import Explorer

SHOTS = Path("/tmp/explorer-shots")
EVIL = '<img src=x onerror="window.__pwned = 1">'

pytestmark = pytest.mark.browser


def _tour() -> tuple[Value, list[Value]]:
    """micrograd's first expression, with a gradient that a held before the pass."""
    a, b, c = Value(2.0, "a"), Value(-3.0, "b"), Value(10.0, "c")
    loss = (a * b + c).tanh() * c
    loss.label = "L"
    a.grad = 0.5
    return loss, _walk(loss)


def _moons(view: str, samples: int = 4) -> tuple[Value, dict[str, Value], Value]:
    """A moons MLP's hinge loss, its parameters, and the part of sample 0."""
    X, y = nn.data.make_moons(samples, noise=0.1, seed=1, signed=True)
    model = nn.MLP(2, [4, 4, 1], seed=2)
    loss = nn.functional.hinge_loss([model(x) for x in X], y)
    return loss, dict(model.named_parameters()), loss.parents[0]


class Engine:
    """What the engine computes for a graph, independently of the page's data: each node's
    gradient after each number of steps (None: not reached), the edge of each step
    (numbered as the explorer numbers them: node by node, input by input), the steps into
    each node, and the gradients ``backward()`` leaves. Every gradient is put back after."""

    def __init__(self, root: Value, seed: float = 1.0) -> None:
        values = _walk(root)
        self.values = values
        number = {id(v): i for i, v in enumerate(values)}
        edge_of: dict[tuple[int, int], int] = {}
        for i, value in enumerate(values):
            for position in range(len(value.parents)):
                edge_of[(i, position)] = len(edge_of)
        saved = [v.grad for v in values]
        reached = {id(root)}
        self.after: list[list[float | None]] = []
        self.edges: list[int] = []
        self.inputs: list[int] = []
        self.contributions: list[float] = []
        for step in backward_steps(root, seed):
            reached.add(id(step.input))
            self.after.append([v.grad if id(v) in reached else None for v in values])
            self.edges.append(edge_of[(number[id(step.node)], step.position)])
            self.inputs.append(number[id(step.input)])
            self.contributions.append(step.contribution)
        for value, grad in zip(values, saved, strict=True):
            value.grad = grad
        root.backward(seed)
        self.final = [v.grad for v in values]
        for value, grad in zip(values, saved, strict=True):
            value.grad = grad
        self.held = saved

    def frame(self, k: int) -> list[float | None]:
        """The gradients after step k (-1: only the root seeded; the last: backward()'s)."""
        if k == len(self.after) - 1:
            return list(self.final)
        if k == -1:
            return [self.final[0] if i == 0 else None for i in range(len(self.values))]
        return self.after[k]

    def steps_into(self, i: int) -> list[int]:
        return [k for k, target in enumerate(self.inputs) if target == i]


# ---- driving the page ----


def _open(browser: Any, page: Path, fragment: str = "") -> None:
    browser.get("about:blank")  # (a new document: a URL differing only in fragment is not)
    browser.get(page.as_uri() + fragment)
    _wait(browser, lambda: browser.execute_script(
        "return !!document.querySelector('.sg-explorer[data-ready]')"))  # fmt: skip


def _wait(browser: Any, condition: Callable[[], object], seconds: float = 20) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, seconds).until(lambda _: condition())


def _press(browser: Any, key: str, times: int = 1) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    for _ in range(times):
        ActionChains(browser).send_keys(getattr(Keys, key)).perform()


def _click(browser: Any, selector: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    element = browser.find_element("css selector", selector)
    ActionChains(browser).move_to_element(element).click().perform()


SHOWN = """
return Array.from(document.querySelectorAll('svg.stepgrad-graph g.node.value')).map(g => ({
  node: Number(g.getAttribute('data-node')),
  grad: g.querySelector('text.grad').textContent,
  data: g.querySelector('text.data').textContent,
  value: g.getAttribute('data-grad'),
  classes: Array.from(g.classList),
}));
"""


def _shown(browser: Any) -> dict[int, dict[str, Any]]:
    return {row["node"]: row for row in browser.execute_script(SHOWN)}


def _frame(browser: Any) -> int:
    return int(browser.find_element("css selector", ".sg-counter").get_attribute("data-frame"))


def _current_edges(browser: Any) -> list[str]:
    return [g.get_attribute("id") for g in browser.find_elements("css selector", "g.edge.current")]


def _check_frame(browser: Any, engine: Engine, k: int) -> None:
    """The page shows frame k: its edge highlighted, every gradient the engine's."""
    assert _frame(browser) == k
    assert _current_edges(browser) == ([] if k < 0 else [f"edge-{engine.edges[k]}"])
    expected = engine.frame(k)
    shown = _shown(browser)
    assert sorted(shown) == list(range(len(engine.values)))
    for i, row in shown.items():
        grad = expected[i]
        assert row["data"] == f"data {_number(engine.values[i].data)}"
        if grad is None:
            assert row["grad"] == "grad —" and row["value"] == "", (k, i, row)
            assert "unreached" in row["classes"] and "complete" not in row["classes"]
            continue
        assert row["grad"] == f"grad {_number(grad)}", (k, i, row)
        assert float(row["value"]) == grad, (k, i)
        assert "unreached" not in row["classes"]
        steps = engine.steps_into(i)
        complete = i == 0 or (bool(steps) and steps[-1] <= k)
        assert ("complete" in row["classes"]) == complete, (k, i, row["classes"])


def _shoot(browser: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    browser.save_screenshot(str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return path


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Engine]:
    loss, _ = _tour()
    engine = Engine(loss)
    page = Explorer(*_one(build(loss))).save(tmp_path_factory.mktemp("tour") / "page.html")
    return page, engine


def _one(built: tuple[dict[str, Any], dict[str, Any]]) -> tuple[dict[str, Any], list[Any]]:
    graph, numbers = built
    return graph, [numbers]


# ---- the tests ----


def test_after_pressing_right_k_times_it_shows_the_engines_gradients_after_k_steps(
    browser: Any, tour: tuple[Path, Engine]
) -> None:
    page, engine = tour
    _open(browser, page)
    _check_frame(browser, engine, -1)
    for k in range(len(engine.after)):
        _press(browser, "ARROW_RIGHT")
        _check_frame(browser, engine, k)  # after k + 1 steps: the last is backward()'s
    _press(browser, "ARROW_RIGHT")  # past the end: stays
    _check_frame(browser, engine, len(engine.after) - 1)
    a = next(i for i, v in enumerate(engine.values) if v.label == "a")
    assert engine.final[a] == engine.after[-1][a] + 0.5  # the held gradient, added at the end
    _press(browser, "ARROW_LEFT", 3)
    _check_frame(browser, engine, len(engine.after) - 4)


def test_home_end_buttons_slider_and_the_step_table(
    browser: Any, tour: tuple[Path, Engine]
) -> None:
    page, engine = tour
    last = len(engine.after) - 1
    _open(browser, page)
    _press(browser, "END")
    _check_frame(browser, engine, last)
    _press(browser, "HOME")
    _check_frame(browser, engine, -1)
    _click(browser, '.sg-button[data-action="next"]')
    _click(browser, '.sg-button[data-action="next"]')
    _check_frame(browser, engine, 1)
    _click(browser, '.sg-button[data-action="prev"]')
    _check_frame(browser, engine, 0)
    _click(browser, '.sg-button[data-action="end"]')
    _check_frame(browser, engine, last)
    _click(browser, '.sg-button[data-action="home"]')
    _check_frame(browser, engine, -1)
    _click(browser, '.sg-table tr[data-step="4"]')
    _check_frame(browser, engine, 4)
    row = browser.find_element("css selector", ".sg-table tr.sg-current")
    assert row.get_attribute("data-step") == "4"
    browser.execute_script(
        "const s = document.querySelector('.sg-slider'); s.value = 2;"
        "s.dispatchEvent(new Event('input'));"
    )
    _check_frame(browser, engine, 2)


def test_play_runs_to_the_last_step_and_stops(browser: Any, tour: tuple[Path, Engine]) -> None:
    page, engine = tour
    _open(browser, page)
    browser.execute_script(
        "const s = document.querySelector('.sg-speed'); s.value = '16';"
        "s.dispatchEvent(new Event('change'));"
    )
    _click(browser, '.sg-button[data-action="play"]')
    play = browser.find_element("css selector", '.sg-button[data-action="play"]')
    assert "pause" in play.text
    _wait(browser, lambda: _frame(browser) == len(engine.after) - 1)
    _wait(browser, lambda: "play" in play.text)  # it stops at the end
    _check_frame(browser, engine, len(engine.after) - 1)


def test_the_step_is_kept_in_the_url_fragment(browser: Any, tour: tuple[Path, Engine]) -> None:
    page, engine = tour
    _open(browser, page, "#step=5")
    _check_frame(browser, engine, 5)
    _press(browser, "ARROW_LEFT")
    assert browser.execute_script("return location.hash") == "#step=4"
    browser.execute_script("location.hash = '#step=2'")
    _wait(browser, lambda: _frame(browser) == 2)
    _check_frame(browser, engine, 2)
    _open(browser, page, "#step=99")  # past the end: the last step
    _check_frame(browser, engine, len(engine.after) - 1)


def test_the_chain_rule_panel_shows_the_steps_numbers(
    browser: Any, tour: tuple[Path, Engine]
) -> None:
    page, engine = tour
    _open(browser, page, "#step=2")  # tanh's step
    panel = browser.find_element("css selector", ".sg-step-panel").text
    assert panel.startswith("Step 2: v1 = tanh → [0] v3")
    graph, numbers = build(_tour()[0])  # the formulas as the op's docstring states them
    step = numbers["steps"][2]
    assert step["derivative"] and step["numbers"] and graph["nodes"][1]["forward"]
    assert f"forward\n{graph['nodes'][1]['forward']}\n" in panel
    assert f"local derivative\n{step['derivative']}\nwith the numbers\n{step['numbers']}" in panel
    u, c = engine.after[1][1], engine.contributions[2]  # v1's gradient, then v3's
    assert u is not None
    local = 1 - math.tanh(4.0) ** 2
    assert f"{_short(u)} × {_short(local)} = {_short(c)}" in panel
    assert f"v3.grad\n— → {_short(c)}" in panel  # its first contribution
    assert "complete: every node that uses v3 has passed its contribution back" in panel


def _short(x: float) -> str:
    return f"{x + 0.0:.6g}"


def test_clicking_a_node_shows_why_its_gradient_is_what_it_is(
    browser: Any, tour: tuple[Path, Engine]
) -> None:
    page, engine = tour
    _open(browser, page)
    _click(browser, '.sg-button[data-action="fit"]')  # every node in sight
    for label in ("c", "a"):  # c: two contributions; a: one, and the 0.5 it held
        i = next(n for n, v in enumerate(engine.values) if v.label == label)
        _click(browser, f"#node-v{i} > polygon")
        panel = browser.find_element("css selector", ".sg-why-panel")
        assert panel.get_attribute("data-node") == str(i)
        items = panel.find_elements("css selector", ".sg-contribution")
        assert [int(item.get_attribute("data-step")) for item in items] == engine.steps_into(i)
        parts = [float(item.get_attribute("data-value")) for item in items]
        assert parts == [engine.contributions[k] for k in engine.steps_into(i)]
        total = panel.find_element("css selector", ".sg-why-total")
        assert float(total.get_attribute("data-value")) == engine.final[i]
        shown_sum = float(total.get_attribute("data-sum"))
        assert math.isclose(shown_sum, engine.final[i], rel_tol=1e-12, abs_tol=1e-12)
        assert math.isclose(math.fsum(parts) + engine.held[i], engine.final[i], rel_tol=1e-12)
        assert f"= total\n{_short(engine.final[i])}" in panel.text
        assert "finite difference" in panel.text and "path (largest contributions)" in panel.text
    assert "+ held before the pass\n0.5" in panel.text
    first = panel.find_element("css selector", ".sg-contribution .sg-link")
    first.click()  # a contribution's step: go there
    _check_frame(browser, engine, engine.steps_into(i)[0])
    assert "selected" in _shown(browser)[i]["classes"]


def test_pan_and_zoom(browser: Any, tour: tuple[Path, Engine]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.wheel_input import ScrollOrigin

    page, _ = tour

    def view_box() -> list[float]:
        box = browser.execute_script(
            "return document.querySelector('svg.stepgrad-graph').getAttribute('viewBox')"
        )
        return [float(x) for x in box.split()]

    _open(browser, page)
    x, y, w, h = view_box()
    _click(browser, '.sg-button[data-action="zoom-in"]')
    assert view_box()[2] == pytest.approx(w / 1.25) and view_box()[3] == pytest.approx(h / 1.25)
    svg = browser.find_element("css selector", "svg.stepgrad-graph")
    ActionChains(browser).scroll_from_origin(ScrollOrigin.from_element(svg), 0, -100).perform()
    assert view_box()[2] == pytest.approx(w / 1.25 / 1.2)  # the wheel zooms in too
    before = view_box()
    ActionChains(browser).move_to_element(svg).click_and_hold().move_by_offset(
        -120, 0
    ).move_by_offset(-80, 0).release().perform()
    after = view_box()
    assert after[0] > before[0] and after[2:] == before[2:]  # dragged left: the view moved right
    assert browser.find_element("css selector", ".sg-why-panel").get_attribute("hidden")  # no click
    _click(browser, '.sg-button[data-action="fit"]')
    fx, fy, fw, fh = view_box()
    assert fx <= x + 1e-9 and fy <= y + 1e-9 and fx + fw >= x + w - 1e-9 and fy + fh >= y + h - 1e-9


def test_a_step_into_a_folded_parameter_marks_its_neuron(browser: Any, tmp_path: Path) -> None:
    loss, params, term = _moons("neuron")
    graph, numbers = build(loss, params, sample=0, view="neuron")
    page = Explorer(graph, [numbers]).save(tmp_path / "neuron.html")
    engine = Engine(term, numbers["seed"])
    names = {id(v): name for name, v in params.items()}
    values = engine.values
    k = next(k for k, i in enumerate(engine.inputs) if id(values[i]) in names)
    host = next(
        j for j, v in enumerate(values) if any(p is values[engine.inputs[k]] for p in v.parents)
    )
    _open(browser, page, f"#step={k}")
    assert _frame(browser) == k
    assert _current_edges(browser) == []  # the parameter's edge is not drawn
    marked = [i for i, row in _shown(browser).items() if "current-host" in row["classes"]]
    assert marked == [host]
    panel = browser.find_element("css selector", ".sg-step-panel").text
    parameter = names[id(values[engine.inputs[k]])]
    layer, row = re.fullmatch(r"(.*)\.(?:weight|bias)\[(\d+).*", parameter).groups()  # type: ignore[union-attr]
    neuron = f"{layer} neuron {row}"  # the host's name: its layer and its row
    assert f"into the parameter {parameter}, drawn inside {neuron}" in panel
    # every drawn node's gradient is still the engine's
    expected = engine.frame(k)
    for i, row in _shown(browser).items():
        assert row["value"] == ("" if expected[i] is None else repr(expected[i]))
    _shoot(browser, "moons_neuron_view")


def test_the_scripts_rule_and_number_format_are_the_pythons(browser: Any, tmp_path: Path) -> None:
    loss, params, _ = _moons("layer")
    graph, numbers = build(loss, params, sample=1, view="layer")
    page = Explorer(graph, [numbers]).save(tmp_path / "layer.html")
    _open(browser, page)
    data = browser.execute_script(
        "return JSON.parse(document.getElementById('stepgrad-data').textContent)"
    )
    frames = browser.execute_script(
        "const d = arguments[0]; const out = [];"
        "for (let k = -1; k < d.passes[0].steps.length; k++)"
        "  out.push(StepgradExplorer.frameGradients(d.graph, d.passes[0], k));"
        "return out;",
        data,
    )
    assert frames == [frame_gradients(graph, numbers, k) for k in range(-1, len(numbers["steps"]))]
    rng = random.Random(12)
    xs = [0.0, -0.0, 1.0, -1.0, 1234.4, 12346.0, 0.0001, 0.00012345, 9.9996, 1e-5, 1e21, -3.5e-300]
    xs += [2.0625, -12345.0, 1234.5, 1000.0625, 0.5, 5e-324, 1.7976931348623157e308]  # ties, ends
    xs += [rng.uniform(-1, 1) * 10 ** rng.randint(-12, 12) for _ in range(400)]
    shown = browser.execute_script(
        "return arguments[0].map(x => StepgradExplorer.formatNumber(x, 4))"
        ".concat(arguments[0].map(x => StepgradExplorer.formatNumber(x, 6)));",
        xs,
    )
    assert shown == [_number(x) for x in xs] + [_number(x, 6) for x in xs]
    _press(browser, "END")
    _shoot(browser, "moons_layer_view_end")


def test_labels_stay_text_in_the_running_page(browser: Any, tmp_path: Path) -> None:
    x = Value(0.3, label=EVIL)
    graph, numbers = build((x * x).tanh() + x)
    page = Explorer(graph, [numbers]).save(tmp_path / "evil.html")
    _open(browser, page)
    _press(browser, "END")
    i = graph["nodes"].index(next(n for n in graph["nodes"] if n["label"] == EVIL))
    _click(browser, f"#node-v{i} > polygon")
    assert browser.execute_script("return document.querySelectorAll('img').length") == 0
    assert browser.execute_script("return window.__pwned") is None
    assert EVIL in browser.find_element("css selector", ".sg-why-panel").text
    assert EVIL in browser.find_element("css selector", ".sg-table").text


def test_without_scripts_the_static_graph_shows_the_final_gradients(
    browser: Any, tour: tuple[Path, Engine]
) -> None:
    page, engine = tour
    browser.get("about:blank")
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(page.as_uri())
        assert browser.find_elements("css selector", ".sg-explorer") == []
        assert (
            "With JavaScript on, this page steps through"
            in browser.find_element("css selector", ".sg-static-note").text
        )
        for i in range(len(engine.values)):
            texts = [t.text for t in browser.find_elements("css selector", f"#node-v{i} text")]
            assert texts[1:] == [
                f"data {_number(engine.values[i].data)}",
                f"grad {_number(engine.final[i])}",
            ]
        _shoot(browser, "tour_without_scripts")
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
        browser.get("about:blank")


def test_screenshots_and_a_big_graph_follows_its_current_step(
    browser: Any, tour: tuple[Path, Engine], tmp_path: Path
) -> None:
    page, _engine = tour
    _open(browser, page)
    _shoot(browser, "tour_start")
    _press(browser, "ARROW_RIGHT", 5)
    _click(browser, "#node-v4 > polygon")
    _shoot(browser, "tour_step_4_why_v4")
    loss, params, _ = _moons("value")
    graph, numbers = build(loss, params, sample=0)
    big = Explorer(graph, [numbers]).save(tmp_path / "moons.html")
    _open(browser, big)
    for key, name in (("HOME", "start"), ("ARROW_RIGHT", "step_0"), ("END", "end")):
        _press(browser, key)
        if key != "HOME":  # the current edge is in sight, however far the view had to move
            edge = browser.find_element("css selector", "g.edge.current")
            canvas = browser.find_element("css selector", ".sg-canvas")
            inside = browser.execute_script(
                "const e = arguments[0].getBoundingClientRect(), c = arguments[1]"
                ".getBoundingClientRect(); const x = (e.left + e.right) / 2, y = (e.top + "
                "e.bottom) / 2; return x >= c.left && x <= c.right && y >= c.top && y <= c.bottom;",
                edge,
                canvas,
            )
            assert inside, name
        _shoot(browser, f"moons_value_view_{name}")


def test_in_a_notebooks_frame_it_runs_sandboxed(
    browser: Any, tour: tuple[Path, Engine], tmp_path: Path
) -> None:
    _, engine = tour
    loss, _ = _tour()
    explorer = Explorer(*_one(build(loss)))
    cell = tmp_path / "cell.html"  # a page the width of a notebook's cell, the frame in it
    cell.write_text(
        '<!doctype html><meta charset="utf-8"><body style="width: 900px; margin: 20px">'
        f"<p>In [1]: autograd.explore(loss)</p>{explorer._repr_html_()}</body>",
        encoding="utf-8",
    )
    browser.get("about:blank")
    browser.get(cell.as_uri())
    browser.switch_to.frame(browser.find_element("css selector", "iframe"))
    try:
        _wait(browser, lambda: browser.find_elements("css selector", ".sg-explorer[data-ready]"))
        _click(browser, ".sg-counter")  # the frame takes the keys once clicked
        _press(browser, "ARROW_RIGHT", 3)
        _check_frame(browser, engine, 2)  # (the URL of a sandboxed frame keeps no step)
    finally:
        browser.switch_to.default_content()
    _shoot(browser, "tour_in_a_notebook_frame")


def test_an_untrusted_notebook_shows_the_static_picture_instead(
    browser: Any, tmp_path: Path
) -> None:
    loss, _ = _tour()
    explorer = Explorer(*_one(build(loss)))
    frame = explorer._repr_html_()
    # an untrusted notebook's sanitizer removes the <iframe> and keeps what is inside it
    sanitized = re.sub(r"<iframe[^>]*>|</iframe>", "", frame)
    for name, body in (("trusted", frame), ("untrusted", sanitized)):
        cell = tmp_path / f"{name}.html"
        cell.write_text(f'<!doctype html><meta charset="utf-8"><body>{body}</body>',
                        encoding="utf-8")  # fmt: skip
        browser.get(cell.as_uri())
        pictures = browser.find_elements("css selector", "body > img")
        text = browser.find_element("tag name", "body").text
        if name == "trusted":  # inside a frame's tag is raw text, never shown: no picture
            assert pictures == [] and len(browser.find_elements("css selector", "iframe")) == 1
            _shoot(browser, "tour_trusted_notebook")
            continue
        (picture,) = pictures
        _wait(browser, lambda picture=picture: picture.get_property("naturalWidth") > 0)
        assert "trust the notebook" in text and "jupyter trust NAME.ipynb" in text
        shown = base64.b64decode(picture.get_attribute("src").split(",", 1)[1]).decode()
        assert shown == explorer.static_svg()  # the graph with its final gradients
        _shoot(browser, "tour_untrusted_notebook")


def test_a_frame_that_gets_its_size_late_still_opens_around_the_root(
    browser: Any, tmp_path: Path
) -> None:
    X, y = nn.data.make_moons(20, noise=0.1, seed=0, signed=True)
    model = nn.MLP(2, [16, 16, 1], seed=0)
    loss = nn.functional.hinge_loss([model(x) for x in X], y)
    explorer = Explorer(*_one(build(loss, dict(model.named_parameters()), sample=0)))
    boxes = {}
    for name, style in (("sized", ""), ("late", ' style="display: none"')):
        cell = tmp_path / f"{name}.html"  # "late": a reopened notebook's frame, no size yet
        cell.write_text(
            f'<!doctype html><meta charset="utf-8"><body style="width: 1100px">'
            f"<div{style}>{explorer._repr_html_()}</div></body>",
            encoding="utf-8",
        )
        browser.get(cell.as_uri())
        frame = browser.find_element("css selector", "iframe")
        browser.switch_to.frame(frame)
        _wait(browser, lambda: browser.find_elements("css selector", ".sg-explorer[data-ready]"))
        browser.switch_to.default_content()
        if name == "late":
            browser.execute_script("document.querySelector('div').style.display = 'block'")
        browser.switch_to.frame(frame)
        try:
            box = "return document.querySelector('.sg-view svg').getAttribute('viewBox')"
            if name == "late":  # the start-up view is made again once the frame has a size
                _wait(browser, lambda box=box: browser.execute_script(box) == boxes["sized"], 5)
            boxes[name] = browser.execute_script(box)
        finally:
            browser.switch_to.default_content()
    assert boxes["late"] == boxes["sized"]


def test_mounted_by_another_page_with_several_passes(browser: Any, tmp_path: Path) -> None:
    # as a training page mounts it: its own container, the SVG in the payload, no fragment
    from autograd.explorer.layout import layout
    from autograd.explorer.page import asset, script_json

    engines, passes = [], []
    for w in (0.5, -1.5):  # the same graph, two sets of numbers (two epochs, say)
        x, weight = Value(2.0, "x"), Value(w, "w")
        loss = (weight * x - 1.0) ** 2 + weight * weight
        graph, numbers = build(loss, {"w": weight})
        engines.append(Engine(loss))
        passes.append(numbers)
    payload = {"graph": graph, "passes": passes, "svg": layout(graph)}
    host = tmp_path / "training.html"
    host.write_text(
        '<!doctype html><meta charset="utf-8"><style>' + asset("explorer.css") + "</style>"
        '<h1>epochs</h1><div id="inside" style="height: 700px"></div>'
        f"<script>{asset('explorer.js')}</script><script>"
        f"window.handle = StepgradExplorer.mount(document.getElementById('inside'), "
        f"{script_json(payload)}, {{pass: 1, hashKey: null}});</script>",
        encoding="utf-8",
    )
    browser.get("about:blank")
    browser.get(host.as_uri())
    _wait(
        browser, lambda: browser.find_elements("css selector", "#inside .sg-explorer[data-ready]")
    )
    _check_frame(browser, engines[1], -1)
    _press(browser, "ARROW_RIGHT", 2)
    _check_frame(browser, engines[1], 1)
    browser.execute_script("window.handle.setPass(0); window.handle.go(3);")
    _check_frame(browser, engines[0], 3)
    assert browser.execute_script("return [window.handle.pass(), window.handle.frame()]") == [0, 3]
    picker = browser.find_element("css selector", ".sg-pass")
    assert picker.get_attribute("value") == "0"
    assert browser.execute_script("return location.hash") == ""  # hashKey null: not kept


def test_the_why_panel_names_the_line_that_created_a_value(browser: Any, tmp_path: Path) -> None:
    from autograd import detect_anomaly

    with detect_anomaly():  # (its record of the sites ends with it)
        x = Value(0.5, "x")
        y = (x * 3.0).sigmoid()  # the line the panel names
        graph, numbers = build(y)
    site = graph["nodes"][0]["site"]
    assert site and "the line the panel names" in site
    page = Explorer(graph, [numbers]).save(tmp_path / "site.html")
    _open(browser, page)
    _click(browser, '.sg-button[data-action="fit"]')
    _click(browser, "#node-v0 > polygon")
    panel = browser.find_element("css selector", ".sg-why-panel").text
    assert f"created at\n{site}" in panel
    assert "It is the root: its gradient is the seed, 1." in panel


def test_a_leaf_root_holding_a_gradient_adds_it_in_the_why_panel(
    browser: Any, tmp_path: Path
) -> None:
    x = Value(0.5, "x")
    x.grad = 2.0  # held from an earlier pass: backward() from x adds the seed to it
    page = Explorer(*_one(build(x))).save(tmp_path / "leaf.html")
    _open(browser, page)
    _click(browser, "#node-v0 > polygon")
    panel = browser.find_element("css selector", ".sg-why-panel").text
    assert "It is the root: its gradient is the seed, 1." in panel
    assert "+ held before the pass\n2" in panel and "= total\n3" in panel
    assert "this pass's derivative; the total adds the 2 held before the pass" in panel
