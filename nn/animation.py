"""Animated GIFs of a recorded training, for teachers: one view, one frame per recorded step.

``history.explore().gif("line.gif", view="fit", frames=range(10))`` draws the data and the
model's predictions at each chosen step (the regression line moving over the points, or
the decision boundary over the plane); ``view="loss"`` draws the loss curve with the step
marked. The numbers are the recording's, the same the explorer page shows. Drawn with
matplotlib (the ``plot`` extra), off screen, and written by its ``PillowWriter``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from nn.recording import Recording

__all__ = ["PALETTE", "VIEWS", "gif"]

VIEWS = ("fit", "loss")
SHOWN_PARAMETERS = 3  # a title names the parameters' values when there are this few
# The classes' colours, the explorer page's (nn/static/training.js): blue, then red, as
# the single-output boundary's two sides; ten, as many as a boundary view has classes.
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


def _matplotlib() -> tuple[Any, Any]:
    """matplotlib's ``Figure`` and ``PillowWriter``, or an ImportError saying how to get them."""
    try:
        from matplotlib.animation import PillowWriter
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            "gif: drawing a GIF needs matplotlib, which is not installed; "
            "pip install 'stepgrad[plot]' (or pip install matplotlib)"
        ) from error

    def figure(width: float, height: float) -> Any:
        fig = Figure(figsize=(width, height), layout="constrained")
        FigureCanvasAgg(fig)  # draws off screen, whatever backend pyplot would use
        return fig

    return figure, PillowWriter


def _frames(recording: Recording, frames: Iterable[int] | None) -> list[int]:
    count = len(recording.steps)
    chosen = list(range(count)) if frames is None else list(frames)
    if not chosen:
        raise ValueError("gif: frames is empty; pass the recorded steps to draw, e.g. range(10)")
    for k in chosen:
        if isinstance(k, bool) or not isinstance(k, int | np.integer) or not 0 <= k < count:
            raise ValueError(
                f"gif: frame {k!r} is not a recorded step: the recording has {count} steps "
                f"(0 to {count - 1})"
            )
    return [int(k) for k in chosen]


def _title(recording: Recording, k: int) -> str:
    step = recording.steps[k]
    title = f"{step.label}: loss {step.loss:.4g}"
    if len(recording.names) <= SHOWN_PARAMETERS:
        values = ", ".join(
            f"{name} = {value:.3f}"
            for name, value in zip(recording.names, step.before, strict=True)
        )
        title += f"\n{values}"
    return title


def gif(
    recording: Recording,
    figures: Mapping[str, list[float]],
    path: str | Path,
    *,
    view: str = "fit",
    frames: Iterable[int] | None = None,
    fps: float = 2.0,
    dpi: int = 80,
) -> Path:
    """Write an animated GIF of ``view`` over the recorded steps ``frames`` (indices into
    ``recording.steps``; default all) to ``path``, ``fps`` frames a second; return the path.
    ``figures`` are the training's per-epoch figures (``history.history``: the loss curve).

    Each frame shows the model as it stands at the start of that step (the parameters
    the step's loss and gradients were computed at), as the page does.
    """
    if view not in VIEWS:
        raise ValueError(f"gif: view must be one of {', '.join(map(repr, VIEWS))}, got {view!r}")
    if not fps > 0:
        raise ValueError(f"gif: fps must be positive, got {fps!r}")
    chosen = _frames(recording, frames)
    if view == "fit" and recording.view is None:
        raise ValueError(f'gif: view="fit" cannot be drawn: {recording.view_note}; try view="loss"')
    figure, PillowWriter = _matplotlib()
    fig = figure(5.0, 4.0)
    ax = fig.add_subplot()
    draw = _fit_drawer(recording, ax) if view == "fit" else _loss_drawer(recording, figures, ax)
    target = Path(path)
    writer = PillowWriter(fps=fps)
    with writer.saving(fig, str(target), dpi):
        for k in chosen:
            draw(k)
            ax.set_title(_title(recording, k), fontsize=10)
            writer.grab_frame()
    return target


def _fit_drawer(recording: Recording, ax: Any) -> Any:
    from matplotlib.colors import ListedColormap  # gif has checked matplotlib is there

    view = recording.view
    if view is None:  # checked by gif
        raise ValueError("gif: no predictions view was recorded")
    X, y = np.array(view.X), np.array(view.y, dtype=float)
    if view.kind == "line":
        xs = view.axes[0]
        ax.scatter(X[:, 0], y, color="#1f77b4", edgecolor="#222", zorder=3, label="data")
        (line,) = ax.plot(xs, recording.steps[0].outputs, color="#d62728", lw=2.5, label="model")
        # the data's range, widened to show the model's lines (up to one spread further)
        spread = float(y.max() - y.min()) or 1.0
        outputs = np.array([step.outputs for step in recording.steps])
        low = max(float(outputs.min()), float(y.min()) - spread)
        high = min(float(outputs.max()), float(y.max()) + spread)
        margin = 0.05 * (max(high, float(y.max())) - min(low, float(y.min())))
        ax.set_ylim(min(low, float(y.min())) - margin, max(high, float(y.max())) + margin)
        ax.set_xlim(xs[0], xs[-1])
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        ax.legend(loc="upper left")

        def draw_line(k: int) -> None:
            line.set_ydata(recording.steps[k].outputs)

        return draw_line
    xs, ys = view.axes
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    classes = sorted(set(y.tolist()))
    state: dict[str, Any] = {}

    def draw_boundary(k: int) -> None:
        grid = np.array(recording.steps[k].outputs).reshape(len(ys), len(xs))
        if "mesh" in state:
            state["mesh"].remove()
        if view.classes:  # class c in PALETTE[c], as its points
            state["mesh"] = ax.pcolormesh(
                xs, ys, grid % len(PALETTE), cmap=ListedColormap(PALETTE), vmin=-0.5,
                vmax=len(PALETTE) - 0.5, alpha=0.35, zorder=0,
            )  # fmt: skip
        else:
            t = view.threshold or 0.0
            span = float(np.abs(grid - t).max()) or 1.0
            state["mesh"] = ax.pcolormesh(
                xs, ys, grid, cmap="RdBu_r", vmin=t - span, vmax=t + span, alpha=0.45, zorder=0
            )
        if "points" not in state:
            for i, label in enumerate(classes):
                mine = y == label
                # a class index's own colour; for one output, the lower label's, then the higher's
                colour = PALETTE[(int(label) if view.classes else i) % len(PALETTE)]
                ax.scatter(X[mine, 0], X[mine, 1], s=14, color=colour, edgecolor="#222", zorder=3)
            state["points"] = True

    return draw_boundary


def _loss_drawer(recording: Recording, figures: Mapping[str, list[float]], ax: Any) -> Any:
    losses = figures.get("loss", [])
    ax.plot(range(1, len(losses) + 1), losses, color="#1f5fbf", lw=2)
    if losses and min(losses) > 0:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    (marker,) = ax.plot([], [], "o", color="#d62728", ms=8)

    def draw_marker(k: int) -> None:
        step = recording.steps[k]
        marker.set_data([step.epoch + 1 + step.batch / step.batches], [step.loss])

    return draw_marker
