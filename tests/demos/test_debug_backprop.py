"""demos/debug_backprop.py: it runs and prints the gradients, and the README's pdb
walkthrough of it works as written, in a real ``python -m pdb`` session."""

from __future__ import annotations

from tests.demos.pdb_walkthrough import check_walkthrough, readme_transcripts
from tests.demos.running import run_demo


def test_the_readme_walks_through_the_expression_then_the_mlp() -> None:
    assert [lines[0] for lines in readme_transcripts()] == [
        "$ .venv/bin/python -m pdb demos/debug_backprop.py",
        "$ .venv/bin/python -m pdb demos/debug_mlp.py",
    ]


def test_the_walkthrough_works_as_written() -> None:
    check_walkthrough("demos/debug_backprop.py")


def test_debug_backprop_runs_and_prints_the_gradients() -> None:
    output = run_demo("debug_backprop")
    assert "a.grad = -0.004023" in output
