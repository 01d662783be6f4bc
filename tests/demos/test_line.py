"""demos/line.py: it says what its lines show, prints them, the trace of the first step,
and lists the graph it drew."""

from __future__ import annotations

from pathlib import Path

from tests.demos.running import found, run_demo, written


def test_line_prints_the_worked_examples_lines_and_draws_the_graph(tmp_path: Path) -> None:
    output = run_demo("line", "--out", str(tmp_path))
    lines = output.splitlines()
    # it says, before its lines, when the loss and w, b are measured
    explained = " ".join(lines[: lines.index("")])
    assert "its loss is measured before the step's update, and w and b after it" in explained
    steps = lines.index("step    0 loss  33.0000 w 1.4000 b 0.5000")
    assert lines[steps : steps + 5] == [
        "step    0 loss  33.0000 w 1.4000 b 0.5000",
        "step  200 loss   0.0000 w 2.0002 b 0.9994",
        "step  999 loss   0.0000 w 2.0000 b 1.0000",
        "learned: 2.0 1.0",
        "prediction: 21.0",
    ]
    assert found(r"Each line is one step \(counted from 0\)", explained)
    svg = tmp_path / "line_first_step.svg"
    assert svg.read_text().lstrip().startswith("<?xml")
    # it ends by listing what it wrote
    page = tmp_path / "line_first_step.html"  # the explorer of the same pass
    assert page.read_text(encoding="utf-8").lower().startswith("<!doctype html>")
    assert written(output) == [svg, page]
    assert lines[-3:] == ["Files written:", f"  {svg}", f"  {page}"]
    # the trace of the first step: 5 samples × (sub and pow of one input each, the neuron's
    # 3 inputs) + the mean's 5
    rows = [line for line in lines if line.lstrip()[:1].isdigit() and "=" in line]
    assert len(rows) == 5 * (1 + 1 + 3) + 5
    assert "weight[0, 0]" in output and "bias[0]" in output
