"""The training explorer page (``history.explore()``): the data it embeds is the recording's,
every string is escaped, it loads nothing from outside; and in headless Chromium, stepping
shows each step's numbers and the optimizer's arithmetic of the first worked example."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import pytest

import nn
from autograd.explorer.page import script_json
from nn import training_page
from nn.optim.arithmetic import number
from nn.recording import Record, Recording
from nn.training_page import TrainingExplorer

SHOTS = Path("/tmp/training-shots")


def line_history(epochs: int = 6, **record: Any) -> nn.History:
    """The first document's training (x = 0..4, y = 2x + 1, w = b = 0, SGD lr 0.05, mse)."""
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.05)
    return nn.fit(
        model, X, y, loss="mse", optimizer=optimizer, epochs=epochs, verbose=0,
        record=Record(**record),
    )  # fmt: skip


def moons_history() -> nn.History:
    X, y = nn.data.make_moons(30, noise=0.1, seed=0, signed=True)
    model = nn.MLP(2, [6, 1], seed=0)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
    return nn.fit(
        model, X, y, loss="hinge", optimizer=optimizer, epochs=3, batch_size=10, seed=0,
        verbose=0, record=Record(grid=12),
    )  # fmt: skip


def recording_of(history: nn.History) -> Recording:
    assert history.recording is not None
    return history.recording


def embedded(page: str) -> Any:
    """The JSON the page carries in its <script id="training-data">."""
    found = re.search(
        r'<script type="application/json" id="training-data">(.*?)</script>', page, re.S
    )
    assert found is not None
    return json.loads(found.group(1))


def test_the_page_carries_the_recorded_numbers_themselves() -> None:
    history = line_history()
    recording = recording_of(history)
    data = embedded(history.explore().html())
    assert data["names"] == ["weight[0, 0]", "bias[0]"]
    assert len(data["steps"]) == len(recording.steps) == 6
    for k, (shown, step) in enumerate(zip(data["steps"], recording.steps, strict=True)):
        assert (shown["before"], shown["grads"], shown["after"]) == (
            step.before,
            step.grads,
            step.after,
        )
        assert shown["loss"] == step.loss and shown["label"] == step.label
        assert shown["arithmetic"] == [recording.arithmetic(k, 0), recording.arithmetic(k, 1)]
    assert data["steps"][0]["arithmetic"][0][-1] == "w ← 0 − 0.05 × (−28) = 1.4"
    assert data["history"]["loss"] == history["loss"]
    assert data["backward"]["epochs"] == list(range(6))
    passes = data["backward"]["passes"]
    assert [p.pop("name") for p in passes] == [f"epoch {e}" for e in range(1, 7)]
    assert passes == recording.passes


def test_every_string_is_escaped_and_nothing_is_loaded_from_outside() -> None:
    history = line_history(2)
    title = "</script><script>alert('x')</script> & <b>bold</b>"
    page = history.explore(title=title).html()
    assert "<script>alert" not in page and "<b>bold" not in page
    assert f"<title>{html.escape(title)}</title>" in page
    assert embedded(page)["title"] == title
    # no element takes anything from a URL, and the page's own policy forbids it
    assert not re.search(r"""\b(src|href)\s*=""", page)
    assert "Content-Security-Policy\" content=\"default-src 'none'" in page
    assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in page


def test_the_page_says_how_big_it_is_and_what_was_recorded() -> None:
    history = line_history(4)
    explorer = history.explore()
    page = explorer.html()
    data = embedded(page)
    value, unit = data["page_size"].split(" ")
    assert unit == "kB"
    assert float(value) == pytest.approx(len(page.encode("utf-8")) / 1000, abs=0.1)
    assert data["recorded"] == recording_of(history).summary()
    assert explorer.build_seconds is not None and explorer.build_seconds > 0


def test_save_repr_html_and_the_parameter_shown_first(tmp_path: Path) -> None:
    history = line_history(2)
    explorer = history.explore(parameter="bias[0]")
    assert embedded(explorer.html())["parameter"] == 1
    path = explorer.save(tmp_path / "training.html")
    assert path.read_text(encoding="utf-8") == explorer.html()
    frame = explorer._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in frame
    assert html.unescape(re.search(r'srcdoc="([^"]*)"', frame)[1]) == explorer.html()  # type: ignore[index]
    with pytest.raises(ValueError, match=r"no parameter named 'w'; the parameters are weight"):
        history.explore(parameter="w")
    with pytest.raises(ValueError, match=r"parameter 2 is out of range \(0 to 1\)"):
        history.explore(parameter=2)
    assert repr(explorer).startswith("TrainingExplorer(2 steps × 2 parameters")
    # an untrusted notebook's sanitizer removes the frame and keeps what is inside its tag
    inside = re.sub(r"<iframe[^>]*>|</iframe>", "", frame)
    assert inside.startswith("<p>Training: 2 steps × 2 parameters")
    losses = history.history["loss"]
    assert f"loss {losses[0]:.4g} → {losses[-1]:.4g}" in inside and "jupyter trust" in inside


