"""The training explorer: one self-contained HTML page that steps through a recorded ``fit``.

``history.explore()`` returns a ``TrainingExplorer``: ``.html()`` is the page, ``.save(path)``
writes it, a notebook shows it inline (``_repr_html_``, in an iframe so that its script and
style stay out of the notebook), and ``.gif(path, view="fit", frames=range(10))`` animates
one of its views (``nn.animation``).

The page shows, at each recorded optimizer step: the loss curve with the step marked, the
parameters with their gradients and new values, the selected parameter's update as the
optimizer's arithmetic (``Optimizer.arithmetic``), the data with the model's predictions
(a curve, or a decision boundary), and the chosen sample's backward pass at that epoch.
Its CSS and JavaScript (``nn/static/training.css``, ``training.js``) and the recorded
numbers are inline, so it loads nothing from anywhere; every text reaches the page as
JSON (with ``<``, ``>`` and ``&`` escaped) and is shown as text, never parsed as HTML.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from autograd.explorer.layout import layout
from autograd.explorer.page import TRUST, asset, inline, notebook_frame, script_json
from nn.recording import RecordedStep, Recording, size_text, symbol

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["TrainingExplorer"]

VIEW_DIGITS = 5  # significant digits kept of the predictions drawn (never of a parameter)


@cache
def _asset(name: str) -> str:
    """The text of ``nn/static/<name>`` (package data), as ``autograd.explorer.page.asset``
    reads the backward explorer's."""
    return resources.files("nn").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def _rounded(values: Iterable[float]) -> list[float]:
    return [float(f"{x:.{VIEW_DIGITS}g}") for x in values]


def _outputs_after(step: RecordedStep, following: RecordedStep | None) -> list[float] | None:
    """The predictions after ``step``'s update, or None when the next recorded step starts
    from those parameters (its ``outputs`` are they: the page does not carry them twice)."""
    if following is not None and following.before == step.after:
        return None
    return _rounded(step.outputs_after)


@dataclass
class _Backward:
    """What the page needs of the backprop explorer: its script and style
    (``autograd/explorer/static``) and the sample graph's SVG (its layout)."""

    script: str
    style: str
    svg: str


def _backward_explorer(graph: dict[str, Any]) -> tuple[_Backward | None, str]:
    """The backward explorer's script, style and the graph's SVG (``autograd.explorer``'s
    page assets and layout); or None, and why, for a graph too large to lay out: the
    page then lists the pass's steps as a table."""
    try:
        svg = layout(graph)
    except (ValueError, RuntimeError) as error:
        return None, f"The graph is not drawn ({error}); its chain-rule steps are listed."
    return _Backward(asset("explorer.js"), asset("explorer.css"), svg), ""


class RecordedHistory(Protocol):
    """What the explorer reads of an ``nn.History`` (named by its parts, so that
    ``nn.history`` can import this module and not the other way round)."""

    @property
    def history(self) -> dict[str, list[float]]: ...

    @property
    def epoch(self) -> list[int]: ...

    @property
    def recording(self) -> Recording | None: ...

    @property
    def best_epoch(self) -> int | None: ...

    @property
    def monitor(self) -> str | None: ...

    @property
    def restored(self) -> bool: ...


FRAME_HEIGHT = 1350
"""The notebook frame's height in pixels: the whole page, its sample's pass included."""


