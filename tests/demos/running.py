"""Running a demo as ``python -m demos.NAME`` in the checkout, and reading what it printed:
the files it says it wrote, a pattern, the rows of a trace table."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

PNG = b"\x89PNG\r\n\x1a\n"


def run(args: list[str]) -> str:
    """Run python with ``args`` in the project folder; its stdout (stderr must be empty)."""
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "", done.stderr
    return done.stdout


def run_demo(name: str, *args: str) -> str:
    """Run ``python -m demos.NAME ARGS`` and return what it printed (stderr must be empty)."""
    return run(["-m", f"demos.{name}", *args])


def written(output: str) -> list[Path]:
    """The files listed under "Files written:", checked to exist; a folder of frames
    ("DIR/ (N frames: ...)") is checked to hold N SVG files."""
    block = output[output.index("Files written:") :].splitlines()[1:]
    paths = []
    for line in block:
        frames = re.fullmatch(r"  (.+)/ \((\d+) frames: .*\)", line)
        if frames:
            folder = Path(frames[1])
            assert len(list(folder.glob("*.svg"))) == int(frames[2])
            paths.append(folder)
        else:
            paths.append(Path(line.strip()))
            assert paths[-1].is_file(), line
    return paths


def found(pattern: str, output: str) -> re.Match[str]:
    """The first match of ``pattern`` in the output, which must be there."""
    match = re.search(pattern, output, flags=re.MULTILINE)
    assert match, f"not printed: {pattern!r}"
    return match


def trace_rows(output: str) -> list[list[str]]:
    """The rows of every ``autograd.trace`` table printed, split into cells."""
    rows = re.findall(r"^ *\d+  \S+ = \w+ .*$", output, flags=re.MULTILINE)
    return [row.split() for row in rows]
