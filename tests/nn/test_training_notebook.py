"""``history.explore()`` as a notebook cell's last line, in a real Jupyter kernel (ipykernel's
``python3``, through nbclient): the cell's HTML is the explorer in an iframe, and that HTML,
put in a page as a notebook puts it, steps through the training in headless Chromium."""

from __future__ import annotations

import html
import os
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import ROOT

CELLS = [
    "import nn\n"
    "X, y = nn.data.line()\n"
    'model = nn.Linear(1, 1, init="zeros")\n'
    "sgd = nn.optim.SGD(model.parameters(), lr=0.05)\n"
    'history = nn.fit(model, X, y, loss="mse", optimizer=sgd, epochs=5, verbose=0, record=True)',
    "history.explore()",
]


@pytest.fixture(scope="module")
def cell_html() -> str:
    """The text/html output of the cell ``history.explore()``, run by a real kernel."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(ROOT)}}
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")  # this venv's kernel
    client.execute(cwd=str(ROOT), env=env)
    outputs = [out for out in notebook.cells[1].outputs if "text/html" in out.get("data", {})]
    assert len(outputs) == 1
    return str(outputs[0]["data"]["text/html"])


def test_the_cell_shows_the_explorer_in_an_iframe(cell_html: str) -> None:
    assert cell_html.startswith('<iframe srcdoc="')
    page = html.unescape(cell_html.split('srcdoc="', 1)[1].split('" style=', 1)[0])
    assert page.startswith("<!DOCTYPE html>")
    assert '"names":["weight[0, 0]","bias[0]"]' in page


@pytest.mark.browser
def test_the_cells_html_steps_through_the_training(
    cell_html: str, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    page = tmp_path / "notebook.html"
    page.write_text(f"<!DOCTYPE html><html><body>{cell_html}</body></html>", encoding="utf-8")
    browser.get(page.as_uri())
    browser.switch_to.frame(browser.find_element("tag name", "iframe"))
    try:
        arithmetic = browser.find_element("id", "arithmetic").text.splitlines()
        assert "w ← 0 − 0.05 × (−28) = 1.4" in arithmetic
        browser.find_element("tag name", "h1").click()  # as a reader clicks into the cell
        ActionChains(browser).send_keys(Keys.ARROW_RIGHT).perform()
        assert browser.find_element("id", "position").text == "step 2 of 5 · epoch 2"
        assert "w ← 1.4 − 0.05 × (−9.2) = 1.86" in browser.find_element("id", "arithmetic").text
    finally:
        browser.switch_to.default_content()
