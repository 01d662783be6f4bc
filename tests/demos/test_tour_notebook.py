"""demos/tour.ipynb, run by a real Jupyter kernel (ipykernel's ``python3``, through nbclient):
every cell runs without an error, and what the reader is told to look at is there: the
gradients, the drawings as SVG scaled to the cell, the trace's HTML table, short reprs.

The notebook is committed without outputs; the kernel runs this test's Python on this
checkout (its working folder is the checkout, and PYTHONPATH names it), which a cell the
test adds checks."""

from __future__ import annotations

import math
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.helpers import ROOT

NOTEBOOK = ROOT / "demos" / "tour.ipynb"
PROBE = (
    "import sys, autograd, nn\nprint(sys.executable)\nprint(autograd.__file__)\nprint(nn.__file__)"
)


@pytest.fixture(scope="module")
def executed() -> dict[str, Any]:
    """The notebook after a kernel ran it, its code cells by id (the probe's is "probe")."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE, id="probe"))
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,  # seconds for one cell
        resources={"metadata": {"path": str(ROOT)}},
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")  # this venv's kernel
    client.execute(cwd=str(ROOT), env=env)  # raises CellExecutionError on any error
    return {cell.id: cell for cell in notebook.cells if cell.cell_type == "code"}


def _data(cell: Any, mime: str) -> str:
    found = [out["data"][mime] for out in cell.outputs if mime in out.get("data", {})]
    assert len(found) == 1, (cell.id, mime, [list(out.get("data", {})) for out in cell.outputs])
    return str(found[0])


def _printed(cell: Any) -> str:
    return "".join(out["text"] for out in cell.outputs if out["output_type"] == "stream")


def test_committed_without_outputs() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)
    assert notebook.metadata["kernelspec"]["name"] == "python3"


def test_the_kernel_runs_this_python_on_this_checkout(executed: dict[str, Any]) -> None:
    executable, autograd_file, nn_file = _printed(executed["probe"]).split()
    assert Path(executable).resolve() == Path(sys.executable).resolve()
    assert Path(autograd_file).resolve() == ROOT / "autograd" / "__init__.py"
    assert Path(nn_file).resolve() == ROOT / "nn" / "__init__.py"


def test_no_cell_has_an_error(executed: dict[str, Any]) -> None:
    for cell in executed.values():
        assert cell.execution_count is not None, cell.id
        assert all(out["output_type"] != "error" for out in cell.outputs), cell.id


def test_the_gradients_printed(executed: dict[str, Any]) -> None:
    printed = _printed(executed["backward"])
    grads = dict(re.findall(r"dL/d(\w) = (-?\d+\.\d+)", printed))
    # L = tanh(a·b + c)·c at a = 2, b = -3, c = 10, by hand: with t = tanh(4),
    # dL/da = c(1 - t²)·b, dL/db = c(1 - t²)·a, dL/dc = t + c(1 - t²)
    t = math.tanh(4.0)
    expected = {"a": 10 * (1 - t * t) * -3, "b": 10 * (1 - t * t) * 2, "c": t + 10 * (1 - t * t)}
    assert set(grads) == set(expected)
    for name, value in expected.items():
        assert float(grads[name]) == pytest.approx(value, abs=5e-5), name


@pytest.mark.parametrize("cell", ["draw", "draw-tb", "draw-step", "draw-model", "draw-neurons"])
def test_drawings_are_svg_scaled_to_the_cell(executed: dict[str, Any], cell: str) -> None:
    svg = _data(executed[cell], "image/svg+xml")
    assert _data(executed[cell], "text/html") == svg  # one render, shown either way
    assert svg.startswith('<svg style="max-width: 100%; height: auto" width="')
    assert "viewBox=" in svg[: svg.index(">")] and svg.rstrip().endswith("</svg>")
    assert _data(executed[cell], "text/plain").startswith("<autograd.Graph of ")


def test_what_the_drawings_show(executed: dict[str, Any]) -> None:
    assert _data(executed["draw"], "text/plain").startswith("<autograd.Graph of 7 values;")
    assert ">tanh<" in _data(executed["draw"], "image/svg+xml")
    assert ">step 4: " in _data(executed["draw-step"], "image/svg+xml")  # the frame's caption
    assert "layer 0: 2 → 8" in _data(executed["draw-model"], "image/svg+xml")
    neurons = _data(executed["draw-neurons"], "text/plain")
    assert "MLP by neuron: 17 neurons, 88 weights" in neurons  # 8 + 8 + 1; 2·8 + 8·8 + 8


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_data(self, data: str) -> None:
        if self.rows and self.rows[-1]:
            self.rows[-1][-1] += data


def test_the_trace_is_an_html_table_with_a_short_repr(executed: dict[str, Any]) -> None:
    cell = executed["trace"]
    assert _printed(cell) == ""  # verbose=0: the table is shown once, as HTML
    assert _data(cell, "text/plain") == "<trace: 7 steps of the backward pass from v0 = mul>"
    parser = _Rows()
    parser.feed(_data(cell, "text/html"))
    header, *rows = parser.rows
    assert header == ["step", "node", "input", "upstream", "local", "contribution", "input grad"]
    assert [row[0] for row in rows] == [str(k) for k in range(7)]
    assert rows[4][1:3] == ["v3 = add", "[1] c"]


def test_steps_print_short(executed: dict[str, Any]) -> None:
    step = _data(executed["step"], "text/plain")
    assert step.startswith("Step(4: add → [1] c: ") and len(step) < 90
    printed = _printed(executed["backward-steps"]).splitlines()
    assert printed[0].startswith("Step(0: mul → [0] (tanh): 1 × 10 = 10")
    assert printed[-1] == "c.grad after close(): 0.0"


def test_training_lowers_the_loss(executed: dict[str, Any]) -> None:
    printed = _printed(executed["fit"])
    first, last = (float(x) for x in re.findall(r"(\d+\.\d+) at the", printed))
    assert last < first / 2
    accuracy = int(re.search(r"training accuracy: (\d+)%", printed)[1])  # type: ignore[index]
    assert accuracy >= 90
    assert _data(executed["loss-plot"], "image/png")  # the loss curve, drawn


def test_the_batch_is_too_large_to_draw_and_says_what_to_draw(executed: dict[str, Any]) -> None:
    printed = _printed(executed["too-large"])
    assert re.match(r"draw: the graph has [\d,]+ values, more than max_nodes=400", printed)
    assert "nn.draw_model(model)" in printed


@pytest.mark.parametrize("cell", ["explore", "explore-sample", "explore-training"])
def test_the_explorers_show_as_pages_in_frames(executed: dict[str, Any], cell: str) -> None:
    frame = _data(executed[cell], "text/html")
    assert frame.startswith("<iframe") and 'sandbox="allow-scripts"' in frame
    assert "srcdoc=" in frame and "&lt;!doctype html&gt;" in frame.lower()


def test_the_explorer_of_the_expression_is_its_pass(executed: dict[str, Any]) -> None:
    plain = _data(executed["explore"], "text/plain")
    assert plain.startswith("<autograd.Explorer of 7 values, 7 steps")
    assert "<svg" in _data(executed["explore"], "image/svg+xml")  # where scripts do not run
    sample = _data(executed["explore-sample"], "text/plain")
    assert re.match(r"<autograd.Explorer of [\d,]+ values, [\d,]+ steps", sample)
