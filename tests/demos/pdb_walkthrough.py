"""The README's pdb walkthroughs ("Stepping through in pdb"), run through real ``python -m
pdb`` sessions: the commands are a transcript's ``(Pdb)`` lines, and every other line of
it must appear in pdb's output, in order (``...`` stands for any text)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.helpers import ROOT


def readme_transcripts() -> list[list[str]]:
    """The ``text`` blocks of the README's pdb section, as lists of lines."""
    text = (ROOT / "README.md").read_text()
    start = text.index("### Stepping through in pdb")
    section = text[start : text.index("\n## ", start)]
    return [block.strip().splitlines() for block in re.findall(r"```text\n(.*?)```", section, re.S)]


def transcript_of(script: str) -> list[str]:
    """The README's transcript that debugs ``script`` (``demos/debug_mlp.py``)."""
    for lines in readme_transcripts():
        if lines[0] == f"$ .venv/bin/python -m pdb {script}":
            return lines
    raise AssertionError(f"the README has no pdb walkthrough of {script}")


def commands_of(lines: list[str]) -> list[str]:
    return [line.removeprefix("(Pdb) ") for line in lines if line.startswith("(Pdb) ")]


def run_pdb(script: str, commands: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pdb", script],
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


def check_walkthrough(script: str) -> None:
    """Run the README's walkthrough of ``script`` and check pdb says what the README says."""
    lines = transcript_of(script)
    commands = commands_of(lines)
    assert any(command.startswith("break autograd.ops.") for command in commands)
    session = run_pdb(script, commands)
    output = session.stdout
    position = 0
    for line in (line for line in lines[1:] if not line.startswith("(Pdb) ")):
        for piece in (p for p in line.split("...") if p):  # each in order, ... is anything
            found = output.find(piece, position)
            assert found >= 0, f"not in pdb's output after position {position}: {piece!r}\n{output}"
            position = found + len(piece)
    assert session.returncode == 0, session.stderr
