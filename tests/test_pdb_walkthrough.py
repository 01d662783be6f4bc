"""The README's pdb walkthroughs, driven through real ``python -m pdb`` sessions.

The commands are the README's ``(Pdb)`` lines; every other line of each transcript must
appear in pdb's output, in order (``...`` stands for any text). Under pdb, ``backward()``
runs the reference chain-rule loop, so a breakpoint on an op's derivative stops for every
node that uses the op, on an expression and on a default ``nn.MLP`` alike.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_transcripts() -> list[list[str]]:
    """The ``text`` blocks of the README's pdb section, as lists of lines."""
    text = (ROOT / "README.md").read_text()
    start = text.index("### Stepping through in pdb")
    section = text[start : text.index("\n## ", start)]
    return [block.strip().splitlines() for block in re.findall(r"```text\n(.*?)```", section, re.S)]


def run_pdb(script: str, commands: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pdb", script],
        input="\n".join(commands) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_the_readme_has_both_walkthroughs() -> None:
    scripts = [lines[0] for lines in readme_transcripts()]
    assert scripts == [
        "$ .venv/bin/python -m pdb demos/debug_backprop.py",
        "$ .venv/bin/python -m pdb demos/debug_mlp.py",
    ]


@pytest.mark.parametrize("which", [0, 1], ids=["expression", "mlp"])
def test_the_walkthrough_works_as_written(which: int) -> None:
    lines = readme_transcripts()[which]
    script = lines[0].removeprefix("$ .venv/bin/python -m pdb ")
    commands = [line.removeprefix("(Pdb) ") for line in lines if line.startswith("(Pdb) ")]
    expected = [line for line in lines[1:] if not line.startswith("(Pdb) ")]
    assert any(command.startswith("break autograd.ops.") for command in commands)
    session = run_pdb(script, commands)
    output = session.stdout
    position = 0
    for line in expected:  # each in order, with ... matching anything
        for piece in (p for p in line.split("...") if p):
            found = output.find(piece, position)
            assert found >= 0, f"not in pdb's output after position {position}: {piece!r}\n{output}"
            position = found + len(piece)
    assert session.returncode == 0, session.stderr


def test_a_breakpoint_in_the_neuron_op_stops_at_every_neuron_of_a_default_mlp() -> None:
    # MLP(2, [3, 1]) on one sample: 3 hidden neurons and 1 output neuron, each one node.
    commands = ["next", "next", "next", "break autograd.ops.Affine.local_derivatives"]
    commands += ["continue", "p ('stopped at', out.op, len(out.parents))"] * 4
    commands += ["continue", "quit"]
    output = run_pdb("demos/debug_mlp.py", commands).stdout
    stops = re.findall(r"\('stopped at', '(\w+)', (\d+)\)", output)
    # the output neuron reads 3 weights, 3 hidden neurons and a bias; each hidden one
    # reads 2 weights, the 2 inputs and a bias (its op is the relu neuron)
    assert stops == [("affine", "7")] + [("affine_relu", "5")] * 3, output
    # and the weights' gradients from that stepped pass are those of the fast pass
    assert "layers.1.weight[0, 0].grad = 0.314111" in output
    fast = subprocess.run(
        [sys.executable, "demos/debug_mlp.py"], capture_output=True, text=True, cwd=ROOT
    )
    assert "layers.1.weight[0, 0].grad = 0.314111" in fast.stdout


def test_the_step_through_demo_prints_the_readme_commands() -> None:
    from demos.step_through import PDB_COMMANDS

    lines = readme_transcripts()[0]
    readme = [line.removeprefix("(Pdb) ") for line in lines if line.startswith("(Pdb) ")]
    assert [command for command, _ in PDB_COMMANDS] == readme
