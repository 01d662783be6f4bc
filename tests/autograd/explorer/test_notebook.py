"""The explorer in a real Jupyter kernel (ipykernel's ``python3``, through nbclient): a cell
that ends with an explorer shows it as the page in an ``<iframe srcdoc=...>``, with the
static picture beside it for front ends without HTML, and its repr."""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from autograd import Explorer, Value, explore
from tests.helpers import ROOT

EXPRESSION = (
    "a, b, c = Value(2.0, 'a'), Value(-3.0, 'b'), Value(10.0, 'c')\n"
    "loss = (a * b + c).tanh() * c\n"
    "loss.label = 'L'\n"
)
CELL = f"import autograd\nfrom autograd import Value\n{EXPRESSION}autograd.explore(loss)"
PROBE = "import autograd\nprint(autograd.__file__)"


@pytest.fixture(scope="module")
def outputs() -> dict[str, Any]:
    """The explorer cell's displayed data, and what the probe printed."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [
        nbformat.v4.new_code_cell(CELL, id="explore"),
        nbformat.v4.new_code_cell(PROBE, id="probe"),
    ]
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(ROOT)}}
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")  # this venv's kernel
    client.execute(cwd=str(ROOT), env=env)  # raises CellExecutionError on any error
    explore, probe = notebook.cells
    (result,) = [out for out in explore.outputs if out["output_type"] == "execute_result"]
    printed = "".join(out["text"] for out in probe.outputs if out["output_type"] == "stream")
    return {"data": result["data"], "autograd": printed.strip()}


def _here() -> Explorer:
    scope: dict[str, Any] = {"Value": Value}
    exec(EXPRESSION, scope)
    return explore(scope["loss"])


def test_the_kernel_runs_this_checkout(outputs: dict[str, Any]) -> None:
    assert Path(outputs["autograd"]).resolve() == ROOT / "autograd" / "__init__.py"


def test_the_explorer_shows_as_a_frame_the_static_picture_and_its_repr(
    outputs: dict[str, Any],
) -> None:
    data = outputs["data"]
    assert set(data) == {"text/html", "image/svg+xml", "text/plain"}
    frame = data["text/html"]
    found = re.fullmatch(
        r'<iframe srcdoc="([^"]*)" .*sandbox="allow-scripts".*></iframe>', frame, re.S
    )
    assert found is not None, frame[:300]
    page = html.unescape(found[1])
    here = _here()
    assert page == here.html()  # the kernel's page is the one these numbers make
    (raw,) = re.findall(
        r'<script type="application/json" id="stepgrad-data">(.*?)</script>', page, re.S
    )
    assert json.loads(raw)["passes"][0]["final"] == here.passes[0]["final"]
    assert data["image/svg+xml"].startswith('<svg style="max-width: 100%; height: auto"')
    assert data["image/svg+xml"] == here._repr_mimebundle_()["image/svg+xml"]
    assert (
        data["text/plain"]
        == repr(here)
        == (
            "<autograd.Explorer of 7 values, 7 steps; .save('page.html') writes the page, "
            ".html() is its text>"
        )
    )