def test_a_boundary_page_carries_the_grid_per_step() -> None:
    history = moons_history()
    data = embedded(history.explore().html())
    assert data["view"]["kind"] == "boundary"
    assert len(data["steps"]) == 9 and data["steps"][1]["label"] == "epoch 1, batch 2/3"
    assert all(len(step["outputs"]) == 144 for step in data["steps"])
    assert data["steps"][0]["outputs"] != data["steps"][8]["outputs"]


def test_each_step_carries_the_predictions_after_its_own_update() -> None:
    history = line_history(10, every=4)  # epochs 1, 5, 9, 10
    recording = recording_of(history)
    assert recording.view is not None
    xs = recording.view.axes[0]
    steps = embedded(history.explore().html())["steps"]
    assert [step["outputs_after"] is None for step in steps] == [False, False, True, False]
    for shown, step in zip(steps, recording.steps, strict=True):
        w, b = step.after
        after = shown["outputs_after"] or steps[steps.index(shown) + 1]["outputs"]
        assert after == [pytest.approx(w * x + b, rel=1e-4, abs=1e-6) for x in xs]
    # the next step's outputs are those after a step that it follows: not carried twice
    every = embedded(line_history(3).explore().html())["steps"]
    assert [step["outputs_after"] is None for step in every] == [True, True, False]


def early_stopped_history() -> nn.History:
    """The line example with too large a step: the loss grows, early stopping stops after
    epoch 4 and gives the model epoch 1's weights back."""
    X, y = nn.data.line()
    model = nn.Linear(1, 1, init="zeros")
    optimizer = nn.optim.SGD(model.parameters(), lr=0.2)
    return nn.fit(
        model, X, y, loss="mse", optimizer=optimizer, epochs=20, early_stopping=3, verbose=0,
        record=Record(every=5),
    )  # fmt: skip


def test_the_page_says_when_early_stopping_restored_the_weights() -> None:
    history = early_stopped_history()
    data = embedded(history.explore().html())
    assert [step["label"] for step in data["steps"]] == ["epoch 1", "epoch 4"]
    assert data["restored"].startswith("Early stopping: weights restored to epoch 1's (the best")
    assert data["final"] == data["steps"][-1]["after"]  # the last step's, not the restored
    assert embedded(line_history(2).explore().html())["restored"] == ""


def test_a_title_is_put_in_once_where_it_belongs() -> None:
    title = "{DATA} {title} {script}"
    explorer = line_history(2).explore(title=title)
    page = explorer.html()
    assert f"<title>{html.escape(title)}</title>" in page
    data = embedded(page)
    assert data["title"] == title
    assert page.count(script_json(data)) == 1


def test_bad_titles_parameters_and_file_names_are_refused(tmp_path: Path) -> None:
    history = line_history(2)
    with pytest.raises(TypeError, match=r"TrainingExplorer: title must be a str, got None"):
        history.explore(title=None)
    with pytest.raises(TypeError, match=r"TrainingExplorer: parameter must be a name or an index"):
        history.explore(parameter=1.5)
    explorer = history.explore()
    with pytest.raises(ValueError, match=r"TrainingExplorer.save: '.*x.svg' should end in .html"):
        explorer.save(tmp_path / "x.svg")
    assert not (tmp_path / "x.svg").exists()
    assert explorer.save(tmp_path / "x.HTM").read_text(encoding="utf-8") == explorer.html()


@pytest.mark.parametrize(
    ("where", "name", "tag"),
    [("_asset", "training.js", "script"), ("asset", "explorer.css", "style")],
)
def test_an_asset_that_would_end_its_element_is_refused(
    monkeypatch: pytest.MonkeyPatch, where: str, name: str, tag: str
) -> None:
    read = getattr(training_page, where)

    def broken(asked: str) -> str:
        text: str = read(asked)
        return text + f"/* </{tag.upper()}> */" if asked == name else text

    monkeypatch.setattr(training_page, where, broken)
    with pytest.raises(ValueError, match=f"an asset contains '</{tag}'"):
        line_history(2).explore().html()


def test_explorer_refuses_an_unrecorded_history() -> None:
    with pytest.raises(ValueError, match=r"not recorded; train with nn.fit\(\.\.\., record=True\)"):
        TrainingExplorer(nn.History())


# -- in a real browser ---------------------------------------------------------------------


