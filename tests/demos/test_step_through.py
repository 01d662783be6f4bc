"""demos/step_through.py: both traces, the update, the frames, and the README's pdb commands."""

from __future__ import annotations

from pathlib import Path

from tests.demos.running import found, run_demo, trace_rows, written
from tests.helpers import ROOT


def test_step_through_prints_both_traces_the_update_and_the_pdb_commands(tmp_path: Path) -> None:
    output = run_demo("step_through", "--out", str(tmp_path))
    rows = trace_rows(output)
    expression, training = rows[:5], rows[5:]
    assert expression[0] == [
        "0",
        "L",
        "=",
        "tanh",
        "[0]",
        "d",
        "1",
        "0.00134095",
        "0.00134095",
        "0.00134095",
    ]
    assert expression[3] == [
        "3",
        "e",
        "=",
        "mul",
        "[0]",
        "a",
        "0.00134095",
        "-3",
        "-0.00402285",
        "-0.00402285",
    ]
    assert expression[4][-1] == "0.0026819"
    # 3 samples × (pow, sub, 5 inputs of the output neuron, 2 hidden relu neurons × 5
    # inputs) + mean
    assert len(training) == 3 * (1 + 1 + 5 + 2 * 5) + 3
    assert training[0][:4] == ["0", "loss", "=", "mean"]
    update = found(r"loss before the step ([\d.]+), after it ([\d.]+)", output)
    assert float(update[2]) < float(update[1])
    commands = [
        line.split("#")[0].strip()[6:] for line in output.splitlines() if line.startswith("(Pdb) ")
    ]
    assert commands == readme_pdb_commands()
    assert written(output) == [
        tmp_path / "step_through_expression",
        tmp_path / "step_through_training",
    ]
    assert len(list((tmp_path / "step_through_training").glob("*.svg"))) == len(training) + 1


def readme_pdb_commands() -> list[str]:
    """The ``(Pdb)`` commands of README's "Stepping through in pdb" transcript."""
    text = (ROOT / "README.md").read_text()
    opening = text.index("```text", text.index("### Stepping through in pdb"))
    block = text[opening : text.index("```", opening + 3)]
    return [line.removeprefix("(Pdb) ") for line in block.splitlines() if line.startswith("(Pdb) ")]
