"""What the demos share: their command line, matplotlib when it is installed, and the
closing list of the files a demo wrote."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

OUT = Path("out")
NO_MATPLOTLIB = (
    "matplotlib is not installed, so no plots were drawn (the figures are printed above); "
    "for the plots: pip install 'stepgrad[plot]'"
)


def arguments(doc: str, *, quick: bool = False) -> argparse.Namespace:
    """The demo's options: ``--out FOLDER`` (default ``out/``) and, for the slow ones,
    ``--quick`` (small settings, for the tests)."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="folder for the files written")
    if quick:
        parser.add_argument("--quick", action="store_true", help="small settings (for tests)")
    return parser.parse_args()


def figure(width: float, height: float) -> Figure | None:
    """A matplotlib figure of ``width`` × ``height`` inches, drawn off screen (the Agg
    backend); None when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG at ``path`` (making its folder) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path


def frames(paths: Sequence[Path]) -> str:
    """One line for a folder of frames from ``autograd.write_frames``: the folder, how many,
    the first and the last."""
    return f"{paths[0].parent}/ ({len(paths)} frames: {paths[0].name} ... {paths[-1].name})"


def report_written(items: Sequence[Path | str], plots_missing: bool = False) -> None:
    """The demo's last lines: every file (or folder of frames) it wrote, one per line, and
    a note if the plots could not be drawn."""
    if plots_missing:
        print(f"\n{NO_MATPLOTLIB}")
    print("\nFiles written:" if items else "\nFiles written: none")
    for item in items:
        print(f"  {item}")