def open_page(browser: Any, explorer: TrainingExplorer, path: Path, fragment: str = "") -> None:
    explorer.save(path)
    browser.get(path.as_uri() + fragment)
    browser.find_element("id", "position")  # the script has run


def press(browser: Any, key: str, times: int = 1) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    for _ in range(times):
        ActionChains(browser).send_keys(key).perform()


def text(browser: Any, element_id: str) -> str:
    found: str = browser.find_element("id", element_id).text
    return found


def table_cells(browser: Any) -> list[list[str]]:
    rows = browser.find_elements("css selector", "#params tbody tr")
    return [[cell.text for cell in row.find_elements("tag name", "td")] for row in rows]


@pytest.mark.browser
def test_stepping_through_the_first_documents_training(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    SHOTS.mkdir(parents=True, exist_ok=True)
    history = line_history(6)
    recording = recording_of(history)
    open_page(browser, history.explore(title="The line example"), tmp_path / "line.html")
    assert text(browser, "position") == "step 1 of 6 · epoch 1"
    assert "w ← 0 − 0.05 × (−28) = 1.4" in text(browser, "arithmetic").splitlines()
    assert table_cells(browser) == [
        ["weight[0, 0]", "0", "−28", "1.4"],
        ["bias[0]", "0", "−10", "0.5"],
    ]
    browser.save_screenshot(str(SHOTS / "line-step1.png"))
    marker = browser.find_element("id", "loss-marker").get_attribute("cx")
    line = browser.find_element("id", "fit-line").get_attribute("points")
    for k in range(1, 4):
        press(browser, Keys.ARROW_RIGHT)
        step = recording.steps[k]
        assert text(browser, "position") == f"step {k + 1} of 6 · epoch {k + 1}"
        assert browser.current_url.endswith(f"#step={k + 1}")
        assert table_cells(browser) == [
            [name, number(step.before[i]), number(step.grads[i]), number(step.after[i])]
            for i, name in enumerate(recording.names)
        ]
        shown = text(browser, "arithmetic").splitlines()
        assert all(line_ in shown for line_ in recording.arithmetic(k, 0))
    assert browser.find_element("id", "loss-marker").get_attribute("cx") != marker
    assert browser.find_element("id", "fit-line").get_attribute("points") != line
    browser.save_screenshot(str(SHOTS / "line-step4.png"))
    # clicking the bias's row shows its update; Home goes back to the first step
    browser.find_elements("css selector", "#params tbody tr")[1].click()
    press(browser, Keys.HOME)
    assert text(browser, "position") == "step 1 of 6 · epoch 1"
    assert "b ← 0 − 0.05 × (−10) = 0.5" in text(browser, "arithmetic").splitlines()
    press(browser, Keys.END)
    assert text(browser, "position") == "step 6 of 6 · epoch 6"
    # the title is text, and nothing was loaded from anywhere
    assert browser.find_element("tag name", "h1").text == "The line example"
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0


def polyline(browser: Any, element_id: str) -> list[tuple[float, float]]:
    points = browser.find_element("id", element_id).get_attribute("points")
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in points.split())]


