"""demos/line.py: it prints the first document's lines, the trace of the first step, and draws
the graph."""

from __future__ import annotations

from pathlib import Path

from tests.demos.running import run_demo


def test_line_prints_the_first_documents_lines_and_draws_the_graph(tmp_path: Path) -> None:
    output = run_demo("line", "--out", str(tmp_path))
    assert output.splitlines()[:5] == [
        "step    0 loss  33.0000 w 1.4000 b 0.5000",
        "step  200 loss   0.0000 w 2.0002 b 0.9994",
        "step  999 loss   0.0000 w 2.0000 b 1.0000",
        "learned: 2.0 1.0",
        "prediction: 21.0",
    ]
    svg = tmp_path / "line_first_step.svg"
    assert f"{svg}" in output and svg.read_text().lstrip().startswith("<?xml")
    # the trace of the first step: 5 samples × (sub and pow of one input each, the neuron's
    # 3 inputs) + the mean's 5
    rows = [line for line in output.splitlines() if line.lstrip()[:1].isdigit() and "=" in line]
    assert len(rows) == 5 * (1 + 1 + 3) + 5
    assert "weight[0, 0]" in output and "bias[0]" in output