class TrainingExplorer:
    """The explorer of a recorded training (``history.explore()``).

    ``parameter`` is the parameter whose arithmetic the page shows first (its name or
    index; any row of the page's table can be chosen after), ``title`` the page's title.
    """

    def __init__(
        self, history: RecordedHistory, *, parameter: int | str = 0, title: str = "Training"
    ) -> None:
        recording = history.recording
        if recording is None:
            raise ValueError(
                "TrainingExplorer: this training was not recorded; train with "
                "nn.fit(..., record=True)"
            )
        if not recording.steps:
            raise ValueError("TrainingExplorer: the recording has no steps")
        if not isinstance(title, str):
            raise TypeError(f"TrainingExplorer: title must be a str, got {title!r}")
        self.history = history
        self.recording: Recording = recording
        self.parameter = self._parameter_index(parameter)
        self.title = title
        self.build_seconds: float | None = None
        self._html: str | None = None

    def _parameter_index(self, parameter: int | str) -> int:
        names = self.recording.names
        if isinstance(parameter, str):
            if parameter not in names:
                raise ValueError(
                    f"TrainingExplorer: no parameter named {parameter!r}; "
                    f"the parameters are {', '.join(names[:8])}{', ...' if len(names) > 8 else ''}"
                )
            return names.index(parameter)
        if isinstance(parameter, bool) or not isinstance(parameter, int):
            raise TypeError(
                f"TrainingExplorer: parameter must be a name or an index, got {parameter!r}"
            )
        if not 0 <= parameter < len(names):
            raise ValueError(
                f"TrainingExplorer: parameter {parameter} is out of range (0 to {len(names) - 1})"
            )
        return parameter

    # -- the data the page embeds -------------------------------------------------------

    def data(self) -> dict[str, Any]:
        """Everything the page shows, as JSON-able Python (parameters and gradients are
        the recorded floats themselves; predictions are rounded to 5 digits)."""
        recording, history = self.recording, self.history
        parameters = range(len(recording.names))
        steps = []
        for k, step in enumerate(recording.steps):
            following = recording.steps[k + 1] if k + 1 < len(recording.steps) else None
            steps.append(
                {
                    "label": step.label,
                    "epoch": step.epoch,
                    "batch": step.batch,
                    "batches": step.batches,
                    "samples": step.samples,
                    "loss": step.loss,
                    "before": step.before,
                    "grads": step.grads,
                    "after": step.after,
                    "arithmetic": [recording.arithmetic(k, i) for i in parameters],
                    "outputs": _rounded(step.outputs),
                    "outputs_after": _outputs_after(step, following),
                }
            )
        view = recording.view
        backward = None
        if recording.graph is not None and recording.passes:
            backward = {
                "sample": recording.sample,
                "graph": recording.graph,
                "passes": [  # named for the backward explorer's pass picker
                    {**pass_, "name": f"epoch {epoch + 1}"}
                    for pass_, epoch in zip(recording.passes, recording.pass_epochs, strict=True)
                ],
                "epochs": recording.pass_epochs,
            }
        return {
            "title": self.title,
            "optimizer": type(recording.optimizer).__name__,
            "names": recording.names,
            "symbols": [symbol(name) for name in recording.names],
            "formulas": [recording.formula(0, i) for i in parameters],
            "parameter": self.parameter,
            "history": {
                "epochs": history.epoch,
                "loss": history.history.get("loss", []),
                "val_loss": history.history.get("val_loss", []),
            },
            "steps": steps,
            "final": recording.final,
            "view": None
            if view is None
            else {
                "kind": view.kind,
                "X": view.X,
                "y": view.y,
                "axes": view.axes,
                "threshold": view.threshold,
                "classes": view.classes,
                "final": _rounded(view.final),
            },
            "view_note": recording.view_note,
            "restored": self._restored(),
            "backward": backward,
            "backward_note": recording.backward_note,
            "recorded": recording.summary(),
        }

    def _restored(self) -> str:
        """What the page says when early stopping gave the model its best epoch's weights
        back: the steps shown end elsewhere (empty otherwise)."""
        history = self.history
        if not history.restored or history.best_epoch is None:
            return ""
        best = history.best_epoch + 1
        figure = f" (the best {history.monitor})" if history.monitor else ""
        return (
            f"Early stopping: weights restored to epoch {best}'s{figure}; the steps shown "
            f"end with the last epoch's, before the restore."
        )

    # -- the page -------------------------------------------------------------------------

    def html(self) -> str:
        """The page: one HTML document with its style, script and data inline."""
        if self._html is None:
            started = time.perf_counter()
            self._html = self._page()
            self.build_seconds = time.perf_counter() - started
        return self._html

    def _page(self) -> str:
        data = self.data()
        backward = None
        if data["backward"] is not None:
            backward, why = _backward_explorer(data["backward"]["graph"])
            if backward is not None:
                data["backward"]["svg"] = backward.svg
            data["backward"]["not_drawn"] = why
        parts = {
            "title": html.escape(self.title),
            "style": inline(_asset("training.css") + (backward.style if backward else ""), "style"),
            "explorer_script": inline(backward.script, "script") if backward else "",
            "script": inline(_asset("training.js"), "script"),
            "recorded": html.escape(data["recorded"]),
        }
        # The page states its own size: measure it without, then put it in (each
        # placeholder is filled once, by format: no text put in is read again).
        data["page_size"] = ""
        first = _TEMPLATE.format(**parts, data=script_json(data))
        data["page_size"] = size_text(len(first.encode("utf-8")) + 16)
        return _TEMPLATE.format(**parts, data=script_json(data))

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (``"training.html"``; ``.html`` or ``.htm``) and
        return the path."""
        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            raise ValueError(
                f"TrainingExplorer.save: {str(target)!r} should end in .html (the page); "
                f"for a picture use .gif(path)"
            )
        target.write_text(self.html(), encoding="utf-8")
        return target

    def _repr_html_(self) -> str:
        """The page in an iframe, for notebooks: its script and style stay inside it. An
        untrusted notebook, whose sanitizer removes the frame, shows what is inside it:
        what was recorded and how to see the page."""
        losses = self.history.history.get("loss", [])
        figures = f"; loss {losses[0]:.4g} → {losses[-1]:.4g}" if losses else ""
        untrusted = (
            f"<p>{html.escape(self.title)}: {html.escape(self.recording.summary())}"
            f"{figures}. To step through the training, {TRUST}.</p>"
        )
        return notebook_frame(
            self.html(), title=self.title, height=FRAME_HEIGHT, untrusted=untrusted
        )

    def gif(
        self,
        path: str | Path,
        view: str = "fit",
        frames: Iterable[int] | None = None,
        *,
        fps: float = 2.0,
        dpi: int = 80,
    ) -> Path:
        """An animated GIF of one view over the recorded steps ``frames`` (indices;
        default all): ``view="fit"`` the data and the model's predictions, ``"loss"`` the
        loss curve with the step marked. Needs matplotlib (``pip install 'stepgrad[plot]'``)."""
        from nn import animation

        return animation.gif(
            self.recording, self.history.history, path, view=view, frames=frames, fps=fps, dpi=dpi
        )

    def __repr__(self) -> str:
        return f"TrainingExplorer({self.recording.summary()})"


_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; \
style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{title}</title>
<style>
{style}
</style>
</head>
<body>
<noscript><p>This page steps through a recorded training with JavaScript, which is off here.
Recorded: {recorded}.</p></noscript>
<div id="training" class="training"></div>
<script type="application/json" id="training-data">{data}</script>
<script>
{explorer_script}
</script>
<script>
{script}
</script>
</body>
</html>
"""