@pytest.mark.browser
def test_the_dashed_line_is_the_model_after_the_steps_own_update(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.keys import Keys

    history = line_history(10, every=4)  # steps at epochs 1, 5, 9, 10
    recording = recording_of(history)
    assert recording.view is not None
    xs = recording.view.axes[0]
    open_page(browser, history.explore(), tmp_path / "line.html", "#step=2")
    # the page's y scale, from the solid line of epoch 5 and the outputs it draws
    solid = polyline(browser, "fit-line")
    outputs = recording.steps[1].outputs
    scale = (solid[-1][1] - solid[0][1]) / (outputs[-1] - outputs[0])

    def value(screen_y: float) -> float:
        return outputs[0] + (screen_y - solid[0][1]) / scale

    press(browser, Keys.HOME)
    assert text(browser, "position") == "step 1 of 4 · epoch 1"
    w, b = recording.steps[0].after  # after epoch 1's update: 1.4, 0.5
    dashed = polyline(browser, "next-line")
    assert len(dashed) == len(xs)
    assert [value(y) for _, y in dashed] == [pytest.approx(w * x + b, abs=0.05) for x in xs]


@pytest.mark.browser
def test_the_page_shows_that_the_weights_were_restored(browser: Any, tmp_path: Path) -> None:
    open_page(browser, early_stopped_history().explore(), tmp_path / "stopped.html")
    assert text(browser, "restored").startswith("Early stopping: weights restored to epoch 1's")


@pytest.mark.browser
def test_a_link_to_a_step(browser: Any, tmp_path: Path) -> None:
    history = line_history(6)
    open_page(browser, history.explore(), tmp_path / "line.html", "#step=5")
    assert text(browser, "position") == "step 5 of 6 · epoch 5"
    assert browser.find_element("id", "slider").get_attribute("value") == "4"
    note = text(browser, "backward-note")
    assert note.startswith("The loss of sample 0 alone, at the parameters epoch 5 starts from")


@pytest.mark.browser
def test_a_graph_that_cannot_be_laid_out_lists_its_steps(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def too_large(graph: Any) -> str:
        raise ValueError("explore: the graph has 9,999 values to draw")

    monkeypatch.setattr(training_page, "layout", too_large)
    history = line_history(6)
    recording = recording_of(history)
    open_page(browser, history.explore(), tmp_path / "line.html", "#step=5")
    host = text(browser, "backward-host")
    assert host.startswith("The graph is not drawn (explore: the graph has 9,999 values to draw)")
    rows = browser.find_elements("css selector", "#backward-steps tr")
    assert len(rows) == 1 + len(recording.passes[4]["steps"])
    last = recording.passes[4]["steps"][-1]
    assert rows[-1].find_elements("tag name", "td")[-1].text == (
        f"{number(last['before'])} → {number(last['after'])}"
    )
    browser.execute_script("document.getElementById('backward-panel').scrollIntoView()")
    browser.save_screenshot(str(SHOTS / "line-step5-steps-listed.png"))


@pytest.mark.browser
def test_the_decision_boundary_moves_between_steps(browser: Any, tmp_path: Path) -> None:
    from selenium.webdriver.common.keys import Keys

    SHOTS.mkdir(parents=True, exist_ok=True)
    history = moons_history()
    open_page(browser, history.explore(title="Moons"), tmp_path / "moons.html")
    cells = browser.find_elements("css selector", "#view-svg rect")
    assert len(cells) == 144
    first = [cell.get_attribute("fill") for cell in cells]
    press(browser, Keys.END)
    assert text(browser, "position") == "step 9 of 9 · epoch 3, batch 3/3 (10 samples)"
    assert [cell.get_attribute("fill") for cell in cells] != first
    browser.save_screenshot(str(SHOTS / "moons-last.png"))


@pytest.mark.browser
def test_the_notebook_frame_steps_too(browser: Any, tmp_path: Path) -> None:
    history = line_history(3)
    notebook = tmp_path / "notebook.html"
    notebook.write_text(
        f"<!DOCTYPE html><html><body><p>a notebook cell</p>{history.explore()._repr_html_()}"
        "</body></html>",
        encoding="utf-8",
    )
    browser.get(notebook.as_uri())
    browser.switch_to.frame(browser.find_element("tag name", "iframe"))
    try:
        assert text(browser, "position") == "step 1 of 3 · epoch 1"
        browser.find_element("id", "btn-next").click()
        assert text(browser, "position") == "step 2 of 3 · epoch 2"
        assert table_cells(browser)[0][1] == number(recording_of(history).steps[1].before[0])
    finally:
        browser.switch_to.default_content()


@pytest.mark.browser
def test_the_backward_explorer_shows_the_pass_of_the_steps_epoch(
    browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.keys import Keys

    history = line_history(6)
    recording = recording_of(history)
    assert recording.graph is not None
    names = [node["name"] for node in recording.graph["nodes"]]
    w = names.index("weight[0, 0]")
    open_page(browser, history.explore(), tmp_path / "line.html")
    picker = browser.find_element("css selector", "#backward-host select.sg-pass")
    counter = browser.find_element("css selector", "#backward-host .sg-counter")

    def w_data() -> str:
        texts = browser.find_elements("css selector", f"#backward-host #node-v{w} text.data")
        return " ".join(t.get_attribute("textContent") for t in texts)

    def formatted(x: float) -> str:
        shown: str = browser.execute_script("return StepgradExplorer.formatNumber(arguments[0])", x)
        return shown

    assert picker.get_attribute("value") == "0"
    assert formatted(recording.steps[0].before[0]) in w_data()
    for k in (1, 2):
        press(browser, Keys.ARROW_RIGHT)
        assert picker.get_attribute("value") == str(k)  # epoch k + 1's pass
        assert formatted(recording.steps[k].before[0]) in w_data()
    assert counter.get_attribute("data-frame") == "-1"  # → stepped training, not the pass
    browser.find_element("css selector", '#backward-host .sg-button[data-action="next"]').click()
    assert counter.get_attribute("data-frame") == "0"
    assert text(browser, "position") == "step 3 of 6 · epoch 3"
    browser.execute_script("document.getElementById('backward-panel').scrollIntoView()")
    browser.save_screenshot(str(SHOTS / "line-backward-explorer.png"))
