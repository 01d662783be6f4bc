"""demos/debug_backprop.py: it runs and prints the gradients, and the README's pdb walkthrough
of it works, driven through a real ``python -m pdb`` session.

The commands are the README's ``(Pdb)`` lines; every other line of the README's transcript
must appear in pdb's output, in order (``...`` stands for any text).
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.demos.running import run_demo
from tests.helpers import ROOT


def readme_transcript() -> list[str]:
    text = (ROOT / "README.md").read_text()
    opening = text.index("```text", text.index("### Stepping through in pdb")) + len("```text")
    return text[opening : text.index("```", opening)].strip().splitlines()


def test_the_walkthrough_works_as_written() -> None:
    lines = readme_transcript()
    assert lines[0] == "$ .venv/bin/python -m pdb demos/debug_backprop.py"
    commands = [line.removeprefix("(Pdb) ") for line in lines if line.startswith("(Pdb) ")]
    expected = [line for line in lines[1:] if not line.startswith("(Pdb) ")]
    assert "break autograd.ops.Mul.local_derivatives" in commands
    session = subprocess.run(
        [sys.executable, "-m", "pdb", "demos/debug_backprop.py"],
        input="\n".join(commands) + "\n",
        capture_output=True,
        text=True,
        cwd=ROOT,
        # the script's folder, not ROOT, is first on pdb's path: name this checkout's
        # packages, so that an installed copy of another checkout is not the one debugged
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        },
        timeout=120,
    )
    output = session.stdout
    position = 0
    for line in expected:  # each in order, with ... matching anything
        for piece in (p for p in line.split("...") if p):
            found = output.find(piece, position)
            assert found >= 0, f"not in pdb's output after position {position}: {piece!r}\n{output}"
            position = found + len(piece)
    assert session.returncode == 0, session.stderr


def test_debug_backprop_runs_and_prints_the_gradients() -> None:
    output = run_demo("debug_backprop")
    assert "a.grad = -0.004023" in output
